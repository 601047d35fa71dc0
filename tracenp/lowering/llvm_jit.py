"""From a `Kernel` to a callable address: optimize for the host CPU, emit object code, load it.

Compiled kernels are kept per process by their content key (so a new extent with the same
dtypes, rank and broadcast pattern reuses the code) and on disk (`tracenp.disk_cache`), so a
new process does no LLVM code generation for kernels it has seen. Objects are mapped by
`elf_load` (MCJIT only where it refuses one), and the disk key names the host without asking
LLVM (`environment()`), so a process whose kernels are all on disk never imports
`llvmlite.binding` nor starts LLVM. `STATS.codegen` counts the modules this process
generated; with `TRACENP_DEBUG=1` each generated module's IR and assembly go to stderr (and
the disk cache is bypassed so they are shown).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import struct
import sys
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator

import llvmlite

from .. import disk_cache, source_digest  # (a warm first call imports nothing)
from . import elf_load, llvm_call

if TYPE_CHECKING:
    import llvmlite.binding as llvm
    from llvmlite import ir

    from ..fusion import Kernel

KERNEL_ARGS = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64]


@dataclass
class Stats:
    codegen: int = 0  # modules (kernels, entries) compiled by LLVM in this process
    disk_hits: int = 0
    memory_hits: int = 0
    mcjit: int = 0  # objects `elf_load` refused, loaded by LLVM's MCJIT instead


STATS = Stats()
_lock = threading.Lock()  # the tables below
_codegen_lock = threading.Lock()  # LLVM itself
_machine_lock = threading.Lock()  # starting LLVM


def _hold_locks() -> None:
    _codegen_lock.acquire()
    _lock.acquire()


def _release_locks() -> None:
    _lock.release()
    _codegen_lock.release()


# fork waits for the module LLVM is working on: a child never inherits a lock held mid-way
os.register_at_fork(before=_hold_locks, after_in_parent=_release_locks,
                    after_in_child=_release_locks)
_state: dict = {}
_loaded: dict[str, int] = {}
_entries: dict[int, dict[str, int]] = {}  # a function's address: its module's other entries
POOL_WORKER = "_worker"  # `llvm_pool`'s worker loop, in the module of its launch function
ENTRY_SUFFIXES = (llvm_call.SUFFIX, llvm_call.TASK, POOL_WORKER)
_env: list = []


def _machine():
    """LLVM's target machine for the host (and an MCJIT engine for objects `elf_load`
    refuses), made when something is first compiled: a warm process never needs them."""
    with _machine_lock:
        if not _state:
            _start_llvm()
    return _state


def _start_llvm() -> None:
    import llvmlite.binding as llvm

    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    target = llvm.Target.from_default_triple()
    cpu, features = llvm.get_host_cpu_name(), llvm.get_host_cpu_features().flatten()
    features += ",-prefer-256-bit"  # use full AVX-512 width where the CPU has it
    reloc, model = ("pic", "small") if _links() else ("default", "jitdefault")
    tm, quick = (target.create_target_machine(cpu=cpu, features=features, opt=level,
                                              reloc=reloc, codemodel=model) for level in (3, 0))
    _state.update(tm=tm, quick=quick, cpu=f"{llvm.get_default_triple()} {cpu} {features} llvm "
                  f"{llvm.llvm_version_info}")


def _links() -> bool:
    """Whether `elf_load` links this host's objects: there code is position-independent
    (small code model), so a linked image runs wherever it is mapped; elsewhere MCJIT loads
    objects, in the code model it expects."""
    return sys.platform.startswith("linux") and platform.machine() in ("x86_64", "AMD64")


def _engine():
    """The MCJIT engine of objects `elf_load` does not link (one calling `memcpy`), made once
    and never freed: its code may run until the process ends, and freed at interpreter exit,
    after llvmlite's bindings, it printed an ignored TypeError."""
    st = _machine()
    if "engine" not in st:
        import ctypes

        import llvmlite.binding as llvm

        st["engine"] = llvm.create_mcjit_compiler(llvm.parse_assembly(""), st["tm"])
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(st["engine"]))
    return st["engine"]


