"""SciPy's filters, transforms and special functions of traced arrays, run by SciPy itself.

`scipy.signal`'s filters and spectra, `scipy.ndimage`'s filters, interpolation and
morphology, `scipy.fft`'s real transforms and `scipy.special`'s functions tracenp has no
formula for convert their arguments with `np.asarray` (or read `x.flags`), which a traced
value refuses. While a trace runs the names below are replaced (`trace._late_routes`, one
routes function per library; a user module's `from scipy.ndimage import gaussian_filter`
too): a call with a traced argument becomes a host call (`host_ops`), which runs SciPy's own
function on the arrays' values when the compiled function runs, its result's type found at
trace time; any other call is SciPy's own. A library step of its own, it sits between the
fused kernels of the NumPy code around it.

`scipy.fft`'s complex transforms are `np.fft`'s traced ones (single precision for float16,
as SciPy's), which fuse and differentiate; `workers` and `overwrite_x` are accepted and
ignored, a `plan` is refused. The host calls differentiate where a rule is given: `lfilter`
in `x` (without `zi`), `gaussian_filter1d` and `gaussian_filter` (`order=0`) in the
input under the modes whose adjoint is the filter itself ('constant', 'wrap'), `psi`/
`digamma` and `polygamma` in `x`, and the orthonormal `dct`/`dst` family; a gradient through
any other raises an error naming the function. Functions whose result's shape depends on the
values (`find_peaks`, `argrelmax`) are refused by name.
"""

from __future__ import annotations

import functools
import inspect
import sys
from typing import Callable

import numpy as np

from .. import errors, host_ops, ir, lax
from ..ops import Op
from .creation import _holds_tracer

# arguments SciPy writes its results into: arrays there would be the graph's own memory
_WRITTEN = ("output", "out", "distances", "indices")


# ----------------------------------------------------------------------------- host calls


def _tracers(v) -> list:
    if lax.is_tracer(v):
        return [v]
    if type(v) in (list, tuple):
        return [t for x in v for t in _tracers(x)]
    if type(v) is dict:
        return [t for x in v.values() for t in _tracers(x)]
    return []


def _with_values(v, values: dict):
    """`v` with each tracer replaced by its value (`values`, by id)."""
    if lax.is_tracer(v):
        return values[id(v)]
    if type(v) in (list, tuple):
        return type(v)(_with_values(x, values) for x in v)
    if type(v) is dict:
        return {k: _with_values(x, values) for k, x in v.items()}
    return v


def _rebuild(outcome: host_ops.Outcome, items: list):
    """The call's result as SciPy returns it: one array, or a tuple (list) of them."""
    items = [lax.python_scalar(t, t.dtype) if r == "python" and not t.ndim and
             t.dtype.kind in "biufc" else t.with_returns(r)  # (a Python number is weak)
             for t, (_, _, r) in zip(items, outcome.items)]
    return host_ops.rebuild(outcome.kind, items)


def host(fn: Callable, name: str, args: tuple, kwargs: dict, names: tuple = (),
         grads: dict | None = None, steer: bool = True,
         outcome: host_ops.Outcome | None = None, typical: bool = False):
    """`fn(*args, **kwargs)` of traced arguments, as the host calls it when the compiled
    function runs. With `steer`, a traced Python number is made static first (it may set the
    result's shape: `resample(x, num)`; with `typical`, a Python int only); arguments known
    while tracing give SciPy's result as constants. `outcome`: the result's type where the
    caller knows it, else the function's result for stand-in arguments says it
    (`host_ops.evaluate`, `typical`)."""
    tracers = _tracers((args, kwargs))
    if steer:  # with `typical`, Python ints only (a bin count); a float sets no shape; of
        lax.steer([t for t in tracers if (not typical or t.dtype.kind in "biu") and  # Python
                   ir.of_python_scalars(t.node)], f"A traced argument of {name}")  # arguments
    known = {id(t): t.constant_value() for t in tracers}
    if all(v is not None for v in known.values()):
        args, kwargs = _with_values(args, known), _with_values(kwargs, known)
        result = host_ops.untraced(lambda: fn(*args, **kwargs))
        outcome = host_ops.outcome_of(result, name)
        items = host_ops.items_of(result, outcome.kind)
        return _rebuild(outcome, [lax.lift(np.asarray(v)) for v in items])
    call, sources = host_ops.make_call(fn, name, args, kwargs, names, grads)
    srcs = [lax.lift(s) for s in sources]
    if outcome is None:
        outcome = host_ops.evaluate(call, host_ops.source_specs([s.node for s in srcs]),
                                    typical)
    outs = [None] if outcome.kind is None else range(len(outcome.items))
    return _rebuild(outcome, [lax.bind(Op.HOST, *srcs, call=call, out=k, dtype=dtype,
                                       shape=shape)
                              for k, (dtype, shape, _) in zip(outs, outcome.items)])


