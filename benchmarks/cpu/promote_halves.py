"""Make the CPU halves the acceptance files, once they are complete.

    python3 benchmarks/cpu/promote_halves.py HALVES RESULTS [--seeds 0,1,2]

HALVES is the folder ``acceptance_files.sh`` fills (``docs/results/cpu_xeon``:
``a/`` and ``b/``, each a ``paper_protocol.jsonl`` and an ``ir_sweep.jsonl``);
RESULTS is ``docs/results``. Nothing is written unless every run the
acceptance files need is there exactly once, from one environment, scored on
the test set: all six methods at each seed, on the standard split of MNIST
and of Fashion-MNIST (``paper_protocol.jsonl``) and on MNIST at IR 50, 100,
200, 300, 400 and 500 (``ir_sweep.jsonl``). Otherwise the runs missing are
listed and the exit status is 1.

The files the halves replace (the H200's rows at sampling noise scale 1, and
the sweep's figure) are kept beside them as ``*_h200_scale1*``; a file of that
name already there is never overwritten, so a second call only rewrites the
merged files with the same rows. The merged rows are sorted by dataset, IR,
seed and the tables' method order; the halves stay as they are.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from imbgan.benchmark.paper import METHODS, plot_ir_sweep, run_key, summarize_paper

KEPT = "h200_scale1"
PROTOCOL = "paper_protocol.jsonl"
SWEEP = "ir_sweep.jsonl"
FIGURE = "ir_sweep.png"
SWEEP_IRS = (50, 100, 200, 300, 400, 500)
DATASET_ORDER = ("mnist", "fashion-mnist")


def _rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def expected_keys(name: str, seeds: list[int]) -> set[tuple]:
    """The ``(dataset, method, seed, ir)`` keys file ``name`` must hold."""
    if name == PROTOCOL:
        places = [(dataset, None) for dataset in DATASET_ORDER]
    else:
        places = [("mnist", ir) for ir in SWEEP_IRS]
    return {
        (dataset, method, seed, ir)
        for dataset, ir in places
        for method in METHODS
        for seed in seeds
    }


def _key_order(key: tuple) -> tuple:
    dataset, method, seed, ir = key
    return (dataset, method, seed, -1 if ir is None else ir)


def problems(rows: list[dict], expected: set[tuple]) -> list[str]:
    """What keeps these rows from being an acceptance file; empty if nothing."""
    found = []
    counts = Counter(run_key(row) for row in rows)
    missing = sorted(expected - set(counts), key=_key_order)
    found += [f"missing run {key}" for key in missing]
    found += [f"run {key} appears {n} times" for key, n in counts.items() if n > 1]
    found += [
        f"unexpected run {key}"
        for key in sorted(set(counts) - expected, key=_key_order)
    ]
    environments = sorted({str(row.get("environment")) for row in rows})
    if len(environments) > 1:
        found.append(f"rows from {len(environments)} environments: {environments}")
    if any(row.get("evaluated_on") != "test" for row in rows):
        found.append("rows not scored on the test set")
    return found


def _sort_key(row: dict) -> tuple:
    dataset, method, seed, ir = run_key(row)
    return (
        DATASET_ORDER.index(dataset),
        -1 if ir is None else ir,
        seed,
        METHODS.index(method),
    )


def _keep(results: Path, name: str) -> None:
    """Rename ``results/name`` to its ``*_h200_scale1*`` name, once."""
    path = results / name
    kept = results / f"{path.stem}_{KEPT}{path.suffix}"
    if path.exists() and not kept.exists():
        path.rename(kept)


def promote(halves: Path, results: Path, seeds: list[int]) -> list[str]:
    """Merge the halves into ``results``; return the problems (then write nothing)."""
    merged = {}
    found = []
    for name in (PROTOCOL, SWEEP):
        rows = _rows(halves / "a" / name) + _rows(halves / "b" / name)
        found += [f"{name}: {p}" for p in problems(rows, expected_keys(name, seeds))]
        merged[name] = rows
    if found:  # before sorting: an unexpected method or dataset has no place
        return found
    results.mkdir(parents=True, exist_ok=True)
    for name in (PROTOCOL, SWEEP, FIGURE):
        _keep(results, name)
    for name, rows in merged.items():
        rows.sort(key=_sort_key)
        (results / name).write_text("".join(json.dumps(row) + "\n" for row in rows))
    plot_ir_sweep(merged[SWEEP], results / FIGURE)
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("halves", type=Path)
    parser.add_argument("results", type=Path)
    parser.add_argument("--seeds", default="0,1,2")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    found = promote(args.halves, args.results, seeds)
    if found:
        print("not promoted:", *found, sep="\n  ")
        return 1
    for name in (PROTOCOL, SWEEP):
        print(summarize_paper(_rows(args.results / name)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
