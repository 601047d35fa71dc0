"""Corpus, hunt BB: spatial statistics and geostatistics as course notebooks, GIS scripts and
PySAL/scikit-gstat/pykrige-free reimplementations write them.

Variography (empirical semivariograms from `scipy.spatial.distance.pdist`, from `cdist` and
`squareform`, from broadcast differences over `np.triu_indices`, binned by `np.digitize` with
bin sums by `np.bincount`, by `np.histogram` with `weights=`, by lag classes from floor
division, by masks in a loop over lag centres with a tolerance; Cressie-Hawkins and Dowd's
robust estimators, directional variograms by `arctan2` and an angular tolerance, cross-
variograms, variogram clouds into a dict, covariograms and correlograms, Marcotte's FFT
variogram map by `np.fft.fft2` with zero padding; spherical models by `np.where`, by a mask
written in place and by `np.piecewise`, stable, hole-effect by `np.sinc`, power, nested,
Matern by `scipy.special.kv` and `gamma` with the zero lag by `np.where` and with a broadcast
smoothness; fits of sill and nugget by `lstsq` over a grid of ranges, brute-force grids by
`unravel_index`), kriging and simulation (ordinary kriging at one point with the system
written into `np.ones`, by `np.block` and by `np.vstack`/`np.hstack`, at many targets in one
`solve`, at grid nodes by a loop over `inv`, by `lstsq`, simple kriging by
`scipy.linalg.cho_factor`, universal kriging with a linear drift by `scipy.linalg.solve`,
leave-one-out cross-validation by `np.delete`, indicator kriging with order relations by
`np.maximum.accumulate`, block kriging by discretisation, regression kriging, a float32
system; Cholesky simulation from a generator argument, Gaussian random fields by FFT),
interpolation (inverse-distance weighting with exact hits by `np.where`, a distance floor, a
mask write, a loop over targets, k nearest by `argsort` + `take_along_axis` and by
`argpartition`, Shepard's search radius; nearest neighbours and Thiessen allocation of a
`np.meshgrid` by `argmin`; Gaussian, quartic (with a `None` default), adaptive and float32
kernel density grids; Scott's and Silverman's bandwidths with Python `min`), spatial
autocorrelation and regression (weights by k nearest from `argsort` and `argpartition`,
distance bands with islands, inverse distances, rook and queen lattices by loops; Moran's I
by quadratic forms and by double loops, its normal-theory moments with `scipy.stats.norm.sf`,
Geary's C, Getis-Ord Gi*, join counts of a bool variable, LISA quadrants by `np.select`,
permutation tests from a generator argument by `rng.permutation` loops and by `argsort` of
uniform draws with `einsum`, seeded inside, conditional permutations, Moran scatterplot
slopes by `np.polyfit`, correlograms over bands, raster Moran's I by shifted slices, spatial
lags of padded neighbour lists; geographically weighted regression by a loop of solves and
by a stacked `solve`, the spatial lag model's likelihood with complex `eigvals`), point
patterns (Ripley's K and L naive, with border and translation corrections, Clark-Evans, G
functions, quadrat counts by `np.histogram2d` with the chi-square VMR test, pair correlation
by an Epanechnikov kernel, CSR envelopes from a generator, reflexive nearest neighbours),
geometry (shoelace areas by `np.roll`, closed-ring slices, a batch of polygons and flat rings
by `np.add.reduceat`; centroids; ray-casting point-in-polygon by a loop over edges with
`^=` and by broadcasting; winding numbers; haversine with `map(np.radians, ...)`, pairwise
by `arctan2`, law of cosines, Vincenty on a sphere; bearings, destinations and midpoints;
track lengths; point-to-segment and point-to-polyline distances; GDAL geotransforms; points
as complex numbers; standard deviational ellipses by `np.cov(aweights=)` and `eigh`),
rasters (focal statistics by `sliding_window_view` of padded grids and by shifted slices,
majority filters, slope and aspect by `np.gradient` and by Horn's method, hillshades to
uint8, TRI and TPI, D8 flow directions, zonal statistics by `np.bincount`, `np.minimum.at`/
`np.maximum.at`, loops over zone ids and a combined-code crosstab, reclassification by
`np.digitize` to uint8 and by an int16 lookup table, NDVI of uint16 bands raw (wrapping
around), in float32 and by `np.divide(out=, where=)`, 2-98 % stretches, block aggregation by
reshape, upsampling by `np.kron`, NaN-aware gap filling, bilinear sampling at points,
rasterising points by `np.add.at`) and trend surfaces (design matrices by hand with `lstsq`,
`polyvander2d`/`polyval2d`, normal equations with standard errors, `np.polyfit` and
`Polynomial.fit` on transects, Legendre surfaces).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and
dtype, and in the arguments it writes in place. Lag counts, neighbour counts, permutation
counts and seeds, window sizes, grid resolutions, polynomial orders, aggregation factors
and discretisations given positionally are made static; the forms whose Python or shapes
depend on array values (lags from `np.unique`, pairs within a range returned, search
neighbourhoods by `np.where`, an `if` on an exact hit, permutation counts by `if`, a
tolerance loop, zones over `np.unique`, the points inside a polygon, a monotone-chain hull,
neighbour lists, hot-spot indices, a track resampled by `np.arange` to its length) raise a
named error and run eagerly under `fallback=True`.

(`cKDTree` queries, `griddata`, `generic_filter`, `label`, `np.ma.array` of traced values and
a masked array indexed by a traced mask and reduced were strict xfails until they traced.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.interpolate
import scipy.linalg
import scipy.ndimage
import scipy.special
import scipy.stats
from numpy.lib.stride_tricks import sliding_window_view
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist, pdist, squareform
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _pts(seed, n, size=100.0):
    return np.random.default_rng(seed).uniform(0, size, (n, 2))


def _field(coords, seed):
    # a smooth trend plus noise, the usual synthetic "elevation" or "porosity" sample
    r = np.random.default_rng(seed + 100)
    x, y = coords[:, 0], coords[:, 1]
    return 10 + 0.05 * x - 0.03 * y + np.sin(x / 15) + 0.3 * r.standard_normal(len(x))


def _sample(seed, n):
    c = _pts(seed, n)
    return c, _field(c, seed)


def _dem(seed, r, c):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:r, 0:c]
    return (100 + 3 * x + 2 * y + 5 * np.sin(x / 2.0) * np.cos(y / 3.0)
            + rng.standard_normal((r, c)))


def _lonlat(seed, n):
    r = np.random.default_rng(seed)
    return r.uniform(-120, 120, n), r.uniform(-60, 60, n)


# ============================================================================ variography


def semivariogram_pdist_digitize(coords, values, n_lags=8, max_lag=80.0):
    # the scikit-gstat recipe: condensed distances and half squared differences, binned by
    # np.digitize and averaged with np.bincount
    d = pdist(coords)
    g = 0.5 * pdist(values.reshape(-1, 1), metric="sqeuclidean")
    edges = np.linspace(0, max_lag, n_lags + 1)
    idx = np.digitize(d, edges) - 1
    idx = np.where(d >= max_lag, n_lags, idx)
    counts = np.bincount(idx, minlength=n_lags + 1)[:n_lags]
    sums = np.bincount(idx, weights=g, minlength=n_lags + 1)[:n_lags]
    gamma = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    centers = (edges[:-1] + edges[1:]) / 2
    return centers, gamma, counts


def semivariogram_triu_histogram(x, y, z, bins):
    # the course notebook: full matrices by broadcasting, the upper triangle, np.histogram
    dx = x[:, None] - x[None, :]
    dy = y[:, None] - y[None, :]
    h = np.sqrt(dx ** 2 + dy ** 2)
    sq = (z[:, None] - z[None, :]) ** 2
    i, j = np.triu_indices(len(z), k=1)
    h, sq = h[i, j], sq[i, j]
    counts, _ = np.histogram(h, bins=bins)
    sums, _ = np.histogram(h, bins=bins, weights=sq)
    gamma = sums / (2.0 * np.maximum(counts, 1))
    return 0.5 * (bins[1:] + bins[:-1]), gamma, counts


def semivariogram_lag_classes(coords, z, lag=10.0, n_lags=6):
    # lag classes by floor division of a squareform matrix, pairs counted once by i < j
    D = squareform(pdist(coords))
    n = len(z)
    upper = np.triu(np.ones((n, n), dtype=bool), k=1)
    cls = np.floor(D / lag).astype(int)
    cls = np.minimum(cls, n_lags)
    G = 0.5 * (z[:, None] - z[None, :]) ** 2
    gamma = np.zeros(n_lags)
    npairs = np.zeros(n_lags, dtype=int)
    for k in range(n_lags):
        m = upper & (cls == k)
        npairs[k] = m.sum()
        gamma[k] = G[m].sum() / max(npairs[k], 1)
    return gamma, npairs


def semivariogram_tolerance_loop(coords, z, lags, tol):
    # Matheron's estimator at lag centres with a tolerance, one mask per lag
    h = cdist(coords, coords)
    sq = (z[:, None] - z[None, :]) ** 2
    gam = np.empty(len(lags))
    for k, lag in enumerate(lags):
        m = (np.abs(h - lag) <= tol) & (h > 0)
        gam[k] = 0.5 * np.mean(sq[m])
    return gam


def cressie_hawkins(coords, z, edges):
    # the robust estimator: fourth power of the mean root absolute difference
    d = pdist(coords)
    dz = pdist(z[:, None], "cityblock")
    n_lags = len(edges) - 1
    idx = np.clip(np.searchsorted(edges, d, side="right") - 1, 0, n_lags - 1)
    N = np.bincount(idx, minlength=n_lags)
    m = np.bincount(idx, weights=np.sqrt(dz), minlength=n_lags) / N
    return 0.5 * m ** 4 / (0.457 + 0.494 / N)


def dowd_estimator(coords, z, edges):
    # Dowd's median-based estimator per lag by a loop over masks
    d = pdist(coords)
    dz = pdist(z[:, None])
    out = np.zeros(len(edges) - 1)
    for k in range(len(edges) - 1):
        m = (d >= edges[k]) & (d < edges[k + 1])
        out[k] = 2.198 * np.median(dz[m]) ** 2 / 2
    return out


def directional_variogram(coords, z, azimuth_deg, edges, tol_deg=22.5):
    # pairs whose direction is within a tolerance of the azimuth (axial: both ways)
    dx = coords[:, 0][None, :] - coords[:, 0][:, None]
    dy = coords[:, 1][None, :] - coords[:, 1][:, None]
    h = np.hypot(dx, dy)
    ang = np.degrees(np.arctan2(dx, dy)) % 180.0
    diff = np.abs(ang - azimuth_deg % 180.0)
    diff = np.minimum(diff, 180.0 - diff)
    ok = (diff <= tol_deg) & (h > 0)
    sq = 0.5 * (z[None, :] - z[:, None]) ** 2
    gam, cnt = [], []
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = ok & (h >= lo) & (h < hi)
        cnt.append(m.sum() // 2)
        gam.append(np.sum(sq[m]) / max(m.sum(), 1))
    return np.array(gam), np.array(cnt)


def cross_variogram(coords, u, v, edges):
    # the cross-semivariogram of two co-located variables
    d = pdist(coords)
    du = (u[:, None] - u[None, :])[np.triu_indices(len(u), 1)]
    dv = (v[:, None] - v[None, :])[np.triu_indices(len(v), 1)]
    counts, _ = np.histogram(d, edges)
    s, _ = np.histogram(d, edges, weights=du * dv)
    return 0.5 * s / counts


def variogram_cloud(coords, z):
    # the cloud into a dict, as a plotting notebook keeps it
    iu = np.triu_indices(len(z), k=1)
    D = np.sqrt(((coords[:, None, :] - coords[None, :, :]) ** 2).sum(-1))
    G = 0.5 * np.subtract.outer(z, z) ** 2
    return {"lag": D[iu], "gamma": G[iu], "max_lag": D[iu].max() / 2}


def covariogram_correlogram(coords, z, edges):
    # covariance and correlation per lag class from the centred products
    zc = z - z.mean()
    d = pdist(coords)
    i, j = np.triu_indices(len(z), 1)
    prod = zc[i] * zc[j]
    idx = np.digitize(d, edges[1:-1])
    n = np.bincount(idx, minlength=len(edges) - 1)
    cov = np.bincount(idx, weights=prod, minlength=len(edges) - 1) / np.maximum(n, 1)
    return cov, cov / z.var()


def spherical_where(h, nugget, sill, a):
    g = np.where(h <= a, nugget + (sill - nugget) * (1.5 * h / a - 0.5 * (h / a) ** 3), sill)
    return np.where(h == 0, 0.0, g)


def spherical_mask_write(h, c0, c, a):
    # pykrige's style: start at the sill, overwrite the lags inside the range
    h = np.asarray(h, dtype=float)
    gamma = np.full_like(h, c0 + c)
    inside = h < a
    hr = h[inside] / a
    gamma[inside] = c0 + c * (1.5 * hr - 0.5 * hr ** 3)
    gamma[h == 0] = 0.0
    return gamma


def spherical_piecewise(h, sill, a):
    return np.piecewise(h, [h <= a, h > a],
                        [lambda x: sill * (1.5 * x / a - 0.5 * (x / a) ** 3), sill])


def stable_power_hole(h, sill, a, s=1.5):
    stable = sill * (1 - np.exp(-(h / a) ** s))
    power = 0.02 * h ** 1.3
    hole = sill * (1 - np.sinc(h / a))
    return stable, power, hole


def nested_model(h, c0, c1, a1, c2, a2):
    # nugget + short spherical + long exponential, as fitted structures are stacked
    sph = np.where(h < a1, 1.5 * h / a1 - 0.5 * (h / a1) ** 3, 1.0)
    exp = 1 - np.exp(-h / a2)
    return np.where(h > 0, c0 + c1 * sph + c2 * exp, 0.0)


def matern_kv(h, sill, rng, nu, nugget=0.0):
    # the Matern covariance by the modified Bessel function, the zero lag by np.where
    h = np.asarray(h, dtype=float)
    r = np.sqrt(2 * nu) * h / rng
    r_safe = np.where(r > 0, r, 1.0)
    corr = (2 ** (1 - nu) / scipy.special.gamma(nu)) * r_safe ** nu * scipy.special.kv(nu, r_safe)
    corr = np.where(r > 0, corr, 1.0)
    return nugget + sill * (1 - corr)


def matern_cov_matrix(coords, sigma2, length, nu=1.5):
    # the GP course's Matern covariance matrix, the diagonal set afterwards
    D = cdist(coords, coords)
    r = np.sqrt(2 * nu) * D / length
    with np.errstate(invalid="ignore"):
        K = sigma2 * 2 ** (1 - nu) / scipy.special.gamma(nu) * r ** nu * scipy.special.kv(nu, r)
    np.fill_diagonal(K, sigma2)
    return K


def fit_sill_nugget_grid(lags, gamma, counts, ranges):
    # for each candidate range: nugget and sill by weighted least squares, best by argmin
    sse = np.empty(len(ranges))
    params = np.empty((len(ranges), 2))
    w = np.sqrt(counts)
    for k, a in enumerate(ranges):
        f = np.where(lags < a, 1.5 * lags / a - 0.5 * (lags / a) ** 3, 1.0)
        A = np.column_stack([np.ones_like(lags), f]) * w[:, None]
        coef, res, rank, sv = np.linalg.lstsq(A, gamma * w, rcond=None)
        params[k] = coef
        sse[k] = np.sum((A @ coef - gamma * w) ** 2)
    best = np.argmin(sse)
    return ranges[best], params[best], sse


def fit_exponential_grid_broadcast(lags, gamma, ranges, sills):
    # brute-force grid over range and sill by broadcasting
    model = sills[None, :, None] * (1 - np.exp(-3 * lags[None, None, :] / ranges[:, None, None]))
    err = ((model - gamma) ** 2).sum(axis=-1)
    i, j = np.unravel_index(np.argmin(err), err.shape)
    return ranges[i], sills[j], err.min()


def fft_variogram_grid(Z, mask):
    # Marcotte's FFT variogram map of a gridded sample with gaps, pairs counted by FFT too
    n, m = Z.shape
    p, q = 2 * n - 1, 2 * m - 1
    Zm = Z * mask
    Zf = np.fft.fft2(Zm, s=(p, q))
    Mf = np.fft.fft2(mask, s=(p, q))
    Z2f = np.fft.fft2(Zm * Z, s=(p, q))
    npairs = np.round(np.real(np.fft.ifft2(np.conj(Mf) * Mf)))
    g = np.real(np.fft.ifft2(np.conj(Mf) * Z2f + np.conj(Z2f) * Mf - 2 * np.conj(Zf) * Zf))
    g = g / np.maximum(npairs, 1) / 2
    return np.fft.fftshift(g), np.fft.fftshift(npairs).astype(int)


def matern_family_kv(h, nus, a):
    # a family of Matern correlations, one row per smoothness, by broadcasting nu
    r = np.maximum(h[None, :], 1e-9) / a
    nu = nus[:, None]
    return 2 ** (1 - nu) / scipy.special.gamma(nu) * r ** nu * scipy.special.kv(nu, r)


def _lags(seed, n):
    lags = np.linspace(5, 60, n + 2)
    g = spherical_where(lags, 0.1, 1.0, 35.0) + 0.05 * _f(n + 2, seed=seed)
    return lags, g


VARIOGRAPHY = {
    "semivariogram_pdist_digitize_bincount": (semivariogram_pdist_digitize, {}, lambda s, n: (
        _sample(s, 5 * n))),
    "semivariogram_triu_indices_histogram": (semivariogram_triu_histogram, {}, lambda s, n: (
        *_pts(s, 5 * n).T, _field(_pts(s, 5 * n), s), np.linspace(0, 90, 7))),
    "semivariogram_floor_lag_classes": (semivariogram_lag_classes, {}, lambda s, n: (
        _sample(s, 4 * n))),
    "semivariogram_tolerance_masks": (semivariogram_tolerance_loop, {}, lambda s, n: (
        *_sample(s, 5 * n), np.array([10.0, 20.0, 30.0, 40.0]), 5.0)),
    "cressie_hawkins_searchsorted": (cressie_hawkins, {}, lambda s, n: (
        *_sample(s, 6 * n), np.array([0.0, 20, 40, 60, 80, 200]))),
    "dowd_median_per_lag": (dowd_estimator, {}, lambda s, n: (
        *_sample(s, 6 * n), np.array([0.0, 25, 50, 75, 200]))),
    "directional_variogram_arctan2": (directional_variogram, {}, lambda s, n: (
        *_sample(s, 5 * n), 45.0, np.array([0.0, 20, 40, 60, 150]))),
    "cross_variogram_histogram": (cross_variogram, {}, lambda s, n: (
        _pts(s, 5 * n), _field(_pts(s, 5 * n), s), _field(_pts(s, 5 * n), s + 1),
        np.array([0.0, 30, 60, 150]))),
    "variogram_cloud_dict": (variogram_cloud, {}, lambda s, n: _sample(s, 3 * n)),
    "covariogram_correlogram": (covariogram_correlogram, {}, lambda s, n: (
        *_sample(s, 5 * n), np.array([0.0, 20, 40, 60, 200]))),
    "spherical_np_where": (spherical_where, {}, lambda s, n: (
        np.r_[0.0, _u(s, 3 * n) * 80], 0.1, 1.2, 40.0)),
    "spherical_mask_write_selection": (spherical_mask_write, {}, lambda s, n: (
        np.r_[0.0, _u(s, 3 * n) * 80], 0.1, 1.1, 40.0)),
    "spherical_np_piecewise": (spherical_piecewise, {}, lambda s, n: (
        _u(s, 3 * n) * 80, 1.1, 40.0)),
    "stable_power_hole_sinc": (stable_power_hole, {}, lambda s, n: (
        _u(s, 3 * n) * 80, 1.1, 30.0)),
    "nested_spherical_exponential": (nested_model, {}, lambda s, n: (
        np.r_[0.0, _u(s, 3 * n) * 80], 0.1, 0.5, 15.0, 0.6, 50.0)),
    "matern_kv_gamma": (matern_kv, {}, lambda s, n: (
        np.r_[0.0, _u(s, 3 * n) * 80], 1.1, 30.0, 1.5)),
    "matern_cov_matrix_fill_diagonal": (matern_cov_matrix, {}, lambda s, n: (
        _pts(s, 2 * n), 1.3, 25.0)),
    "fit_sill_nugget_lstsq_grid": (fit_sill_nugget_grid, {}, lambda s, n: (
        *_lags(s, n), np.arange(n + 2) + 10.0, np.array([20.0, 30.0, 35.0, 40.0, 50.0]))),
    "fit_exponential_unravel_index": (fit_exponential_grid_broadcast, {}, lambda s, n: (
        *_lags(s, n), np.linspace(20, 60, 5), np.linspace(0.8, 1.4, 4))),
    "fft_variogram_map_complex": (fft_variogram_grid, {}, lambda s, n: (
        _dem(s, n, 5), (_u(s, n, 5) > 0.2).astype(float))),
    "matern_family_kv_broadcast_nu": (matern_family_kv, {}, lambda s, n: (
        np.r_[0.0, _u(s, 3 * n) * 80], np.array([0.5, 1.5, 2.5]), 20.0)),
}


@pytest.mark.parametrize("name", _names(VARIOGRAPHY))
def test_variography_matches_numpy(name):
    """Empirical semivariograms by pdist/cdist/squareform/broadcasting, binned by digitize,
    histogram, searchsorted and masks; robust, directional and cross variograms; variogram
    models (spherical three ways, exponential, Gaussian, stable, hole effect, nested,
    Matern by kv) and fits by lstsq over a grid of ranges."""
    check_like_numpy(*VARIOGRAPHY[name])


# ================================================================================= kriging


def _sph(h, sill=1.0, a=40.0, nugget=0.0):
    return np.where(h == 0, 0.0,
                    nugget + (sill - nugget) * np.where(h < a, 1.5 * h / a - 0.5 * (h / a) ** 3,
                                                        1.0))


def ok_point_ones(coords, z, x0, sill, a):
    # ordinary kriging at one point: the system written into np.ones, solved, the variance
    n = len(z)
    A = np.ones((n + 1, n + 1))
    A[:n, :n] = _sph(cdist(coords, coords), sill, a)
    A[n, n] = 0.0
    b = np.ones(n + 1)
    b[:n] = _sph(np.linalg.norm(coords - x0, axis=1), sill, a)
    w = np.linalg.solve(A, b)
    est = np.dot(w[:n], z)
    var = np.dot(w, b)
    return est, var, w[:n].sum()


def ok_point_block(coords, z, x0, sill, a):
    # the same system by np.block, the Lagrange multiplier kept
    n = len(z)
    G = _sph(squareform(pdist(coords)), sill, a)
    A = np.block([[G, np.ones((n, 1))], [np.ones((1, n)), np.zeros((1, 1))]])
    g0 = _sph(np.sqrt(((coords - x0) ** 2).sum(axis=1)), sill, a)
    b = np.append(g0, 1.0)
    sol = np.linalg.solve(A, b)
    lam, mu = sol[:-1], sol[-1]
    return lam @ z, lam @ g0 + mu


def ok_point_vstack(coords, z, x0, sill, a):
    n = len(z)
    G = _sph(cdist(coords, coords), sill, a)
    top = np.hstack([G, np.ones((n, 1))])
    bottom = np.hstack([np.ones(n), [0.0]])
    A = np.vstack([top, bottom])
    b = np.concatenate([_sph(cdist(coords, x0[None, :]).ravel(), sill, a), [1.0]])
    w = np.linalg.solve(A, b)
    return {"estimate": w[:n] @ z, "variance": w @ b, "weights": w[:n]}


def ok_many_targets(coords, z, targets, sill, a, nugget):
    # one solve for all targets: the right-hand sides as columns
    n = len(z)
    A = np.zeros((n + 1, n + 1))
    A[:n, :n] = _sph(cdist(coords, coords), sill, a, nugget)
    A[:n, n] = 1.0
    A[n, :n] = 1.0
    B = np.ones((n + 1, len(targets)))
    B[:n] = _sph(cdist(coords, targets), sill, a, nugget)
    W = np.linalg.solve(A, B)
    est = z @ W[:n]
    var = np.sum(W * B, axis=0)
    return est, var


def ok_grid_loop(coords, z, gx, gy, sill, a):
    # a loop over the grid nodes, the system assembled once
    n = len(z)
    A = np.ones((n + 1, n + 1))
    A[:n, :n] = _sph(cdist(coords, coords), sill, a)
    A[-1, -1] = 0
    Ainv = np.linalg.inv(A)
    XX, YY = np.meshgrid(gx, gy)
    est = np.zeros(XX.shape)
    var = np.zeros(XX.shape)
    for i in range(XX.shape[0]):
        for j in range(XX.shape[1]):
            d = np.hypot(coords[:, 0] - XX[i, j], coords[:, 1] - YY[i, j])
            b = np.r_[_sph(d, sill, a), 1.0]
            w = Ainv @ b
            est[i, j] = w[:-1] @ z
            var[i, j] = w @ b
    return est, var


def ok_lstsq(coords, z, targets, sill, a):
    n = len(z)
    A = np.ones((n + 1, n + 1))
    A[:n, :n] = _sph(cdist(coords, coords), sill, a)
    A[n, n] = 0
    B = np.vstack([_sph(cdist(coords, targets), sill, a), np.ones(len(targets))])
    W = np.linalg.lstsq(A, B, rcond=None)[0]
    return W[:n].T @ z


def simple_kriging_cholesky(coords, z, targets, mean, sill, a):
    # simple kriging with covariances, factored once by scipy.linalg.cho_factor
    C = sill - _sph(cdist(coords, coords), sill, a)
    C[np.diag_indices_from(C)] += 1e-10
    c0 = sill - _sph(cdist(coords, targets), sill, a)
    cf = scipy.linalg.cho_factor(C, lower=True)
    W = scipy.linalg.cho_solve(cf, c0)
    est = mean + W.T @ (z - mean)
    var = sill - np.einsum("ij,ij->j", W, c0)
    return est, var


def universal_kriging_linear_drift(coords, z, targets, sill, a):
    # drift terms 1, x, y: the system grows by three rows and columns
    n = len(z)
    F = np.column_stack([np.ones(n), coords])
    G = _sph(cdist(coords, coords), sill, a)
    A = np.block([[G, F], [F.T, np.zeros((3, 3))]])
    F0 = np.column_stack([np.ones(len(targets)), targets])
    B = np.vstack([_sph(cdist(coords, targets), sill, a), F0.T])
    W = scipy.linalg.solve(A, B)
    return W[:n].T @ z, np.sum(W * B, axis=0)


def loo_cross_validation(coords, z, sill, a):
    # leave-one-out by np.delete in a loop, errors and standardised errors
    n = len(z)
    err = np.zeros(n)
    zs = np.zeros(n)
    for i in range(n):
        c = np.delete(coords, i, axis=0)
        v = np.delete(z, i)
        A = np.ones((n, n))
        A[:-1, :-1] = _sph(cdist(c, c), sill, a)
        A[-1, -1] = 0
        b = np.ones(n)
        b[:-1] = _sph(np.linalg.norm(c - coords[i], axis=1), sill, a)
        w = np.linalg.solve(A, b)
        est = w[:-1] @ v
        err[i] = est - z[i]
        zs[i] = err[i] / np.sqrt(max(w @ b, 1e-12))
    return {"ME": err.mean(), "RMSE": np.sqrt(np.mean(err ** 2)), "MSDR": np.mean(zs ** 2)}


def indicator_kriging(coords, z, targets, thresholds, a):
    # the indicator transform per threshold and an ordinary kriging per indicator
    I = (z[:, None] <= thresholds[None, :]).astype(float)
    n = len(z)
    A = np.ones((n + 1, n + 1))
    A[:n, :n] = _sph(cdist(coords, coords), 0.25, a)
    A[n, n] = 0
    B = np.ones((n + 1, len(targets)))
    B[:n] = _sph(cdist(coords, targets), 0.25, a)
    W = np.linalg.solve(A, B)[:n]
    ccdf = np.clip(W.T @ I, 0, 1)
    ccdf = np.maximum.accumulate(ccdf, axis=1)
    return ccdf


def block_kriging(coords, z, block_center, block_size, sill, a, nd=3):
    # point-to-block averages over an nd x nd discretisation of the block
    off = (np.arange(nd) + 0.5) / nd - 0.5
    dx, dy = np.meshgrid(off * block_size, off * block_size)
    disc = np.column_stack([dx.ravel(), dy.ravel()]) + block_center
    n = len(z)
    A = np.ones((n + 1, n + 1))
    A[:n, :n] = _sph(cdist(coords, coords), sill, a)
    A[n, n] = 0
    gbar = _sph(cdist(coords, disc), sill, a).mean(axis=1)
    gbb = _sph(cdist(disc, disc), sill, a).mean()
    b = np.append(gbar, 1)
    w = np.linalg.solve(A, b)
    return w[:n] @ z, w @ b - gbb


def regression_kriging(coords, z, targets, sill, a):
    # a linear trend by lstsq, simple kriging of the residuals, the trend added back
    X = np.c_[np.ones(len(z)), coords]
    beta = np.linalg.lstsq(X, z, rcond=None)[0]
    resid = z - X @ beta
    C = sill - _sph(cdist(coords, coords), sill, a)
    c0 = sill - _sph(cdist(coords, targets), sill, a)
    w = np.linalg.solve(C + 1e-9 * np.eye(len(z)), c0)
    Xt = np.c_[np.ones(len(targets)), targets]
    return Xt @ beta + w.T @ resid


def kriging_float32_inputs(coords, z, x0):
    # coordinates stored as float32 in a shapefile, the system promoted by cdist
    n = len(z)
    A = np.ones((n + 1, n + 1), dtype=np.float32)
    A[:n, :n] = _sph(cdist(coords, coords))
    A[n, n] = 0
    b = np.ones(n + 1, dtype=np.float32)
    b[:n] = _sph(np.linalg.norm(coords - x0, axis=1))
    w = np.linalg.solve(A, b)
    return w[:n] @ z, w.dtype


def cholesky_unconditional_simulation(coords, rng, n_real=3, sill=1.0, a=40.0):
    # LU (Cholesky) simulation of Gaussian fields at the sample points
    C = sill - _sph(cdist(coords, coords), sill, a)
    L = np.linalg.cholesky(C + 1e-8 * np.eye(len(coords)))
    return L @ rng.standard_normal((len(coords), n_real))


def gaussian_random_field_fft(noise, length_scale):
    # spectral simulation: white noise filtered by a Gaussian spectrum on fftfreq grids
    n, m = noise.shape
    KX, KY = np.meshgrid(np.fft.fftfreq(m), np.fft.fftfreq(n))
    spec = np.exp(-2 * (np.pi * length_scale) ** 2 * (KX ** 2 + KY ** 2))
    field = np.fft.ifft2(np.fft.fft2(noise) * np.sqrt(spec)).real
    return (field - field.mean()) / field.std()


def _targets(seed, m):
    return np.random.default_rng(seed + 50).uniform(10, 90, (m, 2))


KRIGING = {
    "ok_point_system_in_ones": (ok_point_ones, {}, lambda s, n: (
        *_sample(s, 2 * n), np.array([50.0, 40.0]), 1.2, 45.0)),
    "ok_point_np_block": (ok_point_block, {}, lambda s, n: (
        *_sample(s, 2 * n), np.array([30.0, 60.0]), 1.2, 45.0)),
    "ok_point_vstack_hstack_dict": (ok_point_vstack, {}, lambda s, n: (
        *_sample(s, 2 * n), np.array([30.0, 60.0]), 1.2, 45.0)),
    "ok_many_targets_one_solve": (ok_many_targets, {}, lambda s, n: (
        *_sample(s, 2 * n), _targets(s, n), 1.2, 45.0, 0.05)),
    "ok_grid_loop_inverse": (ok_grid_loop, {}, lambda s, n: (
        *_sample(s, 8), np.linspace(10, 90, n - 1), np.linspace(10, 90, 3), 1.0, 50.0)),
    "ok_lstsq_columns": (ok_lstsq, {}, lambda s, n: (
        *_sample(s, 2 * n), _targets(s, n), 1.2, 45.0)),
    "simple_kriging_cho_factor": (simple_kriging_cholesky, {}, lambda s, n: (
        *_sample(s, 2 * n), _targets(s, n), 10.0, 1.2, 60.0)),
    "universal_kriging_linear_drift": (universal_kriging_linear_drift, {}, lambda s, n: (
        *_sample(s, 2 * n), _targets(s, n), 1.2, 45.0)),
    "loo_cross_validation_np_delete": (loo_cross_validation, {}, lambda s, n: (
        *_sample(s, n), 1.2, 45.0)),
    "indicator_kriging_maximum_accumulate": (indicator_kriging, {}, lambda s, n: (
        *_sample(s, 2 * n), _targets(s, n), np.array([9.0, 10.0, 11.0]), 45.0)),
    "block_kriging_discretised": (block_kriging, {}, lambda s, n: (
        *_sample(s, 2 * n), np.array([50.0, 50.0]), 10.0, 1.2, 45.0)),
    "regression_kriging_residuals": (regression_kriging, {}, lambda s, n: (
        *_sample(s, 2 * n), _targets(s, n), 0.3, 40.0)),
    "kriging_float32_system": (kriging_float32_inputs, {}, lambda s, n: (
        _pts(s, 2 * n).astype(np.float32), _field(_pts(s, 2 * n), s).astype(np.float32),
        np.array([50.0, 50.0], dtype=np.float32))),
    "cholesky_simulation_generator": (cholesky_unconditional_simulation, {}, lambda s, n: (
        _pts(s, 3 * n), np.random.default_rng(s))),
    "gaussian_random_field_fft2": (gaussian_random_field_fft, {}, lambda s, n: (
        _f(n + 4, 8, seed=s), 1.5)),
}


@pytest.mark.parametrize("name", _names(KRIGING))
def test_kriging_matches_numpy(name):
    """Ordinary kriging systems by writes, np.block and stacks, solved at points, at many
    targets and over grids, by solve, lstsq, pinv and inv; simple kriging by cho_factor,
    universal kriging, leave-one-out cross-validation, indicator, block and regression
    kriging, and a float32 system."""
    check_like_numpy(*KRIGING[name])


# =========================================================================== interpolation


def idw_where_zero(coords, z, targets, power=2.0):
    # IDW with an exact hit taking the sample's value
    d = cdist(targets, coords)
    with np.errstate(divide="ignore"):
        w = 1.0 / d ** power
    hit = d == 0
    w = np.where(hit.any(axis=1, keepdims=True), hit.astype(float), w)
    return (w @ z) / w.sum(axis=1)


def idw_floor_distance(xs, ys, zs, xi, yi, p=2):
    # the blog post: a tiny floor on the distance, loops-free by broadcasting
    dist = np.sqrt((xi[:, None] - xs[None, :]) ** 2 + (yi[:, None] - ys[None, :]) ** 2)
    dist = np.maximum(dist, 1e-12)
    weights = dist ** -p
    weights /= weights.sum(axis=1, keepdims=True)
    return np.dot(weights, zs)


def idw_mask_write(coords, z, targets, power):
    d = cdist(targets, coords)
    zero = d < 1e-10
    d[zero] = 1e-10
    w = 1 / d ** power
    out = np.sum(w * z, axis=1) / np.sum(w, axis=1)
    return out


def idw_loop_targets(coords, z, targets, power=2):
    # one target at a time, as GIS scripts loop over raster cells
    out = np.empty(len(targets))
    for i, t in enumerate(targets):
        d = np.sqrt(np.sum((coords - t) ** 2, axis=1))
        w = 1 / (d + 1e-12) ** power
        out[i] = np.sum(w * z) / np.sum(w)
    return out


def idw_knn_argsort(coords, z, targets, k=4, power=2):
    d = cdist(targets, coords)
    nn = np.argsort(d, axis=1)[:, :k]
    dk = np.take_along_axis(d, nn, axis=1)
    w = 1.0 / np.maximum(dk, 1e-12) ** power
    return (w * z[nn]).sum(1) / w.sum(1)


def idw_knn_argpartition(coords, z, targets, k=3):
    d = cdist(targets, coords)
    nn = np.argpartition(d, k, axis=1)[:, :k]
    rows = np.arange(len(targets))[:, None]
    w = 1 / d[rows, nn] ** 2
    return np.sum(w * z[nn], axis=1) / np.sum(w, axis=1)


def shepard_search_radius(coords, z, targets, R):
    # Franke-Nielson weights inside a radius; no neighbour gives NaN
    d = np.maximum(cdist(targets, coords), 1e-12)
    w = np.where(d < R, ((R - d) / (R * d)) ** 2, 0.0)
    s = w.sum(axis=1)
    return np.where(s > 0, (w @ z) / np.where(s > 0, s, 1.0), np.nan)


def nearest_neighbour_argmin(coords, z, gx, gy):
    # nearest-neighbour interpolation onto a grid, the grid by meshgrid
    X, Y = np.meshgrid(gx, gy)
    grid = np.column_stack([X.ravel(), Y.ravel()])
    idx = cdist(grid, coords).argmin(axis=1)
    return z[idx].reshape(X.shape), idx.reshape(X.shape)


def thiessen_allocation(coords, gx, gy):
    # Voronoi allocation of grid cells, cell counts per site by bincount
    X, Y = np.meshgrid(gx, gy, indexing="ij")
    d2 = (X[..., None] - coords[:, 0]) ** 2 + (Y[..., None] - coords[:, 1]) ** 2
    owner = np.argmin(d2, axis=-1)
    area = np.bincount(owner.ravel(), minlength=len(coords))
    return owner, area


def kde_gaussian_grid(x, y, gx, gy, bandwidth):
    # the 2-D Gaussian KDE on a grid by broadcasting
    X, Y = np.meshgrid(gx, gy)
    dx = X[..., None] - x
    dy = Y[..., None] - y
    K = np.exp(-0.5 * (dx ** 2 + dy ** 2) / bandwidth ** 2) / (2 * np.pi * bandwidth ** 2)
    return K.sum(axis=-1) / len(x)


def kde_quartic_arcgis(pts, gx, gy, radius, pop=None):
    # ArcGIS's kernel density: the quartic kernel inside a search radius, population weights
    X, Y = np.meshgrid(gx, gy)
    cells = np.stack([X.ravel(), Y.ravel()], axis=1)
    d = cdist(cells, pts)
    if pop is None:
        pop = np.ones(len(pts))
    u = d / radius
    k = np.where(u < 1, 3 / np.pi * pop * (1 - u ** 2) ** 2, 0.0)
    return (k.sum(1) / radius ** 2).reshape(X.shape)


def scott_silverman_bandwidth(x, y):
    # Scott's factor n^(-1/6) for 2-D and Silverman's rule with Python min
    n = len(x)
    sd = np.array([x.std(ddof=1), y.std(ddof=1)])
    scott = sd * n ** (-1 / 6)
    iqr = np.subtract(*np.percentile(x, [75, 25]))
    silverman = 0.9 * min(x.std(ddof=1), iqr / 1.34) * n ** (-0.2)
    return scott, silverman


def kde_adaptive_bandwidth(x, y, gx, gy, h0):
    # Abramson's adaptive bandwidths from a pilot density at the points
    P = np.column_stack([x, y])
    D2 = squareform(pdist(P, "sqeuclidean"))
    pilot = np.exp(-0.5 * D2 / h0 ** 2).sum(1) / (2 * np.pi * h0 ** 2 * len(x))
    g = np.exp(np.mean(np.log(pilot)))
    h = h0 * np.sqrt(g / pilot)
    X, Y = np.meshgrid(gx, gy)
    d2 = (X[..., None] - x) ** 2 + (Y[..., None] - y) ** 2
    return np.sum(np.exp(-0.5 * d2 / h ** 2) / (2 * np.pi * h ** 2), axis=-1) / len(x)


def kde_float32_grid(pts, gx, gy, bw):
    # a float32 pipeline: points and grid in float32, a Python float bandwidth stays weak
    X, Y = np.meshgrid(gx, gy)
    d2 = (X[..., None] - pts[:, 0]) ** 2 + (Y[..., None] - pts[:, 1]) ** 2
    dens = np.exp(-d2 / (2 * bw * bw)).sum(-1)
    return dens / dens.max()


def idw_ckdtree(coords, z, targets, k=4, power=2):
    # the most common IDW of GIS scripts: k nearest neighbours from a cKDTree
    tree = cKDTree(coords)
    d, idx = tree.query(targets, k=k)
    w = 1.0 / np.maximum(d, 1e-12) ** power
    return np.sum(w * z[idx], axis=1) / np.sum(w, axis=1)


def griddata_nearest(coords, z, gx, gy):
    # gridding scattered samples, nearest and linear (a Delaunay triangulation)
    X, Y = np.meshgrid(gx, gy)
    near = scipy.interpolate.griddata(coords, z, (X, Y), method="nearest")
    return near, scipy.interpolate.griddata(coords, z, (X, Y), method="linear", fill_value=0)


INTERP = {
    "idw_exact_hit_where": (idw_where_zero, {}, lambda s, n: (
        *_sample(s, 3 * n), np.vstack([_pts(s, 3 * n)[:2], _targets(s, n)]))),
    "idw_distance_floor_broadcast": (idw_floor_distance, {}, lambda s, n: (
        *_pts(s, 3 * n).T, _field(_pts(s, 3 * n), s), *_targets(s, n).T)),
    "idw_mask_write_zero": (idw_mask_write, {}, lambda s, n: (
        *_sample(s, 3 * n), np.vstack([_pts(s, 3 * n)[1:2], _targets(s, n)]), 2.0)),
    "idw_loop_over_targets": (idw_loop_targets, {}, lambda s, n: (
        *_sample(s, 3 * n), _targets(s, n))),
    "idw_knn_argsort_take_along": (idw_knn_argsort, {}, lambda s, n: (
        *_sample(s, 3 * n), _targets(s, n))),
    "idw_knn_argpartition": (idw_knn_argpartition, {}, lambda s, n: (
        *_sample(s, 3 * n), _targets(s, n))),
    "shepard_search_radius_nan": (shepard_search_radius, {}, lambda s, n: (
        *_sample(s, 3 * n), np.vstack([_targets(s, n), [[500.0, 500.0]]]), 30.0)),
    "nearest_neighbour_meshgrid_argmin": (nearest_neighbour_argmin, {}, lambda s, n: (
        *_sample(s, 3 * n), np.linspace(0, 100, n + 1), np.linspace(0, 100, 4))),
    "thiessen_allocation_bincount": (thiessen_allocation, {}, lambda s, n: (
        _pts(s, n), np.linspace(0, 100, 2 * n), np.linspace(0, 100, 5))),
    "kde_gaussian_meshgrid": (kde_gaussian_grid, {}, lambda s, n: (
        *_pts(s, 4 * n).T, np.linspace(0, 100, n + 2), np.linspace(0, 100, 5), 12.0)),
    "kde_quartic_population": (kde_quartic_arcgis, {}, lambda s, n: (
        _pts(s, 4 * n), np.linspace(0, 100, n + 2), np.linspace(0, 100, 5), 25.0,
        _u(s, 4 * n) * 10)),
    "scott_silverman_python_min": (scott_silverman_bandwidth, {}, lambda s, n: (
        *_pts(s, 5 * n).T,)),
    "kde_adaptive_abramson": (kde_adaptive_bandwidth, {}, lambda s, n: (
        *_pts(s, 4 * n).T, np.linspace(0, 100, n + 2), np.linspace(0, 100, 4), 15.0)),
    "kde_float32_grid": (kde_float32_grid, {}, lambda s, n: (
        _pts(s, 4 * n).astype(np.float32), np.linspace(0, 100, n + 2, dtype=np.float32),
        np.linspace(0, 100, 5, dtype=np.float32), 15.0)),
    "idw_ckdtree_query": (idw_ckdtree, {}, lambda s, n: (
        *_sample(s, 3 * n), _targets(s, n))),
    "griddata_nearest_meshgrid": (griddata_nearest, {}, lambda s, n: (
        *_sample(s, 3 * n), np.linspace(20, 80, n), np.linspace(20, 80, 3))),
}


@pytest.mark.parametrize("name", _names(INTERP))
def test_interpolation_matches_numpy(name):
    """Inverse-distance weighting (exact hits, floors, mask writes, loops, k nearest by
    argsort and argpartition, Shepard's radius), nearest neighbours and Thiessen allocation
    by argmin, kernel density grids (Gaussian, quartic, adaptive, float32) and bandwidth
    rules."""
    check_like_numpy(*INTERP[name])


# ================================================================= spatial autocorrelation


def knn_weights_argsort(coords, k=4):
    # k nearest neighbours by argsort (column 0 is the point itself), row-standardised
    n = len(coords)
    D = cdist(coords, coords)
    nn = np.argsort(D, axis=1)[:, 1:k + 1]
    W = np.zeros((n, n))
    W[np.arange(n)[:, None], nn] = 1.0
    return W / W.sum(axis=1, keepdims=True)


def knn_weights_argpartition(coords, k=3):
    D = squareform(pdist(coords))
    np.fill_diagonal(D, np.inf)
    nn = np.argpartition(D, k - 1, axis=1)[:, :k]
    W = np.zeros_like(D)
    for i in range(len(coords)):
        W[i, nn[i]] = 1
    return W, (W + W.T > 0).astype(int)


def distance_band_weights(coords, band):
    D = cdist(coords, coords)
    W = ((D > 0) & (D <= band)).astype(float)
    rs = W.sum(axis=1)
    islands = rs == 0
    W = W / np.where(islands, 1, rs)[:, None]
    return W, islands.sum()


def inverse_distance_weights(coords, alpha=1.0):
    D = cdist(coords, coords)
    with np.errstate(divide="ignore"):
        W = 1.0 / D ** alpha
    W[np.isinf(W)] = 0
    return W / W.sum(axis=1)[:, None]


def lattice_weights(nrows, ncols, queen=False):
    # rook or queen contiguity on a regular lattice, by loops over cells
    n = nrows * ncols
    W = np.zeros((n, n))
    for r in range(nrows):
        for c in range(ncols):
            i = r * ncols + c
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    if (dr, dc) == (0, 0):
                        continue
                    if not queen and dr != 0 and dc != 0:
                        continue
                    rr, cc = r + dr, c + dc
                    if 0 <= rr < nrows and 0 <= cc < ncols:
                        W[i, rr * ncols + cc] = 1
    return W


def morans_i_lattice(values, queen=False):
    nrows, ncols = values.shape
    W = lattice_weights(nrows, ncols, queen)
    z = values.ravel() - values.mean()
    return len(z) / W.sum() * (z @ W @ z) / (z @ z)


def morans_i_quadratic(y, W):
    n = len(y)
    z = y - y.mean()
    S0 = W.sum()
    I = (n / S0) * (z @ W @ z) / (z @ z)
    EI = -1.0 / (n - 1)
    return I, EI


def morans_i_loops(x, w):
    # the literal double loop over i and j
    n = len(x)
    xbar = x.mean()
    num = 0.0
    for i in range(n):
        for j in range(n):
            num += w[i, j] * (x[i] - xbar) * (x[j] - xbar)
    den = ((x - xbar) ** 2).sum()
    return (n / w.sum()) * num / den


def morans_i_normal_test(y, W):
    # moments under normality: S0, S1, S2, the z-score and a two-sided p-value
    n = len(y)
    z = y - y.mean()
    S0 = W.sum()
    S1 = 0.5 * ((W + W.T) ** 2).sum()
    S2 = ((W.sum(axis=1) + W.sum(axis=0)) ** 2).sum()
    I = n / S0 * z @ W @ z / (z @ z)
    EI = -1 / (n - 1)
    VI = (n ** 2 * S1 - n * S2 + 3 * S0 ** 2) / ((n ** 2 - 1) * S0 ** 2) - EI ** 2
    zI = (I - EI) / np.sqrt(VI)
    p = 2 * scipy.stats.norm.sf(abs(zI))
    return {"I": I, "EI": EI, "VI": VI, "z": zI, "p": p}


def gearys_c(x, W):
    n = len(x)
    diff2 = (x[:, None] - x[None, :]) ** 2
    num = (n - 1) * np.sum(W * diff2)
    den = 2 * W.sum() * np.sum((x - x.mean()) ** 2)
    return num / den


def getis_ord_gi_star(x, W):
    # Gi* z-scores with the self-weight included
    n = len(x)
    Ws = W + np.eye(n)
    xbar = x.mean()
    s = np.sqrt((x ** 2).mean() - xbar ** 2)
    wsum = Ws.sum(axis=1)
    num = Ws @ x - xbar * wsum
    den = s * np.sqrt((n * (Ws ** 2).sum(axis=1) - wsum ** 2) / (n - 1))
    return num / den, scipy.stats.norm.sf(np.abs(num / den)) * 2


def join_counts(x, W):
    # binary join counts BB, WW, BW with a symmetric binary W
    x = x.astype(float)
    bb = 0.5 * x @ W @ x
    ww = 0.5 * (1 - x) @ W @ (1 - x)
    bw = 0.5 * np.sum(W * (x[:, None] - x[None, :]) ** 2)
    return bb, ww, bw


def local_moran_quadrants(y, W):
    # LISA: I_i, and the Moran scatterplot quadrant by np.select
    z = (y - y.mean()) / y.std()
    lag = W @ z
    Ii = z * lag
    quad = np.select([(z > 0) & (lag > 0), (z < 0) & (lag > 0), (z < 0) & (lag < 0),
                      (z > 0) & (lag < 0)], [1, 2, 3, 4], default=0)
    return Ii, quad


def moran_permutation_loop(y, W, rng, n_perm=49):
    # the pseudo p-value from a loop of rng.permutation draws, stored then compared
    n = len(y)
    z = y - y.mean()
    I_obs = n / W.sum() * z @ W @ z / (z @ z)
    sims = np.zeros(n_perm)
    for k in range(n_perm):
        zp = rng.permutation(z)
        sims[k] = n / W.sum() * zp @ W @ zp / (zp @ zp)
    larger = np.sum(sims >= I_obs)
    larger = np.minimum(larger, n_perm - larger)
    return I_obs, (larger + 1.0) / (n_perm + 1.0), sims.mean()


def moran_permutation_argsort(y, W, rng, n_perm=99):
    # all permutations at once: argsort of uniform draws indexes the centred values
    z = y - y.mean()
    n = len(z)
    perms = rng.random((n_perm, n)).argsort(axis=1)
    Z = z[perms]
    num = np.einsum("pi,ij,pj->p", Z, W, Z)
    I_sim = n / W.sum() * num / (z @ z)
    I_obs = n / W.sum() * (z @ W @ z) / (z @ z)
    p = (np.sum(I_sim >= I_obs) + 1) / (n_perm + 1)
    return I_obs, p, (I_obs - I_sim.mean()) / I_sim.std()


def moran_permutation_seeded(y, W, n_perm=39, seed=12345):
    rng = np.random.default_rng(seed)
    z = y - y.mean()
    I = lambda v: len(v) / W.sum() * (v @ W @ v) / (v @ v)
    obs = I(z)
    sims = np.array([I(rng.permutation(z)) for _ in range(n_perm)])
    return obs, (1 + (sims >= obs).sum()) / (1 + n_perm)


def lisa_conditional_permutation(y, W, rng, n_perm=30):
    # conditional randomisation: each site's value fixed, the others permuted
    n = len(y)
    z = (y - y.mean()) / y.std()
    Ii = z * (W @ z)
    count = np.zeros(n)
    for _ in range(n_perm):
        zp = rng.permutation(z)
        sims = z * (W @ zp)
        count += sims >= Ii
    p = (np.minimum(count, n_perm - count) + 1) / (n_perm + 1)
    return Ii, p


def moran_scatter_slope(y, W):
    # the slope of the Moran scatterplot equals I for row-standardised W
    z = (y - y.mean()) / y.std()
    slope, intercept = np.polyfit(z, W @ z, 1)
    return slope, intercept


def moran_correlogram(coords, y, edges):
    # Moran's I per distance band, one binary weight matrix per band
    D = cdist(coords, coords)
    z = y - y.mean()
    n = len(y)
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        W = ((D > lo) & (D <= hi)).astype(float)
        out.append(n / W.sum() * (z @ W @ z) / (z @ z))
    return np.array(out)


def raster_morans_i_rook(grid):
    # Moran's I of a raster with rook adjacency by shifted slices
    z = grid - grid.mean()
    h = (z[:, :-1] * z[:, 1:]).sum()
    v = (z[:-1, :] * z[1:, :]).sum()
    nr, nc = grid.shape
    njoins = nr * (nc - 1) + nc * (nr - 1)
    return grid.size / (2 * njoins) * 2 * (h + v) / (z ** 2).sum()


def spatial_lag_sparse_like(y, nbr_idx, nbr_w):
    # neighbour lists as a padded index array with weights
    return (y[nbr_idx] * nbr_w).sum(axis=1) / nbr_w.sum(axis=1)


def gwr_loop(coords, X, y, bw):
    # geographically weighted regression: a bisquare kernel and one solve per site
    n, k = X.shape
    X = np.column_stack([np.ones(n), X])
    D = cdist(coords, coords)
    betas = np.zeros((n, k + 1))
    for i in range(n):
        w = np.where(D[i] < bw, (1 - (D[i] / bw) ** 2) ** 2, 0.0)
        XtW = X.T * w
        betas[i] = np.linalg.solve(XtW @ X, XtW @ y)
    return betas


def gwr_batched(coords, X, y, bw):
    # the same with a Gaussian kernel, all local systems stacked and solved at once
    n = len(y)
    X = np.c_[np.ones(n), X]
    W = np.exp(-0.5 * (cdist(coords, coords) / bw) ** 2)
    XtWX = np.einsum("ij,jk,jl->ikl", W, X, X)
    XtWy = np.einsum("ij,jk,j->ik", W, X, y)
    beta = np.linalg.solve(XtWX, XtWy[..., None])[..., 0]
    yhat = np.sum(beta * X, axis=1)
    return beta, yhat


def sar_concentrated_loglik(y, X, W, rhos):
    # the spatial lag model's concentrated log-likelihood on a rho grid, log|I - rho W| from
    # the (complex) eigenvalues of a row-standardised W, as PySAL's ML_Lag does
    n = len(y)
    evals = np.linalg.eigvals(W)
    out = np.empty(len(rhos))
    for k, rho in enumerate(rhos):
        Ay = y - rho * W @ y
        b = np.linalg.lstsq(X, Ay, rcond=None)[0]
        e = Ay - X @ b
        s2 = e @ e / n
        out[k] = -n / 2 * np.log(2 * np.pi * s2) - n / 2 + np.sum(np.log(1 - rho * evals)).real
    return out, rhos[np.argmax(out)]


def _W_knn(coords, k=4):
    return knn_weights_argsort(coords, k)


def _W_binary(coords, k=3):
    return knn_weights_argpartition(coords, k)[1].astype(float)


AUTOCORR = {
    "knn_weights_argsort_fancy_write": (knn_weights_argsort, {"k": 3}, lambda s, n: (
        _pts(s, 2 * n),)),
    "knn_weights_argpartition_loop": (knn_weights_argpartition, {}, lambda s, n: (
        _pts(s, 2 * n),)),
    "distance_band_weights_islands": (distance_band_weights, {}, lambda s, n: (
        np.vstack([_pts(s, 2 * n), [[500.0, 500.0]]]), 35.0)),
    "inverse_distance_weights_isinf": (inverse_distance_weights, {}, lambda s, n: (
        _pts(s, 2 * n), 2.0)),
    "morans_i_rook_lattice": (morans_i_lattice, {}, lambda s, n: (_dem(s, 3, n),)),
    "morans_i_queen_lattice": (morans_i_lattice, {"queen": True}, lambda s, n: (
        _dem(s, 3, n),)),
    "morans_i_quadratic_form": (morans_i_quadratic, {}, lambda s, n: (
        _field(_pts(s, 3 * n), s), _W_knn(_pts(s, 3 * n)))),
    "morans_i_double_loop": (morans_i_loops, {}, lambda s, n: (
        _field(_pts(s, n + 1), s), _W_binary(_pts(s, n + 1)))),
    "morans_i_normal_moments_norm_sf": (morans_i_normal_test, {}, lambda s, n: (
        _field(_pts(s, 3 * n), s), _W_knn(_pts(s, 3 * n)))),
    "gearys_c_broadcast": (gearys_c, {}, lambda s, n: (
        _field(_pts(s, 3 * n), s), _W_binary(_pts(s, 3 * n)))),
    "getis_ord_gi_star": (getis_ord_gi_star, {}, lambda s, n: (
        _field(_pts(s, 3 * n), s), _W_binary(_pts(s, 3 * n)))),
    "join_counts_bool": (join_counts, {}, lambda s, n: (
        _field(_pts(s, 3 * n), s) > 10, _W_binary(_pts(s, 3 * n)))),
    "local_moran_np_select": (local_moran_quadrants, {}, lambda s, n: (
        _field(_pts(s, 3 * n), s), _W_knn(_pts(s, 3 * n)))),
    "moran_permutation_loop_rng": (moran_permutation_loop, {"n_perm": 9}, lambda s, n: (
        _field(_pts(s, 3 * n), s), _W_knn(_pts(s, 3 * n)), np.random.default_rng(s))),
    "moran_permutation_argsort_einsum": (moran_permutation_argsort, {}, lambda s, n: (
        _field(_pts(s, 3 * n), s), _W_knn(_pts(s, 3 * n)), np.random.default_rng(s))),
    "moran_permutation_seeded_inside": (moran_permutation_seeded, {}, lambda s, n: (
        _field(_pts(s, 3 * n), s), _W_knn(_pts(s, 3 * n)))),
    "lisa_conditional_permutation": (lisa_conditional_permutation, {"n_perm": 8}, lambda s, n: (
        _field(_pts(s, 3 * n), s), _W_knn(_pts(s, 3 * n)), np.random.default_rng(s))),
    "moran_scatter_polyfit": (moran_scatter_slope, {}, lambda s, n: (
        _field(_pts(s, 3 * n), s), _W_knn(_pts(s, 3 * n)))),
    "moran_correlogram_bands": (moran_correlogram, {}, lambda s, n: (
        *_sample(s, 4 * n), np.array([0.0, 30.0, 60.0, 200.0]))),
    "raster_morans_i_shifted_slices": (raster_morans_i_rook, {}, lambda s, n: (
        _dem(s, n, 5),)),
    "spatial_lag_padded_neighbours": (spatial_lag_sparse_like, {}, lambda s, n: (
        _f(3 * n, seed=s), _i(3 * n, 3 * n, 4, seed=s), _u(s, 3 * n, 4) + 0.1)),
    "gwr_bisquare_loop_solve": (gwr_loop, {}, lambda s, n: (
        _pts(s, 3 * n), _f(3 * n, 2, seed=s), _f(3 * n, seed=s + 1), 60.0)),
    "gwr_batched_einsum_solve": (gwr_batched, {}, lambda s, n: (
        _pts(s, 3 * n), _f(3 * n, 2, seed=s), _f(3 * n, seed=s + 1), 30.0)),
}


def test_sar_loglik_of_eigenvalues_real_for_some_weights_and_complex_for_others():
    """The row-standardised W's eigenvalues are complex for one seed and real for the next:
    each call has NumPy's values, eigvals traced again where their kind changes (so more
    traces than `check_like_numpy` allows)."""
    jf = tracenp.jit(sar_concentrated_loglik)
    for s, n in ((1, 4), (2, 4), (3, 6)):
        args = (_field(_pts(s, 3 * n), s), np.c_[np.ones(3 * n), _f(3 * n, seed=s)],
                _W_knn(_pts(s, 3 * n)), np.linspace(-0.5, 0.8, 5))
        got, want = jf(*args), sar_concentrated_loglik(*args)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-5)
    assert any("result type changed" in r for r in jf.cache_info().retraces)


@pytest.mark.parametrize("name", _names(AUTOCORR))
def test_spatial_autocorrelation_matches_numpy(name):
    """Weights (k nearest by argsort and argpartition, distance bands, inverse distances,
    rook and queen lattices), global Moran's I four ways with its moments, Geary's C,
    Getis-Ord G and Gi*, join counts, LISA, permutation tests from generators, Moran
    scatterplot slopes, correlograms and raster Moran's I."""
    check_like_numpy(*AUTOCORR[name])


