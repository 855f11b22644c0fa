"""Tests of the image benchmark (imbgan.benchmark.paper) on tiny synthetic data.

No real data and no network: a fake loader stands in for the IDX files, and
the protocol's counts are scaled down so every method runs in seconds.
"""

import json
import random

import numpy as np
import pytest
import torch
from scipy.stats import ttest_rel

from imbgan.benchmark import paper
from imbgan.benchmark._provenance import environment, source_commit
from imbgan.benchmark.paper import (
    METHODS,
    ROW_FIELDS,
    SmallCNN,
    evaluate,
    factor_vae_score,
    merge_disentangle,
    resample,
    run_disentangle,
    run_paper,
    summarize_paper,
    train_cnn,
)

# The protocol's counts scaled down; class 9 keeps 6 rows, SMOTE's minimum.
SMALL_COUNTS = (20, 16, 12, 12, 10, 10, 8, 8, 7, 6)
METRIC_FIELDS = ("recall8", "f1_8", "recall9", "f1_9", "acsa", "macro_f1")
TIMING_FIELDS = ("fit_seconds", "cnn_seconds")


def fake_loader(dataset, split):
    """Random uint8 28x28 digits with one bright pixel that encodes the class."""
    per_class = 25 if split == "train" else 10
    rng = np.random.default_rng(0 if split == "train" else 1)
    y = np.repeat(np.arange(10), per_class)
    X = rng.integers(0, 120, size=(len(y), 784)).astype(np.uint8)
    X[np.arange(len(y)), 100 + 60 * y] = 255
    return X, y


def global_rng_state():
    # The legacy global state is exactly what must stay untouched.
    return (
        np.random.get_state()[1].copy(),  # noqa: NPY002
        torch.random.get_rng_state().clone(),
        random.getstate(),
    )


def assert_same_global_state(before, after):
    np.testing.assert_array_equal(before[0], after[0])
    assert torch.equal(before[1], after[1])
    assert before[2] == after[2]


def quick_run(methods, out=None):
    return run_paper(
        dataset="mnist",
        methods=methods,
        device="cpu",
        out=out,
        quick=True,
        loader=fake_loader,
        counts=SMALL_COUNTS,
    )


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def six_method_run(tmp_path_factory):
    """One quick run over all six methods, its JSONL file and the global state."""
    out = tmp_path_factory.mktemp("paper") / "rows.jsonl"
    before = global_rng_state()
    rows = quick_run(METHODS, out=out)
    return rows, out, before, global_rng_state()


# -- the classifier ----------------------------------------------------------


def test_small_cnn_shape_and_parameter_count():
    before = global_rng_state()
    model = SmallCNN(seed=3)
    assert_same_global_state(before, global_rng_state())
    # "same" padding: 28 -> 14 -> 7, so the dense layer sees 64 * 7 * 7;
    # 3,199,106 parameters in all
    expected = (
        (32 * 1 * 25 + 32)
        + (64 * 32 * 25 + 64)
        + (64 * 7 * 7 * 1000 + 1000)
        + (1000 * 10 + 10)
    )
    assert sum(p.numel() for p in model.parameters()) == expected
    model.eval()
    assert model(torch.zeros(5, 784)).shape == (5, 10)
    assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    again = SmallCNN(seed=3)
    other = SmallCNN(seed=4)
    for a, b, c in zip(
        model.parameters(), again.parameters(), other.parameters(), strict=True
    ):
        assert torch.equal(a, b)
        assert not torch.equal(a, c)


def test_small_cnn_dropout_uses_the_given_generator_only():
    model = SmallCNN(seed=0)  # training mode, as nn.Module starts
    x = torch.rand(4, 784, generator=torch.Generator().manual_seed(0))
    with pytest.raises(RuntimeError, match="dropout_rng"):
        model(x)
    before = global_rng_state()
    a = model(x, torch.Generator().manual_seed(1))
    b = model(x, torch.Generator().manual_seed(1))
    c = model(x, torch.Generator().manual_seed(2))
    assert_same_global_state(before, global_rng_state())
    assert torch.equal(a, b)
    assert not torch.equal(a, c)
    model.eval()  # no dropout: deterministic without a generator
    assert torch.equal(model(x), model(x))


