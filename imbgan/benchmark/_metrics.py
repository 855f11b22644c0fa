"""Disentanglement metrics of codes against known factors: MIG and DCI.

Both take the same two arrays, the codes of ``n`` rows (what an encoder
returns for them) and the true factors of those rows, and need no model of
their own beyond DCI's regressors:

- :func:`mutual_info_matrix` and :func:`mig`: the mutual information gap
  (Chen, Li, Grosse and Duvenaud, "Isolating Sources of Disentanglement in
  VAEs", NeurIPS 2018), with the histogram estimate of
  ``disentanglement_lib`` (Locatello et al., ICML 2019);
- :func:`importance_matrix` and :func:`dci`: disentanglement, completeness
  and informativeness (Eastwood and Williams, "A Framework for the
  Quantitative Evaluation of Disentangled Representations", ICLR 2018) from
  the feature importances of gradient-boosted trees.

Nothing here draws from a global random state.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

__all__ = ["dci", "importance_matrix", "mig", "mutual_info_matrix"]


def _check_pair(codes, factors) -> tuple[np.ndarray, np.ndarray]:
    codes = np.asarray(codes, dtype=np.float64)
    factors = np.asarray(factors, dtype=np.float64)
    if codes.ndim != 2 or factors.ndim != 2:
        raise ValueError(
            "codes and factors must be 2-D arrays (n_samples, n_codes) and "
            f"(n_samples, n_factors); got shapes {codes.shape} and {factors.shape}."
        )
    if len(codes) != len(factors):
        raise ValueError(
            f"codes and factors must have one row per sample; got {len(codes)} "
            f"and {len(factors)} rows."
        )
    if len(codes) < 2:
        raise ValueError(f"at least 2 samples are needed; got {len(codes)}.")
    if codes.shape[1] < 1 or factors.shape[1] < 1:
        raise ValueError("codes and factors must each have at least one column.")
    if not (np.all(np.isfinite(codes)) and np.all(np.isfinite(factors))):
        raise ValueError("codes and factors must be finite.")
    return codes, factors


def _check_bins(n_bins, name: str = "n_bins") -> int:
    if not isinstance(n_bins, Integral) or isinstance(n_bins, bool) or n_bins < 2:
        raise ValueError(f"{name} must be an integer >= 2; got {n_bins!r}.")
    return int(n_bins)


def _discretize(values: np.ndarray, n_bins: int) -> np.ndarray:
    """Each column cut into ``n_bins`` equal-width bins over its own range.

    A constant column falls into one bin.
    """
    out = np.empty(values.shape, dtype=np.int64)
    for j in range(values.shape[1]):
        column = values[:, j]
        low, high = column.min(), column.max()
        if high <= low:
            out[:, j] = 0
            continue
        edges = np.linspace(low, high, n_bins + 1)[1:-1]
        out[:, j] = np.digitize(column, edges)
    return out


def _levels(factors: np.ndarray, factor_bins: int | None) -> np.ndarray:
    """Factors as integer levels: their distinct values, or equal-width bins."""
    if factor_bins is not None:
        return _discretize(factors, factor_bins)
    out = np.empty(factors.shape, dtype=np.int64)
    for k in range(factors.shape[1]):
        out[:, k] = np.unique(factors[:, k], return_inverse=True)[1]
    return out


def _entropy(labels: np.ndarray) -> float:
    counts = np.bincount(labels)
    p = counts[counts > 0] / len(labels)
    return float(-(p * np.log(p)).sum())


def mutual_info_matrix(
    codes, factors, *, n_bins: int = 20, factor_bins: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Mutual information of each discretised code with each factor.

    Parameters
    ----------
    codes : array-like of shape (n_samples, n_codes)
        Continuous codes; each is cut into ``n_bins`` equal-width bins over
        its observed range (the histogram discretiser of
        ``disentanglement_lib``).
    factors : array-like of shape (n_samples, n_factors)
        The true factors of the same rows.
    n_bins : int, default=20
        Bins per code.
    factor_bins : int, optional
        ``None``: the factors are discrete and each distinct value of a
        factor is one level (as the grid indices of
        :func:`imbgan.datasets.make_shapes`). An integer: continuous factors,
        each cut into that many equal-width bins.

    Returns
    -------
    mi : ndarray of shape (n_codes, n_factors)
        ``I(code j; factor k)`` in nats (plug-in estimate from the joint
        histogram, :func:`sklearn.metrics.mutual_info_score`).
    entropy : ndarray of shape (n_factors,)
        ``H(factor k)`` in nats.
    """
    from sklearn.metrics import mutual_info_score

    codes, factors = _check_pair(codes, factors)
    n_bins = _check_bins(n_bins)
    if factor_bins is not None:
        factor_bins = _check_bins(factor_bins, "factor_bins")
    binned = _discretize(codes, n_bins)
    levels = _levels(factors, factor_bins)
    n_codes, n_factors = binned.shape[1], levels.shape[1]
    mi = np.array(
        [
            [mutual_info_score(levels[:, k], binned[:, j]) for k in range(n_factors)]
            for j in range(n_codes)
        ]
    )
    entropy = np.array([_entropy(levels[:, k]) for k in range(n_factors)])
    return np.maximum(mi, 0.0), entropy