# ========================================================================== point patterns


def ripley_k_naive(pts, r, area):
    n = len(pts)
    d = pdist(pts)
    counts = (d[None, :] < r[:, None]).sum(axis=1) * 2
    K = area * counts / (n * (n - 1))
    L = np.sqrt(K / np.pi)
    return K, L, L - r


def ripley_k_border(pts, r, xmin, xmax, ymin, ymax):
    # border correction: only points at least r from the boundary count as centres
    n = len(pts)
    D = cdist(pts, pts)
    np.fill_diagonal(D, np.inf)
    b = np.minimum.reduce([pts[:, 0] - xmin, xmax - pts[:, 0], pts[:, 1] - ymin,
                           ymax - pts[:, 1]])
    lam = n / ((xmax - xmin) * (ymax - ymin))
    K = np.zeros(len(r))
    for k, rk in enumerate(r):
        inner = b >= rk
        cnt = (D[inner] < rk).sum()
        K[k] = cnt / (lam * max(inner.sum(), 1))
    return K


def ripley_k_translation(pts, r, width, height):
    # translation edge correction: each pair weighted by the overlap of shifted windows
    n = len(pts)
    dx = np.abs(pts[:, None, 0] - pts[None, :, 0])
    dy = np.abs(pts[:, None, 1] - pts[None, :, 1])
    d = np.hypot(dx, dy)
    w = (width * height) / ((width - dx) * (height - dy))
    off = ~np.eye(n, dtype=bool)
    lam2 = n * (n - 1) / (width * height) ** 2
    K = np.array([np.sum(w[off & (d <= rk)]) for rk in r]) / (lam2 * width * height)
    return K, np.sqrt(K / np.pi) - r


