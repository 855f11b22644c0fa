"""The CPU halves become the acceptance files only when complete.

``benchmarks/cpu/promote_halves.py`` replaces ``docs/results/paper_protocol.jsonl``
and ``ir_sweep.jsonl``: a partial merge, a run counted twice or one comparison's
methods run on two machines would put figures in the docs that no side-by-side
run gave, and the H200 files they replace must survive. Whole comparisons from
different machines are fine: sessions are lent different ones.
"""

import importlib.util
import json
from pathlib import Path

import pytest

from imbgan.benchmark.paper import METHODS

SCRIPT = (
    Path(__file__).resolve().parents[1] / "benchmarks" / "cpu" / "promote_halves.py"
)
ENV = "cpu x2; torch 2.13.0+cpu"
HALF_A = ("bayesgan", "ros", "none")


@pytest.fixture(scope="module")
def promote():
    spec = importlib.util.spec_from_file_location("promote_halves", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _row(dataset, method, seed, ir, environment=ENV):
    return {"dataset": dataset, "method": method, "seed": seed, "ir": ir,
            "evaluated_on": "test", "recall8": 0.9, "recall9": 0.1 * seed + 0.5,
            "f1_8": 0.9, "f1_9": 0.9, "acsa": 0.9, "macro_f1": 0.9,
            "environment": environment}  # fmt: skip


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _complete_halves(halves: Path, seeds=(0, 1)) -> None:
    places = {
        "paper_protocol.jsonl": [("mnist", None), ("fashion-mnist", None)],
        "ir_sweep.jsonl": [("mnist", ir) for ir in (50, 100, 200, 300, 400, 500)],
    }
    for name, where in places.items():
        for half, methods in (("a", HALF_A), ("b", set(METHODS) - set(HALF_A))):
            rows = [
                _row(dataset, method, seed, ir)
                for seed in seeds
                for dataset, ir in where
                for method in sorted(methods)
            ]
            _write(halves / half / name, rows)


def _h200_files(results: Path) -> None:
    _write(
        results / "paper_protocol.jsonl", [_row("mnist", "bayesgan", 6, None, "h200")]
    )
    _write(results / "ir_sweep.jsonl", [_row("mnist", "bayesgan", 9, 500, "h200")])
    (results / "ir_sweep.png").write_bytes(b"h200 figure")


def test_complete_halves_replace_the_files_and_keep_the_old_ones(promote, tmp_path):
    halves, results = tmp_path / "halves", tmp_path / "results"
    _complete_halves(halves)
    _h200_files(results)

    assert promote.promote([halves], results, [0, 1]) == ([], [])

    protocol = _read(results / "paper_protocol.jsonl")
    assert len(protocol) == 2 * 6 * 2
    # sorted: MNIST first, then by seed, methods in the tables' order
    assert [r["method"] for r in protocol[:6]] == list(METHODS)
    assert {(r["dataset"], r["seed"]) for r in protocol[:6]} == {("mnist", 0)}
    sweep = _read(results / "ir_sweep.jsonl")
    assert len(sweep) == 6 * 6 * 2
    assert [r["ir"] for r in sweep[::12]] == [50, 100, 200, 300, 400, 500]
    assert (results / "ir_sweep.png").read_bytes()[:4] == b"\x89PNG"
    # the H200 files survive under their kept names, untouched
    assert (
        _read(results / "paper_protocol_h200_scale1.jsonl")[0]["environment"] == "h200"
    )
    assert _read(results / "ir_sweep_h200_scale1.jsonl")[0]["seed"] == 9
    assert (results / "ir_sweep_h200_scale1.png").read_bytes() == b"h200 figure"

    # a second call rewrites the same rows and leaves the kept files alone
    assert promote.promote([halves], results, [0, 1]) == ([], [])
    assert _read(results / "paper_protocol.jsonl") == protocol
    assert (
        _read(results / "paper_protocol_h200_scale1.jsonl")[0]["environment"] == "h200"
    )


def test_a_missing_run_writes_nothing(promote, tmp_path):
    halves, results = tmp_path / "halves", tmp_path / "results"
    _complete_halves(halves)
    _h200_files(results)
    sweep_b = halves / "b" / "ir_sweep.jsonl"
    rows = _read(sweep_b)
    gone = next(r for r in rows if r["ir"] == 400 and r["method"] == "smote")
    _write(sweep_b, [r for r in rows if r is not gone])

    found, aside = promote.promote([halves], results, [0, 1])

    assert found == [
        f"ir_sweep.jsonl: missing run ('mnist', 'smote', {gone['seed']}, 400)"
    ]
    assert aside == []
    assert _read(results / "ir_sweep.jsonl")[0]["environment"] == "h200"
    assert not (results / "ir_sweep_h200_scale1.jsonl").exists()


def test_a_run_twice_or_a_comparison_split_over_machines_is_refused(promote, tmp_path):
    halves = tmp_path / "halves"
    _complete_halves(halves)
    protocol_a = halves / "a" / "paper_protocol.jsonl"
    rows = _read(protocol_a)
    _write(protocol_a, rows + [rows[0]])
    sweep_a = halves / "a" / "ir_sweep.jsonl"
    rows = _read(sweep_a)
    _write(sweep_a, rows[1:] + [{**rows[0], "environment": "another machine"}])

    found, _ = promote.promote([halves], tmp_path / "results", [0, 1])

    assert len(found) == 2
    assert "('mnist', 'bayesgan', 0, None) appears 2 times on cpu x2" in found[0]
    assert found[1] == (
        "ir_sweep.jsonl: comparison ('mnist', 50, 0): no one machine ran all six"
        " methods (another machine: bayesgan; cpu x2; torch 2.13.0+cpu: infogan,"
        " none, ros, smote, weighted)"
    )
    assert not (tmp_path / "results").exists()


def test_whole_comparisons_from_another_machine_are_merged(promote, tmp_path):
    """A session on another CPU reruns a comparison whole; the first machine's
    part of it is set aside, not mixed in."""
    first, second = tmp_path / "xeon", tmp_path / "epyc"
    results = tmp_path / "results"
    _complete_halves(first)
    for half in "ab":  # the first machine never ran IR 400, seed 1, for a GAN
        sweep = first / half / "ir_sweep.jsonl"
        rows = _read(sweep)
        _write(sweep, [r for r in rows if (r["ir"], r["seed"]) != (400, 1)
                       or r["method"] in ("none", "weighted")])  # fmt: skip
    assert promote.promote([first], results, [0, 1])[0] == [
        f"ir_sweep.jsonl: missing run ('mnist', '{m}', 1, 400)"
        for m in ("bayesgan", "infogan", "ros", "smote")
    ]
    epyc = [_row("mnist", m, 1, 400, "epyc") for m in METHODS]
    _write(second / "a" / "ir_sweep.jsonl", epyc[:3])
    _write(second / "b" / "ir_sweep.jsonl", epyc[3:])

    found, aside = promote.promote([first, second], results, [0, 1])

    assert found == []
    assert aside == [
        "ir_sweep.jsonl: ('mnist', 400, 1): 2 rows of cpu x2; torch 2.13.0+cpu"
        " set aside (epyc ran it whole)"
    ]
    sweep = _read(results / "ir_sweep.jsonl")
    assert len(sweep) == 6 * 6 * 2
    by_machine = {(r["ir"], r["seed"], r["environment"]) for r in sweep}
    assert (400, 1, "epyc") in by_machine
    assert (400, 1, ENV) not in by_machine
    assert sum(r["environment"] == "epyc" for r in sweep) == 6

    # a comparison two machines both ran whole is a choice the script won't make
    _write(second / "a" / "paper_protocol.jsonl",
           [_row("mnist", m, 0, None, "epyc") for m in METHODS])  # fmt: skip
    found, _ = promote.promote([first, second], results, [0, 1])
    assert found == [
        "paper_protocol.jsonl: comparison ('mnist', None, 0) ran whole on 2 machines"
    ]


def test_the_command_line_says_what_is_missing(promote, tmp_path, capsys):
    halves = tmp_path / "halves"
    _complete_halves(halves, seeds=(0,))
    assert promote.main([str(halves), str(tmp_path / "results"), "--seeds", "0,1"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("not promoted:")
    assert "missing run ('fashion-mnist', 'bayesgan', 1, None)" in out
