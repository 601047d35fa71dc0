"""From a `Kernel` to a callable address: optimize for the host CPU, emit object code, load it.

Compiled kernels are kept per process by their content key (so a new extent with the same
dtypes, rank and broadcast pattern reuses the code) and on disk (`tracenp.disk_cache`), so a
new process does no LLVM code generation for kernels it has seen. `STATS.codegen` counts
the kernels this process generated; with `TRACENP_DEBUG=1` each generated kernel's IR and
assembly go to stderr (and the disk cache is bypassed so they are shown).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import llvmlite
import llvmlite.binding as llvm
from llvmlite import ir

from .. import disk_cache
from ..fusion import Kernel
from .llvm_kernel import build_module, function_name

KERNEL_ARGS = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64]


@dataclass
class Stats:
    codegen: int = 0  # kernels compiled by LLVM in this process
    disk_hits: int = 0
    memory_hits: int = 0


STATS = Stats()
_lock = threading.Lock()
_state: dict = {}
_loaded: dict[str, int] = {}


def _machine():
    if not _state:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        target = llvm.Target.from_default_triple()
        cpu, features = llvm.get_host_cpu_name(), llvm.get_host_cpu_features().flatten()
        features += ",-prefer-256-bit"  # use full AVX-512 width where the CPU has it
        tm = target.create_target_machine(cpu=cpu, features=features, opt=3,
                                          codemodel="jitdefault")
        engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), tm)
        _state.update(tm=tm, engine=engine, env=f"{llvm.get_default_triple()} {cpu} "
                      f"{features} llvmlite {llvmlite.__version__} llvm "
                      f"{llvm.llvm_version_info} tracenp {_version()}")
    return _state


def _version() -> str:
    """tracenp's version and a hash of the code generator's sources (content, not times)."""
    from .. import __version__

    here = Path(__file__).parent
    h = hashlib.sha256()
    sources = [*here.glob("llvm_math*.py"), here / "llvm_ops.py", here / "llvm_kernel.py",
               here.parent / "fusion.py"]
    for path in sorted(sources):
        h.update(path.read_bytes())
    return f"{__version__} codegen {h.hexdigest()[:16]}"


def debug() -> bool:
    return os.environ.get("TRACENP_DEBUG", "") not in ("", "0")


def optimize(module: llvm.ModuleRef, tm: llvm.TargetMachine) -> None:
    """The new pass manager's O3 pipeline with the loop and SLP vectorizers on."""
    pto = llvm.create_pipeline_tuning_options(speed_level=3)
    pto.loop_vectorization = True
    pto.slp_vectorization = True
    pto.loop_unrolling = True
    pb = llvm.create_pass_builder(tm, pto)
    pb.getModulePassManager().run(module, pb)


def compile_kernel(kernel: Kernel) -> int:
    """The address of `kernel`'s function, compiling it (or loading it from disk) if needed."""
    return load_function(kernel.text(), lambda name: build_module(kernel, name))


def load_function(text: str, build: Callable[[str], ir.Module]) -> int:
    """The address of the function `build(name)` defines for the description `text`.

    `text` must determine the code completely: it (with the CPU and versions) is the key of
    the process's table and of the disk cache.
    """
    with _lock:
        st = _machine()
        key = f"{text}\n{st['env']}"
        name = function_name(hashlib.sha256(key.encode()).hexdigest())
        addr = _loaded.get(name)
        if addr is not None:
            STATS.memory_hits += 1
            return addr
        obj = disk_cache.load(key)
        if obj is not None and not debug():
            STATS.disk_hits += 1
        else:
            obj = _codegen(text, build(name), st["tm"])
            disk_cache.store(key, obj)
        st["engine"].add_object_file(llvm.ObjectFileRef.from_data(obj))
        st["engine"].finalize_object()
        addr = st["engine"].get_function_address(name)
        if not addr:
            raise RuntimeError(f"tracenp: compiled function {name} has no address")
        _loaded[name] = addr
        return addr


def _optimized(source: ir.Module, tm: llvm.TargetMachine) -> llvm.ModuleRef:
    module = llvm.parse_assembly(str(source))
    module.triple = llvm.get_default_triple()
    module.data_layout = str(tm.target_data)
    module.verify()
    optimize(module, tm)
    return module


def _codegen(text: str, source: ir.Module, tm: llvm.TargetMachine) -> bytes:
    STATS.codegen += 1
    module = _optimized(source, tm)
    if debug():
        print(_listing(text, module, tm), file=sys.stderr)
    return tm.emit_object(module)


def listing(kernel: Kernel) -> str:
    """The kernel's description, its optimized LLVM IR and the host assembly, as text."""
    tm = _machine()["tm"]
    module = _optimized(build_module(kernel, "tracenp_kernel"), tm)
    return f"; kernel {kernel.shape}\n" + _listing(kernel.text(), module, tm)


def _listing(text: str, module: llvm.ModuleRef, tm: llvm.TargetMachine) -> str:
    return "; " + text.replace("\n", "\n; ") + f"\n{module}\n{tm.emit_assembly(module)}"


def kernel_function(addr: int, n_arrays: int):
    """A ctypes callable (it releases the GIL) for a kernel taking `n_arrays` arrays."""
    proto = ctypes.CFUNCTYPE(None, *KERNEL_ARGS, *([ctypes.py_object] * n_arrays))
    return proto(addr)
