"""SciPy's filters, transforms and special functions of traced arrays (`Op.HOST`, routed by
`tracenp/numpy_api/scipy_host.py`): SciPy's own values, dtypes, shapes and result types
(`assert_same`, float64 at rtol 1e-12), inside fused graphs, under each import form; SciPy's
errors at trace time; the refusals; and the gradients, against central finite differences."""

import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
import scipy.fft as sf
import scipy.fftpack as sf_pack
import scipy.ndimage as nd
import scipy.linalg as sl
import scipy.signal as sg
import scipy.special as sp
import scipy.stats as st
from scipy.cluster import hierarchy as hc
from scipy.cluster import vq

import tracenp
from test_grad import check_grads
from test_ops import assert_same
from tracenp.errors import DataDependentShapeError, UnsupportedFunctionError
from tracenp.ops import Op

_R = np.random.default_rng(11)
X = _R.standard_normal(64)
X32 = X.astype(np.float32)
IMG = _R.standard_normal((12, 10))
VOL = _R.standard_normal((6, 5, 4))
POS = _R.uniform(0.2, 3.0, 20)
UNIT = _R.uniform(0.05, 0.95, 20)
SOS = sg.butter(4, 0.2, output="sos")
B, A = sg.butter(3, 0.3)
ORIGINALS = (sg.lfilter,)  # SciPy's own, which a trace must hand back when it ends (in a
# tuple: a SciPy function among this module's globals would put SciPy's modules in reach of
# the traced functions, whose names bound to routed functions a trace replaces)


def check(fn, *args, rtol=1e-12):
    """`jit(fn)` gives SciPy's result (type, dtype, shape, values), or raises its error."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = fn(*args)
        except Exception as e:  # noqa: BLE001 - the oracle's error is the expected one
            with pytest.raises(type(e)):
                tracenp.jit(fn)(*args)
            return
        got = tracenp.jit(fn)(*args)
    assert_same(got, want, rtol=rtol)


def host_nodes(fn, *args) -> list:
    """The HOST nodes of `fn`'s traced graph."""
    graph = tracenp.jit(fn).graph(*args)
    return [n for n in graph.nodes() if n.op is Op.HOST]


# ----------------------------------------------------------------------------- scipy.signal

SIGNAL = {
    "deconvolve": (lambda x: sg.deconvolve(np.convolve(x, [1.0, 0.4, 0.1]), [1.0, 0.4, 0.1]), X),
    "lfilter": (lambda x: sg.lfilter([0.2, 0.3], [1, -0.5], x), X),
    "lfilter_butter": (lambda x: sg.lfilter(B, A, x), X),
    "lfilter_zi": (lambda x: sg.lfilter(B, A, x, zi=sg.lfilter_zi(B, A) * 0.5), X),
    "lfilter_axis0": (lambda x: sg.lfilter(B, A, x, axis=0), IMG),
    "lfilter_traced_coefficients": (lambda x: sg.lfilter([x[0] * 0.1, 0.3], [1.0, -0.5], x), X),
    "lfilter_f32": (lambda x: sg.lfilter(np.float32([0.5, 0.5]), np.float32([1.0]), x), X32),
    "filtfilt": (lambda x: sg.filtfilt(B, A, x), X),
    "sosfilt": (lambda x: sg.sosfilt(SOS, x), X),
    "sosfilt_zi": (lambda x: sg.sosfilt(SOS, x, zi=sg.sosfilt_zi(SOS)), X),
    "sosfiltfilt": (lambda x: sg.sosfiltfilt(SOS, x), X),
    "savgol_filter": (lambda x: sg.savgol_filter(x, 7, 2), X),
    "savgol_deriv": (lambda x: sg.savgol_filter(x, 9, 3, deriv=1, mode="nearest"), IMG),
    "medfilt": (lambda x: sg.medfilt(x, 5), X),
    "medfilt2d": (lambda x: sg.medfilt2d(x, 3), IMG),
    "wiener": (lambda x: sg.wiener(x, 5), X),
    "hilbert": (lambda x: sg.hilbert(x), X),
    "hilbert_envelope": (lambda x: np.abs(sg.hilbert(x, N=80)), X),
    "hilbert2": (lambda x: sg.hilbert2(x), IMG),
    "fftconvolve": (lambda x: sg.fftconvolve(x, np.hanning(9), mode="same"), X),
    "fftconvolve_both": (lambda x, y: sg.fftconvolve(x, y), IMG, IMG[:3, :4]),
    "oaconvolve": (lambda x: sg.oaconvolve(x, np.ones(5) / 5, mode="valid"), X),
    "convolve2d": (lambda x: sg.convolve2d(x, np.ones((3, 3)) / 9), IMG),
    "correlate2d": (lambda x: sg.correlate2d(x, np.arange(6.0).reshape(2, 3), mode="same",
                                             boundary="symm"), IMG),
    "resample": (lambda x: sg.resample(x, 40), X),
    "resample_poly": (lambda x: sg.resample_poly(x, 3, 2), X),
    "upfirdn": (lambda x: sg.upfirdn([1.0, 0.5, 0.25], x, up=2, down=3), X),
    "decimate": (lambda x: sg.decimate(x, 4), X),
    "decimate_fir": (lambda x: sg.decimate(x, 2, ftype="fir"), X),
    "welch": (lambda x: sg.welch(x, nperseg=16), X),
    "welch_fs": (lambda x: sg.welch(x, fs=100.0, nperseg=8, scaling="spectrum"), IMG),
    "csd": (lambda x, y: sg.csd(x, y, nperseg=16), X, X[::-1].copy()),
    "coherence": (lambda x, y: sg.coherence(x, y, nperseg=16), X, np.cos(X)),
    "periodogram": (lambda x: sg.periodogram(x), X),
    "spectrogram": (lambda x: sg.spectrogram(x, nperseg=16), X),
    "stft": (lambda x: sg.stft(x, nperseg=16), X),
    "istft": (lambda z: sg.istft(z, nperseg=16), sg.stft(X, nperseg=16)[2]),
    "welch_f32": (lambda x: sg.welch(x, nperseg=16), X32),
}


@pytest.mark.parametrize("name", list(SIGNAL))
def test_signal_gives_scipys_result(name):
    fn, *args = SIGNAL[name]
    check(fn, *args)


# ----------------------------------------------------------------------------- scipy.ndimage