def clark_evans(pts, area):
    D = squareform(pdist(pts))
    D[np.diag_indices(len(pts))] = np.inf
    nn = D.min(axis=1)
    n = len(pts)
    expected = 0.5 / np.sqrt(n / area)
    R = nn.mean() / expected
    se = 0.26136 / np.sqrt(n * n / area)
    return R, (nn.mean() - expected) / se


def g_function(pts, r):
    D = cdist(pts, pts) + np.diag(np.full(len(pts), np.inf))
    nn = D.min(1)
    return (nn[:, None] <= r[None, :]).mean(axis=0)


def quadrat_vmr(x, y, extent, nx=4, ny=3):
    counts, xe, ye = np.histogram2d(x, y, bins=[nx, ny],
                                    range=[[extent[0], extent[1]], [extent[2], extent[3]]])
    mean = counts.mean()
    var = counts.var(ddof=1)
    vmr = var / mean
    chi2 = (counts.size - 1) * vmr
    p = scipy.stats.chi2.sf(chi2, counts.size - 1)
    return counts, vmr, p


def pair_correlation_epanechnikov(pts, r, area, h=5.0):
    n = len(pts)
    d = pdist(pts)
    u = (r[:, None] - d[None, :]) / h
    k = np.where(np.abs(u) <= 1, 0.75 * (1 - u ** 2) / h, 0.0)
    lam = n / area
    return 2 * k.sum(axis=1) / (2 * np.pi * r * lam * n)


