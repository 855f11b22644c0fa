"""Valid but awkward input just works.

Every output is checked the same way (:func:`resample_and_check`): exact
counts per class as imblearn's ``check_sampling_strategy`` says, original rows
first and unchanged, synthetic rows finite and inside each feature's observed
``[min, max]``, and the input objects left as they were.
"""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from imblearn.utils import check_sampling_strategy

from imbgan import BayesGANOversampler, InfoGANOversampler

from .conftest import FAST

SAMPLERS = [BayesGANOversampler, InfoGANOversampler]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _copy(obj):
    if isinstance(obj, pd.DataFrame | pd.Series):
        return obj.copy(deep=True)
    if isinstance(obj, np.ndarray):
        return obj.copy()
    return [list(row) if isinstance(row, list) else row for row in obj]


def _assert_same(a, b):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)
    else:
        assert type(a) is type(b)
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        assert np.asarray(a).dtype == np.asarray(b).dtype


def _as_float(X):
    if isinstance(X, pd.DataFrame):
        return X.to_numpy(dtype=np.float64)
    return np.asarray(X, dtype=np.float64)


def resample_and_check(X, y, cls=BayesGANOversampler, **params):
    """Fit-resample with the FAST budget and check every general promise."""
    sampler = cls(**{**FAST, "random_state": 0, **params})
    X_before, y_before = _copy(X), _copy(y)
    X_res, y_res = sampler.fit_resample(X, y)

    # The inputs are left untouched.
    _assert_same(X, X_before)
    _assert_same(y, y_before)

    # Exact counts, as imblearn computes them.
    y_arr, y_res_arr = np.asarray(y), np.asarray(y_res)
    added = check_sampling_strategy(sampler.sampling_strategy, y_arr, "over-sampling")
    expected = Counter(y_arr.tolist())
    for klass, n_new in added.items():
        expected[klass] += n_new
    assert Counter(y_res_arr.tolist()) == expected
    n, n_total = len(y_arr), sum(expected.values())
    assert len(X_res) == len(y_res) == n_total
    assert np.shape(X_res) == (n_total, np.shape(X)[1])

    # Original rows first and unchanged, in the input's type and dtype.
    assert type(X_res) is type(X) and type(y_res) is type(y)
    if isinstance(X, pd.DataFrame):
        assert list(X_res.columns) == list(X.columns)
        assert list(X_res.dtypes) == list(X.dtypes)
        pd.testing.assert_frame_equal(
            X_res.iloc[:n].reset_index(drop=True), X.reset_index(drop=True)
        )
    else:
        assert np.asarray(X_res).dtype == np.asarray(X).dtype
        np.testing.assert_array_equal(np.asarray(X_res)[:n], np.asarray(X))
    if isinstance(y, pd.Series):
        assert y_res.dtype == y.dtype and y_res.name == y.name
    else:
        assert y_res_arr.dtype == y_arr.dtype
    np.testing.assert_array_equal(y_res_arr[:n], y_arr)

    # Synthetic rows: finite and inside each feature's observed range.
    X_f, new = _as_float(X), _as_float(X_res)[n:]
    assert np.isfinite(new).all()
    assert (new >= X_f.min(axis=0)).all() and (new <= X_f.max(axis=0)).all()
    return X_res, y_res


def _labels(sizes):
    return np.repeat(np.arange(len(sizes)), sizes)


# -- class sizes -----------------------------------------------------------------


@pytest.mark.parametrize("cls", SAMPLERS)
@pytest.mark.parametrize("strategy", ["auto", "minority", "all", {1: 4, 2: 3}], ids=str)
def test_classes_of_one_and_two_samples(cls, strategy):
    rng = np.random.default_rng(0)
    y = _labels([20, 1, 2])
    X = rng.normal(size=(len(y), 3))
    resample_and_check(X, y, cls, sampling_strategy=strategy)


def test_every_class_a_single_sample_but_one():
    rng = np.random.default_rng(1)
    y = _labels([6, 1, 1, 1])
    resample_and_check(rng.normal(size=(len(y), 2)), y)


@pytest.mark.parametrize("cls", SAMPLERS)
def test_fifty_classes(cls):
    rng = np.random.default_rng(2)
    y = _labels(rng.integers(3, 11, size=50))
    X = rng.normal(size=(len(y), 2)) + y[:, None] / 10
    _, y_res = resample_and_check(X, y, cls)
    assert set(Counter(y_res).values()) == {np.bincount(y).max()}