def environment() -> str:
    """What besides a module's text decides its object code: the host CPU, llvmlite and
    tracenp's code generator (its version and the hash of its sources' contents)."""
    if not _env:
        _env.append(_remembered_environment() or _fresh_environment())
    return _env[0]


def _fixed_environment() -> str:
    from .. import __version__

    return f"{sys.platform} {platform.machine()} llvmlite {llvmlite.__version__} " \
           f"tracenp {__version__}"


def _remembered_environment() -> str | None:
    """Linux names the CPU by /proc/cpuinfo's identity and flag lines (what LLVM's host
    detection reads from the same CPUID), so that finding a cached object needs no LLVM.
    That CPU does not change while the kernel runs, nor do the sources while their stamps
    stay (`source_digest.stamps`), so both hashes are remembered in one memo under the boot
    id and those stamps: a warm process reads one small file, where formatting
    /proc/cpuinfo and reading two memos took a fifth of its first call. None elsewhere."""
    boot = _boot_id()
    if boot is None:
        return None
    fixed = _fixed_environment()
    stamps = source_digest.stamps(list(source_digest.KEYED))
    memo = "env-" + hashlib.sha256(b"\n".join(
        [boot, fixed.encode(), stamps.encode()])).hexdigest()[:32]
    known = disk_cache.read_hex(memo, 48)
    if known is None:
        cpu = _cpuinfo()
        if cpu is None:
            return None
        known = cpu + source_digest.contents(list(source_digest.KEYED))
        disk_cache.write(memo, known.encode())
    return f"{fixed} cpuinfo {known[:32]} sources {known[32:]}"


def _fresh_environment() -> str:
    """Where no memo can be kept: the CPU as LLVM names it, the sources' digest."""
    return f"{_fixed_environment()} cpu {_machine()['cpu']} sources " \
           f"{source_digest.digest(list(source_digest.KEYED))}"


_CPU_FIELDS = ("vendor_id", "cpu family", "model", "model name", "stepping", "flags",
               "CPU implementer", "CPU architecture", "CPU variant", "CPU part", "Features")


def _cpuinfo() -> str | None:
    """The hash (32 hex digits) of /proc/cpuinfo's identity lines, or None."""
    first = _first_cpu_block()
    if first is None:
        return None
    lines = [ln for ln in first.splitlines() if ln.split(":")[0].strip() in _CPU_FIELDS]
    if not any(ln.startswith(("flags", "Features")) for ln in lines):
        return None
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]


def _boot_id() -> bytes | None:
    """Linux's id of this boot of the kernel, or None."""
    try:
        fd = os.open("/proc/sys/kernel/random/boot_id", os.O_RDONLY)
    except OSError:
        return None
    try:
        return os.read(fd, 64).strip() or None
    except OSError:
        return None
    finally:
        os.close(fd)


def _first_cpu_block() -> str | None:
    """/proc/cpuinfo's first processor's lines. Read in chunks until its block ends: the
    kernel formats the file a record at a time, and a whole file (each processor's current
    clock measured) took 0.1-0.25 ms of a first call on 2 processors, more on many."""
    try:
        fd = os.open("/proc/cpuinfo", os.O_RDONLY)
    except OSError:
        return None
    chunks: list[bytes] = []
    try:
        while True:
            chunk = os.read(fd, 8192)
            chunks.append(chunk)
            if not chunk or b"\n\n" in chunk:
                break
    except OSError:
        return None
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8", "replace").split("\n\n")[0]


def debug() -> bool:
    return os.environ.get("TRACENP_DEBUG", "") not in ("", "0")


SLP_BLOCK_LIMIT = 200  # instructions in one basic block above which SLP is left off
LARGE_MODULE = 8_000  # instructions above which O1 (O3 took 19 s, codegen 8 s more, over
# a t-SNE bisection's 20 unrolled steps fused into one row kernel: superlinear in its size)


