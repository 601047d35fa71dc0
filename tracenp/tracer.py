"""The array proxy that traces NumPy code.

A `Tracer` wraps one graph node and implements NumPy's protocols
(`__array_ufunc__`, `__array_function__`), operators, methods and indexing, so
ordinary NumPy code builds a graph when given tracers. Shape, ndim, size and
dtype are concrete; values are not, and asking for them raises a
`ConcretizationError` naming the user's line (unless the value depends on no
input, like `np.arange(3)` made while tracing: then it is computed).

Views: a tracer made by basic indexing or transposition remembers its base, so
writing through it (`v = y[1:]; v[0] = 5`) updates the base as NumPy would,
and the base's other views see the write. Writes are functional updates
(SLICE_SET/SCATTER nodes); the tracer object is rebound to the new node.
"""

from __future__ import annotations

import contextvars
import functools
import gc
import operator
import sys

import numpy as np

from . import errors, ir, numpy_api, python_numbers
from .ops import Op


def _internal(frame) -> bool:
    """Whether `frame` runs tracenp's or NumPy's own code. `np.polynomial` is Python written
    on NumPy's functions as users write it (`numpy_api.creation.from_library`): its
    `isinstance(x, np.ndarray)` (the tensor evaluation of 2-d coefficients in `polyval`,
    `chebval`, ...) takes NumPy's branch."""
    name = frame.f_globals.get("__name__", "")
    return (name.startswith(("tracenp.", "numpy.")) or name in ("tracenp", "numpy")) and \
        not name.startswith("numpy.polynomial.")


_PYTHON_TYPES = {"b": bool, "i": int, "u": int, "f": float, "c": complex}
# set while a function written for one element runs on whole arrays (`np.vectorize`): the
# truth value of an operand is then an element's, unknown while tracing, not NumPy's
# "ambiguous" error for arrays
ELEMENTWISE = contextvars.ContextVar("tracenp_elementwise", default=False)
# while a function is traced to be differentiated (`autodiff._Diff.call`): masked reads
# keep the rows they leave out at points where derivatives are finite
DIFFERENTIATED = contextvars.ContextVar("tracenp_differentiated", default=False)


class _ScalarHasNo(AttributeError, TypeError):
    """`hasattr(s, "__len__")` is False for a traced scalar; `len(s)` raises TypeError."""


class _ArraysOnly:
    """`__len__`, which Python and NumPy scalars lack: `if not hasattr(y0, "__len__"): y0 =
    [y0]` of a scalar argument took the array branch, then `len` raised a plain TypeError. A
    0-d array keeps it, and raises when it is used, as NumPy's. (Not `__iter__`: Python's
    `iter()` falls back to `__getitem__` when looking it up fails.)"""

    def __init__(self, fn):
        self.fn = fn

    def __get__(self, tracer, owner=None):
        if tracer is None:
            return self.fn
        if not tracer.shape and (tracer.weak or tracer.returns != "array"):
            kind = _PYTHON_TYPES[tracer.dtype.kind] if tracer.weak or tracer.returns == "python" \
                else tracer.dtype.type
            raise _ScalarHasNo(f"'{kind.__name__}' object has no {self.fn.__name__}")
        return self.fn.__get__(tracer, owner)


