"""Corpus, hunt AL: NumPy internals of geodesy and GIS, meteorology, seismology and
oceanography, written the way pyproj/geopy/pymap3d/utm, MetPy, ObsPy and the seawater/gsw
packages (and the course notebooks built on them) write them.

Geodesy and GIS (haversine in its arcsin, arctan2 and scikit-learn pairwise forms, distance
matrices by broadcasting, bearings and geopy's destination point with `(lon + 540) % 360 - 180`,
cross-track and rhumb distances, Vincenty's inverse with a fixed count of lambda iterations on
arrays and ObsPy's `while abs(lamb - last_lamb) > tol and iters < 200` on Python floats,
pymap3d's geodetic/ECEF/ENU/AER/NED conversions with an `Ellipsoid` dataclass (a, f fields and
b, e2, ep2 properties) and a frozen one, Bowring iterations and Heikkinen's closed form on
`(n, 3)` rows, its in-place cleanup `e[abs(e) < 1e-3] = 0.0`, the utm package's from_latlon/
to_latlon with its K0, E, M1..M4, P2..P5 module globals and a zone from `int()` of the mean
longitude, web mercator, OSM tiles by `astype(int)`, longitude wrapping by `np.mod` and `%` and
`np.unwrap` (radians, `period=360`, along an axis), ray-casting point-in-polygon over the vertex
array by `^=` and by `np.roll`, shoelace areas and centroids, spherical polygon areas, bounding
boxes, grid cells by `np.floor(...).astype(int)`, `np.bincount` of `np.ravel_multi_index`,
`np.digitize` with `np.add.at`, `np.meshgrid(..., indexing="ij")`, cos-latitude weights over
`(time, lat, lon)`, n-vector means, GPS speeds, `np.interp(period=360)`, `np.cross`
intersections and bilinear grid lookups); meteorology as MetPy writes it (its constants as
module globals, potential and Bolton equivalent potential temperature, Bolton and Magnus vapour
pressures with keyword coefficients, dewpoints, mixing ratios, virtual temperature, the LCL by
a fixed count of fixed-point steps, wind speed/direction with masked in-place writes and `% 360`,
components written into an `(n, 2)` argument, the Rothfusz heat index by `np.where` and masked
`-=`/`+=` corrections, wind chill, apparent temperature, hypsometric thickness by
`np.trapezoid` over ln p for soundings and `(level, y, x)` columns, a moist adiabat by Euler
steps into an array, parcel profiles, CAPE/CIN by masked positive and negative areas, lapse
rates and Brunt-Vaisala frequency by `np.gradient` along an axis, Coriolis, geostrophic wind,
vorticity and advection by `np.gradient` with scalar spacings and coordinate arrays and by an
interior-point loop, running means by `np.convolve(mode="valid")`, cumsums and a per-column
loop, anomalies by `reshape(-1, 12).mean(axis=0)` for series and grids, standardized and
NaN-aware climatologies, daily totals by `ufunc.reduceat`, Beaufort numbers by `np.digitize`,
log-pressure interpolation, bulk shear and compass points from a string table); seismology as
ObsPy writes it (`classic_sta_lta_py` with `np.require` and `np.finfo(0.0).tiny`, the recursive
STA/LTA filling a list of Python floats, delayed STA/LTA, `z_detect` and `carl_sta_trig` by
loops of `np.concatenate`, STA/LTA over `sliding_window_view`, simple, polynomial, `np.vander`
and multi-trace `lstsq` detrending in place, `cosine_taper`'s index bookkeeping and Hanning
tapers, the analytic signal by an FFT step and by `fftfreq` masks, envelopes and instantaneous
frequency, `invert_spectrum`'s water level by `np.where` tuples on a complex spectrum, response
removal from poles and zeros, lags by `np.argmax(np.correlate(a, b, "full"))` and by FFT,
decimation by slicing, sliding RMS, local and moment magnitudes, Aki's b-value over a
selection, travel times on a grid, Dix velocities, a 1-d eikonal sweep, first breaks by
`np.argmax(mask)`, an AIC picker, spectral whitening, running-absolute-mean
normalisation, spectrograms by `np.hanning` and `rfft` along an axis, NE-RT and ZNE-LQT
rotations, polarisation by `eigvalsh`, Ricker wavelets, synthetic traces, NMO by per-trace
`np.interp`, phase-weighted stacks and int32 counts); oceanography (the seawater package's
EOS-80 `smow`/`dens0`/`seck`/`dens` with many module-level coefficients, `ptmp`'s Runge-Kutta
over `adtg`, `pres`, freezing point and Mackenzie's sound speed, a TEOS-10-like specific volume
summed over a dict of `(i, j, k)` powers, linear equations of state with keyword and dict
coefficients, N^2 by `np.diff` along depth and gsw's `Nsquared` arithmetic, mixed-layer depths
by the first index past a threshold with and without interpolation and by `np.where(...)[0][0]`,
heat content, dynamic height, geostrophic velocities between stations, tidal synthesis over a
dict of (amplitude, phase, speed) constituents, by arrays, by a generator `sum` and at
datetime64 times, harmonic analysis by `lstsq`, tidal ellipses, Large-Pond wind stress, Ekman
transport, `np.histogram2d` T-S diagrams and `polyval2d`); jitted methods of a tide gauge, a
streaming STA/LTA, a local ENU frame and a climatology accumulator.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit` and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Python scalars that steer (`cosine_taper`'s `npts`
and `p`, STA/LTA windows, Vincenty on Python floats, utm zones, tile zooms, grid resolutions,
window lengths and hops, iteration counts, flags) are made static; the forms whose Python
depends on array values (Vincenty's and the LCL's `while` on arrays, MetPy's `if mask.any()`,
ObsPy's `xcorr_max`, `trigger_onset` and `len(idx[0])`, pymap3d's latitude check, `np.ma`,
selections returned) raise a named error and run eagerly under `fallback=True`. Sample loops,
framing by `sliding_window_view` and `ufunc.reduceat` are also checked at working sizes.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names, _Xfail
from test_ops import assert_same

sliding_window_view = np.lib.stride_tricks.sliding_window_view


def _lat(seed, *shape, lim=80.0):
    return np.random.default_rng(seed).uniform(-lim, lim, shape)


def _lon(seed, *shape):
    return np.random.default_rng(seed + 100).uniform(-180.0, 180.0, shape)


def _range(seed, lo, hi, *shape):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


# ========================================================================== geodesy and GIS

# WGS84 as module globals, as pymap3d/geographiclib ports and ObsPy's geodetics keep them
WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563
WGS84_B = WGS84_A * (1 - WGS84_F)
WGS84_E2 = WGS84_F * (2 - WGS84_F)
EARTH_RADIUS_KM = 6371.0088
DEG2RAD = np.pi / 180.0


@dataclasses.dataclass
class Ellipsoid:
    """pymap3d.Ellipsoid: semimajor axis and flattening, the rest as properties."""

    a: float = WGS84_A
    f: float = WGS84_F

    @property
    def b(self):
        return self.a * (1 - self.f)

    @property
    def e2(self):
        return self.f * (2 - self.f)

    @property
    def ep2(self):
        return (self.a ** 2 - self.b ** 2) / self.b ** 2


@dataclasses.dataclass(frozen=True)
class FrozenEllipsoid:
    semimajor_axis: float = 6378137.0
    semiminor_axis: float = 6356752.31424518

    @property
    def flattening(self):
        return (self.semimajor_axis - self.semiminor_axis) / self.semimajor_axis

    @property
    def eccentricity(self):
        return np.sqrt(2 * self.flattening - self.flattening ** 2)


def haversine(lat1, lon1, lat2, lon2, radius=EARTH_RADIUS_KM):
    # the haversine of every GIS tutorial, in degrees in, km out
    lat1, lon1, lat2, lon2 = map(np.radians, [lat1, lon1, lat2, lon2])
    dlat = lat2 - lat1
    dlon = lon2 - lon1
    a = np.sin(dlat / 2.0) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2.0) ** 2
    c = 2 * np.arcsin(np.sqrt(a))
    return radius * c


def haversine_arctan2(lon1, lat1, lon2, lat2):
    # the arctan2 form, one argument of (n, 2) [lon, lat] points
    phi1, phi2 = np.deg2rad(lat1), np.deg2rad(lat2)
    dphi = phi2 - phi1
    dlmb = np.deg2rad(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return 2 * 6371e3 * np.arctan2(np.sqrt(a), np.sqrt(1 - a))


def haversine_points(p, q):
    # scikit-learn's haversine_distances on (n, 2) [lat, lon] in radians, pairwise
    sin_0 = np.sin(0.5 * (q[None, :, 0] - p[:, None, 0]))
    sin_1 = np.sin(0.5 * (q[None, :, 1] - p[:, None, 1]))
    a = sin_0 ** 2 + np.cos(p[:, None, 0]) * np.cos(q[None, :, 0]) * sin_1 ** 2
    return 2 * np.arcsin(np.sqrt(a))


def great_circle_matrix(lats, lons):
    # a distance matrix by broadcasting columns against rows
    lat = np.radians(lats)[:, np.newaxis]
    lon = np.radians(lons)[:, np.newaxis]
    cos_d = (np.sin(lat) * np.sin(lat.T)
             + np.cos(lat) * np.cos(lat.T) * np.cos(lon - lon.T))
    return EARTH_RADIUS_KM * np.arccos(np.clip(cos_d, -1.0, 1.0))


def initial_bearing(lat1, lon1, lat2, lon2):
    # movable-type's bearing, normalised to [0, 360)
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dlon = np.radians(lon2 - lon1)
    x = np.sin(dlon) * np.cos(phi2)
    y = np.cos(phi1) * np.sin(phi2) - np.sin(phi1) * np.cos(phi2) * np.cos(dlon)
    return (np.degrees(np.arctan2(x, y)) + 360) % 360


def destination_point(lat, lon, bearing, distance, radius=EARTH_RADIUS_KM):
    # geopy's great_circle.destination, vectorised
    lat1, lon1 = np.radians(lat), np.radians(lon)
    brg = np.radians(bearing)
    d_div_r = distance / radius
    lat2 = np.arcsin(np.sin(lat1) * np.cos(d_div_r)
                     + np.cos(lat1) * np.sin(d_div_r) * np.cos(brg))
    lon2 = lon1 + np.arctan2(np.sin(brg) * np.sin(d_div_r) * np.cos(lat1),
                             np.cos(d_div_r) - np.sin(lat1) * np.sin(lat2))
    return np.degrees(lat2), (np.degrees(lon2) + 540) % 360 - 180


def move_points_inplace(coords, bearing, distance):
    # a track generator writing the (n, 2) [lat, lon] array it is given
    lat2, lon2 = destination_point(coords[:, 0], coords[:, 1], bearing, distance)
    coords[:, 0] = lat2
    coords[:, 1] = lon2
    return coords.mean(axis=0)


def cross_track_distance(lat1, lon1, lat2, lon2, lat3, lon3, R=6371.0):
    d13 = haversine(lat1, lon1, lat3, lon3, R) / R
    th13 = np.radians(initial_bearing(lat1, lon1, lat3, lon3))
    th12 = np.radians(initial_bearing(lat1, lon1, lat2, lon2))
    return np.arcsin(np.sin(d13) * np.sin(th13 - th12)) * R


def rhumb_distance(lat1, lon1, lat2, lon2, R=6371.0):
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dpsi = np.log(np.tan(np.pi / 4 + phi2 / 2) / np.tan(np.pi / 4 + phi1 / 2))
    q = np.where(np.abs(dpsi) > 10e-12, dphi / np.where(dpsi == 0, 1.0, dpsi), np.cos(phi1))
    dlmb = np.radians(lon2 - lon1)
    dlmb = np.where(np.abs(dlmb) > np.pi, dlmb - np.sign(dlmb) * 2 * np.pi, dlmb)
    return np.sqrt(dphi * dphi + q * q * dlmb * dlmb) * R


def vincenty_inverse(lat1, lon1, lat2, lon2, a=WGS84_A, f=WGS84_F, n_iter=12):
    # Vincenty's inverse with a fixed count of lambda iterations, vectorised
    b = (1 - f) * a
    U1 = np.arctan((1 - f) * np.tan(np.radians(lat1)))
    U2 = np.arctan((1 - f) * np.tan(np.radians(lat2)))
    L = np.radians(lon2 - lon1)
    sinU1, cosU1 = np.sin(U1), np.cos(U1)
    sinU2, cosU2 = np.sin(U2), np.cos(U2)
    lam = L
    for _ in range(n_iter):
        sin_lam, cos_lam = np.sin(lam), np.cos(lam)
        sin_sigma = np.sqrt((cosU2 * sin_lam) ** 2
                            + (cosU1 * sinU2 - sinU1 * cosU2 * cos_lam) ** 2)
        cos_sigma = sinU1 * sinU2 + cosU1 * cosU2 * cos_lam
        sigma = np.arctan2(sin_sigma, cos_sigma)
        sin_alpha = cosU1 * cosU2 * sin_lam / sin_sigma
        cos_sq_alpha = 1 - sin_alpha ** 2
        cos2sm = cos_sigma - 2 * sinU1 * sinU2 / cos_sq_alpha
        C = f / 16 * cos_sq_alpha * (4 + f * (4 - 3 * cos_sq_alpha))
        lam = L + (1 - C) * f * sin_alpha * (
            sigma + C * sin_sigma * (cos2sm + C * cos_sigma * (-1 + 2 * cos2sm ** 2)))
    u_sq = cos_sq_alpha * (a ** 2 - b ** 2) / b ** 2
    A = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    B = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    d_sigma = B * sin_sigma * (cos2sm + B / 4 * (cos_sigma * (-1 + 2 * cos2sm ** 2)
                                                 - B / 6 * cos2sm * (-3 + 4 * sin_sigma ** 2)
                                                 * (-3 + 4 * cos2sm ** 2)))
    s = b * A * (sigma - d_sigma)
    az1 = np.arctan2(cosU2 * np.sin(lam), cosU1 * sinU2 - sinU1 * cosU2 * np.cos(lam))
    return s, np.degrees(az1) % 360


def vincenty_inverse_ellipsoid(lat1, lon1, lat2, lon2, ell):
    # the same with an Ellipsoid object's a and f
    return vincenty_inverse(lat1, lon1, lat2, lon2, a=ell.a, f=ell.f, n_iter=10)


def vincenty_while_scalar(lat1, lon1, lat2, lon2, tol=1e-12, max_iter=200):
    # ObsPy calc_vincenty_inverse: `while abs(lamb - last_lamb) > tol and iters < 200`
    a, f = WGS84_A, WGS84_F
    b = a * (1 - f)
    tan_u1 = (1 - f) * np.tan(np.radians(lat1))
    tan_u2 = (1 - f) * np.tan(np.radians(lat2))
    u_1, u_2 = np.arctan(tan_u1), np.arctan(tan_u2)
    dlon = np.radians(lon2 - lon1)
    last_lamb = -4000000.0
    lamb = dlon
    iters = 0
    while abs(lamb - last_lamb) > tol and iters < max_iter:
        sqr_sin_sigma = (np.cos(u_2) * np.sin(lamb)) ** 2 + (
            np.cos(u_1) * np.sin(u_2) - np.sin(u_1) * np.cos(u_2) * np.cos(lamb)) ** 2
        sin_sigma = np.sqrt(sqr_sin_sigma)
        cos_sigma = np.sin(u_1) * np.sin(u_2) + np.cos(u_1) * np.cos(u_2) * np.cos(lamb)
        sigma = np.arctan2(sin_sigma, cos_sigma)
        sin_alpha = np.cos(u_1) * np.cos(u_2) * np.sin(lamb) / np.sin(sigma)
        cos_sq_alpha = 1 - sin_alpha ** 2
        cos2sigma_m = cos_sigma - 2 * np.sin(u_1) * np.sin(u_2) / cos_sq_alpha
        c = (f / 16) * cos_sq_alpha * (4 + f * (4 - 3 * cos_sq_alpha))
        last_lamb = lamb
        lamb = dlon + (1 - c) * f * sin_alpha * (
            sigma + c * sin_sigma * (cos2sigma_m + c * cos_sigma * (-1 + 2 * cos2sigma_m ** 2)))
        iters += 1
    u2 = cos_sq_alpha * (a * a - b * b) / (b * b)
    A = 1 + (u2 / 16384) * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
    B = (u2 / 1024) * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
    delta_sigma = B * sin_sigma * (cos2sigma_m + (B / 4) * (
        cos_sigma * (-1 + 2 * cos2sigma_m ** 2)
        - (B / 6) * cos2sigma_m * (-3 + 4 * sin_sigma ** 2) * (-3 + 4 * cos2sigma_m ** 2)))
    return b * A * (sigma - delta_sigma), iters


def vincenty_while_arrays(lat1, lon1, lat2, lon2, tol=1e-12, max_iter=200):
    # vectorised, converging while the largest change exceeds tol: `while` on array values
    u_1 = np.arctan((1 - WGS84_F) * np.tan(np.radians(lat1)))
    u_2 = np.arctan((1 - WGS84_F) * np.tan(np.radians(lat2)))
    L = np.radians(lon2 - lon1)
    lam, lam_prev, it = L, L + 1.0, 0
    while np.max(np.abs(lam - lam_prev)) > tol and it < max_iter:
        s_l, c_l = np.sin(lam), np.cos(lam)
        sin_s = np.hypot(np.cos(u_2) * s_l, np.cos(u_1) * np.sin(u_2)
                         - np.sin(u_1) * np.cos(u_2) * c_l)
        cos_s = np.sin(u_1) * np.sin(u_2) + np.cos(u_1) * np.cos(u_2) * c_l
        sigma = np.arctan2(sin_s, cos_s)
        sin_a = np.cos(u_1) * np.cos(u_2) * s_l / sin_s
        c2a = 1 - sin_a ** 2
        c2m = cos_s - 2 * np.sin(u_1) * np.sin(u_2) / c2a
        C = WGS84_F / 16 * c2a * (4 + WGS84_F * (4 - 3 * c2a))
        lam_prev = lam
        lam = L + (1 - C) * WGS84_F * sin_a * (sigma + C * sin_s * (c2m + C * cos_s))
        it += 1
    return lam


def geodetic2ecef(lat, lon, alt, ell=None, deg=True):
    # pymap3d.ecef.geodetic2ecef
    if ell is None:
        ell = Ellipsoid()
    if deg:
        lat = np.radians(lat)
        lon = np.radians(lon)
    N = ell.a ** 2 / np.sqrt(ell.a ** 2 * np.cos(lat) ** 2 + ell.b ** 2 * np.sin(lat) ** 2)
    x = (N + alt) * np.cos(lat) * np.cos(lon)
    y = (N + alt) * np.cos(lat) * np.sin(lon)
    z = (N * (ell.b / ell.a) ** 2 + alt) * np.sin(lat)
    return x, y, z


def geodetic2ecef_frozen(lat, lon, alt, ell):
    a, e = ell.semimajor_axis, ell.eccentricity
    lat, lon = np.radians(lat), np.radians(lon)
    N = a / np.sqrt(1 - e ** 2 * np.sin(lat) ** 2)
    return np.stack([(N + alt) * np.cos(lat) * np.cos(lon),
                     (N + alt) * np.cos(lat) * np.sin(lon),
                     (N * (1 - e ** 2) + alt) * np.sin(lat)], axis=-1)


def lla_to_ecef_rows(lla):
    # (n, 3) [lat, lon, alt] rows to (n, 3) ECEF with the module-level WGS84 constants
    lat, lon = np.radians(lla[:, 0]), np.radians(lla[:, 1])
    alt = lla[:, 2]
    N = WGS84_A / np.sqrt(1 - WGS84_E2 * np.sin(lat) ** 2)
    xyz = np.empty_like(lla)
    xyz[:, 0] = (N + alt) * np.cos(lat) * np.cos(lon)
    xyz[:, 1] = (N + alt) * np.cos(lat) * np.sin(lon)
    xyz[:, 2] = (N * (1 - WGS84_E2) + alt) * np.sin(lat)
    return xyz


def ecef2geodetic_bowring(x, y, z, n_iter=5):
    # ECEF to geodetic by a fixed count of latitude iterations
    lon = np.arctan2(y, x)
    p = np.hypot(x, y)
    lat = np.arctan2(z, p * (1 - WGS84_E2))
    for _ in range(n_iter):
        N = WGS84_A / np.sqrt(1 - WGS84_E2 * np.sin(lat) ** 2)
        alt = p / np.cos(lat) - N
        lat = np.arctan2(z, p * (1 - WGS84_E2 * N / (N + alt)))
    N = WGS84_A / np.sqrt(1 - WGS84_E2 * np.sin(lat) ** 2)
    alt = p / np.cos(lat) - N
    return np.degrees(lat), np.degrees(lon), alt


def ecef2geodetic_heikkinen(xyz):
    # Heikkinen's closed form over (n, 3) rows
    x, y, z = xyz[:, 0], xyz[:, 1], xyz[:, 2]
    a, b, e2 = WGS84_A, WGS84_B, WGS84_E2
    ep2 = (a ** 2 - b ** 2) / b ** 2
    r = np.sqrt(x ** 2 + y ** 2)
    F = 54 * b ** 2 * z ** 2
    G = r ** 2 + (1 - e2) * z ** 2 - e2 * (a ** 2 - b ** 2)
    c = e2 ** 2 * F * r ** 2 / G ** 3
    s = np.cbrt(1 + c + np.sqrt(c ** 2 + 2 * c))
    P = F / (3 * (s + 1 / s + 1) ** 2 * G ** 2)
    Q = np.sqrt(1 + 2 * e2 ** 2 * P)
    r0 = (-(P * e2 * r) / (1 + Q)
          + np.sqrt(0.5 * a ** 2 * (1 + 1 / Q) - P * (1 - e2) * z ** 2 / (Q * (1 + Q))
                    - 0.5 * P * r ** 2))
    U = np.sqrt((r - e2 * r0) ** 2 + z ** 2)
    V = np.sqrt((r - e2 * r0) ** 2 + (1 - e2) * z ** 2)
    z0 = b ** 2 * z / (a * V)
    h = U * (1 - b ** 2 / (a * V))
    lat = np.arctan((z + ep2 * z0) / r)
    lon = np.arctan2(y, x)
    return np.column_stack([np.degrees(lat), np.degrees(lon), h])


def uvw2enu(u, v, w, lat0, lon0, deg=True):
    # pymap3d.ecef.uvw2enu
    if deg:
        lat0 = np.radians(lat0)
        lon0 = np.radians(lon0)
    t = np.cos(lon0) * u + np.sin(lon0) * v
    East = -np.sin(lon0) * u + np.cos(lon0) * v
    Up = np.cos(lat0) * t + np.sin(lat0) * w
    North = -np.sin(lat0) * t + np.cos(lat0) * w
    return East, North, Up


def ecef2enu(x, y, z, lat0, lon0, h0, ell=None, deg=True):
    # pymap3d.enu.ecef2enu: the reference point's ECEF, then the rotation
    x0, y0, z0 = geodetic2ecef(lat0, lon0, h0, ell, deg=deg)
    return uvw2enu(x - x0, y - y0, z - z0, lat0, lon0, deg=deg)


def geodetic2enu(lat, lon, h, lat0, lon0, h0, ell=None):
    x1, y1, z1 = geodetic2ecef(lat, lon, h, ell)
    x2, y2, z2 = geodetic2ecef(lat0, lon0, h0, ell)
    return uvw2enu(x1 - x2, y1 - y2, z1 - z2, lat0, lon0)


def enu2aer(e, n, u, deg=True):
    # pymap3d.aer.enu2aer, with its tiny-value cleanup written in place
    e = np.asarray(e).copy()
    n = np.asarray(n).copy()
    u = np.asarray(u).copy()
    e[abs(e) < 1e-3] = 0.0
    n[abs(n) < 1e-3] = 0.0
    u[abs(u) < 1e-3] = 0.0
    r = np.hypot(e, n)
    slantRange = np.hypot(r, u)
    elev = np.arctan2(u, r)
    az = np.arctan2(e, n) % (2 * np.pi)
    if deg:
        az = np.degrees(az)
        elev = np.degrees(elev)
    return az, elev, slantRange


def aer2enu(az, el, srange, deg=True):
    if deg:
        el = np.radians(el)
        az = np.radians(az)
    r = srange * np.cos(el)
    return r * np.sin(az), r * np.cos(az), srange * np.sin(el)


def rotation_ecef_to_ned(lat0, lon0):
    # the (3, 3) rotation of navigation code, built by np.array of traced scalars
    phi, lam = np.radians(lat0), np.radians(lon0)
    return np.array([
        [-np.sin(phi) * np.cos(lam), -np.sin(phi) * np.sin(lam), np.cos(phi)],
        [-np.sin(lam), np.cos(lam), 0.0],
        [-np.cos(phi) * np.cos(lam), -np.cos(phi) * np.sin(lam), -np.sin(phi)]])


def ecef_to_ned_rows(xyz, ref_lla):
    # (n, 3) ECEF rows to NED about a reference [lat, lon, alt]
    ref = lla_to_ecef_rows(ref_lla[np.newaxis, :])[0]
    R = rotation_ecef_to_ned(ref_lla[0], ref_lla[1])
    return (xyz - ref) @ R.T


def ned_to_enu_inplace(ned):
    # swap N and E and negate D, writing the (n, 3) argument
    ned[:, [0, 1]] = ned[:, [1, 0]]
    ned[:, 2] *= -1
    return ned


# utm package constants: module globals used by its from_latlon
K0 = 0.9996
E = 0.00669438
E2 = E * E
E3 = E2 * E
E_P2 = E / (1 - E)
SQRT_E = np.sqrt(1 - E)
_E = (1 - SQRT_E) / (1 + SQRT_E)
M1 = 1 - E / 4 - 3 * E2 / 64 - 5 * E3 / 256
M2 = 3 * E / 8 + 3 * E2 / 32 + 45 * E3 / 1024
M3 = 15 * E2 / 256 + 45 * E3 / 1024
M4 = 35 * E3 / 3072
R_UTM = 6378137
P2 = 3.0 / 2 * _E - 27.0 / 32 * _E ** 3 + 269.0 / 512 * _E ** 5
P3 = 21.0 / 16 * _E ** 2 - 55.0 / 32 * _E ** 4
P4 = 151.0 / 96 * _E ** 3 - 417.0 / 128 * _E ** 5
P5 = 1097.0 / 512 * _E ** 4


def zone_number_to_central_longitude(zone_number):
    return (zone_number - 1) * 6 - 180 + 3


def from_latlon(latitude, longitude, force_zone_number=None):
    # utm.from_latlon with a forced zone, arrays in
    lat_rad = np.radians(latitude)
    lat_sin = np.sin(lat_rad)
    lat_cos = np.cos(lat_rad)
    lat_tan = lat_sin / lat_cos
    lat_tan2 = lat_tan * lat_tan
    lat_tan4 = lat_tan2 * lat_tan2
    if force_zone_number is None:
        zone_number = int((np.mean(longitude) + 180) / 6) + 1
    else:
        zone_number = force_zone_number
    lon_rad = np.radians(longitude)
    central_lon = zone_number_to_central_longitude(zone_number)
    central_lon_rad = math.radians(central_lon)
    n = R_UTM / np.sqrt(1 - E * lat_sin ** 2)
    c = E_P2 * lat_cos ** 2
    a = lat_cos * (lon_rad - central_lon_rad + np.pi) % (2 * np.pi) - np.pi * lat_cos
    m = R_UTM * (M1 * lat_rad - M2 * np.sin(2 * lat_rad) + M3 * np.sin(4 * lat_rad)
                 - M4 * np.sin(6 * lat_rad))
    easting = K0 * n * (a + a ** 3 / 6 * (1 - lat_tan2 + c)
                        + a ** 5 / 120 * (5 - 18 * lat_tan2 + lat_tan4 + 72 * c - 58 * E_P2)
                        ) + 500000
    northing = K0 * (m + n * lat_tan * (a ** 2 / 2 + a ** 4 / 24 * (5 - lat_tan2 + 9 * c
                                                                    + 4 * c ** 2)
                                        + a ** 6 / 720 * (61 - 58 * lat_tan2 + lat_tan4
                                                          + 600 * c - 330 * E_P2)))
    northing = np.where(latitude < 0, northing + 10000000, northing)
    return easting, northing, zone_number


def to_latlon(easting, northing, zone_number, northern=True):
    # utm.to_latlon, its footpoint latitude by the P2..P5 series
    x = easting - 500000
    y = northing
    if not northern:
        y = y - 10000000
    m = y / K0
    mu = m / (R_UTM * M1)
    p_rad = (mu + P2 * np.sin(2 * mu) + P3 * np.sin(4 * mu) + P4 * np.sin(6 * mu)
             + P5 * np.sin(8 * mu))
    p_sin = np.sin(p_rad)
    p_sin2 = p_sin * p_sin
    p_cos = np.cos(p_rad)
    p_tan = p_sin / p_cos
    p_tan2 = p_tan * p_tan
    p_tan4 = p_tan2 * p_tan2
    ep_sin = 1 - E * p_sin2
    ep_sin_sqrt = np.sqrt(1 - E * p_sin2)
    n = R_UTM / ep_sin_sqrt
    r = (1 - E) / ep_sin
    c = E_P2 * p_cos ** 2
    c2 = c * c
    d = x / (n * K0)
    d2 = d * d
    d3 = d2 * d
    d4 = d3 * d
    d5 = d4 * d
    d6 = d5 * d
    latitude = (p_rad - (p_tan / r) * (d2 / 2 - d4 / 24 * (5 + 3 * p_tan2 + 10 * c - 4 * c2
                                                           - 9 * E_P2))
                + d6 / 720 * (61 + 90 * p_tan2 + 298 * c + 45 * p_tan4 - 252 * E_P2 - 3 * c2))
    longitude = (d - d3 / 6 * (1 + 2 * p_tan2 + c)
                 + d5 / 120 * (5 - 2 * c + 28 * p_tan2 - 3 * c2 + 8 * E_P2 + 24 * p_tan4)
                 ) / p_cos
    longitude = (longitude + np.radians(zone_number_to_central_longitude(zone_number))
                 + np.pi) % (2 * np.pi) - np.pi
    return np.degrees(latitude), np.degrees(longitude)


def utm_round_trip(lat, lon):
    e, n, z = from_latlon(lat, lon, force_zone_number=33)
    return to_latlon(e, n, z)


def web_mercator(lon, lat):
    # EPSG:3857 forward, as pyproj's Transformer gives it for spherical mercator
    x = np.radians(lon) * 6378137.0
    y = np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * 6378137.0
    return x, y


def web_mercator_inverse(x, y):
    lon = np.degrees(x / 6378137.0)
    lat = np.degrees(2 * np.arctan(np.exp(y / 6378137.0)) - np.pi / 2)
    return lon, lat


def slippy_tiles(lon, lat, zoom):
    # OSM tile numbers as the wiki writes them, with astype(int)
    n = 2 ** zoom
    lat_rad = np.radians(lat)
    xtile = ((lon + 180.0) / 360.0 * n).astype(int)
    ytile = ((1.0 - np.arcsinh(np.tan(lat_rad)) / np.pi) / 2.0 * n).astype(int)
    return xtile, ytile


def wrap_lon(lon):
    return np.mod(lon + 180, 360) - 180


def wrap_lon_percent(lon):
    # the `%` form, and the 180 edge case set back to 180 in place
    wrapped = (lon + 180) % 360 - 180
    wrapped[(wrapped == -180) & (lon > 0)] = 180
    return wrapped


def unwrap_track(lon):
    # a dateline-crossing track made continuous, in degrees
    return np.degrees(np.unwrap(np.radians(lon)))


def unwrap_track_axis(lon):
    # tracks on rows, unwrapped along axis 1, then the spans
    u = np.unwrap(lon, period=360.0, axis=1)
    return u, u.max(axis=1) - u.min(axis=1)


def point_in_polygon(x, y, poly):
    # ray casting over the vertex array, one Python loop over edges, all points at once
    n = len(poly)
    inside = np.zeros(x.shape, dtype=bool)
    j = n - 1
    for i in range(n):
        xi, yi = poly[i]
        xj, yj = poly[j]
        intersect = ((yi > y) != (yj > y)) & (x < (xj - xi) * (y - yi) / (yj - yi) + xi)
        inside ^= intersect
        j = i
    return inside


def point_in_polygon_vectorised(points, poly):
    # all edges at once, by np.roll of the vertices
    xi, yi = poly[:, 0], poly[:, 1]
    xj, yj = np.roll(xi, 1), np.roll(yi, 1)
    px, py = points[:, 0:1], points[:, 1:2]
    crosses = ((yi > py) != (yj > py)) & (px < (xj - xi) * (py - yi) / (yj - yi) + xi)
    return np.count_nonzero(crosses, axis=1) % 2 == 1


def shoelace_area(x, y):
    return 0.5 * np.abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))


def shoelace_signed(poly):
    # signed area and centroid of an (n, 2) ring
    x, y = poly[:, 0], poly[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y
    area = cross.sum() / 2.0
    cx = ((x + x1) * cross).sum() / (6.0 * area)
    cy = ((y + y1) * cross).sum() / (6.0 * area)
    return area, np.array([cx, cy])


def spherical_polygon_area(lats, lons, radius=6371008.8):
    # the "sum of (lon2 - lon1)(2 + sin lat1 + sin lat2)" area of GIS scripts
    lat, lon = np.radians(lats), np.radians(lons)
    lat2, lon2 = np.roll(lat, -1), np.roll(lon, -1)
    total = np.sum((lon2 - lon) * (2 + np.sin(lat) + np.sin(lat2)))
    return np.abs(total * radius ** 2 / 2.0)


def bounding_box(coords, pad=0.0):
    # (min_lon, min_lat, max_lon, max_lat) of (n, 2) points, padded
    mn = coords.min(axis=0) - pad
    mx = coords.max(axis=0) + pad
    return np.concatenate([mn, mx])


def grid_cell_index(lat, lon, lat0=-90.0, lon0=-180.0, res=2.5):
    # the cell of a regular grid by np.floor and astype(int), flattened
    row = np.floor((lat - lat0) / res).astype(int)
    col = np.floor((lon - lon0) / res).astype(int)
    ncol = int(360 / res)
    return row, col, row * ncol + col


def grid_counts(lat, lon, res=30.0):
    # points per cell by np.bincount of flat indices with minlength
    nrow, ncol = int(180 / res), int(360 / res)
    row = np.clip(((lat + 90) // res).astype(int), 0, nrow - 1)
    col = np.clip(((lon + 180) // res).astype(int), 0, ncol - 1)
    flat = np.ravel_multi_index((row, col), (nrow, ncol))
    return np.bincount(flat, minlength=nrow * ncol).reshape(nrow, ncol)


def digitize_latlon(lat, lon, values):
    # np.digitize into lat/lon bins and a sum per bin by np.add.at
    lat_bins = np.arange(-90, 91, 45)
    lon_bins = np.arange(-180, 181, 90)
    i = np.digitize(lat, lat_bins) - 1
    j = np.digitize(lon, lon_bins) - 1
    total = np.zeros((len(lat_bins) - 1, len(lon_bins) - 1))
    np.add.at(total, (i, j), values)
    return i, j, total


def grid_distance_to_point(lat_c, lon_c, nlat, nlon):
    # a meshgrid with indexing="ij" and the haversine to a point on every node
    lats = np.linspace(-60, 60, nlat)
    lons = np.linspace(-150, 150, nlon)
    LAT, LON = np.meshgrid(lats, lons, indexing="ij")
    return haversine(LAT, LON, lat_c, lon_c)


def area_weighted_mean(field, lat):
    # the cos(lat) weighted mean of (time, lat, lon) climate fields
    w = np.cos(np.deg2rad(lat))
    return (field * w[None, :, None]).sum(axis=(1, 2)) / (w.sum() * field.shape[2])


def nvector_mean(lat, lon):
    # the mean position via n-vectors
    phi, lam = np.radians(lat), np.radians(lon)
    nv = np.stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)], axis=1)
    m = nv.sum(axis=0)
    m /= np.linalg.norm(m)
    return np.degrees(np.arctan2(m[2], np.hypot(m[0], m[1]))), np.degrees(np.arctan2(m[1],
                                                                                     m[0]))


def track_speeds(lat, lon, t):
    # GPS fixes to speeds (km/h), the first one copied from the second
    d = haversine(lat[:-1], lon[:-1], lat[1:], lon[1:])
    v = np.empty_like(lat)
    v[1:] = d / (np.diff(t) / 3600.0)
    v[0] = v[1]
    return v


def ellipsoid_radii(lat, ell):
    # meridional and prime-vertical radii of curvature from an Ellipsoid's properties
    s = np.sin(np.radians(lat))
    w = np.sqrt(1 - ell.e2 * s ** 2)
    return ell.a * (1 - ell.e2) / w ** 3, ell.a / w


def geoid_bilinear(grid, lat, lon, res):
    # bilinear interpolation on a global (nlat, nlon) grid by floor and fractional parts
    fi = (lat + 90.0) / res
    fj = (lon + 180.0) / res
    i = np.floor(fi).astype(int)
    j = np.floor(fj).astype(int)
    di, dj = fi - i, fj - j
    i1 = np.minimum(i + 1, grid.shape[0] - 1)
    j1 = (j + 1) % grid.shape[1]
    return ((1 - di) * (1 - dj) * grid[i, j] + di * (1 - dj) * grid[i1, j]
            + (1 - di) * dj * grid[i, j1] + di * dj * grid[i1, j1])


DIR_STRS = np.array(["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW",
                     "W", "WNW", "NW", "NNW"])


def angle_to_direction(degrees):
    # MetPy-style compass points: a module-level string table indexed by the sector
    return DIR_STRS[((degrees + 11.25) // 22.5).astype(int) % 16]


def angle_to_direction_take(degrees):
    return np.take(DIR_STRS, ((degrees + 11.25) // 22.5).astype(int) % 16)


def angle_to_direction_local(degrees):
    # the table made inside the function
    dirs = np.array(["N", "NE", "E", "SE", "S", "SW", "W", "NW"])
    return dirs[((degrees + 22.5) // 45).astype(int) % 8]


def interp_longitudes(lon_q, lon, values):
    # values on a periodic longitude axis, np.interp with period=360
    return np.interp(lon_q, lon, values, period=360)


def great_circle_intersection(p1, p2, q1, q2):
    # the intersection of two great circles from (n, 3) unit vectors by np.cross
    n1, n2 = np.cross(p1, p2), np.cross(q1, q2)
    i = np.cross(n1, n2)
    return i / np.linalg.norm(i, axis=-1, keepdims=True)


def _grid(seed, n):
    return _f(7, 13, seed=seed)


GEO = {
    "haversine": (haversine, {}, lambda s, n: (_lat(s, n), _lon(s, n), _lat(s + 1, n),
                                               _lon(s + 1, n))),
    "haversine_radius_keyword": (haversine, {}, lambda s, n: (
        _lat(s, n), _lon(s, n), 10.0, 20.0, 3958.8)),
    "haversine_float32": (haversine, {}, lambda s, n: (
        _lat(s, n).astype(np.float32), _lon(s, n).astype(np.float32),
        _lat(s + 1, n).astype(np.float32), _lon(s + 1, n).astype(np.float32))),
    "haversine_int_degrees": (haversine, {}, lambda s, n: (
        _i(80, n, seed=s), _i(170, n, seed=s + 1), _i(80, n, seed=s + 2) - 40, 5)),
    "haversine_arctan2": (haversine_arctan2, {}, lambda s, n: (
        _lon(s, n), _lat(s, n), _lon(s + 1, n), _lat(s + 1, n))),
    "sklearn_haversine_pairwise": (haversine_points, {}, lambda s, n: (
        np.radians(np.column_stack([_lat(s, n), _lon(s, n)])),
        np.radians(np.column_stack([_lat(s + 1, 3), _lon(s + 1, 3)])))),
    "great_circle_matrix": (great_circle_matrix, {}, lambda s, n: (_lat(s, n), _lon(s, n))),
    "initial_bearing": (initial_bearing, {}, lambda s, n: (
        _lat(s, n), _lon(s, n), _lat(s + 1, n), _lon(s + 1, n))),
    "destination_point": (destination_point, {}, lambda s, n: (
        _lat(s, n), _lon(s, n), _range(s, 0, 360, n), _range(s + 1, 0, 5000, n))),
    "destination_point_scalar_start": (destination_point, {}, lambda s, n: (
        52.2, 0.12, np.linspace(0, 360, n, endpoint=False), 100.0, 6371.0)),
    "move_points_inplace": (move_points_inplace, {}, lambda s, n: (
        np.column_stack([_lat(s, n), _lon(s, n)]), 45.0, _range(s, 0, 100, n))),
    "cross_track_distance": (cross_track_distance, {}, lambda s, n: (
        53.3, -1.7, 53.1, 0.1, _lat(s, n, lim=60), _lon(s, n))),
    "rhumb_distance": (rhumb_distance, {}, lambda s, n: (
        _lat(s, n, lim=70), _lon(s, n), _lat(s + 1, n, lim=70), _lon(s + 1, n))),
    "vincenty_fixed_iterations": (vincenty_inverse, {}, lambda s, n: (
        _lat(s, n), _lon(s, n, ) * 0.5, _lat(s + 1, n), _lon(s + 1, n) * 0.5)),
    "vincenty_a_f_keywords_traced": (vincenty_inverse, {}, lambda s, n: (
        _lat(s, n), _lon(s, n) * 0.5, _lat(s + 1, n), _lon(s + 1, n) * 0.5, 6378206.4,
        1 / 294.978698214)),
    "vincenty_ellipsoid_object": (vincenty_inverse_ellipsoid, {}, lambda s, n: (
        _lat(s, n), _lon(s, n) * 0.5, _lat(s + 1, n), _lon(s + 1, n) * 0.5,
        Ellipsoid(6378388.0, 1 / 297.0))),
    "geodetic2ecef_ellipsoid_object": (geodetic2ecef, {}, lambda s, n: (
        _lat(s, n, 3), _lon(s, n, 3), 100.0, Ellipsoid(6378137.0, 1 / 298.257222101))),
    "geodetic2ecef_frozen_dataclass": (geodetic2ecef_frozen, {}, lambda s, n: (
        _lat(s, n), _lon(s, n), _range(s, 0, 100, n), FrozenEllipsoid())),
    "geodetic2ecef_float32": (geodetic2ecef, {}, lambda s, n: (
        _lat(s, n).astype(np.float32), _lon(s, n).astype(np.float32), np.float32(10.0))),
    "ecef2geodetic_bowring": (ecef2geodetic_bowring, {}, lambda s, n: geodetic2ecef(
        _lat(s, n), _lon(s, n), _range(s, 0, 5000, n))),
    "ecef2geodetic_heikkinen": (ecef2geodetic_heikkinen, {}, lambda s, n: (lla_to_ecef_rows(
        np.column_stack([_lat(s, n), _lon(s, n), _range(s, 0, 1000, n)])),)),
    "ecef2enu": (ecef2enu, {}, lambda s, n: (
        *geodetic2ecef(_lat(s, n, lim=1) + 45, _lon(s, n) * 0.01, _range(s, 0, 500, n)),
        45.0, 0.0, 10.0)),
    "geodetic2enu_grid_ellipsoid": (geodetic2enu, {}, lambda s, n: (
        _lat(s, n, 4, lim=1), _lon(s, n, 4) * 0.01, 0.0, 0.0, 0.0, 0.0, Ellipsoid())),
    "enu2aer_inplace_cleanup": (enu2aer, {}, lambda s, n: (
        np.r_[1e-4, _f(n, seed=s) * 100], np.r_[5.0, _f(n, seed=s + 1) * 100],
        np.r_[-2e-4, _f(n, seed=s + 2) * 10])),
    "aer_round_trip": (lambda az, el, r: enu2aer(*aer2enu(az, el, r)), {}, lambda s, n: (
        _range(s, 0, 359, n), _range(s, 5, 85, n), _range(s, 10, 1000, n))),
    "ecef_to_ned_rows": (ecef_to_ned_rows, {}, lambda s, n: (
        lla_to_ecef_rows(np.column_stack([_lat(s, n, lim=1) + 10, _lon(s, n) * 0.01,
                                          _range(s, 0, 100, n)])), np.array([10.0, 0.0, 0.0]))),
    "ned_to_enu_inplace": (ned_to_enu_inplace, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "utm_round_trip": (utm_round_trip, {}, lambda s, n: (
        _range(s, 1, 60, n), _range(s, 12, 18, n))),
    "utm_to_latlon_southern": (to_latlon, {"zone_number": 19, "northern": False},
                               lambda s, n: (_range(s, 3e5, 7e5, n), _range(s, 6e6, 9e6, n))),
    "web_mercator_inverse": (web_mercator_inverse, {}, lambda s, n: web_mercator(
        _lon(s, n), _lat(s, n, lim=85))),
    "slippy_tiles_zoom_static": (slippy_tiles, {"zoom": 10}, lambda s, n: (
        _lon(s, n), _lat(s, n, lim=85))),
    "wrap_lon_np_mod": (wrap_lon, {}, lambda s, n: (_range(s, -720, 720, n, 2),)),
    "wrap_lon_percent_inplace_edge": (wrap_lon_percent, {}, lambda s, n: (
        np.concatenate([[180.0, -180.0, 540.0], _range(s, -720, 720, n)]),)),
    "unwrap_track_radians": (unwrap_track, {}, lambda s, n: (
        wrap_lon(170 + np.cumsum(_range(s, 0, 8, 3 * n))),)),
    "unwrap_tracks_axis_1": (unwrap_track_axis, {}, lambda s, n: (
        wrap_lon(170 + np.cumsum(_range(s, -8, 8, 3, 2 * n), axis=1)),)),
    "point_in_polygon_ray_casting": (point_in_polygon, {}, lambda s, n: (
        _range(s, -2, 2, n * 3), _range(s + 1, -2, 2, n * 3),
        np.array([[0.0, -1.5], [1.6, -0.2], [0.9, 1.4], [-1.1, 1.2], [-1.4, -0.7]]))),
    "point_in_polygon_vectorised": (point_in_polygon_vectorised, {}, lambda s, n: (
        _range(s, -2, 2, n * 3, 2), _range(s + 7, -1.5, 1.5, 6, 2))),
    "shoelace_area": (shoelace_area, {}, lambda s, n: (
        np.cos(np.linspace(0, 2 * np.pi, n + 3, endpoint=False)) * _range(s, 1, 2, n + 3),
        np.sin(np.linspace(0, 2 * np.pi, n + 3, endpoint=False)) * _range(s, 1, 2, n + 3))),
    "shoelace_signed_centroid": (shoelace_signed, {}, lambda s, n: (np.column_stack([
        np.cos(np.linspace(0, 2 * np.pi, n + 3, endpoint=False)) * _range(s, 1, 2, n + 3),
        np.sin(np.linspace(0, 2 * np.pi, n + 3, endpoint=False)) * _range(s, 1, 2, n + 3)
    ]),)),
    "spherical_polygon_area": (spherical_polygon_area, {}, lambda s, n: (
        10 * np.sin(np.linspace(0, 2 * np.pi, n + 3, endpoint=False)) + _range(s, -1, 1, n + 3),
        10 * np.cos(np.linspace(0, 2 * np.pi, n + 3, endpoint=False)))),
    "bounding_box_pad_positional": (bounding_box, {}, lambda s, n: (
        np.column_stack([_lon(s, n), _lat(s, n)]), 0.5)),
    "grid_cell_index": (grid_cell_index, {}, lambda s, n: (_lat(s, n), _lon(s, n))),
    "grid_counts_bincount": (grid_counts, {}, lambda s, n: (_lat(s, 5 * n), _lon(s, 5 * n))),
    "digitize_latlon_add_at": (digitize_latlon, {}, lambda s, n: (
        _lat(s, 3 * n), _lon(s, 3 * n), _f(3 * n, seed=s))),
    "grid_distance_meshgrid_ij": (grid_distance_to_point, {"nlat": 5, "nlon": 7},
                                  lambda s, n: (_lat(s), _lon(s))),
    "area_weighted_mean_time_lat_lon": (area_weighted_mean, {}, lambda s, n: (
        _f(3, n, 8, seed=s), np.linspace(-80, 80, n))),
    "nvector_mean_position": (nvector_mean, {}, lambda s, n: (_lat(s, n, lim=30) + 40,
                                                              _lon(s, n) * 0.1)),
    "track_speeds_int_times": (track_speeds, {}, lambda s, n: (
        _lat(s, n, lim=1) + 50, _lon(s, n) * 0.01, np.cumsum(_i(100, n, seed=s) + 60))),
    "ellipsoid_radii_properties": (ellipsoid_radii, {}, lambda s, n: (
        _lat(s, n, 2), Ellipsoid(6378137.0 + 10 * s, 1 / 298.257223563))),
    "compass_points_global_string_table": (angle_to_direction, {}, lambda s, n: (_range(s, 0, 360, n),)),
    "compass_points_np_take": (angle_to_direction_take, {}, lambda s, n: (
        _range(s, 0, 360, n),)),
    "utm_zone_from_mean_longitude": (from_latlon, {}, lambda s, n: (
        _lat(s, n, lim=60), _range(s, 12, 18, n) + 6 * s)),
    "interp_longitudes_period_360": (interp_longitudes, {}, lambda s, n: (
        _lon(s, n), np.linspace(-170, 170, 12), _f(12, seed=s))),
    "great_circle_intersection_cross": (great_circle_intersection, {}, lambda s, n: tuple(
        _f(n, 3, seed=s + k) for k in range(4))),
    "geoid_bilinear": (geoid_bilinear, {"res": 30.0}, lambda s, n: (
        _grid(s, n), _lat(s, n, lim=89), _lon(s, n) * 0.99)),
}


@pytest.mark.parametrize("name", _names(GEO))
def test_geodesy_and_gis_match_numpy(name):
    check_like_numpy(*GEO[name])


# ============================================================================ meteorology

# MetPy's constants module, as module globals
Rd = 287.04749097718457
Rv = 461.52311572606084
Cp_d = 1004.6662184201462
g = 9.80665
epsilon = Rd / Rv
kappa = Rd / Cp_d
P0 = 1000.0
OMEGA = 7.292115e-5
ZEROCNK = 273.15
SAT_PRESSURE_0C = 6.112


def potential_temperature(pressure, temperature):
    # metpy.calc.potential_temperature (hPa, K)
    return temperature * (P0 / pressure) ** kappa


def saturation_vapor_pressure(temperature):
    # metpy: Bolton (1980), temperature in kelvin, hPa out
    return SAT_PRESSURE_0C * np.exp(17.67 * (temperature - ZEROCNK) / (temperature - 29.65))


def saturation_vapor_pressure_magnus(t_celsius, a=17.625, b=243.04):
    # the Magnus-Tetens form with its coefficients as keyword arguments
    return 6.1094 * np.exp(a * t_celsius / (b + t_celsius))


def dewpoint(vapor_pressure):
    # metpy.calc.dewpoint: the inverse of Bolton's formula, kelvin out
    val = np.log(vapor_pressure / SAT_PRESSURE_0C)
    return ZEROCNK + 243.5 * val / (17.67 - val)


def dewpoint_from_relative_humidity(temperature, relative_humidity):
    # metpy: rh in [0, 1]
    return dewpoint(relative_humidity * saturation_vapor_pressure(temperature))


def dewpoint_magnus_percent(t_celsius, rh_percent, a=17.27, b=237.7):
    # the textbook Magnus dewpoint of weather-station scripts, rh in percent
    alpha = a * t_celsius / (b + t_celsius) + np.log(rh_percent / 100.0)
    return b * alpha / (a - alpha)


def mixing_ratio(partial_press, total_press, molecular_weight_ratio=epsilon):
    return molecular_weight_ratio * partial_press / (total_press - partial_press)


def saturation_mixing_ratio(total_press, temperature):
    return mixing_ratio(saturation_vapor_pressure(temperature), total_press)


def vapor_pressure(pressure, mixing_ratio):
    return pressure * mixing_ratio / (epsilon + mixing_ratio)


def virtual_temperature(temperature, mixing_ratio, molecular_weight_ratio=epsilon):
    return temperature * ((mixing_ratio + molecular_weight_ratio)
                          / (molecular_weight_ratio * (1 + mixing_ratio)))


def relative_humidity_from_dewpoint(temperature, dewpoint):
    e = saturation_vapor_pressure(dewpoint)
    e_s = saturation_vapor_pressure(temperature)
    return e / e_s


def equivalent_potential_temperature(pressure, temperature, dewpoint):
    # metpy.calc.equivalent_potential_temperature (Bolton 1980)
    t = temperature
    td = dewpoint
    p = pressure
    e = saturation_vapor_pressure(dewpoint)
    r = saturation_mixing_ratio(pressure, dewpoint)
    t_l = 56 + 1. / (1. / (td - 56) + np.log(t / td) / 800.)
    th_l = potential_temperature(p - e, t) * (t / t_l) ** (0.28 * r)
    return th_l * np.exp(r * (1 + 0.448 * r) * (3036. / t_l - 1.78))


def lcl_fixed_point(pressure, temperature, dewpoint, max_iters=50):
    # metpy.calc.lcl's fixed-point iteration, a fixed count of steps
    w = mixing_ratio(saturation_vapor_pressure(dewpoint), pressure)
    p_lcl = pressure
    for _ in range(max_iters):
        td = dewpoint_func(vapor_pressure(p_lcl, w))
        p_lcl = pressure * (td / temperature) ** (1. / kappa)
    td = dewpoint_func(vapor_pressure(p_lcl, w))
    return p_lcl, np.minimum(td, temperature)


def dewpoint_func(e):
    return dewpoint(e)


def lcl_while_tolerance(pressure, temperature, dewpoint, eps=1e-5, max_iters=50):
    # the same, stopping when the largest pressure change is below eps: a `while` on values
    w = mixing_ratio(saturation_vapor_pressure(dewpoint), pressure)
    p_lcl = pressure
    it = 0
    while True:
        td = dewpoint_func(vapor_pressure(p_lcl, w))
        p_new = pressure * (td / temperature) ** (1. / kappa)
        it += 1
        if np.max(np.abs(p_new - p_lcl)) < eps or it >= max_iters:
            break
        p_lcl = p_new
    return p_new


def wind_speed(u, v):
    return np.hypot(u, v)


def wind_direction(u, v, convention="from"):
    # metpy.calc.wind_direction: masked writes on the atleast_1d copy, calm set to 0 (the
    # `if np.any(mask):` guard dropped; wind_direction_metpy keeps it)
    wdir = 90. - np.degrees(np.arctan2(-v, -u))
    if convention == "to":
        wdir -= 180.
    origshape = wdir.shape
    wdir = np.atleast_1d(wdir)
    mask = np.asarray(wdir <= 0)
    wdir[mask] += 360.
    calm_mask = (np.asarray(u) == 0.) & (np.asarray(v) == 0.)
    wdir[calm_mask] = 0.
    return wdir.reshape(origshape)


def wind_direction_metpy(u, v):
    # metpy.calc.wind_direction as written: `if np.any(mask):` before the masked add
    wdir = 90. - np.degrees(np.arctan2(-v, -u))
    origshape = wdir.shape
    wdir = np.atleast_1d(wdir)
    mask = np.asarray(wdir <= 0)
    if np.any(mask):
        wdir[mask] += 360.
    calm_mask = (np.asarray(u) == 0.) & (np.asarray(v) == 0.)
    if np.any(calm_mask):
        wdir[calm_mask] = 0.
    return wdir.reshape(origshape)


def wind_direction_where(u, v):
    # the one-line form of station scripts: `% 360` with calm winds 0 by np.where
    wdir = (270.0 - np.rad2deg(np.arctan2(v, u))) % 360.0
    return np.where((u == 0) & (v == 0), 0.0, wdir)


def wind_components(speed, wind_direction):
    # metpy.calc.wind_components, direction in degrees
    wdir = np.radians(wind_direction)
    u = -speed * np.sin(wdir)
    v = -speed * np.cos(wdir)
    return u, v


def wind_components_inplace(uv, speed, direction):
    # an (n, 2) array of components written by the station decoder
    rad = np.deg2rad(direction)
    uv[:, 0] = -speed * np.sin(rad)
    uv[:, 1] = -speed * np.cos(rad)


def heat_index(temperature, relative_humidity):
    # the NWS Rothfusz regression, MetPy-style: the simple form, the full form where the
    # average is above 80 F, and the two masked adjustments written in place
    T = temperature
    rh = relative_humidity
    hi = 0.5 * (T + 61.0 + ((T - 68.0) * 1.2) + (rh * 0.094))
    hi_full = (-42.379 + 2.04901523 * T + 10.14333127 * rh - 0.22475541 * T * rh
               - 6.83783e-3 * T ** 2 - 5.481717e-2 * rh ** 2 + 1.22874e-3 * T ** 2 * rh
               + 8.5282e-4 * T * rh ** 2 - 1.99e-6 * T ** 2 * rh ** 2)
    use_full = (hi + T) / 2.0 >= 80.0
    hi = np.where(use_full, hi_full, hi)
    low_rh = use_full & (rh < 13) & (T >= 80) & (T <= 112)
    adj = ((13.0 - rh) / 4.0) * np.sqrt(np.abs(17.0 - np.abs(T - 95.0)) / 17.0)
    hi[low_rh] -= adj[low_rh]
    high_rh = use_full & (rh > 85) & (T >= 80) & (T <= 87)
    hi[high_rh] += ((rh[high_rh] - 85.0) / 10.0) * ((87.0 - T[high_rh]) / 5.0)
    return hi


def heat_index_celsius(t_celsius, rh):
    # the same in Celsius: convert, apply, convert back
    tf = t_celsius * 9.0 / 5.0 + 32.0
    return (heat_index(tf, rh) - 32.0) * 5.0 / 9.0


def wind_chill(temperature, speed, mask_undefined=True):
    # the 2001 NWS/MSC wind chill, km/h and Celsius, undefined cells as nan by np.where
    speed_factor = speed ** 0.16
    wcti = 13.12 + 0.6215 * temperature + (0.3965 * temperature - 11.37) * speed_factor
    if mask_undefined:
        wcti = np.where((temperature > 10.0) | (speed <= 4.8), np.nan, wcti)
    return wcti


def wind_chill_if_any(temperature, speed):
    # metpy's `if mask.any(): masked_array(...)`: Python on array values
    wcti = 13.12 + 0.6215 * temperature + (0.3965 * temperature - 11.37) * speed ** 0.16
    mask = np.array((temperature > 10.0) | (speed <= 4.8))
    if mask.any():
        wcti[mask] = temperature[mask]
    return wcti


def apparent_temperature(temperature_f, rh, speed_mph):
    # metpy.calc.apparent_temperature: heat index, wind chill, or the temperature
    hi = heat_index(temperature_f, rh)
    wc = 35.74 + 0.6215 * temperature_f - 35.75 * speed_mph ** 0.16 + 0.4275 * (
        temperature_f * speed_mph ** 0.16)
    out = temperature_f.copy()
    out = np.where(temperature_f >= 80, hi, out)
    out = np.where((temperature_f <= 50) & (speed_mph > 3), wc, out)
    return out


def thickness_hydrostatic(pressure, temperature, mixing_ratio=None):
    # metpy.calc.thickness_hydrostatic: -Rd/g times the integral of Tv over ln p
    if mixing_ratio is None:
        layer_virttemp = temperature
    else:
        layer_virttemp = virtual_temperature(temperature, mixing_ratio)
    return -Rd / g * np.trapezoid(layer_virttemp, np.log(pressure))


def thickness_columns(pressure, temperature):
    # thickness of every column of a (level, lat, lon) grid
    return -Rd / g * np.trapezoid(temperature, np.log(pressure)[:, None, None], axis=0)


def hypsometric_heights(pressure, temperature, z0=0.0):
    # heights of every level by the layer-mean temperature, accumulated
    tbar = 0.5 * (temperature[1:] + temperature[:-1])
    dz = Rd * tbar / g * np.log(pressure[:-1] / pressure[1:])
    return np.concatenate([[z0], z0 + np.cumsum(dz)])


def dry_lapse(pressure, temperature, reference_pressure=None):
    # metpy.calc.dry_lapse
    if reference_pressure is None:
        reference_pressure = pressure[0]
    return temperature * (pressure / reference_pressure) ** kappa


def moist_lapse_euler(pressure, t0):
    # a moist adiabat by explicit steps over the pressure levels, into an array
    temps = np.empty_like(pressure)
    temps[0] = t0
    for i in range(1, len(pressure)):
        t = temps[i - 1]
        p = pressure[i - 1]
        rs = saturation_mixing_ratio(p, t)
        frac = ((Rd * t + 2.501e6 * rs)
                / (Cp_d + (2.501e6 * 2.501e6 * rs * epsilon / (Rd * t * t))))
        temps[i] = t + frac / p * (pressure[i] - p)
    return temps


def parcel_profile(pressure, temperature, dewpoint):
    # dry below the LCL (by mask), moist above by the Euler adiabat from the LCL
    p_lcl, t_lcl = lcl_fixed_point(pressure[0], temperature, dewpoint, max_iters=10)
    dry = temperature * (pressure / pressure[0]) ** kappa
    moist = moist_lapse_euler(np.concatenate([[p_lcl], pressure]), t_lcl)[1:]
    return np.where(pressure >= p_lcl, dry, moist)


def cape_cin(pressure, t_env, t_parcel):
    # CAPE and CIN by the positive and negative areas in log-pressure, masks by np.where
    lnp = np.log(pressure)
    diff = t_parcel - t_env
    pos = np.where(diff > 0, diff, 0.0)
    neg = np.where(diff < 0, diff, 0.0)
    cape = Rd * np.trapezoid(pos, -lnp)
    lfc = np.argmax(diff > 0)
    below = np.arange(len(pressure)) < lfc
    cin = Rd * np.trapezoid(np.where(below, neg, 0.0), -lnp)
    return cape, cin


def cape_grid(pressure, t_env, t_parcel):
    # the same over (level, y, x) columns, the level axis first
    lnp = np.log(pressure)[:, None, None]
    diff = t_parcel - t_env
    return Rd * np.trapezoid(np.maximum(diff, 0.0), -lnp, axis=0)


def lapse_rate(temperature, height, axis=0):
    # K/km by np.gradient along the level axis with a coordinate array
    return -np.gradient(temperature, height, axis=axis) * 1000.0


def lapse_rate_grid(temperature, dz):
    # (level, lat, lon) with a uniform spacing
    return -np.gradient(temperature, dz, axis=0)


def coriolis_parameter(latitude):
    return 2. * OMEGA * np.sin(np.radians(latitude))


def geostrophic_wind(height, dx, dy, latitude):
    # metpy.calc.geostrophic_wind with np.gradient and scalar spacings, (y, x) grid
    f = coriolis_parameter(latitude)
    dhdy = np.gradient(height, dy, axis=-2)
    dhdx = np.gradient(height, dx, axis=-1)
    return -g / f * dhdy, g / f * dhdx


def geostrophic_wind_coords(height, x, y, lat):
    # the same with coordinate arrays: np.gradient(h, y, x) in one call
    f = coriolis_parameter(lat)[:, None]
    dhdy, dhdx = np.gradient(height, y, x)
    return -g * dhdy / f, g * dhdx / f


def vorticity(u, v, dx, dy):
    # metpy.calc.vorticity: dv/dx - du/dy
    dudy = np.gradient(u, dy, axis=-2)
    dvdx = np.gradient(v, dx, axis=-1)
    return dvdx - dudy


def absolute_vorticity(u, v, dx, dy, lats):
    f = coriolis_parameter(lats)
    return vorticity(u, v, dx, dy) + f[..., :, np.newaxis]


def spherical_dx_dy(lons, lats):
    # metpy.calc.lat_lon_grid_deltas: haversine-free spherical spacings on a meshgrid
    LON, LAT = np.meshgrid(np.radians(lons), np.radians(lats))
    dx = 6371229.0 * np.diff(LON, axis=1) * np.cos(LAT[:, :-1])
    dy = 6371229.0 * np.diff(LAT, axis=0)
    return dx, dy


def vorticity_centered_loop(u, v, dx, dy):
    # the loop over interior points of course notebooks, writing a zero-bordered array
    ny, nx = u.shape
    zeta = np.zeros_like(u)
    for j in range(1, ny - 1):
        for i in range(1, nx - 1):
            zeta[j, i] = ((v[j, i + 1] - v[j, i - 1]) / (2 * dx)
                          - (u[j + 1, i] - u[j - 1, i]) / (2 * dy))
    return zeta


def advection(scalar, u, v, dx, dy):
    dsdx = np.gradient(scalar, dx, axis=-1)
    dsdy = np.gradient(scalar, dy, axis=-2)
    return -(u * dsdx + v * dsdy)


def running_mean(x, window):
    # the climate-script running mean: np.convolve with mode="valid"
    return np.convolve(x, np.ones(window) / window, mode="valid")


def running_mean_cumsum(x, N):
    cumsum = np.cumsum(np.insert(x, 0, 0))
    return (cumsum[N:] - cumsum[:-N]) / float(N)


def running_mean_rows(field, window):
    # a running mean of every grid point's series, (time, points), by a Python loop
    out = np.empty((field.shape[0] - window + 1, field.shape[1]))
    for k in range(field.shape[1]):
        out[:, k] = np.convolve(field[:, k], np.ones(window) / window, mode="valid")
    return out


def monthly_anomalies(x):
    # the climatology by reshape(-1, 12).mean(axis=0), tiled back
    clim = x.reshape(-1, 12).mean(axis=0)
    return x - np.tile(clim, len(x) // 12), clim


def monthly_anomalies_grid(field):
    # (time, lat, lon): the climatology by reshape, subtracted by broadcasting
    nt, ny, nx = field.shape
    clim = field.reshape(nt // 12, 12, ny, nx).mean(axis=0)
    anom = field.reshape(nt // 12, 12, ny, nx) - clim[np.newaxis]
    return anom.reshape(nt, ny, nx)


def standardized_anomalies(field):
    f = field.reshape(-1, 12, *field.shape[1:])
    return ((f - f.mean(axis=0)) / f.std(axis=0, ddof=1)).reshape(field.shape)


def degree_days(tmax, tmin, base=18.0):
    tmean = (tmax + tmin) / 2.0
    hdd = np.maximum(base - tmean, 0).sum(axis=-1)
    cdd = np.maximum(tmean - base, 0).sum(axis=-1)
    return hdd, cdd


def precipitable_water(pressure, mixing_ratio):
    # integrate w dp / g, pressure in hPa, mm out (kg m^-2)
    return -np.trapezoid(mixing_ratio, pressure * 100.0) / g


def air_density(pressure, temperature, mixing_ratio):
    return pressure * 100.0 / (Rd * virtual_temperature(temperature, mixing_ratio))


def pressure_to_height_std(pressure):
    # metpy.calc.pressure_to_height_std
    t0, gamma, p0 = 288.0, 6.5e-3, 1013.25
    return (t0 / gamma) * (1 - (pressure / p0) ** (Rd * gamma / g))


def height_to_pressure_std(height):
    t0, gamma, p0 = 288.0, 6.5e-3, 1013.25
    return p0 * (1 - (gamma / t0) * height) ** (g / (Rd * gamma))


def brunt_vaisala_frequency_squared(height, potential_temperature, axis=0):
    # metpy: g / theta * dtheta/dz, by np.gradient along the vertical
    return g / potential_temperature * np.gradient(potential_temperature, height, axis=axis)


def gradient_richardson(height, theta, u, v):
    n2 = brunt_vaisala_frequency_squared(height, theta)
    shear = np.gradient(u, height) ** 2 + np.gradient(v, height) ** 2
    return n2 / shear


def sea_level_pressure(p_station, t_celsius, elevation):
    # the hypsometric reduction of station scripts
    return p_station * (1 - 0.0065 * elevation / (t_celsius + 0.0065 * elevation
                                                  + 273.15)) ** -5.257


def bulk_shear(pressure, u, v, depth=300.0):
    # the difference between the wind at the bottom and at bottom - depth by np.interp
    top = pressure[0] - depth
    u_top = np.interp(top, pressure[::-1], u[::-1])
    v_top = np.interp(top, pressure[::-1], v[::-1])
    return u_top - u[0], v_top - v[0]


def beaufort_number(speed):
    return np.digitize(speed, [0.3, 1.6, 3.4, 5.5, 8.0, 10.8, 13.9, 17.2, 20.8, 24.5, 28.5,
                               32.7])


def log_interpolate(p_target, pressure, values):
    # metpy's log_interpolate_1d for one sounding: np.interp in ln p, pressure decreasing
    return np.interp(np.log(p_target), np.log(pressure[::-1]), values[::-1])


def nan_climatology(x):
    # monthly climatology of a gappy record
    m = x.reshape(-1, 12)
    return np.nanmean(m, axis=0), np.nanstd(m, axis=0)


def daily_from_hourly(hourly):
    # daily totals and maxima by ufunc.reduceat at every 24th hour
    starts = np.arange(0, len(hourly), 24)
    return np.add.reduceat(hourly, starts), np.maximum.reduceat(hourly, starts)


def _sounding(s, n):
    p = np.linspace(1000.0, 300.0, n + 4)
    t = 300.0 - 0.065 * (1000.0 - p) + _f(n + 4, seed=s)
    td = t - _range(s, 2, 15, n + 4)
    return p, t, td


def _uv(s, ny, nx):
    return _f(ny, nx, seed=s) * 10, _f(ny, nx, seed=s + 1) * 10


MET = {
    "potential_temperature": (potential_temperature, {}, lambda s, n: (
        np.linspace(1000, 300, n), _range(s, 220, 310, n))),
    "potential_temperature_scalar_pressure": (potential_temperature, {}, lambda s, n: (
        850.0, _range(s, 250, 300, n, 3))),
    "potential_temperature_float32": (potential_temperature, {}, lambda s, n: (
        np.linspace(1000, 300, n, dtype=np.float32), _range(s, 220, 310, n).astype(np.float32))),
    "potential_temperature_int_pressure": (potential_temperature, {}, lambda s, n: (
        np.array([1000, 925, 850, 700, 500, 300])[:n], _range(s, 220, 310, 2, n))),
    "saturation_vapor_pressure_bolton": (saturation_vapor_pressure, {}, lambda s, n: (
        _range(s, 230, 310, n, 3),)),
    "saturation_vapor_pressure_magnus": (saturation_vapor_pressure_magnus, {}, lambda s, n: (
        _range(s, -30, 40, n),)),
    "dewpoint_from_rh": (dewpoint_from_relative_humidity, {}, lambda s, n: (
        _range(s, 260, 310, n), _range(s, 0.1, 1.0, n))),
    "dewpoint_magnus_percent_int_rh": (dewpoint_magnus_percent, {}, lambda s, n: (
        _range(s, -10, 35, n), _i(95, n, seed=s) + 5)),
    "mixing_ratio_ratio_positional": (mixing_ratio, {}, lambda s, n: (
        _range(s, 1, 40, n), 1000.0, 0.622)),
    "virtual_temperature": (virtual_temperature, {}, lambda s, n: (
        _range(s, 250, 300, n), _range(s, 0, 0.02, n))),
    "relative_humidity_from_dewpoint": (relative_humidity_from_dewpoint, {}, lambda s, n: (
        _range(s, 280, 300, n), _range(s, 260, 279, n))),
    "equivalent_potential_temperature": (equivalent_potential_temperature, {}, lambda s, n: (
        _sounding(s, n))),
    "lcl_fixed_point_iterations": (lcl_fixed_point, {}, lambda s, n: (
        1000.0, _range(s, 280, 305, n), _range(s, 265, 279, n))),
    "lcl_fixed_point_max_iters_static": (lcl_fixed_point, {"max_iters": 8}, lambda s, n: (
        np.full(n, 950.0), _range(s, 280, 305, n), _range(s, 265, 279, n))),
    "wind_speed_float32": (wind_speed, {}, lambda s, n: tuple(
        a.astype(np.float32) for a in _uv(s, n, 3))),
    "wind_direction_masked_writes": (wind_direction, {}, lambda s, n: (
        np.r_[0.0, _f(n, seed=s)], np.r_[0.0, _f(n, seed=s + 1)])),
    "wind_direction_to_static": (wind_direction, {"convention": "to"}, lambda s, n: (
        np.r_[0.0, 1.0, _f(n, seed=s)], np.r_[0.0, 0.0, _f(n, seed=s + 1)])),
    "wind_direction_where_mod_360": (wind_direction_where, {}, lambda s, n: (
        np.r_[0.0, _f(n, seed=s)], np.r_[0.0, _f(n, seed=s + 1)])),
    "wind_components": (wind_components, {}, lambda s, n: (
        _range(s, 0, 30, n), _range(s, 0, 360, n))),
    "wind_components_inplace": (wind_components_inplace, {}, lambda s, n: (
        np.zeros((n, 2)), _range(s, 0, 30, n), _range(s, 0, 360, n))),
    "wind_round_trip": (lambda sp, d: wind_direction(*wind_components(sp, d)), {},
                        lambda s, n: (_range(s, 1, 30, n), _range(s, 1, 359, n))),
    "heat_index_masked_adjustments": (heat_index, {}, lambda s, n: (
        np.r_[82.0, 85.0, 95.0, 60.0, _range(s, 40, 110, n)],
        np.r_[10.0, 90.0, 5.0, 50.0, _range(s, 5, 100, n)])),
    "heat_index_celsius": (heat_index_celsius, {}, lambda s, n: (
        _range(s, 20, 45, n), _range(s, 5, 100, n))),
    "wind_chill_where": (wind_chill, {}, lambda s, n: (
        _range(s, -30, 15, n), _range(s, 0, 60, n))),
    "apparent_temperature": (apparent_temperature, {}, lambda s, n: (
        _range(s, 20, 105, n), _range(s, 5, 100, n), _range(s, 0, 30, n))),
    "thickness_hydrostatic_mixing_ratio": (thickness_hydrostatic, {}, lambda s, n: (
        *_sounding(s, n)[:2], _range(s, 0, 0.015, n + 4))),
    "thickness_columns_grid": (thickness_columns, {}, lambda s, n: (
        np.linspace(1000, 500, 6), _range(s, 250, 300, 6, n, 3))),
    "hypsometric_heights": (hypsometric_heights, {}, lambda s, n: _sounding(s, n)[:2]),
    "dry_lapse_reference_keyword": (dry_lapse, {}, lambda s, n: (
        np.linspace(1000, 500, n), _range(s, 280, 300, n), 1013.25)),
    "moist_lapse_euler_loop": (moist_lapse_euler, {}, lambda s, n: (
        np.linspace(900, 300, n + 3), 290.0 + s)),
    "parcel_profile": (parcel_profile, {}, lambda s, n: (
        np.linspace(1000, 300, n + 4), 300.0 + s, 290.0)),
    "cape_cin_log_pressure": (cape_cin, {}, lambda s, n: (
        np.linspace(1000, 200, n + 4), 300 - np.linspace(0, 60, n + 4),
        300 - np.linspace(0, 60, n + 4) + 3 * np.sin(np.linspace(-1, 3, n + 4)) + s * 0.1)),
    "cape_grid": (cape_grid, {}, lambda s, n: (
        np.linspace(1000, 200, 6), _range(s, 250, 300, 6, n, 3),
        _range(s + 1, 250, 300, 6, n, 3))),
    "lapse_rate_profile": (lapse_rate, {}, lambda s, n: (
        _range(s, 220, 300, n), np.cumsum(_range(s, 200, 800, n)))),
    "lapse_rate_grid_dz": (lapse_rate_grid, {}, lambda s, n: (
        _range(s, 220, 300, n, 3, 4), 500.0)),
    "geostrophic_wind_scalar_spacing": (geostrophic_wind, {}, lambda s, n: (
        5500 + 50 * _f(n, 5, seed=s), 1e5, 1.1e5, 45.0)),
    "geostrophic_wind_coordinate_arrays": (geostrophic_wind_coords, {}, lambda s, n: (
        5500 + 50 * _f(n, 5, seed=s), np.cumsum(_range(s, 5e4, 1e5, 5)),
        np.cumsum(_range(s + 1, 5e4, 1e5, n)), np.linspace(30, 60, n))),
    "vorticity": (vorticity, {}, lambda s, n: (*_uv(s, n, 5), 1e5, 1e5)),
    "vorticity_time_lat_lon": (vorticity, {}, lambda s, n: (
        _f(2, n, 5, seed=s), _f(2, n, 5, seed=s + 1), 5e4, 5e4)),
    "absolute_vorticity": (absolute_vorticity, {}, lambda s, n: (
        *_uv(s, n, 5), 1e5, 1e5, np.linspace(20, 70, n))),
    "spherical_dx_dy": (spherical_dx_dy, {}, lambda s, n: (
        np.linspace(-10, 10, 5), np.linspace(30, 60, n))),
    "vorticity_centered_loop": (vorticity_centered_loop, {}, lambda s, n: (
        *_uv(s, n, 5), 1e5, 1e5)),
    "temperature_advection": (advection, {}, lambda s, n: (
        _range(s, 260, 300, n, 5), *_uv(s, n, 5), 1e5, 1e5)),
    "running_mean_valid_static": (running_mean, {"window": 5}, lambda s, n: (
        _f(4 * n, seed=s),)),
    "running_mean_cumsum_int_series": (running_mean_cumsum, {"N": 4}, lambda s, n: (
        _i(30, 4 * n, seed=s),)),
    "running_mean_rows_loop": (running_mean_rows, {"window": 3}, lambda s, n: (
        _f(4 * n, 3, seed=s),)),
    "monthly_anomalies": (monthly_anomalies, {}, lambda s, n: (_f(12 * n, seed=s),)),
    "monthly_anomalies_grid": (monthly_anomalies_grid, {}, lambda s, n: (
        _f(12 * (n // 2), 3, 4, seed=s),)),
    "standardized_anomalies": (standardized_anomalies, {}, lambda s, n: (
        _f(12 * n, 2, 3, seed=s),)),
    "degree_days_int_base_positional": (degree_days, {}, lambda s, n: (
        _i(35, 2, n, seed=s), _i(10, 2, n, seed=s + 1), 15)),
    "precipitable_water": (precipitable_water, {}, lambda s, n: (
        np.linspace(1000, 300, n + 3), _range(s, 0, 0.015, n + 3))),
    "air_density": (air_density, {}, lambda s, n: (
        np.linspace(1000, 500, n), _range(s, 250, 300, n), _range(s, 0, 0.01, n))),
    "pressure_height_std_round_trip": (lambda p: height_to_pressure_std(
        pressure_to_height_std(p)), {}, lambda s, n: (np.linspace(1000, 100, n),)),
    "brunt_vaisala_atmosphere": (brunt_vaisala_frequency_squared, {}, lambda s, n: (
        np.linspace(0, 10000, n), 290 + np.cumsum(_range(s, 0, 5, n)))),
    "gradient_richardson": (gradient_richardson, {}, lambda s, n: (
        np.linspace(0, 3000, n + 2), 290 + np.cumsum(_range(s, 0, 2, n + 2)),
        np.cumsum(_range(s, 0.5, 2, n + 2)), np.cumsum(_range(s + 1, 0.5, 2, n + 2)))),
    "sea_level_pressure_int_elevation": (sea_level_pressure, {}, lambda s, n: (
        _range(s, 850, 1000, n), _range(s, -5, 30, n), _i(1500, n, seed=s))),
    "beaufort_digitize": (beaufort_number, {}, lambda s, n: (_range(s, 0, 40, n),)),
    "log_interpolate_pressure": (log_interpolate, {}, lambda s, n: (
        np.array([850.0, 700, 500]), np.linspace(1000, 300, n), _range(s, 220, 300, n))),
    "nan_climatology": (nan_climatology, {}, lambda s, n: (
        np.where(_f(12 * n, seed=s) > 1.5, np.nan, _f(12 * n, seed=s)),)),
    "daily_from_hourly_reduceat": (daily_from_hourly, {}, lambda s, n: (
        _range(s, 0, 5, 24 * n),)),
    "bulk_shear_interp": (bulk_shear, {}, lambda s, n: (
        np.linspace(1000, 300, n + 3), _f(n + 3, seed=s) * 10, _f(n + 3, seed=s + 1) * 10)),
}


@pytest.mark.parametrize("name", _names(MET))
def test_meteorology_matches_numpy(name):
    check_like_numpy(*MET[name])


# ============================================================================= seismology


def classic_sta_lta_py(a, nsta, nlta):
    # obspy.signal.trigger.classic_sta_lta_py, as written
    sta = np.cumsum(a ** 2, dtype=np.float64)
    sta = np.require(sta, dtype=np.float64)
    lta = sta.copy()
    sta[nsta:] = sta[nsta:] - sta[:-nsta]
    sta /= nsta
    lta[nlta:] = lta[nlta:] - lta[:-nlta]
    lta /= nlta
    sta[:nlta - 1] = 0
    dtiny = np.finfo(0.0).tiny
    idx = lta < dtiny
    lta[idx] = dtiny
    return sta / lta


def recursive_sta_lta_py(a, nsta, nlta):
    # obspy.signal.trigger.recursive_sta_lta_py: a list of Python floats filled in a loop
    ndat = len(a)
    csta = 1. / nsta
    clta = 1. / nlta
    sta = 0.
    lta = 1e-99
    charfct = [0.0] * len(a)
    icsta = 1 - csta
    iclta = 1 - clta
    for i in range(1, ndat):
        sq = a[i] ** 2
        sta = csta * sq + icsta * sta
        lta = clta * sq + iclta * lta
        charfct[i] = sta / lta
        if i < nlta:
            charfct[i] = 0.
    return np.array(charfct)


def delayed_sta_lta(a, nsta, nlta):
    # obspy.signal.trigger.delayed_sta_lta
    m = len(a)
    sta = np.zeros(len(a), dtype=np.float64)
    lta = np.zeros(len(a), dtype=np.float64)
    for i in range(m):
        sta[i] = (a[i] ** 2 + a[i - nsta] ** 2) / nsta + sta[i - 1]
        lta[i] = (a[i - nsta - 1] ** 2 + a[i - nsta - nlta - 1] ** 2) / nlta + lta[i - 1]
    sta[0:nlta + nsta + 50] = 0
    lta[0:nlta + nsta + 50] = 1
    return sta / lta


def z_detect(a, nsta):
    # obspy.signal.trigger.z_detect
    m = len(a)
    sta = np.zeros(len(a), dtype=np.float64)
    pad_sta = np.zeros(nsta)
    for i in range(nsta):
        sta = sta + np.concatenate((pad_sta, a[i:m - nsta + i] ** 2))
    a_mean = np.mean(sta)
    a_std = np.std(sta)
    _z = (sta - a_mean) / a_std
    return _z


def carl_sta_trig(a, nsta, nlta, ratio, quiet):
    # obspy.signal.trigger.carl_sta_trig, its recursive loop over samples
    m = len(a)
    sta = np.zeros(len(a), dtype=np.float64)
    lta = np.zeros(len(a), dtype=np.float64)
    star = np.zeros(len(a), dtype=np.float64)
    ltar = np.zeros(len(a), dtype=np.float64)
    pad_sta = np.zeros(nsta)
    pad_lta = np.zeros(nlta)
    for i in range(nsta):
        sta += np.concatenate((pad_sta, a[i:m - nsta + i]))
        star += np.concatenate((pad_sta, abs(a[i:m - nsta + i])))
    for i in range(nlta):
        lta += np.concatenate((pad_lta, a[i:m - nlta + i]))
        ltar += np.concatenate((pad_lta, abs(a[i:m - nlta + i])))
    sta /= nsta
    lta /= nlta
    star /= nsta
    ltar /= nlta
    star = star - abs(sta - lta)
    ltar = ltar - abs(sta - lta)
    eta = star - (ratio * ltar) - abs(sta - lta) - quiet
    eta[:nlta] = -1.0
    return eta


def sta_lta_windows(a, nsta, nlta):
    # the sliding_window_view form of course notebooks, aligned on the window ends
    e = a.astype(np.float64) ** 2
    sta = sliding_window_view(e, nsta).mean(axis=-1)[nlta - nsta:]
    lta = sliding_window_view(e, nlta).mean(axis=-1)
    return sta / np.maximum(lta, np.finfo(float).tiny)


def detrend_simple_inplace(data):
    # obspy.signal.detrend.simple: the line through the first and last samples, in place
    ndat = len(data)
    x1, x2 = data[0], data[-1]
    data -= x1 + np.arange(ndat) * (x2 - x1) / float(ndat - 1)
    return data


def detrend_polynomial(data, order):
    # obspy.signal.detrend.polynomial: np.polyfit / np.polyval, written in place
    x = np.arange(len(data))
    fit = np.polyfit(x, data, order)
    data -= np.polyval(fit, x)
    return data


def detrend_linear_vander(t, y):
    # least squares on np.vander columns
    A = np.vander(t, 2)
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    return y - A @ coef, coef


def detrend_linear_traces(data):
    # (n_traces, npts): one lstsq with every trace as a right-hand side
    npts = data.shape[-1]
    A = np.vstack([np.arange(npts), np.ones(npts)]).T
    coef = np.linalg.lstsq(A, data.T, rcond=None)[0]
    return data - (A @ coef).T


def demean_traces(data):
    data = data.astype(np.float64)
    data -= data.mean(axis=-1, keepdims=True)
    return data


def cosine_taper(npts, p=0.1, halfcosine=True):
    # obspy.signal.invsim.cosine_taper, the index bookkeeping as written
    if p < 0 or p > 1:
        msg = "Decimal taper percentage must be between 0 and 1."
        raise ValueError(msg)
    if p == 0.0 or p == 1.0:
        frac = int(npts * p / 2.0)
    else:
        frac = int(npts * p / 2.0 + 0.5)
    idx1 = 0
    idx2 = frac - 1
    idx3 = npts - frac
    idx4 = npts - 1
    if idx1 == idx2:
        idx2 += 1
    if idx3 == idx4:
        idx3 -= 1
    cos_win = np.zeros(npts)
    if halfcosine:
        cos_win[idx1:idx2 + 1] = 0.5 * (
            1.0 - np.cos((np.pi * (np.arange(idx1, idx2 + 1) - float(idx1))
                          / (idx2 - idx1))))
        cos_win[idx2 + 1:idx3] = 1.0
        cos_win[idx3:idx4 + 1] = 0.5 * (
            1.0 + np.cos((np.pi * (float(idx3) - np.arange(idx3, idx4 + 1))
                          / (idx4 - idx3))))
    else:
        cos_win[idx1:idx2 + 1] = np.cos(-(np.pi / 2.0 * (float(idx2) - np.arange(
            idx1, idx2 + 1)) / (idx2 - idx1)))
        cos_win[idx2 + 1:idx3] = 1.0
        cos_win[idx3:idx4 + 1] = np.cos((np.pi / 2.0 * (float(idx3) - np.arange(
            idx3, idx4 + 1)) / (idx4 - idx3)))
    if idx1 == idx2:
        cos_win[idx1] = 0.0
    if idx3 == idx4:
        cos_win[idx3] = 0.0
    return cos_win


def taper_trace(data, max_percentage=0.05):
    # Trace.taper("cosine"): the window made from the data's length, applied in place
    npts = len(data)
    data *= cosine_taper(npts, 2 * max_percentage)
    return data


def tukey_hanning_taper(data, width):
    # a taper from the halves of np.hanning, built piecewise along the last axis
    n = data.shape[-1]
    w = np.hanning(2 * width)
    taper = np.ones(n)
    taper[:width] = w[:width]
    taper[-width:] = w[width:]
    return data * taper


def analytic_signal(x):
    # scipy.signal.hilbert written out: the FFT, the step h, the inverse
    N = x.shape[-1]
    Xf = np.fft.fft(x, axis=-1)
    h = np.zeros(N)
    if N % 2 == 0:
        h[0] = h[N // 2] = 1
        h[1:N // 2] = 2
    else:
        h[0] = 1
        h[1:(N + 1) // 2] = 2
    return np.fft.ifft(Xf * h, axis=-1)


def envelope(data):
    # obspy.signal.filter.envelope: the modulus of the analytic signal
    return np.abs(analytic_signal(data))


def envelope_fftfreq(data, dt):
    # negative frequencies zeroed and positive doubled by masks on np.fft.fftfreq
    spec = np.fft.fft(data)
    freqs = np.fft.fftfreq(len(data), d=dt)
    spec[freqs < 0] = 0
    spec[freqs > 0] *= 2
    return np.abs(np.fft.ifft(spec))


def instantaneous_frequency(data, dt):
    phase = np.unwrap(np.angle(analytic_signal(data)))
    return np.diff(phase) / (2.0 * np.pi * dt)


def invert_spectrum(spec, wlev):
    # obspy.signal.invsim.invert_spectrum: water level by np.where tuples, in place
    swamp = np.abs(spec).max() * 10.0 ** (-wlev / 20.0)
    sqrt_len = np.abs(spec)
    idx = np.where((sqrt_len < swamp) & (sqrt_len > 0.0))
    spec[idx] *= swamp / sqrt_len[idx]
    inn = np.where(sqrt_len > 0.0)
    spec[inn] = 1.0 / spec[inn]
    spec[sqrt_len == 0.0] = complex(0.0, 0.0)


def invert_spectrum_found(spec, wlev):
    # the same, returning `found = len(idx[0])` as ObsPy does
    swamp = np.abs(spec).max() * 10.0 ** (-wlev / 20.0)
    sqrt_len = np.abs(spec)
    idx = np.where((sqrt_len < swamp) & (sqrt_len > 0.0))
    spec[idx] *= swamp / sqrt_len[idx]
    found = len(idx[0])
    inn = np.where(sqrt_len > 0.0)
    spec[inn] = 1.0 / spec[inn]
    return found


def paz_response(poles, zeros, scale_fac, t_samp, nfft):
    # obspy paz_to_freq_resp with scipy.signal.freqs written as products over poles/zeros
    n = nfft // 2
    fy = 1 / (t_samp * 2.0)
    f = np.linspace(0, fy, n + 1)
    s = 2j * np.pi * f
    h = np.full(s.shape, scale_fac, dtype=complex)
    for z in zeros:
        h *= s - z
    for p in poles:
        h /= s - p
    return h


def remove_response(data, poles, zeros, gain, dt, water_level=60.0):
    # simulate(): taper, rfft, divide by the response with a water level, irfft
    npts = len(data)
    nfft = 2 * npts
    data = data - data.mean()
    data = data * cosine_taper(npts, 0.1)
    spec = np.fft.rfft(data, n=nfft)
    resp = paz_response(poles, zeros, gain, dt, nfft)
    invert_spectrum(resp, water_level)
    spec *= resp
    spec[0] = 0.0
    return np.fft.irfft(spec, n=nfft)[:npts]


def cross_correlation_lag(a, b):
    # lag by np.argmax of np.correlate(a, b, "full")
    cc = np.correlate(a, b, "full")
    lag = np.argmax(cc) - (len(b) - 1)
    norm = np.sqrt(np.sum(a ** 2) * np.sum(b ** 2))
    return lag, cc.max() / norm


def correlate_fft(a, b, shift):
    # obspy.signal.cross_correlation.correlate's FFT path with the demean and normalize
    a = (a - np.mean(a)) / (np.std(a) * len(a))
    b = (b - np.mean(b)) / np.std(b)
    n = len(a) + len(b) - 1
    nfft = 1 << (n - 1).bit_length()
    cc = np.fft.irfft(np.fft.rfft(a, nfft) * np.conj(np.fft.rfft(b, nfft)), nfft)
    cc = np.concatenate((cc[-(len(b) - 1):], cc[:len(a)]))
    mid = (len(cc) - 1) // 2
    return cc[mid - shift:mid + shift + 1]


def xcorr_max(fct, abs_max=True):
    # obspy.signal.cross_correlation.xcorr_max: a Python `if` on two correlation values
    mid = (len(fct) - 1) / 2
    if len(fct) % 2 == 1:
        mid = int(mid)
    index1 = np.argmax(fct)
    index2 = np.argmin(fct)
    if abs_max and abs(fct[index2]) > abs(fct[index1]):
        index = index2
    else:
        index = index1
    return index - mid, fct[index]


def xcorr_max_where(fct):
    # the branch-free form: the extreme of larger modulus by np.where
    mid = (len(fct) - 1) // 2
    i1, i2 = np.argmax(fct), np.argmin(fct)
    index = np.where(np.abs(fct[i2]) > np.abs(fct[i1]), i2, i1)
    return index - mid, fct[index]


def pair_lags(traces, ref):
    # each trace's lag against a reference, a Python loop collecting np.argmax results
    lags = np.zeros(len(traces), dtype=int)
    for k in range(len(traces)):
        cc = np.correlate(traces[k], ref, mode="full")
        lags[k] = np.argmax(cc) - (len(ref) - 1)
    return lags


def decimate_slice(data, factor):
    # Trace.decimate(no_filter=True) after a boxcar anti-alias
    smoothed = np.convolve(data, np.ones(factor) / factor, mode="same")
    return smoothed[::factor]


def sliding_rms(data, window, step):
    # RMS over windows by sliding_window_view, every step-th window
    w = sliding_window_view(data, window, axis=-1)[..., ::step, :]
    return np.sqrt(np.mean(w ** 2, axis=-1))


def local_magnitude(amplitude_mm, hypo_dist_km):
    # Hutton and Boore (1987) ML, as obspy.signal.invsim.estimate_magnitude writes it
    return (np.log10(amplitude_mm) + np.log10(hypo_dist_km / 100.0) * 1.110
            + 0.00189 * (hypo_dist_km - 100.0) + 3.0)


def estimate_magnitude_components(amps_n, amps_e, distances):
    # the mean of the stations' ML from the larger of the horizontal amplitudes
    amp = np.maximum(np.abs(amps_n), np.abs(amps_e))
    return np.mean(local_magnitude(amp, distances))


def moment_magnitude(m0):
    return 2.0 / 3.0 * (np.log10(m0) - 9.1)


def moment_from_magnitude(mw):
    return 10 ** (1.5 * mw + 9.1)


def b_value_aki(mags, mc, dm=0.1):
    # Aki's maximum likelihood b-value with the binning correction
    m = mags[mags >= mc]
    return np.log10(np.e) / (m.mean() - (mc - dm / 2.0))


def travel_time_grid(vel, src, dx, dz):
    # straight-ray times from a source on an (nx, nz) grid by meshgrid "ij"
    nx, nz = vel.shape
    X, Z = np.meshgrid(np.arange(nx) * dx, np.arange(nz) * dz, indexing="ij")
    dist = np.hypot(X - src[0], Z - src[1])
    return dist / vel.mean()


def two_layer_first_arrival(x, v1, v2, h):
    # direct wave against head wave, np.minimum of the two
    t_direct = x / v1
    ic = np.arcsin(v1 / v2)
    t_head = x / v2 + 2 * h * np.cos(ic) / v1
    return np.minimum(t_direct, t_head), (t_head < t_direct)


def layered_vertical_times(thickness, velocity):
    # one-way vertical times through layers, cumulative, and the RMS velocity (Dix)
    dt = thickness / velocity
    t = np.cumsum(dt)
    vrms = np.sqrt(np.cumsum(velocity ** 2 * dt) / t)
    return t, vrms


def dix_interval_velocity(t, vrms):
    num = vrms[1:] ** 2 * t[1:] - vrms[:-1] ** 2 * t[:-1]
    return np.sqrt(num / np.diff(t))


def eikonal_sweep_1d(slowness, h, src):
    # a 1-d fast sweep: forward and backward passes with np.minimum, element by element
    n = len(slowness)
    t = np.full(n, 1e10)
    t[src] = 0.0
    for i in range(1, n):
        t[i] = np.minimum(t[i], t[i - 1] + h * slowness[i])
    for i in range(n - 2, -1, -1):
        t[i] = np.minimum(t[i], t[i + 1] + h * slowness[i])
    return t


def first_break_picks(gather, threshold):
    # first sample above a fraction of each trace's peak, by np.argmax of the mask
    env = np.abs(gather)
    mask = env > threshold * env.max(axis=1, keepdims=True)
    picks = np.argmax(mask, axis=1)
    return np.where(mask.any(axis=1), picks, -1)


def aic_picker(x):
    # Maeda's AIC over every split point, slices of growing length in a loop
    n = len(x)
    aic = np.zeros(n)
    for k in range(1, n - 1):
        aic[k] = k * np.log(np.var(x[:k]) + 1e-12) + (n - k - 1) * np.log(
            np.var(x[k + 1:]) + 1e-12)
    aic[0] = aic[1]
    aic[-1] = aic[-2]
    return np.argmin(aic), aic


def spectral_whitening(data, smooth=3, eps=1e-10):
    # whitening by the smoothed amplitude spectrum, irfft back to the data's length
    spec = np.fft.rfft(data)
    amp = np.convolve(np.abs(spec), np.ones(smooth) / smooth, mode="same")
    return np.fft.irfft(spec / (amp + eps), n=len(data))


def whiten_band(data, dt, fmin, fmax):
    # unit amplitude inside a band, zero outside, by rfftfreq masks (MSNoise's whiten, short)
    spec = np.fft.rfft(data, axis=-1)
    freqs = np.fft.rfftfreq(data.shape[-1], d=dt)
    band = (freqs >= fmin) & (freqs <= fmax)
    spec = np.where(band, np.exp(1j * np.angle(spec)), 0.0)
    return np.fft.irfft(spec, n=data.shape[-1], axis=-1)


def running_absolute_mean(data, n):
    # Bensen et al. (2007) temporal normalisation
    weights = np.convolve(np.abs(data), np.ones(2 * n + 1) / (2 * n + 1), mode="same")
    return data / weights


def spectrogram(x, fs, nfft, hop):
    # moving-window spectrogram: framed by sliding_window_view, Hanning, rfft along axis -1
    frames = sliding_window_view(x, nfft)[::hop]
    spec = np.abs(np.fft.rfft(frames * np.hanning(nfft), axis=-1)) ** 2
    freqs = np.fft.rfftfreq(nfft, d=1.0 / fs)
    times = (np.arange(frames.shape[0]) * hop + nfft / 2) / fs
    return freqs, times, 10 * np.log10(spec.T + 1e-20)


def spectrogram_index_frames(x, nfft, hop):
    # the same framed by an index array, one spectrum per row
    nframes = 1 + (len(x) - nfft) // hop
    idx = np.arange(nfft)[None, :] + hop * np.arange(nframes)[:, None]
    return np.abs(np.fft.rfft(x[idx] * np.hanning(nfft)[None, :], axis=1))


def bandpass_fft_mask(data, dt, fmin, fmax):
    spec = np.fft.rfft(data)
    f = np.fft.rfftfreq(len(data), dt)
    spec[(f < fmin) | (f > fmax)] = 0
    return np.fft.irfft(spec, len(data))


def rotate_ne_rt(n, e, ba):
    # obspy.signal.rotate.rotate_ne_rt, back azimuth a Python float checked by `if`
    if len(n) != len(e):
        raise TypeError("North and East component have different length.")
    if ba < 0 or ba > 360:
        raise ValueError("Back Azimuth should be between 0 and 360 degrees.")
    ba = math.radians(ba)
    r = - e * math.sin(ba) - n * math.cos(ba)
    t = - e * math.cos(ba) + n * math.sin(ba)
    return r, t


def rotate_ne_rt_arrays(n, e, ba):
    # the same with np.radians of a traced back azimuth per station (n_sta, npts)
    ba = np.radians(ba)[:, None]
    return -e * np.sin(ba) - n * np.cos(ba), -e * np.cos(ba) + n * np.sin(ba)


def rotate_zne_lqt(z, n, e, ba, inc):
    # obspy.signal.rotate.rotate_zne_lqt by a (3, 3) matrix of the angles
    ba, inc = np.radians(ba), np.radians(inc)
    M = np.array([[np.cos(inc), -np.sin(inc) * np.sin(ba), -np.sin(inc) * np.cos(ba)],
                  [np.sin(inc), np.cos(inc) * np.sin(ba), np.cos(inc) * np.cos(ba)],
                  [0.0, -np.cos(ba), np.sin(ba)]])
    return M @ np.vstack([z, e, n])


def polarization_rectilinearity(zne):
    # covariance of (npts, 3) three-component data, eigenvalues, rectilinearity and planarity
    c = np.cov(zne, rowvar=False)
    lam = np.sort(np.linalg.eigvalsh(c))[::-1]
    rect = 1 - (lam[1] + lam[2]) / (2 * lam[0])
    plan = 1 - 2 * lam[2] / (lam[0] + lam[1])
    return rect, plan


def ricker(points, a):
    # scipy.signal.ricker (removed from SciPy, kept by every notebook)
    A = 2 / (np.sqrt(3 * a) * (np.pi ** 0.25))
    wsq = a ** 2
    vec = np.arange(0, points) - (points - 1.0) / 2
    xsq = vec ** 2
    mod = (1 - xsq / wsq)
    gauss = np.exp(-xsq / (2 * wsq))
    return A * mod * gauss


def ricker_freq(f, dt, length):
    t = np.arange(-length / 2, length / 2, dt)
    y = (1.0 - 2.0 * (np.pi ** 2) * (f ** 2) * (t ** 2)) * np.exp(-(np.pi ** 2) * (f ** 2)
                                                                   * (t ** 2))
    return t, y


def synthetic_trace(impedance, wavelet):
    # reflectivity from impedance, convolved with a wavelet, "same" mode
    rc = (impedance[1:] - impedance[:-1]) / (impedance[1:] + impedance[:-1])
    rc = np.append(rc, 0.0)
    return np.convolve(rc, wavelet, mode="same")


def nmo_correct(gather, offsets, t, v):
    # NMO by np.interp of each trace at sqrt(t0^2 + x^2 / v^2), a loop over traces
    out = np.zeros_like(gather)
    for k in range(gather.shape[0]):
        tx = np.sqrt(t ** 2 + (offsets[k] / v) ** 2)
        out[k] = np.interp(tx, t, gather[k], right=0.0)
    return out


def phase_weighted_stack(traces, nu=2):
    # Schimmel and Paulssen's PWS: the linear stack weighted by phase coherence
    phase = np.exp(1j * np.angle(analytic_signal(traces)))
    coherence = np.abs(phase.mean(axis=0)) ** nu
    return traces.mean(axis=0) * coherence


def normalize_trace_inplace(data):
    # Trace.normalize: divide in place by the absolute maximum
    norm = np.abs(data).max()
    data /= norm
    return norm


def counts_to_velocity(counts, sensitivity):
    # int32 counts from a miniSEED record to m/s, demeaned
    data = counts.astype(np.float64) / sensitivity
    return data - data.mean()


def kurtosis_cf(x, win):
    # a kurtosis characteristic function over sliding windows
    w = sliding_window_view(x, win)
    m = w.mean(axis=-1, keepdims=True)
    d = w - m
    return (d ** 4).mean(axis=-1) / ((d ** 2).mean(axis=-1) ** 2) - 3.0


def _quake(s, n, npts=None):
    npts = npts or 16 * n
    x = 0.1 * _f(npts, seed=s)
    x[npts // 2:] += np.sin(np.arange(npts - npts // 2) * 0.7) * np.exp(
        -np.arange(npts - npts // 2) / (npts / 4))
    return x


STS2_POLES = np.array([-0.037004 + 0.037016j, -0.037004 - 0.037016j, -251.33 + 0j])
STS2_ZEROS = np.array([0j, 0j])

SEIS = {
    "classic_sta_lta_py": (classic_sta_lta_py, {"nsta": 3, "nlta": 10}, lambda s, n: (
        _quake(s, n),)),
    "classic_sta_lta_int32_counts": (classic_sta_lta_py, {"nsta": 2, "nlta": 8}, lambda s, n: (
        (_quake(s, n) * 1000).astype(np.int32),)),
    "recursive_sta_lta_list_of_floats": (recursive_sta_lta_py, {"nsta": 3, "nlta": 10},
                                         lambda s, n: (_quake(s, n),)),
    "delayed_sta_lta": (delayed_sta_lta, {"nsta": 3, "nlta": 8}, lambda s, n: (
        _quake(s, n, 80 + 8 * n),)),
    "z_detect": (z_detect, {"nsta": 4}, lambda s, n: (_quake(s, n),)),
    "carl_sta_trig": (carl_sta_trig, {"nsta": 3, "nlta": 10, "ratio": 0.8, "quiet": 0.8},
                      lambda s, n: (_quake(s, n),)),
    "sta_lta_sliding_windows": (sta_lta_windows, {"nsta": 3, "nlta": 10}, lambda s, n: (
        _quake(s, n),)),
    "detrend_simple_inplace": (detrend_simple_inplace, {}, lambda s, n: (
        _quake(s, n) + np.linspace(0, 3, 16 * n),)),
    "detrend_polynomial_order_static": (detrend_polynomial, {"order": 2}, lambda s, n: (
        _quake(s, n) + np.linspace(0, 3, 16 * n) ** 2,)),
    "detrend_linear_vander": (detrend_linear_vander, {}, lambda s, n: (
        np.linspace(0, 10, 5 * n), _quake(s, n, 5 * n) + 0.3 * np.linspace(0, 10, 5 * n))),
    "detrend_linear_traces_lstsq": (detrend_linear_traces, {}, lambda s, n: (
        _f(3, 5 * n, seed=s) + np.linspace(0, 2, 5 * n),)),
    "demean_int_traces": (demean_traces, {}, lambda s, n: (_i(1000, 3, 4 * n, seed=s),)),
    "cosine_taper_npts_p_static": (cosine_taper, {"npts": 40, "p": 0.2}, lambda s, n: ()),
    "cosine_taper_not_half": (cosine_taper, {"npts": 30, "p": 0.3, "halfcosine": False},
                              lambda s, n: ()),
    "taper_trace_inplace": (taper_trace, {}, lambda s, n: (_quake(s, n),)),
    "tukey_hanning_taper_traces": (tukey_hanning_taper, {"width": 4}, lambda s, n: (
        _f(3, 6 * n, seed=s),)),
    "analytic_signal_odd_traces": (analytic_signal, {}, lambda s, n: (
        _f(2, 4 * n + 1, seed=s),)),
    "envelope": (envelope, {}, lambda s, n: (_quake(s, n),)),
    "envelope_fftfreq_masks": (envelope_fftfreq, {}, lambda s, n: (_quake(s, n), 0.01)),
    "instantaneous_frequency": (instantaneous_frequency, {}, lambda s, n: (
        np.sin(np.linspace(0, 20, 8 * n) ** 1.3) + 0.01 * _f(8 * n, seed=s), 0.01)),
    "invert_spectrum_water_level_inplace": (invert_spectrum, {}, lambda s, n: (
        np.r_[0j, np.fft.rfft(_f(4 * n, seed=s))], 20.0)),
    "paz_response_lists": (paz_response, {"t_samp": 0.01, "nfft": 64}, lambda s, n: (
        list(STS2_POLES * (1 + 0.01 * s)), list(STS2_ZEROS), 6e7)),
    "remove_response_water_level": (remove_response, {"dt": 0.01}, lambda s, n: (
        _quake(s, n), STS2_POLES * (1 + 0.01 * s), STS2_ZEROS, 6e7)),
    "cross_correlation_lag": (cross_correlation_lag, {}, lambda s, n: (
        _quake(s, n), np.roll(_quake(s, n), s + 2)[: 8 * n])),
    "correlate_fft_shift_static": (correlate_fft, {"shift": 5}, lambda s, n: (
        _quake(s, n), np.roll(_quake(s, n), s + 1))),
    "xcorr_max_where": (xcorr_max_where, {}, lambda s, n: (
        np.correlate(_f(4 * n, seed=s), _f(4 * n, seed=s + 1), "full"),)),
    "pair_lags_int_array": (pair_lags, {}, lambda s, n: (
        np.stack([np.roll(_quake(s, n), k) for k in range(3)]), _quake(s, n))),
    "decimate_boxcar_slice": (decimate_slice, {"factor": 4}, lambda s, n: (_quake(s, n),)),
    "sliding_rms_step": (sliding_rms, {"window": 8, "step": 4}, lambda s, n: (_quake(s, n),)),
    "local_magnitude": (local_magnitude, {}, lambda s, n: (
        _range(s, 0.01, 10, n), _range(s, 10, 600, n))),
    "estimate_magnitude_components": (estimate_magnitude_components, {}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s + 1), _range(s, 10, 600, n))),
    "moment_magnitude_round_trip": (lambda m: moment_magnitude(moment_from_magnitude(m)), {},
                                    lambda s, n: (_range(s, 2, 8, n),)),
    "b_value_aki_selection_mean": (b_value_aki, {}, lambda s, n: (
        np.round(2.0 + np.random.default_rng(s).exponential(0.4, 10 * n), 1), 2.2, 0.1)),
    "travel_time_grid_meshgrid_ij": (travel_time_grid, {"dx": 10.0, "dz": 5.0}, lambda s, n: (
        _range(s, 1500, 3000, n, 5), np.array([20.0, 0.0]))),
    "two_layer_first_arrival": (two_layer_first_arrival, {}, lambda s, n: (
        np.linspace(10, 500, 3 * n), 1500.0, 3000.0, 20.0 + s)),
    "layered_vertical_times_dix": (lambda h, v: dix_interval_velocity(
        *layered_vertical_times(h, v)), {}, lambda s, n: (
        _range(s, 10, 200, n), _range(s, 1500, 4000, n))),
    "eikonal_sweep_1d": (eikonal_sweep_1d, {"src": 3}, lambda s, n: (
        _range(s, 0.2, 1.0, 3 * n), 5.0)),
    "first_break_picks_gather": (first_break_picks, {}, lambda s, n: (
        np.vstack([_quake(s + k, n) for k in range(3)] + [np.zeros(16 * n)]), 0.5)),
    "aic_picker_loop": (aic_picker, {}, lambda s, n: (_quake(s, n, 6 * n),)),
    "spectral_whitening": (spectral_whitening, {}, lambda s, n: (_quake(s, n),)),
    "whiten_band_traces": (whiten_band, {}, lambda s, n: (
        _f(2, 8 * n, seed=s), 0.01, 5.0, 20.0)),
    "running_absolute_mean": (running_absolute_mean, {"n": 3}, lambda s, n: (_quake(s, n),)),
    "spectrogram_hanning_rfft": (spectrogram, {"nfft": 16, "hop": 4}, lambda s, n: (
        _quake(s, n), 100.0)),
    "spectrogram_index_frames": (spectrogram_index_frames, {"nfft": 8, "hop": 4},
                                 lambda s, n: (_quake(s, n),)),
    "bandpass_fft_mask": (bandpass_fft_mask, {}, lambda s, n: (_quake(s, n), 0.01, 2.0, 15.0)),
    "rotate_ne_rt_arrays": (rotate_ne_rt_arrays, {}, lambda s, n: (
        _f(3, 4 * n, seed=s), _f(3, 4 * n, seed=s + 1), _range(s, 0, 360, 3))),
    "rotate_zne_lqt": (rotate_zne_lqt, {}, lambda s, n: (
        _f(4 * n, seed=s), _f(4 * n, seed=s + 1), _f(4 * n, seed=s + 2), 45.0 + s, 30.0)),
    "polarization_rectilinearity": (polarization_rectilinearity, {}, lambda s, n: (
        _f(8 * n, 3, seed=s) * np.array([3.0, 1.0, 0.3]),)),
    "ricker_points_positional": (ricker, {}, lambda s, n: (21, 2.0 + s)),
    "synthetic_trace": (synthetic_trace, {}, lambda s, n: (
        _range(s, 2e6, 8e6, 6 * n), ricker(11, 2.0))),
    "nmo_correct_loop_interp": (nmo_correct, {}, lambda s, n: (
        _f(n, 20, seed=s), np.linspace(0, 500, n), np.linspace(0, 0.4, 20), 2000.0)),
    "phase_weighted_stack": (phase_weighted_stack, {}, lambda s, n: (
        _quake(s, n) + 0.3 * _f(4, 16 * n, seed=s),)),
    "normalize_trace_inplace": (normalize_trace_inplace, {}, lambda s, n: (_quake(s, n),)),
    "counts_to_velocity_int32": (counts_to_velocity, {}, lambda s, n: (
        (_quake(s, n) * 1e5).astype(np.int32), 6.3e8)),
    "kurtosis_cf": (kurtosis_cf, {"win": 10}, lambda s, n: (_quake(s, n),)),
}


@pytest.mark.parametrize("name", _names(SEIS))
def test_seismology_matches_numpy(name):
    check_like_numpy(*SEIS[name])


# =========================================================================== oceanography

# seawater (EOS-80) coefficients as module globals, as the seawater package keeps them
a0, a1, a2, a3, a4, a5 = (999.842594, 6.793952e-2, -9.095290e-3, 1.001685e-4, -1.120083e-6,
                          6.536332e-9)
b0, b1, b2, b3, b4 = 8.24493e-1, -4.0899e-3, 7.6438e-5, -8.2467e-7, 5.3875e-9
c0, c1, c2 = -5.72466e-3, 1.0227e-4, -1.6546e-6
d0 = 4.8314e-4
Kelvin = 273.15
gdef = 9.8
DEG2RAD_SW = np.pi / 180.0


def T68conv(T90):
    return T90 * 1.00024


def T90conv(t, t_type="T68"):
    return t / 1.00024


def smow(t):
    # seawater.eos80.smow: density of standard mean ocean water, Horner form
    T68 = T68conv(t)
    return a0 + (a1 + (a2 + (a3 + (a4 + a5 * T68) * T68) * T68) * T68) * T68


def dens0(s, t):
    # seawater.eos80.dens0
    T68 = T68conv(t)
    return (smow(t) + (b0 + (b1 + (b2 + (b3 + b4 * T68) * T68) * T68) * T68) * s
            + (c0 + (c1 + c2 * T68) * T68) * s * s ** 0.5 + d0 * s ** 2)


def seck(s, t, p=0):
    # seawater.eos80.seck: the secant bulk modulus with its local coefficients
    p = p / 10.0
    T68 = T68conv(t)
    h3, h2, h1, h0 = -5.77905e-7, 1.16092e-4, 1.43713e-3, 3.239908
    AW = h0 + (h1 + (h2 + h3 * T68) * T68) * T68
    k2, k1, k0 = 5.2787e-8, -6.12293e-6, 8.50935e-5
    BW = k0 + (k1 + k2 * T68) * T68
    e4, e3, e2, e1, e0 = -5.155288e-5, 1.360477e-2, -2.327105, 148.4206, 19652.21
    KW = e0 + (e1 + (e2 + (e3 + e4 * T68) * T68) * T68) * T68
    j0 = 1.91075e-4
    i2, i1, i0 = -1.6078e-6, -1.0981e-5, 2.2838e-3
    SR = s ** 0.5
    A = AW + (i0 + (i1 + i2 * T68) * T68 + j0 * SR) * s
    m2, m1, m0 = 9.1697e-10, 2.0816e-8, -9.9348e-7
    B = BW + (m0 + (m1 + m2 * T68) * T68) * s
    f3, f2, f1, f0 = -6.1670e-5, 1.09987e-2, -0.603459, 54.6746
    g2, g1, g0 = -5.3009e-4, 1.6483e-2, 7.944e-2
    K0 = KW + (f0 + (f1 + (f2 + f3 * T68) * T68) * T68
               + (g0 + (g1 + g2 * T68) * T68) * SR) * s
    return K0 + (A + B * p) * p


def dens(s, t, p):
    # seawater.eos80.dens
    densP0 = dens0(s, t)
    K = seck(s, t, p)
    p = p / 10.0
    return densP0 / (1 - p / K)


def sigma_t(s, t):
    return dens0(s, t) - 1000.0


def pres(depth, lat):
    # seawater.eos80.pres (Saunders 1981)
    X = np.sin(np.abs(lat * DEG2RAD_SW))
    C1 = 5.92e-3 + X ** 2 * 5.25e-3
    return ((1 - C1) - (((1 - C1) ** 2) - (8.84e-6 * depth)) ** 0.5) / 4.42e-6


def dpth(p, lat):
    # seawater.eos80.dpth (UNESCO 1983)
    c1, c2, c3, c4 = 9.72659, -2.2512e-5, 2.279e-10, -1.82e-15
    gam_dash = 2.184e-6
    lat = abs(lat)
    X = np.sin(lat * DEG2RAD_SW)
    X = X * X
    bot_line = (9.780318 * (1.0 + (5.2788e-3 + 2.36e-5 * X) * X) + gam_dash * 0.5 * p)
    top_line = (((c4 * p + c3) * p + c2) * p + c1) * p
    return top_line / bot_line


def adtg(s, t, p):
    # seawater.eos80.adtg: the adiabatic lapse rate
    T68 = T68conv(t)
    a0_, a1_, a2_, a3_ = 3.5803e-5, 8.5258e-6, -6.836e-8, 6.6228e-10
    b0_, b1_ = 1.8932e-6, -4.2393e-8
    c0_, c1_, c2_, c3_ = 1.8741e-8, -6.7795e-10, 8.733e-12, -5.4481e-14
    d0_, d1_ = -1.1351e-10, 2.7759e-12
    e0_, e1_, e2_ = -4.6206e-13, 1.8676e-14, -2.1687e-16
    return (a0_ + (a1_ + (a2_ + a3_ * T68) * T68) * T68 + (b0_ + b1_ * T68) * (s - 35)
            + ((c0_ + (c1_ + (c2_ + c3_ * T68) * T68) * T68) + (d0_ + d1_ * T68) * (s - 35))
            * p + (e0_ + (e1_ + e2_ * T68) * T68) * p * p)


def ptmp(s, t, p, pr=0):
    # seawater.eos80.ptmp: Fofonoff's fourth-order Runge-Kutta
    del_P = pr - p
    del_th = del_P * adtg(s, t, p)
    th = T68conv(t) + 0.5 * del_th
    q = del_th
    del_th = del_P * adtg(s, T90conv(th), p + 0.5 * del_P)
    th = th + (1 - 1 / 2 ** 0.5) * (del_th - q)
    q = (2 - 2 ** 0.5) * del_th + (-2 + 3 / 2 ** 0.5) * q
    del_th = del_P * adtg(s, T90conv(th), p + 0.5 * del_P)
    th = th + (1 + 1 / 2 ** 0.5) * (del_th - q)
    q = (2 + 2 ** 0.5) * del_th + (-2 - 3 / 2 ** 0.5) * q
    del_th = del_P * adtg(s, T90conv(th), p + del_P)
    return T90conv(th + (del_th - 2 * q) / 6)


def pden(s, t, p, pr=0):
    return dens(s, ptmp(s, t, p, pr), pr)


def fp(s, p):
    # seawater.eos80.fp: the freezing point
    p = p / 10.0
    return (-0.0575 + 1.710523e-3 * s ** 0.5 - 2.154996e-4 * s) * s - 7.53e-3 * p


def svel_mackenzie(T, S, D):
    # Mackenzie (1981) sound speed
    return (1448.96 + 4.591 * T - 5.304e-2 * T ** 2 + 2.374e-4 * T ** 3 + 1.340 * (S - 35)
            + 1.630e-2 * D + 1.675e-7 * D ** 2 - 1.025e-2 * T * (S - 35)
            - 7.139e-13 * T * D ** 3)


# a TEOS-10-like specific volume polynomial, gsw's v000..v-style coefficients as globals
SSO = 35.16504
SAu = 40.0 * 35.16504 / 35.0
CTu = 40.0
Zu = 1e4
deltaS = 24.0
V = {
    (0, 0, 0): 1.0769995862e-3, (1, 0, 0): -3.1038981976e-4, (2, 0, 0): 6.6928067038e-4,
    (0, 1, 0): -1.4778121850e-5, (1, 1, 0): 5.0357844883e-6, (0, 2, 0): 3.5549802640e-5,
    (0, 0, 1): -4.4885844955e-4, (1, 0, 1): 1.9053744560e-5, (0, 1, 1): 4.4434620200e-6,
    (0, 0, 2): 8.1320640434e-5, (3, 0, 0): -8.5047933937e-4, (0, 3, 0): -8.3612290290e-6,
}


def specvol_poly(SA, CT, p):
    # specific volume as a sum over a dict of (i, j, k) powers of the reduced variables
    xs = np.sqrt(SA / SAu + deltaS / SAu)
    ys = CT / CTu
    z = p / Zu
    v = np.zeros(np.broadcast(xs, ys, z).shape)
    for (i, j, k), c in V.items():
        v += c * xs ** i * ys ** j * z ** k
    return v


def rho_poly(SA, CT, p):
    return 1.0 / specvol_poly(SA, CT, p)


def linear_eos(T, S, rho0=1025.0, alpha=2e-4, beta=7.6e-4, T0=10.0, S0=35.0):
    return rho0 * (1 - alpha * (T - T0) + beta * (S - S0))


def linear_eos_coeffs(T, S, coeffs):
    # the coefficients in a dict, as ocean-model configs pass them
    return coeffs["rho0"] * (1 - coeffs["alpha"] * (T - coeffs["T0"])
                             + coeffs["beta"] * (S - coeffs["S0"]))


def brunt_vaisala(rho, z, rho0=1025.0):
    # N^2 at mid-depths by np.diff along depth, profiles on axis 1
    drho = np.diff(rho, axis=0)
    dz = np.diff(z)[:, None]
    z_mid = 0.5 * (z[1:] + z[:-1])
    return -gdef / rho0 * drho / dz, z_mid


def nsquared_gsw(SA, CT, p, lat):
    # gsw.Nsquared's arithmetic with the density polynomial, p_mid between levels
    db_to_pa = 1e4
    grav = 9.7803 * (1 + 5.3e-3 * np.sin(np.radians(lat)) ** 2)
    p_mid = 0.5 * (p[1:] + p[:-1])
    rho_mid = 0.5 * (rho_poly(SA[1:], CT[1:], p_mid) + rho_poly(SA[:-1], CT[:-1], p_mid))
    dSA = np.diff(SA)
    dCT = np.diff(CT)
    dp = np.diff(p)
    dv = (specvol_poly(SA[1:], CT[1:], p_mid) - specvol_poly(SA[:-1], CT[:-1], p_mid))
    n2 = grav ** 2 / db_to_pa * rho_mid * (-dv * rho_mid) / dp
    return n2, p_mid, dSA, dCT


def mixed_layer_depth(rho, depth, threshold=0.03):
    # the first index exceeding a density threshold from the surface, per profile
    exceeds = (rho - rho[0]) > threshold
    idx = np.argmax(exceeds, axis=0)
    mld = depth[idx]
    return np.where(exceeds.any(axis=0), mld, np.nan)


def mixed_layer_depth_interp(rho, depth, threshold=0.03):
    # the same, interpolated between the last level above and the first below
    delta = rho - rho[0]
    idx = np.argmax(delta > threshold, axis=0)
    idx = np.maximum(idx, 1)
    cols = np.arange(rho.shape[1])
    d0_, d1_ = delta[idx - 1, cols], delta[idx, cols]
    z0_, z1_ = depth[idx - 1], depth[idx]
    return z0_ + (threshold - d0_) * (z1_ - z0_) / (d1_ - d0_)


def mld_temperature_loop(temp, depth, dT=0.2):
    # a loop over profiles, each the first depth where T differs from the 10 m value
    mld = np.zeros(temp.shape[1])
    for k in range(temp.shape[1]):
        ref = np.interp(10.0, depth, temp[:, k])
        below = np.abs(temp[:, k] - ref) > dT
        mld[k] = depth[np.argmax(below)]
    return mld


def heat_content(T, z, rho0=1025.0, cp=3985.0):
    # ocean heat content of each profile by np.trapezoid over depth
    return rho0 * cp * np.trapezoid(T, z, axis=0)


def dynamic_height(svan, p):
    # the integral of the specific volume anomaly from the surface, cumulative trapezoids
    dp = np.diff(p) * 1e4
    mid = 0.5 * (svan[1:] + svan[:-1])
    return np.concatenate([np.zeros((1,) + svan.shape[1:]), np.cumsum(mid * dp[:, None],
                                                                       axis=0)])


def geostrophic_velocity(dyn_height, lon, lat):
    # between adjacent stations: g dD / (f dx)
    f = 2 * OMEGA * np.sin(np.radians(0.5 * (lat[1:] + lat[:-1])))
    dx = haversine(lat[:-1], lon[:-1], lat[1:], lon[1:]) * 1000.0
    return np.diff(dyn_height, axis=1) / (f * dx)


# tidal constituents as a dict of (amplitude m, phase deg, speed deg/h)
CONSTITUENTS = {
    "M2": (1.20, 110.0, 28.9841042),
    "S2": (0.40, 140.0, 30.0),
    "N2": (0.25, 95.0, 28.4397295),
    "K1": (0.15, 200.0, 15.0410686),
    "O1": (0.10, 185.0, 13.9430356),
}


def tide_synthesis(t_hours, constituents=None, z0=0.0):
    # a sum of cosines over the constituents
    if constituents is None:
        constituents = CONSTITUENTS
    h = np.full_like(t_hours, z0, dtype=float)
    for name, (amp, phase, speed) in constituents.items():
        h += amp * np.cos(np.radians(speed * t_hours - phase))
    return h


def tide_synthesis_arrays(t_hours, amp, phase, speed):
    # the same by broadcasting constituent arrays against time
    arg = np.radians(speed[:, None] * t_hours[None, :] - phase[:, None])
    return (amp[:, None] * np.cos(arg)).sum(axis=0)


def tide_synthesis_generator(t, constituents):
    # `sum(...)` of a generator over the dict's values
    return sum(a * np.cos(np.deg2rad(w * t - ph)) for a, ph, w in constituents.values())


def harmonic_analysis(t_hours, h, speeds):
    # least-squares fit of cos/sin pairs, amplitudes by hypot, phases by arctan2 % 360
    w = np.radians(np.asarray(speeds))
    cols = [np.ones_like(t_hours)]
    for wk in w:
        cols.append(np.cos(wk * t_hours))
        cols.append(np.sin(wk * t_hours))
    A = np.column_stack(cols)
    coef, *_ = np.linalg.lstsq(A, h, rcond=None)
    a, b = coef[1::2], coef[2::2]
    return coef[0], np.hypot(a, b), np.degrees(np.arctan2(b, a)) % 360


def tidal_ellipse(au, pu, av, pv):
    # amplitudes and phases of u and v to ellipse parameters via complex rotary components
    u = au * np.exp(-1j * np.radians(pu))
    v = av * np.exp(-1j * np.radians(pv))
    wp = (u + 1j * v) / 2
    wm = np.conj(u - 1j * v) / 2
    Wp, Wm = np.abs(wp), np.abs(wm)
    THETAp, THETAm = np.angle(wp), np.angle(wm)
    SEMA = Wp + Wm
    SEMI = Wp - Wm
    ECC = SEMI / SEMA
    PHA = np.degrees(THETAm - THETAp) / 2
    INC = np.degrees(THETAm + THETAp) / 2
    return SEMA, ECC, INC % 180, PHA % 360


def wind_stress_large_pond(u10, v10, rho_air=1.22):
    # Large and Pond (1981) drag coefficient piecewise by np.where
    U = np.hypot(u10, v10)
    Cd = np.where(U < 11.0, 1.2e-3, (0.49 + 0.065 * U) * 1e-3)
    return rho_air * Cd * U * u10, rho_air * Cd * U * v10


def ekman_transport(taux, tauy, lat, rho=1025.0):
    f = 2 * OMEGA * np.sin(np.deg2rad(lat))
    return tauy / (rho * f), -taux / (rho * f)


def interp_profiles_standard_depths(temp, depth, std_depths):
    # each profile onto standard depths by np.interp in a loop, nan below the bottom
    out = np.full((len(std_depths), temp.shape[1]), np.nan)
    for k in range(temp.shape[1]):
        out[:, k] = np.interp(std_depths, depth, temp[:, k], right=np.nan)
    return out


def ts_histogram(S, T):
    counts, s_edges, t_edges = np.histogram2d(S.ravel(), T.ravel(), bins=5,
                                              range=[[33.0, 37.0], [0.0, 30.0]])
    return counts


def spiciness_like(S, T):
    # a spiciness-style polynomial from a (k, j) coefficient array and np.polynomial
    c = np.array([[0.0, 0.77, -8.5e-3], [0.78, 3.8e-3, 1e-5], [-1.8e-3, 1e-5, 0.0]])
    return np.polynomial.polynomial.polyval2d(T, S - 35.0, c)


def mld_first_index_single(rho, depth, threshold=0.03):
    # one profile: `depth[np.where(rho - rho[0] > threshold)[0][0]]`
    return depth[np.where(rho - rho[0] > threshold)[0][0]]


def tide_datetime64(times, amp, phase, speed):
    # predictions at datetime64 times: hours since an epoch by a timedelta64 division
    t = (times - np.datetime64("2020-01-01T00:00")) / np.timedelta64(1, "h")
    return amp * np.cos(np.radians(speed * t - phase))


def _profiles(s, n, npro=3):
    depth = np.linspace(0, 300, n + 6)
    T = 20 - 15 * np.tanh(depth / 100.0)[:, None] + 0.1 * _f(n + 6, npro, seed=s)
    S = 34.5 + 0.5 * np.tanh(depth / 150.0)[:, None] + 0.05 * _f(n + 6, npro, seed=s + 1)
    return depth, T, S


OCEAN = {
    "dens0": (dens0, {}, lambda s, n: (_range(s, 30, 38, n), _range(s, -2, 30, n))),
    "dens0_float32": (dens0, {}, lambda s, n: (_range(s, 30, 38, n).astype(np.float32),
                                               _range(s, -2, 30, n).astype(np.float32))),
    "dens_profiles": (dens, {}, lambda s, n: (
        _profiles(s, n)[2], _profiles(s, n)[1], _profiles(s, n)[0][:, None])),
    "sigma_t_grid": (sigma_t, {}, lambda s, n: (
        _range(s, 33, 37, 2, n, 3), _range(s, 0, 28, 2, n, 3))),
    "pres_depth_lat_arrays": (pres, {}, lambda s, n: (np.linspace(0, 5000, n)[:, None],
                                                      _lat(s, 3))),
    "adtg": (adtg, {}, lambda s, n: (_range(s, 33, 37, n), _range(s, 0, 25, n),
                                     np.linspace(0, 4000, n))),
    "ptmp_runge_kutta": (ptmp, {}, lambda s, n: (
        _range(s, 33, 37, n), _range(s, 0, 25, n), np.linspace(0, 4000, n))),
    "ptmp_reference_positional": (ptmp, {}, lambda s, n: (
        _range(s, 33, 37, n), _range(s, 0, 25, n), np.linspace(0, 4000, n), 1000.0)),
    "pden": (pden, {}, lambda s, n: (
        _range(s, 33, 37, n), _range(s, 0, 25, n), np.linspace(0, 4000, n))),
    "freezing_point": (fp, {}, lambda s, n: (_range(s, 0, 40, n), np.linspace(0, 500, n))),
    "sound_speed_mackenzie": (svel_mackenzie, {}, lambda s, n: (
        _profiles(s, n)[1], _profiles(s, n)[2], _profiles(s, n)[0][:, None])),
    "specvol_dict_of_powers": (specvol_poly, {}, lambda s, n: (
        _range(s, 33, 37, n), _range(s, 0, 25, n), np.linspace(0, 4000, n))),
    "rho_poly_scalar_pressure": (rho_poly, {}, lambda s, n: (
        _range(s, 33, 37, n, 2), _range(s, 0, 25, n, 2), 1000.0)),
    "linear_eos_keywords": (linear_eos, {}, lambda s, n: (
        _range(s, 0, 25, n), _range(s, 33, 37, n), 1027.0, 1.7e-4, 7.6e-4, 0.0, 35.0)),
    "linear_eos_coefficient_dict": (linear_eos_coeffs, {}, lambda s, n: (
        _range(s, 0, 25, n), _range(s, 33, 37, n),
        {"rho0": 1025.0, "alpha": 2e-4, "beta": 7.6e-4, "T0": 10.0 + s, "S0": 35.0})),
    "brunt_vaisala_diff": (brunt_vaisala, {}, lambda s, n: (
        dens0(_profiles(s, n)[2], _profiles(s, n)[1]), _profiles(s, n)[0])),
    "nsquared_gsw_like": (nsquared_gsw, {}, lambda s, n: (
        _profiles(s, n)[2][:, 0], _profiles(s, n)[1][:, 0], _profiles(s, n)[0], 30.0)),
    "mixed_layer_depth_argmax": (mixed_layer_depth, {}, lambda s, n: (
        np.c_[dens0(_profiles(s, n)[2], _profiles(s, n)[1]), np.full(n + 6, 1025.0)],
        _profiles(s, n)[0])),
    "mixed_layer_depth_interp": (mixed_layer_depth_interp, {}, lambda s, n: (
        dens0(_profiles(s, n)[2], _profiles(s, n)[1]), _profiles(s, n)[0])),
    "mld_temperature_loop": (mld_temperature_loop, {}, lambda s, n: (
        _profiles(s, n)[1], _profiles(s, n)[0])),
    "heat_content_trapezoid": (heat_content, {}, lambda s, n: (
        _profiles(s, n)[1], _profiles(s, n)[0])),
    "dynamic_height_cumsum": (dynamic_height, {}, lambda s, n: (
        1e-6 * _f(n + 4, 3, seed=s), np.linspace(0, 1000, n + 4))),
    "geostrophic_velocity_stations": (geostrophic_velocity, {}, lambda s, n: (
        _f(5, n, seed=s), np.linspace(-30, -28, n), np.linspace(40, 41, n))),
    "tide_synthesis_module_dict": (tide_synthesis, {}, lambda s, n: (
        np.arange(0, 24 * n, 0.5),)),
    "tide_synthesis_dict_argument": (tide_synthesis, {}, lambda s, n: (
        np.arange(0, 24 * n, 0.5),
        {"M2": (1.0 + 0.1 * s, 100.0, 28.9841042), "K1": (0.3, 45.0, 15.0410686)}, 0.5)),
    "tide_synthesis_arrays": (tide_synthesis_arrays, {}, lambda s, n: (
        np.arange(0, 12 * n, 0.25), *np.array(list(CONSTITUENTS.values())).T)),
    "tide_synthesis_generator_sum": (tide_synthesis_generator, {}, lambda s, n: (
        np.arange(0, 12 * n, 0.25), CONSTITUENTS)),
    "harmonic_analysis_lstsq": (harmonic_analysis, {}, lambda s, n: (
        np.arange(0, 48.0 * n, 1.0),
        tide_synthesis(np.arange(0, 48.0 * n, 1.0)) + 0.01 * _f(48 * n, seed=s),
        [28.9841042, 30.0, 15.0410686])),
    "tidal_ellipse": (tidal_ellipse, {}, lambda s, n: (
        _range(s, 0.1, 1, n), _range(s, 0, 360, n), _range(s + 1, 0.1, 1, n),
        _range(s + 1, 0, 360, n))),
    "wind_stress_large_pond": (wind_stress_large_pond, {}, lambda s, n: _uv(s, n, 4)),
    "ekman_transport": (ekman_transport, {}, lambda s, n: (
        *(0.01 * a for a in _uv(s, n, 4)), np.linspace(20, 60, n)[:, None])),
    "interp_standard_depths_nan_right": (interp_profiles_standard_depths, {}, lambda s, n: (
        _profiles(s, n)[1], _profiles(s, n)[0], np.array([0.0, 10, 50, 100, 250, 500]))),
    "tide_datetime64_times": (tide_datetime64, {}, lambda s, n: (
        np.datetime64("2020-01-01T00:00") + np.arange(4 * n) * np.timedelta64(30 + s, "m"),
        1.2, 110.0, 28.9841042)),
    "mld_first_index_of_selection": (mld_first_index_single, {}, lambda s, n: (
        dens0(_profiles(s, n)[2][:, 0], _profiles(s, n)[1][:, 0]), _profiles(s, n)[0])),
    "ts_histogram2d": (ts_histogram, {}, lambda s, n: (
        _range(s, 33, 37, n, 3), _range(s, 0, 30, n, 3))),
    "spiciness_polyval2d": (spiciness_like, {}, lambda s, n: (
        _range(s, 33, 37, n), _range(s, 0, 30, n))),
}


@pytest.mark.parametrize("name", _names(OCEAN))
def test_oceanography_matches_numpy(name):
    check_like_numpy(*OCEAN[name])


# ============================================================== objects carrying state


class TideGauge:
    """A tide predictor holding its constituents (a dict of tuples) and a datum."""

    def __init__(self, constituents, datum=0.0):
        self.constituents = dict(constituents)
        self.datum = datum
        self.n_predictions = 0

    def predict(self, t_hours):
        self.n_predictions += 1
        return tide_synthesis(t_hours, self.constituents, self.datum)


class RecursiveStaLta:
    """A streaming recursive STA/LTA keeping its averages between packets, ObsPy-style."""

    def __init__(self, nsta, nlta):
        self.csta = 1.0 / nsta
        self.clta = 1.0 / nlta
        self.sta = 0.0
        self.lta = 1e-99

    def process(self, packet):
        out = np.empty_like(packet)
        for i in range(len(packet)):
            sq = packet[i] ** 2
            self.sta = self.csta * sq + (1 - self.csta) * self.sta
            self.lta = self.clta * sq + (1 - self.clta) * self.lta
            out[i] = self.sta / self.lta
        return out


class LocalFrame:
    """An ENU frame about a reference point: its ECEF origin and rotation as attributes."""

    def __init__(self, lat0, lon0, h0, ell=None):
        self.ell = ell or Ellipsoid()
        self.origin = np.array(geodetic2ecef(lat0, lon0, h0, self.ell))
        phi, lam = np.radians(lat0), np.radians(lon0)
        self.R = np.array([[-np.sin(lam), np.cos(lam), 0.0],
                           [-np.sin(phi) * np.cos(lam), -np.sin(phi) * np.sin(lam), np.cos(phi)],
                           [np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)]])

    def to_enu(self, lat, lon, h):
        xyz = np.stack(geodetic2ecef(lat, lon, h, self.ell), axis=-1)
        return (xyz - self.origin) @ self.R.T


class ClimatologyAccumulator:
    """Running monthly sums and counts, updated in place by each year's (12, ny, nx) field."""

    def __init__(self, ny, nx):
        self.sums = np.zeros((12, ny, nx))
        self.counts = np.zeros(12, dtype=np.int64)

    def add_year(self, field):
        self.sums += field
        self.counts += 1
        return self.sums / self.counts[:, None, None]


