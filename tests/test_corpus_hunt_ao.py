"""Corpus, hunt AO: classic computer vision and photogrammetry as OpenCV-free tutorials, course
assignments (CS131, CS4670, 16-385), blog posts and scikit-image-free reimplementations write it.

Gradients (Sobel on shifted slices, by `sliding_window_view` with einsum and with a windowed
sum, CS131's `conv_fast` loop over a zero-padded image, `np.gradient`, magnitudes by `hypot`
and orientations in degrees mod 180 with a masked `+= 180`); corners (Harris with box and
Gaussian windows, a Gaussian kernel by meshgrid and by a double loop, a module-level parameter
dict, Shi-Tomasi's closed-form minimum eigenvalue, `eigvalsh` of stacked 2x2 structure tensors,
non-maximum suppression against eight shifted padded arrays and by a window max, top-k corners
by argsort and `unravel_index`); Canny pieces (orientation quantised by `np.round` and by
`np.digitize`, NMS by nested `np.where` and by mask writes `out[m] = mag[m]`, double
thresholds, hysteresis by a fixed number of dilations, a whole pipeline with a parameter dict);
Hough accumulators (lines by `np.add.at` on `np.nonzero` pixels, on all pixels weighted by the
edge mask and by `np.bincount` with `minlength`, circles of a fixed radius, peak suppression by
a distance mask); template matching (zero-mean NCC by windows and einsum, CS131's per-pixel
normalised loop, SSD with the argmin's `unravel_index`, FFT correlation); stereo (SSD and SAD
cost volumes with `np.inf` fills and argmin over disparities, sub-pixel parabola refinement by
`take_along_axis`); optical flow (Lucas-Kanade by the closed-form 2x2 inverse, by
`np.linalg.solve` and `np.linalg.inv` on stacked matrices, at static points by `pinv`,
Horn-Schunck iterations); pyramids (separable binomial blur by a Python `sum` of shifted
slices, Gaussian and Laplacian pyramids as lists, zero-insertion upsampling, block means,
pyramid blending); resampling (bilinear interpolation by floor/clip and fancy indexing, affine
and perspective inverse warps, nearest and bilinear resizes, rotation about the centre);
geometry (DLT homographies from a list of rows and SVD, normalised DLT, reprojection errors,
RANSAC with a generator made inside and passed in, keeping the best by `np.where`; projection
with intrinsics/extrinsics, Rodrigues, radial distortion, camera centres by SVD, RQ by flipped
QR; triangulation per point, batched SVD and by midpoints; the 8-point algorithm written row by
row into `A[i]`, normalised, with rank-2 enforcement, essential matrices, epipolar lines and
Sampson distances); descriptors and photometry (HOG cells by `bincount` with weights, bilinear
votes by `np.add.at`, a cell loop with `np.histogram` weights and L2-Hys block normalisation;
RGB to grey, HSV (and back by `np.choose`), YCbCr with `np.putmask` and Lab; histogram
equalisation by `bincount`/cumsum LUTs and by `np.histogram`/`np.interp`, percentile
stretching, gamma tables; integral images by cumsum (padded, uint8, a double loop), box
filters, Haar features and Sauvola thresholds from them; erosion and dilation by window min/max
and shifted ORs over a structuring element, opening, closing, gradients and top-hats, median
and bilateral filters, unsharp masks, LoG/DoG scale stacks; Otsu by cumulative sums for uint8
and skimage's float form; raw and central moments in a dict, centroids, orientation and
eccentricity, Hu's seven invariants and their log transform, per-label centroids). Further
forms: uint8 wraparound in PSNR, averages and brightening, int16 differences, float32 Harris
and ImageNet normalisation with float64 constants, `np.sqrt` of uint8 as float16, int16 Sobel
with float32 `hypot`; SSIM, phase correlation with the wrap by `np.where`, mutual information
by `histogram2d` and masked sums, entropy, CS131 seam carving (`np.insert`, `np.r_`, a
backtrack through traced indices, removal by `take_along_axis`), a chamfer distance with
Python `min`, k-means colours by masked means, Fitzgibbon's ellipse by `eig`, lane fits by
weighted `polyfit`, sub-pixel peaks by `lstsq` on a traced 3x3 patch, Kabsch, an LM step from
a finite-difference Jacobian, Bayer demosaicing, census costs by `unpackbits`, LBP codes, Gabor
banks, `as_strided` windows, `tensordot`; Hough accumulators by `acc[i[m], t[m]] += 1`,
z-buffers by `np.minimum.at` and last-write-wins assignment, colour overlays through masks,
`np.place`/`putmask` cycling, `np.unwrap` of fringe phases, FFT low-pass filters, a traced
`np.roll`, SciPy's `convolve2d` and `map_coordinates`, `np.piecewise`, `apply_along_axis`,
BRIEF descriptors by `packbits`, SIFT bins on integer gradients, NaN-producing NCC with
`argmax`/`nanargmax`, medians by `np.partition` and SAD block matching on quantised images.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place. Python integers that size the code (kernel sizes, cells,
bins, levels, disparities, output shapes, iteration counts, seeds) are static; the forms whose
Python depends on pixel values (CS131's per-pixel NMS `if`, hysteresis until nothing changes,
Otsu's loop with `continue` on empty classes, `if se[i, j]` over a structuring-element argument,
RANSAC keeping the best by `if`, `np.argwhere` corner lists, Solem's `if det(U @ V) < 0` sign
fix, a flood fill, Lowe's ratio-test matches, `np.vectorize` of a Python conditional, phase
correlation's wrap by `if`, a random flip by `if` on a generator argument's draw, CS131's seam
removal by a boolean mask and reshape) raise a named error and run eagerly under
`fallback=True`.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from test_corpus import check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names, _Xfail

import tracenp


def _img(s, n, w=None):
    """A float image in [0, 1): 3n x 4n unless the width is given."""
    return np.random.default_rng(s).random((3 * n, 4 * n if w is None else w))


def _small(s, n):
    """A small image for the per-pixel loops of course code."""
    return np.random.default_rng(s).random((n + 2, n + 3))


def _u8(s, *shape):
    return np.random.default_rng(s).integers(0, 256, shape, dtype=np.uint8)


def _rgb(s, n):
    return np.random.default_rng(s).random((2 * n, 3 * n, 3))


def _blobs(s, n):
    """A smooth image of three Gaussian blobs and a little noise, as corner demos use."""
    rng = np.random.default_rng(s)
    h, w = 3 * n, 4 * n
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w))
    for _ in range(3):
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        img += np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * (n / 2) ** 2))
    return img + 0.05 * rng.random((h, w))


def _edges(s, n, p=0.2):
    return np.random.default_rng(s).random((3 * n, 4 * n)) < p


def _stereo(s, n, shift=2):
    """A right image and the left one shifted right by `shift` pixels, with noise."""
    rng = np.random.default_rng(s)
    right = rng.random((3 * n, 4 * n))
    left = np.roll(right, shift, axis=1) + 0.01 * rng.random(right.shape)
    return left, right


def _flow_pair(s, n):
    img = _blobs(s, n)
    return img, np.roll(img, 1, axis=1) + 0.01 * np.random.default_rng(s + 7).random(img.shape)


H_TRUE = np.array([[1.1, 0.05, 3.0], [-0.04, 0.95, -2.0], [1e-4, 2e-4, 1.0]])


def _matches(s, n, noise=0.1, outliers=0):
    """Point correspondences under H_TRUE with noise; the last `outliers` are random."""
    rng = np.random.default_rng(s)
    src = rng.uniform(0, 100, (2 * n, 2))
    ph = np.column_stack([src, np.ones(2 * n)]) @ H_TRUE.T
    dst = ph[:, :2] / ph[:, 2:] + noise * rng.standard_normal((2 * n, 2))
    if outliers:
        dst[-outliers:] = rng.uniform(0, 100, (outliers, 2))
    return src, dst


K_CAM = np.array([[500.0, 0.0, 320.0], [0.0, 500.0, 240.0], [0.0, 0.0, 1.0]])


def _rot(a, b, c):
    ca, sa, cb, sb, cc, sc = np.cos(a), np.sin(a), np.cos(b), np.sin(b), np.cos(c), np.sin(c)
    rx = np.array([[1, 0, 0], [0, ca, -sa], [0, sa, ca]])
    ry = np.array([[cb, 0, sb], [0, 1, 0], [-sb, 0, cb]])
    rz = np.array([[cc, -sc, 0], [sc, cc, 0], [0, 0, 1]])
    return rz @ ry @ rx


def _two_view(s, n, noise=0.2):
    """3-D points in front of two cameras, their projections (pixels, with noise), K, P1, P2."""
    rng = np.random.default_rng(s)
    X = rng.uniform([-1, -1, 4], [1, 1, 8], (2 * n, 3))
    R = _rot(0.02 * s, 0.1, -0.03)
    t = np.array([-1.0, 0.1 * s, 0.05])
    P1 = K_CAM @ np.hstack([np.eye(3), np.zeros((3, 1))])
    P2 = K_CAM @ np.hstack([R, t[:, None]])
    Xh = np.column_stack([X, np.ones(2 * n)])
    x1, x2 = Xh @ P1.T, Xh @ P2.T
    x1 = x1[:, :2] / x1[:, 2:] + noise * rng.standard_normal((2 * n, 2))
    x2 = x2[:, :2] / x2[:, 2:] + noise * rng.standard_normal((2 * n, 2))
    return x1, x2, P1, P2


# ============================================================================ gradients

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
SOBEL_Y = SOBEL_X.T
SCHARR_X = np.array([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]], dtype=np.float64)


def sobel_slices(img):
    # the kernel written out on shifted slices, "valid" output
    gx = (img[:-2, 2:] + 2 * img[1:-1, 2:] + img[2:, 2:]) \
        - (img[:-2, :-2] + 2 * img[1:-1, :-2] + img[2:, :-2])
    gy = (img[2:, :-2] + 2 * img[2:, 1:-1] + img[2:, 2:]) \
        - (img[:-2, :-2] + 2 * img[:-2, 1:-1] + img[:-2, 2:])
    mag = np.sqrt(gx ** 2 + gy ** 2)
    theta = np.arctan2(gy, gx)
    return mag, theta


def conv2d_windows(img, kernel):
    # "same" correlation: pad by edge, view the windows, einsum with the kernel
    kh, kw = kernel.shape
    padded = np.pad(img, ((kh // 2, kh // 2), (kw // 2, kw // 2)), mode="edge")
    windows = sliding_window_view(padded, (kh, kw))
    return np.einsum("ijkl,kl->ij", windows, kernel)


def sobel_windows(img):
    gx = conv2d_windows(img, SOBEL_X)
    gy = conv2d_windows(img, SOBEL_Y)
    return np.hypot(gx, gy), np.degrees(np.arctan2(gy, gx)) % 180


def scharr_sum_windows(img):
    p = np.pad(img, 1, mode="reflect")
    w = sliding_window_view(p, (3, 3))
    gx = np.sum(w * SCHARR_X, axis=(-2, -1))
    gy = np.sum(w * SCHARR_X.T, axis=(-2, -1))
    mag = np.sqrt(gx * gx + gy * gy)
    return mag / mag.max()


def zero_pad(image, pad_height, pad_width):
    H, W = image.shape
    out = np.zeros((H + 2 * pad_height, W + 2 * pad_width))
    out[pad_height: H + pad_height, pad_width: W + pad_width] = image
    return out


def conv_fast(image, kernel):
    # CS131 hw1: flip the kernel, zero pad, one np.sum per output pixel
    Hi, Wi = image.shape
    Hk, Wk = kernel.shape
    out = np.zeros((Hi, Wi))
    image = zero_pad(image, Hk // 2, Wk // 2)
    kernel = np.flip(np.flip(kernel, 0), 1)
    for m in range(Hi):
        for n in range(Wi):
            out[m, n] = np.sum(image[m: m + Hk, n: n + Wk] * kernel)
    return out


def gradient_cs131(img):
    # CS131 hw2 partial_x / partial_y / gradient
    Gx = conv_fast(img, np.array([[0.5, 0, -0.5]]))
    Gy = conv_fast(img, np.array([[0.5], [0], [-0.5]]))
    G = np.sqrt(Gx ** 2 + Gy ** 2)
    theta = (np.rad2deg(np.arctan2(Gy, Gx)) + 180) % 360
    return G, theta


def gradient_np(img):
    gy, gx = np.gradient(img.astype(np.float64))
    mag = np.hypot(gx, gy)
    ori = np.arctan2(gy, gx) * 180 / np.pi
    ori[ori < 0] += 180
    return mag, ori


def gradient_uint8(img):
    # uint8 input: cast first, or the differences wrap
    f = img.astype(np.float32)
    gx = np.zeros_like(f)
    gy = np.zeros_like(f)
    gx[:, 1:-1] = (f[:, 2:] - f[:, :-2]) / 2
    gy[1:-1, :] = (f[2:, :] - f[:-2, :]) / 2
    return np.sqrt(gx * gx + gy * gy), np.arctan2(gy, gx)


# ============================================================================ corners


def box_sum(a, size):
    p = np.pad(a, size // 2, mode="constant")
    return sliding_window_view(p, (size, size)).sum(axis=(-1, -2))


def harris_box(img, k=0.04, window=3):
    Iy, Ix = np.gradient(img)
    Sxx = box_sum(Ix * Ix, window)
    Syy = box_sum(Iy * Iy, window)
    Sxy = box_sum(Ix * Iy, window)
    det = Sxx * Syy - Sxy ** 2
    trace = Sxx + Syy
    return det - k * trace ** 2


def gaussian_kernel(size, sigma):
    ax = np.arange(-(size // 2), size // 2 + 1)
    xx, yy = np.meshgrid(ax, ax)
    kernel = np.exp(-(xx ** 2 + yy ** 2) / (2.0 * sigma ** 2))
    return kernel / np.sum(kernel)


def gaussian_kernel_loop(size, sigma):
    # CS131 hw1 gaussian_kernel
    kernel = np.zeros((size, size))
    k = (size - 1) / 2
    for i in range(size):
        for j in range(size):
            kernel[i, j] = 1 / (2 * np.pi * sigma ** 2) * np.exp(
                -((i - k) ** 2 + (j - k) ** 2) / (2 * sigma ** 2))
    return kernel


def smooth_cs131(img, sigma, size=5):
    return conv_fast(img, gaussian_kernel_loop(size, sigma))


def filter_shift_add(img, kernel):
    # correlation as a weighted sum of shifted copies of a reflect-padded image
    H, W = img.shape
    kh, kw = kernel.shape
    p = np.pad(img, ((kh // 2,) * 2, (kw // 2,) * 2), mode="reflect")
    out = np.zeros_like(img)
    for dy in range(kh):
        for dx in range(kw):
            out += kernel[dy, dx] * p[dy:dy + H, dx:dx + W]
    return out


HARRIS = {"sigma": 1.0, "size": 5, "k": 0.05, "thresh": 0.01}


def harris_gaussian(img):
    params = HARRIS
    Iy, Ix = np.gradient(img)
    g = gaussian_kernel(params["size"], params["sigma"])
    A = filter_shift_add(Ix ** 2, g)
    B = filter_shift_add(Iy ** 2, g)
    C = filter_shift_add(Ix * Iy, g)
    R = (A * B - C * C) - params["k"] * (A + B) ** 2
    return R, R > params["thresh"] * R.max()


def shi_tomasi(img, window=3):
    Iy, Ix = np.gradient(img)
    Sxx, Syy, Sxy = box_sum(Ix * Ix, window), box_sum(Iy * Iy, window), box_sum(Ix * Iy, window)
    return (Sxx + Syy) / 2 - np.sqrt(((Sxx - Syy) / 2) ** 2 + Sxy ** 2)


def harris_eigvalsh(img, k=0.05):
    Iy, Ix = np.gradient(img)
    M = np.empty(img.shape + (2, 2))
    M[..., 0, 0] = box_sum(Ix * Ix, 3)
    M[..., 0, 1] = M[..., 1, 0] = box_sum(Ix * Iy, 3)
    M[..., 1, 1] = box_sum(Iy * Iy, 3)
    lam = np.linalg.eigvalsh(M)
    return lam[..., 0], lam[..., 0] * lam[..., 1] - k * lam.sum(-1) ** 2


def nms_shifted(R, thresh=0.01):
    H, W = R.shape
    P = np.pad(R, 1, mode="constant", constant_values=-np.inf)
    is_max = np.ones_like(R, dtype=bool)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy == 0 and dx == 0:
                continue
            is_max &= R > P[1 + dy:1 + dy + H, 1 + dx:1 + dx + W]
    return is_max & (R > thresh * R.max())


def nms_window_max(R, size=3):
    local_max = sliding_window_view(np.pad(R, size // 2, mode="edge"), (size, size))
    local_max = local_max.max(axis=(2, 3))
    return np.where((R == local_max) & (R > 0), R, 0.0)


def top_k_corners(R, k=5):
    idx = np.argsort(R, axis=None)[::-1][:k]
    ys, xs = np.unravel_index(idx, R.shape)
    return np.stack([ys, xs], axis=1), R[ys, xs]


def harris_top_k(img, k=4):
    return top_k_corners(nms_window_max(harris_box(img)), k)


# ============================================================================ canny


def canny_quantize_round(gx, gy):
    angle = np.rad2deg(np.arctan2(gy, gx))
    angle[angle < 0] += 180
    return (np.round(angle / 45.0) % 4).astype(int)


def canny_digitize(theta):
    ang = np.degrees(theta) % 180
    return np.digitize(ang, [22.5, 67.5, 112.5, 157.5]) % 4


def canny_nms_where(mag, theta):
    H, W = mag.shape
    P = np.pad(mag, 1)

    def sh(dy, dx):
        return P[1 + dy:1 + dy + H, 1 + dx:1 + dx + W]

    d = np.digitize(np.rad2deg(theta) % 180, [22.5, 67.5, 112.5, 157.5]) % 4
    n1 = np.where(d == 0, sh(0, 1), np.where(d == 1, sh(-1, 1),
                                             np.where(d == 2, sh(-1, 0), sh(-1, -1))))
    n2 = np.where(d == 0, sh(0, -1), np.where(d == 1, sh(1, -1),
                                              np.where(d == 2, sh(1, 0), sh(1, 1))))
    keep = (mag >= n1) & (mag >= n2)
    return np.where(keep, mag, 0)


def canny_nms_masks(mag, theta):
    H, W = mag.shape
    P = np.pad(mag, 1)
    d = np.digitize(np.rad2deg(theta) % 180, [22.5, 67.5, 112.5, 157.5]) % 4
    out = np.zeros_like(mag)
    for k, (dy, dx) in enumerate(((0, 1), (-1, 1), (-1, 0), (-1, -1))):
        fwd = P[1 + dy:1 + dy + H, 1 + dx:1 + dx + W]
        bwd = P[1 - dy:1 - dy + H, 1 - dx:1 - dx + W]
        m = (d == k) & (mag >= fwd) & (mag >= bwd)
        out[m] = mag[m]
    return out


def double_thresholding(img, high, low):
    # CS131 hw2
    strong_edges = np.zeros(img.shape, dtype=bool)
    weak_edges = np.zeros(img.shape, dtype=bool)
    strong_edges = img > high
    weak_edges = (img > low) & (img <= high)
    return strong_edges, weak_edges


def hysteresis_fixed(strong, weak, iters=6):
    H, W = strong.shape
    edges = strong.copy()
    for _ in range(iters):
        P = np.pad(edges, 1)
        grown = np.zeros_like(edges)
        for dy in range(3):
            for dx in range(3):
                grown |= P[dy:dy + H, dx:dx + W]
        edges = edges | (weak & grown)
    return edges


def canny(img, params):
    g = gaussian_kernel(5, params["sigma"])
    smooth = filter_shift_add(img, g)
    gy, gx = np.gradient(smooth)
    mag = np.hypot(gx, gy)
    nms = canny_nms_where(mag, np.arctan2(gy, gx))
    high = params["high"] * nms.max()
    low = params["low"] * nms.max()
    strong, weak = double_thresholding(nms, high, low)
    return hysteresis_fixed(strong, weak, 4)


# ============================================================================ hough


def hough_lines_nonzero(edges, n_theta=30):
    H, W = edges.shape
    diag = int(np.ceil(np.hypot(H, W)))
    thetas = np.deg2rad(np.arange(-90, 90, 180 / n_theta))
    acc = np.zeros((2 * diag + 1, n_theta), dtype=np.uint64)
    ys, xs = np.nonzero(edges)
    rho = np.round(xs[:, None] * np.cos(thetas) + ys[:, None] * np.sin(thetas)).astype(int)
    np.add.at(acc, (rho + diag, np.arange(n_theta)), 1)
    return acc


def hough_lines_weighted(edges, n_theta=24):
    H, W = edges.shape
    diag = int(np.sqrt(H * H + W * W)) + 1
    thetas = np.linspace(-np.pi / 2, np.pi / 2, n_theta, endpoint=False)
    y, x = np.indices((H, W))
    rho = np.round(x[..., None] * np.cos(thetas) + y[..., None] * np.sin(thetas))
    rho = rho.astype(np.int64) + diag
    acc = np.zeros((2 * diag, n_theta))
    t_idx = np.broadcast_to(np.arange(n_theta), rho.shape)
    np.add.at(acc, (rho.ravel(), t_idx.ravel()), np.repeat(edges.ravel().astype(float), n_theta))
    return acc


def hough_lines_bincount(edges, n_theta=20):
    H, W = edges.shape
    diag = int(np.sqrt(H * H + W * W)) + 1
    thetas = np.linspace(0, np.pi, n_theta, endpoint=False)
    y, x = np.indices((H, W))
    rho = np.round(x[..., None] * np.cos(thetas) + y[..., None] * np.sin(thetas)).astype(int)
    flat = (rho + diag) * n_theta + np.arange(n_theta)
    w = np.broadcast_to(edges[..., None], flat.shape).ravel()
    acc = np.bincount(flat.ravel(), weights=w, minlength=2 * diag * n_theta)
    return acc.reshape(2 * diag, n_theta)


def hough_circles(edges, radius=3, n_angles=16):
    H, W = edges.shape
    acc = np.zeros((H, W))
    t = np.linspace(0, 2 * np.pi, n_angles, endpoint=False)
    ys, xs = np.indices(edges.shape)
    for ct, st in zip(np.cos(t), np.sin(t)):
        a = np.round(xs - radius * ct).astype(int)
        b = np.round(ys - radius * st).astype(int)
        valid = (a >= 0) & (a < W) & (b >= 0) & (b < H)
        np.add.at(acc, (np.clip(b, 0, H - 1), np.clip(a, 0, W - 1)), edges * valid)
    return acc


def hough_peaks_masked(acc, num_peaks=3, nhood=1):
    acc = acc.astype(float).copy()
    rr, tt = np.indices(acc.shape)
    peaks = []
    for _ in range(num_peaks):
        r, t = np.unravel_index(np.argmax(acc), acc.shape)
        peaks.append((r, t))
        acc[(np.abs(rr - r) <= nhood) & (np.abs(tt - t) <= nhood)] = 0
    return np.array(peaks)


def hough_peaks_clamped_slices(acc, num_peaks=3):
    acc = acc.copy()
    peaks = []
    for _ in range(num_peaks):
        r, t = np.unravel_index(np.argmax(acc), acc.shape)
        peaks.append((r, t))
        acc[max(r - 1, 0):r + 2, max(t - 1, 0):t + 2] = 0
    return np.array(peaks)


# ===================================================================== template matching


def ncc_windows(img, tmpl):
    th, tw = tmpl.shape
    win = sliding_window_view(img, (th, tw))
    t = tmpl - tmpl.mean()
    w = win - win.mean(axis=(-2, -1), keepdims=True)
    num = np.einsum("ijkl,kl->ij", w, t)
    den = np.sqrt(np.einsum("ijkl,ijkl->ij", w, w) * np.sum(t * t))
    return num / den


def normalized_cross_correlation(f, g):
    # CS131 hw1: per-window mean and std inside the loop
    Hf, Wf = f.shape
    Hg, Wg = g.shape
    out = np.zeros((Hf, Wf))
    g = (g - np.mean(g)) / np.std(g)
    f_pad = zero_pad(f, Hg // 2, Wg // 2)
    for m in range(Hf):
        for n in range(Wf):
            patch = f_pad[m:m + Hg, n:n + Wg]
            out[m, n] = np.sum(((patch - patch.mean()) / patch.std()) * g)
    return out


def ssd_match(img, tmpl):
    win = sliding_window_view(img, tmpl.shape)
    ssd = ((win - tmpl) ** 2).sum(axis=(2, 3))
    y, x = np.unravel_index(np.argmin(ssd), ssd.shape)
    return ssd, y, x


def fft_correlate(img, tmpl):
    H, W = img.shape
    F = np.fft.fft2(img)
    T = np.fft.fft2(tmpl - tmpl.mean(), s=(H, W))
    corr = np.real(np.fft.ifft2(F * np.conj(T)))
    return corr, np.unravel_index(np.argmax(corr), corr.shape)


def match_template_mask(img, tmpl, mask):
    # SAD with a template mask, lowest cost found by argmin of the flattened map
    win = sliding_window_view(img, tmpl.shape)
    sad = (np.abs(win - tmpl) * mask).sum(axis=(-2, -1)) / mask.sum()
    return sad.min(), divmod(int(np.argmin(sad)), sad.shape[1])


# ============================================================================ stereo


def ssd_disparity(left, right, max_disp=4, block=3):
    H, W = left.shape
    cost = np.full((max_disp, H, W), np.inf)
    for d in range(max_disp):
        diff = np.zeros((H, W))
        diff[:, d:] = (left[:, d:] - right[:, :W - d]) ** 2
        cost[d] = box_sum(diff, block)
        cost[d, :, :d] = np.inf
    return np.argmin(cost, axis=0)


def sad_cost_volume(left, right, max_disp=4, block=3):
    H, W = left.shape
    pad = block // 2
    L = sliding_window_view(np.pad(left, pad, mode="edge"), (block, block))
    R = sliding_window_view(np.pad(right, pad, mode="edge"), (block, block))
    volume = np.full((H, W, max_disp), 1e9)
    for d in range(max_disp):
        volume[:, d:, d] = np.abs(L[:, d:] - R[:, :W - d]).sum(axis=(-1, -2))
    disp = volume.argmin(axis=2)
    return disp, np.take_along_axis(volume, disp[..., None], axis=2)[..., 0]


def subpixel_disparity(left, right, max_disp=5):
    H, W = left.shape
    cost = np.full((H, W, max_disp), 1e3)
    for d in range(max_disp):
        cost[:, d:, d] = box_sum((left[:, d:] - right[:, :W - d]) ** 2, 3)
    d = np.argmin(cost, axis=2)
    d = np.clip(d, 1, max_disp - 2)
    c0 = np.take_along_axis(cost, (d - 1)[..., None], 2)[..., 0]
    c1 = np.take_along_axis(cost, d[..., None], 2)[..., 0]
    c2 = np.take_along_axis(cost, (d + 1)[..., None], 2)[..., 0]
    denom = c0 - 2 * c1 + c2
    offset = np.where(np.abs(denom) > 1e-9, 0.5 * (c0 - c2) / np.where(denom == 0, 1, denom), 0)
    return d + offset


def ncc_disparity(left, right, max_disp=4, w=3):
    H, W = left.shape
    p = w // 2
    Lw = sliding_window_view(np.pad(left, p, mode="reflect"), (w, w)).reshape(H, W, -1)
    Rw = sliding_window_view(np.pad(right, p, mode="reflect"), (w, w)).reshape(H, W, -1)
    Lw = Lw - Lw.mean(-1, keepdims=True)
    Rw = Rw - Rw.mean(-1, keepdims=True)
    Lw /= np.linalg.norm(Lw, axis=-1, keepdims=True) + 1e-8
    Rw /= np.linalg.norm(Rw, axis=-1, keepdims=True) + 1e-8
    scores = np.full((max_disp, H, W), -1.0)
    for d in range(max_disp):
        scores[d, :, d:] = np.sum(Lw[:, d:] * Rw[:, :W - d], axis=-1)
    return scores.argmax(axis=0)


# ============================================================================ optical flow


def _lk_sums(I1, I2, window):
    Iy, Ix = np.gradient(I1)
    It = I2 - I1
    return (box_sum(Ix * Ix, window), box_sum(Iy * Iy, window), box_sum(Ix * Iy, window),
            box_sum(Ix * It, window), box_sum(Iy * It, window))


def lucas_kanade_closed(I1, I2, window=3):
    Sxx, Syy, Sxy, Sxt, Syt = _lk_sums(I1, I2, window)
    det = Sxx * Syy - Sxy ** 2
    det = np.where(np.abs(det) < 1e-9, np.inf, det)
    u = (-Syy * Sxt + Sxy * Syt) / det
    v = (Sxy * Sxt - Sxx * Syt) / det
    return u, v


def lucas_kanade_solve(I1, I2, window=3):
    Sxx, Syy, Sxy, Sxt, Syt = _lk_sums(I1, I2, window)
    A = np.stack([np.stack([Sxx, Sxy], -1), np.stack([Sxy, Syy], -1)], -2)
    b = -np.stack([Sxt, Syt], -1)
    A = A + 1e-6 * np.eye(2)
    return np.linalg.solve(A, b[..., None])[..., 0]


def lucas_kanade_inv(I1, I2, window=5):
    Sxx, Syy, Sxy, Sxt, Syt = _lk_sums(I1, I2, window)
    H, W = I1.shape
    A = np.zeros((H, W, 2, 2))
    A[:, :, 0, 0], A[:, :, 0, 1], A[:, :, 1, 0], A[:, :, 1, 1] = Sxx, Sxy, Sxy, Syy
    b = np.zeros((H, W, 2, 1))
    b[:, :, 0, 0], b[:, :, 1, 0] = -Sxt, -Syt
    flow = np.linalg.inv(A + 1e-6 * np.eye(2)) @ b
    return flow[..., 0]


def lucas_kanade_points(I1, I2, points=((4, 5), (6, 8), (7, 3)), w=2):
    Iy, Ix = np.gradient(I1)
    It = I2 - I1
    flows = []
    for y, x in points:
        ix = Ix[y - w:y + w + 1, x - w:x + w + 1].ravel()
        iy = Iy[y - w:y + w + 1, x - w:x + w + 1].ravel()
        it = It[y - w:y + w + 1, x - w:x + w + 1].ravel()
        A = np.vstack((ix, iy)).T
        nu = np.linalg.pinv(A) @ (-it)
        flows.append(nu)
    return np.array(flows)


def horn_schunck(I1, I2, alpha=1.0, n_iter=12):
    kernel = np.array([[1 / 12, 1 / 6, 1 / 12], [1 / 6, 0, 1 / 6], [1 / 12, 1 / 6, 1 / 12]])
    Iy, Ix = np.gradient(I1)
    It = I2 - I1
    u = np.zeros_like(I1)
    v = np.zeros_like(I1)
    for _ in range(n_iter):
        u_avg = conv2d_windows(u, kernel)
        v_avg = conv2d_windows(v, kernel)
        der = (Ix * u_avg + Iy * v_avg + It) / (alpha ** 2 + Ix ** 2 + Iy ** 2)
        u = u_avg - Ix * der
        v = v_avg - Iy * der
    return u, v


# ============================================================================ pyramids

BINOMIAL = np.array([1, 4, 6, 4, 1]) / 16.0


def blur_separable(img):
    H, W = img.shape
    p = np.pad(img, 2, mode="reflect")
    tmp = sum(BINOMIAL[i] * p[:, i:i + W] for i in range(5))
    return sum(BINOMIAL[i] * tmp[i:i + H, :] for i in range(5))


def gaussian_pyramid(img, levels=3):
    pyr = [img]
    for _ in range(levels - 1):
        img = blur_separable(img)[::2, ::2]
        pyr.append(img)
    return pyr


def laplacian_pyramid(img, levels=3):
    gp = gaussian_pyramid(img, levels)
    lp = []
    for i in range(levels - 1):
        up = np.repeat(np.repeat(gp[i + 1], 2, axis=0), 2, axis=1)
        up = up[:gp[i].shape[0], :gp[i].shape[1]]
        lp.append(gp[i] - blur_separable(up))
    lp.append(gp[-1])
    return lp


def upsample_zeros(img):
    H, W = img.shape
    up = np.zeros((2 * H, 2 * W))
    up[::2, ::2] = img
    return 4 * blur_separable(up)


def block_mean_downsample(img, f=2):
    H, W = img.shape
    return img[:H // f * f, :W // f * f].reshape(H // f, f, W // f, f).mean(axis=(1, 3))


def pyramid_blend(a, b, mask, levels=2):
    la, lb = laplacian_pyramid(a, levels), laplacian_pyramid(b, levels)
    gm = gaussian_pyramid(mask.astype(float), levels)
    blended = [m * x + (1 - m) * y for x, y, m in zip(la, lb, gm)]
    out = blended[-1]
    for lev in blended[-2::-1]:
        out = upsample_zeros(out)[:lev.shape[0], :lev.shape[1]] + lev
    return out


# ============================================================================ resampling


def bilinear_interpolate(im, x, y):
    x0 = np.floor(x).astype(int)
    x1 = x0 + 1
    y0 = np.floor(y).astype(int)
    y1 = y0 + 1
    x0 = np.clip(x0, 0, im.shape[1] - 1)
    x1 = np.clip(x1, 0, im.shape[1] - 1)
    y0 = np.clip(y0, 0, im.shape[0] - 1)
    y1 = np.clip(y1, 0, im.shape[0] - 1)
    Ia, Ib, Ic, Id = im[y0, x0], im[y1, x0], im[y0, x1], im[y1, x1]
    wa = (x1 - x) * (y1 - y)
    wb = (x1 - x) * (y - y0)
    wc = (x - x0) * (y1 - y)
    wd = (x - x0) * (y - y0)
    return wa * Ia + wb * Ib + wc * Ic + wd * Id


def warp_affine(img, A):
    H, W = img.shape
    ys, xs = np.mgrid[0:H, 0:W]
    coords = np.stack([xs.ravel(), ys.ravel(), np.ones(H * W)])
    Ainv = np.linalg.inv(np.vstack([A, [0, 0, 1]]))
    src = Ainv @ coords
    sx, sy = src[0].reshape(H, W), src[1].reshape(H, W)
    valid = (sx >= 0) & (sx <= W - 1) & (sy >= 0) & (sy <= H - 1)
    out = bilinear_interpolate(img, sx, sy)
    out[~valid] = 0
    return out


def warp_perspective(img, Hm):
    H, W = img.shape
    xs, ys = np.meshgrid(np.arange(W), np.arange(H))
    pts = np.vstack([xs.flatten(), ys.flatten(), np.ones(xs.size)])
    src = np.linalg.inv(Hm) @ pts
    src = src[:2] / src[2]
    xi = np.rint(src[0]).astype(np.int64)
    yi = np.rint(src[1]).astype(np.int64)
    inside = (xi >= 0) & (xi < W) & (yi >= 0) & (yi < H)
    out = np.zeros(H * W, dtype=img.dtype)
    out[inside] = img[yi[inside], xi[inside]]
    return out.reshape(H, W)


def resize_nearest(img, new_h=10, new_w=7):
    rows = (np.arange(new_h) * img.shape[0] / new_h).astype(int)
    cols = (np.arange(new_w) * img.shape[1] / new_w).astype(int)
    return img[rows[:, None], cols]


def resize_bilinear(img, new_h=9, new_w=11):
    H, W = img.shape
    y = np.linspace(0, H - 1, new_h)
    x = np.linspace(0, W - 1, new_w)
    xx, yy = np.meshgrid(x, y)
    return bilinear_interpolate(img, xx, yy)


def rotate_image(img, angle):
    H, W = img.shape
    cy, cx = (H - 1) / 2, (W - 1) / 2
    t = np.deg2rad(angle)
    yy, xx = np.indices((H, W))
    xs = np.cos(t) * (xx - cx) + np.sin(t) * (yy - cy) + cx
    ys = -np.sin(t) * (xx - cx) + np.cos(t) * (yy - cy) + cy
    xi, yi = np.round(xs).astype(int), np.round(ys).astype(int)
    ok = (xi >= 0) & (xi < W) & (yi >= 0) & (yi < H)
    return np.where(ok, img[np.clip(yi, 0, H - 1), np.clip(xi, 0, W - 1)], 0)


# ============================================================================ homographies


def compute_homography(src, dst):
    A = []
    for i in range(src.shape[0]):
        x, y = src[i, 0], src[i, 1]
        u, v = dst[i, 0], dst[i, 1]
        A.append([-x, -y, -1, 0, 0, 0, u * x, u * y, u])
        A.append([0, 0, 0, -x, -y, -1, v * x, v * y, v])
    A = np.array(A)
    U, S, Vt = np.linalg.svd(A)
    H = Vt[-1].reshape(3, 3)
    return H / H[2, 2]


def normalize_points(pts):
    centroid = pts.mean(axis=0)
    d = np.sqrt(((pts - centroid) ** 2).sum(axis=1)).mean()
    s = np.sqrt(2) / d
    T = np.array([[s, 0, -s * centroid[0]], [0, s, -s * centroid[1]], [0, 0, 1]])
    ph = np.column_stack([pts, np.ones(len(pts))])
    return (T @ ph.T).T, T


def homography_normalized(src, dst):
    p1, T1 = normalize_points(src)
    p2, T2 = normalize_points(dst)
    Hn = compute_homography(p1[:, :2], p2[:, :2])
    H = np.linalg.inv(T2) @ Hn @ T1
    return H / H[-1, -1]


def apply_homography(H, pts):
    ph = np.hstack([pts, np.ones((pts.shape[0], 1))]) @ H.T
    return ph[:, :2] / ph[:, 2:3]


def reprojection_error(src, dst):
    H = compute_homography(src, dst)
    err = np.linalg.norm(apply_homography(H, src) - dst, axis=1)
    return err.mean(), np.sqrt(np.mean(err ** 2))


def symmetric_transfer_error(H, src, dst):
    fwd = apply_homography(H, src)
    bwd = apply_homography(np.linalg.inv(H), dst)
    return np.sum((fwd - dst) ** 2, axis=1) + np.sum((bwd - src) ** 2, axis=1)


def ransac_homography(src, dst, n_iters=15, thresh=2.0, seed=0):
    rng = np.random.default_rng(seed)
    n = len(src)
    Hs, counts = [], []
    for _ in range(n_iters):
        idx = rng.choice(n, 4, replace=False)
        H = compute_homography(src[idx], dst[idx])
        err = np.linalg.norm(apply_homography(H, src) - dst, axis=1)
        counts.append(np.sum(err < thresh))
        Hs.append(H)
    k = np.argmax(counts)
    return np.array(Hs)[k], np.array(counts)[k]


def ransac_line(points, rng, n_iters=20, thresh=0.1):
    best_inliers = np.zeros(len(points), dtype=bool)
    best_count = 0
    for _ in range(n_iters):
        i, j = rng.choice(len(points), 2, replace=False)
        p, q = points[i], points[j]
        d = q - p
        normal = np.array([-d[1], d[0]]) / np.linalg.norm(d)
        dist = np.abs((points - p) @ normal)
        inliers = dist < thresh
        better = inliers.sum() > best_count
        best_inliers = np.where(better, inliers, best_inliers)
        best_count = np.where(better, inliers.sum(), best_count)
    return best_inliers, best_count


def _line_points(s, n):
    rng = np.random.default_rng(s)
    x = rng.uniform(0, 1, 5 * n)
    pts = np.column_stack([x, 0.5 * x + 0.2 + 0.01 * rng.standard_normal(5 * n)])
    pts[::4] = rng.uniform(0, 1, pts[::4].shape)
    return pts


# ============================================================================ cameras


def project_points(X, K, R, t):
    Xc = R @ X.T + t.reshape(3, 1)
    x = K @ Xc
    return (x[:2] / x[2]).T


def rodrigues(rvec):
    theta = np.linalg.norm(rvec)
    k = rvec / theta
    Kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(theta) * Kx + (1 - np.cos(theta)) * Kx @ Kx


def project_distorted(X, rvec, tvec, cam):
    R = rodrigues(rvec)
    Xc = X @ R.T + tvec
    x, y = Xc[:, 0] / Xc[:, 2], Xc[:, 1] / Xc[:, 2]
    r2 = x ** 2 + y ** 2
    radial = 1 + cam["k1"] * r2 + cam["k2"] * r2 ** 2
    u = cam["f"] * x * radial + cam["cx"]
    v = cam["f"] * y * radial + cam["cy"]
    return np.column_stack([u, v])


def projection_matrix(K, R, t, X):
    P = K @ np.hstack([R, t.reshape(-1, 1)])
    Xh = np.hstack([X, np.ones((len(X), 1))])
    x = (P @ Xh.T).T
    return P, x[:, :2] / x[:, [2]]


def camera_center(P):
    U, S, Vt = np.linalg.svd(P)
    C = Vt[-1]
    return C[:3] / C[3]


def rq_decompose(P):
    M = P[:, :3]
    Q, Rr = np.linalg.qr(np.flipud(M).T)
    R = np.flipud(Q.T)
    K = np.fliplr(np.flipud(Rr.T))
    T = np.diag(np.sign(np.diag(K)))
    K = K @ T
    R = T @ R
    return K / K[2, 2], R


def look_at(eye, target, up=np.array([0.0, 1.0, 0.0])):
    z = target - eye
    z = z / np.linalg.norm(z)
    x = np.cross(up, z)
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    R = np.stack([x, y, z])
    return R, -R @ eye


def euler_camera(X, yaw, pitch, roll, f):
    cy, sy, cp, sp, cr, sr = (np.cos(yaw), np.sin(yaw), np.cos(pitch), np.sin(pitch),
                              np.cos(roll), np.sin(roll))
    R = np.array([[cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr],
                  [sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr],
                  [-sp, cp * sr, cp * cr]])
    Xc = X @ R.T + np.array([0.0, 0.0, 5.0])
    return f * Xc[:, :2] / Xc[:, 2:]


# ============================================================================ two views


def triangulate_point(P1, P2, x1, x2):
    A = np.array([x1[0] * P1[2] - P1[0], x1[1] * P1[2] - P1[1],
                  x2[0] * P2[2] - P2[0], x2[1] * P2[2] - P2[1]])
    _, _, Vt = np.linalg.svd(A)
    X = Vt[-1]
    return X[:3] / X[3]


def triangulate_all(x1, x2, P1, P2):
    return np.array([triangulate_point(P1, P2, x1[i], x2[i]) for i in range(len(x1))])


def triangulate_batched(x1, x2, P1, P2):
    A = np.stack([x1[:, :1] * P1[2] - P1[0], x1[:, 1:] * P1[2] - P1[1],
                  x2[:, :1] * P2[2] - P2[0], x2[:, 1:] * P2[2] - P2[1]], axis=1)
    _, _, Vt = np.linalg.svd(A)
    X = Vt[:, -1, :]
    return X[:, :3] / X[:, 3:]


def triangulate_midpoint(x1, x2, P1, P2):
    # rays from the camera centres through the back-projected pixels
    def ray(P, x):
        M, p4 = P[:, :3], P[:, 3]
        C = -np.linalg.solve(M, p4)
        d = np.linalg.solve(M, np.column_stack([x, np.ones(len(x))]).T).T
        return C, d / np.linalg.norm(d, axis=1, keepdims=True)

    C1, d1 = ray(P1, x1)
    C2, d2 = ray(P2, x2)
    w = C1 - C2
    a, b, c = (d1 * d1).sum(1), (d1 * d2).sum(1), (d2 * d2).sum(1)
    d, e = (d1 * w).sum(1), (d2 * w).sum(1)
    den = a * c - b * b
    s = (b * e - c * d) / den
    t = (a * e - b * d) / den
    return 0.5 * (C1 + s[:, None] * d1 + C2 + t[:, None] * d2)


def compute_fundamental(x1, x2):
    # Solem's PCV: rows written one by one into A[i]
    n = x1.shape[0]
    A = np.zeros((n, 9))
    for i in range(n):
        A[i] = [x1[i, 0] * x2[i, 0], x1[i, 1] * x2[i, 0], x2[i, 0],
                x1[i, 0] * x2[i, 1], x1[i, 1] * x2[i, 1], x2[i, 1],
                x1[i, 0], x1[i, 1], 1]
    U, S, V = np.linalg.svd(A)
    F = V[-1].reshape(3, 3)
    U, S, V = np.linalg.svd(F)
    S[2] = 0
    F = np.dot(U, np.dot(np.diag(S), V))
    return F / F[2, 2]


def eight_point_normalized(x1, x2):
    p1, T1 = normalize_points(x1)
    p2, T2 = normalize_points(x2)
    A = np.column_stack([p2[:, 0] * p1[:, 0], p2[:, 0] * p1[:, 1], p2[:, 0],
                         p2[:, 1] * p1[:, 0], p2[:, 1] * p1[:, 1], p2[:, 1],
                         p1[:, 0], p1[:, 1], np.ones(len(p1))])
    _, _, Vt = np.linalg.svd(A)
    F = Vt[-1].reshape(3, 3)
    U, S, Vt = np.linalg.svd(F)
    F = U @ np.diag([S[0], S[1], 0]) @ Vt
    F = T2.T @ F @ T1
    return F / np.linalg.norm(F) * np.sign(F[2, 2])


def essential_from_fundamental(F, K):
    E = K.T @ F @ K
    U, S, Vt = np.linalg.svd(E)
    s = (S[0] + S[1]) / 2
    E = U @ np.diag([s, s, 0]) @ Vt
    return E / np.linalg.norm(E) * np.sign(E[2, 2]), S


def epipolar_lines(F, x1):
    lines = F @ np.column_stack([x1, np.ones(len(x1))]).T
    return (lines / np.sqrt(lines[0] ** 2 + lines[1] ** 2)).T


def sampson_distance(F, x1, x2):
    x1h = np.column_stack([x1, np.ones(len(x1))])
    x2h = np.column_stack([x2, np.ones(len(x2))])
    Fx1 = x1h @ F.T
    Ftx2 = x2h @ F
    num = np.einsum("ij,ij->i", x2h, Fx1) ** 2
    return num / (Fx1[:, 0] ** 2 + Fx1[:, 1] ** 2 + Ftx2[:, 0] ** 2 + Ftx2[:, 1] ** 2)


def f_pipeline(x1, x2):
    F = eight_point_normalized(x1, x2)
    E, S = essential_from_fundamental(F, K_CAM)
    return sampson_distance(F, x1, x2), E, S


# ============================================================================ HOG


def _grad_polar(img):
    gy, gx = np.gradient(img)
    return np.hypot(gx, gy), np.rad2deg(np.arctan2(gy, gx)) % 180


def hog_cells_bincount(img, cell=4, nbins=9):
    mag, ang = _grad_polar(img)
    b = (ang // (180 / nbins)).astype(int) % nbins
    H, W = img.shape
    cy, cx = H // cell, W // cell
    rows = np.arange(cy * cell) // cell
    cols = np.arange(cx * cell) // cell
    cell_idx = rows[:, None] * cx + cols[None, :]
    flat = cell_idx * nbins + b[:cy * cell, :cx * cell]
    hist = np.bincount(flat.ravel(), weights=mag[:cy * cell, :cx * cell].ravel(),
                       minlength=cy * cx * nbins)
    return hist.reshape(cy, cx, nbins)


def hog_cells_bilinear(img, cell=4, nbins=9):
    H, W = img.shape
    H, W = H // cell * cell, W // cell * cell
    mag, ang = _grad_polar(img[:H, :W])
    bin_width = 180 / nbins
    pos = ang / bin_width - 0.5
    b0 = np.floor(pos).astype(int)
    frac = pos - b0
    b0 %= nbins
    b1 = (b0 + 1) % nbins
    hist = np.zeros((H // cell, W // cell, nbins))
    ci = (np.arange(H) // cell)[:, None]
    cj = (np.arange(W) // cell)[None, :]
    np.add.at(hist, (ci, cj, b0), mag * (1 - frac))
    np.add.at(hist, (ci, cj, b1), mag * frac)
    return hist


def hog_cells_loop(img, cell=4, nbins=9):
    mag, ang = _grad_polar(img)
    cy, cx = img.shape[0] // cell, img.shape[1] // cell
    hist = np.zeros((cy, cx, nbins))
    for i in range(cy):
        for j in range(cx):
            m = mag[i * cell:(i + 1) * cell, j * cell:(j + 1) * cell]
            a = ang[i * cell:(i + 1) * cell, j * cell:(j + 1) * cell]
            hist[i, j], _ = np.histogram(a, bins=nbins, range=(0, 180), weights=m)
    return hist


def hog_block_normalize(hist, block=2, eps=1e-5):
    cy, cx, nb = hist.shape
    blocks = sliding_window_view(hist, (block, block), axis=(0, 1))
    v = blocks.reshape(cy - block + 1, cx - block + 1, -1)
    v = v / np.sqrt(np.sum(v ** 2, axis=-1, keepdims=True) + eps ** 2)
    v = np.minimum(v, 0.2)
    v = v / np.sqrt(np.sum(v ** 2, axis=-1, keepdims=True) + eps ** 2)
    return v.ravel()


def hog_descriptor(img):
    return hog_block_normalize(hog_cells_bincount(img, 3, 9))


# ============================================================================ colour


def rgb2gray(rgb):
    return np.dot(rgb[..., :3], [0.2989, 0.5870, 0.1140])


def rgb2gray_uint8(img):
    r, g, b = img[:, :, 0], img[:, :, 1], img[:, :, 2]
    gray = 0.299 * r + 0.587 * g + 0.114 * b
    return gray.round().astype(np.uint8)


def rgb_to_hsv(rgb):
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    maxc = rgb.max(-1)
    minc = rgb.min(-1)
    v = maxc
    delta = maxc - minc
    s = np.where(maxc > 0, delta / np.where(maxc == 0, 1, maxc), 0)
    dsafe = np.where(delta == 0, 1, delta)
    rc = (maxc - r) / dsafe
    gc = (maxc - g) / dsafe
    bc = (maxc - b) / dsafe
    h = np.where(r == maxc, bc - gc, np.where(g == maxc, 2.0 + rc - bc, 4.0 + gc - rc))
    h = (h / 6.0) % 1.0
    h = np.where(delta == 0, 0.0, h)
    return np.stack([h, s, v], axis=-1)


def hsv_to_rgb(hsv):
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    i = np.floor(h * 6).astype(int)
    f = h * 6 - i
    p = v * (1 - s)
    q = v * (1 - s * f)
    t = v * (1 - s * (1 - f))
    i = i % 6
    r = np.choose(i, [v, q, p, p, t, v])
    g = np.choose(i, [t, v, v, q, p, p])
    b = np.choose(i, [p, p, t, v, v, q])
    return np.stack([r, g, b], axis=-1)


def rgb2ycbcr(im):
    xform = np.array([[.299, .587, .114], [-.1687, -.3313, .5], [.5, -.4187, -.0813]])
    ycbcr = im.dot(xform.T)
    ycbcr[:, :, [1, 2]] += 128
    return np.uint8(ycbcr)


def ycbcr2rgb(im):
    xform = np.array([[1, 0, 1.402], [1, -0.34414, -.71414], [1, 1.772, 0]])
    rgb = im.astype(float)
    rgb[:, :, [1, 2]] -= 128
    rgb = rgb.dot(xform.T)
    np.putmask(rgb, rgb > 255, 255)
    np.putmask(rgb, rgb < 0, 0)
    return np.uint8(rgb)


SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]])
D65 = np.array([0.95047, 1.0, 1.08883])


def rgb_to_lab(rgb):
    c = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    xyz = c @ SRGB_TO_XYZ.T / D65
    delta = 6 / 29
    f = np.where(xyz > delta ** 3, np.cbrt(xyz), xyz / (3 * delta ** 2) + 4 / 29)
    L = 116 * f[..., 1] - 16
    a = 500 * (f[..., 0] - f[..., 1])
    b = 200 * (f[..., 1] - f[..., 2])
    return np.dstack([L, a, b])


# ============================================================================ histograms


def hist_equalize_bincount(img):
    hist = np.bincount(img.ravel(), minlength=256)
    cdf = hist.cumsum()
    cdf_min = cdf[cdf > 0].min()
    lut = np.round((cdf - cdf_min) / (img.size - cdf_min) * 255)
    lut = np.clip(lut, 0, 255).astype(np.uint8)
    return lut[img]


def hist_equalize_interp(img):
    hist, bins = np.histogram(img.flatten(), 256, [0, 256])
    cdf = hist.cumsum()
    cdf_normalized = cdf * 255 / cdf[-1]
    return np.interp(img.flatten(), bins[:-1], cdf_normalized).reshape(img.shape)


def hist_equalize_float(img, nbins=64):
    hist, bin_edges = np.histogram(img, bins=nbins, range=(0.0, 1.0))
    cdf = np.cumsum(hist).astype(float)
    cdf /= cdf[-1]
    centers = (bin_edges[:-1] + bin_edges[1:]) / 2
    return np.interp(img, centers, cdf)


def contrast_stretch(img):
    p2, p98 = np.percentile(img, (2, 98))
    return np.clip((img - p2) / (p98 - p2), 0, 1)


def gamma_correct(image, gamma):
    inv = 1.0 / gamma
    table = np.array([((i / 255.0) ** inv) * 255 for i in np.arange(0, 256)]).astype("uint8")
    return table[image]


# ============================================================================ integral images


def integral_padded(img):
    H, W = img.shape
    ii = np.zeros((H + 1, W + 1))
    ii[1:, 1:] = np.cumsum(np.cumsum(img, axis=0), axis=1)
    return ii


def integral_uint8(img):
    return img.cumsum(axis=0).cumsum(axis=1)


def integral_loop(img):
    # Viola-Jones' recurrences, one pixel at a time
    H, W = img.shape
    s = np.zeros((H, W))
    ii = np.zeros((H, W))
    for y in range(H):
        for x in range(W):
            s[y, x] = (s[y - 1, x] if y > 0 else 0) + img[y, x]
            ii[y, x] = (ii[y, x - 1] if x > 0 else 0) + s[y, x]
    return ii


def box_filter_integral(img, r=2):
    ii = integral_padded(img)
    H, W = img.shape
    y0 = np.clip(np.arange(H) - r, 0, H)
    y1 = np.clip(np.arange(H) + r + 1, 0, H)
    x0 = np.clip(np.arange(W) - r, 0, W)
    x1 = np.clip(np.arange(W) + r + 1, 0, W)
    s = ii[y1][:, x1] - ii[y0][:, x1] - ii[y1][:, x0] + ii[y0][:, x0]
    area = (y1 - y0)[:, None] * (x1 - x0)[None, :]
    return s / area


def rect_sum(ii, y, x, h, w):
    return ii[y + h:, x + w:] - ii[y:-h or None, x + w:] - ii[y + h:, x:-w or None] \
        + ii[y:-h or None, x:-w or None]


def haar_two_rect(img, h=4, w=4):
    ii = integral_padded(img)
    left = rect_sum(ii[:, :-w // 2 or None], 0, 0, h, w // 2)
    right = rect_sum(ii[:, w // 2:], 0, 0, h, w // 2)
    return left - right


def sauvola(img, window=5, k=0.2, R=0.5):
    r = window // 2
    p = np.pad(img, r + 1, mode="reflect")[:-1, :-1]
    ii = np.cumsum(np.cumsum(p, 0), 1)
    ii2 = np.cumsum(np.cumsum(p ** 2, 0), 1)
    H, W = img.shape
    n = window * window

    def wsum(a):
        return a[window:window + H, window:window + W] - a[:H, window:window + W] \
            - a[window:window + H, :W] + a[:H, :W]

    mean = wsum(ii) / n
    std = np.sqrt(np.maximum(wsum(ii2) / n - mean ** 2, 0))
    T = mean * (1 + k * (std / R - 1))
    return img > T, T


# ============================================================================ morphology

CROSS = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=bool)


def erode(img, size=3):
    p = np.pad(img, size // 2, mode="constant", constant_values=img.max())
    return sliding_window_view(p, (size, size)).min(axis=(-2, -1))


def dilate(img, size=3):
    p = np.pad(img, size // 2, mode="constant", constant_values=img.min())
    return sliding_window_view(p, (size, size)).max(axis=(-2, -1))


def dilate_binary(mask, se=CROSS):
    H, W = mask.shape
    r = se.shape[0] // 2
    p = np.pad(mask, r)
    out = np.zeros_like(mask)
    for i in range(se.shape[0]):
        for j in range(se.shape[1]):
            if se[i, j]:
                out |= p[i:i + H, j:j + W]
    return out


def erode_binary_se(mask, se):
    # vectorised: every pixel under the element must be set
    r = se.shape[0] // 2
    win = sliding_window_view(np.pad(mask, r), se.shape)
    return np.all(win | ~se, axis=(-2, -1))


def opening_closing(img):
    opened = dilate(erode(img))
    closed = erode(dilate(img))
    return opened, closed, dilate(img) - erode(img), img - opened


def median_filter(img, k=3):
    win = sliding_window_view(np.pad(img, k // 2, mode="edge"), (k, k))
    return np.median(win, axis=(-2, -1))


def bilateral(img, size=5, sigma_s=2.0, sigma_r=0.1):
    r = size // 2
    win = sliding_window_view(np.pad(img, r, mode="reflect"), (size, size))
    ax = np.arange(-r, r + 1)
    xx, yy = np.meshgrid(ax, ax)
    gs = np.exp(-(xx ** 2 + yy ** 2) / (2 * sigma_s ** 2))
    gr = np.exp(-(win - img[..., None, None]) ** 2 / (2 * sigma_r ** 2))
    w = gs * gr
    return (w * win).sum(axis=(-2, -1)) / w.sum(axis=(-2, -1))


def unsharp_mask_uint8(img, amount=1.5):
    blurred = box_sum(img.astype(float), 3) / 9
    sharp = img.astype(float) * (1 + amount) - blurred * amount
    return np.clip(sharp, 0, 255).round().astype(np.uint8)


def log_scale_space(img, sigmas=(1.0, 1.5, 2.0)):
    stack = []
    for s in sigmas:
        size = int(2 * np.ceil(3 * s) + 1)
        ax = np.arange(size) - size // 2
        xx, yy = np.meshgrid(ax, ax)
        r2 = xx ** 2 + yy ** 2
        log = -(1 - r2 / (2 * s ** 2)) * np.exp(-r2 / (2 * s ** 2)) / (np.pi * s ** 4)
        log -= log.mean()
        stack.append(s ** 2 * filter_shift_add(img, log))
    stack = np.stack(stack)
    return stack.max(axis=0), np.argmax(stack, axis=0)


def difference_of_gaussians(img, s1=1.0, s2=1.6):
    g1 = filter_shift_add(img, gaussian_kernel(5, s1))
    g2 = filter_shift_add(img, gaussian_kernel(7, s2))
    return g1 - g2


# ============================================================================ otsu, moments


def otsu_cumsum(img):
    hist = np.bincount(img.ravel(), minlength=256).astype(float)
    p = hist / hist.sum()
    omega = np.cumsum(p)
    mu = np.cumsum(p * np.arange(256))
    mu_t = mu[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma_b = (mu_t * omega - mu) ** 2 / (omega * (1 - omega))
    sigma_b = np.nan_to_num(sigma_b)
    t = np.argmax(sigma_b)
    return t, img > t


def threshold_otsu_float(image, nbins=64):
    # scikit-image's threshold_otsu, without the library
    hist, bin_edges = np.histogram(image.ravel(), bins=nbins)
    bin_centers = (bin_edges[:-1] + bin_edges[1:]) / 2.0
    hist = hist.astype(float)
    weight1 = np.cumsum(hist)
    weight2 = np.cumsum(hist[::-1])[::-1]
    mean1 = np.cumsum(hist * bin_centers) / weight1
    mean2 = (np.cumsum((hist * bin_centers)[::-1]) / weight2[::-1])[::-1]
    variance12 = weight1[:-1] * weight2[1:] * (mean1[:-1] - mean2[1:]) ** 2
    idx = np.argmax(variance12)
    return bin_centers[idx]


def image_moments(img):
    H, W = img.shape
    y, x = np.mgrid[:H, :W]
    m00 = img.sum()
    cx, cy = (x * img).sum() / m00, (y * img).sum() / m00
    mu = {}
    for p in range(4):
        for q in range(4):
            if 2 <= p + q <= 3:
                mu[(p, q)] = ((x - cx) ** p * (y - cy) ** q * img).sum()
    return cx, cy, mu


def hu_moments(img):
    cx, cy, mu = image_moments(img)
    m00 = img.sum()

    def eta(p, q):
        return mu[(p, q)] / m00 ** (1 + (p + q) / 2)

    n20, n02, n11 = eta(2, 0), eta(0, 2), eta(1, 1)
    n30, n03, n21, n12 = eta(3, 0), eta(0, 3), eta(2, 1), eta(1, 2)
    h1 = n20 + n02
    h2 = (n20 - n02) ** 2 + 4 * n11 ** 2
    h3 = (n30 - 3 * n12) ** 2 + (3 * n21 - n03) ** 2
    h4 = (n30 + n12) ** 2 + (n21 + n03) ** 2
    h5 = ((n30 - 3 * n12) * (n30 + n12) * ((n30 + n12) ** 2 - 3 * (n21 + n03) ** 2)
          + (3 * n21 - n03) * (n21 + n03) * (3 * (n30 + n12) ** 2 - (n21 + n03) ** 2))
    h6 = ((n20 - n02) * ((n30 + n12) ** 2 - (n21 + n03) ** 2)
          + 4 * n11 * (n30 + n12) * (n21 + n03))
    h7 = ((3 * n21 - n03) * (n30 + n12) * ((n30 + n12) ** 2 - 3 * (n21 + n03) ** 2)
          - (n30 - 3 * n12) * (n21 + n03) * (3 * (n30 + n12) ** 2 - (n21 + n03) ** 2))
    return np.array([h1, h2, h3, h4, h5, h6, h7])


def log_hu(img):
    hu = hu_moments(img)
    return -np.sign(hu) * np.log10(np.abs(hu))


def orientation_eccentricity(mask):
    img = mask.astype(np.float64)
    cx, cy, mu = image_moments(img)
    m00 = img.sum()
    mu20, mu02, mu11 = mu[(2, 0)] / m00, mu[(0, 2)] / m00, mu[(1, 1)] / m00
    theta = 0.5 * np.arctan2(2 * mu11, mu20 - mu02)
    cov = np.array([[mu20, mu11], [mu11, mu02]])
    evals = np.linalg.eigvalsh(cov)
    ecc = np.sqrt(1 - evals[0] / evals[1])
    return theta, ecc, 4 * np.sqrt(evals[::-1])


def label_centroids(labels, k=4):
    ys, xs = np.indices(labels.shape)
    counts = np.bincount(labels.ravel(), minlength=k)
    cy = np.bincount(labels.ravel(), weights=ys.ravel(), minlength=k)
    cx = np.bincount(labels.ravel(), weights=xs.ravel(), minlength=k)
    return np.column_stack([cy, cx]) / np.maximum(counts, 1)[:, None]


# ============================================================================ the tables

GRADIENTS = {
    "sobel_slices": (sobel_slices, {}, lambda s, n: (_img(s, n),)),
    "sobel_windows_einsum": (sobel_windows, {}, lambda s, n: (_img(s, n),)),
    "scharr_windowed_sum": (scharr_sum_windows, {}, lambda s, n: (_img(s, n),)),
    "conv_fast_cs131": (conv_fast, {}, lambda s, n: (_small(s, n), _img(s + 1, 1, 3))),
    "gradient_cs131": (gradient_cs131, {}, lambda s, n: (_small(s, n),)),
    "gradient_np_orientation": (gradient_np, {}, lambda s, n: (_img(s, n),)),
    "gradient_uint8_float32": (gradient_uint8, {}, lambda s, n: (_u8(s, 3 * n, 4 * n),)),
    "harris_box": (harris_box, {}, lambda s, n: (_blobs(s, n),)),
    "harris_box_window5": (harris_box, {"window": 5, "k": 0.06}, lambda s, n: (_blobs(s, n),)),
    "harris_gaussian_param_dict": (harris_gaussian, {}, lambda s, n: (_blobs(s, n),)),
    "smooth_cs131_kernel_loop": (smooth_cs131, {"size": 3}, lambda s, n: (
        _small(s, n), 0.5 * s + n / 4)),
    "shi_tomasi": (shi_tomasi, {}, lambda s, n: (_blobs(s, n),)),
    "harris_eigvalsh_stacked": (harris_eigvalsh, {}, lambda s, n: (_blobs(s, n),)),
    "nms_eight_shifts": (nms_shifted, {}, lambda s, n: (harris_box(_blobs(s, n)),)),
    "nms_window_max": (nms_window_max, {}, lambda s, n: (harris_box(_blobs(s, n)),)),
    "harris_top_k_corners": (harris_top_k, {}, lambda s, n: (_blobs(s, n),)),
    "canny_quantize_round": (canny_quantize_round, {}, lambda s, n: tuple(
        np.random.default_rng(s).standard_normal((2, 3 * n, 4 * n)))),
    "canny_quantize_digitize": (canny_digitize, {}, lambda s, n: (
        np.random.default_rng(s).uniform(-np.pi, np.pi, (3 * n, 4 * n)),)),
    "canny_nms_nested_where": (canny_nms_where, {}, lambda s, n: (
        _img(s, n), np.random.default_rng(s).uniform(-np.pi, np.pi, (3 * n, 4 * n)))),
    "canny_nms_mask_writes": (canny_nms_masks, {}, lambda s, n: (
        _img(s, n), np.random.default_rng(s).uniform(-np.pi, np.pi, (3 * n, 4 * n)))),
    "double_thresholding": (double_thresholding, {}, lambda s, n: (_img(s, n), 0.7, 0.3)),
    "hysteresis_fixed_dilations": (hysteresis_fixed, {}, lambda s, n: (
        _edges(s, n, 0.05), _edges(s + 1, n, 0.5))),
    "canny_pipeline_param_dict": (canny, {}, lambda s, n: (
        _blobs(s, n), {"sigma": 1.0 + 0.1 * s, "low": 0.1, "high": 0.3})),
    "hough_lines_nonzero_add_at": (hough_lines_nonzero, {}, lambda s, n: (_edges(s, n),)),
    "hough_peaks_clamped_slices": (hough_peaks_clamped_slices, {}, lambda s, n: (
        hough_lines_weighted(_edges(s, n)),)),
    "hough_lines_weighted_add_at": (hough_lines_weighted, {}, lambda s, n: (_edges(s, n),)),
    "hough_lines_bincount_minlength": (hough_lines_bincount, {}, lambda s, n: (_edges(s, n),)),
    "hough_circles_fixed_radius": (hough_circles, {}, lambda s, n: (_edges(s, n),)),
    "hough_peaks_masked": (hough_peaks_masked, {}, lambda s, n: (
        hough_lines_weighted(_edges(s, n)) + 0.01 * _img(s, 1, 1)[0, 0],)),
    "ncc_windows_einsum": (ncc_windows, {}, lambda s, n: (_img(s, n), _img(s + 1, 1, 3))),
    "ncc_cs131_loop": (normalized_cross_correlation, {}, lambda s, n: (
        _small(s, n), _img(s + 1, 1, 3))),
    "ssd_match_unravel": (ssd_match, {}, lambda s, n: (_img(s, n), _img(s + 1, 1, 4))),
    "fft_correlate": (fft_correlate, {}, lambda s, n: (_img(s, n), _img(s + 1, 1, 3))),
    "sad_masked_template_divmod": (match_template_mask, {}, lambda s, n: (
        _img(s, n), _img(s + 1, 1, 3), CROSS.astype(float))),
}

GEOMETRY = {
    "ssd_disparity_inf_fill": (ssd_disparity, {}, lambda s, n: _stereo(s, n)),
    "sad_cost_volume_take_along": (sad_cost_volume, {}, lambda s, n: _stereo(s, n)),
    "subpixel_disparity_parabola": (subpixel_disparity, {}, lambda s, n: _stereo(s, n)),
    "ncc_disparity_argmax": (ncc_disparity, {}, lambda s, n: _stereo(s, n)),
    "lucas_kanade_closed_form": (lucas_kanade_closed, {}, lambda s, n: _flow_pair(s, n)),
    "lucas_kanade_stacked_solve": (lucas_kanade_solve, {}, lambda s, n: _flow_pair(s, n)),
    "lucas_kanade_stacked_inv": (lucas_kanade_inv, {}, lambda s, n: _flow_pair(s, n)),
    "lucas_kanade_points_pinv": (lucas_kanade_points, {}, lambda s, n: _flow_pair(s, n)),
    "horn_schunck": (horn_schunck, {}, lambda s, n: _flow_pair(s, n)),
    "gaussian_pyramid_list": (gaussian_pyramid, {}, lambda s, n: (_img(s, n),)),
    "laplacian_pyramid_list": (laplacian_pyramid, {}, lambda s, n: (_img(s, n),)),
    "upsample_zero_insert": (upsample_zeros, {}, lambda s, n: (_img(s, n),)),
    "block_mean_downsample_odd": (block_mean_downsample, {}, lambda s, n: (_img(s, n, 4 * n + 1),)),
    "pyramid_blend": (pyramid_blend, {}, lambda s, n: (
        _img(s, n), _img(s + 1, n), _img(s + 2, n) > 0.5)),
    "bilinear_interpolate": (bilinear_interpolate, {}, lambda s, n: (
        _img(s, n), np.random.default_rng(s).uniform(-1, 4 * n, 5 * n),
        np.random.default_rng(s + 1).uniform(-1, 3 * n, 5 * n))),
    "warp_affine_inverse_map": (warp_affine, {}, lambda s, n: (
        _img(s, n), np.array([[0.9, 0.1 * s, 1.0], [-0.1, 1.05, 0.5]]))),
    "warp_perspective_nearest": (warp_perspective, {}, lambda s, n: (
        _img(s, n), np.array([[1.0, 0.05, 1.0 + 0.1 * s], [0.02, 0.95, -0.5], [1e-3, 0, 1]]))),
    "resize_nearest": (resize_nearest, {}, lambda s, n: (_img(s, n),)),
    "resize_bilinear_linspace": (resize_bilinear, {}, lambda s, n: (_img(s, n),)),
    "rotate_about_centre": (rotate_image, {}, lambda s, n: (_img(s, n), 10.0 * s + 3.3)),
    "homography_dlt_list_rows": (compute_homography, {}, lambda s, n: _matches(s, n)),
    "homography_normalized_dlt": (homography_normalized, {}, lambda s, n: _matches(s, n)),
    "homography_reprojection_error": (reprojection_error, {}, lambda s, n: _matches(s, n)),
    "symmetric_transfer_error": (symmetric_transfer_error, {}, lambda s, n: (
        H_TRUE,) + _matches(s, n)),
    "ransac_homography_seeded_inside": (ransac_homography, {}, lambda s, n: _matches(
        s, 2 * n, outliers=n)),
    "ransac_line_generator_argument": (ransac_line, {}, lambda s, n: (
        _line_points(s, n), np.random.default_rng(s))),
    "project_points_K_R_t": (project_points, {}, lambda s, n: (
        np.random.default_rng(s).uniform([-1, -1, 4], [1, 1, 8], (2 * n, 3)), K_CAM,
        _rot(0.1, 0.2 * s, 0.0), np.array([0.1, -0.2, 0.5]))),
    "project_rodrigues_distortion": (project_distorted, {}, lambda s, n: (
        np.random.default_rng(s).uniform([-1, -1, 4], [1, 1, 8], (2 * n, 3)),
        np.array([0.1, -0.2 * s, 0.05]), np.array([0.0, 0.1, 0.5]),
        {"f": 500.0, "cx": 320.0, "cy": 240.0, "k1": -0.1 * s, "k2": 0.01})),
    "projection_matrix_hstack": (projection_matrix, {}, lambda s, n: (
        K_CAM, _rot(0.1 * s, 0.2, 0.3), np.array([0.1, -0.2, 3.0]),
        np.random.default_rng(s).standard_normal((2 * n, 3)))),
    "camera_centre_svd": (camera_center, {}, lambda s, n: (_two_view(s, n)[3],)),
    "rq_decompose_flipped_qr": (rq_decompose, {}, lambda s, n: (_two_view(s, n)[3],)),
    "look_at_cross": (look_at, {}, lambda s, n: (
        np.array([3.0, 1.0 + s, -4.0]), np.array([0.0, 0.5, 0.1 * n]))),
    "euler_camera_python_floats": (euler_camera, {}, lambda s, n: (
        np.random.default_rng(s).standard_normal((2 * n, 3)), 0.1 * s, -0.2, 0.05, 400.0)),
    "triangulate_per_point_svd": (triangulate_all, {}, lambda s, n: _two_view(s, n)),
    "triangulate_batched_svd": (triangulate_batched, {}, lambda s, n: _two_view(s, n)),
    "triangulate_midpoint": (triangulate_midpoint, {}, lambda s, n: _two_view(s, n)),
    "fundamental_rows_into_A": (compute_fundamental, {}, lambda s, n: _two_view(s, n)[:2]),
    "eight_point_normalized": (eight_point_normalized, {}, lambda s, n: _two_view(s, n)[:2]),
    "epipolar_lines": (epipolar_lines, {}, lambda s, n: (
        eight_point_normalized(*_two_view(s, n)[:2]), _two_view(s, n)[0])),
    "fundamental_essential_sampson": (f_pipeline, {}, lambda s, n: _two_view(s, n)[:2]),
}

PHOTOMETRY = {
    "hog_cells_bincount_weights": (hog_cells_bincount, {}, lambda s, n: (_img(s, n),)),
    "hog_cells_bilinear_add_at": (hog_cells_bilinear, {}, lambda s, n: (_img(s, n),)),
    "hog_cells_loop_histogram": (hog_cells_loop, {}, lambda s, n: (_img(s, n),)),
    "hog_descriptor_l2hys": (hog_descriptor, {}, lambda s, n: (_img(s, n),)),
    "rgb2gray_dot_list": (rgb2gray, {}, lambda s, n: (_rgb(s, n),)),
    "rgb2gray_uint8_round": (rgb2gray_uint8, {}, lambda s, n: (_u8(s, 2 * n, 3 * n, 3),)),
    "rgb_to_hsv_where": (rgb_to_hsv, {}, lambda s, n: (_rgb(s, n),)),
    "hsv_to_rgb_choose": (hsv_to_rgb, {}, lambda s, n: (_rgb(s, n),)),
    "rgb2ycbcr_uint8": (rgb2ycbcr, {}, lambda s, n: (_u8(s, 2 * n, 3 * n, 3),)),
    "ycbcr2rgb_putmask": (ycbcr2rgb, {}, lambda s, n: (_u8(s, 2 * n, 3 * n, 3),)),
    "rgb_to_lab": (rgb_to_lab, {}, lambda s, n: (_rgb(s, n),)),
    "hist_equalize_bincount_lut": (hist_equalize_bincount, {}, lambda s, n: (
        _u8(s, 3 * n, 4 * n),)),
    "hist_equalize_histogram_interp": (hist_equalize_interp, {}, lambda s, n: (
        _u8(s, 3 * n, 4 * n),)),
    "hist_equalize_float_centres": (hist_equalize_float, {}, lambda s, n: (_img(s, n),)),
    "contrast_stretch_percentile": (contrast_stretch, {}, lambda s, n: (_img(s, n),)),
    "gamma_table_comprehension": (gamma_correct, {}, lambda s, n: (
        _u8(s, 3 * n, 4 * n), 1.5 + 0.5 * s)),
    "integral_padded": (integral_padded, {}, lambda s, n: (_img(s, n),)),
    "integral_uint8_dtype": (integral_uint8, {}, lambda s, n: (_u8(s, 3 * n, 4 * n),)),
    "integral_double_loop": (integral_loop, {}, lambda s, n: (_small(s, n),)),
    "box_filter_integral": (box_filter_integral, {}, lambda s, n: (_img(s, n),)),
    "haar_two_rect": (haar_two_rect, {}, lambda s, n: (_img(s, n),)),
    "sauvola_integral": (sauvola, {}, lambda s, n: (_img(s, n),)),
    "erode_window_min_traced_pad": (erode, {}, lambda s, n: (_img(s, n),)),
    "dilate_binary_module_se": (dilate_binary, {}, lambda s, n: (_edges(s, n),)),
    "erode_binary_se_argument": (erode_binary_se, {}, lambda s, n: (
        _edges(s, n, 0.8), CROSS)),
    "opening_closing_gradient_tophat": (opening_closing, {}, lambda s, n: (_img(s, n),)),
    "median_filter_windows": (median_filter, {}, lambda s, n: (_img(s, n),)),
    "bilateral_windows": (bilateral, {}, lambda s, n: (_img(s, n),)),
    "unsharp_mask_uint8": (unsharp_mask_uint8, {}, lambda s, n: (_u8(s, 3 * n, 4 * n),)),
    "log_scale_space": (log_scale_space, {}, lambda s, n: (_blobs(s, n),)),
    "difference_of_gaussians": (difference_of_gaussians, {}, lambda s, n: (_img(s, n),)),
    "otsu_cumsum_uint8": (otsu_cumsum, {}, lambda s, n: (_u8(s, 3 * n, 4 * n),)),
    "otsu_skimage_float": (threshold_otsu_float, {}, lambda s, n: (_blobs(s, n),)),
    "image_moments_dict": (image_moments, {}, lambda s, n: (_blobs(s, n),)),
    "hu_moments": (hu_moments, {}, lambda s, n: (_blobs(s, n),)),
    "log_hu_moments": (log_hu, {}, lambda s, n: (_blobs(s, n),)),
    "orientation_eccentricity": (orientation_eccentricity, {}, lambda s, n: (
        _blobs(s, n) > 0.5,)),
    "label_centroids_bincount": (label_centroids, {}, lambda s, n: (
        np.random.default_rng(s).integers(0, 4, (3 * n, 4 * n)),)),
}


@pytest.mark.parametrize("name", _names(GRADIENTS))
def test_gradients_corners_edges_hough_and_templates_match_numpy(name):
    """Sobel and Scharr gradients, CS131's convolution loops, Harris and Shi-Tomasi responses,
    non-maximum suppression, Canny's quantisation, NMS and thresholds, Hough accumulators and
    template matching."""
    check_like_numpy(*GRADIENTS[name])


@pytest.mark.parametrize("name", _names(GEOMETRY))
def test_stereo_flow_pyramids_warps_and_multiview_geometry_match_numpy(name):
    """Block-matching stereo, Lucas-Kanade and Horn-Schunck flow, pyramids, interpolation and
    warps, DLT homographies and RANSAC, camera projection, triangulation and the 8-point
    algorithm."""
    check_like_numpy(*GEOMETRY[name])


@pytest.mark.parametrize("name", _names(PHOTOMETRY))
def test_hog_colour_histograms_integral_images_morphology_and_moments_match_numpy(name):
    """HOG cell histograms and block normalisation, colour conversions, histogram
    equalisation, integral images and their filters, morphology and nonlinear filters, Otsu
    thresholds and image moments."""
    check_like_numpy(*PHOTOMETRY[name])


# ============================================================================ more forms


def psnr_uint8_wraps(a, b):
    # the blog bug: the uint8 difference wraps before it is squared
    mse = np.mean((a - b) ** 2)
    return 20 * np.log10(255.0 / np.sqrt(mse))


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * np.log10(255 ** 2 / mse)


def frame_difference(prev, curr, thresh=25):
    diff = np.abs(curr.astype(np.int16) - prev.astype(np.int16)).astype(np.uint8)
    motion = diff > thresh
    return diff, motion, motion.mean()


def brightness_contrast(img, alpha, beta):
    out = alpha * img + beta
    return np.uint8(np.clip(out, 0, 255)), np.clip(img.astype(np.int32) + 40, 0, 255).astype(
        np.uint8)


def average_uint8(a, b):
    # (a + b) // 2 wraps in uint8; the widened form does not
    return (a + b) // 2, ((a.astype(np.uint16) + b) // 2).astype(np.uint8)


def harris_float32(img):
    img = img.astype(np.float32) / 255.0
    Iy, Ix = np.gradient(img)
    Sxx, Syy, Sxy = box_sum(Ix * Ix, 3), box_sum(Iy * Iy, 3), box_sum(Ix * Iy, 3)
    return Sxx * Syy - Sxy ** 2 - 0.04 * (Sxx + Syy) ** 2


def normalize_imagenet(img):
    x = img.astype(np.float32) / 255.0
    mean = np.array([0.485, 0.456, 0.406])
    std = np.array([0.229, 0.224, 0.225], dtype=np.float32)
    return (x - mean) / std, ((x - mean.astype(np.float32)) / std).transpose(2, 0, 1)


def gray_world(img):
    means = img.reshape(-1, 3).mean(axis=0)
    out = img * (means.mean() / means)
    return np.clip(out, 0, 255).astype(np.uint8)


def ssim(a, b, L=1.0):
    C1, C2 = (0.01 * L) ** 2, (0.03 * L) ** 2
    g = gaussian_kernel(7, 1.5)
    mu_a, mu_b = filter_shift_add(a, g), filter_shift_add(b, g)
    saa = filter_shift_add(a * a, g) - mu_a ** 2
    sbb = filter_shift_add(b * b, g) - mu_b ** 2
    sab = filter_shift_add(a * b, g) - mu_a * mu_b
    num = (2 * mu_a * mu_b + C1) * (2 * sab + C2)
    m = num / ((mu_a ** 2 + mu_b ** 2 + C1) * (saa + sbb + C2))
    return m.mean()


def phase_correlation(a, b):
    F1, F2 = np.fft.fft2(a), np.fft.fft2(b)
    R = F1 * F2.conj()
    R /= np.abs(R) + 1e-12
    r = np.fft.ifft2(R).real
    peak = np.array(np.unravel_index(np.argmax(r), r.shape))
    shape = np.array(r.shape)
    return np.where(peak > shape // 2, peak - shape, peak)


def mutual_information(a, b, bins=16):
    pxy, _, _ = np.histogram2d(a.ravel(), b.ravel(), bins=bins, range=[[0, 1], [0, 1]])
    pxy /= pxy.sum()
    px, py = pxy.sum(axis=1), pxy.sum(axis=0)
    px_py = px[:, None] * py[None, :]
    nz = pxy > 0
    return np.sum(pxy[nz] * np.log(pxy[nz] / px_py[nz]))


def image_entropy(img):
    hist = np.bincount(img.ravel(), minlength=256)
    p = hist[hist > 0] / img.size
    return -np.sum(p * np.log2(p))


def energy_function(image):
    # CS131 hw seam carving
    gray = np.mean(image, axis=2)
    gy, gx = np.gradient(gray)
    return np.abs(gx) + np.abs(gy)


def compute_cost(energy):
    H, W = energy.shape
    cost = np.zeros((H, W))
    paths = np.zeros((H, W), dtype=int)
    cost[0] = energy[0]
    for i in range(1, H):
        M1 = np.insert(cost[i - 1, 0:W - 1], 0, 1e10)
        M2 = cost[i - 1, :]
        M3 = np.insert(cost[i - 1, 1:W], W - 1, 1e10)
        M = np.r_[[M1], [M2], [M3]]
        cost[i] = energy[i] + np.min(M, axis=0)
        paths[i] = np.argmin(M, axis=0) - 1
    return cost, paths


def backtrack_seam(paths, end):
    H, W = paths.shape
    seam = -np.ones(H, dtype=int)
    seam[H - 1] = end
    for h in range(H - 2, -1, -1):
        seam[h] = seam[h + 1] + paths[h + 1, seam[h + 1]]
    return seam


def remove_seam_take(image, seam):
    H, W = image.shape[:2]
    cols = np.arange(W - 1)[None, :]
    idx = cols + (cols >= seam[:, None])
    return np.take_along_axis(image, idx[..., None], axis=1)


def seam_carve_one(image):
    cost, paths = compute_cost(energy_function(image))
    seam = backtrack_seam(paths, np.argmin(cost[-1]))
    return seam, remove_seam_take(image, seam)


def chamfer_distance(mask):
    # two-pass city-block distance transform with Python min
    H, W = mask.shape
    d = np.where(mask, 0, H + W).astype(float)
    for i in range(H):
        for j in range(W):
            if i > 0:
                d[i, j] = min(d[i, j], d[i - 1, j] + 1)
            if j > 0:
                d[i, j] = min(d[i, j], d[i, j - 1] + 1)
    for i in range(H - 1, -1, -1):
        for j in range(W - 1, -1, -1):
            if i < H - 1:
                d[i, j] = min(d[i, j], d[i + 1, j] + 1)
            if j < W - 1:
                d[i, j] = min(d[i, j], d[i, j + 1] + 1)
    return d


def kmeans_colours(img, k=3, iters=5, seed=0):
    pixels = img.reshape(-1, 3)
    rng = np.random.default_rng(seed)
    centers = pixels[rng.choice(len(pixels), k, replace=False)]
    for _ in range(iters):
        d = np.linalg.norm(pixels[:, None, :] - centers[None], axis=2)
        labels = np.argmin(d, axis=1)
        centers = np.array([pixels[labels == c].mean(axis=0) for c in range(k)])
    return centers[labels].reshape(img.shape), labels


def lane_polyfit(mask):
    # a lane line x = f(y) from the mask's columns, weighted by the mask
    H, W = mask.shape
    ys, xs = np.indices((H, W))
    w = mask.ravel().astype(float)
    return np.polyfit(ys.ravel(), xs.ravel(), 2, w=w)


def fit_ellipse(x, y):
    # Fitzgibbon's direct fit, as the blog posts transcribe it
    D = np.vstack([x * x, x * y, y * y, x, y, np.ones_like(x)]).T
    S = np.dot(D.T, D)
    C = np.zeros([6, 6])
    C[0, 2] = C[2, 0] = 2
    C[1, 1] = -1
    E, V = np.linalg.eig(np.dot(np.linalg.inv(S), C))
    n = np.argmax(np.abs(E))
    a = V[:, n]
    return np.real(a / a[0])


def _ellipse(s, n):
    rng = np.random.default_rng(s)
    t = rng.uniform(0, 2 * np.pi, 4 * n)
    x = 3 + 2 * np.cos(t) * np.cos(0.3) - np.sin(t) * np.sin(0.3)
    y = 1 + 2 * np.cos(t) * np.sin(0.3) + np.sin(t) * np.cos(0.3)
    return x + 0.01 * rng.standard_normal(4 * n), y + 0.01 * rng.standard_normal(4 * n)


def subpixel_peak(R):
    # a quadratic surface fitted by lstsq to the 3x3 patch around the (interior) maximum
    inner = R[1:-1, 1:-1]
    y, x = np.unravel_index(np.argmax(inner), inner.shape)
    y, x = y + 1, x + 1
    patch = R[y - 1:y + 2, x - 1:x + 2]
    dy, dx = np.mgrid[-1:2, -1:2]
    A = np.column_stack([dx.ravel() ** 2, dy.ravel() ** 2, (dx * dy).ravel(), dx.ravel(),
                         dy.ravel(), np.ones(9)])
    c, *_ = np.linalg.lstsq(A, patch.ravel(), rcond=None)
    off = np.linalg.solve([[2 * c[0], c[2]], [c[2], 2 * c[1]]], [-c[3], -c[4]])
    return y + off[1], x + off[0]


def affine_lstsq(src, dst):
    n = len(src)
    A = np.zeros((2 * n, 6))
    A[0::2, 0:2] = src
    A[0::2, 2] = 1
    A[1::2, 3:5] = src
    A[1::2, 5] = 1
    p, res, rank, sv = np.linalg.lstsq(A, dst.ravel(), rcond=None)
    return p.reshape(2, 3), rank


def kabsch(P, Q):
    pc, qc = P.mean(0), Q.mean(0)
    Hm = (P - pc).T @ (Q - qc)
    U, S, Vt = np.linalg.svd(Hm)
    d = np.sign(np.linalg.det(Vt.T @ U.T))
    R = Vt.T @ np.diag([1, 1, d]) @ U.T
    return R, qc - R @ pc


def _kabsch_pts(s, n):
    rng = np.random.default_rng(s)
    P = rng.standard_normal((2 * n, 3))
    return P, P @ _rot(0.3, -0.2 * s, 0.1).T + np.array([1.0, 2.0, -0.5]) \
        + 0.01 * rng.standard_normal((2 * n, 3))


def numeric_jacobian(params, X, x_obs):
    # finite-difference Jacobian of reprojection residuals, one column per parameter
    def residuals(p):
        R = rodrigues(p[:3])
        Xc = X @ R.T + p[3:6]
        return (500 * Xc[:, :2] / Xc[:, 2:] - x_obs).ravel()

    eps = 1e-6
    r0 = residuals(params)
    J = np.zeros((r0.size, params.size))
    for i in range(params.size):
        dp = np.zeros_like(params)
        dp[i] = eps
        J[:, i] = (residuals(params + dp) - residuals(params - dp)) / (2 * eps)
    step = np.linalg.solve(J.T @ J + 1e-3 * np.eye(params.size), -J.T @ r0)
    return r0, step


def _ba(s, n):
    rng = np.random.default_rng(s)
    X = rng.uniform([-1, -1, 4], [1, 1, 8], (2 * n, 3))
    p = np.array([0.1, -0.05 * s, 0.02, 0.1, 0.0, 0.3])
    return p, X, rng.uniform(-50, 50, (2 * n, 2))


def colour_histogram_chi2(a, b, bins=8):
    ha = np.concatenate([np.histogram(a[..., c], bins=bins, range=(0, 256))[0]
                         for c in range(3)]).astype(float)
    hb = np.concatenate([np.histogram(b[..., c], bins=bins, range=(0, 256))[0]
                         for c in range(3)]).astype(float)
    ha /= ha.sum()
    hb /= hb.sum()
    return 0.5 * np.sum((ha - hb) ** 2 / (ha + hb + 1e-10))


def bayer_demosaic_bilinear(raw):
    # RGGB masks by strided slices, each channel filled by a normalised 3x3 average
    H, W = raw.shape
    masks = np.zeros((3, H, W))
    masks[0, 0::2, 0::2] = 1
    masks[1, 0::2, 1::2] = 1
    masks[1, 1::2, 0::2] = 1
    masks[2, 1::2, 1::2] = 1
    k = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=float)
    out = np.empty((H, W, 3))
    for c in range(3):
        num = conv2d_windows(raw * masks[c], k)
        den = conv2d_windows(masks[c], k)
        out[..., c] = np.where(masks[c] == 1, raw, num / den)
    return out


def laplacian_variance(img):
    lap = img[:-2, 1:-1] + img[2:, 1:-1] + img[1:-1, :-2] + img[1:-1, 2:] - 4 * img[1:-1, 1:-1]
    return lap.var(), np.abs(lap).mean()


def random_crop_flip(img, size=(5, 6), seed=0):
    rng = np.random.default_rng(seed)
    H, W = img.shape[:2]
    y = rng.integers(0, H - size[0] + 1)
    x = rng.integers(0, W - size[1] + 1)
    crop = img[y:y + size[0], x:x + size[1]]
    return crop[:, ::-1], np.rot90(crop, 2)


def perspective_transform_solve(src, dst):
    # getPerspectiveTransform: the 8x8 system row by row, h33 = 1
    A = np.zeros((8, 8))
    b = np.zeros(8)
    for i in range(4):
        x, y = src[i]
        u, v = dst[i]
        A[2 * i] = [x, y, 1, 0, 0, 0, -u * x, -u * y]
        A[2 * i + 1] = [0, 0, 0, x, y, 1, -v * x, -v * y]
        b[2 * i], b[2 * i + 1] = u, v
    h = np.linalg.solve(A, b)
    return np.append(h, 1).reshape(3, 3)


def depth_point_cloud(disp, f=500.0, B=0.1, cx=8.0, cy=6.0):
    depth = np.where(disp > 0, f * B / np.maximum(disp, 1e-6), 0.0)
    H, W = disp.shape
    u, v = np.meshgrid(np.arange(W), np.arange(H))
    Q = np.array([[1, 0, 0, -cx], [0, 1, 0, -cy], [0, 0, 0, f], [0, 0, 1 / B, 0]])
    pts = np.einsum("ij,hwj->hwi", Q, np.dstack([u, v, disp, np.ones_like(disp)]))
    with np.errstate(divide="ignore", invalid="ignore"):
        xyz = pts[..., :3] / pts[..., 3:]
    return depth, np.where(disp[..., None] > 0, xyz, 0)


def census_hamming(left, right, max_disp=3):
    def census(img):
        H, W = img.shape
        p = np.pad(img, 1, mode="edge")
        code = np.zeros((H, W), dtype=np.uint8)
        bit = 0
        for dy in range(3):
            for dx in range(3):
                if dy == 1 and dx == 1:
                    continue
                code |= (p[dy:dy + H, dx:dx + W] < img).astype(np.uint8) << bit
                bit += 1
        return code

    cl, cr = census(left), census(right)
    H, W = left.shape
    cost = np.full((max_disp, H, W), 8)
    for d in range(max_disp):
        x = np.bitwise_xor(cl[:, d:], cr[:, :W - d])
        cost[d, :, d:] = np.unpackbits(x[..., None], axis=-1).sum(-1)
    return cost.argmin(0), cost


def lbp_histogram(img):
    H, W = img.shape
    c = img[1:-1, 1:-1]
    offsets = [(-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1)]
    code = np.zeros_like(c, dtype=np.uint8)
    for k, (dy, dx) in enumerate(offsets):
        code += (img[1 + dy:H - 1 + dy, 1 + dx:W - 1 + dx] >= c) * np.uint8(2 ** k)
    return code, np.bincount(code.ravel(), minlength=256)


def gabor_bank(img, n_orient=4, size=7, sigma=2.0, lambd=4.0):
    half = size // 2
    y, x = np.mgrid[-half:half + 1, -half:half + 1]
    responses = []
    for k in range(n_orient):
        theta = k * np.pi / n_orient
        xr = x * np.cos(theta) + y * np.sin(theta)
        yr = -x * np.sin(theta) + y * np.cos(theta)
        g = np.exp(-(xr ** 2 + 0.25 * yr ** 2) / (2 * sigma ** 2)) * np.cos(2 * np.pi * xr / lambd)
        responses.append(conv2d_windows(img, g - g.mean()))
    responses = np.array(responses)
    return responses.max(axis=0), responses.argmax(axis=0)


def upsample_kron(img):
    return np.kron(img, np.ones((2, 2))), img.repeat(2, axis=0).repeat(2, axis=1)


def vignette(rgb, sigma=0.5):
    H, W = rgb.shape[:2]
    gy = np.exp(-np.linspace(-1, 1, H) ** 2 / (2 * sigma ** 2))
    gx = np.exp(-np.linspace(-1, 1, W) ** 2 / (2 * sigma ** 2))
    mask = np.outer(gy, gx)
    return rgb * (mask / mask.max())[..., None]


def as_strided_harris(img):
    from numpy.lib.stride_tricks import as_strided

    Iy, Ix = np.gradient(img)

    def win_sum(a):
        s0, s1 = a.strides
        H, W = a.shape
        v = as_strided(a, shape=(H - 2, W - 2, 3, 3), strides=(s0, s1, s0, s1))
        return v.sum(axis=(2, 3))

    A, B, C = win_sum(Ix * Ix), win_sum(Iy * Iy), win_sum(Ix * Iy)
    return A * B - C * C - 0.04 * (A + B) ** 2


def tensordot_colour(img):
    M = np.array([[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169],
                  [0.019334, 0.119193, 0.950227]])
    return np.tensordot(img, M, axes=([2], [1])), np.einsum("...j,ij->...i", img, M)


FORMS = {
    "psnr_uint8_difference_wraps": (psnr_uint8_wraps, {}, lambda s, n: (
        _u8(s, 3 * n, 4 * n), _u8(s + 1, 3 * n, 4 * n))),
    "psnr_float64": (psnr, {}, lambda s, n: (_u8(s, 3 * n, 4 * n), _u8(s + 1, 3 * n, 4 * n))),
    "frame_difference_int16": (frame_difference, {}, lambda s, n: (
        _u8(s, 3 * n, 4 * n), _u8(s + 1, 3 * n, 4 * n))),
    "brightness_contrast_uint8": (brightness_contrast, {}, lambda s, n: (
        _u8(s, 3 * n, 4 * n), 1.2 + 0.1 * s, 10)),
    "average_uint8_wraps": (average_uint8, {}, lambda s, n: (
        _u8(s, 3 * n, 4 * n), _u8(s + 1, 3 * n, 4 * n))),
    "harris_float32": (harris_float32, {}, lambda s, n: (_u8(s, 3 * n, 4 * n),)),
    "normalize_imagenet_mixed_dtypes": (normalize_imagenet, {}, lambda s, n: (
        _u8(s, 2 * n, 3 * n, 3),)),
    "gray_world_uint8": (gray_world, {}, lambda s, n: (_u8(s, 2 * n, 3 * n, 3),)),
    "ssim_gaussian": (ssim, {}, lambda s, n: (_img(s, n), _img(s, n) * 0.9 + 0.05)),
    "phase_correlation_wrap_where": (phase_correlation, {}, lambda s, n: (
        _img(s, n), np.roll(_img(s, n), (2, -3), axis=(0, 1)))),
    "mutual_information_histogram2d": (mutual_information, {}, lambda s, n: (
        _img(s, n), np.clip(_img(s, n) + 0.2 * _img(s + 1, n), 0, 0.999))),
    "image_entropy_masked": (image_entropy, {}, lambda s, n: (_u8(s, 3 * n, 4 * n) // 16,)),
    "seam_carving_cs131": (seam_carve_one, {}, lambda s, n: (_rgb(s, n),)),
    "chamfer_python_min": (chamfer_distance, {}, lambda s, n: (_edges(s, 1, 0.2)[:n, :n + 1],)),
    "kmeans_colour_masked_means": (kmeans_colours, {}, lambda s, n: (_rgb(s, n),)),
    "lane_polyfit_weighted": (lane_polyfit, {}, lambda s, n: (_edges(s, n, 0.3),)),
    "fitzgibbon_ellipse_eig": (fit_ellipse, {}, lambda s, n: _ellipse(s, n)),
    "subpixel_peak_lstsq": (subpixel_peak, {}, lambda s, n: (harris_box(_blobs(s, n)),)),
    "affine_lstsq_strided_rows": (affine_lstsq, {}, lambda s, n: _matches(s, n)),
    "kabsch_sign_by_det": (kabsch, {}, lambda s, n: _kabsch_pts(s, n)),
    "numeric_jacobian_lm_step": (numeric_jacobian, {}, lambda s, n: _ba(s, n)),
    "colour_histogram_chi2": (colour_histogram_chi2, {}, lambda s, n: (
        _u8(s, 2 * n, 3 * n, 3), _u8(s + 1, 2 * n, 3 * n, 3))),
    "bayer_demosaic_bilinear": (bayer_demosaic_bilinear, {}, lambda s, n: (_img(s, n),)),
    "laplacian_variance_blur": (laplacian_variance, {}, lambda s, n: (_img(s, n),)),
    "random_crop_seeded_inside": (random_crop_flip, {}, lambda s, n: (_rgb(s, n),)),
    "perspective_transform_8x8": (perspective_transform_solve, {}, lambda s, n: (
        _matches(s, 2)[0][:4], _matches(s, 2)[1][:4])),
    "disparity_depth_point_cloud": (depth_point_cloud, {}, lambda s, n: (
        np.random.default_rng(s).integers(0, 5, (3 * n, 4 * n)).astype(float),)),
    "census_hamming_unpackbits": (census_hamming, {}, lambda s, n: _stereo(s, n)),
    "lbp_uint8_codes": (lbp_histogram, {}, lambda s, n: (_u8(s, 3 * n, 4 * n),)),
    "gabor_bank": (gabor_bank, {}, lambda s, n: (_img(s, n),)),
    "upsample_kron_repeat": (upsample_kron, {}, lambda s, n: (_img(s, n),)),
    "vignette_outer": (vignette, {}, lambda s, n: (_rgb(s, n),)),
    "as_strided_harris": (as_strided_harris, {}, lambda s, n: (_blobs(s, n),)),
    "tensordot_einsum_ellipsis_xyz": (tensordot_colour, {}, lambda s, n: (_rgb(s, n),)),
}


@pytest.mark.parametrize("name", _names(FORMS))
def test_dtypes_seams_fits_and_other_forms_match_numpy(name):
    """uint8 wraparound and widening, float32 pipelines, SSIM, phase correlation, mutual
    information, entropy, seam carving, a chamfer distance with Python `min`, k-means colours,
    ellipse and lane fits, least-squares and Kabsch fits, a finite-difference LM step, Bayer
    demosaicing, census and LBP codes, Gabor banks and strided views."""
    check_like_numpy(*FORMS[name])


# ------------------------------------------------------------------ writes, scatters and APIs


def hough_plus_equals(edges, n_theta=12):
    # the accumulator written as acc[rho, theta] += 1: duplicates count once, as in NumPy
    H, W = edges.shape
    diag = int(np.hypot(H, W)) + 1
    thetas = np.linspace(0, np.pi, n_theta, endpoint=False)
    y, x = np.indices((H, W))
    rho = np.round(x[..., None] * np.cos(thetas) + y[..., None] * np.sin(thetas)).astype(int)
    acc = np.zeros((2 * diag, n_theta))
    t = np.broadcast_to(np.arange(n_theta), rho.shape)
    acc[(rho + diag)[edges], t[edges]] += 1
    return acc


def zbuffer_minimum_at(points, K, shape=(12, 16)):
    # render a point cloud to a depth image: the nearest point per pixel by np.minimum.at
    x = points @ K.T
    u = np.floor(x[:, 0] / x[:, 2]).astype(int)
    v = np.floor(x[:, 1] / x[:, 2]).astype(int)
    ok = (u >= 0) & (u < shape[1]) & (v >= 0) & (v < shape[0])
    depth = np.full(shape, np.inf)
    np.minimum.at(depth, (np.clip(v, 0, shape[0] - 1), np.clip(u, 0, shape[1] - 1)),
                  np.where(ok, points[:, 2], np.inf))
    return depth


def zbuffer_sorted_assign(points, K, shape=(12, 16)):
    # the same by sorting far to near and letting the last write win
    x = points @ K.T
    u = np.clip((x[:, 0] / x[:, 2]).astype(int), 0, shape[1] - 1)
    v = np.clip((x[:, 1] / x[:, 2]).astype(int), 0, shape[0] - 1)
    order = np.argsort(-points[:, 2])
    depth = np.zeros(shape)
    depth[v[order], u[order]] = points[order, 2]
    return depth


def _cloud(s, n):
    rng = np.random.default_rng(s)
    pts = rng.uniform([-1, -1, 2], [1, 1, 6], (20 * n, 3))
    K = np.array([[6.0, 0, 8.0], [0, 6.0, 6.0], [0, 0, 1]])
    return pts, K


def overlay_edges(rgb, edges):
    out = rgb.copy()
    out[edges] = [255, 0, 0]
    return out


def overlay_blend(rgb, mask, color=(0, 255, 0), alpha=0.5):
    out = rgb.copy()
    out[mask] = (alpha * out[mask] + (1 - alpha) * np.array(color)).astype(np.uint8)
    return out


def saturate_place(img):
    img = img.copy()
    np.place(img, img > 0.9, [1.0])
    np.putmask(img, img < 0.1, np.array([0.0, 0.05]))
    return img


def fringe_phase(i1, i2, i3, i4):
    # four-step phase shifting profilometry, unwrapped along rows
    phi = np.arctan2(i4 - i2, i1 - i3)
    return np.unwrap(phi, axis=1)


def _fringes(s, n):
    rng = np.random.default_rng(s)
    H, W = 3 * n, 4 * n
    x = np.arange(W)[None, :] * 0.9 + rng.random((H, 1))
    phase = x + 0.3 * np.sin(np.arange(H))[:, None]
    return tuple(0.5 + 0.4 * np.cos(phase + k * np.pi / 2) for k in range(4))


def fft_gaussian_lowpass(img, cutoff=0.2):
    F = np.fft.fftshift(np.fft.fft2(img))
    H, W = img.shape
    fy = np.fft.fftshift(np.fft.fftfreq(H))[:, None]
    fx = np.fft.fftshift(np.fft.fftfreq(W))[None, :]
    mask = np.exp(-(fx ** 2 + fy ** 2) / (2 * cutoff ** 2))
    out = np.fft.ifft2(np.fft.ifftshift(F * mask))
    return np.real(out), np.log1p(np.abs(F))


def register_translation(ref, moving):
    # undo the shift found by cross-correlation: np.roll by a traced amount
    r = np.fft.ifft2(np.fft.fft2(ref) * np.fft.fft2(moving).conj()).real
    shift = np.array(np.unravel_index(np.argmax(r), r.shape))
    return np.roll(moving, shift, axis=(0, 1)), shift


def scipy_convolve2d_gradient(img):
    import scipy.signal

    gx = scipy.signal.convolve2d(img, SOBEL_X, mode="same", boundary="symm")
    gy = scipy.signal.convolve2d(img, SOBEL_Y, mode="same", boundary="symm")
    return np.hypot(gx, gy)


def map_coordinates_warp(img, angle):
    import scipy.ndimage

    H, W = img.shape
    yy, xx = np.mgrid[0:H, 0:W].astype(float)
    c, s = np.cos(angle), np.sin(angle)
    xs = c * (xx - W / 2) - s * (yy - H / 2) + W / 2
    ys = s * (xx - W / 2) + c * (yy - H / 2) + H / 2
    return scipy.ndimage.map_coordinates(img, [ys, xs], order=1, mode="constant")


def s_curve_piecewise(img):
    return np.piecewise(img, [img < 0.5, img >= 0.5],
                        [lambda x: 2 * x ** 2, lambda x: 1 - 2 * (1 - x) ** 2])


def separable_apply_along_axis(img):
    k = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16
    rows = np.apply_along_axis(lambda r: np.convolve(r, k, mode="same"), 1, img)
    return np.apply_along_axis(lambda c: np.convolve(c, k, mode="same"), 0, rows)


def brief_hamming(img1, img2, n_bits=32, seed=0):
    # BRIEF-like binary tests at fixed random pairs, packed, matched by Hamming distance
    rng = np.random.default_rng(seed)
    H, W = img1.shape
    pairs = rng.integers(-2, 3, (n_bits, 4))
    ys, xs = np.mgrid[2:H - 2:2, 2:W - 2:2]
    ys, xs = ys.ravel(), xs.ravel()

    def describe(img):
        a = img[ys[:, None] + pairs[:, 0], xs[:, None] + pairs[:, 1]]
        b = img[ys[:, None] + pairs[:, 2], xs[:, None] + pairs[:, 3]]
        return np.packbits(a < b, axis=1)

    d1, d2 = describe(img1), describe(img2)
    dist = np.unpackbits(d1[:, None, :] ^ d2[None, :, :], axis=-1).sum(-1)
    return dist.argmin(axis=1), dist.min(axis=1)


def sift_orientation_histogram(img):
    # 36 bins of 10 degrees on the gradients of an integer image (exact 45/90/180 angles)
    f = img.astype(np.float64)
    gy, gx = np.gradient(f)
    mag = np.sqrt(gx * gx + gy * gy)
    ang = np.rad2deg(np.arctan2(gy, gx)) % 360
    bins = (ang // 10).astype(int) % 36
    hist = np.bincount(bins.ravel(), weights=mag.ravel(), minlength=36)
    smooth = (np.roll(hist, 1) + hist * 4 + np.roll(hist, -1)) / 6
    return hist, np.argmax(smooth)


def sobel_int16(img):
    # cv2.Sobel(img, cv2.CV_16S, ...) ported: int16 gradients, float32 magnitudes
    f = img.astype(np.int16)
    gx = (f[1:-1, 2:] - f[1:-1, :-2]) * 2 + f[:-2, 2:] - f[:-2, :-2] + f[2:, 2:] - f[2:, :-2]
    gy = (f[2:, 1:-1] - f[:-2, 1:-1]) * 2 + f[2:, :-2] - f[:-2, :-2] + f[2:, 2:] - f[:-2, 2:]
    return np.hypot(gx, gy), np.arctan2(gy, gx), np.abs(gx) + np.abs(gy)


def sqrt_uint8_float16(img):
    # np.sqrt of a uint8 image is float16
    return np.sqrt(img), np.sqrt(img).astype(np.uint8)


def brighten_without_clip(img):
    # the classic: scale in float, cast straight back to uint8 (wraps above 255)
    return (img * 1.5).astype(np.uint8), np.uint8(img + 100)


def ncc_flat_regions(img, tmpl):
    # flat windows give 0/0 = nan, and np.argmax returns the first nan
    win = sliding_window_view(img.astype(float), tmpl.shape)
    wz = win - win.mean(axis=(-2, -1), keepdims=True)
    tz = tmpl - tmpl.mean()
    r = (wz * tz).sum(axis=(-2, -1)) / np.sqrt((wz ** 2).sum(axis=(-2, -1)) * (tz ** 2).sum())
    return r, np.argmax(r), np.nanargmax(r), np.nan_to_num(r).max()


def _flat_u8(s, n):
    img = np.zeros((3 * n, 4 * n), np.uint8)
    img[n:2 * n, n:3 * n] = np.random.default_rng(s).integers(0, 256, (n, 2 * n))
    return img


def median_partition(img, k=3):
    win = sliding_window_view(np.pad(img, k // 2, mode="symmetric"), (k, k))
    flat = win.reshape(img.shape + (k * k,))
    return np.partition(flat, k * k // 2, axis=-1)[..., k * k // 2]


def sad_block_matching_quantised(left, right, max_disp=4, block=3):
    # SAD on images of a few grey levels / 255.0: equal costs tie, argmin takes the first
    H, W = left.shape
    r = block // 2
    L = sliding_window_view(np.pad(left / 255.0, r, mode="edge"), (block, block))
    R = sliding_window_view(np.pad(right / 255.0, r, mode="edge"), (block, block))
    vol = np.full((max_disp, H, W), np.inf)
    for d in range(max_disp):
        vol[d, :, d:] = np.abs(L[:, d:] - R[:, :W - d]).sum(axis=(-1, -2))
    return vol.argmin(axis=0)


def _quant_stereo(s, n):
    right = (np.random.default_rng(s).integers(0, 4, (3 * n, 4 * n)) * 60).astype(np.uint8)
    return np.roll(right, 2, axis=1), right


def augment_seeded_inside(img, seed=0):
    # the draw of a generator seeded inside is known when tracing: the `if` folds
    rng = np.random.default_rng(seed)
    if rng.random() < 0.5:
        img = img[:, ::-1]
    return img * rng.uniform(0.8, 1.2)


WRITES = {
    "augment_flip_if_seeded_inside": (augment_seeded_inside, {"seed": 3}, lambda s, n: (
        _img(s, n),)),
    "hough_plus_equals_duplicates": (hough_plus_equals, {}, lambda s, n: (_edges(s, n),)),
    "zbuffer_minimum_at": (zbuffer_minimum_at, {}, lambda s, n: _cloud(s, n)),
    "zbuffer_sorted_last_write_wins": (zbuffer_sorted_assign, {}, lambda s, n: _cloud(s, n)),
    "overlay_edges_colour_list": (overlay_edges, {}, lambda s, n: (
        _u8(s, 3 * n, 4 * n, 3), _edges(s, n))),
    "overlay_blend_masked_uint8": (overlay_blend, {}, lambda s, n: (
        _u8(s, 3 * n, 4 * n, 3), _edges(s, n, 0.4))),
    "saturate_place_putmask_cycle": (saturate_place, {}, lambda s, n: (_img(s, n),)),
    "fringe_phase_unwrap": (fringe_phase, {}, lambda s, n: _fringes(s, n)),
    "fft_gaussian_lowpass_shift": (fft_gaussian_lowpass, {}, lambda s, n: (_img(s, n),)),
    "register_roll_traced_shift": (register_translation, {}, lambda s, n: (
        _img(s, n), np.roll(_img(s, n), (-1, 3), axis=(0, 1)))),
    "scipy_convolve2d_symm": (scipy_convolve2d_gradient, {}, lambda s, n: (_img(s, n),)),
    "scipy_map_coordinates_rotate": _Xfail(
        "a Python float angle that only feeds `np.cos`/`np.sin` of the coordinates passed to "
        "`scipy.ndimage.map_coordinates` is made static ('its value steers the function's "
        "Python'): every new angle retraces (3 misses); an np.float64 angle traces once",
        map_coordinates_warp, {}, lambda s, n: (_img(s, n), 0.2 * s)),
    "s_curve_piecewise": (s_curve_piecewise, {}, lambda s, n: (_img(s, n),)),
    "separable_apply_along_axis": (separable_apply_along_axis, {}, lambda s, n: (_img(s, n),)),
    "brief_packbits_hamming": (brief_hamming, {}, lambda s, n: (
        _img(s, n), np.roll(_img(s, n), 1, axis=1))),
    "sift_orientation_integer_image": (sift_orientation_histogram, {}, lambda s, n: (
        _u8(s, 3 * n, 4 * n) // 64 * 64,)),
    "sobel_int16_float32_magnitude": (sobel_int16, {}, lambda s, n: (_u8(s, 3 * n, 4 * n),)),
    "sqrt_uint8_is_float16": (sqrt_uint8_float16, {}, lambda s, n: (_u8(s, 3 * n, 4 * n),)),
    "brighten_uint8_wraps": (brighten_without_clip, {}, lambda s, n: (_u8(s, 3 * n, 4 * n),)),
    "ncc_flat_regions_nan_argmax": (ncc_flat_regions, {}, lambda s, n: (
        _flat_u8(s, n), np.array([[1.0, 2.0], [3.0, 5.0]]))),
    "median_by_partition": (median_partition, {}, lambda s, n: (_img(s, n),)),
    "sad_block_matching_quantised": _Xfail(
        "argmin ties decided differently: the 3x3 window sums of a padded array, "
        "`sliding_window_view(np.pad(x, 1), (3, 3)).sum(axis=(-1, -2))`, come out 1 ulp off "
        "NumPy's (NumPy adds the three row sums; tracenp adds the nine terms in row-major "
        "order), so equal SAD costs of quantised images no longer tie as in NumPy",
        sad_block_matching_quantised, {}, lambda s, n: _quant_stereo(s, n)),
}


@pytest.mark.parametrize("name", _names(WRITES))
def test_scatters_masked_writes_and_library_calls_match_numpy(name):
    """Hough accumulators by `+=` with duplicates, z-buffers by `np.minimum.at` and by sorted
    last-write-wins assignment, colour overlays through boolean masks, `np.place`/`putmask`,
    fringe phases by `np.unwrap`, FFT filters and registration by a traced `np.roll`, SciPy's
    convolve2d and map_coordinates, `np.piecewise`, `apply_along_axis`, BRIEF by `packbits`,
    SIFT bins on integer gradients, int16/float16 dtypes, uint8 wraparound, NaN argmax and a
    flip decided by a generator seeded inside."""
    check_like_numpy(*WRITES[name])


# --------------------------------------------------------------------- static Python scalars


def harris_positional(img, k, window):
    return harris_box(img, k, window)


def hog_positional(img, cell, nbins):
    return hog_cells_bincount(img, cell, nbins)


def pyramid_positional(img, levels):
    return gaussian_pyramid(img, levels)


def disparity_positional(left, right, max_disp, block):
    return ssd_disparity(left, right, max_disp, block)


def resize_positional(img, new_h, new_w):
    return resize_nearest(img, new_h, new_w)


def ransac_seed_positional(points, n_iters, seed):
    return ransac_line(points, np.random.default_rng(seed), n_iters)


def hough_positional(edges, n_theta):
    return hough_lines_weighted(edges, n_theta)


STEERED = {
    "gaussian_kernel_size_sigma": (gaussian_kernel_loop, lambda s: (1 + 2 * s, 0.8 * s)),
    "gaussian_kernel_meshgrid": (gaussian_kernel, lambda s: (3 + 2 * s, 1.0 + s)),
    "harris_window_positional": (harris_positional, lambda s: (_blobs(s, 4), 0.04, 1 + 2 * s)),
    "hog_cell_nbins_positional": (hog_positional, lambda s: (_img(s, 4), 2 + s, 6 + 3 * s)),
    "pyramid_levels_positional": (pyramid_positional, lambda s: (_img(s, 6), 1 + s)),
    "disparity_range_block": (disparity_positional, lambda s: _stereo(s, 4) + (2 + s, 1 + 2 * s)),
    "resize_output_shape": (resize_positional, lambda s: (_img(s, 4), 5 * s, 3 + s)),
    "ransac_iterations_seed": (ransac_seed_positional, lambda s: (_line_points(s, 4), 5 * s, s)),
    "hough_theta_count": (hough_positional, lambda s: (_edges(s, 4), 8 * s)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_size_the_code_are_made_static(name):
    """Kernel sizes and sigmas, Harris windows, HOG cells and bins, pyramid levels, disparity
    ranges and blocks, output shapes, RANSAC iterations and seeds, Hough theta counts: made
    static, NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def non_maximum_suppression_cs131(G, theta):
    # CS131 hw2: per-pixel if/elif on the rounded angle and on the neighbours
    H, W = G.shape
    out = np.zeros((H, W))
    theta = np.floor((theta + 22.5) / 45) * 45
    theta = (theta % 360.0).astype(np.int32)
    Gp = np.pad(G, 1)
    for i in range(H):
        for j in range(W):
            t = theta[i, j] % 180
            if t == 0:
                n1, n2 = Gp[i + 1, j], Gp[i + 1, j + 2]
            elif t == 45:
                n1, n2 = Gp[i, j], Gp[i + 2, j + 2]
            elif t == 90:
                n1, n2 = Gp[i, j + 1], Gp[i + 2, j + 1]
            else:
                n1, n2 = Gp[i, j + 2], Gp[i + 2, j]
            if G[i, j] >= n1 and G[i, j] >= n2:
                out[i, j] = G[i, j]
    return out