MASK = IMG > 0.3
LABELS = _R.integers(0, 4, IMG.shape)
COORDS = np.stack([_R.uniform(0, 11, 15), _R.uniform(0, 9, 15)])
NDIMAGE = {
    "gaussian_filter": (lambda x: nd.gaussian_filter(x, 1.0), IMG),
    "gaussian_filter_order": (lambda x: nd.gaussian_filter(x, (1.0, 2.0), order=(0, 1),
                                                           mode="nearest"), IMG),
    "gaussian_filter1d": (lambda x: nd.gaussian_filter1d(x, 2.0, axis=0, mode="wrap"), IMG),
    "uniform_filter": (lambda x: nd.uniform_filter(x, 3), IMG),
    "uniform_filter1d": (lambda x: nd.uniform_filter1d(x, 4, mode="constant"), X),
    "median_filter": (lambda x: nd.median_filter(x, size=3), IMG),
    "maximum_filter": (lambda x: nd.maximum_filter(x, size=(3, 2)), IMG),
    "minimum_filter": (lambda x: nd.minimum_filter(x, footprint=np.eye(3) > 0), IMG),
    "maximum_filter1d": (lambda x: nd.maximum_filter1d(x, 5), X),
    "minimum_filter1d": (lambda x: nd.minimum_filter1d(x, 5), X),
    "percentile_filter": (lambda x: nd.percentile_filter(x, 30, size=3), IMG),
    "rank_filter": (lambda x: nd.rank_filter(x, 2, size=3), IMG),
    "convolve": (lambda x: nd.convolve(x, np.ones((3,)) / 3), X),
    "convolve_2d": (lambda x: nd.convolve(x, np.arange(9.0).reshape(3, 3), mode="mirror"), IMG),
    "correlate": (lambda x: nd.correlate(x, np.arange(4.0).reshape(2, 2)), IMG),
    "convolve1d": (lambda x: nd.convolve1d(x, [1.0, 2.0, -1.0], axis=1), IMG),
    "correlate1d": (lambda x: nd.correlate1d(x, [1.0, 2.0, -1.0], origin=1), X),
    "sobel": (lambda x: nd.sobel(x), IMG),
    "prewitt": (lambda x: nd.prewitt(x, axis=0), IMG),
    "laplace": (lambda x: nd.laplace(x), IMG),
    "gaussian_laplace": (lambda x: nd.gaussian_laplace(x, 1.5), IMG),
    "gaussian_gradient_magnitude": (lambda x: nd.gaussian_gradient_magnitude(x, 1.0), IMG),
    "zoom": (lambda x: nd.zoom(x, 1.5), IMG),
    "zoom_order1": (lambda x: nd.zoom(x, (0.5, 2.0), order=1), IMG),
    "shift": (lambda x: nd.shift(x, (1.5, -0.5)), IMG),
    "rotate": (lambda x: nd.rotate(x, 30), IMG),
    "rotate_same": (lambda x: nd.rotate(x, 30, reshape=False, order=1), IMG),
    "affine_transform": (lambda x: nd.affine_transform(x, [[1.0, 0.2], [0.1, 0.9]]), IMG),
    "map_coordinates": (lambda x: nd.map_coordinates(x, COORDS, order=1), IMG),
    "map_coordinates_traced": (lambda x, c: nd.map_coordinates(x, c * 1.0), IMG, COORDS),
    "spline_filter": (lambda x: nd.spline_filter(x), IMG),
    "spline_filter1d": (lambda x: nd.spline_filter1d(x, order=2), X),
    "distance_transform_edt": (lambda x: nd.distance_transform_edt(x > 0.3), IMG),
    "distance_transform_indices": (lambda x: nd.distance_transform_edt(
        x > 0.3, sampling=(1.0, 2.0), return_indices=True), IMG),
    "binary_erosion": (lambda x: nd.binary_erosion(x > 0), IMG),
    "binary_dilation": (lambda x: nd.binary_dilation(x > 0, iterations=2), IMG),
    "binary_opening": (lambda x: nd.binary_opening(x > 0), IMG),
    "binary_closing": (lambda x: nd.binary_closing(x > 0, structure=np.ones((2, 2)) > 0), IMG),
    "grey_erosion": (lambda x: nd.grey_erosion(x, size=(3, 3)), IMG),
    "grey_dilation": (lambda x: nd.grey_dilation(x, size=(2, 3)), IMG),
    "grey_opening": (lambda x: nd.grey_opening(x, size=3), IMG),
    "grey_closing": (lambda x: nd.grey_closing(x, size=3), IMG),
    "fourier_gaussian": (lambda z: nd.fourier_gaussian(z, 2.0), np.fft.fft2(IMG)),
    "fourier_shift": (lambda z: nd.fourier_shift(z, (1.0, 2.0)), np.fft.fft2(IMG)),
    "int_image": (lambda x: nd.uniform_filter(x, 3), (IMG * 10).astype(np.int32)),
    "float32_image": (lambda x: nd.gaussian_filter(x, 1.0), IMG.astype(np.float32)),
    "volume": (lambda x: nd.gaussian_filter(x, 1.0, axes=(0, 2)), VOL),
    "traced_sigma": (lambda x: nd.gaussian_filter(x, np.abs(x).mean() * 2), IMG),
    "binary_fill_holes": (lambda x: nd.binary_fill_holes(x > 0.3), IMG),
    "binary_propagation": (lambda x: nd.binary_propagation(x > 0, mask=x > -0.5), IMG),
    "binary_hit_or_miss": (lambda x: nd.binary_hit_or_miss(x > 0), IMG),
    "white_tophat": (lambda x: nd.white_tophat(x, size=3), IMG),
    "black_tophat": (lambda x: nd.black_tophat(x, size=3), IMG),
    "morphological_gradient": (lambda x: nd.morphological_gradient(x, size=3), IMG),
    "morphological_laplace": (lambda x: nd.morphological_laplace(x, size=3), IMG),
    "generic_filter": (lambda x: nd.generic_filter(x, np.std, size=3, mode="nearest"), IMG),
    "generic_filter1d": (lambda x: nd.generic_filter1d(x, _running_sum, 3), X),
    "generic_gradient_magnitude": (lambda x: nd.generic_gradient_magnitude(x, nd.sobel), IMG),
    "distance_transform_cdt": (lambda x: nd.distance_transform_cdt(x > 0.3), IMG),
    "distance_transform_bf": (lambda x: nd.distance_transform_bf(x > 0.3), IMG),
    "fourier_uniform": (lambda z: nd.fourier_uniform(z, 3.0), np.fft.fft2(IMG)),
    "fourier_ellipsoid": (lambda z: nd.fourier_ellipsoid(z, 3.0), np.fft.fft2(IMG)),
    "label": (lambda x: nd.label(x > 0.3, structure=np.ones((3, 3))), IMG),
    "sum_labels": (lambda x, lab: nd.sum_labels(x, lab, index=[1, 2, 3]), IMG, LABELS),
    "mean": (lambda x, lab: nd.mean(x, lab, index=np.arange(1, 4)), IMG, LABELS),
    "variance": (lambda x, lab: nd.variance(x, lab, index=[1, 2]), IMG, LABELS),
    "standard_deviation": (lambda x: nd.standard_deviation(x), IMG),
    "minimum": (lambda x, lab: nd.minimum(x, lab, index=[1, 2, 3]), IMG, LABELS),
    "maximum": (lambda x: nd.maximum(x), IMG),
    "median": (lambda x, lab: nd.median(x, lab, index=[2, 3]), IMG, LABELS),
    "center_of_mass": (lambda x: nd.center_of_mass(np.abs(x)), IMG),
    "extrema": (lambda x: nd.extrema(x), IMG),
    "minimum_position": (lambda x: nd.minimum_position(x), IMG),
    "maximum_position": (lambda x, lab: nd.maximum_position(x, lab, index=[1, 2]), IMG, LABELS),
}


def _running_sum(line, out):
    out[:] = np.cumsum(line)


@pytest.mark.parametrize("name", list(NDIMAGE))
def test_ndimage_gives_scipys_result(name):
    fn, *args = NDIMAGE[name]
    check(fn, *args)


# ----------------------------------------------------------------------------- scipy.fft

FFT = {
    "fft": (lambda x: sf.fft(x), X),
    "fft_n_norm": (lambda x: sf.fft(x, 50, norm="ortho", workers=2), X),
    "ifft": (lambda x: sf.ifft(x, n=70, axis=0), X),
    "rfft": (lambda x: sf.rfft(x, norm="forward"), IMG),
    "irfft": (lambda x: sf.irfft(sf.rfft(x), n=64), X),
    "hfft": (lambda x: sf.hfft(x), X),
    "ihfft": (lambda x: sf.ihfft(x), X),
    "fft2": (lambda x: sf.fft2(x), IMG),
    "fft2_s": (lambda x: sf.fft2(x, s=(8, 6)), VOL),
    "ifft2": (lambda x: sf.ifft2(x, axes=(0, 2)), VOL),
    "rfft2": (lambda x: sf.rfft2(x), IMG),
    "irfft2": (lambda x: sf.irfft2(sf.rfft2(x), s=IMG.shape), IMG),
    "fftn": (lambda x: sf.fftn(x), VOL),
    "fftn_s": (lambda x: sf.fftn(x, s=(4, 6)), VOL),
    "ifftn": (lambda x: sf.ifftn(x, axes=(1,)), VOL),
    "rfftn": (lambda x: sf.rfftn(x, axes=(0, 1)), VOL),
    "irfftn": (lambda x: sf.irfftn(x), VOL),
    "fft_f32": (lambda x: sf.fft(x), X32),
    "fft_f16": (lambda x: sf.fft(x), X.astype(np.float16)),
    "irfft_f16": (lambda x: sf.irfft(x), X.astype(np.float16)),
    "irfftn_f16": (lambda x: sf.irfftn(x), IMG.astype(np.float16)),
    "fft_int": (lambda x: sf.fft(x), np.arange(10)),
    "fft_complex": (lambda z: sf.ifft(z * 2), np.fft.fft(X)),
    "rfft_complex": (lambda z: sf.rfft(z), np.fft.fft(X)),
    "fftshift": (lambda x: sf.fftshift(x), IMG),
    "ifftshift": (lambda x: sf.ifftshift(x, axes=0), IMG),
    "fftfreq": (lambda x: x * sf.fftfreq(64, d=0.1), X),
    "rfftfreq": (lambda x: sf.rfftfreq(10)[np.argmax(np.abs(sf.rfft(x)))], X[:10]),
    "fftfreq_traced_d": (lambda d: sf.fftfreq(8, d * 2), np.float64(0.25)),
    "dct": (lambda x: sf.dct(x), X),
    "dct_types": (lambda x: (sf.dct(x, 1), sf.dct(x, 3, norm="ortho"), sf.dct(x, 4, n=40)), X),
    "idct": (lambda x: sf.idct(x, axis=0, norm="ortho"), IMG),
    "dst": (lambda x: sf.dst(x, type=2), X),
    "idst": (lambda x: sf.idst(x, type=3), X),
    "dctn": (lambda x: sf.dctn(x, norm="ortho"), IMG),
    "idctn": (lambda x: sf.idctn(x, axes=(1,)), IMG),
    "dstn": (lambda x: sf.dstn(x, type=1), IMG),
    "idstn": (lambda x: sf.idstn(x, s=(6, 6)), IMG),
    "dct_f32": (lambda x: sf.dct(x), X32),
}


@pytest.mark.parametrize("name", list(FFT))
def test_fft_gives_scipys_result(name):
    fn, *args = FFT[name]
    rtol = 2e-6 if np.asarray(args[0]).dtype in (np.float16, np.float32) else 1e-12
    check(fn, *args, rtol=rtol)  # the complex transforms are np.fft's: pocketfft either way


def test_fft_complex_transforms_are_numpys_traced_ones_and_the_real_ones_host_calls():
    assert not host_nodes(lambda x: sf.ifft(sf.fft(x) * 2), X)
    assert [n.attrs["call"].name for n in host_nodes(lambda x: sf.dct(x), X)] == \
        ["scipy.fft.dct"]