def toy_images(n, seed):
    """Class 0 lights the left half, class 1 the right half, plus noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    X = rng.uniform(0, 0.3, size=(n, 28, 28)).astype(np.float32)
    X[y == 0, :, :14] += 0.6
    X[y == 1, :, 14:] += 0.6
    return X.reshape(n, 784), y


def test_train_cnn_learns_a_separable_toy_problem():
    X, y = toy_images(192, seed=0)
    X_test, y_test = toy_images(200, seed=1)
    before = global_rng_state()
    model = train_cnn(X, y, epochs=2, lr=1e-3, seed=0, device="cpu")
    assert_same_global_state(before, global_rng_state())
    assert not model.training
    accuracy = np.mean(paper.predict(model, X_test) == y_test)
    assert accuracy > 0.9
    # Same seed, same weights (CPU)
    again = train_cnn(X, y, epochs=2, lr=1e-3, seed=0, device="cpu")
    for a, b in zip(model.parameters(), again.parameters(), strict=True):
        assert torch.equal(a, b)


def test_train_cnn_rejects_unscaled_pixels():
    X = np.full((4, 784), 200.0, dtype=np.float32)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        train_cnn(X, np.zeros(4, dtype=int), epochs=1, seed=0, device="cpu")


def test_evaluate_matches_sklearn():
    from sklearn.metrics import balanced_accuracy_score, f1_score, recall_score

    X, y = fake_loader("mnist", "test")
    model = SmallCNN(seed=0).eval()
    y_pred = paper.predict(model, X)
    metrics = evaluate(model, X, y)
    assert set(metrics) == set(METRIC_FIELDS)
    recall = recall_score(y, y_pred, labels=range(10), average=None, zero_division=0)
    f1 = f1_score(y, y_pred, labels=range(10), average=None, zero_division=0)
    assert metrics["recall8"] == pytest.approx(recall[8])
    assert metrics["f1_9"] == pytest.approx(f1[9])
    assert metrics["acsa"] == pytest.approx(balanced_accuracy_score(y, y_pred))
    assert metrics["macro_f1"] == pytest.approx(f1.mean())


# -- the methods -------------------------------------------------------------


def test_weighted_gives_inverse_frequency_class_weights():
    X, y = fake_loader("mnist", "train")
    keep = np.concatenate([np.flatnonzero(y == k)[: 25 - 2 * k] for k in range(10)])
    X, y = X[keep], y[keep]
    X_res, y_res, weights, seconds = resample("weighted", X, y, seed=0)
    n, k = len(y), 10
    assert weights == {c: pytest.approx(n / (k * np.sum(y == c))) for c in range(10)}
    assert seconds == 0.0
    np.testing.assert_array_equal(y_res, y)
    assert X_res.dtype == np.float32 and X_res.max() <= 1.0
    np.testing.assert_allclose(X_res, X / 255.0, rtol=1e-6)


def test_run_paper_passes_the_weights_to_the_classifier(monkeypatch):
    seen = []
    real = paper.train_cnn

    def spy(X, y, **kwargs):
        seen.append((np.bincount(y, minlength=10), kwargs["class_weight"]))
        return real(X, y, **kwargs)

    monkeypatch.setattr(paper, "train_cnn", spy)
    quick_run(("none", "weighted"))
    (_, none_weights), (counts, weights) = seen
    assert none_weights is None
    n = counts.sum()
    for c in range(10):
        assert weights[c] == pytest.approx(n / (10 * counts[c]))


@pytest.mark.parametrize("method", ["ros", "smote"])
def test_oversamplers_balance_and_scale(method):
    X, y = fake_loader("mnist", "train")
    keep = np.concatenate([np.flatnonzero(y == k)[: 25 - 2 * k] for k in range(10)])
    X_res, y_res, weights, _ = resample(method, X[keep], y[keep], seed=0)
    assert weights is None
    assert np.all(np.bincount(y_res) == 25)
    assert X_res.dtype == np.float32
    assert 0.0 <= X_res.min() and X_res.max() <= 1.0


def test_resample_rejects_an_unknown_method():
    with pytest.raises(ValueError, match="method must be one of"):
        resample("adasyn", np.zeros((2, 784)), np.array([0, 1]), seed=0)


# -- the runs ----------------------------------------------------------------


def test_run_paper_quick_writes_one_json_line_per_row(six_method_run):
    rows, out, before, after = six_method_run
    assert [row["method"] for row in rows] == list(METHODS)
    lines = out.read_text().splitlines()
    assert len(lines) == len(METHODS)
    for row, line in zip(rows, lines, strict=True):
        written = json.loads(line)
        assert list(written) == list(ROW_FIELDS)
        assert written == row
        assert written["dataset"] == "mnist"
        assert written["seed"] == 0 and written["ir"] is None
        assert written["device"] == "cpu"
        assert written["environment"] == environment("cpu")
        assert written["commit"] == source_commit()
        for key in METRIC_FIELDS:
            assert 0.0 <= written[key] <= 1.0
    by_method = {row["method"]: row for row in rows}
    assert by_method["none"]["fit_seconds"] == 0.0
    assert by_method["weighted"]["fit_seconds"] == 0.0
    assert by_method["none"]["n_train"] == sum(SMALL_COUNTS)
    for method in ("ros", "smote", "infogan", "bayesgan"):
        assert by_method[method]["n_train"] == 10 * max(SMALL_COUNTS)
        assert by_method[method]["fit_seconds"] > 0.0
    assert_same_global_state(before, after)


def test_run_paper_is_deterministic(six_method_run):
    rows = six_method_run[0]
    again = quick_run(("weighted", "smote", "bayesgan"))
    first = {row["method"]: row for row in rows}
    for row in again:
        for key in ROW_FIELDS:
            if key not in TIMING_FIELDS:
                assert row[key] == first[row["method"]][key], key


def test_run_paper_quick_caps_classes_and_keeps_the_minority_counts():
    seen = []

    def recorder(dataset, split):
        X, y = fake_loader(dataset, split)
        if split == "train":  # 120 rows per class: more than the quick cap
            X, y = np.tile(X, (5, 1)), np.tile(y, 5)
        return X, y

    counts = (120, 120, 100, 100, 100, 100, 100, 100, 60, 40)
    original = paper.train_cnn

    def spy(X, y, **kwargs):
        seen.append(np.bincount(y, minlength=10))
        return original(X, y, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(paper, "train_cnn", spy)
        rows = run_paper(
            methods=("none",), quick=True, device="cpu", loader=recorder, counts=counts
        )
    np.testing.assert_array_equal(seen[0], (100,) * 8 + (60, 40))
    assert rows[0]["n_train"] == 900


def test_run_paper_rejects_bad_arguments():
    with pytest.raises(ValueError, match="dataset"):
        run_paper(dataset="cifar", loader=fake_loader)
    with pytest.raises(ValueError, match="methods"):
        run_paper(methods=("none", "adasyn"), loader=fake_loader)
    with pytest.raises(ValueError, match="evaluate_on"):
        run_paper(evaluate_on="train", loader=fake_loader)


def test_validation_runs_never_touch_the_test_set():
    splits = []

    def loader(dataset, split):
        splits.append(split)
        X, y = fake_loader(dataset, split)
        # A pixel holding each row's index: which rows went where.
        X = X.copy()
        X[:, 0] = np.arange(len(y))
        return X, y

    trained, scored = [], []
    original_train, original_evaluate = paper.train_cnn, paper.evaluate

    def train_spy(X, y, **kwargs):
        trained.append((X[:, 0] * 255).round().astype(int))
        return original_train(X, y, **kwargs)

    def evaluate_spy(model, X, y):
        scored.append(((X[:, 0] * 255).round().astype(int), np.asarray(y)))
        return original_evaluate(model, X, y)

    kwargs = dict(methods=("none",), device="cpu", counts=SMALL_COUNTS, seeds=(3,))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(paper, "train_cnn", train_spy)
        mp.setattr(paper, "evaluate", evaluate_spy)
        mp.setattr(paper, "CNN_EPOCHS", {"mnist": 1})
        (validation,) = run_paper(loader=loader, evaluate_on="validation", **kwargs)
        assert splits == ["train"]
        (test,) = run_paper(loader=loader, **kwargs)
    assert validation["evaluated_on"] == "validation"
    assert test["evaluated_on"] == "test"
    # The same split either way; the validation rows are the other training
    # rows, balanced (25 per class in the fake data, minus the split's).
    np.testing.assert_array_equal(trained[0], trained[1])
    held_out, held_labels = scored[0]
    assert not set(held_out) & set(trained[0])
    assert len(set(held_out)) == len(held_out)
    np.testing.assert_array_equal(
        np.bincount(held_labels, minlength=10), 25 - np.array(SMALL_COUNTS)
    )
    # The test-mode run scores on the 100 rows of the test split.
    assert len(scored[1][0]) == 100


# -- the summary -------------------------------------------------------------


def synthetic_rows(seeds=(0, 1, 2), irs=(None,)):
    rng = np.random.default_rng(0)
    rows = []
    for ir in irs:
        for seed in seeds:
            for i, method in enumerate(METHODS):
                row = {"dataset": "mnist", "method": method, "seed": seed, "ir": ir}
                for key in METRIC_FIELDS:
                    row[key] = float(
                        np.clip(0.5 + 0.05 * i + rng.normal(0, 0.02), 0, 1)
                    )
                rows.append(row)
    return rows


def test_summarize_paper_has_every_method_and_the_t_test():
    rows = synthetic_rows()
    text = summarize_paper(rows)
    for method in METHODS:
        assert f"| {method} | 3 |" in text
    assert "## mnist, standard split" in text
    assert " ± " in text
    line = next(s for s in text.splitlines() if s.startswith("paired t-test"))
    # smote has the highest minority recall among the baselines here
    assert "best baseline (smote)" in line

    def minority(method):
        mine = sorted(
            (r for r in rows if r["method"] == method), key=lambda r: r["seed"]
        )
        return np.array([(r["recall8"] + r["recall9"]) / 2 for r in mine])

    result = ttest_rel(minority("bayesgan"), minority("smote"))
    diff = np.mean(minority("bayesgan") - minority("smote"))
    assert f"diff {diff:+.3f}" in line
    assert f"p = {result.pvalue:.3g}" in line


def test_summarize_paper_one_seed_and_several_irs():
    text = summarize_paper(synthetic_rows(seeds=(0,), irs=(None, 200, 50)))
    headers = [s for s in text.splitlines() if s.startswith("## ")]
    assert headers == [
        "## mnist, standard split",
        "## mnist, IR 50",
        "## mnist, IR 200",
    ]
    t_lines = [s for s in text.splitlines() if s.startswith("paired t-test")]
    assert len(t_lines) == 3 and all("n/a" in s for s in t_lines)


# -- disentanglement ---------------------------------------------------------


def factor_image(factors, image_size):
    """A noise-free "renderer": the factor indices are the first pixels."""
    images = np.zeros((len(factors), image_size * image_size), dtype=np.float32)
    images[:, : factors.shape[1]] = factors
    return images


def test_factor_vae_score_is_one_for_an_oracle_encoder():
    before = global_rng_state()
    score = factor_vae_score(
        lambda images: images[:, :5],
        n_votes=200,
        render=factor_image,
        random_state=0,
    )
    assert_same_global_state(before, global_rng_state())
    assert score == pytest.approx(1.0)

    # scale, order and extra constant dimensions do not matter
    def shuffled(images):
        codes = images[:, [3, 0, 4, 2, 1]] * np.array([1e-3, 5, 1, 100, 2])
        return np.hstack([codes, np.ones((len(images), 2))])

    score = factor_vae_score(shuffled, n_votes=200, render=factor_image, random_state=0)
    assert score == pytest.approx(1.0)


def test_factor_vae_score_is_near_chance_for_a_random_encoder():
    rng = np.random.default_rng(0)

    def random_encoder(images):
        return rng.normal(size=(len(images), 5))

    score = factor_vae_score(random_encoder, n_votes=400, random_state=0)
    assert score <= 0.4


def test_factor_vae_score_is_deterministic_with_the_real_renderer():
    def encoder(images):  # mass and centre of mass: position factors only
        grid = np.arange(32)
        img = images.reshape(-1, 32, 32)
        mass = img.sum(axis=(1, 2)) + 1e-9
        return np.stack(
            [
                mass,
                (img.sum(axis=1) * grid).sum(1) / mass,
                (img.sum(axis=2) * grid).sum(1) / mass,
            ],
            axis=1,
        )

    a = factor_vae_score(encoder, n_votes=100, n_reference=500, random_state=3)
    b = factor_vae_score(encoder, n_votes=100, n_reference=500, random_state=3)
    assert a == b
    assert 0.4 < a <= 1.0  # the 3 dims each track a factor


def test_run_disentangle_quick_writes_both_methods(tmp_path):
    out = tmp_path / "dis.json"
    before = global_rng_state()
    result = run_disentangle(device="cpu", quick=True, out=out)
    assert_same_global_state(before, global_rng_state())
    written = json.loads(out.read_text())
    assert written == json.loads(json.dumps(result))
    for method in ("infogan", "bayesgan"):
        assert len(written[method]["scores"]) == 1
        assert 0.0 <= written[method]["mean"] <= 1.0
    assert written["paper"] == {"bayesgan": 0.585, "infogan": 0.525}
    assert written["settings"]["n_samples"] == 500
    assert written["settings"]["n_votes"] == 100


def _disentangle_part(method, seeds, scores, **settings):
    return {
        method: {"scores": scores, "mean": float(np.mean(scores)),
                 "fit_seconds": [1.0 + s for s in seeds]},
        "paper": {"bayesgan": 0.585, "infogan": 0.525},
        "settings": {"seeds": list(seeds), "n_votes": 800, **settings},
    }  # fmt: skip


def test_merge_disentangle_orders_seeds_and_keeps_each_run():
    merged = merge_disentangle(
        [
            _disentangle_part("bayesgan", [2], [0.3]),
            _disentangle_part("infogan", [0, 1], [0.1, 0.2]),
            _disentangle_part("bayesgan", [0, 1], [0.5, 0.4]),
        ]
    )
    assert merged["bayesgan"]["scores"] == [0.5, 0.4, 0.3]
    assert merged["bayesgan"]["fit_seconds"] == [1.0, 2.0, 3.0]
    assert merged["bayesgan"]["mean"] == pytest.approx(0.4)
    assert merged["infogan"]["seeds"] == [0, 1]
    assert merged["settings"] == {"seeds": [0, 1, 2], "n_votes": 800}


def test_merge_disentangle_rejects_mixed_settings_and_repeats():
    with pytest.raises(ValueError, match="different settings"):
        merge_disentangle(
            [
                _disentangle_part("bayesgan", [0], [0.5]),
                _disentangle_part("bayesgan", [1], [0.5], quick=True),
            ]
        )
    with pytest.raises(ValueError, match="bayesgan seed 0 appears twice"):
        merge_disentangle(
            [
                _disentangle_part("bayesgan", [0], [0.5]),
                _disentangle_part("bayesgan", [0], [0.4]),
            ]
        )


# -- plots -------------------------------------------------------------------


def test_plots_write_png_files(tmp_path):
    pytest.importorskip("matplotlib")
    rows = synthetic_rows(seeds=(0, 1), irs=(None, 50, 200))
    sweep = tmp_path / "sweep.png"
    paper.plot_ir_sweep(rows, sweep)
    X, y = fake_loader("mnist", "train")
    grid = tmp_path / "grid.png"
    paper.plot_minority_grid(
        {"ros": X[y == 9][:5], "real": X[y == 9] / 255.0, "smote": X[:3]},
        grid,
        n=6,
    )
    for path in (sweep, grid):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
