"""Tests for imbgan.datasets: IDX reading, loaders, the protocol, shapes.

Every test but the last writes its own tiny IDX files; none needs the real
data or the network.
"""

import gzip
import os
import pathlib
import re
from pathlib import Path

import numpy as np
import pytest

from imbgan.datasets import (
    DEFAULT_COUNTS,
    FACTOR_SIZES,
    SHAPE_FACTORS,
    data_home,
    load_fashion_mnist,
    load_mnist,
    make_imbalance_protocol,
    make_shapes,
    read_idx,
    render_shapes,
)

_CODES = {
    np.dtype(np.uint8): 0x08,
    np.dtype(np.int8): 0x09,
    np.dtype(np.int16): 0x0B,
    np.dtype(np.int32): 0x0C,
    np.dtype(np.float32): 0x0D,
    np.dtype(np.float64): 0x0E,
}
_STEMS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def idx_bytes(array):
    """The IDX encoding of ``array``: magic, big-endian dims, big-endian data."""
    array = np.asarray(array)
    header = bytes([0, 0, _CODES[array.dtype], array.ndim])
    dims = np.asarray(array.shape, dtype=">u4").tobytes()
    return header + dims + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx(path, array, gz=None):
    """Write ``array`` as IDX to ``path``, gzipped when the name ends in .gz."""
    path = Path(path)
    data = idx_bytes(array)
    if gz if gz is not None else path.suffix == ".gz":
        data = gzip.compress(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def tiny_set(n, seed):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    return images, labels


def write_set(folder, split="train", gz=True, n=7, seed=0):
    """Write an image and a label file of ``n`` rows into ``folder``."""
    images, labels = tiny_set(n, seed)
    suffix = ".gz" if gz else ""
    image_stem, label_stem = _STEMS[split]
    write_idx(Path(folder) / (image_stem + suffix), images)
    write_idx(Path(folder) / (label_stem + suffix), labels)
    return images.reshape(n, -1), labels.astype(np.int64)


def check_loaded(result, expected):
    X, y = result
    assert X.dtype == np.uint8 and X.shape == expected[0].shape
    assert X.shape[1] == 784
    assert y.dtype == np.int64 and y.shape == (len(X),)
    np.testing.assert_array_equal(X, expected[0])
    np.testing.assert_array_equal(y, expected[1])


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv("IMBGAN_DATA", raising=False)


# ------------------------------------------------------------------- read_idx


@pytest.mark.parametrize(
    "dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]
)
@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_round_trips_every_dtype(tmp_path, dtype, gz):
    rng = np.random.default_rng(0)
    info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else None
    if info is not None:
        array = rng.integers(info.min, info.max, size=(3, 4, 5), endpoint=True)
    else:
        array = rng.normal(scale=1e3, size=(3, 4, 5))
    array = array.astype(dtype)
    path = write_idx(tmp_path / "a.idx", array, gz=gz)
    out = read_idx(path)
    assert out.dtype == np.dtype(dtype)
    assert out.dtype.isnative
    assert out.shape == (3, 4, 5)
    np.testing.assert_array_equal(out, array)
    out[0, 0, 0] = 0  # a writable copy, not a view of the file's bytes


def test_read_idx_zero_and_one_dimensional(tmp_path):
    np.testing.assert_array_equal(
        read_idx(write_idx(tmp_path / "v", np.arange(4, dtype=np.int32))),
        np.arange(4),
    )
    empty = read_idx(write_idx(tmp_path / "e", np.zeros((0, 28, 28), np.uint8)))
    assert empty.shape == (0, 28, 28)


def test_read_idx_gzip_detected_by_magic_bytes_and_suffix(tmp_path):
    array = np.arange(6, dtype=np.uint8).reshape(2, 3)
    # gzip content under a plain name: found by the magic bytes
    no_suffix = write_idx(tmp_path / "labels-idx", array, gz=True)
    np.testing.assert_array_equal(read_idx(no_suffix), array)
    # a str path works as well as a Path
    np.testing.assert_array_equal(read_idx(str(no_suffix)), array)
    # a .gz name whose content is not gzip: a ValueError naming the file
    fake = write_idx(tmp_path / "fake.gz", array, gz=False)
    with pytest.raises(ValueError, match=re.escape(str(fake))):
        read_idx(fake)


def _bad_file(tmp_path, name, data, gz):
    path = tmp_path / (name + (".gz" if gz else ""))
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize(
    "kind, data, message",
    [
        ("truncated", idx_bytes(np.ones((4, 5), np.uint8))[:-3], "truncated"),
        ("truncated-header", idx_bytes(np.ones((4, 5), np.uint8))[:9], "truncated"),
        ("short", b"\x00\x00", "truncated"),
        ("magic", b"\x01\x02" + idx_bytes(np.ones(3, np.uint8))[2:], "magic"),
        ("type", b"\x00\x00\x0a\x01" + idx_bytes(np.ones(3, np.uint8))[4:], "magic"),
        ("mismatch", idx_bytes(np.ones((4, 5), np.uint8)) + b"\x00", "mismatch"),
    ],
)
def test_read_idx_bad_files_name_the_file(tmp_path, kind, data, message, gz):
    path = _bad_file(tmp_path, kind, data, gz)
    with pytest.raises(ValueError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_truncated_gzip_stream(tmp_path):
    data = gzip.compress(idx_bytes(np.ones((40, 5), np.uint8)))
    path = tmp_path / "cut.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=re.escape(str(path))):
        read_idx(path)


def test_read_idx_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nothing")


# ------------------------------------------------------------------ loaders


def test_data_home_precedence(tmp_path, monkeypatch, no_env):
    monkeypatch.setattr(pathlib.Path, "home", classmethod(lambda cls: tmp_path))
    assert data_home() == tmp_path / "imbgan_data"
    monkeypatch.setenv("IMBGAN_DATA", str(tmp_path / "env"))
    assert data_home() == tmp_path / "env"
    assert data_home(tmp_path / "arg") == tmp_path / "arg"
    assert data_home(str(tmp_path / "arg")) == tmp_path / "arg"
    assert isinstance(data_home(), pathlib.Path)
    monkeypatch.setenv("IMBGAN_DATA", "")  # empty means unset
    assert data_home() == tmp_path / "imbgan_data"


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("subfolder", [True, False])
@pytest.mark.parametrize(
    "loader, name", [(load_mnist, "mnist"), (load_fashion_mnist, "fashion-mnist")]
)
def test_loaders_with_argument(tmp_path, no_env, loader, name, subfolder, gz):
    folder = tmp_path / name if subfolder else tmp_path
    expected = write_set(folder, gz=gz)
    check_loaded(loader(tmp_path), expected)
    check_loaded(loader(str(tmp_path), split="train"), expected)


def test_subfolder_is_preferred_to_the_directory_itself(tmp_path, no_env):
    in_sub = write_set(tmp_path / "mnist", seed=1)
    write_set(tmp_path, seed=2)
    check_loaded(load_mnist(tmp_path), in_sub)


def test_mixed_gz_and_plain_files(tmp_path, no_env):
    images, labels = tiny_set(5, 3)
    write_idx(tmp_path / "mnist" / "train-images-idx3-ubyte.gz", images)
    write_idx(tmp_path / "train-labels-idx1-ubyte", labels)
    check_loaded(load_mnist(tmp_path), (images.reshape(5, -1), labels))


def test_test_split(tmp_path, no_env):
    train = write_set(tmp_path / "mnist", "train", n=7, seed=4)
    test = write_set(tmp_path / "mnist", "test", gz=False, n=3, seed=5)
    check_loaded(load_mnist(tmp_path, split="test"), test)
    check_loaded(load_mnist(tmp_path, split="train"), train)
    with pytest.raises(ValueError, match="split"):
        load_mnist(tmp_path, split="validation")


def test_loader_with_environment_variable(tmp_path, monkeypatch):
    expected = write_set(tmp_path / "env" / "fashion-mnist")
    monkeypatch.setenv("IMBGAN_DATA", str(tmp_path / "env"))
    check_loaded(load_fashion_mnist(), expected)
    # the argument wins over the environment variable
    other = write_set(tmp_path / "arg", seed=9)
    check_loaded(load_fashion_mnist(tmp_path / "arg"), other)


def test_loader_default_directory(tmp_path, monkeypatch, no_env):
    monkeypatch.setattr(pathlib.Path, "home", classmethod(lambda cls: tmp_path))
    expected = write_set(tmp_path / "imbgan_data" / "mnist", gz=False)
    check_loaded(load_mnist(), expected)


def test_missing_files_message(tmp_path, monkeypatch, no_env):
    write_set(tmp_path / "mnist")  # MNIST present, Fashion-MNIST absent
    with pytest.raises(FileNotFoundError) as info:
        load_fashion_mnist(tmp_path)
    message = str(info.value)
    for stem in _STEMS["train"]:
        for folder in (tmp_path / "fashion-mnist", tmp_path):
            for suffix in ("", ".gz"):
                assert str(folder / (stem + suffix)) in message
    for text in ("IMBGAN_DATA", "argument", "imbgan_data", "torchvision"):
        assert text in message
    assert "dataset-fashion-mnist" in message
    assert "FashionMNIST" in message

    # only the missing file is listed; the source of the directory is named
    (tmp_path / "mnist" / "train-labels-idx1-ubyte.gz").unlink()
    monkeypatch.setenv("IMBGAN_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError) as info:
        load_mnist()
    message = str(info.value)
    assert str(tmp_path / "mnist" / "train-labels-idx1-ubyte.gz") in message
    assert "train-images" not in message
    assert "from the IMBGAN_DATA environment variable" in message
    assert "torchvision.datasets.MNIST" in message


def test_loader_rejects_wrong_contents(tmp_path, no_env):
    images, labels = tiny_set(4, 0)
    folder = tmp_path / "mnist"
    write_idx(folder / "train-images-idx3-ubyte", images[:, :, :27].copy())
    write_idx(folder / "train-labels-idx1-ubyte", labels)
    with pytest.raises(ValueError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)
    write_idx(folder / "train-images-idx3-ubyte", images)
    write_idx(folder / "train-labels-idx1-ubyte", labels[:3])
    with pytest.raises(ValueError, match="3 labels"):
        load_mnist(tmp_path)


# ------------------------------------------------------ imbalance protocol


def balanced(n_per_class=4500, n_classes=10, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(n_classes), n_per_class))
    # Row i holds i in column 0, so every selected row can be traced back.
    X = np.column_stack([np.arange(len(y)), y, rng.integers(0, 255, len(y))])
    return X, y


@pytest.fixture(scope="module")
def big():
    return balanced()


def test_protocol_default_counts(big):
    X, y = big
    X_sub, y_sub = make_imbalance_protocol(X, y, random_state=0)
    assert sum(DEFAULT_COUNTS) == 9000
    np.testing.assert_array_equal(np.bincount(y_sub), DEFAULT_COUNTS)
    assert X_sub.shape == (9000, 3) and y_sub.shape == (9000,)
    index = X_sub[:, 0]
    # real rows of the right class, no duplicates, in ascending original order
    np.testing.assert_array_equal(X_sub, X[index])
    np.testing.assert_array_equal(y_sub, y[index])
    assert np.all(np.diff(index) > 0)


@pytest.mark.parametrize("ir, n_last", [(50, 80), (100, 40), (200, 20), (500, 8)])
def test_protocol_imbalance_ratio(big, ir, n_last):
    X, y = big
    _, y_sub = make_imbalance_protocol(X, y, ir=ir, random_state=0)
    np.testing.assert_array_equal(np.bincount(y_sub), DEFAULT_COUNTS[:-1] + (n_last,))
    # a float ratio and custom counts
    _, y_sub = make_imbalance_protocol(X, y, counts=[10] * 10, ir=2.5, random_state=0)
    np.testing.assert_array_equal(np.bincount(y_sub), [10] * 9 + [4])


def test_protocol_is_reproducible(big):
    X, y = big
    first = make_imbalance_protocol(X, y, random_state=3)
    second = make_imbalance_protocol(X, y, random_state=3)
    other = make_imbalance_protocol(X, y, random_state=4)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[0], other[0])
    # a RandomState instance is used as given
    from_instance = make_imbalance_protocol(X, y, random_state=np.random.RandomState(3))
    np.testing.assert_array_equal(first[0], from_instance[0])


def test_protocol_leaves_inputs_unchanged(big):
    X, y = big
    X_before, y_before = X.copy(), y.copy()
    make_imbalance_protocol(X, y, random_state=0)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_protocol_custom_counts_labels_and_images():
    X, y = balanced(n_per_class=6, n_classes=3)
    labels = np.array(["c", "a", "b"])[y]  # sorted order: a, b, c
    images = np.arange(len(y) * 4, dtype=np.uint8).reshape(len(y), 2, 2)
    X_sub, y_sub = make_imbalance_protocol(
        images, labels, counts=(5, 2, 0), random_state=0
    )
    assert X_sub.shape == (7, 2, 2)
    assert sorted(y_sub.tolist()) == ["a"] * 5 + ["b"] * 2
    # lists work as X
    X_list, _ = make_imbalance_protocol(
        X.tolist(), labels, counts=(1, 1, 1), random_state=0
    )
    assert len(X_list) == 3


def test_protocol_errors(big):
    X, y = big
    y_small = y.copy()
    y_small[np.flatnonzero(y == 9)[30:]] = 0  # class 9 keeps 30 rows
    with pytest.raises(ValueError, match=r"class 9 has 30 rows but 40"):
        make_imbalance_protocol(X, y_small, random_state=0)
    with pytest.raises(ValueError, match="one entry per class"):
        make_imbalance_protocol(X, y, counts=(10, 10))
    with pytest.raises(ValueError, match="non-negative"):
        make_imbalance_protocol(X, y, counts=[-1] + [1] * 9)
    for ir in (0, -5, float("nan"), "100"):
        with pytest.raises(ValueError, match="ir"):
            make_imbalance_protocol(X, y, ir=ir)
    with pytest.raises(ValueError, match="at least 1"):
        make_imbalance_protocol(X, y, ir=10**5)
    with pytest.raises(ValueError):
        make_imbalance_protocol(X[:-1], y)


# -------------------------------------------------------------------- shapes


def test_shape_constants():
    assert SHAPE_FACTORS == ("shape", "scale", "rotation", "pos_x", "pos_y")
    assert FACTOR_SIZES == (3, 6, 40, 16, 16)


@pytest.fixture(scope="module")
def shapes():
    return make_shapes(3000, random_state=0)


def test_make_shapes_outputs(shapes):
    X, y, factors = shapes
    assert X.shape == (3000, 32 * 32) and X.dtype == np.float32
    assert y.shape == (3000,) and y.dtype == np.int64
    assert factors.shape == (3000, 5) and factors.dtype == np.float64
    assert X.min() >= 0 and X.max() <= 1
    assert set(np.unique(X)) <= {0.0, 1.0}
    np.testing.assert_array_equal(y, factors[:, 0])
    np.testing.assert_array_equal(factors, np.round(factors))
    for j, n_values in enumerate(FACTOR_SIZES):
        assert factors[:, j].min() >= 0 and factors[:, j].max() <= n_values - 1
        # uniform draws cover every value of the grid
        assert len(np.unique(factors[:, j])) == n_values
    assert np.all(X.sum(axis=1) > 0)  # every image non-empty


def test_make_shapes_is_reproducible(shapes):
    X, y, factors = make_shapes(3000, random_state=0)
    np.testing.assert_array_equal(X, shapes[0])
    np.testing.assert_array_equal(factors, shapes[2])
    X_other, _, _ = make_shapes(3000, random_state=1)
    assert not np.array_equal(X, X_other)


def test_render_shapes_reproduces_make_shapes(shapes):
    X, _, factors = shapes
    np.testing.assert_array_equal(render_shapes(factors), X)
    np.testing.assert_array_equal(render_shapes(factors.astype(int), 32), X)
    X16, _, factors16 = make_shapes(50, image_size=16, random_state=2)
    assert X16.shape == (50, 256)
    np.testing.assert_array_equal(render_shapes(factors16, image_size=16), X16)


def test_shape_weights_set_class_proportions():
    _, y, _ = make_shapes(4000, shape_weights=(0.8, 0.15, 0.05), random_state=0)
    np.testing.assert_allclose(np.bincount(y) / 4000, [0.8, 0.15, 0.05], atol=0.03)
    _, y, _ = make_shapes(3000, random_state=0)
    np.testing.assert_allclose(np.bincount(y) / 3000, [1 / 3] * 3, atol=0.04)
    _, y, _ = make_shapes(200, shape_weights=(0, 2, 2), random_state=0)
    assert 0 not in y
    # weights need not sum to one
    _, y, _ = make_shapes(200, shape_weights=(8, 0, 0), random_state=0)
    assert np.all(y == 0)


def grid(**fixed):
    """All factor combinations, with the named factors fixed to an index."""
    axes = [
        [fixed[name]] if name in fixed else range(size)
        for name, size in zip(SHAPE_FACTORS, FACTOR_SIZES, strict=True)
    ]
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=1)