def test_overwrite_x_is_ignored():
    """SciPy may write into an operand it is allowed to: the graph's arrays are not."""
    x = X.copy()
    got = tracenp.jit(lambda x: (sf.dst(x, overwrite_x=True), sf.fft(x, overwrite_x=True)))(x)
    np.testing.assert_array_equal(x, X)
    assert_same(got, (sf.dst(X), sf.fft(X)), rtol=1e-12)


def test_fft_with_a_plan_is_refused():
    with pytest.raises(UnsupportedFunctionError, match=r"scipy\.fft\.fft with a plan"):
        tracenp.jit(lambda x: sf.fft(x, plan=object()))(X)


# ----------------------------------------------------------------------------- scipy.special

SPECIAL = {
    "psi": (lambda x: sp.psi(x), POS),
    "digamma_negative": (lambda x: sp.digamma(x - 2.5), POS),
    "polygamma": (lambda x: sp.polygamma(1, x), POS),
    "polygamma_3": (lambda x: sp.polygamma(3, x), POS),
    "i0": (lambda x: sp.i0(x), X),
    "i1": (lambda x: sp.i1(x), X),
    "i1e": (lambda x: sp.i1e(x), X),
    "beta": (lambda x: sp.beta(x, 2.0), POS),
    "gammainc": (lambda x, y: sp.gammainc(x, y), POS, POS[::-1].copy()),
    "gammaincc": (lambda x: sp.gammaincc(2.5, x), POS),
    "betainc": (lambda x, y: sp.betainc(x, 2.0, y), POS, UNIT),
    "erfinv": (lambda x: sp.erfinv(x * 2 - 1), UNIT),
    "erfcinv": (lambda x: sp.erfcinv(x), UNIT),
    "zeta": (lambda x: sp.zeta(2, x), POS),
    "zeta_riemann": (lambda x: sp.zeta(x + 1.5), POS),
    "kv": (lambda x: sp.kv(1.5, x), POS),
    "iv": (lambda x: sp.iv(0.5, x), X),
    "jv": (lambda x: sp.jv(2, x), X),
    "yv": (lambda x: sp.yv(1, x), POS),
    "sici": (lambda x: sp.sici(x), X),
    "broadcast": (lambda x, y: sp.beta(x[:, None], y[None, :]), POS[:4], POS[:3]),
    "float32": (lambda x: sp.psi(x), POS.astype(np.float32)),
    "int": (lambda n: sp.i0(n), np.arange(5)),
    "scalar": (lambda x: sp.psi(x), np.float64(2.5)),
    "complex": (lambda z: sp.psi(z), POS + 1j),
    "comb": (lambda n: sp.comb(n, 3), np.array([-1.0, 0.0, 2.0, 3.0, 7.5, 40.0])),
    "spherical_jn": (lambda x: sp.spherical_jn(1, x), np.linspace(0.1, 2.0, 5)),
    "spherical_yn_derivative": (lambda x: sp.spherical_yn(2, x, True), np.linspace(0.1, 2, 5)),
    "spherical_in": (lambda x: sp.spherical_in(0, x), np.linspace(0.1, 2.0, 5)),
    "spherical_kn": (lambda x: sp.spherical_kn(1, x), np.linspace(0.1, 2.0, 5)),
    "factorial2": (lambda n: sp.factorial2(2 * n + 1), np.array([0, 1, 2, 4])),
    "factorialk": (lambda n: sp.factorialk(n + 2, 3), np.array([0, 1, 2, 4])),
    "comb_of_k": (lambda k: sp.comb(10, k), np.array([-1.0, 0.0, 4.0, 10.0, 11.0])),
    "comb_repetition": (lambda n: sp.comb(n, 2, repetition=True), np.array([-1.0, 0.0, 5.0])),
    "comb_scalar": (lambda n: sp.comb(n, 2.0), np.float64(6.0)),
    "factorial": (lambda n: sp.factorial(n), np.array([-1, 0, 1, 3, 20, 171])),
    "factorial_floats": (lambda n: sp.factorial(n), np.array([2.5, np.nan, -0.5, 0.0])),
    "factorial_float32": (lambda n: sp.factorial(n), np.array([2.5, 4.0], np.float32)),
    "factorial_0d_and_scalar": (lambda n: (sp.factorial(n), sp.factorial(n[()] + 1)),
                                np.array(4)),
}


@pytest.mark.parametrize("name", list(SPECIAL))
def test_special_gives_scipys_result(name):
    fn, *args = SPECIAL[name]
    check(fn, *args)


def test_special_compositions_stay_compositions():
    """`erf`, `gammaln`, `expit` keep tracenp's formulas (fused, differentiable)."""
    assert not host_nodes(lambda x: sp.erf(x) + sp.gammaln(x) + sp.expit(x), POS)
    assert len(host_nodes(lambda x: sp.erf(x) + sp.psi(x), POS)) == 1


# ----------------------------------------------------------------------------- in a graph


def test_a_host_call_sits_between_fused_numpy_code():
    def f(x):
        y = np.tanh(x * 2.0) + 1.0
        z = sg.lfilter([0.2, 0.3], [1.0, -0.5], y)
        return np.sum(z ** 2) + np.exp(-z[::2])

    graph = tracenp.jit(f).graph(X)
    ops = [n.op for n in graph.nodes()]
    assert ops.count(Op.HOST) == 1
    at = ops.index(Op.HOST)
    assert {Op.TANH, Op.MULTIPLY} <= set(ops[:at]) and {Op.EXP, Op.SUM} <= set(ops[at:])
    check(f, X)
    with tracenp.config.change_flags(backend="numpy"):
        check(f, X)


def test_a_tuple_result_is_one_node_per_item():
    nodes = host_nodes(lambda x: sg.spectrogram(x, nperseg=16), X)
    assert sorted(n.attrs["out"] for n in nodes) == [0, 1, 2]


def test_the_graph_reads_constant_array_arguments_as_sources():
    (node,) = host_nodes(lambda x: sg.lfilter(B, A, x), X)
    assert [s.op for s in node.srcs] == [Op.CONST, Op.CONST, Op.INPUT]


def test_a_graph_with_a_host_call_has_no_plan_on_disk():
    """Its function is an object, not text: a plan keyed by the graph's text could name
    another function of the same name."""
    from tracenp import plans

    assert plans._key(tracenp.jit(lambda x: sg.medfilt(x, 3) + 1).graph(X), True) is None


def test_dask_arrays_are_refused_as_for_other_library_steps():
    da = pytest.importorskip("dask.array")
    x = da.from_array(IMG, chunks=6)
    with pytest.raises(UnsupportedFunctionError, match=r"across array positions \(host\)"):
        tracenp.jit(lambda x: nd.uniform_filter(x, 3) + 1)(x)