def mig(codes, factors, *, n_bins: int = 20, factor_bins: int | None = None) -> float:
    """The mutual information gap (Chen et al., NeurIPS 2018).

    For each factor ``k``: the mutual information of the code that shares
    the most with it, minus that of the runner-up code, divided by the
    factor's entropy ``H(v_k)``; the MIG is the mean over factors. 1 means
    each factor is captured by exactly one code (fully: ``I = H``) and by no
    other; 0 means two codes share the most information about every factor.
    Constant factors (zero entropy) are left out of the mean. Invariant to
    the order of the codes and to any strictly monotone map of each code
    that keeps its bins (an affine one, e.g.).

    Parameters
    ----------
    codes : array-like of shape (n_samples, n_codes)
        At least two codes; see :func:`mutual_info_matrix`.
    factors : array-like of shape (n_samples, n_factors)
    n_bins : int, default=20
    factor_bins : int, optional
        See :func:`mutual_info_matrix`.

    Returns
    -------
    score : float in [0, 1]

    Raises
    ------
    ValueError
        If the arrays are not aligned finite 2-D arrays, there are fewer
        than two codes, or every factor is constant.
    """
    mi, entropy = mutual_info_matrix(
        codes, factors, n_bins=n_bins, factor_bins=factor_bins
    )
    if mi.shape[0] < 2:
        raise ValueError(
            f"the MIG needs at least two codes (a gap); got {mi.shape[0]}."
        )
    varied = entropy > 0
    if not varied.any():
        raise ValueError("every factor is constant: the MIG is undefined.")
    top = np.sort(mi[:, varied], axis=0)[::-1]
    gaps = (top[0] - top[1]) / entropy[varied]
    return float(np.clip(gaps, 0.0, 1.0).mean())


def importance_matrix(
    codes,
    factors,
    *,
    n_estimators: int = 50,
    max_depth: int = 3,
    test_fraction: float = 0.3,
    random_state: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Feature importances of the codes for each factor, and held-out R^2.

    For each factor, a :class:`sklearn.ensemble.GradientBoostingRegressor`
    (``n_estimators`` trees of depth ``max_depth``, learning rate 0.1,
    ``random_state``) predicts the factor from all the codes; it is fitted
    on a random ``1 - test_fraction`` of the rows and scored on the rest.
    Its impurity-based ``feature_importances_`` (which sum to 1), times
    the factor's held-out R^2 clipped to ``[0, 1]``, are that factor's
    column: a factor the codes do not predict gets a column of zeros rather
    than importances spread over codes that fit noise. Trees, unlike the
    Lasso of Eastwood and Williams, also credit a code that encodes a factor
    non-linearly (a circular rotation, a shape index).

    Returns
    -------
    importance : ndarray of shape (n_codes, n_factors)
        Non-negative; ``importance[j, k]`` is code ``j``'s share in
        predicting factor ``k``, each column summing to that factor's
        clipped R^2.
    r2 : ndarray of shape (n_factors,)
        Coefficient of determination of each factor on the held-out rows
        (NaN for a factor constant there).
    """
    from sklearn.ensemble import GradientBoostingRegressor
    from sklearn.model_selection import train_test_split

    codes, factors = _check_pair(codes, factors)
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1); got {test_fraction!r}.")
    train, test = train_test_split(
        np.arange(len(codes)), test_size=test_fraction, random_state=random_state
    )
    if len(train) < 2 or len(test) < 1:
        raise ValueError(f"too few samples ({len(codes)}) to split for DCI.")
    importance = np.zeros((codes.shape[1], factors.shape[1]))
    r2 = np.full(factors.shape[1], np.nan)
    for k in range(factors.shape[1]):
        target = factors[:, k]
        model = GradientBoostingRegressor(
            n_estimators=n_estimators, max_depth=max_depth, random_state=random_state
        ).fit(codes[train], target[train])
        if np.ptp(target[test]) > 0:
            r2[k] = model.score(codes[test], target[test])
            weight = float(np.clip(r2[k], 0.0, 1.0))
            importance[:, k] = np.maximum(model.feature_importances_, 0.0) * weight
    return importance, r2


def _normalised_entropy(p: np.ndarray, base: int) -> np.ndarray:
    """Entropy of each column of ``p`` (columns sum to 1), in log-base ``base``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(p), 0.0)
    return -terms.sum(axis=0) / np.log(base)