class Tracer:
    """A symbolic array: the value of one graph node while tracing."""

    __slots__ = ("_node", "_view", "_input_of", "_read_only", "name", "returns", "__weakref__")
    __array_priority__ = 1000

    def __init__(self, node: ir.Node, name: str | None = None):
        self._node = node
        self._view = None  # (base tracer, base node seen, kind, arg)
        self._input_of = None
        # Why a write into this array fails, for arrays NumPy hands back read-only (a view
        # of np.diagonal, np.broadcast_to, sliding_window_view, ...): (exception type, message).
        self._read_only = None
        self.name = name
        # What NumPy would hand back for this value when it is 0-d: a NumPy scalar (ufuncs,
        # reductions, integer indexing), a 0-d ndarray (astype, .T, np.where, ...) or a
        # Python scalar (np.allclose, np.array_equal). jit converts outputs accordingly.
        self.returns = "scalar"

    # ------------------------------------------------------------------ node and views
    @property
    def node(self) -> ir.Node:
        view = self._view
        if view is not None:
            base, seen, kind, arg = view
            base_node = base.node
            if base_node.shape != seen.shape:
                raise errors.unsupported("Using a view of an array whose shape was assigned "
                                         "afterwards (x.shape = ...)")
            if base_node is not seen:
                self._node = numpy_api.indexing.apply_view(Tracer(base_node), kind, arg).node
                self._view = (base, base_node, kind, arg)
        return self._node

    def with_returns(self, returns: str) -> "Tracer":
        """This value, marked as what NumPy returns for it when 0-d (a new proxy if it differs)."""
        if self.ndim or self.returns == returns:
            return self
        other = Tracer(self.node, self.name)
        other._view = self._view
        other._read_only = self._read_only
        other.returns = returns
        return other

    def _as_view_of(self, base: "Tracer", kind: str, arg) -> "Tracer":
        self._view = (base, base.node, kind, arg)
        return self

    def read_only(self, error: type, message: str) -> "Tracer":
        """Marked as an array NumPy returns read-only: writes into it (or into views of it)
        raise `error(message)` where they would otherwise change only a copy."""
        self._read_only = (error, message)
        return self

    def _assign(self, new: "Tracer") -> None:
        """Rebind to `new` (same shape and dtype), writing through to the base of a view."""
        if self._read_only is not None:
            error, message = self._read_only
            raise error(message)
        node = new.node
        view = self._view
        if view is not None:
            base, seen, kind, arg = view
            if base.node.shape != seen.shape:
                raise errors.unsupported("Writing through a view of an array whose shape was "
                                         "assigned afterwards (x.shape = ...)")
            base._assign(numpy_api.indexing.write_view(base, kind, arg, Tracer(node)))
            self._view = (base, base.node, kind, arg)
        elif self._input_of is not None:
            mutated = self._input_of.mutated_inputs
            if not any(t is self for t in mutated):
                mutated.append(self)
        self._node = node

    # ------------------------------------------------------------------ concrete attributes
    def _python_scalar_attribute(self, name: str) -> None:
        """A traced Python scalar (an argument, or arithmetic on one) has no ndarray attributes
        asked from user code, as Python's `float` has none: `hasattr(t, "shape")` and
        `getattr(t, "ndim", 0)` took the array's answer, silently."""
        if not self.node.shape and not _internal(sys._getframe(2)):
            raise AttributeError(name)  # `__getattr__` raises Python's error

    @property
    def dtype(self) -> np.dtype:
        if self.node.weak or self.returns == "python":
            self._python_scalar_attribute("dtype")
        return self.node.dtype

    @property
    def shape(self) -> tuple:
        if self.node.weak or self.returns == "python":
            self._python_scalar_attribute("shape")
        return self.node.shape

    @shape.setter
    def shape(self, value) -> None:
        """`x.shape = (n, m)` reshapes an array made in the function in place. An argument
        (its caller's array would change shape) or a view (its base keeps its shape) is
        refused by name; a view of `x` made before is refused when it is next used."""
        if self._view is not None or self._input_of is not None:
            raise errors.unsupported("Assigning x.shape of an argument or of a view "
                                     "(x = x.reshape(...) gives the same values)")
        new = tuple(value) if np.iterable(value) else (value,)
        self._node = np.reshape(self, new).node

    @property
    def ndim(self) -> int:
        if self.node.weak or self.returns == "python":
            self._python_scalar_attribute("ndim")
        return len(self.node.shape)

    @property
    def size(self) -> int:
        if self.node.weak or self.returns == "python":
            self._python_scalar_attribute("size")
        return self.node.size

    @property
    def weak(self) -> bool:
        return self.node.weak

    @property
    def __class__(self):
        """To user code, the class of what NumPy would hand back: `np.ndarray`, a NumPy scalar
        type, or the Python type of a Python scalar argument, so that `isinstance(w, (int,
        float))`, `isinstance(X, np.ndarray)` and `isinstance(s, np.floating)` take NumPy's
        branch (they took the other one, silently). tracenp and NumPy see the tracer class."""
        if _internal(sys._getframe(1)):
            return type(self)
        return self.user_class()

    def user_class(self) -> type:
        """The class of what NumPy would hand back for this value (`__class__`)."""
        node = self.node
        if node.shape:
            return np.ndarray
        if node.weak or self.returns == "python":
            return _PYTHON_TYPES[node.dtype.kind]
        return node.dtype.type if self.returns == "scalar" else np.ndarray

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    @property
    def device(self) -> str:
        """NumPy's array-API device, which SciPy's helpers ask for (`xp_device(x)`)."""
        return "cpu"

    @property
    def strides(self) -> tuple[int, ...]:
        """A traced array has no memory: read as C-contiguous, its strides are C's, which
        `np.lib.stride_tricks.as_strided` of it reads by (framing code's `x.strides[0] * hop`).
        A view NumPy would not keep C-contiguous (a transpose, a strided slice) is refused by
        name, so that `fallback=True` runs it eagerly."""
        from .numpy_api.indexing import c_contiguous

        if not c_contiguous(self):
            raise errors.unsupported(
                "x.strides of a traced view that is not C-contiguous "
                "(np.lib.stride_tricks.sliding_window_view gives the same windows)")
        size, strides = self.dtype.itemsize, []
        for n in reversed(self.shape):
            strides.insert(0, size)
            size *= n
        return tuple(strides)

    def view(self, dtype=None, type=None) -> "Tracer":
        return numpy_api.indexing.dtype_view(self, dtype, type)

    @property
    def base(self):
        """`x.base`: None for an array the function made, that array for a view of it. An
        argument's base is the caller's business (a view of one's too): refused by name."""
        root = self
        while root._view is not None:
            root = root._view[0]
        if root._input_of is not None:
            raise errors.unsupported("x.base of an argument or of a view of one")
        return None if root is self else root

    @property
    def flags(self) -> "_Flags":
        """`x.flags`, read as `strides` reads the array: C-contiguous, or F-contiguous for the
        transpose of such an array (another view is refused by name), aligned, writeable
        unless `setflags(write=False)`; `owndata` and an argument's `writeable` are the
        caller's business, refused."""
        from .numpy_api.indexing import c_contiguous, layout_order

        if sum(n > 1 for n in self.shape) <= 1:  # contiguous both ways, or neither
            order = "C" if c_contiguous(self) else None
        else:  # dense in C or F order (an argument's layout is then part of the signature)
            order = layout_order(self, "K")
        if order not in ("C", "F"):
            raise errors.unsupported("x.flags of a traced view that is neither C- nor "
                                     "F-contiguous")
        return _Flags(self, order == "C")

    def setflags(self, write=None, align=None, uic=None) -> None:
        """`x.setflags(write=False)` of an array made in the function (a cache or a result
        protected from writes): later writes into it raise NumPy's ValueError. An argument's
        flag would have to change in the caller's array: refused by name."""
        if self._input_of is not None or self._view is not None and write:
            raise errors.unsupported("x.setflags of an argument or a view")
        if write is not None and not write:
            self._read_only = (ValueError, "assignment destination is read-only")
        elif write and self._read_only is not None:
            if self._read_only[1] != "assignment destination is read-only":
                raise ValueError("cannot set WRITEABLE flag to True of this array")
            self._read_only = None

    def resize(self, *new_shape, refcheck: bool = True) -> None:
        """`x.resize(len(x))`, to the shape it has (filterpy's resampling): nothing to do.
        Another shape would change the caller's array, or need memory: refused by name."""
        shape = new_shape[0] if len(new_shape) == 1 and isinstance(new_shape[0], (tuple, list)) \
            else new_shape
        if tuple(operator.index(d) for d in shape) != self.shape:
            raise errors.unsupported("x.resize of a traced array to another shape")

    def byteswap(self, inplace: bool = False):
        """NumPy's byte swap (network order, a file's other endianness): the unsigned integer
        of each element's bits, its bytes moved by shifts; written into `self` with
        `inplace`."""
        kind = self.dtype.kind
        if kind not in "biuf":
            raise errors.unsupported(f"x.byteswap of a traced {self.dtype} array")
        size = self.dtype.itemsize
        unsigned = np.dtype(f"u{size}")
        bits = self.view(unsigned) if size > 1 else self.copy()
        if size > 1:
            byte = unsigned.type(0xFF)
            bits = functools.reduce(operator.or_, (
                ((bits >> unsigned.type(8 * k)) & byte) << unsigned.type(8 * (size - 1 - k))
                for k in range(size)))
            bits = bits.view(self.dtype)
        if inplace:
            self[...] = bits
            return self
        return bits

    def __getattr__(self, name: str):
        """The other ndarray attributes (`flags`, `strides`, `tobytes`, ...) need memory
        or a concrete value: refused by name, so that `fallback=True` can run the function.
        A Python int's `bit_length` and `bit_count` compute (`python_numbers`)."""
        if name in python_numbers.INT_METHODS and self.weak and not self.ndim and \
                self.node.dtype.kind == "i":
            return python_numbers.INT_METHODS[name](self)
        if name.startswith("__") or not hasattr(np.ndarray, name):
            raise AttributeError(f"'Tracer' object has no attribute {name!r}")
        if name in ("dtype", "shape", "ndim", "size"):  # a Python scalar's, which has none
            kind = _PYTHON_TYPES[self.node.dtype.kind].__name__
            raise AttributeError(f"'{kind}' object has no attribute '{name}'")
        raise errors.unsupported(f"x.{name} of a traced array")

    def __array_namespace__(self, *, api_version=None):
        """NumPy itself, as for an ndarray: array-API code (`xp = x.__array_namespace__()`,
        `xp.sum(x)`) then calls NumPy's functions, which trace."""
        return np.ndarray.__array_namespace__(np.empty(0), api_version=api_version)

    @_ArraysOnly
    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __repr__(self) -> str:
        label = f"{self.name}:" if self.name else ""
        return f"Tracer({label}{ir.type_str(self.node)})"

    def __str__(self) -> str:
        """A Python number's text is its value: of a Python scalar argument (`f"x{k}"`,
        `str(k)` as a dict key) jit makes the argument static; of one made from arrays
        (`str(int(b))` joined into a bit string) it needs the values. An array's (a log line
        of a traced function) is the repr."""
        if not self.ndim and self.weak:
            return str(self._concrete("str() of a Python number (a Python scalar argument, "
                                      "or int(x), float(x) or x.item() of a traced array)")[()])
        return repr(self)

    def __format__(self, spec: str) -> str:
        """`f"{x}"` is `str(x)`; a format spec (`f"loss {loss:.4f}"` in a training loop's
        log line) needs the value, as `%` formatting does (it raised a plain TypeError)."""
        if not spec:
            return str(self)
        if self.ndim:
            raise TypeError("unsupported format string passed to numpy.ndarray.__format__")
        return format(self._concrete(f"Formatting a traced value ({{:{spec}}})")[()], spec)

    def __hash__(self):
        """An array is unhashable, as NumPy's; a scalar's hash (a dict key, a set member) needs
        its value."""
        if self.ndim or self.returns == "array":
            raise TypeError("unhashable type: 'numpy.ndarray'")
        return hash(self._concrete("hash() of a traced scalar (a dict key or set member)")[()])

    def __sizeof__(self) -> int:
        """`sys.getsizeof(x)` is NumPy's (a compression ratio's denominator): a scalar's, or
        an array's header and, where it owns its memory (not a view; an argument is taken
        to), its data. Python adds its collector's header to a tracked object's: taken off."""
        if not self.ndim and self.weak:
            value = 0.0 if self.dtype.kind == "f" else self._concrete(
                "sys.getsizeof of a Python int made from a traced value")[()].item()
            size = sys.getsizeof(value) - _GC_HEADER * gc.is_tracked(value)
        elif self.returns == "scalar" and not self.ndim:
            size = self.dtype.type(0).__sizeof__()
        else:
            owns = self._view is None  # (as `flags.owndata`)
            size = np.empty((0,) * self.ndim).__sizeof__() + (self.nbytes if owns else 0)
        return size - _GC_HEADER * gc.is_tracked(self)

    def __reduce_ex__(self, protocol):
        raise errors.unsupported("Pickling a traced array")

    # ------------------------------------------------------------------ no concrete values
    def constant_value(self) -> np.ndarray | None:
        """The value, when it depends on no input (`np.arange(5) % 2 == 0` while tracing) and
        on no random draw (made at each call)."""
        node = self.node
        nodes = ir.toposort([node])
        if any(n.op is Op.INPUT or n.op is Op.DRAW for n in nodes):
            return None
        if node.op is Op.CONST:
            return np.asarray(node.attrs["value"].value)
        from .lowering import get_backend

        return np.asarray(get_backend("numpy").compile(ir.Graph((), (node,)))([])[0])

    def _concrete(self, what: str) -> np.ndarray:
        value = self.constant_value()
        if value is None:
            raise errors.steered_by(errors.concretization_error(what), self)
        return value

    def __array__(self, dtype=None, copy=None):
        """A conversion a NumPy array's own method makes (`TABLE[i]`) needs the value: the
        error is marked `by_numpy`, so that jit first retries with the function's global
        arrays as constants (`P[np.argmin(D * P)]` then traces, `D` not made static)."""
        try:
            value = self._concrete(
                "Converting a traced array to a NumPy array (which code outside tracenp's "
                "reach does: a method of a NumPy array made outside the function, indexing "
                "it or a write into it, given a traced value, as `X.dot(w)`, `TABLE[i]` or "
                "`out[i] = w`, for which use `X @ w`, `np.dot(X, w)` or `np.take(TABLE, i)`, "
                "or pass `X`/`TABLE`/`out` in as arguments; `np.uint8(x)`, for which use "
                "`x.astype(np.uint8)`; `np.ma`; other libraries)")
        except errors.ConcretizationError as e:
            e.by_numpy = True
            raise
        return value if dtype is None else value.astype(dtype)

    def __bool__(self):
        if not ELEMENTWISE.get() and self.size == 0:  # NumPy's errors: from the shape alone
            raise ValueError("The truth value of an empty array is ambiguous. Use "
                             "`array.size > 0` to check that an array is not empty.")
        if not ELEMENTWISE.get() and self.size is not None and self.size > 1:
            raise ValueError("The truth value of an array with more than one element is "
                             "ambiguous. Use a.any() or a.all()")
        return bool(self._concrete("The truth value of a traced array (an `if`, `while`, "
                                   "`and`/`or` or `assert` on it)"))

    def __float__(self):
        return float(self._concrete("float() of a traced array (`x.item()` of a float array "
                                    "traces, as a Python float)"))

    def __int__(self):
        return int(self._concrete("int() of a traced array"))

    def __complex__(self):
        return complex(self._concrete("complex() of a traced array"))

    def __round__(self, ndigits=None):
        """`round(x, n)` of a traced Python or NumPy scalar; NumPy arrays have no `round()`."""
        if self.ndim or (self.returns == "array" and not self.weak):
            raise TypeError("type numpy.ndarray doesn't define __round__ method")
        if ndigits is None:  # a Python int, as NumPy's scalars give: half to even
            from .python_builtins import _to_int

            return _to_int(np.rint(self) if self.dtype.kind == "f" else self)
        res = np.round(self, ndigits)
        return res.with_returns("python") if self.weak or self.returns == "python" else res

    def __index__(self):
        return self._concrete("Using a traced array as a Python index").__index__()

    def item(self, *args):
        """NumPy's Python scalar of one element (`loss.item()`, `x.item(i)`, `x.item(i, j)`):
        a weak traced value, which the function returns as a Python float, int, bool or
        complex, and which promotes as one (a float32 array times it stays float32)."""
        from . import lax

        if self.node.op is Op.CONST:  # a constant's Python scalar, as NumPy's
            return np.asarray(self.node.attrs["value"].value).item(*args)
        if args and len(args) == 1 and not isinstance(args[0], tuple):
            x = self.reshape(-1)[args[0]]
        elif args:
            x = self[args[0] if len(args) == 1 else args]
        elif self.size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        else:
            x = self.reshape(())
        if x.ndim:
            raise TypeError("item() takes an index or one index per dimension")
        kind = self.dtype.kind
        if kind == "u" and self.dtype.itemsize == 8:  # a Python int past int64's range
            return self._concrete(".item() of a traced uint64 array").item(*args)
        python = {"b": np.bool_, "i": np.int64, "u": np.int64, "f": np.float64,
                  "c": np.complex128}[kind]
        return lax.python_scalar(x, python)

    _TOLIST_MAX = 4096  # elements a traced `tolist()` makes Python scalars of

    def tolist(self):
        """NumPy's nested lists of Python scalars (`item`), for arrays of up to `_TOLIST_MAX`
        elements: each element becomes a node of the graph."""
        if not self.ndim:
            return self.item()
        if self.size > self._TOLIST_MAX:
            return self._concrete(f".tolist() of a traced array of over {self._TOLIST_MAX} "
                                  "elements").tolist()
        return [row.tolist() for row in self]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self.shape[0]))

    # ------------------------------------------------------------------ NumPy protocols
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return numpy_api.ufuncs.array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        if numpy_api.masked.MaskedSelection in types:  # x[mask] among the arguments decides
            return NotImplemented
        return numpy_api.dispatch_function(func, args, kwargs)

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, key):
        return numpy_api.indexing.getitem(self, key)

    def __setitem__(self, key, value):
        numpy_api.indexing.setitem(self, key, value)

    @property
    def T(self):
        return np.transpose(self)

    @property
    def mT(self):
        return np.swapaxes(self, -1, -2)

    @property
    def real(self):
        if self.dtype.kind == "c":  # a view, as NumPy's: writes through it reach this array
            from .numpy_api.indexing import make_view

            return make_view(self, "real", None).with_returns(self.returns)
        return np.real(self)

    @real.setter
    def real(self, value):
        self.real[...] = value

    @property
    def imag(self):
        if self.dtype.kind == "c":
            from .numpy_api.indexing import make_view

            return make_view(self, "imag", None).with_returns(self.returns)
        return np.imag(self)

    @imag.setter
    def imag(self, value):
        if self.dtype.kind != "c":
            raise TypeError("array does not have imaginary part to set")
        self.imag[...] = value

    @property
    def flat(self) -> "FlatIter":
        return FlatIter(self)

    @flat.setter
    def flat(self, value) -> None:
        """`x.flat = v` sets every element, repeating `v` as NumPy does."""
        self.flat[...] = value