def csr_envelope(pts, r, rng, n_sims=19, width=100.0, height=100.0):
    # Monte Carlo envelopes of L under complete spatial randomness
    n = len(pts)
    area = width * height

    def L_of(p):
        d = pdist(p)
        K = area * 2 * (d[None, :] < r[:, None]).sum(1) / (n * (n - 1))
        return np.sqrt(K / np.pi)

    obs = L_of(pts)
    sims = np.empty((n_sims, len(r)))
    for s in range(n_sims):
        sim = np.column_stack([rng.uniform(0, width, n), rng.uniform(0, height, n)])
        sims[s] = L_of(sim)
    return obs, sims.min(axis=0), sims.max(axis=0)


def nearest_neighbour_pairs(pts):
    # reflexive nearest neighbours: i's nn is j and j's nn is i
    D = cdist(pts, pts)
    np.fill_diagonal(D, np.inf)
    nn = np.argmin(D, axis=1)
    reflexive = nn[nn] == np.arange(len(pts))
    return nn, reflexive, reflexive.mean()


POINTS = {
    "ripley_k_naive_pdist": (ripley_k_naive, {}, lambda s, n: (
        _pts(s, 4 * n), np.linspace(1, 30, 7), 1e4)),
    "ripley_k_border_correction": (ripley_k_border, {}, lambda s, n: (
        _pts(s, 4 * n), np.linspace(2, 30, 5), 0.0, 100.0, 0.0, 100.0)),
    "ripley_k_translation_correction": (ripley_k_translation, {}, lambda s, n: (
        _pts(s, 4 * n), np.linspace(2, 30, 5), 100.0, 100.0)),
    "clark_evans_index": (clark_evans, {}, lambda s, n: (_pts(s, 4 * n), 1e4)),
    "g_function_ecdf": (g_function, {}, lambda s, n: (_pts(s, 4 * n), np.linspace(0, 30, 7))),
    "quadrat_histogram2d_vmr": (quadrat_vmr, {"nx": 4, "ny": 3}, lambda s, n: (
        *_pts(s, 6 * n).T, (0.0, 100.0, 0.0, 100.0))),
    "pair_correlation_epanechnikov": (pair_correlation_epanechnikov, {}, lambda s, n: (
        _pts(s, 4 * n), np.linspace(5, 40, 6), 1e4)),
    "csr_envelope_generator": (csr_envelope, {"n_sims": 9}, lambda s, n: (
        _pts(s, 3 * n), np.linspace(2, 30, 5), np.random.default_rng(s))),
    "nearest_neighbour_reflexive": (nearest_neighbour_pairs, {}, lambda s, n: (
        _pts(s, 3 * n),)),
}