def test_module_level_from_import(tmp_path, monkeypatch):
    (tmp_path / "host_user.py").write_text(
        "from scipy.ndimage import gaussian_filter\n"
        "from scipy.signal import lfilter\n\n\n"
        "def smooth(x):\n"
        "    return gaussian_filter(x, 2.0) - lfilter([0.5, 0.5], [1.0], x, axis=0)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    from host_user import smooth

    assert len(host_nodes(smooth, IMG)) == 2
    check(smooth, IMG)


def test_import_inside_the_function():
    def f(x):
        import scipy.signal as signal
        from scipy.ndimage import median_filter

        return median_filter(signal.medfilt(x, 3), 3) * 2

    check(f, X)


def test_scipy_first_imported_inside_the_traced_function():
    """A fresh process: the libraries load while tracing, and are routed in that trace."""
    code = textwrap.dedent("""
        import sys
        import numpy as np
        import tracenp

        def f(x):
            import scipy.ndimage as nd
            from scipy import special
            from scipy.signal import savgol_filter
            return savgol_filter(nd.gaussian_filter(x, 1.0), 5, 2) + special.i0(x)

        x = np.random.default_rng(0).standard_normal(32)
        assert "scipy" not in sys.modules
        got = tracenp.jit(f)(x)
        np.testing.assert_array_equal(got, f(x))
        print("ok")
        """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.stdout.strip() == "ok", out.stderr[-2000:]


def test_an_untraced_call_inside_a_trace_is_scipys_own():
    def f(x):
        plain = sg.lfilter(B, A, np.ones(8))
        assert type(plain) is np.ndarray
        made_here = sg.lfilter(B, A, np.linspace(0.0, 1.0, 8))  # known while tracing
        return x[:8] + plain + made_here

    assert not host_nodes(f, X)
    check(f, X)
    assert sg.lfilter is ORIGINALS[0]


def test_python_number_arguments_are_made_static():
    f = tracenp.jit(lambda x, n: sg.resample(x, n))
    for n in (40, 50):
        assert_same(f(X, n), sg.resample(X, n), rtol=1e-12)


def test_jit_of_a_host_call_runs_again_with_new_values():
    f = tracenp.jit(lambda x: nd.uniform_filter(x, 3))
    for x in (IMG, IMG * 3 - 1):
        assert_same(f(x), nd.uniform_filter(x, 3), rtol=1e-12)


# ----------------------------------------------------------------------------- errors


def test_scipys_errors_are_raised_while_tracing():
    with pytest.raises(RuntimeError, match="boundary mode not supported"):
        tracenp.jit(lambda x: nd.gaussian_filter(x, 1.0, mode="bogus"))(IMG)
    with pytest.raises(ValueError, match="must be less than"):
        tracenp.jit(lambda x: sg.savgol_filter(x, 5, 7))(X)
    with pytest.raises(TypeError):
        tracenp.jit(lambda x: sg.lfilter(B, A))(X)


@pytest.mark.parametrize("name", ["find_peaks", "find_peaks_cwt", "argrelmax", "argrelmin"])
def test_value_dependent_results_are_refused_by_name(name):
    args = (np.arange(1, 4),) if name == "find_peaks_cwt" else ()
    with pytest.raises(DataDependentShapeError, match=rf"scipy\.signal\.{name} has a shape"):
        tracenp.jit(lambda x: getattr(sg, name)(x, *args))(X)


def test_an_output_array_argument_is_refused():
    with pytest.raises(UnsupportedFunctionError, match=r"uniform_filter with an array as output="):
        tracenp.jit(lambda x: nd.uniform_filter(x, 3, output=np.empty(x.shape)))(IMG)


def test_a_shape_set_by_a_traced_value_is_refused():
    with pytest.raises(DataDependentShapeError, match=r"scipy\.ndimage\.zoom"):
        tracenp.jit(lambda x: nd.zoom(x, np.abs(x).max() + 1.0))(IMG)


def test_a_shape_that_changes_when_the_function_runs_raises_there():
    f = tracenp.jit(lambda x: sg.resample(x, np.sum(x > 0)))  # the count: traced
    for backend in ("llvm", "numpy"):
        with tracenp.config.change_flags(backend=backend):
            with pytest.raises(DataDependentShapeError, match=r"scipy\.signal\.resample "
                                                             r"returned a float64 array"):
                f(X)


# ----------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("fn", [
    lambda x: sg.medfilt(x, 5),
    lambda x: nd.gaussian_filter(x, 1.0),  # 'reflect': no rule
    lambda x: sg.lfilter(B, A, x, zi=np.ones(3))[0],
    lambda x: sp.i0(x),
    lambda x: sf.dct(x),  # not orthonormal
], ids=["medfilt", "gaussian_reflect", "lfilter_zi", "i0", "dct"])
def test_grad_through_a_host_call_without_a_rule_names_the_function(fn):
    with pytest.raises(UnsupportedFunctionError, match=r"The gradient of scipy\.\w+\.\w+ with "
                                                       r"respect to its argument"):
        tracenp.grad(lambda x: np.sum(fn(x) ** 2))(X[:16])


def test_grad_is_refused_only_for_the_argument_without_a_rule():
    def f(x, b):
        return np.sum(sg.lfilter(b, [1.0, -0.5], x) ** 2)

    b = np.array([0.2, 0.3])
    check_grads(lambda x: f(x, b), X[:12])
    got = tracenp.grad(f, argnums=0)(X[:12], b)  # b traced, not differentiated
    np.testing.assert_allclose(got, tracenp.grad(lambda x: f(x, b))(X[:12]), rtol=1e-12)
    with pytest.raises(UnsupportedFunctionError,
                       match=r"scipy\.signal\.lfilter with respect to its argument 'b'"):
        tracenp.grad(f, argnums=1)(X[:12], b)


def _weighted(fn, like):
    w = np.random.default_rng(3).standard_normal(np.shape(like))
    return lambda x: np.sum(fn(x) * w)


GRADIENTS = {
    "lfilter": (lambda x: sg.lfilter(B, A, x), X[:20]),
    "lfilter_axis0": (lambda x: sg.lfilter([0.2, 0.3], [1.0, -0.5], x, axis=0), IMG[:6, :3]),
    "lfilter_of_lfilter": (lambda x: sg.lfilter([1.0], [1.0, -0.3], sg.lfilter(B, A, x)),
                           X[:12]),
    "gaussian_filter1d_wrap": (lambda x: nd.gaussian_filter1d(x, 1.5, mode="wrap"), X[:20]),
    "gaussian_filter1d_constant": (lambda x: nd.gaussian_filter1d(x, 2.0, mode="constant",
                                                                  cval=1.5), X[:20]),
    "gaussian_filter1d_order1": (lambda x: nd.gaussian_filter1d(x, 1.0, order=1,
                                                                mode="grid-wrap"), X[:20]),
    "gaussian_filter1d_order2": (lambda x: nd.gaussian_filter1d(x, 1.0, axis=0, order=2,
                                                                mode="constant"), IMG[:6, :4]),
    "gaussian_filter": (lambda x: nd.gaussian_filter(x, (1.0, 0.7), mode="constant"),
                        IMG[:6, :5]),
    "gaussian_filter_wrap": (lambda x: nd.gaussian_filter(x, 1.2, mode=("wrap", "constant")),
                             IMG[:5, :6]),
    "psi": (lambda x: sp.psi(x), POS[:8]),
    "digamma_of_expression": (lambda x: sp.digamma(x * x + 0.5), X[:8]),
    "polygamma": (lambda x: sp.polygamma(2, x), POS[:8]),
    "dct_ortho": (lambda x: sf.dct(x, norm="ortho"), X[:10]),
    "dct_types": (lambda x: sum(sf.dct(x, t, norm="ortho") * t for t in (1, 3, 4)), X[:10]),
    "idct_ortho": (lambda x: sf.idct(x, type=3, norm="ortho"), X[:10]),
    "dst_ortho": (lambda x: sf.dst(x, type=1, norm="ortho") + sf.idst(x, 2, norm="ortho"),
                  X[:10]),
    "dctn_ortho": (lambda x: sf.dctn(x, norm="ortho") + sf.idstn(x, 4, norm="ortho"),
                   IMG[:4, :5]),
    "fft": (lambda x: np.abs(sf.fft(x)) + sf.irfft(sf.rfft(x) * 1j), X[:10]),
}


@pytest.mark.parametrize("name", list(GRADIENTS))
def test_gradients_match_finite_differences(name):
    fn, x = GRADIENTS[name]
    check_grads(_weighted(fn, fn(x)), x)


def test_second_derivative_of_digamma():
    x = POS[:5]
    got = tracenp.grad(lambda x: np.sum(tracenp.grad(lambda y: np.sum(sp.psi(y)))(x)))(x)
    np.testing.assert_allclose(got, sp.polygamma(2, x), rtol=1e-12)


def test_jitted_gradient_of_a_filter_matches_the_adjoint():
    """The cotangent of `lfilter` is the reversed filter of the reversed cotangent."""
    g = _R.standard_normal(20)
    got = tracenp.jit(tracenp.grad(lambda x: np.sum(sg.lfilter(B, A, x) * g)))(X[:20])
    np.testing.assert_allclose(got, sg.lfilter(B, A, g[::-1])[::-1], rtol=1e-12)


def _sir(y, t, n, beta, gamma):
    s, i, _ = y
    return -beta * s * i / n, beta * s * i / n - gamma * i, gamma * i


def _odeint_forms(y0, beta):
    import scipy.integrate as si

    t = np.linspace(0.0, 30.0, 31)
    curve = si.odeint(_sir, y0, t, args=(y0.sum(), beta, 0.1))
    decay = si.odeint(lambda y, t, k: -k * y, y0[:2], t[:5], args=(beta,), rtol=1e-10)
    return curve.T, decay[-1]


def test_odeint_of_traced_values_runs_on_the_host():
    """`scipy.integrate.odeint` with traced `y0`, `t` or `args` is a host call (LSODA's
    steps depend on the values; its result's shape on `t` and `y0` only); a function that
    keeps traced values in its closure is refused by name (pass them in `args=`)."""
    import scipy.integrate as si

    for y0, beta in ((np.array([990.0, 10.0, 0.0]), 0.3), (np.array([500.0, 1.0, 0.0]), 0.5)):
        assert_same(tracenp.jit(_odeint_forms)(y0, beta), _odeint_forms(y0, beta), rtol=1e-12)
    with pytest.raises(UnsupportedFunctionError, match="closure"):
        tracenp.jit(lambda y0, k: si.odeint(lambda y, t: -k * y, y0, np.arange(3.0)))(
            np.ones(2), np.array(0.5))


def _tridiagonal_eigensolvers(d, e):
    import scipy.linalg as sl

    band = np.vstack([np.r_[0.0, e], d])
    return (sl.eigh_tridiagonal(d, e), sl.eigvalsh_tridiagonal(d * 2, e),
            sl.eigh_tridiagonal(d, e, eigvals_only=True, select="i", select_range=(0, 2)),
            sl.eig_banded(band), sl.eigvals_banded(band))


def test_tridiagonal_and_banded_eigensolvers_run_on_the_host():
    """`eigh_tridiagonal` (the finite-difference Schrodinger equation's solver) and the
    banded ones are SciPy's own LAPACK calls, eigenvector signs included."""
    for d in (np.linspace(1.0, 3.0, 6), np.linspace(-2.0, 2.0, 9) ** 2):
        e = np.full(len(d) - 1, -0.7)
        assert_same(tracenp.jit(_tridiagonal_eigensolvers)(d, e),
                    _tridiagonal_eigensolvers(d, e), rtol=1e-13)