class FlatIter:
    """`x.flat`: indexing reads the C-order flattening; a write goes into `x` itself (and so
    through `x` to its base when `x` is a view), as NumPy's flatiter does."""

    def __init__(self, base: Tracer):
        self.base = base

    def __getitem__(self, key):
        return np.ravel(self.base).copy()[key]  # NumPy's flatiter reads a copy

    def __setitem__(self, key, value):
        flat = np.ravel(self.base).copy()
        flat[key] = _repeated(flat, key, value)
        self.base[...] = flat.reshape(self.base.shape)

    def __len__(self) -> int:
        return self.base.size

    def __iter__(self):
        return iter(np.ravel(self.base))

    def copy(self) -> Tracer:
        return np.ravel(self.base).copy()

    # NumPy takes a flatiter where it takes an array (`np.interp(img.flat, xp, fp)`): the
    # flattening, a copy.
    def __array_function__(self, func, types, args, kwargs):
        return func(*_unflat(args), **_unflat(kwargs))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return getattr(ufunc, method)(*_unflat(inputs), **_unflat(kwargs))


def _repeated(flat: Tracer, key, value):
    """`value` repeated to fill the elements `key` selects, as NumPy's flatiter assignment
    does (`x.flat[:5] = [1, 2]`, `x.flat = [0, 1]`); as it is where it fills them already or
    the selection is made by a traced index."""
    from . import lax

    if lax.holds_tracer(key) or not isinstance(value, (list, tuple, np.ndarray, Tracer)):
        return value
    value = lax.lift(value) if lax.holds_tracer(value) else np.asarray(value)
    selected = np.arange(flat.size)[key]
    if value.size in (0, 1, selected.size) or not selected.size:
        return value
    return np.resize(np.ravel(value), selected.shape)


