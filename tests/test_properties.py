"""Property-based tests: exact counts and well-formed output for any data.

Over random class distributions (2-5 classes of 1-40 rows, 1-6 features, a
few dtypes and label types) and every ``sampling_strategy`` form, the number
of rows added per class is exactly what
``imblearn.utils.check_sampling_strategy`` says, the original rows come first
and unchanged, and the synthetic rows are finite and inside each feature's
observed range.
"""

import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from imblearn.utils import check_sampling_strategy

from imbgan import BayesGANOversampler, InfoGANOversampler

from .conftest import FAST

SAMPLERS = [BayesGANOversampler, InfoGANOversampler]
ONE_EPOCH = {**FAST, "epochs": 1}
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, database=None)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


_ELEMENTS = {
    np.float64: st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    np.float32: st.floats(-1e3, 1e3, allow_nan=False, width=32),
    np.int64: st.integers(-1000, 1000),
}


@st.composite
def problems(draw, n_classes=None):
    """``(X, y, cls)``: a small classification problem and a sampler class."""
    k = draw(st.integers(2, 5) if n_classes is None else n_classes)
    sizes = draw(st.lists(st.integers(1, 40), min_size=k, max_size=k))
    n_features = draw(st.integers(1, 6))
    dtype = draw(st.sampled_from(list(_ELEMENTS)))
    X = draw(arrays(dtype, (sum(sizes), n_features), elements=_ELEMENTS[dtype]))
    names = draw(
        st.sampled_from(
            [np.arange(k), np.arange(k) * 7 - 3, np.array(list("abcde"))[:k]]
        )
    )
    order = draw(st.permutations(range(sum(sizes))))
    y = np.repeat(names, sizes)[list(order)]
    return X, y, draw(st.sampled_from(SAMPLERS))


@st.composite
def extras(draw, y):
    """``{class: rows to add}`` for some of the classes of ``y``."""
    chosen = draw(st.lists(st.sampled_from(sorted(set(y.tolist()))), unique=True))
    return {klass: draw(st.integers(0, 30)) for klass in chosen}


def check_resample(X, y, cls, strategy):
    X_before, y_before = X.copy(), y.copy()
    X_res, y_res = cls(
        **ONE_EPOCH, random_state=0, sampling_strategy=strategy
    ).fit_resample(X, y)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)

    added = check_sampling_strategy(strategy, y, "over-sampling")
    expected = Counter(y.tolist())
    for klass, n_new in added.items():
        expected[klass] += n_new
    assert Counter(y_res.tolist()) == expected

    n, n_total = len(y), sum(expected.values())
    assert X_res.shape == (n_total, X.shape[1]) and y_res.shape == (n_total,)
    assert X_res.dtype == X.dtype and y_res.dtype == y.dtype
    np.testing.assert_array_equal(X_res[:n], X)
    np.testing.assert_array_equal(y_res[:n], y)
    new = X_res[n:]
    assert np.isfinite(new).all()
    assert (new >= X.min(axis=0)).all() and (new <= X.max(axis=0)).all()


@pytest.mark.parametrize(
    "strategy", ["auto", "minority", "not minority", "not majority", "all"]
)
@SETTINGS
@given(problem=problems())
def test_string_strategies(strategy, problem):
    X, y, cls = problem
    check_resample(X, y, cls, strategy)


@SETTINGS
@given(data=st.data(), problem=problems())
def test_dict_strategy(data, problem):
    X, y, cls = problem
    counts = Counter(y.tolist())
    extra = data.draw(extras(y))
    check_resample(X, y, cls, {k: counts[k] + n for k, n in extra.items()})


@SETTINGS
@given(data=st.data(), problem=problems())
def test_callable_strategy(data, problem):
    X, y, cls = problem
    extra = data.draw(extras(y))

    def strategy(labels):
        counts = Counter(labels.tolist())
        return {klass: counts[klass] + n for klass, n in extra.items()}

    check_resample(X, y, cls, strategy)


@SETTINGS
@given(data=st.data(), problem=problems(n_classes=st.just(2)))
def test_float_strategy_on_binary_problems(data, problem):
    X, y, cls = problem
    n_min, n_max = sorted(Counter(y.tolist()).values())
    # Mostly ratios that add rows; sometimes any ratio, which may ask to remove.
    valid_from = min((n_min + 1) / n_max, 1.0)
    ratio = data.draw(st.floats(valid_from, 1.0) | st.floats(0.01, 1.0), "ratio")
    try:
        check_sampling_strategy(ratio, y, "over-sampling")
    except ValueError as exc:
        # A ratio that would remove minority rows: the sampler says so too.
        sampler = cls(**ONE_EPOCH, random_state=0, sampling_strategy=ratio)
        with pytest.raises(ValueError, match=re.escape(str(exc))):
            sampler.fit_resample(X, y)
    else:
        check_resample(X, y, cls, ratio)
