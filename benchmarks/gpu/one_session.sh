#!/usr/bin/env bash
# One lent GPU session in one call (the device tool gives 15 minutes, start-up
# included, and at most 10 minutes a command): the CUDA-only tests, the speed
# figures alone on the card, then as much of the image protocol as fits,
# in parallel workers that share the card. Every protocol run depends on its
# own (dataset, method, seed, ir) key only, so a later session continues with
# `imbgan benchmark paper ... --resume` on the merged file.
#
# Run from the repository root with the data in ./data (mnist/, fashion-mnist/)
# and the wheels of imbalanced-learn and sklearn-compat in ./.whl (both
# ignored through .git/info/exclude, which a fresh checkout lacks; on the
# development machine, before the first device call):
#   printf '/data/\n/.whl/\n/res/\n' >> .git/info/exclude
#   cp -r ../shared/data data
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
#       --implementation cp --platform manylinux2014_x86_64 -d .whl \
#       imbalanced-learn==0.14.2 sklearn-compat==0.1.6
# and name "data" and ".whl" in the device call's carry. Then, there:
#   COMMIT=<sha> bash benchmarks/gpu/one_session.sh   # results in $OUT (or ./out)
# (COMMIT: the commit the copy was made from, written into every row.)
# PHASES (default "speed protocol"), any of:
#   probe       the CUDA-only tests, then benchmarks/gpu/step_probe.py (the
#               image step with and without CUDA graphs, bf16, compile, at
#               PROBE_EPOCHS epochs, default 5), alone on the card
#   speed       `imbgan benchmark speed` alone on the card (SPEED_SECONDS,
#               default 250; SPEED_ARGS, e.g. --no-digits)
#   protocol    PROTOCOL_DATASETS (default "mnist fashion-mnist"), six
#               methods, seeds PROTOCOL_SEEDS (default "0 1 2"), one worker
#               per GAN run and one per (data set, seed) for the baselines;
#               PROTOCOL_BASELINES=0 runs only the GAN methods (the baselines
#               do not depend on the GAN's defaults: after a change of those,
#               only the GAN rows are stale)
#   sweep       MNIST at IR SWEEP_IRS (default 50,100,200,300,400,500), seeds
#               SWEEP_SEEDS (default 0,1); SWEEP_BASELINES=0 runs only the
#               GAN methods (e.g. a seed the GAN workers did not reach);
#               SWEEP_EXTRA="IR:SEEDS ..." (e.g. "500:3,4,5,6") adds those
#               seeds at those IRs, with baselines unless SWEEP_BASELINES=0
#   disentangle FactorVAE on shapes, bayesgan and infogan, seeds
#               DISENTANGLE_SEEDS (default "0 1 2"), one worker per (method,
#               seed), merged into disentanglement.json
# The CUDA-only tests run beside the workers unless probe ran them.
# END_AFTER (seconds, default 540): every worker has stopped by then.
# A dry run on a CPU: DEVICE=cpu QUICK=--quick END_AFTER=200 bash ...
set -u
DEVICE=${DEVICE:-cuda}
QUICK=${QUICK:-}
OUT=${OUT:-out}
# A warm machine keeps the last call's ignored files: res/ would merge that
# call's rows into this one's (they came back with it already).
rm -rf res
mkdir -p "$OUT" res
START=$(date +%s)
END=${END_AFTER:-540}
left() { echo $((END - ($(date +%s) - START))); }
stamp() { echo "[$(date -u +%T) +$(($(date +%s) - START))s] $*"; }