@pytest.mark.parametrize("name", _names(POINTS))
def test_point_patterns_match_numpy(name):
    """Ripley's K and L (naive, border, translation), Clark-Evans, G and F functions,
    quadrat counts by histogram2d, pair correlation, CSR envelopes from a generator and
    reflexive nearest neighbours."""
    check_like_numpy(*POINTS[name])


# ================================================================================ geometry


def shoelace_roll(x, y):
    return 0.5 * np.abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))


def shoelace_slices_closed(ring):
    # a closed ring (first vertex repeated), signed area for orientation
    x, y = ring[:, 0], ring[:, 1]
    signed = 0.5 * np.sum(x[:-1] * y[1:] - x[1:] * y[:-1])
    return abs(signed), signed > 0


def polygon_centroid(xy):
    x, y = xy[:, 0], xy[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y
    A = cross.sum() / 2
    cx = ((x + x1) * cross).sum() / (6 * A)
    cy = ((y + y1) * cross).sum() / (6 * A)
    return np.array([cx, cy]), A


def batch_polygon_areas(polys):
    # many polygons of k vertices as an (m, k, 2) array
    x = polys[..., 0]
    y = polys[..., 1]
    return 0.5 * np.abs(np.sum(x * np.roll(y, -1, axis=1) - np.roll(x, -1, axis=1) * y, axis=1))


def pip_ray_casting_loop(px, py, poly):
    # the classic ray casting, vectorised over points, a loop over the edges
    n = len(poly)
    inside = np.zeros(px.shape, dtype=bool)
    j = n - 1
    for i in range(n):
        xi, yi = poly[i]
        xj, yj = poly[j]
        crosses = ((yi > py) != (yj > py)) & (px < (xj - xi) * (py - yi) / (yj - yi) + xi)
        inside ^= crosses
        j = i
    return inside


def pip_ray_casting_broadcast(points, poly):
    # all points against all edges by broadcasting, parity of crossings
    x, y = points[:, 0:1], points[:, 1:2]
    x1, y1 = poly[:, 0], poly[:, 1]
    x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
    cond = (y1 > y) != (y2 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        xint = (x2 - x1) * (y - y1) / (y2 - y1) + x1
    hits = cond & (x < xint)
    return np.sum(hits, axis=1) % 2 == 1


def winding_number(points, poly):
    x, y = points[:, 0][:, None], points[:, 1][:, None]
    x1, y1 = poly[:, 0][None, :], poly[:, 1][None, :]
    x2, y2 = np.roll(poly[:, 0], -1)[None, :], np.roll(poly[:, 1], -1)[None, :]
    is_left = (x2 - x1) * (y - y1) - (x - x1) * (y2 - y1)
    up = (y1 <= y) & (y2 > y) & (is_left > 0)
    down = (y1 > y) & (y2 <= y) & (is_left < 0)
    wn = up.sum(axis=1) - down.sum(axis=1)
    return wn, wn != 0


def haversine(lon1, lat1, lon2, lat2, R=6371.0):
    lon1, lat1, lon2, lat2 = map(np.radians, [lon1, lat1, lon2, lat2])
    dlon = lon2 - lon1
    dlat = lat2 - lat1
    a = np.sin(dlat / 2.0) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2.0) ** 2
    return 2 * R * np.arcsin(np.sqrt(a))


def haversine_matrix(lat, lon):
    # pairwise great-circle distances by broadcasting degrees converted with np.deg2rad
    phi = np.deg2rad(lat)
    lam = np.deg2rad(lon)
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    return 6371.0088 * 2 * np.arctan2(np.sqrt(a), np.sqrt(1 - a))


def great_circle_cosines(lon1, lat1, lon2, lat2):
    # the spherical law of cosines, clipped before arccos
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2 - lon1)
    c = np.sin(p1) * np.sin(p2) + np.cos(p1) * np.cos(p2) * np.cos(dl)
    return 6371.0 * np.arccos(np.clip(c, -1.0, 1.0))


