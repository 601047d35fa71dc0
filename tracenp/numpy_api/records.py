"""Structured arrays of traced values: each field a traced array.

A catalogue or an agent table kept as one array of records (`np.zeros(n, dtype=[("x", "f8"),
("w", "i8")])`, `np.recarray`) is read and written by field (`cat["ra"]`, `cat.ra`,
`agents["x"] = ...`) and by record (`cat[m]`, `cat[i]["ra"]`, `np.sort(cat, order="mag")`).
A trace holds one as a `TracedRecords`: its dtype and one traced array per field, of the
records' shape (and the field's own subarray shape). A structured argument is traced as its
fields (`pytree`), each a view of the caller's array, so a field written in place reaches
the caller as in NumPy; a structured constant (made in the function, or a global) has
constant fields; returned, one is NumPy's structured array (a record, `np.void`).
Anything that would read its memory (a view as another dtype, its bytes) is refused by name.
"""

from __future__ import annotations

import numpy as np

from .. import errors, lax

_NP_COPY, _NP_SORT, _NP_ARGSORT = np.copy, np.sort, np.argsort  # (NumPy's, which dispatch)
_NP_SHAPE, _NP_NDIM, _NP_SIZE = np.shape, np.ndim, np.size
_NP_LIKE = {np.zeros_like: np.zeros, np.empty_like: np.zeros, np.ones_like: np.ones}


def is_structured(value) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.names is not None


