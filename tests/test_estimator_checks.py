"""scikit-learn's and imbalanced-learn's estimator checks on both samplers."""

import pytest
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as imblearn_parametrize_with_checks,
)
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_param_validation,
)
from sklearn.utils.estimator_checks import (
    parametrize_with_checks as sklearn_parametrize_with_checks,
)

from imbgan import BayesGANOversampler, InfoGANOversampler

# Tiny budgets: the checks exercise the API on small data, not sample quality.
_FAST = dict(epochs=2, batch_size=32, hidden_units=16, noise_dim=4, random_state=0)
ESTIMATORS = [BayesGANOversampler(**_FAST), InfoGANOversampler(**_FAST)]


@imblearn_parametrize_with_checks(ESTIMATORS)
def test_imblearn_estimator_checks(estimator, check):
    check(estimator)


@sklearn_parametrize_with_checks(ESTIMATORS)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_dataframe_column_names_consistency(estimator):
    check_dataframe_column_names_consistency(type(estimator).__name__, estimator)