def _route(fn: Callable, name: str, grads: Callable | None = None,
           fixed: dict | None = None, typical: bool = False,
           outcome: Callable | None = None) -> Callable:
    """`fn` while a trace runs: a host call where an argument holds a traced value, else
    SciPy's own. `grads(arguments)` gives the gradient rules for a call's bound arguments;
    `fixed` sets arguments (an `overwrite_x` that would write into the graph's arrays);
    `typical` as `host_ops.evaluate`'s; `outcome(arguments)` the result's type where stand-in
    values cannot find it. A builtin without a signature (SciPy's C `linear_sum_assignment`)
    takes its arguments as given."""
    try:
        signature = inspect.signature(fn)
    except ValueError:
        signature = inspect.Signature([inspect.Parameter("args", inspect.Parameter.VAR_POSITIONAL),
                                       inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD)])
    names = tuple(n for n, p in signature.parameters.items()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))

    def route(*args, **kwargs):
        if not lax.holds_tracer((args, tuple(kwargs.values()))):
            return fn(*args, **kwargs)
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            return fn(*args, **kwargs)  # SciPy's own error for its signature
        for arg in _WRITTEN:
            if lax.holds_tracer(bound.arguments.get(arg)) or isinstance(
                    bound.arguments.get(arg), np.ndarray):
                raise errors.unsupported(f"{name} with an array as {arg}= (SciPy would write "
                                         "into it; use the returned array)")
        for arg, value in bound.arguments.items():
            if callable(value) and _holds_tracer(value):
                raise errors.unsupported(f"{name} of a function that keeps traced values in "
                                         f"its closure or defaults (as {arg}=)")
        for arg, value in (fixed or {}).items():
            if arg in bound.arguments:
                bound.arguments[arg] = value
        rules = grads(bound.arguments) if grads is not None else None
        return host(fn, name, bound.args, bound.kwargs, names, rules, typical=typical,
                    outcome=None if outcome is None else outcome(bound.arguments))

    return _named(route, fn)


def _named(route: Callable, fn: Callable) -> Callable:
    """`route` standing for SciPy's `fn`: its name, doc and attributes (SciPy's code reads
    some of its functions': a trace replaces them in SciPy's modules too), and `scipys`."""
    functools.update_wrapper(route, fn)
    route.scipys = fn
    return route


def _scipy(module: str, name: str, grads: Callable | None = None) -> Callable:
    """SciPy's `module.name` as a host call of traced arguments, whether or not a trace has
    replaced it now: a gradient rule's own calls (themselves differentiable by `grads`)."""
    fn = getattr(sys.modules[module], name)
    return _route(getattr(fn, "scipys", fn), f"{module}.{name}", grads)


def _refused(fn: Callable, name: str, instead: str) -> Callable:
    """`fn`, refused by name where an argument is traced: its result's shape is the data's."""
    def route(*args, **kwargs):
        if not lax.holds_tracer((args, tuple(kwargs.values()))):
            return fn(*args, **kwargs)
        raise errors.data_dependent(name, instead)

    return _named(route, fn)