def centroids(X, size):
    images = X.reshape(len(X), size, size)
    mass = images.sum(axis=(1, 2))
    coords = np.arange(size)
    cx = (images.sum(axis=1) * coords).sum(axis=1) / mass
    cy = (images.sum(axis=2) * coords).sum(axis=1) / mass
    return cx, cy


@pytest.mark.parametrize("size", [16, 32])
def test_shapes_stay_inside_and_never_vanish(size):
    # The largest shapes, at every rotation and the extreme positions, leave the
    # border empty; the smallest are never empty (every combination at 16, the
    # hardest size; a sample at 32).
    largest = grid(scale=5)
    extreme = np.isin(largest[:, 3], (0, 15)) & np.isin(largest[:, 4], (0, 15))
    images = render_shapes(largest[extreme], size).reshape(-1, size, size)
    border = np.concatenate(
        [images[:, 0], images[:, -1], images[:, :, 0], images[:, :, -1]], axis=1
    )
    assert not border.any()
    smallest = grid(scale=0)[:: 1 if size == 16 else 7]
    assert np.all(render_shapes(smallest, size).sum(axis=1) > 0)


def test_factors_change_the_image():
    base = np.array([1, 3, 5, 8, 8])
    factors = np.tile(base, (16, 1))
    factors[:, 3] = np.arange(16)
    X = render_shapes(factors)
    cx, cy = centroids(X, 32)
    assert np.all(np.diff(cx) > 0)  # the centroid moves right with pos_x
    np.testing.assert_allclose(cy, cy[0], atol=0.5)
    factors[:, 3], factors[:, 4] = 8, np.arange(16)
    cx, cy = centroids(render_shapes(factors), 32)
    assert np.all(np.diff(cy) > 0)  # and down with pos_y
    np.testing.assert_allclose(cx, cx[0], atol=0.5)

    # the area grows with the scale
    factors = np.tile(base, (6, 1))
    factors[:, 1] = np.arange(6)
    area = render_shapes(factors).sum(axis=1)
    assert np.all(np.diff(area) > 0)

    # the three shapes differ, at every scale and rotation
    trios = render_shapes(grid(pos_x=8, pos_y=3)).reshape(3, 240, -1)
    for a, b in ((0, 1), (0, 2), (1, 2)):
        assert not np.any(np.all(trios[a] == trios[b], axis=1))

    # an ellipse turned by a quarter turn (10 of 40 steps) is a different image
    turns = render_shapes([[1, 5, 0, 8, 8], [1, 5, 10, 8, 8]])
    assert not np.array_equal(turns[0], turns[1])