class SoundingStation:
    """A station object whose method calls module functions with its attributes."""

    def __init__(self, elevation, lat):
        self.elevation = elevation
        self.lat = lat

    def reduce_to_sea_level(self, p, t):
        return sea_level_pressure(p, t, self.elevation)

    def coriolis(self):
        return coriolis_parameter(np.asarray(self.lat))


METHODS = {
    "tide_gauge.predict": (lambda: TideGauge(CONSTITUENTS, 0.3), "predict", lambda s: (
        np.arange(0.0, 24.0 + s, 0.5),)),
    "recursive_sta_lta.process_packets": (lambda: RecursiveStaLta(3, 10), "process",
                                          lambda s: (_quake(s, 2, 24),)),
    "local_frame.to_enu": (lambda: LocalFrame(45.0, 7.0, 300.0), "to_enu", lambda s: (
        45 + 0.01 * _f(4, seed=s), 7 + 0.01 * _f(4, seed=s + 1), _range(s, 200, 400, 4))),
    "climatology_accumulator.add_year": (lambda: ClimatologyAccumulator(2, 3), "add_year",
                                         lambda s: (_f(12, 2, 3, seed=s),)),
    "sounding_station.reduce": (lambda: SoundingStation(512.0, 47.3), "reduce_to_sea_level",
                                lambda s: (_range(s, 900, 960, 5), _range(s, 0, 20, 5))),
}


