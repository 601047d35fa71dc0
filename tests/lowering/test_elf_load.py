"""The object loader: kernels it maps compute what MCJIT-loaded ones do; it refuses the rest."""

from __future__ import annotations

import ctypes
import struct

import numpy as np
import pytest

import tracenp
from tracenp.lowering import elf_load, llvm_jit


def test_kernels_are_mapped_without_mcjit():
    before = llvm_jit.STATS.mcjit
    f = tracenp.jit(lambda a, b: np.where(a > b, np.exp(a) * 0.5, np.log1p(b * b)))
    a, b = np.linspace(-3, 3, 999), np.linspace(2, -2, 999)
    np.testing.assert_allclose(f(a, b), np.where(a > b, np.exp(a) * 0.5, np.log1p(b * b)),
                               rtol=1e-14)
    assert llvm_jit.STATS.mcjit == before


def _object(kernel_fn, *args) -> bytes:
    """The object code of the first kernel `kernel_fn` compiles for `args`."""
    from tracenp.fusion import KernelStep, schedule
    from tracenp.lowering.llvm import lowerable
    from tracenp.lowering.llvm_kernel import build_module

    steps = schedule(tracenp.jit(kernel_fn).graph(*args), lowerable).steps
    k = next(s.kernel for s in steps if isinstance(s, KernelStep))

    tm = llvm_jit._machine()["tm"]
    return llvm_jit._codegen(k.text(), build_module(k, "tracenp_test_k"), tm)


def test_symbols_resolve_to_mapped_code():
    obj = _object(lambda x: np.sin(x) + 1.0, np.ones(8))
    syms = elf_load.map_image(elf_load.link(obj))
    # the kernel, its CPython entry, its thread pool entry
    assert set(syms) == {"tracenp_test_k", "tracenp_test_k_call", "tracenp_test_k_task"}
    assert all(addr > 0 for addr in syms.values())


def test_linked_image_runs_wherever_it_is_mapped():
    """Relocations are PC-relative, so one image (what the disk cache keeps) computes the
    same in every mapping, at every address."""
    from tracenp.fusion import KernelStep, schedule
    from tracenp.lowering.llvm import lowerable
    from tracenp.lowering.llvm_kernel import build_module

    x = np.linspace(-5, 5, 301)
    steps = schedule(tracenp.jit(lambda v: np.exp(-v * v) * np.cos(v)).graph(x), lowerable).steps
    k = next(s.kernel for s in steps if isinstance(s, KernelStep))
    obj = llvm_jit._codegen(k.text(), build_module(k, "tracenp_test_k"), llvm_jit._machine()["tm"])
    image = elf_load.link(obj)
    assert image.startswith(elf_load.IMAGE_MAGIC)
    words = k.words()
    outs = []
    for _ in range(2):
        addr = elf_load.map_image(image)["tracenp_test_k"]
        call = ctypes.CFUNCTYPE(None, *llvm_jit.KERNEL_ARGS, ctypes.py_object, ctypes.py_object)
        out = np.empty_like(x)
        call(addr)(words.ctypes.data, 0, x.shape[0], 0, x, out)
        outs.append((addr, out))
    (a1, o1), (a2, o2) = outs
    assert a1 != a2
    np.testing.assert_allclose(o1, np.exp(-x * x) * np.cos(x), rtol=1e-14, atol=1e-300)
    np.testing.assert_array_equal(o1, o2)


@pytest.mark.parametrize("damage", ["magic", "count", "offset", "short"])
def test_damaged_images_are_refused(damage):
    image = bytearray(elf_load.link(_object(lambda x: np.sqrt(x) + 1.0, np.ones(8))))
    head = elf_load._IMAGE_HEAD.size
    if damage == "magic":
        image[:4] = b"\0\0\0\0"
    elif damage == "count":
        image[len(elf_load.IMAGE_MAGIC):len(elf_load.IMAGE_MAGIC) + 4] = (10 ** 6).to_bytes(
            4, "little")
    elif damage == "offset":
        image[head + 2:head + 10] = (2 ** 40).to_bytes(8, "little")
    else:
        image = image[:-7]
    with pytest.raises((elf_load.Unsupported, struct.error, UnicodeDecodeError)):
        elf_load.map_image(bytes(image))