def test_shape_errors():
    with pytest.raises(ValueError, match="image_size"):
        make_shapes(5, image_size=8)
    with pytest.raises(ValueError, match="n_samples"):
        make_shapes(-1)
    with pytest.raises(ValueError, match="shape_weights"):
        make_shapes(5, shape_weights=(1, 1))
    with pytest.raises(ValueError, match="shape_weights"):
        make_shapes(5, shape_weights=(0, 0, 0))
    with pytest.raises(ValueError, match="rotation"):
        render_shapes([[0, 0, 40, 0, 0]])
    with pytest.raises(ValueError, match="integer"):
        render_shapes([[0, 0.5, 0, 0, 0]])
    with pytest.raises(ValueError, match="shape"):
        render_shapes(np.zeros((2, 4)))
    assert make_shapes(0)[0].shape == (0, 1024)


# ---------------------------------------------------------------- real data


def _real_data_dir():
    """The shared data folder: $IMBGAN_DATA, else shared/ beside the repo."""
    candidates = []
    if os.environ.get("IMBGAN_DATA"):
        candidates.append(Path(os.environ["IMBGAN_DATA"]))
    candidates.append(Path(__file__).resolve().parents[2] / "shared" / "data")
    for folder in candidates:
        if (folder / "mnist" / "train-images-idx3-ubyte.gz").is_file() or (
            folder / "mnist" / "train-images-idx3-ubyte"
        ).is_file():
            return folder
    return None


REAL_DATA = _real_data_dir()


@pytest.mark.skipif(REAL_DATA is None, reason="the real MNIST files are absent")
def test_real_mnist_and_protocol():
    X, y = load_mnist(REAL_DATA)
    assert X.shape == (60000, 784) and X.dtype == np.uint8
    assert y.dtype == np.int64
    np.testing.assert_array_equal(np.unique(y), np.arange(10))
    X_sub, y_sub = make_imbalance_protocol(X, y, random_state=0)
    # 4000 + 2000 + ... + 60 + 40
    assert X_sub.shape == (9000, 784) and len(y_sub) == 9000
    np.testing.assert_array_equal(np.bincount(y_sub), DEFAULT_COUNTS)