# ----------------------------------------------------------------------------- scipy.stats

_S2 = _R.standard_normal((2, 30))
_TIED = np.round(_R.standard_normal((2, 30)), 1)
_COUNTS = _R.integers(0, 4, (12, 5))
_TABLE = np.array([[8, 2], [1, 5]])

# name: (function of the traced arguments, argument makers by seed): every `STATS` name
STATS = {
    "spearmanr": (lambda x, y: st.spearmanr(x, y), lambda r: (r.normal(size=25), r.normal(size=25))),
    "spearmanr_correlation_alias": (lambda x, y: (st.spearmanr(x, y).correlation,
                                                  st.kendalltau(x, y).correlation),
                                    lambda r: (r.normal(size=25), r.normal(size=25))),
    "false_discovery_control": (lambda p: (st.false_discovery_control(p),
                                           st.false_discovery_control(p, method="by")),
                                lambda r: (r.random(12) ** 2,)),
    "spearmanr_matrix": (lambda m: st.spearmanr(m).statistic, lambda r: (r.normal(size=(20, 3)),)),
    "kendalltau_ties": (lambda x, y: st.kendalltau(np.round(x, 1), y),
                        lambda r: (r.normal(size=30), r.normal(size=30))),
    "weightedtau": (lambda x, y: st.weightedtau(x, y), lambda r: (r.normal(size=20), r.normal(size=20))),
    "pointbiserialr": (lambda b, y: st.pointbiserialr(b > 0, y),
                       lambda r: (r.normal(size=20), r.normal(size=20))),
    "theilslopes": (lambda y, x: st.theilslopes(y, x), lambda r: (r.normal(size=15), r.random(15))),
    "siegelslopes": (lambda y: st.siegelslopes(y), lambda r: (r.normal(size=15),)),
    "mode_axis0": (lambda c: st.mode(c, axis=0), lambda r: (r.integers(0, 4, (12, 5)),)),
    "mode_no_keepdims": (lambda c: st.mode(c, axis=1, keepdims=False).mode,
                         lambda r: (r.integers(0, 4, (12, 5)),)),
    "iqr": (lambda m: st.iqr(m, axis=0, rng=(10, 90)), lambda r: (r.normal(size=(20, 3)),)),
    "percentileofscore": (lambda x, s: st.percentileofscore(x, s, kind="weak"),
                          lambda r: (r.normal(size=20), r.normal())),
    "hmean": (lambda p: st.hmean(p, axis=1), lambda r: (r.uniform(0.5, 2, (3, 8)),)),
    "pmean": (lambda p: st.pmean(p, 2.5), lambda r: (r.uniform(0.5, 2, 8),)),
    "circvar": (lambda a: st.circvar(a), lambda r: (r.uniform(0, 6, 10),)),
    "circstd": (lambda a: st.circstd(a, high=360), lambda r: (r.uniform(0, 360, 10),)),
    "boxcox": (lambda p: st.boxcox(p), lambda r: (r.uniform(0.5, 4, 20),)),
    "boxcox_normmax": (lambda p: st.boxcox_normmax(p), lambda r: (r.uniform(0.5, 4, 20),)),
    "yeojohnson": (lambda x: st.yeojohnson(x), lambda r: (r.normal(size=20),)),
    "cumfreq": (lambda x: st.cumfreq(x, numbins=5), lambda r: (r.normal(size=20),)),
    "relfreq": (lambda x: st.relfreq(x, numbins=4).frequency, lambda r: (r.normal(size=20),)),
    "binned_statistic": (lambda x, y: st.binned_statistic(x, y, "mean", bins=4),
                         lambda r: (r.random(20), r.normal(size=20))),
    "binned_statistic_2d": (lambda x, y, v: st.binned_statistic_2d(x, y, v, "sum", bins=3)[0],
                            lambda r: (r.random(20), r.random(20), r.normal(size=20))),
    "wilcoxon": (lambda x, y: st.wilcoxon(x, y), lambda r: (r.normal(size=15), r.normal(size=15))),
    "mannwhitneyu": (lambda x, y: st.mannwhitneyu(x, y, alternative="less"),
                     lambda r: (r.normal(size=12), r.normal(size=9) + 0.5)),
    "ranksums": (lambda x, y: st.ranksums(x, y), lambda r: (r.normal(size=12), r.normal(size=9))),
    "kruskal": (lambda x, y, z: st.kruskal(x, y, z),
                lambda r: (r.normal(size=8), r.normal(size=9), r.normal(size=7) + 1)),
    "friedmanchisquare": (lambda x, y, z: st.friedmanchisquare(x, y, z),
                          lambda r: (r.normal(size=8), r.normal(size=8), r.normal(size=8))),
    "brunnermunzel": (lambda x, y: st.brunnermunzel(x, y),
                      lambda r: (r.normal(size=10), r.normal(size=12))),
    "ansari": (lambda x, y: st.ansari(x, y), lambda r: (r.normal(size=10), r.normal(size=12) * 2)),
    "mood": (lambda x, y: st.mood(x, y), lambda r: (r.normal(size=10), r.normal(size=12))),
    "bartlett": (lambda x, y: st.bartlett(x, y), lambda r: (r.normal(size=10), r.normal(size=12))),
    "fligner": (lambda x, y: st.fligner(x, y), lambda r: (r.normal(size=10), r.normal(size=12))),
    "ks_1samp": (lambda x: st.ks_1samp(x, st.norm.cdf), lambda r: (r.normal(size=20),)),
    "ks_2samp": (lambda x, y: st.ks_2samp(x, y), lambda r: (r.normal(size=20), r.normal(size=15))),
    "kstest": (lambda x: st.kstest(x, "norm", args=(0.1, 1.2)), lambda r: (r.normal(size=20),)),
    "epps_singleton_2samp": (lambda x, y: st.epps_singleton_2samp(x, y),
                             lambda r: (r.normal(size=20), r.normal(size=25))),
    "shapiro": (lambda x: st.shapiro(x), lambda r: (r.normal(size=20),)),
    "fisher_exact": (lambda t: st.fisher_exact(t + 1, alternative="greater"),
                     lambda r: (r.integers(0, 9, (2, 2)),)),
    "quantile": (lambda x: st.quantile(x, np.array([0.1, 0.5]), axis=-1),
                 lambda r: (r.normal(size=(3, 11)),)),
}
FITS = {
    "norm": (lambda x: st.norm.fit(x), lambda r: (r.normal(2.0, 3.0, 30),)),
    "expon_floc": (lambda p: st.expon.fit(p, floc=0), lambda r: (r.exponential(2.0, 30),)),
    "gamma_floc": (lambda p: st.gamma.fit(p, floc=0), lambda r: (r.gamma(2.0, 1.5, 40),)),
    "weibull_min_floc": (lambda p: st.weibull_min.fit(p, floc=0), lambda r: (r.weibull(1.5, 40),)),
    "lognorm_frozen_cdf": (lambda p: st.lognorm(*st.lognorm.fit(p, floc=0)).cdf(p),
                           lambda r: (r.lognormal(0.0, 0.5, 30),)),
}


def _stats_case(table, name):
    fn, make = table[name]
    for seed in (1, 2):
        args = make(np.random.default_rng(seed))
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want, got = fn(*args), tracenp.jit(fn)(*args)
        assert_same(got, want, rtol=1e-12)
        assert type(got) is type(want)


@pytest.mark.parametrize("name", sorted(STATS))
def test_scipy_stats_tests_run_on_the_host(name):
    """Rank correlations, rank and distribution tests, modes, Box-Cox fits, binned statistics:
    SciPy's own result (its result class, extra attributes included: `KstestResult`'s
    `statistic_location`), for new values on the second call."""
    _stats_case(STATS, name)


@pytest.mark.parametrize("name", sorted(FITS))
def test_distribution_fits_run_on_the_host(name):
    """`dist.fit(data)` of traced data: SciPy's maximum-likelihood fit (or closed form)."""
    _stats_case(FITS, name)


def test_scipy_stats_host_call_of_degenerate_data_raises_when_the_function_runs():
    """The result's type is found for distinct values: a constant column makes SciPy's
    `spearmanr` of a matrix one NaN, which raises DataDependentShapeError when the function
    runs; `fallback=True` runs SciPy."""
    f = lambda m: st.spearmanr(m).statistic
    data = _R.standard_normal((10, 3))
    tracenp.jit(f)(data)
    data[:, 0] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(DataDependentShapeError, match="spearmanr"):
            tracenp.jit(f)(data)
        assert np.isnan(tracenp.jit(f, fallback=True)(data))


def test_a_statistic_callable_closing_over_traced_values_is_refused():
    f = lambda x, y: st.binned_statistic(x, y, lambda v: np.sum(v * x[0]), bins=3)[0]
    with pytest.raises(UnsupportedFunctionError, match="closure"):
        tracenp.jit(f)(UNIT, POS)


# ----------------------------------------------------------------------------- scipy.linalg

