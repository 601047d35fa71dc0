"""A content hash of the tracenp sources that decide plans and object code, for disk keys.

A cached kernel or plan must not outlive the code that made it, so its key includes a hash
of that code's contents (`KEYED`). Opening and hashing the files took about a millisecond
of every process's first call; instead the hash is remembered in the cache directory under
a name made from each file's size, modification time and inode, and the files are reread
only when one of those differs (the check Python makes before trusting its own bytecode
cache). So a warm process stats the files and reads one small file (on Linux, the memo
`llvm_jit.environment` keeps with the CPU's identity). Keys are still made from contents:
file times only decide when to rehash.
"""

from __future__ import annotations

import hashlib
import os

from . import disk_cache

PACKAGE = os.path.dirname(os.path.abspath(__file__))
# the optimizer and scheduler (what a plan is), and the code generator (what a kernel is);
# named one by one, since listing directories costs a first call more than stating files
KEYED = ("ir.py", "ops.py", "shapes.py", "linalg_ops.py", "fusion.py", "fusion_merge.py",
         "compile.py", "plans.py", "rewrite/__init__.py", "rewrite/pattern.py",
         "rewrite/reassociate.py", "rewrite/reroll.py", "rewrite/simplify.py",
         "rewrite/sites.py", "rewrite/stabilize.py", "lowering/llvm.py",
         "lowering/llvm_elements.py", "lowering/llvm_math.py", "lowering/llvm_math_f32.py",
         "lowering/llvm_math_ir.py", "lowering/llvm_math_payne_hanek.py",
         "lowering/llvm_math_variants.py", "lowering/llvm_ops.py", "lowering/llvm_complex.py",
         "lowering/llvm_kernel.py", "lowering/llvm_stream.py",
         "lowering/llvm_jit.py", "lowering/llvm_entry.py", "lowering/llvm_rowdot.py",
         "lowering/llvm_rowdot_code.py",
         "lowering/llvm_call.py", "lowering/llvm_loops.py", "lowering/llvm_pool.py",
         "lowering/elf_load.py", "lowering/llvm_batch.py", "lowering/llvm_args.py")
_MEMO_PREFIX = "sources-v2-"


def stamps(names: list[str]) -> str:
    """Each file's size, modification time and inode, a line each: what says, cheaply, that
    no file changed since a digest was remembered."""
    fd = os.open(PACKAGE, os.O_RDONLY)  # stat by name in it: no path to resolve each time
    try:
        stats = [os.stat(name, dir_fd=fd) for name in names]
    finally:
        os.close(fd)
    return "\n".join(f"{name} {st.st_size} {st.st_mtime_ns} {st.st_ino}"
                     for name, st in zip(names, stats))


def contents(names: list[str]) -> str:
    """The hash of the files' contents, read afresh."""
    h = hashlib.sha256()
    for name in names:
        with open(os.path.join(PACKAGE, name), "rb") as f:
            h.update(f"{name} {hashlib.sha256(f.read()).hexdigest()}\n".encode())
    return h.hexdigest()[:16]


def digest(names: list[str]) -> str:
    """One hash of the contents of these files (paths relative to the package), remembered
    under their stamps."""
    memo = _MEMO_PREFIX + hashlib.sha256(stamps(names).encode()).hexdigest()[:32]
    known = disk_cache.read_hex(memo, 16)
    if known is not None:
        return known
    value = contents(names)
    disk_cache.write(memo, value.encode())
    return value