# ----------------------------------------------------------------------------- gradients


def _lfilter_grads(arguments: dict) -> dict:
    """`y = lfilter(b, a, x)` is `H x`, H the filter's lower-triangular Toeplitz matrix of its
    impulse response: `H^T g` is the filter run over the reversed `g`, reversed. With `zi`
    there is a second result and an affine term: no rule."""
    if arguments.get("zi") is not None:
        return {}
    axis = arguments.get("axis", -1)

    def rule(g, values, out):
        lfilter = _scipy("scipy.signal", "lfilter", _lfilter_grads)
        return np.flip(lfilter(values["b"], values["a"], np.flip(g, axis), axis=axis), axis)

    return {"x": rule}


# ndimage modes under which a correlation's adjoint is the correlation with the reversed
# kernel under the same mode (zero padding, or circular)
_SELF_ADJOINT_MODES = ("constant", "grid-constant", "wrap", "grid-wrap")


def _modes(mode) -> bool:
    modes = [mode] if isinstance(mode, str) else list(mode)
    return all(isinstance(m, str) and m in _SELF_ADJOINT_MODES for m in modes)


def _gaussian1d_grads(arguments: dict) -> dict:
    """The kernel of derivative order `order` reversed is `(-1)**order` times itself; `cval`
    only adds a constant, so the adjoint filters with cval 0."""
    order = arguments.get("order", 0)
    if not _modes(arguments.get("mode", "reflect")) or \
            arguments.get("output") is not None or not isinstance(order, (int, np.integer)):
        return {}

    def rule(g, values, out):
        kw = {k: v for k, v in values.items() if k not in ("input", "output", "cval")}
        return (-1) ** int(order) * _scipy("scipy.ndimage", "gaussian_filter1d",
                                           _gaussian1d_grads)(g, **kw)

    return {"input": rule}


def _gaussian_grads(arguments: dict) -> dict:
    """Separable 1-d Gaussians of order 0: the filter is its own adjoint under these modes."""
    order = arguments.get("order", 0)
    if not _modes(arguments.get("mode", "reflect")) or \
            arguments.get("output") is not None or np.any(np.asarray(order) != 0):
        return {}

    def rule(g, values, out):
        kw = {k: v for k, v in values.items() if k not in ("input", "output", "cval")}
        return _scipy("scipy.ndimage", "gaussian_filter", _gaussian_grads)(g, **kw)

    return {"input": rule}


_INVERSE = {"dct": "idct", "idct": "dct", "dst": "idst", "idst": "dst", "dctn": "idctn",
            "idctn": "dctn", "dstn": "idstn", "idstn": "dstn"}


def _orthonormal_grads(name: str) -> Callable:
    """An orthonormal transform's transpose is its inverse: `norm="ortho"`, no padding (`n`,
    `s`) and SciPy's default orthogonalization."""
    def grads(arguments: dict) -> dict:
        if arguments.get("norm") != "ortho" or arguments.get("n") is not None or \
                arguments.get("s") is not None or arguments.get("orthogonalize") is False:
            return {}

        def rule(g, values, out):
            kw = {k: v for k, v in values.items() if k not in ("x", "workers")}
            inverse = _INVERSE[name]
            return _scipy("scipy.fft", inverse, _orthonormal_grads(inverse))(g, **kw)

        return {"x": rule}

    return grads


def _polygamma_grads(arguments: dict) -> dict:
    """d/dx polygamma(n, x) = polygamma(n + 1, x), for a known integer order `n`."""
    n = arguments.get("n")
    if not isinstance(n, (int, np.integer)):
        return {}

    def rule(g, values, out):
        polygamma = _scipy("scipy.special", "polygamma", _polygamma_grads)
        return g * polygamma(int(n) + 1, values["x"])

    return {"x": rule}


