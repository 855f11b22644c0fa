"""Latent-code regularizers: the DAG regularizer, the BN likelihood, InfoGAN.

Notation (IMSIC, IJCAI-21, Sec. 3): the generator receives observed codes
``c`` of shape ``(n, k)``; the discriminator's feature head reads back
extracted codes ``c'`` of the same shape. The prescribed DAG says which
observed codes may explain each extracted code: ``c_i -> c'_i`` always, and
``c_j -> c'_i`` for every listed parent ``j`` of ``i``. The "explaining set"
of ``c'_i`` is therefore ``{c_i} U pa(i)``, and every other observed code is a
non-parent of ``c'_i``.

Every regularizer here is a callable ``reg(codes, extracted) -> scalar``
tensor that is minimised jointly by the generator and the feature head.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ._dag import LatentDAG

__all__ = [
    "BNLikelihoodRegularizer",
    "DAGRegularizer",
    "InfoGANRegularizer",
    "bn_log_likelihood",
    "fit_linear_gaussian",
]

# Relative ridge added to every Gram matrix: keeps the batched solve well
# posed for tiny batches or collinear codes while shrinking the weights by
# about one part in a million.
_RIDGE = 1e-6
# Floor on variances, so that a constant extracted code (a freshly initialised
# head can output one) gives a finite loss and gradient instead of 0/0.
_VAR_EPS = 1e-8


def _explaining_mask(dag: LatentDAG) -> np.ndarray:
    """Return the ``(k, k)`` mask whose column ``i`` marks the explaining set."""
    return dag.parent_mask | np.eye(dag.n_codes, dtype=bool)


def fit_linear_gaussian(
    codes: torch.Tensor,
    extracted: torch.Tensor,
    explaining_mask: torch.Tensor,
    ridge: float = _RIDGE,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Closed-form batch estimates of the linear-Gaussian BN (paper Eq. 4-5).

    For each extracted code ``i`` fits ``c'_i = b_i + w_i . c_E(i) + e_i`` with
    ``e_i ~ N(0, sigma_i^2)`` by least squares over the batch, where ``E(i)``
    is the explaining set in column ``i`` of ``explaining_mask``. The weights
    are the maximum-likelihood estimates (ordinary least squares, up to a
    relative ridge of ``ridge``) and ``sigma_i^2`` is the mean squared residual.
    All ``k`` fits are solved in one batched call; the estimates are
    differentiable, so gradients flow into both ``codes`` and ``extracted``.

    Parameters
    ----------
    codes : Tensor of shape (n, k)
        Observed codes ``c`` fed to the generator.
    extracted : Tensor of shape (n, k)
        Extracted codes ``c'`` read back by the feature head.
    explaining_mask : bool Tensor of shape (k, k)
        ``[j, i]`` is True when ``c_j`` may explain ``c'_i``.
    ridge : float, default=1e-6
        Ridge added to each Gram matrix, relative to its mean diagonal.

    Returns
    -------
    weights : Tensor of shape (k, k)
        Column ``i`` holds ``w_i``; entries outside the explaining set are 0.
    intercept : Tensor of shape (k,)
    sigma2 : Tensor of shape (k,)
        Maximum-likelihood residual variance of each extracted code.
    residuals : Tensor of shape (n, k)
    """
    mask = explaining_mask.to(dtype=codes.dtype)
    codes_mean = codes.mean(dim=0)
    extracted_mean = extracted.mean(dim=0)
    codes_c = codes - codes_mean
    extracted_c = extracted - extracted_mean
    # design[i] = centred codes with the columns outside E(i) zeroed: shape (k, n, k)
    design = codes_c.unsqueeze(0) * mask.T.unsqueeze(1)
    gram = design.transpose(1, 2) @ design  # (k, k, k)
    scale = gram.diagonal(dim1=1, dim2=2).mean(dim=1).clamp_min(_VAR_EPS)
    eye = torch.eye(codes.shape[1], dtype=codes.dtype, device=codes.device)
    # Zeroed columns get a unit diagonal so their weight solves to exactly 0.
    gram = gram + eye * (ridge * scale).view(-1, 1, 1) + torch.diag_embed(1.0 - mask.T)
    rhs = design.transpose(1, 2) @ extracted_c.T.unsqueeze(2)  # (k, k, 1)
    weights = torch.linalg.solve(gram, rhs).squeeze(2).T  # column i = w_i
    prediction = codes_c @ weights
    residuals = extracted_c - prediction
    sigma2 = residuals.pow(2).mean(dim=0)
    intercept = extracted_mean - codes_mean @ weights
    return weights, intercept, sigma2, residuals