def test_cached_image_this_process_cannot_map_is_compiled_again(tmp_path, monkeypatch):
    """An image the loader refuses (a system without executable mappings) is a cache miss:
    the kernel is compiled again and its object goes to MCJIT."""
    monkeypatch.setenv("TRACENP_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("TRACENP_NO_CACHE", raising=False)
    fn = lambda x: np.arctan(x) * 3.0 - x  # noqa: E731
    x = np.linspace(-4, 4, 77)
    tracenp.jit(fn)(x)
    tracenp.wait_compiled()

    def refuse(image):
        raise elf_load.Unsupported("test")

    monkeypatch.setattr(elf_load, "map_image", refuse)
    monkeypatch.setattr(llvm_jit, "_loaded", {})
    before = llvm_jit.STATS.mcjit
    f = tracenp.jit(fn)
    f(x)
    tracenp.wait_compiled()
    np.testing.assert_allclose(f(x), np.arctan(x) * 3.0 - x, rtol=1e-14, atol=1e-15)
    assert llvm_jit.STATS.mcjit > before


@pytest.mark.parametrize("damage", ["header", "machine", "relocation", "undefined"])
def test_unsupported_objects_are_refused(damage):
    obj = bytearray(_object(lambda x: np.exp(x) * 2.0, np.ones(8)))
    if damage == "header":
        obj[:4] = b"\0\0\0\0"
    elif damage == "machine":
        obj[18:20] = (183).to_bytes(2, "little")  # aarch64
    elif damage == "relocation":
        _patch_relocations(obj, lambda kind: 42)
    else:
        _patch_symbols(obj)
    with pytest.raises(elf_load.Unsupported):
        elf_load.link(bytes(obj))


def _sections(obj: bytes):
    shoff, shnum = elf_load._EHDR.unpack_from(obj)[6], elf_load._EHDR.unpack_from(obj)[12]
    return [(shoff + i * elf_load._SHDR.size, elf_load._SHDR.unpack_from(obj, shoff + i *
                                                                       elf_load._SHDR.size))
            for i in range(shnum)]


def _patch_relocations(obj: bytearray, kind) -> None:
    rela = [s for _, s in _sections(obj) if s[1] == elf_load.SHT_RELA]
    assert rela, "the kernel has relocations"
    _, _, _, _, foff, _, _, _, _, _ = rela[0]
    offset, info, addend = elf_load._RELA.unpack_from(obj, foff)
    elf_load._RELA.pack_into(obj, foff, offset, (info >> 32 << 32) | kind(info), addend)


def _patch_symbols(obj: bytearray) -> None:
    """Make the kernel's global symbol undefined (section index 0)."""
    symtab = next(s for _, s in _sections(obj) if s[1] == elf_load.SHT_SYMTAB)
    for j in range(symtab[5] // elf_load._SYM.size):
        at = symtab[4] + j * elf_load._SYM.size
        name, info, other, shndx, value, size = elf_load._SYM.unpack_from(obj, at)
        if info >> 4 == elf_load.STB_GLOBAL:
            elf_load._SYM.pack_into(obj, at, name, info, other, 0, value, size)


def test_refused_objects_load_through_mcjit(monkeypatch):
    def refuse(obj):
        raise elf_load.Unsupported("test")

    monkeypatch.setattr(elf_load, "map_image", refuse)
    monkeypatch.setattr(llvm_jit, "_loaded", {})
    before = llvm_jit.STATS.mcjit
    f = tracenp.jit(lambda x: np.tanh(x) * 3.0 - x)
    x = np.linspace(-4, 4, 77)
    np.testing.assert_allclose(f(x), np.tanh(x) * 3.0 - x, rtol=1e-14, atol=1e-15)
    assert llvm_jit.STATS.mcjit == before + 1


def _scalings(a, b, M, reg):
    # POT's sinkhorn_knopp: its kernels and entry call the C library's memcpy and memset
    u, v = np.ones(len(a)) / len(a), np.ones(len(b)) / len(b)
    K = np.empty(M.shape, dtype=M.dtype)
    np.divide(M, -reg, out=K)
    np.exp(K, out=K)
    Kp = (1 / a).reshape(-1, 1) * K
    for _ in range(30):
        v = np.divide(b, np.dot(K.T, u))
        u = 1.0 / np.dot(Kp, v)
    return u.reshape((-1, 1)) * K * v.reshape((1, -1))


def test_objects_calling_memcpy_and_memset_are_mapped_through_stubs(monkeypatch):
    """The C library's memory functions are reached through the image's own stubs, filled
    when it is mapped: MCJIT, which once aborted on such objects' 32-bit relocations, is not
    started (every kernel and the entry compiled and loaded afresh here)."""
    monkeypatch.setenv("TRACENP_NO_CACHE", "1")
    monkeypatch.setattr(llvm_jit, "_loaded", {})
    r = np.random.default_rng(0)
    a, b, M = r.random(5) + 0.1, r.random(6) + 0.1, r.random((5, 6))
    before = llvm_jit.STATS.mcjit
    f = tracenp.jit(_scalings)
    for _ in range(3):
        np.testing.assert_allclose(f(a, b, M, 0.5), _scalings(a, b, M, 0.5), rtol=1e-12)
    assert llvm_jit.STATS.mcjit == before


def _memset_image() -> bytes:
    """The image of `void tracenp_test_fill(char *p, long n)`: LLVM's memset of n bytes."""
    from llvmlite import ir

    module = ir.Module(name="fill")
    i8p, i64 = ir.PointerType(), ir.IntType(64)
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [i8p, i64]), "tracenp_test_fill")
    b = ir.IRBuilder(fn.append_basic_block())
    memset = module.declare_intrinsic("llvm.memset", [i8p, i64])
    b.call(memset, [fn.args[0], ir.Constant(ir.IntType(8), 7), fn.args[1],
                    ir.Constant(ir.IntType(1), 0)])
    b.ret_void()
    return elf_load.link(llvm_jit._codegen("fill", module, llvm_jit._machine()["tm"]))


def test_an_imported_memset_runs_and_other_imports_are_refused():
    image = _memset_image()
    assert b"memset" in image
    fill = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_long)(
        elf_load.map_image(image)["tracenp_test_fill"])
    buf = np.zeros(1000, np.uint8)
    fill(buf.ctypes.data, 999)
    assert (buf[:999] == 7).all() and buf[999] == 0
    with pytest.raises(elf_load.Unsupported):  # an image asking for another C function
        elf_load.map_image(image.replace(b"memset", b"system"))