def vincenty_sphere(lon1, lat1, lon2, lat2):
    # the special case of Vincenty's formula on a sphere, stable at antipodes
    p1, p2, dl = np.radians(lat1), np.radians(lat2), np.radians(lon2 - lon1)
    num = np.sqrt((np.cos(p2) * np.sin(dl)) ** 2
                  + (np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)) ** 2)
    den = np.sin(p1) * np.sin(p2) + np.cos(p1) * np.cos(p2) * np.cos(dl)
    return 6371.0 * np.arctan2(num, den)


def bearing_destination_midpoint(lon1, lat1, lon2, lat2, dist_km):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    l1, l2 = np.radians(lon1), np.radians(lon2)
    dl = l2 - l1
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    brg = (np.degrees(np.arctan2(y, x)) + 360) % 360
    d = dist_km / 6371.0
    th = np.radians(brg)
    p3 = np.arcsin(np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(th))
    l3 = l1 + np.arctan2(np.sin(th) * np.sin(d) * np.cos(p1), np.cos(d) - np.sin(p1) * np.sin(p3))
    Bx = np.cos(p2) * np.cos(dl)
    By = np.cos(p2) * np.sin(dl)
    pm = np.arctan2(np.sin(p1) + np.sin(p2), np.sqrt((np.cos(p1) + Bx) ** 2 + By ** 2))
    lm = l1 + np.arctan2(By, np.cos(p1) + Bx)
    return brg, np.degrees(np.stack([l3, p3])), (np.degrees(lm) + 540) % 360 - 180, np.degrees(pm)


def track_length_cumulative(lon, lat):
    # cumulative distance along a GPS track by haversine of consecutive fixes
    seg = haversine(lon[:-1], lat[:-1], lon[1:], lat[1:])
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    return cum, seg.sum(), seg.argmax()


def point_segment_distance(p, a, b):
    # points to one segment: projection parameter clipped to [0, 1]
    ab = b - a
    t = np.clip(((p - a) @ ab) / (ab @ ab), 0.0, 1.0)
    proj = a + t[:, None] * ab
    return np.linalg.norm(p - proj, axis=1), t


def point_polyline_distance(p, line):
    # the nearest segment of a polyline for each point, by broadcasting over segments
    a = line[:-1][None, :, :]
    b = line[1:][None, :, :]
    ab = b - a
    ap = p[:, None, :] - a
    t = np.clip(np.sum(ap * ab, -1) / np.sum(ab * ab, -1), 0, 1)
    d = np.linalg.norm(ap - t[..., None] * ab, axis=-1)
    seg = d.argmin(1)
    return d.min(1), seg


def geotransform_pixel_world(rows, cols, gt):
    # GDAL's affine geotransform, pixel centres to world and back to integer indices
    x = gt[0] + (cols + 0.5) * gt[1] + (rows + 0.5) * gt[2]
    y = gt[3] + (cols + 0.5) * gt[4] + (rows + 0.5) * gt[5]
    c = np.floor((x - gt[0]) / gt[1]).astype(int)
    r = np.floor((y - gt[3]) / gt[5]).astype(int)
    return x, y, r, c


def complex_coordinates(x, y):
    # points as complex numbers: distances by abs, azimuths by np.angle
    z = x + 1j * y
    dz = z[None, :] - z[:, None]
    D = np.abs(dz)
    azimuth = (90 - np.angle(dz, deg=True)) % 360
    return D, azimuth


def ring_areas_reduceat(xy, offsets):
    # flattened rings with offsets (geoarrow-style): per-ring shoelace by np.add.reduceat
    x, y = xy[:, 0], xy[:, 1]
    nxt = np.arange(len(x)) + 1
    ends = np.r_[offsets[1:], len(x)]
    nxt[ends - 1] = offsets
    cross = x * y[nxt] - x[nxt] * y
    return 0.5 * np.abs(np.add.reduceat(cross, offsets))


def standard_deviational_ellipse(x, y, w):
    # weighted mean centre, covariance by aweights, axes and rotation by eigh
    mx, my = np.average(x, weights=w), np.average(y, weights=w)
    cov = np.cov(np.vstack([x, y]), aweights=w)
    vals, vecs = np.linalg.eigh(cov)
    angle = np.degrees(np.arctan2(*vecs[:, -1][::-1])) % 180
    return np.array([mx, my]), np.sqrt(vals), angle


def _star(seed, k):
    # a star-shaped polygon with k vertices around (50, 50), counter-clockwise
    th = np.linspace(0, 2 * np.pi, k, endpoint=False)
    r = 20 + 15 * _u(seed, k)
    return np.column_stack([50 + r * np.cos(th), 50 + r * np.sin(th)])


GEOMETRY = {
    "shoelace_np_roll": (shoelace_roll, {}, lambda s, n: (*_star(s, 2 * n).T,)),
    "shoelace_closed_ring_slices": (shoelace_slices_closed, {}, lambda s, n: (
        np.vstack([_star(s, 2 * n), _star(s, 2 * n)[:1]]),)),
    "polygon_centroid_roll": (polygon_centroid, {}, lambda s, n: (_star(s, 2 * n),)),
    "batch_polygon_areas": (batch_polygon_areas, {}, lambda s, n: (
        np.stack([_star(s + k, 5) for k in range(n)]),)),
    "pip_ray_casting_edge_loop": (pip_ray_casting_loop, {}, lambda s, n: (
        *(_u(s, 4 * n, 2) * 100).T, _star(s, n + 2))),
    "pip_ray_casting_broadcast": (pip_ray_casting_broadcast, {}, lambda s, n: (
        _u(s, 4 * n, 2) * 100, _star(s, n + 2))),
    "winding_number": (winding_number, {}, lambda s, n: (_u(s, 4 * n, 2) * 100, _star(s, n + 2))),
    "haversine_map_radians": (haversine, {}, lambda s, n: (
        *_lonlat(s, 3 * n), *_lonlat(s + 1, 3 * n))),
    "haversine_pairwise_arctan2": (haversine_matrix, {}, lambda s, n: (
        _lonlat(s, 2 * n)[1], _lonlat(s, 2 * n)[0])),
    "great_circle_law_of_cosines": (great_circle_cosines, {}, lambda s, n: (
        *_lonlat(s, 3 * n), *_lonlat(s + 1, 3 * n))),
    "vincenty_sphere_arctan2": (vincenty_sphere, {}, lambda s, n: (
        *_lonlat(s, 3 * n), *_lonlat(s + 1, 3 * n))),
    "bearing_destination_midpoint": (bearing_destination_midpoint, {}, lambda s, n: (
        *_lonlat(s, 3 * n), *_lonlat(s + 1, 3 * n), 250.0)),
    "track_length_cumsum": (track_length_cumulative, {}, lambda s, n: (
        np.cumsum(_f(3 * n, seed=s)) * 0.01 + 10, np.cumsum(_f(3 * n, seed=s + 1)) * 0.01 + 45)),
    "point_segment_distance": (point_segment_distance, {}, lambda s, n: (
        _pts(s, 3 * n), np.array([10.0, 20.0]), np.array([80.0, 60.0]))),
    "point_polyline_nearest_segment": (point_polyline_distance, {}, lambda s, n: (
        _pts(s, 3 * n), _pts(s + 1, n))),
    "gdal_geotransform_round_trip": (geotransform_pixel_world, {}, lambda s, n: (
        _i(50, 3 * n, seed=s), _i(60, 3 * n, seed=s + 1),
        (440720.0, 30.0, 0.0, 3751320.0, 0.0, -30.0))),
    "complex_coordinates_abs_angle": (complex_coordinates, {}, lambda s, n: (
        *_pts(s, 3 * n).T,)),
    "ring_areas_add_reduceat": (ring_areas_reduceat, {}, lambda s, n: (
        _pts(s, 4 * n), np.array([0, 4, 9]) if n == 4 else np.array([0, 5, 11, 17]))),
    "standard_deviational_ellipse_eigh": (standard_deviational_ellipse, {}, lambda s, n: (
        *_pts(s, 4 * n).T, _u(s, 4 * n) + 0.5)),
}


@pytest.mark.parametrize("name", _names(GEOMETRY))
def test_geometry_matches_numpy(name):
    """Shoelace areas, centroids, perimeters, ray casting and winding numbers, haversine,
    law-of-cosines and Vincenty distances, bearings, Web Mercator, track lengths,
    point-to-segment distances, geotransforms and bounding boxes."""
    check_like_numpy(*GEOMETRY[name])


# ================================================================================= rasters


def focal_mean_swv(dem, size=3):
    pad = size // 2
    p = np.pad(dem, pad, mode="edge")
    win = sliding_window_view(p, (size, size))
    return win.mean(axis=(-2, -1))


def focal_stats_swv(dem):
    # several focal statistics of the same 3x3 windows, reflect padding
    p = np.pad(dem, 1, mode="reflect")
    w = sliding_window_view(p, (3, 3)).reshape(dem.shape + (9,))
    return {"max": w.max(-1), "min": w.min(-1), "std": w.std(-1),
            "range": np.ptp(w, axis=-1), "median": np.median(w, axis=-1)}


def focal_sum_shifted_slices(a):
    # a 3x3 sum by nine shifted slices of a zero-padded array, and the neighbour count
    p = np.pad(a, 1)
    ones = np.pad(np.ones_like(a), 1)
    s = np.zeros_like(a)
    cnt = np.zeros_like(a)
    r, c = a.shape
    for di in range(3):
        for dj in range(3):
            s += p[di:di + r, dj:dj + c]
            cnt += ones[di:di + r, dj:dj + c]
    return s, s / cnt


def majority_filter(classes, n_classes=4):
    p = np.pad(classes, 1, mode="edge")
    win = sliding_window_view(p, (3, 3))
    counts = np.stack([(win == k).sum(axis=(-2, -1)) for k in range(n_classes)], axis=-1)
    return counts.argmax(axis=-1)


def slope_aspect_gradient(dem, cellsize):
    # np.gradient in rows then columns; aspect clockwise from north
    dzdy, dzdx = np.gradient(dem, cellsize)
    slope = np.degrees(np.arctan(np.hypot(dzdx, dzdy)))
    aspect = np.degrees(np.arctan2(-dzdx, dzdy))
    aspect = np.where(aspect < 0, 90.0 - aspect, np.where(aspect > 90.0, 450.0 - aspect,
                                                          90.0 - aspect))
    return slope, aspect