def _square(r, n=4):
    return r.normal(size=(n, n))


def _spd(r, n=4):
    a = r.normal(size=(n, n))
    return a @ a.T + n * np.eye(n)


def _band(r, n=5):
    return np.vstack([np.r_[0.0, r.uniform(-1, 0, n - 1)], r.uniform(3, 4, n)])


# name: (function of the traced arguments, argument makers by seed): every `LINALG_TYPICAL`
LINALG = {
    "hessenberg": (lambda a: sl.hessenberg(a, calc_q=True), lambda r: (_square(r),)),
    "schur": (lambda a: sl.schur(a), lambda r: (_square(r),)),
    "schur_complex": (lambda a: sl.schur(a, output="complex")[0], lambda r: (_square(r),)),
    "rsf2csf": (lambda a: sl.rsf2csf(*sl.schur(a)), lambda r: (_square(r),)),
    "qz": (lambda a, b: sl.qz(a, b), lambda r: (_square(r), _square(r))),
    "ordqz": (lambda a, b: sl.ordqz(a, b, sort="ouc"), lambda r: (_square(r), _square(r))),
    "rq": (lambda a: sl.rq(a), lambda r: (r.normal(size=(3, 5)),)),
    "cossin": (lambda a: sl.cossin(np.linalg.qr(a)[0], p=2, q=2), lambda r: (_square(r),)),
    "ldl": (lambda s: sl.ldl(s), lambda r: (_spd(r) - 6 * np.eye(4),)),
    "matrix_balance": (lambda a: sl.matrix_balance(a * [1, 10, 100, 1000]),
                       lambda r: (_square(r),)),
    "bandwidth": (lambda a: sl.bandwidth(np.triu(a, -1)), lambda r: (_square(r),)),
    "issymmetric": (lambda s: (sl.issymmetric(s), sl.issymmetric(s + np.triu(s))),
                    lambda r: (_spd(r),)),
    "ishermitian": (lambda s: sl.ishermitian(s * 1j + s.T), lambda r: (_square(r),)),
    "logm": (lambda s: sl.logm(s), lambda r: (_spd(r),)),
    "polar": (lambda a: (sl.polar(a), sl.polar(a, side="left")[1]), lambda r: (_square(r),)),
    "cosm": (lambda a: sl.cosm(a * 0.3), lambda r: (_square(r),)),
    "sinm": (lambda a: sl.sinm(a * 0.3), lambda r: (_square(r),)),
    "tanm": (lambda a: sl.tanm(a * 0.1), lambda r: (_square(r),)),
    "coshm": (lambda a: sl.coshm(a * 0.3), lambda r: (_square(r),)),
    "sinhm": (lambda a: sl.sinhm(a * 0.3), lambda r: (_square(r),)),
    "tanhm": (lambda a: sl.tanhm(a * 0.3), lambda r: (_square(r),)),
    "signm": (lambda a: sl.signm(a), lambda r: (_square(r),)),
    "funm": (lambda s: sl.funm(s, np.sqrt), lambda r: (_spd(r),)),
    "fractional_matrix_power": (lambda s: sl.fractional_matrix_power(s, 0.3),
                                lambda r: (_spd(r),)),
    "expm_frechet": (lambda a, e: sl.expm_frechet(a, e), lambda r: (_square(r), _square(r))),
    "expm_cond": (lambda a: sl.expm_cond(a), lambda r: (_square(r),)),
    "pinvh": (lambda s: sl.pinvh(s), lambda r: (_spd(r),)),
    "orthogonal_procrustes": (lambda a, b: sl.orthogonal_procrustes(a, b),
                              lambda r: (_square(r), _square(r))),
    "subspace_angles": (lambda a, b: sl.subspace_angles(a[:, :2], b[:, :3]),
                        lambda r: (_square(r), _square(r))),
    "companion": (lambda c: sl.companion(c + 3.0), lambda r: (r.normal(size=5),)),
    "fiedler_companion": (lambda c: sl.fiedler_companion(c + 3.0), lambda r: (r.normal(size=5),)),
    "convolution_matrix": (lambda c: sl.convolution_matrix(c, 6, "same"),
                           lambda r: (r.normal(size=3),)),
    "solve_toeplitz": (lambda c, b: sl.solve_toeplitz(np.r_[4.0, c], b),
                       lambda r: (r.normal(size=3), r.normal(size=4))),
    "solve_circulant": (lambda c, b: sl.solve_circulant(np.r_[5.0, c], b),
                        lambda r: (r.normal(size=3), r.normal(size=4))),
    "solveh_banded": (lambda ab, b: sl.solveh_banded(ab, b), lambda r: (_band(r), r.normal(size=5))),
    "cholesky_banded": (lambda ab: sl.cholesky_banded(ab), lambda r: (_band(r),)),
    "solve_sylvester": (lambda a, b, q: sl.solve_sylvester(a, b, q),
                        lambda r: (_square(r), _square(r), _square(r))),
    "solve_continuous_lyapunov": (lambda a, q: sl.solve_continuous_lyapunov(a - 5 * np.eye(4), q),
                                  lambda r: (_square(r), _spd(r))),
    "solve_lyapunov": (lambda a, q: sl.solve_lyapunov(a - 5 * np.eye(4), q),
                       lambda r: (_square(r), _spd(r))),
    "solve_discrete_lyapunov": (lambda a, q: sl.solve_discrete_lyapunov(a / 5, q),
                                lambda r: (_square(r), _spd(r))),
    "solve_continuous_are": (lambda a, b: sl.solve_continuous_are(a, b, np.eye(4), np.eye(2)),
                             lambda r: (_square(r), r.normal(size=(4, 2)))),
    "solve_discrete_are": (lambda a, b: sl.solve_discrete_are(a, b, np.eye(4), np.eye(2)),
                           lambda r: (_square(r), r.normal(size=(4, 2)))),
    "qr_update": (lambda a, u, v: sl.qr_update(*np.linalg.qr(a), u, v),
                  lambda r: (_square(r), r.normal(size=4), r.normal(size=4))),
}


@pytest.mark.parametrize("name", sorted(LINALG))
def test_scipy_linalg_forms_and_solvers_run_on_the_host(name):
    """Schur, QZ and Hessenberg forms, Lyapunov, Sylvester and Riccati solvers, the Levinson
    recursion, matrix functions: SciPy's own results, for new values on the second call."""
    _stats_case(LINALG, name)


def test_a_null_space_is_refused_as_data_dependent():
    """Its width is the matrix's nullity: the stand-ins' zeros and ones disagree."""
    with pytest.raises(DataDependentShapeError, match="null_space"):
        tracenp.jit(lambda a: sl.null_space(a))(IMG[:4, :4])


def test_a_cython_fused_function_given_a_traced_array_is_a_named_refusal():
    """Cython's own TypeError ("No matching signature found") for a traced argument is the
    named error, so `fallback=True` runs the function (it escaped before)."""
    from scipy.linalg._solve_toeplitz import levinson

    c, b = np.r_[3.0, 1.0, 0.5, 0.2, 0.1, 0.0, 0.0], np.ones(4)
    f = lambda c, b: levinson(c, b)[0]
    with pytest.raises(tracenp.errors.ConcretizationError, match="No matching signature"):
        tracenp.jit(f)(c, b)
    with pytest.warns(tracenp.TracingFallbackWarning):
        assert_same(tracenp.jit(f, fallback=True)(c, b), f(c, b))


def test_every_late_library_is_routed_without_error():
    """A routes function that fails would leave its library untraced (with a warning): each
    must build its routes for the SciPy installed."""
    import importlib

    from tracenp import trace

    for library, routes_of in trace._LATE_LIBRARIES:
        importlib.import_module(library)
        routes = trace.late_routes_of(routes_of)
        assert all(callable(w) for _, wrappers in routes for w in wrappers.values())


def test_assignment_and_nonnegative_least_squares_run_on_the_host():
    import scipy.optimize as so

    f = lambda c, a, b: (so.linear_sum_assignment(c), so.linear_sum_assignment(-c)[1],
                         so.nnls(a, b))
    for seed in (1, 2):
        r = np.random.default_rng(seed)
        args = r.random((5, 4)), r.random((6, 3)), r.random(6)
        assert_same(tracenp.jit(f)(*args), f(*args), rtol=1e-12)


def _ivp_forms(y0, k):
    import scipy.integrate as si

    t_eval = np.linspace(0.0, 2.0, 9)
    a = si.solve_ivp(lambda t, y, k: -k * y + np.sin(t), (0.0, 2.0), y0, t_eval=t_eval,
                     args=(k,), rtol=1e-9, atol=1e-12)
    b = si.solve_ivp(_stiff, [0.0, 1.0], y0[:2], method="LSODA", t_eval=t_eval[:5] / 2)
    c = si.solve_ivp(_stiff, (0.0, 0.5), y0[1:], method=si.Radau, t_eval=t_eval[:3] / 4)
    return a.t, a.y, a.success, b.y[:, -1], b.nfev, c.y


def _stiff(t, y):
    return np.array([-50.0 * (y[0] - np.cos(t)), y[0] - y[1]])