def hysteresis_until_stable(strong, weak):
    edges = strong.copy()
    while True:
        grown = edges | (weak & dilate_binary(edges, np.ones((3, 3), bool)))
        if np.array_equal(grown, edges):
            return edges
        edges = grown


def otsu_loop(img):
    hist = np.bincount(img.ravel(), minlength=256)
    total = img.size
    best_t, best_var = 0, 0.0
    for t in range(1, 256):
        w0 = hist[:t].sum()
        w1 = total - w0
        if w0 == 0 or w1 == 0:
            continue
        m0 = (np.arange(t) * hist[:t]).sum() / w0
        m1 = (np.arange(t, 256) * hist[t:]).sum() / w1
        var = w0 * w1 * (m0 - m1) ** 2
        if var > best_var:
            best_t, best_var = t, var
    return best_t


def ransac_line_if(points, n_iters=20, thresh=0.1, seed=0):
    rng = np.random.default_rng(seed)
    best_inliers, best_count = None, 0
    for _ in range(n_iters):
        i, j = rng.choice(len(points), 2, replace=False)
        d = points[j] - points[i]
        normal = np.array([-d[1], d[0]]) / np.linalg.norm(d)
        inliers = np.abs((points - points[i]) @ normal) < thresh
        if inliers.sum() > best_count:
            best_inliers, best_count = inliers, inliers.sum()
    return best_inliers


