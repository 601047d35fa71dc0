"""Corpus, hunt BW: remote sensing and raster/terrain processing, as course notebooks
(Earth Lab, the GEE-free Landsat and Sentinel-2 tutorials), rasterio/GDAL-free scripts, USGS
and ESA product guides ported to NumPy, and small GitHub tools for DEMs and satellite scenes
write them, on uint8/uint16/int16/float32 rasters with nodata values.

Spectral indices (NDVI of Collection 2 DNs by scale and offset with a fill mask written by a
mask selection, MODIS int16 EVI from a generator expression, NDWI by `np.divide(out=,
where=)`, SAVI, dNBR severity by `np.digitize` with a dict of class counts, a dict of
normalized differences over a module table of band pairs, tasselled cap by `tensordot`, FVC
from percentiles, single-channel LST from an MTL dict, masked NDVI filled, NDSI snow tests,
Sentinel-2 L2A with the BOA offset by `map`, max-NDVI composites by `nanargmax` and
`take_along_axis`, the spectral angle mapper, unmixing by `lstsq`, band PCA by `eigh` with a
sign convention, the uint8 wraparound pitfall); QA bits (Landsat QA_PIXEL by shifts and
`bitwise_and`, confidence pairs, Sentinel-2 SCL by `np.isin` and `bincount`, MODIS
state_1km, cloud buffers by padded shifts and `binary_dilation`, masks written into stacks
and into an argument, nanmedian cloud-free composites, bit planes by a broadcast shift, shadow
projection by `np.roll`, RADSAT per band by f-string keys and `logical_or.reduce`,
`packbits` round trips); radiometry (TOA reflectance from an MTL dict per band, ESUN and the
Earth-Sun distance, float32 brightness temperature, dark-object subtraction by masked minima
and by the first histogram bin, Sentinel-2 L1C offsets by `dict.get`, uint16 storage, cosine
and C topographic corrections by `polyfit`, PIF normalisation); pan-sharpening (Brovey by
`repeat`, fast IHS, IHS by a matrix and its inverse with `einsum`, HPF by `uniform_filter`
and `zoom`, PCA and Gram-Schmidt with `lstsq` and `cov`); resampling (block means and
nanmeans by reshape, block majority by one-hot counts, nearest neighbour by `np.ix_`, warps
between GDAL geotransforms, manual bilinear, `zoom` orders 0 and 1, `map_coordinates`, class
fractions, point sampling through an inverse geotransform, per-pixel `np.interp`); zonal
statistics (`bincount` with weights, nodata selections, `minimum.at`/`maximum.at`, nested
dicts over zone ids, crosstabs with areas and majorities, `ndimage` labelled measurements,
rasterized boxes, per-zone histograms, weighted averages of selections, a SciPy sparse
indicator matrix); terrain (slope and aspect by `np.gradient` and Horn's method,
Zevenbergen-Thorne and Evans-Young curvatures, GDAL and multidirectional hillshades, D8 by
`argmax` over padded neighbours and by `np.roll`, flow accumulation by fixed rounds of
`np.add.at` and by a loop over cells sorted by elevation, annulus TPI, TRI, VRM, slope
classes, pits by footprint filters, int16 DEMs with -32768, line of sight by
`maximum.accumulate`, Laplacians, hypsometry, distance to streams by the EDT, normals by
`einsum`); change detection (thresholded differences to int8, SAR log ratios, CVA sectors,
from-to matrices, accuracy assessment with kappa by `np.add.at`, per-pixel trends by a 2-D
`polyfit`, Mann-Kendall and Theil-Sen, monthly standardized anomalies, Otsu by cumulative
sums, an EWMA chart); stretches (2-98 % to uint8 per band and over valid pixels, the OpenCV
tutorial's equalisation with a masked CDF, `np.interp` equalisation, a `bincount` LUT,
histogram matching, true-colour composites, `nanpercentile` with `keepdims`, cumulative count
cuts, decorrelation stretch); masked arrays (`masked_equal`/`masked_values` nodata, composites
by `mean`/`median`/`average` along time, `compressed`, `np.ma.log10`, per-band normalisation,
`argmax`); time series (harmonic regression for all pixels by one `lstsq`, `savgol_filter`,
FFT harmonics, start of season by `argmax`, gap filling by `np.interp` per pixel and by
carrying values forward); SAR and texture (Lee, dB and RVI, calibration LUTs, GLCM features by
`np.add.at`, Gaussian kernels by `sliding_window_view`, a majority `generic_filter`, binary
morphology, small clouds removed by `label`); supervised classification (minimum distance,
Gaussian maximum likelihood with `slogdet`, k-means with fixed iterations); and more forms
(`as_strided` block views, dict bands scaled in place, `clip(out=)`, `functools.reduce`,
`apply_along_axis`, `np.vectorize` with `otypes`, datetime64 day-of-year, lambdas in a table,
the `math` module on a traced mean, `histogram2d`, int16 floor division, float16, `putmask`/
`place`/`copyto`, `convolve2d`, ellipsis `einsum`, QA bits written in place).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy/SciPy in value and
dtype, and in the arguments it writes in place. Block factors, zone counts, class counts,
iteration counts, output shapes and geotransforms are static; the forms whose Python or shapes
depend on values (sink filling until stable, skipping a cloudy scene by `if`, cloud
coordinates, valid pixels or classes present returned, Otsu and region growing in Python,
labelled sizes over `range(n)`, `find_objects`, shifts folded by `if`, `np.vectorize` without
`otypes`) raise a named error and run eagerly under `fallback=True`. Strict xfails: np.ma's
fill values, integer reductions along an axis, Python-scalar dtypes, mask assignment,
`filled` with a traced value, masked conditions, `clip`, `stack`, `set_fill_value`, `**` and
`cumsum`; covariances, `.T` and `polyfit` of selections by 2-d masks; windows with traced
bounds on two axes; and a Python float made static for `map_coordinates`.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi
from numpy.lib.stride_tricks import sliding_window_view
from scipy import ndimage
from test_corpus import _f, _i, check_like_numpy, check_refused
from test_corpus_hunt_v import _names, _Xfail

import tracenp


def _rng(seed):
    return np.random.default_rng(seed)


def _dn16(seed, *shape, lo=9000, hi=30000):
    """Landsat Collection 2 surface-reflectance DNs (uint16)."""
    return _rng(seed).integers(lo, hi, shape, dtype=np.uint16)


def _refl(seed, *shape, lo=0.03, hi=0.6):
    return _rng(seed).uniform(lo, hi, shape).astype(np.float32)


def _holes(a, seed, value=0, frac=0.2):
    """`a` with about `frac` of its pixels set to the nodata `value`."""
    a = np.array(a, copy=True)
    a[_rng(seed + 77).random(a.shape) < frac] = value
    return a


def _dem(seed, n, m=None):
    """A smooth hill-and-valley DEM in metres with a little noise, no flat ties."""
    m = n + 3 if m is None else m
    y, x = np.mgrid[0:n + 2, 0:m].astype(float)
    return (500.0 + 30.0 * np.sin(x / 2.3 + seed) + 20.0 * np.cos(y / 1.7 - seed)
            + 3.0 * x - 2.0 * y + _rng(seed).uniform(0.0, 4.0, (n + 2, m)))


def _qa(seed, *shape):
    return _rng(seed).integers(0, 1 << 16, shape, dtype=np.uint16)


def _bands(seed, n, names=("blue", "green", "red", "nir", "swir1", "swir2")):
    return {k: _dn16(seed + j, n + 1, n + 2) for j, k in enumerate(names)}


# ================================================================================ spectral indices

# Landsat 8-9 Collection 2 Level-2 surface reflectance scale and offset
L2_SCALE = 2.75e-05
L2_OFFSET = -0.2
L2_FILL = 0


def ndvi_c2_l2(red_dn, nir_dn):
    valid = (red_dn != L2_FILL) & (nir_dn != L2_FILL)
    red = red_dn.astype(np.float32) * L2_SCALE + L2_OFFSET
    nir = nir_dn.astype(np.float32) * L2_SCALE + L2_OFFSET
    ndvi = np.full(red.shape, np.nan, dtype=np.float32)
    ndvi[valid] = (nir[valid] - red[valid]) / (nir[valid] + red[valid])
    return ndvi


def evi_modis(b1, b2, b3, fill=-28672):
    # MOD09 int16 surface reflectance, scale 1e-4; b1 red, b2 nir, b3 blue
    red, nir, blue = (b.astype(np.float64) * 1e-4 for b in (b1, b2, b3))
    evi = 2.5 * (nir - red) / (nir + 6.0 * red - 7.5 * blue + 1.0)
    bad = (b1 == fill) | (b2 == fill) | (b3 == fill)
    evi = np.where(bad, np.nan, evi)
    return np.clip(evi, -1.0, 1.0)


def ndwi_divide_where(green, nir):
    green = green.astype("float32")
    nir = nir.astype("float32")
    num = green - nir
    den = green + nir
    return np.divide(num, den, out=np.full_like(num, np.nan), where=den != 0)


def savi(nir, red, L=0.5):
    return (1 + L) * (nir - red) / (nir + red + L)


# USGS FIREMON dNBR severity breaks
DNBR_BREAKS = [-0.25, -0.1, 0.1, 0.27, 0.44, 0.66]
SEVERITY = ["enhanced regrowth high", "enhanced regrowth low", "unburned", "low",
            "moderate-low", "moderate-high", "high"]


def nbr(nir, swir2):
    return (nir - swir2) / (nir + swir2)


def dnbr_severity(pre_nir, pre_swir2, post_nir, post_swir2):
    dnbr = nbr(pre_nir, pre_swir2) - nbr(post_nir, post_swir2)
    classes = np.digitize(dnbr, DNBR_BREAKS).astype(np.uint8)
    counts = np.bincount(classes.ravel(), minlength=len(SEVERITY))
    return dnbr, classes, {name: counts[k] for k, name in enumerate(SEVERITY)}


INDEX_BANDS = {"ndvi": ("nir", "red"), "ndwi": ("green", "nir"), "ndbi": ("swir1", "nir"),
               "nbr": ("nir", "swir2"), "ndmi": ("nir", "swir1")}


def normalized_difference(a, b):
    a = a.astype(np.float32)
    b = b.astype(np.float32)
    return (a - b) / (a + b)


def index_dict(bands):
    out = {}
    for name, (b1, b2) in INDEX_BANDS.items():
        out[name] = normalized_difference(bands[b1], bands[b2])
    out["ndvi_mean"] = np.nanmean(out["ndvi"])
    return out


# Baig et al. (2014) Landsat 8 at-satellite reflectance tasselled-cap coefficients
TC_COEFFS = np.array([
    [0.3029, 0.2786, 0.4733, 0.5599, 0.508, 0.1872],
    [-0.2941, -0.243, -0.5424, 0.7276, 0.0713, -0.1608],
    [0.1511, 0.1973, 0.3283, 0.3407, -0.7117, -0.4559],
])


def tasseled_cap_tensordot(stack):
    tc = np.tensordot(TC_COEFFS, stack, axes=([1], [0]))
    return {"brightness": tc[0], "greenness": tc[1], "wetness": tc[2]}


def fractional_vegetation_cover(ndvi):
    ndvi_soil, ndvi_veg = np.percentile(ndvi, [5, 95])
    pv = ((ndvi - ndvi_soil) / (ndvi_veg - ndvi_soil)) ** 2
    return np.clip(pv, 0, 1)


# Landsat 8 TIRS band 10 constants from the MTL file
MTL_B10 = {"RADIANCE_MULT_BAND_10": 3.342e-04, "RADIANCE_ADD_BAND_10": 0.1,
           "K1_CONSTANT_BAND_10": 774.8853, "K2_CONSTANT_BAND_10": 1321.0789}


def lst_single_channel(b10_dn, ndvi, meta=MTL_B10):
    rad = meta["RADIANCE_MULT_BAND_10"] * b10_dn + meta["RADIANCE_ADD_BAND_10"]
    bt = meta["K2_CONSTANT_BAND_10"] / np.log(meta["K1_CONSTANT_BAND_10"] / rad + 1) - 273.15
    pv = np.square((ndvi - ndvi.min()) / (ndvi.max() - ndvi.min()))
    emis = 0.004 * pv + 0.986
    lam, rho = 10.895e-6, 1.438e-2
    return bt / (1 + (lam * (bt + 273.15) / rho) * np.log(emis))


def ndvi_masked_filled(red, nir, nodata=0):
    red = np.ma.masked_equal(red, nodata).astype(np.float32)
    nir = np.ma.masked_equal(nir, nodata).astype(np.float32)
    ndvi = (nir - red) / (nir + red)
    return ndvi.filled(-9999.0)


def snow_mask_ndsi(green, nir, swir1):
    ndsi = (green - swir1) / (green + swir1)
    return (ndsi > 0.4) & (nir > 0.11)


# Sentinel-2 L2A (processing baseline 04.00 and later)
BOA_ADD_OFFSET = -1000
QUANTIFICATION_VALUE = 10000.0


def s2_l2a_indices(b04, b08, b8a, b05, b03):
    def refl(dn):
        r = (dn.astype(np.float32) + BOA_ADD_OFFSET) / QUANTIFICATION_VALUE
        return np.where(dn == 0, np.nan, r)
    red, nir, nir_n, re1, green = map(refl, (b04, b08, b8a, b05, b03))
    return {"ndvi": (nir - red) / (nir + red),
            "ndre": (nir_n - re1) / (nir_n + re1),
            "gci": nir / green - 1.0}


def max_ndvi_composite(red, nir):
    # red, nir: (time, rows, cols) reflectance; pick each pixel's greenest date
    ndvi = (nir - red) / (nir + red)
    best = np.nanargmax(ndvi, axis=0)
    red_c = np.take_along_axis(red, best[None], axis=0)[0]
    nir_c = np.take_along_axis(nir, best[None], axis=0)[0]
    return best, red_c, nir_c, ndvi.max(axis=0)


def spectral_angle_mapper(image, refs):
    # image (bands, rows, cols), refs (classes, bands)
    pix = image.reshape(image.shape[0], -1)
    dots = refs @ pix
    norms = np.linalg.norm(refs, axis=1)[:, None] * np.linalg.norm(pix, axis=0)[None, :]
    angles = np.arccos(np.clip(dots / norms, -1.0, 1.0))
    return angles.argmin(axis=0).reshape(image.shape[1:]), angles.min(axis=0)


def unmix_lstsq(image, endmembers):
    # unconstrained linear unmixing: image (bands, r, c), endmembers (bands, k)
    b, r, c = image.shape
    abund, *_ = np.linalg.lstsq(endmembers, image.reshape(b, -1), rcond=None)
    resid = image.reshape(b, -1) - endmembers @ abund
    rmse = np.sqrt(np.mean(resid ** 2, axis=0))
    return abund.reshape(-1, r, c), rmse.reshape(r, c)


def pca_bands(stack, n_components):
    b = stack.shape[0]
    X = stack.reshape(b, -1).astype(np.float64)
    X = X - X.mean(axis=1, keepdims=True)
    cov = np.cov(X)
    evals, evecs = np.linalg.eigh(cov)
    order = np.argsort(evals)[::-1]
    evals, evecs = evals[order], evecs[:, order]
    evecs = evecs * np.sign(evecs[np.abs(evecs).argmax(axis=0), np.arange(b)])
    pcs = evecs[:, :n_components].T @ X
    return pcs.reshape((n_components,) + stack.shape[1:]), evals / evals.sum()


def ndvi_integer_overflow_bug(red_u8, nir_u8):
    # the classic uint8 pitfall: the difference wraps before the float division
    return (nir_u8 - red_u8) / (nir_u8 + red_u8 + 1e-9)


SPECTRAL = {
    "ndvi_c2_l2_fill_mask": (ndvi_c2_l2, {}, lambda s, n: (
        _holes(_dn16(s, n, n + 1), s), _holes(_dn16(s + 1, n, n + 1), s + 1))),
    "evi_modis_int16_fill": (evi_modis, {}, lambda s, n: tuple(
        _holes(_rng(s + k).integers(200, 4000, (n, n + 2)).astype(np.int16), s + k, -28672,
               0.1) for k in range(3))),
    "ndwi_divide_out_where": (ndwi_divide_where, {}, lambda s, n: (
        _holes(_dn16(s, n, n), s), _holes(_dn16(s + 1, n, n), s))),
    "savi_float32_default_L": (savi, {}, lambda s, n: (
        _refl(s, n, n + 2), _refl(s + 1, n, n + 2))),
    "dnbr_severity_digitize_dict": (dnbr_severity, {}, lambda s, n: tuple(
        _refl(s + k, n + 1, n + 1) for k in range(4))),
    "index_dict_over_band_table": (index_dict, {}, lambda s, n: (_bands(s, n),)),
    "tasseled_cap_tensordot": (tasseled_cap_tensordot, {}, lambda s, n: (
        _refl(s, 6, n, n + 1).astype(float),)),
    "fractional_vegetation_cover": (fractional_vegetation_cover, {}, lambda s, n: (
        _rng(s).uniform(-0.2, 0.9, (n + 2, n + 2)),)),
    "lst_single_channel_mtl_dict": (lst_single_channel, {}, lambda s, n: (
        _rng(s).integers(20000, 40000, (n, n + 1)).astype(np.uint16),
        _rng(s + 1).uniform(-0.1, 0.8, (n, n + 1)).astype(np.float32))),
    "ndvi_masked_equal_filled": (ndvi_masked_filled, {}, lambda s, n: (
        _holes(_dn16(s, n, n), s), _holes(_dn16(s + 1, n, n), s + 1))),
    "snow_mask_ndsi": (snow_mask_ndsi, {}, lambda s, n: (
        _refl(s, n, n + 3), _refl(s + 1, n, n + 3), _refl(s + 2, n, n + 3))),
    "s2_l2a_boa_offset_map": (s2_l2a_indices, {}, lambda s, n: tuple(
        _holes(_rng(s + k).integers(1500, 6000, (n, n)).astype(np.uint16), s, 0, 0.1)
        for k in range(5))),
    "max_ndvi_composite_take_along_axis": (max_ndvi_composite, {}, lambda s, n: (
        _refl(s, 5, n, n + 1), _refl(s + 1, 5, n, n + 1))),
    "spectral_angle_mapper": (spectral_angle_mapper, {}, lambda s, n: (
        _refl(s, 6, n, n + 1).astype(float), _refl(s + 9, 4, 6).astype(float))),
    "unmix_lstsq_rmse": (unmix_lstsq, {}, lambda s, n: (
        _refl(s, 6, n, n).astype(float), _refl(5, 6, 3).astype(float))),
    "pca_bands_eigh_sign_fixed": (pca_bands, {"n_components": 3}, lambda s, n: (
        _dn16(s, 4, n + 2, n + 2),)),
    "ndvi_uint8_wraparound_pitfall": (ndvi_integer_overflow_bug, {}, lambda s, n: (
        _rng(s).integers(0, 256, (n, n), dtype=np.uint8),
        _rng(s + 1).integers(0, 256, (n, n), dtype=np.uint8))),
}


@pytest.mark.parametrize("name", _names(SPECTRAL))
def test_spectral_indices_match_numpy(name):
    check_like_numpy(*SPECTRAL[name])


# =============================================================================== QA bit flags

def get_bit(qa, bit):
    return (qa & (1 << bit)) > 0


def qa_clear_mask_bits(qa):
    cloud = get_bit(qa, 3) | get_bit(qa, 1) | get_bit(qa, 2) | get_bit(qa, 4)
    fill = get_bit(qa, 0)
    return ~cloud & ~fill


def extract_bits(qa, start, end):
    width = end - start + 1
    return (qa >> start) & ((1 << width) - 1)


def qa_confidence_levels(qa):
    # bits 8-9 cloud, 10-11 shadow, 12-13 snow/ice, 14-15 cirrus confidence (0..3)
    conf = {"cloud": extract_bits(qa, 8, 9), "shadow": extract_bits(qa, 10, 11),
            "snow": extract_bits(qa, 12, 13), "cirrus": extract_bits(qa, 14, 15)}
    high = np.zeros(qa.shape, dtype=bool)
    for level in conf.values():
        high |= level == 3
    return conf, high


# Sentinel-2 Scene Classification Layer
SCL_CLOUDY = [3, 8, 9, 10]   # shadow, cloud medium, cloud high, thin cirrus
SCL_VALID = [4, 5, 6, 7, 11]  # vegetation, bare soil, water, unclassified, snow


def scl_masks(scl, band):
    cloudy = np.isin(scl, SCL_CLOUDY)
    valid = np.isin(scl, SCL_VALID)
    masked = np.where(valid, band, 0).astype(band.dtype)
    frac = np.count_nonzero(cloudy) / scl.size
    return masked, frac, np.bincount(scl.ravel(), minlength=12)


def modis_state_1km(state):
    # MOD09GA state_1km: bits 0-1 cloud state, 2 shadow, 8-9 cirrus, 10 internal cloud
    cloud_state = state & 0b11
    shadow = (state >> 2) & 1
    cirrus = (state >> 8) & 0b11
    internal_cloud = (state >> 10) & 1
    clear = (cloud_state == 0) & (shadow == 0) & (cirrus <= 1) & (internal_cloud == 0)
    return clear, cloud_state.astype(np.uint8)


def buffer_cloud_mask_shifts(cloud, iterations):
    # dilate by a 3x3 cross, `iterations` times, with shifted slices of a padded copy
    mask = cloud.copy()
    for _ in range(iterations):
        p = np.pad(mask, 1, mode="constant", constant_values=False)
        mask = p[1:-1, 1:-1] | p[:-2, 1:-1] | p[2:, 1:-1] | p[1:-1, :-2] | p[1:-1, 2:]
    return mask


def buffer_cloud_mask_ndimage(qa, iterations):
    cloud = (qa & (1 << 3)) != 0
    shadow = (qa & (1 << 4)) != 0
    struct = ndimage.generate_binary_structure(2, 2)
    cloud = ndimage.binary_dilation(cloud, structure=struct, iterations=iterations)
    shadow = ndi.binary_dilation(shadow, iterations=1)
    return cloud | shadow


def apply_mask_to_stack(stack, qa, nodata=0):
    bad = ((qa >> 3) & 1).astype(bool) | ((qa >> 4) & 1).astype(bool)
    out = stack.copy()
    out[:, bad] = nodata
    return out


def apply_mask_in_place(stack, qa):
    bad = np.bitwise_and(qa, 0b11010) > 0
    stack[:, bad] = 0
    return np.count_nonzero(bad)


def cloud_free_median(stack, qa_stack):
    # stack (time, rows, cols) float32, qa (time, rows, cols)
    cloudy = ((qa_stack >> 3) & 1) == 1
    data = np.where(cloudy, np.nan, stack)
    return np.nanmedian(data, axis=0), (~cloudy).sum(axis=0)


def qa_bit_planes(qa):
    bits = (qa[..., None] >> np.arange(16, dtype=np.uint16)) & 1
    return bits.astype(np.uint8), bits.sum(axis=(0, 1))


def project_cloud_shadow(cloud, nir, dx, dy, dark=0.15):
    # shift the cloud mask by the sun-geometry offset (whole pixels), keep dark pixels
    shifted = np.roll(np.roll(cloud, dy, axis=0), dx, axis=1)
    if dy > 0:
        shifted[:dy] = False
    if dx > 0:
        shifted[:, :dx] = False
    return shifted & (nir < dark) & ~cloud


def radsat_per_band(radsat, band_numbers=(1, 2, 3, 4, 5, 6, 7)):
    out = {}
    for b in band_numbers:
        out[f"B{b}"] = ((radsat >> (b - 1)) & 1).astype(bool)
    out["any"] = np.logical_or.reduce([out[f"B{b}"] for b in band_numbers])
    return out


def qa_packbits_mask(qa):
    # store the clear mask compactly, as some pipelines do, and read it back
    clear = (qa & (1 << 6)) > 0
    packed = np.packbits(clear, axis=-1)
    return packed, np.unpackbits(packed, axis=-1, count=clear.shape[-1]).astype(bool)


QA_MASKS = {
    "qa_clear_mask_get_bit": (qa_clear_mask_bits, {}, lambda s, n: (_qa(s, n, n + 1),)),
    "qa_confidence_extract_bits": (qa_confidence_levels, {}, lambda s, n: (_qa(s, n, n + 2),)),
    "scl_isin_masks_bincount": (scl_masks, {}, lambda s, n: (
        _rng(s).integers(0, 12, (n, n + 1)).astype(np.uint8), _dn16(s, n, n + 1))),
    "modis_state_1km": (modis_state_1km, {}, lambda s, n: (_qa(s, n + 1, n),)),
    "buffer_cloud_mask_shifted_slices": (buffer_cloud_mask_shifts, {"iterations": 2},
                                         lambda s, n: (_rng(s).random((n + 3, n + 3)) > 0.85,)),
    "buffer_cloud_mask_binary_dilation": (buffer_cloud_mask_ndimage, {"iterations": 2},
                                          lambda s, n: (_qa(s, n + 3, n + 4),)),
    "apply_mask_stack_trailing_mask_write": (apply_mask_to_stack, {}, lambda s, n: (
        _dn16(s, 4, n, n + 1), _qa(s, n, n + 1))),
    "apply_mask_in_place_argument": (apply_mask_in_place, {}, lambda s, n: (
        _refl(s, 3, n, n), _qa(s, n, n))),
    "cloud_free_nanmedian_composite": (cloud_free_median, {}, lambda s, n: (
        _refl(s, 5, n, n + 1), np.concatenate([_qa(s, 4, n, n + 1),
                                               np.zeros((1, n, n + 1), np.uint16)]))),
    "qa_bit_planes_broadcast_shift": (qa_bit_planes, {}, lambda s, n: (_qa(s, n, n),)),
    "project_cloud_shadow_roll": (project_cloud_shadow, {"dx": 2, "dy": 1}, lambda s, n: (
        _rng(s).random((n + 2, n + 2)) > 0.7, _refl(s, n + 2, n + 2, lo=0.0, hi=0.4))),
    "radsat_per_band_f_string_keys": (radsat_per_band, {}, lambda s, n: (
        _rng(s).integers(0, 1 << 7, (n, n)).astype(np.uint16),)),
    "qa_packbits_roundtrip": (qa_packbits_mask, {}, lambda s, n: (_qa(s, n, n + 7),)),
}


@pytest.mark.parametrize("name", _names(QA_MASKS))
def test_qa_bit_masks_match_numpy(name):
    check_like_numpy(*QA_MASKS[name])


# ============================================================================ radiometric scaling

# an MTL file's radiometric rescaling section, as parsed into a dict
MTL = {
    "SUN_ELEVATION": 52.3, "EARTH_SUN_DISTANCE": 1.0142,
    **{f"RADIANCE_MULT_BAND_{b}": m for b, m in zip(range(1, 8), (
        1.2e-2, 1.25e-2, 1.15e-2, 9.7e-3, 5.9e-3, 1.48e-3, 4.97e-4))},
    **{f"RADIANCE_ADD_BAND_{b}": a for b, a in zip(range(1, 8), (
        -61.1, -62.6, -57.7, -48.6, -29.8, -7.4, -2.5))},
    **{f"REFLECTANCE_MULT_BAND_{b}": 2.0e-5 for b in range(1, 8)},
    **{f"REFLECTANCE_ADD_BAND_{b}": -0.1 for b in range(1, 8)},
}


def toa_reflectance_mtl(dns, meta=MTL):
    sun_elev = np.deg2rad(meta["SUN_ELEVATION"])
    out = {}
    for band, dn in dns.items():
        b = int(band[1:])
        rho = meta[f"REFLECTANCE_MULT_BAND_{b}"] * dn.astype(np.float32) \
            + meta[f"REFLECTANCE_ADD_BAND_{b}"]
        rho = rho / np.sin(sun_elev)
        rho[dn == 0] = np.nan
        out[band] = rho
    return out


# Landsat 7 ETM+ ESUN (W m-2 um-1), Chander et al. (2009)
ESUN_ETM = {1: 1997.0, 2: 1812.0, 3: 1533.0, 4: 1039.0, 5: 230.8, 7: 84.9}


def earth_sun_distance(doy):
    return 1 - 0.01672 * np.cos(np.radians(0.9856 * (doy - 4)))


def radiance_to_reflectance_esun(radiance, doy, sun_zenith_deg, band=4):
    d = earth_sun_distance(doy)
    return np.pi * radiance * d ** 2 / (ESUN_ETM[band] * np.cos(np.radians(sun_zenith_deg)))


def brightness_temperature_float32(b10, k1=774.8853, k2=1321.0789):
    rad = np.float32(3.342e-4) * b10.astype(np.float32) + np.float32(0.1)
    return k2 / np.log(k1 / rad + 1.0) - 273.15


def dark_object_subtraction_min(stack, nodata=0):
    out = np.empty(stack.shape, dtype=np.float64)
    for k in range(stack.shape[0]):
        band = stack[k]
        valid = band != nodata
        haze = band[valid].min()
        out[k] = np.where(valid, band.astype(np.float64) - haze, np.nan)
    return out


def dark_object_subtraction_hist(band, min_count=3):
    # Chavez: the first histogram bin holding at least `min_count` pixels is the haze
    hist, edges = np.histogram(band, bins=64, range=(0, 65536))
    first = np.argmax(hist >= min_count)
    haze = edges[first]
    return np.clip(band.astype(np.int32) - int(haze), 0, None).astype(np.uint16), haze


def s2_l1c_toa(dns, offsets):
    out = {}
    for band, dn in dns.items():
        toa = (dn.astype(np.float32) + offsets.get(band, 0)) / 10000
        toa = np.clip(toa, 0, 1)
        toa[dn == 0] = np.nan
        out[band] = toa
    return out


def reflectance_to_uint16(refl, scale=10000, nodata=0):
    out = np.round(np.clip(refl, 0, 6.5) * scale).astype(np.uint16)
    out[np.isnan(refl)] = nodata
    return out


def cosine_topographic_correction(band, slope_deg, aspect_deg, sun_zen, sun_az):
    sz, sa = np.radians(sun_zen), np.radians(sun_az)
    s, a = np.radians(slope_deg), np.radians(aspect_deg)
    cos_i = np.cos(sz) * np.cos(s) + np.sin(sz) * np.sin(s) * np.cos(sa - a)
    return band * np.cos(sz) / np.maximum(cos_i, 0.1), cos_i


def c_correction_polyfit(band, slope_deg, aspect_deg, sun_zen, sun_az):
    sz, sa = np.radians(sun_zen), np.radians(sun_az)
    s, a = np.radians(slope_deg), np.radians(aspect_deg)
    cos_i = np.cos(sz) * np.cos(s) + np.sin(sz) * np.sin(s) * np.cos(sa - a)
    m, b = np.polyfit(cos_i.ravel(), band.ravel(), 1)
    c = b / m
    return band * (np.cos(sz) + c) / (cos_i + c), c


def pif_normalisation(subject, reference, pif_mask):
    # relative radiometric normalisation on pseudo-invariant features
    slope, intercept = np.polyfit(subject[pif_mask], reference[pif_mask], 1)
    return slope * subject + intercept, (slope, intercept)


def _doy_sza(s):
    return 100 + 40 * s, 30.0 + 5 * s


RADIOMETRY = {
    "toa_reflectance_mtl_dict_of_bands": (toa_reflectance_mtl, {}, lambda s, n: (
        {f"B{b}": _holes(_dn16(s + b, n, n + 1), s + b, 0, 0.1) for b in (2, 3, 4)},)),
    "radiance_to_reflectance_esun": (radiance_to_reflectance_esun, {"band": 4}, lambda s, n: (
        _rng(s).uniform(20, 120, (n, n)), *_doy_sza(s))),
    "brightness_temperature_float32": (brightness_temperature_float32, {}, lambda s, n: (
        _rng(s).integers(20000, 40000, (n, n), dtype=np.uint16),)),
    "dos_masked_min_loop": (dark_object_subtraction_min, {}, lambda s, n: (
        _holes(_dn16(s, 3, n, n + 1), s, 0, 0.2),)),
    "dos_first_histogram_bin": (dark_object_subtraction_hist, {}, lambda s, n: (
        _dn16(s, 2 * n, 2 * n),)),
    "s2_l1c_toa_offsets_get": (s2_l1c_toa, {}, lambda s, n: (
        {b: _holes(_dn16(s + k, n, n, lo=500, hi=9000), s + k, 0, 0.1)
         for k, b in enumerate(("B02", "B03", "B04"))}, {"B02": -1000, "B04": -1000})),
    "reflectance_to_uint16_nodata": (reflectance_to_uint16, {}, lambda s, n: (
        _holes(_rng(s).uniform(-0.1, 0.9, (n, n)), s, np.nan, 0.2),)),
    "cosine_topographic_correction": (cosine_topographic_correction, {}, lambda s, n: (
        _refl(s, n, n).astype(float), _rng(s).uniform(0, 40, (n, n)),
        _rng(s + 1).uniform(0, 360, (n, n)), 35.0 + s, 140.0)),
    "c_correction_polyfit": (c_correction_polyfit, {}, lambda s, n: (
        _refl(s, n + 2, n + 2).astype(float), _rng(s).uniform(0, 40, (n + 2, n + 2)),
        _rng(s + 1).uniform(0, 360, (n + 2, n + 2)), 35.0, 140.0 + s)),
    "pif_normalisation_polyfit_selection": _Xfail(
        "np.polyfit(x[m], y[m], 1) with a 2-d mask m raises DataDependentShapeError (a 1-d "
        "mask traces); NumPy fits the selected pixels", pif_normalisation, {}, lambda s, n: (
            _refl(s, n, n + 2).astype(float), _refl(s + 1, n, n + 2).astype(float),
            _rng(s).random((n, n + 2)) > 0.4)),
}


@pytest.mark.parametrize("name", _names(RADIOMETRY))
def test_radiometric_scaling_matches_numpy(name):
    check_like_numpy(*RADIOMETRY[name])


# ================================================================================ pan-sharpening

def upsample2(ms):
    return np.repeat(np.repeat(ms, 2, axis=-2), 2, axis=-1)


def brovey(ms, pan):
    ms_up = upsample2(ms).astype(np.float64)
    ratio = pan / ms_up.sum(axis=0)
    return ms_up * ratio


def fast_ihs(ms, pan):
    ms_up = upsample2(ms)
    intensity = ms_up.mean(axis=0)
    return ms_up + (pan - intensity)[np.newaxis, :, :]


IHS_FORWARD = np.array([[1 / 3, 1 / 3, 1 / 3],
                        [-np.sqrt(2) / 6, -np.sqrt(2) / 6, 2 * np.sqrt(2) / 6],
                        [1 / np.sqrt(2), -1 / np.sqrt(2), 0.0]])


def ihs_matrix(rgb, pan):
    ihs = np.einsum("ij,jrc->irc", IHS_FORWARD, rgb)
    # match pan to the intensity's mean and standard deviation before the swap
    i = ihs[0]
    pan_m = (pan - pan.mean()) / pan.std() * i.std() + i.mean()
    ihs[0] = pan_m
    return np.einsum("ij,jrc->irc", np.linalg.inv(IHS_FORWARD), ihs)


def hpf_pansharpen(ms, pan, size=5, weight=0.5):
    pan_hp = pan - ndimage.uniform_filter(pan, size=size, mode="reflect")
    ms_up = ndimage.zoom(ms, (1, 2, 2), order=1)
    return ms_up + weight * pan_hp[None] * (ms_up.std(axis=(1, 2), keepdims=True) / pan_hp.std())


def pca_pansharpen(ms_up, pan):
    b = ms_up.shape[0]
    X = ms_up.reshape(b, -1)
    mu = X.mean(axis=1, keepdims=True)
    Xc = X - mu
    evals, evecs = np.linalg.eigh(Xc @ Xc.T / (X.shape[1] - 1))
    evecs = evecs[:, ::-1]
    evecs = evecs * np.sign(evecs.sum(axis=0))
    pcs = evecs.T @ Xc
    p = pan.ravel()
    pcs[0] = (p - p.mean()) / p.std() * pcs[0].std() + pcs[0].mean()
    return (evecs @ pcs + mu).reshape(ms_up.shape)


def gram_schmidt_adaptive(ms_up, pan):
    b = ms_up.shape[0]
    A = np.column_stack([ms_up.reshape(b, -1).T, np.ones(pan.size)])
    w, *_ = np.linalg.lstsq(A, pan.ravel(), rcond=None)
    intensity = (A @ w).reshape(pan.shape)
    out = np.empty_like(ms_up)
    for k in range(b):
        g = np.cov(ms_up[k].ravel(), intensity.ravel())[0, 1] / np.var(intensity, ddof=1)
        out[k] = ms_up[k] + g * (pan - intensity)
    return out, w


def _ms_pan(s, n, dtype=float):
    ms = _refl(s, 3, n, n + 1).astype(dtype)
    pan = upsample2(ms).mean(axis=0) + _rng(s + 5).uniform(-0.02, 0.02, (2 * n, 2 * n + 2))
    return ms, pan.astype(dtype)


PANSHARPEN = {
    "brovey_repeat_upsample": (brovey, {}, lambda s, n: _ms_pan(s, n)),
    "fast_ihs_newaxis": (fast_ihs, {}, lambda s, n: _ms_pan(s, n, np.float32)),
    "ihs_matrix_inverse_einsum": (ihs_matrix, {}, lambda s, n: (
        upsample2(_ms_pan(s, n)[0]), _ms_pan(s, n)[1])),
    "hpf_uniform_filter_zoom": (hpf_pansharpen, {}, lambda s, n: _ms_pan(s, n)),
    "pca_pansharpen_eigh": (pca_pansharpen, {}, lambda s, n: (
        upsample2(_ms_pan(s, n)[0]), _ms_pan(s, n)[1])),
    "gram_schmidt_adaptive_lstsq_cov": (gram_schmidt_adaptive, {}, lambda s, n: (
        upsample2(_ms_pan(s, n)[0]), _ms_pan(s, n)[1])),
}


@pytest.mark.parametrize("name", _names(PANSHARPEN))
def test_pansharpening_matches_numpy(name):
    check_like_numpy(*PANSHARPEN[name])


# ===================================================================================== resampling

def block_reduce_mean(arr, factor):
    h, w = arr.shape
    h2, w2 = h // factor, w // factor
    a = arr[:h2 * factor, :w2 * factor]
    return a.reshape(h2, factor, w2, factor).mean(axis=(1, 3))


def block_reduce_nanmean_nodata(arr, factor, nodata=-9999.0):
    a = np.where(arr == nodata, np.nan, arr)
    h, w = a.shape
    blocks = a.reshape(h // factor, factor, w // factor, factor)
    out = np.nanmean(blocks, axis=(1, 3))
    valid_frac = np.isfinite(blocks).mean(axis=(1, 3))
    out[valid_frac < 0.5] = nodata
    return out


def block_majority(classes, factor, n_classes):
    h, w = classes.shape
    blocks = classes.reshape(h // factor, factor, w // factor, factor).transpose(0, 2, 1, 3)
    blocks = blocks.reshape(h // factor, w // factor, factor * factor)
    counts = (blocks[..., None] == np.arange(n_classes)).sum(axis=2)
    return counts.argmax(axis=-1).astype(classes.dtype), counts.max(axis=-1) / factor ** 2


def nearest_resample_ix(arr, out_h, out_w):
    rows = np.floor((np.arange(out_h) + 0.5) * arr.shape[0] / out_h).astype(np.intp)
    cols = np.floor((np.arange(out_w) + 0.5) * arr.shape[1] / out_w).astype(np.intp)
    return arr[np.ix_(rows, cols)]


def warp_nearest_geotransform(src, src_gt, dst_gt, dst_shape, nodata=0):
    # GDAL geotransforms (x0, dx, 0, y0, 0, dy), north-up
    rows, cols = np.indices(dst_shape)
    x = dst_gt[0] + (cols + 0.5) * dst_gt[1]
    y = dst_gt[3] + (rows + 0.5) * dst_gt[5]
    c = np.floor((x - src_gt[0]) / src_gt[1]).astype(int)
    r = np.floor((y - src_gt[3]) / src_gt[5]).astype(int)
    inside = (r >= 0) & (r < src.shape[0]) & (c >= 0) & (c < src.shape[1])
    vals = src[np.clip(r, 0, src.shape[0] - 1), np.clip(c, 0, src.shape[1] - 1)]
    return np.where(inside, vals, nodata).astype(src.dtype)


def bilinear_resample(arr, scale):
    h, w = arr.shape
    oh, ow = int(h * scale), int(w * scale)
    y = (np.arange(oh) + 0.5) / scale - 0.5
    x = (np.arange(ow) + 0.5) / scale - 0.5
    y = np.clip(y, 0, h - 1)
    x = np.clip(x, 0, w - 1)
    y0 = np.floor(y).astype(int)
    x0 = np.floor(x).astype(int)
    y1 = np.minimum(y0 + 1, h - 1)
    x1 = np.minimum(x0 + 1, w - 1)
    wy = (y - y0)[:, None]
    wx = (x - x0)[None, :]
    top = arr[y0][:, x0] * (1 - wx) + arr[y0][:, x1] * wx
    bot = arr[y1][:, x0] * (1 - wx) + arr[y1][:, x1] * wx
    return top * (1 - wy) + bot * wy


def zoom_classes_and_values(classes, values):
    return ndimage.zoom(classes, 2, order=0), ndimage.zoom(values, 0.5, order=1)


def map_coordinates_reproject(src, angle_deg):
    # rotate the grid about its centre and sample with bilinear interpolation
    h, w = src.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(float)
    cy, cx = (h - 1) / 2, (w - 1) / 2
    t = np.deg2rad(angle_deg)
    sy = cy + (yy - cy) * np.cos(t) - (xx - cx) * np.sin(t)
    sx = cx + (yy - cy) * np.sin(t) + (xx - cx) * np.cos(t)
    return ndimage.map_coordinates(src, [sy, sx], order=1, cval=np.nan)


def class_fractions_coarse(lc, factor, classes=(1, 2, 3, 4)):
    h, w = lc.shape
    out = np.zeros((len(classes), h // factor, w // factor), dtype=np.float32)
    for k, c in enumerate(classes):
        out[k] = (lc == c).reshape(h // factor, factor, w // factor, factor).mean(axis=(1, 3))
    return out


def world_to_pixel(gt, x, y):
    # inverse of an affine geotransform for point samples
    det = gt[1] * gt[5] - gt[2] * gt[4]
    col = ((x - gt[0]) * gt[5] - (y - gt[3]) * gt[2]) / det
    row = ((y - gt[3]) * gt[1] - (x - gt[0]) * gt[4]) / det
    return np.floor(row).astype(np.int64), np.floor(col).astype(np.int64)


def sample_points(raster, gt, xs, ys, nodata=-9999.0):
    r, c = world_to_pixel(gt, xs, ys)
    ok = (r >= 0) & (r < raster.shape[0]) & (c >= 0) & (c < raster.shape[1])
    out = np.full(xs.shape, nodata)
    out[ok] = raster[r[ok], c[ok]]
    return out


def resample_time_series_interp(doys, ndvi, target_doys):
    out = np.empty((len(target_doys),) + ndvi.shape[1:])
    flat = ndvi.reshape(ndvi.shape[0], -1)
    for j in range(flat.shape[1]):
        out.reshape(len(target_doys), -1)[:, j] = np.interp(target_doys, doys, flat[:, j])
    return out


GT_SRC = (300000.0, 30.0, 0.0, 4200000.0, 0.0, -30.0)
GT_DST = (300010.0, 20.0, 0.0, 4199990.0, 0.0, -20.0)


def _with_nodata_value(a, seed, value=-9999.0, frac=0.2):
    return _holes(a, seed, value, frac)


RESAMPLING = {
    "block_reduce_mean_trim": (block_reduce_mean, {"factor": 2}, lambda s, n: (
        _f(n + 1, n + 3, seed=s),)),
    "block_reduce_nanmean_nodata": (block_reduce_nanmean_nodata, {"factor": 2}, lambda s, n: (
        _with_nodata_value(_f(n, 2 * n, seed=s), s, frac=0.3),)),
    "block_majority_one_hot": (block_majority, {"factor": 2, "n_classes": 4}, lambda s, n: (
        _i(4, n, n + 2, seed=s).astype(np.uint8),)),
    "nearest_resample_np_ix": (nearest_resample_ix, {"out_h": 9, "out_w": 3}, lambda s, n: (
        _dn16(s, n, n + 2),)),
    "warp_nearest_geotransform_nodata": (warp_nearest_geotransform, {
        "src_gt": GT_SRC, "dst_gt": GT_DST, "dst_shape": (7, 8)}, lambda s, n: (
        _dn16(s, n, n),)),
    "bilinear_resample_manual": (bilinear_resample, {"scale": 1.5}, lambda s, n: (
        _f(n, n + 2, seed=s),)),
    "zoom_order0_classes_order1_values": (zoom_classes_and_values, {}, lambda s, n: (
        _i(5, n, n, seed=s).astype(np.uint8), _f(2 * n, 2 * n, seed=s))),
    "map_coordinates_rotation_cval_nan": _Xfail(
        "ndimage.map_coordinates with coordinates computed from a Python float argument makes "
        "that float static: each new angle traces again (3 traces for 3 angles; values right)",
        map_coordinates_reproject, {}, lambda s, n: (
            _f(n + 2, n + 2, seed=s), 10.0 * s)),
    "class_fractions_coarse_loop": (class_fractions_coarse, {"factor": 2}, lambda s, n: (
        _i(5, n, n + 2, seed=s),)),
    "sample_points_world_to_pixel": (sample_points, {}, lambda s, n: (
        _f(n, n + 1, seed=s), GT_SRC, _rng(s).uniform(299900, 300200, 3 * n),
        _rng(s + 1).uniform(4199800, 4200100, 3 * n))),
    "resample_time_series_interp_loop": (resample_time_series_interp, {}, lambda s, n: (
        np.array([10.0, 40, 75, 130, 200, 260]), _f(6, 2, n, seed=s),
        np.linspace(16, 256, 9))),
}


@pytest.mark.parametrize("name", _names(RESAMPLING))
def test_resampling_matches_numpy(name):
    check_like_numpy(*RESAMPLING[name])


# ============================================================================== zonal statistics

def zonal_mean_bincount(values, zones, n_zones):
    z = zones.ravel()
    v = values.ravel()
    sums = np.bincount(z, weights=v, minlength=n_zones)
    counts = np.bincount(z, minlength=n_zones)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    return means, counts


def zonal_stats_nodata(values, zones, n_zones, nodata=-9999.0):
    valid = values != nodata
    z = zones[valid]
    v = values[valid]
    count = np.bincount(z, minlength=n_zones)
    total = np.bincount(z, weights=v, minlength=n_zones)
    sq = np.bincount(z, weights=v * v, minlength=n_zones)
    mean = total / np.maximum(count, 1)
    std = np.sqrt(np.maximum(sq / np.maximum(count, 1) - mean ** 2, 0))
    return {"count": count, "sum": total, "mean": mean, "std": std}


def zonal_min_max_ufunc_at(values, zones, n_zones):
    zmin = np.full(n_zones, np.inf)
    zmax = np.full(n_zones, -np.inf)
    np.minimum.at(zmin, zones.ravel(), values.ravel())
    np.maximum.at(zmax, zones.ravel(), values.ravel())
    return zmin, zmax, zmax - zmin


def zonal_stats_loop_dict(values, zones, zone_ids):
    stats = {}
    for z in zone_ids:
        m = zones == z
        stats[z] = {"mean": values[m].mean(), "min": values[m].min(),
                    "max": values[m].max(), "median": np.median(values[m]),
                    "count": int(np.count_nonzero(m))}
    return stats


def zonal_crosstab(zones, landcover, n_zones, n_classes, pixel_area=900.0):
    codes = zones.astype(np.int64) * n_classes + landcover
    table = np.bincount(codes.ravel(), minlength=n_zones * n_classes)
    table = table.reshape(n_zones, n_classes)
    area_ha = table * pixel_area / 1e4
    pct = 100.0 * table / table.sum(axis=1, keepdims=True)
    majority = table.argmax(axis=1)
    return area_ha, pct, majority


def zonal_ndimage_labels(values, zones, n_zones):
    idx = np.arange(1, n_zones + 1)
    return (ndimage.mean(values, labels=zones, index=idx),
            ndimage.sum_labels(values, labels=zones, index=idx),
            ndimage.maximum(values, labels=zones, index=idx),
            ndimage.standard_deviation(values, labels=zones, index=idx))


def rasterize_boxes_then_stats(values, boxes):
    # boxes as (row0, row1, col0, col1) in pixel space, burned in order (later wins)
    zones = np.zeros(values.shape, dtype=np.int32)
    for k, (r0, r1, c0, c1) in enumerate(boxes, start=1):
        zones[r0:r1, c0:c1] = k
    sums = np.bincount(zones.ravel(), weights=values.ravel(), minlength=len(boxes) + 1)
    counts = np.bincount(zones.ravel(), minlength=len(boxes) + 1)
    return zones, sums[1:] / counts[1:]


def zonal_histograms_loop(values, zones, n_zones, bins=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0)):
    hists = np.zeros((n_zones, len(bins) - 1), dtype=np.int64)
    for z in range(n_zones):
        hists[z], _ = np.histogram(values[zones == z], bins=bins)
    return hists


def zonal_weighted_mean_masked(values, zones, weights, n_zones):
    out = np.zeros(n_zones)
    for z in range(n_zones):
        out[z] = np.average(values[zones == z], weights=weights[zones == z])
    return out


def zonal_sparse_matrix(values, zones, n_zones):
    import scipy.sparse as sp
    n = values.size
    M = sp.csr_matrix((np.ones(n), (zones.ravel(), np.arange(n))), shape=(n_zones, n))
    return M @ values.ravel(), np.asarray(M.sum(axis=1)).ravel()


def _zones(s, n, k=4):
    z = _rng(s).integers(0, k, (n + 1, n + 2))
    z.ravel()[:k] = np.arange(k)
    return z


ZONAL = {
    "zonal_mean_bincount_weights": (zonal_mean_bincount, {"n_zones": 5}, lambda s, n: (
        _f(n + 1, n + 2, seed=s), _zones(s, n))),
    "zonal_stats_nodata_selection": (zonal_stats_nodata, {"n_zones": 4}, lambda s, n: (
        _with_nodata_value(_f(n + 1, n + 2, seed=s), s), _zones(s, n))),
    "zonal_min_max_minimum_at": (zonal_min_max_ufunc_at, {"n_zones": 4}, lambda s, n: (
        _f(n + 1, n + 2, seed=s), _zones(s, n))),
    "zonal_stats_loop_nested_dict": (zonal_stats_loop_dict, {"zone_ids": (0, 1, 2, 3)},
                                     lambda s, n: (_f(n + 1, n + 2, seed=s), _zones(s, n))),
    "zonal_crosstab_area_majority": (zonal_crosstab, {"n_zones": 4, "n_classes": 3},
                                     lambda s, n: (_zones(s, n), _i(3, n + 1, n + 2, seed=s))),
    "zonal_ndimage_labelled_measurements": (zonal_ndimage_labels, {"n_zones": 3}, lambda s, n: (
        _f(n + 1, n + 2, seed=s), _zones(s, n, 4))),
    "rasterize_boxes_then_stats": (rasterize_boxes_then_stats, {
        "boxes": ((0, 2, 0, 3), (1, 4, 2, 5), (3, 5, 0, 2))}, lambda s, n: (
        _f(n + 1, n + 2, seed=s),)),
    "zonal_histograms_loop": (zonal_histograms_loop, {"n_zones": 4}, lambda s, n: (
        _rng(s).random((n + 1, n + 2)), _zones(s, n))),
    "zonal_weighted_mean_selections": (zonal_weighted_mean_masked, {"n_zones": 4}, lambda s, n: (
        _f(n + 1, n + 2, seed=s), _zones(s, n), _f(n + 1, n + 2, seed=s + 1, positive=True))),
    "zonal_sparse_indicator_matrix": (zonal_sparse_matrix, {"n_zones": 4}, lambda s, n: (
        _f(n + 1, n + 2, seed=s), _zones(s, n))),
}


@pytest.mark.parametrize("name", _names(ZONAL))
def test_zonal_statistics_match_numpy(name):
    check_like_numpy(*ZONAL[name])


# ============================================================================== terrain analysis

def slope_aspect_gradient(dem, res):
    dzdy, dzdx = np.gradient(dem, res)
    slope = np.degrees(np.arctan(np.hypot(dzdx, dzdy)))
    aspect = np.degrees(np.arctan2(dzdy, -dzdx))
    aspect = np.where(aspect < 0, 90.0 - aspect,
                      np.where(aspect > 90.0, 360.0 - aspect + 90.0, 90.0 - aspect))
    return slope, aspect


def horn_slope_aspect_pad(dem, cellsize):
    z = np.pad(dem, 1, mode="edge")
    a, b, c = z[:-2, :-2], z[:-2, 1:-1], z[:-2, 2:]
    d, f = z[1:-1, :-2], z[1:-1, 2:]
    g, h, i = z[2:, :-2], z[2:, 1:-1], z[2:, 2:]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8 * cellsize)
    dzdy = ((g + 2 * h + i) - (a + 2 * b + c)) / (8 * cellsize)
    slope_pct = 100.0 * np.sqrt(dzdx ** 2 + dzdy ** 2)
    aspect = np.rad2deg(np.arctan2(dzdy, -dzdx))
    aspect = np.mod(450.0 - aspect, 360.0)
    aspect[(dzdx == 0) & (dzdy == 0)] = -1
    return slope_pct, aspect


def zevenbergen_thorne_curvature(dem, L):
    z = dem
    z1, z2, z3 = z[:-2, :-2], z[:-2, 1:-1], z[:-2, 2:]
    z4, z5, z6 = z[1:-1, :-2], z[1:-1, 1:-1], z[1:-1, 2:]
    z7, z8, z9 = z[2:, :-2], z[2:, 1:-1], z[2:, 2:]
    D = ((z4 + z6) / 2 - z5) / L ** 2
    E = ((z2 + z8) / 2 - z5) / L ** 2
    F = (-z1 + z3 + z7 - z9) / (4 * L ** 2)
    G = (-z4 + z6) / (2 * L)
    H = (z2 - z8) / (2 * L)
    curvature = -2 * (D + E) * 100
    with np.errstate(invalid="ignore", divide="ignore"):
        profile = 2 * (D * G ** 2 + E * H ** 2 + F * G * H) / (G ** 2 + H ** 2) * 100
        plan = -2 * (D * H ** 2 + E * G ** 2 - F * G * H) / (G ** 2 + H ** 2) * 100
    out = {k: np.full(dem.shape, np.nan) for k in ("curvature", "profile", "plan")}
    out["curvature"][1:-1, 1:-1] = curvature
    out["profile"][1:-1, 1:-1] = profile
    out["plan"][1:-1, 1:-1] = plan
    return out


def evans_young_curvatures(dem, h):
    p = np.zeros_like(dem)
    q = np.zeros_like(dem)
    r = np.zeros_like(dem)
    s = np.zeros_like(dem)
    t = np.zeros_like(dem)
    c = dem[1:-1, 1:-1]
    p[1:-1, 1:-1] = (dem[1:-1, 2:] - dem[1:-1, :-2]) / (2 * h)
    q[1:-1, 1:-1] = (dem[:-2, 1:-1] - dem[2:, 1:-1]) / (2 * h)
    r[1:-1, 1:-1] = (dem[1:-1, 2:] - 2 * c + dem[1:-1, :-2]) / h ** 2
    t[1:-1, 1:-1] = (dem[:-2, 1:-1] - 2 * c + dem[2:, 1:-1]) / h ** 2
    s[1:-1, 1:-1] = (dem[:-2, 2:] - dem[:-2, :-2] - dem[2:, 2:] + dem[2:, :-2]) / (4 * h ** 2)
    pq = p ** 2 + q ** 2 + 1e-12
    kv = -(p ** 2 * r + 2 * p * q * s + q ** 2 * t) / (pq * (1 + pq) ** 1.5)
    kh = -(q ** 2 * r - 2 * p * q * s + p ** 2 * t) / (pq * np.sqrt(1 + pq))
    return kv, kh


def hillshade_gdal(dem, xres, yres, azimuth=315.0, altitude=45.0, z=1.0, nodata=None):
    az = np.radians(360.0 - azimuth + 90.0)
    zen = np.radians(90.0 - altitude)
    x = np.zeros_like(dem)
    y = np.zeros_like(dem)
    x[1:-1, 1:-1] = ((dem[:-2, 2:] + 2 * dem[1:-1, 2:] + dem[2:, 2:])
                     - (dem[:-2, :-2] + 2 * dem[1:-1, :-2] + dem[2:, :-2])) / (8 * xres)
    y[1:-1, 1:-1] = ((dem[2:, :-2] + 2 * dem[2:, 1:-1] + dem[2:, 2:])
                     - (dem[:-2, :-2] + 2 * dem[:-2, 1:-1] + dem[:-2, 2:])) / (8 * yres)
    slope = np.arctan(z * np.sqrt(x * x + y * y))
    aspect = np.arctan2(y, -x)
    shade = np.cos(zen) * np.cos(slope) + np.sin(zen) * np.sin(slope) * np.cos(az - aspect)
    shade = np.clip(255.0 * shade, 1, 255).astype(np.uint8)
    shade[0, :] = shade[-1, :] = 0
    shade[:, 0] = shade[:, -1] = 0
    return shade


def multidirectional_hillshade(dem, res, azimuths=(225.0, 270.0, 315.0, 360.0)):
    dy, dx = np.gradient(dem, res)
    slope = np.arctan(np.hypot(dx, dy))
    aspect = np.arctan2(-dx, dy)
    alt = np.radians(45.0)
    total = np.zeros_like(dem)
    weights = np.zeros_like(dem)
    for az in azimuths:
        a = np.radians(az)
        hs = np.sin(alt) * np.cos(slope) + np.cos(alt) * np.sin(slope) * np.cos(a - aspect)
        w = np.sin(aspect - a + np.pi / 2) ** 2
        total += w * np.clip(hs, 0, 1)
        weights += w
    return (255 * total / weights).astype(np.uint8)


# ESRI D8 codes for the neighbours E, SE, S, SW, W, NW, N, NE
D8_OFFSETS = [(0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1), (-1, 0), (-1, 1)]
D8_CODES = np.array([1, 2, 4, 8, 16, 32, 64, 128], dtype=np.uint8)


def d8_flow_direction(dem, cellsize):
    h, w = dem.shape
    z = np.pad(dem, 1, mode="constant", constant_values=np.inf)
    drops = np.empty((8, h, w))
    for k, (dr, dc) in enumerate(D8_OFFSETS):
        dist = cellsize * (np.sqrt(2) if dr and dc else 1.0)
        drops[k] = (dem - z[1 + dr:1 + dr + h, 1 + dc:1 + dc + w]) / dist
    best = np.argmax(drops, axis=0)
    fdir = D8_CODES[best]
    fdir[np.max(drops, axis=0) <= 0] = 0
    return fdir


def d8_roll_where(dem):
    best_drop = np.zeros_like(dem)
    fdir = np.zeros(dem.shape, dtype=np.uint8)
    for (dr, dc), code in zip(D8_OFFSETS, D8_CODES):
        nb = np.roll(np.roll(dem, -dr, axis=0), -dc, axis=1)
        drop = (dem - nb) / np.hypot(dr, dc)
        better = drop > best_drop
        best_drop = np.where(better, drop, best_drop)
        fdir[better] = code
    fdir[0, :] = fdir[-1, :] = fdir[:, 0] = fdir[:, -1] = 0
    return fdir, best_drop


def flow_accumulation_fixed(dem, n_iter):
    # D8 receivers by argmin over the padded neighbours, then accumulation by
    # `n_iter` rounds of passing every cell's upstream total to its receiver
    h, w = dem.shape
    z = np.pad(dem, 1, mode="edge")
    nbrs = np.stack([z[1 + dr:1 + dr + h, 1 + dc:1 + dc + w] for dr, dc in D8_OFFSETS])
    dist = np.array([np.hypot(dr, dc) for dr, dc in D8_OFFSETS])[:, None, None]
    slope = (dem[None] - nbrs) / dist
    k = slope.argmax(axis=0)
    rr = np.arange(h)[:, None] + np.array([o[0] for o in D8_OFFSETS])[k]
    cc = np.arange(w)[None, :] + np.array([o[1] for o in D8_OFFSETS])[k]
    outlet = (slope.max(axis=0) <= 0) | (rr < 0) | (rr >= h) | (cc < 0) | (cc >= w)
    recv = np.where(outlet, -1, np.clip(rr, 0, h - 1) * w + np.clip(cc, 0, w - 1)).ravel()
    acc = np.ones(h * w)
    for _ in range(n_iter):
        new = np.ones(h * w)
        np.add.at(new, recv[recv >= 0], acc[recv >= 0])
        acc = new
    return acc.reshape(h, w)


def tpi_annulus(dem, r_in, r_out):
    y, x = np.ogrid[-r_out:r_out + 1, -r_out:r_out + 1]
    d = np.sqrt(x * x + y * y)
    kernel = ((d >= r_in) & (d <= r_out)).astype(float)
    kernel /= kernel.sum()
    mean = ndimage.convolve(dem, kernel, mode="reflect")
    tpi = dem - mean
    return (tpi - tpi.mean()) / tpi.std()


def tri_riley(dem):
    z = np.pad(dem, 1, mode="edge")
    h, w = dem.shape
    total = np.zeros_like(dem)
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            if dr == 0 and dc == 0:
                continue
            total += (z[1 + dr:1 + dr + h, 1 + dc:1 + dc + w] - dem) ** 2
    return np.sqrt(total)


def vector_ruggedness(dem, res, size=3):
    dy, dx = np.gradient(dem, res)
    slope = np.arctan(np.hypot(dx, dy))
    aspect = np.arctan2(dx, -dy)
    xy = np.sin(slope)
    x = xy * np.sin(aspect)
    y = xy * np.cos(aspect)
    zc = np.cos(slope)
    n = size * size
    sx = ndimage.uniform_filter(x, size, mode="nearest") * n
    sy = ndimage.uniform_filter(y, size, mode="nearest") * n
    sz = ndimage.uniform_filter(zc, size, mode="nearest") * n
    return 1 - np.sqrt(sx ** 2 + sy ** 2 + sz ** 2) / n


SLOPE_CLASS_BREAKS = [2, 5, 10, 15, 30, 45]


def slope_classes(slope_deg):
    cls = np.digitize(slope_deg, SLOPE_CLASS_BREAKS, right=True) + 1
    return cls.astype(np.uint8), np.bincount(cls.ravel(), minlength=len(SLOPE_CLASS_BREAKS) + 2)


def local_pits_minimum_filter(dem):
    footprint = np.ones((3, 3), dtype=bool)
    footprint[1, 1] = False
    nb_min = ndimage.minimum_filter(dem, footprint=footprint, mode="nearest")
    nb_max = ndimage.maximum_filter(dem, footprint=footprint, mode="nearest")
    return dem < nb_min, dem > nb_max, np.count_nonzero(dem < nb_min)


def dem_int16_nodata_slope(dem_i16, res, nodata=-32768):
    z = dem_i16.astype(np.float32)
    z[dem_i16 == nodata] = np.nan
    gy, gx = np.gradient(z, res, res)
    slope = np.degrees(np.arctan(np.sqrt(gx * gx + gy * gy)))
    return slope, np.nanmean(slope)


def line_of_sight_profile(elev, observer_height, spacing):
    h0 = elev[0] + observer_height
    dist = np.arange(1, elev.shape[0]) * spacing
    angles = np.arctan2(elev[1:] - h0, dist)
    horizon = np.maximum.accumulate(angles)
    visible = np.empty(elev.shape, dtype=bool)
    visible[0] = True
    visible[1:] = angles >= horizon
    return visible


def laplacian_curvature(dem, res):
    return -ndimage.laplace(dem) / res ** 2, ndimage.gaussian_laplace(dem, sigma=1.0)


def hypsometry(dem, nodata=None):
    z = dem if nodata is None else dem[dem != nodata]
    hi = (z.mean() - z.min()) / (z.max() - z.min())
    curve = np.percentile(z, np.arange(0, 101, 10))
    return hi, (curve - z.min()) / (z.max() - z.min())


def distance_to_streams(acc, threshold, cellsize):
    streams = acc >= threshold
    dist = ndimage.distance_transform_edt(~streams) * cellsize
    return dist, streams.sum()


def hillshade_normals_einsum(dem, res, azimuth=315.0, altitude=45.0):
    gy, gx = np.gradient(dem, res)
    normals = np.stack([-gx, gy, np.ones_like(dem)], axis=-1)
    normals /= np.linalg.norm(normals, axis=-1, keepdims=True)
    az, alt = np.radians(azimuth), np.radians(altitude)
    light = np.array([np.sin(az) * np.cos(alt), np.cos(az) * np.cos(alt), np.sin(alt)])
    return np.clip(np.einsum("ijk,k->ij", normals, light), 0, 1)


def _acc(s, n):
    return _rng(s).integers(1, 40, (n + 2, n + 3)).astype(float)


TERRAIN = {
    "slope_aspect_gradient_compass": (slope_aspect_gradient, {}, lambda s, n: (_dem(s, n), 30.0)),
    "horn_slope_aspect_pad_edge": (horn_slope_aspect_pad, {}, lambda s, n: (_dem(s, n), 10.0)),
    "zevenbergen_thorne_curvature_dict": (zevenbergen_thorne_curvature, {}, lambda s, n: (
        _dem(s, n), 5.0)),
    "evans_young_curvatures": (evans_young_curvatures, {}, lambda s, n: (_dem(s, n), 5.0)),
    "hillshade_gdal_uint8_border": (hillshade_gdal, {}, lambda s, n: (_dem(s, n), 10.0, 10.0)),
    "multidirectional_hillshade_loop": (multidirectional_hillshade, {}, lambda s, n: (
        _dem(s, n), 10.0)),
    "d8_flow_direction_argmax_codes": (d8_flow_direction, {}, lambda s, n: (_dem(s, n), 30.0)),
    "d8_roll_where_loop": (d8_roll_where, {}, lambda s, n: (_dem(s, n),)),
    "flow_accumulation_fixed_rounds": (flow_accumulation_fixed, {"n_iter": 6}, lambda s, n: (
        _dem(s, n),)),
    "tpi_annulus_convolve_standardised": (tpi_annulus, {"r_in": 1, "r_out": 2}, lambda s, n: (
        _dem(s, n),)),
    "tri_riley_nested_loops": (tri_riley, {}, lambda s, n: (_dem(s, n),)),
    "vector_ruggedness_measure": (vector_ruggedness, {}, lambda s, n: (_dem(s, n), 10.0)),
    "slope_classes_digitize_right": (slope_classes, {}, lambda s, n: (
        _rng(s).uniform(0, 60, (n, n + 1)),)),
    "local_pits_minimum_filter_footprint": (local_pits_minimum_filter, {}, lambda s, n: (
        _f(n + 2, n + 2, seed=s),)),
    "dem_int16_nodata_slope": (dem_int16_nodata_slope, {}, lambda s, n: (
        _holes(_dem(s, n).astype(np.int16), s, -32768, 0.1), 30.0)),
    "line_of_sight_maximum_accumulate": (line_of_sight_profile, {}, lambda s, n: (
        _dem(s, n)[1], 1.7, 30.0)),
    "laplacian_curvature_ndimage": (laplacian_curvature, {}, lambda s, n: (_dem(s, n), 10.0)),
    "hypsometry_nodata_selection": (hypsometry, {"nodata": -9999.0}, lambda s, n: (
        _with_nodata_value(_dem(s, n), s, frac=0.2),)),
    "distance_to_streams_edt": (distance_to_streams, {}, lambda s, n: (
        _acc(s, n), 30.0, 30.0)),
    "hillshade_normals_einsum": (hillshade_normals_einsum, {}, lambda s, n: (_dem(s, n), 10.0)),
}


@pytest.mark.parametrize("name", _names(TERRAIN))
def test_terrain_analysis_matches_numpy(name):
    check_like_numpy(*TERRAIN[name])


# ============================================================================= change detection

def difference_threshold(before, after, k=2.0):
    diff = after.astype(np.float64) - before
    mu, sd = diff.mean(), diff.std()
    change = np.zeros(diff.shape, dtype=np.int8)
    change[diff > mu + k * sd] = 1
    change[diff < mu - k * sd] = -1
    return change, (mu, sd)


def log_ratio_sar(sigma0_t1, sigma0_t2, thr_db=3.0):
    ratio_db = 10 * np.log10(sigma0_t2 / sigma0_t1)
    return np.select([ratio_db > thr_db, ratio_db < -thr_db], [1, 2], 0), ratio_db


def change_vector_analysis(img1, img2):
    d = img2 - img1
    magnitude = np.sqrt(np.sum(d ** 2, axis=0))
    direction = np.degrees(np.arctan2(d[1], d[0])) % 360
    sector = (direction // 90).astype(np.uint8) + 1
    thr = magnitude.mean() + magnitude.std()
    sector[magnitude < thr] = 0
    return magnitude, direction, sector


def from_to_matrix(lc1, lc2, n_classes):
    m = np.bincount((lc1 * n_classes + lc2).ravel(), minlength=n_classes ** 2)
    m = m.reshape(n_classes, n_classes)
    changed = m.sum() - np.trace(m)
    gains = m.sum(axis=0) - np.diag(m)
    losses = m.sum(axis=1) - np.diag(m)
    return m, changed, gains, losses


def accuracy_assessment(reference, predicted, n_classes):
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (reference.ravel(), predicted.ravel()), 1)
    total = cm.sum()
    oa = np.trace(cm) / total
    producers = np.diag(cm) / cm.sum(axis=1)
    users = np.diag(cm) / cm.sum(axis=0)
    pe = np.sum(cm.sum(axis=0) * cm.sum(axis=1)) / total ** 2
    kappa = (oa - pe) / (1 - pe)
    return {"confusion": cm, "overall": oa, "producers": producers, "users": users,
            "kappa": kappa}


def per_pixel_trend_polyfit(stack, years):
    t, h, w = stack.shape
    coefs = np.polyfit(years, stack.reshape(t, -1), 1)
    return coefs[0].reshape(h, w), coefs[1].reshape(h, w)


def mann_kendall_s(stack):
    n = stack.shape[0]
    s = np.zeros(stack.shape[1:])
    for i in range(n - 1):
        for j in range(i + 1, n):
            s += np.sign(stack[j] - stack[i])
    var_s = n * (n - 1) * (2 * n + 5) / 18
    z = np.where(s > 0, (s - 1) / np.sqrt(var_s), np.where(s < 0, (s + 1) / np.sqrt(var_s), 0))
    return s, z


def theil_sen_slope(stack, t):
    i, j = np.triu_indices(len(t), k=1)
    slopes = (stack[j] - stack[i]) / (t[j] - t[i])[:, None, None]
    return np.median(slopes, axis=0)


def standardized_anomaly(monthly, n_years):
    # monthly (n_years*12, rows, cols): anomaly of the last year against the climatology
    m = monthly.reshape((n_years, 12) + monthly.shape[1:])
    clim = m[:-1].mean(axis=0)
    sd = m[:-1].std(axis=0, ddof=1)
    return (m[-1] - clim) / sd


def otsu_on_difference(diff, nbins=32):
    hist, edges = np.histogram(diff, bins=nbins)
    centers = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(hist)
    w1 = w0[-1] - w0
    m0 = np.cumsum(hist * centers) / np.maximum(w0, 1)
    mt = np.sum(hist * centers)
    m1 = (mt - np.cumsum(hist * centers)) / np.maximum(w1, 1)
    between = w0 * w1 * (m0 - m1) ** 2
    t = centers[np.argmax(between)]
    return t, diff > t


def ewma_change_chart(stack, lam=0.3, L=3.0):
    mu = stack[:4].mean(axis=0)
    sd = stack[:4].std(axis=0)
    z = np.zeros_like(mu)
    alarms = np.zeros(stack.shape, dtype=bool)
    for t in range(stack.shape[0]):
        z = lam * stack[t] + (1 - lam) * z if t else lam * stack[t] + (1 - lam) * mu
        limit = L * sd * np.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * (t + 1))))
        alarms[t] = np.abs(z - mu) > limit
    return alarms, alarms.argmax(axis=0)


CHANGE = {
    "difference_threshold_int8": (difference_threshold, {}, lambda s, n: (
        _dn16(s, n, n + 1), _dn16(s + 1, n, n + 1))),
    "log_ratio_sar_select": (log_ratio_sar, {}, lambda s, n: (
        _rng(s).gamma(2.0, 0.05, (n, n)), _rng(s + 1).gamma(2.0, 0.05, (n, n)))),
    "change_vector_analysis_sectors": (change_vector_analysis, {}, lambda s, n: (
        _refl(s, 4, n, n).astype(float), _refl(s + 1, 4, n, n).astype(float))),
    "from_to_matrix_gains_losses": (from_to_matrix, {"n_classes": 4}, lambda s, n: (
        _i(4, n, n + 1, seed=s), _i(4, n, n + 1, seed=s + 1))),
    "accuracy_assessment_add_at_kappa": (accuracy_assessment, {"n_classes": 3}, lambda s, n: (
        np.tile(np.arange(3), 2 * n), np.tile(np.arange(3), 2 * n)[::-1].copy()
        if s == 2 else (np.tile(np.arange(3), 2 * n) + _i(2, 6 * n, seed=s)) % 3)),
    "per_pixel_trend_polyfit_2d": (per_pixel_trend_polyfit, {}, lambda s, n: (
        _f(8, n, n + 1, seed=s), np.arange(2000.0, 2008.0))),
    "mann_kendall_sign_pairs": (mann_kendall_s, {}, lambda s, n: (_f(7, n, n, seed=s),)),
    "theil_sen_triu_median": (theil_sen_slope, {}, lambda s, n: (
        _f(6, n, n, seed=s), np.array([1.0, 2.5, 3.0, 4.5, 6.0, 7.0]))),
    "standardized_anomaly_monthly": (standardized_anomaly, {"n_years": 3}, lambda s, n: (
        _f(36, n, n, seed=s),)),
    "otsu_on_difference_histogram": (otsu_on_difference, {}, lambda s, n: (
        np.concatenate([_f(5 * n, seed=s), _f(3 * n, seed=s + 1) + 4]),)),
    "ewma_change_chart_loop": (ewma_change_chart, {}, lambda s, n: (_f(8, n, n, seed=s),)),
}


@pytest.mark.parametrize("name", _names(CHANGE))
def test_change_detection_matches_numpy(name):
    check_like_numpy(*CHANGE[name])


# ===================================================================== stretches and equalisation

def percent_clip_stretch_uint8(stack, lower=2, upper=98):
    out = np.zeros(stack.shape, dtype=np.uint8)
    for k in range(stack.shape[0]):
        lo, hi = np.percentile(stack[k], (lower, upper))
        scaled = np.clip((stack[k] - lo) / (hi - lo), 0, 1)
        out[k] = (scaled * 255).astype(np.uint8)
    return out


def stretch_ignoring_nodata(band, nodata=0):
    valid = band != nodata
    lo = np.percentile(band[valid], 2)
    hi = np.percentile(band[valid], 98)
    out = (band.astype(np.float32) - lo) / (hi - lo)
    out = np.clip(out, 0.0, 1.0)
    out[~valid] = 0
    return (out * 254 + 1).astype(np.uint8) * valid


def equalize_opencv_tutorial(img):
    hist, bins = np.histogram(img.flatten(), 256, [0, 256])
    cdf = hist.cumsum()
    cdf_m = np.ma.masked_equal(cdf, 0)
    cdf_m = (cdf_m - cdf_m.min()) * 255 / (cdf_m.max() - cdf_m.min())
    cdf = np.ma.filled(cdf_m, 0).astype("uint8")
    return cdf[img]


def equalize_uint16_interp(img, nbins=64):
    hist, edges = np.histogram(img.ravel(), bins=nbins)
    centers = (edges[:-1] + edges[1:]) / 2
    cdf = hist.cumsum()
    cdf = cdf / cdf[-1]
    return np.interp(img.ravel(), centers, cdf).reshape(img.shape)


def equalize_bincount_lut(img):
    counts = np.bincount(img.ravel(), minlength=256)
    cdf = np.cumsum(counts).astype(np.float64)
    cdf_min = cdf[np.nonzero(counts)[0][0]]
    lut = np.round((cdf - cdf_min) / (img.size - cdf_min) * 255)
    lut = np.clip(lut, 0, 255).astype(np.uint8)
    return lut[img]


def match_histogram_uint8(source, reference):
    src_cdf = np.cumsum(np.bincount(source.ravel(), minlength=256)) / source.size
    ref_cdf = np.cumsum(np.bincount(reference.ravel(), minlength=256)) / reference.size
    lut = np.interp(src_cdf, ref_cdf, np.arange(256))
    return np.round(lut[source]).astype(np.uint8)


def true_colour_composite(bands, brightness=3.5):
    rgb = np.dstack([bands["red"], bands["green"], bands["blue"]]).astype(np.float32)
    rgb = rgb * L2_SCALE + L2_OFFSET
    rgb = np.clip(rgb * brightness, 0, 1)
    return (rgb * 255).round().astype(np.uint8)


def nanpercentile_stretch_all_bands(stack, p=(2, 98)):
    lo, hi = np.nanpercentile(stack, p, axis=(1, 2), keepdims=True)
    return np.clip((stack - lo) / (hi - lo), 0, 1)


def cumulative_count_cut(band, lo_frac=0.02, hi_frac=0.98):
    # QGIS-style: sort the values and read the cut points at the fractions
    v = np.sort(band, axis=None)
    n = v.size
    lo = v[int(lo_frac * (n - 1))]
    hi = v[int(hi_frac * (n - 1))]
    return np.clip((band - lo) * 255.0 / (hi - lo), 0, 255).astype(np.uint8)


def decorrelation_stretch(stack, target_sd=50.0):
    b = stack.shape[0]
    X = stack.reshape(b, -1).astype(np.float64)
    mu = X.mean(axis=1, keepdims=True)
    cov = np.cov(X)
    evals, evecs = np.linalg.eigh(cov)
    T = evecs @ np.diag(target_sd / np.sqrt(evals)) @ evecs.T
    Y = T @ (X - mu) + mu
    return Y.reshape(stack.shape)


def _u8img(s, n):
    return _rng(s).integers(20, 200, (n + 2, n + 3), dtype=np.uint8)


STRETCH = {
    "percent_clip_stretch_loop_uint8": (percent_clip_stretch_uint8, {}, lambda s, n: (
        _dn16(s, 3, n, n + 1),)),
    "stretch_ignoring_nodata_selection": (stretch_ignoring_nodata, {}, lambda s, n: (
        _holes(_dn16(s, n + 2, n + 2), s, 0, 0.2),)),
    "equalize_opencv_tutorial_masked_cdf": (equalize_opencv_tutorial, {}, lambda s, n: (
        _u8img(s, n),)),
    "equalize_uint16_interp": (equalize_uint16_interp, {}, lambda s, n: (_dn16(s, n, n + 3),)),
    "equalize_bincount_lut_first_nonzero": (equalize_bincount_lut, {}, lambda s, n: (
        _u8img(s, n),)),
    "match_histogram_uint8_cdf_interp": (match_histogram_uint8, {}, lambda s, n: (
        _u8img(s, n), _rng(s + 9).integers(0, 256, (n + 4, n + 1), dtype=np.uint8))),
    "true_colour_composite_dstack": (true_colour_composite, {}, lambda s, n: (_bands(s, n),)),
    "nanpercentile_stretch_keepdims": (nanpercentile_stretch_all_bands, {}, lambda s, n: (
        _holes(_refl(s, 3, n, n + 1).astype(float), s, np.nan, 0.2),)),
    "cumulative_count_cut_sort_none": (cumulative_count_cut, {}, lambda s, n: (
        _f(n + 1, n + 2, seed=s),)),
    "decorrelation_stretch_eigh": (decorrelation_stretch, {}, lambda s, n: (
        _refl(s, 3, n + 2, n + 2) * 100,)),
}


@pytest.mark.parametrize("name", _names(STRETCH))
def test_stretches_match_numpy(name):
    check_like_numpy(*STRETCH[name])


# ================================================================================ masked arrays

def ma_ndvi_returned(red, nir, nodata=0):
    red = np.ma.masked_equal(red, nodata)
    nir = np.ma.masked_equal(nir, nodata)
    return (nir.astype(float) - red) / (nir + red)


def ma_temporal_mean_composite(stack, cloudy):
    m = np.ma.masked_array(stack, mask=cloudy)
    return m.mean(axis=0).filled(np.nan), m.count(axis=0)


def ma_median_composite(stack, nodata=0):
    m = np.ma.masked_equal(stack, nodata)
    return np.ma.median(m, axis=0).filled(nodata)


def ma_dem_values_slope(dem, nodata=-9999.0):
    m = np.ma.masked_values(dem, nodata)
    z = m.filled(np.nan)
    gy, gx = np.gradient(z)
    slope = np.ma.masked_invalid(np.hypot(gx, gy))
    return slope.mean(), slope.filled(-1)


def ma_weighted_average_time(stack, weights, cloudy):
    m = np.ma.masked_array(stack, mask=cloudy)
    return np.ma.average(m, axis=0, weights=weights).filled(0)


def ma_compressed_percentiles(band):
    m = np.ma.masked_greater(band, 20000)
    v = m.compressed()
    return np.percentile(v, [2, 50, 98])


def ma_ufunc_log_domain(sigma0):
    m = np.ma.masked_less_equal(sigma0, 0)
    db = 10 * np.ma.log10(m)
    return db.filled(-99.0), db.min()


def ma_band_normalise_fill_value(stack, nodata=0):
    m = np.ma.masked_equal(stack, nodata).astype(np.float32)
    lo = m.min(axis=(1, 2))
    hi = m.max(axis=(1, 2))
    return ((m - lo[:, None, None]) / (hi - lo)[:, None, None]).filled(np.nan)


def ma_squared_fvc(ndvi, nodata=-9999.0):
    m = np.ma.masked_equal(ndvi, nodata)
    fvc = ((m - 0.05) / (0.85 - 0.05)) ** 2
    return fvc.filled(np.nan)


def ma_argmax_best_date(stack, cloudy):
    m = np.ma.masked_array(stack, mask=cloudy)
    return m.argmax(axis=0)


def ma_cumsum_valid(stack, cloudy):
    m = np.ma.masked_array(stack, mask=cloudy)
    return m.cumsum(axis=0).filled(0)


def ma_nodata_preserving_rescale(dem, nodata=-9999.0):
    # masked_values keeps the nodata value as the fill value, so filled() writes it back
    m = np.ma.masked_values(dem, nodata)
    feet = m * 3.28084
    return feet.filled(), np.ma.masked_equal(dem, nodata).filled()


def ma_min_max_composite_uint16(stack, nodata=0):
    m = np.ma.masked_equal(stack, nodata)
    return m.min(axis=0).filled(nodata), m.max(axis=0).filled(nodata)


def ma_scaled_reflectance_float32(dn, nodata=0):
    m = np.ma.masked_equal(dn, nodata).astype(np.float32)
    refl = m * 0.0001 - 0.1
    return refl.filled(np.nan)


def ma_add_cloud_to_mask(band, cloud, nodata=0):
    m = np.ma.masked_equal(band, nodata)
    m.mask = m.mask | cloud
    return m.mean(), m.count()


def ma_fill_gaps_with_mean(band, nodata=-9999.0):
    m = np.ma.masked_equal(band, nodata)
    return m.filled(m.mean())


def ma_mask_low_ndvi_again(ndvi, nodata=-9999.0):
    ndvi = np.ma.masked_equal(ndvi, nodata)
    ndvi = np.ma.masked_where(ndvi < 0.2, ndvi)
    return ndvi.mean(), ndvi.count()


def ma_clip_ndvi(red, nir, nodata=0):
    red = np.ma.masked_equal(red, nodata).astype(float)
    nir = np.ma.masked_equal(nir, nodata).astype(float)
    ndvi = np.clip((nir - red) / (nir + red), -1.0, 1.0)
    return ndvi.filled(-2.0)


def ma_stack_masked_bands(bands, nodata=0):
    layers = [np.ma.masked_equal(bands[k], nodata) for k in ("red", "green", "blue")]
    rgb = np.ma.stack(layers)
    return rgb.mean(axis=0).filled(0)


def ma_set_fill_value_output(dn, nodata=0):
    m = np.ma.masked_equal(dn, nodata).astype(np.float32) / 10000.0
    m.set_fill_value(-1.0)
    return m.filled()


def _cloudy(s, t, n, m):
    c = _rng(s + 50).random((t, n, m)) < 0.3
    c[0] = False
    return c


MASKED = {
    "ma_masked_values_fill_value_kept": _Xfail(
        "masked_values/masked_equal do not set fill_value=value: filled() gives 1e20 (or 999999 "
        "cast); NumPy writes the nodata value back", ma_nodata_preserving_rescale, {},
        lambda s, n: (_with_nodata_value(_dem(s, n), s, frac=0.2),)),
    "ma_min_max_axis_uint16": _Xfail(
        "MaskedArray.min/max(axis=0) of a uint16 masked array raises OverflowError (Python "
        "integer 999999 out of bounds for uint16); NumPy reduces", ma_min_max_composite_uint16,
        {}, lambda s, n: (_holes(_dn16(s, 4, n, n), s, 0, 0.3),)),
    "ma_float32_times_python_float": _Xfail(
        "masked float32 * 0.0001 - 0.1 comes back float32; np.ma turns the Python floats into "
        "0-d float64 arrays and NumPy gives float64", ma_scaled_reflectance_float32, {},
        lambda s, n: (_holes(_dn16(s, n, n + 1), s, 0, 0.2),)),
    "ma_mask_attribute_or_assign": _Xfail(
        "`m.mask = m.mask | cloud` raises AttributeError (TracedMaskedArray.mask has no setter); "
        "NumPy sets the mask", ma_add_cloud_to_mask, {}, lambda s, n: (
            _holes(_dn16(s, n, n), s, 0, 0.2), _rng(s).random((n, n)) < 0.2)),
    "ma_filled_with_traced_mean": _Xfail(
        "m.filled(m.mean()) raises ConcretizationError; NumPy fills with the mean",
        ma_fill_gaps_with_mean, {}, lambda s, n: (
            _with_nodata_value(_f(n, n + 1, seed=s), s),)),
    "ma_masked_where_masked_condition": _Xfail(
        "np.ma.masked_where(ndvi < 0.2, ndvi) of a masked ndvi (a masked condition) raises "
        "UnsupportedFunctionError; NumPy masks both", ma_mask_low_ndvi_again, {}, lambda s, n: (
            _with_nodata_value(_rng(s).uniform(-0.2, 0.9, (n, n)), s),)),
    "ma_np_clip_masked": _Xfail(
        "np.clip of a masked array raises UnsupportedFunctionError; NumPy clips the data and "
        "keeps the mask", ma_clip_ndvi, {}, lambda s, n: (
            _holes(_dn16(s, n, n), s), _holes(_dn16(s + 1, n, n), s + 1))),
    "ma_stack_list_of_masked": _Xfail(
        "np.ma.stack of masked arrays raises UnsupportedFunctionError ('converted to a plain "
        "array'); NumPy stacks data and masks", ma_stack_masked_bands, {}, lambda s, n: (
            {k: _holes(v, s + 3) for k, v in _bands(s, n).items()},)),
    "ma_set_fill_value_method": _Xfail(
        "MaskedArray.set_fill_value raises UnsupportedFunctionError (m.fill_value = v "
        "traces); NumPy sets it", ma_set_fill_value_output, {}, lambda s, n: (
            _holes(_dn16(s, n, n), s, 0, 0.2),)),
    "ma_ndvi_returned_masked_array": (ma_ndvi_returned, {}, lambda s, n: (
        _holes(_dn16(s, n, n), s), _holes(_dn16(s + 1, n, n), s + 1))),
    "ma_temporal_mean_composite": (ma_temporal_mean_composite, {}, lambda s, n: (
        _refl(s, 4, n, n), _cloudy(s, 4, n, n))),
    "ma_median_composite_uint16": (ma_median_composite, {}, lambda s, n: (
        np.concatenate([_holes(_dn16(s, 4, n, n), s, 0, 0.3), _dn16(s + 1, 1, n, n)]),)),
    "ma_dem_masked_values_slope": (ma_dem_values_slope, {}, lambda s, n: (
        _with_nodata_value(_dem(s, n), s, frac=0.1),)),
    "ma_weighted_average_time": (ma_weighted_average_time, {}, lambda s, n: (
        _refl(s, 4, n, n).astype(float), np.array([1.0, 2.0, 3.0, 4.0]), _cloudy(s, 4, n, n))),
    "ma_compressed_percentiles": (ma_compressed_percentiles, {}, lambda s, n: (
        _dn16(s, n + 2, n + 2, lo=5000, hi=25000),)),
    "ma_log10_domain_db": (ma_ufunc_log_domain, {}, lambda s, n: (
        _rng(s).uniform(-0.02, 0.3, (n, n + 1)),)),
    "ma_band_normalise_axis_tuple": (ma_band_normalise_fill_value, {}, lambda s, n: (
        _holes(_dn16(s, 3, n, n + 1), s, 0, 0.2),)),
    "ma_squared_fvc_power": _Xfail(
        "`m ** 2` of an np.ma masked array raises UnsupportedFunctionError; NumPy squares the "
        "data and keeps the mask", ma_squared_fvc, {}, lambda s, n: (
            _with_nodata_value(_rng(s).uniform(0.0, 0.9, (n, n)), s),)),
    "ma_argmax_best_date": (ma_argmax_best_date, {}, lambda s, n: (
        _refl(s, 4, n, n), _cloudy(s, 4, n, n))),
    "ma_cumsum_valid": _Xfail(
        "MaskedArray.cumsum(axis=0) raises UnsupportedFunctionError; NumPy accumulates with "
        "masked entries as 0 and keeps the mask", ma_cumsum_valid, {}, lambda s, n: (
            _refl(s, 4, n, n), _cloudy(s, 4, n, n))),
}


@pytest.mark.parametrize("name", _names(MASKED))
def test_masked_arrays_match_numpy(name):
    check_like_numpy(*MASKED[name])


# ====================================================================== time series and phenology

def harmonic_regression(stack, doy, n_harmonics):
    # CCDC-style: a design matrix of cos/sin terms, one lstsq for every pixel at once
    t = 2 * np.pi * doy / 365.25
    cols = [np.ones_like(t), t]
    for k in range(1, n_harmonics + 1):
        cols += [np.cos(k * t), np.sin(k * t)]
    X = np.column_stack(cols)
    Y = stack.reshape(stack.shape[0], -1)
    beta, *_ = np.linalg.lstsq(X, Y, rcond=None)
    fitted = (X @ beta).reshape(stack.shape)
    amp = np.hypot(beta[2], beta[3]).reshape(stack.shape[1:])
    phase = np.arctan2(beta[3], beta[2]).reshape(stack.shape[1:])
    return fitted, amp, phase


def savgol_smooth_series(stack, window=5, order=2):
    from scipy.signal import savgol_filter
    return savgol_filter(stack, window, order, axis=0, mode="interp")


def fft_harmonics_amplitude(stack, n_keep):
    spec = np.fft.rfft(stack, axis=0)
    amp = np.abs(spec[1:n_keep + 1]) * 2 / stack.shape[0]
    phase = np.angle(spec[1:n_keep + 1])
    spec[n_keep + 1:] = 0
    return amp, phase, np.fft.irfft(spec, n=stack.shape[0], axis=0)


def start_of_season(ndvi, doy, frac=0.5):
    lo = ndvi.min(axis=0)
    hi = ndvi.max(axis=0)
    thr = lo + frac * (hi - lo)
    above = ndvi >= thr
    sos_idx = np.argmax(above, axis=0)
    eos_idx = ndvi.shape[0] - 1 - np.argmax(above[::-1], axis=0)
    return doy[sos_idx], doy[eos_idx], doy[eos_idx] - doy[sos_idx]


def gap_fill_interp_loop(series, valid):
    out = series.copy()
    t = np.arange(series.shape[0])
    for j in range(series.shape[1]):
        ok = valid[:, j]
        out[~ok, j] = np.interp(t[~ok], t[ok], series[ok, j])
    return out


def linear_gap_fill_forward(stack):
    # carry the last valid observation forward through NaNs (a loop over dates)
    out = stack.copy()
    for t in range(1, out.shape[0]):
        gap = np.isnan(out[t])
        out[t][gap] = out[t - 1][gap]
    return out


def _doys(k):
    return np.linspace(5, 360, k)


TIMESERIES = {
    "harmonic_regression_lstsq_all_pixels": (harmonic_regression, {"n_harmonics": 2},
                                             lambda s, n: (_f(10, n, n, seed=s), _doys(10))),
    "savgol_smooth_series_axis0": (savgol_smooth_series, {}, lambda s, n: (
        _f(9, n, n + 1, seed=s),)),
    "fft_harmonics_amplitude_irfft": (fft_harmonics_amplitude, {"n_keep": 2}, lambda s, n: (
        _f(12, n, n, seed=s),)),
    "start_of_season_argmax_threshold": (start_of_season, {}, lambda s, n: (
        _f(10, n, n + 1, seed=s), _doys(10))),
    "gap_fill_interp_loop_pixels": (gap_fill_interp_loop, {}, lambda s, n: (
        _f(8, n, seed=s), np.vstack([np.ones((1, n), bool), _rng(s).random((6, n)) > 0.3,
                                     np.ones((1, n), bool)]))),
    "forward_fill_nan_loop_view_write": (linear_gap_fill_forward, {}, lambda s, n: (
        np.concatenate([_f(1, n, n, seed=s), _holes(_f(5, n, n, seed=s + 1), s, np.nan, 0.3)]),)),
}


@pytest.mark.parametrize("name", _names(TIMESERIES))
def test_time_series_match_numpy(name):
    check_like_numpy(*TIMESERIES[name])


# ===================================================================== SAR and texture features

def lee_filter(img, size=5):
    mean = ndimage.uniform_filter(img, size)
    sqr_mean = ndimage.uniform_filter(img ** 2, size)
    var = sqr_mean - mean ** 2
    overall_var = np.var(img)
    weights = var / (var + overall_var)
    return mean + weights * (img - mean)


def sigma0_db_and_rvi(vv, vh):
    vv_db = 10.0 * np.log10(np.maximum(vv, 1e-10))
    vh_db = 10.0 * np.log10(np.maximum(vh, 1e-10))
    rvi = 4 * vh / (vv + vh)
    ratio_db = vv_db - vh_db
    return np.stack([vv_db, vh_db, ratio_db]).astype(np.float32), rvi


def calibrate_sigma0_lut(dn, lut_cols, lut_vals):
    # Sentinel-1 calibration: sigma0 = |DN|^2 / A^2, A interpolated across the range columns
    cols = np.arange(dn.shape[1])
    a = np.interp(cols, lut_cols, lut_vals)
    return (dn.astype(np.float64) ** 2) / a[None, :] ** 2


def glcm_features(img_u8, levels=8, dr=0, dc=1):
    q = (img_u8.astype(np.int64) * levels) // 256
    h, w = q.shape
    a = q[max(0, -dr):h - max(0, dr), max(0, -dc):w - max(0, dc)]
    b = q[max(0, dr):h - max(0, -dr) if dr < 0 else h, max(0, dc):w]
    b = b[:a.shape[0], :a.shape[1]]
    glcm = np.zeros((levels, levels))
    np.add.at(glcm, (a.ravel(), b.ravel()), 1)
    glcm = glcm + glcm.T
    p = glcm / glcm.sum()
    i, j = np.indices((levels, levels))
    contrast = np.sum(p * (i - j) ** 2)
    homogeneity = np.sum(p / (1.0 + np.abs(i - j)))
    energy = np.sqrt(np.sum(p ** 2))
    nz = p > 0
    entropy = -np.sum(p[nz] * np.log2(p[nz]))
    return {"contrast": contrast, "homogeneity": homogeneity, "energy": energy,
            "entropy": entropy}


def gaussian_kernel_convolve(img, sigma=1.0, radius=2):
    x = np.arange(-radius, radius + 1)
    g = np.exp(-x ** 2 / (2 * sigma ** 2))
    k = np.outer(g, g)
    k /= k.sum()
    p = np.pad(img, radius, mode="reflect")
    win = sliding_window_view(p, k.shape)
    return np.einsum("ijkl,kl->ij", win, k)


def majority_filter_generic(classes):
    def majority(w):
        return np.bincount(w.astype(np.int64), minlength=6).argmax()
    return ndimage.generic_filter(classes, majority, size=3, mode="nearest")


def morphology_clean_classes(water):
    opened = ndimage.binary_opening(water, structure=np.ones((3, 3)))
    closed = ndimage.binary_closing(opened, iterations=1)
    return closed, ndimage.binary_fill_holes(closed)


def remove_small_clouds_label(cloud, min_size):
    labels, n = ndimage.label(cloud)
    sizes = np.bincount(labels.ravel(), minlength=labels.size + 1)
    small = sizes < min_size
    small[0] = False
    out = cloud.copy()
    out[small[labels]] = False
    return out


def _sar(s, n):
    return _rng(s).gamma(4.0, 0.05, (n + 2, n + 3))


SAR_TEXTURE = {
    "lee_filter_uniform": (lee_filter, {}, lambda s, n: (_sar(s, n),)),
    "sigma0_db_rvi_float32_stack": (sigma0_db_and_rvi, {}, lambda s, n: (
        _sar(s, n), _sar(s + 1, n) / 5)),
    "calibrate_sigma0_lut_interp": (calibrate_sigma0_lut, {}, lambda s, n: (
        _rng(s).integers(1, 500, (n, 2 * n)).astype(np.uint16), np.array([0.0, 3.0, 20.0]),
        np.array([500.0, 520.0, 560.0]))),
    "glcm_features_add_at_dict": (glcm_features, {}, lambda s, n: (_u8img(s, n),)),
    "gaussian_kernel_convolve_swv": (gaussian_kernel_convolve, {}, lambda s, n: (
        _f(n + 1, n + 2, seed=s),)),
    "majority_filter_generic_filter_bincount": (majority_filter_generic, {}, lambda s, n: (
        _i(6, n + 1, n + 1, seed=s),)),
    "morphology_open_close_fill": (morphology_clean_classes, {}, lambda s, n: (
        _rng(s).random((n + 4, n + 4)) > 0.4,)),
    "remove_small_clouds_label_bincount": (remove_small_clouds_label, {"min_size": 3},
                                           lambda s, n: (_rng(s).random((n + 2, n + 2)) > 0.6,)),
}


@pytest.mark.parametrize("name", _names(SAR_TEXTURE))
def test_sar_and_texture_match_numpy(name):
    check_like_numpy(*SAR_TEXTURE[name])


# =========================================================== supervised classification

def pca_valid_pixels(stack, nodata=0):
    valid = np.all(stack != nodata, axis=0)
    X = stack[:, valid].astype(np.float64)
    cov = np.cov(X)
    evals = np.linalg.eigvalsh(cov)[::-1]
    return evals / evals.sum()


def regression_on_training_pixels(stack, labels):
    # labels > 0 are training pixels; fit a linear model of the label on the bands
    train = labels > 0
    X = stack[:, train].T
    y = labels[train].astype(np.float64)
    A = np.column_stack([X, np.ones(X.shape[0])])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    return coef


def class_covariance_pixels_last(stack, valid):
    pixels = np.moveaxis(stack, 0, -1)[valid]
    return pixels.mean(axis=0), np.cov(pixels, rowvar=False)


def minimum_distance_classifier(stack, labels, n_classes):
    b = stack.shape[0]
    X = stack.reshape(b, -1)
    means = np.stack([stack[:, labels == k + 1].mean(axis=1) for k in range(n_classes)])
    d = ((X[None] - means[:, :, None]) ** 2).sum(axis=1)
    return d.argmin(axis=0).reshape(labels.shape) + 1


def gaussian_ml_classifier(stack, labels, n_classes):
    pix = stack.reshape(stack.shape[0], -1).T
    y = labels.ravel()
    scores = []
    for k in range(1, n_classes + 1):
        train = pix[y == k]
        mu = train.mean(axis=0)
        cov = np.cov(train, rowvar=False) + 1e-6 * np.eye(pix.shape[1])
        d = pix - mu
        maha = np.einsum("ij,jk,ik->i", d, np.linalg.inv(cov), d)
        scores.append(-0.5 * (np.linalg.slogdet(cov)[1] + maha))
    return (np.argmax(scores, axis=0) + 1).reshape(labels.shape)


def kmeans_isodata_fixed(stack, init_idx, n_iter):
    X = stack.reshape(stack.shape[0], -1).T
    centers = X[list(init_idx)]
    for _ in range(n_iter):
        d = ((X[:, None, :] - centers[None]) ** 2).sum(axis=-1)
        lab = d.argmin(axis=1)
        centers = np.array([X[lab == k].mean(axis=0) for k in range(len(init_idx))])
    return lab.reshape(stack.shape[1:]), centers


def _training(s, n, k=3):
    lab = _rng(s).integers(0, k + 1, (n + 1, n + 2))
    lab.ravel()[:2 * k + 2] = np.repeat(np.arange(k + 1), 2)
    return lab


CLASSIFY = {
    "pca_valid_pixels_cov_of_selection": _Xfail(
        "np.cov(stack[:, valid]) (bands x valid pixels, a 2-d mask) raises "
        "DataDependentShapeError; NumPy's (bands, bands) covariance", pca_valid_pixels, {},
        lambda s, n: (_holes(_dn16(s, 3, n + 1, n + 1), s, 0, 0.1),)),
    "regression_on_training_pixels_T": _Xfail(
        "stack[:, train].T raises DataDependentShapeError ('.T of x[mask]'), so a lstsq on the "
        "training pixels cannot trace; NumPy fits (bands + 1) coefficients",
        regression_on_training_pixels, {}, lambda s, n: (
            _refl(s, 3, n + 1, n + 2).astype(float), _training(s, n))),
    "class_covariance_moveaxis_2d_mask": _Xfail(
        "np.cov(pixels, rowvar=False) of np.moveaxis(stack, 0, -1)[valid] (a 2-d mask) raises "
        "DataDependentShapeError; a 1-d mask traces; NumPy: (bands, bands)",
        class_covariance_pixels_last, {}, lambda s, n: (
            _refl(s, 3, n, n + 1).astype(float), _rng(s).random((n, n + 1)) > 0.3)),
    "minimum_distance_classifier": (minimum_distance_classifier, {"n_classes": 3},
                                    lambda s, n: (_refl(s, 4, n + 1, n + 2), _training(s, n))),
    "gaussian_ml_classifier_slogdet": (gaussian_ml_classifier, {"n_classes": 3}, lambda s, n: (
        _refl(s, 3, n + 1, n + 2).astype(float), _training(s, n))),
    "kmeans_isodata_fixed_iterations": (kmeans_isodata_fixed, {
        "init_idx": (0, 5, 11), "n_iter": 3}, lambda s, n: (
            _refl(s, 3, n, n + 2).astype(float),)),
}


@pytest.mark.parametrize("name", _names(CLASSIFY))
def test_supervised_classification_matches_numpy(name):
    check_like_numpy(*CLASSIFY[name])


# ================================================================== more forms from scripts

def flow_accumulation_sorted_where(dem):
    # the same without an `if`: sinks send their area to a dummy cell past the end
    h, w = dem.shape
    z = np.pad(dem, 1, mode="constant", constant_values=np.inf)
    drops = np.stack([(dem - z[1 + dr:1 + dr + h, 1 + dc:1 + dc + w]) / np.hypot(dr, dc)
                      for dr, dc in D8_OFFSETS])
    k = drops.argmax(axis=0)
    rr = np.arange(h)[:, None] + np.array(D8_OFFSETS)[k, 0]
    cc = np.arange(w)[None, :] + np.array(D8_OFFSETS)[k, 1]
    recv = np.where(drops.max(axis=0) <= 0, h * w, rr * w + cc).ravel()
    acc = np.ones(h * w + 1)
    for idx in np.argsort(dem, axis=None)[::-1]:
        acc[recv[idx]] += acc[idx]
    return acc[:-1].reshape(h, w)


def block_view_as_strided(arr, f):
    from numpy.lib.stride_tricks import as_strided
    h, w = arr.shape
    s0, s1 = arr.strides
    blocks = as_strided(arr, shape=(h // f, w // f, f, f), strides=(f * s0, f * s1, s0, s1))
    return blocks.mean(axis=(2, 3)), blocks.max(axis=(2, 3))


def scale_bands_in_place(bands, scale=2.75e-05, offset=-0.2):
    for k in bands:
        bands[k] *= scale
        bands[k] += offset
    return sum(bands.values()) / len(bands)


def clip_in_place_out(refl):
    np.clip(refl, 0.0, 1.0, out=refl)
    np.nan_to_num(refl, copy=False, nan=0.0)
    return refl.mean()


def reduce_logical_or_masks(qa):
    from functools import reduce
    masks = [(qa >> b) & 1 == 1 for b in (1, 2, 3, 4)]
    return reduce(np.logical_or, masks), sum(m.astype(np.uint8) for m in masks)


def apply_along_axis_pixel_fit(stack, t):
    def slope(y):
        return np.polyfit(t, y, 1)[0]
    return np.apply_along_axis(slope, 0, stack)


def vectorize_classifier_otypes(ndvi):
    def classify(v):
        if v < 0.0:
            return 0
        elif v < 0.3:
            return 1
        return 2
    return np.vectorize(classify, otypes=[np.uint8])(ndvi)


def acquisition_doy(dates):
    years = dates.astype("datetime64[Y]")
    doy = (dates - years).astype("timedelta64[D]").astype(int) + 1
    decimal_year = years.astype(int) + 1970 + (doy - 0.5) / 365.25
    return doy, decimal_year


def nearest_acquisition(dates, target):
    d = np.abs((dates - target).astype("timedelta64[D]").astype(np.int64))
    return np.argmin(d), d.min()


INDEX_FUNCS = {
    "ndvi": lambda b: (b["nir"] - b["red"]) / (b["nir"] + b["red"]),
    "evi": lambda b: 2.5 * (b["nir"] - b["red"]) / (b["nir"] + 6 * b["red"] - 7.5 * b["blue"]
                                                    + 1),
    "ndwi": lambda b: (b["green"] - b["nir"]) / (b["green"] + b["nir"]),
}


def indices_from_lambda_table(refl, names=("ndvi", "evi", "ndwi")):
    return np.stack([INDEX_FUNCS[k](refl) for k in names]).astype(np.float32)


def math_module_sun_geometry(band, sun_elevation, sun_azimuth):
    import math
    zen = math.radians(90.0 - sun_elevation)
    scale = 1.0 / math.cos(zen)
    mean = float(band.mean())
    rel = band / mean * math.cos(math.radians(sun_azimuth - 180.0))
    return band * scale, rel, scale, mean


def hottest_pixel_unravel(lst):
    r, c = np.unravel_index(np.argmax(lst), lst.shape)
    window = lst[max(r - 1, 0):r + 2, max(c - 1, 0):c + 2]
    return (r, c), lst[r, c], window.mean()


def feature_space_histogram2d(red, nir):
    h, xe, ye = np.histogram2d(red.ravel(), nir.ravel(), bins=8, range=[[0, 0.6], [0, 0.6]])
    return np.log1p(h), xe


def int16_floor_vs_trunc(dem_i16, interval=25):
    floor_band = (dem_i16 // interval) * interval
    trunc_band = np.fix(dem_i16 / interval).astype(np.int16) * interval
    return floor_band, trunc_band, np.mod(dem_i16, interval)


def float16_storage(refl):
    half = refl.astype(np.float16)
    return half, (half.astype(np.float32) - refl).max()


def putmask_place_copyto(band, cloud, shadow, fill):
    out = band.copy()
    np.putmask(out, cloud, 0)
    np.place(out, shadow, fill)
    np.copyto(out, np.zeros_like(out) + 1, where=(band < 10000) & ~cloud & ~shadow)
    return out


def convolve2d_symm_edges(img):
    from scipy.signal import convolve2d
    k = np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=float)
    return convolve2d(img, k, mode="same", boundary="symm")


def einsum_ellipsis_band_weights(stack, weights):
    return np.einsum("...bij,b->...ij", stack, weights)


def write_qa_bits_in_place(qa, cloud, shadow):
    qa &= np.uint16(~((1 << 3) | (1 << 4)) & 0xFFFF)
    qa |= cloud.astype(np.uint16) << 3
    qa |= shadow.astype(np.uint16) << 4
    return np.bitwise_count(qa).sum()


def _dates(s, n):
    base = np.datetime64("2019-01-01")
    return base + np.sort(_rng(s).choice(700, n + 2, replace=False)).astype("timedelta64[D]")


MORE = {
    "flow_accumulation_sorted_loop_dummy_cell": (flow_accumulation_sorted_where, {},
                                                 lambda s, n: (_dem(s, n - 2, n),)),
    "block_view_as_strided": (block_view_as_strided, {"f": 2}, lambda s, n: (
        _f(n, n + 2, seed=s),)),
    "scale_bands_dict_in_place": (scale_bands_in_place, {}, lambda s, n: (
        {k: v.astype(np.float64) for k, v in _bands(s, n).items()},)),
    "clip_out_nan_to_num_copy_false": (clip_in_place_out, {}, lambda s, n: (
        _holes(_rng(s).uniform(-0.2, 1.3, (n, n)), s, np.nan, 0.2),)),
    "reduce_logical_or_python_sum": (reduce_logical_or_masks, {}, lambda s, n: (_qa(s, n, n),)),
    "apply_along_axis_pixel_polyfit": (apply_along_axis_pixel_fit, {}, lambda s, n: (
        _f(6, n, n, seed=s), np.arange(6.0))),
    "vectorize_if_elif_otypes_uint8": (vectorize_classifier_otypes, {}, lambda s, n: (
        _rng(s).uniform(-0.5, 0.9, (n, n)),)),
    "acquisition_doy_datetime64": (acquisition_doy, {}, lambda s, n: (_dates(s, n),)),
    "nearest_acquisition_timedelta": (nearest_acquisition, {}, lambda s, n: (
        _dates(s, n), np.datetime64("2019-07-15"))),
    "indices_from_lambda_table": (indices_from_lambda_table, {}, lambda s, n: (
        {k: _refl(s + j, n, n) for j, k in enumerate(("blue", "green", "red", "nir"))},)),
    "math_module_on_traced_mean": (math_module_sun_geometry, {}, lambda s, n: (
        _refl(s, n, n).astype(float), 40.0 + s, 130.0)),
    "hottest_pixel_unravel_window": _Xfail(
        "x[max(r - 1, 0):r + 2, max(c - 1, 0):c + 2].mean() with traced r, c (bounds on two "
        "axes) raises ConcretizationError; one axis traces as a selection; NumPy: the mean",
        hottest_pixel_unravel, {}, lambda s, n: (
            _f(n + 2, n + 2, seed=s),)),
    "feature_space_histogram2d": (feature_space_histogram2d, {}, lambda s, n: (
        _refl(s, n, n + 1, hi=0.55).astype(float), _refl(s + 1, n, n + 1, hi=0.55).astype(float))),
    "int16_floor_vs_trunc_negative": (int16_floor_vs_trunc, {}, lambda s, n: (
        _rng(s).integers(-400, 400, (n, n)).astype(np.int16),)),
    "float16_storage_roundtrip": (float16_storage, {}, lambda s, n: (_refl(s, n, n),)),
    "putmask_place_copyto_where": (putmask_place_copyto, {}, lambda s, n: (
        _dn16(s, n, n + 1, lo=0, hi=20000), _rng(s).random((n, n + 1)) < 0.2,
        _rng(s + 1).random((n, n + 1)) < 0.2, np.array([7, 9], dtype=np.uint16))),
    "convolve2d_symm_laplacian": (convolve2d_symm_edges, {}, lambda s, n: (
        _f(n + 1, n + 2, seed=s),)),
    "einsum_ellipsis_band_weights": (einsum_ellipsis_band_weights, {}, lambda s, n: (
        _refl(s, 2, 4, n, n), np.array([0.1, 0.2, 0.3, 0.4], dtype=np.float32))),
    "write_qa_bits_in_place_bitwise_count": (write_qa_bits_in_place, {}, lambda s, n: (
        _qa(s, n, n), _rng(s).random((n, n)) < 0.3, _rng(s + 1).random((n, n)) < 0.3)),
}


@pytest.mark.parametrize("name", _names(MORE))
def test_more_forms_match_numpy(name):
    check_like_numpy(*MORE[name])


# ============================================================== refused: data-dependent Python

def fill_sinks_until_stable(dem):
    # Planchon-Darboux-like: raise every pit to its lowest neighbour until nothing changes
    z = dem.copy()
    while True:
        p = np.pad(z, 1, mode="edge")
        h, w = z.shape
        nb = np.min([p[1 + dr:1 + dr + h, 1 + dc:1 + dc + w] for dr, dc in D8_OFFSETS], axis=0)
        pit = z < nb
        pit[0, :] = pit[-1, :] = pit[:, 0] = pit[:, -1] = False
        if not pit.any():
            return z
        z = np.where(pit, nb, z)


def skip_cloudy_scene(band, qa, max_cloud=0.3):
    cloud_frac = np.mean((qa & (1 << 3)) != 0)
    if cloud_frac > max_cloud:
        return None
    return np.where((qa & (1 << 3)) != 0, 0, band)


def cloud_pixel_coordinates(qa):
    rows, cols = np.nonzero((qa >> 3) & 1)
    return np.column_stack([rows, cols])


def valid_pixel_values(band, nodata=0):
    return band[band != nodata]


def landcover_classes_present(lc):
    classes, counts = np.unique(lc, return_counts=True)
    return dict(zip(classes.tolist(), counts.tolist()))


def otsu_python_loop(img):
    hist = np.bincount(img.ravel(), minlength=256).astype(float)
    best_t, best_var = 0, -1.0
    total = hist.sum()
    for t in range(1, 256):
        w0 = hist[:t].sum() / total
        w1 = 1 - w0
        if w0 == 0 or w1 == 0:
            continue
        m0 = (np.arange(t) * hist[:t]).sum() / hist[:t].sum()
        m1 = (np.arange(t, 256) * hist[t:]).sum() / hist[t:].sum()
        var = w0 * w1 * (m0 - m1) ** 2
        if var > best_var:
            best_t, best_var = t, var
    return best_t


def region_grow_from_seed(dem, seed_rc, tol):
    h, w = dem.shape
    grown = np.zeros(dem.shape, dtype=bool)
    stack = [seed_rc]
    ref = dem[seed_rc]
    while stack:
        r, c = stack.pop()
        if grown[r, c] or abs(dem[r, c] - ref) > tol:
            continue
        grown[r, c] = True
        for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0)):
            if 0 <= r + dr < h and 0 <= c + dc < w:
                stack.append((r + dr, c + dc))
    return grown


def label_then_all_sizes(mask):
    labels, n = ndimage.label(mask)
    return ndimage.sum_labels(mask, labels, index=np.arange(1, n + 1))


def cloud_bounding_boxes(cloud):
    labels, n = ndimage.label(cloud)
    return [(s[0].start, s[0].stop, s[1].start, s[1].stop) for s in ndimage.find_objects(labels)]


def coregister_phase_correlation(ref, mov):
    R = np.fft.fft2(ref) * np.conj(np.fft.fft2(mov))
    corr = np.fft.ifft2(R / (np.abs(R) + 1e-12)).real
    dy, dx = np.unravel_index(np.argmax(corr), corr.shape)
    h, w = corr.shape
    dy = dy - h if dy > h // 2 else dy
    dx = dx - w if dx > w // 2 else dx
    return np.roll(mov, (dy, dx), axis=(0, 1))


def flow_accumulation_if_receiver(dem):
    h, w = dem.shape
    z = np.pad(dem, 1, mode="constant", constant_values=np.inf)
    drops = np.stack([(dem - z[1 + dr:1 + dr + h, 1 + dc:1 + dc + w]) / np.hypot(dr, dc)
                      for dr, dc in D8_OFFSETS])
    k = drops.argmax(axis=0)
    rr = np.arange(h)[:, None] + np.array(D8_OFFSETS)[k, 0]
    cc = np.arange(w)[None, :] + np.array(D8_OFFSETS)[k, 1]
    recv = np.where(drops.max(axis=0) <= 0, -1, rr * w + cc).ravel()
    acc = np.ones(h * w)
    for idx in np.argsort(dem.ravel())[::-1]:
        if recv[idx] >= 0:
            acc[recv[idx]] += acc[idx]
    return acc.reshape(h, w)


def vectorize_branching_classifier(ndvi):
    def classify(v):
        if v < 0.0:
            return 0
        elif v < 0.3:
            return 1
        return 2
    return np.vectorize(classify)(ndvi)


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "fill_sinks_while_true_any": (_Concretization, fill_sinks_until_stable, lambda s: (
        _f(6, 7, seed=s),)),
    "skip_cloudy_scene_if": (_Concretization, skip_cloudy_scene, lambda s: (
        _dn16(s, 5, 5), _qa(s, 5, 5))),
    "cloud_pixel_coordinates_nonzero": (_DataDependent, cloud_pixel_coordinates, lambda s: (
        _qa(s, 5, 6),)),
    "valid_pixel_values_returned": (_DataDependent, valid_pixel_values, lambda s: (
        _holes(_dn16(s, 5, 5), s),)),
    "landcover_classes_np_unique_dict": (_DataDependent, landcover_classes_present, lambda s: (
        _i(5 + s, 6, 6, seed=s),)),
    "otsu_python_loop_if": (_Concretization, otsu_python_loop, lambda s: (
        _rng(s).integers(0, 256, (6, 6), dtype=np.uint8),)),
    "region_grow_while_stack": (_Concretization, region_grow_from_seed, lambda s: (
        _dem(s, 3), (2, 2), 15.0)),
    "label_then_sizes_arange_n": (_DataDependent, label_then_all_sizes, lambda s: (
        _rng(s).random((6, 6)) > 0.5,)),
    "cloud_bounding_boxes_find_objects": (_Concretization, cloud_bounding_boxes, lambda s: (
        _rng(s).random((6, 6)) > 0.6,)),
    "coregister_phase_correlation_if": (_Concretization, coregister_phase_correlation,
                                        lambda s: (_f(8, 8, seed=s), _f(8, 8, seed=s + 1))),
    "flow_accumulation_if_receiver": (_Concretization, flow_accumulation_if_receiver,
                                      lambda s: (_dem(s, 3, 5),)),
    "vectorize_branching_no_otypes": (_Concretization, vectorize_branching_classifier,
                                      lambda s: (_rng(s).uniform(-0.5, 0.9, (4, 4)),)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Sink filling until stable, scene skipping by `if`, cloud coordinates by `np.nonzero`,
    valid pixels and classes present returned, Otsu and region growing in Python, f-string
    reports, `bins="auto"`, labelled sizes over `range(n)` and `find_objects`, co-registration
    shifts folded by `if`, flow accumulation guarded by `if` and `np.vectorize` without
    `otypes`: the named error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