def _unflat(obj):
    """`obj` with each `x.flat` among its items (or values) replaced by `x`'s flattening."""
    if isinstance(obj, FlatIter):
        return obj.copy()
    if isinstance(obj, (list, tuple)):
        return type(obj)(_unflat(o) for o in obj)
    if isinstance(obj, dict):
        return {k: _unflat(v) for k, v in obj.items()}
    return obj


def _operand(other):
    """An operator's other operand: a list or tuple holding traced values is the array
    NumPy would make of it (`[f[0], f[1]] - m`, numpy-ml's logsumexp of a list)."""
    from . import lax  # (it builds on this module)

    if isinstance(other, (list, tuple)) and lax.holds_tracer(other):
        return lax.lift(other)
    return other


_SEQUENCES = (list, tuple, str, bytes)
_GC_HEADER = sys.getsizeof([]) - [].__sizeof__()
_MULTIPLY = np.multiply  # (while tracing, `np.multiply` is the traced one)


def _python_operands(self, other) -> bool:
    """Whether both operands are Python numbers, whose operators `python_numbers` checks."""
    return self.weak and not self.ndim and python_numbers.is_python_number(self) and \
        python_numbers.is_python_number(other)


def _binary(ufunc, reflected=False):
    def op(self, other):
        if numpy_api.ufuncs.defer_to(other):
            return NotImplemented
        if ufunc is _MULTIPLY and isinstance(other, _SEQUENCES) and self.weak and \
                self.node.dtype.kind in "biu":  # `[0.0] * n` of a Python int: Python's repeat,
            return NotImplemented  # which asks for its value (`__index__`)
        other = _operand(other)
        args = (other, self) if reflected else (self, other)
        if _python_operands(self, other):
            return python_numbers.operate(ufunc, *args, lambda: numpy_api.ufuncs.apply_ufunc(
                ufunc, args, operator=True))
        return numpy_api.ufuncs.apply_ufunc(ufunc, args, operator=True)

    return op


