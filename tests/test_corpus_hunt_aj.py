"""Corpus, hunt AJ: digital communications and radar as scikit-commpy, sk-dsp-comm and
textbook NumPy code write them.

Bits and codes (dec2bitarray by shifts against bit positions and commpy's slice loop,
`bitarray2dec` as a Python sum and as a dot with powers of two, `np.packbits`/`np.unpackbits`
with `bitorder` and `count`, Gray encoding and decoding by shifts, commpy's Gray-reordered
constellation, BER and SER counting per frame and over an SNR sweep of given noise arrays,
Hamming (7,4) encoding by matrix products mod 2 and syndrome decoding by bit positions and by a
coset-leader table, parities by `np.bitwise_xor.reduce`, CRC by branch-free polynomial
division, a shift register and CRC-16 with Python int masks, LFSR sequences and 802.11 and
self-synchronizing scramblers, convolutional encoders by a shift register and by
`np.convolve` mod 2, hard Viterbi with a traceback loop through traced indices, a vectorized
soft Viterbi over predecessor tables, interleavers and puncturing by a constant mask);
modulation (PSK, square QAM by `np.meshgrid`, 802.11 16-QAM, pi/4-DQPSK and DPSK by `cumsum`,
PAM slicers, hard decisions by `argmin` of distance tables, commpy's exact soft demodulator
loops, max-log and log-sum-exp LLRs, EVM/MER, commpy's `np.vectorize`d signal power, a
decision-directed phase estimate and a Costas loop); channels and filters (commpy's `awgn`
with its `isinstance(x[0], complex)` branch and given draws, Rayleigh and multipath channels,
CFO, phase noise, IQ imbalance, zero-insertion upsampling by strided writes, `np.hstack` and
`np.kron`, sk-dsp-comm's downsample, NRZ by `repeat`/`kron`, sinc/RRC/Gaussian pulses,
matched filtering by `np.convolve` in its three modes, FIR and IIR sample loops, CIC,
integrate-and-dump, eye traces, FM discriminators and the Gardner TED); OFDM (DSPIllustrations'
example with its module-level K, CP, pilot and data carriers and `np.interp` channel estimate,
frames by reshape and batched IFFT/FFT, ZF/MMSE equalization, comb-pilot interpolation, PAPR,
clipping, CP and Schmidl-Cox synchronization, sk-dsp-comm's `mux_pilot_blocks`, `OFDM_tx` and
`OFDM_rx`); radar and sonar (LFM chirps, pulse compression by `np.convolve`,
`np.correlate` and zero-padded FFTs, range-Doppler maps with Hann/Hamming windows, FMCW
dechirping, MTI cancellers, pulse-pair Doppler, `np.unwrap` and a hand-written unwrap, CA-CFAR
by slice loops, `cumsum`, `np.convolve` and summed-area tables, GO/SO/OS-CFAR over
`sliding_window_view`, 2-D CFAR by FFT and by loops, peaks by `np.unravel_index`, ambiguity
functions, Barker detection); array processing (ULA steering vectors, delay-and-sum and
Bartlett spectra, MVDR by `solve`/`inv`/`pinv` with diagonal loading, MUSIC by `eigh` and
`eig`, ESPRIT, forward-backward and spatial smoothing, LCMV, a GSC blocking matrix by SVD,
GCC-PHAT and frequency-domain delay-and-sum); jitted methods of commpy-style `Modem`,
`PSKModem` and `QAMModem` objects with property-backed constellations and of streaming FIR,
NCO, scrambler, CFAR, AGC, Viterbi, OFDM, range-Doppler and MVDR objects carrying state.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Noise and other draws come in as arrays. Python
scalars that steer (commpy's `rcosfilter`/`rrcosfilter` and sk-dsp-comm's `rc_imp`/
`sqrt_rc_imp` with their `if` on each tap time, modulation orders, `range` SNR sweeps,
`int(fs * T)` sample counts, code sizes, CFAR windows) are made static; the forms whose Python
depends on array values (the CA-CFAR peak loop with `append`, `np.where` detections,
`np.roots`, sk-dsp-comm's `PCM_encode`, string-state `fec_conv` and `bit_errors`, commpy's
`lru_cache`d `decimal2bitarray`, DSPIllustrations' dict mapping and demapping, configs holding
arrays and sizes) raise a named error and run eagerly under `fallback=True`. Small functions
with NumPy-scalar, complex or container arguments, sample loops through shifted delay lines and
short-kernel convolutions are checked on cached calls (their times are in the stop notes).
"""

from __future__ import annotations

import dataclasses
import functools
import typing

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_ab import check_method_state
from test_corpus_hunt_v import _names, _Xfail
from test_ops import assert_same


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _c(*shape, seed=0):
    r = np.random.default_rng(seed)
    return r.standard_normal(shape) + 1j * r.standard_normal(shape)


def _bits(n, seed=0):
    return np.random.default_rng(seed).integers(0, 2, n)


# ============================================================================ bits and codes


def dec2bitarray_vec(x, bit_width):
    # the vectorized dec2bit of textbook code: shifts against a column of bit positions
    return ((x[:, None] >> np.arange(bit_width - 1, -1, -1)) & 1).ravel()


def bitarray2dec_rows(bits, k):
    # bits to symbol indices: rows of k bits against the powers of two
    return bits.reshape(-1, k) @ (2 ** np.arange(k - 1, -1, -1))


def bitarray2dec_loop(in_bitarray):
    # commpy.utilities.bitarray2dec: a Python sum of bits times pow(2, ...)
    number = 0
    for i in range(len(in_bitarray)):
        number = number + in_bitarray[i] * pow(2, len(in_bitarray) - 1 - i)
    return number


def dec2bitarray_slices(in_number, bit_width):
    # commpy.utilities.dec2bitarray for an array: one slice of bits per number
    result = np.zeros(bit_width * len(in_number), np.int8)
    for pox, number in enumerate(in_number):
        result[pox * bit_width:(pox + 1) * bit_width] = (number >> np.arange(bit_width)[::-1]) & 1
    return result


def hamming_dist(a, b):
    # commpy.utilities.hamming_dist
    return np.bitwise_xor(a, b).sum()


def euclid_dist(a, b):
    # commpy.utilities.euclid_dist
    return ((a - b) ** 2).sum()


def pack_bits_bytes(bits):
    # bits to bytes and back by np.packbits / np.unpackbits
    packed = np.packbits(bits.astype(np.uint8))
    return packed, np.unpackbits(packed)


def pack_bits_little(bits):
    return np.packbits(bits.astype(bool).reshape(-1, 8), axis=1, bitorder="little")


def unpack_bytes_count(data, count):
    return np.unpackbits(data, count=count)


def bytes_to_bits_shifts(data):
    # bytes to bits MSB first by shifts, as scramblers and CRC code write it
    return ((data[:, None] >> np.arange(7, -1, -1)) & 1).astype(np.uint8).reshape(-1)


def gray_encode(n):
    return n ^ (n >> 1)


def gray_decode(g, bits):
    # the inverse Gray code by repeated shifts
    n = g.copy()
    shift = 1
    while shift < bits:
        n ^= n >> shift
        shift <<= 1
    return n


def gray_decode_loop(g, bits):
    # the bit loop form: b[i] = b[i-1] ^ g[i], MSB first
    out = g.copy()
    for k in range(1, bits):
        out ^= g >> k
    return out


def gray_code_table(m):
    # commpy GrayCode(m).generate_gray() as integers, built by reflection
    codes = [0, 1]
    for i in range(1, m):
        codes = codes + [c | (1 << i) for c in reversed(codes)]
    return np.array(codes)


def gray_mapped_constellation(constellation, m):
    # commpy Modem.__init__(reorder_as_gray=True): constellation[gray.argsort()]
    gray = gray_code_table(m)
    return constellation[gray.argsort()]


def bit_errors(tx, rx):
    # BER counting
    errors = np.sum(tx != rx)
    return errors, errors / len(tx)


def ber_count_nonzero(tx, rx):
    return np.count_nonzero(tx ^ rx) / tx.size


def ber_per_frame(tx, rx, frame_len):
    err = (tx != rx).reshape(-1, frame_len)
    return err.sum(axis=1), np.mean(err.any(axis=1))


def symbol_errors(tx_sym, rx_sym):
    return np.mean(tx_sym != rx_sym)


def ber_curve_given_noise(bits, noises, snrs_db):
    # a BER-vs-SNR loop over given noise arrays: BPSK, hard decisions
    ber = np.zeros(len(snrs_db))
    x = 1 - 2.0 * bits
    for k, snr_db in enumerate(snrs_db):
        sigma = np.sqrt(1 / (2 * 10 ** (snr_db / 10)))
        y = x + sigma * noises[k]
        bits_hat = (y < 0).astype(int)
        ber[k] = np.sum(bits_hat != bits) / len(bits)
    return ber


def hamming74_encode(data, G):
    # Hamming (7,4) by a matrix product mod 2, one row per block
    return (data.reshape(-1, 4) @ G) % 2


def hamming74_decode(received, H, R):
    # syndrome by H mod 2, the error position from the syndrome as an integer, correction
    r = received.reshape(-1, 7).copy()
    syndrome = (r @ H.T) % 2
    pos = syndrome @ np.array([1, 2, 4])
    rows = np.arange(len(r))
    flip = pos > 0
    r[rows, np.maximum(pos - 1, 0)] ^= flip.astype(r.dtype)
    return (r @ R.T).ravel()


def hamming_syndrome_table(received, H, table):
    # syndrome decoding by a lookup table of coset leaders, indexed by the syndrome's integer
    r = received.reshape(-1, H.shape[1])
    s = (r @ H.T) % 2
    idx = s @ (2 ** np.arange(H.shape[0] - 1, -1, -1))
    return (r + table[idx]) % 2


def parity_bits(data):
    # even parity per byte row, by np.bitwise_xor.reduce and by a sum mod 2
    rows = data.reshape(-1, 8)
    return np.bitwise_xor.reduce(rows, axis=1), rows.sum(axis=1) % 2


def crc_remainder(bits, poly):
    # polynomial division mod 2, branch-free: XOR the generator in where the leading bit is 1
    n = len(poly) - 1
    reg = np.concatenate([bits, np.zeros(n, dtype=bits.dtype)])
    for i in range(len(bits)):
        reg[i:i + n + 1] ^= poly * reg[i]
    return reg[-n:]


def crc_register_loop(bits, poly):
    # a shift-register CRC, one bit per step, the feedback as an int
    n = len(poly) - 1
    reg = np.zeros(n, dtype=bits.dtype)
    for b in bits:
        fb = reg[0] ^ b
        reg = np.concatenate([reg[1:], [0]])
        reg ^= fb * poly[1:]
    return reg


def crc16_int(data_bytes):
    # CRC-16/CCITT over bytes with Python int masks, branch-free per bit
    crc = 0xFFFF
    for byte in data_bytes:
        crc = crc ^ (byte << 8)
        for _ in range(8):
            top = (crc >> 15) & 1
            crc = ((crc << 1) & 0xFFFF) ^ (0x1021 * top)
    return crc


def _make_crc32_table():
    table = np.zeros(256, dtype=np.uint32)
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
        table[i] = c
    return table


CRC32_TABLE = _make_crc32_table()


def crc32_table(data):
    # table-driven CRC-32 over uint8 bytes with np.uint32 state and a module-level table
    crc = np.uint32(0xFFFFFFFF)
    for b in data:
        crc = CRC32_TABLE[(crc ^ b) & 0xFF] ^ (crc >> np.uint32(8))
    return crc ^ np.uint32(0xFFFFFFFF)


def crc32_python_int(data):
    # the same with the state a Python int: `int()` of each byte and table entry
    crc = 0xFFFFFFFF
    for b in data:
        crc = int(CRC32_TABLE[(crc ^ int(b)) & 0xFF]) ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def crc32_bitwise_uint32(data):
    # bitwise CRC-32 with the mask trick `-(crc & 1)` in uint32
    crc = np.uint32(0xFFFFFFFF)
    poly = np.uint32(0xEDB88320)
    for b in data:
        crc = crc ^ b.astype(np.uint32)
        for _ in range(8):
            mask = -(crc & np.uint32(1))
            crc = (crc >> np.uint32(1)) ^ (poly & mask)
    return ~crc


def lfsr_sequence(state, taps, n):
    # a Fibonacci LFSR: feedback of tapped bits, the register shifted by a concatenation
    state = state.copy()
    out = np.zeros(n, dtype=state.dtype)
    for i in range(n):
        out[i] = state[-1]
        fb = np.bitwise_xor.reduce(state[taps])
        state = np.concatenate([[fb], state[:-1]])
    return out, state


def lfsr_roll(state, taps, n):
    # the same with np.roll and an in-place write of the first cell
    state = state.copy()
    out = np.empty(n, dtype=state.dtype)
    for i in range(n):
        out[i] = state[-1]
        fb = np.sum(state[taps]) % 2
        state = np.roll(state, 1)
        state[0] = fb
    return out


def scramble(bits, seed_state):
    # 802.11 scrambler x^7 + x^4 + 1: the sequence from the register XORed with the data
    state = seed_state.copy()
    out = np.empty_like(bits)
    for i in range(len(bits)):
        fb = state[6] ^ state[3]
        out[i] = bits[i] ^ fb
        state[1:] = state[:-1].copy()
        state[0] = fb
    return out


def self_sync_scramble(bits, state):
    # a self-synchronizing scrambler: the output fed back into the register
    reg = list(state)
    out = np.zeros_like(bits)
    for i in range(len(bits)):
        out[i] = bits[i] ^ reg[2] ^ reg[4]
        reg = [out[i]] + reg[:-1]
    return out


def conv_encode(bits, G):
    # rate-1/n convolutional encoder with a shift register, generators as rows of bits
    K = G.shape[1]
    reg = np.zeros(K, dtype=bits.dtype)
    out = np.zeros((len(bits), G.shape[0]), dtype=bits.dtype)
    for i, b in enumerate(bits):
        reg = np.concatenate([[b], reg[:-1]])
        out[i] = (G @ reg) % 2
    return out.ravel()


def conv_encode_np_convolve(bits, G):
    # the same code as one np.convolve per generator, mod 2, interleaved
    outs = [np.convolve(bits, g)[:len(bits)] % 2 for g in G]
    return np.stack(outs, axis=1).ravel()


def _trellis(G):
    """Next states and outputs of a rate-1/n code with memory K-1 (textbook tables)."""
    K = G.shape[1]
    n_states = 2 ** (K - 1)
    next_state = np.zeros((n_states, 2), dtype=int)
    outputs = np.zeros((n_states, 2, G.shape[0]), dtype=int)
    for s in range(n_states):
        mem = [(s >> (K - 2 - j)) & 1 for j in range(K - 1)]
        for b in range(2):
            reg = np.array([b] + mem)
            outputs[s, b] = (G @ reg) % 2
            next_state[s, b] = (b << (K - 2)) | (s >> 1)
    return next_state, outputs


def viterbi_hard(received, next_state, outputs):
    # hard-decision Viterbi: Hamming branch metrics, add-compare-select, traceback loop
    n_states = next_state.shape[0]
    n_out = outputs.shape[2]
    r = received.reshape(-1, n_out)
    T = len(r)
    pm = np.full(n_states, 1e9)
    pm[0] = 0.0
    prev_state = np.zeros((T, n_states), dtype=int)
    prev_bit = np.zeros((T, n_states), dtype=int)
    for t in range(T):
        new_pm = np.full(n_states, 1e9)
        for s in range(n_states):
            for b in range(2):
                ns = next_state[s, b]
                m = pm[s] + np.sum(r[t] != outputs[s, b])
                better = m < new_pm[ns]
                new_pm[ns] = np.where(better, m, new_pm[ns])
                prev_state[t, ns] = np.where(better, s, prev_state[t, ns])
                prev_bit[t, ns] = np.where(better, b, prev_bit[t, ns])
        pm = new_pm
    state = np.argmin(pm)
    decoded = np.zeros(T, dtype=int)
    for t in range(T - 1, -1, -1):
        decoded[t] = prev_bit[t, state]
        state = prev_state[t, state]
    return decoded


def viterbi_soft_vectorized(llr, prev_states, prev_bits, outputs_by_prev):
    # a soft Viterbi over all states at once: predecessor tables, correlation metrics, argmax
    T = llr.shape[0]
    n_states = prev_states.shape[0]
    metric = np.full(n_states, -np.inf)
    metric[0] = 0.0
    surv = np.zeros((T, n_states), dtype=np.int64)
    for t in range(T):
        bm = (1 - 2 * outputs_by_prev) @ llr[t]          # (n_states, 2)
        cand = metric[prev_states] + bm
        choice = np.argmax(cand, axis=1)
        metric = cand[np.arange(n_states), choice]
        surv[t] = choice
    bits = np.zeros(T, dtype=np.int64)
    s = np.argmax(metric)
    for t in range(T - 1, -1, -1):
        c = surv[t, s]
        bits[t] = prev_bits[s, c]
        s = prev_states[s, c]
    return bits, metric.max()


def _prev_tables(G):
    next_state, outputs = _trellis(G)
    n_states = next_state.shape[0]
    prev_states = np.zeros((n_states, 2), dtype=int)
    prev_bits = np.zeros((n_states, 2), dtype=int)
    out_prev = np.zeros((n_states, 2, G.shape[0]), dtype=int)
    count = np.zeros(n_states, dtype=int)
    for s in range(n_states):
        for b in range(2):
            ns = next_state[s, b]
            prev_states[ns, count[ns]] = s
            prev_bits[ns, count[ns]] = b
            out_prev[ns, count[ns]] = outputs[s, b]
            count[ns] += 1
    return prev_states, prev_bits, out_prev