if ls .whl/*.whl >/dev/null 2>&1; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
        --upgrade --target /tmp/site .whl/*.whl || exit 1
fi
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
# The copy on the device may carry no .git, or a stale one (it reported the
# session's first commit once): the rows name the commit given here.
if [ -n "${COMMIT:-}" ]; then
    export IMBGAN_SOURCE_COMMIT=$COMMIT
fi
{
    date -u
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
    echo "cpus: $(nproc)  commit: ${COMMIT:-unknown}"
    python3 -c "import torch, sklearn, imblearn, numpy; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'sklearn', sklearn.__version__, 'imblearn', imblearn.__version__, 'numpy', numpy.__version__)"
} >"$OUT/machine.txt" 2>&1

PHASES=${PHASES:-speed protocol}
has() { case " $PHASES " in *" $1 "*) return 0 ;; esac; return 1; }
cuda_tests() { # every test that skips without CUDA
    timeout -s KILL "${1:-300}" python3 -m pytest -q -p no:cacheprovider \
        tests/test_persistence.py::test_load_onto_cuda \
        tests/test_sampler.py::test_cuda_fit_sample_and_pickle_to_cpu \
        tests/test_speed.py::test_training_set_stays_on_the_gpu \
        tests/test_generation.py::test_cuda_sampling_maps_back_on_the_device_as_numpy_would \
        tests/test_cuda_graphs.py::test_cuda_graphs_train_like_the_plain_loop_on_a_gpu
}

# 0. Does the card run every CUDA-only path, and what does a step cost?
if has probe; then
    stamp "probe: CUDA-only tests" | tee "$OUT/probe.log"
    cuda_tests >"$OUT/cuda_tests.log" 2>&1
    stamp "probe: tests exit $?" >>"$OUT/probe.log"
    timeout -s KILL "${PROBE_SECONDS:-200}" python3 benchmarks/gpu/step_probe.py \
        data "${PROBE_EPOCHS:-5}" "$OUT/step_probe.json" >>"$OUT/probe.log" 2>&1
    stamp "probe exit $?" >>"$OUT/probe.log"
fi

# 1. The speed figures, alone on the card (timings are only honest so).
if has speed; then
    stamp "speed" | tee "$OUT/speed.log"
    timeout -s KILL "${SPEED_SECONDS:-250}" python3 -m imbgan benchmark speed \
        --device "$DEVICE" --data-dir data --repeats "${SPEED_REPEATS:-1}" \
        --no-ctgan --images ${SPEED_ARGS:-} $QUICK --out res/speed \
        >>"$OUT/speed.log" 2>&1
    stamp "speed exit $?" >>"$OUT/speed.log"
    cp res/speed/speed_*.json "$OUT/" 2>/dev/null
fi

if ! { has protocol || has sweep || has disentangle; }; then
    exit 0
fi

# 2. The protocol, in parallel workers (fit_seconds then measure a shared card).
# Each worker launches many small kernels; without MPS the card time-slices
# between the processes' contexts, with MPS their kernels run side by side.
# MPS is kept only if a CUDA call through it works; else the card is shared
# the plain way.
# A warm machine keeps the MPS daemon of the last call running ("An instance
# of this daemon is already running"): that one is used, not shut down (the
# second call of the tenth session shut it and its GAN fits took 310 s, not
# 160 s).
mps=off
if [ "$DEVICE" = cuda ] && command -v nvidia-cuda-mps-control >/dev/null; then
    pgrep -x nvidia-cuda-mps-control >/dev/null || nvidia-cuda-mps-control -d
    if pgrep -x nvidia-cuda-mps-control >/dev/null && timeout 60 python3 -c \
        "import torch; assert float((torch.ones(8, device='cuda') * 2).sum()) == 16"; then
        mps=on
    else
        echo quit | timeout 10 nvidia-cuda-mps-control
    fi
fi
hard=$(($(left) - 15))
worker() { # name, dataset, methods, seeds, seconds after which no run starts[, --ir N]
    local budget=$(($5 > 0 ? $5 : 0))
    OMP_NUM_THREADS=1 timeout -s KILL "$hard" python3 -m imbgan benchmark paper \
        --data-dir data --dataset "$2" --methods "$3" --seeds "$4" $QUICK ${6:-} \
        --device "$DEVICE" --out "res/$1" --time-budget "$budget" >"res/$1.log" 2>&1 &
}
stamp "$PHASES: $hard s for the workers, MPS $mps" >"$OUT/paper.log"
protocol_datasets=${PROTOCOL_DATASETS:-mnist fashion-mnist}
protocol_seeds=${PROTOCOL_SEEDS:-0 1 2}
if has protocol; then
    if [ "${PROTOCOL_BASELINES:-1}" != 0 ]; then
        for dataset in $protocol_datasets; do
            for seed in $protocol_seeds; do
                worker "base_${dataset}_$seed" "$dataset" none,weighted,ros,smote \
                    "$seed" $((hard - 90))
            done
        done
    fi
    # One worker per GAN run: three runs in a row took about 190 s each on a
    # shared H100, more than a 15-minute session holds.
    for dataset in $protocol_datasets; do
        for method in bayesgan infogan; do
            for seed in $protocol_seeds; do
                worker "gan_${dataset}_${method}_$seed" "$dataset" "$method" "$seed" \
                    $((hard - 150))
            done
        done
    done
fi
sweep_runs() { # IRs, seeds, whether the baselines run too
    for ir in $(echo "$1" | tr , ' '); do
        # One worker per seed, and per GAN run: two GAN seeds in a row did
        # not fit beside the protocol's workers on an H200.
        for seed in $(echo "$2" | tr , ' '); do
            if [ "$3" != 0 ]; then
                worker "sweep_base_${ir}_$seed" mnist none,weighted,ros,smote \
                    "$seed" $((hard - 60)) "--ir $ir"
            fi
            for method in bayesgan infogan; do
                worker "sweep_${method}_${ir}_$seed" mnist "$method" "$seed" \
                    $((hard - 200)) "--ir $ir"
            done
        done
    done
}
if has sweep; then
    sweep_baselines=${SWEEP_BASELINES:-1}
    sweep_runs "${SWEEP_IRS:-50,100,200,300,400,500}" "${SWEEP_SEEDS:-0,1}" \
        "$sweep_baselines"
    # SWEEP_EXTRA="500:3,4,5,6" adds those seeds at those IRs (more seeds
    # where the tiny class makes a seed's spread large).
    for extra in ${SWEEP_EXTRA:-}; do
        sweep_runs "${extra%%:*}" "${extra#*:}" "$sweep_baselines"
    done
fi
if has disentangle; then
    # More seeds than 3: one seed's score moves by up to .25 (H200, ninth
    # session), larger than the .02 gap between the two methods.
    for method in bayesgan infogan; do
        for seed in ${DISENTANGLE_SEEDS:-0 1 2}; do
            OMP_NUM_THREADS=1 timeout -s KILL "$hard" python3 -m imbgan benchmark \
                disentangle --methods "$method" --seeds "$seed" --device "$DEVICE" \
                $QUICK --out "res/dis_${method}_$seed" >"res/dis_${method}_$seed.log" 2>&1 &
        done
    done
fi
if ! has probe && [ -z "${NO_TESTS:-}" ]; then
    cuda_tests "$hard" >"$OUT/cuda_tests.log" 2>&1 &
fi
wait
stamp "workers done" >>"$OUT/paper.log"
for name in paper_protocol ir_sweep; do
    if ls res/*/$name.jsonl >/dev/null 2>&1; then
        cat res/*/$name.jsonl >"$OUT/$name.jsonl"
    fi
done
if ls res/dis_*/disentanglement.json >/dev/null 2>&1; then
    python3 -c "
import json, sys
from imbgan.benchmark.paper import merge_disentangle
parts = [json.load(open(p)) for p in sys.argv[1:]]
print(json.dumps(merge_disentangle(parts), indent=2))
" res/dis_*/disentanglement.json >"$OUT/disentanglement.json"
fi
for log in res/*.log; do
    echo "== $log"
    # the progress and the tables; not the JSON a disentangle worker prints
    grep -v '^\s*$' "$log" | grep -v '^ \|^[{}]' | tail -n 25
done >>"$OUT/paper.log"
stamp "done" >>"$OUT/paper.log"
