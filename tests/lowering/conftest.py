"""Fixtures of the backend tests."""

import os

import pytest


@pytest.fixture(scope="module")
def private_cache(tmp_path_factory):
    """Compiled kernels of a module's tests go to a temporary cache, not the user's
    (`pytestmark = pytest.mark.usefixtures("private_cache")`)."""
    old = os.environ.get("TRACENP_CACHE_DIR")
    os.environ["TRACENP_CACHE_DIR"] = str(tmp_path_factory.mktemp("tracenp-cache"))
    yield
    if old is None:
        del os.environ["TRACENP_CACHE_DIR"]
    else:
        os.environ["TRACENP_CACHE_DIR"] = old