def optimize(module: llvm.ModuleRef, tm: llvm.TargetMachine, slp: bool = True,
             level: int = 3) -> None:
    """The new pass manager's pipeline at `level` (O3's with the loop vectorizer, and SLP
    where `slp`)."""
    import llvmlite.binding as llvm

    pto = llvm.create_pipeline_tuning_options(speed_level=level)
    pto.loop_vectorization = level >= 2
    pto.slp_vectorization = slp and level >= 2
    pto.loop_unrolling = level >= 2
    pb = llvm.create_pass_builder(tm, pto)
    pb.getModulePassManager().run(module, pb)


def compile_kernel(kernel: Kernel) -> int:
    """The address of `kernel`'s function, compiling it (or loading it from disk) if needed.
    The code generator (with LLVM's IR builder) is imported only when code is built."""

    def build(name: str) -> ir.Module:
        from .llvm_kernel import build_module

        return build_module(kernel, name)

    return load_function(kernel.text(), build)


class NeedsCodegen(Exception):
    """Raised by `load_function` under `cached_only()` for code no cache has."""


_CACHED_ONLY: ContextVar[bool] = ContextVar("tracenp_cached_only", default=False)


@contextmanager
def cached_only() -> Iterator[None]:
    """Within the block `load_function` raises `NeedsCodegen` instead of running LLVM: how
    `compile_graph` learns, cheaply, that a graph should compile in the background."""
    token = _CACHED_ONLY.set(True)
    try:
        yield
    finally:
        _CACHED_ONLY.reset(token)


def load_function(text: str, build: Callable[[str], ir.Module], quick: bool = False) -> int:
    """The address of the function `build(name)` defines for the description `text`.

    `text` must determine the code completely: it (with `environment()`) is the key of the
    process's table and of the disk cache. LLVM runs for one module at a time, outside the
    table's lock, so a compile in the background never holds up lookups of cached code.
    `quick` code skips LLVM's optimizer and takes its fast instruction selector: for glue
    that only calls compiled kernels in order (a long program's entry), where O3 spent
    seconds (5 s on the 180 launches of an unrolled loop) for no faster calls.
    """
    with _lock:
        addr = _cached(text)
    if addr is not None:
        return addr
    if _CACHED_ONLY.get():
        raise NeedsCodegen(text)
    with _codegen_lock:
        with _lock:
            addr = _cached(text)  # compiled by another thread meanwhile
        if addr is None:
            key = f"{text}\n{environment()}"
            name = function_name(key)
            obj = _codegen(text, build(name), _machine()["tm"], quick)
            payload = _linked(obj)
            disk_cache.store(key, payload)
            with _lock:
                addr = _loaded[name] = _load(payload, name, obj)
    return addr


def cached_function(text: str) -> int | None:
    """The address for `text` if this process or the disk cache has its code, else None."""
    with _lock:
        return _cached(text)


def _cached(text: str) -> int | None:
    key = f"{text}\n{environment()}"
    name = function_name(key)
    addr = _loaded.get(name)
    if addr is not None:
        STATS.memory_hits += 1
        return addr
    payload = None if debug() else disk_cache.load(key)
    if payload is None:
        return None
    addr = _load(payload, name)
    if addr is not None:
        STATS.disk_hits += 1
        _loaded[name] = addr
    return addr


def function_name(key: str) -> str:
    return f"tracenp_k_{hashlib.sha256(key.encode()).hexdigest()[:24]}"


def _linked(obj: bytes) -> bytes:
    """What the disk cache keeps of a new object: its image where `elf_load` links it (a
    new process then only maps it), else the object itself."""
    if _links():
        try:
            return elf_load.link(obj)
        except (elf_load.Unsupported, struct.error, IndexError, ValueError):
            pass
    return obj