# ----------------------------------------------------------------------------- scipy.special


def special_ufunc(ufunc: np.ufunc, operands: list):
    """A scipy.special ufunc tracenp has no formula for, of operands already in its loop's
    dtypes: SciPy's loop, run by the host (elementwise: the broadcast shape)."""
    import scipy.special

    grads = None
    if ufunc is scipy.special.psi and operands[0].dtype.kind == "f":
        polygamma = _scipy("scipy.special", "polygamma", _polygamma_grads)
        grads = {"x": lambda g, values, out: g * polygamma(1, values["x"])}
    names = ("x",) if ufunc.nin == 1 else tuple(f"x{i + 1}" for i in range(ufunc.nin))
    return host(ufunc, f"scipy.special.{ufunc.__name__}", tuple(operands), {}, names, grads,
                steer=False)


def is_special_ufunc(ufunc: np.ufunc) -> bool:
    """Whether `ufunc` is one of scipy.special's (public, of its `_ufuncs` module, or inside
    one of its multi-ufuncs: `sph_harm_y`'s, a gufunc `(),(),(),()->(1,1)`)."""
    for module in ("scipy.special", "scipy.special._ufuncs"):
        if getattr(sys.modules.get(module), ufunc.__name__, None) is ufunc:
            return True
    return "scipy.special" in sys.modules and ufunc in _multiufunc_members()


@functools.cache
def _multiufunc_members() -> tuple:
    """The ufuncs that scipy.special's multi-ufuncs (`sph_harm_y`, `assoc_legendre_p`) call."""
    import scipy.special

    members = []
    for name in scipy.special.__all__:
        inner = getattr(getattr(scipy.special, name, None), "_ufunc_or_ufuncs", None)
        if inner is not None:
            members += list(inner.values()) if isinstance(inner, dict) else \
                list(inner) if isinstance(inner, (tuple, list)) else [inner]
    return tuple(members)


def special_routes() -> list:
    """`scipy.special`'s Python functions run by the host (its ufuncs: `ufuncs.apply_ufunc`),
    `comb`, which is `binom` where its arguments are in range, and `factorial`."""
    import scipy.special as special

    return [(special, {"polygamma": _route(special.polygamma, "scipy.special.polygamma",
                                           _polygamma_grads),
                       "comb": _comb(special.comb, special.binom),
                       "factorial": _factorial(special.factorial, special.gamma),
                       **{name: _route(getattr(special, name), f"scipy.special.{name}",
                                       typical=True) for name in SPECIAL_PYTHON}})]


# scipy.special's Python functions (not ufuncs) whose results have their arguments' shapes
SPECIAL_PYTHON = ("spherical_jn", "spherical_yn", "spherical_in", "spherical_kn",
                  "factorial2", "factorialk")


def _factorial(original: Callable, gamma: Callable) -> Callable:
    """`scipy.special.factorial(n)` of traced values without `exact`, as SciPy computes it:
    `gamma(n + 1)` in `n`'s float type (float64 for integers), 0 for a negative `n`, NaN for
    NaN, returned in float64."""
    @functools.wraps(original)
    def factorial(n, exact=False, extend="zero"):
        if exact or extend != "zero" or not lax.is_tracer(n) or n.dtype.kind == "c":
            return original(n, exact=exact, extend=extend)
        x = n if n.dtype.kind == "f" else lax.cast(n, np.float64)  # gamma's loop: n's float
        out = lax.cast(np.where(np.isnan(x), np.nan, np.where(x >= 0, gamma(x + 1), 0.0)),
                       np.float64)
        return out if np.ndim(out) or n.returns == "array" else out.with_returns("scalar")

    return factorial