def _immutable(self) -> bool:
    """A NumPy or Python scalar: `s += v` rebinds `s` to `s + v` (which may broadcast and
    change dtype), as Python does for immutable values; only arrays are updated in place."""
    return self.ndim == 0 and (self.weak or self.returns != "array")


def _inplace(ufunc):
    def op(self, other):
        if _immutable(self):
            return _binary(ufunc)(self, other)
        numpy_api.ufuncs.apply_ufunc(ufunc, (self, _operand(other)), out=self, operator=True)
        return self

    return op


def _unary(ufunc):
    def op(self):
        return numpy_api.ufuncs.apply_ufunc(ufunc, (self,), operator=True)

    return op


_OPERATORS = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "truediv": np.true_divide,
    "floordiv": np.floor_divide, "mod": np.remainder, "pow": np.power, "matmul": np.matmul,
    "and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor,
    "lshift": np.left_shift, "rshift": np.right_shift,
}
for _name, _uf in _OPERATORS.items():
    setattr(Tracer, f"__{_name}__", _binary(_uf))
    setattr(Tracer, f"__r{_name}__", _binary(_uf, reflected=True))
    setattr(Tracer, f"__i{_name}__", _inplace(_uf))
for _name, _uf in {"lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal,
                   "eq": np.equal, "ne": np.not_equal}.items():
    setattr(Tracer, f"__{_name}__", _binary(_uf))
