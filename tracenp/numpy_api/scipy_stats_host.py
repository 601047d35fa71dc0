"""`scipy.stats` functions SciPy runs on the host for traced arguments.

Rank correlations, rank and distribution tests, modes, Box-Cox fits, a distribution's `fit`
and its moments read the values in Python (ties, exact distributions chosen by the sample,
optimisers, per-distribution `_stats`) or in Cython; their results' types are the
arguments' (`scipy_host.host`, with typical stand-ins). Those SciPy computes with array
operations alone are traced instead (`scipy_stats`, `scipy_tests`, SciPy's lazy-array
paths).
"""

from __future__ import annotations

from typing import Callable

from .. import errors
from .scipy_host import _named, _route
from .scipy_made import MADE, made_getattr, made_init, made_method

# their result's type is the arguments' but for degenerate samples (a constant column makes
# `spearmanr` of a matrix one NaN, which raises when the compiled function runs): found for
# distinct stand-in values
STATS = ("spearmanr", "kendalltau", "weightedtau", "pointbiserialr", "theilslopes",
         "siegelslopes", "mode", "iqr", "percentileofscore", "hmean", "pmean", "circvar",
         "circstd", "boxcox", "boxcox_normmax", "yeojohnson", "cumfreq", "relfreq",
         "binned_statistic", "binned_statistic_2d", "wilcoxon", "mannwhitneyu", "ranksums",
         "kruskal", "friedmanchisquare", "brunnermunzel", "ansari", "mood", "bartlett",
         "fligner", "ks_1samp", "ks_2samp", "kstest", "epps_singleton_2samp", "shapiro",
         "fisher_exact", "quantile", "false_discovery_control")


def _weighted(fn: Callable, name: str) -> Callable:
    """`wasserstein_distance`/`energy_distance`: traced (SciPy's array code) without weights,
    a host call with them (SciPy's Python checks the weights' values)."""
    host_call = _route(fn, name, typical=True)

    def call(u_values, v_values, u_weights=None, v_weights=None):
        if u_weights is None and v_weights is None:
            return fn(u_values, v_values)
        return host_call(u_values, v_values, u_weights, v_weights)

    return _named(call, fn)


# a distribution's moments of traced parameters (`weibull_min.mean(c, scale=s)`, a frozen
# one's `.std()`): SciPy's `_stats` per distribution, Python that reads the values; `mean`,
# `var` and `std` call `stats`
MOMENTS = ("stats", "entropy", "moment")


def stats_routes() -> list:
    """`STATS` of traced arguments as host calls, the weighted distances between samples,
    the distributions' `fit` (maximum likelihood by SciPy's optimisers, or its closed
    forms) and `MOMENTS`."""
    import scipy.stats as stats
    from scipy.stats import _continuous_distns

    from scipy.stats._distn_infrastructure import rv_generic

    fits = [cls for cls in vars(_continuous_distns).values() if isinstance(cls, type)
            and issubclass(cls, stats.rv_continuous) and "fit" in vars(cls)]
    return [(stats, {**{name: _route(getattr(stats, name), f"scipy.stats.{name}",
                                     typical=True) for name in STATS if hasattr(stats, name)},
                     **{name: _weighted(getattr(stats, name), f"scipy.stats.{name}")
                        for name in ("wasserstein_distance", "energy_distance")}}),
            *((cls, {"fit": _route(vars(cls)["fit"], f"scipy.stats.{cls.__name__[:-4]}.fit",
                                   typical=True)}) for cls in fits),
            (rv_generic, {name: _route(vars(rv_generic)[name], f"scipy.stats' {name}",
                                       typical=True) for name in MOMENTS}),
            (stats.gaussian_kde, _kde_routes(stats.gaussian_kde))]


# gaussian_kde's methods whose results have sizes the points decide, not the sample
KDE_METHODS = ("evaluate", "__call__", "pdf", "logpdf", "integrate_gaussian",
               "integrate_box_1d", "integrate_box", "integrate_kde")


def _kde_routes(kde: type) -> dict:
    """`gaussian_kde(sample)` of a traced sample (a density estimate, SciPy's bandwidth
    rules): made and evaluated on the host (`scipy_made`); a resample draws, refused."""
    label = "scipy.stats.gaussian_kde"

    def refused(name):
        method = vars(kde)[name]

        def route(self, *args, **kwargs):
            if MADE not in self.__dict__:
                return method(self, *args, **kwargs)
            raise errors.unsupported(f"{label}.{name} of a traced sample")

        return _named(route, method)

    return {"__init__": made_init(vars(kde)["__init__"], "gaussian_kde"),
            "__getattr__": made_getattr(kde, label),
            **{name: made_method(vars(kde)[name], f"{label}.{name.strip('_')}")
               for name in KDE_METHODS},
            **{name: refused(name) for name in ("resample", "marginal", "set_bandwidth")}}