def slope_horn(dem, xres, yres):
    # Horn's 3x3 weighted differences on the interior, NaN borders
    z = dem
    a, b, c = z[:-2, :-2], z[:-2, 1:-1], z[:-2, 2:]
    d, f = z[1:-1, :-2], z[1:-1, 2:]
    g, h, i = z[2:, :-2], z[2:, 1:-1], z[2:, 2:]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8 * xres)
    dzdy = ((g + 2 * h + i) - (a + 2 * b + c)) / (8 * yres)
    out = np.full(dem.shape, np.nan)
    out[1:-1, 1:-1] = np.degrees(np.arctan(np.sqrt(dzdx ** 2 + dzdy ** 2)))
    return out


def hillshade(dem, azimuth=315.0, altitude=45.0, cellsize=1.0):
    x, y = np.gradient(dem, cellsize)
    slope = np.pi / 2.0 - np.arctan(np.sqrt(x * x + y * y))
    aspect = np.arctan2(-x, y)
    az = azimuth * np.pi / 180.0
    alt = altitude * np.pi / 180.0
    shaded = np.sin(alt) * np.sin(slope) + np.cos(alt) * np.cos(slope) * np.cos(az - aspect)
    return (255 * (shaded + 1) / 2).astype(np.uint8)


def hillshade_esri(dem, cellsize, z_factor=1.0, azimuth=315.0, altitude=45.0):
    zenith = np.radians(90 - altitude)
    az = np.radians((360.0 - azimuth + 90.0) % 360.0)
    p = np.pad(dem, 1, mode="edge")
    dzdx = ((p[:-2, 2:] + 2 * p[1:-1, 2:] + p[2:, 2:])
            - (p[:-2, :-2] + 2 * p[1:-1, :-2] + p[2:, :-2])) / (8 * cellsize)
    dzdy = ((p[2:, :-2] + 2 * p[2:, 1:-1] + p[2:, 2:])
            - (p[:-2, :-2] + 2 * p[:-2, 1:-1] + p[:-2, 2:])) / (8 * cellsize)
    slope = np.arctan(z_factor * np.sqrt(dzdx ** 2 + dzdy ** 2))
    aspect = np.arctan2(dzdy, -dzdx)
    aspect = np.where(aspect < 0, aspect + 2 * np.pi, aspect)
    hs = 255.0 * (np.cos(zenith) * np.cos(slope)
                  + np.sin(zenith) * np.sin(slope) * np.cos(az - aspect))
    return np.clip(hs, 0, 255).round().astype(np.uint8)


def tri_tpi(dem):
    # terrain ruggedness (root of summed squared differences) and topographic position
    p = np.pad(dem, 1, mode="edge")
    w = sliding_window_view(p, (3, 3))
    centre = dem[..., None, None]
    tri = np.sqrt(((w - centre) ** 2).sum(axis=(-2, -1)))
    tpi = dem - (w.sum(axis=(-2, -1)) - dem) / 8
    return tri, tpi


def d8_flow_direction(dem):
    # the steepest drop among eight neighbours, ESRI's codes 1..128, 0 for pits
    p = np.pad(dem, 1, mode="edge")
    r, c = dem.shape
    offs = [(0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1), (-1, 0), (-1, 1)]
    codes = np.array([1, 2, 4, 8, 16, 32, 64, 128])
    drops = np.empty((8, r, c))
    for k, (di, dj) in enumerate(offs):
        nb = p[1 + di:1 + di + r, 1 + dj:1 + dj + c]
        drops[k] = (dem - nb) / np.hypot(di, dj)
    best = drops.argmax(axis=0)
    return np.where(drops.max(axis=0) > 0, codes[best], 0)


def zonal_stats_bincount(values, zones, n_zones):
    z = zones.ravel()
    v = values.ravel()
    count = np.bincount(z, minlength=n_zones)
    s = np.bincount(z, weights=v, minlength=n_zones)
    s2 = np.bincount(z, weights=v * v, minlength=n_zones)
    mean = s / np.maximum(count, 1)
    std = np.sqrt(np.maximum(s2 / np.maximum(count, 1) - mean ** 2, 0))
    return {"count": count, "sum": s, "mean": mean, "std": std}


def zonal_min_max_ufunc_at(values, zones, n_zones):
    mn = np.full(n_zones, np.inf)
    mx = np.full(n_zones, -np.inf)
    np.minimum.at(mn, zones.ravel(), values.ravel())
    np.maximum.at(mx, zones.ravel(), values.ravel())
    return mn, mx, mx - mn


def zonal_loop_masks(values, zones, n_zones=4):
    # one mask per zone id, the statistics into a (n_zones, 4) table
    table = np.zeros((n_zones, 4))
    for zid in range(n_zones):
        m = zones == zid
        table[zid, 0] = m.sum()
        table[zid, 1] = values[m].mean()
        table[zid, 2] = values[m].max()
        table[zid, 3] = np.median(values[m])
    return table


def zonal_majority_crosstab(classes, zones, n_classes, n_zones):
    # the class area per zone by bincount of a combined code, the majority by argmax
    code = zones.ravel() * n_classes + classes.ravel()
    tab = np.bincount(code, minlength=n_zones * n_classes).reshape(n_zones, n_classes)
    return tab, tab.argmax(axis=1), tab / tab.sum(axis=1, keepdims=True)


def reclassify_digitize(dem, breaks):
    return np.digitize(dem, breaks).astype(np.uint8)


def reclassify_lut(landcover, lut):
    # a remap table indexed by the class codes, nodata 255 mapped to 0
    lc = np.where(landcover == 255, 0, landcover)
    return lut[lc]


def ndvi_uint16(red, nir):
    red = red.astype(np.float32)
    nir = nir.astype(np.float32)
    denom = nir + red
    ndvi = np.where(denom == 0, 0, (nir - red) / np.where(denom == 0, 1, denom))
    return ndvi, (ndvi > 0.3).sum()


def ndvi_errstate_nan(red, nir):
    # the notebook: errstate, NaN where both bands are zero, nanmean
    with np.errstate(divide="ignore", invalid="ignore"):
        ndvi = (nir.astype(float) - red) / (nir.astype(float) + red)
    return ndvi, np.nanmean(ndvi), np.isnan(ndvi).sum()