def _comb(original: Callable, binom: Callable) -> Callable:
    """`scipy.special.comb(N, k)` of traced values, as SciPy computes it without `exact`:
    `binom` where `0 <= k <= N` (with `repetition`: of `N + k - 1`, 1 where `k == 0 <= N`),
    else 0; an exact one (Python ints) is SciPy's own."""
    @functools.wraps(original)
    def comb(N, k, *, exact=False, repetition=False):
        if exact or not (lax.is_tracer(N) or lax.is_tracer(k)):
            return original(N, k, exact=exact, repetition=repetition)
        if repetition:
            out = np.where((k == 0) & (N >= 0), 1.0, binom(N + k - 1, k))
        else:
            out = np.where((k <= N) & (N >= 0) & (k >= 0), binom(N, k), 0.0)
        return out if np.ndim(out) else out.with_returns("scalar")

    return comb


# ----------------------------------------------------------------------------- scipy.signal

SIGNAL = ("lfilter", "filtfilt", "sosfilt", "sosfiltfilt", "savgol_filter", "medfilt",
          "medfilt2d", "wiener", "hilbert", "hilbert2", "fftconvolve", "oaconvolve",
          "convolve2d", "correlate2d", "resample", "resample_poly", "upfirdn", "decimate",
          "welch", "csd", "coherence", "periodogram", "spectrogram", "stft", "istft",
          "deconvolve")
SIGNAL_GRADS = {"lfilter": _lfilter_grads}
SIGNAL_REFUSED = ("find_peaks", "find_peaks_cwt", "argrelmax", "argrelmin", "argrelextrema")


def signal_routes() -> list:
    """`scipy.signal`'s functions replaced while a trace runs (`trace._late_routes`)."""
    import scipy.signal as signal

    wrappers = {name: _route(getattr(signal, name), f"scipy.signal.{name}",
                             SIGNAL_GRADS.get(name)) for name in SIGNAL}
    wrappers.update({name: _refused(getattr(signal, name), f"scipy.signal.{name}",
                                    "find the peaks of the result outside the jitted function, "
                                    "or compute a fixed-size mask such as `x > np.roll(x, 1)`")
                     for name in SIGNAL_REFUSED})
    return [(signal, wrappers)]


# ----------------------------------------------------------------------------- scipy.integrate

def integrate_routes() -> list:
    """`scipy.integrate.odeint` and `solve_ivp` (given `t_eval`) of traced values, run by the
    host: the solvers' steps depend on the values, their results' shapes only on the times
    asked for and `y0`."""
    import scipy.integrate as integrate

    return [(integrate, {"odeint": _odeint(integrate.odeint),
                         "solve_ivp": _solve_ivp(integrate.solve_ivp)})]


def _ivp_arrays(fun, t_span, y0, method, t_eval, vectorized, args, options):
    """`solve_ivp`'s arrays and counts, for the host call."""
    from scipy.integrate import solve_ivp

    r = solve_ivp(fun, t_span, y0, method=method, t_eval=t_eval, vectorized=vectorized,
                  args=args, **options)
    return r.t, r.y, r.nfev, r.njev, r.nlu


def _solve_ivp(original: Callable) -> Callable:
    @functools.wraps(original)
    def solve_ivp(fun, t_span, y0, method="RK45", t_eval=None, dense_output=False,
                  events=None, vectorized=False, args=None, **options):
        from scipy.integrate._ivp.ivp import OdeResult

        if not lax.holds_tracer((t_span, y0, t_eval, args, tuple(options.values()))):
            return original(fun, t_span, y0, method=method, t_eval=t_eval,
                            dense_output=dense_output, events=events, vectorized=vectorized,
                            args=args, **options)
        if t_eval is None or dense_output or events is not None:
            raise errors.data_dependent(
                "scipy.integrate.solve_ivp of traced values without t_eval, or with "
                "dense_output or events (the solver's own steps)",
                "pass t_eval=, the times to report")
        if _holds_tracer(fun):
            raise errors.unsupported("scipy.integrate.solve_ivp of a function that keeps "
                                     "traced values in its closure or defaults (pass them in "
                                     "args=)")
        m = int(np.shape(t_eval)[0])
        start = lax.lift(y0)
        count = (np.dtype(np.int64), (), "python")
        outcome = host_ops.Outcome.of_tuple((
            (np.dtype(np.float64), (m,), "array"),
            (np.dtype(np.complex128 if start.dtype.kind == "c" else np.float64),
             (start.size, m), "array"), count, count, count))
        t, y, nfev, njev, nlu = host(
            _ivp_arrays, "scipy.integrate.solve_ivp",
            (fun, t_span, y0, method, t_eval, vectorized, args, options), {}, steer=False,
            outcome=outcome)
        return OdeResult(t=t, y=y, sol=None, t_events=None, y_events=None, nfev=nfev,
                         njev=njev, nlu=nlu, status=0, success=True, message=(
                             "The solver successfully reached the end of the integration "
                             "interval."))

    return solve_ivp