def bn_log_likelihood(
    codes: torch.Tensor,
    extracted: torch.Tensor,
    dag: LatentDAG,
    ridge: float = _RIDGE,
) -> torch.Tensor:
    """Mean per-sample log-likelihood of ``c'`` under the linear-Gaussian BN.

    Paper Eq. 3-5 with the closed-form estimates of
    :func:`fit_linear_gaussian` plugged in::

        log p(c' | c) = sum_i [ -1/2 log(2 pi sigma_i^2) - r_i^2 / (2 sigma_i^2) ]

    Averaged over the batch, with ``sigma_i^2`` the mean squared residual,
    this equals ``-1/2 sum_i (log(2 pi sigma_i^2) + 1)``.
    """
    mask = torch.as_tensor(_explaining_mask(dag), device=codes.device)
    _, _, sigma2, residuals = fit_linear_gaussian(codes, extracted, mask, ridge)
    sigma2 = sigma2.clamp_min(_VAR_EPS)
    per_sample = -0.5 * (torch.log(2 * math.pi * sigma2) + residuals.pow(2) / sigma2)
    return per_sample.sum(dim=1).mean()


def _unexplained_share(
    codes: torch.Tensor, extracted: torch.Tensor, explaining: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """``1 - R_i^2`` of each extracted code on its explaining set, and residuals.

    Computed as ``(sigma_i^2 + eps) / (var(c'_i) + eps)``: invariant to the
    scale and offset of ``c'`` whenever its variance is well above ``eps``,
    and tending to 1 (the worst value), not 0, as ``c'_i`` collapses to a
    constant, so a feature head cannot lower the loss by shrinking.
    """
    _, _, sigma2, residuals = fit_linear_gaussian(codes, extracted, explaining)
    variance = extracted.var(dim=0, unbiased=False)
    return (sigma2 + _VAR_EPS) / (variance + _VAR_EPS), residuals


class DAGRegularizer:
    """The DAG regularizer of paper Eq. 6, in a bounded, scale-free form.

    For each extracted code ``c'_i``, standardised over the batch:

    - parent term: ``1 - R_i^2``, the share of the variance of ``c'_i`` left
      unexplained by its best linear prediction from its explaining set
      ``{c_i} U pa(i)`` (Eq. 4). It falls as the parents explain ``c'_i``.
    - non-parent term: the mean, over every non-parent ``c_j``, of the squared
      correlation between that residual and ``c_j``. It rises when ``c'_i``
      still carries information about a code the DAG says it must not.

    The loss is ``mean_i (parent term + non-parent term)``, in ``[0, 2]``.

    How this maps to Eq. 6: Eq. 6 subtracts the expected log-likelihood of
    ``c'_i`` under its non-parents from that under its parents. With
    standardised codes the Gaussian log-likelihood under a linear fit is
    ``-1/2 log(1 - R^2)`` up to a constant, so the parent term here is a
    monotone, bounded version of Eq. 6's first term. The subtracted second
    term is unbounded as printed (the loss can be driven to minus infinity by
    making ``c'`` perfectly predictable from non-parents, exactly what the
    DAG forbids); it is replaced by a squared correlation that is bounded and
    penalises, rather than rewards, non-parent explanation. Both terms are
    invariant to the scale and offset of ``c'``, so the feature head cannot
    lower the loss by shrinking its outputs, and the loss is zero only when
    every ``c'_i`` is an exact linear function of its explaining set, so it is
    never identically zero during training (the reference code's hinge was).
    A ``c'_i`` that collapses to a constant counts as wholly unexplained
    (parent term 1), so shrinking is never a way down.

    Parameters
    ----------
    dag : LatentDAG
        The prescribed structure over the ``k`` codes.
    """

    def __init__(self, dag: LatentDAG) -> None:
        self.dag = dag
        self._explaining = _explaining_mask(dag)
        # [j, i]: c_j is a non-parent of c'_i (outside its explaining set)
        self._nonparent = ~self._explaining

    def __call__(self, codes: torch.Tensor, extracted: torch.Tensor) -> torch.Tensor:
        device = codes.device
        explaining = torch.as_tensor(self._explaining, device=device)
        nonparent = torch.as_tensor(self._nonparent, device=device, dtype=codes.dtype)
        parent_term, residuals = _unexplained_share(codes, extracted, explaining)
        # corr[j, i] = corr(c_j, r_i); residuals are centred by construction
        codes_c = codes - codes.mean(dim=0)
        codes_sd = codes_c.pow(2).mean(dim=0).add(_VAR_EPS).sqrt()
        resid_sd = residuals.pow(2).mean(dim=0).add(_VAR_EPS).sqrt()
        corr = (codes_c / codes_sd).T @ residuals / codes.shape[0] / resid_sd
        n_nonparents = nonparent.sum(dim=0).clamp_min(1.0)
        nonparent_term = (corr.pow(2) * nonparent).sum(dim=0) / n_nonparents
        return (parent_term + nonparent_term).mean()


class BNLikelihoodRegularizer:
    """Negative BN log-likelihood of the standardised extracted codes (Eq. 3-5).

    This is :func:`bn_log_likelihood` evaluated on ``c'`` standardised over
    the batch, so that the feature head cannot raise the likelihood by
    shrinking its outputs (the raw likelihood is unbounded above as
    ``c' -> 0``). The loss is ``1/2 sum_i (log(2 pi (1 - R_i^2)) + 1) / k``,
    bounded below through the variance floor; a collapsing ``c'_i`` counts as
    unexplained. Non-parents are penalised only implicitly: whatever they
    explain inflates ``sigma_i^2``.

    Parameters
    ----------
    dag : LatentDAG
        The prescribed structure over the ``k`` codes.
    """

    def __init__(self, dag: LatentDAG) -> None:
        self.dag = dag
        self._explaining = _explaining_mask(dag)

    def __call__(self, codes: torch.Tensor, extracted: torch.Tensor) -> torch.Tensor:
        explaining = torch.as_tensor(self._explaining, device=codes.device)
        share, _ = _unexplained_share(codes, extracted, explaining)
        # bn_log_likelihood of the standardised c' is -1/2 sum_i (log(2 pi
        # share_i) + 1): with the MLE variance every residual term is 1/2.
        neg_log_lik = 0.5 * (torch.log(2 * math.pi * share) + 1.0).sum()
        return neg_log_lik / self.dag.n_codes


class InfoGANRegularizer:
    """InfoGAN's mutual-information lower bound for continuous codes.

    The feature head is read as the mean of a factorised Gaussian posterior
    ``Q(c | x)`` with unit variance, so ``-E log Q(c | x)`` is, up to a
    constant, half the mean squared error between ``c'`` and ``c``. Every
    ``c'_i`` is pushed to reproduce its own ``c_i``, with no structure.
    """

    def __call__(self, codes: torch.Tensor, extracted: torch.Tensor) -> torch.Tensor:
        return 0.5 * (extracted - codes).pow(2).mean()
