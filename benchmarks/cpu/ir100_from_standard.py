"""Give the IR sweep its IR 100 rows from the standard split's, on one CPU.

    python3 benchmarks/cpu/ir100_from_standard.py DIR [DIR ...]

For each DIR (a half of ``acceptance_files.sh``: a ``paper_protocol.jsonl``
and an ``ir_sweep.jsonl``), every MNIST row of the standard split whose
method and seed have no IR 100 row yet is appended to ``ir_sweep.jsonl``
with ``ir`` set to 100 and ``copied_from`` naming the file it came from.

Why this is the same run and not an estimate: the standard split's last
class has 40 rows, and IR 100 gives it ``round(4000 / 100) = 40`` too, so
``make_imbalance_protocol`` draws the same rows for the same seed; nothing
after the split depends on ``ir`` (the sampler and the CNN see the same
arrays and seed), and on one CPU the benchmark is bit-reproducible. The
``none`` and ``weighted`` rows, run at both, agree in every metric field and
in ``n_train`` (lab notebook, "The acceptance files on the CPU"). Rows run
at IR 100 are never replaced. Not for GPU rows, which are not
bit-reproducible.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

IR = 100
SOURCE = "paper_protocol.jsonl"


def _rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def copy_rows(half: Path) -> int:
    """Append the missing IR 100 rows of one half; return how many."""
    sweep = half / "ir_sweep.jsonl"
    have = {(r["method"], r["seed"]) for r in _rows(sweep) if r["ir"] == IR}
    new = [
        {**row, "ir": IR, "copied_from": SOURCE}
        for row in _rows(half / SOURCE)
        if row["dataset"] == "mnist"
        and row["ir"] is None
        and (row["method"], row["seed"]) not in have
    ]
    with sweep.open("a") as out:
        for row in new:
            out.write(json.dumps(row) + "\n")
    return len(new)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for arg in sys.argv[1:]:
        print(f"{arg}: {copy_rows(Path(arg))} IR {IR} rows copied from {SOURCE}")
