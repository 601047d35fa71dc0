"""Errors a user can hit while tracing: each says what, where (their file and line) and what to do."""

from __future__ import annotations

import contextlib
import dis
import linecache
import os
import sys

_PKG_DIR = os.path.dirname(os.path.abspath(__file__))
_NUMPY_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__import__("numpy").__file__)))


class TracingError(Exception):
    """NumPy code that tracenp cannot turn into a graph."""


class ConcretizationError(TracingError, TypeError):
    """A traced value was needed as a concrete Python or NumPy value."""


class UnsupportedFunctionError(TracingError, NotImplementedError):
    """A NumPy function or argument combination tracenp does not trace."""


_CONTEXTLIB = os.path.abspath(contextlib.__file__)  # a trace's context managers run there


def user_frame():
    """The innermost stack frame outside tracenp and NumPy: where the user's code is."""
    f = sys._getframe(1)
    while f is not None:
        if _in_user_code(f):
            return f
        f = f.f_back
    return None


def _in_user_code(f) -> bool:
    if f.f_code.co_filename == "<stringsource>":  # Cython's generated helpers
        return False
    path = os.path.abspath(f.f_code.co_filename)
    inside = path.startswith(_PKG_DIR + os.sep) or path.startswith(os.path.join(_NUMPY_DIR, "numpy"))
    return not inside and not path.startswith("<frozen") and path != _CONTEXTLIB


def inside_try_except() -> bool:
    """Whether the user's code being traced runs the current call inside the body of a
    `try` with an `except` clause that tests the exception's type (in the innermost user
    frame or the user frames around it, up to tracenp's own): a NumPy error raised when the
    compiled function runs would skip that `except` branch, which NumPy would take. User
    frames that reach the bottom of the stack without tracenp's (a gradient's backward pass
    run from the caller's code) are not the traced code."""
    f = user_frame()
    run = []
    while f is not None and _in_user_code(f):
        run.append(f)
        f = f.f_back
    return f is not None and any(_in_typed_try(g.f_code, g.f_lasti) for g in run)


def _in_typed_try(code, lasti: int) -> bool:
    parse = getattr(dis, "_parse_exception_table", None)
    if parse is None:  # before Python 3.11: no exception table to read
        return False
    entries = [e for e in parse(code) if e.start <= lasti < e.end]
    if not entries:
        return False
    ops = list(dis.get_instructions(code))
    at = {i.offset: k for k, i in enumerate(ops)}
    for e in entries:
        for op in ops[at.get(e.target, len(ops)):]:  # the handler, up to its re-raise
            if op.opname in ("CHECK_EXC_MATCH", "WITH_EXCEPT_START", "RERAISE",
                             "RETURN_VALUE"):
                if op.opname == "CHECK_EXC_MATCH":
                    return True
                break
    return False


def where_in_user_code() -> str:
    f = user_frame()
    return "" if f is None else _where(f, f.f_lineno)


def _where(f, lineno: int) -> str:
    """The lines of a message naming a frame's function, file and line, and its source."""
    line = linecache.getline(f.f_code.co_filename, lineno).strip()
    text = f"\n  in {f.f_code.co_name}, {f.f_code.co_filename}:{lineno}"
    return text + f"\n    {line}" if line else text


def tracing_context() -> str:
    from .trace import current_trace

    t = current_trace()
    if t is None:
        return ""
    return f" while tracing {t.fn_name!r}"


def concretization_error(what: str) -> ConcretizationError:
    """The error, remembered by the trace: code that catches it may turn it into another
    `TypeError` (`Polynomial.__mul__` returns NotImplemented) or go on past it (`except
    Exception:`), and `jit` then raises this one instead (`JitFunction._trace_to_graph`)."""
    from .trace import current_trace

    error = ConcretizationError(
        f"{what} needs a concrete value, but it is a traced array{tracing_context()}."
        f"{where_in_user_code()}\n"
        "The value is only known when the compiled function runs, so Python cannot branch on "
        "it or convert it. Use np.where/np.select for value-dependent choices, mark the "
        "argument static (static_argnums=/static_argnames=), or pass fallback=True to run "
        "this function eagerly in NumPy."
    )
    state = current_trace()
    if state is not None:
        state.refused.append(error)
    return error