for _name, _uf in {"neg": np.negative, "pos": np.positive, "abs": np.absolute,
                   "invert": np.invert}.items():
    setattr(Tracer, f"__{_name}__", _unary(_uf))


def _divmod(self, other):
    return self // other, self % other  # Python scalars' stay Python scalars


def _rdivmod(self, other):
    return other // self, other % self


Tracer.__divmod__ = _divmod
Tracer.__rdivmod__ = _rdivmod

# `arr ** k` for these scalar exponents is another ufunc in NumPy (`fast_scalar_power`),
# which differs from np.power at the edges (float16 `-inf ** 0.5` is nan, not inf).
_FAST_POWERS = {2: np.square, 0.5: np.sqrt, -1: np.reciprocal, 1: np.positive}


def _fast_power_ufunc(self, exponent):
    if type(exponent) not in (int, float) or exponent not in _FAST_POWERS:
        return None
    if self.dtype.kind in "fc" or (type(exponent) is int and exponent == 2
                                   and self.dtype.kind in "biu"):
        return _FAST_POWERS[exponent]
    return None


def _pow(self, other, modulo=None):
    apply_ufunc = numpy_api.ufuncs.apply_ufunc
    if modulo is not None:  # `pow(int(v), e, m)`
        return python_numbers.modular_power(self, other, modulo)
    if numpy_api.ufuncs.defer_to(other):
        return NotImplemented
    other = _operand(other)
    fast = _fast_power_ufunc(self, other)
    if _python_operands(self, other):
        return python_numbers.operate(python_numbers.POWER, self, other, lambda: apply_ufunc(
            np.power, (self, other), operator=True) if fast is None else apply_ufunc(
            fast, (self,), operator=True))
    if fast is not None:
        return apply_ufunc(fast, (self,), operator=True)
    return apply_ufunc(np.power, (self, other), operator=True)


