"""Bad input gives a clear error, and gives it before any training starts.

Every case asserts the exception type and a message that names the offending
argument or value. Fitting cases run with ``train_gan`` replaced by a function
that fails loudly, so an error raised only after training would surface as
``AssertionError: training started`` instead of the expected exception.
``sample()`` cases run with the generator's ``forward`` replaced the same way.
"""

import types

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

import imbgan._sampler as sampler_module
from imbgan import BayesGANOversampler, InfoGANOversampler

from .conftest import FAST

SAMPLERS = [BayesGANOversampler, InfoGANOversampler]
STROKE_DAG = {"thickness": [], "width": [], "stroke": ["thickness", "width"]}


def _fast(cls=BayesGANOversampler, **params):
    return cls(**{**FAST, "random_state": 0, **params})


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def no_training(monkeypatch):
    """Make any call to the training loop fail loudly."""

    def training_started(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(sampler_module, "train_gan", training_started)


@pytest.fixture
def small():
    """50 rows, 4 features, classes of 30 / 15 / 5 rows."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], [30, 15, 5])
    return rng.normal(size=(50, 4)), y


@pytest.mark.parametrize("cls", SAMPLERS)
def test_the_training_guard_is_live(cls, small, no_training):
    """Valid input reaches ``train_gan``: the guard the other tests rely on works."""
    X, y = small
    with pytest.raises(AssertionError, match="training started"):
        _fast(cls).fit_resample(X, y)


# -- X and y ---------------------------------------------------------------------


def _with(X, row, col, value):
    X = X.copy()
    X[row, col] = value
    return X


def _mixed_object(X):
    out = X.astype(object)
    out[:, 1] = "x"
    return out


def _multilabel(y):
    indicator = np.zeros((len(y), 3), dtype=int)
    indicator[np.arange(len(y)), y] = 1
    indicator[::2, 0] = 1  # several 1s in many rows: genuinely multilabel
    return indicator


# (id, make_X_y, exception, match)
DATA_CASES = [
    ("nan-in-X", lambda X, y: (_with(X, 3, 1, np.nan), y), ValueError,
     r"Input X contains NaN"),
    ("inf-in-X", lambda X, y: (_with(X, 3, 1, np.inf), y), ValueError,
     r"Input X contains infinity"),
    ("-inf-in-X", lambda X, y: (_with(X, 0, 0, -np.inf), y), ValueError,
     r"Input X contains infinity"),
    ("X-1d", lambda X, y: (X[:, 0], y), ValueError,
     r"Expected 2D array, got 1D array"),
    ("X-3d", lambda X, y: (X.reshape(len(X), 2, 2), y), ValueError,
     r"Found array with dim 3"),
    ("X-strings", lambda X, y: (X.astype(str), y), ValueError,
     r"bytes/strings"),
    ("X-empty", lambda X, y: (X[:0], y[:0]), ValueError,
     r"0 sample\(s\)"),
    ("X-no-features", lambda X, y: (X[:, :0], y), ValueError,
     r"0 feature\(s\)"),
    ("X-complex", lambda X, y: (X.astype(complex), y), ValueError,
     r"Complex data not supported"),
    ("length-mismatch", lambda X, y: (X[:-1], y), ValueError,
     r"inconsistent numbers of samples: \[49, 50\]"),
    ("y-continuous", lambda X, y: (X, y + np.linspace(0, 0.5, len(y))), ValueError,
     r"Unknown label type: continuous"),
    ("y-multilabel", lambda X, y: (X, _multilabel(y)), ValueError,
     r"Multilabel and multioutput targets are not supported"),
    ("y-nan", lambda X, y: (X, np.where(np.arange(len(y)) == 0, np.nan, y)),
     ValueError, r"Input y contains NaN"),
    ("y-single-class", lambda X, y: (X, np.zeros_like(y)), ValueError,
     r"needs to have more than 1 class\. Got 1 class"),
]  # fmt: skip


# sklearn casts the labels with NaN before it rejects them
@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")
@pytest.mark.parametrize("cls", SAMPLERS)
@pytest.mark.parametrize(
    "make, exception, match",
    [pytest.param(*case[1:], id=case[0]) for case in DATA_CASES],
)
def test_bad_data(cls, make, exception, match, small, no_training):
    X, y = make(*small)
    with pytest.raises(exception, match=match):
        _fast(cls).fit_resample(X, y)


@pytest.mark.parametrize("cls", SAMPLERS)
def test_object_array_with_strings_names_X(cls, small, no_training):
    X, y = small
    with pytest.raises(ValueError, match=r"X must be numeric|column 1"):
        _fast(cls).fit_resample(_mixed_object(X), y)


def test_object_array_with_other_objects_names_X(small, no_training):
    X, y = small
    X = X.astype(object)
    X[0, 2] = {"a": 1}
    with pytest.raises(ValueError, match=r"X must be numeric"):
        _fast().fit_resample(X, y)


def test_dataframe_with_string_column_names_the_column(small, no_training):
    X, y = small
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    df["colour"] = "x"
    with pytest.raises(ValueError, match=r"colour"):
        _fast().fit_resample(df, y)


def test_object_array_with_none_is_a_missing_value(small, no_training):
    X, y = small
    X = X.astype(object)
    X[4, 0] = None
    with pytest.raises(ValueError, match=r"Input X contains NaN"):
        _fast().fit_resample(X, y)


def test_nullable_column_with_missing_value(small, no_training):
    X, y = small
    df = pd.DataFrame({"a": pd.array([1, None] + [3] * 48, dtype="Int64")})
    with pytest.raises(ValueError, match=r"Input X contains NaN"):
        _fast().fit_resample(df, y)


@pytest.mark.parametrize(
    "image_shape, match",
    [
        ((1, 8, 8), r"image_shape=\(1, 8, 8\) describes 64 features but X has 4"),
        ([2, 8, 8], r"image_shape=\[2, 8, 8\] describes 128 features but X has 4"),
        ((0, 8, 8), r"image_shape=\(0, 8, 8\): channels must be >= 1"),
        ((1, -8, -8), r"height and width >= 8"),
        ((1, 8), r"image_shape must be a tuple of three integers"),
        ((True, 8, 8), r"image_shape must be a tuple of three integers"),
        ("1x8x8", r"The 'image_shape' parameter of \w+ must be"),
        (64, r"The 'image_shape' parameter of \w+ must be"),
    ],
    ids=["too-many", "list-too-many", "zero-channels", "negative", "two-dims",
         "bool", "string", "int"],
)  # fmt: skip
@pytest.mark.parametrize("cls", SAMPLERS)
def test_bad_image_shape(cls, image_shape, match, small, no_training):
    X, y = small
    with pytest.raises(ValueError, match=match):
        _fast(cls, image_shape=image_shape).fit_resample(X, y)


# -- parameters ------------------------------------------------------------------


def _invalid(name, value):
    return pytest.param(name, value, id=f"{name}={value!r}")


# At least one invalid value for every parameter in get_params() that both
# samplers share (dag and regularizer are BayesGAN's; see below).
SHARED_INVALID = [
    _invalid("sampling_strategy", "foo"),
    _invalid("sampling_strategy", 1.5),
    _invalid("sampling_strategy", 0.0),
    _invalid("sampling_strategy", None),
    _invalid("sampling_strategy", [1, 2]),
    _invalid("reg_lambda", -1.0),
    _invalid("reg_lambda", float("nan")),
    _invalid("reg_lambda", "1"),
    _invalid("n_codes", 0),
    _invalid("n_codes", -2),
    _invalid("n_codes", 2.5),
    _invalid("noise_dim", 0),
    _invalid("noise_dim", -1),
    _invalid("noise_dim", 2.5),
    _invalid("hidden_units", 0),
    _invalid("hidden_units", "16"),
    _invalid("epochs", 0),
    _invalid("epochs", -1),
    _invalid("epochs", 1.5),
    _invalid("epochs", None),
    _invalid("batch_size", 0),
    _invalid("batch_size", -5),
    _invalid("batch_size", 2.5),
    _invalid("learning_rate", 0),
    _invalid("learning_rate", -1e-3),
    _invalid("learning_rate", float("inf")),
    _invalid("learning_rate", "0.1"),
    _invalid("fidelity_threshold", 1.5),
    _invalid("fidelity_threshold", -0.1),
    _invalid("fidelity_threshold", float("nan")),
    _invalid("max_discrete_levels", -1),
    _invalid("max_discrete_levels", 2.5),
    _invalid("max_discrete_levels", None),
    _invalid("copy_fraction", -0.1),
    _invalid("copy_fraction", 1.5),
    _invalid("copy_fraction", "half"),
    _invalid("copy_fraction", "auto"),
    _invalid("copy_fraction", None),
    _invalid("redraw_contradictions", "yes"),
    _invalid("redraw_contradictions", None),
    _invalid("redraw_contradictions", 1),
    _invalid("feature_scaling", "standard"),
    _invalid("feature_scaling", None),
    _invalid("device", 0),
    _invalid("device", None),
    _invalid("n_threads", 0),
    _invalid("n_threads", 1.5),
    _invalid("n_threads", "2"),
    _invalid("random_state", "seed"),
    _invalid("random_state", -1),
    _invalid("random_state", 1.5),
    _invalid("verbose", -1),
    _invalid("verbose", 1.5),
    _invalid("verbose", "1"),
]


@pytest.mark.parametrize("cls", SAMPLERS)
@pytest.mark.parametrize("name, value", SHARED_INVALID)
def test_invalid_parameter(cls, name, value, small, no_training):
    X, y = small
    match = rf"The '{name}' parameter of {cls.__name__} must be"
    with pytest.raises(ValueError, match=match):
        _fast(cls, **{name: value}).fit_resample(X, y)


@pytest.mark.parametrize(
    "name, value",
    [
        _invalid("dag", 42),
        _invalid("dag", 3.5),
        _invalid("dag", "foo"),
        _invalid("regularizer", "foo"),
        _invalid("regularizer", "DAG"),
        _invalid("regularizer", None),
    ],
)
def test_invalid_bayesgan_parameter(name, value, small, no_training):
    X, y = small
    match = rf"The '{name}' parameter of BayesGANOversampler must be"
    with pytest.raises(ValueError, match=match):
        _fast(**{name: value}).fit_resample(X, y)


def test_every_parameter_has_an_invalid_case():
    covered = {p.values[0] for p in SHARED_INVALID} | {"dag", "regularizer"}
    for cls in SAMPLERS:
        assert set(cls().get_params()) <= covered | {"image_shape"}


@pytest.mark.parametrize("cls", SAMPLERS)
@pytest.mark.parametrize(
    "device", ["gpu", "cuda:x", "cuda:", "CPU", "cpu:0", " cpu", "mps"]
)
def test_invalid_device_string(cls, device, small, no_training):
    X, y = small
    match = r"device must be 'auto', 'cpu', 'cuda' or 'cuda:N'; got " + repr(device)
    with pytest.raises(ValueError, match=match):
        _fast(cls, device=device).fit_resample(X, y)


def test_hidden_units_bool_is_rejected_by_name(small, no_training):
    X, y = small
    with pytest.raises((TypeError, ValueError), match=r"hidden_units"):
        _fast(hidden_units=True).fit_resample(X, y)


def test_infogan_n_codes_bool_is_rejected_by_name(small, no_training):
    X, y = small
    with pytest.raises((TypeError, ValueError), match=r"n_codes"):
        _fast(InfoGANOversampler, n_codes=True).fit_resample(X, y)


def test_bayesgan_n_codes_bool_is_rejected_by_name(small, no_training):
    X, y = small
    with pytest.raises(TypeError, match=r"n_codes must be an integer >= 1; got True"):
        _fast(n_codes=True).fit_resample(X, y)


# -- sampling_strategy against the data -------------------------------------------


@pytest.mark.parametrize(
    "strategy, match",
    [
        ({0: 10}, r"sampling_strategy asks for 10 samples of class 0, which "
                  r"already has 30; an over-sampler can only add samples"),
        ({1: 14}, r"asks for 14 samples of class 1, which already has 15"),
        ({7: 40}, r"The \{7\} target class is/are not present in the data"),
        ({"1": 40}, r"The \{'1'\} target class is/are not present in the data"),
        ({1: -1}, r"asks for -1 samples of class 1, which already has 15"),
        (0.5, r"can be a float only when the type of target is binary"),
        (lambda y: {2: 3}, r"the dict returned by sampling_strategy asks for 3 "
                           r"samples of class 2, which already has 5"),
        (lambda y: {9: 3}, r"The \{9\} target class is/are not present"),
    ],
    ids=["fewer-than-majority", "fewer-than-minority", "unknown-class",
         "label-of-wrong-type", "negative", "float-on-multiclass",
         "callable-fewer", "callable-unknown-class"],
)  # fmt: skip
@pytest.mark.parametrize("cls", SAMPLERS)
def test_sampling_strategy_inconsistent_with_y(
    cls, strategy, match, small, no_training
):
    X, y = small
    with pytest.raises(ValueError, match=match):
        _fast(cls, sampling_strategy=strategy).fit_resample(X, y)


def test_dict_strategy_asking_for_fewer_names_the_class(small, no_training):
    X, y = small
    with pytest.raises(ValueError, match=r"sampling_strategy.*class 1|class 1.*sampl"):
        _fast(sampling_strategy={1: 14}).fit_resample(X, y)


def test_float_strategy_that_would_remove_samples(binary, no_training):
    X, y = binary  # 96 / 24 rows
    with pytest.raises(ValueError, match=r"Please increase the ratio"):
        _fast(sampling_strategy=0.2).fit_resample(X, y)


@pytest.mark.parametrize("count", [40.5, 40.0], ids=["40.5", "40.0"])
def test_non_integer_count_in_dict_strategy(count, small, no_training):
    X, y = small
    with pytest.raises(ValueError, match=r"sampling_strategy"):
        _fast(sampling_strategy={1: count}).fit_resample(X, y)


@pytest.mark.parametrize("result", ["x", None, [1, 2]], ids=["str", "None", "list"])
def test_callable_strategy_returning_no_dict(result, small, no_training):
    X, y = small
    with pytest.raises(ValueError, match=r"sampling_strategy"):
        _fast(sampling_strategy=lambda y: result).fit_resample(X, y)


def test_mapping_strategy_that_is_not_a_dict_works_like_a_dict(small):
    # imblearn's constraint admits any Mapping but resolves only dicts
    X, y = small
    strategy = types.MappingProxyType({1: 40, 2: 40})
    X_res, y_res = _fast(sampling_strategy=strategy).fit_resample(X, y)
    X_ref, y_ref = _fast(sampling_strategy=dict(strategy)).fit_resample(X, y)
    np.testing.assert_array_equal(y_res, y_ref)
    np.testing.assert_array_equal(X_res, X_ref)
    assert (y_res == 1).sum() == 40


# -- the DAG -----------------------------------------------------------------------


def _undirected_graph():
    nx = pytest.importorskip("networkx")
    return nx.Graph([("a", "b")])


DAG_CASES = [
    ("cycle-3", [("a", "b"), ("b", "c"), ("c", "a")], None, ValueError,
     r"cycle .*closed by edge \('c', 'a'\).*acyclic"),
    ("cycle-mapping", {"a": ["c"], "b": ["a"], "c": ["b"]}, None, ValueError,
     r"cycle .*acyclic"),
    ("self-loop-edges", [("a", "b"), ("b", "b")], None, ValueError,
     r"self-loop on 'b' \(edge \('b', 'b'\)\)"),
    ("unknown-name", {"a": [], "b": ["a", "ghost"]}, None, ValueError,
     r"unknown feature 'ghost' in edge \('ghost', 'b'\)"),
    ("non-string-key", {1: [], "b": []}, None, TypeError,
     r"feature names must be non-empty strings; got 1"),
    ("non-string-parent", {"a": [], "b": [2]}, None, TypeError,
     r"feature names must be non-empty strings; got 2 in edge"),
    ("non-string-in-edge", [("a", 1)], None, TypeError,
     r"feature names must be non-empty strings; got 1 in edge"),
    ("empty-name", {"": []}, None, TypeError,
     r"feature names must be non-empty strings; got ''"),
    ("duplicate-edge", [("a", "b"), ("a", "b")], None, ValueError,
     r"duplicate edge \('a', 'b'\)"),
    ("duplicate-parent", {"a": [], "b": ["a", "a"]}, None, ValueError,
     r"duplicate parent 'a' of 'b'"),
    ("parents-a-string", {"a": [], "b": "a"}, None, TypeError,
     r"the parents of 'b' must be an iterable of feature names"),
    ("edge-not-a-pair", [("a", "b", "c")], None, ValueError,
     r"each edge must be a \(parent, child\) pair; got \('a', 'b', 'c'\)"),
    ("edge-a-string", ["ab"], None, TypeError,
     r"each edge must be a \(parent, child\) pair such as"),
    ("n-codes-mismatch", STROKE_DAG, 5, ValueError,
     r"n_codes=5 does not match the 3 codes named by dag"),
    ("n-codes-mismatch-edges", [("a", "b")], 3, ValueError,
     r"n_codes=3 does not match the 2 codes named by dag"),
    ("entangled-too-few-codes", "entangled", 2, ValueError,
     r"'entangled' preset needs n_codes >= 3.*got n_codes=2"),
    ("empty-mapping", {}, None, ValueError,
     r"needs at least one feature"),
]  # fmt: skip


@pytest.mark.parametrize(
    "dag, n_codes, exception, match",
    [pytest.param(*case[1:], id=case[0]) for case in DAG_CASES],
)
def test_bad_dag(dag, n_codes, exception, match, small, no_training):
    X, y = small
    with pytest.raises(exception, match=match):
        _fast(dag=dag, n_codes=n_codes).fit_resample(X, y)


def test_undirected_networkx_graph(small, no_training):
    X, y = small
    with pytest.raises(TypeError, match=r"dag must be a directed networkx graph"):
        _fast(dag=_undirected_graph()).fit_resample(X, y)


def test_networkx_cycle(small, no_training):
    nx = pytest.importorskip("networkx")
    X, y = small
    graph = nx.DiGraph([("a", "b"), ("b", "a")])
    with pytest.raises(ValueError, match=r"cycle .*acyclic"):
        _fast(dag=graph).fit_resample(X, y)


# -- sample() ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def fitted():
    """A sampler fitted once on 3 classes (0, 1, 2) with 3 codes."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], [20, 10, 5])
    X = rng.normal(size=(len(y), 4))
    sampler = _fast(epochs=1)
    sampler.fit_resample(X, y)
    return sampler


@pytest.fixture
def no_generation(fitted, monkeypatch):
    """Make any forward pass of the fitted generator fail loudly."""

    def generation_started(*args, **kwargs):
        raise AssertionError("generation started")

    monkeypatch.setattr(fitted.generator_, "forward", generation_started)
    return fitted


def test_the_generation_guard_is_live(no_generation):
    with pytest.raises(AssertionError, match="generation started"):
        no_generation.sample(2, y=0)


SAMPLE_CASES = [
    ("n-negative", dict(n_samples=-2, y=0), ValueError,
     r"n_samples must be an integer >= 0; got -2"),
    ("n-numpy-float", dict(n_samples=np.float64(3.0), y=0), ValueError,
     r"n_samples must be an integer >= 0; got np\.float64\(3\.0\)"),
    ("n-string", dict(n_samples="3", y=0), ValueError,
     r"n_samples must be an integer >= 0; got '3'"),
    ("n-bool", dict(n_samples=True, y=0), ValueError,
     r"n_samples must be an integer >= 0; got True"),
    ("n-None", dict(n_samples=None, y=0), ValueError,
     r"n_samples must be an integer >= 0; got None"),
    ("unknown-class-in-list", dict(n_samples=3, y=[0, 9, 1]), ValueError,
     r"labels not seen during fit: \[9\]; known classes are \[0, 1, 2\]"),
    ("unknown-string-label", dict(n_samples=3, y="0"), ValueError,
     r"labels not seen during fit: \['0'\]"),
    ("y-None", dict(n_samples=3, y=None), ValueError,
     r"labels not seen during fit: \[None\]"),
    ("None-in-list", dict(n_samples=3, y=[0, None, 1]), ValueError,
     r"labels not seen during fit: \[None\]"),
    ("unknown-float-label", dict(n_samples=3, y=1.5), ValueError,
     r"labels not seen during fit: \[1\.5\]"),
    ("y-2d", dict(n_samples=3, y=np.zeros((3, 1), dtype=int)), ValueError,
     r"array of n_samples=3 labels; got shape \(3, 1\)"),
    ("codes-too-many", dict(n_samples=3, y=0, codes=np.zeros((3, 4))), ValueError,
     r"codes must have shape \(3,\) or \(3, 3\); got \(3, 4\)"),
    ("codes-too-few-rows", dict(n_samples=3, y=0, codes=np.zeros((2, 3))),
     ValueError, r"codes must have shape \(3,\) or \(3, 3\); got \(2, 3\)"),
    ("codes-3d", dict(n_samples=3, y=0, codes=np.zeros((3, 3, 1))), ValueError,
     r"codes must have shape .*got \(3, 3, 1\)"),
    ("codes-scalar", dict(n_samples=3, y=0, codes=0.5), ValueError,
     r"codes must have shape .*got \(\)"),
    ("codes-inf", dict(n_samples=3, y=0, codes=[0.0, np.inf, 0.0]), ValueError,
     r"codes must be finite"),
    ("codes-nan-row", dict(n_samples=2, y=0, codes=[[0, 0, 0], [0, np.nan, 0]]),
     ValueError, r"codes must be finite"),
    ("codes-None", dict(n_samples=3, y=0, codes=np.array([None, 0, 0])),
     ValueError, r"codes must be finite"),
    ("random-state", dict(n_samples=3, y=0, random_state="x"), ValueError,
     r"'x' cannot be used to seed"),
]  # fmt: skip


@pytest.mark.parametrize(
    "kwargs, exception, match",
    [pytest.param(*case[1:], id=case[0]) for case in SAMPLE_CASES],
)
def test_bad_sample_call(kwargs, exception, match, no_generation):
    with pytest.raises(exception, match=match):
        no_generation.sample(**kwargs)


def test_sample_with_all_none_labels(no_generation):
    with pytest.raises(ValueError, match=r"labels not seen during fit: \[None\]"):
        no_generation.sample(3, y=[None, None, None])


def test_sample_with_mixed_labels_names_only_the_unknown_one(no_generation):
    with pytest.raises(ValueError, match=r"labels not seen during fit: \['a'\];"):
        no_generation.sample(2, y=[0, "a"])


def test_sample_with_string_codes(no_generation):
    with pytest.raises(ValueError, match=r"codes"):
        no_generation.sample(3, y=0, codes=["a", "b", "c"])


@pytest.mark.parametrize("cls", SAMPLERS)
def test_sample_before_fit(cls):
    with pytest.raises(
        NotFittedError, match=rf"This {cls.__name__} has no trained generator yet"
    ):
        cls().sample(3, y=0)


def test_sample_after_fit_without_resample(small):
    X, y = small
    sampler = _fast().fit(X, y)
    with pytest.raises(NotFittedError, match=r"fit_resample"):
        sampler.sample(3, y=0)
