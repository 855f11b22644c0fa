"""Saving and loading samplers as pickle-free ``.npz`` archives."""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError

import imbgan._persistence as persistence
from imbgan import BayesGANOversampler, InfoGANOversampler, LatentDAG
from imbgan._persistence import INVALID_FILE, load_sampler, save_sampler
from imbgan._sampler import _BaseGANOversampler
from imbgan._scaling import QuantileScaler, RangeScaler
from imbgan._training import resolve_device

from .conftest import FAST, imbalanced_digits

STROKE_DAG = {"thickness": [], "width": [], "stroke": ["thickness", "width"]}


def _binary():
    return make_classification(
        n_samples=120,
        n_features=5,
        n_informative=3,
        weights=[0.8, 0.2],
        flip_y=0,
        random_state=0,
    )


def _digits():
    # Every third image of the conftest digits: the conv networks are the
    # slowest to train, and round trips need no more.
    X, y = imbalanced_digits()
    return X[::3], y[::3]


def _three_class_strings():
    X, y = _binary()
    rng = np.random.default_rng(0)
    labels = np.array(["cat", "dog", "eel"])[y + (rng.random(len(y)) < 0.1)]
    return pd.DataFrame(X, columns=["a", "b", "c", "d", "e"]), pd.Series(
        labels, dtype=object
    )


def _discrete_columns():
    """Two continuous columns, a 0/1 flag and a 3-level float code."""
    X, y = _binary()
    X = X[:, :4].copy()
    X[:, 2] = (X[:, 2] > 0).astype(float)
    X[:, 3] = np.digitize(X[:, 3], [-0.5, 0.5]) * 2.5
    return X, y


def _mixed_int_float_frame():
    X, y = _binary()
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d", "e"])
    frame["a"] = np.round(frame["a"] * 10).astype(np.int64)
    return frame, y


# Each case: (estimator, X, y). Small budgets: the tests check persistence,
# not sample quality.
CASES: dict[str, Callable[[], tuple]] = {
    "bayes-tabular": lambda: (
        BayesGANOversampler(**FAST, random_state=0),
        *_binary(),
    ),
    "info-tabular": lambda: (
        InfoGANOversampler(**FAST, random_state=1, n_codes=2),
        *_binary(),
    ),
    "bayes-image": lambda: (
        BayesGANOversampler(**FAST, random_state=0, image_shape=(1, 8, 8)),
        *_digits(),
    ),
    "info-image": lambda: (
        InfoGANOversampler(
            **FAST, random_state=0, image_shape=(1, 8, 8), fidelity_threshold=0.2
        ),
        *_digits(),
    ),
    "strings-dataframe-dag-mapping": lambda: (
        BayesGANOversampler(
            **FAST, random_state=2, dag=STROKE_DAG, sampling_strategy={"eel": 50}
        ),
        *_three_class_strings(),
    ),
    "entangled-likelihood-filter": lambda: (
        BayesGANOversampler(
            **FAST,
            random_state=3,
            dag="entangled",
            regularizer="likelihood",
            fidelity_threshold=0.5,
            ema_decay=0.9,
        ),
        *_binary(),
    ),
    "int-array": lambda: (
        InfoGANOversampler(**FAST, random_state=5),
        np.round(_binary()[0] * 10).astype(np.int32),
        _binary()[1],
    ),
    "discrete-columns": lambda: (
        BayesGANOversampler(**FAST, random_state=7),
        *_discrete_columns(),
    ),
    "mixed-int-float-frame": lambda: (
        BayesGANOversampler(**FAST, random_state=6),
        *_mixed_int_float_frame(),
    ),
    "projection-tabular": lambda: (
        BayesGANOversampler(**FAST, random_state=8, projection_discriminator=True),
        *_binary(),
    ),
    "projection-image": lambda: (
        InfoGANOversampler(
            **FAST, random_state=9, image_shape=(1, 8, 8), projection_discriminator=True
        ),
        *_digits(),
    ),
    "diff-augment-image": lambda: (
        BayesGANOversampler(
            **FAST, random_state=10, image_shape=(1, 8, 8), diff_augment=True
        ),
        *_digits(),
    ),
    "spectral-norm-image": lambda: (
        BayesGANOversampler(
            **FAST, random_state=11, image_shape=(1, 8, 8), spectral_norm=True
        ),
        *_digits(),
    ),
    "spectral-norm-tabular": lambda: (
        InfoGANOversampler(**FAST, random_state=12, spectral_norm=True),
        *_binary(),
    ),
    "latentdag-unicode-labels": lambda: (
        BayesGANOversampler(
            **FAST, random_state=4, dag=LatentDAG.from_edges([("u", "v")])
        ),
        _binary()[0],
        np.array(["négatif", "positif"])[_binary()[1]],
    ),
}


