"""The CPU sweep's IR 100 rows come from the standard split's, and only those.

``benchmarks/cpu/ir100_from_standard.py`` writes rows into the acceptance
files; a wrong copy (a Fashion-MNIST row, an IR 500 row, a run replaced)
would put a figure in the docs that no run gave.
"""

import importlib.util
import json
from pathlib import Path

import numpy as np

from imbgan.datasets import make_imbalance_protocol

SCRIPT = (
    Path(__file__).resolve().parents[1]
    / "benchmarks"
    / "cpu"
    / "ir100_from_standard.py"
)


def _module():
    spec = importlib.util.spec_from_file_location("ir100_from_standard", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _row(dataset, method, seed, ir, recall9):
    return {"dataset": dataset, "method": method, "seed": seed, "ir": ir,
            "recall9": recall9}  # fmt: skip


def _write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_standard_split_is_the_ir_100_split():
    # the premise of the copy: the same seed draws the same rows
    y = np.repeat(np.arange(10), 4000)
    X = np.arange(len(y))
    for seed in (0, 1):
        X_std, y_std = make_imbalance_protocol(X, y, random_state=seed)
        X_100, y_100 = make_imbalance_protocol(X, y, ir=100, random_state=seed)
        np.testing.assert_array_equal(X_std, X_100)
        np.testing.assert_array_equal(y_std, y_100)
    X_50, _ = make_imbalance_protocol(X, y, ir=50, random_state=0)
    assert len(X_50) == len(X_std) + 40


def test_copies_only_missing_mnist_standard_rows(tmp_path):
    _write(
        tmp_path / "paper_protocol.jsonl",
        [
            _row("mnist", "ros", 0, None, 0.9),
            _row("mnist", "none", 0, None, 0.7),
            _row("fashion-mnist", "ros", 0, None, 0.5),
        ],
    )
    ran = [_row("mnist", "none", 0, 100, 0.7), _row("mnist", "ros", 0, 500, 0.6)]
    _write(tmp_path / "ir_sweep.jsonl", ran)

    assert _module().copy_rows(tmp_path) == 1
    rows = _read(tmp_path / "ir_sweep.jsonl")
    assert rows[:2] == ran  # rows already there are kept, none replaced
    assert rows[2:] == [
        {**_row("mnist", "ros", 0, 100, 0.9), "copied_from": "paper_protocol.jsonl"}
    ]
    # a second call finds nothing left to copy
    assert _module().copy_rows(tmp_path) == 0
    assert len(_read(tmp_path / "ir_sweep.jsonl")) == 3


def test_a_half_without_a_sweep_file_gets_one(tmp_path):
    _write(tmp_path / "paper_protocol.jsonl", [_row("mnist", "smote", 2, None, 0.8)])
    assert _module().copy_rows(tmp_path) == 1
    assert _read(tmp_path / "ir_sweep.jsonl")[0]["ir"] == 100