def test_solve_ivp_with_t_eval_runs_on_the_host():
    """`solve_ivp` of traced `y0` and `args` with `t_eval` (its result's shape) is a host call
    returning SciPy's `OdeResult` (a method given by name or as a solver class); without `t_eval`
    its steps set the shape: refused by name,
    as a function keeping traced values in its closure is."""
    import scipy.integrate as si

    for y0, k in ((np.array([1.0, 0.5, -0.2]), 0.7), (np.array([0.3, 2.0, 1.0]), 1.9)):
        assert_same(tracenp.jit(_ivp_forms)(y0, k), _ivp_forms(y0, k), rtol=1e-12)
    with pytest.raises(DataDependentShapeError, match="t_eval"):
        tracenp.jit(lambda y0: si.solve_ivp(lambda t, y: -y, (0, 1), y0).y)(np.ones(2))
    with pytest.raises(UnsupportedFunctionError, match="closure"):
        tracenp.jit(lambda y0, k: si.solve_ivp(lambda t, y: -k * y, (0, 1), y0,
                                               t_eval=[0.5, 1.0]).y)(np.ones(2), np.array(2.0))


def _cholesky_solve_by_lapack(K, y):
    from scipy.linalg import lapack

    L, info = lapack.dpotrf(K, lower=1)
    alpha, info2 = lapack.dpotrs(L, y, lower=1)
    inverse, info3 = lapack.dpotri(L, lower=1)
    return L, alpha, info + info2 + info3, np.triu(lapack.dtrtri(L.T)[0])


def test_lapack_routines_of_traced_arrays_run_on_the_host():
    """GPy's `dpotrf`/`dpotrs` and the like: SciPy's LAPACK wrappers on the host, LAPACK's
    `info` a Python int as SciPy returns it."""
    for seed in (1, 2):
        r = np.random.default_rng(seed)
        a = r.random((4, 4))
        K, y = a @ a.T + 4 * np.eye(4), r.random(4)
        assert_same(tracenp.jit(_cholesky_solve_by_lapack)(K, y),
                    _cholesky_solve_by_lapack(K, y), rtol=1e-12)


MOMENTS = {
    "weibull_mean": (lambda c, s: st.weibull_min.mean(c, scale=s),
                     lambda r: (r.uniform(1, 3, 3), r.uniform(1, 2, 3))),
    "frozen_gamma_std": (lambda c, s: st.gamma(c, scale=s).std(),
                         lambda r: (r.uniform(1, 3, 3), r.uniform(1, 2, 3))),
    "beta_stats_mvsk": (lambda a, b: st.beta.stats(a, b, moments="mvsk"),
                        lambda r: (r.uniform(1, 3, 2), r.uniform(1, 3, 2))),
    "norm_entropy": (lambda c, s: st.norm.entropy(loc=c, scale=s),
                     lambda r: (r.normal(size=3), r.uniform(1, 2, 3))),
    "t_moment": (lambda df, s: st.t.moment(2, df + 2.5, scale=s),
                 lambda r: (r.uniform(1, 3, 3), r.uniform(1, 2, 3))),
    "poisson_var_scalar": (lambda mu, s: st.poisson.var(mu[0]) * s[0],
                           lambda r: (r.uniform(1, 3, 3), r.uniform(1, 2, 3))),
}


@pytest.mark.parametrize("name", sorted(MOMENTS))
def test_distribution_moments_of_traced_parameters_run_on_the_host(name):
    """`mean`, `var`, `std`, `stats`, `entropy`, `moment` of traced parameters (SciPy's
    per-distribution `_stats`): SciPy's values; Python float parameters stay traced."""
    _stats_case(MOMENTS, name)


def test_a_python_float_parameter_of_a_moment_is_not_made_static():
    f = tracenp.jit(lambda x, c, s: x + st.weibull_min.mean(c, scale=s))
    for c in (1.5, 2.0, 2.5):
        np.testing.assert_allclose(f(np.zeros(2), c, 3.0), st.weibull_min.mean(c, scale=3.0),
                                   rtol=1e-13)
    assert f.cache_info().misses == 1



FFTPACK = {
    "diff": (lambda u: sf_pack.diff(u, period=2 * np.pi), X),
    "diff_order2": (lambda u: sf_pack.diff(u, order=2), X),
    "dst_type1": (lambda u: sf_pack.dst(u, type=1), X),
    "idst_type1": (lambda u: sf_pack.idst(u, type=1, axis=0), IMG),
    "dct_ortho": (lambda u: sf_pack.dct(u, norm="ortho"), X),
    "idct": (lambda u: sf_pack.idct(u), X),
    "dctn": (lambda u: sf_pack.dctn(u, type=2), IMG),
    "idctn": (lambda u: sf_pack.idctn(u), IMG),
    "dstn": (lambda u: sf_pack.dstn(u), IMG),
    "idstn": (lambda u: sf_pack.idstn(u), IMG),
    "fft": (lambda u: sf_pack.fft(u), X),
    "ifft": (lambda u: sf_pack.ifft(u, 80), X),
    "fft2": (lambda u: sf_pack.fft2(u), IMG),
    "ifft2": (lambda u: sf_pack.ifft2(u), IMG),
    "fftn": (lambda u: sf_pack.fftn(u), VOL),
    "ifftn": (lambda u: sf_pack.ifftn(u), VOL),
    "rfft": (lambda u: sf_pack.rfft(u), X),
    "irfft": (lambda u: sf_pack.irfft(u), X),
    "tilbert": (lambda u: sf_pack.tilbert(u, 1.0), X),
    "itilbert": (lambda u: sf_pack.itilbert(u, 1.0), X),
    "hilbert": (lambda u: sf_pack.hilbert(u), X),
    "ihilbert": (lambda u: sf_pack.ihilbert(u), X),
    "cs_diff": (lambda u: sf_pack.cs_diff(u, 1.0, 2.0), X),
    "sc_diff": (lambda u: sf_pack.sc_diff(u, 1.0, 2.0), X),
    "ss_diff": (lambda u: sf_pack.ss_diff(u, 1.0, 2.0), X),
    "cc_diff": (lambda u: sf_pack.cc_diff(u, 1.0, 2.0), X),
    "shift": (lambda u: sf_pack.shift(u, 0.5), X),
}


@pytest.mark.parametrize("name", sorted(FFTPACK))
def test_fftpack_gives_scipys_result(name):
    """SciPy's legacy `scipy.fftpack` (the cookbook's spectral `diff`, type-1 `dst`): host
    calls with SciPy's values; every routed name has a row."""
    from tracenp.numpy_api import scipy_host

    assert set(scipy_host.FFTPACK) <= set(FFTPACK) | {"dst", "idst", "dct"}
    fn, *args = FFTPACK[name]
    check(fn, *args)


def _trees(p, q):
    import scipy.spatial as ss

    made = ss.cKDTree(p)
    const = ss.KDTree(np.arange(12.0).reshape(6, 2))
    return (made.query(q, k=3), ss.KDTree(p, leafsize=4).query(q + 0.1)[1],
            const.query(q, k=2)[0], made.count_neighbors(ss.cKDTree(q), 0.5),
            isinstance(made, ss.cKDTree))


def test_kd_trees_of_traced_points_query_on_the_host():
    """`cKDTree(points).query(x, k)` of traced points (inverse-distance weighting's neighbours)
    runs on the host, SciPy building and querying the tree; a query whose size is the
    data's is refused by name."""
    import scipy.spatial as ss

    for seed in (1, 2):
        r = np.random.default_rng(seed)
        p, q = r.random((20, 2)), r.random((4, 2))
        assert_same(tracenp.jit(_trees)(p, q), _trees(p, q), rtol=1e-12)
    with pytest.raises(DataDependentShapeError, match="query_ball_point"):
        tracenp.jit(lambda p: ss.cKDTree(p).query_ball_point(p[0], 0.5))(_R.random((9, 2)))