def repetition_decode(llr, n):
    # repetition code: soft combining of n copies, hard decisions by sign
    return (llr.reshape(-1, n).sum(axis=1) < 0).astype(np.int64)


def block_interleave(bits, rows):
    # row-in, column-out block interleaver and its inverse
    inter = bits.reshape(rows, -1).T.ravel()
    return inter, inter.reshape(-1, rows).T.ravel()


def perm_interleave(bits, perm):
    # a random interleaver from a given permutation; deinterleaving by argsort
    inter = bits[perm]
    deinter = np.empty_like(inter)
    deinter[perm] = inter
    return inter, deinter, inter[np.argsort(perm)]


_PUNCTURE = np.array([1, 1, 0, 1], dtype=bool)


def puncture(coded):
    # rate 2/3 puncturing by a tiled constant pattern, depuncturing with zeros
    mask = np.tile(_PUNCTURE, len(coded) // len(_PUNCTURE))
    sent = coded[mask]
    llr = np.zeros(len(coded))
    llr[mask] = sent
    return sent, llr


_G74 = np.array([[1, 1, 1, 0, 0, 0, 0], [1, 0, 0, 1, 1, 0, 0], [0, 1, 0, 1, 0, 1, 0],
                 [1, 1, 0, 1, 0, 0, 1]])
_H74 = np.array([[(j + 1) >> r & 1 for j in range(7)] for r in range(3)])
_R74 = np.eye(7, dtype=int)[[2, 4, 5, 6]]
_COSET74 = np.zeros((8, 7), dtype=int)
for _e in range(7):
    _COSET74[_H74[:, _e] @ np.array([4, 2, 1])] = np.eye(7, dtype=int)[_e]
_G_CONV = np.array([[1, 1, 1], [1, 0, 1]])


def _flip_one(s, n):
    code = hamming74_encode(_bits(4 * n, s), _G74)
    code[np.arange(n), _i(7, n, seed=s + 3)] ^= 1
    return code.ravel()


def _noisy_code(s, n):
    code = conv_encode(np.r_[_bits(2 * n, s), 0, 0], _G_CONV)
    code[3 * s % len(code)] ^= 1
    return code


def _soft_code(s, n):
    code = conv_encode(np.r_[_bits(2 * n, s), 0, 0], _G_CONV).reshape(-1, 2)
    return (1 - 2.0 * code) + 0.6 * _f(*code.shape, seed=s)


BITS = {
    "dec2bitarray_vec": (dec2bitarray_vec, {"bit_width": 4}, lambda s, n: (_i(16, n, seed=s),)),
    "bitarray2dec_rows": (bitarray2dec_rows, {"k": 3}, lambda s, n: (_bits(3 * n, s),)),
    "bitarray2dec_loop": (bitarray2dec_loop, {}, lambda s, n: (_bits(n, s),)),
    "dec2bitarray_slices": (dec2bitarray_slices, {"bit_width": 3},
                            lambda s, n: (_i(8, n, seed=s),)),
    "hamming_dist": (hamming_dist, {}, lambda s, n: (_bits(8 * n, s), _bits(8 * n, s + 9))),
    "euclid_dist": (euclid_dist, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "packbits_unpackbits": (pack_bits_bytes, {}, lambda s, n: (_bits(8 * n + 3, s),)),
    "packbits_little_axis": (pack_bits_little, {}, lambda s, n: (_bits(8 * n, s),)),
    "unpackbits_count": (unpack_bytes_count, {"count": 13}, lambda s, n: (
        _i(256, n, seed=s).astype(np.uint8),)),
    "bytes_to_bits_shifts": (bytes_to_bits_shifts, {}, lambda s, n: (
        _i(256, n, seed=s).astype(np.uint8),)),
    "gray_encode": (gray_encode, {}, lambda s, n: (_i(64, n, seed=s),)),
    "gray_decode_shifts": (gray_decode, {"bits": 6}, lambda s, n: (gray_encode(_i(64, n,
                                                                                  seed=s)),)),
    "gray_decode_loop": (gray_decode_loop, {"bits": 6}, lambda s, n: (
        gray_encode(_i(64, n, seed=s)),)),
    "gray_mapped_constellation": (gray_mapped_constellation, {"m": 3}, lambda s, n: (
        np.exp(1j * np.arange(8) * np.pi / 4 + s),)),
    "bit_errors": (bit_errors, {}, lambda s, n: (_bits(10 * n, s), _bits(10 * n, s + 1))),
    "ber_count_nonzero": (ber_count_nonzero, {}, lambda s, n: (_bits(10 * n, s),
                                                               _bits(10 * n, s + 1))),
    "ber_per_frame": (ber_per_frame, {"frame_len": 5}, lambda s, n: (
        _bits(10 * n, s), _bits(10 * n, s) ^ (_u(s, 10 * n) < 0.1))),
    "symbol_errors": (symbol_errors, {}, lambda s, n: (_i(4, 3 * n, seed=s),
                                                       _i(4, 3 * n, seed=s + 5))),
    "ber_curve_given_noise": (ber_curve_given_noise, {}, lambda s, n: (
        _bits(20 * n, s), _f(3, 20 * n, seed=s), [0.0, 3.0, 6.0])),
    "hamming74_encode": (hamming74_encode, {}, lambda s, n: (_bits(4 * n, s), _G74)),
    "hamming74_decode": (hamming74_decode, {}, lambda s, n: (_flip_one(s, n), _H74, _R74)),
    "hamming_syndrome_table": (hamming_syndrome_table, {}, lambda s, n: (
        _flip_one(s, n).ravel(), _H74, _COSET74)),
    "parity_bits": (parity_bits, {}, lambda s, n: (_bits(8 * n, s),)),
    "crc_remainder": (crc_remainder, {}, lambda s, n: (_bits(2 * n, s),
                                                       np.array([1, 0, 1, 1]))),
    "crc_register_loop": (crc_register_loop, {}, lambda s, n: (_bits(2 * n, s),
                                                               np.array([1, 0, 1, 1]))),
    "crc16_int_bytes": (crc16_int, {}, lambda s, n: (_i(256, n, seed=s),)),
    "crc32_table_uint32": (crc32_table, {}, lambda s, n: (_i(256, n, seed=s).astype(np.uint8),)),
    "crc32_table_python_int": (crc32_python_int, {}, lambda s, n: (
        _i(256, n, seed=s).astype(np.uint8),)),
    "crc32_bitwise_mask_uint32": (crc32_bitwise_uint32, {}, lambda s, n: (
        _i(256, n, seed=s).astype(np.uint8),)),
    "lfsr_sequence": (lfsr_sequence, {"n": 12}, lambda s, n: (
        np.r_[1, _bits(n, s)], np.array([0, n]))),
    "lfsr_roll": (lfsr_roll, {"n": 10}, lambda s, n: (np.r_[1, _bits(n, s)], np.array([0, n]))),
    "scrambler_80211": (scramble, {}, lambda s, n: (_bits(3 * n, s), np.r_[1, _bits(6, s)])),
    "self_sync_scrambler": (self_sync_scramble, {}, lambda s, n: (_bits(3 * n, s),
                                                                  _bits(5, s + 1))),
    "conv_encode_register": (conv_encode, {}, lambda s, n: (_bits(2 * n, s), _G_CONV)),
    "conv_encode_np_convolve": (conv_encode_np_convolve, {}, lambda s, n: (_bits(3 * n, s),
                                                                           _G_CONV)),
    "viterbi_hard": (viterbi_hard, {}, lambda s, n: (_noisy_code(s, n),) + _trellis(_G_CONV)),
    "viterbi_soft_vectorized": (viterbi_soft_vectorized, {}, lambda s, n: (
        _soft_code(s, n),) + _prev_tables(_G_CONV)),
    "repetition_decode": (repetition_decode, {"n": 3}, lambda s, n: (_f(3 * n, seed=s),)),
    "block_interleave": (block_interleave, {"rows": 4}, lambda s, n: (_bits(4 * n, s),)),
    "perm_interleave": (perm_interleave, {}, lambda s, n: (
        _bits(3 * n, s), np.random.default_rng(s).permutation(3 * n))),
    "puncture_pattern": (puncture, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "skdsp_from_bin_int": (lambda b: from_bin(b), {}, lambda s, n: (_bits(n + 2, s),)),
}


@pytest.mark.parametrize("name", _names(BITS))
def test_bits_codes_and_error_counting_match_numpy(name):
    """Bit packing, Gray codes, BER counting, Hamming and CRC codes, LFSR scramblers,
    convolutional encoders, Viterbi decoders and interleavers."""
    check_like_numpy(*BITS[name])


# ==================================================================== modulation and demapping


def psk_constellation_mod(bits, M):
    # M-PSK by a lookup table: k bits per symbol, Gray labels, unit circle
    k = int(np.log2(M))
    idx = bits.reshape(-1, k) @ (1 << np.arange(k - 1, -1, -1))
    gray = idx ^ (idx >> 1)
    return np.exp(1j * 2 * np.pi * gray / M)


def qam_constellation(M):
    # square M-QAM by a meshgrid of PAM levels, normalized to unit average energy
    m = int(np.sqrt(M))
    levels = np.arange(-m + 1, m, 2)
    re, im = np.meshgrid(levels, levels[::-1])
    const = (re + 1j * im).ravel()
    return const / np.sqrt(np.mean(np.abs(const) ** 2))


def qam_modulate(bits, const):
    k = int(np.log2(len(const)))
    idx = bits.reshape(-1, k).dot(2 ** np.arange(k)[::-1])
    return const[idx]


def qam16_gray_iq(bits):
    # 16-QAM with Gray-coded I and Q by a 2-bit table each (802.11 style), 1/sqrt(10)
    table = np.array([-3, -1, 3, 1])
    b = bits.reshape(-1, 4)
    i = table[2 * b[:, 0] + b[:, 1]]
    q = table[2 * b[:, 2] + b[:, 3]]
    return (i + 1j * q) / np.sqrt(10)


def qam_modulate_commpy(bits, const, num_bits_symbol):
    # commpy Modem.modulate's mapping loop with bitarray2dec per symbol
    out = np.zeros(len(bits) // num_bits_symbol, dtype=complex)
    for n, i in enumerate(range(0, len(bits), num_bits_symbol)):
        out[n] = const[bitarray2dec_loop(bits[i:i + num_bits_symbol])]
    return out


def bpsk_mod(bits):
    return 2 * bits - 1.0


def qpsk_mod(bits):
    # QPSK with I from even bits and Q from odd bits, 1/sqrt(2)
    b = bits.reshape(-1, 2)
    return ((1 - 2 * b[:, 0]) + 1j * (1 - 2 * b[:, 1])) / np.sqrt(2)


def pi4_qpsk(bits):
    # pi/4-DQPSK: phase increments from Gray dibits, accumulated by cumsum
    dphi = np.array([np.pi / 4, 3 * np.pi / 4, -np.pi / 4, -3 * np.pi / 4])
    b = bits.reshape(-1, 2)
    phases = np.cumsum(dphi[2 * b[:, 0] + b[:, 1]])
    return np.exp(1j * phases)


def dpsk_encode_decode(symbols_idx, M):
    # differential M-PSK: cumulative index mod M, decoding by the phase of y[n] * conj(y[n-1])
    enc = np.cumsum(symbols_idx) % M
    x = np.exp(2j * np.pi * enc / M)
    x = np.concatenate([[1.0 + 0j], x])
    d = x[1:] * np.conj(x[:-1])
    dec = np.round(np.angle(d) / (2 * np.pi / M)).astype(int) % M
    return x, dec


def pam_levels(bits, M):
    k = int(np.log2(M))
    idx = bits.reshape(-1, k) @ (2 ** np.arange(k - 1, -1, -1))
    return 2 * idx - (M - 1.0)


def demod_hard_commpy(symbols, const):
    # commpy Modem.demodulate('hard'): argmin over a (M, N) distance table
    return abs(symbols - const[:, None]).argmin(0)


def demod_hard_bits(symbols, const, k):
    idx = np.argmin(np.abs(symbols[:, None] - const[None, :]) ** 2, axis=1)
    return ((idx[:, None] >> np.arange(k - 1, -1, -1)) & 1).ravel()


def demod_qpsk_sign(y):
    bits = np.empty((len(y), 2), dtype=np.int64)
    bits[:, 0] = y.real < 0
    bits[:, 1] = y.imag < 0
    return bits.ravel()


def demod_pam_slicer(y, M):
    # PAM slicer: clip then round to the nearest odd level
    idx = np.clip(np.round((y + M - 1) / 2), 0, M - 1).astype(int)
    return idx, 2 * idx - (M - 1)


def demod_soft_commpy(symbols, const, noise_var, num_bits_symbol):
    # commpy Modem.demodulate('soft'): exact LLRs, loops over symbols, bits and points
    demod_bits = np.zeros(len(symbols) * num_bits_symbol)
    for i in np.arange(len(symbols)):
        current_symbol = symbols[i]
        for bit_index in np.arange(num_bits_symbol):
            llr_num = 0
            llr_den = 0
            for bit_value, symbol in enumerate(const):
                if (bit_value >> bit_index) & 1:
                    llr_num += np.exp((-abs(current_symbol - symbol) ** 2) / noise_var)
                else:
                    llr_den += np.exp((-abs(current_symbol - symbol) ** 2) / noise_var)
            demod_bits[i * num_bits_symbol + num_bits_symbol - 1 - bit_index] = np.log(
                llr_num / llr_den)
    return demod_bits


def llr_maxlog(y, const, labels, noise_var):
    # max-log LLRs vectorized: distances (N, M), masks per bit from a label table (M, k)
    d2 = np.abs(y[:, None] - const[None, :]) ** 2
    k = labels.shape[1]
    llr = np.empty((len(y), k))
    for b in range(k):
        d0 = np.where(labels[:, b] == 0, d2, np.inf).min(axis=1)
        d1 = np.where(labels[:, b] == 1, d2, np.inf).min(axis=1)
        llr[:, b] = (d1 - d0) / noise_var
    return llr


def llr_logsumexp(y, const, labels, noise_var):
    # exact LLRs by a stable log-sum-exp over each bit's subset
    metric = -np.abs(y[:, None] - const[None, :]) ** 2 / noise_var
    mx = metric.max(axis=1, keepdims=True)
    e = np.exp(metric - mx)
    num0 = e @ (labels == 0)
    num1 = e @ (labels == 1)
    return np.log(num0) - np.log(num1)


def llr_bpsk(y, snr_db):
    sigma2 = 1 / (2 * 10 ** (snr_db / 10))
    return 2 * y / sigma2


def evm_percent(rx, ref):
    return 100 * np.sqrt(np.mean(np.abs(rx - ref) ** 2) / np.mean(np.abs(ref) ** 2))


def mer_db(rx, ref):
    return 10 * np.log10(np.sum(np.abs(ref) ** 2) / np.sum(np.abs(rx - ref) ** 2))


def signal_power_vectorize(signal):
    # commpy.utilities.signal_power with its np.vectorize'd square_abs
    @np.vectorize
    def square_abs(s):
        return abs(s) ** 2

    return np.mean(square_abs(signal))


def decision_directed_phase(y, const):
    # a decision-directed phase estimate: angle of sum(y * conj(nearest point))
    d = const[np.argmin(np.abs(y[:, None] - const), axis=1)]
    phi = np.angle(np.sum(y * np.conj(d)))
    return y * np.exp(-1j * phi), phi


def costas_qpsk(y, alpha, beta):
    # a QPSK Costas loop: phase detector sign(I)Q - sign(Q)I, a PI loop filter in Python floats
    out = np.zeros_like(y)
    phase, freq = 0.0, 0.0
    for n in range(len(y)):
        out[n] = y[n] * np.exp(-1j * phase)
        err = np.sign(out[n].real) * out[n].imag - np.sign(out[n].imag) * out[n].real
        freq += beta * err
        phase += freq + alpha * err
    return out, phase


def _labels(k):
    return (np.arange(2 ** k)[:, None] >> np.arange(k - 1, -1, -1)) & 1


_QAM16 = qam_constellation(16)
_PSK8 = np.exp(1j * 2 * np.pi * np.arange(8) / 8)


def _rx(s, n, const, sigma=0.2):
    idx = _i(len(const), n, seed=s)
    return const[idx] + sigma * _c(n, seed=s + 7)


MODULATION = {
    "psk_lookup_gray": (psk_constellation_mod, {"M": 8}, lambda s, n: (_bits(3 * n, s),)),
    "qam_modulate_meshgrid": (qam_modulate, {}, lambda s, n: (_bits(4 * n, s), _QAM16)),
    "qam16_gray_iq": (qam16_gray_iq, {}, lambda s, n: (_bits(4 * n, s),)),
    "qam_modulate_commpy_loop": (qam_modulate_commpy, {"num_bits_symbol": 4}, lambda s, n: (
        _bits(4 * n, s), _QAM16)),
    "bpsk_mod": (bpsk_mod, {}, lambda s, n: (_bits(n, s),)),
    "qpsk_mod": (qpsk_mod, {}, lambda s, n: (_bits(2 * n, s),)),
    "pi4_dqpsk": (pi4_qpsk, {}, lambda s, n: (_bits(2 * n, s),)),
    "dpsk_encode_decode": (dpsk_encode_decode, {"M": 4}, lambda s, n: (_i(4, n, seed=s),)),
    "pam_levels": (pam_levels, {"M": 4}, lambda s, n: (_bits(2 * n, s),)),
    "demod_hard_commpy": (demod_hard_commpy, {}, lambda s, n: (_rx(s, n, _QAM16), _QAM16)),
    "demod_hard_bits_8psk": (demod_hard_bits, {"k": 3}, lambda s, n: (_rx(s, n, _PSK8),
                                                                       _PSK8)),
    "demod_qpsk_sign": (demod_qpsk_sign, {}, lambda s, n: (_c(n, seed=s),)),
    "demod_pam_slicer": (demod_pam_slicer, {"M": 4}, lambda s, n: (3 * _f(n, seed=s),)),
    "demod_soft_commpy_qpsk": (demod_soft_commpy, {"num_bits_symbol": 2}, lambda s, n: (
        _rx(s, n, qpsk_mod(np.array([0, 0, 0, 1, 1, 0, 1, 1]))),
        qpsk_mod(np.array([0, 0, 0, 1, 1, 0, 1, 1])), 0.5 + 0.1 * s)),
    "llr_maxlog_16qam": (llr_maxlog, {}, lambda s, n: (_rx(s, n, _QAM16), _QAM16, _labels(4),
                                                       0.1)),
    "llr_logsumexp_8psk": (llr_logsumexp, {}, lambda s, n: (_rx(s, n, _PSK8), _PSK8,
                                                            _labels(3), 0.2)),
    "llr_bpsk_snr_db": (llr_bpsk, {}, lambda s, n: (_f(n, seed=s), 3.0 + s)),
    "evm_percent": (evm_percent, {}, lambda s, n: (_rx(s, n, _QAM16), _QAM16[_i(16, n,
                                                                               seed=s)])),
    "mer_db": (mer_db, {}, lambda s, n: (_rx(s, n, _QAM16), _QAM16[_i(16, n, seed=s)])),
    "signal_power_np_vectorize": (signal_power_vectorize, {}, lambda s, n: (_c(n, seed=s),)),
    "decision_directed_phase": (decision_directed_phase, {}, lambda s, n: (
        _rx(s, n, _PSK8, 0.05) * np.exp(0.1j), _PSK8)),
    "costas_qpsk": (costas_qpsk, {}, lambda s, n: (
        _rx(s, n, qpsk_mod(np.array([0, 0, 0, 1, 1, 0, 1, 1])), 0.05) * np.exp(0.2j),
        0.1, 0.01)),
}


@pytest.mark.parametrize("name", _names(MODULATION))
def test_modulation_and_demapping_match_numpy(name):
    """PSK/QAM/PAM by lookup tables and Gray labels, differential PSK, hard decisions by argmin,
    commpy's exact soft demodulator loops, max-log and log-sum-exp LLRs, EVM and a Costas loop."""
    check_like_numpy(*MODULATION[name])


# ============================================================ channels, pulse shaping, filters


def awgn_commpy(input_signal, snr_dB, noise_re, noise_im, rate=1.0):
    # commpy.channels.awgn with its draws given: `isinstance(input_signal[0], complex)`
    avg_energy = sum(abs(input_signal) * abs(input_signal)) / len(input_signal)
    snr_linear = 10 ** (snr_dB / 10.0)
    noise_variance = avg_energy / (2 * rate * snr_linear)
    if isinstance(input_signal[0], complex):
        noise = (np.sqrt(noise_variance) * noise_re) + (np.sqrt(noise_variance) * noise_im * 1j)
    else:
        noise = np.sqrt(2 * noise_variance) * noise_re
    return input_signal + noise


def awgn_iscomplexobj(x, snr_db, noise):
    # the np.iscomplexobj form of the same branch
    p = np.mean(np.abs(x) ** 2)
    n0 = p / 10 ** (snr_db / 10)
    if np.iscomplexobj(x):
        return x + np.sqrt(n0 / 2) * noise
    return x + np.sqrt(n0) * noise.real


def awgn_measured_snr(x, snr_db, noise):
    y = x + np.sqrt(np.mean(np.abs(x) ** 2) / 10 ** (snr_db / 10) / 2) * noise
    return 10 * np.log10(np.sum(np.abs(x) ** 2) / np.sum(np.abs(y - x) ** 2))


def rayleigh_flat(x, h, noise, sigma):
    # flat Rayleigh fading per symbol, coherent equalization by h
    y = h * x + sigma * noise
    return y, y / h, np.conj(h) * y / np.abs(h) ** 2


def multipath_channel(x, taps, noise, sigma):
    # a frequency-selective channel by np.convolve, truncated to the input length
    return np.convolve(x, taps)[:len(x)] + sigma * noise


def freq_offset(x, cfo, fs):
    n = np.arange(len(x))
    return x * np.exp(1j * 2 * np.pi * cfo * n / fs)


def phase_noise(x, increments):
    return x * np.exp(1j * np.cumsum(increments))


def iq_imbalance(x, eps, phi):
    i, q = x.real, x.imag
    return (1 + eps) * i + 1j * (1 - eps) * (q * np.cos(phi) - i * np.sin(phi))


def bsc_channel(bits, flips):
    # binary symmetric channel from given uniforms
    return bits ^ (flips < 0.1)


def upsample_zeros(x, n):
    # commpy.utilities.upsample: zeros with the input at every n-th sample
    out = np.zeros(len(x) * n, dtype=x.dtype)
    out[::n] = x
    return out


def upsample_hstack(x, L):
    # sk-dsp-comm digitalcom.upsample: hstack of a column and zeros, then flatten
    N_input = len(x)
    y = np.hstack((x.reshape(N_input, 1), np.zeros((N_input, int(L - 1)))))
    return y.flatten()


def upsample_kron(x, L):
    return np.kron(x, np.r_[1.0, np.zeros(L - 1)])


def downsample_skdsp(x, M, p=0):
    # sk-dsp-comm digitalcom.downsample
    x = x[0:int(np.floor(len(x) / M)) * M]
    x = x.reshape((int(np.floor(len(x) / M)), M))
    return x[:, p]


def nrz_rect(bits, Ns):
    # NRZ waveform by np.repeat, and by np.kron with a rectangular pulse
    x = 2 * bits - 1.0
    return np.repeat(x, Ns), np.kron(x, np.ones(Ns))


def sinc_pulse_shape(symbols, sps, span):
    # a truncated sinc pulse, upsampled symbols, np.convolve mode 'same'
    t = np.arange(-span * sps, span * sps + 1) / sps
    h = np.sinc(t)
    up = np.zeros(len(symbols) * sps)
    up[::sps] = symbols
    return np.convolve(up, h, mode="same")


def rrc_taps(beta, sps, span):
    # a root-raised-cosine impulse response vectorized with np.where for the special points
    t = np.arange(-span * sps, span * sps + 1) / sps
    denom = np.pi * t * (1 - (4 * beta * t) ** 2)
    safe = np.where(np.abs(denom) < 1e-12, 1.0, denom)
    h = (np.sin(np.pi * t * (1 - beta)) + 4 * beta * t * np.cos(np.pi * t * (1 + beta))) / safe
    h = np.where(t == 0, 1 - beta + 4 * beta / np.pi, h)
    special = np.isclose(np.abs(t), 1 / (4 * beta))
    val = beta / np.sqrt(2) * ((1 + 2 / np.pi) * np.sin(np.pi / (4 * beta))
                               + (1 - 2 / np.pi) * np.cos(np.pi / (4 * beta)))
    h = np.where(special, val, h)
    return h / np.sqrt(np.sum(h ** 2))


def rrc_tx_rx(symbols, h, sps):
    # transmit filter, channel-free matched filter, delay removal and symbol-rate sampling
    up = np.zeros(len(symbols) * sps, dtype=symbols.dtype)
    up[::sps] = symbols
    tx = np.convolve(up, h)
    rx = np.convolve(tx, h[::-1].conj())
    delay = len(h) - 1
    return rx[delay:delay + len(symbols) * sps:sps]


def gaussian_pulse(bt, sps, span):
    # GMSK's Gaussian filter, normalized to unit DC gain
    t = np.arange(-span * sps, span * sps + 1) / sps
    alpha = np.sqrt(np.log(2) / 2) / bt
    h = np.sqrt(np.pi) / alpha * np.exp(-(np.pi * t / alpha) ** 2)
    return h / h.sum()


def matched_filter_modes(x, h):
    return (np.convolve(x, h[::-1]), np.convolve(x, h[::-1], "same"),
            np.convolve(x, h[::-1], mode="valid"))


def fir_direct_form(b, x):
    # lfilter(b, 1, x) written as a tapped delay line
    y = np.zeros(len(x))
    state = np.zeros(len(b))
    for n in range(len(x)):
        state[1:] = state[:-1]
        state[0] = x[n]
        y[n] = np.dot(b, state)
    return y


def iir_lfilter_loop(b, a, x):
    # lfilter(b, a, x) in direct form I, textbook loop with a[0] normalization
    b = b / a[0]
    a = a / a[0]
    y = np.zeros_like(x)
    for n in range(len(x)):
        acc = 0.0
        for k in range(len(b)):
            if n - k >= 0:
                acc += b[k] * x[n - k]
        for k in range(1, len(a)):
            if n - k >= 0:
                acc -= a[k] * y[n - k]
        y[n] = acc
    return y


def integrate_and_dump(x, sps):
    return x.reshape(-1, sps).sum(axis=1)


def eye_traces(x, sps, offset):
    # sk-dsp-comm eye_plot data: traces of two symbols each, by reshape after an offset
    L = 2 * sps
    n = (len(x) - offset) // L
    return x[offset:offset + n * L].reshape(n, L)


def moving_average_cumsum(x, w):
    c = np.cumsum(np.insert(x, 0, 0.0))
    return (c[w:] - c[:-w]) / w


def cic_decimate(x, R):
    # a one-stage CIC: integrator by cumsum, decimation, comb by np.diff with prepend
    integ = np.cumsum(x)
    dec = integ[R - 1::R]
    return np.diff(dec, prepend=0.0) / R


def fm_demod(y):
    # FM discriminator: the angle of y[n] * conj(y[n-1])
    return np.angle(y[1:] * np.conj(y[:-1]))


def am_envelope(x, carrier_phase):
    y = x * np.cos(carrier_phase)
    return np.abs(y), np.sqrt(y.real ** 2 + y.imag ** 2)


def timing_gardner(x, sps):
    # the Gardner timing error over symbol strobes, vectorized by strided slices
    strobe = x[sps::sps]
    mid = x[sps // 2:len(x) - sps // 2:sps][:len(strobe)]
    prev = x[:-sps:sps][:len(strobe)]
    return np.real(np.conj(mid) * (strobe - prev))


def _sh(s, n, sps=4):
    return upsample_zeros(_f(n, seed=s), sps)


CHANNEL = {
    "awgn_commpy_complex": (awgn_commpy, {}, lambda s, n: (
        _c(2 * n, seed=s), 6.0 + s, _f(2 * n, seed=s + 1), _f(2 * n, seed=s + 2))),
    "awgn_commpy_real": (awgn_commpy, {}, lambda s, n: (
        _f(2 * n, seed=s), 6.0 + s, _f(2 * n, seed=s + 1), _f(2 * n, seed=s + 2))),
    "awgn_iscomplexobj": (awgn_iscomplexobj, {}, lambda s, n: (_c(n, seed=s), 10.0,
                                                               _c(n, seed=s + 1))),
    "awgn_iscomplexobj_real": (awgn_iscomplexobj, {}, lambda s, n: (_f(n, seed=s), 10.0,
                                                                    _c(n, seed=s + 1))),
    "awgn_measured_snr": (awgn_measured_snr, {}, lambda s, n: (_c(4 * n, seed=s), 8.0,
                                                               _c(4 * n, seed=s + 1))),
    "rayleigh_flat": (rayleigh_flat, {}, lambda s, n: (
        _rx(s, n, _PSK8, 0), _c(n, seed=s + 3) / np.sqrt(2), _c(n, seed=s + 4), 0.1)),
    "multipath_convolve": (multipath_channel, {}, lambda s, n: (
        _c(3 * n, seed=s), np.array([1.0, 0.4 - 0.2j, 0.1j]), _c(3 * n, seed=s + 1), 0.05)),
    "freq_offset": (freq_offset, {}, lambda s, n: (_c(n, seed=s), 120.0 * s, 8000.0)),
    "phase_noise_cumsum": (phase_noise, {}, lambda s, n: (_c(n, seed=s),
                                                          0.01 * _f(n, seed=s + 1))),
    "iq_imbalance": (iq_imbalance, {}, lambda s, n: (_c(n, seed=s), 0.05, 0.1)),
    "bsc_channel": (bsc_channel, {}, lambda s, n: (_bits(5 * n, s), _u(s, 5 * n))),
    "upsample_zeros": (upsample_zeros, {"n": 4}, lambda s, n: (_c(n, seed=s),)),
    "upsample_hstack": (upsample_hstack, {"L": 3}, lambda s, n: (_f(n, seed=s),)),
    "upsample_kron": (upsample_kron, {"L": 3}, lambda s, n: (_f(n, seed=s),)),
    "downsample_skdsp": (downsample_skdsp, {"M": 3, "p": 1}, lambda s, n: (
        _f(3 * n + 2, seed=s),)),
    "nrz_repeat_kron": (nrz_rect, {"Ns": 4}, lambda s, n: (_bits(n, s),)),
    "sinc_pulse_shape": (sinc_pulse_shape, {"sps": 4, "span": 3}, lambda s, n: (
        _f(n, seed=s),)),
    "rrc_taps_where": (rrc_taps, {"sps": 4, "span": 4}, lambda s, n: (0.25 + 0.05 * n,)),
    "rrc_tx_rx_matched": (rrc_tx_rx, {"sps": 4}, lambda s, n: (
        _rx(s, 2 * n, _QAM16, 0), rrc_taps(0.35, 4, 4))),
    "gaussian_pulse": (gaussian_pulse, {"sps": 4, "span": 2}, lambda s, n: (0.3 + 0.01 * n,)),
    "matched_filter_modes": (matched_filter_modes, {}, lambda s, n: (
        _c(4 * n, seed=s), _c(5, seed=s + 1))),
    "fir_direct_form": (fir_direct_form, {}, lambda s, n: (_f(5, seed=s), _f(3 * n, seed=s))),
    "iir_lfilter_loop": (iir_lfilter_loop, {}, lambda s, n: (
        np.array([0.2, 0.3, 0.2]), np.array([1.0, -0.5, 0.25]), _f(2 * n, seed=s))),
    "integrate_and_dump": (integrate_and_dump, {"sps": 4}, lambda s, n: (_sh(s, n),)),
    "eye_traces": (eye_traces, {"sps": 4, "offset": 2}, lambda s, n: (_sh(s, 2 * n),)),
    "moving_average_cumsum": (moving_average_cumsum, {"w": 3}, lambda s, n: (
        _f(3 * n, seed=s),)),
    "cic_decimate": (cic_decimate, {"R": 4}, lambda s, n: (_f(4 * n, seed=s),)),
    "fm_discriminator": (fm_demod, {}, lambda s, n: (
        np.exp(1j * np.cumsum(0.3 * _f(4 * n, seed=s))),)),
    "am_envelope": (am_envelope, {}, lambda s, n: (_c(n, seed=s), _f(n, seed=s + 1))),
    "gardner_ted": (timing_gardner, {"sps": 4}, lambda s, n: (_c(4 * n, seed=s),)),
}


@pytest.mark.parametrize("name", _names(CHANNEL))
def test_channels_pulse_shaping_and_filters_match_numpy(name):
    """commpy's AWGN with its complex check, fading and multipath channels, offsets, zero-
    insertion upsampling three ways, RRC/Gaussian/sinc pulses, matched filtering by
    np.convolve, FIR/IIR loops, CIC and integrate-and-dump, discriminators and timing error."""
    check_like_numpy(*CHANNEL[name])


# ========================================================================================= OFDM


def ofdm_symbol_dspillustrations(payload, pilot_carriers, data_carriers, pilot_value, K):
    # the DSPIllustrations OFDM example: allocate, IFFT, cyclic prefix of K // 4
    symbol = np.zeros(K, dtype=complex)
    symbol[pilot_carriers] = pilot_value
    symbol[data_carriers] = payload
    ofdm_time = np.fft.ifft(symbol)
    CP = K // 4
    cp = ofdm_time[-CP:]
    return np.hstack([cp, ofdm_time])


def ofdm_rx_estimate_equalize(rx, pilot_carriers, data_carriers, pilot_value, K):
    # remove CP, FFT, pilot LS estimates, np.interp of magnitude and phase, equalize, pick data
    CP = K // 4
    ofdm_demod = np.fft.fft(rx[CP:CP + K])
    pilots = ofdm_demod[pilot_carriers]
    Hest_at_pilots = pilots / pilot_value
    allCarriers = np.arange(K)
    Hest_abs = np.interp(allCarriers, pilot_carriers, abs(Hest_at_pilots))
    Hest_phase = np.interp(allCarriers, pilot_carriers, np.angle(Hest_at_pilots))
    Hest = Hest_abs * np.exp(1j * Hest_phase)
    equalized = ofdm_demod / Hest
    return equalized[data_carriers], Hest


def ofdm_tx_frame(qam, K, cp_len):
    # several symbols at once: reshape, IFFT along the last axis, CP by slicing, serialize
    sym = qam.reshape(-1, K)
    x = np.fft.ifft(sym, axis=1) * np.sqrt(K)
    x_cp = np.concatenate([x[:, -cp_len:], x], axis=1)
    return x_cp.ravel()


def ofdm_rx_frame(y, K, cp_len):
    y = y.reshape(-1, K + cp_len)[:, cp_len:]
    return np.fft.fft(y, axis=1) / np.sqrt(K)


def ofdm_through_channel(qam, h, K, cp_len):
    # tx, a multipath channel shorter than the CP, rx, one-tap ZF equalization by fft(h, K)
    tx = ofdm_tx_frame(qam, K, cp_len)
    rx = np.convolve(tx, h)[:len(tx)]
    Y = ofdm_rx_frame(rx, K, cp_len)
    H = np.fft.fft(h, K)
    return (Y / H).ravel()


def mmse_equalize(Y, H, snr_db):
    snr = 10 ** (snr_db / 10)
    W = np.conj(H) / (np.abs(H) ** 2 + 1 / snr)
    return W * Y


def ls_channel_estimate_comb(Y, X_pilot, pilot_idx, K):
    # comb pilots: LS at pilots, linear interpolation of real and imaginary parts per symbol
    H_p = Y[:, pilot_idx] / X_pilot
    k = np.arange(K)
    H = np.empty(Y.shape, dtype=complex)
    for m in range(Y.shape[0]):
        H[m] = np.interp(k, pilot_idx, H_p[m].real) + 1j * np.interp(k, pilot_idx,
                                                                     H_p[m].imag)
    return H


def block_pilot_estimate(Y, X_train):
    # block-type training: LS on the preamble symbol, averaged over two repetitions
    return np.mean(Y[:2] / X_train, axis=0)


def papr_db(x, K):
    sym = x.reshape(-1, K)
    p = np.abs(sym) ** 2
    return 10 * np.log10(p.max(axis=1) / p.mean(axis=1))


def papr_ccdf(papr, thresholds):
    return (papr[:, None] > thresholds[None, :]).mean(axis=0)


def clip_and_filter(x, clip_ratio):
    # amplitude clipping keeping the phase
    a = np.abs(x)
    thr = clip_ratio * np.sqrt(np.mean(a ** 2))
    scale = np.where(a > thr, thr / np.maximum(a, 1e-12), 1.0)
    return x * scale


def cp_correlation_metric(y, K, cp_len):
    # Van de Beek's CP metric over each candidate start, by a loop of dot products
    n = len(y) - K - cp_len
    metric = np.zeros(n)
    for d in range(n):
        a = y[d:d + cp_len]
        b = y[d + K:d + K + cp_len]
        metric[d] = np.abs(np.vdot(b, a))
    return metric, np.argmax(metric)


def schmidl_cox(y, L):
    # Schmidl-Cox timing metric: P by a sliding correlation via cumsum, R energy
    prod = np.conj(y[:-L]) * y[L:]
    c = np.concatenate([[0], np.cumsum(prod)])
    P = c[L:] - c[:-L]
    e = np.concatenate([[0], np.cumsum(np.abs(y[L:]) ** 2)])
    R = e[L:] - e[:-L]
    M = np.abs(P) ** 2 / (R ** 2 + 1e-12)
    d = np.argmax(M)
    cfo = np.angle(P[d]) / (np.pi)
    return M, cfo


def subcarrier_map_shift(data, K, n_guard):
    # data in the middle, guard bands at the edges, DC null, ifftshift for the IFFT
    grid = np.zeros(K, dtype=complex)
    half = len(data) // 2
    grid[n_guard:n_guard + half] = data[:half]
    grid[n_guard + half + 1:n_guard + 2 * half + 1] = data[half:]
    return np.fft.ifft(np.fft.ifftshift(grid))


def mux_pilot_blocks(IQ_data, Np):
    # sk-dsp-comm ofdm.mux_pilot_blocks: a pilot row every Np - 1 data rows
    N_OFDM = IQ_data.shape[0]
    Npb = N_OFDM // (Np - 1)
    N_OFDM_rem = N_OFDM - Npb * (Np - 1)
    Nf = IQ_data.shape[1]
    IQ_datap = np.zeros((N_OFDM + Npb + 1, Nf), dtype=np.complex128)
    pilots = np.ones(Nf)
    for k in range(Npb):
        IQ_datap[Np * k:Np * (k + 1), :] = np.vstack((pilots,
                                                      IQ_data[(Np - 1) * k:(Np - 1) * (k + 1),
                                                              :]))
    IQ_datap[Np * Npb:Np * (Npb + N_OFDM_rem), :] = np.vstack((pilots,
                                                               IQ_data[(Np - 1) * Npb:, :]))
    return IQ_datap


def ofdm_tx_skdsp(IQ_data, Nf, N, Ncp):
    # sk-dsp-comm ofdm.OFDM_tx with cp=True: split around DC, zero fill, a loop of IFFTs
    N_symb = len(IQ_data)
    N_OFDM = N_symb // Nf
    IQ_data = IQ_data[:N_OFDM * Nf]
    IQ_s = IQ_data.reshape(N_OFDM, Nf)
    IQ_s = np.hstack((np.zeros((N_OFDM, 1)), IQ_s[:, :Nf // 2],
                      np.zeros((N_OFDM, N - Nf - 1)), IQ_s[:, Nf // 2:]))
    x_out = np.zeros(N_OFDM * (N + Ncp), dtype=np.complex128)
    for k in range(N_OFDM):
        x = np.fft.ifft(IQ_s[k, :])
        x_out[k * (N + Ncp):(k + 1) * (N + Ncp)] = np.hstack((x[-Ncp:], x))
    return x_out


def ofdm_rx_skdsp(x, Nf, N, Ncp):
    # sk-dsp-comm ofdm.OFDM_rx without the channel: strip CP, FFT, pick the used bins
    N_OFDM = len(x) // (N + Ncp)
    y = x.reshape(N_OFDM, N + Ncp)[:, Ncp:]
    Y = np.fft.fft(y, axis=1)
    return np.hstack((Y[:, 1:Nf // 2 + 1], Y[:, N - Nf // 2:]))


def fft_spectrum_db(x, fs):
    # a windowed spectrum with fftfreq/fftshift
    n = len(x)
    w = np.blackman(n)
    X = np.fft.fftshift(np.fft.fft(x * w))
    f = np.fft.fftshift(np.fft.fftfreq(n, 1 / fs))
    return f, 20 * np.log10(np.abs(X) / np.sum(w) + 1e-15)


def _ofdm_sig(s, K, P):
    pilot_carriers = np.arange(0, K, K // P)
    pilot_carriers = np.hstack([pilot_carriers, np.array([K - 1])])
    data_carriers = np.delete(np.arange(K), pilot_carriers)
    payload = _rx(s, len(data_carriers), _QAM16, 0)
    return payload, pilot_carriers, data_carriers, 3 + 3j


def _ofdm_rx(s, K):
    payload, pc, dc, pv = _ofdm_sig(s, K, 4)
    tx = ofdm_symbol_dspillustrations(payload, pc, dc, pv, K)
    h = np.array([1.0, 0.3 + 0.3j, 0.1])
    rx = np.convolve(tx, h)[:len(tx)] + 0.01 * _c(len(tx), seed=s)
    return rx, pc, dc, pv


OFDM = {
    "dspillustrations_tx": (ofdm_symbol_dspillustrations, {"K": 16},
                            lambda s, n: _ofdm_sig(s, 16, 4)),
    "dspillustrations_rx_interp": (ofdm_rx_estimate_equalize, {"K": 16},
                                   lambda s, n: _ofdm_rx(s, 16)),
    "tx_frame_reshape": (ofdm_tx_frame, {"K": 8, "cp_len": 2}, lambda s, n: (
        _rx(s, 8 * n, _QAM16, 0),)),
    "rx_frame_reshape": (ofdm_rx_frame, {"K": 8, "cp_len": 2}, lambda s, n: (
        _c(10 * n, seed=s),)),
    "through_multipath_zf": (ofdm_through_channel, {"K": 8, "cp_len": 3}, lambda s, n: (
        _rx(s, 8 * n, _QAM16, 0), np.array([0.9, 0.3j, -0.1]))),
    "mmse_equalize": (mmse_equalize, {}, lambda s, n: (_c(n, 8, seed=s), _c(8, seed=s + 1),
                                                       12.0)),
    "ls_comb_interp": (ls_channel_estimate_comb, {"K": 12}, lambda s, n: (
        _c(n, 12, seed=s), 1 + 1j, np.array([0, 3, 6, 9, 11]))),
    "block_pilot_estimate": (block_pilot_estimate, {}, lambda s, n: (
        _c(3, 2 * n, seed=s), np.exp(1j * np.arange(2 * n)))),
    "papr_db": (papr_db, {"K": 8}, lambda s, n: (_c(8 * n, seed=s),)),
    "papr_ccdf": (papr_ccdf, {}, lambda s, n: (3 + 5 * _u(s, 5 * n), np.arange(3.0, 8.0))),
    "clip_amplitude": (clip_and_filter, {}, lambda s, n: (_c(4 * n, seed=s), 1.2)),
    "cp_correlation_sync": (cp_correlation_metric, {"K": 8, "cp_len": 2}, lambda s, n: (
        _c(10 + 2 * n, seed=s),)),
    "schmidl_cox_cumsum": (schmidl_cox, {"L": 4}, lambda s, n: (_c(6 * n, seed=s),)),
    "subcarrier_map_ifftshift": (subcarrier_map_shift, {"K": 16, "n_guard": 2}, lambda s, n: (
        _c(2 * n, seed=s),)),
    "skdsp_mux_pilot_blocks": (mux_pilot_blocks, {"Np": 3}, lambda s, n: (_c(n, 4, seed=s),)),
    "skdsp_ofdm_tx": (ofdm_tx_skdsp, {"Nf": 6, "N": 8, "Ncp": 2}, lambda s, n: (
        _c(6 * n + 1, seed=s),)),
    "skdsp_ofdm_rx": (ofdm_rx_skdsp, {"Nf": 6, "N": 8, "Ncp": 2}, lambda s, n: (
        _c(10 * n, seed=s),)),
    "fft_spectrum_db": (fft_spectrum_db, {}, lambda s, n: (_c(4 * n, seed=s), 1000.0)),
}


@pytest.mark.parametrize("name", _names(OFDM))
def test_ofdm_chains_match_numpy(name):
    """OFDM transmitters and receivers by IFFT/FFT with cyclic prefixes, pilots written by
    index arrays, LS channel estimates interpolated by np.interp, ZF/MMSE equalizers, PAPR,
    CP and Schmidl-Cox synchronization, and sk-dsp-comm's pilot muxing and OFDM_tx/rx."""
    check_like_numpy(*OFDM[name])


# ======================================================================================= radar


def lfm_chirp(fs, T, B):
    # a baseband LFM pulse: exp(j pi k t^2), k = B / T
    t = np.arange(0, T, 1 / fs)
    k = B / T
    return np.exp(1j * np.pi * k * (t - T / 2) ** 2)


def pulse_compress_convolve(rx, ref):
    # matched filter by np.convolve with the reversed conjugate, delay removed
    mf = np.convolve(rx, np.conj(ref[::-1]))
    return mf[len(ref) - 1:], np.abs(mf)


def pulse_compress_fft(rx, ref):
    # fast convolution: zero-padded FFTs to the next power of two
    n = len(rx) + len(ref) - 1
    nfft = int(2 ** np.ceil(np.log2(n)))
    X = np.fft.fft(rx, nfft)
    H = np.conj(np.fft.fft(ref, nfft))
    return np.fft.ifft(X * H)[:len(rx)]


def pulse_compress_correlate(rx, ref):
    # np.correlate conjugates its second argument: the matched filter in one call
    return np.abs(np.correlate(rx, ref, mode="full")), np.correlate(rx, ref, "valid")


def pulse_compress_windowed(rx, ref):
    # sidelobe control: a Taylor-like Hamming weighting on the reference
    w = np.hamming(len(ref))
    out = np.fft.ifft(np.fft.fft(rx) * np.conj(np.fft.fft(ref * w, len(rx))))
    return 20 * np.log10(np.abs(out) / np.abs(out).max() + 1e-12)


def range_doppler_map(cube):
    # slow-time x fast-time: range FFT with a Hann window, Doppler FFT with a Hamming window
    n_pulses, n_samples = cube.shape
    rng = np.fft.fft(cube * np.hanning(n_samples)[None, :], axis=1)
    rd = np.fft.fftshift(np.fft.fft(rng * np.hamming(n_pulses)[:, None], axis=0), axes=0)
    return 20 * np.log10(np.abs(rd) + 1e-12)


def range_doppler_fft2(cube):
    w = np.outer(np.hanning(cube.shape[0]), np.hanning(cube.shape[1]))
    rd = np.fft.fftshift(np.fft.fft2(cube * w))
    peak = np.unravel_index(np.argmax(np.abs(rd)), rd.shape)
    return np.abs(rd), peak


def fmcw_beat_range(tx, rx, fs, slope, c=3e8):
    # FMCW dechirp by tx * conj(rx), range FFT, the peak bin to range
    beat = tx * np.conj(rx)
    spec = np.abs(np.fft.fft(beat))
    half = spec[:len(spec) // 2]
    k = np.argmax(half)
    f_beat = k * fs / len(beat)
    return half, c * f_beat / (2 * slope)


def mti_cancellers(pulses):
    # two- and three-pulse MTI cancellers along slow time
    two = pulses[1:] - pulses[:-1]
    three = pulses[2:] - 2 * pulses[1:-1] + pulses[:-2]
    return two, three, np.diff(pulses, n=2, axis=0)


def integrate_pulses(pulses):
    # coherent and noncoherent integration
    return np.abs(pulses.sum(axis=0)), np.sum(np.abs(pulses) ** 2, axis=0)


def doppler_pulse_pair(pulses, prf, wavelength):
    # pulse-pair Doppler: the angle of the lag-one autocorrelation along slow time
    r1 = np.sum(pulses[1:] * np.conj(pulses[:-1]), axis=0)
    fd = np.angle(r1) * prf / (2 * np.pi)
    return fd, fd * wavelength / 2


def unwrap_phase_velocity(iq, dt):
    # instantaneous frequency from the unwrapped phase
    ph = np.unwrap(np.angle(iq))
    return ph, np.diff(ph) / (2 * np.pi * dt)


def unwrap_by_hand(phase):
    # the textbook unwrap: wrap the differences to [-pi, pi), cumulative correction
    d = np.diff(phase)
    dd = np.mod(d + np.pi, 2 * np.pi) - np.pi
    dd[(dd == -np.pi) & (d > 0)] = np.pi
    correction = np.cumsum(dd - d)
    out = phase.copy()
    out[1:] += correction
    return out


def unwrap_period(phase_deg):
    return np.unwrap(phase_deg, period=360), np.unwrap(np.deg2rad(phase_deg), discont=4.0)


def ca_cfar_loop(x, num_train, num_guard, pfa):
    # CA-CFAR over each cell under test by slice sums (the branch-free form)
    n = len(x)
    alpha = num_train * (pfa ** (-1 / num_train) - 1)
    half_t, half_g = num_train // 2, num_guard // 2
    side = half_t + half_g
    threshold = np.zeros(n)
    for i in range(side, n - side):
        sum1 = np.sum(x[i - side:i + side + 1])
        sum2 = np.sum(x[i - half_g:i + half_g + 1])
        threshold[i] = alpha * (sum1 - sum2) / num_train
    return threshold, (x > threshold) & (threshold > 0)


def ca_cfar_cumsum(x, num_train, num_guard, pfa):
    # the same thresholds from one cumulative sum
    half_t, half_g = num_train // 2, num_guard // 2
    side = half_t + half_g
    alpha = num_train * (pfa ** (-1 / num_train) - 1)
    c = np.concatenate([[0.0], np.cumsum(x)])
    i = np.arange(side, len(x) - side)
    outer = c[i + side + 1] - c[i - side]
    inner = c[i + half_g + 1] - c[i - half_g]
    thr = alpha * (outer - inner) / num_train
    det = np.zeros(len(x), dtype=bool)
    det[side:len(x) - side] = x[side:len(x) - side] > thr
    return thr, det


def ca_cfar_convolve(x, num_train, num_guard, pfa):
    # the kernel form: ones for training cells, zeros for guard and test cells
    half_t, half_g = num_train // 2, num_guard // 2
    kernel = np.ones(2 * (half_t + half_g) + 1)
    kernel[half_t:half_t + 2 * half_g + 1] = 0
    kernel /= kernel.sum()
    noise = np.convolve(x, kernel, mode="same")
    alpha = num_train * (pfa ** (-1 / num_train) - 1)
    return noise * alpha, x > noise * alpha


def go_so_cfar(x, num_train, num_guard):
    # greatest-of and smallest-of CFAR from leading and lagging windows (sliding_window_view)
    half_t, half_g = num_train // 2, num_guard // 2
    w = np.lib.stride_tricks.sliding_window_view(x, 2 * (half_t + half_g) + 1)
    lead = w[:, :half_t].mean(axis=1)
    lag = w[:, -half_t:].mean(axis=1)
    return np.maximum(lead, lag), np.minimum(lead, lag)


def os_cfar(x, num_train, num_guard, k):
    # ordered-statistic CFAR: the k-th smallest training cell by np.sort of each window
    half_t, half_g = num_train // 2, num_guard // 2
    w = np.lib.stride_tricks.sliding_window_view(x, 2 * (half_t + half_g) + 1)
    train = np.concatenate([w[:, :half_t], w[:, -half_t:]], axis=1)
    return np.sort(train, axis=1)[:, k], np.partition(train, k, axis=1)[:, k]


def cfar_2d_fft(rd, guard, train):
    # 2-D CA-CFAR: the training-cell sum by FFT convolution with a ring kernel
    size = 2 * (guard + train) + 1
    kernel = np.ones((size, size))
    kernel[train:train + 2 * guard + 1, train:train + 2 * guard + 1] = 0
    kernel /= kernel.sum()
    K = np.fft.fft2(kernel, s=rd.shape)
    noise = np.real(np.fft.ifft2(np.fft.fft2(rd) * K))
    noise = np.roll(noise, (-(size // 2), -(size // 2)), axis=(0, 1))
    return noise, rd > 4.0 * noise


def cfar_2d_loops(rd, guard, train, scale):
    # 2-D CA-CFAR by nested loops over cells, the guard box subtracted from the window sum
    n_r, n_d = rd.shape
    g, t = guard, guard + train
    out = np.zeros_like(rd)
    n_cells = (2 * t + 1) ** 2 - (2 * g + 1) ** 2
    for i in range(t, n_r - t):
        for j in range(t, n_d - t):
            total = rd[i - t:i + t + 1, j - t:j + t + 1].sum()
            guard_sum = rd[i - g:i + g + 1, j - g:j + g + 1].sum()
            out[i, j] = scale * (total - guard_sum) / n_cells
    return out


def ambiguity_function(x, doppler_bins):
    # the narrowband ambiguity surface: one correlation per Doppler shift
    n = len(x)
    t = np.arange(n)
    out = np.zeros((len(doppler_bins), 2 * n - 1))
    for k, fd in enumerate(doppler_bins):
        shifted = x * np.exp(2j * np.pi * fd * t / n)
        out[k] = np.abs(np.correlate(shifted, x, mode="full"))
    return out / out.max()


def barker_detect(rx, code):
    corr = np.correlate(rx, code, mode="valid")
    return corr, np.argmax(np.abs(corr))


def radar_equation_snr(pt, gain_db, wavelength, rcs, ranges, noise_power):
    g = 10 ** (gain_db / 10)
    pr = pt * g ** 2 * wavelength ** 2 * rcs / ((4 * np.pi) ** 3 * ranges ** 4)
    return 10 * np.log10(pr / noise_power)


def stretch_processing_dechirp(rx, ref):
    return np.fft.fftshift(np.fft.fft(rx * np.conj(ref), norm="ortho"))


def sonar_time_of_flight(echo, fs, c):
    # envelope by abs of the analytic signal (FFT method), peak index to range
    n = len(echo)
    X = np.fft.fft(echo)
    h = np.zeros(n)
    h[0] = 1
    h[1:(n + 1) // 2] = 2
    if n % 2 == 0:
        h[n // 2] = 1
    env = np.abs(np.fft.ifft(X * h))
    return env, np.argmax(env) / fs * c / 2


def cfar_2d_integral_image(rd, guard, train, scale):
    # 2-D CA-CFAR from a summed-area table: window and guard box sums by four corners each
    S = np.pad(rd.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    t, g = guard + train, guard
    w = 2 * t + 1

    def box(size, off):
        return (S[off + size:S.shape[0] - off, off + size:S.shape[1] - off]
                - S[off:S.shape[0] - off - size, off + size:S.shape[1] - off]
                - S[off + size:S.shape[0] - off, off:S.shape[1] - off - size]
                + S[off:S.shape[0] - off - size, off:S.shape[1] - off - size])

    outer = box(w, 0)
    inner = box(2 * g + 1, t - g)
    noise = (outer - inner) / (w ** 2 - (2 * g + 1) ** 2)
    return noise, rd[t:rd.shape[0] - t, t:rd.shape[1] - t] > scale * noise


def rd_peak_cell(rd, prf, fs, c=3e8):
    # the strongest cell by argmax and np.unravel_index, converted to range and velocity
    i, j = np.unravel_index(np.argmax(rd), rd.shape)
    doppler = np.fft.fftshift(np.fft.fftfreq(rd.shape[0], 1 / prf))
    rng = np.arange(rd.shape[1]) * c / (2 * fs)
    return rd[i, j], doppler[i], rng[j]


def rd_peak_neighborhood(rd):
    # the 3 x 3 cells around the peak with the start clipped inside the map
    i, j = np.unravel_index(np.argmax(rd), rd.shape)
    i0 = np.clip(i - 1, 0, rd.shape[0] - 3)
    j0 = np.clip(j - 1, 0, rd.shape[1] - 3)
    return rd[i0:i0 + 3, j0:j0 + 3]


def _target_pulses(s, n_pulses, n_samples):
    r = np.random.default_rng(s)
    t = np.arange(n_samples)
    pulses = np.exp(2j * np.pi * (0.1 * s * np.arange(n_pulses)[:, None] + 0.2 * t / n_samples))
    return pulses + 0.3 * (r.standard_normal((n_pulses, n_samples))
                           + 1j * r.standard_normal((n_pulses, n_samples)))


def _cfar_x(s, n, length=24):
    x = np.abs(_c(length + 2 * n, seed=s)) ** 2
    x[5 + s] += 30
    return x


_CHIRP = lfm_chirp(100.0, 0.16, 40.0)

RADAR = {
    "pulse_compress_convolve": (pulse_compress_convolve, {}, lambda s, n: (
        np.r_[np.zeros(n), _CHIRP, np.zeros(3)] + 0.1 * _c(n + 19, seed=s), _CHIRP)),
    "pulse_compress_fft": (pulse_compress_fft, {}, lambda s, n: (_c(3 * n, seed=s), _CHIRP)),
    "pulse_compress_correlate": (pulse_compress_correlate, {}, lambda s, n: (
        _c(4 * n, seed=s), _c(5, seed=s + 1))),
    "pulse_compress_windowed": (pulse_compress_windowed, {}, lambda s, n: (
        _c(4 * n, seed=s), _c(5, seed=s + 1))),
    "range_doppler_map": (range_doppler_map, {}, lambda s, n: (_target_pulses(s, n, 8),)),
    "range_doppler_fft2": (range_doppler_fft2, {}, lambda s, n: (_target_pulses(s, n, 6),)),
    "fmcw_beat_range": (fmcw_beat_range, {}, lambda s, n: (
        _c(4 * n, seed=s), _c(4 * n, seed=s + 1), 1e6, 1e12)),
    "mti_cancellers": (mti_cancellers, {}, lambda s, n: (_c(n, 5, seed=s),)),
    "integrate_pulses": (integrate_pulses, {}, lambda s, n: (_c(n, 5, seed=s),)),
    "doppler_pulse_pair": (doppler_pulse_pair, {}, lambda s, n: (_target_pulses(s, n, 5),
                                                                 1000.0, 0.03)),
    "unwrap_phase_velocity": (unwrap_phase_velocity, {}, lambda s, n: (
        np.exp(1j * np.cumsum(np.full(4 * n, 2.5 + 0.1 * s))), 1e-3)),
    "unwrap_by_hand": (unwrap_by_hand, {}, lambda s, n: (
        np.angle(np.exp(1j * np.cumsum(2.0 + _u(s, 4 * n)))),)),
    "unwrap_period_discont": (unwrap_period, {}, lambda s, n: (
        np.rad2deg(np.angle(np.exp(1j * np.cumsum(2.0 + _u(s, 4 * n))))),)),
    "ca_cfar_loop": (ca_cfar_loop, {"num_train": 6, "num_guard": 2, "pfa": 1e-3},
                     lambda s, n: (_cfar_x(s, n),)),
    "ca_cfar_cumsum": (ca_cfar_cumsum, {"num_train": 6, "num_guard": 2, "pfa": 1e-3},
                     lambda s, n: (_cfar_x(s, n),)),
    "ca_cfar_convolve": (ca_cfar_convolve, {"num_train": 8, "num_guard": 2, "pfa": 1e-3},
                         lambda s, n: (_cfar_x(s, n),)),
    "go_so_cfar_windows": (go_so_cfar, {"num_train": 6, "num_guard": 2}, lambda s, n: (
        _cfar_x(s, n),)),
    "os_cfar_sort_partition": (os_cfar, {"num_train": 8, "num_guard": 2, "k": 5},
                               lambda s, n: (_cfar_x(s, n),)),
    "cfar_2d_fft_ring": (cfar_2d_fft, {"guard": 1, "train": 2}, lambda s, n: (
        np.abs(_c(n + 6, 10, seed=s)) ** 2,)),
    "cfar_2d_loops": (cfar_2d_loops, {"guard": 1, "train": 1, "scale": 3.0}, lambda s, n: (
        np.abs(_c(n + 2, 6, seed=s)) ** 2,)),
    "cfar_2d_integral_image": (cfar_2d_integral_image, {"guard": 1, "train": 2, "scale": 3.0},
                               lambda s, n: (np.abs(_c(n + 6, 10, seed=s)) ** 2,)),
    "rd_peak_unravel_index": (rd_peak_cell, {}, lambda s, n: (
        np.abs(np.fft.fft2(_target_pulses(s, n, 8))), 1000.0, 1e6)),
    "rd_peak_clipped_neighborhood": (rd_peak_neighborhood, {}, lambda s, n: (
        np.abs(np.fft.fft2(_target_pulses(s, n, 8))),)),
    "ambiguity_function": (ambiguity_function, {}, lambda s, n: (
        _CHIRP[:n + 4], np.array([-1.0, 0.0, 1.0, 2.0]))),
    "barker_detect": (barker_detect, {}, lambda s, n: (
        np.r_[_f(n, seed=s), [1, 1, 1, -1, -1, 1, -1], _f(3, seed=s + 1)] * 1.0,
        np.array([1, 1, 1, -1, -1, 1, -1]))),
    "radar_equation_snr": (radar_equation_snr, {}, lambda s, n: (
        1e3, 30.0, 0.03, 1.0, np.linspace(1e3, 1e4, n), 1e-14)),
    "stretch_dechirp_ortho": (stretch_processing_dechirp, {}, lambda s, n: (
        _c(4 * n, seed=s), _c(4 * n, seed=s + 1))),
    "peak_to_sidelobe_builtin_max": (lambda mf: peak_to_sidelobe(mf), {}, lambda s, n: (
        _c(3 * n, seed=s),)),
    "peak_parabolic_interior": (lambda m: peak_window_parabolic(m), {}, lambda s, n: (
        np.r_[0.1, 3.0 + _u(s, n), 0.2],)),
    "sonar_time_of_flight": (sonar_time_of_flight, {}, lambda s, n: (
        _f(4 * n + 1, seed=s), 48000.0, 1500.0)),
}


@pytest.mark.parametrize("name", _names(RADAR))
def test_radar_and_sonar_processing_matches_numpy(name):
    """LFM chirps, pulse compression by np.convolve/np.correlate/FFT, range-Doppler maps by
    windowed FFTs, FMCW dechirp, MTI, pulse-pair Doppler, phase unwrapping, CA/GO/SO/OS-CFAR by
    loops, cumsums, convolutions and sliding windows, 2-D CFAR, ambiguity functions."""
    check_like_numpy(*RADAR[name])


# ============================================================= array processing and beamforming


def steering_ula(M, d, theta_deg):
    # ULA steering vectors as columns: exp(-j 2 pi d m sin(theta)), d in wavelengths
    m = np.arange(M)[:, None]
    return np.exp(-2j * np.pi * d * m * np.sin(np.deg2rad(theta_deg))[None, :])


def sample_covariance(X):
    # R = X X^H / N over snapshots (sensors x snapshots)
    return X @ X.conj().T / X.shape[1]


def delay_and_sum_pattern(w, M, d, scan_deg):
    A = steering_ula(M, d, scan_deg)
    p = np.abs(w.conj() @ A) ** 2
    return 10 * np.log10(p / p.max())


def bartlett_spectrum(X, scan_deg, d):
    R = sample_covariance(X)
    A = steering_ula(X.shape[0], d, scan_deg)
    return np.real(np.einsum("ij,ik,kj->j", A.conj(), R, A)) / X.shape[0] ** 2


def mvdr_weights(R, a, loading):
    # MVDR: w = R^-1 a / (a^H R^-1 a), diagonal loading by trace / M
    M = R.shape[0]
    Rl = R + loading * np.trace(R).real / M * np.eye(M)
    Ria = np.linalg.solve(Rl, a)
    return Ria / (a.conj() @ Ria)


def mvdr_spectrum(X, scan_deg, d):
    # Capon's spectrum 1 / (a^H R^-1 a) over a grid, R^-1 by np.linalg.inv
    R = sample_covariance(X)
    Ri = np.linalg.inv(R + 1e-3 * np.eye(len(R)))
    A = steering_ula(X.shape[0], d, scan_deg)
    den = np.sum(A.conj() * (Ri @ A), axis=0)
    return 1 / np.abs(den)


def mvdr_loop(X, scan_deg, d):
    # the per-angle loop of textbook Capon code
    R = sample_covariance(X)
    Ri = np.linalg.pinv(R)
    P = np.zeros(len(scan_deg))
    M = X.shape[0]
    for i, th in enumerate(scan_deg):
        a = np.exp(-2j * np.pi * d * np.arange(M) * np.sin(th * np.pi / 180))
        P[i] = 1 / np.real(a.conj().T @ Ri @ a)
    return 10 * np.log10(P / P.max())


def music_spectrum(X, n_sources, scan_deg, d):
    # MUSIC: the noise subspace from eigh (ascending eigenvalues), 1 / ||En^H a||^2
    R = sample_covariance(X)
    w, V = np.linalg.eigh(R)
    En = V[:, :X.shape[0] - n_sources]
    A = steering_ula(X.shape[0], d, scan_deg)
    P = 1 / np.sum(np.abs(En.conj().T @ A) ** 2, axis=0)
    return P, w


def music_peaks(X, n_sources, scan_deg, d):
    # DOAs as the n_sources largest local maxima, the rest masked with -inf
    P, _ = music_spectrum(X, n_sources, scan_deg, d)
    is_peak = np.r_[False, (P[1:-1] > P[:-2]) & (P[1:-1] > P[2:]), False]
    score = np.where(is_peak, P, -np.inf)
    idx = np.argsort(score)[::-1][:n_sources]
    return np.sort(scan_deg[idx])


def music_eig_sorted(X, n_sources, scan_deg, d):
    # MUSIC with np.linalg.eig and an argsort of the eigenvalues, descending
    R = sample_covariance(X)
    w, V = np.linalg.eig(R)
    order = np.argsort(np.abs(w))[::-1]
    En = V[:, order[n_sources:]]
    A = steering_ula(X.shape[0], d, scan_deg)
    return 1 / np.linalg.norm(En.conj().T @ A, axis=0) ** 2


def root_music(X, n_sources, d):
    # root-MUSIC: the polynomial from diagonal sums of En En^H, np.roots, closest inside roots
    M = X.shape[0]
    R = sample_covariance(X)
    _, V = np.linalg.eigh(R)
    En = V[:, :M - n_sources]
    C = En @ En.conj().T
    coeffs = np.array([np.trace(C, offset=k) for k in range(M - 1, -M, -1)])
    roots = np.roots(coeffs)
    dist = np.where(np.abs(roots) < 1, np.abs(np.abs(roots) - 1), np.inf)
    best = roots[np.argsort(dist)[:n_sources]]
    return np.sort(np.rad2deg(np.arcsin(-np.angle(best) / (2 * np.pi * d))))


def esprit(X, n_sources, d):
    # LS-ESPRIT: signal subspace, shift invariance by pinv, eigenvalue phases
    R = sample_covariance(X)
    _, V = np.linalg.eigh(R)
    Us = V[:, -n_sources:]
    Phi = np.linalg.pinv(Us[:-1]) @ Us[1:]
    ev = np.linalg.eigvals(Phi)
    return np.sort(np.rad2deg(np.arcsin(-np.angle(ev) / (2 * np.pi * d))))


def forward_backward(R):
    J = np.fliplr(np.eye(R.shape[0]))
    return 0.5 * (R + J @ R.conj() @ J)


def spatial_smoothing(X, L):
    # forward spatial smoothing over M - L + 1 subarrays of L sensors
    M = X.shape[0]
    R = sample_covariance(X)
    Rs = np.zeros((L, L), dtype=complex)
    for k in range(M - L + 1):
        Rs += R[k:k + L, k:k + L]
    return Rs / (M - L + 1)


def lcmv_weights(R, C, f):
    # LCMV: w = R^-1 C (C^H R^-1 C)^-1 f
    RiC = np.linalg.solve(R, C)
    return RiC @ np.linalg.solve(C.conj().T @ RiC, f)


def gsc_blocking(a):
    # a blocking matrix orthogonal to the look direction: the null space by SVD
    u, s, vh = np.linalg.svd(a[None, :].conj())
    B = vh[1:].conj().T
    return np.abs(a.conj() @ B).max(), B.shape


def gcc_phat(sig, refsig, fs, max_tau, interp):
    # xiongyihui/tdoa gcc_phat: PHAT weighting, irfft with interpolation, max_shift window
    n = sig.shape[0] + refsig.shape[0]
    SIG = np.fft.rfft(sig, n=n)
    REFSIG = np.fft.rfft(refsig, n=n)
    R = SIG * np.conj(REFSIG)
    cc = np.fft.irfft(R / np.abs(R), n=(interp * n))
    max_shift = int(interp * n / 2)
    if max_tau:
        max_shift = np.minimum(int(interp * fs * max_tau), max_shift)
    cc = np.concatenate((cc[-max_shift:], cc[:max_shift + 1]))
    shift = np.argmax(np.abs(cc)) - max_shift
    tau = shift / float(interp * fs)
    return tau, cc


def near_field_delays(mic_pos, src, c, fs):
    # delays in samples from each microphone to a source position, relative to the nearest
    dist = np.linalg.norm(mic_pos - src[None, :], axis=1)
    tau = (dist - dist.min()) / c
    return tau * fs


def das_fractional_delay(signals, delays, fs):
    # delay-and-sum with fractional delays applied as phase ramps in the frequency domain
    n = signals.shape[1]
    f = np.fft.rfftfreq(n, 1 / fs)
    S = np.fft.rfft(signals, axis=1)
    S *= np.exp(-2j * np.pi * f[None, :] * delays[:, None])
    return np.fft.irfft(S.sum(axis=0), n=n) / signals.shape[0]


def doa_snapshots(s, M, n_snap, angles):
    A = steering_ula(M, 0.5, np.asarray(angles))
    r = np.random.default_rng(s)
    S = r.standard_normal((len(angles), n_snap)) + 1j * r.standard_normal((len(angles), n_snap))
    N = 0.1 * (r.standard_normal((M, n_snap)) + 1j * r.standard_normal((M, n_snap)))
    return A @ S + N


_SCAN = np.linspace(-80, 80, 33)

ARRAY = {
    "steering_ula": (steering_ula, {}, lambda s, n: (6, 0.5, np.linspace(-60, 60, n))),
    "sample_covariance": (sample_covariance, {}, lambda s, n: (_c(4, 3 * n, seed=s),)),
    "delay_and_sum_pattern": (delay_and_sum_pattern, {}, lambda s, n: (
        steering_ula(5, 0.5, np.array([10.0 * s]))[:, 0] / 5, 5, 0.5, np.linspace(-90, 90, n))),
    "bartlett_einsum": (bartlett_spectrum, {}, lambda s, n: (
        doa_snapshots(s, 5, 2 * n, [-20, 30]), _SCAN, 0.5)),
    "mvdr_weights_loading": (mvdr_weights, {}, lambda s, n: (
        sample_covariance(doa_snapshots(s, n, 20, [10])), steering_ula(n, 0.5,
                                                                       np.array([10.0]))[:, 0],
        0.01)),
    "mvdr_spectrum_inv": (mvdr_spectrum, {}, lambda s, n: (
        doa_snapshots(s, n, 16, [-20, 30]), _SCAN, 0.5)),
    "mvdr_loop_pinv": (mvdr_loop, {}, lambda s, n: (
        doa_snapshots(s, n, 16, [-20, 30]), np.linspace(-60, 60, 9), 0.5)),
    "music_eigh": (music_spectrum, {}, lambda s, n: (
        doa_snapshots(s, n, 16, [-20, 30]), 2, _SCAN, 0.5)),
    "music_peaks_argsort": (music_peaks, {}, lambda s, n: (
        doa_snapshots(s, n, 32, [-20, 30]), 2, _SCAN, 0.5)),
    "music_eig_argsort": (music_eig_sorted, {}, lambda s, n: (
        doa_snapshots(s, n, 16, [-20, 30]), 2, _SCAN, 0.5)),
    "esprit_pinv_eigvals": (esprit, {}, lambda s, n: (
        doa_snapshots(s, n, 32, [-20, 30]), 2, 0.5)),
    "forward_backward": (forward_backward, {}, lambda s, n: (
        sample_covariance(_c(n, 8, seed=s)),)),
    "spatial_smoothing": (spatial_smoothing, {"L": 3}, lambda s, n: (_c(n, 8, seed=s),)),
    "lcmv_weights": (lcmv_weights, {}, lambda s, n: (
        sample_covariance(doa_snapshots(s, n, 20, [0])) + np.eye(n),
        steering_ula(n, 0.5, np.array([0.0, 40.0])), np.array([1.0, 0.0]))),
    "gsc_blocking_svd": (gsc_blocking, {}, lambda s, n: (steering_ula(n, 0.5, np.array(
        [15.0 * s]))[:, 0],)),
    "gcc_phat": (gcc_phat, {"fs": 16000, "max_tau": 0.0005, "interp": 4}, lambda s, n: (
        np.roll(_f(8 * n, seed=s), 2 + s), _f(8 * n, seed=s))),
    "near_field_delays": (near_field_delays, {}, lambda s, n: (
        _f(n, 3, seed=s), np.array([1.0, 2.0, 0.5 * s]), 343.0, 16000.0)),
    "das_fractional_delay": (das_fractional_delay, {}, lambda s, n: (
        _f(3, 4 * n, seed=s), np.array([0.0, 1.5e-4, 3e-4]), 8000.0)),
}


@pytest.mark.parametrize("name", _names(ARRAY))
def test_beamforming_and_doa_match_numpy(name):
    """ULA steering vectors, delay-and-sum and Bartlett, MVDR by solve/inv/pinv with diagonal
    loading, MUSIC by eigh and eig, peak picking by argsort, ESPRIT, forward-backward and spatial
    smoothing, LCMV, GSC blocking by SVD, GCC-PHAT and frequency-domain delay-and-sum."""
    check_like_numpy(*ARRAY[name])


# =============================================================== jitted methods of modem objects


class Modem:
    """commpy.modulation.Modem: the constellation behind a property whose setter derives m and
    num_bits_symbol; hard decisions by argmin, soft ones by the exact LLR loops."""

    def __init__(self, constellation, reorder_as_gray=True):
        if reorder_as_gray:
            m = int(np.log2(len(constellation)))
            gray = gray_code_table(m)
            self.constellation = np.array(constellation)[gray.argsort()]
        else:
            self.constellation = constellation

    @property
    def constellation(self):
        return self._constellation

    @constellation.setter
    def constellation(self, value):
        num_bits_symbol = np.log2(len(value))
        if num_bits_symbol != int(num_bits_symbol):
            raise ValueError("Constellation length must be a power of 2.")
        self._constellation = np.array(value)
        self.m = self._constellation.size
        self.num_bits_symbol = int(num_bits_symbol)
        self.Es = signal_power_vectorize(self.constellation)

    def modulate(self, input_bits):
        index = bitarray2dec_rows(input_bits, self.num_bits_symbol)
        return self._constellation[index]

    def demodulate(self, input_symbols, demod_type, noise_var=0):
        if demod_type == "hard":
            index_list = abs(input_symbols - self._constellation[:, None]).argmin(0)
            return dec2bitarray_vec(index_list, self.num_bits_symbol)
        elif demod_type == "soft":
            return demod_soft_commpy(input_symbols, self._constellation, noise_var,
                                     self.num_bits_symbol)
        raise ValueError("demod_type must be 'hard' or 'soft'")


class PSKModem(Modem):
    def __init__(self, m):
        super().__init__(np.exp(1j * np.arange(0, 2 * np.pi, 2 * np.pi / m)))


class QAMModem(Modem):
    def __init__(self, m):
        num_symb_pam = int(np.sqrt(m))
        mapping_array = np.arange(1, num_symb_pam + 1) * 2 - num_symb_pam - 1
        constellation = np.tile(np.hstack((mapping_array, mapping_array[::-1])),
                                num_symb_pam // 2) * 1j + mapping_array.repeat(num_symb_pam)
        super().__init__(constellation)


class StreamingFIR:
    """A block FIR filter keeping its delay line between calls (`self.zi`)."""

    def __init__(self, taps):
        self.taps = np.asarray(taps, dtype=float)
        self.zi = np.zeros(len(taps) - 1)

    def process(self, x):
        buf = np.concatenate([self.zi, x])
        y = np.convolve(buf, self.taps, mode="valid")
        self.zi = buf[-(len(self.taps) - 1):]
        return y


class NCO:
    """A numerically controlled oscillator: the phase a Python float carried between blocks."""

    def __init__(self, freq, fs):
        self.phase = 0.0
        self.step = 2 * np.pi * freq / fs

    def mix(self, x):
        n = np.arange(len(x))
        out = x * np.exp(-1j * (self.phase + self.step * n))
        self.phase = (self.phase + self.step * len(x)) % (2 * np.pi)
        return out


class Scrambler:
    """An LFSR scrambler object: the register an array written in place per bit."""

    def __init__(self, seed):
        self.state = np.array(seed)

    def __call__(self, bits):
        out = np.empty_like(bits)
        for i in range(len(bits)):
            fb = self.state[6] ^ self.state[3]
            out[i] = bits[i] ^ fb
            self.state[1:] = self.state[:-1].copy()
            self.state[0] = fb
        return out


class CACFAR:
    """A CA-CFAR detector object: integer window sizes as attributes, alpha from pfa."""

    def __init__(self, num_train=8, num_guard=2, pfa=1e-3):
        self.num_train, self.num_guard = num_train, num_guard
        self.alpha = num_train * (pfa ** (-1 / num_train) - 1)

    def detect(self, x):
        half_t, half_g = self.num_train // 2, self.num_guard // 2
        kernel = np.ones(2 * (half_t + half_g) + 1)
        kernel[half_t:half_t + 2 * half_g + 1] = 0
        noise = np.convolve(x, kernel / self.num_train, mode="same")
        return x > self.alpha * noise


class AGC:
    """A feedback AGC: the gain updated per sample, a Python float kept between calls."""

    def __init__(self, target=1.0, rate=0.05):
        self.gain = 1.0
        self.target, self.rate = target, rate

    def run(self, x):
        y = np.zeros_like(x)
        for n in range(len(x)):
            y[n] = self.gain * x[n]
            self.gain = self.gain + self.rate * (self.target - np.abs(y[n]))
        return y


class ViterbiDecoder:
    """A decoder object holding its trellis tables, decoding soft LLR blocks."""

    def __init__(self, G):
        self.prev_states, self.prev_bits, self.out_prev = _prev_tables(np.asarray(G))

    def decode(self, llr):
        return viterbi_soft_vectorized(llr, self.prev_states, self.prev_bits, self.out_prev)


class OFDMModem:
    """An OFDM modem object: sizes as ints, pilot positions and values as arrays."""

    def __init__(self, K=16, cp=4, n_pilots=4):
        self.K, self.cp = K, cp
        self.pilot_idx = np.arange(0, K, K // n_pilots)
        self.data_idx = np.delete(np.arange(K), self.pilot_idx)
        self.pilot_val = np.exp(1j * np.pi / 4) * np.ones(n_pilots)
        self.H = np.ones(K, dtype=complex)

    def modulate(self, data):
        grid = np.zeros((len(data) // len(self.data_idx), self.K), dtype=complex)
        grid[:, self.data_idx] = data.reshape(-1, len(self.data_idx))
        grid[:, self.pilot_idx] = self.pilot_val
        x = np.fft.ifft(grid, axis=1)
        return np.hstack([x[:, -self.cp:], x]).ravel()

    def demodulate(self, y):
        Y = np.fft.fft(y.reshape(-1, self.K + self.cp)[:, self.cp:], axis=1)
        Hp = Y[:, self.pilot_idx] / self.pilot_val
        k = np.arange(self.K)
        self.H = np.interp(k, self.pilot_idx, Hp.mean(axis=0).real) + 1j * np.interp(
            k, self.pilot_idx, Hp.mean(axis=0).imag)
        return (Y / self.H)[:, self.data_idx].ravel()


class RangeDopplerProcessor:
    """A radar processor object: windows built once, maps computed per coherent interval."""

    def __init__(self, n_pulses, n_samples):
        self.range_window = np.hanning(n_samples)
        self.doppler_window = np.hamming(n_pulses)
        self.last_peak_db = -np.inf

    def process(self, cube):
        rng = np.fft.fft(cube * self.range_window, axis=1)
        rd = np.fft.fftshift(np.fft.fft(rng * self.doppler_window[:, None], axis=0), axes=0)
        mag = 20 * np.log10(np.abs(rd) + 1e-12)
        self.last_peak_db = mag.max()
        return mag


class MVDRBeamformer:
    """A beamformer object whose covariance is averaged over calls (exponential forgetting)."""

    def __init__(self, M, d=0.5, forget=0.9):
        self.M, self.d, self.forget = M, d, forget
        self.R = np.eye(M, dtype=complex)

    def weights(self, X, look_deg):
        self.R = self.forget * self.R + (1 - self.forget) * X @ X.conj().T / X.shape[1]
        a = np.exp(-2j * np.pi * self.d * np.arange(self.M) * np.sin(np.deg2rad(look_deg)))
        Ria = np.linalg.solve(self.R, a)
        return Ria / (a.conj() @ Ria)


class LinkSimulator:
    """A simulator object holding a mapper object whose class keeps the lookup table."""

    def __init__(self):
        self.mapper = QAM16Mapper()
        self.gain = 2.0

    def run(self, bits):
        return self.gain * self.mapper.map(bits)


METHODS = {
    "psk_modem.modulate": (lambda: PSKModem(8), "modulate", lambda s: (_bits(12, s),)),
    "qam_modem.modulate": (lambda: QAMModem(16), "modulate", lambda s: (_bits(16, s),)),
    "qam_modem.demodulate_hard": (lambda: QAMModem(16), "demodulate", lambda s: (
        _c(5, seed=s) * 2, "hard")),
    "psk_modem.demodulate_soft": (lambda: PSKModem(4), "demodulate", lambda s: (
        _c(3, seed=s), "soft", 0.5)),
    "streaming_fir.process": (lambda: StreamingFIR([0.25, 0.5, 0.25]), "process",
                              lambda s: (_f(6, seed=s),)),
    "nco.mix": (lambda: NCO(100.0, 1000.0), "mix", lambda s: (_c(5, seed=s),)),
    "scrambler.call": (lambda: Scrambler([1, 0, 1, 1, 0, 1, 1]), None,
                       lambda s: (_bits(6, s),)),
    "ca_cfar.detect": (lambda: CACFAR(8, 2, 1e-3), "detect", lambda s: (_cfar_x(s, 2),)),
    "agc.run": (lambda: AGC(), "run", lambda s: (_f(5, seed=s),)),
    "viterbi.decode": (lambda: ViterbiDecoder(_G_CONV), "decode", lambda s: (
        _soft_code(s, 3),)),
    "ofdm_modem.modulate": (lambda: OFDMModem(), "modulate", lambda s: (_c(24, seed=s),)),
    "ofdm_modem.demodulate": (lambda: OFDMModem(), "demodulate", lambda s: (
        _c(40, seed=s),)),
    "range_doppler.process": (lambda: RangeDopplerProcessor(4, 8), "process", lambda s: (
        _target_pulses(s, 4, 8),)),
    "mvdr.weights": (lambda: MVDRBeamformer(4), "weights", lambda s: (
        doa_snapshots(s, 4, 10, [20]), 20.0)),
    "qam16_mapper.map_class_table": (lambda: QAM16Mapper(), "map", lambda s: (_bits(8, s),)),
    "link_simulator.nested_mapper_table": (LinkSimulator, "run", lambda s: (_bits(8, s),)),
}


@pytest.mark.parametrize("name", _names(METHODS))
def test_jitted_methods_of_modem_and_radar_objects(name):
    """commpy's Modem/PSKModem/QAMModem with their property-backed constellations, streaming
    FIR, NCO, scrambler, AGC and Viterbi objects carrying state between calls, an OFDM modem,
    a range-Doppler processor and an MVDR beamformer averaging its covariance."""
    check_method_state(*METHODS[name])



# ============================================== module-level globals (DSPIllustrations' OFDM)

K = 16                                   # subcarriers
CP = K // 4                              # cyclic prefix length
P = 4                                    # pilot carriers
pilotValue = 3 + 3j
allCarriers = np.arange(K)
pilotCarriers = allCarriers[::K // P]
pilotCarriers = np.hstack([pilotCarriers, np.array([allCarriers[-1]])])
P = P + 1
dataCarriers = np.delete(allCarriers, pilotCarriers)
mu = 4
payloadBits_per_OFDM = len(dataCarriers) * mu
channelResponse = np.array([1, 0, 0.3 + 0.3j])
SNRdb = 25
mapping_table = {
    (0, 0, 0, 0): -3 - 3j, (0, 0, 0, 1): -3 - 1j, (0, 0, 1, 0): -3 + 3j, (0, 0, 1, 1): -3 + 1j,
    (0, 1, 0, 0): -1 - 3j, (0, 1, 0, 1): -1 - 1j, (0, 1, 1, 0): -1 + 3j, (0, 1, 1, 1): -1 + 1j,
    (1, 0, 0, 0): 3 - 3j, (1, 0, 0, 1): 3 - 1j, (1, 0, 1, 0): 3 + 3j, (1, 0, 1, 1): 3 + 1j,
    (1, 1, 0, 0): 1 - 3j, (1, 1, 0, 1): 1 - 1j, (1, 1, 1, 0): 1 + 3j, (1, 1, 1, 1): 1 + 1j,
}
demapping_table = {v: k for k, v in mapping_table.items()}
QAM16_TABLE = np.array(list(mapping_table.values()))
QAM16_BITS = np.array(list(mapping_table.keys()))


def SP(bits):
    return bits.reshape((len(dataCarriers), mu))


def Mapping(bits):
    return np.array([mapping_table[tuple(b)] for b in bits])


def Mapping_table_lookup(bits):
    # the vectorized form: the 4-bit label as an index into a module-level table
    return QAM16_TABLE[bits @ np.array([8, 4, 2, 1])]


def OFDM_symbol(QAM_payload):
    symbol = np.zeros(K, dtype=complex)
    symbol[pilotCarriers] = pilotValue
    symbol[dataCarriers] = QAM_payload
    return symbol


def IDFT(OFDM_data):
    return np.fft.ifft(OFDM_data)


def addCP(OFDM_time):
    cp = OFDM_time[-CP:]
    return np.hstack([cp, OFDM_time])


def channel(signal, noise_re, noise_im):
    convolved = np.convolve(signal, channelResponse)
    signal_power = np.mean(abs(convolved ** 2))
    sigma2 = signal_power * 10 ** (-SNRdb / 10)
    noise = np.sqrt(sigma2 / 2) * (noise_re[:len(convolved)] + 1j * noise_im[:len(convolved)])
    return convolved + noise


def removeCP(signal):
    return signal[CP:(CP + K)]


def DFT(OFDM_RX):
    return np.fft.fft(OFDM_RX)


def channelEstimate(OFDM_demod):
    pilots = OFDM_demod[pilotCarriers]
    Hest_at_pilots = pilots / pilotValue
    Hest_abs = np.interp(allCarriers, pilotCarriers, abs(Hest_at_pilots))
    Hest_phase = np.interp(allCarriers, pilotCarriers, np.angle(Hest_at_pilots))
    return Hest_abs * np.exp(1j * Hest_phase)


def equalize(OFDM_demod, Hest):
    return OFDM_demod / Hest


def get_payload(equalized):
    return equalized[dataCarriers]


def Demapping(QAM):
    constellation = np.array([x for x in demapping_table.keys()])
    dists = abs(QAM.reshape((-1, 1)) - constellation.reshape((1, -1)))
    const_index = dists.argmin(axis=1)
    hardDecision = constellation[const_index]
    return np.vstack([demapping_table[C] for C in hardDecision]), hardDecision


def Demapping_table_lookup(QAM):
    dists = abs(QAM.reshape((-1, 1)) - QAM16_TABLE.reshape((1, -1)))
    const_index = dists.argmin(axis=1)
    return QAM16_BITS[const_index], QAM16_TABLE[const_index]


def PS(bits):
    return bits.reshape((-1,))


def ofdm_link(bits, noise_re, noise_im):
    # the whole example with the table lookups: bits in, bit errors and the estimate out
    QAM = Mapping_table_lookup(SP(bits))
    OFDM_TX = addCP(IDFT(OFDM_symbol(QAM)))
    OFDM_RX = channel(OFDM_TX, noise_re, noise_im)
    OFDM_demod = DFT(removeCP(OFDM_RX))
    Hest = channelEstimate(OFDM_demod)
    QAM_est = get_payload(equalize(OFDM_demod, Hest))
    PS_est, hardDecision = Demapping_table_lookup(QAM_est)
    bits_est = PS(PS_est)
    return np.sum(abs(bits - bits_est)) / len(bits), Hest


class QAM16Mapper:
    """Class-level tables, used through `self`, the class name and a classmethod's `cls`."""

    TABLE = QAM16_TABLE
    WEIGHTS = np.array([8, 4, 2, 1])

    def map(self, bits):
        return self.TABLE[bits.reshape(-1, 4) @ self.WEIGHTS]

    @staticmethod
    def map_static(bits):
        return QAM16Mapper.TABLE[bits.reshape(-1, 4) @ QAM16Mapper.WEIGHTS]

    @classmethod
    def map_cls(cls, bits):
        return cls.TABLE[bits.reshape(-1, 4) @ cls.WEIGHTS]


def _payload_bits(s):
    return _bits(payloadBits_per_OFDM, s)


GLOBALS = {
    "SP_PS": (lambda b: PS(SP(b)), {}, lambda s, n: (_payload_bits(s),)),
    "mapping_module_table": (Mapping_table_lookup, {}, lambda s, n: (
        _bits(4 * n, s).reshape(-1, 4),)),
    "OFDM_symbol_globals": (OFDM_symbol, {}, lambda s, n: (_c(len(dataCarriers), seed=s),)),
    "IDFT_addCP": (lambda d: addCP(IDFT(d)), {}, lambda s, n: (_c(K, seed=s),)),
    "channel_given_noise": (channel, {}, lambda s, n: (_c(K + CP, seed=s), _f(30, seed=s),
                                                       _f(30, seed=s + 1))),
    "removeCP_DFT": (lambda x: DFT(removeCP(x)), {}, lambda s, n: (_c(K + CP + 2, seed=s),)),
    "channelEstimate_interp": (channelEstimate, {}, lambda s, n: (_c(K, seed=s) + 3,)),
    "equalize_get_payload": (lambda d, h: get_payload(equalize(d, h)), {}, lambda s, n: (
        _c(K, seed=s), _c(K, seed=s + 1) + 2)),
    "demapping_module_table": (Demapping_table_lookup, {}, lambda s, n: (
        _rx(s, n, QAM16_TABLE, 0.3),)),
    "ofdm_link_end_to_end": (ofdm_link, {}, lambda s, n: (_payload_bits(s), _f(30, seed=s),
                                                          _f(30, seed=s + 1))),
    "class_table_object_made_inside": (lambda b: QAM16Mapper().map(b), {}, lambda s, n: (_bits(4 * n, s),)),
    "class_table_object_argument": (lambda b, mapper: mapper.map(b), {}, lambda s, n: (
            _bits(4 * n, s), QAM16Mapper())),
    "class_table_staticmethod": (QAM16Mapper.map_static, {}, lambda s, n: (_bits(4 * n, s),)),
    "class_table_classmethod": (QAM16Mapper.map_cls, {}, lambda s, n: (_bits(4 * n, s),)),
}


@pytest.mark.parametrize("name", _names(GLOBALS))
def test_module_level_parameters_and_tables_match_numpy(name):
    """DSPIllustrations' OFDM example as written: K, CP, pilot and data carriers, the channel
    response and SNR as module globals, its SP/PS, IDFT, addCP, channel, removeCP, DFT,
    channelEstimate, equalize and get_payload, and 16-QAM mapping and demapping through
    module-level and class-level tables."""
    check_like_numpy(*GLOBALS[name])


# ---------------------------------------------------------------- steered by Python scalars


def rcosfilter(N, alpha, Ts, Fs):
    # commpy.filters.rcosfilter: a loop over samples with the singular points by `if`
    T_delta = 1 / float(Fs)
    time_idx = ((np.arange(N) - N / 2)) * T_delta
    sample_num = np.arange(N)
    h_rc = np.zeros(N, dtype=float)
    for x in sample_num:
        t = (x - N / 2) * T_delta
        if t == 0.0:
            h_rc[x] = 1.0
        elif alpha != 0 and t == Ts / (2 * alpha):
            h_rc[x] = (np.pi / 4) * (np.sin(np.pi * t / Ts) / (np.pi * t / Ts))
        elif alpha != 0 and t == -Ts / (2 * alpha):
            h_rc[x] = (np.pi / 4) * (np.sin(np.pi * t / Ts) / (np.pi * t / Ts))
        else:
            h_rc[x] = (np.sin(np.pi * t / Ts) / (np.pi * t / Ts)) * \
                (np.cos(np.pi * alpha * t / Ts) / (1 - (((2 * alpha * t) / Ts)
                                                        * ((2 * alpha * t) / Ts))))
    return time_idx, h_rc


def rrcosfilter(N, alpha, Ts, Fs):
    # commpy.filters.rrcosfilter
    T_delta = 1 / float(Fs)
    time_idx = ((np.arange(N) - N / 2)) * T_delta
    sample_num = np.arange(N)
    h_rrc = np.zeros(N, dtype=float)
    for x in sample_num:
        t = (x - N / 2) * T_delta
        if t == 0.0:
            h_rrc[x] = 1.0 - alpha + (4 * alpha / np.pi)
        elif alpha != 0 and t == Ts / (4 * alpha):
            h_rrc[x] = (alpha / np.sqrt(2)) * (((1 + 2 / np.pi) * (np.sin(np.pi / (4 * alpha))))
                                               + ((1 - 2 / np.pi) * (np.cos(np.pi
                                                                            / (4 * alpha)))))
        elif alpha != 0 and t == -Ts / (4 * alpha):
            h_rrc[x] = (alpha / np.sqrt(2)) * (((1 + 2 / np.pi) * (np.sin(np.pi / (4 * alpha))))
                                               + ((1 - 2 / np.pi) * (np.cos(np.pi
                                                                            / (4 * alpha)))))
        else:
            h_rrc[x] = (np.sin(np.pi * t * (1 - alpha) / Ts)
                        + 4 * alpha * (t / Ts) * np.cos(np.pi * t * (1 + alpha) / Ts)) / \
                (np.pi * t * (1 - (4 * alpha * t / Ts) * (4 * alpha * t / Ts)) / Ts)
    return time_idx, h_rrc


def shape_with_rcos(symbols, N, alpha, Ts, Fs):
    # upsample by Ts * Fs, filter by commpy's raised cosine
    sps = int(Ts * Fs)
    _, h = rcosfilter(N, alpha, Ts, Fs)
    return np.convolve(upsample_zeros(symbols, sps), h)


def shape_with_rrcos_matched(symbols, N, alpha, Ts, Fs):
    sps = int(Ts * Fs)
    _, h = rrcosfilter(N, alpha, Ts, Fs)
    y = np.convolve(np.convolve(upsample_zeros(symbols, sps), h), h)
    return y[N - 1:N - 1 + len(symbols) * sps:sps]


def sqrt_rc_imp(Ns, alpha, M=6):
    # sk-dsp-comm digitalcom.sqrt_rc_imp: `Ns *= 1.0`, a loop with an eps test per tap
    n = np.arange(-M * Ns, M * Ns + 1)
    b = np.zeros(len(n))
    Ns *= 1.0
    a = alpha
    for i in range(len(n)):
        if abs(1 - 16 * a ** 2 * (n[i] / Ns) ** 2) <= np.finfo(np.float64).eps / 2:
            b[i] = 1 / 2. * ((1 + a) * np.sin((1 + a) * np.pi / (4. * a))
                             - (1 - a) * np.cos((1 - a) * np.pi / (4. * a))
                             + (4 * a) / np.pi * np.sin((1 - a) * np.pi / (4. * a)))
        else:
            b[i] = 4 * a / (np.pi * (1 - 16 * a ** 2 * (n[i] / Ns) ** 2))
            b[i] = b[i] * (np.cos((1 + a) * np.pi * n[i] / Ns) + np.sinc((1 - a) * n[i] / Ns)
                           * (1 - a) * np.pi / (4. * a))
    return b


def rc_imp(Ns, alpha, M=6):
    # sk-dsp-comm digitalcom.rc_imp
    n = np.arange(-M * Ns, M * Ns + 1)
    b = np.zeros(len(n))
    a = alpha
    Ns *= 1.0
    for i in range(len(n)):
        if (1 - 4 * (a * n[i] / Ns) ** 2) == 0:
            b[i] = np.pi / 4 * np.sinc(1 / (2. * a))
        else:
            b[i] = np.sinc(n[i] / Ns) * np.cos(np.pi * a * n[i] / Ns) / (1 - 4 * (a * n[i] / Ns)
                                                                         ** 2)
    return b


def mpsk_waveform(data, Ns, M, pulse="rect", alpha=0.25, MM=6):
    # sk-dsp-comm MPSK_bb with its symbols given: the pulse chosen by a string, b by Ns
    x0 = np.exp(1j * 2 * np.pi / M * data)
    x = upsample_hstack(x0, Ns)
    if pulse.lower() == "rect":
        b = np.ones(int(Ns))
    elif pulse.lower() == "rc":
        b = rc_imp(Ns, alpha, MM)
    elif pulse.lower() == "src":
        b = sqrt_rc_imp(Ns, alpha, MM)
    else:
        raise ValueError("pulse type must be rec, rc, or src")
    return np.convolve(x, b)[:len(x)] / float(Ns), b


def generated_chirp_compress(rx, fs, T, B):
    ref = lfm_chirp(fs, T, B)
    return np.abs(np.correlate(rx, ref, mode="same"))


def qam_link(bits, M, snr_db, noise):
    # M-QAM by order M: modulate, AWGN at snr_db per symbol, hard decisions, bit errors
    k = int(np.log2(M))
    const = qam_constellation(M)
    sym = qam_modulate(bits, const)
    n0 = 10 ** (-snr_db / 10)
    y = sym + np.sqrt(n0 / 2) * noise[:len(sym)]
    idx = np.argmin(np.abs(y[:, None] - const), axis=1)
    bits_hat = ((idx[:, None] >> np.arange(k - 1, -1, -1)) & 1).ravel()
    return np.sum(bits_hat != bits)


def psk_ber_sweep(bits, M, snr_min, snr_max, step, noise):
    # a BER sweep over range(snr_min, snr_max, step) in dB with one noise array reused
    k = int(np.log2(M))
    sym = psk_constellation_mod(bits, M)
    idx_tx = bits.reshape(-1, k) @ (1 << np.arange(k - 1, -1, -1))
    const = np.exp(1j * 2 * np.pi * np.arange(M) / M)
    ser = []
    for snr_db in range(snr_min, snr_max, step):
        y = sym + np.sqrt(10 ** (-snr_db / 10) / 2) * noise[:len(sym)]
        gray_hat = np.argmin(np.abs(y[:, None] - const), axis=1)
        idx_hat = gray_decode(gray_hat, k)
        ser.append(np.mean(idx_hat != idx_tx))
    return np.array(ser)


def tone_block(x, fs, duration, f0):
    # a tone of int(fs * duration) samples mixed with the head of x
    n = int(fs * duration)
    t = np.arange(n) / fs
    return x[:n] * np.exp(2j * np.pi * f0 * t)


def hamming_code_r(data, r):
    # a (2^r - 1, 2^r - r - 1) Hamming code built from r: H's columns are 1..n in binary
    n = 2 ** r - 1
    k = n - r
    H = ((np.arange(1, n + 1)[None, :] >> np.arange(r)[:, None]) & 1)
    parity_cols = [c for c in range(n) if (c + 1) & c]
    P = H[:, parity_cols].T
    G = np.hstack([np.eye(k, dtype=int), P])
    code = (data.reshape(-1, k) @ G) % 2
    H_sys = np.hstack([P.T, np.eye(r, dtype=int)])
    return code, (code @ H_sys.T) % 2


def conv_code_K(bits, K):
    # a rate-1/2 code of constraint length K: generators from the standard octal pair
    gens = {3: (0o7, 0o5), 5: (0o23, 0o35), 7: (0o171, 0o133)}[K]
    G = np.array([[(g >> (K - 1 - j)) & 1 for j in range(K)] for g in gens])
    return conv_encode_np_convolve(bits, G)


def snr_threshold_branch(x, noise, snr_db):
    # `if snr_db >= 100: noiseless` as link-level simulators write it
    if snr_db >= 100:
        return x.copy()
    return x + 10 ** (-snr_db / 20) * noise


def cfar_positional(x, num_train, num_guard, rate_fa):
    return ca_cfar_cumsum(x, num_train, num_guard, rate_fa)


STEERED = {
    "lfm_chirp_fs_T_B": (lfm_chirp, lambda s: (100.0 + 10 * s, 0.1, 30.0)),
    "commpy_rcosfilter": (rcosfilter, lambda s: (16 + 2 * s, 0.25 * s, 1.0, 4.0)),
    "commpy_rrcosfilter": (rrcosfilter, lambda s: (16 + 2 * s, 0.25 * s, 1.0, 4.0)),
    "commpy_rcos_shape": (shape_with_rcos, lambda s: (_f(5, seed=s), 17, 0.35, 1.0, 4.0)),
    "commpy_rrcos_matched": (shape_with_rrcos_matched, lambda s: (
        _rx(s, 6, _QAM16, 0), 17 + 4 * s, 0.25, 1.0, 4.0)),
    "skdsp_sqrt_rc_imp": (sqrt_rc_imp, lambda s: (4, 0.25 * s, 3)),
    "skdsp_rc_imp": (rc_imp, lambda s: (4, 0.25 * s, 3)),
    "skdsp_mpsk_rect": (mpsk_waveform, lambda s: (_i(4, 6, seed=s), 4, 4, "rect")),
    "skdsp_mpsk_src": (mpsk_waveform, lambda s: (_i(8, 6, seed=s), 4, 8, "src", 0.35, 3)),
    "skdsp_mpsk_rc": (mpsk_waveform, lambda s: (_i(4, 6, seed=s), 2 + s, 4, "rc", 0.5, 2)),
    "chirp_generated_in_fn": (generated_chirp_compress, lambda s: (
        _c(40, seed=s), 100.0, 0.1 + 0.05 * s, 30.0)),
    "qam_link_order_M": (qam_link, lambda s: (_bits(24, s), 4 ** (s + 1) if s < 3 else 16,
                                              8.0 + s, _c(12, seed=s))),
    "psk_ber_sweep_range": (psk_ber_sweep, lambda s: (_bits(24, s), 8, 0, 4 * s + 1, 2,
                                                      _c(8, seed=s))),
    "tone_int_fs_duration": (tone_block, lambda s: (_c(40, seed=s), 100.0, 0.1 * s + 0.1,
                                                    7.0)),
    "hamming_code_r": (hamming_code_r, lambda s: (_bits(4 * 11, s), 2 + 2 * s // 2)),
    "conv_code_constraint_K": (conv_code_K, lambda s: (_bits(10, s), 3 + 2 * s)),
    "snr_threshold_branch": (snr_threshold_branch, lambda s: (
        _f(6, seed=s), _f(6, seed=s + 1), 100.0 if s == 1 else 10.0)),
    "cfar_positional_sizes": (cfar_positional, lambda s: (_cfar_x(s, 2), 4 + 2 * s, 2, 1e-3)),
    "upsample_hstack_float_L": (upsample_hstack, lambda s: (_f(5, seed=s), 2.0 + s)),
    "downsample_positional": (downsample_skdsp, lambda s: (_f(13, seed=s), 2 + s, s - 1)),
    "gcc_phat_max_tau": (gcc_phat, lambda s: (np.roll(_f(16, seed=s), s), _f(16, seed=s),
                                              8000, 0.001 * (s - 1), 2)),
    "eye_traces_positional": (eye_traces, lambda s: (_f(40, seed=s), 4, s)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_comms_code_are_made_static(name):
    """commpy's rcosfilter/rrcosfilter and sk-dsp-comm's rc_imp/sqrt_rc_imp (loops with `if`
    on the time of each tap), MPSK_bb's pulse by string, modulation orders, SNR sweeps by
    `range`, sample counts by `int(fs * T)`, code sizes and CFAR windows: jit makes the Python
    scalars static and gives NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def ca_cfar_peaks(x, num_train, num_guard, rate_fa):
    # the well-known CA-CFAR loop: local-maximum `continue`, `if x[i] > threshold: append`
    num_cells = x.size
    num_train_half = round(num_train / 2)
    num_guard_half = round(num_guard / 2)
    num_side = num_train_half + num_guard_half
    alpha = num_train * (rate_fa ** (-1 / num_train) - 1)
    peak_idx = []
    for i in range(num_side, num_cells - num_side):
        if i != i - num_side + np.argmax(x[i - num_side:i + num_side + 1]):
            continue
        sum1 = np.sum(x[i - num_side:i + num_side + 1])
        sum2 = np.sum(x[i - num_guard_half:i + num_guard_half + 1])
        p_noise = (sum1 - sum2) / num_train
        threshold = alpha * p_noise
        if x[i] > threshold:
            peak_idx.append(i)
    return np.array(peak_idx, dtype=int)


def cfar_detection_indices(x):
    # detections as indices: np.where of the mask
    thr, det = ca_cfar_cumsum(x, 6, 2, 1e-3)
    return np.where(det)[0]


def cfar_detections_nonzero_2d(rd):
    noise, det = cfar_2d_fft(rd, 1, 2)
    r_idx, d_idx = np.nonzero(det)
    return r_idx, d_idx


def peak_window_parabolic(mag):
    # parabolic interpolation on the three bins around the peak: `mag[k - 1:k + 2]`
    k = np.argmax(mag)
    y0, y1, y2 = mag[k - 1:k + 2]
    p = 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)
    return k + p


def peak_window_slice(mag, half):
    k = np.argmax(mag)
    return mag[k - half:k + half + 1].sum()


def from_bin(bin_array):
    # sk-dsp-comm digitalcom.from_bin: `int(np.dot(...))`
    width = len(bin_array)
    bin_wgts = 2 ** np.arange(width - 1, -1, -1)
    return int(np.dot(bin_array, bin_wgts))


def to_bin(data, width):
    data_str = bin(data & (2 ** width - 1))[2:].zfill(width)
    return [int(x) for x in data_str]


def pcm_encode(x, N_bits):
    # sk-dsp-comm digitalcom.PCM_encode: to_bin of each quantized sample
    xq = np.int16(np.rint(x * 2 ** (N_bits - 1)))
    x_bits = np.zeros((N_bits, len(xq)))
    for k, xk in enumerate(xq):
        x_bits[:, k] = to_bin(xk, N_bits)
    return np.reshape(x_bits, (1, len(x) * N_bits), "F")


def fec_conv_encoder(input, state, G_polys=("111", "101")):
    # sk-dsp-comm fec_conv.conv_encoder: states as strings, `int(input[n])` per bit
    output = []
    constraint_length = len(G_polys[0])
    for n in range(len(input)):
        u1 = int(input[n])
        u2 = int(input[n])
        for m in range(1, constraint_length):
            if int(G_polys[0][m]) == 1:
                u1 = u1 ^ int(state[m - 1])
            if int(G_polys[1][m]) == 1:
                u2 = u2 ^ int(state[m - 1])
        output = np.hstack((output, [u1, u2]))
        state = bin(int(input[n]))[-1] + state[:-1]
    return output, state


@functools.lru_cache(maxsize=128, typed=False)
def decimal2bitarray(number, bit_width):
    # commpy.utilities.decimal2bitarray: cached by the number, a `while` over its bits
    result = np.zeros(bit_width, np.int8)
    i = 1
    pox = 0
    while i <= number:
        if i & number:
            result[bit_width - pox - 1] = 1
        i <<= 1
        pox += 1
    return result


def dec2bitarray_commpy(in_number, bit_width):
    result = np.zeros(bit_width * len(in_number), np.int8)
    for pox, number in enumerate(in_number):
        result[pox * bit_width:(pox + 1) * bit_width] = decimal2bitarray(number,
                                                                         bit_width).copy()
    return result


def skdsp_bit_errors(tx_data, rx_data, Ncorr=16):
    # sk-dsp-comm bit_errors: align by the correlation lag, `if max_lag > 0` slices
    Rx = np.correlate(2 * rx_data[:Ncorr] - 1.0, 2 * tx_data[:Ncorr] - 1.0, "full")
    lags = np.arange(-Ncorr + 1, Ncorr)
    max_lag = lags[np.argmax(np.abs(Rx))]
    if max_lag > 0:
        tx_data = tx_data[:-max_lag]
        rx_data = rx_data[max_lag:]
    elif max_lag < 0:
        tx_data = tx_data[-max_lag:]
        rx_data = rx_data[:max_lag]
    return np.sum(tx_data ^ rx_data), len(tx_data)


def viterbi_acs_if(received, next_state, outputs):
    # the add-compare-select with a Python `if m < new_pm[ns]`
    n_states = next_state.shape[0]
    r = received.reshape(-1, outputs.shape[2])
    pm = np.full(n_states, 1e9)
    pm[0] = 0.0
    for t in range(len(r)):
        new_pm = np.full(n_states, 1e9)
        for s in range(n_states):
            for b in range(2):
                ns = next_state[s, b]
                m = pm[s] + np.sum(r[t] != outputs[s, b])
                if m < new_pm[ns]:
                    new_pm[ns] = m
        pm = new_pm
    return pm


def crc_if_division(bits, poly):
    # the textbook CRC: `if reg[i]:` XOR the generator
    n = len(poly) - 1
    reg = np.concatenate([bits, np.zeros(n, dtype=bits.dtype)])
    for i in range(len(bits)):
        if reg[i]:
            reg[i:i + n + 1] ^= poly
    return reg[-n:]


def ber_until_errors(bits, noise, min_errors):
    # simulate until enough errors: `while errors < min_errors`
    errors, k = 0, 0
    while errors < min_errors and k < len(noise):
        y = (1 - 2.0 * bits) + noise[k]
        errors += np.sum((y < 0) != bits)
        k += 1
    return errors, k


def music_mdl_order(X, scan_deg, thr):
    # the source count from eigenvalues above a threshold slices the noise subspace
    R = sample_covariance(X)
    w, V = np.linalg.eigh(R)
    n_sources = np.sum(w > thr)
    En = V[:, :len(w) - n_sources]
    A = steering_ula(X.shape[0], 0.5, scan_deg)
    return 1 / np.sum(np.abs(En.conj().T @ A) ** 2, axis=0)


def unique_decisions(y, const):
    idx = np.argmin(np.abs(y[:, None] - const), axis=1)
    return np.unique(idx)


def peak_to_sidelobe(mf):
    # builtin max over a traced array's elements
    mag = np.abs(mf)
    return 20 * np.log10(max(mag) / np.sort(mag)[-2])


@dataclasses.dataclass
class RadarParams:
    fs: float
    prf: float
    window: np.ndarray
    n_fft: int


def range_doppler_params(cube, p):
    # a parameter dataclass holding a window array and an FFT size
    return np.abs(np.fft.fft(cube * p.window[:, None], n=p.n_fft, axis=0)) * p.prf / p.fs


class PulseParams(typing.NamedTuple):
    sps: int
    beta: float
    taps: np.ndarray


def shape_with_params(x, p):
    up = np.zeros(len(x) * p.sps)
    up[::p.sps] = x
    return np.convolve(up, p.taps * p.beta)


def ofdm_demod_out(rx, out):
    # NumPy 2's `out=` of np.fft.fft into a preallocated grid
    np.fft.fft(rx[:, 2:], axis=1, out=out)
    return out


def _peak_last(s):
    m = np.abs(_f(8, seed=s)) * 0.5
    m[-1] = 3.0
    return (m,)


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "ca_cfar_peaks_append": (_Concretization, ca_cfar_peaks, lambda s: (_cfar_x(s, 2), 6, 2,
                                                                      1e-3)),
    "cfar_detection_where": (_DataDependent, cfar_detection_indices, lambda s: (
        _cfar_x(s, 2),)),
    "cfar_2d_nonzero": (_DataDependent, cfar_detections_nonzero_2d, lambda s: (
        np.abs(_c(8, 10, seed=s)) ** 2,)),
    "root_music_np_roots": (_DataDependent, root_music, lambda s: (
        doa_snapshots(s, 5, 32, [-20, 30]), 2, 0.5)),
    "dspillustrations_mapping_dict": (_Concretization, Mapping, lambda s: (
        SP(_payload_bits(s)),)),
    "dspillustrations_demapping_dict": (_Concretization, Demapping, lambda s: (
        _rx(s, 6, QAM16_TABLE, 0.3),)),
    "radar_params_dataclass_with_window": (_Concretization, range_doppler_params, lambda s: (
        _target_pulses(s, 4, 6), RadarParams(1e6, 1e3, np.hanning(4), 8))),
    "pulse_params_namedtuple_with_taps": (_Concretization, shape_with_params, lambda s: (
        _f(5, seed=s), PulseParams(4, 0.5, np.ones(3)))),
    "ofdm_fft_out_buffer": (tracenp.UnsupportedFunctionError, ofdm_demod_out, lambda s: (
        _c(3, 10, seed=s), np.empty((3, 8), dtype=complex))),
    "peak_window_slice_at_start": (_DataDependent, lambda m: peak_window_slice(m, 2),
                                   lambda s: (np.r_[3.0, np.abs(_f(7, seed=s)) * 0.5],)),
    "peak_window_slice_at_end": (_DataDependent, lambda m: peak_window_slice(m, 2), _peak_last),
    "skdsp_pcm_encode_bin": (_Concretization, pcm_encode, lambda s: (_f(4, seed=s) * 0.4, 4)),
    "skdsp_fec_conv_strings": (_Concretization, fec_conv_encoder, lambda s: (_bits(6, s),
                                                                            "00")),
    "commpy_dec2bitarray_lru_cache": (_Concretization, dec2bitarray_commpy, lambda s: (
        _i(8, 5, seed=s), 3)),
    "skdsp_bit_errors_lag_if": (_Concretization, skdsp_bit_errors, lambda s: (
        _bits(24, s), np.roll(_bits(24, s), s))),
    "viterbi_acs_python_if": (_Concretization, viterbi_acs_if, lambda s: (
        _noisy_code(s, 2),) + _trellis(_G_CONV)),
    "crc_if_division": (_Concretization, crc_if_division, lambda s: (_bits(8, s),
                                                                     np.array([1, 0, 1, 1]))),
    "ber_while_errors": (_Concretization, ber_until_errors, lambda s: (
        _bits(10, s), _f(20, 10, seed=s), 5)),
    "music_order_from_eigenvalues": (_DataDependent, music_mdl_order, lambda s: (
        doa_snapshots(s, 5, 32, [-20, 30]), _SCAN, 0.5)),
    "unique_decisions": (_DataDependent, unique_decisions, lambda s: (
        _rx(s, 6, _PSK8), _PSK8)),
}


def test_a_three_bin_window_past_the_end_raises_numpys_unpacking_error_under_fallback():
    """`y0, y1, y2 = mag[k - 1:k + 2]` with the peak in the last bin: NumPy's slice has two
    elements and the unpacking raises ValueError. jit raises DataDependentShapeError (the
    gather went out of bounds first: a plain IndexError); under `fallback=True` NumPy's
    ValueError."""
    with pytest.raises(_DataDependent):
        tracenp.jit(peak_window_parabolic)(*_peak_last(1))
    with pytest.warns(tracenp.TracingFallbackWarning), pytest.raises(ValueError,
                                                                     match="unpack"):
        tracenp.jit(peak_window_parabolic, fallback=True)(*_peak_last(1))


@pytest.mark.parametrize("name", _names(REFUSED))
def test_value_dependent_comms_code_is_refused(name):
    """The CA-CFAR peak loop with `continue` and `append`, detections by np.where/np.nonzero,
    root-MUSIC's np.roots, windows around a peak at the edges, sk-dsp-comm's PCM_encode,
    string-state fec_conv and bit_errors, commpy's lru_cached decimal2bitarray, Python
    `if`/`while` in ACS, CRC and BER loops and the model order from eigenvalues: the named
    error, and NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])


# ------------------------------------------------------------------ hot-path forms
# (their cached-call times are in the stop notes: no timing assertions in unit tests)


def apply_noise_var(y, noise_var):
    # LLRs scaled by a noise variance the caller computed with np.mean: an np.float64
    return 2 * y / noise_var


def rotate_by(y, phasor):
    # a phase correction by a complex scalar (`pilot_value = 3 + 3j`, `np.exp(1j * phi)`)
    return y * np.conj(phasor) / abs(phasor)


def sum_of_branches(branches):
    # equal-gain combining of two per-antenna arrays passed as a list
    return branches[0] + branches[1]


def mrc(ys, hs):
    # maximal-ratio combining over lists of per-antenna samples and channel estimates
    num = sum(np.conj(h) * y for h, y in zip(hs, ys))
    den = sum(np.abs(h) ** 2 for h in hs)
    return num / den


OVERHEAD = {
    "python_float_noise_var": (apply_noise_var, lambda: (_f(64), 0.25)),
    "np_float64_noise_var": (apply_noise_var, lambda: (
        _f(64), np.mean(np.abs(_f(64)) ** 2))),
    "np_float32_noise_var": (apply_noise_var, lambda: (
        _f(64).astype(np.float32), np.float32(0.25))),
    "python_complex_phasor": (rotate_by, lambda: (_c(64), 3 + 3j)),
    "np_complex128_phasor": (rotate_by, lambda: (_c(64), np.exp(0.3j))),
    "zero_d_array_phasor": (rotate_by, lambda: (_c(64), np.array(np.exp(0.3j)))),
    "list_of_antenna_arrays_one_add": (sum_of_branches, lambda: ([_c(64), _c(64)],)),
    "tuple_of_antenna_arrays_one_add": (sum_of_branches, lambda: ((_c(64), _c(64)),)),
    "mrc_lists_of_antennas": (mrc, lambda: ([_c(64, seed=k) for k in range(3)],
                                            [_c(64, seed=9 + k) for k in range(3)])),
    "mrc_tuples_of_antennas": (mrc, lambda: (tuple(_c(64, seed=k) for k in range(3)),
                                             tuple(_c(64, seed=9 + k) for k in range(3)))),
}


@pytest.mark.parametrize("name", _names(OVERHEAD))
def test_cached_calls_with_scalar_arguments_match_numpy(name):
    """Comms code passes noise variances and SNRs computed by NumPy (np.float64), complex
    pilot values and phasors, and lists of per-antenna arrays: NumPy's values on the first
    call and on cached ones, one trace."""
    fn, make = OVERHEAD[name]
    args = make()
    jf = tracenp.jit(fn)
    for _ in range(3):
        assert_same(jf(*args), fn(*args))
    assert jf.cache_info().misses == 1


def delay_line(x, L):
    # a pure delay of L - 1 samples through a shifted delay line
    line = np.zeros(L)
    y = np.zeros(len(x))
    for n in range(len(x)):
        line[1:] = line[:-1]
        line[0] = x[n]
        y[n] = line[-1]
    return y


def delay_line_average(x, L):
    # a moving average through a shifted delay line, as sample-by-sample DSP code writes it
    line = np.zeros(L)
    y = np.zeros(len(x))
    for n in range(len(x)):
        line[1:] = line[:-1]
        line[0] = x[n]
        y[n] = line.mean()
    return y


LOOP_SPEED = {
    "fir_direct_form_shift_register": (fir_direct_form, lambda: (
        _f(8), _f(256, seed=1))),
    "delay_line": (lambda x: delay_line(x, 8), lambda: (_f(256, seed=1),)),
    "delay_line_average": (lambda x: delay_line_average(x, 8), lambda: (_f(256, seed=1),)),
    "iir_direct_form_loop": (iir_lfilter_loop, lambda: (
        np.array([0.2, 0.3, 0.2]), np.array([1.0, -0.5, 0.25]), _f(256, seed=1))),
    "costas_loop": (costas_qpsk, lambda: (_c(256, seed=1), 0.1, 0.01)),
    "ca_cfar_loop_slices": (lambda x: ca_cfar_loop(x, 16, 4, 1e-3), lambda: (
        np.abs(_c(256, seed=1)) ** 2,)),
}


@pytest.mark.parametrize("name", _names(LOOP_SPEED))
def test_sample_loops_of_256_steps_match_numpy(name):
    """Sample-by-sample loops (delay lines, IIR recursions, a Costas loop, CA-CFAR over
    cells) unroll to NumPy's values."""
    fn, make = LOOP_SPEED[name]
    args = make()
    assert_same(tracenp.jit(fn)(*args), fn(*args), rtol=1e-7)


CONVOLVE_SPEED = {
    "pulse_shape_64_by_8_taps": (lambda x, h: np.convolve(x, h), lambda: (
        _f(64, seed=1), _f(8))),
    "matched_filter_256_by_8_taps_same": (lambda x, h: np.convolve(x, h[::-1], "same"), lambda: (
            _f(256, seed=1), _f(8))),
    "complex_4096_by_8_taps": (lambda x, h: np.convolve(x, h), lambda: (
        _c(4096, seed=1), _f(8))),
    "chirp_4096_by_32_taps": (lambda x, h: np.convolve(x, np.conj(h[::-1])), lambda: (
        _c(4096, seed=1), _c(32))),
}


@pytest.mark.parametrize("name", _names(CONVOLVE_SPEED))
def test_convolutions_with_short_kernels_match_numpy(name):
    """Pulse shaping and matched filtering by np.convolve with an 8- or 32-tap kernel."""
    fn, make = CONVOLVE_SPEED[name]
    args = make()
    assert_same(tracenp.jit(fn)(*args), fn(*args), rtol=1e-7)