def check_method_state(make_obj, method, make_args):
    """`jit(obj.method)` called three times on one object: NumPy's values each time and the
    object's attributes ending as NumPy's."""
    want_obj, got_obj = make_obj(), make_obj()
    jf = tracenp.jit(getattr(got_obj, method))
    for seed in (1, 2, 3):
        args = make_args(seed)
        want = getattr(want_obj, method)(*[np.copy(a) for a in args])
        assert_same(jf(*args), want, rtol=1e-5)
    for k, v in vars(want_obj).items():
        if isinstance(v, (np.ndarray, float, int, dict)) and not isinstance(v, bool):
            assert_same(getattr(got_obj, k), v, rtol=1e-5)


@pytest.mark.parametrize("name", _names(METHODS))
def test_jitted_methods_of_station_and_model_objects(name):
    check_method_state(*METHODS[name])


# ========================================================== Python scalars that steer


STEERED = {
    "obspy_vincenty_while_python_floats": (vincenty_while_scalar, lambda s: (
        10.0 * s, 20.0, -35.0 + s, 140.0)),
    "obspy_vincenty_while_numpy_scalars": (vincenty_while_scalar, lambda s: (
        np.float64(10.0 * s), np.float64(20.0), np.float64(-35.0), np.float64(140.0 - s))),
    "obspy_vincenty_tol_max_iter_positional": (vincenty_while_scalar, lambda s: (
        10.0, 20.0, -35.0, 140.0, 1e-6 * s, 3 + s)),
    "obspy_cosine_taper_npts_p": (cosine_taper, lambda s: (20 + 4 * s, 0.1 * s)),
    "obspy_taper_percentage_positional": (taper_trace, lambda s: (_quake(s, 3), 0.05 * s)),
    "obspy_rotate_ne_rt_back_azimuth": (rotate_ne_rt, lambda s: (
        _f(12, seed=s), _f(12, seed=s + 1), 30.0 * s)),
    "obspy_classic_sta_lta_ints": (classic_sta_lta_py, lambda s: (_quake(s, 3), 2 + s, 8 + s)),
    "obspy_recursive_sta_lta_ints": (recursive_sta_lta_py, lambda s: (
        _quake(s, 2), 2 + s, 6 + s)),
    "obspy_z_detect_nsta": (z_detect, lambda s: (_quake(s, 3), 2 + s)),
    "utm_force_zone_positional": (from_latlon, lambda s: (
        _lat(s, 5, lim=60), _range(s, 6 * s, 6 * s + 6, 5), 31 + s)),
    "utm_to_latlon_zone_northern": (to_latlon, lambda s: (
        _range(s, 3e5, 7e5, 4), _range(s, 1e6, 5e6, 4), 30 + s, s == 1)),
    "slippy_tiles_zoom_positional": (slippy_tiles, lambda s: (
        _lon(s, 5), _lat(s, 5, lim=85), 4 * s)),
    "grid_cell_index_res_positional": (grid_cell_index, lambda s: (
        _lat(s, 6), _lon(s, 6), -90.0, -180.0, 5.0 * s)),
    "running_mean_window_positional": (running_mean, lambda s: (_f(20, seed=s), 2 + s)),
    "spectrogram_nfft_hop_positional": (spectrogram, lambda s: (
        _quake(s, 4), 100.0 * s, 8 * s, 4)),
    "lcl_max_iters_positional": (lcl_fixed_point, lambda s: (
        1000.0, _range(s, 280, 300, 4), _range(s, 265, 279, 4), 5 * s)),
    "ricker_freq_dt_length": (ricker_freq, lambda s: (25.0, 0.004 * s, 0.128)),
    "paz_response_t_samp_nfft": (paz_response, lambda s: (
        STS2_POLES, STS2_ZEROS, 6e7, 0.01 * s, 32 * s)),
    "detrend_order_positional": (detrend_polynomial, lambda s: (_quake(s, 3), s)),
    "mixed_layer_threshold_positional": (mixed_layer_depth, lambda s: (
        dens0(_profiles(s, 4)[2], _profiles(s, 4)[1]), _profiles(s, 4)[0], 0.03 * s)),
    "wind_chill_mask_flag_positional": (wind_chill, lambda s: (
        _range(s, -30, 15, 6), _range(s, 0, 60, 6), s == 1)),
    "geodetic2ecef_deg_flag_positional": (geodetic2ecef, lambda s: (
        _lat(s, 4), _lon(s, 4), 0.0, None, s == 1)),
    "harmonic_analysis_speed_list": (harmonic_analysis, lambda s: (
        np.arange(0, 96.0), tide_synthesis(np.arange(0, 96.0)),
        [28.9841042, 30.0, 15.0410686][:1 + s])),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_geoscience_code_are_made_static(name):
    """ObsPy's `while` of Vincenty on Python floats, `cosine_taper`'s `int(npts * p / 2.0 +
    0.5)` and `if` chain, `rotate_ne_rt`'s range check and `math.radians` of the back
    azimuth, STA/LTA window lengths, utm zones, tile zooms, grid resolutions, window lengths
    and hops, iteration counts and flags passed positionally: jit makes them static and gives
    NumPy's values."""
    check_steered(*STEERED[name])


# ========================================================================= refused forms


def trigger_onset(charfct, thres1, thres2):
    # obspy.signal.trigger.trigger_onset, its core: selections, their lengths, Python lists
    ind1 = np.where(charfct > thres1)[0]
    if len(ind1) == 0:
        return []
    ind2 = np.where(charfct > thres2)[0]
    on = [ind1[0]]
    of = [-1]
    ind2_ = np.empty_like(ind2, dtype=bool)
    ind2_[:-1] = np.diff(ind2) > 1
    ind2_[-1] = True
    of.extend(ind2[ind2_].tolist())
    on.extend(ind1[np.where(np.diff(ind1) > 1)[0] + 1].tolist())
    return np.array([on[:2], of[:2]])


def sanitize_latitude(lat, lon, h):
    # pymap3d's sanitize: `if np.any(lat < -90) or np.any(lat > 90): raise`
    if np.any(np.asarray(lat) < -90) or np.any(np.asarray(lat) > 90):
        raise ValueError("-90 <= lat <= 90")
    return geodetic2ecef(lat, lon, h)


def remove_nans_sounding(p, t):
    # metpy's _remove_nans: the levels kept by a mask, returned
    keep = ~np.isnan(t)
    return p[keep], t[keep]


def wind_chill_masked(temperature, speed):
    # metpy's masked result: np.ma.masked_where of the undefined cells, filled for output
    wcti = 13.12 + 0.6215 * temperature + (0.3965 * temperature - 11.37) * speed ** 0.16
    return np.ma.masked_where((temperature > 10.0) | (speed <= 4.8), wcti).filled(np.nan)


REFUSED = {
    "vincenty_while_on_arrays": (tracenp.ConcretizationError, vincenty_while_arrays,
                                 lambda s: (_lat(s, 4), _lon(s, 4) * 0.5, _lat(s + 1, 4),
                                            _lon(s + 1, 4) * 0.5)),
    "metpy_lcl_while_tolerance": (tracenp.ConcretizationError, lcl_while_tolerance,
                                  lambda s: (1000.0, _range(s, 280, 300, 4),
                                             _range(s, 265, 279, 4))),
    "metpy_wind_chill_if_mask_any": (tracenp.ConcretizationError, wind_chill_if_any,
                                     lambda s: (_range(s, -30, 15, 6), _range(s, 0, 60, 6))),
    "metpy_wind_direction_if_any": (tracenp.ConcretizationError, wind_direction_metpy,
                                    lambda s: (_f(5, seed=s), _f(5, seed=s + 1))),
    "obspy_xcorr_max_if": (tracenp.ConcretizationError, xcorr_max, lambda s: (
        np.correlate(_f(9, seed=s), _f(9, seed=s + 1), "full"),)),
    "obspy_invert_spectrum_found_len": (tracenp.errors.DataDependentShapeError,
                                        invert_spectrum_found, lambda s: (
                                            np.fft.rfft(_f(16, seed=s)), 10.0)),
    "obspy_trigger_onset": (tracenp.errors.DataDependentShapeError, trigger_onset, lambda s: (
        classic_sta_lta_py(_quake(s, 4), 2, 8), 1.5, 0.5)),
    "pymap3d_sanitize_latitude": (tracenp.ConcretizationError, sanitize_latitude, lambda s: (
        _lat(s, 4), _lon(s, 4), 0.0)),
    "metpy_remove_nans": (tracenp.errors.DataDependentShapeError, remove_nans_sounding,
                          lambda s: (np.linspace(1000, 500, 6),
                                     np.r_[290.0, np.nan, 280.0, 275.0 + s, np.nan, 260.0])),
    "compass_points_local_string_table": (tracenp.ConcretizationError,
                                          angle_to_direction_local, lambda s: (
                                              _range(s, 0, 360, 5),)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_value_dependent_geoscience_code_is_refused(name):
    """Vincenty's and the LCL's `while` on array values, MetPy's `if mask.any()` guards and
    `_remove_nans`, ObsPy's `xcorr_max` branch, `invert_spectrum`'s `len(idx[0])` and
    `trigger_onset`, pymap3d's latitude check, a masked wind chill by `np.ma.masked_where`
    and compass points from a string table made in the function: the named error, and
    NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])


# =============================================================== working sizes


SPEED = {
    "recursive_sta_lta_1024_samples": (recursive_sta_lta_py, {"nsta": 20, "nlta": 100},
                                       lambda: (_quake(1, 64, 1024),)),
    "eikonal_sweep_500_cells": (eikonal_sweep_1d, {"src": 3}, lambda: (
        _range(1, 0.2, 1.0, 500), 5.0)),
    "vorticity_loop_40_by_40": (vorticity_centered_loop, {}, lambda: (*_uv(1, 40, 40), 1e5,
                                                                     1e5)),
    "point_in_polygon_10000_points_50_edges": (point_in_polygon, {}, lambda: (
        _range(1, -2, 2, 10000), _range(2, -2, 2, 10000),
        np.c_[np.cos(np.linspace(0, 6.28, 50, endpoint=False)),
              np.sin(np.linspace(0, 6.28, 50, endpoint=False))])),
    "vincenty_10000_pairs": (vincenty_inverse, {}, lambda: (
        _lat(1, 10000), _lon(1, 10000) * .5, _lat(2, 10000), _lon(2, 10000) * .5)),
    "spectrogram_10000_samples_nfft_256_hop_64": (spectrogram, {"nfft": 256, "hop": 64},
                                                  lambda: (_quake(1, 1, 10000), 100.0)),
    "sliding_rms_10000_window_200_step_100": (sliding_rms, {"window": 200, "step": 100},
                                              lambda: (_quake(1, 1, 10000),)),
    "daily_from_hourly_ten_years_reduceat": (daily_from_hourly, {},
                                             lambda: (_range(1, 0, 5, 24 * 3650),)),
    "sta_lta_windows_nlta_500_on_10000": (sta_lta_windows, {"nsta": 50, "nlta": 500},
                                          lambda: (_quake(1, 1, 10000),)),
}


@pytest.mark.parametrize("name", _names(SPEED))
def test_sample_loops_and_framing_at_working_sizes_match_numpy(name):
    """Sample loops (recursive STA/LTA, an eikonal sweep, an interior-point vorticity loop,
    ray casting over edges), framing by `sliding_window_view(x, n)[::hop]`, window means of
    a long STA/LTA and daily totals by `ufunc.reduceat` at working sizes: NumPy's values.
    (Their speed against NumPy is measured by `python -m tracenp.bench`, not here.)"""
    fn, static, make = SPEED[name]
    args = make()
    jf = tracenp.jit(fn, static_argnames=tuple(static))
    assert_same(jf(*args, **static), fn(*args, **static), rtol=1e-7)