@pytest.mark.parametrize("name", ["ConvexHull", "Delaunay", "Voronoi", "Halfspaces"])
def test_qhull_of_traced_points_is_refused_by_name(name):
    """Qhull's Cython read a traced value's memory and crashed the process: its structures'
    simplices, facets and regions are as many as the data decides, refused by name, and
    `fallback=True` runs SciPy (in a child process, so a crash fails this test instead of
    the run)."""
    code = textwrap.dedent(f"""
        import warnings
        import numpy as np, scipy.spatial as ss, tracenp
        from tracenp.errors import DataDependentShapeError
        p = np.random.default_rng(0).uniform(0, 100, (12, 2))
        f = {{"ConvexHull": lambda p: ss.ConvexHull(p).vertices,
              "Delaunay": lambda p: ss.Delaunay(p).simplices,
              "Voronoi": lambda p: ss.Voronoi(p).vertices,
              "Halfspaces": lambda p: ss.HalfspaceIntersection(
                  np.c_[p / 100 - 0.5, -np.ones(12)], np.zeros(2)).intersections}}["{name}"]
        try:
            tracenp.jit(f)(p)
            raise SystemExit("not refused")
        except DataDependentShapeError:
            pass
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            np.testing.assert_allclose(tracenp.jit(f, fallback=True)(p), f(p))
        print("ok")
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-2000:]


def _scattered(p, v, q):
    import scipy.interpolate as si
    import scipy.spatial as ss

    X, Y = np.meshgrid(np.linspace(0.2, 0.8, 5), np.linspace(0.3, 0.7, 4))
    return (si.griddata(p, v, (X, Y)), si.griddata(p, v, q, method="nearest"),
            si.griddata(p, v, q, method="cubic", fill_value=-1.0),
            si.LinearNDInterpolator(p, v)(X, Y), si.NearestNDInterpolator(p, 2 * v)(q),
            si.CloughTocher2DInterpolator(p, v)(q[:, 0], q[:, 1]), _LINEAR_ND(q),
            ss.ConvexHull(p).volume, ss.ConvexHull(q).area, ss.Delaunay(p).find_simplex(q))


_LINEAR_ND = None  # a module-level interpolant of constant data, called at traced points


def test_scattered_data_and_hull_sizes_run_on_the_host():
    """`griddata` (every method), the scattered-data interpolants made of traced points or
    values or called at traced points, a hull's volume and area and a triangulation's
    `find_simplex`: one value per query point, computed by SciPy on the host."""
    import scipy.interpolate as si

    global _LINEAR_ND
    r = np.random.default_rng(0)
    _LINEAR_ND = si.LinearNDInterpolator(r.random((15, 2)), r.random(15))
    jf = tracenp.jit(_scattered)
    for seed in (1, 2, 3):
        r = np.random.default_rng(seed)
        p, v, q = r.random((25 + seed, 2)), r.random(25 + seed), r.random((7, 2))
        assert_same(jf(p, v, q), _scattered(p, v, q), rtol=1e-12)


def _blobs(r, n=12):
    return np.vstack([r.normal(0.0, 1.0, (n, 2)), r.normal(6.0, 1.0, (n, 2))])


CLUSTER = {
    "vq": (lambda x: vq.vq(x, x[[0, -1]].copy()), lambda r: (_blobs(r),)),
    "kmeans": (lambda x: vq.kmeans(x, x[[0, -1]].copy(), iter=3), lambda r: (_blobs(r),)),
    "kmeans2_matrix": (lambda x: vq.kmeans2(x, x[[0, -1]].copy(), iter=4, minit="matrix"),
                       lambda r: (_blobs(r),)),
    "kmeans2_seeded": (lambda x: vq.kmeans2(x.astype(np.float32), 2, iter=3, seed=7)[0],
                       lambda r: (_blobs(r),)),
    "whiten": (lambda x: vq.whiten(x), lambda r: (_blobs(r),)),
    "fcluster_of_linkage": (lambda x: hc.fcluster(hc.linkage(x, "ward"), 2,
                                                  criterion="maxclust"), lambda r: (_blobs(r),)),
    "single": (lambda x: hc.single(x[:, 0]), lambda r: (r.random((10, 2)),)),
    "complete": (lambda x: hc.complete(x[:, 0]), lambda r: (r.random((10, 2)),)),
    "average": (lambda x: hc.average(x[:, 0]), lambda r: (r.random((10, 2)),)),
    "weighted": (lambda x: hc.weighted(x[:, 0]), lambda r: (r.random((10, 2)),)),
    "centroid": (lambda x: hc.centroid(x), lambda r: (_blobs(r, 5),)),
    "median": (lambda x: hc.median(x), lambda r: (_blobs(r, 5),)),
    "ward": (lambda x: hc.ward(x), lambda r: (_blobs(r, 5),)),
    "linkage_methods": (lambda x: (hc.linkage(x, "complete"), hc.linkage(x, metric="cityblock")),
                        lambda r: (_blobs(r, 5),)),
    "cophenet": (lambda x: hc.cophenet(hc.linkage(x, "single")), lambda r: (_blobs(r, 5),)),
    "leaves_list": (lambda x: hc.leaves_list(hc.linkage(x)), lambda r: (_blobs(r, 5),)),
    "inconsistent": (lambda x: hc.inconsistent(hc.linkage(x)), lambda r: (_blobs(r, 5),)),
    "maxdists": (lambda x: hc.maxdists(hc.linkage(x)), lambda r: (_blobs(r, 5),)),
    "maxinconsts": (lambda x: hc.maxinconsts(hc.linkage(x), hc.inconsistent(hc.linkage(x))),
                    lambda r: (_blobs(r, 5),)),
    "maxRstat": (lambda x: hc.maxRstat(hc.linkage(x), hc.inconsistent(hc.linkage(x)), 1),
                 lambda r: (_blobs(r, 5),)),
    "optimal_leaf_ordering": (lambda x: hc.optimal_leaf_ordering(hc.linkage(x), x),
                              lambda r: (_blobs(r, 4),)),
    "kde_call_pdf_logpdf": (lambda s, g: (st.gaussian_kde(s)(g), st.gaussian_kde(s).pdf(g),
                                          st.gaussian_kde(s, "silverman").logpdf(g)),
                            lambda r: (r.normal(size=30), np.linspace(-2.0, 2.0, 7))),
    "kde_2d_weighted_factor": (lambda s, g: (st.gaussian_kde(s, weights=np.abs(s[0]) + 1)(g),
                                             st.gaussian_kde(s).factor),
                               lambda r: (r.normal(size=(2, 30)), r.normal(size=(2, 5)))),
    "kde_integrals": (lambda s: (st.gaussian_kde(s).integrate_box_1d(-1.0, 0.5),
                                 st.gaussian_kde(s).integrate_gaussian(np.zeros(1), 1.0)),
                      lambda r: (r.normal(size=25),)),
}


@pytest.mark.parametrize("name", sorted(CLUSTER))
def test_clustering_and_densities_run_on_the_host(name):
    """`scipy.cluster` (vector quantisation, k-means by a given code book or a seed,
    hierarchical linkages and their statistics) and `gaussian_kde` of a traced sample:
    SciPy's own results, for new values on the second call."""
    _stats_case(CLUSTER, name)


def test_a_kde_resample_of_a_traced_sample_is_refused():
    with pytest.raises(UnsupportedFunctionError, match="resample"):
        tracenp.jit(lambda s: st.gaussian_kde(s).resample(3, seed=1))(np.arange(9.0))


@pytest.mark.parametrize("module, routed, table", [
    ("scipy_host", "SIGNAL", "SIGNAL"), ("scipy_host", "SPECIAL_PYTHON", "SPECIAL"), ("scipy_cluster", "VQ", "CLUSTER"), ("scipy_cluster", "HIERARCHY", "CLUSTER"),
    ("scipy_stats_host", "STATS", "STATS"), ("scipy_host", "LINALG_TYPICAL", "LINALG"),
    ("scipy_host", "NDIMAGE", "NDIMAGE")])
def test_every_routed_function_has_a_row(module, routed, table):
    """A name added to one of the host-call tables without a row here is untested."""
    import importlib

    names = getattr(importlib.import_module(f"tracenp.numpy_api.{module}"), routed)
    rows = globals()[table]
    assert not [n for n in names if not any(k == n or k.startswith(n + "_") for k in rows)]


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE"])
def test_a_call_with_several_results_runs_once_per_call(monkeypatch, mode):
    """`ks_2samp`'s statistic and p-value are two nodes of one host call: SciPy's test runs
    once per call of the compiled function, and each node takes its own item."""
    from tracenp import host_ops

    ran = []
    call = host_ops.HostCall.__call__
    monkeypatch.setattr(host_ops.HostCall, "__call__",
                        lambda self, xs: ran.append(self.name) or call(self, xs))

    def f(x, y):
        r = st.ks_2samp(x, y)
        return r.statistic + 1, r.pvalue * 2

    jf = tracenp.jit(f, mode=mode)
    for seed in (1, 2, 3):
        x, y = np.random.default_rng(seed).random((2, 40))
        ran.clear()
        assert_same(jf(x, y), f(x, y))
        if seed > 1:
            assert ran == ["scipy.stats.ks_2samp"]


def test_items_sharing_memory_are_copied():
    """A host result whose items share memory (a tuple holding one array twice) gives each
    node an array of its own, which the graph may write into."""
    from tracenp import host_ops

    def twice(x):
        y = x * 2
        return y, y

    x = np.arange(4.0)
    call, _ = host_ops.make_call(twice, "twice", (x,), {})
    memo: dict = {}
    a, b = (host_ops.memo_host(memo, "key", x, call=call, out=k, dtype=np.dtype(float),
                               shape=(4,)) for k in (0, 1))
    assert not np.may_share_memory(a, b)
    assert_same(b, x * 2)


def test_a_module_the_host_thread_loads_during_a_trace_loads_against_numpys_own():
    """`fractional_matrix_power(S, -0.5)` first called in a trace loads SciPy's Cython on
    the host thread (its stand-ins), which checks `np.broadcast` against the type it was
    built with: a fresh process, so that nothing has loaded it yet."""
    code = textwrap.dedent("""
        import numpy as np, scipy.linalg as sl, tracenp
        S = np.array([[2.0, 0.3], [0.3, 1.5]])
        f = lambda s: sl.fractional_matrix_power(s, -0.5)
        np.testing.assert_allclose(tracenp.jit(f)(S), f(S), rtol=1e-12)
        print("ok")
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-2000:]