def _odeint(original: Callable) -> Callable:
    @functools.wraps(original)
    def odeint(func, y0, t, args=(), Dfun=None, *more, **options):
        if not lax.holds_tracer((y0, t, args, more, tuple(options.values()))):
            return original(func, y0, t, args, Dfun, *more, **options)
        if more or options.get("full_output"):
            raise errors.unsupported("scipy.integrate.odeint of traced values with positional "
                                     "options or full_output=True")
        if any(f is not None and _holds_tracer(f) for f in (func, Dfun)):
            raise errors.unsupported("scipy.integrate.odeint of a function that keeps traced "
                                     "values in its closure or defaults (pass them in args=)")
        shape = (np.shape(t)[0], int(np.prod(np.shape(y0))))
        outcome = host_ops.Outcome(None, ((np.dtype(np.float64), shape, "array"),))
        return host(original, "scipy.integrate.odeint", (func, y0, t, args, Dfun), options,
                    ("func", "y0", "t", "args", "Dfun"), steer=False, outcome=outcome)

    return odeint


# ----------------------------------------------------------------------------- scipy.optimize

OPTIMIZE = ("linear_sum_assignment", "nnls")


def optimize_routes() -> list:
    """`scipy.optimize`'s assignment and non-negative least squares of traced arrays, whose
    results' shapes their arguments' set, as host calls (SciPy's own solvers)."""
    import scipy.optimize as optimize

    return [(optimize, {name: _route(getattr(optimize, name), f"scipy.optimize.{name}",
                                     typical=True) for name in OPTIMIZE})]


# ----------------------------------------------------------------------------- scipy.fftpack

FFTPACK = ("fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "dct", "idct",
           "dst", "idst", "dctn", "idctn", "dstn", "idstn", "diff", "tilbert", "itilbert",
           "hilbert", "ihilbert", "cs_diff", "sc_diff", "ss_diff", "cc_diff", "shift")


def fftpack_routes() -> list:
    """SciPy's legacy `scipy.fftpack` (the cookbook's spectral derivative `diff`, `dst` of
    type 1 for a Dirichlet Poisson solve) of traced arrays: host calls."""
    import scipy.fftpack as fftpack

    return [(fftpack, {name: _route(getattr(fftpack, name), f"scipy.fftpack.{name}")
                       for name in FFTPACK if hasattr(fftpack, name)})]


# ----------------------------------------------------------------------------- scipy.linalg

# whose result's type the stand-ins' zeros and ones must agree on (a null space's width is
# the matrix's nullity: refused as data-dependent)
LINALG = ("eigh_tridiagonal", "eigvalsh_tridiagonal", "eig_banded", "eigvals_banded",
          "null_space", "orth")