def corner_list(img):
    R = harris_box(img)
    return np.argwhere(R > 0.1 * R.max())


def camera_from_essential(E):
    # Solem's PCV compute_P_from_essential: the sign fix by a Python if
    U, S, V = np.linalg.svd(E)
    if np.linalg.det(np.dot(U, V)) < 0:
        V = -V
    E = np.dot(U, np.dot(np.diag([1, 1, 0]), V))
    W = np.array([[0, -1, 0], [1, 0, 0], [0, 0, 1]])
    return E, [np.vstack((np.dot(U, np.dot(W, V)).T, U[:, 2])).T,
            np.vstack((np.dot(U, np.dot(W.T, V)).T, -U[:, 2])).T]


def flood_fill(mask, seed=(0, 0)):
    filled = np.zeros_like(mask)
    stack = [seed]
    H, W = mask.shape
    while stack:
        y, x = stack.pop()
        if 0 <= y < H and 0 <= x < W and mask[y, x] and not filled[y, x]:
            filled[y, x] = True
            stack.extend([(y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)])
    return filled


def ratio_test_matches(d1, d2, ratio=0.8):
    dist = np.sqrt(((d1[:, None] - d2[None]) ** 2).sum(-1))
    order = np.argsort(dist, axis=1)
    best, second = dist[np.arange(len(d1)), order[:, 0]], dist[np.arange(len(d1)), order[:, 1]]
    keep = best < ratio * second
    return np.column_stack([np.nonzero(keep)[0], order[keep, 0]])


