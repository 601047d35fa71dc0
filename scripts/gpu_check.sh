#!/usr/bin/env bash
# The device check of issue 6, in one go, on a machine with an NVIDIA GPU and CuPy:
# the gpu-marked tests, the Theano tutorial under TRACENP_FLAGS=device=cuda, and the GPU
# benchmark. Each stage has a time limit (about 9 minutes in all, the H200 needs far less)
# and prints its last lines; the full output goes to $OUT/gpu_check.log (else /tmp).
#
#   scripts/gpu_check.sh        # PYTHON=/path/to/python, ACCEPTANCE=path/to/test_seed_tutorial.py
#
# The interpreter needs tracenp's test and gpu extras (pip install -e '.[test,gpu]').
set -u
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
ACC=${ACCEPTANCE:-../shared/acceptance/test_seed_tutorial.py}
LOG=${OUT:-/tmp}/gpu_check.log
mkdir -p "$(dirname "$LOG")" && : > "$LOG"
failed=()

stage() {  # stage NAME LIMIT_S LINES COMMAND... : run with a limit, show the last LINES lines
    local name=$1 limit=$2 lines=$3 t0=$SECONDS start rc
    shift 3
    echo "== $name" | tee -a "$LOG"
    start=$(wc -l < "$LOG")
    timeout -k 10 "$limit" "$@" >> "$LOG" 2>&1
    rc=$?
    tail -n +$((start + 1)) "$LOG" | tail -n "$lines"
    case $rc in
        0) echo "-- $name: ok in $((SECONDS - t0))s" ;;
        124|137) echo "-- $name: TIMED OUT after ${limit}s"; failed+=("$name") ;;
        *) echo "-- $name: FAILED (exit $rc) in $((SECONDS - t0))s"; failed+=("$name") ;;
    esac
}

PYTEST=("$PY" -m pytest -p no:cacheprovider -q -m gpu --tb=short -rfE tests/lowering/test_cupy.py)
BIG="every_op_table or random_expressions"

read -r -d '' PROBE <<'PY'
import sys
try:
    import cupy
    n = cupy.cuda.runtime.getDeviceCount()
    assert n > 0, "no device"
except Exception as e:
    sys.exit(f"no usable GPU through CuPy: {type(e).__name__}: {e}")
rt = cupy.cuda.runtime
name = rt.getDeviceProperties(0)["name"].decode()
print(f"{name} x{n}; CuPy {cupy.__version__}, CUDA runtime {rt.runtimeGetVersion()}, "
      f"driver {rt.driverGetVersion()}, NVRTC {cupy.cuda.nvrtc.getVersion()}")
PY
stage "device" 60 5 "$PY" -c "$PROBE"
[ ${#failed[@]} -eq 0 ] || { echo "no GPU: nothing else can run"; exit 2; }

stage "gpu tests (semantics, grad, shared variables, caches)" 100 30 \
    "${PYTEST[@]}" -k "not ($BIG or hypothesis)"
stage "bench_gpu (1e8 elements, 10000x10000)" 90 12 "$PY" -m tracenp.bench_gpu
if [ -f "$ACC" ]; then
    stage "Theano tutorial under device=cuda" 60 8 \
        env TRACENP_FLAGS=device=cuda "$PY" -m pytest -p no:cacheprovider -q --tb=short "$ACC"
else
    echo "== Theano tutorial under device=cuda: skipped, $ACC not found (set ACCEPTANCE)"
fi
stage "gpu tests (every op-table case, random expressions)" 210 40 \
    "${PYTEST[@]}" --durations=3 -k "$BIG"
stage "gpu tests (hypothesis expressions)" 90 20 "${PYTEST[@]}" --durations=1 -k hypothesis

if [ ${#failed[@]} -eq 0 ]; then
    echo "gpu_check: all stages passed (log: $LOG)"
else
    (IFS=";"; echo "gpu_check: ${#failed[@]} stage(s) failed: ${failed[*]} (log: $LOG)")
    exit 1
fi