# -- shapes ----------------------------------------------------------------------


@pytest.mark.parametrize("cls", SAMPLERS)
def test_single_feature(cls):
    rng = np.random.default_rng(3)
    y = _labels([24, 6])
    resample_and_check(rng.normal(size=(len(y), 1)), y, cls)


def test_two_thousand_features_few_rows():
    rng = np.random.default_rng(4)
    y = _labels([9, 3])
    resample_and_check(rng.normal(size=(len(y), 2000)), y, epochs=1)


def test_more_features_than_rows_with_a_one_sample_class():
    rng = np.random.default_rng(5)
    y = _labels([5, 1])
    resample_and_check(rng.normal(size=(len(y), 300)), y, epochs=1)


# -- values ----------------------------------------------------------------------


def test_constant_columns():
    rng = np.random.default_rng(6)
    y = _labels([24, 6])
    X = np.column_stack(
        [
            rng.normal(size=len(y)),
            np.full(len(y), -3.25),
            np.zeros(len(y)),
            (y == 1).astype(float),  # constant within each class
        ]
    )
    X_res, _ = resample_and_check(X, y)
    new = X_res[len(y) :]
    assert (new[:, 1] == -3.25).all() and (new[:, 2] == 0).all()


def test_every_column_constant():
    y = _labels([10, 4])
    X = np.tile([1.5, -2.0, 0.0], (len(y), 1))
    X_res, _ = resample_and_check(X, y)
    assert (X_res == X[0]).all()


def test_features_on_very_different_scales():
    rng = np.random.default_rng(7)
    y = _labels([24, 6])
    scales = np.array([1e-6, 1e-3, 1.0, 1e3, 1e6, 1e30])
    X = rng.normal(size=(len(y), len(scales))) * scales
    X[:, 0] += 5e-6  # a tiny feature away from zero
    X[:, 4] += 1e7  # a big offset with a comparatively small spread
    resample_and_check(X, y)


def test_feature_of_magnitude_1e30_alone():
    rng = np.random.default_rng(8)
    y = _labels([24, 6])
    X = 1e30 + rng.random((len(y), 2)) * 1e29
    resample_and_check(X, y)


# sklearn's finiteness check sums X first; the sum of huge values is not finite
_HUGE_SUM = "ignore:invalid value encountered in reduce:RuntimeWarning"


@pytest.mark.filterwarnings(_HUGE_SUM)
def test_feature_near_the_float64_limit():
    rng = np.random.default_rng(9)
    y = _labels([24, 6])
    X = rng.uniform(-1, 1, size=(len(y), 2))
    X[:, 1] *= 1.7e308
    resample_and_check(X, y)


@pytest.mark.filterwarnings(_HUGE_SUM)
def test_float32_near_its_limit():
    rng = np.random.default_rng(10)
    y = _labels([24, 6])
    X = rng.uniform(-1, 1, size=(len(y), 2)).astype(np.float32)
    X[:, 1] *= np.float32(3.4e38)
    resample_and_check(X, y)


# -- dtypes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "dtype, low, high",
    [
        (np.int64, -50, 1000),
        (np.int32, -5, 5),
        (np.int8, -128, 127),
        (np.uint8, 0, 255),
        (np.uint16, 3, 4),
        (np.float32, -2, 2),
        (np.float16, -2, 2),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else None,
)
def test_feature_dtype_is_kept(dtype, low, high):
    rng = np.random.default_rng(11)
    y = _labels([24, 6])
    X_float = rng.uniform(low, high + 1, size=(len(y), 3))
    if np.dtype(dtype).kind in "iu":
        X_float = np.floor(X_float)
    X = X_float.astype(dtype)
    # On the CPU, where two runs with the same seed are bit-identical.
    X_res, _ = resample_and_check(X, y, device="cpu")
    assert X_res.dtype == dtype
    if np.dtype(dtype).kind in "iu":
        # Integer features are the float run's output, rounded (not truncated).
        X_ref, _ = BayesGANOversampler(
            **FAST, random_state=0, device="cpu"
        ).fit_resample(X.astype(np.float64), y)
        np.testing.assert_array_equal(X_res[len(y) :], np.rint(X_ref[len(y) :]))


def test_bool_features():
    rng = np.random.default_rng(12)
    y = _labels([24, 6])
    X = rng.random((len(y), 4)) > 0.5
    X[:, 3] = True
    X_res, _ = resample_and_check(X, y)
    assert X_res.dtype == np.bool_ and X_res[len(y) :, 3].all()