def _ipow(self, other):
    apply_ufunc = numpy_api.ufuncs.apply_ufunc
    if _immutable(self):
        return _pow(self, other)
    other = _operand(other)
    fast = _fast_power_ufunc(self, other)
    if fast is not None:
        apply_ufunc(fast, (self,), out=self, operator=True)
    else:
        apply_ufunc(np.power, (self, other), out=self, operator=True)
    return self


Tracer.__pow__ = _pow
Tracer.__ipow__ = _ipow


def _method(np_func):
    def method(self, *args, **kwargs):
        return np_func(self, *args, **kwargs)

    method.__name__ = np_func.__name__
    method.__doc__ = f"Same as `np.{np_func.__name__}(self, ...)`."
    return method


for _name in ("sum prod mean std var max min argmax argmin all any cumsum cumprod clip round "
              "ravel squeeze nonzero diagonal trace ptp dot repeat take "
              "swapaxes argsort argpartition searchsorted put choose").split():
    if hasattr(np.ndarray, _name):  # NumPy 2 has no `ndarray.ptp`: x.ptp() raises there
        setattr(Tracer, _name, _method(getattr(np, _name)))


def _reshape(self, *shape, order="C", copy=None):
    if len(shape) == 1 and (isinstance(shape[0], (tuple, list)) or np.ndim(shape[0]) == 1):
        shape = tuple(shape[0])  # x.reshape((2, 3)), x.reshape(np.array([2, 3]))
    return np.reshape(self, shape, order=order, copy=copy)


