"""Make the CPU halves the acceptance files, once they are complete.

    python3 benchmarks/cpu/promote_halves.py HALVES [HALVES ...] RESULTS [--seeds 0,1,2]

Each HALVES is a folder ``acceptance_files.sh`` fills (``docs/results/cpu_xeon``,
``docs/results/cpu_epyc``: ``a/`` and ``b/``, each a ``paper_protocol.jsonl``
and an ``ir_sweep.jsonl``); RESULTS is ``docs/results``. Nothing is written
unless every run the acceptance files need is there exactly once, scored on
the test set: all six methods at each seed, on the standard split of MNIST
and of Fashion-MNIST (``paper_protocol.jsonl``) and on MNIST at IR 50, 100,
200, 300, 400 and 500 (``ir_sweep.jsonl``). Otherwise what is missing is
listed and the exit status is 1.

A comparison (a dataset, an IR and a seed: the six methods the tables and the
paired t-test set side by side) must come whole from one machine (the rows'
``environment``); different comparisons may come from different machines,
as sessions are lent different ones and the same seed does not give the same
figures on two CPUs. Where one machine ran a comparison whole, rows of it from
another machine (a part it ran before the machine changed) are set aside:
listed, left in their halves, not merged.

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


def _comparison(key: tuple) -> tuple:
    dataset, _, seed, ir = key
    return (dataset, ir, seed)


def select(rows: list[dict], expected: set[tuple]) -> tuple[list, list, list]:
    """Pick each comparison's rows from the one machine that ran it whole.

    Returns ``(chosen, problems, set_aside)``: the rows to merge, what keeps
    these rows from being an acceptance file (empty if nothing), and a line
    for each machine's part of a comparison another machine ran whole.
    """
    found, aside, chosen = [], [], []
    keys = {run_key(row) for row in rows}
    found += [
        f"unexpected run {key}" for key in sorted(keys - expected, key=_key_order)
    ]
    if any(row.get("evaluated_on") != "test" for row in rows):
        found.append("rows not scored on the test set")
    by_comparison: dict[tuple, dict[str, list[dict]]] = {}
    for row in rows:
        by_machine = by_comparison.setdefault(_comparison(run_key(row)), {})
        by_machine.setdefault(str(row.get("environment")), []).append(row)
    wanted = sorted({_comparison(key) for key in expected}, key=_comparison_order)
    for comparison in wanted:
        needed = {key for key in expected if _comparison(key) == comparison}
        by_machine = by_comparison.get(comparison, {})
        whole = []
        for machine, machine_rows in sorted(by_machine.items()):
            counts = Counter(run_key(row) for row in machine_rows)
            found += [
                f"run {key} appears {n} times on {machine}"
                for key, n in sorted(counts.items(), key=lambda kn: _key_order(kn[0]))
                if n > 1
            ]
            if needed <= set(counts):
                whole.append(machine)
        if len(whole) == 1:
            chosen += [r for r in by_machine[whole[0]] if run_key(r) in needed]
            aside += [
                f"{comparison}: {len(by_machine[m])} rows of {m} set aside "
                f"({whole[0]} ran it whole)"
                for m in sorted(by_machine)
                if m != whole[0]
            ]
        elif len(whole) > 1:
            found.append(f"comparison {comparison} ran whole on {len(whole)} machines")
        elif len(by_machine) <= 1:
            present = {run_key(r) for rs in by_machine.values() for r in rs}
            missing = sorted(needed - present, key=_key_order)
            found += [f"missing run {key}" for key in missing]
        else:
            parts = "; ".join(
                f"{m}: " + ", ".join(sorted({r["method"] for r in rs}))
                for m, rs in sorted(by_machine.items())
            )
            found.append(
                f"comparison {comparison}: no one machine ran all six methods ({parts})"
            )
    return chosen, found, aside


def _comparison_order(comparison: tuple) -> tuple:
    dataset, ir, seed = comparison
    return (dataset, -1 if ir is None else ir, seed)


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


def promote(
    halves: list[Path], results: Path, seeds: list[int]
) -> tuple[list[str], list[str]]:
    """Merge the halves into ``results``.

    Returns ``(problems, set_aside)``; where there are problems, nothing is
    written.
    """
    merged = {}
    found, aside = [], []
    for name in (PROTOCOL, SWEEP):
        rows = [
            row
            for folder in halves
            for half in "ab"
            for row in _rows(folder / half / name)
        ]
        chosen, problems, set_aside = select(rows, expected_keys(name, seeds))
        found += [f"{name}: {p}" for p in problems]
        aside += [f"{name}: {line}" for line in set_aside]
        merged[name] = chosen
    if found:  # before sorting: an unexpected method or dataset has no place
        return found, aside
    results.mkdir(parents=True, exist_ok=True)
    for name in (PROTOCOL, SWEEP, FIGURE):
        _keep(results, name)
    for name, rows in merged.items():
        rows.sort(key=_sort_key)
        (results / name).write_text("".join(json.dumps(row) + "\n" for row in rows))
    plot_ir_sweep(merged[SWEEP], results / FIGURE)
    return [], aside


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("halves", type=Path, nargs="+")
    parser.add_argument("results", type=Path)
    parser.add_argument("--seeds", default="0,1,2")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    found, aside = promote(args.halves, args.results, seeds)
    if aside:
        print("set aside:", *aside, sep="\n  ")
    if found:
        print("not promoted:", *found, sep="\n  ")
        return 1
    for name in (PROTOCOL, SWEEP):
        print(summarize_paper(_rows(args.results / name)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
