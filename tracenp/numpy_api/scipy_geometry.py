"""SciPy's spatial structures of traced points: k-d trees, Qhull and scattered-data
interpolants, each run on the host where its result's type is known.

`cKDTree(points).query(x, k)` (inverse-distance weighting's neighbours, k-NN classifiers)
builds a tree in Cython from the points' memory, which a traced array has not; a tree made
while tracing (`TracedKDTree`) keeps its points and runs SciPy's query on the host when the
compiled function runs (`scipy_host.host`). Qhull's structures (`ConvexHull`, `Delaunay`,
`Voronoi`) have as many simplices or facets as the data decides; made of traced points they
keep their arguments, their fixed-size answers (a hull's `volume` and `area`, a
triangulation's `find_simplex`) run on the host, and the rest is refused by name before
Qhull's Cython reads a traced value (it crashed the process). `griddata` and the
interpolants `LinearNDInterpolator`, `NearestNDInterpolator`, `CloughTocher2DInterpolator`
give one value per query point: SciPy triangulates and evaluates on the host.
"""

from __future__ import annotations

import numpy as np

from .. import errors, host_ops, lax
from .scipy_host import _named, host
from .scipy_made import made_getattr, made_init, made_method

# Qhull's Cython reads its points' memory: given a traced value it crashed the process.
# The number of simplices, facets or regions is the data's: refused by name.
QHULL = ("ConvexHull", "Delaunay", "Voronoi", "HalfspaceIntersection")


def _kd_query(data, x, kind: type, options: dict, k, eps, p, distance_upper_bound):
    """A k-d tree's query, for the host call: SciPy builds the tree and queries it."""
    return kind(data, **options).query(x, k=k, eps=eps, p=p,
                                       distance_upper_bound=distance_upper_bound)


def _kd_count(data, other, kind: type, options: dict, r, p):
    return kind(data, **options).count_neighbors(kind(other, **options), r, p=p)


class TracedKDTree:
    """`cKDTree(points)`/`KDTree(points)` made while tracing: its `query` (fixed `k`) and
    `count_neighbors` run on the host, SciPy building the tree and querying it when the
    compiled function runs (a constant tree of constant points too: its queries of traced
    points are no Cython call on a traced value). Queries whose result's size is the data's
    (`query_ball_point`, `query_pairs`) are refused by name for traced points."""

    def __init__(self, kind: type, data, options: dict):
        self._kind, self._options = kind, options
        self.data = lax.lift(data)
        self.n, self.m = self.data.shape

    def query(self, x, k=1, eps=0, p=2, distance_upper_bound=np.inf, workers=1):
        return host(_kd_query, f"scipy.spatial.{self._kind.__name__}.query",
                    (self.data, x, self._kind, self._options, k, eps, p, distance_upper_bound),
                    {}, typical=True)

    def count_neighbors(self, other, r, p=2.0, weights=None, cumulative=True):
        if weights is not None or not cumulative:
            raise errors.unsupported("count_neighbors with weights or cumulative=False of "
                                     "traced points")
        return host(_kd_count, f"scipy.spatial.{self._kind.__name__}.count_neighbors",
                    (self.data, other.data, self._kind, self._options, r, p), {},
                    typical=True)

    def __getattr__(self, name: str):
        known = self.__dict__["data"].constant_value()
        if known is not None:  # constant points: SciPy's own tree answers
            return getattr(host_ops.untraced(lambda: self._kind(known, **self._options)),
                           name)
        raise errors.data_dependent(f"{self._kind.__name__}.{name} of traced points",
                                    "query with a fixed k (tree.query(x, k=...))")


def _kd_tree_type(kind: type) -> type:
    """`kind` (SciPy's `cKDTree` or `KDTree`) while tracing: made of points, a
    `TracedKDTree`; `isinstance` still recognizes SciPy's trees."""

    class Meta(type):
        def __call__(cls, data, leafsize=16, **options):
            return TracedKDTree(kind, data, {"leafsize": leafsize, **options})

        def __instancecheck__(cls, obj) -> bool:
            return isinstance(obj, (kind, TracedKDTree))

    return Meta(kind.__name__, (), {"__doc__": kind.__doc__})


# ------------------------------------------------------------- Qhull and scattered data

# Per Qhull structure, its attributes whose size the data does not decide, and its methods
QHULL_FIXED = {"ConvexHull": ("volume", "area")}
QHULL_METHODS = {"Delaunay": ("find_simplex", "plane_distance", "lift_points")}
SCATTERED = ("LinearNDInterpolator", "NearestNDInterpolator", "CloughTocher2DInterpolator",
             "RegularGridInterpolator")  # (the last of a grid: its Cython reads the values)


def _griddata(griddata):
    def route(points, values, xi, method="linear", fill_value=np.nan, rescale=False):
        if not lax.holds_tracer((points, values, xi, fill_value)):
            return griddata(points, values, xi, method, fill_value, rescale)
        return host(griddata, "scipy.interpolate.griddata", (points, values, xi),
                    {"method": method, "fill_value": fill_value, "rescale": rescale},
                    typical=True)

    return _named(route, griddata)


def spatial_routes() -> list:
    """Qhull's structures and k-d trees made of traced points."""
    import scipy.spatial as spatial
    from scipy.spatial import _qhull

    routes = []
    for kind in [getattr(_qhull, name) for name in QHULL]:
        label = f"scipy.spatial.{kind.__name__}"
        routes.append((kind, {
            "__init__": made_init(vars(kind)["__init__"], kind.__name__),
            "__getattr__": made_getattr(kind, label, QHULL_FIXED.get(kind.__name__, ()),
                                        "compute it from constant points, or pass "
                                        "fallback=True"),
            **{m: made_method(vars(kind)[m], f"{label}.{m}")
               for m in QHULL_METHODS.get(kind.__name__, ())}}))
    return [*routes,
            (spatial, {name: _kd_tree_type(getattr(spatial, name))
                       for name in ("cKDTree", "KDTree")})]


def interpolate_routes() -> list:
    """`griddata` and the scattered-data interpolants of traced points, values or queries."""
    import scipy.interpolate as interpolate

    kinds = [getattr(interpolate, name) for name in SCATTERED]
    return [(interpolate, {"griddata": _griddata(interpolate.griddata)}),
            *((kind, {"__init__": made_init(vars(kind)["__init__"], kind.__name__),
                      "__call__": made_method(kind.__call__,
                                               f"scipy.interpolate.{kind.__name__}")})
              for kind in kinds)]
