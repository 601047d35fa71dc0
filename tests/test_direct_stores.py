"""Written arguments whose new value a kernel stores straight into them (`llvm._direct_stores`):
NumPy's values and write-backs on every call, the store taken where it is safe and refused
where the argument's old value is still read."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import tracenp

jit_module = importlib.import_module("tracenp.jit")
RNG = np.random.default_rng(5)


def sgd(w, g, lr):
    w -= lr * g
    return w


def clip_out(w):
    np.clip(w, -1.0, 1.0, out=w)
    return w


def adam(w, g, m, v, lr):
    m *= 0.9
    m += 0.1 * g
    v *= 0.999
    v += 0.001 * g * g
    w -= lr * m / (np.sqrt(v) + 1e-8)


def step_and_norm(w, g):  # the sum reads w where the same kernel stores its new value
    total = (w * w).sum()
    w -= 0.5 * g
    return total


def both_ways(a, b):  # b's update reads a's new value
    a += b
    b *= a


def int_counts(c, k):
    c += k
    c %= 7


def _layouts(n: int):
    return {"contiguous": lambda: RNG.standard_normal(n),
            "strided": lambda: RNG.standard_normal(2 * n)[::2],
            "reversed": lambda: RNG.standard_normal(n)[::-1],
            "fortran": lambda: np.asfortranarray(RNG.standard_normal((n, 3)))}


CASES = [
    (sgd, lambda w: (w, RNG.standard_normal(w.shape), 0.01)),
    (clip_out, lambda w: (3 * w,)),
    (adam, lambda w: (w, RNG.standard_normal(w.shape), RNG.standard_normal(w.shape),
                         np.abs(RNG.standard_normal(w.shape)), 1e-3)),
    (step_and_norm, lambda w: (w, RNG.standard_normal(w.shape))),
    (both_ways, lambda w: (w, RNG.standard_normal(w.shape))),
]


def _copies(args):
    return [a.copy() if isinstance(a, np.ndarray) else a for a in args]


def _assert_calls_match(fn, make_args, calls=4):
    jf = tracenp.jit(fn)
    for _ in range(calls):  # the first calls trace and compile; later ones take the hot path
        args = make_args()
        ours, theirs = list(args), _copies(args)
        got, want = jf(*ours), fn(*theirs)
        if isinstance(want, np.ndarray) and want is theirs[0]:
            assert got is ours[0]
        elif want is None:
            assert got is None
        else:
            np.testing.assert_allclose(got, want, rtol=1e-13)
        for a, b in zip(ours, theirs):
            if isinstance(b, np.ndarray):
                np.testing.assert_allclose(a, b, rtol=1e-13, atol=0)
    return jf


@pytest.mark.parametrize("n", [7, 1000, 200_000])
@pytest.mark.parametrize("layout", ["contiguous", "strided", "reversed", "fortran"])
@pytest.mark.parametrize("fn,extra", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_written_arguments_match_numpy(fn, extra, layout, n):
    make_w = _layouts(n)[layout]
    _assert_calls_match(fn, lambda: extra(make_w()))


def test_integer_updates_wrap_and_match_numpy():
    _assert_calls_match(int_counts, lambda: (RNG.integers(-50, 50, 1000),
                                             RNG.integers(0, 9, 1000)))


def _direct(fn, *args):
    jf = tracenp.jit(fn)
    for _ in range(3):
        jf(*_copies(args))
    (entry,) = jf._cache.values()
    direct, _ = jit_module._direct_run(entry)
    return direct[0]


@pytest.mark.parametrize("fn", [sgd, clip_out, adam, step_and_norm])
def test_the_store_goes_straight_into_the_argument(fn):
    n = 300
    args = {f.__name__: extra(RNG.standard_normal(n)) for f, extra in CASES}[fn.__name__]
    assert _direct(fn, *args) is not None


def _shifted(w):
    w[1:] += w[:-1]


def _symmetrized(W):  # the kernel storing W reads W.T: another element of the same array
    W += W.T


def _reversed_product(w):
    w *= w[::-1]


def _old_returned(w, g):
    old = w.copy()
    w -= g
    return old


def _transposed_read_after(w):
    t = w.T
    w += 1.0
    return t.sum(axis=0)


def _old_read_later(w, g):
    w -= g
    return w


def _sorted_before(w, g):  # the sort reads the old w: the schedule may order it after
    s = np.sort(w)  # the kernel storing the new one
    w -= g
    return s


def _cumsum_before(w, g):
    c = np.cumsum(w)
    w *= 0.5
    w += g
    return c


def _gathered_before(w, g):
    picked = w[np.argsort(g)]
    w -= g
    return picked


def _joined_after(w, g):  # the join reads the old w and the new one: after the kernel
    old = w.copy()
    w -= g
    return np.concatenate([old, w]).sum()


def _product_after(w, g):
    old = w.copy()
    w -= g
    return (np.sort(old) * w).sum()


def _other_reader(w, g):
    w *= 2.0
    return (g @ w.reshape(-1, 1)).sum()


@pytest.mark.parametrize("fn,make", [
    (_shifted, lambda: (RNG.standard_normal(500),)),
    (_symmetrized, lambda: (RNG.standard_normal((40, 40)),)),
    (_reversed_product, lambda: (RNG.standard_normal(501),)),
    (_old_returned, lambda: (RNG.standard_normal(500), RNG.standard_normal(500))),
    (_transposed_read_after, lambda: (RNG.standard_normal((20, 30)),)),
    (_other_reader, lambda: (RNG.standard_normal(40), RNG.standard_normal((3, 40)))),
    (_sorted_before, lambda: (RNG.standard_normal(300), RNG.standard_normal(300))),
    (_cumsum_before, lambda: (RNG.standard_normal(300), RNG.standard_normal(300))),
    (_gathered_before, lambda: (RNG.standard_normal(300), RNG.standard_normal(300))),
    (_joined_after, lambda: (RNG.standard_normal(300), RNG.standard_normal(300))),
    (_product_after, lambda: (RNG.standard_normal(300), RNG.standard_normal(300))),
], ids=lambda c: getattr(c, "__name__", ""))
def test_old_values_read_elsewhere_keep_numpy_semantics(fn, make):
    _assert_calls_match(fn, make)


def test_a_shifted_read_is_not_stored_in_place():
    assert _direct(_shifted, RNG.standard_normal(500)) is None
    assert _direct(_old_returned, RNG.standard_normal(50), RNG.standard_normal(50)) is None


def test_a_read_only_argument_is_refused_as_numpy_refuses_it():
    jf = tracenp.jit(sgd)
    g = RNG.standard_normal(100)
    for _ in range(3):
        jf(RNG.standard_normal(100), g, 0.1)
    w = RNG.standard_normal(100)
    w.flags.writeable = False
    before = w.copy()
    with pytest.raises(ValueError, match="read-only"):
        jf(w, g, 0.1)
    np.testing.assert_array_equal(w, before)


def test_split_kernels_store_in_place_on_every_thread_count(monkeypatch):
    n = 1 << 18
    w0, g = RNG.standard_normal(n), RNG.standard_normal(n)
    results = []
    for threads in (1, 2, 3):
        monkeypatch.setattr(tracenp.config, "num_threads", threads)
        w = w0.copy()
        jf = tracenp.jit(adam)
        m, v = np.zeros(n), np.ones(n)
        for _ in range(3):
            jf(w, g, m, v, 1e-2)
        results.append(w)
    ref, m, v = w0.copy(), np.zeros(n), np.ones(n)
    for _ in range(3):
        adam(ref, g, m, v, 1e-2)
    for r in results:
        np.testing.assert_allclose(r, ref, rtol=1e-13)


def _bordered(u):
    v = 2.0 * u
    v[0, :] = v[-1, :] = v[:, 0] = v[:, -1] = 0.0
    return v


def _bordered_and_kept(u):
    v = u * 3.0
    w = v.copy()
    v[1:3, 2] = -1.0
    return v, w


@pytest.mark.parametrize("fn", [_bordered, _bordered_and_kept,
                                lambda u: np.maximum(u, 0.5).__setitem__(0, 9.0),
                                lambda u: (u + 0.0, (u + 0.0).__setitem__((0, 0), 1.0))])
def test_writes_into_a_computed_array_store_in_place_and_leave_the_rest_alone(fn):
    """A slice set into a kernel's new buffer that nothing else reads stores into it (the
    border of a stencil step: four copies of the grid before); the argument, another
    result and results of earlier calls keep their values."""
    jf = tracenp.jit(fn)
    u = RNG.standard_normal((300, 300))  # past the size whose buffers are reused
    keep = u.copy()
    first = jf(u)
    first_copy = _copied(first)
    for _ in range(3):
        got, want = jf(u), fn(u.copy())
        assert_tree_equal(got, want)
    np.testing.assert_array_equal(u, keep)
    assert_tree_equal(first, first_copy)  # not overwritten by later calls


def _copied(tree):
    if isinstance(tree, tuple):
        return tuple(map(_copied, tree))
    return None if tree is None else tree.copy()


def assert_tree_equal(got, want):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_tree_equal(g, w)
    elif want is None:
        assert got is None
    else:
        np.testing.assert_array_equal(got, want)


def test_a_stencils_border_writes_store_into_the_grid_they_write():
    """All four writes store in place: the first into the product's new buffer (it copied
    the grid before)."""
    u = RNG.standard_normal((300, 300))
    compiled = tracenp.jit(_bordered).compiled(u)
    writes = [n for n in compiled.optimized.nodes() if n.op.name == "SLICE_SET"]
    assert len(writes) == 4 and {id(n) for n in writes} == compiled.run.in_place


def _cavity_like(p, b, nit):
    for _ in range(nit):
        pn = p.copy()
        p[1:-1, 1:-1] = 0.25 * (pn[1:-1, 2:] + pn[1:-1, :-2] + pn[2:, 1:-1] + pn[:-2, 1:-1]
                                - b[1:-1, 1:-1])
        p[:, -1] = p[:, -2]
        p[0, :] = p[1, :]
        p[:, 0] = p[:, 1]
        p[-1, :] = 0


def _old_row_read_late(p):
    q = p * 2.0
    old = q[0, :] * 3.0  # the row before the write: read by a kernel that may run after it
    q[0, :] = q[1, :]
    q[1:3, 2] = -1.0
    return q, old + q[0, :]


def _overlapping_shift(p):
    q = p + 1.0
    q[1:, :] = q[:-1, :]  # the value is a view of the array it is written into
    q[:, 1:] = q[:, :-1] * 2.0
    return q


@pytest.mark.parametrize("fn, args", [
    (_cavity_like, (RNG.standard_normal((9, 9)), RNG.standard_normal((9, 9)), 3)),
    (_old_row_read_late, (RNG.standard_normal((5, 6)),)),
    (_overlapping_shift, (RNG.standard_normal((5, 6)),))])
def test_writes_after_the_last_read_of_an_array_store_into_it(fn, args):
    """A write into an array whose other readers all run before it stores in place, as
    NumPy does, also where the optimizer reads a region of the older value that later
    writes miss; one read after it (or in what it writes) gets the old values."""
    jf = tracenp.jit(fn)
    for _ in range(2):
        got_args, want_args = [a.copy() if isinstance(a, np.ndarray) else a for a in args], \
            [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        assert_tree_equal(jf(*got_args), fn(*want_args))
        for g, w in zip(got_args, want_args):
            np.testing.assert_array_equal(g, w)
    if fn is _cavity_like:
        compiled = jf.compiled(*args)
        writes = [n for n in compiled.optimized.nodes() if n.op.name == "SLICE_SET"
                  and n.srcs[0].op.name == "SLICE_SET"]
        assert writes and all(id(n) in compiled.run.in_place for n in writes)
