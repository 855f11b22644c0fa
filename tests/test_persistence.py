"""Saving and loading samplers as pickle-free ``.npz`` archives."""

from __future__ import annotations

import ast
import io
import json
import pickle
import subprocess
import sys
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

import imbgan
import imbgan._state as state
from imbgan import BayesGANOversampler, InfoGANOversampler, LatentDAG
from imbgan._persistence import FORMAT_VERSION, INVALID_FILE
from imbgan._sampler import _BaseGANOversampler
from imbgan._scaling import QuantileScaler, RangeScaler
from imbgan._training import resolve_device

from .conftest import FAST, imbalanced_digits

# Tiny networks: torch's thread pool gains nothing on them.
pytestmark = pytest.mark.usefixtures("one_torch_thread")

STROKE_DAG = {"thickness": [], "width": [], "stroke": ["thickness", "width"]}


def _save(sampler, path) -> Path:
    sampler.save(path)
    return Path(path)


def _load(path, **kwargs):
    """Load with the shared base class, which accepts either sampler."""
    return _BaseGANOversampler.load(path, **kwargs)


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
            **FAST, random_state=0, image_shape=[1, 8, 8], fidelity_threshold=0.2
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
    "discrete-columns-minmax": lambda: (
        InfoGANOversampler(**FAST, random_state=8, feature_scaling="minmax"),
        *_discrete_columns(),
    ),
    "mixed-int-float-frame": lambda: (
        BayesGANOversampler(**FAST, random_state=6),
        *_mixed_int_float_frame(),
    ),
    "float-labels-copies": lambda: (
        InfoGANOversampler(**{**FAST, "copy_fraction": 0.5}, random_state=9),
        _binary()[0].astype(np.float32),
        _binary()[1] * 2.0 + 1.0,
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
    return _save(fitted("bayes-tabular")[0], path)


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
            assert [type(v) for v in other.tolist()] == [
                type(v) for v in value.tolist()
            ], name
        elif isinstance(value, torch.nn.Module):
            assert type(other) is type(value)
            assert not other.training
            state_dict, other_state = value.state_dict(), other.state_dict()
            assert state_dict.keys() == other_state.keys()
            for key in state_dict:
                assert torch.equal(state_dict[key].cpu(), other_state[key].cpu()), key
        elif name == "scaler_":
            assert type(other) is type(value)
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
    loaded = type(sampler).load(_save(sampler, tmp_path / "model.npz"), device="cpu")

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
    loaded = _load(_save(sampler, tmp_path / "model.npz"))
    X_loaded, y_loaded = loaded.fit_resample(X, y)
    X_fresh, y_fresh = clone(sampler).fit_resample(X, y)
    np.testing.assert_array_equal(np.asarray(X_loaded), np.asarray(X_fresh))
    np.testing.assert_array_equal(np.asarray(y_loaded), np.asarray(y_fresh))


def test_save_of_a_loaded_sampler_gives_the_same_file(fitted, tmp_path):
    sampler = fitted("strings-dataframe-dag-mapping")[0]
    _save(sampler, tmp_path / "a.npz")
    _save(_load(tmp_path / "a.npz"), tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_object_labels_of_ints_survive_a_round_trip(fitted, tmp_path):
    # scikit-learn fits no object array of ints, but a sampler's labels may
    # still be Python ints in an object array: they come back as such.
    original = fitted("bayes-tabular")[0]
    sampler = clone(original)
    sampler.__dict__.update(_fitted_attributes(original))
    sampler.classes_ = original.classes_.astype(object)
    sampler.sampling_strategy_ = {
        int(k): n for k, n in original.sampling_strategy_.items()
    }
    loaded = _load(_save(sampler, tmp_path / "model.npz"))
    assert loaded.classes_.dtype == object
    assert [type(c) for c in loaded.classes_] == [int, int]
    np.testing.assert_array_equal(
        loaded.sample(20, 1, random_state=0), original.sample(20, 1, random_state=0)
    )


def test_discrete_levels_survive_a_round_trip(fitted, tmp_path):
    sampler, X, y = fitted("discrete-columns")
    assert sorted(sampler.scaler_.levels_) == [2, 3]
    loaded = _load(_save(sampler, tmp_path / "model.npz"))
    samples = loaded.sample(300, sampler.classes_[1], random_state=0)
    assert set(np.unique(samples[:, 2])) == {0.0, 1.0}
    assert set(np.unique(samples[:, 3])) <= {0.0, 2.5, 5.0}
    assert np.unique(samples[:, 0]).size > 100  # continuous columns are not snapped


def test_both_scalers_survive_a_round_trip(fitted, tmp_path):
    quantile = fitted("discrete-columns")[0]
    minmax = fitted("discrete-columns-minmax")[0]
    assert type(quantile.scaler_) is QuantileScaler
    assert type(minmax.scaler_) is RangeScaler
    loaded = _load(_save(quantile, tmp_path / "q.npz"))
    assert type(loaded.scaler_) is QuantileScaler
    np.testing.assert_array_equal(
        loaded.scaler_.quantiles_, quantile.scaler_.quantiles_
    )
    members = _members(_save(minmax, tmp_path / "m.npz"))
    assert _document(members)["fitted"]["n_quantiles"] == 0
    assert "scaler/quantiles_" not in members
    assert type(_load(tmp_path / "m.npz").scaler_) is RangeScaler


def test_derived_state_is_recomputed_not_stored(fitted, tmp_path):
    sampler = fitted("bayes-image")[0]
    members = _members(_save(sampler, tmp_path / "model.npz"))
    document = _document(members)
    assert set(document) == {
        "format",
        "format_version",
        "estimator",
        "params",
        "params_not_saved",
        "fitted",
    }
    assert set(document["fitted"]) == set(state.FITTED)
    text = json.dumps(document)
    for derived in ("config_", "hidden_units_", "image_shape_", "n_codes_", "dag_"):
        assert derived not in text
        assert not any(name.startswith(derived) for name in members)
    loaded = _load(tmp_path / "model.npz")
    assert loaded.config_ == sampler.config_
    assert loaded.config_.spectral_norm  # the image recipe
    assert loaded.image_shape_ == (1, 8, 8) and loaded.dag_ == sampler.dag_


@pytest.mark.parametrize(
    "change",
    [
        {"epochs": 3},
        {"hidden_units": 8},
        {"learning_rate": 0.01},
        {"n_codes": 4},
        {"dag": "entangled"},
        {"feature_scaling": "minmax"},
        {"max_discrete_levels": 3},
        {"image_shape": (5, 1, 1)},
    ],
    ids=lambda change: next(iter(change)),
)
def test_save_refuses_parameters_changed_since_the_fit(change, fitted, tmp_path):
    # Loading recomputes config_ and the rest from the parameters; a file
    # whose parameters no longer describe its weights is never written.
    sampler = clone(fitted("bayes-tabular")[0])
    sampler.__dict__.update(_fitted_attributes(fitted("bayes-tabular")[0]))
    sampler.set_params(**change)
    with pytest.raises(ValueError, match="changed since it was fitted|cannot be"):
        sampler.save(tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()
    # parameters that only act on a refit or on sampling may change
    sampler.set_params(
        **{k: fitted("bayes-tabular")[0].get_params()[k] for k in change}
    )
    sampler.set_params(
        copy_fraction=1.0, fidelity_threshold=0.3, device="cpu", verbose=2
    )
    loaded = _load(_save(sampler, tmp_path / "m.npz"))
    assert loaded.copy_fraction == 1.0 and loaded.verbose == 2


def test_unsaveable_params_warn_and_load_as_defaults(tmp_path):
    X, y = _binary()
    sampler = BayesGANOversampler(
        **FAST,
        random_state=np.random.RandomState(0),
        sampling_strategy=lambda y: {1: 30},
    ).fit(X, y)
    sampler.fit_resample(X, y)
    with pytest.warns(UserWarning, match="random_state.*sampling_strategy"):
        _save(sampler, tmp_path / "m.npz")
    loaded = _load(tmp_path / "m.npz")
    defaults = BayesGANOversampler().get_params()
    assert loaded.random_state is None and loaded.sampling_strategy == "auto"
    expected = {
        **sampler.get_params(),
        **{k: defaults[k] for k in ("random_state", "sampling_strategy")},
    }
    assert loaded.get_params() == expected
    assert loaded.sampling_strategy_ == sampler.sampling_strategy_ == {1: 6}
    document = _document(_members(tmp_path / "m.npz"))
    assert document["params_not_saved"] == ["random_state", "sampling_strategy"]


def test_save_refuses_unfitted_and_foreign_samplers(fitted, tmp_path):
    with pytest.raises(NotFittedError):
        BayesGANOversampler().save(tmp_path / "m.npz")
    X, y = _binary()
    with pytest.raises(NotFittedError):  # fit alone does not train the GAN
        InfoGANOversampler(**FAST).fit(X, y).save(tmp_path / "m.npz")

    class Custom(BayesGANOversampler):
        pass

    custom = Custom(**FAST, random_state=0)
    custom.__dict__.update(_fitted_attributes(fitted("bayes-tabular")[0]))
    with pytest.raises(TypeError, match="only BayesGANOversampler and Info"):
        custom.save(tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()


def test_save_refuses_non_finite_weights(fitted, tmp_path):
    sampler = clone(fitted("info-tabular")[0])
    sampler.__dict__.update(_fitted_attributes(fitted("info-tabular")[0]))
    sampler.generator_ = pickle.loads(pickle.dumps(sampler.generator_))
    with torch.no_grad():
        next(sampler.generator_.parameters())[0, 0] = float("nan")
    with pytest.raises(ValueError, match="cannot be saved.*non-finite"):
        sampler.save(tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()


def test_missing_file():
    with pytest.raises(FileNotFoundError):
        BayesGANOversampler.load("/nonexistent/dir/model.npz")


# -- the layout of the library ------------------------------------------------------


def test_persistence_imports_no_other_imbgan_module():
    # Run without the package's __init__ (which imports the samplers): the
    # file format module must stand alone.
    code = (
        "import sys, types\n"
        "package = types.ModuleType('imbgan')\n"
        f"package.__path__ = [{str(Path(imbgan.__file__).parent)!r}]\n"
        "sys.modules['imbgan'] = package\n"
        "import imbgan._persistence\n"
        "print(sorted(m for m in sys.modules if m.startswith('imbgan')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["['imbgan',", "'imbgan._persistence']"]


def _imports(path: Path) -> set[str]:
    """The sibling modules ``path`` imports, at module level or in functions."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                names.add(node.module.split(".")[0])
            else:
                names.update(alias.name for alias in node.names)
    return names


def test_library_modules_import_no_cycle():
    root = Path(imbgan.__file__).parent
    modules = {p.stem: p for p in root.glob("*.py") if p.stem != "__main__"}
    graph = {name: _imports(path) & set(modules) for name, path in modules.items()}
    graph["__init__"].clear()  # the package imports its modules, not the reverse

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' -> '.join((*path, name))}"
        for other in graph[name]:
            visit(other, (*path, name))

    for name in graph:
        visit(name, ())
    assert graph["_persistence"] == set()
    assert "_sampler" not in graph["_state"]


# -- hostile and corrupted files ------------------------------------------------


def _members(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


def _document(members: dict[str, np.ndarray]) -> dict:
    return json.loads(members["config.json"].tobytes().decode("utf-8"))


def _write(path: Path, members: dict[str, np.ndarray]) -> Path:
    np.savez(path, **members)  # path ends in .npz: written as given
    return path


def _edited(
    valid: Path,
    out: Path,
    config: Callable[[dict], None] | None = None,
    arrays: Callable[[dict], None] | None = None,
) -> Path:
    """``valid`` with its document and arrays edited in place by the callables."""
    members = _members(valid)
    if config is not None:
        document = _document(members)
        config(document)
        text = json.dumps(document)  # allow_nan: NaN is written as the literal NaN
        # A number too large for a float parses as inf without being NaN/Infinity.
        text = text.replace('"<1e400>"', "1e400")
        members["config.json"] = np.frombuffer(text.encode(), dtype=np.uint8)
    if arrays is not None:
        arrays(members)
    return _write(out, members)


def _assert_invalid(path: Path, fragment: str) -> None:
    """Loading ``path`` is refused as an invalid file, naming ``fragment``."""
    with pytest.raises(ValueError, match=f"^{INVALID_FILE}") as info:
        _load(path)
    assert fragment in str(info.value)


def _set(*keys_and_value):
    """An edit setting ``document[k1][k2]... = value``."""
    *keys, last, value = keys_and_value

    def edit(document):
        for key in keys:
            document = document[key]
        document[last] = value

    return edit


def _pop(*keys):
    def edit(document):
        for key in keys[:-1]:
            document = document[key]
        document.pop(keys[-1])

    return edit


def _raw_config(text: bytes):
    return lambda members: members.__setitem__(
        "config.json", np.frombuffer(text, dtype=np.uint8)
    )


def _set_array(name, value):
    return lambda members: members.__setitem__(name, np.asarray(value))


def _edit_array(name, index, value):
    def edit(members):
        array = members[name].copy()
        array[index] = value
        members[name] = array

    return edit


def _dict_dag(entries):
    return _set("params", "dag", {"dict": entries})


CONFIG_EDITS = {
    "wrong-format-name": (_set("format", "other"), "format"),
    "older-format-version": (_set("format_version", 1), "reads version 2 only"),
    "newer-format-version": (_set("format_version", 3), "format version is 3"),
    "bool-format-version": (_set("format_version", True), "format version"),
    "unknown-class": (_set("estimator", "os.system"), "os.system"),
    "missing-entry": (_pop("params_not_saved"), "entries"),
    "stored-config": (_set("config_", {"epochs": 2}), "entries"),
    "fitted-not-an-object": (_set("fitted", [1, 2]), "fitted values"),
    "string-for-int": (_set("fitted", "n_features_in_", "5"), "n_features_in_"),
    "bool-for-int": (_set("fitted", "n_classes", True), "n_classes"),
    "float-for-int": (_set("fitted", "n_levels", 0.0), "n_levels"),
    "negative-size": (_set("fitted", "n_strategy", -1), "below its bound"),
    "huge-n-features": (_set("fitted", "n_features_in_", 10**12), "above its bound"),
    "huge-json-int": (_set("fitted", "n_classes", 10**400), "above its bound"),
    "unknown-fitted-value": (_set("fitted", "momentum", 0.9), "momentum"),
    "missing-fitted-value": (_pop("fitted", "n_levels"), "n_levels"),
    "object-scaler-dtype": (_set("fitted", "scaler_dtype", "|O"), "scaler_dtype"),
    "bool-feature-names-flag": (_set("fitted", "feature_names", 1), "feature_names"),
    "negative-epochs": (_set("params", "epochs", -3), "epochs"),
    "nan-learning-rate": (_set("params", "learning_rate", float("nan")), "NaN"),
    "huge-learning-rate": (_set("params", "learning_rate", "<1e400>"), "learning_rate"),
    "zero-learning-rate": (_set("params", "learning_rate", 0), "learning_rate"),
    "n-codes-changed": (_set("params", "n_codes", 7), "shape"),
    "hidden-units-changed": (_set("params", "hidden_units", 8), "shape"),
    "image-shape-mismatch": (
        _set("params", "image_shape", {"tuple": [1, 8, 8]}),
        "image_shape",
    ),
    "image-shape-too-small": (
        _set("params", "image_shape", {"tuple": [1, 1, 5]}),
        "height and width >= 8",
    ),
    "image-shape-malformed": (_set("params", "image_shape", "1x8x8"), "image_shape"),
    "huge-hidden-units": (_set("params", "hidden_units", 10**9), "sanity bound"),
    "bool-hidden-units": (_set("params", "hidden_units", True), "hidden_units"),
    "huge-n-codes": (_set("params", "n_codes", 10**6), "sanity bound 1024"),
    "huge-dag": (_dict_dag([[f"c{i}", []] for i in range(1025)]), "at most 1024"),
    "cyclic-dag": (
        _dict_dag([["c1", ["c2"]], ["c2", ["c1"]], ["c3", []]]),
        "invalid parameters",
    ),
    "dag-size-mismatch": (
        lambda d: (
            _set("params", "dag", {"latent_dag": [["c1", []]]})(d),
            _set("params", "n_codes", 3)(d),
        ),
        "n_codes",
    ),
    "dag-as-edge-list": (_set("params", "dag", [["a", "b"]]), "parameter 'dag'"),
    "dag-latent-invalid": (
        _set("params", "dag", {"latent_dag": [["a", ["a"]]]}),
        "parameter 'dag' is invalid",
    ),
    "invalid-param": (_set("params", "learning_rate", -1.0), "param"),
    "unknown-param": (_set("params", "eval", "x"), "eval"),
    "nested-param": (_set("params", "dag__x", 1), "dag__x"),
    "missing-param": (_pop("params", "epochs"), "lack ['epochs']"),
    "saved-and-not-saved": (_set("params_not_saved", ["epochs"]), "both"),
    "not-saved-not-names": (_set("params_not_saved", [1]), "params_not_saved"),
    "bad-tag": (_set("params", "image_shape", {"obj": 1}), "tag"),
    "repeated-mapping-key": (
        _set("params", "sampling_strategy", {"dict": [[1, 5], [1, 6]]}),
        "repeats",
    ),
    "not-an-object": (lambda d: (d.clear(), d.update({"format": []})), "format"),
}

ARRAY_EDITS = {
    "missing-weight": (lambda m: m.pop("discriminator/trunk.0.bias"), "missing"),
    "extra-weight": (_set_array("generator/extra", np.zeros(3, np.float32)), "extra"),
    "wrong-shape": (
        _set_array("generator/inner.out.bias", np.zeros(6, np.float32)),
        "shape",
    ),
    "float64-weight": (
        lambda m: m.__setitem__("generator/low", m["generator/low"].astype(np.float64)),
        "float64",
    ),
    "nan-weight": (
        _edit_array("generator/inner.out.weight", (0, 0), np.nan),
        "non-finite",
    ),
    "classes-length": (_set_array("classes_", [0, 1, 2]), "classes_"),
    "repeated-classes": (_set_array("classes_", [1, 1]), "repeated"),
    "nan-class": (_set_array("classes_", [0.0, np.nan]), "non-finite"),
    "invalid-unicode-class": (
        _set_array("classes_", np.array([0x110000, 65], np.uint32).view("<U1")),
        "invalid unicode",
    ),
    "scaler-min-above-max": (
        lambda m: m.__setitem__("scaler/feature_min_", m["scaler/feature_max_"] + 1),
        "feature_min_",
    ),
    "integer-mask-not-bool": (
        _set_array("scaler/integer_columns_", np.zeros(5, np.int8)),
        "integer_columns_",
    ),
    "nan-in-history": (_edit_array("history_/d_loss", 0, np.nan), "non-finite"),
    "history-too-long": (_set_array("history_/g_loss", np.zeros(3)), "shape"),
    "missing-history": (lambda m: m.pop("history_/learning_rate"), "missing"),
    "strategy-unknown-class": (
        _set_array("sampling_strategy_/classes", [5]),
        "above its bound",
    ),
    "strategy-negative-count": (
        _set_array("sampling_strategy_/counts", [-10]),
        "below its bound",
    ),
    "strategy-float-count": (_set_array("sampling_strategy_/counts", [1.0]), "kind"),
    "malformed-json": (_raw_config(b'{"format": "imbgan-sampler", '), "JSON"),
    "not-utf8-json": (_raw_config(b"\xff\xfe{}"), "JSON"),
    "duplicate-json-key": (_raw_config(b'{"format": 1, "format": 2}'), "repeats"),
    "deep-json": (_raw_config(b"[" * 100000 + b"]" * 100000), "JSON"),
    "json-not-an-object": (_raw_config(b"[]"), "not a JSON object"),
    "config-as-text-array": (_set_array("config.json", np.array("{}")), "config.json"),
    "missing-config": (lambda m: m.pop("config.json"), "config.json"),
}


@pytest.mark.parametrize("case", list(CONFIG_EDITS))
def test_invalid_config_is_rejected(case, valid_file, tmp_path):
    edit, fragment = CONFIG_EDITS[case]
    _assert_invalid(_edited(valid_file, tmp_path / "bad.npz", config=edit), fragment)


@pytest.mark.parametrize("case", list(ARRAY_EDITS))
def test_invalid_arrays_are_rejected(case, valid_file, tmp_path):
    edit, fragment = ARRAY_EDITS[case]
    _assert_invalid(_edited(valid_file, tmp_path / "bad.npz", arrays=edit), fragment)


def test_the_unmodified_helpers_give_a_loadable_file(valid_file, tmp_path):
    # The tests of edits can only fail for the edit, not the rewriting.
    _load(_edited(valid_file, tmp_path / "a.npz", lambda d: None, lambda m: None))


@pytest.fixture(scope="module")
def discrete_file(fitted, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("discrete") / "model.npz"
    return _save(fitted("discrete-columns")[0], path)


# The discrete-columns file: levels [0, 1] of column 2 and [0, 2.5, 5] of
# column 3, and 120 quantiles per column.
SCALER_EDITS = {
    "level-column-out-of-range": (
        None,
        _edit_array("scaler/level_columns_", -1, 4),
        "above its bound",
    ),
    "level-columns-not-increasing": (
        None,
        _set_array("scaler/level_columns_", [3, 3, 2, 2, 2]),
        "increasing",
    ),
    "levels-not-increasing": (
        None,
        _edit_array("scaler/levels_", 1, -1.0),
        "increasing",
    ),
    "levels-outside-range": (None, _edit_array("scaler/levels_", 4, 1e6), "range"),
    "nan-level": (None, _edit_array("scaler/levels_", 0, np.nan), "non-finite"),
    "one-level": (
        _set("fitted", "n_levels", 4),
        lambda m: (
            _set_array("scaler/levels_", [0.0, 0.0, 2.5, 5.0])(m),
            _set_array("scaler/level_columns_", [2, 3, 3, 3])(m),
        ),
        "fewer than 2",
    ),
    "levels-count-mismatch": (_set("fitted", "n_levels", 4), None, "shape"),
    "quantiles-on-minmax": (
        _set("params", "feature_scaling", "minmax"),
        None,
        "n_quantiles",
    ),
    "minmax-file-as-quantile": (_set("fitted", "n_quantiles", 0), None, "n_quantiles"),
    "too-many-quantiles": (
        _set("fitted", "n_quantiles", 1001),
        None,
        "above its bound",
    ),
    "one-quantile": (_set("fitted", "n_quantiles", 1), None, "n_quantiles"),
    "quantile-count-mismatch": (_set("fitted", "n_quantiles", 5), None, "shape"),
    "quantiles-decreasing": (
        None,
        _edit_array("scaler/quantiles_", (1, 0), -1e9),
        "non-decreasing",
    ),
    "quantiles-below-min": (
        None,
        _edit_array("scaler/quantiles_", (0, 0), -1e9),
        "run from",
    ),
    "quantiles-above-max": (
        None,
        _edit_array("scaler/quantiles_", (-1, 0), 1e9),
        "run from",
    ),
    "nan-quantile": (
        None,
        _edit_array("scaler/quantiles_", (3, 0), np.nan),
        "non-finite",
    ),
}


@pytest.mark.parametrize("case", list(SCALER_EDITS))
def test_invalid_scaler_state_is_rejected(case, discrete_file, tmp_path):
    config, arrays, fragment = SCALER_EDITS[case]
    path = _edited(discrete_file, tmp_path / "bad.npz", config, arrays)
    _assert_invalid(path, fragment)


def test_images_have_no_discrete_levels(fitted, tmp_path):
    valid = _save(fitted("info-image")[0], tmp_path / "model.npz")
    path = _edited(
        valid,
        tmp_path / "bad.npz",
        _set("fitted", "n_levels", 2),
        lambda m: (
            _set_array("scaler/levels_", [0.0, 1.0])(m),
            _set_array("scaler/level_columns_", [0, 0])(m),
        ),
    )
    _assert_invalid(path, "images have no discrete levels")


def test_huge_sizes_are_rejected_before_building(valid_file, tmp_path, monkeypatch):
    built = []
    monkeypatch.setattr(state, "build_networks", lambda **kw: built.append(kw))
    path = _edited(
        valid_file, tmp_path / "bad.npz", _set("params", "hidden_units", 10**9)
    )
    with pytest.raises(ValueError, match="parameters, more than the sanity bound"):
        _load(path)
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
        _load(path)


def test_truncated_files_are_rejected(valid_file, tmp_path):
    data = valid_file.read_bytes()
    for cut in (1, 30, 200, len(data) // 2, len(data) - 100, len(data) - 1):
        path = tmp_path / f"cut{cut}.npz"
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match=f"^{INVALID_FILE}"):
            _load(path)


def test_archive_behind_leading_bytes_is_rejected(valid_file, tmp_path):
    # zipfile would read it; np.load would take it for a pickle.
    path = tmp_path / "bad.npz"
    path.write_bytes(b"JUNK" + valid_file.read_bytes())
    with pytest.raises(ValueError, match="not a zip") as info:
        _load(path)
    assert "allow_pickle" not in str(info.value)


def test_plain_npy_file_is_rejected(tmp_path):
    path = tmp_path / "bad.npz"
    with open(path, "wb") as file:  # np.save(path) would append ".npy"
        np.save(file, np.zeros(3))
    with pytest.raises(ValueError, match="not a zip"):
        _load(path)


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
        _load(path)
    assert not marker.exists()


def test_pickle_file_is_never_unpickled(tmp_path):
    marker = tmp_path / "marker"
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(_CreatesMarker(str(marker))))
    with pytest.raises(ValueError, match=f"^{INVALID_FILE}"):
        _load(path)
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
            loaded = _load(path)
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
            loaded = _load(path)
        except ValueError as exc:
            assert str(exc).startswith(INVALID_FILE)
            outcomes["rejected"] += 1
            continue
        outcomes["loaded"] += 1
        for net in (loaded.generator_, loaded.discriminator_):
            assert all(torch.isfinite(t).all() for t in net.state_dict().values())
    # Both outcomes occur: flipped weights often load, broken headers do not.
    assert outcomes["loaded"] > 10 and outcomes["rejected"] > 50, outcomes


# -- parameters, paths, devices and classes ----------------------------------------


def test_dag_param_forms(fitted, tmp_path):
    sampler = fitted("latentdag-unicode-labels")[0]
    loaded = _load(_save(sampler, tmp_path / "m.npz"))
    assert isinstance(loaded.dag, LatentDAG) and loaded.dag == sampler.dag
    # an edge list is saved as the same DAG in {child: [parents]} form
    edges = clone(sampler).set_params(dag=[("u", "v")])
    edges.__dict__.update(_fitted_attributes(sampler))
    assert _load(_save(edges, tmp_path / "e.npz")).dag == {"u": [], "v": ["u"]}


def test_path_is_used_exactly_and_overwritten(fitted, tmp_path):
    sampler = fitted("info-tabular")[0]
    path = tmp_path / "model.imbgan"  # np.savez alone would append ".npz"
    path.write_bytes(b"old content")
    sampler.save(str(path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.imbgan"]
    assert InfoGANOversampler.load(str(path)).n_codes_ == 2


def test_load_device(valid_file):
    loaded = _load(valid_file)  # "auto": CUDA only where there is one
    expected = resolve_device("auto")
    assert loaded.device_ == expected
    assert next(loaded.generator_.parameters()).device.type == expected.type
    assert _load(valid_file, device="cpu").device_ == torch.device("cpu")
    with pytest.raises(ValueError, match="device must be") as info:
        _load(valid_file, device="tpu")
    assert not str(info.value).startswith(INVALID_FILE)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_load_onto_cuda(valid_file):
    loaded = _load(valid_file, device="cuda")
    assert loaded.device_.type == "cuda"
    assert next(loaded.discriminator_.parameters()).is_cuda
    out = loaded.sample(20, 1, random_state=0)
    assert out.shape == (20, 5) and np.isfinite(out).all()


def test_class_check(fitted, tmp_path):
    sampler = fitted("info-tabular")[0]
    path = _save(sampler, tmp_path / "info.npz")
    with pytest.raises(ValueError, match=f"^{INVALID_FILE}") as info:
        BayesGANOversampler.load(path)
    assert "class InfoGANOversampler, not BayesGANOversampler" in str(info.value)
    # the shared base class accepts either sampler
    assert type(_BaseGANOversampler.load(path)) is InfoGANOversampler
    loaded = InfoGANOversampler.load(path, device="cpu")
    np.testing.assert_array_equal(
        loaded.sample(5, 1, random_state=0), sampler.sample(5, 1, random_state=0)
    )


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
    arrays = _members(valid_file)
    document = _document(arrays)
    assert document["format"] == "imbgan-sampler"
    assert document["format_version"] == FORMAT_VERSION == 2
    assert document["estimator"] == "BayesGANOversampler"
    assert all(
        arrays[k].dtype == np.float32
        for k in arrays
        if k.startswith(("generator/", "discriminator/"))
    )
    assert {"generator/low", "generator/high"} <= arrays.keys()
    assert {f"history_/{key}" for key in state.HISTORY_KEYS} <= arrays.keys()
