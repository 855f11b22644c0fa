#!/usr/bin/env bash
# The acceptance files of issue "Make the synthesized minorities win"
# (paper_protocol.jsonl, ir_sweep.jsonl) on a CPU, over as many sessions as
# it takes: two processes, one torch thread each, each with half of the six
# methods (a GAN and two baselines, about equal time), every call resumable.
#
#   DEADLINE=<epoch seconds> bash benchmarks/cpu/acceptance_files.sh DIR
#
# DIR/a and DIR/b hold the two halves' rows (each a paper_protocol.jsonl and
# an ir_sweep.jsonl); rows already there are kept and their runs skipped
# (--resume), so a later session continues from a copy of the committed
# halves outside the work tree (cp -r docs/results/cpu_xeon /tmp/acc; rows
# appended to tracked files would mark every later row's commit "+dirty"),
# then copies DIR/a and DIR/b back (when both are complete,
# promote_halves.py makes them docs/results' files). No new run starts after
# DEADLINE (default: two hours from now); one under way finishes (a GAN
# run, fit and CNN, took 15 min on MNIST with both halves running;
# Fashion-MNIST about 30 by check T1, twelfth session).
# Order, by what the targets lack: MNIST at IR 500, the standard split of
# MNIST, then of Fashion-MNIST, then the sweep's other ratios; seeds 0-2.
# STEPS (';' between steps, each the arguments after --dataset; a step's own
# --seeds wins over SEEDS) replaces that order. A session lent another machine
# reruns whole comparisons (a dataset, IR and seed: all six methods) into a
# folder of its own, as rows of two CPUs differ (promote_halves.py takes each
# comparison from the one machine that ran it whole), e.g. the twentieth session's
# (AMD EPYC): STEPS="mnist --ir 300;mnist --ir 200 --seeds 2;mnist --ir 400"
#   bash benchmarks/cpu/acceptance_files.sh /tmp/epyc
# Needs $IMBGAN_DATA (the IDX files) and imbgan on the path; to edit the
# work tree meanwhile, import imbgan from a snapshot of the commit
# (git worktree add --detach /tmp/snap HEAD; PYTHONPATH=/tmp/snap), as the
# rows' commit is read from the copy imported, at the start of each call.
set -u
DIR=${1:?usage: acceptance_files.sh DIR}
DEADLINE=${DEADLINE:-$(( $(date +%s) + 7200 ))}
SEEDS=${SEEDS:-0,1,2}
STEPS=${STEPS:-mnist --ir 500;mnist;fashion-mnist;mnist --ir 50,100,200,300,400}
export OMP_NUM_THREADS=1 PYTHONUNBUFFERED=1

half() {  # half OUT METHODS
    local out=$1 methods=$2 left step steps
    IFS=';' read -ra steps <<< "$STEPS"
    for step in "${steps[@]}"; do
        left=$(( DEADLINE - $(date +%s) ))
        [ "$left" -gt 60 ] || break
        # shellcheck disable=SC2086  # $step holds several arguments
        imbgan benchmark paper --seeds "$SEEDS" --dataset $step --methods "$methods" \
            --device cpu --out "$out" --resume --time-budget "$left"
    done
}

mkdir -p "$DIR/a" "$DIR/b"
# IR 100 draws the standard split itself (40 rows of class 9): its rows are
# copied from the standard split's rather than run twice (the helper says why)
python3 "$(dirname "$0")/ir100_from_standard.py" "$DIR/a" "$DIR/b"
half "$DIR/a" bayesgan,ros,none > "$DIR/a.log" 2>&1 &
half "$DIR/b" infogan,smote,weighted > "$DIR/b.log" 2>&1 &
wait