def block_aggregate(raster, f=2):
    r, c = raster.shape
    a = raster[:r // f * f, :c // f * f]
    blocks = a.reshape(r // f, f, c // f, f)
    return blocks.mean(axis=(1, 3)), blocks.max(axis=(1, 3))


def upsample_kron_repeat(raster, f=3):
    up1 = np.kron(raster, np.ones((f, f)))
    up2 = np.repeat(np.repeat(raster, f, axis=0), f, axis=1)
    return up1, np.array_equal(up1, up2)


def fill_nodata_focal_nanmean(grid, nodata=-9999.0):
    g = np.where(grid == nodata, np.nan, grid)
    p = np.pad(g, 1, constant_values=np.nan)
    win = sliding_window_view(p, (3, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "Mean of empty slice"
        local = np.nanmean(win, axis=(-2, -1))
    return np.where(np.isnan(g), local, g)


def ndvi_uint16_raw(red, nir):
    # straight from the uint16 bands: the difference wraps around where red > nir
    return (nir - red) / (nir + red)


def ndvi_divide_where(red, nir):
    # the Stack Overflow answer: np.divide with out= and where= for zero denominators
    red = red.astype(float)
    nir = nir.astype(float)
    return np.divide(nir - red, nir + red, out=np.zeros_like(red), where=(nir + red) != 0)


def percent_clip_stretch(band):
    # the 2-98 % stretch of a band for display
    p2, p98 = np.percentile(band, (2, 98))
    out = np.clip((band - p2) / (p98 - p2), 0, 1)
    return (255 * out).astype(np.uint8)


def bilinear_sample(dem, xs, ys):
    # raster values at points by bilinear interpolation of the four surrounding cells
    x0 = np.clip(np.floor(xs).astype(int), 0, dem.shape[1] - 2)
    y0 = np.clip(np.floor(ys).astype(int), 0, dem.shape[0] - 2)
    fx, fy = xs - x0, ys - y0
    return (dem[y0, x0] * (1 - fx) * (1 - fy) + dem[y0, x0 + 1] * fx * (1 - fy)
            + dem[y0 + 1, x0] * (1 - fx) * fy + dem[y0 + 1, x0 + 1] * fx * fy)


def rasterize_points_add_at(rows, cols, vals, nr, nc):
    # point values gridded: sums and counts by np.add.at, the cell mean NaN where empty
    g = np.zeros((nr, nc))
    c = np.zeros((nr, nc), dtype=int)
    np.add.at(g, (rows, cols), vals)
    np.add.at(c, (rows, cols), 1)
    with np.errstate(invalid="ignore"):
        return g / c, c


def focal_std_generic_filter(dem):
    return scipy.ndimage.generic_filter(dem, np.std, size=3, mode="nearest")


def patches_label(landcover, cls):
    # connected patches of one class, 8-connected
    lab, n = scipy.ndimage.label(landcover == cls, structure=np.ones((3, 3)))
    return lab, n


def zonal_masked_selection(dem, zones, nodata=-9999.0):
    # nodata masked once, one selection per zone averaged
    d = np.ma.masked_equal(dem, nodata)
    return np.array([d[zones == k].mean() for k in range(3)])


def zonal_masked_where_table(dem, zones, nodata=-9999.0):
    d = np.ma.masked_values(dem, nodata)
    means = np.ma.array([np.ma.masked_where(zones != k, d).mean() for k in range(3)])
    return means.filled(np.nan)


def _with_nodata(seed, r, c):
    d = _dem(seed, r, c)
    d[_u(seed, r, c) < 0.15] = -9999.0
    return d


def _zones(seed, r, c, k=4):
    return _i(k, r, c, seed=seed + 7)


RASTER = {
    "focal_mean_swv_edge": (focal_mean_swv, {}, lambda s, n: (_dem(s, n, 5),)),
    "focal_stats_swv_reflect_dict": (focal_stats_swv, {}, lambda s, n: (_dem(s, n, 5),)),
    "focal_sum_shifted_slices": (focal_sum_shifted_slices, {}, lambda s, n: (_dem(s, n, 5),)),
    "majority_filter_argmax": (majority_filter, {}, lambda s, n: (_i(4, n, 5, seed=s),)),
    "slope_aspect_np_gradient": (slope_aspect_gradient, {}, lambda s, n: (_dem(s, n, 5), 30.0)),
    "slope_horn_interior_nan": (slope_horn, {}, lambda s, n: (_dem(s, n, 5), 10.0, 10.0)),
    "hillshade_gradient_uint8": (hillshade, {}, lambda s, n: (_dem(s, n, 5),)),
    "hillshade_esri_pad": (hillshade_esri, {}, lambda s, n: (_dem(s, n, 5), 5.0, 1.0, 300.0)),
    "tri_tpi_swv": (tri_tpi, {}, lambda s, n: (_dem(s, n, 5),)),
    "d8_flow_direction_codes": (d8_flow_direction, {}, lambda s, n: (_dem(s, n, 5),)),
    "zonal_stats_bincount_dict": (zonal_stats_bincount, {"n_zones": 4}, lambda s, n: (
        _dem(s, n, 5), _zones(s, n, 5))),
    "zonal_min_max_ufunc_at": (zonal_min_max_ufunc_at, {"n_zones": 4}, lambda s, n: (
        _dem(s, n, 5), _zones(s, n, 5))),
    "zonal_loop_masks": (zonal_loop_masks, {}, lambda s, n: (_dem(s, n, 5), _zones(s, n, 5))),
    "zonal_majority_crosstab": (zonal_majority_crosstab, {"n_classes": 3, "n_zones": 4},
                                lambda s, n: (_i(3, n, 5, seed=s), _zones(s, n, 5))),
    "reclassify_digitize_uint8": (reclassify_digitize, {}, lambda s, n: (
        _dem(s, n, 5), np.array([100.0, 105.0, 110.0, 115.0]))),
    "reclassify_lookup_table": (reclassify_lut, {}, lambda s, n: (
        np.where(_u(s, n, 5) < 0.1, 255, _i(6, n, 5, seed=s)).astype(np.uint8),
        np.array([0, 10, 20, 20, 30, 40], dtype=np.int16))),
    "ndvi_uint16_float32": (ndvi_uint16, {}, lambda s, n: (
        (_i(3000, n, 5, seed=s) * (_u(s, n, 5) > 0.1)).astype(np.uint16),
        (_i(5000, n, 5, seed=s + 1) * (_u(s, n, 5) > 0.1)).astype(np.uint16))),
    "ndvi_errstate_nanmean": (ndvi_errstate_nan, {}, lambda s, n: (
        (_i(3000, n, 5, seed=s) * (_u(s, n, 5) > 0.1)).astype(np.uint16),
        (_i(5000, n, 5, seed=s + 1) * (_u(s, n, 5) > 0.1)).astype(np.uint16))),
    "block_aggregate_reshape": (block_aggregate, {}, lambda s, n: (_dem(s, n + 1, 7),)),
    "upsample_kron_repeat": (upsample_kron_repeat, {}, lambda s, n: (_dem(s, n, 3),)),
    "fill_nodata_focal_nanmean": (fill_nodata_focal_nanmean, {}, lambda s, n: (
        _with_nodata(s, n, 5),)),
    "ndvi_uint16_wraparound": (ndvi_uint16_raw, {}, lambda s, n: (
        (_i(3000, n, 5, seed=s) + 1).astype(np.uint16),
        (_i(5000, n, 5, seed=s + 1) + 1).astype(np.uint16))),
    "ndvi_divide_out_where": (ndvi_divide_where, {}, lambda s, n: (
        (_i(3000, n, 5, seed=s) * (_u(s, n, 5) > 0.2)).astype(np.uint16),
        (_i(5000, n, 5, seed=s + 1) * (_u(s, n, 5) > 0.2)).astype(np.uint16))),
    "percent_clip_stretch_uint8": (percent_clip_stretch, {}, lambda s, n: (
        _i(4000, n, 5, seed=s).astype(np.uint16),)),
    "bilinear_sample_fancy_index": (bilinear_sample, {}, lambda s, n: (
        _dem(s, n + 2, 6), _u(s, 3 * n) * 5, _u(s + 1, 3 * n) * (n + 1))),
    "rasterize_points_add_at": (rasterize_points_add_at, {"nr": 4, "nc": 5}, lambda s, n: (
        _i(4, 4 * n, seed=s), _i(5, 4 * n, seed=s + 1), _f(4 * n, seed=s))),
    "focal_std_generic_filter": (focal_std_generic_filter, {}, lambda s, n: (
        _dem(s, n, 5),)),
    "patches_ndimage_label": (patches_label, {}, lambda s, n: (_i(3, n, 5, seed=s), 1)),
    "zonal_masked_array_selection_mean": (zonal_masked_selection, {}, lambda s, n: (
        np.where(_u(s, n, 5) < 0.2, -9999.0, _dem(s, n, 5)), _i(3, n, 5, seed=s))),
    "zonal_np_ma_array_of_list": (zonal_masked_where_table, {}, lambda s, n: (
        np.where(_u(s, n, 5) < 0.2, -9999.0, _dem(s, n, 5)), _i(3, n, 5, seed=s))),
}


@pytest.mark.parametrize("name", _names(RASTER))
def test_rasters_match_numpy(name):
    """Focal statistics by sliding_window_view and shifted slices, majority filters, slope,
    aspect, hillshade, curvature, TRI/TPI, D8 directions, zonal statistics by bincount,
    ufunc.at and masks, reclassification, NDVI/NBR, aggregation, upsampling and gap
    filling."""
    check_like_numpy(*RASTER[name])


# ========================================================================== trend surfaces


def trend_surface_design(x, y, z, order=2):
    # the design matrix by hand: 1, x, y, x^2, xy, y^2, fitted by lstsq, R^2
    cols = [np.ones_like(x)]
    for total in range(1, order + 1):
        for j in range(total + 1):
            cols.append(x ** (total - j) * y ** j)
    A = np.column_stack(cols)
    coef, res, rank, sv = np.linalg.lstsq(A, z, rcond=None)
    fitted = A @ coef
    r2 = 1 - np.sum((z - fitted) ** 2) / np.sum((z - z.mean()) ** 2)
    return coef, fitted, r2


def trend_surface_polyvander2d(x, y, z, gx, gy, deg=(2, 2)):
    V = np.polynomial.polynomial.polyvander2d(x, y, deg)
    c = np.linalg.lstsq(V, z, rcond=None)[0].reshape(deg[0] + 1, deg[1] + 1)
    X, Y = np.meshgrid(gx, gy)
    return np.polynomial.polynomial.polyval2d(X, Y, c)


def trend_surface_normal_equations(x, y, z):
    # a first-order surface by the normal equations, centred coordinates
    xc, yc = x - x.mean(), y - y.mean()
    X = np.vstack([np.ones_like(xc), xc, yc]).T
    beta = np.linalg.solve(X.T @ X, X.T @ z)
    resid = z - X @ beta
    sigma2 = resid @ resid / (len(z) - 3)
    se = np.sqrt(np.diag(sigma2 * np.linalg.inv(X.T @ X)))
    return beta, se, resid


def transect_detrend_polyfit(dist, elev, deg=2):
    p = np.polyfit(dist, elev, deg)
    trend = np.polyval(p, dist)
    return elev - trend, p


def transect_polynomial_fit(dist, elev):
    P = np.polynomial.Polynomial.fit(dist, elev, 3)
    return P(dist), P.deriv()(dist)


def legendre_surface(x, y, z):
    # Legendre surfaces on coordinates scaled to [-1, 1]
    xs = 2 * (x - x.min()) / (x.max() - x.min()) - 1
    ys = 2 * (y - y.min()) / (y.max() - y.min()) - 1
    V = np.polynomial.legendre.legvander2d(xs, ys, [2, 1])
    c, *_ = np.linalg.lstsq(V, z, rcond=None)
    return V @ c, c


TREND = {
    "trend_surface_design_lstsq": (trend_surface_design, {}, lambda s, n: (
        *_pts(s, 5 * n).T, _field(_pts(s, 5 * n), s))),
    "trend_surface_polyvander2d_polyval2d": (trend_surface_polyvander2d, {}, lambda s, n: (
        *(_pts(s, 5 * n).T / 100), _field(_pts(s, 5 * n), s), np.linspace(0, 1, n),
        np.linspace(0, 1, 3))),
    "trend_surface_normal_equations_se": (trend_surface_normal_equations, {}, lambda s, n: (
        *_pts(s, 5 * n).T, _field(_pts(s, 5 * n), s))),
    "transect_polyfit_polyval": (transect_detrend_polyfit, {}, lambda s, n: (
        np.linspace(0, 1000, 5 * n), _dem(s, 1, 5 * n)[0])),
    "transect_polynomial_fit_deriv": (transect_polynomial_fit, {}, lambda s, n: (
        np.linspace(0, 1000, 5 * n), _dem(s, 1, 5 * n)[0])),
    "legendre_vander2d": (legendre_surface, {}, lambda s, n: (
        *_pts(s, 5 * n).T, _field(_pts(s, 5 * n), s))),
}


@pytest.mark.parametrize("name", _names(TREND))
def test_trend_surfaces_match_numpy(name):
    """Trend surfaces by hand-built designs, polyvander2d/polyval2d, normal equations with
    standard errors, polyfit/Polynomial.fit on transects and Legendre surfaces."""
    check_like_numpy(*TREND[name])


# -------------------------------------------------------------- Python scalars that steer


def variogram_n_lags_positional(coords, z, n_lags, max_lag):
    return semivariogram_pdist_digitize(coords, z, n_lags, max_lag)


def knn_k_positional(coords, y, k):
    W = knn_weights_argsort(coords, k)
    return morans_i_quadratic(y, W)


def permutation_positional(y, W, n_perm, seed):
    return moran_permutation_seeded(y, W, n_perm, seed)


def focal_size_positional(dem, size):
    return focal_mean_swv(dem, size)


def kde_resolution_positional(pts, nx, bw):
    g = np.linspace(0, 100, nx)
    return kde_gaussian_grid(pts[:, 0], pts[:, 1], g, g, bw)


def trend_order_positional(x, y, z, order):
    return trend_surface_design(x, y, z, order)


def aggregate_factor_positional(raster, f):
    return block_aggregate(raster, f)


def block_discretisation_positional(coords, z, nd):
    return block_kriging(coords, z, np.array([40.0, 60.0]), 20.0, 1.0, 45.0, nd)


STEERED = {
    "variogram_n_lags": (variogram_n_lags_positional, lambda s: (*_sample(s, 20), 4 * s, 80.0)),
    "knn_k": (knn_k_positional, lambda s: (_pts(s, 12), _field(_pts(s, 12), s), 2 + s)),
    "permutations_and_seed": (permutation_positional, lambda s: (
        _field(_pts(s, 12), s), _W_knn(_pts(s, 12)), 10 * s, 7 + s)),
    "focal_window_size": (focal_size_positional, lambda s: (_dem(s, 6, 6), 2 * s + 1)),
    "kde_grid_resolution": (kde_resolution_positional, lambda s: (_pts(s, 15), 4 + s, 12.0)),
    "trend_order": (trend_order_positional, lambda s: (
        *(_pts(s, 20).T / 100), _field(_pts(s, 20), s), s)),
    "aggregate_factor": (aggregate_factor_positional, lambda s: (_dem(s, 8, 8), 2 * s)),
    "block_discretisation": (block_discretisation_positional, lambda s: (
        *_sample(s, 8), s + 1)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Lag counts, neighbour counts, permutation counts and seeds, window sizes, grid
    resolutions, polynomial orders, aggregation factors and discretisations given
    positionally: made static, NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def variogram_unique_lags(coords, z):
    # lags as the distinct rounded distances
    d = np.round(pdist(coords))
    g = 0.5 * pdist(z[:, None]) ** 2
    lags, inv = np.unique(d, return_inverse=True)
    return lags, np.bincount(inv, weights=g) / np.bincount(inv)


def pairs_within_range(coords, z, max_lag):
    d = pdist(coords)
    g = 0.5 * pdist(z[:, None]) ** 2
    keep = d < max_lag
    return d[keep], g[keep]


def kriging_search_neighbourhood(coords, z, x0, radius):
    d = np.linalg.norm(coords - x0, axis=1)
    idx = np.where(d < radius)[0]
    n = len(idx)
    A = np.ones((n + 1, n + 1))
    A[:n, :n] = _sph(cdist(coords[idx], coords[idx]))
    A[n, n] = 0
    b = np.append(_sph(d[idx]), 1.0)
    w = np.linalg.solve(A, b)
    return w[:n] @ z[idx]


def idw_exact_hit_if(coords, z, x0, p=2):
    d = np.linalg.norm(coords - x0, axis=1)
    if d.min() == 0:
        return z[d.argmin()]
    w = d ** -p
    return np.sum(w * z) / np.sum(w)


def moran_permutation_if(y, W, rng, n_perm=20):
    z = y - y.mean()
    obs = z @ W @ z / (z @ z)
    count = 0
    for _ in range(n_perm):
        zp = rng.permutation(z)
        if zp @ W @ zp / (zp @ zp) >= obs:
            count += 1
    return (count + 1) / (n_perm + 1)


def fit_range_until_converged(lags, gamma, a0, tol=1e-6):
    # Gauss-Newton on the exponential range until the step is small
    a = a0
    sill = gamma.max()
    while True:
        f = sill * (1 - np.exp(-lags / a))
        J = -sill * np.exp(-lags / a) * lags / a ** 2
        step = np.sum(J * (gamma - f)) / np.sum(J * J)
        a = a + step
        if abs(step) < tol:
            return a


def zonal_unique_zones(values, zones):
    ids = np.unique(zones)
    return ids, np.array([values[zones == i].mean() for i in ids])


def points_inside_polygon(points, poly):
    return points[pip_ray_casting_broadcast(points, poly)]


def monotone_chain_hull(pts):
    P = pts[np.lexsort((pts[:, 1], pts[:, 0]))]

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower = []
    for p in P:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    return np.array(lower)


def neighbour_lists(W):
    return [np.nonzero(W[i])[0] for i in range(len(W))]


def hot_spots(x, W):
    z, p = getis_ord_gi_star(x, W)
    return np.flatnonzero((z > 0) & (p < 0.2))


def track_resample_interp(lon, lat, step):
    # a track resampled every `step` along its length: the count of stations is a value
    seg = np.hypot(np.diff(lon), np.diff(lat))
    cum = np.r_[0, np.cumsum(seg)]
    s = np.arange(0, cum[-1], step)
    return np.interp(s, cum, lon), np.interp(s, cum, lat)


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "variogram_np_unique_lags": (_DataDependent, variogram_unique_lags, lambda s: _sample(s, 12)),
    "pairs_within_range_returned": (_DataDependent, pairs_within_range, lambda s: (
        *_sample(s, 12), 40.0)),
    "kriging_search_neighbourhood": (_DataDependent, kriging_search_neighbourhood, lambda s: (
        *_sample(s, 15), np.array([50.0, 50.0]), 35.0)),
    "idw_exact_hit_python_if": (_Concretization, idw_exact_hit_if, lambda s: (
        *_sample(s, 10), np.array([50.0, 50.0]))),
    "moran_permutation_python_if": (_Concretization, moran_permutation_if, lambda s: (
        _field(_pts(s, 12), s), _W_knn(_pts(s, 12)), np.random.default_rng(s))),
    "fit_range_while_tolerance": (_Concretization, fit_range_until_converged, lambda s: (
        np.linspace(5, 60, 10), 1 - np.exp(-np.linspace(5, 60, 10) / (20 + s)), 15.0)),
    "zonal_over_np_unique": (_DataDependent, zonal_unique_zones, lambda s: (
        _dem(s, 5, 5), _zones(s, 5, 5))),
    "points_inside_polygon_returned": (_DataDependent, points_inside_polygon, lambda s: (
        _u(s, 20, 2) * 100, _star(s, 7))),
    "monotone_chain_hull_while": (_Concretization, monotone_chain_hull, lambda s: (
        _pts(s, 10),)),
    "neighbour_lists_nonzero": (_DataDependent, neighbour_lists, lambda s: (
        _W_binary(_pts(s, 8)),)),
    "hot_spot_flatnonzero": (_DataDependent, hot_spots, lambda s: (
        _field(_pts(s, 12), s), _W_binary(_pts(s, 12)))),
    "track_resample_arange_length": (_DataDependent, track_resample_interp, lambda s: (
        np.cumsum(_u(s, 12)), np.cumsum(_u(s + 1, 12)), 0.5)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Lags from np.unique, pairs within a range returned, kriging neighbourhoods by
    np.where, an `if` on an exact hit, permutation counts by `if`, a tolerance loop, zones
    over np.unique, the points inside a polygon, a monotone-chain hull, neighbour lists and
    hot-spot indices: the named error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
