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

_EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
_SHDR = struct.Struct("<IIQQQQIIQQ")
_SYM = struct.Struct("<IBBHQQ")
_RELA = struct.Struct("<QQq")
SHF_ALLOC, SHT_NOBITS, SHT_SYMTAB, SHT_RELA, SHT_REL = 0x2, 8, 2, 4, 9
SHN_UNDEF, SHN_ABS, STB_GLOBAL = 0, 0xFFF1, 1
R_64, R_PC32, R_PLT32, R_32, R_32S, R_PC64 = 1, 2, 4, 10, 11, 24

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

    def address(j: int) -> int:
        _, _, _, shndx, value, _ = syms[j]
        if shndx == SHN_ABS:
            return value
        if shndx not in place:
            raise Unsupported("a symbol outside the loaded sections")
        return base + place[shndx] + value

    for _, typ, _, _, foff, sz, _, target, _, _ in secs:
        if typ == SHT_REL:
            raise Unsupported("REL relocations")
        if typ != SHT_RELA or target not in place:
            continue
        for k in range(sz // _RELA.size):
            offset, info, addend = _RELA.unpack_from(obj, foff + k * _RELA.size)
            kind, at = info & 0xFFFFFFFF, place[target] + offset
            value = address(info >> 32) + addend
            if kind == R_64:
                struct.pack_into("<Q", m, at, value & (2 ** 64 - 1))
            elif kind == R_PC64:
                struct.pack_into("<q", m, at, value - (base + at))
            elif kind in (R_PC32, R_PLT32, R_32S, R_32):
                v = value - (base + at) if kind in (R_PC32, R_PLT32) else value
                fmt = "<I" if kind == R_32 else "<i"
                try:
                    struct.pack_into(fmt, m, at, v)
                except struct.error:
                    raise Unsupported("a 32-bit relocation out of range") from None
            else:
                raise Unsupported(f"relocation type {kind}")
    _protect(base, len(m))
    _maps.append(m)
    names = obj[strtab[4]:strtab[4] + strtab[5]]
    return {names[s[0]:names.index(b"\0", s[0])].decode(): address(j)
            for j, s in enumerate(syms) if s[1] >> 4 == STB_GLOBAL}


def _protect(addr: int, size: int) -> None:
    """Make the mapping read+execute now that it is written (W^X where the system has it)."""
    if not _mprotect:
        fn = ctypes.CDLL(None).mprotect
        fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        _mprotect.append(fn)
    if _mprotect[0](addr, size, mmap.PROT_READ | mmap.PROT_EXEC) != 0:
        raise Unsupported("mprotect failed")