@pytest.fixture(scope="module")
def fitted() -> Callable[[str], tuple]:
    """``fitted(case) -> (sampler, X, y)``, each case fitted once per module."""
    cache: dict[str, tuple] = {}

    def get(case: str) -> tuple:
        if case not in cache:
            sampler, X, y = CASES[case]()
            sampler.fit_resample(X, y)
            cache[case] = (sampler, X, y)
        return cache[case]

    return get


@pytest.fixture(scope="module")
def valid_file(fitted, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("valid") / "model.npz"
    save_sampler(fitted("bayes-tabular")[0], path)
    return path


def _fitted_attributes(sampler) -> dict:
    return {k: v for k, v in vars(sampler).items() if k.endswith("_")}


def _assert_same_fitted_state(original, loaded) -> None:
    before, after = _fitted_attributes(original), _fitted_attributes(loaded)
    # A new fitted attribute that save/load does not carry fails here.
    assert set(after) == set(before)
    for name, value in before.items():
        other = after[name]
        if isinstance(value, np.ndarray):
            assert other.dtype == value.dtype, name
            np.testing.assert_array_equal(other, value, err_msg=name)
        elif isinstance(value, torch.nn.Module):
            assert type(other) is type(value)
            assert not other.training
            state, other_state = value.state_dict(), other.state_dict()
            assert state.keys() == other_state.keys()
            for key in state:
                assert torch.equal(state[key].cpu(), other_state[key].cpu()), key
        elif name == "scaler_":
            assert vars(other).keys() == vars(value).keys()
            for key, attr in vars(value).items():
                if isinstance(attr, dict):  # levels_: column -> levels
                    assert getattr(other, key).keys() == attr.keys(), key
                    for column, levels in attr.items():
                        np.testing.assert_array_equal(
                            getattr(other, key)[column], levels, err_msg=key
                        )
                else:
                    np.testing.assert_array_equal(
                        getattr(other, key), attr, err_msg=key
                    )
        elif name == "sampling_strategy_":
            assert list(other.items()) == list(value.items())
            for key, other_key in zip(value, other, strict=True):
                assert type(other_key) is type(key)
        else:
            assert other == value, name


# -- round trips ----------------------------------------------------------------


@pytest.mark.parametrize("case", list(CASES))
def test_round_trip_is_exact(case, fitted, tmp_path):
    sampler, X, y = fitted(case)
    path = tmp_path / "model.npz"
    save_sampler(sampler, path)
    loaded = load_sampler(path, device="cpu")

    assert type(loaded) is type(sampler)
    assert loaded.get_params() == sampler.get_params()
    _assert_same_fitted_state(sampler, loaded)
    assert loaded.history_ == sampler.history_
    for klass in sampler.classes_:
        np.testing.assert_array_equal(
            loaded.sample(40, klass, random_state=7),
            sampler.sample(40, klass, random_state=7),
        )
    labels = np.resize(sampler.classes_, 25)
    np.testing.assert_array_equal(
        loaded.sample(25, labels, random_state=1),
        sampler.sample(25, labels, random_state=1),
    )
    codes = np.linspace(-1, 1, sampler.n_codes_)
    np.testing.assert_array_equal(
        loaded.sample(10, sampler.classes_[-1], codes, random_state=2),
        sampler.sample(10, sampler.classes_[-1], codes, random_state=2),
    )


@pytest.mark.parametrize("case", ["bayes-tabular", "strings-dataframe-dag-mapping"])
def test_loaded_sampler_refits_like_a_fresh_one(case, fitted, tmp_path):
    sampler, X, y = fitted(case)
    save_sampler(sampler, tmp_path / "model.npz")
    loaded = load_sampler(tmp_path / "model.npz")
    X_loaded, y_loaded = loaded.fit_resample(X, y)
    X_fresh, y_fresh = clone(sampler).fit_resample(X, y)
    np.testing.assert_array_equal(np.asarray(X_loaded), np.asarray(X_fresh))
    np.testing.assert_array_equal(np.asarray(y_loaded), np.asarray(y_fresh))


def test_save_of_a_loaded_sampler_gives_the_same_arrays(fitted, tmp_path):
    sampler = fitted("strings-dataframe-dag-mapping")[0]
    save_sampler(sampler, tmp_path / "a.npz")
    save_sampler(load_sampler(tmp_path / "a.npz"), tmp_path / "b.npz")
    with (
        np.load(tmp_path / "a.npz", allow_pickle=False) as a,
        np.load(tmp_path / "b.npz", allow_pickle=False) as b,
    ):
        assert a.files == b.files
        for key in a.files:
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_discrete_levels_survive_a_round_trip(fitted, tmp_path):
    sampler, X, y = fitted("discrete-columns")
    assert sorted(sampler.scaler_.levels_) == [2, 3]
    save_sampler(sampler, tmp_path / "model.npz")
    loaded = load_sampler(tmp_path / "model.npz")
    samples = loaded.sample(300, sampler.classes_[1], random_state=0)
    assert set(np.unique(samples[:, 2])) == {0.0, 1.0}
    assert set(np.unique(samples[:, 3])) <= {0.0, 2.5, 5.0}
    assert np.unique(samples[:, 0]).size > 100  # continuous columns are not snapped


def test_file_from_before_snapping_loads_without_snapping(fitted, tmp_path):
    # Files written before max_discrete_levels, ema_decay, feature_scaling,
    # projection_discriminator, redraw_contradictions, diff_augment,
    # copy_fraction, cuda_graphs and spectral_norm existed have neither the
    # parameters nor the entries nor the levels and quantile arrays; they
    # load as saved (min-max scaling, no snapping, final weights, no
    # projection, no redrawing, augmentation, CUDA graph or spectral
    # normalisation on a refit), and their parameters say so.
    sampler = fitted("discrete-columns")[0]
    save_sampler(sampler, tmp_path / "new.npz")
    members = _members(tmp_path / "new.npz")
    members.pop("scaler/levels_")
    members.pop("scaler/quantiles_")
    document = _document(members)
    for key in ("discrete_columns", "kind", "n_quantiles"):
        del document["fitted"]["scaler_"][key]
    del document["params"]["max_discrete_levels"]
    del document["params"]["feature_scaling"]
    for key in ("class_loss_weight", "noise_scale"):
        del document["params"][key]
        del document["fitted"]["config_"][key]
    del document["params"]["projection_discriminator"]
    del document["params"]["redraw_contradictions"]
    del document["params"]["diff_augment"]
    del document["params"]["copy_fraction"]
    del document["params"]["cuda_graphs"]
    del document["fitted"]["config_"]["cuda_graphs"]
    del document["fitted"]["config_"]["augment_shift"]
    del document["fitted"]["config_"]["projection"]
    del document["params"]["spectral_norm"]
    del document["fitted"]["config_"]["spectral_norm"]
    del document["params"]["ema_decay"]
    del document["fitted"]["config_"]["ema_decay"]
    text = json.dumps(document).encode()
    members["config.json"] = np.frombuffer(text, dtype=np.uint8)
    old = load_sampler(_write(tmp_path / "old.npz", members))
    assert old.max_discrete_levels == 0
    assert old.feature_scaling == "minmax"
    assert old.class_loss_weight == 1.0 and old.config_.class_loss_weight == 1.0
    assert old.noise_scale == 1.0 and old.config_.noise_scale == 1.0
    assert old.projection_discriminator is False and not old.config_.projection
    assert old.redraw_contradictions is False
    assert old.diff_augment is False and old.config_.augment_shift == 0
    assert old.copy_fraction == 0.0
    assert old.cuda_graphs is False and old.config_.cuda_graphs is False
    assert old.spectral_norm is False and not old.config_.spectral_norm
    assert old.discriminator_.heads.embed is None
    assert type(old.scaler_) is RangeScaler
    assert old.ema_decay is None and old.config_.ema_decay == 0.0
    assert old.scaler_.levels_ == {}
    samples = old.sample(300, sampler.classes_[1], random_state=0)
    assert not set(np.unique(samples[:, 2])) <= {0.0, 1.0}


@pytest.fixture(scope="module")
def discrete_file(fitted, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("discrete") / "model.npz"
    save_sampler(fitted("discrete-columns")[0], path)
    return path


def _set_discrete(value):
    return lambda doc: doc["fitted"]["scaler_"].__setitem__("discrete_columns", value)


def _edit_levels(index, value):
    def edit(members):
        levels = members["scaler/levels_"].copy()
        levels[index] = value
        members["scaler/levels_"] = levels

    return edit


DISCRETE_CONFIG_EDITS = {
    "column-out-of-range": (_set_discrete([[2, 2], [4, 3]]), "column index"),
    "columns-not-increasing": (_set_discrete([[3, 3], [2, 2]]), "increasing"),
    "one-level": (_set_discrete([[2, 1], [3, 4]]), "n_levels"),
    "not-pairs": (_set_discrete([[2, 2, 0]]), "pairs"),
    "levels-count-mismatch": (_set_discrete([[2, 2], [3, 2]]), "shape"),
    "levels-for-images": (
        lambda d: d["fitted"]["scaler_"].__setitem__("per_feature", False),
        "images",
    ),
}
DISCRETE_ARRAY_EDITS = {
    "levels-not-increasing": (_edit_levels(1, -1.0), "increasing"),
    "levels-outside-range": (_edit_levels(4, 1e6), "range"),
    "nan-level": (_edit_levels(0, np.nan), "non-finite"),
}


def _set_scaler_entry(key, value):
    return lambda doc: doc["fitted"]["scaler_"].__setitem__(key, value)


def _edit_quantile(row, value):
    def edit(members):
        quantiles = members["scaler/quantiles_"].copy()
        quantiles[row, 0] = value(quantiles[:, 0])
        members["scaler/quantiles_"] = quantiles

    return edit


def _image_with_quantiles(doc):
    doc["fitted"]["scaler_"].update(per_feature=False, discrete_columns=[])


QUANTILE_CONFIG_EDITS = {
    "unknown-kind": (_set_scaler_entry("kind", "standard"), "scaler_.kind"),
    "n-quantiles-missing": (
        lambda doc: doc["fitted"]["scaler_"].pop("n_quantiles"),
        "n_quantiles is missing",
    ),
    "too-many-quantiles": (_set_scaler_entry("n_quantiles", 1001), "sanity bound"),
    "one-quantile": (_set_scaler_entry("n_quantiles", 1), ">= 2"),
    "quantile-count-mismatch": (_set_scaler_entry("n_quantiles", 5), "shape"),
    "n-quantiles-on-minmax": (_set_scaler_entry("kind", "minmax"), "only for"),
    "quantiles-for-images": (_image_with_quantiles, "'minmax' for images"),
}
QUANTILE_ARRAY_EDITS = {
    "quantiles-decreasing": (_edit_quantile(1, lambda q: q[-1]), "non-decreasing"),
    "quantiles-below-min": (_edit_quantile(0, lambda q: q[0] - 1), "run from"),
    "quantiles-above-max": (_edit_quantile(-1, lambda q: q[-1] + 1), "run from"),
    "nan-quantile": (_edit_quantile(3, lambda q: np.nan), "non-finite"),
}


def test_quantile_scaler_survives_a_round_trip(fitted, tmp_path):
    sampler = fitted("discrete-columns")[0]
    assert type(sampler.scaler_) is QuantileScaler
    save_sampler(sampler, tmp_path / "model.npz")
    loaded = load_sampler(tmp_path / "model.npz")
    assert type(loaded.scaler_) is QuantileScaler
    np.testing.assert_array_equal(loaded.scaler_.quantiles_, sampler.scaler_.quantiles_)
    minmax = clone(sampler).set_params(feature_scaling="minmax")
    minmax.fit_resample(*fitted("discrete-columns")[1:3])
    save_sampler(minmax, tmp_path / "minmax.npz")
    document = _document(_members(tmp_path / "minmax.npz"))
    assert document["fitted"]["scaler_"]["kind"] == "minmax"
    assert "scaler/quantiles_" not in _members(tmp_path / "minmax.npz")
    assert type(load_sampler(tmp_path / "minmax.npz").scaler_) is RangeScaler


SCALER_CONFIG_EDITS = {**DISCRETE_CONFIG_EDITS, **QUANTILE_CONFIG_EDITS}
SCALER_ARRAY_EDITS = {**DISCRETE_ARRAY_EDITS, **QUANTILE_ARRAY_EDITS}


@pytest.mark.parametrize("case", list(SCALER_CONFIG_EDITS))
def test_invalid_scaler_entries_are_rejected(case, discrete_file, tmp_path):
    edit, fragment = SCALER_CONFIG_EDITS[case]
    _assert_invalid(_with_config(discrete_file, tmp_path / "bad.npz", edit), fragment)


@pytest.mark.parametrize("case", list(SCALER_ARRAY_EDITS))
def test_invalid_scaler_arrays_are_rejected(case, discrete_file, tmp_path):
    edit, fragment = SCALER_ARRAY_EDITS[case]
    _assert_invalid(_with_arrays(discrete_file, tmp_path / "bad.npz", edit), fragment)


def test_dag_param_forms(fitted, tmp_path):
    sampler = fitted("latentdag-unicode-labels")[0]
    save_sampler(sampler, tmp_path / "m.npz")
    loaded = load_sampler(tmp_path / "m.npz")
    assert isinstance(loaded.dag, LatentDAG) and loaded.dag == sampler.dag
    # an edge list is saved as the same DAG in {child: [parents]} form
    edges = clone(sampler).set_params(dag=[("u", "v")])
    edges.__dict__.update(_fitted_attributes(sampler))
    save_sampler(edges, tmp_path / "e.npz")
    assert load_sampler(tmp_path / "e.npz").dag == {"u": [], "v": ["u"]}


def test_path_is_used_exactly_and_overwritten(fitted, tmp_path):
    sampler = fitted("info-tabular")[0]
    path = tmp_path / "model.imbgan"  # np.savez alone would append ".npz"
    path.write_bytes(b"old content")
    save_sampler(sampler, str(path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.imbgan"]
    assert load_sampler(str(path)).n_codes_ == 2


def test_load_device(valid_file):
    loaded = load_sampler(valid_file)  # "auto": CUDA only where there is one
    expected = resolve_device("auto")
    assert loaded.device_ == expected
    assert next(loaded.generator_.parameters()).device.type == expected.type
    assert load_sampler(valid_file, device="cpu").device_ == torch.device("cpu")
    with pytest.raises(ValueError, match="device must be") as info:
        load_sampler(valid_file, device="tpu")
    assert not str(info.value).startswith(INVALID_FILE)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_load_onto_cuda(valid_file):
    loaded = load_sampler(valid_file, device="cuda")
    assert loaded.device_.type == "cuda"
    assert next(loaded.discriminator_.parameters()).is_cuda
    out = loaded.sample(20, 1, random_state=0)
    assert out.shape == (20, 5) and np.isfinite(out).all()


def test_class_check(fitted, tmp_path):
    save_sampler(fitted("info-tabular")[0], tmp_path / "info.npz")
    with pytest.raises(ValueError, match="class InfoGANOversampler, not BayesGAN"):
        load_sampler(tmp_path / "info.npz", expected_class=BayesGANOversampler)
    # the shared base class accepts either sampler
    loaded = load_sampler(tmp_path / "info.npz", expected_class=_BaseGANOversampler)
    assert type(loaded) is InfoGANOversampler


@pytest.mark.skipif(
    not hasattr(BayesGANOversampler, "load"),
    reason="the save/load methods are not in imbgan._sampler yet",
)
def test_methods_delegate(fitted, tmp_path):
    sampler = fitted("info-tabular")[0]
    sampler.save(tmp_path / "info.npz")
    loaded = InfoGANOversampler.load(tmp_path / "info.npz", device="cpu")
    np.testing.assert_array_equal(
        loaded.sample(5, 1, random_state=0), sampler.sample(5, 1, random_state=0)
    )
    with pytest.raises(ValueError, match="of class InfoGANOversampler"):
        BayesGANOversampler.load(tmp_path / "info.npz")


# -- what the file contains ---------------------------------------------------------


def test_file_contains_only_plain_npy_arrays(valid_file):
    with zipfile.ZipFile(valid_file) as zf:
        names = zf.namelist()
        assert "config.json.npy" in names
        for name in names:
            assert name.endswith(".npy")
            with zf.open(name) as member:
                version = np.lib.format.read_magic(member)
                assert version == (1, 0)
                _, _, dtype = np.lib.format.read_array_header_1_0(member)
            assert not dtype.hasobject, name
    with np.load(valid_file, allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    document = json.loads(arrays["config.json"].tobytes().decode("utf-8"))
    assert document["format"] == "imbgan-sampler"
    assert document["format_version"] == 1
    assert document["estimator"] == "BayesGANOversampler"
    assert all(
        arrays[k].dtype == np.float32
        for k in arrays
        if k.startswith(("generator/", "discriminator/"))
    )
    assert {"generator/low", "generator/high"} <= arrays.keys()


def test_unsaveable_params_warn_and_load_as_defaults(tmp_path):
    X, y = _binary()
    sampler = BayesGANOversampler(
        **FAST,
        random_state=np.random.RandomState(0),
        sampling_strategy=lambda y: {1: 30},
    ).fit(X, y)
    sampler.fit_resample(X, y)
    with pytest.warns(UserWarning, match="random_state.*sampling_strategy"):
        save_sampler(sampler, tmp_path / "m.npz")
    loaded = load_sampler(tmp_path / "m.npz")
    defaults = BayesGANOversampler().get_params()
    assert loaded.random_state is None and loaded.sampling_strategy == "auto"
    expected = {
        **sampler.get_params(),
        **{k: defaults[k] for k in ("random_state", "sampling_strategy")},
    }
    assert loaded.get_params() == expected
    assert loaded.sampling_strategy_ == sampler.sampling_strategy_ == {1: 6}
    with np.load(tmp_path / "m.npz", allow_pickle=False) as npz:
        document = json.loads(npz["config.json"].tobytes())
    assert document["params_not_saved"] == ["random_state", "sampling_strategy"]


def test_save_refuses_unfitted_and_foreign_samplers(fitted, tmp_path):
    with pytest.raises(NotFittedError):
        save_sampler(BayesGANOversampler(), tmp_path / "m.npz")
    X, y = _binary()
    with pytest.raises(NotFittedError):  # fit alone does not train the GAN
        save_sampler(InfoGANOversampler(**FAST).fit(X, y), tmp_path / "m.npz")

    class Custom(BayesGANOversampler):
        pass

    custom = Custom(**FAST, random_state=0)
    custom.__dict__.update(_fitted_attributes(fitted("bayes-tabular")[0]))
    with pytest.raises(TypeError, match="only BayesGANOversampler and Info"):
        save_sampler(custom, tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()


def test_missing_file():
    with pytest.raises(FileNotFoundError):
        load_sampler("/nonexistent/dir/model.npz")


# -- hostile and corrupted files ------------------------------------------------


def _members(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


def _document(members: dict[str, np.ndarray]) -> dict:
    return json.loads(members["config.json"].tobytes().decode("utf-8"))


def _write(path: Path, members: dict[str, np.ndarray]) -> Path:
    np.savez(path, **members)  # path ends in .npz: written as given
    return path


def _with_config(valid: Path, out: Path, edit: Callable[[dict], None]) -> Path:
    members = _members(valid)
    document = _document(members)
    edit(document)
    text = json.dumps(document)  # allow_nan: NaN is written as the literal NaN
    # A number too large for a float parses as inf without being NaN/Infinity.
    text = text.replace('"<1e400>"', "1e400")
    members["config.json"] = np.frombuffer(text.encode(), dtype=np.uint8)
    return _write(out, members)


def _with_arrays(valid: Path, out: Path, edit: Callable[[dict], None]) -> Path:
    members = _members(valid)
    edit(members)
    return _write(out, members)


def _assert_invalid(path: Path, fragment: str) -> None:
    """Loading ``path`` is refused as an invalid file, naming ``fragment``."""
    with pytest.raises(ValueError, match=f"^{INVALID_FILE}") as info:
        load_sampler(path)
    assert fragment in str(info.value)


def _set_fitted(key, value):
    return lambda doc: doc["fitted"].__setitem__(key, value)


def _set_config(key, value):
    return lambda doc: doc["fitted"]["config_"].__setitem__(key, value)


def _raw_config(text: bytes):
    def edit(members):
        members["config.json"] = np.frombuffer(text, dtype=np.uint8)

    return edit


def _nan_weight(members):
    weight = members["generator/inner.out.weight"].copy()
    weight[0, 0] = np.nan
    members["generator/inner.out.weight"] = weight


CONFIG_EDITS = {
    "wrong-format-name": (lambda d: d.__setitem__("format", "other"), "format"),
    "wrong-format-version": (lambda d: d.__setitem__("format_version", 2), "version"),
    "unknown-class": (lambda d: d.__setitem__("estimator", "os.system"), "os.system"),
    "string-for-int": (_set_fitted("hidden_units_", "16"), "hidden_units_"),
    "bool-for-int": (_set_fitted("n_codes_", True), "n_codes_"),
    "negative-epochs": (_set_config("epochs", -3), "epochs"),
    "nan-learning-rate": (_set_config("learning_rate", float("nan")), "NaN"),
    "huge-learning-rate": (_set_config("learning_rate", "<1e400>"), "learning_rate"),
    "config-n-codes-mismatch": (_set_config("n_codes", 7), "n_codes"),
    "unknown-config-field": (_set_config("momentum", 0.9), "momentum"),
    "ema-decay-one": (_set_config("ema_decay", 1.0), "ema_decay"),
    "negative-augment-shift": (_set_config("augment_shift", -1), "augment_shift"),
    "image-shape-mismatch": (_set_fitted("image_shape_", [1, 8, 8]), "image_shape_"),
    "image-shape-malformed": (_set_fitted("image_shape_", "1x8x8"), "image_shape_"),
    "huge-hidden-units": (_set_fitted("hidden_units_", 10**9), "sanity bound"),
    "huge-n-features": (_set_fitted("n_features_in_", 10**12), "sanity bound"),
    "classes-kind-mismatch": (_set_fitted("classes_kind", "U"), "classes_"),
    "missing-history": (lambda d: d["fitted"].pop("history_"), "history_"),
    "nan-in-history": (
        lambda d: d["fitted"]["history_"]["d_loss"].append(float("nan")),
        "NaN",
    ),
    "strategy-unknown-label": (
        _set_fitted("sampling_strategy_", [[5, 10]]),
        "sampling_strategy_",
    ),
    "strategy-negative-count": (
        _set_fitted("sampling_strategy_", [[1, -10]]),
        "sampling_strategy_",
    ),
    "cyclic-dag": (_set_fitted("dag_", {"c1": ["c2"], "c2": ["c1"], "c3": []}), "dag_"),
    "dag-size-mismatch": (_set_fitted("dag_", {"c1": []}), "dag_"),
    "invalid-param": (
        lambda d: d["params"].__setitem__("learning_rate", -1.0),
        "param",
    ),
    "unknown-param": (lambda d: d["params"].__setitem__("eval", "x"), "eval"),
    "nested-param": (lambda d: d["params"].__setitem__("dag__x", 1), "dag__x"),
    "bad-tag": (lambda d: d["params"].__setitem__("image_shape", {"obj": 1}), "tag"),
    "object-scaler-dtype": (
        _set_fitted("scaler_", {"per_feature": True, "dtype": "O"}),
        "dtype",
    ),
    "not-an-object": (lambda d: (d.clear(), d.update({"format": []})), "format"),
}

ARRAY_EDITS = {
    "missing-weight": (lambda m: m.pop("discriminator/trunk.0.bias"), "missing"),
    "extra-weight": (
        lambda m: m.__setitem__("generator/extra", np.zeros(3, np.float32)),
        "extra",
    ),
    "wrong-shape": (
        lambda m: m.__setitem__("generator/inner.out.bias", np.zeros(6, np.float32)),
        "shape",
    ),
    "float64-weight": (
        lambda m: m.__setitem__("generator/low", m["generator/low"].astype(np.float64)),
        "dtype",
    ),
    "nan-weight": (_nan_weight, "non-finite"),
    "classes-length": (
        lambda m: m.__setitem__("classes_", np.array([0, 1, 2])),
        "classes_",
    ),
    "repeated-classes": (
        lambda m: m.__setitem__("classes_", np.array([1, 1])),
        "repeated",
    ),
    "scaler-min-above-max": (
        lambda m: m.__setitem__("scaler/feature_min_", m["scaler/feature_max_"] + 1),
        "feature_min_",
    ),
    "scaler-inconsistent": (
        lambda m: m.__setitem__("scaler/center_", m["scaler/center_"] + 1e-9),
        "center_",
    ),
    "integer-mask-not-bool": (
        lambda m: m.__setitem__("scaler/integer_columns_", np.zeros(5, np.int8)),
        "integer_columns_",
    ),
    "malformed-json": (_raw_config(b'{"format": "imbgan-sampler", '), "JSON"),
    "not-utf8-json": (_raw_config(b"\xff\xfe{}"), "JSON"),
    "duplicate-json-key": (_raw_config(b'{"format": 1, "format": 2}'), "repeats"),
    "deep-json": (_raw_config(b"[" * 100000 + b"]" * 100000), "JSON"),
    "config-as-text-array": (
        lambda m: m.__setitem__("config.json", np.array("{}")),
        "config.json",
    ),
    "missing-config": (lambda m: m.pop("config.json"), "config.json"),
}


@pytest.mark.parametrize("case", list(CONFIG_EDITS))
def test_invalid_config_is_rejected(case, valid_file, tmp_path):
    edit, fragment = CONFIG_EDITS[case]
    _assert_invalid(_with_config(valid_file, tmp_path / "bad.npz", edit), fragment)


@pytest.mark.parametrize("case", list(ARRAY_EDITS))
def test_invalid_arrays_are_rejected(case, valid_file, tmp_path):
    edit, fragment = ARRAY_EDITS[case]
    _assert_invalid(_with_arrays(valid_file, tmp_path / "bad.npz", edit), fragment)


def test_the_unmodified_helpers_give_a_loadable_file(valid_file, tmp_path):
    # The two tests above can only fail for the edit, not the rewriting.
    load_sampler(_with_config(valid_file, tmp_path / "a.npz", lambda d: None))
    load_sampler(_with_arrays(valid_file, tmp_path / "b.npz", lambda m: None))


def test_huge_sizes_are_rejected_before_building(valid_file, tmp_path, monkeypatch):
    built = []
    monkeypatch.setattr(persistence, "build_networks", lambda **kw: built.append(kw))
    path = _with_config(
        valid_file, tmp_path / "bad.npz", _set_fitted("hidden_units_", 10**9)
    )
    with pytest.raises(ValueError, match="parameters, more than the sanity bound"):
        load_sampler(path)
    assert built == []


@pytest.mark.parametrize(
    "content",
    [b"", b"PK\x05\x06" + b"\0" * 18, np.random.default_rng(0).bytes(4096)],
    ids=["empty", "empty-zip", "random-bytes"],
)
def test_non_archives_are_rejected(content, tmp_path):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=f"^{INVALID_FILE}"):
        load_sampler(path)


def test_truncated_files_are_rejected(valid_file, tmp_path):
    data = valid_file.read_bytes()
    for cut in (1, 30, 200, len(data) // 2, len(data) - 100, len(data) - 1):
        path = tmp_path / f"cut{cut}.npz"
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match=f"^{INVALID_FILE}"):
            load_sampler(path)


def test_archive_behind_leading_bytes_is_rejected(valid_file, tmp_path):
    # zipfile would read it; np.load would take it for a pickle.
    path = tmp_path / "bad.npz"
    path.write_bytes(b"JUNK" + valid_file.read_bytes())
    with pytest.raises(ValueError, match="not a zip") as info:
        load_sampler(path)
    assert "allow_pickle" not in str(info.value)


def test_plain_npy_file_is_rejected(tmp_path):
    path = tmp_path / "bad.npz"
    with open(path, "wb") as file:  # np.save(path) would append ".npy"
        np.save(file, np.zeros(3))
    with pytest.raises(ValueError, match="not a zip"):
        load_sampler(path)


class _CreatesMarker:
    """Unpickling this creates ``path``: proof that code ran."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _pickled_npy(marker: Path) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.array([_CreatesMarker(str(marker))], dtype=object))
    return buffer.getvalue()


@pytest.mark.parametrize("member", ["classes_.npy", "config.json.npy", "evil.npy"])
def test_pickled_member_is_never_unpickled(member, valid_file, tmp_path):
    # The payload works: loading it with pickle allowed runs the code.
    probe = tmp_path / "probe"
    np.load(io.BytesIO(_pickled_npy(probe)), allow_pickle=True)
    assert probe.exists()

    marker = tmp_path / "marker"
    path = tmp_path / "bad.npz"
    with (
        zipfile.ZipFile(valid_file) as src,
        zipfile.ZipFile(path, "w") as dst,
    ):
        for name in src.namelist():
            if name != member:
                dst.writestr(name, src.read(name))
        dst.writestr(member, _pickled_npy(marker))
    with pytest.raises(ValueError, match=f"^{INVALID_FILE}"):
        load_sampler(path)
    assert not marker.exists()


def test_pickle_file_is_never_unpickled(tmp_path):
    marker = tmp_path / "marker"
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(_CreatesMarker(str(marker))))
    with pytest.raises(ValueError, match=f"^{INVALID_FILE}"):
        load_sampler(path)
    assert not marker.exists()


def test_byte_flips_never_escape_as_other_errors(valid_file, tmp_path):
    data = bytearray(valid_file.read_bytes())
    rng = np.random.default_rng(0)
    positions = rng.integers(0, len(data), size=200)
    values = rng.integers(1, 256, size=200)
    path = tmp_path / "flipped.npz"
    outcomes = {"loaded": 0, "rejected": 0}
    for position, value in zip(positions, values, strict=True):
        flipped = bytearray(data)
        flipped[position] ^= int(value)  # never 0: the byte always changes
        path.write_bytes(bytes(flipped))
        try:
            loaded = load_sampler(path)
        except (ValueError, FileNotFoundError):
            outcomes["rejected"] += 1
            continue
        outcomes["loaded"] += 1
        for net in (loaded.generator_, loaded.discriminator_):
            assert all(torch.isfinite(t).all() for t in net.state_dict().values())
    # Most flips hit checksummed data; a few land where zip ignores them.
    assert outcomes["rejected"] > 150, outcomes


def test_flips_inside_members_are_caught_by_validation(valid_file, tmp_path):
    # Raw flips mostly trip the zip checksums; these rewrite the archive with
    # valid checksums, so the JSON, the .npy headers and the data themselves
    # must be validated.
    with zipfile.ZipFile(valid_file) as zf:
        contents = {name: zf.read(name) for name in zf.namelist()}
    names = sorted(contents)
    rng = np.random.default_rng(0)
    path = tmp_path / "flipped.npz"
    outcomes = {"loaded": 0, "rejected": 0}
    for _ in range(200):
        name = names[rng.integers(len(names))]
        flipped = bytearray(contents[name])
        flipped[rng.integers(len(flipped))] ^= int(rng.integers(1, 256))
        with zipfile.ZipFile(path, "w") as zf:
            for other in names:
                zf.writestr(other, bytes(flipped) if other == name else contents[other])
        try:
            loaded = load_sampler(path)
        except ValueError as exc:
            assert str(exc).startswith(INVALID_FILE)
            outcomes["rejected"] += 1
            continue
        outcomes["loaded"] += 1
        for net in (loaded.generator_, loaded.discriminator_):
            assert all(torch.isfinite(t).all() for t in net.state_dict().values())
    # Both outcomes occur: flipped weights often load, broken headers do not.
    assert outcomes["loaded"] > 10 and outcomes["rejected"] > 50, outcomes