# whose result's type the arguments' types set; found for a `_typical` (symmetric positive
# definite) matrix, which LAPACK's drivers and SciPy's solvers all take
LINALG_TYPICAL = ("hessenberg", "schur", "rsf2csf", "qz", "ordqz", "rq", "cossin", "ldl",
                  "matrix_balance", "bandwidth", "issymmetric", "ishermitian", "logm", "signm",
                  "funm", "fractional_matrix_power", "expm_frechet", "expm_cond", "pinvh",
                  "orthogonal_procrustes", "subspace_angles", "companion", "fiedler_companion",
                  "convolution_matrix", "solve_toeplitz", "solve_circulant", "solveh_banded",
                  "cholesky_banded", "solve_sylvester", "solve_continuous_lyapunov",
                  "solve_lyapunov", "solve_discrete_lyapunov", "solve_continuous_are",
                  "solve_discrete_are", "qr_update", "polar", "cosm", "sinm", "tanm", "coshm",
                  "sinhm", "tanhm")


def linalg_routes() -> list:
    """`scipy.linalg`'s functions that tracenp does not compose (`scipy_linalg` composes the
    rest) as host calls: banded and tridiagonal eigensolvers (LAPACK's stemr/stebz/sbevd),
    Schur and QZ forms, Riccati and Lyapunov solvers, matrix functions by Schur-Parlett, the
    Levinson recursion, ...: SciPy's own results, signs and orderings included."""
    import scipy.linalg as linalg

    return [(linalg, {**{name: _route(getattr(linalg, name), f"scipy.linalg.{name}")
                         for name in LINALG},
                      **{name: _route(getattr(linalg, name), f"scipy.linalg.{name}",
                                      typical=True)
                         for name in LINALG_TYPICAL if hasattr(linalg, name)}})]


# LAPACK's routines that code calls directly (GPy's `dpotrf`/`dpotrs`), per precision
LAPACK = tuple(f"{p}{name}" for p in "sd" for name in (
    "potrf", "potrs", "potri", "trtrs", "trtri", "gesv", "getrf", "getrs", "getri", "posv",
    "syev", "syevd", "gesdd", "geqrf", "orgqr", "gels"))


def lapack_routes() -> list:
    """`scipy.linalg.lapack`'s routines of traced arrays as host calls: SciPy's wrappers
    take their arrays' memory; their results (with LAPACK's `info`) have their shapes."""
    from scipy.linalg import lapack

    return [(lapack, {name: _route(getattr(lapack, name), f"scipy.linalg.lapack.{name}",
                                   typical=True) for name in LAPACK})]


# ----------------------------------------------------------------------------- scipy.ndimage

NDIMAGE = ("gaussian_filter", "gaussian_filter1d", "uniform_filter", "uniform_filter1d",
           "median_filter", "maximum_filter", "minimum_filter", "maximum_filter1d",
           "minimum_filter1d", "percentile_filter", "rank_filter", "convolve", "correlate",
           "convolve1d", "correlate1d", "sobel", "prewitt", "laplace", "gaussian_laplace",
           "gaussian_gradient_magnitude", "zoom", "shift", "rotate", "affine_transform",
           "map_coordinates", "spline_filter", "spline_filter1d", "distance_transform_edt",
           "binary_erosion", "binary_dilation", "binary_opening", "binary_closing",
           "grey_erosion", "grey_dilation", "grey_opening", "grey_closing",
           "fourier_gaussian", "fourier_shift", "binary_fill_holes", "binary_propagation",
           "binary_hit_or_miss", "white_tophat", "black_tophat", "morphological_gradient",
           "morphological_laplace", "generic_filter", "generic_filter1d",
           "generic_gradient_magnitude", "distance_transform_cdt", "distance_transform_bf",
           "fourier_uniform", "fourier_ellipsoid", "label", "sum_labels", "mean", "variance",
           "standard_deviation", "minimum", "maximum", "median", "center_of_mass", "extrema",
           "minimum_position", "maximum_position")
NDIMAGE_GRADS = {"gaussian_filter1d": _gaussian1d_grads, "gaussian_filter": _gaussian_grads}


def ndimage_routes() -> list:
    """`scipy.ndimage`'s functions replaced while a trace runs (`trace._late_routes`)."""
    import scipy.ndimage as ndimage

    return [(ndimage, {name: _route(getattr(ndimage, name), f"scipy.ndimage.{name}",
                                    NDIMAGE_GRADS.get(name)) for name in NDIMAGE})]


