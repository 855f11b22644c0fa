"""``imbgan resample`` and ``imbgan demo``: outputs, dtypes, errors, exit codes.

GANs train for one or two epochs: these tests check what the commands write
and say, not sample quality.
"""

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from imbgan import BayesGANOversampler
from imbgan.cli import _demo, _resample, main
from imbgan.datasets import load_imbalanced_digits

pd = pytest.importorskip("pandas")

pytestmark = pytest.mark.usefixtures("one_torch_thread", "one_blas_thread")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
N_ROWS, N_RARE = 300, 20


@pytest.fixture(scope="module")
def one_blas_thread():
    """One BLAS thread too: on a busy 2-core machine OpenBLAS's spinning
    threads make the demo's LogisticRegression fits many times slower."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


def table(n_rows=N_ROWS, n_rare=N_RARE):
    """Numeric features (one of them integer) around a string target."""
    rng = np.random.default_rng(0)
    rare = np.arange(n_rows) < n_rare
    return pd.DataFrame(
        {
            "x0": rng.normal(size=n_rows) + 2 * rare,
            "count": rng.integers(0, 10, size=n_rows),
            "label": np.where(rare, "rare", "common"),
            "x1": rng.normal(size=n_rows),
        }
    )


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "in.csv"
    table().to_csv(path, index=False)
    return path


def run(argv, capsys):
    """``main(argv)``'s exit code, stdout and stderr."""
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def check_resampled(original, result):
    n_common = N_ROWS - N_RARE
    assert len(result) == 2 * n_common
    assert list(result.columns) == list(original.columns)
    assert result.dtypes.to_dict() == original.dtypes.to_dict()
    # original rows first and unchanged, then the synthetic ones
    pd.testing.assert_frame_equal(result.iloc[: len(original)], original)
    assert set(result["label"]) == {"rare", "common"}
    assert result["label"].value_counts().to_dict() == {
        "common": n_common,
        "rare": n_common,
    }
    synthetic = result.iloc[len(original) :]
    assert (synthetic["label"] == "rare").all()
    assert np.isfinite(synthetic[["x0", "x1"]].to_numpy()).all()


# -- resample: the happy paths -------------------------------------------------


def test_resample_csv_keeps_columns_dtypes_and_rows(csv_file, tmp_path, capsys):
    out = tmp_path / "out.csv"
    code, stdout, _ = run(
        ["resample", csv_file, "--target", "label", "-o", out, "--epochs", 1], capsys
    )
    assert code == 0
    original = pd.read_csv(csv_file)
    check_resampled(original, pd.read_csv(out))
    assert original["count"].dtype.kind == "i"  # the integer column is tested
    # one summary line: counts before -> after
    assert stdout.strip().splitlines() == [
        f"label: common 280, rare 20 -> common 280, rare 280; wrote 560 rows to {out}"
    ]


def test_resample_parquet(tmp_path, capsys):
    pytest.importorskip("pyarrow")
    original = table().astype({"count": "int32"})
    src, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    original.to_parquet(src, index=False)
    code, _, _ = run(
        ["resample", src, "--target", "label", "-o", out, "--epochs", 1], capsys
    )
    assert code == 0
    check_resampled(pd.read_parquet(src), pd.read_parquet(out))


def test_dag_file_and_saved_model(csv_file, tmp_path, capsys):
    dag_file = tmp_path / "dag.json"
    dag_file.write_text(json.dumps({"width": [], "slant": [], "stroke": ["width"]}))
    model = tmp_path / "model.npz"
    argv = ["resample", csv_file, "--target", "label", "-o", tmp_path / "out.csv"]
    argv += ["--dag", dag_file, "--save-model", model, "--epochs", 1, "--seed", 3]
    code, _, _ = run(argv, capsys)
    assert code == 0
    loaded = BayesGANOversampler.load(model)
    assert loaded.dag_.to_dict() == {"width": [], "slant": [], "stroke": ["width"]}
    assert loaded.random_state == 3
    assert sorted(loaded.classes_.tolist()) == ["common", "rare"]
    assert loaded.sample(4, y="rare").shape == (4, 3)


