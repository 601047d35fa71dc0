"""Corpus, hunt BI: data compression, coding and cryptography-adjacent integer code, as course
assignments, blog posts and teaching repositories write it.

JPEG-style transform coding (an 8x8 DCT matrix built element by element and applied as
`C @ B @ C.T` to blocks cut by reshape/swapaxes, `scipy.fft.dctn`/`idctn` over the block axes
with libjpeg's quality-scaled tables, a per-block double loop writing into an int32 array,
`scipy.fftpack.dct` of transposes with a PSNR, zig-zag scans by module-level index arrays and
by `np.lexsort` at run time, DC differences by `np.diff(prepend=0)`, JFIF YCbCr, 4:2:0
subsampling into a dict, components quantised by `einsum` into int16, truncated zig-zags,
magnitude categories by `np.frexp` and `np.log2`); delta, run-length and entropy coding (int16
deltas, PNG's Sub/Up/Average/Paeth filters in uint8 wrap-around, Gorilla delta-of-delta
timestamps, protobuf ZigZag and varint byte counts in uint64, LEB128 groups, run ids by a
cumsum of changes with `bincount(minlength=)`, byte entropies by a selection, by
`scipy.stats.entropy` and per block by one-hot counts, a conditional entropy by a joint
bincount, a float arithmetic coder, Burrows-Wheeler by `lexsort` of rotations, move-to-front by
`np.delete` and by `np.roll`, Rice parameters and FLAC's fixed predictors); bits (bit planes by
shifts and by `unpackbits` in both bit orders, 12-bit planes in uint16, `packbits` with padding
and `count=`, LSB steganography, Gray codes and their inverse by a `while` over shifts, SWAR
popcounts in uint32, Hamming distances of packed codes by a table, bit reversal by a table,
Morton codes, xor reduce/accumulate); error-correcting codes (Hamming(7,4) by products mod 2
with syndrome tables, one-hot matching and fancy-index flips, 2-D parity, convolutional coding
by `np.convolve` and hard Viterbi with traced traceback indices, BPSK with `erfc`, GF(256) by
log/antilog tables built at import, Horner, polynomial products, systematic Reed-Solomon and
syndromes, Russian-peasant `xtime`, AES SubBytes/ShiftRows/MixColumns); CRCs, LFSRs and
checksums (table-driven CRC-32, bitwise CRC-8 by `np.where`, CRC-16 with a masked write, long
division, Fibonacci and Galois LFSRs, Adler-32 by a uint32 cumsum and by a scalar loop,
Fletcher-32, RFC 1071, Luhn); hashing (FNV-1a in uint32 and uint64, splitmix64 with NumPy and
Python constants, MurmurHash3, xorshift, PCG32, an int64 polynomial hash, MinHash, a Bloom
filter, a count-min sketch by `np.add.at`, HyperLogLog by `np.maximum.at`); classical ciphers
(Caesar on uint8 letters and from a static string, Vigenere by `np.resize`/`np.tile`, Hill with
an adjugate inverse, chi-squared cracking over 26 rolls, key lengths by the index of
coincidence, single-byte xor scoring, rail fence, columnar transposition, substitution, RC4 with
traced swaps, toy RSA by square-and-multiply, TEA, XTEA and ChaCha quarter rounds in uint32);
vector quantisation, PCA and SVD (argmin codebooks, LBG by `bincount` weights, 2x2 block VQ in
float32, product quantisation by `einsum`, truncated and randomized SVD, per-channel SVD to
uint8, PCA by `eigh` and on patches); wavelets (multi-level Haar, 2-D sub-bands, quantile
thresholds, the in-place pyramid, VisuShrink, JPEG 2000's integer 5/3 lifting, Daubechies-4 by
wrap padding); companding and modulation (mu-law in float64 and float32, integer G.711, mid-rise
and mid-tread quantisers, Lloyd-Max by `digitize`, delta, adaptive delta, DPCM and IMA ADPCM
loops with step tables); dithering and palettes (recursive Bayer matrices by `np.block`,
ordered dithering, Floyd-Steinberg and Atkinson by pixel loops, nearest-colour palettes,
RGB332 and RGB565, posterisation, gamma and quantisation LUTs).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Block sizes, qualities, ranks, bit depths and step
counts given as Python ints are static (and made static when given positionally); the forms
whose Python or shapes depend on the data (run-length and zero-run pairs by `nonzero`,
`np.repeat` decoding, `trim_zeros`, Huffman trees by `heapq`, LZ77 and varint loops, ranks from
the energy, `np.unique`'s alphabet, Python `if`s on CRC bits, quality searches by `while`)
raise a named error and run eagerly under `fallback=True`. Strict xfails: Python-int
semantics of `int()` of traced values (`bit_length`, three-argument `pow`, powers past int64,
constants past int64), shifts of `x[mask]`, `byteswap`, `sys.getsizeof`, an object in a
closure, `scipy.cluster.vq.vq`, and bit strings made by `str()` of traced values.
"""

from __future__ import annotations

import hashlib
import heapq
import sys

import numpy as np
import pytest
import scipy.cluster.vq
import scipy.fft
import scipy.fftpack
import scipy.linalg
import scipy.special
import scipy.stats
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names, _Xfail

import tracenp


def _bytes(seed, *shape, lo=0, hi=256):
    return np.random.default_rng(seed).integers(lo, hi, shape, dtype=np.uint8)


def _img(seed, h, w, smooth=True):
    # a smooth-ish 8-bit test image: a gradient, a blob and a little noise, as photos are
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = 90 + 60 * np.sin(x / (3.0 + seed)) * np.cos(y / 5.0) + 2.5 * x + 1.5 * y
    if not smooth:
        base = base + 40 * rng.standard_normal((h, w))
    return np.clip(base + 6 * rng.standard_normal((h, w)), 0, 255).astype(np.uint8)


def _rgb(seed, h, w):
    return np.stack([_img(seed + c, h, w) for c in range(3)], axis=-1)


def _bits(seed, *shape):
    return np.random.default_rng(seed).integers(0, 2, shape, dtype=np.uint8)


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


# ================================================================================ JPEG-style

def dct_matrix(n=8):
    # the orthonormal DCT-II matrix written out element by element, as the course notes do
    C = np.zeros((n, n))
    for k in range(n):
        for i in range(n):
            alpha = np.sqrt(1 / n) if k == 0 else np.sqrt(2 / n)
            C[k, i] = alpha * np.cos((2 * i + 1) * k * np.pi / (2 * n))
    return C


DCT8 = dct_matrix(8)

# Annex K of the JPEG standard
Q_LUMA = np.array([
    [16, 11, 10, 16, 24, 40, 51, 61], [12, 12, 14, 19, 26, 58, 60, 55],
    [14, 13, 16, 24, 40, 57, 69, 56], [14, 17, 22, 29, 51, 87, 80, 62],
    [18, 22, 37, 56, 68, 109, 103, 77], [24, 35, 55, 64, 81, 104, 113, 92],
    [49, 64, 78, 87, 103, 121, 120, 101], [72, 92, 95, 98, 112, 100, 103, 99]])
Q_CHROMA = np.array([
    [17, 18, 24, 47, 99, 99, 99, 99], [18, 21, 26, 66, 99, 99, 99, 99],
    [24, 26, 56, 99, 99, 99, 99, 99], [47, 66, 99, 99, 99, 99, 99, 99]]
    + [[99] * 8] * 4)


def zigzag_order(n=8):
    # (row, col) sorted by anti-diagonal, odd diagonals walked down-left, even ones up-right
    cells = [(i, j) for i in range(n) for j in range(n)]
    cells.sort(key=lambda p: (p[0] + p[1], -p[1] if (p[0] + p[1]) % 2 else p[1]))
    return np.array([i * n + j for i, j in cells])


ZIGZAG = zigzag_order()
UNZIGZAG = np.argsort(ZIGZAG)

RGB2YCBCR = np.array([[0.299, 0.587, 0.114],
                      [-0.168736, -0.331264, 0.5],
                      [0.5, -0.418688, -0.081312]])
YCBCR_OFFSET = np.array([0.0, 128.0, 128.0])