# ----------------------------------------------------------------------------- scipy.fft

FFT_1D = ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft")
FFT_ND = ("fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn", "rfftn", "irfftn")
REAL_TRANSFORMS = ("dct", "idct", "dst", "idst", "dctn", "idctn", "dstn", "idstn")


def _np_transform(name: str, scipys: Callable) -> Callable:
    """scipy.fft's `name` as `np.fft`'s traced one: SciPy's single precision for float16, its
    TypeError for a complex operand of a real transform; `workers` and `overwrite_x` ignored,
    a `plan` refused."""
    from . import fft as traced_fft

    transform = getattr(traced_fft, name)
    one_d = name in FFT_1D

    def route(x, n_or_s=None, axis_or_axes=None, norm=None, overwrite_x=False, workers=None,
              *, plan=None):
        if plan is not None:
            raise errors.unsupported(f"scipy.fft.{name} with a plan")
        x = lax.lift(x)
        if x.dtype == np.float16:
            x = lax.cast(x, np.float32)
        if name in ("rfft", "rfft2", "rfftn", "ihfft") and x.dtype.kind == "c":
            raise TypeError("x must be a real sequence")
        if one_d:
            return transform(x, n_or_s, -1 if axis_or_axes is None else axis_or_axes, norm)
        if axis_or_axes is None and "2" in name:
            axis_or_axes = (-2, -1)
        return transform(x, n_or_s, axis_or_axes, norm)

    def call(x, *args, **kwargs):
        if not lax.holds_tracer((x, args, tuple(kwargs.values()))):
            return scipys(x, *args, **kwargs)
        first, second = ("n", "axis") if one_d else ("s", "axes")
        kwargs = {("n_or_s" if k == first else "axis_or_axes" if k == second else k): v
                  for k, v in kwargs.items()}
        return route(x, *args, **kwargs)

    return _named(call, scipys)


def _np_shift(name: str, scipys: Callable) -> Callable:
    """scipy.fft's `fftshift`/`ifftshift` of a traced array: `np.fft`'s traced one."""
    def call(x, axes=None):
        if not lax.holds_tracer(x):
            return scipys(x, axes)
        return getattr(np.fft, name)(lax.lift(x), axes)

    return _named(call, scipys)


def _grid(name: str, scipys: Callable) -> Callable:
    """`fftfreq`/`rfftfreq` in user code: a constant of the graph, as `np.fft`'s are while
    tracing (so a traced index selects from it); of a traced spacing, the traced grid."""
    from .creation import _wrap, for_user_code

    constant = _wrap(getattr(np.fft, name))

    def grid(n, d=1.0, *, xp=None, device=None):
        if xp is not None or device is not None:
            return scipys(n, d, xp=xp, device=device)
        return constant(n, d)

    return _named(for_user_code(grid, scipys), scipys)


def fft_routes() -> list:
    """`scipy.fft`'s functions replaced while a trace runs (`trace._late_routes`)."""
    import scipy.fft as sfft

    wrappers = {name: _np_transform(name, getattr(sfft, name)) for name in FFT_1D + FFT_ND}
    wrappers.update({name: _np_shift(name, getattr(sfft, name))
                     for name in ("fftshift", "ifftshift")})
    wrappers.update({name: _grid(name, getattr(sfft, name)) for name in ("fftfreq", "rfftfreq")})
    wrappers.update({name: _route(getattr(sfft, name), f"scipy.fft.{name}",
                                  _orthonormal_grads(name), fixed={"overwrite_x": False})
                     for name in REAL_TRANSFORMS})
    return [(sfft, wrappers)]


__all__ = ["fft_routes", "host", "is_special_ufunc", "ndimage_routes", "signal_routes",
           "special_routes", "special_ufunc"]