def _transpose(self, *axes):
    if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list)) or
                           np.ndim(axes[0]) == 1):  # x.transpose(np.argsort(perm))
        axes = axes[0]
    return np.transpose(self, None if axes is None or len(axes) == 0 else axes)


def _astype(self, dtype, order="K", casting="unsafe", copy=True):
    from . import lax

    dtype = lax.as_dtype(dtype)
    if not np.can_cast(self.dtype, dtype, casting):
        raise TypeError(f"Cannot cast array data from {self.dtype!r} to {dtype!r} "
                        f"according to the rule {casting!r}")
    dtype = _sized(self.dtype, np.dtype(dtype))
    if not copy and order == "K" and dtype == self.dtype:
        return self  # NumPy returns the array itself: writes into the result reach it
    return lax.bind(Op.CAST, self, dtype=dtype).with_returns(self.returns)


def _sized(source: np.dtype, dtype: np.dtype) -> np.dtype:
    """A string dtype without a length (`str`, `"U"`, `bytes`) given the length NumPy gives it
    for `source` (`<U21` for int64); from object arrays that length depends on the values."""
    if dtype.itemsize or dtype.kind not in "SU":
        return dtype
    sized = np.empty(0, source).astype(dtype).dtype
    if source.kind == "O" or not sized.itemsize:
        raise errors.unsupported(f"x.astype({dtype}) of a {source} array (the length of the "
                                 "strings depends on the values)")
    return sized


def _copy(self, order="C"):
    return np.copy(self).with_returns(self.returns)


def _conj(self):
    return np.conjugate(self).with_returns(self.returns)


def _flatten(self, order="C"):
    return np.ravel(self, order=order).copy()


def _compress(self, condition, axis=None, out=None):
    return np.compress(condition, self, axis=axis, out=out)


def _fill(self, value):
    self[...] = value


def _sort_inplace(self, axis=-1, kind=None, order=None):
    self[...] = np.sort(self, axis=axis, kind=kind, order=order)


def _partition_inplace(self, kth, axis=-1, kind="introselect", order=None):
    self[...] = np.partition(self, kth, axis=axis, kind=kind, order=order)


Tracer.reshape = _reshape
Tracer.transpose = _transpose
Tracer.astype = _astype
Tracer.copy = _copy
Tracer.conj = Tracer.conjugate = _conj
Tracer.flatten = _flatten
Tracer.fill = _fill
Tracer.compress = _compress
Tracer.sort = _sort_inplace
Tracer.partition = _partition_inplace
Tracer.__copy__ = _copy
Tracer.__deepcopy__ = lambda self, memo: _copy(self)


class _Flags:
    """NumPy's `flags` of a traced array that is C-contiguous, or the transpose of one
    (`Tracer.flags`)."""

    _NAMES = {"C": "c_contiguous", "C_CONTIGUOUS": "c_contiguous", "CONTIGUOUS": "c_contiguous",
              "F": "f_contiguous", "F_CONTIGUOUS": "f_contiguous", "FORTRAN": "f_contiguous",
              "W": "writeable", "WRITEABLE": "writeable", "A": "aligned", "ALIGNED": "aligned",
              "O": "owndata", "OWNDATA": "owndata"}

    def __init__(self, x: Tracer, c_order: bool):
        self._x, self._c = x, c_order

    aligned = property(lambda self: True)

    @property
    def _flat(self) -> bool:  # one dim longer than 1 (or none): contiguous both ways
        return sum(n > 1 for n in self._x.shape) <= 1 or self._x.size == 0

    @property
    def c_contiguous(self) -> bool:
        return self._c or self._flat

    contiguous = c_contiguous

    @property
    def f_contiguous(self) -> bool:
        return not self._c or self._flat

    @property
    def fortran(self) -> bool:  # F-contiguous and not C-contiguous
        return self.f_contiguous and not self.c_contiguous

    @property
    def writeable(self) -> bool:
        if self._x._input_of is not None:
            raise errors.unsupported("x.flags.writeable of an argument (the caller's array's)")
        return self._x._read_only is None

    @property
    def owndata(self) -> bool:  # a view never owns its data; an argument's is the caller's
        if self._x._view is None and self._x._input_of is not None:
            raise errors.unsupported("x.flags.owndata of an argument (the caller's array's)")
        return self._x._view is None

    def __getitem__(self, key: str) -> bool:
        if key not in self._NAMES:
            raise KeyError(f"Unknown flag {key!r}")
        return getattr(self, self._NAMES[key])
