"""Corpus, hunt L: earth and climate science, astronomy data reduction, medical and microscopy
imaging, and Bayesian/statistical computing.

Climate and earth: anomalies against monthly climatologies (`reshape(-1, 12, ...)` and
`np.nanmean`), area-weighted global means with `np.cos(np.deg2rad(lat))` over (time, lat,
lon), trends by `np.polyfit` on 2-D y, `np.linalg.lstsq` and slope formulas, degree-days,
saturation vapour pressure, dew point and heat index, unit conversions, NDVI/NDWI with
`np.errstate` and `np.where`/`np.divide(where=)`, cloud masks from QA bit flags on uint16,
block-mean regridding, wind speed and direction by `np.arctan2` and `% 360`, running means by
`np.convolve(mode="valid")`, return periods, percentiles along time, dry spells, gradients.
Astronomy: bias/dark/flat calibration, sigma clipping with fixed iterations (median/MAD),
aperture photometry with `np.ogrid` masks, centroids, magnitudes, airmass, angular separations
(haversine, Vincenty), RA/Dec conversions, phase folding, Lomb-Scargle by broadcasting, binned
light curves by `np.histogram(weights=)`, cosmological distances by `np.trapezoid`.
Imaging: CT windowing to uint8, z-score and percentile normalization, `np.pad` modes, maximum
intensity projections, Otsu thresholds, label statistics by `np.bincount(weights=)`, Dice/IoU
and Hausdorff distances, gamma and contrast stretching, histogram equalization, rolling-mean
backgrounds, radial profiles, FFT phase correlation with `np.unravel_index(np.argmax(...))`.
Bayesian and statistical computing: Metropolis-Hastings and Gibbs samplers drawing from a
`Generator` argument, hand-written log-likelihoods, conjugate updates, posterior grids,
credible and HPD intervals, bootstrap, kernel density estimates, autocorrelation and effective
sample size by `np.correlate`, Gelman-Rubin R-hat, importance weights with logsumexp.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place. Forms that cannot be traced raise a named error and run
eagerly under `fallback=True`.
"""

from __future__ import annotations

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_ops import assert_same

# ------------------------------------------------------------------------------ climate and earth


def monthly_anomalies(temp):
    nt = temp.shape[0]
    monthly = temp.reshape(-1, 12, *temp.shape[1:])
    clim = np.nanmean(monthly, axis=0)
    anom = monthly - clim[None]
    return anom.reshape(nt, *temp.shape[1:]), clim