class TracedRecords:
    """A structured array in a trace: `dtype`, the records' `shape`, a traced array per
    field (`fields`), and whether it is a `np.recarray` (its fields are attributes too)."""

    __slots__ = ("dtype", "shape", "fields", "recarray")

    def __init__(self, dtype: np.dtype, shape: tuple, fields: dict, recarray: bool = False):
        object.__setattr__(self, "dtype", np.dtype(dtype))
        object.__setattr__(self, "shape", tuple(shape))
        object.__setattr__(self, "fields", fields)
        object.__setattr__(self, "recarray", recarray)

    @classmethod
    def of(cls, value: np.ndarray) -> "TracedRecords":
        """A structured NumPy array as constant fields."""
        return cls(value.dtype, value.shape, {n: lax.lift(np.ascontiguousarray(value[n]))
                                              for n in value.dtype.names},
                   isinstance(value, np.recarray))

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape)))
    names = property(lambda self: self.dtype.names)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def _field(self, name: str):
        if name not in self.fields:
            raise ValueError(f"no field of name {name}")
        return self.fields[name]

    def __getitem__(self, key):
        if isinstance(key, str):
            return self._field(key)
        if isinstance(key, list) and key and all(isinstance(k, str) for k in key):
            for k in key:
                self._field(k)
            return TracedRecords(np.dtype([(k, self.dtype.fields[k][0]) for k in key]),
                                 self.shape, {k: self.fields[k] for k in key}, self.recarray)
        parts = {n: f[key] for n, f in self.fields.items()}
        first = parts[self.names[0]]
        if not lax.is_tracer(first):  # a selection by a traced mask: its fields are ones
            return _Selected(self.dtype, parts)
        sub = self.dtype.fields[self.names[0]][0].shape
        return TracedRecords(self.dtype, first.shape[:first.ndim - len(sub)], parts,
                             self.recarray)

    def __setitem__(self, key, value):
        """A field set by name, or records set by index from records or a tuple per record;
        each written into its field array in place (an argument's reaches the caller)."""
        if isinstance(key, str):
            field = self._field(key)
            field[...] = value
            return
        if isinstance(value, (TracedRecords, np.ndarray)) and getattr(
                value, "dtype", None) is not None and value.dtype.names is not None:
            values = {n: value[n] for n in value.dtype.names}
        elif isinstance(value, tuple) and len(value) == len(self.names):
            values = dict(zip(self.names, value))
        else:
            raise errors.unsupported("setting records of a traced structured array to "
                                     f"{type(value).__name__} (set each field by name)")
        for n in self.names:
            self.fields[n][key] = values[n]

    def __getattr__(self, name: str):
        if self.recarray and name in self.fields:
            return self.fields[name]
        if name.startswith("__"):
            raise AttributeError(name)
        raise errors.unsupported(f"x.{name} of a traced structured array (its fields, by "
                                 "name, trace)")

    def __setattr__(self, name: str, value) -> None:
        if self.recarray and name in self.fields:
            self[name] = value
            return
        raise errors.unsupported(f"setting x.{name} of a traced structured array")

    def _compare(self, other, combine):
        """NumPy's record comparison: records of a common dtype (NumPy's TypeError
        otherwise) compared field by field (a subarray field over all of its elements)."""
        if isinstance(other, (np.ndarray, np.void)) and other.dtype.names is not None:
            other = TracedRecords.of(np.asarray(other))
        if not isinstance(other, TracedRecords):
            raise errors.unsupported(f"comparing a traced structured array to "
                                     f"{type(other).__name__}")
        try:
            np.result_type(self.dtype, other.dtype)
        except TypeError:
            raise TypeError("Cannot compare structured arrays unless they have a common "
                            "dtype.  I.e. `np.result_type(arr1, arr2)` must be defined.") from None
        out = None
        for n in self.names:
            pair = self.fields[n] == other.fields[n] if combine is np.logical_and else (
                self.fields[n] != other.fields[n])
            sub = len(self.dtype.fields[n][0].shape)
            if sub:
                axes = tuple(range(pair.ndim - sub, pair.ndim))
                pair = pair.all(axis=axes) if combine is np.logical_and else pair.any(axis=axes)
            out = pair if out is None else combine(out, pair)
        return out

    def __eq__(self, other):
        return self._compare(other, np.logical_and)

    def __ne__(self, other):
        return self._compare(other, np.logical_or)

    __hash__ = None

    def copy(self, order="C") -> "TracedRecords":
        return TracedRecords(self.dtype, self.shape, {n: f.copy() for n, f in self.fields.items()},
                             self.recarray)

    def argsort(self, axis=-1, kind=None, order=None):
        """Records ordered by the fields of `order` (then by the rest, as NumPy's)."""
        if self.ndim != 1 or axis not in (-1, 0):
            raise errors.unsupported("argsort of a traced structured array other than 1-d")
        order = [order] if isinstance(order, str) else list(order or ())
        names = order + [n for n in self.names if n not in order]
        keys = []  # a subarray field compares element by element
        for n in names:
            f = self.fields[n].reshape(len(self), -1)
            keys += [f[:, j] for j in range(f.shape[1])]
        return np.lexsort(keys[::-1])

    def sort(self, axis=-1, kind=None, order=None) -> None:
        self[...] = self[self.argsort(axis, kind, order)]

    def __array__(self, *args, **kwargs):
        raise errors.unsupported("a traced structured array converted to a NumPy array (read "
                                 "its fields by name)")

    def __array_function__(self, func, types, args, kwargs):
        if func is _NP_COPY:
            return args[0].copy()
        if func in _NP_LIKE and args[0] is self and not kwargs and len(args) == 1:
            return TracedRecords.of(_NP_LIKE[func](self.shape, self.dtype))
        if func is _NP_SORT and args and args[0] is self:
            out = self.copy()
            out.sort(*args[1:], **kwargs)
            return out
        if func is _NP_ARGSORT and args and args[0] is self:
            return self.argsort(*args[1:], **kwargs)
        if func is _NP_SHAPE:
            return self.shape
        if func is _NP_NDIM:
            return self.ndim
        if func is _NP_SIZE and len(args) == 1:
            return self.size
        raise errors.unsupported(f"np.{func.__name__} of a traced structured array")

    def _tracenp_flatten(self):
        return (self.dtype, self.shape, self.recarray), [self.fields[n] for n in self.names]

    @staticmethod
    def _tracenp_unflatten(aux, children):
        """A structured argument inside the trace, or NumPy's structured array of results."""
        dtype, shape, recarray = aux
        if lax.holds_tracer(children):
            return TracedRecords(dtype, shape, dict(zip(dtype.names, children)), recarray)
        out = np.empty(shape, dtype)
        for name, value in zip(dtype.names, children):
            out[name] = value
        if not shape:
            return out[()]
        return out.view(np.recarray) if recarray else out


class _Selected:
    """Records selected by a traced mask (`cat[m]`): their fields, selections each, which
    reductions consume (`cat[m]["mag"].mean()`)."""

    def __init__(self, dtype: np.dtype, fields: dict):
        self.dtype, self.fields = dtype, fields

    def __getitem__(self, key):
        if isinstance(key, str):
            if key not in self.fields:
                raise ValueError(f"no field of name {key}")
            return self.fields[key]
        raise errors.data_dependent("Records selected by a traced mask, indexed again",
                                    "read a field of them by name (cat[m]['x'])")