def dci(codes, factors, *, random_state: int = 0, **importance_params) -> dict:
    """Disentanglement, completeness and informativeness (Eastwood & Williams).

    From the importance matrix ``R`` of :func:`importance_matrix` (codes
    ``j`` by factors ``k``):

    - disentanglement: for each code, ``D_j = 1 - H_K(P_j)``, the entropy
      (log base ``K``, the number of factors) of its importances normalised
      over the factors; the score is the mean of ``D_j`` weighted by each
      code's share of the total importance. 1: every code matters for one
      factor only;
    - completeness: for each factor, ``C_k = 1 - H_d(P_k)``, the entropy
      (log base ``d``, the number of codes) of its importances normalised
      over the codes; the score is the mean of ``C_k`` weighted by each
      factor's share of the total importance (its held-out R^2, as in
      ``disentanglement_lib``). 1: every factor is captured by one code
      only;
    - informativeness: the mean held-out R^2 of the factors' regressors
      (clipped at 0; factors constant on the held-out rows left out).

    The scores do not depend on the order of the codes or of the factors
    (up to the trees' tie-breaking between equally good codes).

    Parameters
    ----------
    codes : array-like of shape (n_samples, n_codes)
        At least two codes.
    factors : array-like of shape (n_samples, n_factors)
        At least two factors, as numbers (a categorical factor's index is
        regressed on like any other).
    random_state : int, default=0
        Seeds the split and the trees.
    **importance_params
        ``n_estimators``, ``max_depth``, ``test_fraction`` of
        :func:`importance_matrix`.

    Returns
    -------
    scores : dict
        ``{"disentanglement": float, "completeness": float,
        "informativeness": float}``, each in [0, 1].

    Raises
    ------
    ValueError
        If there are fewer than two codes or factors, or the arrays are not
        aligned finite 2-D arrays. Codes that predict no factor (every
        held-out R^2 at most 0) score 0 on all three.
    """
    importance, r2 = importance_matrix(
        codes, factors, random_state=random_state, **importance_params
    )
    n_codes, n_factors = importance.shape
    if n_codes < 2 or n_factors < 2:
        raise ValueError(
            f"DCI needs at least two codes and two factors; got {n_codes} and "
            f"{n_factors}."
        )
    total = importance.sum()
    if total <= 0:  # the codes predict nothing: the worst scores
        return {"disentanglement": 0.0, "completeness": 0.0, "informativeness": 0.0}
    per_code = importance.sum(axis=1)
    used = per_code > 0
    p_code = importance[used].T / per_code[used]  # (n_factors, used codes)
    d_code = 1.0 - _normalised_entropy(p_code, n_factors)
    disentanglement = float((d_code * per_code[used] / total).sum())
    per_factor = importance.sum(axis=0)
    explained = per_factor > 0
    p_factor = importance[:, explained] / per_factor[explained]
    c_factor = 1.0 - _normalised_entropy(p_factor, n_codes)
    completeness = float((c_factor * per_factor[explained] / total).sum())
    known = ~np.isnan(r2)
    informativeness = float(np.clip(r2[known], 0.0, 1.0).mean()) if known.any() else 0.0
    return {
        "disentanglement": float(np.clip(disentanglement, 0.0, 1.0)),
        "completeness": float(np.clip(completeness, 0.0, 1.0)),
        "informativeness": informativeness,
    }