def test_an_edge_list_dag_file_is_read(tmp_path):
    dag_file = tmp_path / "edges.json"
    dag_file.write_text('[["a", "b"], ["b", "c"]]')
    assert _resample._load_dag(dag_file).to_dict() == {"a": [], "b": ["a"], "c": ["b"]}


def test_a_json_strategy_matches_labels_to_an_integer_target(tmp_path, capsys):
    frame = table().assign(label=lambda t: (t["label"] == "rare").astype("int16"))
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    frame.to_csv(src, index=False)
    argv = ["resample", src, "--target", "label", "-o", out, "--epochs", 1]
    code, stdout, _ = run(argv + ["--sampling-strategy", '{"1": 50}'], capsys)
    assert code == 0
    result = pd.read_csv(out)
    assert result["label"].value_counts().to_dict() == {0: 280, 1: 50}
    assert "1 20 -> 0 280, 1 50" in stdout


@pytest.mark.parametrize(
    "text, expected",
    [
        ("auto", "auto"),
        ("not majority", "not majority"),
        ("0.5", 0.5),
        ('{"rare": 40}', {"rare": 40}),
    ],
)
def test_strategy_forms(text, expected):
    y = pd.Series(["common"] * 5 + ["rare"] * 2, name="label")
    assert _resample._parse_sampling_strategy(text, y) == expected


def test_numeric_strategy_keys_match_a_float_target():
    y = pd.Series([0.0] * 5 + [1.0] * 2, name="label")
    assert _resample._parse_sampling_strategy('{"1": 9}', y) == {1.0: 9}


# -- resample: errors ----------------------------------------------------------


def write(path, text):
    path.write_text(text)
    return path


ERROR_CASES = {
    "missing input": (lambda d: ["nowhere.csv"], ["nowhere.csv", "not found"]),
    "unknown target": (
        lambda d: [d / "in.csv", "--target", "klass"],
        ["'klass' not found", "'x0', 'count', 'label', 'x1'"],
    ),
    "text feature": (
        lambda d: [d / "text.csv"],
        ["'city'", "numeric", "Encode"],
    ),
    "dag not JSON": (
        lambda d: ["--dag", write(d / "dag.json", "{width: []")],
        ["dag.json", "not valid JSON"],
    ),
    "cyclic dag": (
        lambda d: ["--dag", write(d / "dag.json", '{"a": ["b"], "b": ["a"]}')],
        ["cycle", "acyclic"],  # the library's own message
    ),
    "dag of a bad type": (
        lambda d: ["--dag", write(d / "dag.json", "3")],
        ["not supported"],
    ),
    "image shape of two numbers": (
        lambda d: ["--image-shape", "8,8"],
        ["--image-shape", "C,H,W", "'8,8'"],
    ),
    "image shape not numbers": (
        lambda d: ["--image-shape", "a,b,c"],
        ["--image-shape", "'a,b,c'"],
    ),
    "image shape with sides too small": (
        lambda d: ["--image-shape", "1,1,3"],  # 3 values, as many as features
        ["--image-shape", "H and W >= 8", "'1,1,3'"],  # the sampler's rule
    ),
    "image shape of the wrong size": (
        lambda d: ["--image-shape", "1,8,8"],
        ["describes 64 features", "3 feature columns"],
    ),
    "unsupported extension": (
        lambda d: ["-o", d / "out.xlsx"],
        ["'.xlsx'", ".csv", ".parquet"],
    ),
    "unknown class in the strategy": (
        lambda d: ["--sampling-strategy", '{"often": 400}'],
        ["'often'", "['common', 'rare']"],
    ),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors_exit_1_with_a_message(case, tmp_path, capsys, monkeypatch):
    table().to_csv(tmp_path / "in.csv", index=False)
    table().assign(city="Lyon").to_csv(tmp_path / "text.csv", index=False)
    monkeypatch.chdir(tmp_path)
    extra, expected = ERROR_CASES[case]
    argv = extra(tmp_path)
    # defaults for what the case does not set: the errors come before training
    if not str(argv[0]).endswith(".csv"):
        argv = [tmp_path / "in.csv"] + argv
    if "--target" not in argv:
        argv += ["--target", "label"]
    if "-o" not in argv:
        argv += ["-o", tmp_path / "out.csv"]
    code, stdout, stderr = run(["resample", *argv], capsys)
    assert code == 1
    assert stderr.startswith("imbgan: error:")
    for text in expected:
        assert text in stderr
    assert stdout == ""
    assert not (tmp_path / "out.csv").exists()


def test_parquet_without_pyarrow_names_the_package(tmp_path, capsys, monkeypatch):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        _resample.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "pyarrow" else find_spec(name, *a),
    )
    table().to_csv(tmp_path / "in.csv", index=False)
    argv = ["resample", tmp_path / "in.csv", "--target", "label"]
    code, _, stderr = run(argv + ["-o", tmp_path / "out.parquet"], capsys)
    assert code == 1 and "pip install pyarrow" in stderr


