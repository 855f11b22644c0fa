"""imbgan.plotting: figure structure, the traversal's promise, PNGs, no pyplot."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_classification

from imbgan import BayesGANOversampler, LatentDAG, plotting
from imbgan._dag import check_dag
from imbgan.benchmark import paper

from .conftest import FAST, imbalanced_digits

pytest.importorskip("matplotlib")
from matplotlib.patches import FancyArrowPatch  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")

DAG = {"thickness": [], "width": [], "stroke": ["thickness", "width"]}
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "latent_traversal.py"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    data = Path(path).read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert len(data) > 1024, f"{path} is only {len(data)} bytes"


def image_data(ax):
    """The array drawn on ``ax`` (exactly one image), or None for a blank cell."""
    images = ax.get_images()
    assert len(images) <= 1
    return None if not images else np.asarray(images[0].get_array())


@pytest.fixture(scope="module")
def digits_data():
    return imbalanced_digits()


@pytest.fixture(scope="module")
def image_sampler(one_torch_thread, digits_data):
    X, y = digits_data
    sampler = BayesGANOversampler(
        dag=DAG, image_shape=(1, 8, 8), random_state=0, **FAST
    )
    sampler.fit_resample(X, y)
    return sampler


# -- plot_samples -------------------------------------------------------------


def test_samples_with_real_rows_grid(image_sampler, digits_data, tmp_path):
    X, y = digits_data
    # class 9 keeps 2 real rows, fewer than n: its row has one blank real cell
    keep = (y != 9) | (np.cumsum(y == 9) <= 2)
    X, y = X[keep], y[keep]
    n = 3
    fig = plotting.plot_samples(
        image_sampler, classes=[8, 9], n=n, X=X, y=y, path=tmp_path / "s.png"
    )
    assert len(fig.axes) == 2 * 2 * n  # rows == classes, columns == 2n
    grid = np.array(fig.axes, dtype=object).reshape(2, 2 * n)
    for row, klass, n_real in ((0, 8, n), (1, 9, 2)):
        cells = [image_data(ax) for ax in grid[row]]
        real, synthetic = cells[:n], cells[n:]
        assert [c is not None for c in real] == [True] * n_real + [False] * (n - n_real)
        for k in range(n_real):
            np.testing.assert_array_equal(real[k], X[y == klass][k].reshape(8, 8))
        expected = image_sampler.sample(n, y=klass, random_state=0)
        for k in range(n):
            np.testing.assert_array_equal(synthetic[k], expected[k].reshape(8, 8))
    assert_png(tmp_path / "s.png")


def test_samples_default_classes_and_inferred_square(digits_data):
    # No image_shape: 64 features are drawn as 8x8 images all the same.
    X, y = digits_data
    sampler = BayesGANOversampler(random_state=0, **FAST)
    sampler.fit_resample(X, y)
    fig = plotting.plot_samples(sampler, n=2)
    added = [k for k, count in sampler.sampling_strategy_.items() if count > 0]
    assert len(added) > 1
    assert len(fig.axes) == len(added) * 2
    assert all(image_data(ax).shape == (8, 8) for ax in fig.axes)
    labels = [fig.axes[2 * i].get_ylabel() for i in range(len(added))]
    assert labels == [str(k) for k in added]


def test_samples_tabular_scatter(tmp_path):
    X, y = make_classification(
        n_samples=120, n_features=5, weights=[0.8, 0.2], flip_y=0, random_state=0
    )
    sampler = BayesGANOversampler(random_state=0, **FAST)
    sampler.fit_resample(X, y)
    fig = plotting.plot_samples(sampler, n=5, X=X, y=y, path=tmp_path / "t.png")
    (ax,) = fig.axes  # only class 1 was over-sampled
    assert not ax.get_images()
    real, synthetic = (c.get_offsets() for c in ax.collections)
    np.testing.assert_allclose(real, X[y == 1][:5, :2])
    np.testing.assert_allclose(
        synthetic, sampler.sample(5, y=1, random_state=0)[:, :2], rtol=1e-6
    )
    assert_png(tmp_path / "t.png")


# -- plot_traversal -----------------------------------------------------------


def traversal_grid(fig, n_rows, steps):
    assert len(fig.axes) == n_rows * steps
    return [
        [image_data(fig.axes[r * steps + j]) for j in range(steps)]
        for r in range(n_rows)
    ]


def test_traversal_grid_and_png(image_sampler, tmp_path):
    fig = plotting.plot_traversal(
        image_sampler, y=9, code=0, steps=5, n_rows=3, path=tmp_path / "t.png"
    )
    grid = traversal_grid(fig, 3, 5)
    assert all(
        cell is not None and cell.shape == (8, 8) for row in grid for cell in row
    )
    assert [ax.get_title() for ax in fig.axes[:5]] == ["-1", "-0.5", "0", "0.5", "1"]
    assert_png(tmp_path / "t.png")


def test_traversal_varies_only_the_chosen_code(image_sampler):
    steps, n_rows = 5, 3
    fig = plotting.plot_traversal(
        image_sampler, y=9, code=2, steps=steps, n_rows=n_rows
    )
    grid = traversal_grid(fig, n_rows, steps)
    for row in grid:  # the code moves the image along every row
        for a, b in zip(row, row[1:], strict=False):
            assert not np.array_equal(a, b)

    # The code held fixed: one image per row, and different noise per row.
    fixed = traversal_grid(
        plotting.plot_traversal(
            image_sampler, y=9, code=2, steps=steps, n_rows=n_rows, low=0.5, high=0.5
        ),
        n_rows,
        steps,
    )
    for row in fixed:
        for cell in row[1:]:
            np.testing.assert_array_equal(cell, row[0])
    assert not np.array_equal(fixed[0][0], fixed[1][0])

    # At the middle column every code is 0 whichever code is swept, and the
    # rows' noise is the same: so the other codes really stay at 0.
    other = traversal_grid(
        plotting.plot_traversal(image_sampler, y=9, code=0, steps=steps, n_rows=n_rows),
        n_rows,
        steps,
    )
    for r in range(n_rows):
        np.testing.assert_array_equal(other[r][2], grid[r][2])
        assert not np.array_equal(other[r][0], grid[r][0])


def test_traversal_code_by_name(image_sampler):
    by_name = plotting.plot_traversal(
        image_sampler, y=8, code="width", steps=2, n_rows=1
    )
    by_index = plotting.plot_traversal(image_sampler, y=8, code=1, steps=2, n_rows=1)
    for a, b in zip(by_name.axes, by_index.axes, strict=True):
        np.testing.assert_array_equal(image_data(a), image_data(b))
    assert "width" in " ".join(t.get_text() for t in by_name.texts)  # suptitle


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(code="colour"), r"unknown code 'colour'.*thickness"),
        (dict(code=3), r"code index 3 out of range"),
        (dict(code=-1), r"code index -1 out of range"),
        (dict(steps=1), r"steps must be an integer >= 2; got 1"),
        (dict(n_rows=0), r"n_rows must be an integer >= 1; got 0"),
        (dict(y=42), r"y=42 is not a class"),
        (dict(low=float("nan")), r"low must be a finite number"),
    ],
)
def test_traversal_bad_arguments(image_sampler, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plotting.plot_traversal(image_sampler, **{"y": 9, **kwargs})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(n=0), r"n must be an integer >= 1; got 0"),
        (dict(classes=[9, 42]), r"classes=42 is not a class"),
        (dict(X=np.zeros((3, 64))), r"pass X and y together"),
        (dict(X=np.zeros((3, 5)), y=[8, 8, 9]), r"X must be 2-D with 64 features"),
    ],
)
def test_samples_bad_arguments(image_sampler, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plotting.plot_samples(image_sampler, **kwargs)


def test_unfitted_sampler_is_refused():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        plotting.plot_traversal(BayesGANOversampler(), y=0)
    with pytest.raises(ValueError, match="history_"):
        plotting.plot_history(BayesGANOversampler())


# -- plot_dag -----------------------------------------------------------------


def dag_parts(fig):
    (ax,) = fig.axes
    labels = {t.get_text(): t.get_position() for t in ax.texts}
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    return labels, arrows


@pytest.mark.parametrize(
    "dag",
    [
        DAG,
        LatentDAG.from_edges([("a", "b"), ("b", "c"), ("a", "c")], names=list("abcd")),
        "entangled",
        [("x", "y")],
    ],
)
def test_dag_nodes_and_arrows_without_networkx(dag, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "networkx", None)  # import networkx fails
    expected = check_dag(dag)
    fig = plotting.plot_dag(dag, path=tmp_path / "dag.png")
    labels, arrows = dag_parts(fig)
    assert sorted(labels) == sorted(expected.names)
    assert len(arrows) == len(expected.edges)
    for parent, child in expected.edges:  # layered: every arrow points right
        assert labels[parent][0] < labels[child][0]
    assert_png(tmp_path / "dag.png")


def test_dag_from_sampler_and_networkx(image_sampler):
    nx = pytest.importorskip("networkx")
    labels, arrows = dag_parts(plotting.plot_dag(image_sampler))
    assert sorted(labels) == sorted(DAG) and len(arrows) == 2
    graph = nx.DiGraph([("p", "q"), ("q", "r")])
    labels, arrows = dag_parts(plotting.plot_dag(graph))
    assert sorted(labels) == ["p", "q", "r"] and len(arrows) == 2


def test_dag_invalid_is_check_dags_error():
    with pytest.raises(ValueError, match="cycle"):
        plotting.plot_dag([("a", "b"), ("b", "a")])


# -- plot_history -------------------------------------------------------------


def test_history_panels(image_sampler, tmp_path):
    fig = plotting.plot_history(image_sampler, path=tmp_path / "h.png")
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["d_loss", "g_loss", "class_loss", "reg_loss", "learning_rate"]
    for ax, key in zip(fig.axes, titles, strict=True):
        (line,) = ax.get_lines()
        np.testing.assert_allclose(line.get_ydata(), image_sampler.history_[key])
    assert fig.axes[-1].get_yscale() == "log"
    assert fig.axes[0].get_yscale() == "linear"
    assert_png(tmp_path / "h.png")

    fig = plotting.plot_history({"g_loss": [3.0, 2.0, 1.5], "empty": []})
    assert [ax.get_title() for ax in fig.axes] == ["g_loss"]
    with pytest.raises(ValueError, match="empty"):
        plotting.plot_history({"d_loss": []})


# -- global state, optional dependency, re-exports ----------------------------


def test_pyplot_state_untouched(image_sampler, digits_data, tmp_path):
    plt = pytest.importorskip("matplotlib.pyplot")
    before = plt.get_fignums()
    X, y = digits_data
    plotting.plot_samples(image_sampler, classes=9, n=1, X=X, y=y, path=tmp_path / "a")
    plotting.plot_traversal(image_sampler, y=9, steps=2, n_rows=1, path=tmp_path / "b")
    plotting.plot_dag(DAG, path=tmp_path / "c")
    plotting.plot_history(image_sampler, path=tmp_path / "d")
    assert plt.get_fignums() == before
    for name in "abcd":  # PNG whatever the suffix (here none)
        assert_png(tmp_path / name)


def test_missing_matplotlib_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install imbgan\[plot\]"):
        plotting.plot_dag(DAG)


def test_benchmark_figures_are_reexported():
    assert plotting.plot_ir_sweep is paper.plot_ir_sweep
    assert plotting.plot_minority_grid is paper.plot_minority_grid
    assert set(plotting.__all__) >= {"plot_ir_sweep", "plot_minority_grid"}


# -- the example --------------------------------------------------------------


def test_example_script_writes_its_pngs(tmp_path):
    result = subprocess.run(
        [sys.executable, str(EXAMPLE), "--out", str(tmp_path), "--epochs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    names = ["dag", *(f"traversal_{code}" for code in DAG), "samples", "history"]
    for name in names:
        path = tmp_path / f"{name}.png"
        assert_png(path)
        assert str(path) in result.stdout