def monthly_climatology_loop(ts):
    clim = np.zeros(12)
    for m in range(12):
        clim[m] = np.nanmean(ts[m::12])
    return ts - np.tile(clim, len(ts) // 12), clim


def global_mean_weighted(field, lat):
    weights = np.cos(np.deg2rad(lat))
    w = weights[:, None] * np.ones(field.shape[-1])
    return (field * w).sum(axis=(-2, -1)) / w.sum()


def global_mean_nan(field, lat):
    w = np.cos(np.radians(lat))[None, :, None]
    w = np.broadcast_to(w, field.shape)
    valid = ~np.isnan(field)
    return np.nansum(field * w, axis=(1, 2)) / np.sum(w * valid, axis=(1, 2))


def global_mean_average(field, lat):
    w = np.cos(np.deg2rad(lat))
    zonal = field.mean(axis=-1)
    return np.average(zonal, axis=-1, weights=w)


def hemispheric_means(field, lat):
    w = np.cos(np.deg2rad(lat))
    zonal = field.mean(axis=-1)
    nh = lat > 0
    sh = lat < 0
    nh_mean = (zonal[:, nh] * w[nh]).sum(axis=1) / w[nh].sum()
    sh_mean = (zonal[:, sh] * w[sh]).sum(axis=1) / w[sh].sum()
    return nh_mean, sh_mean, nh_mean - sh_mean


def linear_trend_polyfit(ts):
    t = np.arange(ts.shape[0])
    coeffs = np.polyfit(t, ts.reshape(ts.shape[0], -1), 1)
    return coeffs[0].reshape(ts.shape[1:]) * 10


def linear_trend_formula(y):
    t = np.arange(y.shape[0], dtype=float)
    tm = t - t.mean()
    ym = y - y.mean(axis=0)
    slope = np.einsum("t,tij->ij", tm, ym) / (tm ** 2).sum()
    intercept = y.mean(axis=0) - slope * t.mean()
    return slope, intercept


def trend_lstsq(y):
    n = y.shape[0]
    A = np.vstack([np.arange(n), np.ones(n)]).T
    coef, res, rank, sv = np.linalg.lstsq(A, y, rcond=None)
    return coef[0], coef[1], res


def trend_significance(y):
    n = len(y)
    x = np.arange(n)
    xm = x - x.mean()
    slope = np.sum(xm * (y - y.mean())) / np.sum(xm ** 2)
    resid = y - (y.mean() + slope * xm)
    se = np.sqrt(np.sum(resid ** 2) / (n - 2) / np.sum(xm ** 2))
    return slope, slope / se


def growing_degree_days(tmax, tmin, tbase=10.0, tcap=30.0):
    tmax = np.minimum(tmax, tcap)
    tmin = np.maximum(tmin, tbase)
    tavg = (tmax + tmin) / 2
    gdd = np.maximum(tavg - tbase, 0)
    return gdd.cumsum(axis=0), gdd.sum(axis=0)


def heating_cooling_degree_days(tmean, base=18.0):
    hdd = np.clip(base - tmean, 0, None)
    cdd = np.clip(tmean - base, 0, None)
    return hdd.sum(), cdd.sum(), hdd.reshape(-1, 12).sum(axis=1)


def saturation_vapor_pressure(t_c):
    return 6.112 * np.exp(17.67 * t_c / (t_c + 243.5))


def dewpoint_magnus(t_c, rh):
    a, b = 17.625, 243.04
    gamma = np.log(rh / 100.0) + a * t_c / (b + t_c)
    return b * gamma / (a - gamma)


def heat_index_rothfusz(T_f, RH):
    hi = 0.5 * (T_f + 61.0 + (T_f - 68.0) * 1.2 + RH * 0.094)
    full = (-42.379 + 2.04901523 * T_f + 10.14333127 * RH - 0.22475541 * T_f * RH
            - 6.83783e-3 * T_f ** 2 - 5.481717e-2 * RH ** 2 + 1.22874e-3 * T_f ** 2 * RH
            + 8.5282e-4 * T_f * RH ** 2 - 1.99e-6 * T_f ** 2 * RH ** 2)
    adj1 = ((13 - RH) / 4) * np.sqrt((17 - np.abs(T_f - 95.0)) / 17)
    adj2 = ((RH - 85) / 10) * ((87 - T_f) / 5)
    full = np.where((RH < 13) & (T_f > 80) & (T_f < 112), full - adj1, full)
    full = np.where((RH > 85) & (T_f > 80) & (T_f < 87), full + adj2, full)
    return np.where((hi + T_f) / 2 >= 80, full, hi)


def relative_humidity_from_dewpoint(t, td):
    es = 6.112 * np.exp(17.67 * t / (t + 243.5))
    e = 6.112 * np.exp(17.67 * td / (td + 243.5))
    return np.clip(100 * e / es, 0, 100)


def mixing_ratio_and_theta(T_k, p_hpa, rh):
    es = 6.112 * np.exp(17.67 * (T_k - 273.15) / (T_k - 29.65))
    e = rh / 100 * es
    w = 0.622 * e / (p_hpa - e) * 1000
    theta = T_k * (1000.0 / p_hpa) ** 0.2857
    return w, theta, theta * (1 + 0.61 * w / 1000)


def unit_conversions(t_k, precip_flux, p_pa):
    t_c = t_k - 273.15
    t_f = t_c * 9 / 5 + 32
    mm_day = precip_flux * 86400
    return t_c, t_f, mm_day, p_pa / 100.0, (mm_day.reshape(-1, 12) * 30).sum(axis=1)


def pressure_altitude(p_hpa):
    return 44330.0 * (1.0 - (p_hpa / 1013.25) ** (1 / 5.255))


def ndvi_where(nir, red):
    nir = nir.astype(np.float32)
    red = red.astype(np.float32)
    denom = nir + red
    with np.errstate(divide="ignore", invalid="ignore"):
        ndvi = np.where(denom == 0, 0, (nir - red) / denom)
    return ndvi, (ndvi > 0.3).mean()


def ndwi_divide_where(green, nir):
    green = green.astype(float)
    nir = nir.astype(float)
    ndwi = np.divide(green - nir, green + nir, out=np.zeros_like(green), where=(green + nir) != 0)
    water = ndwi > 0.0
    return ndwi, water.sum(), np.count_nonzero(water, axis=0)


def ndvi_nan(nir, red):
    with np.errstate(divide="ignore", invalid="ignore"):
        v = (nir.astype(float) - red) / (nir.astype(float) + red)
    v[~np.isfinite(v)] = np.nan
    return v, np.nanmean(v), np.nanmax(v, axis=0)


def evi(nir, red, blue):
    nir, red, blue = (b.astype(np.float64) / 10000.0 for b in (nir, red, blue))
    return 2.5 * (nir - red) / (nir + 6.0 * red - 7.5 * blue + 1.0)


def landsat_qa_mask(qa):
    cloud = (qa >> 3) & 1
    shadow = (qa >> 4) & 1
    snow = (qa >> 5) & 1
    conf = (qa >> 8) & 0b11
    clear = (cloud == 0) & (shadow == 0) & (conf < 2)
    return clear, cloud.sum(), snow.astype(bool), conf


def modis_state_bits(state):
    cloud_state = np.bitwise_and(state, 0b11)
    shadow = np.right_shift(state, 2) & 1
    land_water = (state >> 3) & 0b111
    return cloud_state == 0, shadow.astype(bool), land_water, state & (1 << 10) > 0


def masked_composite(bands, qa):
    cloudy = (qa & (1 << 3)) != 0
    data = bands.astype(float)
    data[cloudy] = np.nan
    return np.nanmedian(data, axis=0), np.nanmean(data, axis=0), cloudy.mean(axis=0)


def block_mean(a, f=2):
    h, w = a.shape
    return a.reshape(h // f, f, w // f, f).mean(axis=(1, 3))


def coarsen_nan(a, f=2):
    h, w = a.shape[-2:]
    return np.nanmean(a.reshape(*a.shape[:-2], h // f, f, w // f, f), axis=(-3, -1))


def upsample_nearest(a, f=2):
    return np.repeat(np.repeat(a, f, axis=0), f, axis=1), np.kron(a, np.ones((f, f)))


def wind_speed_direction(u, v):
    speed = np.sqrt(u ** 2 + v ** 2)
    direction = (270 - np.rad2deg(np.arctan2(v, u))) % 360
    return speed, direction


def wind_dir_meteo(u, v):
    wdir = np.degrees(np.arctan2(-u, -v)) % 360
    return np.hypot(u, v), wdir


def wind_components(speed, direction_deg):
    rad = np.deg2rad(direction_deg)
    return -speed * np.sin(rad), -speed * np.cos(rad)


def wind_rose_counts(speed, direction, n_sectors=8):
    width = 360 / n_sectors
    sector = np.floor(((direction + width / 2) % 360) / width).astype(int)
    counts = np.bincount(sector, minlength=n_sectors)
    mean_speed = np.bincount(sector, weights=speed, minlength=n_sectors) / np.maximum(counts, 1)
    return counts, mean_speed


def vector_mean_wind(speed, direction):
    rad = np.radians(direction)
    u = -np.mean(speed * np.sin(rad))
    v = -np.mean(speed * np.cos(rad))
    return np.hypot(u, v), np.degrees(np.arctan2(-u, -v)) % 360


def running_mean_convolve(x, w=5):
    return np.convolve(x, np.ones(w) / w, mode="valid")


def running_mean_cumsum(x, n=5):
    c = np.cumsum(np.insert(x, 0, 0))
    return (c[n:] - c[:-n]) / n


def oni_index(sst_anom):
    oni = np.convolve(sst_anom, np.ones(3) / 3, mode="same")
    el_nino = oni >= 0.5
    la_nina = oni <= -0.5
    return oni, el_nino.sum(), la_nina.sum()


def annual_and_seasonal_means(monthly):
    m = monthly.reshape(-1, 12)
    djf = (m[:-1, 11] + m[1:, 0] + m[1:, 1]) / 3
    jja = m[:, 5:8].mean(axis=1)
    return m.mean(axis=1), djf, jja


def return_periods(annual_max):
    sorted_ = np.sort(annual_max)[::-1]
    n = len(sorted_)
    rank = np.arange(1, n + 1)
    T = (n + 1) / rank
    return sorted_, T, 1 / T


def gumbel_return_level(annual_max, T=np.array([2, 10, 50, 100])):
    beta = np.sqrt(6) * annual_max.std(ddof=1) / np.pi
    mu = annual_max.mean() - 0.5772 * beta
    return mu - beta * np.log(-np.log(1 - 1 / T))


def percentiles_along_time(x):
    p10, p50, p90 = np.percentile(x, [10, 50, 90], axis=0)
    return p10, p50, p90, (x > p90).mean(axis=0)


def nan_aware_stats(x):
    n_valid = np.count_nonzero(~np.isnan(x), axis=0)
    total = np.nansum(x, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n_valid > 0, total / n_valid, np.nan)
    return n_valid / x.shape[0], total, mean, np.isnan(x).any(axis=0)


def fill_missing_climatology(ts):
    m = ts.reshape(-1, 12)
    clim = np.nanmean(m, axis=0)
    filled = np.where(np.isnan(m), clim, m)
    return filled.ravel()


def standardized_index(precip):
    m = precip.reshape(-1, 12)
    return ((m - m.mean(0)) / m.std(0, ddof=1)).ravel()


def grid_cell_area(lat, lon):
    R = 6371.0
    dlat = np.deg2rad(np.abs(lat[1] - lat[0]))
    dlon = np.deg2rad(np.abs(lon[1] - lon[0]))
    area = R ** 2 * dlat * dlon * np.cos(np.deg2rad(lat))
    return np.repeat(area[:, None], lon.size, axis=1)


def daylength_hours(lat, doy):
    decl = np.deg2rad(23.45) * np.sin(2 * np.pi * (284 + doy) / 365)
    latr = np.deg2rad(lat)[:, None]
    cosw = -np.tan(latr) * np.tan(decl)
    omega = np.arccos(np.clip(cosw, -1, 1))
    return 24 / np.pi * omega


def hargreaves_et0(tmin, tmax, ra):
    tmean = (tmax + tmin) / 2
    return 0.0023 * 0.408 * ra * (tmean + 17.8) * np.sqrt(np.maximum(tmax - tmin, 0))


def lon_360_to_180(lon, field):
    lon2 = ((lon + 180) % 360) - 180
    order = np.argsort(lon2)
    return lon2[order], field[..., order]


def nearest_grid_point(lat, lon, field, plat=10.0, plon=20.0):
    i = np.abs(lat - plat).argmin()
    j = np.abs(lon - plon).argmin()
    return i, j, field[:, i, j]


def longest_dry_spell(precip, thresh=1.0):
    dry = precip < thresh
    run = np.zeros(precip.shape[1:])
    longest = np.zeros(precip.shape[1:])
    for t in range(precip.shape[0]):
        run = np.where(dry[t], run + 1, 0)
        longest = np.maximum(longest, run)
    return longest


def precipitation_indices(pr):
    wet = pr >= 1.0
    sdii = np.sum(np.where(wet, pr, 0), axis=0) / np.maximum(wet.sum(axis=0), 1)
    win = np.lib.stride_tricks.sliding_window_view(pr, 5, axis=0)
    rx5 = win.sum(axis=-1).max(axis=0)
    r95 = np.percentile(pr, 95, axis=0)
    return sdii, rx5, np.sum(np.where(pr > r95, pr, 0), axis=0)


def heat_wave_days(tmax):
    thresh = np.percentile(tmax, 90, axis=0)
    hot = tmax > thresh
    three = hot[:-2] & hot[1:-1] & hot[2:]
    return hot.sum(axis=0), three.sum(axis=0)


def geostrophic_wind(z, lat, dx=1e5, dy=1e5):
    f = 2 * 7.292e-5 * np.sin(np.deg2rad(lat))[:, None]
    dzdy, dzdx = np.gradient(z, dy, dx)
    return -9.81 / f * dzdy, 9.81 / f * dzdx


def relative_vorticity(u, v, dx=1e5, dy=1e5):
    dvdx = np.gradient(v, dx, axis=1)
    dudy = np.gradient(u, dy, axis=0)
    return dvdx - dudy, np.gradient(u, dx, axis=1) + np.gradient(v, dy, axis=0)


def haversine_km(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(np.radians, [lat1, lon1, lat2, lon2])
    dlat = lat2 - lat1
    dlon = lon2 - lon1
    a = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))


def station_distance_weights(lat, lon, slat, slon, power=2):
    d = haversine_km(lat[:, None], lon[:, None], slat[None, :], slon[None, :])
    w = 1.0 / d ** power
    return w / w.sum(axis=1, keepdims=True)


def idw_interpolate(lat, lon, slat, slon, values):
    w = station_distance_weights(lat, lon, slat, slon)
    return w @ values


def sea_level_pressure(p_station, t_c, z):
    return p_station * (1 - 0.0065 * z / (t_c + 0.0065 * z + 273.15)) ** -5.257


def _lat(n):
    return np.linspace(-80, 80, n)


def _field(s, n, t=24):
    return 15 + 10 * _f(t, n, n + 1, seed=s)


def _uint16(s, *shape, hi=4000):
    return _i(hi, *shape, seed=s).astype(np.uint16)


def _nans(*shape, seed=0, frac=0.2):
    x = _f(*shape, seed=seed)
    x[np.random.default_rng(seed + 100).random(shape) < frac] = np.nan
    return x


CLIMATE = {
    "monthly_anomalies": (monthly_anomalies, {}, lambda s, n: (_field(s, n),)),
    "monthly_anomalies_nan": (monthly_anomalies, {}, lambda s, n: (_nans(12 * n, 3, seed=s, frac=0.1),)),
    "monthly_climatology_loop": (monthly_climatology_loop, {}, lambda s, n: (_nans(12 * n, seed=s, frac=0.1),)),
    "global_mean_weighted": (global_mean_weighted, {}, lambda s, n: (_field(s, n), _lat(n))),
    "global_mean_nan": (global_mean_nan, {}, lambda s, n: (_nans(5, n, n + 2, seed=s), _lat(n))),
    "global_mean_average": (global_mean_average, {}, lambda s, n: (_field(s, n), _lat(n))),
    "hemispheric_means": (hemispheric_means, {}, lambda s, n: (_field(s, n), _lat(n))),
    "linear_trend_polyfit": (linear_trend_polyfit, {}, lambda s, n: (_field(s, n),)),
    "linear_trend_formula": (linear_trend_formula, {}, lambda s, n: (_field(s, n),)),
    "trend_lstsq": (trend_lstsq, {}, lambda s, n: (_f(3 * n, 5, seed=s),)),
    "trend_significance": (trend_significance, {}, lambda s, n: (_f(3 * n, seed=s) + np.arange(3 * n) * 0.1,)),
    "growing_degree_days": (growing_degree_days, {}, lambda s, n: (20 + 8 * _f(5 * n, 3, seed=s), 8 + 5 * _f(5 * n, 3, seed=s + 1))),
    "heating_cooling_degree_days": (heating_cooling_degree_days, {}, lambda s, n: (18 + 8 * _f(12 * n, seed=s),)),
    "saturation_vapor_pressure": (saturation_vapor_pressure, {}, lambda s, n: (10 * _f(n, 3, seed=s),)),
    "saturation_vapor_pressure_f32": (saturation_vapor_pressure, {}, lambda s, n: ((10 * _f(n, 3, seed=s)).astype(np.float32),)),
    "dewpoint_magnus": (dewpoint_magnus, {}, lambda s, n: (20 + 5 * _f(n, seed=s), 30 + 60 * _f(n, positive=True, seed=s) / 2)),
    "heat_index_rothfusz": (heat_index_rothfusz, {}, lambda s, n: (80 + 15 * _f(4 * n, seed=s), 50 + 45 * np.tanh(_f(4 * n, seed=s + 1)))),
    "relative_humidity_from_dewpoint": (relative_humidity_from_dewpoint, {}, lambda s, n: (20 + 5 * _f(n, seed=s), 10 + 5 * _f(n, seed=s + 1))),
    "mixing_ratio_and_theta": (mixing_ratio_and_theta, {}, lambda s, n: (290 + 5 * _f(n, seed=s), np.linspace(1000, 500, n), 60 + 10 * _f(n, seed=s))),
    "unit_conversions": (unit_conversions, {}, lambda s, n: (280 + 5 * _f(12 * n, seed=s), 1e-5 * _f(12 * n, positive=True, seed=s), 1e5 + 100 * _f(12 * n, seed=s))),
    "pressure_altitude": (pressure_altitude, {}, lambda s, n: (np.linspace(1013, 300, n).astype(np.float32),)),
    "ndvi_where": (ndvi_where, {}, lambda s, n: (_uint16(s, n, n), _uint16(s + 1, n, n) * (_i(2, n, n, seed=s) > 0))),
    "ndvi_where_zeros": (ndvi_where, {}, lambda s, n: (np.zeros((n, 3), np.uint16), _uint16(s, n, 3) * 0)),
    "ndwi_divide_where": (ndwi_divide_where, {}, lambda s, n: (_uint16(s, n, 3, hi=3), _uint16(s + 1, n, 3, hi=3))),
    "ndvi_nan": (ndvi_nan, {}, lambda s, n: (_uint16(s, n, 3, hi=3), _uint16(s + 1, n, 3, hi=3))),
    "evi": (evi, {}, lambda s, n: (_uint16(s, n, 3) + 3000, _uint16(s + 1, n, 3), _uint16(s + 2, n, 3, hi=500))),
    "landsat_qa_mask": (landsat_qa_mask, {}, lambda s, n: (_uint16(s, n, n, hi=1024),)),
    "modis_state_bits": (modis_state_bits, {}, lambda s, n: (_uint16(s, n, 5, hi=2 ** 16),)),
    "masked_composite": (masked_composite, {}, lambda s, n: (_uint16(s, 6, n, 3), np.r_[np.zeros((1, n, 3), np.uint16), _uint16(s + 1, 5, n, 3, hi=32)])),
    "block_mean": (block_mean, {}, lambda s, n: (_f(2 * n, 2 * n + 2, seed=s),)),
    "block_mean_f3": (block_mean, {"f": 3}, lambda s, n: (_f(3 * n, 6, seed=s).astype(np.float32),)),
    "coarsen_nan": (coarsen_nan, {}, lambda s, n: (_nans(3, 2 * n, 4, seed=s),)),
    "upsample_nearest": (upsample_nearest, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "wind_speed_direction": (wind_speed_direction, {}, lambda s, n: (5 * _f(n, n, seed=s), 5 * _f(n, n, seed=s + 1))),
    "wind_dir_meteo": (wind_dir_meteo, {}, lambda s, n: (5 * _f(n, seed=s).astype(np.float32), 5 * _f(n, seed=s + 1).astype(np.float32))),
    "wind_components": (wind_components, {}, lambda s, n: (5 * _f(n, positive=True, seed=s), 360 * _f(n, positive=True, seed=s) / 2)),
    "wind_rose_counts": (wind_rose_counts, {}, lambda s, n: (_f(5 * n, positive=True, seed=s), 359.9 * np.random.default_rng(s).random(5 * n))),
    "vector_mean_wind": (vector_mean_wind, {}, lambda s, n: (_f(5 * n, positive=True, seed=s), 90 + 30 * _f(5 * n, seed=s))),
    "running_mean_convolve": (running_mean_convolve, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "running_mean_cumsum": (running_mean_cumsum, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "oni_index": (oni_index, {}, lambda s, n: (_f(6 * n, seed=s),)),
    "annual_and_seasonal_means": (annual_and_seasonal_means, {}, lambda s, n: (_f(12 * n, seed=s),)),
    "return_periods": (return_periods, {}, lambda s, n: (50 + 10 * _f(3 * n, seed=s),)),
    "gumbel_return_level": (gumbel_return_level, {}, lambda s, n: (50 + 10 * _f(3 * n, seed=s),)),
    "percentiles_along_time": (percentiles_along_time, {}, lambda s, n: (_f(5 * n, 3, 2, seed=s),)),
    "nan_aware_stats": (nan_aware_stats, {}, lambda s, n: (np.r_[np.full((1, 3), np.nan), _nans(n, 3, seed=s)].T,)),
    "fill_missing_climatology": (fill_missing_climatology, {}, lambda s, n: (_nans(12 * n, seed=s, frac=0.1),)),
    "standardized_index": (standardized_index, {}, lambda s, n: (_f(12 * n, positive=True, seed=s),)),
    "grid_cell_area": (grid_cell_area, {}, lambda s, n: (_lat(n), np.linspace(0, 350, 2 * n))),
    "daylength_hours": (daylength_hours, {}, lambda s, n: (np.linspace(-85, 85, n), np.arange(1, 366, 30))),
    "hargreaves_et0": (hargreaves_et0, {}, lambda s, n: (10 + _f(n, seed=s), 20 + 5 * _f(n, seed=s + 1), 30 + _f(n, seed=s + 2))),
    "lon_360_to_180": (lon_360_to_180, {}, lambda s, n: (np.linspace(0, 360, 2 * n, endpoint=False), _f(2, 2 * n, seed=s))),
    "nearest_grid_point": (nearest_grid_point, {}, lambda s, n: (_lat(n), np.linspace(0, 350, n), _f(3, n, n, seed=s))),
    "longest_dry_spell": (longest_dry_spell, {}, lambda s, n: (np.maximum(_f(4 * n, 3, seed=s), 0) * 3,)),
    "precipitation_indices": (precipitation_indices, {}, lambda s, n: (np.maximum(_f(5 * n, 2, seed=s), 0) * 10,)),
    "heat_wave_days": (heat_wave_days, {}, lambda s, n: (30 + 5 * _f(8 * n, 3, seed=s),)),
    "geostrophic_wind": (geostrophic_wind, {}, lambda s, n: (5500 + 50 * _f(n, n + 1, seed=s), np.linspace(20, 70, n))),
    "relative_vorticity": (relative_vorticity, {}, lambda s, n: (_f(n, n + 1, seed=s), _f(n, n + 1, seed=s + 1))),
    "haversine_km": (haversine_km, {}, lambda s, n: (30 * _f(n, seed=s), 100 * _f(n, seed=s + 1), 30 * _f(n, seed=s + 2), 100 * _f(n, seed=s + 3))),
    "idw_interpolate": (idw_interpolate, {}, lambda s, n: (30 * _f(n, seed=s), 100 * _f(n, seed=s + 1), 30 * _f(5, seed=s + 2), 100 * _f(5, seed=s + 3), _f(5, seed=s + 4))),
    "sea_level_pressure": (sea_level_pressure, {}, lambda s, n: (900 + 10 * _f(n, seed=s), 15 + _f(n, seed=s), 500 * _f(n, positive=True, seed=s))),
}


@pytest.mark.parametrize("name", list(CLIMATE))
def test_climate_and_earth_science_match_numpy(name):
    check_like_numpy(*CLIMATE[name])


# ---------------------------------------------------------------------------- astronomy reduction


def calibrate_ccd(raw, bias, dark, flat, exptime=30.0, dark_exptime=60.0):
    master_bias = np.median(bias, axis=0)
    master_dark = np.median(dark - master_bias, axis=0) / dark_exptime
    flat_c = np.median(flat, axis=0) - master_bias
    master_flat = flat_c / np.median(flat_c)
    return (raw - master_bias - master_dark * exptime) / master_flat


def calibrate_uint16_frames(raw, bias, flat):
    science = raw.astype(np.float32) - bias.mean(axis=0).astype(np.float32)
    norm_flat = flat.astype(np.float32).mean(axis=0)
    norm_flat /= np.mean(norm_flat)
    return science / norm_flat


def overscan_subtract(frame, n_over=2):
    overscan = frame[:, -n_over:]
    level = np.median(overscan, axis=1, keepdims=True)
    return (frame[:, :-n_over] - level), level.ravel()


def sigma_clip_selection(data, sigma=3.0, iters=5):
    mask = np.ones(data.shape, dtype=bool)
    for _ in range(iters):
        med = np.median(data[mask])
        std = np.std(data[mask])
        mask = np.abs(data - med) < sigma * std
    return mask, np.mean(data[mask])


def sigma_clip_mad(data, n=3.0, iters=3):
    clipped = data.astype(float).copy()
    for _ in range(iters):
        med = np.nanmedian(clipped)
        mad = np.nanmedian(np.abs(clipped - med))
        std = 1.4826 * mad
        clipped = np.where(np.abs(clipped - med) > n * std, np.nan, clipped)
    return np.nanmean(clipped), np.nanstd(clipped), np.isnan(clipped).sum()


def sigma_clip_stack(frames, sigma=2.5, iters=3):
    data = frames.astype(float)
    for _ in range(iters):
        med = np.nanmedian(data, axis=0)
        std = np.nanstd(data, axis=0)
        data = np.where(np.abs(data - med) > sigma * std, np.nan, data)
    return np.nanmean(data, axis=0), np.sum(np.isnan(data), axis=0)


def median_combine_scaled(frames):
    scales = np.median(frames, axis=(1, 2))
    normed = frames / scales[:, None, None]
    return np.median(normed, axis=0) * np.mean(scales)


def aperture_photometry(img, x0, y0, r=2.0, r_in=3.0, r_out=5.0):
    yy, xx = np.ogrid[:img.shape[0], :img.shape[1]]
    rr = np.sqrt((xx - x0) ** 2 + (yy - y0) ** 2)
    ap = rr <= r
    ann = (rr >= r_in) & (rr < r_out)
    bkg = np.median(img[ann])
    flux = img[ap].sum() - bkg * ap.sum()
    return flux, -2.5 * np.log10(flux) + 25.0


def aperture_sum_weights(img, x0, y0, r=2.5):
    y, x = np.indices(img.shape)
    mask = (x - x0) ** 2 + (y - y0) ** 2 < r ** 2
    return np.sum(img * mask), np.count_nonzero(mask)


def centroid(img):
    y, x = np.indices(img.shape)
    total = img.sum()
    return (x * img).sum() / total, (y * img).sum() / total


def centroid_thresholded(img):
    bg = np.median(img)
    im = np.clip(img - bg, 0, None)
    ys = np.arange(img.shape[0])
    xs = np.arange(img.shape[1])
    total = im.sum()
    cx = (im.sum(axis=0) * xs).sum() / total
    cy = (im.sum(axis=1) * ys).sum() / total
    sx = np.sqrt((im.sum(axis=0) * (xs - cx) ** 2).sum() / total)
    return cx, cy, 2.3548 * sx


def peak_pixel(img):
    iy, ix = np.unravel_index(np.argmax(img), img.shape)
    return iy, ix, img[iy, ix], img[iy, :].sum() + img[:, ix].sum()


def peak_box_sum(img):
    iy, ix = np.unravel_index(np.argmax(img), img.shape)
    return img[max(iy - 1, 0):iy + 2, max(ix - 1, 0):ix + 2].sum()


def magnitudes(flux, flux_err, exptime=30.0, zp=25.0):
    mag = zp - 2.5 * np.log10(flux / exptime)
    mag_err = 2.5 / np.log(10) * flux_err / flux
    return mag, mag_err, 10 ** (-0.4 * (mag - zp))


def airmass_hardie(alt_deg):
    z = np.deg2rad(90 - alt_deg)
    secz = 1 / np.cos(z)
    return secz - 0.0018167 * (secz - 1) - 0.002875 * (secz - 1) ** 2 - 0.0008083 * (secz - 1) ** 3


def airmass_kasten_young(alt):
    return 1.0 / (np.sin(np.radians(alt)) + 0.50572 * (alt + 6.07995) ** -1.6364)


def extinction_fit(inst_mag, catalog_mag, airmass):
    A = np.column_stack([np.ones_like(airmass), airmass])
    (zp, k), *_ = np.linalg.lstsq(A, catalog_mag - inst_mag, rcond=None)
    return zp, k, catalog_mag - inst_mag - (zp + k * airmass)


def angular_sep_haversine(ra1, dec1, ra2, dec2):
    ra1, dec1, ra2, dec2 = map(np.radians, (ra1, dec1, ra2, dec2))
    a = np.sin((dec2 - dec1) / 2) ** 2 + np.cos(dec1) * np.cos(dec2) * np.sin((ra2 - ra1) / 2) ** 2
    return np.degrees(2 * np.arcsin(np.sqrt(a)))


def angular_sep_vincenty(lon1, lat1, lon2, lat2):
    sdlon = np.sin(lon2 - lon1)
    cdlon = np.cos(lon2 - lon1)
    slat1, slat2 = np.sin(lat1), np.sin(lat2)
    clat1, clat2 = np.cos(lat1), np.cos(lat2)
    num1 = clat2 * sdlon
    num2 = clat1 * slat2 - slat1 * clat2 * cdlon
    denominator = slat1 * slat2 + clat1 * clat2 * cdlon
    return np.arctan2(np.hypot(num1, num2), denominator)


def crossmatch_nearest(ra1, dec1, ra2, dec2, max_sep=5.0):
    sep = angular_sep_haversine(ra1[:, None], dec1[:, None], ra2[None, :], dec2[None, :])
    idx = np.argmin(sep, axis=1)
    d = sep[np.arange(len(ra1)), idx]
    return idx, d, d < max_sep


def hms_to_deg(h, m, s):
    return 15.0 * (h + m / 60.0 + s / 3600.0)


def dms_to_deg(d, m, s):
    sign = np.where(np.signbit(d), -1.0, 1.0)
    return sign * (np.abs(d) + m / 60.0 + s / 3600.0)


def deg_to_hms(ra):
    hours = ra / 15.0
    h = np.floor(hours)
    m = np.floor((hours - h) * 60)
    s = (hours - h - m / 60) * 3600
    return h.astype(int), m.astype(int), s


def radec_to_unit_vectors(ra, dec):
    ra, dec = np.deg2rad(ra), np.deg2rad(dec)
    return np.stack([np.cos(dec) * np.cos(ra), np.cos(dec) * np.sin(ra), np.sin(dec)], axis=-1)


def equatorial_to_galactic(ra, dec):
    T = np.array([[-0.0548755604, -0.8734370902, -0.4838350155],
                  [0.4941094279, -0.4448296300, 0.7469822445],
                  [-0.8676661490, -0.1980763734, 0.4559837762]])
    v = radec_to_unit_vectors(ra, dec)
    g = v @ T.T
    l = np.degrees(np.arctan2(g[:, 1], g[:, 0])) % 360
    b = np.degrees(np.arcsin(g[:, 2]))
    return l, b


def altitude_azimuth(ha_deg, dec_deg, lat_deg=40.0):
    ha, dec, lat = np.radians(ha_deg), np.radians(dec_deg), np.radians(lat_deg)
    sin_alt = np.sin(dec) * np.sin(lat) + np.cos(dec) * np.cos(lat) * np.cos(ha)
    alt = np.arcsin(sin_alt)
    cos_a = (np.sin(dec) - np.sin(alt) * np.sin(lat)) / (np.cos(alt) * np.cos(lat))
    az = np.arccos(np.clip(cos_a, -1, 1))
    az = np.where(np.sin(ha) > 0, 2 * np.pi - az, az)
    return np.degrees(alt), np.degrees(az)


def phase_fold(t, flux, period=2.5, t0=0.0):
    phase = ((t - t0) / period) % 1.0
    order = np.argsort(phase)
    return phase[order], flux[order]


def phase_fold_centered(t, flux, period=2.5, t0=0.3):
    phase = (t - t0 + 0.5 * period) % period - 0.5 * period
    idx = np.argsort(phase)
    return phase[idx] / period, flux[idx]


def phase_binned_bincount(t, flux, period=2.5, nbins=8):
    phase = (t / period) % 1
    idx = np.floor(phase * nbins).astype(int)
    sums = np.bincount(idx, weights=flux, minlength=nbins)
    counts = np.bincount(idx, minlength=nbins)
    return sums / np.maximum(counts, 1), counts


def binned_lightcurve_histogram(phase, flux, nbins=6):
    counts, edges = np.histogram(phase, bins=nbins, range=(0, 1))
    sums, _ = np.histogram(phase, bins=nbins, range=(0, 1), weights=flux)
    sq, _ = np.histogram(phase, bins=edges, weights=flux ** 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / counts
        std = np.sqrt(sq / counts - mean ** 2)
    centers = 0.5 * (edges[1:] + edges[:-1])
    return centers, mean, std


def lomb_scargle(t, y, freqs):
    y = y - y.mean()
    w = 2 * np.pi * freqs
    tau = np.arctan2(np.sum(np.sin(2 * w[:, None] * t), axis=1),
                     np.sum(np.cos(2 * w[:, None] * t), axis=1)) / (2 * w)
    arg = w[:, None] * (t[None, :] - tau[:, None])
    c, s = np.cos(arg), np.sin(arg)
    p = 0.5 * ((c @ y) ** 2 / np.sum(c ** 2, axis=1) + (s @ y) ** 2 / np.sum(s ** 2, axis=1))
    return p / np.var(y), freqs[np.argmax(p)]


def dft_power_spectrum(t, y, freqs):
    arg = -2j * np.pi * freqs[:, None] * t[None, :]
    ft = np.exp(arg) @ (y - y.mean())
    return np.abs(ft) ** 2 / len(t)


def light_curve_detrend(t, flux, deg=2):
    coeffs = np.polyfit(t, flux, deg)
    trend = np.polyval(coeffs, t)
    return flux / trend - 1, np.std(flux / trend)


def transit_box_depth(t, flux, period=3.0, t0=0.5, duration=0.4):
    phase = ((t - t0 + 0.5 * period) % period) - 0.5 * period
    in_transit = np.abs(phase) < duration / 2
    depth = flux[~in_transit].mean() - flux[in_transit].mean()
    return depth, in_transit.sum()


def comoving_distance(z, H0=70.0, Om=0.3, n=256):
    c = 299792.458
    zz = np.linspace(0, z, n)
    Ez = np.sqrt(Om * (1 + zz) ** 3 + (1 - Om))
    return c / H0 * np.trapezoid(1 / Ez, zz, axis=0)


def distance_modulus(z, H0=70.0, Om=0.3):
    dc = comoving_distance(z, H0, Om)
    dl = (1 + z) * dc
    return 5 * np.log10(dl * 1e6 / 10), dl / (1 + z) ** 2


def age_of_universe(H0=70.0, Om=0.3):
    a = np.linspace(1e-4, 1, 2000)
    integrand = 1 / (a * np.sqrt(Om / a ** 3 + 1 - Om))
    return 977.8 / H0 * np.trapezoid(integrand, a)


def redshift_velocity(obs, rest):
    z = (obs - rest) / rest
    c = 299792.458
    beta = ((1 + z) ** 2 - 1) / ((1 + z) ** 2 + 1)
    return z, c * z, c * beta


def planck_blackbody(wav_um, T):
    h, c, k = 6.62607015e-34, 2.99792458e8, 1.380649e-23
    wav = wav_um[:, None] * 1e-6
    B = 2 * h * c ** 2 / wav ** 5 / np.expm1(h * c / (wav * k * T[None, :]))
    return B, wav_um[np.argmax(B, axis=0)]


def ccd_snr(flux_e, sky_e, dark_e=0.1, rn=5.0, npix=12.0):
    noise = np.sqrt(flux_e + npix * (sky_e + dark_e + rn ** 2))
    return flux_e / noise, 1.0857 / (flux_e / noise)


def continuum_normalize(wave, flux, deg=2):
    c = np.polyfit(wave, flux, deg)
    cont = np.polyval(c, wave)
    norm = flux / cont
    return norm, np.trapezoid(1 - norm, wave)


def line_moments(wave, flux):
    w = np.clip(flux - np.median(flux), 0, None)
    center = np.sum(wave * w) / np.sum(w)
    sigma = np.sqrt(np.sum(w * (wave - center) ** 2) / np.sum(w))
    return center, sigma, 2.3548 * sigma


def parallax_distances(parallax_mas, app_mag):
    d_pc = 1000.0 / parallax_mas
    abs_mag = app_mag - 5 * np.log10(d_pc) + 5
    return d_pc, abs_mag


def proper_motion(pmra, pmdec, d_pc):
    pm = np.hypot(pmra, pmdec)
    v_t = 4.74 * pm / 1000 * d_pc
    pa = np.degrees(np.arctan2(pmra, pmdec)) % 360
    return pm, v_t, pa


def julian_dates(jd):
    mjd = jd - 2400000.5
    frac = np.modf(mjd)[0]
    return mjd, np.floor(mjd).astype(np.int64), frac * 24


def cosmic_ray_mask(img, thresh=5.0):
    p = np.pad(img, 1, mode="edge")
    stack = np.stack([p[i:i + img.shape[0], j:j + img.shape[1]] for i in range(3) for j in range(3)])
    med = np.median(stack, axis=0)
    resid = img - med
    sigma = 1.4826 * np.median(np.abs(resid - np.median(resid)))
    mask = resid > thresh * sigma
    return np.where(mask, med, img), mask.sum()


def _star(s, n, noise=1.0):
    y, x = np.mgrid[:n + 6, :n + 7]
    cy, cx = (n + 6) / 2 + 0.3 * s % 1, (n + 7) / 2 - 0.2
    return 100 + 500 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 3.0) + noise * _f(n + 6, n + 7, seed=s)


def _frames(s, n, k=5, level=100.0):
    return level + 5 * _f(k, n, n + 1, seed=s)


def _times(s, n):
    return np.sort(20 * np.random.default_rng(s).random(8 * n))


ASTRO = {
    "calibrate_ccd": (calibrate_ccd, {}, lambda s, n: (_frames(s, n, 1, 900)[0], _frames(s + 1, n), _frames(s + 2, n, 3, 120), _frames(s + 3, n, 3, 5000))),
    "calibrate_uint16_frames": (calibrate_uint16_frames, {}, lambda s, n: (_frames(s, n, 1, 900)[0].astype(np.uint16), _frames(s + 1, n).astype(np.uint16), _frames(s + 2, n, 3, 5000).astype(np.uint16))),
    "overscan_subtract": (overscan_subtract, {}, lambda s, n: (_frames(s, n, 1)[0],)),
    "sigma_clip_selection": (sigma_clip_selection, {}, lambda s, n: (np.r_[_f(10 * n, seed=s), 25.0, -30.0],)),
    "sigma_clip_mad": (sigma_clip_mad, {}, lambda s, n: (np.r_[_f(10 * n, seed=s), 25.0, -30.0],)),
    "sigma_clip_stack": (sigma_clip_stack, {}, lambda s, n: (_frames(s, n, 7),)),
    "median_combine_scaled": (median_combine_scaled, {}, lambda s, n: (_frames(s, n, 4),)),
    "aperture_photometry": (aperture_photometry, {}, lambda s, n: (_star(s, n), (n + 7) / 2, (n + 6) / 2)),
    "aperture_sum_weights": (aperture_sum_weights, {}, lambda s, n: (_star(s, n), 4.2, 3.7)),
    "centroid": (centroid, {}, lambda s, n: (_star(s, n) - 100,)),
    "centroid_thresholded": (centroid_thresholded, {}, lambda s, n: (_star(s, n),)),
    "peak_pixel": (peak_pixel, {}, lambda s, n: (_star(s, n),)),
    "magnitudes": (magnitudes, {}, lambda s, n: (1e4 * _f(n, positive=True, seed=s), 30 * _f(n, positive=True, seed=s))),
    "airmass_hardie": (airmass_hardie, {}, lambda s, n: (np.linspace(20, 90, n),)),
    "airmass_kasten_young": (airmass_kasten_young, {}, lambda s, n: (np.linspace(5, 90, n).astype(np.float32),)),
    "extinction_fit": (extinction_fit, {}, lambda s, n: (15 + _f(3 * n, seed=s), 14 + _f(3 * n, seed=s) + 0.01 * _f(3 * n, seed=s + 1), 1 + _f(3 * n, positive=True, seed=s))),
    "angular_sep_haversine": (angular_sep_haversine, {}, lambda s, n: (360 * np.random.default_rng(s).random(n), 30 * _f(n, seed=s), 360 * np.random.default_rng(s + 1).random(n), 30 * _f(n, seed=s + 1))),
    "angular_sep_vincenty": (angular_sep_vincenty, {}, lambda s, n: (_f(n, seed=s), 0.5 * _f(n, seed=s + 1), _f(n, seed=s + 2), 0.5 * _f(n, seed=s + 3))),
    "crossmatch_nearest": (crossmatch_nearest, {}, lambda s, n: (10 * _f(n, seed=s), 10 * _f(n, seed=s + 1), 10 * _f(n + 2, seed=s + 2), 10 * _f(n + 2, seed=s + 3))),
    "hms_to_deg": (hms_to_deg, {}, lambda s, n: (_i(24, n, seed=s), _i(60, n, seed=s + 1), 60 * np.random.default_rng(s).random(n))),
    "dms_to_deg": (dms_to_deg, {}, lambda s, n: (np.r_[-0.0, _i(90, n, seed=s) - 45.0], np.r_[30, _i(60, n, seed=s + 1)], np.r_[1.5, 60 * np.random.default_rng(s).random(n)])),
    "deg_to_hms": (deg_to_hms, {}, lambda s, n: (360 * np.random.default_rng(s).random(n),)),
    "equatorial_to_galactic": (equatorial_to_galactic, {}, lambda s, n: (360 * np.random.default_rng(s).random(n), 60 * _f(n, seed=s) % 90)),
    "altitude_azimuth": (altitude_azimuth, {}, lambda s, n: (np.linspace(-80, 80, n), 20 + 10 * _f(n, seed=s))),
    "phase_fold": (phase_fold, {}, lambda s, n: (_times(s, n), _f(8 * n, seed=s))),
    "phase_fold_centered": (phase_fold_centered, {}, lambda s, n: (_times(s, n), _f(8 * n, seed=s))),
    "phase_binned_bincount": (phase_binned_bincount, {}, lambda s, n: (_times(s, n), _f(8 * n, seed=s))),
    "binned_lightcurve_histogram": (binned_lightcurve_histogram, {}, lambda s, n: (np.random.default_rng(s).random(6 * n), _f(6 * n, seed=s))),
    "lomb_scargle": (lomb_scargle, {}, lambda s, n: (_times(s, n), np.sin(2 * np.pi * 0.4 * _times(s, n)) + 0.3 * _f(8 * n, seed=s), np.linspace(0.05, 1.0, 5 * n))),
    "dft_power_spectrum": (dft_power_spectrum, {}, lambda s, n: (_times(s, n), _f(8 * n, seed=s), np.linspace(0.05, 1.0, 3 * n))),
    "light_curve_detrend": (light_curve_detrend, {}, lambda s, n: (_times(s, n), 100 + np.linspace(0, 2, 8 * n) + 0.1 * _f(8 * n, seed=s))),
    "transit_box_depth": (transit_box_depth, {}, lambda s, n: (np.r_[0.5, 1.5, _times(s, n)], 1 - 0.01 * _f(8 * n + 2, positive=True, seed=s))),
    "comoving_distance": (comoving_distance, {}, lambda s, n: (np.linspace(0.1, 3, n),)),
    "distance_modulus": (distance_modulus, {}, lambda s, n: (np.linspace(0.01, 2, n),)),
    "age_of_universe": (age_of_universe, {"H0": 70.0}, lambda s, n: ()),
    "redshift_velocity": (redshift_velocity, {}, lambda s, n: (6563 * (1 + 0.1 * _f(n, positive=True, seed=s)), np.full(n, 6562.8))),
    "planck_blackbody": (planck_blackbody, {}, lambda s, n: (np.linspace(0.1, 5, 10 * n), np.array([3000.0, 5800.0, 10000.0]))),
    "ccd_snr": (ccd_snr, {}, lambda s, n: (1e4 * _f(n, positive=True, seed=s), 50 * _f(n, positive=True, seed=s + 1))),
    "continuum_normalize": (continuum_normalize, {}, lambda s, n: (np.linspace(6500, 6600, 10 * n), 1 + 0.001 * np.arange(10 * n) - 0.3 * np.exp(-((np.linspace(6500, 6600, 10 * n) - 6563) / 3) ** 2))),
    "line_moments": (line_moments, {}, lambda s, n: (np.linspace(6500, 6600, 10 * n), 1 + np.exp(-((np.linspace(6500, 6600, 10 * n) - 6550 - s) / 5) ** 2))),
    "parallax_distances": (parallax_distances, {}, lambda s, n: (5 * _f(n, positive=True, seed=s), 10 + _f(n, seed=s))),
    "proper_motion": (proper_motion, {}, lambda s, n: (50 * _f(n, seed=s), 50 * _f(n, seed=s + 1), 100 * _f(n, positive=True, seed=s))),
    "julian_dates": (julian_dates, {}, lambda s, n: (2459000.5 + 100 * np.random.default_rng(s).random(n),)),
    "cosmic_ray_mask": (cosmic_ray_mask, {}, lambda s, n: (_frames(s, n, 1)[0] + 500 * (_i(20, n, n + 1, seed=s) == 0),)),
}


@pytest.mark.parametrize("name", list(ASTRO))
def test_astronomy_reduction_matches_numpy(name):
    check_like_numpy(*ASTRO[name])


# ------------------------------------------------------------------- medical and microscopy imaging


def ct_window(hu, level=40, width=400):
    lo, hi = level - width / 2, level + width / 2
    img = np.clip(hu, lo, hi)
    return ((img - lo) / (hi - lo) * 255).astype(np.uint8)


def ct_windows_channels(raw, slope=1.0, intercept=-1024.0):
    hu = raw.astype(np.float32) * slope + intercept
    windows = [(40, 400), (-600, 1500), (300, 1500)]
    chans = []
    for level, width in windows:
        lo = level - width // 2
        hi = level + width // 2
        chans.append((np.clip(hu, lo, hi) - lo) / (hi - lo))
    return np.stack(chans, axis=-1)


def hu_rescale_int16(pixel_array, slope=1, intercept=-1024):
    image = pixel_array.astype(np.int16)
    image[image == -2000] = 0
    image = slope * image.astype(np.float64)
    image = image.astype(np.int16)
    image += np.int16(intercept)
    return image


def zscore_volume(vol):
    return (vol - vol.mean()) / vol.std()


def zscore_in_mask(vol, mask):
    m = vol[mask].mean()
    s = vol[mask].std()
    out = (vol - m) / s
    out[~mask] = 0
    return out


def percentile_normalize(img, lo=1, hi=99):
    p_lo, p_hi = np.percentile(img, (lo, hi))
    return np.clip((img - p_lo) / (p_hi - p_lo + 1e-8), 0, 1)


def per_channel_percentile_norm(img):
    lo = np.percentile(img, 0.5, axis=(0, 1), keepdims=True)
    hi = np.percentile(img, 99.5, axis=(0, 1), keepdims=True)
    return np.clip((img - lo) / (hi - lo), 0, 1).astype(np.float32)


def minmax_uint8(img):
    img = img.astype(np.float64)
    return ((img - img.min()) / (img.max() - img.min()) * 255).astype(np.uint8)


def uint16_to_uint8(img16):
    return (img16 >> 8).astype(np.uint8), (img16 / 65535 * 255).astype(np.uint8), np.right_shift(img16, 4)


def pad_to_square(img):
    h, w = img.shape
    s = max(h, w)
    return np.pad(img, ((0, s - h), (0, s - w)), mode="constant")


def pad_modes(img):
    return (np.pad(img, 2, mode="reflect"), np.pad(img, ((1, 1), (2, 2)), mode="edge"),
            np.pad(img, 1, mode="symmetric"), np.pad(img, 1, mode="wrap"),
            np.pad(img, ((2, 0), (0, 1)), mode="constant", constant_values=-1))


def pad_volume_to_multiple(vol, m=4):
    pads = [(0, (-s) % m) for s in vol.shape]
    return np.pad(vol, pads, mode="minimum")


def intensity_projections(vol):
    return vol.max(axis=0), vol.max(axis=1), np.max(vol, axis=2), np.argmax(vol, axis=0), vol.mean(axis=0), vol.std(axis=0)


def center_crop(vol, size=2):
    c = [s // 2 for s in vol.shape]
    return vol[c[0] - size:c[0] + size, c[1] - size:c[1] + size, c[2] - size:c[2] + size]


def threshold_otsu(image, nbins=32):
    hist, bin_edges = np.histogram(image.ravel(), bins=nbins)
    bin_centers = (bin_edges[:-1] + bin_edges[1:]) / 2.0
    weight1 = np.cumsum(hist)
    weight2 = np.cumsum(hist[::-1])[::-1]
    mean1 = np.cumsum(hist * bin_centers) / weight1
    mean2 = (np.cumsum((hist * bin_centers)[::-1]) / weight2[::-1])[::-1]
    variance12 = weight1[:-1] * weight2[1:] * (mean1[:-1] - mean2[1:]) ** 2
    idx = np.argmax(variance12)
    return bin_centers[idx]


def otsu_binarize(img):
    t = threshold_otsu(img)
    mask = img > t
    return mask, mask.mean(), t


def otsu_loop(img, nbins=16):
    hist, edges = np.histogram(img, bins=nbins)
    p = hist / hist.sum()
    centers = (edges[:-1] + edges[1:]) / 2
    best, best_t = -1.0, centers[0]
    variances = []
    for k in range(1, nbins):
        w0, w1 = p[:k].sum(), p[k:].sum()
        mu0 = (p[:k] * centers[:k]).sum() / w0
        mu1 = (p[k:] * centers[k:]).sum() / w1
        variances.append(w0 * w1 * (mu0 - mu1) ** 2)
    variances = np.array(variances)
    return centers[np.argmax(variances) + 1], variances


def label_stats_bincount(labels, img, n_labels=4):
    counts = np.bincount(labels.ravel(), minlength=n_labels)
    sums = np.bincount(labels.ravel(), weights=img.ravel(), minlength=n_labels)
    sq = np.bincount(labels.ravel(), weights=img.ravel() ** 2, minlength=n_labels)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
        stds = np.sqrt(sq / counts - means ** 2)
    return counts, means, stds


def label_centroids(labels, n_labels=4):
    yy, xx = np.indices(labels.shape)
    counts = np.bincount(labels.ravel(), minlength=n_labels)
    cy = np.bincount(labels.ravel(), weights=yy.ravel(), minlength=n_labels) / np.maximum(counts, 1)
    cx = np.bincount(labels.ravel(), weights=xx.ravel(), minlength=n_labels) / np.maximum(counts, 1)
    return np.stack([cy, cx], axis=1)[1:], counts[1:]


def label_max_intensity(labels, img, n_labels=4):
    out = np.full(n_labels, -np.inf)
    np.maximum.at(out, labels.ravel(), img.ravel())
    return out


def remove_small_labels(labels, min_size=3):
    sizes = np.bincount(labels.ravel())
    too_small = sizes < min_size
    too_small[0] = False
    out = labels.copy()
    out[too_small[labels]] = 0
    return out


def dice_coefficient(a, b):
    a = a.astype(bool)
    b = b.astype(bool)
    inter = np.logical_and(a, b).sum()
    return 2.0 * inter / (a.sum() + b.sum())


def iou_score(pred, target, smooth=1e-6):
    inter = (pred & target).sum()
    union = (pred | target).sum()
    return (inter + smooth) / (union + smooth)


def soft_dice(probs, onehot, eps=1e-7):
    inter = np.sum(probs * onehot, axis=(1, 2))
    denom = np.sum(probs, axis=(1, 2)) + np.sum(onehot, axis=(1, 2))
    return 1 - np.mean((2 * inter + eps) / (denom + eps))


def multiclass_dice_where(pred, gt, n_classes=3):
    scores = np.zeros(n_classes - 1)
    for c in range(1, n_classes):
        p = pred == c
        g = gt == c
        denom = p.sum() + g.sum()
        scores[c - 1] = np.where(denom > 0, 2 * (p & g).sum() / np.maximum(denom, 1), 1.0)
    return scores


def multiclass_dice_if(pred, gt, n_classes=3):
    scores = []
    for c in range(1, n_classes):
        p = pred == c
        g = gt == c
        denom = p.sum() + g.sum()
        scores.append(2 * (p & g).sum() / denom if denom > 0 else 1.0)
    return np.array(scores)


def confusion_segmentation(pred, gt):
    tp = np.sum(pred & gt)
    fp = np.sum(pred & ~gt)
    fn = np.sum(~pred & gt)
    tn = np.sum(~pred & ~gt)
    return tp / (tp + fn), tn / (tn + fp), tp / (tp + fp), (tp + tn) / pred.size


def hausdorff_points(a_pts, b_pts):
    d = np.sqrt(((a_pts[:, None, :] - b_pts[None, :, :]) ** 2).sum(-1))
    return max(d.min(axis=1).max(), d.min(axis=0).max())


def hausdorff_np_maximum(a_pts, b_pts):
    d = np.linalg.norm(a_pts[:, None, :] - b_pts[None, :, :], axis=-1)
    h_ab = np.max(np.min(d, axis=1))
    h_ba = np.max(np.min(d, axis=0))
    return np.maximum(h_ab, h_ba), np.percentile(np.min(d, axis=1), 95)


def mask_bbox_argmax(mask):
    rows = np.any(mask, axis=1)
    cols = np.any(mask, axis=0)
    rmin = np.argmax(rows)
    rmax = len(rows) - 1 - np.argmax(rows[::-1])
    cmin = np.argmax(cols)
    cmax = len(cols) - 1 - np.argmax(cols[::-1])
    return rmin, rmax, cmin, cmax


def mask_bbox_where(mask):
    rows = np.any(mask, axis=1)
    cols = np.any(mask, axis=0)
    rmin, rmax = np.where(rows)[0][[0, -1]]
    cmin, cmax = np.where(cols)[0][[0, -1]]
    return rmin, rmax, cmin, cmax


def volume_ml(mask, spacing=(1.5, 0.8, 0.8)):
    return mask.sum() * np.prod(spacing) / 1000.0


def one_hot_seg(seg, n_classes=4):
    oh = np.eye(n_classes, dtype=np.float32)[seg]
    return np.moveaxis(oh, -1, 0), oh.argmax(-1).astype(np.uint8)


def gamma_correction(img, gamma=0.5):
    inv = img / 255.0
    return (np.power(inv, gamma) * 255).astype(np.uint8), (255 * (img / 255.0) ** (1 / 2.2)).round().astype(np.uint8)


def gamma_lut(img, gamma=2.2):
    table = np.array([((i / 255.0) ** (1.0 / gamma)) * 255 for i in np.arange(0, 256)]).astype("uint8")
    return table[img]


def contrast_stretch(img):
    p2, p98 = np.percentile(img, (2, 98))
    return np.interp(img, (p2, p98), (0, 255)).astype(np.uint8)


def histogram_equalization(img):
    hist, bins = np.histogram(img.flatten(), 256, [0, 256])
    cdf = hist.cumsum()
    cdf_n = (cdf - cdf.min()) * 255 / (cdf.max() - cdf.min())
    return cdf_n.astype(np.uint8)[img]


def histogram_equalization_interp(img, nbins=64):
    hist, bins = np.histogram(img.flatten(), nbins, density=True)
    cdf = hist.cumsum()
    cdf = 255 * cdf / cdf[-1]
    eq = np.interp(img.flatten(), bins[:-1], cdf)
    return eq.reshape(img.shape)


def background_rolling_mean(img, k=3):
    pad = k // 2
    p = np.pad(img, pad, mode="reflect")
    win = np.lib.stride_tricks.sliding_window_view(p, (k, k))
    bg = win.mean(axis=(-2, -1))
    return img - bg, bg


def box_filter_integral(img, r=1):
    ii = np.pad(img, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    k = 2 * r + 1
    s = ii[k:, k:] - ii[:-k, k:] - ii[k:, :-k] + ii[:-k, :-k]
    return s / k ** 2


def rolling_min_background(img, k=3):
    p = np.pad(img, k // 2, mode="edge")
    w = np.lib.stride_tricks.sliding_window_view(p, (k, k))
    bg = w.min(axis=(-2, -1))
    return np.clip(img - bg, 0, None)


def radial_profile_known_bins(img, cx=3.0, cy=3.0, nbins=6):
    y, x = np.indices(img.shape)
    r = np.sqrt((x - cx) ** 2 + (y - cy) ** 2).astype(int)
    r = np.minimum(r, nbins - 1)
    tbin = np.bincount(r.ravel(), img.ravel(), minlength=nbins)
    nr = np.bincount(r.ravel(), minlength=nbins)
    return tbin / np.maximum(nr, 1)


def radial_profile(data, center):
    y, x = np.indices(data.shape)
    r = np.sqrt((x - center[0]) ** 2 + (y - center[1]) ** 2)
    r = r.astype(int)
    tbin = np.bincount(r.ravel(), data.ravel())
    nr = np.bincount(r.ravel())
    return tbin / nr


def radial_power_spectrum(img):
    F = np.fft.fftshift(np.fft.fft2(img))
    P = np.abs(F) ** 2
    h, w = img.shape
    y, x = np.indices((h, w))
    r = np.hypot(x - w // 2, y - h // 2).astype(int)
    return np.bincount(r.ravel(), P.ravel()) / np.bincount(r.ravel())


def phase_correlation(a, b):
    F = np.fft.fft2(a)
    G = np.fft.fft2(b)
    R = F * np.conj(G)
    R /= np.abs(R) + 1e-12
    r = np.fft.ifft2(R).real
    shift = np.array(np.unravel_index(np.argmax(r), r.shape))
    dims = np.array(a.shape)
    shift = np.where(shift > dims // 2, shift - dims, shift)
    return shift, r.max()


def register_translation(ref, mov):
    cc = np.fft.ifft2(np.fft.fft2(ref) * np.fft.fft2(mov).conj())
    cc = np.abs(np.fft.fftshift(cc))
    maxima = np.unravel_index(np.argmax(cc), cc.shape)
    midpoints = np.array([np.fix(axis_size / 2) for axis_size in ref.shape])
    return np.array(maxima, dtype=np.float64) - midpoints


def shift_by_registration(ref, mov):
    dy, dx = phase_correlation(ref, mov)[0]
    return np.roll(mov, (dy, dx), axis=(0, 1))


def fft_convolve_gaussian(img, sigma=1.0):
    h, w = img.shape
    ky = np.fft.fftfreq(h)[:, None]
    kx = np.fft.fftfreq(w)[None, :]
    G = np.exp(-2 * (np.pi * sigma) ** 2 * (kx ** 2 + ky ** 2))
    return np.real(np.fft.ifft2(np.fft.fft2(img) * G))


def gaussian_kernel_2d(size=5, sigma=1.0):
    ax = np.arange(-size // 2 + 1.0, size // 2 + 1.0)
    xx, yy = np.meshgrid(ax, ax)
    kernel = np.exp(-(xx ** 2 + yy ** 2) / (2.0 * sigma ** 2))
    return kernel / np.sum(kernel)


def convolve2d_valid(img, kernel):
    kh, kw = kernel.shape
    win = np.lib.stride_tricks.sliding_window_view(img, (kh, kw))
    return np.einsum("ijkl,kl->ij", win, kernel[::-1, ::-1])


def unsharp_mask(img, amount=1.0):
    k = gaussian_kernel_2d(3, 1.0)
    blur = convolve2d_valid(np.pad(img, 1, mode="reflect"), k)
    return np.clip(img + amount * (img - blur), 0, 1)


def sobel_magnitude(img):
    p = np.pad(img, 1, mode="edge")
    gx = (p[:-2, 2:] + 2 * p[1:-1, 2:] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[1:-1, :-2] + p[2:, :-2])
    gy = (p[2:, :-2] + 2 * p[2:, 1:-1] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[:-2, 1:-1] + p[:-2, 2:])
    return np.hypot(gx, gy), np.arctan2(gy, gx)


def focus_measures(img):
    lap = img[:-2, 1:-1] + img[2:, 1:-1] + img[1:-1, :-2] + img[1:-1, 2:] - 4 * img[1:-1, 1:-1]
    brenner = np.sum((img[2:, :] - img[:-2, :]) ** 2)
    return lap.var(), brenner, np.mean(np.abs(np.diff(img, axis=1)))


def flat_field_correct(img, flat, dark):
    corrected = (img - dark) / (flat - dark)
    return corrected * np.mean(flat - dark)


def bleach_correction(stack):
    means = stack.mean(axis=(1, 2))
    return stack * (means[0] / means)[:, None, None], means / means[0]


def bleach_exponential_fit(stack):
    means = stack.mean(axis=(1, 2))
    t = np.arange(len(means))
    b, log_a = np.polyfit(t, np.log(means), 1)
    return stack / np.exp(b * t)[:, None, None], -1 / b


def delta_f_over_f(traces, baseline_frames=5):
    f0 = traces[:, :baseline_frames].mean(axis=1, keepdims=True)
    return (traces - f0) / f0


def dff_percentile(traces, q=10):
    f0 = np.percentile(traces, q, axis=1, keepdims=True)
    dff = (traces - f0) / f0
    return dff, (dff > 2 * dff.std(axis=1, keepdims=True)).sum(axis=1)


def local_maxima_count(img, thresh=0.5):
    p = np.pad(img, 1, mode="constant", constant_values=-np.inf)
    center = p[1:-1, 1:-1]
    is_max = np.ones(img.shape, dtype=bool)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy == 0 and dx == 0:
                continue
            is_max &= center >= p[1 + dy:p.shape[0] - 1 + dy, 1 + dx:p.shape[1] - 1 + dx]
    peaks = is_max & (img > thresh)
    return peaks.sum(), peaks


def downsample_stride_and_mean(img):
    return img[::2, ::2], img.reshape(img.shape[0] // 2, 2, img.shape[1] // 2, 2).mean((1, 3)).astype(img.dtype)


def add_poisson_gaussian_noise(rng, img, gain=100.0, read_sigma=0.01):
    noisy = rng.poisson(img * gain) / gain
    noisy = noisy + rng.normal(0, read_sigma, img.shape)
    return np.clip(noisy, 0, 1)


def random_crop(rng, vol, size=4):
    z = rng.integers(0, vol.shape[0] - size + 1)
    y = rng.integers(0, vol.shape[1] - size + 1)
    x = rng.integers(0, vol.shape[2] - size + 1)
    return vol[z:z + size, y:y + size, x:x + size]


def random_flip(rng, img):
    if rng.random() < 0.5:
        img = img[:, ::-1]
    if rng.random() < 0.5:
        img = img[::-1, :]
    return img


def random_intensity_augment(rng, img):
    scale = rng.uniform(0.9, 1.1)
    shift = rng.uniform(-0.1, 0.1)
    gamma = np.exp(rng.uniform(np.log(0.7), np.log(1.5)))
    return np.clip(img * scale + shift, 0, 1) ** gamma


def rle_encode(mask):
    pixels = mask.flatten()
    pixels = np.concatenate([[0], pixels, [0]])
    runs = np.where(pixels[1:] != pixels[:-1])[0] + 1
    runs[1::2] -= runs[::2]
    return " ".join(str(x) for x in runs)


def _seg(s, n, k=2):
    return _i(k, n, n + 1, seed=s)


def _blobs(s, n):
    y, x = np.mgrid[:n + 2, :n + 3]
    return np.exp(-((x - 2) ** 2 + (y - 2) ** 2) / 4.0) + 0.6 * np.exp(-((x - n) ** 2 + (y - n + 1) ** 2) / 2.0) + 0.05 * _f(n + 2, n + 3, seed=s)


def _u8(s, *shape):
    return _i(256, *shape, seed=s).astype(np.uint8)


IMAGING = {
    "ct_window": (ct_window, {}, lambda s, n: ((1500 * _f(n, n, seed=s)).astype(np.int16),)),
    "ct_window_float": (ct_window, {"level": -600, "width": 1500}, lambda s, n: (500 * _f(n, n, seed=s),)),
    "ct_windows_channels": (ct_windows_channels, {}, lambda s, n: (_i(3000, n, n, seed=s).astype(np.uint16),)),
    "hu_rescale_int16": (hu_rescale_int16, {}, lambda s, n: (np.where(_i(5, n, n, seed=s) == 0, -2000, _i(3000, n, n, seed=s)).astype(np.int16),)),
    "zscore_volume": (zscore_volume, {}, lambda s, n: (_f(3, n, n, seed=s).astype(np.float32),)),
    "zscore_in_mask": (zscore_in_mask, {}, lambda s, n: (_f(3, n, n, seed=s), _i(3, 3, n, n, seed=s) > 0)),
    "percentile_normalize": (percentile_normalize, {}, lambda s, n: (_f(2 * n, n, seed=s),)),
    "per_channel_percentile_norm": (per_channel_percentile_norm, {}, lambda s, n: (_u8(s, n, n, 3),)),
    "minmax_uint8": (minmax_uint8, {}, lambda s, n: (_i(4096, n, n, seed=s).astype(np.uint16),)),
    "uint16_to_uint8": (uint16_to_uint8, {}, lambda s, n: (_i(65536, n, n, seed=s).astype(np.uint16),)),
    "pad_to_square": (pad_to_square, {}, lambda s, n: (_f(n, n + 2, seed=s),)),
    "pad_modes": (pad_modes, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "pad_volume_to_multiple": (pad_volume_to_multiple, {}, lambda s, n: (_f(n + 1, 3, n, seed=s),)),
    "intensity_projections": (intensity_projections, {}, lambda s, n: (_f(n, 3, n + 1, seed=s),)),
    "center_crop": (center_crop, {}, lambda s, n: (_f(n + 1, 5, n + 2, seed=s),)),
    "threshold_otsu": (threshold_otsu, {}, lambda s, n: (np.r_[_f(10 * n, seed=s), 3 + _f(5 * n, seed=s + 1)],)),
    "otsu_binarize": (otsu_binarize, {}, lambda s, n: (_blobs(s, n),)),
    "otsu_loop": (otsu_loop, {}, lambda s, n: (np.r_[_f(10 * n, seed=s), 4 + _f(5 * n, seed=s + 1)],)),
    "label_stats_bincount": (label_stats_bincount, {}, lambda s, n: (_seg(s, n, 4), _f(n, n + 1, seed=s))),
    "label_centroids": (label_centroids, {}, lambda s, n: (_seg(s, n, 4),)),
    "label_max_intensity": (label_max_intensity, {}, lambda s, n: (_seg(s, n, 4), _f(n, n + 1, seed=s))),
    "dice_coefficient": (dice_coefficient, {}, lambda s, n: (_seg(s, n), _seg(s + 1, n))),
    "iou_score": (iou_score, {}, lambda s, n: (_seg(s, n) > 0, _seg(s + 1, n) > 0)),
    "soft_dice": (soft_dice, {}, lambda s, n: (np.random.default_rng(s).random((3, n, n)), np.eye(3)[_i(3, n, n, seed=s)].transpose(2, 0, 1))),
    "multiclass_dice_where": (multiclass_dice_where, {}, lambda s, n: (_seg(s, n, 3), _seg(s + 1, n, 3))),
    "confusion_segmentation": (confusion_segmentation, {}, lambda s, n: (_seg(s, n) > 0, _seg(s + 1, n) > 0)),
    "hausdorff_np_maximum": (hausdorff_np_maximum, {}, lambda s, n: (_f(n, 2, seed=s), _f(n + 2, 2, seed=s + 1))),
    "mask_bbox_argmax": (mask_bbox_argmax, {}, lambda s, n: (np.pad(np.ones((2, 3), bool), ((s % 2, n - 1 - s % 2), (1, n))),)),
    "volume_ml": (volume_ml, {}, lambda s, n: (_i(2, n, n, 3, seed=s).astype(bool),)),
    "one_hot_seg": (one_hot_seg, {}, lambda s, n: (_seg(s, n, 4),)),
    "gamma_correction": (gamma_correction, {}, lambda s, n: (_u8(s, n, n),)),
    "gamma_lut": (gamma_lut, {}, lambda s, n: (_u8(s, n, n),)),
    "contrast_stretch": (contrast_stretch, {}, lambda s, n: (_u8(s, n, n + 1),)),
    "histogram_equalization": (histogram_equalization, {}, lambda s, n: (_u8(s, n, n + 1),)),
    "histogram_equalization_interp": (histogram_equalization_interp, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "background_rolling_mean": (background_rolling_mean, {}, lambda s, n: (_blobs(s, n),)),
    "box_filter_integral": (box_filter_integral, {}, lambda s, n: (_blobs(s, n),)),
    "rolling_min_background": (rolling_min_background, {}, lambda s, n: (_blobs(s, n),)),
    "radial_profile_known_bins": (radial_profile_known_bins, {}, lambda s, n: (_blobs(s, n),)),
    "phase_correlation": (phase_correlation, {}, lambda s, n: (_blobs(s, n), np.roll(_blobs(s, n), (1, -2), axis=(0, 1)))),
    "register_translation": (register_translation, {}, lambda s, n: (_blobs(s, n), np.roll(_blobs(s, n), (2, 1), axis=(0, 1)))),
    "fft_convolve_gaussian": (fft_convolve_gaussian, {}, lambda s, n: (_blobs(s, n),)),
    "gaussian_kernel_2d": (gaussian_kernel_2d, {"size": 5}, lambda s, n: ()),
    "unsharp_mask": (unsharp_mask, {}, lambda s, n: (_blobs(s, n),)),
    "sobel_magnitude": (sobel_magnitude, {}, lambda s, n: (_blobs(s, n),)),
    "focus_measures": (focus_measures, {}, lambda s, n: (_blobs(s, n).astype(np.float32),)),
    "flat_field_correct": (flat_field_correct, {}, lambda s, n: (_frames(s, n, 1, 900)[0], _frames(s + 1, n, 1, 5000)[0], _frames(s + 2, n, 1, 100)[0])),
    "bleach_correction": (bleach_correction, {}, lambda s, n: (_frames(s, n, 6) * np.exp(-0.1 * np.arange(6))[:, None, None],)),
    "bleach_exponential_fit": (bleach_exponential_fit, {}, lambda s, n: (_frames(s, n, 6) * np.exp(-0.1 * np.arange(6))[:, None, None],)),
    "delta_f_over_f": (delta_f_over_f, {}, lambda s, n: (_frames(s, n, 1)[0],)),
    "dff_percentile": (dff_percentile, {}, lambda s, n: (_frames(s, 3 * n, 1)[0],)),
    "local_maxima_count": (local_maxima_count, {}, lambda s, n: (_blobs(s, n),)),
    "downsample_stride_and_mean": (downsample_stride_and_mean, {}, lambda s, n: (_f(2 * n, 4, seed=s).astype(np.float32),)),
}


@pytest.mark.parametrize("name", list(IMAGING))
def test_medical_and_microscopy_imaging_match_numpy(name):
    check_like_numpy(*IMAGING[name])


IMAGING_RNG = [
    (add_poisson_gaussian_noise, lambda: (np.abs(_blobs(0, 4)) / 2,)),
    (random_intensity_augment, lambda: (_blobs(0, 4) / 2,)),
    (random_crop, lambda: (_f(6, 7, 8),)),
]


@pytest.mark.parametrize("fn, args", IMAGING_RNG, ids=[f.__name__ for f, _ in IMAGING_RNG])
def test_augmentations_with_a_generator_argument(fn, args):
    """Noise, random crops and intensity augmentation draw from the generator they are
    given: NumPy's values over three calls, and the generator left in NumPy's state. The
    crop `vol[z:z + size, ...]` at a drawn `z` raised ConcretizationError (a traced slice
    bound); its bounds are `size` apart, so it has a known shape."""
    want_rng, got_rng = np.random.default_rng(5), np.random.default_rng(5)
    jf = tracenp.jit(fn)
    for _ in range(3):
        assert_same(jf(got_rng, *args()), fn(want_rng, *args()))
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


# ------------------------------------------------------------- Bayesian and statistical computing


def metropolis_where(rng, data, n_iter=60, step=0.5):
    def log_post(m):
        return -0.5 * np.sum((data - m) ** 2) - 0.5 * m ** 2 / 100.0

    mu = 0.0
    lp = log_post(mu)
    samples = np.empty(n_iter)
    accepted = 0
    for i in range(n_iter):
        prop = mu + step * rng.standard_normal()
        lp_prop = log_post(prop)
        accept = np.log(rng.random()) < lp_prop - lp
        mu = np.where(accept, prop, mu)
        lp = np.where(accept, lp_prop, lp)
        accepted += accept
        samples[i] = mu
    return samples, accepted / n_iter


def metropolis_if(rng, data, n_iter=60, step=0.5):
    mu = 0.0
    samples = np.empty(n_iter)
    lp = -0.5 * np.sum((data - mu) ** 2)
    for i in range(n_iter):
        prop = mu + step * rng.normal()
        lp_prop = -0.5 * np.sum((data - prop) ** 2)
        if np.log(rng.uniform()) < lp_prop - lp:
            mu, lp = prop, lp_prop
        samples[i] = mu
    return samples


def metropolis_vectorized_chains(rng, data, n_chains=4, n_iter=40, step=0.4):
    theta = rng.normal(size=n_chains)
    logp = lambda t: -0.5 * ((data[None, :] - t[:, None]) ** 2).sum(axis=1)
    lp = logp(theta)
    chain = np.zeros((n_iter, n_chains))
    for i in range(n_iter):
        prop = theta + step * rng.normal(size=n_chains)
        lp_new = logp(prop)
        accept = np.log(rng.uniform(size=n_chains)) < lp_new - lp
        theta[accept] = prop[accept]
        lp[accept] = lp_new[accept]
        chain[i] = theta
    return chain, chain[n_iter // 2:].mean(axis=0)


def gibbs_normal(rng, y, n_iter=40, mu0=0.0, tau0=1.0, a0=1.0, b0=1.0):
    n = len(y)
    ybar = y.mean()
    mu, tau = 0.0, 1.0
    trace = np.zeros((n_iter, 2))
    for i in range(n_iter):
        prec = tau0 + n * tau
        mean = (tau0 * mu0 + tau * n * ybar) / prec
        mu = rng.normal(mean, 1 / np.sqrt(prec))
        a = a0 + n / 2
        b = b0 + 0.5 * np.sum((y - mu) ** 2)
        tau = rng.gamma(a, 1 / b)
        trace[i] = mu, tau
    return trace


def gibbs_bivariate_normal(rng, rho=0.8, n_iter=100):
    x = y = 0.0
    s = np.sqrt(1 - rho ** 2)
    out = np.empty((n_iter, 2))
    for i in range(n_iter):
        x = rng.normal(rho * y, s)
        y = rng.normal(rho * x, s)
        out[i] = [x, y]
    return out, np.corrcoef(out.T)[0, 1]


def gibbs_beta_binomial(rng, k, n, n_iter=50, a=2.0, b=2.0):
    theta = np.empty(n_iter)
    draws = np.empty(n_iter)
    t = 0.5
    for i in range(n_iter):
        y = rng.binomial(n, t)
        t = rng.beta(a + y, b + n - y)
        theta[i], draws[i] = t, y
    return theta.mean(), draws.mean()


def hmc_gaussian(rng, q0, n_samples=20, eps=0.1, L=10):
    def grad_U(q):
        return q

    q = q0.copy()
    samples = np.empty((n_samples, q.size))
    for s in range(n_samples):
        p = rng.standard_normal(q.shape)
        current_q, current_p = q.copy(), p.copy()
        p = p - eps * grad_U(q) / 2
        for _ in range(L):
            q = q + eps * p
            p = p - eps * grad_U(q)
        p = p + eps * grad_U(q) / 2
        current_H = 0.5 * current_q @ current_q + 0.5 * current_p @ current_p
        proposed_H = 0.5 * q @ q + 0.5 * p @ p
        accept = rng.random() < np.exp(current_H - proposed_H)
        q = np.where(accept, q, current_q)
        samples[s] = q
    return samples


def bootstrap_mean_ci(rng, x, n_boot=200):
    idx = rng.integers(0, len(x), (n_boot, len(x)))
    means = x[idx].mean(axis=1)
    return np.percentile(means, [2.5, 97.5]), means.std(ddof=1)


def bootstrap_median_loop(rng, x, n_boot=30):
    stats = np.empty(n_boot)
    for b in range(n_boot):
        s = rng.choice(x, size=len(x), replace=True)
        stats[b] = np.median(s)
    return stats.mean(), np.quantile(stats, [0.05, 0.95])


def bootstrap_correlation(rng, x, y, n_boot=100):
    n = len(x)
    idx = rng.integers(0, n, size=(n_boot, n))
    xb, yb = x[idx], y[idx]
    xc = xb - xb.mean(axis=1, keepdims=True)
    yc = yb - yb.mean(axis=1, keepdims=True)
    r = (xc * yc).sum(1) / np.sqrt((xc ** 2).sum(1) * (yc ** 2).sum(1))
    return np.percentile(r, [2.5, 50, 97.5])


def permutation_test(rng, a, b, n_perm=100):
    pooled = np.concatenate([a, b])
    observed = a.mean() - b.mean()
    count = 0
    for _ in range(n_perm):
        perm = rng.permutation(pooled)
        diff = perm[:len(a)].mean() - perm[len(a):].mean()
        count += abs(diff) >= abs(observed)
    return (count + 1) / (n_perm + 1)


def systematic_resample(rng, weights):
    N = len(weights)
    positions = (rng.random() + np.arange(N)) / N
    cumulative_sum = np.cumsum(weights)
    cumulative_sum[-1] = 1.0
    return np.searchsorted(cumulative_sum, positions)


def multinomial_resample(rng, particles, weights):
    idx = rng.choice(len(particles), size=len(particles), p=weights)
    return particles[idx], np.full(len(particles), 1.0 / len(particles))


def thompson_sampling(rng, true_p, n_rounds=30):
    k = len(true_p)
    alpha = np.ones(k)
    beta = np.ones(k)
    rewards = np.zeros(n_rounds)
    for t in range(n_rounds):
        samples = rng.beta(alpha, beta)
        arm = np.argmax(samples)
        reward = rng.random() < true_p[arm]
        alpha[arm] += reward
        beta[arm] += 1 - reward
        rewards[t] = reward
    return alpha, beta, rewards.cumsum()


def ab_test_posterior(rng, a_succ, a_n, b_succ, b_n, n_draws=2000):
    pa = rng.beta(1 + a_succ, 1 + a_n - a_succ, n_draws)
    pb = rng.beta(1 + b_succ, 1 + b_n - b_succ, n_draws)
    lift = (pb - pa) / pa
    return (pb > pa).mean(), np.percentile(lift, [5, 50, 95])


def posterior_predictive(rng, mu_samples, sigma_samples, n_obs=5):
    y_rep = rng.normal(mu_samples[:, None], sigma_samples[:, None], size=(len(mu_samples), n_obs))
    return y_rep.mean(axis=1), y_rep.max(axis=1)


def rejection_sampling_mean(rng, n=500):
    x = rng.uniform(0, 1, n)
    u = rng.uniform(0, 1, n)
    f = 6 * x * (1 - x)
    accept = u < f / 1.5
    return x[accept].mean(), accept.mean()


def normal_loglik(x, mu, sigma):
    n = len(x)
    return -0.5 * n * np.log(2 * np.pi * sigma ** 2) - np.sum((x - mu) ** 2) / (2 * sigma ** 2)


def normal_loglik_grid(x, mus, sigmas):
    M, S = np.meshgrid(mus, sigmas, indexing="ij")
    ll = (-0.5 * np.log(2 * np.pi * S[..., None] ** 2)
          - (x[None, None, :] - M[..., None]) ** 2 / (2 * S[..., None] ** 2)).sum(-1)
    i, j = np.unravel_index(np.argmax(ll), ll.shape)
    return ll, mus[i], sigmas[j]


def poisson_loglik_grid(counts, lam_grid):
    ll = np.sum(counts[:, None] * np.log(lam_grid[None, :]) - lam_grid[None, :], axis=0)
    post = np.exp(ll - ll.max())
    post /= post.sum()
    return lam_grid[np.argmax(ll)], (lam_grid * post).sum()


def binomial_loglik(k, n, p):
    return np.sum(k * np.log(p) + (n - k) * np.log1p(-p))


def gamma_loglik(x, shape, rate):
    n = len(x)
    return n * shape * np.log(rate) + (shape - 1) * np.sum(np.log(x)) - rate * np.sum(x)


def student_t_loglik(x, mu, scale, nu=4.0):
    z = (x - mu) / scale
    return np.sum(-(nu + 1) / 2 * np.log1p(z ** 2 / nu) - np.log(scale))


def logistic_log_posterior(w, X, y, prior_var=10.0):
    z = X @ w
    ll = np.sum(y * z - np.logaddexp(0, z))
    return ll - 0.5 * np.sum(w ** 2) / prior_var


def logistic_map_gradient_ascent(X, y, lr=0.1, n_iter=50, prior_var=10.0):
    w = np.zeros(X.shape[1])
    for _ in range(n_iter):
        p = 1 / (1 + np.exp(-X @ w))
        grad = X.T @ (y - p) - w / prior_var
        w += lr * grad / len(y)
    return w, logistic_log_posterior(w, X, y, prior_var)


def beta_binomial_update(successes, trials, a=1.0, b=1.0):
    a_post = a + successes
    b_post = b + trials - successes
    mean = a_post / (a_post + b_post)
    var = a_post * b_post / ((a_post + b_post) ** 2 * (a_post + b_post + 1))
    mode = (a_post - 1) / (a_post + b_post - 2)
    return a_post, b_post, mean, np.sqrt(var), mode


def sequential_beta_updates(outcomes, a=1.0, b=1.0):
    a_path = a + np.cumsum(outcomes)
    b_path = b + np.cumsum(1 - outcomes)
    return a_path / (a_path + b_path)


def normal_normal_update(data, mu0=0.0, tau0=2.0, sigma=1.0):
    n = len(data)
    prec = 1 / tau0 ** 2 + n / sigma ** 2
    mu_post = (mu0 / tau0 ** 2 + data.sum() / sigma ** 2) / prec
    return mu_post, np.sqrt(1 / prec)


def normal_normal_hierarchical(y, sigma, mu=0.0, tau=5.0):
    prec = 1 / sigma ** 2 + 1 / tau ** 2
    theta_hat = (y / sigma ** 2 + mu / tau ** 2) / prec
    return theta_hat, np.sqrt(1 / prec), 1 - (1 / tau ** 2) / prec


def gamma_poisson_update(counts, exposure, a=1.0, b=1.0):
    a_post = a + counts.sum()
    b_post = b + exposure.sum()
    return a_post / b_post, a_post / b_post ** 2, (a_post - 1) / b_post


def dirichlet_multinomial(counts, alpha):
    post = alpha + counts
    mean = post / post.sum(axis=-1, keepdims=True)
    a0 = post.sum(axis=-1, keepdims=True)
    var = mean * (1 - mean) / (a0 + 1)
    return mean, var


def posterior_grid_coin(heads, tails, n_grid=101):
    theta = np.linspace(0.001, 0.999, n_grid)
    logp = heads * np.log(theta) + tails * np.log(1 - theta)
    post = np.exp(logp - logp.max())
    post /= post.sum()
    return theta[np.argmax(post)], (theta * post).sum(), post


def credible_interval_grid(theta, post, mass=0.95):
    cdf = np.cumsum(post)
    cdf /= cdf[-1]
    lo = theta[np.searchsorted(cdf, (1 - mass) / 2)]
    hi = theta[np.searchsorted(cdf, 1 - (1 - mass) / 2)]
    return lo, hi, np.interp(0.5, cdf, theta)


def hpd_interval(samples, cred=0.9):
    sorted_samples = np.sort(samples)
    n = len(sorted_samples)
    k = int(np.floor(cred * n))
    widths = sorted_samples[k:] - sorted_samples[:n - k]
    i = np.argmin(widths)
    return sorted_samples[i], sorted_samples[i + k]


def hpd_grid(theta, post, mass=0.9):
    order = np.argsort(post)[::-1]
    cum = np.cumsum(post[order])
    n_in = np.searchsorted(cum, mass) + 1
    in_hpd = np.zeros(len(post), dtype=bool)
    in_hpd[order[:n_in]] = True
    return theta[in_hpd].min(), theta[in_hpd].max()


def equal_tailed_interval(samples):
    lo, med, hi = np.percentile(samples, [2.5, 50, 97.5], axis=0)
    return lo, med, hi, (samples > 0).mean(axis=0)


def kde_gaussian(data, grid, bw=None):
    if bw is None:
        bw = 1.06 * data.std(ddof=1) * len(data) ** (-1 / 5)
    z = (grid[:, None] - data[None, :]) / bw
    return np.exp(-0.5 * z ** 2).sum(axis=1) / (len(data) * bw * np.sqrt(2 * np.pi))


def kde_silverman_iqr(data, grid):
    q75, q25 = np.percentile(data, [75, 25])
    sigma = min(np.std(data, ddof=1), (q75 - q25) / 1.349)
    h = 0.9 * sigma * len(data) ** (-0.2)
    u = (grid[:, None] - data) / h
    return np.mean(np.exp(-u ** 2 / 2), axis=1) / (h * np.sqrt(2 * np.pi))


def kde_silverman_np_minimum(data, grid):
    q75, q25 = np.percentile(data, [75, 25])
    sigma = np.minimum(np.std(data, ddof=1), (q75 - q25) / 1.349)
    h = 0.9 * sigma * len(data) ** (-0.2)
    u = (grid[:, None] - data) / h
    dens = np.mean(np.exp(-u ** 2 / 2), axis=1) / (h * np.sqrt(2 * np.pi))
    return dens, np.trapezoid(dens, grid)


def kde_2d(points, gx, gy, h=0.5):
    X, Y = np.meshgrid(gx, gy)
    grid = np.stack([X.ravel(), Y.ravel()], axis=1)
    d2 = ((grid[:, None, :] - points[None, :, :]) ** 2).sum(-1)
    dens = np.exp(-d2 / (2 * h ** 2)).sum(1) / (len(points) * 2 * np.pi * h ** 2)
    return dens.reshape(X.shape)


def autocorr_fft(x):
    n = len(x)
    f = np.fft.fft(x - x.mean(), n=2 * n)
    acf = np.fft.ifft(f * np.conjugate(f))[:n].real
    return acf / acf[0]


def autocorr_correlate(chain, max_lag=10):
    x = chain - chain.mean()
    acf = np.correlate(x, x, mode="full")[len(x) - 1:]
    acf = acf / acf[0]
    tau = 1 + 2 * np.sum(acf[1:max_lag])
    return acf[:max_lag], len(chain) / tau


def ess_first_negative(chain):
    x = chain - chain.mean()
    acf = np.correlate(x, x, mode="full")[len(x) - 1:]
    acf /= acf[0]
    first_neg = np.argmax(acf < 0)
    mask = np.arange(len(acf)) < first_neg
    tau = 1 + 2 * np.sum(np.where(mask, acf, 0)[1:])
    return len(chain) / tau


def ess_break_loop(chain):
    x = chain - chain.mean()
    acf = np.correlate(x, x, mode="full")[len(x) - 1:] / np.dot(x, x)
    tau = 1.0
    for lag in range(1, len(acf)):
        if acf[lag] < 0:
            break
        tau += 2 * acf[lag]
    return len(chain) / tau


def gelman_rubin(chains):
    m, n = chains.shape
    means = chains.mean(axis=1)
    W = chains.var(axis=1, ddof=1).mean()
    B = n * means.var(ddof=1)
    var_hat = (n - 1) / n * W + B / n
    return np.sqrt(var_hat / W)


def split_rhat(chains):
    n = chains.shape[1] // 2
    split = np.concatenate([chains[:, :n], chains[:, n:2 * n]], axis=0)
    return gelman_rubin(split)


def logsumexp(a, axis=None):
    a_max = np.max(a, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(a - a_max), axis=axis, keepdims=True)) + a_max
    return np.squeeze(out, axis=axis) if axis is not None else out.squeeze()


def importance_weights(logp, logq):
    logw = logp - logq
    log_norm = logsumexp(logw)
    w = np.exp(logw - log_norm)
    ess = 1.0 / np.sum(w ** 2)
    return w, ess, log_norm - np.log(len(logw))


def self_normalized_is(rng, n=500):
    x = rng.normal(0, 2, n)
    logq = -0.5 * (x / 2) ** 2 - np.log(2 * np.sqrt(2 * np.pi))
    logp = -0.5 * (x - 1) ** 2 - 0.5 * np.log(2 * np.pi)
    lw = logp - logq
    w = np.exp(lw - lw.max())
    w /= w.sum()
    return np.sum(w * x), 1 / np.sum(w ** 2)


def mixture_responsibilities(x, weights, means, sds):
    log_comp = (np.log(weights)[None, :] - np.log(sds)[None, :]
                - 0.5 * ((x[:, None] - means[None, :]) / sds[None, :]) ** 2)
    log_norm = logsumexp(log_comp, axis=1)
    return np.exp(log_comp - log_norm[:, None]), log_norm.sum()


def gmm_em(x, n_iter=10):
    w = np.array([0.5, 0.5])
    mu = np.array([x.min(), x.max()])
    sd = np.array([x.std(), x.std()])
    for _ in range(n_iter):
        r, _ = mixture_responsibilities(x, w, mu, sd)
        nk = r.sum(axis=0)
        w = nk / len(x)
        mu = (r * x[:, None]).sum(0) / nk
        sd = np.sqrt((r * (x[:, None] - mu) ** 2).sum(0) / nk)
    return w, mu, sd


def waic(loglik):
    lppd = np.sum(np.log(np.mean(np.exp(loglik), axis=0)))
    p_waic = np.sum(np.var(loglik, axis=0, ddof=1))
    return -2 * (lppd - p_waic), p_waic


def waic_stable(loglik):
    S = loglik.shape[0]
    lppd = np.sum(logsumexp(loglik, axis=0) - np.log(S))
    return lppd, np.sum(loglik.var(axis=0, ddof=1))


def bayesian_linear_regression(X, y, alpha=1.0, beta=25.0):
    S_inv = alpha * np.eye(X.shape[1]) + beta * X.T @ X
    S = np.linalg.inv(S_inv)
    m = beta * S @ X.T @ y
    pred_var = 1 / beta + np.sum(X @ S * X, axis=1)
    return m, S, pred_var


def blr_cholesky(X, y, alpha=1.0, beta=25.0):
    A = alpha * np.eye(X.shape[1]) + beta * X.T @ X
    L = np.linalg.cholesky(A)
    m = np.linalg.solve(L.T, np.linalg.solve(L, beta * X.T @ y))
    log_evidence = (0.5 * X.shape[1] * np.log(alpha) + 0.5 * len(y) * np.log(beta)
                    - 0.5 * beta * np.sum((y - X @ m) ** 2) - 0.5 * alpha * m @ m
                    - np.sum(np.log(np.diag(L))) - 0.5 * len(y) * np.log(2 * np.pi))
    return m, log_evidence


def ecdf_ks_statistic(x, y):
    data = np.concatenate([x, y])
    cdf_x = np.searchsorted(np.sort(x), data, side="right") / len(x)
    cdf_y = np.searchsorted(np.sort(y), data, side="right") / len(y)
    return np.max(np.abs(cdf_x - cdf_y))


def welford_running(x):
    mean = 0.0
    m2 = 0.0
    for i, v in enumerate(x, start=1):
        delta = v - mean
        mean += delta / i
        m2 += delta * (v - mean)
    return mean, m2 / (len(x) - 1)


def _chains(s, n, m=4):
    return np.cumsum(_f(m, 10 * n, seed=s), axis=1) * 0.1 + _f(m, 1, seed=s + 1)


BAYES = {
    "normal_loglik": (normal_loglik, {}, lambda s, n: (_f(5 * n, seed=s), 0.3, 1.2)),
    "normal_loglik_grid": (normal_loglik_grid, {}, lambda s, n: (_f(5 * n, seed=s), np.linspace(-1, 1, n), np.linspace(0.5, 2, n + 1))),
    "poisson_loglik_grid": (poisson_loglik_grid, {}, lambda s, n: (_i(6, 4 * n, seed=s), np.linspace(0.1, 8, 20 * n))),
    "binomial_loglik": (binomial_loglik, {}, lambda s, n: (_i(5, n, seed=s), np.full(n, 5), 0.3)),
    "gamma_loglik": (gamma_loglik, {}, lambda s, n: (_f(5 * n, positive=True, seed=s), 2.0, 1.5)),
    "student_t_loglik": (student_t_loglik, {}, lambda s, n: (_f(5 * n, seed=s), 0.1, 1.3)),
    "logistic_log_posterior": (logistic_log_posterior, {}, lambda s, n: (_f(3, seed=s), _f(5 * n, 3, seed=s + 1), _i(2, 5 * n, seed=s))),
    "logistic_map_gradient_ascent": (logistic_map_gradient_ascent, {}, lambda s, n: (_f(5 * n, 3, seed=s), _i(2, 5 * n, seed=s).astype(float))),
    "beta_binomial_update": (beta_binomial_update, {}, lambda s, n: (_i(10, n, seed=s), 10 + _i(10, n, seed=s + 1))),
    "sequential_beta_updates": (sequential_beta_updates, {}, lambda s, n: (_i(2, 5 * n, seed=s),)),
    "normal_normal_update": (normal_normal_update, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "normal_normal_hierarchical": (normal_normal_hierarchical, {}, lambda s, n: (10 * _f(n, seed=s), 5 + 10 * _f(n, positive=True, seed=s))),
    "gamma_poisson_update": (gamma_poisson_update, {}, lambda s, n: (_i(10, n, seed=s), _f(n, positive=True, seed=s))),
    "dirichlet_multinomial": (dirichlet_multinomial, {}, lambda s, n: (_i(10, n, 3, seed=s), np.ones(3))),
    "posterior_grid_coin": (posterior_grid_coin, {}, lambda s, n: (np.int64(3 * n), np.int64(n + s))),
    "credible_interval_grid": (credible_interval_grid, {}, lambda s, n: (np.linspace(0, 1, 20 * n), np.exp(-((np.linspace(0, 1, 20 * n) - 0.3 - 0.1 * s) / 0.1) ** 2))),
    "hpd_interval": (hpd_interval, {}, lambda s, n: (_f(10 * n, seed=s),)),
    "hpd_grid": (hpd_grid, {}, lambda s, n: (np.linspace(0, 1, 20 * n), _f(20 * n, positive=True, seed=s) / (20 * n * 1.25))),
    "equal_tailed_interval": (equal_tailed_interval, {}, lambda s, n: (_f(50, n, seed=s),)),
    "kde_gaussian": (kde_gaussian, {}, lambda s, n: (_f(5 * n, seed=s), np.linspace(-3, 3, 4 * n))),
    "kde_gaussian_bw": (kde_gaussian, {"bw": 0.4}, lambda s, n: (_f(5 * n, seed=s), np.linspace(-3, 3, 4 * n))),
    "kde_silverman_np_minimum": (kde_silverman_np_minimum, {}, lambda s, n: (_f(5 * n, seed=s), np.linspace(-3, 3, 4 * n))),
    "kde_2d": (kde_2d, {}, lambda s, n: (_f(3 * n, 2, seed=s), np.linspace(-2, 2, n), np.linspace(-2, 2, n + 1))),
    "autocorr_fft": (autocorr_fft, {}, lambda s, n: (_chains(s, n, 1)[0],)),
    "autocorr_correlate": (autocorr_correlate, {}, lambda s, n: (_chains(s, n, 1)[0],)),
    "ess_first_negative": (ess_first_negative, {}, lambda s, n: (_chains(s, n, 1)[0],)),
    "gelman_rubin": (gelman_rubin, {}, lambda s, n: (_chains(s, n),)),
    "split_rhat": (split_rhat, {}, lambda s, n: (_chains(s, n),)),
    "importance_weights": (importance_weights, {}, lambda s, n: (-0.5 * _f(5 * n, seed=s) ** 2, -0.25 * _f(5 * n, seed=s) ** 2 - 0.3)),
    "mixture_responsibilities": (mixture_responsibilities, {}, lambda s, n: (_f(5 * n, seed=s), np.array([0.3, 0.7]), np.array([-1.0, 1.0]), np.array([0.5, 1.0]))),
    "gmm_em": (gmm_em, {}, lambda s, n: (np.r_[_f(5 * n, seed=s) - 2, _f(5 * n, seed=s + 1) + 2],)),
    "waic": (waic, {}, lambda s, n: (-0.5 * _f(40, n, seed=s) ** 2 - 1,)),
    "waic_stable": (waic_stable, {}, lambda s, n: (-0.5 * _f(40, n, seed=s) ** 2 - 1,)),
    "bayesian_linear_regression": (bayesian_linear_regression, {}, lambda s, n: (np.c_[np.ones(5 * n), _f(5 * n, seed=s)], _f(5 * n, seed=s + 1))),
    "blr_cholesky": (blr_cholesky, {}, lambda s, n: (np.c_[np.ones(5 * n), _f(5 * n, 2, seed=s)], _f(5 * n, seed=s + 1))),
    "ecdf_ks_statistic": (ecdf_ks_statistic, {}, lambda s, n: (_f(5 * n, seed=s), _f(4 * n, seed=s + 1) + 0.5)),
    "welford_running": (welford_running, {}, lambda s, n: (_f(3 * n, seed=s),)),
}


@pytest.mark.parametrize("name", list(BAYES))
def test_bayesian_statistics_match_numpy(name):
    check_like_numpy(*BAYES[name])


SAMPLERS = [
    (metropolis_where, lambda: (_f(10, seed=3) + 1,)),
    (metropolis_vectorized_chains, lambda: (_f(10, seed=3) + 1,)),
    (gibbs_normal, lambda: (_f(12, seed=3) + 2,)),
    (gibbs_bivariate_normal, lambda: ()),
    (gibbs_beta_binomial, lambda: (7, 20)),
    (hmc_gaussian, lambda: (np.array([1.0, -1.0]),)),
    (bootstrap_mean_ci, lambda: (_f(15, seed=3),)),
    (bootstrap_median_loop, lambda: (_f(15, seed=3),)),
    (bootstrap_correlation, lambda: (_f(12, seed=3), _f(12, seed=4))),
    (permutation_test, lambda: (_f(8, seed=3), _f(9, seed=4) + 0.5)),
    (systematic_resample, lambda: (_f(10, positive=True, seed=3) / _f(10, positive=True, seed=3).sum(),)),
    (multinomial_resample, lambda: (_f(10, seed=3), _f(10, positive=True, seed=3) / _f(10, positive=True, seed=3).sum())),
    (thompson_sampling, lambda: (np.array([0.2, 0.5, 0.7]),)),
    (ab_test_posterior, lambda: (40, 200, 55, 210)),
    (posterior_predictive, lambda: (_f(20, seed=3), _f(20, positive=True, seed=4))),
    (rejection_sampling_mean, lambda: ()),
    (self_normalized_is, lambda: ()),
]


@pytest.mark.parametrize("fn, args", SAMPLERS, ids=[f.__name__ for f, _ in SAMPLERS])
def test_samplers_with_a_generator_argument(fn, args):
    """Metropolis, Gibbs and HMC chains, bootstraps, permutation tests, resampling, Thompson
    sampling and importance sampling draw from the generator they are given: NumPy's draws
    and values over three calls, and the generator left in NumPy's state."""
    want_rng, got_rng = np.random.default_rng(5), np.random.default_rng(5)
    jf = tracenp.jit(fn)
    for _ in range(3):
        assert_same(jf(got_rng, *args()), fn(want_rng, *args()), rtol=1e-6)
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


# ------------------------------------------------------------------- windows at traced positions


def star_cutout(img, r=2):
    iy, ix = np.unravel_index(np.argmax(img), img.shape)
    cut = img[iy - r:iy + r + 1, ix - r:ix + r + 1]
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    w = cut - np.median(cut)
    return cut, iy + (yy * w).sum() / w.sum(), ix + (xx * w).sum() / w.sum()


def subtract_local_background(img, r=1):
    out = img.copy()
    iy, ix = np.unravel_index(np.argmax(img), img.shape)
    box = out[iy - r:iy + r + 1, ix - r:ix + r + 1]
    box -= np.median(img)
    return out, box


def paste_patch(canvas, patch, score):
    y = np.argmax(score.max(axis=1))
    x = np.argmax(score.max(axis=0))
    h, w = patch.shape
    canvas[y:y + h, x:x + w] = patch
    canvas[y, x:x + w] += 1.0
    return canvas


def spectrum_line_window(wave, flux, half=3):
    i = np.argmin(flux)
    seg_w = wave[i - half:i + half + 1]
    seg_f = flux[i - half:i + half + 1]
    return np.trapezoid(1 - seg_f, seg_w), seg_w[np.argmin(seg_f)]


def photometry_brightest(img, k=3, r=1):
    flat = np.argsort(img[r:-r, r:-r].ravel())[::-1][:k]
    ys, xs = np.unravel_index(flat, (img.shape[0] - 2 * r, img.shape[1] - 2 * r))
    fluxes = []
    for y, x in zip(ys + r, xs + r):
        fluxes.append(img[y - r:y + r + 1, x - r:x + r + 1].sum())
    return np.array(fluxes)


def hogbom_clean(dirty, psf, gain=0.2, n_iter=10):
    h = psf.shape[0] // 2
    residual = np.pad(dirty, h)
    model = np.zeros_like(residual)
    for _ in range(n_iter):
        inner = residual[h:-h, h:-h]
        y, x = np.unravel_index(np.argmax(np.abs(inner)), inner.shape)
        peak = inner[y, x]
        model[y + h, x + h] += gain * peak
        residual[y:y + 2 * h + 1, x:x + 2 * h + 1] -= gain * peak * psf
    return model[h:-h, h:-h], residual[h:-h, h:-h]


def find_peaks_iterative(img, n_peaks=3, r=1):
    work = np.pad(img, r, mode="constant", constant_values=-np.inf)
    peaks = np.zeros((n_peaks, 2), dtype=int)
    for i in range(n_peaks):
        y, x = np.unravel_index(np.argmax(work), work.shape)
        peaks[i] = y - r, x - r
        work[y - r:y + r + 1, x - r:x + r + 1] = -np.inf
    return peaks


def _peaked(s, n):
    img = _star(s, n)
    return img


WINDOWS = {
    "star_cutout": (star_cutout, {}, lambda s, n: (_peaked(s, n),)),
    "subtract_local_background": (subtract_local_background, {}, lambda s, n: (_peaked(s, n),)),
    "paste_patch": (paste_patch, {}, lambda s, n: (np.zeros((n + 3, n + 4)), _f(2, 3, seed=s),
                                                   np.pad(_f(n, n + 1, positive=True, seed=s), ((0, 3), (0, 3))))),
    "photometry_brightest": (photometry_brightest, {}, lambda s, n: (_blobs(s, n),)),
    "hogbom_clean": (hogbom_clean, {}, lambda s, n: (_blobs(s, n), gaussian_kernel_2d(3, 0.8))),
    "find_peaks_iterative": (find_peaks_iterative, {}, lambda s, n: (_blobs(s, n),)),
    "spectrum_line_window": (spectrum_line_window, {}, lambda s, n: (np.linspace(6500, 6600, 10 * n), 1 - 0.5 * np.exp(-((np.linspace(6500, 6600, 10 * n) - 6540 - 3 * s) / 5) ** 2))),
}


@pytest.mark.parametrize("name", list(WINDOWS))
def test_windows_at_traced_positions_match_numpy(name):
    """A cutout around the brightest pixel (`img[iy - r:iy + r + 1, ...]`), a patch pasted at
    an argmax, a spectral window around a line's minimum, Hogbom CLEAN subtracting the beam
    at each peak, iterative peak finding masking a box around each: slice bounds computed
    from traced values raised ConcretizationError. Bounds a constant apart give a window of known length,
    read (and written, through the view) as a gather (scatter) at the traced start."""
    check_like_numpy(*WINDOWS[name])


def test_roll_by_a_registered_shift():
    """`dy, dx = phase_correlation(ref, mov)[0]; np.roll(mov, (dy, dx), axis=(0, 1))` raised
    ConcretizationError: a tuple of traced shifts went through `np.asarray`. Each axis rolls
    by its shift (a gather), NumPy's broadcasting of shifts and axes kept."""
    check_like_numpy(shift_by_registration, {}, lambda s, n: (_blobs(s, n), np.roll(_blobs(s, n), (1, s), axis=(0, 1))))

    def rolls(x, w):
        k = np.argmax(w)
        return (np.roll(x, (k, -k), axis=(0, 1)), np.roll(x, k, axis=(0, 1)),
                np.roll(x, [k], axis=(1, 0)), np.roll(x, (k, 2, k), axis=(0, 1, 0)))

    check_like_numpy(rolls, {}, lambda s, n: (_f(n, 5, seed=s), _f(4, seed=s)))
    with pytest.raises(ValueError, match="broadcast"):
        tracenp.jit(lambda x, w: np.roll(x, (np.argmax(w), 1, 2), axis=(0, 1)))(_f(3, 3), _f(3))


def test_a_window_that_leaves_the_axis_raises_or_falls_back():
    """NumPy's slice is shorter where the window leaves the axis (a star in the corner): the
    compiled function raises DataDependentShapeError then, and under `fallback=True` that call
    runs in NumPy, the others compiled."""
    def peak_flux(img):
        iy, ix = np.unravel_index(np.argmax(img), img.shape)
        return img[iy - 1:iy + 2, ix - 1:ix + 2].sum(), img[iy, ix - 2:ix + 1]

    img = _star(1, 4)
    corner = img.copy()
    corner[0, 1] = 1e4
    jf = tracenp.jit(peak_flux)
    assert_same(jf(img), peak_flux(img))
    with pytest.raises(tracenp.errors.DataDependentShapeError, match="leaves axis 0"):
        jf(corner)
    jf = tracenp.jit(peak_flux, fallback=True)
    assert_same(jf(img), peak_flux(img))
    with pytest.warns(tracenp.TracingFallbackWarning):
        assert_same(jf(corner), peak_flux(corner))
    assert_same(jf(img), peak_flux(img))


def test_a_window_at_a_python_int_argument_is_made_static():
    """`x[k:k + 3]` of a Python int argument `k` stays NumPy's at every `k` (a shorter slice
    at the end): jit makes `k` static, as before."""
    check_steered(lambda x, k: (x[k:k + 3], x[k - 1:k + 1].sum()), lambda s: (_f(6, seed=s), 2 + 2 * s))


# --------------------------------------------------------------- slices of data-dependent length


def ess_slice_to_first_negative(chain):
    x = chain - chain.mean()
    acf = np.correlate(x, x, mode="full")[len(x) - 1:]
    acf /= acf[0]
    first_neg = np.argmax(acf < 0)
    tau = 1 + 2 * np.sum(acf[1:first_neg])
    return len(chain) / tau, first_neg


def burn_in_trimmed(chain, tol=0.5):
    running = np.cumsum(chain) / np.arange(1, len(chain) + 1)
    k = np.argmax(np.abs(running - chain.mean()) < tol)
    kept = chain[k:]
    return k, kept.mean(), kept.std(), np.percentile(chain[k:], 50)


def mean_after_leading_gap(ts):
    first = np.argmax(~np.isnan(ts))
    return np.nanmean(ts[first:]), np.count_nonzero(~np.isnan(ts[first:]))


def flux_within_half_light(r, flux):
    order = np.argsort(r)
    cum = np.cumsum(flux[order])
    k = np.searchsorted(cum, 0.5 * cum[-1]) + 1
    inside = np.zeros(len(r), dtype=bool)
    inside[order[:k]] = True
    return r[order][:k].max(), inside, flux[order[:k]].sum()


def zero_after_cutoff(spectrum, freqs, fmax=0.3):
    cut = np.searchsorted(freqs, fmax)
    out = spectrum.copy()
    out[cut:] = 0.0
    out[:, :cut] *= 2
    return out


SLICES = {
    "hpd_grid": BAYES["hpd_grid"],
    "ess_slice_to_first_negative": (ess_slice_to_first_negative, {}, lambda s, n: (_chains(s, n, 1)[0],)),
    "ess_no_negative_lag": (ess_slice_to_first_negative, {}, lambda s, n: (np.arange(5.0 * n) ** 2,)),
    "burn_in_trimmed": (burn_in_trimmed, {}, lambda s, n: (np.r_[5 + _f(n, seed=s), _f(6 * n, seed=s + 1)],)),
    "mean_after_leading_gap": (mean_after_leading_gap, {}, lambda s, n: (np.r_[np.full(s, np.nan), _nans(4 * n - s, seed=s)],)),
    "flux_within_half_light": (flux_within_half_light, {}, lambda s, n: (_f(5 * n, positive=True, seed=s), _f(5 * n, positive=True, seed=s + 1))),
    "zero_after_cutoff": (zero_after_cutoff, {}, lambda s, n: (_f(4 * n, 3, seed=s), np.sort(np.random.default_rng(s).random(4 * n)))),
}


@pytest.mark.parametrize("name", list(SLICES))
def test_slices_of_data_dependent_length_match_numpy(name):
    """The autocorrelation summed up to its first negative lag (`acf[1:first_neg]`), a chain
    after its burn-in (`chain[k:]`), the highest-density cells (`in_hpd[order[:n_in]] = True`),
    a spectrum zeroed past a cutoff (`out[cut:] = 0`): a slice bound computed from the data
    raised ConcretizationError. The slice is the selection by `start <= arange(n) < stop`
    (NumPy's bounds, negative ones counted from the end), which reduces, indexes and is
    written as `x[mask]` is."""
    check_like_numpy(*SLICES[name])


def _cut_at_peak(x, w):
    k = np.argmax(w)
    y = x.copy()
    y[:k] = 0
    y[k:, 1] = -1
    y[2, :k] = 5
    y[1:3, k:] += 1
    z = x.copy()
    z[:, k:] = np.arange(x.shape[0])[:, None] * 1.0
    return (y, z, x[1, :k].sum(), x[k:, 2].mean(), x[:k, 1:3].sum(axis=0), x[-k:].max(),
            x[..., k:-1].min(initial=np.inf))


@pytest.mark.parametrize("k", range(5))
def test_slice_bounds_from_the_data_with_other_indices(k):
    """A data-dependent bound next to ints and slices, read and written (`y[2, :k] = 5`,
    `y[1:3, k:] += 1`, `x[k:, 2].mean()`, a negative `x[-k:]`), at every k including 0 (an
    empty selection, and `-0` the whole axis): NumPy's values."""
    x, w = _f(5, 6, seed=k), np.eye(5)[k]
    with np.errstate(invalid="ignore"):
        want = _cut_at_peak(x, w)
    assert_same(tracenp.jit(_cut_at_peak)(x, w), want)


def _writes_through_tails(x, w):
    k = np.argmax(w)
    tail = x[k:]
    tail *= 0.5
    tail += 1
    s = tail.sum()
    head = x[:k]
    head[head > 0] = 0
    cols = x[:, k:]
    cols -= 1
    x[0] = 9
    return s


def test_a_slice_of_a_traced_bound_is_a_view():
    """NumPy's `x[k:]` is a view: `tail *= 0.5` and `head[head > 0] = 0` write into `x`
    (the selection was a copy, and `x` kept its values silently); reading the slice after
    another write into `x` is refused by name (the view would show that write)."""
    check_like_numpy(_writes_through_tails, {}, lambda s, n: (_f(n, n + 1, seed=s), _f(n, seed=s)))

    def stale(x, w):
        t = x[np.argmax(w):]
        x[-1] = 100.0
        return t.sum()

    check_refused(tracenp.errors.UnsupportedFunctionError, stale, lambda s: (_f(6, seed=s), _f(6, seed=s + 1)))


def test_a_returned_slice_of_data_dependent_length_is_refused():
    """Returning `order[:k]` (k from the data) has a data-dependent shape: refused by name,
    NumPy's values under `fallback=True`."""
    def top_k(v):
        order = np.argsort(v)[::-1]
        return order[:np.searchsorted(np.cumsum(v[order]), 0.5 * v.sum()) + 1]

    check_refused(tracenp.errors.DataDependentShapeError, top_k, lambda s: (_f(8, positive=True, seed=s),))


def test_radial_profile_of_a_python_tuple_center_is_made_static():
    """The classic `radial_profile(data, center)`: `np.bincount(r.ravel(), data.ravel()) /
    np.bincount(r.ravel())` of integer radii from `np.indices` and a `center` tuple of Python
    ints raised DataDependentShapeError, whose refusal did not say what the bins are computed
    from, so jit did not make `center` static. It does now, and the bins are known; a center
    computed from the image stays refused by name."""
    check_steered(radial_profile, lambda s: (_blobs(s, 4), (2 + s, 3)))
    check_steered(lambda d, c: radial_profile(d[::-1], c) * 2, lambda s: (_blobs(s, 4), (3, 1 + s)))
    check_refused(tracenp.errors.DataDependentShapeError,
                  lambda d: radial_profile(d, np.unravel_index(np.argmax(d), d.shape)[::-1]),
                  lambda s: (_blobs(s, 4),))


# ------------------------------------------------------------------------------ second batch


def interp_to_pressure_levels(p, t, levels=np.array([850.0, 700.0, 500.0])):
    out = np.empty((len(levels), p.shape[1]))
    for i in range(p.shape[1]):
        out[:, i] = np.interp(np.log(levels), np.log(p[::-1, i]), t[::-1, i])
    return out


def koppen_like_classes(tmean, precip):
    t_cold = tmean.min(axis=0)
    t_warm = tmean.max(axis=0)
    p_ann = precip.sum(axis=0)
    conds = [t_cold >= 18, (t_warm > 10) & (t_cold > -3), (t_warm > 10) & (t_cold <= -3), t_warm <= 10]
    return np.select(conds, [1, 3, 4, 5], default=0), np.where(p_ann < 20 * (tmean.mean(0) + 7), 2, 0)


def zero_crossings(x):
    s = np.sign(x)
    crossings = np.diff(s, axis=0) != 0
    return crossings.sum(axis=0), np.count_nonzero(np.diff(np.signbit(x[:, 0])))


def precip_distribution(pr, edges=np.array([0.0, 0.1, 1.0, 5.0, 10.0, 50.0])):
    hist, _ = np.histogram(pr, bins=edges, density=True)
    counts, _ = np.histogram(pr, bins=edges)
    return hist, counts / counts.sum(), np.nanpercentile(np.where(pr > 0.1, pr, np.nan), [50, 90])


def rolling_climatology(annual, window=5):
    win = np.lib.stride_tricks.sliding_window_view(annual, window, axis=0)
    return win.mean(axis=-1), annual[window - 1:] - win.mean(axis=-1)


def lapse_rate(t, z):
    return np.gradient(t, z, axis=0) * 1000, np.gradient(t, z)[0] if t.ndim == 1 else None


def months_from_dates(dates, values):
    month = dates.astype("datetime64[M]").astype(int) % 12
    year = dates.astype("datetime64[Y]").astype(int) + 1970
    sums = np.bincount(month, weights=values, minlength=12)
    counts = np.bincount(month, minlength=12)
    return month, year, sums / np.maximum(counts, 1)


def day_of_year(dates):
    doy = (dates - dates.astype("datetime64[Y]")).astype(int) + 1
    decl = 23.44 * np.sin(np.deg2rad(360 / 365 * (doy - 81)))
    return doy, decl


def weighted_rmse(model, obs, lat):
    w = np.cos(np.deg2rad(lat))[:, None]
    w = w / w.mean()
    return np.sqrt(np.mean(w * (model - obs) ** 2)), np.sqrt(np.average((model - obs) ** 2, weights=np.broadcast_to(w, model.shape)))


def taylor_stats(model, obs):
    r = np.corrcoef(model.ravel(), obs.ravel())[0, 1]
    sm, so = model.std(), obs.std()
    crmsd = np.sqrt(np.mean(((model - model.mean()) - (obs - obs.mean())) ** 2))
    return r, sm / so, crmsd / so


def nash_sutcliffe_kge(sim, obs):
    nse = 1 - np.sum((sim - obs) ** 2) / np.sum((obs - obs.mean()) ** 2)
    r = np.corrcoef(sim, obs)[0, 1]
    alpha = sim.std() / obs.std()
    beta = sim.mean() / obs.mean()
    kge = 1 - np.sqrt((r - 1) ** 2 + (alpha - 1) ** 2 + (beta - 1) ** 2)
    return nse, kge


def snow_degree_day_model(temp, precip, ddf=3.0, t_melt=0.0):
    swe = 0.0
    out = np.zeros_like(temp)
    melt_total = 0.0
    for t in range(len(temp)):
        snowfall = precip[t] if temp[t] < t_melt else 0.0
        swe += snowfall
        melt = min(swe, ddf * max(temp[t] - t_melt, 0.0))
        swe -= melt
        melt_total += melt
        out[t] = swe
    return out, melt_total


def snow_degree_day_vectorized(temp, precip, ddf=3.0, t_melt=0.0):
    swe = np.zeros(temp.shape[1:])
    out = np.zeros_like(temp)
    for t in range(temp.shape[0]):
        swe = swe + np.where(temp[t] < t_melt, precip[t], 0.0)
        melt = np.minimum(swe, ddf * np.maximum(temp[t] - t_melt, 0.0))
        swe = swe - melt
        out[t] = swe
    return out


def bucket_water_balance(precip, pet, capacity=100.0):
    storage = np.full(precip.shape[1:], capacity / 2)
    runoff = np.zeros_like(precip)
    aet = np.zeros_like(precip)
    for t in range(precip.shape[0]):
        storage = storage + precip[t]
        et = np.minimum(pet[t] * storage / capacity, storage)
        storage -= et
        runoff[t] = np.maximum(storage - capacity, 0)
        storage = np.minimum(storage, capacity)
        aet[t] = et
    return runoff, aet, storage


def eof_analysis(anom, lat, n_modes=2):
    nt = anom.shape[0]
    w = np.sqrt(np.cos(np.deg2rad(lat)))[None, :, None]
    X = (anom * w).reshape(nt, -1)
    U, s, Vt = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)
    var_frac = s ** 2 / np.sum(s ** 2)
    pcs = U[:, :n_modes] * s[:n_modes]
    return var_frac[:n_modes], np.abs(pcs), np.abs(Vt[:n_modes]).reshape(n_modes, *anom.shape[1:])


def mann_kendall(x):
    n = len(x)
    s = np.sign(x[None, :] - x[:, None])
    S = np.triu(s, k=1).sum()
    var_s = n * (n - 1) * (2 * n + 5) / 18
    z = np.where(S > 0, (S - 1) / np.sqrt(var_s), np.where(S < 0, (S + 1) / np.sqrt(var_s), 0.0))
    return S, z


def sens_slope(x):
    n = len(x)
    i, j = np.triu_indices(n, k=1)
    slopes = (x[j] - x[i]) / (j - i)
    return np.median(slopes), np.median(x - np.median(slopes) * np.arange(n))


def kepler_newton(M, e=0.3, n_iter=8):
    E = M.copy()
    for _ in range(n_iter):
        E = E - (E - e * np.sin(E) - M) / (1 - e * np.cos(E))
    nu = 2 * np.arctan2(np.sqrt(1 + e) * np.sin(E / 2), np.sqrt(1 - e) * np.cos(E / 2))
    return E, nu


def radial_velocity_model(t, P=3.0, K=50.0, e=0.2, omega=0.5, tp=0.1):
    M = 2 * np.pi * (t - tp) / P
    E, nu = kepler_newton(np.mod(M, 2 * np.pi), e)
    return K * (np.cos(nu + omega) + e * np.cos(omega))


def rfft_periodogram(y, dt=0.5):
    y = y - y.mean()
    power = np.abs(np.fft.rfft(y)) ** 2 / len(y)
    freqs = np.fft.rfftfreq(len(y), d=dt)
    return freqs[1:][np.argmax(power[1:])], power


def gaussian_fit_log_parabola(x, y):
    c2, c1, c0 = np.polyfit(x, np.log(y), 2)
    sigma = np.sqrt(-1 / (2 * c2))
    mu = c1 * sigma ** 2
    amp = np.exp(c0 + mu ** 2 / (2 * sigma ** 2))
    return amp, mu, sigma


def fourier_subpixel_shift(img, dy=0.5, dx=-0.25):
    ky = np.fft.fftfreq(img.shape[0])[:, None]
    kx = np.fft.fftfreq(img.shape[1])[None, :]
    return np.fft.ifft2(np.fft.fft2(img) * np.exp(-2j * np.pi * (ky * dy + kx * dx))).real


def pair_separation_histogram(ra, dec, bins=np.linspace(0, 40, 5)):
    i, j = np.triu_indices(len(ra), k=1)
    sep = angular_sep_haversine(ra[i], dec[i], ra[j], dec[j])
    counts, _ = np.histogram(sep, bins=bins)
    return counts, sep.mean()


def sky_grid_counts(ra, dec, nra=6, ndec=3):
    H, _, _ = np.histogram2d(ra, dec, bins=[nra, ndec], range=[[0, 360], [-90, 90]])
    ira = np.clip((ra / 360 * nra).astype(int), 0, nra - 1)
    idec = np.clip(((dec + 90) / 180 * ndec).astype(int), 0, ndec - 1)
    flat = np.ravel_multi_index((ira, idec), (nra, ndec))
    return H, np.bincount(flat, minlength=nra * ndec).reshape(nra, ndec)


def color_terms(b, v, r):
    bv = b - v
    vr = v - r
    ebv = np.clip(bv - (0.3 + 0.5 * vr), 0, None)
    av = 3.1 * ebv
    return bv, vr, v - av, np.polyval([0.02, -0.1, 1.0], bv)


def zero_point_clipped(inst, cat, n_iter=3, k=2.5):
    diff = cat - inst
    mask = np.ones(diff.shape, dtype=bool)
    for _ in range(n_iter):
        zp = np.median(diff[mask])
        std = np.std(diff[mask])
        mask = np.abs(diff - zp) < k * std
    return zp, mask.sum(), np.average(diff, weights=mask)


def selection_percentile(img, mask):
    p1, p99 = np.percentile(img[mask], [1, 99])
    return np.clip((img - p1) / (p99 - p1), 0, 1)


def img_as_float(img):
    return img.astype(np.float32) / np.iinfo(img.dtype).max, (img / 255.0 * 2 - 1).astype(np.float32)


def binary_erosion_dilation(mask, n_iter=1):
    m = mask.copy()
    for _ in range(n_iter):
        p = np.pad(m, 1, mode="constant", constant_values=False)
        m = p[1:-1, 1:-1] & p[:-2, 1:-1] & p[2:, 1:-1] & p[1:-1, :-2] & p[1:-1, 2:]
    d = mask.copy()
    for _ in range(n_iter):
        p = np.pad(d, 1)
        d = p[1:-1, 1:-1] | p[:-2, 1:-1] | p[2:, 1:-1] | p[1:-1, :-2] | p[1:-1, 2:]
    return m, d, d & ~m


def label_propagation(mask, n_pass=6):
    h, w = mask.shape
    labels = np.where(mask, np.arange(1, h * w + 1).reshape(h, w), 0)
    for _ in range(n_pass):
        p = np.pad(labels, 1)
        neigh = np.maximum.reduce([p[1:-1, 1:-1], p[:-2, 1:-1], p[2:, 1:-1], p[1:-1, :-2], p[1:-1, 2:]])
        labels = np.where(mask, neigh, 0)
    return labels


def distance_to_foreground(mask):
    h, w = mask.shape
    yy, xx = np.indices((h, w))
    pts = np.stack([yy.ravel(), xx.ravel()], axis=1)
    d = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1))
    d = np.where(mask.ravel()[None, :], d, np.inf)
    return d.min(axis=1).reshape(h, w)


def bilinear_resize(img, out_h=5, out_w=7):
    h, w = img.shape
    y = np.linspace(0, h - 1, out_h)
    x = np.linspace(0, w - 1, out_w)
    y0 = np.floor(y).astype(int)
    x0 = np.floor(x).astype(int)
    y1 = np.minimum(y0 + 1, h - 1)
    x1 = np.minimum(x0 + 1, w - 1)
    wy = (y - y0)[:, None]
    wx = (x - x0)[None, :]
    a = img[np.ix_(y0, x0)]
    b = img[np.ix_(y0, x1)]
    c = img[np.ix_(y1, x0)]
    d = img[np.ix_(y1, x1)]
    return a * (1 - wy) * (1 - wx) + b * (1 - wy) * wx + c * wy * (1 - wx) + d * wy * wx


def bias_field_polyfit(img, mask):
    h, w = img.shape
    yy, xx = np.mgrid[:h, :w]
    y, x = yy.ravel() / h, xx.ravel() / w
    A = np.stack([np.ones_like(x), x, y, x * y, x ** 2, y ** 2], axis=1)
    wts = mask.ravel().astype(float)
    coef, *_ = np.linalg.lstsq(A * wts[:, None], img.ravel() * wts, rcond=None)
    field = (A @ coef).reshape(h, w)
    return img / field, field


def psnr_ssim_global(a, b, data_range=1.0):
    mse = np.mean((a - b) ** 2)
    psnr = 10 * np.log10(data_range ** 2 / mse)
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    ma, mb = a.mean(), b.mean()
    va, vb = a.var(), b.var()
    cov = ((a - ma) * (b - mb)).mean()
    ssim = (2 * ma * mb + c1) * (2 * cov + c2) / ((ma ** 2 + mb ** 2 + c1) * (va + vb + c2))
    return psnr, ssim


def to_rgb_windowed(hu):
    img = np.clip((hu + 160) / 400, 0, 1)
    rgb = np.stack([img] * 3, axis=-1)
    return (rgb * 255).round().astype(np.uint8), np.repeat(img[..., None], 3, axis=-1).shape


def downsample_volume(vol):
    d, h, w = (s // 2 * 2 for s in vol.shape)
    v = vol[:d, :h, :w]
    return v.reshape(d // 2, 2, h // 2, 2, w // 2, 2).mean(axis=(1, 3, 5)), vol[::2, ::2, ::2]


def edge_spread_mtf(profile):
    lsf = np.diff(profile)
    lsf = lsf * np.hanning(len(lsf))
    mtf = np.abs(np.fft.rfft(lsf))
    return mtf / mtf[0], np.fft.rfftfreq(len(lsf))


def mvn_logpdf(x, mean, cov):
    d = x.shape[-1]
    L = np.linalg.cholesky(cov)
    diff = x - mean
    z = np.linalg.solve(L, diff.T)
    maha = np.sum(z ** 2, axis=0)
    logdet = 2 * np.sum(np.log(np.diag(L)))
    return -0.5 * (d * np.log(2 * np.pi) + logdet + maha)


def mvn_logpdf_slogdet(x, mean, cov):
    sign, logdet = np.linalg.slogdet(cov)
    prec = np.linalg.inv(cov)
    diff = x - mean
    return -0.5 * (np.einsum("ni,ij,nj->n", diff, prec, diff) + logdet + len(mean) * np.log(2 * np.pi)), sign


def adaptive_metropolis(rng, target_mean, n_iter=40, d=2):
    x = np.zeros(d)
    chain = np.zeros((n_iter, d))
    cov = np.eye(d) * 0.1
    for i in range(n_iter):
        if i > 10:
            cov = np.cov(chain[:i].T) + 1e-6 * np.eye(d)
        prop = rng.multivariate_normal(x, 2.38 ** 2 / d * cov)
        log_ratio = -0.5 * np.sum((prop - target_mean) ** 2) + 0.5 * np.sum((x - target_mean) ** 2)
        x = np.where(np.log(rng.random()) < log_ratio, prop, x)
        chain[i] = x
    return chain


def particle_filter(rng, obs, n_particles=50, q=0.5, r=1.0):
    particles = rng.normal(0, 1, n_particles)
    means = np.zeros(len(obs))
    loglik = 0.0
    for t, y in enumerate(obs):
        particles = particles + rng.normal(0, q, n_particles)
        logw = -0.5 * (y - particles) ** 2 / r ** 2
        m = logw.max()
        w = np.exp(logw - m)
        loglik += m + np.log(w.mean())
        w /= w.sum()
        means[t] = np.sum(w * particles)
        cs = np.cumsum(w)
        cs[-1] = 1.0
        idx = np.searchsorted(cs, (rng.random() + np.arange(n_particles)) / n_particles)
        particles = particles[idx]
    return means, loglik


def gibbs_mixture_labels(rng, x, mu=np.array([-2.0, 2.0]), n_iter=5):
    for _ in range(n_iter):
        logp = -0.5 * (x[:, None] - mu[None, :]) ** 2
        p = np.exp(logp - logp.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        z = (rng.random(len(x))[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
        counts = np.bincount(z, minlength=2)
        sums = np.bincount(z, weights=x, minlength=2)
        mu = rng.normal(sums / (counts + 1), 1 / np.sqrt(counts + 1))
    return mu, counts


def dirichlet_weights(rng, counts, n_draws=20):
    w = rng.dirichlet(counts + 1.0, size=n_draws)
    return w.mean(axis=0), np.percentile(w, [5, 95], axis=0)


def logaddexp_reduce(logw):
    return np.logaddexp.reduce(logw), np.logaddexp.accumulate(logw), np.logaddexp(logw[:-1], logw[1:])


def james_stein(y, sigma2=1.0):
    k = len(y)
    shrink = np.maximum(0, 1 - (k - 2) * sigma2 / np.sum((y - y.mean()) ** 2))
    return y.mean() + shrink * (y - y.mean()), shrink


def laplace_logistic(X, y, n_newton=6, prior_prec=1.0):
    w = np.zeros(X.shape[1])
    for _ in range(n_newton):
        p = 1 / (1 + np.exp(-X @ w))
        g = X.T @ (y - p) - prior_prec * w
        H = -(X.T * (p * (1 - p))) @ X - prior_prec * np.eye(X.shape[1])
        w = w - np.linalg.solve(H, g)
    cov = np.linalg.inv(-H)
    return w, np.sqrt(np.diag(cov))


def batch_means_mcse(chain, n_batches=5):
    n = len(chain) // n_batches * n_batches
    b = chain[:n].reshape(n_batches, -1).mean(axis=1)
    return b.std(ddof=1) / np.sqrt(n_batches), np.var(b, ddof=1) * (n // n_batches) / np.var(chain[:n], ddof=1)


def posterior_predictive_pvalue(y, y_rep):
    t_obs = y.max()
    t_rep = y_rep.max(axis=1)
    return np.mean(t_rep >= t_obs), np.mean(y_rep.mean(axis=1) >= y.mean())


def _grid_t(s, n):
    return 10 + 15 * np.sin(np.linspace(0, 2 * np.pi, 12))[:, None] + _f(12, n, seed=s)


BATCH2 = {
    "interp_to_pressure_levels": (interp_to_pressure_levels, {}, lambda s, n: (np.linspace(1000, 300, 8)[:, None] + _f(8, n, positive=True, seed=s), 290 - np.linspace(0, 50, 8)[:, None] + _f(8, n, seed=s))),
    "koppen_like_classes": (koppen_like_classes, {}, lambda s, n: (_grid_t(s, n), 30 * _f(12, n, positive=True, seed=s))),
    "zero_crossings": (zero_crossings, {}, lambda s, n: (_f(6 * n, 3, seed=s),)),
    "precip_distribution": (precip_distribution, {}, lambda s, n: (np.maximum(_f(10 * n, seed=s), 0) * 10,)),
    "rolling_climatology": (rolling_climatology, {}, lambda s, n: (_f(3 * n, 2, seed=s),)),
    "lapse_rate": (lambda t, z: lapse_rate(t, z)[0], {}, lambda s, n: (290 - 6.5 * np.linspace(0, 5, 2 * n)[:, None] + _f(2 * n, 3, seed=s), np.sort(5000 * np.random.default_rng(s).random(2 * n)) + np.arange(2 * n))),
    "months_from_dates": (months_from_dates, {}, lambda s, n: (np.datetime64("2000-01-15") + np.sort(_i(1500, 10 * n, seed=s)).astype("timedelta64[D]"), _f(10 * n, seed=s))),
    "day_of_year": (day_of_year, {}, lambda s, n: (np.datetime64("2001-01-01") + _i(3000, 5 * n, seed=s).astype("timedelta64[D]"),)),
    "weighted_rmse": (weighted_rmse, {}, lambda s, n: (_f(n, n + 1, seed=s), _f(n, n + 1, seed=s + 1), _lat(n))),
    "taylor_stats": (taylor_stats, {}, lambda s, n: (_f(n, n + 1, seed=s), _f(n, n + 1, seed=s + 1))),
    "nash_sutcliffe_kge": (nash_sutcliffe_kge, {}, lambda s, n: (5 + _f(8 * n, seed=s), 5 + _f(8 * n, seed=s + 1))),
    "snow_degree_day_vectorized": (snow_degree_day_vectorized, {}, lambda s, n: (5 * _f(6 * n, 3, seed=s), 5 * _f(6 * n, 3, positive=True, seed=s))),
    "bucket_water_balance": (bucket_water_balance, {}, lambda s, n: (20 * _f(6 * n, 2, positive=True, seed=s), 10 * _f(6 * n, 2, positive=True, seed=s + 1))),
    "eof_analysis": (eof_analysis, {}, lambda s, n: (_f(4 * n, n, 3, seed=s), _lat(n))),
    "mann_kendall": (mann_kendall, {}, lambda s, n: (_f(4 * n, seed=s) + 0.1 * np.arange(4 * n),)),
    "sens_slope": (sens_slope, {}, lambda s, n: (_f(4 * n, seed=s) + 0.1 * np.arange(4 * n),)),
    "kepler_newton": (kepler_newton, {}, lambda s, n: (2 * np.pi * np.random.default_rng(s).random(3 * n),)),
    "radial_velocity_model": (radial_velocity_model, {}, lambda s, n: (_times(s, n),)),
    "rfft_periodogram": (rfft_periodogram, {}, lambda s, n: (np.sin(0.7 * np.arange(8 * n)) + 0.3 * _f(8 * n, seed=s),)),
    "gaussian_fit_log_parabola": (gaussian_fit_log_parabola, {}, lambda s, n: (np.linspace(-3, 3, 4 * n), 2 * np.exp(-(np.linspace(-3, 3, 4 * n) - 0.3) ** 2 / 2) * (1 + 0.01 * _f(4 * n, seed=s)))),
    "fourier_subpixel_shift": (fourier_subpixel_shift, {}, lambda s, n: (_blobs(s, n),)),
    "pair_separation_histogram": (pair_separation_histogram, {}, lambda s, n: (30 * _f(2 * n, positive=True, seed=s), 10 * _f(2 * n, seed=s + 1))),
    "sky_grid_counts": (sky_grid_counts, {}, lambda s, n: (359.9 * np.random.default_rng(s).random(5 * n), 80 * np.tanh(_f(5 * n, seed=s)))),
    "color_terms": (color_terms, {}, lambda s, n: (15 + _f(n, seed=s), 14.5 + _f(n, seed=s + 1), 14 + _f(n, seed=s + 2))),
    "zero_point_clipped": (zero_point_clipped, {}, lambda s, n: (15 + _f(6 * n, seed=s), 40 + _f(6 * n, seed=s) + np.r_[5.0, 0.05 * _f(6 * n - 1, seed=s + 1)])),
    "selection_percentile": (selection_percentile, {}, lambda s, n: (_f(n, n + 1, seed=s), _seg(s, n) > 0)),
    "img_as_float": (img_as_float, {}, lambda s, n: (_u8(s, n, n),)),
    "binary_erosion_dilation": (binary_erosion_dilation, {}, lambda s, n: (_blobs(s, n) > 0.3,)),
    "label_propagation": (label_propagation, {}, lambda s, n: (_seg(s, n, 3) > 0,)),
    "distance_to_foreground": (distance_to_foreground, {}, lambda s, n: (np.r_[np.ones((1, n + 1), bool), _seg(s, n, 4) == 0],)),
    "bilinear_resize": (bilinear_resize, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "bias_field_polyfit": (bias_field_polyfit, {}, lambda s, n: (2 + np.linspace(0, 1, n)[:, None] + _f(n, n + 1, positive=True, seed=s) * 0.1, _seg(s, n, 4) > 0)),
    "psnr_ssim_global": (psnr_ssim_global, {}, lambda s, n: (np.random.default_rng(s).random((n, n)), np.random.default_rng(s + 1).random((n, n)))),
    "to_rgb_windowed": (to_rgb_windowed, {}, lambda s, n: (300 * _f(n, n, seed=s),)),
    "downsample_volume": (downsample_volume, {}, lambda s, n: (_f(n + 1, n, 5, seed=s),)),
    "edge_spread_mtf": (edge_spread_mtf, {}, lambda s, n: (np.tanh(np.linspace(-3, 3, 8 * n)) + 0.01 * _f(8 * n, seed=s),)),
    "mvn_logpdf": (mvn_logpdf, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, seed=s + 1), np.eye(3) + 0.3)),
    "mvn_logpdf_slogdet": (mvn_logpdf_slogdet, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, seed=s + 1), np.eye(3) + 0.3)),
    "logaddexp_reduce": (logaddexp_reduce, {}, lambda s, n: (10 * _f(4 * n, seed=s),)),
    "james_stein": (james_stein, {}, lambda s, n: (_f(3 * n, seed=s) + 1,)),
    "laplace_logistic": (laplace_logistic, {}, lambda s, n: (np.c_[np.ones(6 * n), _f(6 * n, seed=s)], _i(2, 6 * n, seed=s).astype(float))),
    "batch_means_mcse": (batch_means_mcse, {}, lambda s, n: (_chains(s, n, 1)[0],)),
    "posterior_predictive_pvalue": (posterior_predictive_pvalue, {}, lambda s, n: (_f(3 * n, seed=s), _f(50, 3 * n, seed=s + 1))),
}


@pytest.mark.parametrize("name", list(BATCH2))
def test_second_batch_matches_numpy(name):
    check_like_numpy(*BATCH2[name])


SAMPLERS2 = [
    (adaptive_metropolis, lambda: (np.array([1.0, -1.0]),)),
    (particle_filter, lambda: (np.sin(np.arange(8.0)),)),
    (gibbs_mixture_labels, lambda: (np.r_[_f(6, seed=1) - 2, _f(6, seed=2) + 2],)),
    (dirichlet_weights, lambda: (np.array([3.0, 5.0, 1.0]),)),
]


@pytest.mark.parametrize("fn, args", SAMPLERS2, ids=[f.__name__ for f, _ in SAMPLERS2])
def test_more_samplers_with_a_generator_argument(fn, args):
    want_rng, got_rng = np.random.default_rng(5), np.random.default_rng(5)
    jf = tracenp.jit(fn)
    for _ in range(3):
        assert_same(jf(got_rng, *args()), fn(want_rng, *args()), rtol=1e-6)
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


# ---------------------------------------------------------------------------------- refused forms


def _bbox_mask(s):
    return np.pad(np.ones((2, 3), bool), ((s, 3 - s), (1, 3)))


BUILTIN_MIN_MAX = {  # `max(d_ab.min(axis=1).max(), ...)`, `min(std, iqr / 1.34)` of traced
    # scalars: a fold by `np.where`, as Python compares them (refused until stop 18)
    "hausdorff_points": (hausdorff_points, lambda s: (_f(4, 2, seed=s), _f(5, 2, seed=s + 1))),
    "kde_silverman_iqr": (kde_silverman_iqr, lambda s: (_f(20, seed=s), np.linspace(-3, 3, 10))),
}


@pytest.mark.parametrize("name", list(BUILTIN_MIN_MAX))
def test_builtin_min_and_max_of_traced_scalars_match_numpy(name):
    check_steered(*BUILTIN_MIN_MAX[name])


REFUSED = {
    "peak_box_sum": ("ConcretizationError", peak_box_sum, lambda s: (_star(s, 4),)),
    "multiclass_dice_if": ("ConcretizationError", multiclass_dice_if, lambda s: (_seg(s, 4, 3), _seg(s + 1, 4, 3))),
    "metropolis_if": ("ConcretizationError", metropolis_if, lambda s: (np.random.default_rng(s), _f(10, seed=s))),
    "ess_break_loop": ("ConcretizationError", ess_break_loop, lambda s: (_chains(s, 4, 1)[0],)),
    "random_flip": ("ConcretizationError", random_flip, lambda s: (np.random.default_rng(s), _f(3, 4, seed=s))),
    "mask_bbox_where": ("DataDependentShapeError", mask_bbox_where, lambda s: (_bbox_mask(s),)),
    "rle_encode": ("DataDependentShapeError", rle_encode, lambda s: ((_seg(s, 4) > 0).astype(np.uint8),)),
    "snow_degree_day_model": ("ConcretizationError", snow_degree_day_model, lambda s: (5 * _f(12, seed=s), 5 * _f(12, positive=True, seed=s))),
    "remove_small_labels": ("DataDependentShapeError", remove_small_labels, lambda s: (np.r_[np.arange(8), _i(5, 16, seed=s)].reshape(-1, 2),)),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_run_under_fallback(name):
    """`if`/`and` on traced values (an accept step, an early break at the first negative lag,
    a Dice score of an absent class, a coin-flip augmentation, a degree-day snow model stepped
    per scalar), the first and last `np.where(rows)[0]`, run-length strings, and a bincount of unknown length
    indexed by the labels: refused by name, NumPy's values under `fallback=True`."""
    error, fn, make = REFUSED[name]
    check_refused(getattr(tracenp.errors, error), fn, make)


# ------------------------------------------------------------------------ gradients of the models


def _central_difference(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = eps
        g.flat[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


_X, _Y, _DATA = _f(20, 3, seed=1), _i(2, 20, seed=1), _f(15, seed=2)

GRADS = {
    "logistic_log_posterior": (lambda w: logistic_log_posterior(w, _X, _Y), _f(3, seed=3)),
    "normal_loglik": (lambda p: normal_loglik(_DATA, p[0], p[1]), np.array([0.2, 1.3])),
    "student_t_loglik": (lambda p: student_t_loglik(_DATA, p[0], p[1]), np.array([0.1, 1.2])),
    "gamma_loglik": (lambda p: gamma_loglik(np.abs(_DATA) + 0.1, p[0], p[1]), np.array([2.0, 1.5])),
    "mvn_logpdf_mean": (lambda m: mvn_logpdf(_X, m, np.eye(3) + 0.3).sum(), _f(3, seed=4)),
    "mvn_logpdf_cov": (lambda c: mvn_logpdf_slogdet(_X, np.zeros(3), c.reshape(3, 3) @ c.reshape(3, 3).T + np.eye(3))[0].sum(), _f(9, seed=5)),
    "mixture_loglik": (lambda mu: mixture_responsibilities(_DATA, np.array([0.4, 0.6]), mu, np.array([0.7, 1.0]))[1], np.array([-1.0, 1.0])),
    "kde_bandwidth": (lambda b: kde_gaussian(_DATA, np.linspace(-2, 2, 5), b[0]).sum(), np.array([0.5])),
    "importance_log_evidence": (lambda lp: importance_weights(lp, -0.5 * _DATA ** 2)[2], -0.4 * _DATA ** 2),
    "posterior_grid_mean": (lambda lg: poisson_loglik_grid(_i(5, 10, seed=1), lg)[1], np.linspace(0.5, 6, 12)),
    "gaussian_fit_width": (lambda yv: gaussian_fit_log_parabola(np.linspace(-2, 2, 9), yv)[2], 2 * np.exp(-np.linspace(-2, 2, 9) ** 2 / 2) + 0.01),
    "blr_log_evidence": (lambda yv: blr_cholesky(np.c_[np.ones(10), _f(10, seed=2)], yv)[1], _f(10, seed=7)),
    "gelman_rubin": (lambda c: gelman_rubin(c.reshape(3, 8)), _f(24, seed=8)),
    "window_at_peak": (lambda v: np.sum(v[np.argmax(v) - 1:np.argmax(v) + 2] ** 2), np.array([0.1, 0.3, 2.0, 0.5, 0.2])),
    "prefix_to_peak": (lambda v: np.sum(v[:np.argmax(v)] ** 2), np.array([0.1, 0.3, 2.0, 0.5, 0.2])),
}


@pytest.mark.parametrize("name", list(GRADS))
def test_gradients_of_bayesian_models_match_differences(name):
    """`tracenp.grad` of hand-written log-likelihoods and posteriors (for HMC or MAP), of a
    KDE in its bandwidth, of a log evidence, and through windows and prefixes at traced
    bounds: central differences, eagerly and under jit."""
    f, x0 = GRADS[name]
    want = _central_difference(f, x0.copy())
    np.testing.assert_allclose(tracenp.grad(f)(x0.copy()), want, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(tracenp.jit(tracenp.grad(f))(x0.copy()), want, rtol=1e-4, atol=1e-6)
