"""Load the x86-64 ELF object code of a kernel into executable memory, without LLVM.

A kernel object is self-contained: code and constant pools that refer to each other through
a few relocation kinds, and no external symbols. Loading it is copying its allocated
sections into one mapping, applying those relocations and protecting the mapping
read+execute, which costs microseconds where starting LLVM's MCJIT (and importing
`llvmlite.binding`) costs tens of milliseconds. Anything else (another machine, another
relocation, an undefined symbol, a system refusing executable mappings) raises
`Unsupported`, and the caller loads the object with MCJIT instead.
"""

from __future__ import annotations

import ctypes
import mmap
import struct

import numpy as np

_EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
_SHDR = struct.Struct("<IIQQQQIIQQ")
_SYM = struct.Struct("<IBBHQQ")
_RELA = struct.Struct("<QQq")
_RELA_DTYPE = np.dtype([("offset", "<u8"), ("info", "<u8"), ("addend", "<i8")])
SHF_ALLOC, SHT_NOBITS, SHT_SYMTAB, SHT_RELA, SHT_REL = 0x2, 8, 2, 4, 9
SHN_UNDEF, SHN_ABS, STB_GLOBAL = 0, 0xFFF1, 1
R_64, R_PC32, R_PLT32, R_32, R_32S, R_PC64 = 1, 2, 4, 10, 11, 24
_ABS64, _PC64, _PC32, _ABS32U, _ABS32S = 1, 2, 3, 4, 5  # how a relocation kind is applied
_HOW = np.zeros(R_PC64 + 2, dtype=np.int8)  # kinds past the last known one map to 0
_HOW[[R_64, R_PC64, R_PC32, R_PLT32, R_32, R_32S]] = [_ABS64, _PC64, _PC32, _PC32, _ABS32U,
                                                      _ABS32S]

_maps: list = []  # mappings stay for the life of the process, like MCJIT's
_mprotect: list = []


class Unsupported(Exception):
    """The object is not one this loader handles; load it another way."""


def load(obj: bytes) -> dict[str, int]:
    """Map `obj` and return the address of each of its defined global symbols."""
    if len(obj) < _EHDR.size:
        raise Unsupported("too short")
    ident, etype, machine, _, _, _, shoff, _, _, _, _, _, shnum, _ = _EHDR.unpack_from(obj)
    if ident[:7] != b"\x7fELF\x02\x01\x01" or etype != 1 or machine != 62:
        raise Unsupported("not an x86-64 relocatable ELF object")
    secs = [_SHDR.unpack_from(obj, shoff + i * _SHDR.size) for i in range(shnum)]
    place, size = {}, 0
    for i, (_, typ, flags, _, _, sz, _, _, align, _) in enumerate(secs):
        if flags & SHF_ALLOC and sz:
            size = -(-size // max(align, 1)) * max(align, 1)
            place[i] = size
            size += sz
    if not place:
        raise Unsupported("no code")
    symtab = next((s for s in secs if s[1] == SHT_SYMTAB), None)
    if symtab is None:
        raise Unsupported("no symbol table")
    strtab = secs[symtab[6]]
    syms = [_SYM.unpack_from(obj, symtab[4] + j * _SYM.size)
            for j in range(symtab[5] // _SYM.size)]
    if any(info >> 4 == STB_GLOBAL and shndx == SHN_UNDEF for _, info, _, shndx, _, _ in syms):
        raise Unsupported("undefined symbols")
    try:
        m = mmap.mmap(-1, size, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    except (OSError, ValueError) as e:
        raise Unsupported(f"no executable mapping: {e}") from None
    base = ctypes.addressof(ctypes.c_char.from_buffer(m))
    for i, off in place.items():
        _, typ, _, _, foff, sz, *_ = secs[i]
        if typ != SHT_NOBITS:
            m[off:off + sz] = obj[foff:foff + sz]

    addresses = _symbol_addresses(syms, place, base)
    mem = np.frombuffer(m, dtype=np.uint8)
    for _, typ, _, _, foff, sz, _, target, _, _ in secs:
        if typ == SHT_REL:
            raise Unsupported("REL relocations")
        if typ == SHT_RELA and target in place:
            _relocate(mem, np.frombuffer(obj, _RELA_DTYPE, sz // _RELA.size, foff),
                      addresses, place[target], base)
    _protect(base, len(m))
    _maps.append(m)
    names = obj[strtab[4]:strtab[4] + strtab[5]]
    found = {names[s[0]:names.index(b"\0", s[0])].decode(): int(addresses[j])
             for j, s in enumerate(syms) if s[1] >> 4 == STB_GLOBAL}
    if -1 in found.values():
        raise Unsupported("a symbol outside the loaded sections")
    return found


def _symbol_addresses(syms: list, place: dict, base: int) -> np.ndarray:
    """Each symbol's run-time address; -1 for one outside the loaded sections (an error
    only if a relocation or the caller uses it)."""
    out = np.full(len(syms), -1, dtype=np.int64)
    for j, (_, _, _, shndx, value, _) in enumerate(syms):
        if shndx == SHN_ABS:
            out[j] = value
        elif shndx in place:
            out[j] = base + place[shndx] + value
    return out


def _relocate(mem: np.ndarray, rela: np.ndarray, addresses: np.ndarray, start: int,
              base: int) -> None:
    """Apply one section's relocations at once: a kernel has hundreds (one per constant its
    large-code-model code loads), which a Python loop would take half a millisecond over."""
    if not len(rela):
        return
    how = _HOW[np.minimum(rela["info"] & 0xFFFFFFFF, len(_HOW) - 1).astype(np.intp)]
    sym = addresses[(rela["info"] >> 32).astype(np.intp)]
    at = rela["offset"].astype(np.int64) + start
    if not how.all() or sym.min() < 0 or rela["offset"].max() >= len(mem) - start - 8:
        raise Unsupported("a relocation this loader does not apply")
    value = sym + rela["addend"]
    if (how != _ABS64).any():
        value -= np.where((how == _PC64) | (how == _PC32), base + at, 0)
        narrow = how >= _PC32
        low = np.where(how == _ABS32U, 0, -2 ** 31)
        if (narrow & ((value < low) | (value >= low + 2 ** 32))).any():
            raise Unsupported("a 32-bit relocation out of range")
        mem[at[narrow, None] + np.arange(4)] = value[narrow].astype("<i8").view(
            np.uint8).reshape(-1, 8)[:, :4]
        at, value = at[~narrow], value[~narrow]
    mem[at[:, None] + np.arange(8)] = value.astype("<i8").view(np.uint8).reshape(-1, 8)


def _protect(addr: int, size: int) -> None:
    """Make the mapping read+execute now that it is written (W^X where the system has it)."""
    if not _mprotect:
        fn = ctypes.CDLL(None).mprotect
        fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        _mprotect.append(fn)
    if _mprotect[0](addr, size, mmap.PROT_READ | mmap.PROT_EXEC) != 0:
        raise Unsupported("mprotect failed")