def to_blocks(img, b=8):
    h, w = img.shape
    return img.reshape(h // b, b, w // b, b).swapaxes(1, 2).reshape(-1, b, b)


def from_blocks(blocks, h, w, b=8):
    return blocks.reshape(h // b, w // b, b, b).swapaxes(1, 2).reshape(h, w)


def jpeg_quantise_matmul(img):
    # level shift, blocks by reshape, C @ B @ C.T, divide by the table and round
    blocks = to_blocks(img.astype(np.float64) - 128)
    coefs = DCT8 @ blocks @ DCT8.T
    return np.round(coefs / Q_LUMA).astype(np.int32)


def scaled_quant_table(quality, base=Q_LUMA):
    # libjpeg's quality scaling
    scale = 5000 / quality if quality < 50 else 200 - 2 * quality
    table = np.floor((base * scale + 50) / 100)
    table[table == 0] = 1
    return np.clip(table, 1, 255)


def jpeg_roundtrip_dctn(img, quality=50):
    h, w = img.shape
    q = scaled_quant_table(quality)
    blocks = to_blocks(img.astype(np.float32) - 128.0)
    coefs = scipy.fft.dctn(blocks, axes=(-2, -1), norm="ortho")
    quant = np.round(coefs / q)
    rec = scipy.fft.idctn(quant * q, axes=(-2, -1), norm="ortho") + 128
    rec = from_blocks(rec, h, w)
    return np.clip(np.round(rec), 0, 255).astype(np.uint8), np.count_nonzero(quant)


def jpeg_blocks_loop(img, quality=75):
    # the for-loop version from a course assignment: one block at a time into an output array
    h, w = img.shape
    q = scaled_quant_table(quality)
    out = np.zeros((h, w), dtype=np.int32)
    for i in range(0, h, 8):
        for j in range(0, w, 8):
            block = img[i:i + 8, j:j + 8] - 128.0
            out[i:i + 8, j:j + 8] = np.round(DCT8 @ block @ DCT8.T / q)
    return out


def dct2_fftpack(block):
    return scipy.fftpack.dct(scipy.fftpack.dct(block.T, norm="ortho").T, norm="ortho")


def idct2_fftpack(block):
    return scipy.fftpack.idct(scipy.fftpack.idct(block.T, norm="ortho").T, norm="ortho")


def jpeg_fftpack_per_block(img):
    h, w = img.shape
    rec = np.empty((h, w))
    for r in range(h // 8):
        for c in range(w // 8):
            sl = (slice(8 * r, 8 * r + 8), slice(8 * c, 8 * c + 8))
            d = dct2_fftpack(img[sl].astype(float) - 128)
            rec[sl] = idct2_fftpack(Q_LUMA * np.round(d / Q_LUMA)) + 128
    mse = np.mean((img - rec) ** 2)
    return rec, 10 * np.log10(255.0 ** 2 / mse)


def zigzag_scan(qblocks):
    flat = qblocks.reshape(len(qblocks), 64)
    return flat[:, ZIGZAG]


def zigzag_unscan(vecs):
    return vecs[:, UNZIGZAG].reshape(-1, 8, 8)


def zigzag_lexsort(block):
    # the zig-zag order computed at run time from np.indices and np.lexsort
    n = block.shape[0]
    i, j = np.indices((n, n))
    s = i + j
    key = np.where(s % 2 == 1, i, j)
    order = np.lexsort((key.ravel(), s.ravel()))
    return block.ravel()[order]


def dc_differential(qblocks):
    # DC terms coded as differences from the previous block, decoded by cumsum
    dc = qblocks[:, 0, 0]
    diff = np.diff(dc, prepend=0)
    return diff, np.cumsum(diff)


def rgb_to_ycbcr(rgb):
    ycc = rgb.astype(np.float64) @ RGB2YCBCR.T + YCBCR_OFFSET
    return np.clip(np.round(ycc), 0, 255).astype(np.uint8)


def chroma_420(ycc):
    # 4:2:0 subsampling by block means, upsampling by np.repeat
    y = ycc[..., 0]
    h, w = y.shape
    sub = {}
    for k, name in ((1, "cb"), (2, "cr")):
        c = ycc[..., k].astype(np.float64)
        sub[name] = c.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
    up = np.stack([y.astype(np.float64)]
                  + [np.repeat(np.repeat(sub[n], 2, axis=0), 2, axis=1) for n in ("cb", "cr")],
                  axis=-1)
    return sub, up


def jpeg_components(rgb, quality=60):
    # a dict of channels, each quantised with its own table
    ycc = rgb_to_ycbcr(rgb)
    tables = {"Y": scaled_quant_table(quality, Q_LUMA),
              "Cb": scaled_quant_table(quality, Q_CHROMA),
              "Cr": scaled_quant_table(quality, Q_CHROMA)}
    out, nnz = {}, {}
    for k, name in enumerate(("Y", "Cb", "Cr")):
        blocks = to_blocks(ycc[..., k].astype(np.float64) - 128)
        coefs = np.einsum("ij,bjk,lk->bil", DCT8, blocks, DCT8)
        out[name] = np.round(coefs / tables[name]).astype(np.int16)
        nnz[name] = np.count_nonzero(out[name])
    return out, nnz


def energy_compaction(img, k=2):
    blocks = to_blocks(img.astype(float) - 128)
    coefs = scipy.fft.dctn(blocks, axes=(1, 2), norm="ortho")
    energy = coefs ** 2
    return energy[:, :k, :k].sum() / energy.sum()


def keep_first_zigzag(img, keep=10):
    # keep the first coefficients of the zig-zag scan and invert
    h, w = img.shape
    coefs = DCT8 @ to_blocks(img - 128.0) @ DCT8.T
    z = coefs.reshape(-1, 64)[:, ZIGZAG]
    z[:, keep:] = 0
    rec = DCT8.T @ z[:, UNZIGZAG].reshape(-1, 8, 8) @ DCT8
    return from_blocks(rec, h, w) + 128


def size_category(coefs):
    # the JPEG magnitude category (bits needed) by frexp and by log2
    _, e = np.frexp(np.abs(coefs))
    cat = np.where(coefs == 0, 0, np.floor(np.log2(np.abs(coefs) + (coefs == 0))) + 1)
    return e, cat.astype(np.int64)


def size_category_bit_length(coefs):
    # the magnitude category per coefficient by Python's int.bit_length, as the
    # Huffman-table assignments write it
    return np.array([int(abs(c)).bit_length() for c in coefs])


JPEG = {
    "size_category_bit_length": (size_category_bit_length, {}, lambda s, n: (
            _i(2000, 3 * n, seed=s) - 1000,)),
    "quantise_matmul": (jpeg_quantise_matmul, {}, lambda s, n: (_img(s, 16, 8 * (n // 2)),)),
    "roundtrip_dctn_q50": (jpeg_roundtrip_dctn, {}, lambda s, n: (_img(s, 8 * (n // 2), 16),)),
    "roundtrip_dctn_q20": (jpeg_roundtrip_dctn, {"quality": 20}, lambda s, n: (
        _img(s, 8, 8 * (n // 2), smooth=False),)),
    "blocks_loop_q75": (jpeg_blocks_loop, {}, lambda s, n: (_img(s, 8 * (n // 2), 16),)),
    "fftpack_per_block_psnr": (jpeg_fftpack_per_block, {}, lambda s, n: (
        _img(s, 16, 8 * (n // 2)),)),
    "zigzag_scan": (zigzag_scan, {}, lambda s, n: (
        _i(9, n, 8, 8, seed=s).astype(np.int32) - 4,)),
    "zigzag_unscan": (zigzag_unscan, {}, lambda s, n: (_i(9, n, 64, seed=s) - 4,)),
    "zigzag_lexsort_runtime": (zigzag_lexsort, {}, lambda s, n: (_f(n, n, seed=s),)),
    "dc_differential": (dc_differential, {}, lambda s, n: (
        jpeg_quantise_matmul(_img(s, 16, 8 * n)),)),
    "rgb_to_ycbcr": (rgb_to_ycbcr, {}, lambda s, n: (_rgb(s, n, 5),)),
    "chroma_420_dict": (chroma_420, {}, lambda s, n: (_rgb(s, n, 2 * n),)),
    "components_dict_einsum": (jpeg_components, {}, lambda s, n: (
        _rgb(s, 8, 8 * (n // 2)),)),
    "energy_compaction": (energy_compaction, {"k": 3}, lambda s, n: (_img(s, 8, 8 * (n // 2)),)),
    "keep_first_zigzag": (keep_first_zigzag, {}, lambda s, n: (_img(s, 8 * (n // 2), 8),)),
    "size_category": (size_category, {}, lambda s, n: (
        np.r_[0, 1, -1, 2, 3, 4, -8, 255, 1024, _i(2000, n, seed=s) - 1000],)),
}


@pytest.mark.parametrize("name", _names(JPEG))
def test_jpeg_style_transform_coding_matches_numpy(name):
    check_like_numpy(*JPEG[name])


# ============================================================== delta, run-length and entropy

def delta_encode_int16(x):
    # pixel deltas need a sign: widen first, prepend a zero
    d = np.diff(x.astype(np.int16), prepend=0)
    return d, np.cumsum(d).astype(np.uint8)


def delta_uint8_wrapping(x):
    # deltas kept in uint8 (mod 256), as PNG's Sub filter does; cumsum in uint8 undoes them
    d = np.empty_like(x)
    d[0] = x[0]
    d[1:] = x[1:] - x[:-1]
    return d, np.cumsum(d, dtype=np.uint8)


def png_sub_up_filters(img):
    # PNG's Sub and Up filters on a uint8 image, with the row and column of zeros before
    sub = img.copy()
    sub[:, 1:] -= img[:, :-1]
    up = img - np.vstack([np.zeros((1, img.shape[1]), dtype=np.uint8), img[:-1]])
    left = np.pad(img, ((0, 0), (1, 0)))[:, :-1].astype(np.uint16)
    upper = np.pad(img, ((1, 0), (0, 0)))[:-1].astype(np.uint16)
    avg = img - ((left + upper) // 2).astype(np.uint8)
    return sub, up, avg


def paeth_filter(img):
    a = np.pad(img, ((0, 0), (1, 0)))[:, :-1].astype(np.int16)
    b = np.pad(img, ((1, 0), (0, 0)))[:-1].astype(np.int16)
    c = np.pad(img, ((1, 0), (1, 0)))[:-1, :-1].astype(np.int16)
    p = a + b - c
    pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
    pred = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
    return (img.astype(np.int16) - pred).astype(np.uint8)


def delta_of_delta(ts):
    # Gorilla-style timestamps: second differences, decoded by two cumsums
    dod = np.diff(ts, n=2)
    first, delta0 = ts[0], ts[1] - ts[0]
    deltas = np.concatenate(([delta0], delta0 + np.cumsum(dod)))
    return dod, np.concatenate(([first], first + np.cumsum(deltas)))


def zigzag_varint(n):
    # protobuf's ZigZag mapping of signed ints, then the varint byte count per value
    z = ((n << 1) ^ (n >> 63)).astype(np.uint64)
    nbytes = np.ones(z.shape, dtype=np.int64)
    for k in range(1, 10):
        nbytes += (z >= np.uint64(1) << np.uint64(7 * k))
    back = (z >> np.uint64(1)).astype(np.int64) ^ -(z & np.uint64(1)).astype(np.int64)
    return z, nbytes, back


def varint_bytes(values, nbytes=4):
    # LEB128 bytes of non-negative values, a fixed number of groups, continuation bits set
    out = np.zeros(values.shape + (nbytes,), dtype=np.uint8)
    v = values.astype(np.uint32)
    for k in range(nbytes):
        out[..., k] = (v & 0x7F).astype(np.uint8)
        v = v >> 7
        out[..., k] |= np.where(v > 0, 0x80, 0).astype(np.uint8)
    return out


def rle_fixed_runs(x):
    # run ids by cumsum of changes; counts per run by bincount with minlength
    change = np.concatenate(([True], x[1:] != x[:-1]))
    run_id = np.cumsum(change) - 1
    lengths = np.bincount(run_id, minlength=len(x))
    values = np.zeros(len(x), dtype=x.dtype)
    values[run_id] = x
    return np.count_nonzero(change), lengths, values


def byte_entropy(data):
    counts = np.bincount(data.ravel(), minlength=256)
    p = counts / counts.sum()
    p = p[p > 0]
    return -np.sum(p * np.log2(p))


def entropy_scipy(data):
    counts = np.bincount(data, minlength=256)
    return scipy.stats.entropy(counts, base=2), scipy.stats.entropy(counts + 1, np.ones(256))


def block_entropy(data, block=16):
    # entropy per fixed-size block: a one-hot count table, as binwalk-style plots do
    blocks = data.reshape(-1, block)
    counts = (blocks[:, :, None] == np.arange(256)).sum(axis=1)
    p = counts / block
    logp = np.log2(p, out=np.zeros_like(p), where=p > 0)
    return -(p * logp).sum(axis=1)


def conditional_entropy(data):
    # H(X_{t+1} | X_t) of a 4-bit symbol stream by a joint bincount
    a, b = data[:-1].astype(np.int64), data[1:].astype(np.int64)
    joint = np.bincount(a * 16 + b, minlength=256).reshape(16, 16) / (len(data) - 1)
    marg = joint.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        cond = np.where(joint > 0, joint * np.log2(marg / joint), 0.0)
    return np.nansum(cond)


def arithmetic_encode(symbols, freqs):
    # the textbook float interval coder over a fixed message length
    cum = np.concatenate(([0], np.cumsum(freqs))) / np.sum(freqs)
    low, high = 0.0, 1.0
    for k in range(len(symbols)):
        s = symbols[k]
        width = high - low
        high = low + width * cum[s + 1]
        low = low + width * cum[s]
    return (low + high) / 2, high - low


def bwt_rotations(s):
    # Burrows-Wheeler by sorting all rotations (rows) with lexsort, the last column out
    n = len(s)
    idx = (np.arange(n)[:, None] + np.arange(n)[None, :]) % n
    rot = s[idx]
    order = np.lexsort(rot.T[::-1])
    return rot[order, -1], np.argmax(order == 0)


def move_to_front(symbols, alphabet=8):
    table = np.arange(alphabet)
    out = np.empty(len(symbols), dtype=np.int64)
    for i in range(len(symbols)):
        idx = np.argmax(table == symbols[i])
        out[i] = idx
        table = np.concatenate(([table[idx]], np.delete(table, idx)))
    return out


def move_to_front_roll(symbols, alphabet=8):
    # the same without delete: the prefix up to the symbol rotated right by one
    table = np.arange(alphabet)
    pos = np.arange(alphabet)
    out = np.zeros_like(symbols)
    for i in range(symbols.shape[0]):
        idx = np.argmax(table == symbols[i])
        out[i] = idx
        prev = np.roll(table, 1)
        table = np.where(pos == 0, table[idx], np.where(pos <= idx, prev, table))
    return out


def best_rice_parameter(residuals, kmax=8):
    u = np.where(residuals >= 0, 2 * residuals, -2 * residuals - 1).astype(np.int64)
    costs = np.array([np.sum((u >> k) + 1 + k) for k in range(kmax)])
    return costs, np.argmin(costs)


def lpc_fixed_residuals(x):
    # FLAC's fixed predictors of orders 0-3 and the order with the smallest abs sum
    x = x.astype(np.int32)
    e0 = x[3:]
    e1 = x[3:] - x[2:-1]
    e2 = x[3:] - 2 * x[2:-1] + x[1:-2]
    e3 = x[3:] - 3 * x[2:-1] + 3 * x[1:-2] - x[:-3]
    sums = np.array([np.abs(e).sum() for e in (e0, e1, e2, e3)])
    return np.stack([e0, e1, e2, e3]), sums, np.argmin(sums)


def _walk(seed, n, step=3):
    rng = np.random.default_rng(seed)
    return (128 + np.cumsum(rng.integers(-step, step + 1, n))).astype(np.uint8)


CODING = {
    "delta_encode_int16": (delta_encode_int16, {}, lambda s, n: (_bytes(s, 4 * n),)),
    "delta_uint8_wrapping": (delta_uint8_wrapping, {}, lambda s, n: (_bytes(s, 4 * n),)),
    "png_sub_up_avg_filters": (png_sub_up_filters, {}, lambda s, n: (_bytes(s, n, 7),)),
    "png_paeth_filter": (paeth_filter, {}, lambda s, n: (_img(s, n, 9, smooth=False),)),
    "delta_of_delta_timestamps": (delta_of_delta, {}, lambda s, n: (
        1_600_000_000 + np.cumsum(60 + _i(5, 3 * n, seed=s) - 2),)),
    "zigzag_varint_int64": (zigzag_varint, {}, lambda s, n: (
        np.r_[0, -1, 1, -64, 63, 2 ** 40, -2 ** 62, _i(10 ** 6, n, seed=s) - 500_000],)),
    "varint_bytes_uint32": (varint_bytes, {}, lambda s, n: (
        np.r_[0, 127, 128, 300, 16384, _i(2 ** 28, n, seed=s)],)),
    "rle_fixed_runs_bincount": (rle_fixed_runs, {}, lambda s, n: (
        np.repeat(_bytes(s, 3 * n, hi=4), _i(3, 3 * n, seed=s + 1) + 1)[:3 * n],)),
    "byte_entropy_selection": (byte_entropy, {}, lambda s, n: (_bytes(s, n, 50, hi=40),)),
    "entropy_scipy_stats": (entropy_scipy, {}, lambda s, n: (_walk(s, 30 * n, step=5),)),
    "block_entropy_one_hot": (block_entropy, {}, lambda s, n: (_bytes(s, 16 * n, hi=30),)),
    "conditional_entropy_joint": (conditional_entropy, {}, lambda s, n: (
        _bytes(s, 50 * n, hi=16),)),
    "arithmetic_encode_float": (arithmetic_encode, {}, lambda s, n: (
        _i(4, n + 2, seed=s), np.array([5, 2, 2, 1]))),
    "bwt_rotations_lexsort": (bwt_rotations, {}, lambda s, n: (_bytes(s, 3 * n, lo=97, hi=101),)),
    "move_to_front_delete": (move_to_front, {}, lambda s, n: (_i(8, 2 * n, seed=s),)),
    "move_to_front_roll": (move_to_front_roll, {}, lambda s, n: (_i(8, 2 * n, seed=s),)),
    "best_rice_parameter": (best_rice_parameter, {}, lambda s, n: (
        _i(81, 5 * n, seed=s) - 40,)),
    "flac_fixed_predictors": (lpc_fixed_residuals, {}, lambda s, n: (
        (1000 * np.sin(np.arange(4 * n) / 3.0)).astype(np.int16) + _i(5, 4 * n, seed=s),)),
}


@pytest.mark.parametrize("name", _names(CODING))
def test_delta_run_length_and_entropy_coding_match_numpy(name):
    check_like_numpy(*CODING[name])


# ==================================================================== bits, planes, Gray codes

def bit_planes_shift(img):
    # the eight bit planes of a uint8 image, most significant first
    planes = (img[..., None] >> np.arange(7, -1, -1, dtype=np.uint8)) & 1
    return np.moveaxis(planes, -1, 0)


def bit_planes_unpackbits(img):
    planes = np.unpackbits(img[..., None], axis=-1)
    little = np.unpackbits(img.ravel(), bitorder="little").reshape(-1, 8)
    return planes, little


def bit_planes_uint16(raw, bits=12):
    # a 12-bit sensor stored in uint16: planes by a mask per bit, MSB plane as bool
    planes = np.stack([(raw & (1 << b)) != 0 for b in range(bits)])
    msb = (raw >> (bits - 1)).astype(bool)
    return planes, msb, (raw >> 4).astype(np.uint8)


def pack_unpack_bits(bits):
    # a bit stream of any length packed to bytes (zero padded) and back
    packed = np.packbits(bits)
    unpacked = np.unpackbits(packed, count=bits.size)
    return packed, unpacked, np.packbits(bits, bitorder="little")


def pack_bool_mask_rows(mask):
    packed = np.packbits(mask, axis=1)
    return packed, np.unpackbits(packed, axis=1, count=mask.shape[1]).astype(bool)


def lsb_embed(cover, message_bits):
    # LSB steganography: clear the low bit, or in the message bits, and read them back
    flat = cover.ravel().copy()
    n = message_bits.size
    flat[:n] = (flat[:n] & 0xFE) | message_bits
    stego = flat.reshape(cover.shape)
    recovered = np.packbits(stego.ravel()[:n] & 1)
    return stego, recovered


def lsb_embed_planes(cover, secret, nbits=2):
    # hide the top bits of one image in the low bits of another
    mask = np.uint8((0xFF << nbits) & 0xFF)
    stego = (cover & mask) | (secret >> (8 - nbits))
    revealed = (stego & ~mask) << (8 - nbits)
    return stego, revealed


def gray_code(n):
    return n ^ (n >> 1)


def gray_decode(g):
    # the inverse Gray code by repeated xor of shifts (uint32)
    n = g.copy()
    shift = 1
    while shift < 32:
        n ^= n >> shift
        shift <<= 1
    return n


def popcount_swar(x):
    # the classic SWAR popcount on uint32
    x = x - ((x >> 1) & np.uint32(0x55555555))
    x = (x & np.uint32(0x33333333)) + ((x >> 2) & np.uint32(0x33333333))
    x = (x + (x >> 4)) & np.uint32(0x0F0F0F0F)
    return (x * np.uint32(0x01010101)) >> 24


def hamming_distance_matrix(codes):
    # pairwise Hamming distances of packed binary codes (uint8 rows) by xor and a table
    table = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1).sum(axis=1)
    x = codes[:, None, :] ^ codes[None, :, :]
    return table[x].sum(axis=-1)


REVERSE_BYTE = np.array([int(f"{i:08b}"[::-1], 2) for i in range(256)], dtype=np.uint8)


def reverse_bits(x):
    # bit reversal of bytes by a module-level table and of uint16 by swapping halves
    rev8 = REVERSE_BYTE[x]
    x16 = x.astype(np.uint16) * np.uint16(257)
    rev16 = (REVERSE_BYTE[x16 & 0xFF].astype(np.uint16) << 8) | REVERSE_BYTE[x16 >> 8]
    return rev8, rev16


def morton_encode(x, y):
    # interleave the bits of two 16-bit coordinates into a uint32 Z-order key
    def part1by1(n):
        n = n.astype(np.uint32) & 0x0000FFFF
        n = (n | (n << 8)) & 0x00FF00FF
        n = (n | (n << 4)) & 0x0F0F0F0F
        n = (n | (n << 2)) & 0x33333333
        n = (n | (n << 1)) & 0x55555555
        return n
    return part1by1(x) | (part1by1(y) << 1)


def xor_reduce_parity(words):
    # a parity byte over a block and the running xor
    return (np.bitwise_xor.reduce(words, axis=-1), np.bitwise_xor.accumulate(words, axis=-1),
            np.bitwise_or.reduce(words, axis=0))


def lsb_clear_in_region(cover, region, bits):
    # steganography inside a region: clear the low bit there by two in-place shifts
    cover[region] >>= 1
    cover[region] <<= 1
    return cover | np.where(region, bits, 0).astype(np.uint8)


BITS = {
    "lsb_clear_masked_shifts": (lsb_clear_in_region, {}, lambda s, n: (
            _bytes(s, n, 6), _u(s + 1, n, 6) > 0.5, _bits(s + 2, n, 6))),
    "bit_planes_shift": (bit_planes_shift, {}, lambda s, n: (_bytes(s, n, 5),)),
    "bit_planes_unpackbits": (bit_planes_unpackbits, {}, lambda s, n: (_bytes(s, n, 3),)),
    "bit_planes_uint16_12bit": (bit_planes_uint16, {}, lambda s, n: (
        np.random.default_rng(s).integers(0, 4096, (n, 3), dtype=np.uint16),)),
    "pack_unpack_bits_padding": (pack_unpack_bits, {}, lambda s, n: (_bits(s, 3 * n + 1),)),
    "pack_bool_mask_rows": (pack_bool_mask_rows, {}, lambda s, n: (_u(s, n, 11) > 0.3,)),
    "lsb_embed_message": (lsb_embed, {}, lambda s, n: (_bytes(s, n, 6), _bits(s + 1, 16))),
    "lsb_embed_planes": (lsb_embed_planes, {}, lambda s, n: (_bytes(s, n, 4), _bytes(s + 1, n, 4))),
    "lsb_embed_planes_3": (lsb_embed_planes, {"nbits": 3}, lambda s, n: (
        _bytes(s, n, 4), _bytes(s + 1, n, 4))),
    "gray_code_int64": (gray_code, {}, lambda s, n: (np.arange(4 * n),)),
    "gray_code_uint8": (gray_code, {}, lambda s, n: (_bytes(s, n),)),
    "gray_decode_uint32_while": (gray_decode, {}, lambda s, n: (
        gray_code(np.random.default_rng(s).integers(0, 2 ** 32, n, dtype=np.uint32)),)),
    "popcount_swar_uint32": (popcount_swar, {}, lambda s, n: (
        np.random.default_rng(s).integers(0, 2 ** 32, n, dtype=np.uint32),)),
    "hamming_distance_matrix": (hamming_distance_matrix, {}, lambda s, n: (_bytes(s, n, 4),)),
    "reverse_bits_table": (reverse_bits, {}, lambda s, n: (_bytes(s, 2 * n),)),
    "morton_encode": (morton_encode, {}, lambda s, n: (
        _i(2 ** 16, n, seed=s), _i(2 ** 16, n, seed=s + 1))),
    "xor_reduce_parity": (xor_reduce_parity, {}, lambda s, n: (_bytes(s, n, 5),)),
}


@pytest.mark.parametrize("name", _names(BITS))
def test_bit_planes_packing_and_gray_codes_match_numpy(name):
    check_like_numpy(*BITS[name])


# ======================================================================== error-correcting codes

# Hamming(7,4) in the systematic form [I | P] and its parity-check matrix [P.T | I]
G_HAMMING = np.array([[1, 0, 0, 0, 1, 1, 0],
                      [0, 1, 0, 0, 1, 0, 1],
                      [0, 0, 1, 0, 0, 1, 1],
                      [0, 0, 0, 1, 1, 1, 1]])
H_HAMMING = np.array([[1, 1, 0, 1, 1, 0, 0],
                      [1, 0, 1, 1, 0, 1, 0],
                      [0, 1, 1, 1, 0, 0, 1]])


def _syndrome_table():
    # syndrome (as an int) -> the error position, -1 for no error
    table = -np.ones(8, dtype=int)
    for pos in range(7):
        s = H_HAMMING[:, pos]
        table[s[0] * 4 + s[1] * 2 + s[2]] = pos
    return table


SYNDROME_POS = _syndrome_table()


def hamming74_encode(data):
    return data @ G_HAMMING % 2


def hamming74_decode(received):
    # syndrome, error position by a lookup table, flip by fancy indexing, data bits out
    syn = received @ H_HAMMING.T % 2
    idx = syn @ np.array([4, 2, 1])
    pos = SYNDROME_POS[idx]
    corrected = received.copy()
    rows = np.arange(len(received))
    has_err = pos >= 0
    corrected[rows, pos] ^= has_err.astype(corrected.dtype)
    return corrected[:, :4], has_err.sum()


def hamming74_decode_onehot(received):
    # the same by comparing the syndrome with each column of H and an xor of the match
    syn = np.mod(received @ H_HAMMING.T, 2)
    match = np.all(syn[:, :, None] == H_HAMMING[None, :, :], axis=1)
    return np.bitwise_xor(received, match.astype(received.dtype))[:, :4], match.any(axis=1)


def hamming_channel(data, flips):
    # encode, flip one bit per word at given positions (7 = no flip), decode, bit error rate
    code = hamming74_encode(data)
    noisy = code.copy()
    ok = flips < 7
    noisy[np.arange(len(code))[ok], flips[ok]] ^= 1
    decoded, nerr = hamming74_decode(noisy)
    return decoded, np.mean(decoded != data), nerr


def parity_2d(block):
    # row and column even parity of a bit block, and locating one flipped bit
    rows = block.sum(axis=1) % 2
    cols = block.sum(axis=0) % 2
    out = np.zeros((block.shape[0] + 1, block.shape[1] + 1), dtype=block.dtype)
    out[:-1, :-1] = block
    out[:-1, -1] = rows
    out[-1, :-1] = cols
    out[-1, -1] = block.sum() % 2
    bad_r, bad_c = np.argmax(rows), np.argmax(cols)
    return out, bad_r, bad_c


def conv_encode(bits, g1=(1, 1, 1), g2=(1, 0, 1)):
    # the K=3 rate-1/2 convolutional code by np.convolve mod 2, interleaved outputs
    c1 = np.convolve(bits, g1)[:len(bits)] % 2
    c2 = np.convolve(bits, g2)[:len(bits)] % 2
    return np.column_stack([c1, c2]).ravel()


def viterbi_hard(received, nbits):
    # the trellis of the (7, 5) code, path metrics by Hamming distance, traceback by argmin
    n_states = 4
    next_state = np.array([[0, 2], [0, 2], [1, 3], [1, 3]])
    outputs = np.zeros((4, 2, 2), dtype=int)
    for s in range(4):
        for b in range(2):
            reg = [b, s >> 1, s & 1]
            outputs[s, b] = [(reg[0] + reg[1] + reg[2]) % 2, (reg[0] + reg[2]) % 2]
    rx = received.reshape(nbits, 2)
    metric = np.full(n_states, np.inf)
    metric[0] = 0
    prev = np.zeros((nbits, n_states), dtype=int)
    bit_in = np.zeros((nbits, n_states), dtype=int)
    for t in range(nbits):
        new = np.full(n_states, np.inf)
        for s in range(n_states):
            for b in range(2):
                ns = next_state[s, b]
                m = metric[s] + np.sum(outputs[s, b] != rx[t])
                better = m < new[ns]
                new[ns] = np.where(better, m, new[ns])
                prev[t, ns] = np.where(better, s, prev[t, ns])
                bit_in[t, ns] = np.where(better, b, bit_in[t, ns])
        metric = new
    state = np.argmin(metric)
    decoded = np.zeros(nbits, dtype=int)
    for t in range(nbits - 1, -1, -1):
        decoded[t] = bit_in[t, state]
        state = prev[t, state]
    return decoded, metric.min()


def bpsk_awgn_ber(bits, noise, ebn0_db=2.0):
    # BPSK over AWGN with the noise given: hard decisions and the measured bit error rate
    ebn0 = 10 ** (ebn0_db / 10)
    x = 1 - 2.0 * bits
    y = x + noise / np.sqrt(2 * ebn0)
    hard = (y < 0).astype(np.uint8)
    llr = 4 * ebn0 * y
    return hard, np.mean(hard != bits), llr, 0.5 * scipy.special.erfc(np.sqrt(ebn0))


# GF(2^8) with the primitive polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d), as Reed-Solomon
GF_EXP = np.zeros(512, dtype=np.int64)
GF_LOG = np.zeros(256, dtype=np.int64)
_x = 1
for _k in range(255):
    GF_EXP[_k] = _x
    GF_LOG[_x] = _k
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
GF_EXP[255:510] = GF_EXP[:255]


def gf_mul(a, b):
    return np.where((a == 0) | (b == 0), 0, GF_EXP[GF_LOG[a] + GF_LOG[b]])


def gf_poly_eval(poly, x):
    # Horner over GF(256) at many points
    y = np.full(x.shape, poly[0])
    for k in range(1, len(poly)):
        y = gf_mul(y, x) ^ poly[k]
    return y


def gf_poly_mul(p, q):
    r = np.zeros(len(p) + len(q) - 1, dtype=np.int64)
    for j in range(len(q)):
        r[j:j + len(p)] ^= gf_mul(p, q[j])
    return r


def rs_generator(nsym):
    g = np.array([1])
    for i in range(nsym):
        g = gf_poly_mul(g, np.array([1, GF_EXP[i]]))
    return g


def rs_encode(msg, nsym=4):
    # systematic Reed-Solomon: the remainder of msg * x^nsym divided by the generator
    gen = rs_generator(nsym)
    buf = np.concatenate([msg, np.zeros(nsym, dtype=msg.dtype)])
    for i in range(len(msg)):
        coef = buf[i]
        buf[i + 1:i + len(gen)] ^= gf_mul(gen[1:], coef)
    return np.concatenate([msg, buf[len(msg):]])


def rs_syndromes(codeword, nsym=4):
    return gf_poly_eval(codeword, GF_EXP[np.arange(nsym)])


def xtime(a):
    # AES's multiply by x in GF(2^8) with the 0x1b reduction, on uint8
    return ((a << 1) ^ np.where(a & 0x80, 0x1B, 0x00)).astype(np.uint8)


def gf_mul_peasant(a, b):
    # Russian-peasant multiplication, eight rounds, vectorised over arrays of bytes
    p = np.zeros_like(a)
    for _ in range(8):
        p ^= np.where(b & 1, a, 0).astype(np.uint8)
        a = xtime(a)
        b = b >> 1
    return p


def mix_columns(state):
    # AES MixColumns on a (4, 4) uint8 state, column by column
    out = np.empty_like(state)
    for c in range(4):
        a = state[:, c]
        b = xtime(a)
        out[0, c] = b[0] ^ a[3] ^ a[2] ^ b[1] ^ a[1]
        out[1, c] = b[1] ^ a[0] ^ a[3] ^ b[2] ^ a[2]
        out[2, c] = b[2] ^ a[1] ^ a[0] ^ b[3] ^ a[3]
        out[3, c] = b[3] ^ a[2] ^ a[1] ^ b[0] ^ a[0]
    return out


def _aes_sbox():
    sbox = np.zeros(256, dtype=np.uint8)
    p = q = 1
    while True:
        p = p ^ ((p << 1) & 0xFF) ^ (0x1B if p & 0x80 else 0)
        q ^= q << 1
        q ^= q << 2
        q ^= q << 4
        q &= 0xFF
        if q & 0x80:
            q ^= 0x09
        x = q ^ ((q << 1 | q >> 7) & 0xFF) ^ ((q << 2 | q >> 6) & 0xFF)
        x ^= ((q << 3 | q >> 5) & 0xFF) ^ ((q << 4 | q >> 4) & 0xFF)
        sbox[p] = x ^ 0x63
        if p == 1:
            break
    sbox[0] = 0x63
    return sbox


AES_SBOX = _aes_sbox()
SHIFT_ROWS = np.array([[0, 1, 2, 3], [1, 2, 3, 0], [2, 3, 0, 1], [3, 0, 1, 2]])


def aes_round(state, round_key):
    # SubBytes by the table, ShiftRows by take_along_axis, MixColumns, AddRoundKey
    s = AES_SBOX[state]
    s = np.take_along_axis(s, SHIFT_ROWS, axis=1)
    s = mix_columns(s)
    return s ^ round_key


def aes_round_batched(states, round_key):
    # many states at once: (n, 4, 4), MixColumns by xtime on whole rows
    s = AES_SBOX[states]
    s = s[:, np.arange(4)[:, None], SHIFT_ROWS]
    a, b = s, xtime(s)
    rolled = [np.roll(a, -k, axis=1) for k in range(4)]
    mixed = b ^ np.roll(b, -1, axis=1) ^ rolled[1] ^ rolled[2] ^ rolled[3]
    return mixed ^ round_key


ECC = {
    "hamming74_encode": (hamming74_encode, {}, lambda s, n: (_i(2, n, 4, seed=s),)),
    "hamming74_decode_table": (hamming74_decode, {}, lambda s, n: (_i(2, 2 * n, 7, seed=s),)),
    "hamming74_decode_onehot": (hamming74_decode_onehot, {}, lambda s, n: (
        _i(2, 2 * n, 7, seed=s),)),
    "hamming_channel_fancy_flip": (hamming_channel, {}, lambda s, n: (
        _i(2, 2 * n, 4, seed=s), _i(9, 2 * n, seed=s + 1))),
    "parity_2d": (parity_2d, {}, lambda s, n: (_bits(s, n, 5),)),
    "conv_encode_convolve": (conv_encode, {}, lambda s, n: (_i(2, 2 * n, seed=s),)),
    "viterbi_hard_traceback": (viterbi_hard, {"nbits": 6}, lambda s, n: (
        conv_encode(_i(2, 6, seed=s * n)) ^ (_u(s + n, 12) < 0.08),)),
    "bpsk_awgn_ber": (bpsk_awgn_ber, {"ebn0_db": 1.5}, lambda s, n: (
        _bits(s, 10 * n), _f(10 * n, seed=s + 1))),
    "gf256_mul_log_tables": (lambda a, b: gf_mul(a, b), {}, lambda s, n: (
        np.r_[0, _i(256, 3 * n, seed=s)], np.r_[7, _i(256, 3 * n, seed=s + 1)])),
    "gf256_poly_eval_horner": (gf_poly_eval, {}, lambda s, n: (
        _i(256, 5, seed=s), _i(256, 2 * n, seed=s + 1))),
    "gf256_poly_mul": (gf_poly_mul, {}, lambda s, n: (
        _i(256, n, seed=s), _i(256, 3, seed=s + 1))),
    "reed_solomon_encode": (rs_encode, {}, lambda s, n: (_i(256, n + 2, seed=s),)),
    "reed_solomon_syndromes": (rs_syndromes, {}, lambda s, n: (
        rs_encode(_i(256, n + 2, seed=s)) ^ (np.arange(n + 6) == s),)),
    "gf_mul_peasant_uint8": (gf_mul_peasant, {}, lambda s, n: (
        _bytes(s, 3 * n), _bytes(s + 1, 3 * n))),
    "aes_round_single": (aes_round, {}, lambda s, n: (_bytes(s * n, 4, 4), _bytes(s + 1, 4, 4))),
    "aes_round_batched": (aes_round_batched, {}, lambda s, n: (
        _bytes(s, n, 4, 4), _bytes(s + 1, 4, 4))),
}


@pytest.mark.parametrize("name", _names(ECC))
def test_error_correcting_codes_and_finite_fields_match_numpy(name):
    check_like_numpy(*ECC[name])


# ===================================================================== CRCs, LFSRs, checksums

def _crc_table(poly=0xEDB88320):
    # the reflected CRC-32 table, built once at import
    table = np.zeros(256, dtype=np.uint32)
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table[i] = c
    return table


CRC32_TABLE = _crc_table()


def crc32_table_driven(msgs):
    # one CRC per row: the byte loop over columns, rows vectorised
    crc = np.full(msgs.shape[0], 0xFFFFFFFF, dtype=np.uint32)
    for k in range(msgs.shape[1]):
        crc = CRC32_TABLE[(crc ^ msgs[:, k]) & 0xFF] ^ (crc >> 8)
    return crc ^ np.uint32(0xFFFFFFFF)


def crc8_bitwise(msgs, poly=0x07):
    # CRC-8 (ATM) MSB first, bit by bit, the branch as np.where
    crc = np.zeros(msgs.shape[0], dtype=np.uint8)
    for k in range(msgs.shape[1]):
        crc ^= msgs[:, k]
        for _ in range(8):
            crc = np.where(crc & 0x80, (crc << 1) ^ poly, crc << 1).astype(np.uint8)
    return crc


def crc16_ccitt(msgs):
    crc = np.full(len(msgs), 0xFFFF, dtype=np.uint16)
    for k in range(msgs.shape[1]):
        crc ^= msgs[:, k].astype(np.uint16) << 8
        for _ in range(8):
            top = (crc & 0x8000) != 0
            crc = (crc << 1) & 0xFFFF
            crc[top] ^= 0x1021
    return crc


def crc_polynomial_division(bits, gen=np.array([1, 0, 1, 1])):
    # the textbook long division of bit arrays by the generator (CRC-3 here)
    r = len(gen) - 1
    work = np.concatenate([bits, np.zeros(r, dtype=bits.dtype)])
    for i in range(len(bits)):
        work[i:i + r + 1] ^= work[i] * gen
    return work[-r:], np.concatenate([bits, work[-r:]])


def lfsr_fibonacci(state, taps=(0, 2, 3, 5), nsteps=20):
    # a Fibonacci LFSR on a bit array: output the last bit, feed back the xor of the taps
    out = np.zeros(nsteps, dtype=state.dtype)
    s = state.copy()
    for t in range(nsteps):
        out[t] = s[-1]
        fb = np.bitwise_xor.reduce(s[list(taps)])
        s = np.roll(s, 1)
        s[0] = fb
    return out, s


def lfsr_galois16(seeds, nsteps=24):
    # the 16-bit Galois LFSR from Wikipedia (taps 0xB400), many seeds at once
    s = seeds.astype(np.uint16)
    bits = np.zeros((nsteps, len(seeds)), dtype=np.uint16)
    for t in range(nsteps):
        lsb = s & 1
        bits[t] = lsb
        s >>= 1
        s ^= (-lsb.astype(np.int32) & 0xB400).astype(np.uint16)
    return s, bits


def adler32(data):
    a = 1 + np.cumsum(data, dtype=np.uint32) % 65521
    b = np.sum(a, dtype=np.uint64) % 65521
    return (b.astype(np.uint32) << 16) | a[-1]


def adler32_loop(data):
    a, b = np.uint32(1), np.uint32(0)
    for k in range(data.shape[0]):
        a = (a + data[k]) % 65521
        b = (b + a) % 65521
    return (b << 16) | a


def fletcher32_rows(words):
    # Fletcher-32 per row of uint16 words, vectorised over rows
    c0 = np.zeros(words.shape[0], dtype=np.uint32)
    c1 = np.zeros(words.shape[0], dtype=np.uint32)
    for k in range(words.shape[1]):
        c0 = (c0 + words[:, k]) % 65535
        c1 = (c1 + c0) % 65535
    return (c1 << 16) | c0


def internet_checksum(data):
    # RFC 1071: big-endian 16-bit words, carries folded, ones' complement
    words = data.reshape(-1, 2).astype(np.uint32)
    total = np.sum((words[:, 0] << 8) + words[:, 1])
    total = (total & 0xFFFF) + (total >> 16)
    total = (total & 0xFFFF) + (total >> 16)
    return (~total & 0xFFFF).astype(np.uint16)


def luhn_valid(digits):
    # rows of card digits: double every second from the right, subtract 9 above 9
    d = digits[:, ::-1].copy()
    d[:, 1::2] *= 2
    d[:, 1::2] -= 9 * (d[:, 1::2] > 9)
    total = d.sum(axis=1)
    return total % 10 == 0, (10 - (digits[:, :-1][:, ::-1] * np.tile([2, 1], 8)[
        :digits.shape[1] - 1]).sum(axis=1)) % 10


def checksum_network_order(words):
    # 16-bit words read little-endian, swapped to network order before summing
    be = words.byteswap()
    total = be.astype(np.uint32).sum()
    total = (total & 0xFFFF) + (total >> 16)
    return be, (~total & 0xFFFF).astype(np.uint16)


CHECKSUMS = {
    "checksum_network_order_byteswap": (checksum_network_order, {}, lambda s, n: (
            np.random.default_rng(s).integers(0, 2 ** 16, 4 * n, dtype=np.uint16),)),
    "crc32_table_rows": (crc32_table_driven, {}, lambda s, n: (_bytes(s, n, 9),)),
    "crc8_bitwise_where": (crc8_bitwise, {}, lambda s, n: (_bytes(s, n, 5),)),
    "crc16_ccitt_mask_write": (crc16_ccitt, {}, lambda s, n: (_bytes(s, n, 4),)),
    "crc_polynomial_division": (crc_polynomial_division, {}, lambda s, n: (_i(2, 2 * n, seed=s),)),
    "lfsr_fibonacci": (lfsr_fibonacci, {}, lambda s, n: (
        np.r_[1, _bits(s, n + 1)],)),
    "lfsr_galois16": (lfsr_galois16, {}, lambda s, n: (
        1 + _i(2 ** 16 - 1, n, seed=s),)),
    "adler32_cumsum_uint32": (adler32, {}, lambda s, n: (_bytes(s, 50 * n),)),
    "adler32_scalar_loop": (adler32_loop, {}, lambda s, n: (_bytes(s, 3 * n),)),
    "fletcher32_rows": (fletcher32_rows, {}, lambda s, n: (
        np.random.default_rng(s).integers(0, 2 ** 16, (n, 5), dtype=np.uint16),)),
    "internet_checksum_rfc1071": (internet_checksum, {}, lambda s, n: (_bytes(s, 20 * n),)),
    "luhn_rows": (luhn_valid, {}, lambda s, n: (_i(10, n, 16, seed=s),)),
}


@pytest.mark.parametrize("name", _names(CHECKSUMS))
def test_crcs_lfsrs_and_checksums_match_numpy(name):
    check_like_numpy(*CHECKSUMS[name])


# ========================================================================= hashing and PRNGs

FNV32_OFFSET, FNV32_PRIME = 0x811C9DC5, 0x01000193
FNV64_OFFSET, FNV64_PRIME = np.uint64(0xCBF29CE484222325), np.uint64(0x100000001B3)


def fnv1a_32(strings):
    # FNV-1a per row of bytes, uint32 multiplication wrapping
    h = np.full(strings.shape[0], FNV32_OFFSET, dtype=np.uint32)
    for k in range(strings.shape[1]):
        h ^= strings[:, k]
        h *= FNV32_PRIME
    return h


def fnv1a_64(strings):
    h = np.full(strings.shape[0], FNV64_OFFSET, dtype=np.uint64)
    for k in range(strings.shape[1]):
        h = (h ^ strings[:, k].astype(np.uint64)) * FNV64_PRIME
    return h


def splitmix64(x):
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def splitmix64_python_ints(x):
    # the same with plain Python ints for the constants (NEP 50 keeps uint64)
    z = x + 0x9E3779B97F4A7C15
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB
    return z ^ (z >> 31), (z >> 11) * (1.0 / 2 ** 53)


def murmur3_fmix32(h):
    h ^= h >> 16
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> 13
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> 16
    return h


def murmur3_32_words(words, seed=0x9747B28C):
    # MurmurHash3 x86_32 over rows of uint32 blocks (no tail)
    c1, c2 = np.uint32(0xCC9E2D51), np.uint32(0x1B873593)
    h = np.full(words.shape[0], seed, dtype=np.uint32)
    for i in range(words.shape[1]):
        k = words[:, i] * c1
        k = (k << np.uint32(15)) | (k >> np.uint32(17))
        k *= c2
        h ^= k
        h = (h << np.uint32(13)) | (h >> np.uint32(19))
        h = h * np.uint32(5) + np.uint32(0xE6546B64)
    h ^= np.uint32(4 * words.shape[1])
    return murmur3_fmix32(h)


def xorshift32(state, n=16):
    out = np.empty((n,) + state.shape, dtype=np.uint32)
    x = state.copy()
    for i in range(n):
        x ^= x << 13
        x ^= x >> 17
        x ^= x << 5
        out[i] = x
    return out


def pcg32(state, inc, n=6):
    # PCG-XSH-RR: a 64-bit LCG state, a 32-bit rotated output
    mult = np.uint64(6364136223846793005)
    outs = np.zeros((n,) + state.shape, dtype=np.uint32)
    for i in range(n):
        old = state
        state = old * mult + (inc | np.uint64(1))
        xorshifted = (((old >> np.uint64(18)) ^ old) >> np.uint64(27)).astype(np.uint32)
        rot = (old >> np.uint64(59)).astype(np.uint32)
        outs[i] = (xorshifted >> rot) | (xorshifted << ((-rot.astype(np.int64)) & 31)
                                         .astype(np.uint32))
    return outs, state


def int64_hash_overflow(x):
    # a polynomial string hash with int64 arithmetic wrapping around, Java-style
    h = np.zeros(x.shape[0], dtype=np.int64)
    for k in range(x.shape[1]):
        h = h * 31 + x[:, k]
    return h, (h & 0x7FFFFFFF) % 1000


def minhash_signature(shingles, a, b, p=4294967311):
    # k universal hashes (a x + b) mod p of each set's shingle ids, minimum per set
    hv = (a[:, None, None] * shingles[None] + b[:, None, None]) % p
    sig = hv.min(axis=2)
    est = (sig[:, :, None] == sig[:, None, :]).mean(axis=0)
    return sig, est


def bloom_filter(insert_keys, query_keys, m=64, k=3):
    # a Bloom filter with k hashes from double hashing, bits in a bool array
    bits = np.zeros(m, dtype=bool)
    h1 = (insert_keys * 2654435761) % 2 ** 32
    h2 = (insert_keys * 40503 + 17) % 2 ** 32
    for i in range(k):
        bits[(h1 + i * h2) % m] = True
    q1 = (query_keys * 2654435761) % 2 ** 32
    q2 = (query_keys * 40503 + 17) % 2 ** 32
    hits = np.ones(len(query_keys), dtype=bool)
    for i in range(k):
        hits &= bits[(q1 + i * q2) % m]
    return bits, hits, bits.mean()


def count_min_sketch(keys, weights, depth=3, width=16):
    table = np.zeros((depth, width), dtype=np.int64)
    seeds = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D])
    idx = ((keys[None, :] * seeds[:depth, None]) >> 7) % width
    for d in range(depth):
        np.add.at(table[d], idx[d], weights)
    est = table[np.arange(depth)[:, None], idx].min(axis=0)
    return table, est


def hyperloglog_registers(hashes, p=4):
    # the register index from the top p bits, the rank of the rest by leading zeros
    idx = (hashes >> np.uint64(64 - p)).astype(np.int64)
    rest = (hashes << np.uint64(p)) | np.uint64(1 << (p - 1))
    lz = np.zeros(hashes.shape, dtype=np.int64)
    for b in range(63, -1, -1):
        still = (rest >> np.uint64(b)) == 0
        lz += still
    rank = np.minimum(lz, 64 - p) + 1
    reg = np.zeros(2 ** p, dtype=np.int64)
    np.maximum.at(reg, idx, rank)
    m = 2 ** p
    est = 0.673 * m * m / np.sum(2.0 ** -reg)
    return reg, est


def _u32(seed, *shape):
    return np.random.default_rng(seed).integers(0, 2 ** 32, shape, dtype=np.uint32)


def _u64(seed, *shape):
    return np.random.default_rng(seed).integers(0, 2 ** 64 - 1, shape, dtype=np.uint64,
                                                endpoint=True)


def fnv1a_64_python(data):
    # FNV-1a written with Python ints over the bytes, masked to 64 bits
    h = 0xCBF29CE484222325
    for b in data:
        h ^= int(b)
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


HASHES = {
    "fnv1a_32_inplace": (fnv1a_32, {}, lambda s, n: (_bytes(s, n, 7),)),
    "fnv1a_64": (fnv1a_64, {}, lambda s, n: (_bytes(s, n, 7),)),
    "splitmix64_np_uint64": (splitmix64, {}, lambda s, n: (_u64(s, 2 * n),)),
    "splitmix64_python_ints": (splitmix64_python_ints, {}, lambda s, n: (_u64(s, 2 * n),)),
    "murmur3_32_words": (murmur3_32_words, {}, lambda s, n: (_u32(s, n, 3),)),
    "xorshift32": (xorshift32, {}, lambda s, n: (1 + _u32(s, n) // 2,)),
    "pcg32_rotations": (pcg32, {}, lambda s, n: (_u64(s, n), _u64(s + 1, n))),
    "int64_polynomial_hash_wrap": (int64_hash_overflow, {}, lambda s, n: (
        _bytes(s, n, 20, lo=32, hi=127),)),
    "minhash_signatures": (minhash_signature, {}, lambda s, n: (
        _i(10 ** 6, n, 8, seed=s), 1 + _i(2 ** 31, 5, seed=s + 1), _i(2 ** 31, 5, seed=s + 2))),
    "bloom_filter_double_hash": (bloom_filter, {}, lambda s, n: (
        _i(10 ** 6, 2 * n, seed=s), _i(10 ** 6, 3 * n, seed=s + 1))),
    "count_min_sketch_add_at": (count_min_sketch, {}, lambda s, n: (
        _i(10 ** 5, 4 * n, seed=s), _i(5, 4 * n, seed=s + 1) + 1)),
    "hyperloglog_maximum_at": (hyperloglog_registers, {}, lambda s, n: (_u64(s, 6 * n),)),
}


@pytest.mark.parametrize("name", _names(HASHES))
def test_hash_mixing_and_integer_prngs_match_numpy(name):
    check_like_numpy(*HASHES[name])


# ============================================================================ classical ciphers

# English letter frequencies (A-Z), as the frequency-analysis assignments hard-code them
ENGLISH_FREQ = np.array([8.167, 1.492, 2.782, 4.253, 12.702, 2.228, 2.015, 6.094, 6.966,
                         0.153, 0.772, 4.025, 2.406, 6.749, 7.507, 1.929, 0.095, 5.987,
                         6.327, 9.056, 2.758, 0.978, 2.360, 0.150, 1.974, 0.074]) / 100
HILL_KEY = np.array([[3, 3], [2, 5]])
HILL_KEY3 = np.array([[6, 24, 1], [13, 16, 10], [20, 17, 15]])


def caesar_uint8(text, shift=3):
    # upper-case ASCII bytes: letters shifted mod 26, everything else kept
    is_letter = (text >= 65) & (text <= 90)
    shifted = ((text - 65 + shift) % 26 + 65).astype(np.uint8)
    return np.where(is_letter, shifted, text)


def caesar_decrypt_wrap(cipher, shift):
    # the classic slip: uint8 subtraction wraps before np.mod (NumPy's answer either way)
    return np.mod(cipher - 65 - shift, 26) + 65, np.mod(cipher.astype(int) - 65 - shift, 26) + 65


def caesar_of_string(key, text="ATTACK AT DAWN"):
    # the plaintext as a static Python string turned into bytes inside
    b = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    letters = b != ord(" ")
    return np.where(letters, (b - ord("A") + key) % 26 + ord("A"), b)


def vigenere(text, key):
    # the key repeated to the text's length by np.resize, letters 0-25
    k = np.resize(key, text.shape)
    enc = (text + k) % 26
    dec = (enc - k) % 26
    return enc, dec


def vigenere_tile(text, key):
    reps = -(-text.size // key.size)
    k = np.tile(key, reps)[:text.size]
    return np.mod(text.astype(np.int16) + k, 26).astype(np.uint8)


def hill_encrypt(text, key=HILL_KEY):
    n = key.shape[0]
    blocks = text.reshape(-1, n).T
    return (key @ blocks % 26).T.ravel()


def _hill_inverse(key):
    det = int(round(np.linalg.det(key)))
    det_inv = pow(det % 26, -1, 26)
    adj = np.round(det * np.linalg.inv(key)).astype(int)
    return (det_inv * adj) % 26


def hill_roundtrip(text, key=HILL_KEY3):
    # the inverse key from the adjugate, computed from the static key inside
    enc = hill_encrypt(text, key)
    kinv = _hill_inverse(key)
    dec = (kinv @ enc.reshape(-1, key.shape[0]).T % 26).T.ravel()
    return enc, dec


def crack_caesar_chi2(cipher):
    # letter counts, chi-squared of each of the 26 shifts against English, best shift
    counts = np.bincount(cipher, minlength=26)
    expected = ENGLISH_FREQ * cipher.size
    chi2 = np.array([np.sum((np.roll(counts, -k) - expected) ** 2 / expected)
                     for k in range(26)])
    best = np.argmin(chi2)
    return chi2, best, (cipher - best) % 26


def index_of_coincidence(text):
    n = np.bincount(text, minlength=26)
    N = text.size
    return np.sum(n * (n - 1)) / (N * (N - 1))


def vigenere_key_length_ic(cipher, max_len=6):
    # average IC of the columns for each candidate key length
    scores = np.zeros(max_len)
    for L in range(1, max_len + 1):
        ics = [index_of_coincidence(cipher[i::L]) for i in range(L)]
        scores[L - 1] = np.mean(ics)
    return scores


def single_byte_xor_score(cipher):
    # try every key byte: the count of printable letters after xor, best key by argmax
    keys = np.arange(256, dtype=np.uint8)
    cand = cipher[None, :] ^ keys[:, None]
    lower = cand | 0x20
    score = ((lower >= ord("a")) & (lower <= ord("z")) | (cand == ord(" "))).sum(axis=1)
    return score, np.argmax(score)


def rail_fence(text, rails=3):
    # the zig-zag rail pattern from the static length, read rail by rail
    n = text.shape[0]
    period = 2 * (rails - 1)
    pos = np.arange(n) % period
    rail = np.minimum(pos, period - pos)
    order = np.argsort(rail, kind="stable")
    enc = text[order]
    dec = np.empty_like(enc)
    dec[order] = enc
    return enc, dec


def columnar_transposition(text, key):
    # columns read in the alphabetical order of the key letters
    ncols = key.size
    grid = text.reshape(-1, ncols)
    order = np.argsort(key, kind="stable")
    return grid[:, order].T.ravel()


def substitution_cipher(text, perm):
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.size)
    enc = perm[text]
    return enc, inv[enc], np.argsort(perm)[enc]


def rc4_keystream(key, n=16):
    # RC4: key scheduling and the generator, every index traced
    S = np.arange(256)
    j = 0
    for i in range(256):
        j = (j + S[i] + key[i % len(key)]) % 256
        S[i], S[j] = S[j], S[i]
    i = j = 0
    out = np.zeros(n, dtype=np.uint8)
    for k in range(n):
        i = (i + 1) % 256
        j = (j + S[i]) % 256
        S[i], S[j] = S[j], S[i]
        out[k] = S[(S[i] + S[j]) % 256]
    return out


def modexp_square_multiply(base, exponent=65537, mod=3233):
    # toy RSA: square-and-multiply over the exponent's bits, vectorised over messages
    result = np.ones_like(base)
    b = base % mod
    e = exponent
    while e > 0:
        if e & 1:
            result = (result * b) % mod
        b = (b * b) % mod
        e >>= 1
    return result


def rsa_roundtrip(m, e=17, d=2753, n=3233):
    c = modexp_square_multiply(m, e, n)
    return c, modexp_square_multiply(c, d, n)


def tea_encrypt(v0, v1, key, rounds=32):
    # TEA on uint32 halves, every add wrapping mod 2**32
    delta = 0x9E3779B9
    s = 0
    k0, k1, k2, k3 = (np.uint32(k) for k in key)
    for _ in range(rounds):
        s = (s + delta) & 0xFFFFFFFF
        v0 = v0 + (((v1 << 4) + k0) ^ (v1 + s) ^ ((v1 >> 5) + k1))
        v1 = v1 + (((v0 << 4) + k2) ^ (v0 + s) ^ ((v0 >> 5) + k3))
    return v0, v1


def xtea_encrypt(v, key, rounds=16):
    # XTEA on a (n, 2) uint32 array, the key word picked by the running sum
    v0, v1 = v[:, 0].copy(), v[:, 1].copy()
    s, delta = 0, 0x9E3779B9
    for _ in range(rounds):
        v0 += (((v1 << 4) ^ (v1 >> 5)) + v1) ^ np.uint32((s + int(key[s & 3])) & 0xFFFFFFFF)
        s = (s + delta) & 0xFFFFFFFF
        k = np.uint32((s + int(key[(s >> 11) & 3])) & 0xFFFFFFFF)
        v1 += (((v0 << 4) ^ (v0 >> 5)) + v0) ^ k
    return np.stack([v0, v1], axis=1)


def chacha_quarter_rounds(state, double_rounds=4):
    # ChaCha's column and diagonal quarter rounds on a (n, 16) uint32 state
    x = state.copy()

    def qr(a, b, c, d):
        x[:, a] += x[:, b]
        x[:, d] ^= x[:, a]
        x[:, d] = (x[:, d] << 16) | (x[:, d] >> 16)
        x[:, c] += x[:, d]
        x[:, b] ^= x[:, c]
        x[:, b] = (x[:, b] << 12) | (x[:, b] >> 20)
        x[:, a] += x[:, b]
        x[:, d] ^= x[:, a]
        x[:, d] = (x[:, d] << 8) | (x[:, d] >> 24)
        x[:, c] += x[:, d]
        x[:, b] ^= x[:, c]
        x[:, b] = (x[:, b] << 7) | (x[:, b] >> 25)

    for _ in range(double_rounds):
        qr(0, 4, 8, 12)
        qr(1, 5, 9, 13)
        qr(2, 6, 10, 14)
        qr(3, 7, 11, 15)
        qr(0, 5, 10, 15)
        qr(1, 6, 11, 12)
        qr(2, 7, 8, 13)
        qr(3, 4, 9, 14)
    return x + state


def _letters(seed, n):
    # letters 0-25 drawn with English frequencies
    return np.random.default_rng(seed).choice(26, n, p=ENGLISH_FREQ / ENGLISH_FREQ.sum())


def _ascii_text(seed, n):
    t = _letters(seed, n).astype(np.uint8) + 65
    t[::5] = 32
    return t


def rsa_python_pow(msg, e=17, n=3233):
    # textbook RSA on a message of numbers, each as a Python int
    return np.array([int(m) ** e % n for m in msg])


def rsa_pow_modulo(msg, e=17, n=3233):
    return np.array([pow(int(m), e, n) for m in msg])


class SubstitutionCodec:
    def __init__(self, perm):
        self.forward = perm
        self.backward = np.argsort(perm)

    def encode(self, x):
        return self.forward[x]

    def decode(self, y):
        return self.backward[y]


def make_substitution(seed=7):
    # a factory returning the encrypt-decrypt function, the codec a closure variable
    codec = SubstitutionCodec(np.random.default_rng(seed).permutation(26))

    def roundtrip(text):
        enc = codec.encode(text)
        return enc, codec.decode(enc)
    return roundtrip


CIPHERS = {
    "rsa_pow_three_arguments": (rsa_pow_modulo, {}, lambda s, n: (
            _i(3233, 2 * n, seed=s),)),
    "substitution_codec_in_closure": (make_substitution(), {}, lambda s, n: (_letters(s, 4 * n),)),
    "caesar_uint8_where": (caesar_uint8, {}, lambda s, n: (_ascii_text(s, 4 * n),)),
    "caesar_decrypt_uint8_wrap": (caesar_decrypt_wrap, {}, lambda s, n: (
        caesar_uint8(_letters(s, 4 * n).astype(np.uint8) + 65, 7), 7)),
    "caesar_static_string": (caesar_of_string, {"text": "MEET ME AT NOON"}, lambda s, n: (
        s + n,)),
    "vigenere_resize": (vigenere, {}, lambda s, n: (_letters(s, 5 * n), _letters(s + 9, 3))),
    "vigenere_tile_int16": (vigenere_tile, {}, lambda s, n: (
        _letters(s, 5 * n).astype(np.uint8), _letters(s + 9, 4))),
    "hill_roundtrip_3x3": (hill_roundtrip, {}, lambda s, n: (_letters(s, 3 * n),)),
    "crack_caesar_chi2": (crack_caesar_chi2, {}, lambda s, n: (
        (_letters(s, 40 * n) + s + 2) % 26,)),
    "vigenere_key_length_ic": (vigenere_key_length_ic, {}, lambda s, n: (
        vigenere(_letters(s, 60 * n), np.array([3, 14, 3 + s]))[0],)),
    "single_byte_xor_score": (single_byte_xor_score, {}, lambda s, n: (
        _ascii_text(s, 10 * n) ^ np.uint8(40 + s),)),
    "rail_fence_argsort_stable": (rail_fence, {}, lambda s, n: (_letters(s, 3 * n),)),
    "columnar_transposition": (columnar_transposition, {}, lambda s, n: (
        _letters(s, 4 * n), np.array([ord(c) for c in "ZEBRA"[:4]]) + s)),
    "substitution_perm_inverse": (substitution_cipher, {}, lambda s, n: (
        _letters(s, 5 * n), np.random.default_rng(s).permutation(26))),
    "rc4_keystream_swaps": (rc4_keystream, {}, lambda s, n: (_bytes(s, n),)),
    "rsa_square_multiply": (rsa_roundtrip, {}, lambda s, n: (_i(3233, 2 * n, seed=s),)),
    "tea_uint32": (tea_encrypt, {"key": (0xA56BABCD, 0x1234, 0xFFFFFFFF, 0xABCDEF01)},
                   lambda s, n: (_u32(s, n), _u32(s + 1, n))),
    "xtea_inplace_uint32": (xtea_encrypt, {"key": (1, 2, 3, 0xDEADBEEF)}, lambda s, n: (
        _u32(s, n, 2),)),
    "chacha_quarter_rounds": (chacha_quarter_rounds, {}, lambda s, n: (_u32(s, n, 16),)),
}


@pytest.mark.parametrize("name", _names(CIPHERS))
def test_classical_ciphers_and_toy_crypto_match_numpy(name):
    check_like_numpy(*CIPHERS[name])


# ============================================================ vector quantisation, PCA and SVD

def vq_encode_argmin(X, codebook):
    # nearest codeword by the expanded squared distance, the distortion it gives
    d2 = (X ** 2).sum(1)[:, None] - 2 * X @ codebook.T + (codebook ** 2).sum(1)[None, :]
    codes = np.argmin(d2, axis=1)
    return codes, codebook[codes], np.mean(np.min(d2, axis=1))


def vq_scipy(X, codebook):
    codes, dist = scipy.cluster.vq.vq(X, codebook)
    return codes, dist, codebook[codes]


def lbg_iterations(X, codebook, iters=4):
    # Linde-Buzo-Gray with a fixed iteration count: assign, then means by bincount weights
    k = codebook.shape[0]
    cb = codebook.copy()
    for _ in range(iters):
        d = np.linalg.norm(X[:, None, :] - cb[None, :, :], axis=2)
        labels = d.argmin(axis=1)
        counts = np.bincount(labels, minlength=k)
        for j in range(X.shape[1]):
            sums = np.bincount(labels, weights=X[:, j], minlength=k)
            cb[:, j] = np.where(counts > 0, sums / np.maximum(counts, 1), cb[:, j])
    return cb, labels


def image_block_vq(img, codebook, b=2):
    # 2x2 blocks as vectors, coded and decoded, the PSNR of the result
    h, w = img.shape
    vecs = img.reshape(h // b, b, w // b, b).transpose(0, 2, 1, 3).reshape(-1, b * b)
    vecs = vecs.astype(np.float32)
    dist = ((vecs[:, None, :] - codebook[None]) ** 2).sum(axis=2)
    idx = dist.argmin(axis=1).astype(np.uint8)
    rec = codebook[idx].reshape(h // b, w // b, b, b).transpose(0, 2, 1, 3).reshape(h, w)
    mse = np.mean((img - rec) ** 2)
    return idx, rec, 10 * np.log10(255 ** 2 / mse)


def product_quantise(X, codebooks):
    # split into m sub-vectors, one codebook each, codes per sub-space by einsum distances
    m, k, dsub = codebooks.shape
    sub = X.reshape(X.shape[0], m, dsub)
    d = (np.einsum("nmd,nmd->nm", sub, sub)[:, :, None]
         - 2 * np.einsum("nmd,mkd->nmk", sub, codebooks)
         + np.einsum("mkd,mkd->mk", codebooks, codebooks)[None])
    codes = d.argmin(axis=2)
    rec = codebooks[np.arange(m)[None, :], codes].reshape(X.shape)
    return codes.astype(np.uint8), rec


def svd_compress(img, k=3):
    U, s, Vt = np.linalg.svd(img, full_matrices=False)
    approx = U[:, :k] @ np.diag(s[:k]) @ Vt[:k, :]
    ratio = k * (img.shape[0] + img.shape[1] + 1) / img.size
    return approx, ratio, np.cumsum(s ** 2)[k - 1] / np.sum(s ** 2)


def svd_compress_rgb(img, k=2):
    # one truncated SVD per colour channel, clipped back to uint8
    out = np.zeros(img.shape)
    for c in range(3):
        U, S, V = np.linalg.svd(img[:, :, c].astype(float), full_matrices=False)
        out[:, :, c] = (U[:, :k] * S[:k]) @ V[:k]
    return np.clip(out, 0, 255).astype(np.uint8)


def randomized_svd(A, omega, k=3):
    # Halko-Martinsson-Tropp with the Gaussian test matrix passed in
    Y = A @ omega
    Q, _ = np.linalg.qr(Y)
    B = Q.T @ A
    Ub, s, Vt = np.linalg.svd(B, full_matrices=False)
    return (Q @ Ub[:, :k]) * s[:k] @ Vt[:k], s[:k]


def pca_compress(X, k=2):
    # centre, covariance, eigh (ascending), the top k components, reconstruct
    mu = X.mean(axis=0)
    Xc = X - mu
    cov = Xc.T @ Xc / (X.shape[0] - 1)
    vals, vecs = np.linalg.eigh(cov)
    idx = np.argsort(vals)[::-1][:k]
    W = vecs[:, idx]
    Z = Xc @ W
    return Z @ W.T + mu, vals[idx].sum() / vals.sum()


def pca_blocks(img, k=4):
    # PCA on 4x4 image patches, the patch basis from SVD of the centred patch matrix
    h, w = img.shape
    P = img.reshape(h // 4, 4, w // 4, 4).swapaxes(1, 2).reshape(-1, 16).astype(np.float64)
    mean = P.mean(axis=0)
    _, _, Vt = np.linalg.svd(P - mean, full_matrices=False)
    coeff = (P - mean) @ Vt[:k].T
    rec = coeff @ Vt[:k] + mean
    return rec.reshape(h // 4, w // 4, 4, 4).swapaxes(1, 2).reshape(h, w)


def svd_storage_ratio(img, k=2):
    # the blog-post compression ratio: bytes of the factors over bytes of the image
    U, s, Vt = np.linalg.svd(img, full_matrices=False)
    Uk, sk, Vk = U[:, :k].copy(), s[:k].copy(), Vt[:k].copy()
    stored = sys.getsizeof(Uk) + sys.getsizeof(sk) + sys.getsizeof(Vk)
    return Uk @ np.diag(sk) @ Vk, stored / sys.getsizeof(img)


VQ = {
    "svd_storage_ratio_getsizeof": (svd_storage_ratio, {},
        lambda s, n: (_f(n + 3, 6, seed=s),)),
    "vq_encode_argmin": (vq_encode_argmin, {}, lambda s, n: (
        _f(4 * n, 3, seed=s), _f(5, 3, seed=99) * 2)),
    "vq_scipy_cluster": (vq_scipy, {}, lambda s, n: (_f(4 * n, 2, seed=s), _f(4, 2, seed=98) * 2)),
    "lbg_bincount_weights": (lbg_iterations, {}, lambda s, n: (
        _f(5 * n, 2, seed=s), _f(3, 2, seed=97) * 2)),
    "image_block_vq_float32": (image_block_vq, {}, lambda s, n: (
        _img(s, n, 8), (np.random.default_rng(5).random((8, 4)) * 255).astype(np.float32))),
    "product_quantise_einsum": (product_quantise, {}, lambda s, n: (
        _f(3 * n, 6, seed=s), _f(3, 4, 2, seed=95))),
    "svd_compress_rank3": (svd_compress, {}, lambda s, n: (_img(s, n + 4, 7).astype(float),)),
    "svd_compress_rgb_uint8": (svd_compress_rgb, {}, lambda s, n: (_rgb(s, n + 2, 6),)),
    "randomized_svd": (randomized_svd, {}, lambda s, n: (
        _f(n + 4, 3, seed=s) @ _f(3, 7, seed=s + 1) + 0.01 * _f(n + 4, 7, seed=s + 2),
        _f(7, 5, seed=93))),
    "pca_compress_eigh": (pca_compress, {}, lambda s, n: (
        _f(5 * n, 4, seed=s) * np.array([3.0, 2.0, 1.0, 0.5]),)),
    "pca_patch_basis": (pca_blocks, {}, lambda s, n: (_img(s, 4 * (n // 2), 16),)),
}


@pytest.mark.parametrize("name", _names(VQ))
def test_vector_quantisation_pca_and_svd_match_numpy(name):
    check_like_numpy(*VQ[name])


# ========================================================================= wavelets (Haar, 5/3)

SQRT2 = np.sqrt(2.0)


def haar_1d(x):
    a = (x[..., 0::2] + x[..., 1::2]) / SQRT2
    d = (x[..., 0::2] - x[..., 1::2]) / SQRT2
    return a, d


def ihaar_1d(a, d):
    x = np.empty(a.shape[:-1] + (2 * a.shape[-1],))
    x[..., 0::2] = (a + d) / SQRT2
    x[..., 1::2] = (a - d) / SQRT2
    return x


def haar_multilevel(x, levels=3):
    # the pyramid as a list of detail bands, concatenated into one coefficient vector
    coeffs = []
    a = x
    for _ in range(levels):
        a, d = haar_1d(a)
        coeffs.append(d)
    coeffs.append(a)
    return np.concatenate(coeffs[::-1], axis=-1)


def haar_2d(img):
    # rows then columns: the LL, LH, HL, HH sub-bands
    a, d = haar_1d(img)
    ll, lh = haar_1d(a.T)
    hl, hh = haar_1d(d.T)
    return ll.T, lh.T, hl.T, hh.T


def haar_2d_compress(img, keep=0.1):
    # one level, hard-threshold the details so that a fraction survives, invert
    img = img.astype(np.float64)
    ll, lh, hl, hh = haar_2d(img)
    details = np.stack([lh, hl, hh])
    thr = np.quantile(np.abs(details), 1 - keep)
    details = np.where(np.abs(details) >= thr, details, 0.0)
    lh, hl, hh = details
    a = ihaar_1d(ll.T, lh.T).T
    d = ihaar_1d(hl.T, hh.T).T
    rec = ihaar_1d(a, d)
    return rec, np.count_nonzero(details) / details.size


def haar_in_place_levels(x, levels=2):
    # the in-place "standard" Haar: each level overwrites the front of the array
    y = x.astype(np.float64).copy()
    n = y.shape[0]
    for _ in range(levels):
        half = n // 2
        evens, odds = y[0:n:2].copy(), y[1:n:2].copy()
        y[:half] = (evens + odds) / 2
        y[half:n] = (evens - odds) / 2
        n = half
    return y


def universal_threshold_denoise(x, levels=2):
    # VisuShrink: sigma from the finest details' MAD, soft thresholds, invert level by level
    a = x
    details = []
    for _ in range(levels):
        a, d = haar_1d(a)
        details.append(d)
    sigma = np.median(np.abs(details[0])) / 0.6745
    t = sigma * np.sqrt(2 * np.log(x.size))
    for d in details[::-1]:
        d = np.sign(d) * np.maximum(np.abs(d) - t, 0)
        a = ihaar_1d(a, d)
    return a, t


def legall53_forward(x):
    # JPEG 2000's reversible 5/3 lifting on int32 with floor shifts, symmetric extension
    x = x.astype(np.int32)
    even, odd = x[0::2], x[1::2]
    even_next = np.append(even[1:], even[-1])
    d = odd - ((even + even_next) >> 1)
    d_prev = np.insert(d[:-1], 0, d[0])
    s = even + ((d_prev + d + 2) >> 2)
    return s, d


def legall53_inverse(s, d):
    d_prev = np.concatenate([d[:1], d[:-1]])
    even = s - ((d_prev + d + 2) >> 2)
    even_next = np.concatenate([even[1:], even[-1:]])
    odd = d + ((even + even_next) >> 1)
    x = np.empty(2 * s.size, dtype=s.dtype)
    x[0::2], x[1::2] = even, odd
    return x


def legall53_roundtrip(x):
    s, d = legall53_forward(x)
    return s, d, legall53_inverse(s, d)


DB4 = np.array([1 + np.sqrt(3), 3 + np.sqrt(3), 3 - np.sqrt(3), 1 - np.sqrt(3)]) / (4 * SQRT2)


def db4_analysis(x):
    # Daubechies-4 by periodic extension, np.convolve and downsampling
    h = DB4[::-1]
    g = DB4 * np.array([1, -1, 1, -1])
    xp = np.pad(x, (0, 3), mode="wrap")
    a = np.convolve(xp, h, mode="valid")[::2]
    d = np.convolve(xp, g, mode="valid")[::2]
    return a, d, np.sum(a ** 2) + np.sum(d ** 2) - np.sum(x ** 2)


def wavelet_energy_bands(x, levels=3):
    coeffs = {}
    a = x
    for lev in range(1, levels + 1):
        a, d = haar_1d(a)
        coeffs[f"d{lev}"] = d
    coeffs[f"a{levels}"] = a
    total = sum(np.sum(c ** 2) for c in coeffs.values())
    return {k: np.sum(v ** 2) / total for k, v in coeffs.items()}


WAVELETS = {
    "haar_multilevel_concat": (haar_multilevel, {}, lambda s, n: (_f(3, 8 * n, seed=s),)),
    "haar_2d_subbands": (haar_2d, {}, lambda s, n: (_f(2 * n, 6, seed=s),)),
    "haar_2d_compress_quantile": (haar_2d_compress, {}, lambda s, n: (
        _img(s, 2 * n, 8, smooth=False),)),
    "haar_in_place_levels": (haar_in_place_levels, {"levels": 2}, lambda s, n: (
        _i(100, 4 * n, seed=s),)),
    "visushrink_median": (universal_threshold_denoise, {}, lambda s, n: (
        np.sin(np.arange(8 * n) / 3.0) + 0.1 * _f(8 * n, seed=s),)),
    "legall53_lifting_int32": (legall53_roundtrip, {}, lambda s, n: (_bytes(s, 4 * n),)),
    "db4_wrap_convolve": (db4_analysis, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "wavelet_energy_dict": (wavelet_energy_bands, {}, lambda s, n: (_f(8 * n, seed=s),)),
}


@pytest.mark.parametrize("name", _names(WAVELETS))
def test_wavelet_compression_matches_numpy(name):
    check_like_numpy(*WAVELETS[name])


# ================================================================ companding and modulation

MU = 255
IMA_STEPS = np.array([
    7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 19, 21, 23, 25, 28, 31, 34, 37, 41, 45, 50, 55, 60,
    66, 73, 80, 88, 97, 107, 118, 130, 143, 157, 173, 190, 209, 230, 253, 279, 307, 337, 371,
    408, 449, 494, 544, 598, 658, 724, 796, 876, 963, 1060, 1166, 1282, 1411, 1552, 1707, 1878,
    2066, 2272, 2499, 2749, 3024, 3327, 3660, 4026, 4428, 4871, 5358, 5894, 6484, 7132, 7845,
    8630, 9493, 10442, 11487, 12635, 13899, 15289, 16818, 18500, 20350, 22385, 24623, 27086,
    29794, 32767])
IMA_INDEX = np.array([-1, -1, -1, -1, 2, 4, 6, 8])


def mu_law_encode(x, mu=MU):
    # WaveNet's preprocessing: compand, then 8-bit integer codes
    y = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    return ((y + 1) / 2 * mu + 0.5).astype(np.int32)


def mu_law_decode(codes, mu=MU):
    y = 2 * (codes.astype(np.float32) / mu) - 1
    return np.sign(y) * (1 / mu) * ((1 + mu) ** np.abs(y) - 1)


def mu_law_roundtrip_float32(x):
    x = x.astype(np.float32)
    codes = mu_law_encode(x)
    return codes, mu_law_decode(codes), np.max(np.abs(mu_law_decode(codes) - x))


def g711_mu_law_int16(pcm):
    # the integer G.711 encoder: bias, exponent by searching the segment, 8-bit code inverted
    BIAS, CLIP = 0x84, 32635
    sign = (pcm >> 8) & 0x80
    mag = np.where(sign != 0, -pcm.astype(np.int32), pcm.astype(np.int32))
    mag = np.minimum(mag, CLIP) + BIAS
    exponent = np.zeros_like(mag)
    for e in range(7, 0, -1):
        exponent = np.where((exponent == 0) & ((mag >> (e + 7)) & 1).astype(bool), e, exponent)
    mantissa = (mag >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8)


def uniform_quantiser(x, bits=4):
    # mid-rise and mid-tread quantisers over [-1, 1) and the SQNR in dB
    levels = 2 ** bits
    step = 2.0 / levels
    mid_rise = step * (np.floor(x / step) + 0.5)
    mid_tread = step * np.round(x / step)
    mid_rise = np.clip(mid_rise, -1 + step / 2, 1 - step / 2)
    sqnr = 10 * np.log10(np.mean(x ** 2) / np.mean((x - mid_rise) ** 2))
    return mid_rise, mid_tread, sqnr


def lloyd_max(x, levels, iters=6):
    # Lloyd-Max with fixed iterations: thresholds at midpoints, levels at conditional means
    r = levels.copy()
    for _ in range(iters):
        t = (r[:-1] + r[1:]) / 2
        idx = np.digitize(x, t)
        sums = np.bincount(idx, weights=x, minlength=len(r))
        cnt = np.bincount(idx, minlength=len(r))
        r = np.where(cnt > 0, sums / np.maximum(cnt, 1), r)
    return r, np.mean((x - r[np.digitize(x, (r[:-1] + r[1:]) / 2)]) ** 2)


def delta_modulation(x, step=0.1):
    n = x.shape[0]
    bits = np.zeros(n, dtype=np.int8)
    approx = np.zeros(n)
    acc = 0.0
    for i in range(n):
        bits[i] = np.where(x[i] >= acc, 1, -1)
        acc = acc + step * bits[i]
        approx[i] = acc
    return bits, approx


def adaptive_delta_modulation(x, step0=0.05):
    # the step grows by 1.5 while the bits repeat and shrinks by 1.5 when they alternate
    acc, step, prev = 0.0, step0, 1
    out = np.zeros_like(x)
    for i in range(len(x)):
        b = np.sign(x[i] - acc + 1e-12)
        step = np.where(b == prev, step * 1.5, step / 1.5)
        acc = acc + b * step
        prev = b
        out[i] = acc
    return out


def dpcm(x, a=0.9, step=4.0):
    # closed-loop DPCM: predict from the reconstruction, quantise the residual
    n = len(x)
    q = np.zeros(n, dtype=np.int64)
    rec = np.zeros(n)
    prev = 0.0
    for i in range(n):
        pred = a * prev
        q[i] = np.round((x[i] - pred) / step)
        rec[i] = pred + q[i] * step
        prev = rec[i]
    return q, rec


def ima_adpcm_encode(samples):
    # IMA ADPCM: a step-size table indexed by a state that the codes move, all integer
    predicted = 0
    index = 0
    codes = np.zeros(len(samples), dtype=np.uint8)
    for i in range(len(samples)):
        step = IMA_STEPS[index]
        diff = samples[i] - predicted
        sign = np.where(diff < 0, 8, 0)
        diff = np.abs(diff)
        code = np.minimum((diff << 2) // step, 7)
        delta = ((2 * code + 1) * step) >> 3
        predicted = np.clip(np.where(sign, predicted - delta, predicted + delta), -32768, 32767)
        index = np.clip(index + IMA_INDEX[code], 0, 88)
        codes[i] = code | sign
    return codes, predicted, index


MODULATION = {
    "mu_law_encode_int32": (mu_law_encode, {}, lambda s, n: (
        np.r_[-1.0, 0.0, 1.0, np.tanh(_f(4 * n, seed=s))],)),
    "mu_law_roundtrip_float32": (mu_law_roundtrip_float32, {}, lambda s, n: (
        np.tanh(_f(4 * n, seed=s)),)),
    "g711_mu_law_integer": (g711_mu_law_int16, {}, lambda s, n: (
        np.random.default_rng(s).integers(-32768, 32767, 6 * n, dtype=np.int16),)),
    "uniform_quantisers_sqnr": (uniform_quantiser, {}, lambda s, n: (
        np.sin(np.arange(10 * n) * 0.37 + s) * 0.9,)),
    "lloyd_max_digitize": (lloyd_max, {}, lambda s, n: (
        _f(20 * n, seed=s), np.array([-1.5, -0.5, 0.5, 1.5]))),
    "delta_modulation_loop": (delta_modulation, {}, lambda s, n: (
        np.sin(np.arange(3 * n) * 0.3 + s) + 0.013,)),
    "adaptive_delta_modulation": (adaptive_delta_modulation, {}, lambda s, n: (
        np.sin(np.arange(3 * n) * 0.4 + s) + 0.011,)),
    "dpcm_closed_loop": (dpcm, {}, lambda s, n: (
        50 * np.sin(np.arange(3 * n) * 0.3 + s) + 0.3,)),
    "ima_adpcm_tables": (ima_adpcm_encode, {}, lambda s, n: (
        (3000 * np.sin(np.arange(3 * n) * 0.5 + s)).astype(np.int64) + 7,)),
}


@pytest.mark.parametrize("name", _names(MODULATION))
def test_companding_and_delta_modulation_match_numpy(name):
    check_like_numpy(*MODULATION[name])


# ================================================================== dithering and palettes

BAYER2 = np.array([[0, 2], [3, 1]])


def bayer_matrix(n):
    # the recursive construction: M_2n = [[4M, 4M+2], [4M+3, 4M+1]]
    if n == 2:
        return BAYER2
    m = bayer_matrix(n // 2)
    return np.block([[4 * m, 4 * m + 2], [4 * m + 3, 4 * m + 1]])


def ordered_dither(img, n=4):
    h, w = img.shape
    thresh = (bayer_matrix(n) + 0.5) / (n * n) * 255
    tiled = np.tile(thresh, (h // n + 1, w // n + 1))[:h, :w]
    return np.where(img > tiled, 255, 0).astype(np.uint8)


def ordered_dither_levels(img, levels=4, n=8):
    # ordered dithering to a few grey levels with the threshold as an offset
    h, w = img.shape
    m = bayer_matrix(n) / (n * n) - 0.5
    offs = m[np.arange(h)[:, None] % n, np.arange(w)[None, :] % n]
    step = 255 / (levels - 1)
    q = np.floor(img / step + 0.5 + offs)
    return (np.clip(q, 0, levels - 1) * step).astype(np.uint8)


def floyd_steinberg(img):
    # the double loop over pixels, error pushed to four neighbours
    f = img.astype(np.float64) / 255
    h, w = f.shape
    for y in range(h):
        for x in range(w):
            old = f[y, x]
            new = np.round(old)
            f[y, x] = new
            err = old - new
            if x + 1 < w:
                f[y, x + 1] += err * 7 / 16
            if y + 1 < h:
                if x > 0:
                    f[y + 1, x - 1] += err * 3 / 16
                f[y + 1, x] += err * 5 / 16
                if x + 1 < w:
                    f[y + 1, x + 1] += err * 1 / 16
    return (f * 255).astype(np.uint8)


def floyd_steinberg_rows(img, levels=2):
    # a row at a time: the pixel loop inside, the error row carried down as an array
    h, w = img.shape
    out = np.zeros((h, w), dtype=np.uint8)
    f = img.astype(np.float32)
    step = 255.0 / (levels - 1)
    for y in range(h):
        row = f[y].copy()
        below = np.zeros(w + 2, dtype=np.float32)
        for x in range(w):
            q = np.clip(np.round(row[x] / step), 0, levels - 1) * step
            e = row[x] - q
            out[y, x] = q
            if x + 1 < w:
                row[x + 1] += e * 7 / 16
            below[x:x + 3] += e * np.array([3, 5, 1], dtype=np.float32) / 16
        if y + 1 < h:
            f[y + 1] += below[1:w + 1]
    return out


def atkinson_dither(img):
    # Atkinson's six neighbours each getting 1/8 of the error, on a padded canvas
    h, w = img.shape
    f = np.zeros((h + 2, w + 3))
    f[:h, 1:w + 1] = img / 255.0
    for y in range(h):
        for x in range(1, w + 1):
            old = f[y, x]
            new = np.where(old > 0.5, 1.0, 0.0)
            f[y, x] = new
            e = (old - new) / 8
            f[y, x + 1] += e
            f[y, x + 2] += e
            f[y + 1, x - 1:x + 2] += e
            f[y + 2, x] += e
    return f[:h, 1:w + 1]


def palette_nearest(rgb, palette):
    # each pixel to its nearest palette colour (squared RGB distance), as indices and colours
    px = rgb.reshape(-1, 3).astype(np.int32)
    d = ((px[:, None, :] - palette[None, :, :].astype(np.int32)) ** 2).sum(axis=-1)
    idx = d.argmin(axis=1)
    return idx.reshape(rgb.shape[:2]).astype(np.uint8), palette[idx].reshape(rgb.shape)


def rgb332(rgb):
    # 8-bit colour: 3 bits red, 3 green, 2 blue, and the palette back
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    code = (r & 0xE0) | ((g & 0xE0) >> 3) | (b >> 6)
    lut = np.stack([(np.arange(256) >> 5) * 255 // 7,
                    ((np.arange(256) >> 2) & 7) * 255 // 7,
                    (np.arange(256) & 3) * 255 // 3], axis=1).astype(np.uint8)
    return code, lut[code]


def rgb565(rgb):
    r = rgb[..., 0].astype(np.uint16)
    g = rgb[..., 1].astype(np.uint16)
    b = rgb[..., 2].astype(np.uint16)
    packed = ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3)
    r5, g6, b5 = packed >> 11, (packed >> 5) & 0x3F, packed & 0x1F
    back = np.dstack([(r5 << 3) | (r5 >> 2), (g6 << 2) | (g6 >> 4), (b5 << 3) | (b5 >> 2)])
    return packed, back.astype(np.uint8)


def posterize(img, bits=3):
    mask = ~np.uint8(2 ** (8 - bits) - 1)
    step = 256 // 2 ** bits
    return img & mask, (img // step) * step + step // 2


GAMMA_TABLE = np.round(255 * (np.arange(256) / 255) ** (1 / 2.2)).astype(np.uint8)


def gamma_lut_and_quantise(img, levels=6):
    # apply a module-level LUT, then a quantisation LUT built inside with np.digitize
    g = GAMMA_TABLE[img]
    edges = np.linspace(0, 256, levels + 1)[1:-1]
    centers = ((np.arange(levels) + 0.5) * 256 / levels).astype(np.uint8)
    lut = centers[np.digitize(np.arange(256), edges)]
    return g, lut[g], np.take(lut, img)


def median_cut_fixed_palette(rgb, palette):
    # quantise to a given palette and report the per-entry usage and mean error
    idx, q = palette_nearest(rgb, palette)
    usage = np.bincount(idx.ravel(), minlength=len(palette))
    err = np.sqrt(((rgb.astype(float) - q) ** 2).sum(-1)).mean()
    return usage, err


def _palette(seed, k=6):
    return np.random.default_rng(seed).integers(0, 256, (k, 3), dtype=np.uint8)


DITHER = {
    "bayer_recursive_block": (bayer_matrix, {"n": 8}, lambda s, n: ()),
    "ordered_dither_tile": (ordered_dither, {}, lambda s, n: (_img(s, n + 1, 9),)),
    "ordered_dither_levels": (ordered_dither_levels, {}, lambda s, n: (_img(s, n + 2, 10),)),
    "floyd_steinberg_loops": (floyd_steinberg, {}, lambda s, n: (
        _img(s, n, 5) | np.uint8(1),)),
    "floyd_steinberg_rows_float32": (floyd_steinberg_rows, {"levels": 3}, lambda s, n: (
        _img(s, n, 5) | np.uint8(1),)),
    "atkinson_padded": (atkinson_dither, {}, lambda s, n: (_img(s, n, 5) | np.uint8(1),)),
    "palette_nearest_int32": (palette_nearest, {}, lambda s, n: (_rgb(s, n, 4), _palette(7))),
    "rgb332_lut": (rgb332, {}, lambda s, n: (_rgb(s, n, 5),)),
    "rgb565_pack_unpack": (rgb565, {}, lambda s, n: (_rgb(s, n, 5),)),
    "posterize_mask_and_floor": (posterize, {}, lambda s, n: (_bytes(s, n, 6),)),
    "gamma_then_quantise_lut": (gamma_lut_and_quantise, {}, lambda s, n: (_bytes(s, n, 6),)),
    "palette_usage_bincount": (median_cut_fixed_palette, {}, lambda s, n: (
        _rgb(s, n, 4), _palette(11, 5))),
}


@pytest.mark.parametrize("name", _names(DITHER))
def test_dithering_and_palettes_match_numpy(name):
    check_like_numpy(*DITHER[name])


# ==================================================================== Python scalars, steered

def jpeg_quality_positional(img, quality):
    # the quality as a positional Python int: libjpeg's scaling branches on it
    q = scaled_quant_table(quality)
    coefs = scipy.fft.dctn(to_blocks(img - 128.0), axes=(1, 2), norm="ortho")
    return np.round(coefs / q).astype(np.int16)


def svd_rank_positional(img, k):
    U, s, Vt = np.linalg.svd(img, full_matrices=False)
    return U[:, :k] @ np.diag(s[:k]) @ Vt[:k]


def quantise_bits_positional(x, bits):
    levels = 2 ** bits
    return np.clip(np.floor((x + 1) / 2 * levels), 0, levels - 1).astype(np.uint16)


def caesar_positional_shift(text, shift):
    return (text + shift % 26) % 26


def lfsr_steps_positional(seed_state, nsteps):
    return lfsr_fibonacci(seed_state, nsteps=nsteps)


STEERED = {
    "jpeg_quality": (jpeg_quality_positional, lambda s: (_img(s, 8, 16), 30 + 40 * (s % 2))),
    "svd_rank": (svd_rank_positional, lambda s: (_f(6, 5, seed=s), 1 + s)),
    "quantiser_bits": (quantise_bits_positional, lambda s: (np.tanh(_f(12, seed=s)), 2 + s)),
    "caesar_shift": (caesar_positional_shift, lambda s: (_letters(s, 12), 3 + 20 * s)),
    "lfsr_nsteps": (lfsr_steps_positional, lambda s: (np.r_[1, _bits(s, 5)], 5 + 3 * s)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Quality factors, ranks, bit depths, shifts and step counts given positionally: made
    static, NumPy's values."""
    check_steered(*STEERED[name])


# =============================================================================== refused forms

def rle_encode(x):
    starts = np.flatnonzero(np.r_[True, x[1:] != x[:-1]])
    lengths = np.diff(np.r_[starts, len(x)])
    return x[starts], lengths


def rle_decode(values, counts):
    return np.repeat(values, counts)


def ac_zero_run_pairs(zz):
    # JPEG's (run, value) pairs of the AC coefficients after the zig-zag scan
    nz = np.nonzero(zz[1:])[0] + 1
    runs = np.diff(np.r_[0, nz]) - 1
    return np.column_stack([runs, zz[nz]])


def end_of_block(zz):
    return np.trim_zeros(zz, "b")


def huffman_code_lengths(data, nsym=8):
    # the heap of (count, tie, symbols), merged until one tree is left
    counts = np.bincount(data, minlength=nsym)
    heap = [(c, i, (i,)) for i, c in enumerate(counts) if c > 0]
    heapq.heapify(heap)
    lengths = np.zeros(nsym, dtype=int)
    k = nsym
    while len(heap) > 1:
        c1, _, s1 = heapq.heappop(heap)
        c2, _, s2 = heapq.heappop(heap)
        for sym in s1 + s2:
            lengths[sym] += 1
        heapq.heappush(heap, (c1 + c2, k, s1 + s2))
        k += 1
    return lengths


def lz77_greedy(data, window=6, max_len=7):
    i, out, n = 0, [], len(data)
    while i < n:
        best_len, best_off = 0, 0
        for j in range(max(0, i - window), i):
            length = 0
            while i + length < n - 1 and data[j + length] == data[i + length] \
                    and length < max_len:
                length += 1
            if length > best_len:
                best_len, best_off = length, i - j
        out.append((best_off, best_len, data[i + best_len]))
        i += best_len + 1
    return np.array(out)


def svd_rank_for_energy(img, energy=0.9):
    U, s, Vt = np.linalg.svd(img, full_matrices=False)
    k = np.searchsorted(np.cumsum(s ** 2) / np.sum(s ** 2), energy) + 1
    return U[:, :k] * s[:k] @ Vt[:k]


def symbol_alphabet(data):
    symbols, inverse = np.unique(data, return_inverse=True)
    return symbols, inverse


def crc16_python_if(data):
    crc = 0xFFFF
    for b in data:
        crc ^= int(b) << 8
        for _ in range(8):
            if crc & 0x8000:
                crc = ((crc << 1) ^ 0x1021) & 0xFFFF
            else:
                crc = (crc << 1) & 0xFFFF
    return crc


def mtf_by_selection(symbols, alphabet=8):
    table = np.arange(alphabet)
    out = []
    for s in symbols:
        idx = np.where(table == s)[0][0]
        out.append(idx)
        table = np.r_[s, table[table != s]]
    return np.array(out)


def hamming_distance_u64_view(a, b):
    return np.unpackbits((a ^ b).view(np.uint8)).reshape(len(a), 64).sum(axis=1)


def significant_coefficients(c, thr=0.5):
    keep = np.abs(c) > thr
    return np.flatnonzero(keep), c[keep]


def varint_decode(buf):
    out, v, shift = [], 0, 0
    for b in buf:
        v |= (int(b) & 0x7F) << shift
        if b & 0x80:
            shift += 7
        else:
            out.append(v)
            v, shift = 0, 0
    return np.array(out)


def sha256_digest(block):
    return hashlib.sha256(block.tobytes()).hexdigest()


def quality_for_budget(img, budget=60):
    # lower the JPEG quality until the non-zero count fits the budget
    quality = 95
    while True:
        q = scaled_quant_table(quality)
        nnz = np.count_nonzero(np.round(DCT8 @ to_blocks(img - 128.0) @ DCT8.T / q))
        if nnz <= budget or quality <= 5:
            return quality, nnz
        quality -= 10


def huffman_decode_strings(bits):
    # prefix-code decoding by growing a bit string until it is a codeword
    codes = {"0": 0, "10": 1, "110": 2, "111": 3}
    out, cur = [], ""
    for b in bits:
        cur += str(int(b))
        if cur in codes:
            out.append(codes[cur])
            cur = ""
    return np.array(out)


def bits_to_int_via_string(bits):
    return int("".join(str(int(b)) for b in bits), 2)


def _runs(s):
    return np.repeat(np.array([3, 1, 1, 0, 2]), np.array([2, 1, 5 - s, s, 2]))


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError
_Unsupported = tracenp.errors.UnsupportedFunctionError

REFUSED = {
    # Python ints past int64: a literal beside a traced one is refused by name; a power past
    # it raises PythonIntOverflowError when the function runs (it wrapped, silently, before)
    "fnv1a_64_python_ints": (tracenp.UnsupportedFunctionError, fnv1a_64_python, lambda s: (
        _bytes(s, 6),)),
    "rsa_python_int_power": (tracenp.errors.PythonIntOverflowError, rsa_python_pow,
                             lambda s: (_i(3233, 8, seed=s),)),
    "rle_encode_flatnonzero": (_DataDependent, rle_encode, lambda s: (_runs(s),)),
    "rle_decode_repeat": (_DataDependent, rle_decode, lambda s: (
        np.arange(4), np.array([1, 3, 2, s]))),
    "ac_zero_run_pairs": (_DataDependent, ac_zero_run_pairs, lambda s: (
        np.array([5, 0, 0, 3, 0, s, 0, 0, 0, 2, 0, 0]),)),
    "end_of_block_trim_zeros": (_DataDependent, end_of_block, lambda s: (
        np.array([7, 1, 0, 2] + [0] * s + [1] + [0] * (5 - s)),)),
    "huffman_heapq_lengths": (_Concretization, huffman_code_lengths, lambda s: (
        _i(8, 30, seed=s),)),
    "lz77_greedy_while": (_Concretization, lz77_greedy, lambda s: (_i(3, 12, seed=s),)),
    "svd_rank_for_energy": (_DataDependent, svd_rank_for_energy, lambda s: (
        _f(6, 5, seed=s),)),
    "unique_alphabet": (_DataDependent, symbol_alphabet, lambda s: (_i(4 + s, 10, seed=s),)),
    "crc16_python_if": (_Concretization, crc16_python_if, lambda s: (_bytes(s, 4),)),
    "move_to_front_selection": (_DataDependent, mtf_by_selection, lambda s: (
        _i(8, 6, seed=s),)),
    "hamming_u64_view_uint8": (_Unsupported, hamming_distance_u64_view, lambda s: (
        _u64(s, 3), _u64(s + 1, 3))),
    "significant_coefficients": (_DataDependent, significant_coefficients, lambda s: (
        _f(10, seed=s),)),
    "varint_decode_loop": (_Concretization, varint_decode, lambda s: (
        np.array([172, 2, 5, 255, 1, s], dtype=np.uint8),)),
    "sha256_tobytes": (_Unsupported, sha256_digest, lambda s: (_bytes(s, 16),)),
    "quality_for_budget_while": (_Concretization, quality_for_budget, lambda s: (
        _img(s, 8, 16),)),
    "huffman_decode_bit_strings": (_Concretization, huffman_decode_strings, lambda s: (_bits(s, 12),)),
    "bits_to_int_via_string": (_Concretization,
        bits_to_int_via_string, lambda s: (_bits(s, 10),)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Run-length and zero-run coding by nonzero/flatnonzero/repeat/trim_zeros, Huffman trees
    by heapq, LZ77 and varint decoding loops, a rank from the energy, np.unique's alphabet,
    Python `if`s on CRC bits, move-to-front by a selection, quality searches by `while`:
    the named error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