@pytest.mark.parametrize(
    "argv, message",
    [
        (["resample", "in.csv", "-o", "out.csv"], "--target"),
        (["resample", "in.csv", "--target", "y"], "-o/--output"),
        (
            ["resample", "in.csv", "--target", "y", "-o", "o.csv", "--epochs", "0"],
            ">= 1",
        ),
        (["demo", "--folds", "1"], "from 2 to 12"),
    ],
)
def test_usage_errors_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_console_script_runs(tmp_path):
    script = shutil.which("imbgan", path=str(Path(sys.executable).parent))
    script = script or shutil.which("imbgan")
    if script is None:
        pytest.skip("the imbgan console script is not installed")
    result = subprocess.run(
        [script, "resample", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    for option in ("--target", "--sampling-strategy", "--dag", "--image-shape"):
        assert option in result.stdout


# -- demo ----------------------------------------------------------------------


def test_demo_prints_the_table_and_draws_both_figures(tmp_path, capsys):
    out = tmp_path / "demo"
    code, stdout, stderr = run(
        ["demo", "--epochs", 2, "--folds", 2, "--out", out], capsys
    )
    assert code == 0
    rows = [line.split()[0] for line in stdout.splitlines() if line.strip()]
    for method in _demo._METHODS:
        assert method in rows
    assert "bacc" in stdout and "recall9" in stdout
    assert "bayesgan" in stderr  # progress goes to stderr
    # stderr is no terminal here: the figures' fit reports every epoch
    assert "epoch 2/2" in stderr
    if importlib.util.find_spec("matplotlib") is None:
        assert "matplotlib" in stderr
        return
    for name in ("samples.png", "traversal.png"):
        assert (out / name).read_bytes()[:8] == PNG_SIGNATURE


def fake_rows(X, y, **kwargs):
    for method in _demo._METHODS:
        row = {m: (0.5, 0.1) for m in _demo._METRICS}
        yield {"method": method, "seconds": 0.0, **row}


def test_demo_without_matplotlib_skips_the_figures(tmp_path, capsys, monkeypatch):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        _demo.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "matplotlib" else find_spec(name, *a),
    )
    monkeypatch.setattr(_demo, "_compare_on_digits", fake_rows)
    out = tmp_path / "demo"
    code, stdout, stderr = run(["demo", "--out", out], capsys)
    assert code == 0
    assert "smote" in stdout
    assert "matplotlib is not installed" in stderr
    assert not out.exists()


def test_demo_into_a_file_is_an_error(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(_demo, "_compare_on_digits", fake_rows)
    blocker = write(tmp_path / "taken", "")
    code, _, stderr = run(["demo", "--out", blocker], capsys)
    assert code == 1 and stderr.startswith("imbgan: error:")
    assert "taken" in stderr


def test_format_comparison_lines_up():
    lines = _demo._format_comparison(list(fake_rows(None, None))).splitlines()
    assert lines[0].split() == ["method", *_demo._METRICS, "seconds"]
    assert [line.split()[0] for line in lines[1:]] == list(_demo._METHODS)
    assert len({len(line) for line in lines}) == 1
    assert "0.500 (0.10)" in lines[1]


def test_demo_folds_stop_at_the_rarest_class():
    # more folds than nines would leave a test fold without one
    _, y = load_imbalanced_digits()
    assert _demo._MAX_FOLDS == np.bincount(y).min() == np.count_nonzero(y == 9)
