"""The ``imbgan`` command line: usage, exit codes, quick benchmark runs."""

import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest

import imbgan
from imbgan.benchmark import dag, paper, tabular
from imbgan.cli import main
from imbgan.cli._benchmark import DAG_METHODS, PAPER_METHODS, TABULAR_METHODS

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "benchmark" in capsys.readouterr().out


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"imbgan {imbgan.__version__}\n"


def test_method_options_list_the_suites_methods():
    # spelled out in the command so that parsing imports no suite
    assert PAPER_METHODS == paper.METHODS
    assert TABULAR_METHODS == tabular.METHODS
    assert DAG_METHODS == dag.METHODS


@pytest.mark.parametrize("suite", ["paper", "tabular", "disentangle"])
def test_each_suite_has_help(suite, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["benchmark", suite, "--help"])
    assert exit_info.value.code == 0
    assert "--quick" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["benchmark"], "required"),
        (["benchmark", "paper", "--seeds", "a"], "comma-separated integers"),
        (["benchmark", "paper", "--methods", "gan"], "unknown method"),
        (["benchmark", "paper", "--dataset", "cifar"], "invalid choice"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2_with_a_message(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_missing_data_exits_1_and_says_where_it_looked(tmp_path, capsys):
    code = main(
        [
            "benchmark", "paper", "--quick", "--dataset", "mnist",
            "--data-dir", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"),
        ]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("imbgan: error:") and "nowhere" in err
    assert "IMBGAN_DATA" in err


def test_python_dash_m_runs_the_same_command():
    result = subprocess.run(
        [sys.executable, "-m", "imbgan", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "benchmark" in result.stdout


def _read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def _fake_mnist(root, extra=0):
    """MNIST-shaped IDX files with the protocol's class counts (+ ``extra``)."""
    from imbgan.datasets import DEFAULT_COUNTS

    from .test_datasets import write_idx

    rng = np.random.default_rng(0)
    train_counts = tuple(c + extra for c in DEFAULT_COUNTS)
    for stem, counts in (("train", train_counts), ("t10k", (30,) * 10)):
        labels = np.repeat(np.arange(10, dtype=np.uint8), counts)
        # a class-dependent bright square, so the quick CNN has signal
        images = rng.integers(0, 60, size=(len(labels), 28, 28), dtype=np.uint8)
        for k in range(10):
            images[labels == k, 2 * k : 2 * k + 6, 4:10] = 255
        write_idx(root / "mnist" / f"{stem}-images-idx3-ubyte.gz", images)
        write_idx(root / "mnist" / f"{stem}-labels-idx1-ubyte.gz", labels)


def test_quick_paper_run_writes_every_method(tmp_path, capsys):
    _fake_mnist(tmp_path / "data")
    out = tmp_path / "out"
    code = main(
        [
            "benchmark", "paper", "--quick", "--dataset", "mnist",
            "--data-dir", str(tmp_path / "data"), "--out", str(out), "--device", "cpu",
        ]
    )  # fmt: skip
    assert code == 0
    rows = _read_jsonl(out / "paper_protocol.jsonl")
    assert [r["method"] for r in rows] == list(PAPER_METHODS)
    assert {r["dataset"] for r in rows} == {"mnist"} and rows[0]["ir"] is None
    for row in rows:
        assert 0 <= row["recall9"] <= 1 and 0 <= row["acsa"] <= 1
    captured = capsys.readouterr()
    assert "bayesgan" in captured.out and "wrote 6 rows" in captured.out
    assert "bayesgan" in captured.err  # progress lines
    if importlib.util.find_spec("matplotlib") is not None:
        png = out / "samples_mnist.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_quick_ir_sweep_goes_to_its_own_file(tmp_path):
    _fake_mnist(tmp_path / "data")
    out = tmp_path / "out"
    argv = [
        "benchmark", "paper", "--quick", "--dataset", "mnist", "--ir", "100,500",
        "--methods", "none,ros", "--data-dir", str(tmp_path / "data"),
        "--out", str(out), "--device", "cpu",
    ]  # fmt: skip
    assert main(argv) == 0
    rows = _read_jsonl(out / "ir_sweep.jsonl")
    assert sorted({r["ir"] for r in rows}) == [100, 500]
    if importlib.util.find_spec("matplotlib") is not None:
        assert (out / "ir_sweep.png").stat().st_size > 1000
    assert not (out / "paper_protocol.jsonl").exists()
    # a rerun rewrites the file instead of appending to it
    assert main(argv) == 0
    assert len(_read_jsonl(out / "ir_sweep.jsonl")) == len(rows)


def _quick_paper_argv(tmp_path, methods, *extra):
    return [
        "benchmark", "paper", "--quick", "--dataset", "mnist", "--methods", methods,
        "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "out"),
        "--device", "cpu", *extra,
    ]  # fmt: skip


def test_resume_runs_only_the_runs_the_file_lacks(tmp_path, capsys):
    _fake_mnist(tmp_path / "data")
    path = tmp_path / "out" / "paper_protocol.jsonl"
    assert main(_quick_paper_argv(tmp_path, "none,ros")) == 0
    first = path.read_text().splitlines()
    capsys.readouterr()
    assert main(_quick_paper_argv(tmp_path, "none,ros,smote", "--resume")) == 0
    lines = path.read_text().splitlines()
    # the earlier rows are kept byte for byte, the missing run is appended
    assert lines[:2] == first
    assert [json.loads(line)["method"] for line in lines] == ["none", "ros", "smote"]
    out = capsys.readouterr().out
    assert "wrote 1 rows" in out and "runs left" not in out
    assert "| smote |" in out and "| none |" in out  # the summary covers all rows
    # without --resume the file is rewritten
    assert main(_quick_paper_argv(tmp_path, "ros")) == 0
    assert [json.loads(line)["method"] for line in path.read_text().splitlines()] == [
        "ros"
    ]


def test_time_budget_stops_before_a_new_run_and_resume_goes_on(tmp_path, capsys):
    _fake_mnist(tmp_path / "data")
    path = tmp_path / "out" / "paper_protocol.jsonl"
    argv = _quick_paper_argv(tmp_path, "none,weighted", "--resume")
    assert main([*argv, "--time-budget", "0"]) == 0
    assert path.read_text() == ""
    assert "stopped at the time budget with 2 of 2 runs left" in capsys.readouterr().out
    assert main([*argv, "--time-budget", "1e6"]) == 0
    assert [json.loads(line)["method"] for line in path.read_text().splitlines()] == [
        "none",
        "weighted",
    ]
    assert "runs left" not in capsys.readouterr().out


def test_resume_and_time_budget_reject_bad_input(tmp_path, capsys):
    _fake_mnist(tmp_path / "data")
    path = tmp_path / "out" / "paper_protocol.jsonl"
    path.parent.mkdir()
    path.write_text('{"dataset": "mnist", "method": "none"}\n')
    assert main(_quick_paper_argv(tmp_path, "none", "--resume")) == 1
    err = capsys.readouterr().err
    assert "paper_protocol.jsonl, line 1, is not a result row" in err
    assert path.read_text() == '{"dataset": "mnist", "method": "none"}\n'  # kept
    assert main(_quick_paper_argv(tmp_path, "none", "--time-budget", "-1")) == 1
    assert "--time-budget must be >= 0; got -1" in capsys.readouterr().err


def test_validation_run_goes_to_its_own_file(tmp_path, capsys):
    out = tmp_path / "out"
    argv = [
        "benchmark", "paper", "--quick", "--dataset", "mnist", "--validation",
        "--methods", "none", "--data-dir", str(tmp_path / "data"),
        "--out", str(out), "--device", "cpu",
    ]  # fmt: skip
    _fake_mnist(tmp_path / "data")  # the split takes every training row
    assert main(argv) == 1
    assert "none is left for a validation set" in capsys.readouterr().err
    _fake_mnist(tmp_path / "data", extra=5)
    assert main(argv) == 0
    (row,) = _read_jsonl(out / "paper_validation.jsonl")
    assert row["evaluated_on"] == "validation"
    assert not (out / "paper_protocol.jsonl").exists()
    assert not (out / "samples_mnist.png").exists()


def test_quick_tabular_run(tmp_path, monkeypatch, capsys):
    from sklearn.datasets import make_classification

    def fake_loader(name):
        X, y = make_classification(
            n_samples=120, n_features=5, weights=[0.85], flip_y=0, random_state=0
        )
        return X, y

    monkeypatch.setattr(tabular, "load_tabular", fake_loader)
    out = tmp_path / "out"
    argv = ["benchmark", "tabular", "--quick", "--out", str(out), "--device", "cpu"]
    assert main(argv) == 0
    rows = _read_jsonl(out / "tabular.jsonl")
    assert {r["method"] for r in rows} == set(TABULAR_METHODS)
    assert "smote" in capsys.readouterr().out


def test_quick_disentangle_run(tmp_path):
    out = tmp_path / "out"
    argv = ["benchmark", "disentangle", "--quick", "--out", str(out), "--device", "cpu"]
    assert main(argv) == 0
    result = json.loads((out / "disentanglement.json").read_text())
    for method in ("infogan", "bayesgan"):
        assert 0 <= result[method]["mean"] <= 1


def test_benchmark_dag_quick_writes_one_row_per_method(tmp_path, capsys):
    code = main(
        ["benchmark", "dag", "--quick", "--seeds", "0", "--device", "cpu",
         "--out", str(tmp_path)]
    )  # fmt: skip
    assert code == 0
    rows = [
        json.loads(line)
        for line in (tmp_path / "dag_pendulum.jsonl").read_text().splitlines()
    ]
    assert [r["method"] for r in rows] == list(DAG_METHODS)
    assert "wrote 4 rows" in capsys.readouterr().out