def written_into_numpy(how: str) -> ConcretizationError:
    """A traced value written into a NumPy array (made from constants inside the function,
    or a global): a ConcretizationError, so that `jit` traces again with the function's
    global arrays as constants, which makes such an array a traced value too."""
    return concretization_error(f"Writing a traced value into a NumPy array ({how})")


def steered_by(error: TracingError, *values) -> TracingError:
    """`error`, noting the traced values (also inside lists and dicts) that had to be concrete:
    `jit` makes static the Python scalar arguments they are computed from alone and traces
    again (`np.eye(n)`, `np.repeat(x, k)` of an int argument), as for a ConcretizationError."""
    from .tracer import Tracer

    def walk(v):
        if isinstance(v, Tracer):
            yield v.node
        elif isinstance(v, (list, tuple)):
            for item in v:
                yield from walk(item)
        elif isinstance(v, dict):
            for item in v.values():
                yield from walk(item)

    error.nodes = [n for v in values for n in walk(v)]
    return error


def refused_by_python(e: TypeError) -> ConcretizationError:
    """Python's own `TypeError` for a traced value where it needs a number (`"%d" % x`:
    CPython asks for `int(x)`, and turns the `ConcretizationError` raised there into its own
    message), as the named error, at the user's line in the traceback."""
    where = ""
    tb = e.__traceback__
    while tb is not None:  # the innermost user frame of the traceback
        if _in_user_code(tb.tb_frame):
            where = _where(tb.tb_frame, tb.tb_lineno)
        tb = tb.tb_next
    return ConcretizationError(
        f"Python refused a traced value ({e}){tracing_context()}.{where}\n"
        "It needs a concrete number, which exists only when the compiled function runs. "
        "Pass fallback=True to run this function eagerly in NumPy.")


def unsupported(what: str) -> UnsupportedFunctionError:
    return UnsupportedFunctionError(
        f"{what} is not supported by tracenp{tracing_context()}.{where_in_user_code()}\n"
        "Rewrite it with supported NumPy functions (see docs/numpy_coverage.md), or pass "
        "fallback=True to run this function eagerly in NumPy."
    )


class DataDependentShapeError(UnsupportedFunctionError):
    """The result's shape would depend on the values of a traced array."""


class ResultTypeChanged(DataDependentShapeError):
    """NumPy's result for this call's values has another type than the one traced from the
    first call's (eig's eigenvalues real then, complex now): `jit` traces again."""


class PythonIntOverflowError(DataDependentShapeError, OverflowError):
    """A Python int past int64: Python's would be a wider int, which tracenp's int64 cannot
    hold (raised when the function runs; `jit(fallback=True)` runs that call in Python)."""


def data_dependent(what: str, instead: str) -> DataDependentShapeError:
    return DataDependentShapeError(
        f"{what} has a shape that depends on the values of a traced array{tracing_context()}."
        f"{where_in_user_code()}\n"
        "A compiled function has one output shape per input signature, so tracenp cannot "
        f"trace it. Instead: {instead}. Or pass fallback=True to run this function eagerly "
        "in NumPy."
    )


class RandomInTraceError(UnsupportedFunctionError):
    """A random draw tracenp cannot make at call time: its numbers would be frozen into the
    compiled function."""


def random_in_trace(what: str) -> RandomInTraceError:
    return RandomInTraceError(
        f"{what} was called{tracing_context() or ' while tracing'}."
        f"{where_in_user_code()}\n"
        "It would draw once, when the function is traced, and the compiled function would "
        "repeat those numbers on every call. Draws from np.random and from a generator that "
        "is a global or closure variable of the jitted function, or one of its arguments, "
        "happen at each call; use one of those, or draw the numbers outside and pass them in "
        "as an argument (or pass fallback=True)."
    )