def _load(payload: bytes, name: str, obj: bytes | None = None) -> int | None:
    """Map an image ourselves (`elf_load`), or load the object through MCJIT; None for a
    cached image this process cannot map (its object is compiled again)."""
    if payload.startswith(elf_load.IMAGE_MAGIC):
        try:
            symbols = elf_load.map_image(payload)
            return _found(name, symbols.get(name, 0),
                          {s: symbols.get(name + s, 0) for s in ENTRY_SUFFIXES})
        except (elf_load.Unsupported, struct.error, IndexError, ValueError):
            if obj is None:
                return None
    import llvmlite.binding as llvm

    STATS.mcjit += 1
    engine = _engine()
    engine.add_object_file(llvm.ObjectFileRef.from_data(obj or payload))
    engine.finalize_object()
    return _found(name, engine.get_function_address(name),
                  {s: engine.get_function_address(name + s) for s in ENTRY_SUFFIXES})


def _found(name: str, addr: int, others: dict[str, int]) -> int:
    if not addr:
        raise RuntimeError(f"tracenp: compiled function {name} has no address")
    _entries[addr] = {s: a for s, a in others.items() if a}
    return addr


def entry(addr: int, suffix: str) -> int:
    """The address of `<function>{suffix}` in the module of the function at `addr`, or 0:
    its CPython entry (`llvm_call.SUFFIX`), its pool task (`llvm_call.TASK`), ..."""
    return _entries.get(addr, {}).get(suffix, 0)


def _optimized(source: ir.Module, tm: llvm.TargetMachine, quick: bool = False) -> llvm.ModuleRef:
    import llvmlite.binding as llvm

    module = llvm.parse_assembly(str(source))
    module.triple = llvm.get_default_triple()
    module.data_layout = str(tm.target_data)
    module.verify()
    if not quick:
        large = _size(source) > LARGE_MODULE
        optimize(module, tm, slp=_longest_block(source) <= SLP_BLOCK_LIMIT,
                 level=1 if large else 3)
    return module


def _size(source: ir.Module) -> int:
    """Instructions in the module."""
    return sum(len(block.instructions) for fn in source.functions for block in fn.blocks)


def _longest_block(source: ir.Module) -> int:
    """Instructions in the module's longest basic block. An unrolled scalar loop (a bubble
    sort of 12 values: 1,400 lines) is one long block, and the SLP vectorizer's time grows
    faster than its length there: 1.42 s of O3's 1.51 s, for packing a few independent
    scalar operations into pairs. Loops keep the loop vectorizer either way."""
    return max((len(block.instructions) for fn in source.functions for block in fn.blocks),
               default=0)


def _codegen(text: str, source: ir.Module, tm: llvm.TargetMachine, quick: bool = False) -> bytes:
    STATS.codegen += 1
    module = _optimized(source, tm, quick)
    if quick:
        tm = _machine()["quick"]
    if debug():
        print(_listing(text, module, tm), file=sys.stderr)
    return tm.emit_object(module)


def listing(kernel: Kernel) -> str:
    """The kernel's description, its optimized LLVM IR and the host assembly, as text."""
    from .llvm_kernel import build_module

    tm = _machine()["tm"]
    with _codegen_lock:
        module = _optimized(build_module(kernel, "tracenp_kernel"), tm)
        return f"; kernel {kernel.shape}\n" + _listing(kernel.text(), module, tm)


def _listing(text: str, module: llvm.ModuleRef, tm: llvm.TargetMachine) -> str:
    return "; " + text.replace("\n", "\n; ") + f"\n{module}\n{tm.emit_assembly(module)}"


def kernel_function(addr: int, n_arrays: int):
    """`call(shape, lo, hi, slot, *arrays)` for a kernel taking `n_arrays` arrays, running
    without the GIL: its module's CPython entry (`llvm_call`), else a ctypes call."""
    caller = entry(addr, llvm_call.SUFFIX)
    if caller:
        return llvm_call.builtin(caller)
    proto = ctypes.CFUNCTYPE(None, *KERNEL_ARGS, *([ctypes.py_object] * n_arrays))
    return proto(addr)
