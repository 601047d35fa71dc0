"""Link the x86-64 ELF object code of a kernel into an image, and map images executable.

A kernel object (position-independent code, small code model) is self-contained: code and
constant pools that refer to each other only PC-relatively, and no external symbols but the
C library's `memcpy`/`memset`/`memmove` (LLVM's memory intrinsics of a size known only when
the code runs). Each of those is called through a stub at the image's end, an indirect jump
through a slot `map_image` fills with the function's address in this process, so a call
always stays within the image's reach (MCJIT placed such objects' sections and the C library
more than 2 GiB apart at times, and aborted the process on the 32-bit relocation). So
laying its allocated sections out one after the other and applying its relocations gives
an image that runs wherever it is mapped: `link` makes that image once, when the object is
compiled, and the disk cache keeps the image, so that a new process only copies it into an
executable mapping (`map_image`). That costs microseconds, where relocating the object
again took a few hundred in a fresh process and starting LLVM's MCJIT (and importing
`llvmlite.binding`) costs tens of milliseconds. Anything else (another machine, an absolute
or unknown relocation, an undefined symbol, a system refusing executable mappings) raises
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
R_PC32, R_PLT32, R_PC64 = 2, 4, 24  # S + A - P: the same in every mapping of the image
_WIDTH = np.zeros(R_PC64 + 2, dtype=np.int8)  # bytes a kind writes; 0: not one applied here
_WIDTH[[R_PC32, R_PLT32, R_PC64]] = [4, 4, 8]

IMAGE_MAGIC = b"TRACENP-IMG\x02"
_IMAGE_HEAD = struct.Struct(f"<{len(IMAGE_MAGIC)}sIIQ")  # magic, symbols, imports, bytes
_IMAGE_SYM = struct.Struct("<HQ")  # name length, offset; the name follows
IMPORTS = (b"memcpy", b"memset", b"memmove")  # what an image may call outside itself
_STUB = b"\xff\x25\x00\x00\x00\x00"  # jmp *0(%rip): through the 8-byte slot after it
_STUB_SIZE = 16

_maps: list = []  # mappings stay for the life of the process, like MCJIT's
_mprotect: list = []


class Unsupported(Exception):
    """The object is not one this loader handles; load it another way."""


def link(obj: bytes) -> bytes:
    """The image of `obj`: its sections laid out and relocated, with its global symbols'
    offsets, in the form `map_image` reads."""
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
    names = obj[strtab[4]:strtab[4] + strtab[5]]
    undefined = [j for j, (_, info, _, shndx, _, _) in enumerate(syms)
                 if info >> 4 == STB_GLOBAL and shndx == SHN_UNDEF]
    imports = [names[syms[j][0]:names.index(b"\0", syms[j][0])] for j in undefined]
    if any(name not in IMPORTS for name in imports):
        raise Unsupported("undefined symbols")
    stubs = -(-size // _STUB_SIZE) * _STUB_SIZE
    size = stubs + _STUB_SIZE * len(undefined)
    image = np.zeros(size, dtype=np.uint8)
    for k in range(len(undefined)):
        image[stubs + k * _STUB_SIZE:stubs + k * _STUB_SIZE + len(_STUB)] = list(_STUB)
    for i, off in place.items():
        _, typ, _, _, foff, sz, *_ = secs[i]
        if typ != SHT_NOBITS:
            image[off:off + sz] = np.frombuffer(obj, np.uint8, sz, foff)
    offsets = np.array([place[shndx] + value if shndx in place else -1
                        for _, _, _, shndx, value, _ in syms], dtype=np.int64)
    offsets[undefined] = stubs + _STUB_SIZE * np.arange(len(undefined))
    for _, typ, _, _, foff, sz, _, target, _, _ in secs:
        if typ == SHT_REL:
            raise Unsupported("REL relocations")
        if typ == SHT_RELA and target in place:
            _relocate(image, np.frombuffer(obj, _RELA_DTYPE, sz // _RELA.size, foff),
                      offsets, place[target])
    found = [(names[s[0]:names.index(b"\0", s[0])], int(offsets[j]))
             for j, s in enumerate(syms) if s[1] >> 4 == STB_GLOBAL and j not in undefined]
    if any(off < 0 for _, off in found):
        raise Unsupported("a symbol outside the loaded sections")
    slots = [(name, stubs + k * _STUB_SIZE + len(_STUB)) for k, name in enumerate(imports)]
    head = _IMAGE_HEAD.pack(IMAGE_MAGIC, len(found), len(slots), size)
    return head + b"".join(_IMAGE_SYM.pack(len(n), off) + n for n, off in found + slots) + \
        image.tobytes()


def _relocate(image: np.ndarray, rela: np.ndarray, offsets: np.ndarray, start: int) -> None:
    """Apply one section's relocations at once (a kernel has hundreds: one per constant its
    code loads); each is PC-relative, so the value written does not depend on the base."""
    if not len(rela):
        return
    width = _WIDTH[np.minimum(rela["info"] & 0xFFFFFFFF, len(_WIDTH) - 1).astype(np.intp)]
    sym = offsets[(rela["info"] >> 32).astype(np.intp)]
    at = rela["offset"].astype(np.int64) + start
    if not width.all() or sym.min() < 0 or rela["offset"].max() > len(image) - start - 8:
        raise Unsupported("a relocation this loader does not apply")
    value = sym + rela["addend"] - at
    narrow = width == 4
    if (narrow & ((value < -2 ** 31) | (value >= 2 ** 31))).any():
        raise Unsupported("a 32-bit relocation out of range")
    for cut, n in ((narrow, 4), (~narrow, 8)):
        image[at[cut, None] + np.arange(n)] = value[cut].astype("<i8").view(
            np.uint8).reshape(-1, 8)[:, :n]


def map_image(image: bytes) -> dict[str, int]:
    """Copy a `link`ed image into executable memory, its import slots filled; the address of
    each global symbol."""
    magic, count, n_imports, size = _IMAGE_HEAD.unpack_from(image)
    if magic != IMAGE_MAGIC:
        raise Unsupported("not an image")
    entries, at = [], _IMAGE_HEAD.size
    for _ in range(count + n_imports):
        length, offset = _IMAGE_SYM.unpack_from(image, at)
        at += _IMAGE_SYM.size
        entries.append((image[at:at + length].decode("ascii"), offset))
        at += length
    symbols, slots = dict(entries[:count]), entries[count:]
    if len(image) - at != size or size == 0 or \
            any(off >= size for off in symbols.values()) or \
            any(off + 8 > size or name.encode() not in IMPORTS for name, off in slots):
        raise Unsupported("a damaged image")
    try:
        m = mmap.mmap(-1, size, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    except (OSError, ValueError) as e:
        raise Unsupported(f"no executable mapping: {e}") from None
    m[:] = image[at:]
    for name, off in slots:  # the C library's function, in this process
        m[off:off + 8] = struct.pack("<Q", ctypes.cast(getattr(ctypes.pythonapi, name),
                                                       ctypes.c_void_p).value)
    base = ctypes.addressof(ctypes.c_char.from_buffer(m))
    _protect(base, size)
    _maps.append(m)
    return {name: base + off for name, off in symbols.items()}


def _protect(addr: int, size: int) -> None:
    """Make the mapping read+execute now that it is written (W^X where the system has it)."""
    if not _mprotect:  # the C library's, through the handle ctypes already opened
        fn = ctypes.pythonapi.mprotect
        fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        _mprotect.append(fn)
    if _mprotect[0](addr, size, mmap.PROT_READ | mmap.PROT_EXEC) != 0:
        raise Unsupported("mprotect failed")