def test_list_input_gives_list_output():
    rng = np.random.default_rng(13)
    y = _labels([12, 4])
    X = rng.normal(size=(len(y), 2))
    X_res, y_res = resample_and_check(X.tolist(), y.tolist())
    assert isinstance(X_res, list) and isinstance(y_res, list)


# -- labels ----------------------------------------------------------------------


def _label_cases():
    names = np.array(["spam", "ham", "eggs"])
    sizes = [20, 7, 3]
    index = _labels(sizes)
    return {
        "numpy-str": names[index],
        "object-str": names[index].astype(object),
        "bool": np.repeat([True, False], [20, 10]),
        "negative-int": index - 5,
        "integral-float": index.astype(float) * 2.0,
        "series-category": pd.Series(names[index], dtype="category", name="kind"),
        "series-category-unused": pd.Series(
            pd.Categorical(names[index], categories=[*names, "toast"]), name="kind"
        ),
        "series-int": pd.Series(index + 10, name="target"),
        "series-str": pd.Series(names[index].tolist(), name="kind"),
    }


@pytest.mark.parametrize("cls", SAMPLERS)
@pytest.mark.parametrize("name", list(_label_cases()))
def test_label_types(cls, name):
    y = _label_cases()[name]
    rng = np.random.default_rng(14)
    X = rng.normal(size=(len(y), 3))
    _, y_res = resample_and_check(X, y, cls)
    assert set(np.asarray(y_res).tolist()) == set(np.asarray(y).tolist())


def test_dataframe_with_series_labels():
    rng = np.random.default_rng(15)
    y = pd.Series(np.repeat(["a", "b"], [20, 5]), dtype="category", name="y")
    X = pd.DataFrame(rng.normal(size=(len(y), 3)), columns=["u", "v", "w"])
    X.index = X.index + 100  # a non-default index must not trip anything
    y.index = X.index
    resample_and_check(X, y)


# -- pandas dtypes ---------------------------------------------------------------


def _frame(**columns):
    rng = np.random.default_rng(16)
    n = 30
    makers = {
        "Int64": lambda: pd.array(rng.integers(-3, 9, n), dtype="Int64"),
        "Int32": lambda: pd.array(rng.integers(0, 4, n), dtype="Int32"),
        "Float64": lambda: pd.array(rng.normal(size=n), dtype="Float64"),
        "boolean": lambda: pd.array(rng.random(n) > 0.5, dtype="boolean"),
        "int64": lambda: rng.integers(0, 2, n),
        "float64": lambda: rng.normal(size=n),
    }
    return pd.DataFrame({name: makers[kind]() for name, kind in columns.items()})


def test_nullable_float_columns():
    X = _frame(a="Float64", b="Float64")
    X_res, _ = resample_and_check(X, _labels([24, 6]))
    assert (X_res.dtypes == "Float64").all()


@pytest.mark.parametrize(
    "columns",
    [
        pytest.param(dict(n="Int64", x="Float64"), id="Int64+Float64"),
        pytest.param(dict(n="Int64", m="Int32"), id="Int64+Int32"),
        pytest.param(dict(n="Int64", x="float64"), id="Int64+float64"),
        pytest.param(dict(b="boolean", x="Float64"), id="boolean+Float64"),
    ],
)
def test_nullable_integer_columns(columns):
    X = _frame(**columns)
    X_res, _ = resample_and_check(X, _labels([24, 6]))
    for name, kind in columns.items():
        if kind != "Float64" and kind != "float64":
            new = X_res[name].iloc[30:].to_numpy(dtype=np.float64)
            np.testing.assert_array_equal(new, np.rint(new))


def test_integer_column_of_mixed_dataframe_is_rounded():
    X = _frame(i="int64", f="float64")
    y = _labels([24, 6])
    X_res, _ = resample_and_check(X, y, device="cpu")
    X_ref, _ = BayesGANOversampler(**FAST, random_state=0, device="cpu").fit_resample(
        X.to_numpy(dtype=np.float64), y
    )
    np.testing.assert_array_equal(X_res["f"].to_numpy(), X_ref[:, 1])
    np.testing.assert_array_equal(
        X_res["i"].to_numpy()[30:], np.rint(X_ref[30:, 0]).astype(np.int64)
    )
