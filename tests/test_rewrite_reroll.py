"""Reroll: a loop writing one row per iteration becomes one computation on all rows.

Each loop is written as NumPy users write it. Under jit it must give NumPy's values and
dtype, bit for bit on the NumPy reference backend (the rewrite computes each element with
the same ops on the same values) and to rounding on the LLVM backend; the rule must fire
where the copies are one graph up to the row they read, and must not where they are not.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tracenp
from test_rewrite_simplify import assert_bitwise
from tracenp import ir
from tracenp.bench import pairwise_loops
from tracenp.ops import Op

RULE = "concat(f(X[i0 + k*d]) for k) -> f(X[i0::d])  (an unrolled loop's rows, batched)"


def row_norms(X):
    out = np.empty(X.shape[0])
    for i in range(X.shape[0]):
        out[i] = np.sqrt((X[i] ** 2).sum())
    return out


def pairwise(X, Y):
    out = np.empty((X.shape[0], Y.shape[0]))
    for i in range(X.shape[0]):
        out[i] = np.sqrt(((X[i] - Y) ** 2).sum(axis=1))
    return out


def every_other_range(X):
    out = np.zeros(X.shape[0] // 2)
    for k, i in enumerate(range(1, X.shape[0] - 1, 2)):
        out[k] = X[i].max() - X[i].min()
    return out


def standardize_rows(X):
    out = np.empty_like(X)
    for i in range(len(X)):
        row = X[i]
        out[i] = (row - row.mean()) / (row.std() + 1e-12)
    return out


def clip_and_count(X, lo):
    out = np.zeros((X.shape[0], 2), dtype=np.int64)
    for i in range(X.shape[0]):
        out[i] = [(X[i] < lo).sum(), np.where(X[i] > -lo, 1, 0).sum()]
    return out


def stacked(X):
    return np.stack([np.tanh(X[i]) * 2.0 for i in range(0, X.shape[0], 3)])


def int_rows(X):
    out = np.zeros(X.shape[0], dtype=np.int32)
    for i in range(X.shape[0]):
        out[i] = (X[i] * 3 + 1).astype(np.int32).max()
    return out


def columns(X):
    out = np.empty(X.shape[1])
    for j in range(X.shape[1]):
        out[j] = X[:, j].sum()
    return out


def column_stacked(X):
    return np.column_stack([np.maximum(X[i], 0.0) * 2.0 for i in range(len(X))])


def comprehension(X):
    return np.array([np.abs(row).max() - row.min() for row in X])


def symmetric_fill(X):
    n = X.shape[0]
    K = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            K[i, j] = np.exp(-np.sum((X[i] - X[j]) ** 2)) if j >= i else K[j, i]
    return K


def differences_after_a_first(x):
    d = np.empty(x.shape[0])
    d[0] = x[0]
    for i in range(1, x.shape[0]):
        d[i] = x[i] - x[i - 1]
    return d


def window_scores(X):
    """A position weight matrix slid along a sequence (bioinformatics' motif scores)."""
    seq = (np.abs(X[:, 0]) * 3).astype(np.int64) % 4
    table = X[:3, :4]
    scores = np.zeros(len(seq) - 2)
    for i in range(len(seq) - 2):
        scores[i] = table[np.arange(3), seq[i:i + 3]].sum()
    return scores


def euclidean(x1, x2):
    """ML-From-Scratch's distance: element by element, `math.sqrt` of a Python sum."""
    distance = 0
    for i in range(len(x1)):
        distance += pow((x1[i] - x2[i]), 2)
    return math.sqrt(distance)


ROLLED = [
    ("a first element set before the loop", differences_after_a_first,
     lambda X: (X[:, 0].copy(),)),
    ("two loops writing D[i, j]", pairwise_loops, lambda X: (X,)),
    ("np.column_stack of rows", column_stacked, lambda X: (X,)),
    ("np.array of a comprehension over rows", comprehension, lambda X: (X,)),
    ("row norms", row_norms, lambda X: (X,)),
    ("pairwise distances", pairwise, lambda X: (X, X[:3] * 2.0)),
    ("every other row of a range", every_other_range, lambda X: (X,)),
    ("standardize rows", standardize_rows, lambda X: (X,)),
    ("np.stack of every third row", stacked, lambda X: (X,)),
    ("integer casts", int_rows, lambda X: (X,)),
    ("rows read backwards", lambda X: np.stack([X[i] + 1.0 for i in range(len(X) - 1, -1, -1)]),
     lambda X: (X,)),
    ("uneven rows", lambda X: np.stack([X[i].sum() for i in (0, 1, 3)]), lambda X: (X,)),
    ("columns, read as one gather", columns, lambda X: (X,)),
    ("sliding windows gathering from a table", window_scores, lambda X: (X,)),
    ("elements of each row, summed in Python", lambda X: np.array(
        [np.sqrt(sum((X[0, k] - x[k]) ** 2 for k in range(X.shape[1]))) for x in X]),
     lambda X: (X,)),
    ("math.sqrt of an element-wise distance to each row, its checks too",
     lambda X: np.array([euclidean(X[0], x) for x in X]), lambda X: (X,)),
    ("a transposed row", lambda X: np.stack([X[i][None, :].T[:, 0] * 2.0 for i in range(len(X))]),
     lambda X: (X,)),
]

KEPT = [  # the copies differ in more than the row they read: the loop stays as traced
    ("the index used as a number", lambda X: np.stack([X[i] * i for i in range(len(X))])),
    ("a different op per row", lambda X: np.stack([np.sin(X[0]), np.cos(X[1])])),
    ("a draw per row", lambda X: np.stack([X[i] + np.random.rand() for i in range(len(X))])),
]


def _data(shape=(7, 5), seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
@pytest.mark.parametrize("name,fn,args", ROLLED, ids=[r[0] for r in ROLLED])
def test_a_loop_over_rows_is_one_computation_with_numpys_values(name, fn, args, backend):
    jf = tracenp.jit(fn, backend=backend)
    for seed, shape in ((1, (7, 5)), (2, (7, 5)), (3, (10, 4))):
        a = args(_data(shape, seed))
        got, want = jf(*a), fn(*a)
        if backend == "numpy":
            assert_bitwise(got, want)
        else:
            assert got.dtype == want.dtype
            np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)
    report = jf.compiled(*args(_data())).report["rewrites"]
    assert RULE in [f.rule for f in report]
    assert str(jf.graph(*args(_data()))).count(" concat ") <= (name == ROLLED[0][0])


def test_a_loop_reading_back_what_it_wrote():
    """`K[i, j] = K[j, i]` below the diagonal reads earlier writes: NumPy's values."""
    X = _data((6, 3))
    np.testing.assert_array_equal(tracenp.jit(symmetric_fill, backend="numpy")(X),
                                  symmetric_fill(X))
    np.testing.assert_allclose(tracenp.jit(symmetric_fill)(X), symmetric_fill(X), rtol=1e-14)


def test_a_loop_writing_integer_lists_per_row():
    X = _data()
    got = tracenp.jit(clip_and_count)(X, 0.5)
    np.testing.assert_array_equal(got, clip_and_count(X, 0.5))


@pytest.mark.parametrize("name,fn", KEPT, ids=[k[0] for k in KEPT])
def test_copies_that_differ_in_more_than_their_row_are_kept(name, fn):
    X = _data()
    np.random.seed(5)
    want = fn(X)
    np.random.seed(5)
    jf = tracenp.jit(fn, backend="numpy")
    assert_bitwise(jf(X), want)
    rules = [f.rule for f in jf.compiled(X).report["rewrites"]]
    assert RULE not in rules


def _recurrence(x):
    h = np.zeros(())
    out = []
    for i in range(x.shape[0]):
        h = h * 0.9 + x[i]
        out.append(h)
    return np.stack(out)


def _long_body(X):
    out = np.empty(X.shape[0])
    for i in range(X.shape[0]):
        v = X[i]
        for _ in range(300):
            v = v * 0.99 + 0.01
        out[i] = v.sum()
    return out


def test_long_recurrences_and_long_bodies_trace_without_deep_recursion():
    """Each copy of a recurrence reads the one before: seen to differ within `_MAX_DEPTH`
    ops. A body longer than that keeps its loop; both give NumPy's values."""
    x = _data((1500,))
    np.testing.assert_allclose(tracenp.jit(_recurrence)(x), _recurrence(x), rtol=1e-12)
    X = _data((12, 3))
    np.testing.assert_allclose(tracenp.jit(_long_body)(X), _long_body(X), rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(hnp.arrays(np.float64, st.tuples(st.integers(2, 6), st.integers(1, 5)),
                  elements=st.floats(-1e6, 1e6)),
       st.sampled_from(["add", "multiply", "maximum", "hypot", "arctan2"]),
       st.integers(1, 3))
def test_random_row_bodies_match_numpy(X, ufunc, step):
    """A row body of one ufunc of the row with a shared row, a reduction, and a cast."""
    f = getattr(np, ufunc)
    shared = np.linspace(-2.0, 3.0, X.shape[1])

    def body(X):
        out = np.empty((len(range(0, X.shape[0], step)), 2), dtype=np.float32)
        for k, i in enumerate(range(0, X.shape[0], step)):
            v = f(X[i], shared)
            out[k] = [v.sum(), v.min()]
        return out

    assert_bitwise(tracenp.jit(body, backend="numpy")(X), body(X))


def _gauss_seidel(T):
    for _ in range(3):
        for i in range(1, T.shape[0] - 1):
            for j in range(1, T.shape[1] - 1):
                T[i, j] = 0.25 * (T[i + 1, j] + T[i - 1, j] + T[i, j + 1] + T[i, j - 1])
    return T


def test_a_point_recurrence_is_kept_and_found_before_the_batch_walk():
    """Gauss-Seidel's `T[i, j]` reads the `T[i, j - 1]` just written: `_reads` finds the
    copy before among a copy's nearest nodes, and the loop is kept without the batch's walk
    through every copy's history (a 10x10 plate's first call took 2.8 s, then 1.6 s)."""
    from tracenp.rewrite.reroll import _reads

    T = np.pad(np.zeros((5, 4)), 1, constant_values=((100.0, 0), (0, 0)))
    jf = tracenp.jit(_gauss_seidel)
    assert_bitwise(jf(T.copy()), _gauss_seidel(T.copy()))
    assert RULE not in [f.rule for f in jf.compiled(T).report["rewrites"]]
    a = ir.leaf_input("a", np.float64, ())
    b = ir.Node.make(Op.MULTIPLY, (a, ir.const(np.float64(0.5))))
    c = ir.Node.make(Op.ADD, (b, ir.const(np.float64(1.0))))
    assert _reads(c, a) and not _reads(a, c)