def binarize_vectorize(img):
    # np.vectorize over a Python conditional expression on each pixel
    return np.vectorize(lambda p: 255 if p > 128 else 0)(img)


def phase_correlation_if(a, b):
    r = np.fft.ifft2(np.fft.fft2(a) * np.fft.fft2(b).conj()).real
    dy, dx = np.unravel_index(np.argmax(r), r.shape)
    if dy > a.shape[0] // 2:
        dy -= a.shape[0]
    if dx > a.shape[1] // 2:
        dx -= a.shape[1]
    return dy, dx


def augment_random_flip(img, rng):
    if rng.random() < 0.5:
        img = img[:, ::-1]
    return img * rng.uniform(0.8, 1.2)


def remove_seam_mask(image, seam):
    # CS131's remove_seam: a boolean mask with one False per row, then reshape
    H, W = image.shape[:2]
    mask = np.arange(W)[None, :] != seam[:, None]
    return image[mask].reshape(H, W - 1, -1)


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "canny_nms_per_pixel_if": (_Concretization, non_maximum_suppression_cs131, lambda s: (
        _img(s, 2), np.random.default_rng(s).uniform(-np.pi, np.pi, (6, 8)))),
    "hysteresis_while_changed": (_Concretization, hysteresis_until_stable, lambda s: (
        _edges(s, 3, 0.05), _edges(s + 1, 3, 0.5))),
    "otsu_loop_continue": (_Concretization, otsu_loop, lambda s: (_u8(s, 8, 8),)),
    "dilate_if_se_argument": (_Concretization, dilate_binary, lambda s: (
        _edges(s, 3), CROSS)),
    "ransac_keep_best_by_if": (_Concretization, ransac_line_if, lambda s: (
        _line_points(s, 4),)),
    "harris_argwhere_corners": (_DataDependent, corner_list, lambda s: (_blobs(s, 4),)),
    "essential_sign_fix_if": (_Concretization, camera_from_essential, lambda s: (
        f_pipeline(*_two_view(s, 4)[:2])[1],)),
    "flood_fill_stack": (_Concretization, flood_fill, lambda s: (_edges(s, 3, 0.7),)),
    "ratio_test_match_list": (_DataDependent, ratio_test_matches, lambda s: (
        np.random.default_rng(s).random((8, 16)), np.random.default_rng(s + 1).random((10, 16)))),
    "binarize_np_vectorize_if": (_Concretization, binarize_vectorize, lambda s: (
        _u8(s, 5, 6),)),
    "phase_correlation_wrap_if": (_Concretization, phase_correlation_if, lambda s: (
        _img(s, 3), np.roll(_img(s, 3), (2, -3), axis=(0, 1)))),
    "augment_flip_if_generator_draw": (_Concretization, augment_random_flip, lambda s: (
        _img(s, 3), np.random.default_rng(s))),
    "remove_seam_mask_reshape": (_DataDependent, remove_seam_mask, lambda s: (
        _rgb(s, 3), np.random.default_rng(s).integers(0, 9, 6))),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """CS131's per-pixel NMS, hysteresis until stable, Otsu's loop with `continue`, `if se[i,
    j]` on an argument, RANSAC keeping the best by `if`, corner lists by `np.argwhere`, the
    essential-matrix sign fix, a flood fill, ratio-test matches, `np.vectorize` of an `if`,
    phase correlation's wrap by `if`, a flip on a generator argument's draw and seam removal by
    mask and reshape: the named error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
