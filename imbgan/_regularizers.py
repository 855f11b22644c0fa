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


def _is_identity(mask: torch.Tensor | np.ndarray) -> bool:
    """True when ``mask`` is the identity: each code explained by itself only."""
    mask = np.asarray(mask.cpu() if isinstance(mask, torch.Tensor) else mask)
    return bool(np.array_equal(mask, np.eye(mask.shape[0], dtype=bool)))


def fit_linear_gaussian(
    codes: torch.Tensor,
    extracted: torch.Tensor,
    explaining_mask: torch.Tensor,
    ridge: float = _RIDGE,
    *,
    univariate: bool | None = None,
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
    univariate : bool, default=None
        Whether ``explaining_mask`` is the identity (each ``c'_i`` explained
        by ``c_i`` alone), which takes a closed form with no solve. ``None``
        checks the mask; callers that know pass it, to skip a device sync.

    Returns
    -------
    weights : Tensor of shape (k, k)
        Column ``i`` holds ``w_i``; entries outside the explaining set are 0.
    intercept : Tensor of shape (k,)
    sigma2 : Tensor of shape (k,)
        Maximum-likelihood residual variance of each extracted code.
    residuals : Tensor of shape (n, k)
    """
    codes_mean = codes.mean(dim=0)
    extracted_mean = extracted.mean(dim=0)
    codes_c = codes - codes_mean
    extracted_c = extracted - extracted_mean
    # Everything below needs only two k x k products of the batch, so the
    # cost per step is two small matmuls plus a k-system solve, whatever n.
    gram_full = codes_c.T @ codes_c  # [j, l] = sum c_j c_l
    cross = codes_c.T @ extracted_c  # [j, i] = sum c_j c'_i
    k = codes.shape[1]
    gram_diag = gram_full.diagonal()
    if univariate is None:
        univariate = _is_identity(explaining_mask)
    if univariate:
        # Every explaining set is {c_i} alone (the default, independent
        # codes): each fit is a univariate regression, no solve needed. The
        # ridge is the general branch's: ridge * (mean diagonal = G_ii / k).
        slope = cross.diagonal() / (gram_diag * (1.0 + ridge / k)).clamp_min(_VAR_EPS)
        weights = torch.diag_embed(slope)
        prediction = codes_c * slope
    else:
        mask = explaining_mask.to(dtype=codes.dtype).T  # [i, j]: c_j explains c'_i
        # gram[i] = Gram matrix of the codes in E(i), zero elsewhere
        gram = gram_full.unsqueeze(0) * (mask.unsqueeze(2) * mask.unsqueeze(1))
        scale = ((gram_diag * mask).sum(dim=1) / k).clamp_min(_VAR_EPS)
        eye = torch.eye(k, dtype=codes.dtype, device=codes.device)
        # Zeroed columns get a unit diagonal so their weight solves to exactly 0.
        gram = (
            gram + eye * (ridge * scale).view(-1, 1, 1) + torch.diag_embed(1.0 - mask)
        )
        rhs = (cross.T * mask).unsqueeze(2)  # (k, k, 1): rhs[i, j] = cross[j, i]
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
    codes: torch.Tensor,
    extracted: torch.Tensor,
    explaining: torch.Tensor,
    univariate: bool | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``1 - R_i^2`` of each extracted code on its explaining set, and residuals.

    Computed as ``(sigma_i^2 + eps) / (var(c'_i) + eps)``: invariant to the
    scale and offset of ``c'`` whenever its variance is well above ``eps``,
    and tending to 1 (the worst value), not 0, as ``c'_i`` collapses to a
    constant, so a feature head cannot lower the loss by shrinking.
    """
    _, _, sigma2, residuals = fit_linear_gaussian(
        codes, extracted, explaining, univariate=univariate
    )
    variance = extracted.var(dim=0, unbiased=False)
    return (sigma2 + _VAR_EPS) / (variance + _VAR_EPS), residuals


class _MaskCache:
    """The DAG's masks as tensors, made once per device and dtype.

    Converting them from numpy at every step costs more than the rest of the
    univariate regularizer, and on a GPU would copy from the host each time.
    """

    def __init__(self, dag: LatentDAG) -> None:
        self.dag = dag
        self._explaining = _explaining_mask(dag)
        # [j, i]: c_j is a non-parent of c'_i (outside its explaining set)
        self._nonparent = ~self._explaining
        self._univariate = _is_identity(self._explaining)
        self._tensors: dict = {}

    def _masks(self, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        key = (like.device, like.dtype)
        if key not in self._tensors:
            self._tensors[key] = (
                torch.as_tensor(self._explaining, device=like.device),
                torch.as_tensor(self._nonparent, device=like.device, dtype=like.dtype),
            )
        return self._tensors[key]

    def __getstate__(self) -> dict:
        # device tensors are a cache, not state
        return {**self.__dict__, "_tensors": {}}

    @property
    def graph_safe(self) -> bool:
        """Whether a CUDA graph can record it: a structure with parents beyond
        each code's own needs a linear solve, whose error check syncs."""
        return self._univariate


class DAGRegularizer(_MaskCache):
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

    def __call__(self, codes: torch.Tensor, extracted: torch.Tensor) -> torch.Tensor:
        # Computed from the batch's second moments only (one (n, 2k) matmul,
        # then k x k algebra): the same loss as fitting and correlating the
        # residuals, in a handful of autograd nodes instead of dozens, which
        # is what a step with tiny tensors pays for.
        k = codes.shape[1]
        explaining, nonparent = self._masks(codes)
        if self._univariate and not codes.requires_grad:
            return _UnivariateDAGLoss.apply(codes, extracted, nonparent)
        joint = torch.cat([codes, extracted], dim=1)
        joint = joint - joint.mean(dim=0)
        moments = joint.T @ joint / codes.shape[0]
        cov_codes = moments[:k, :k]  # [j, l] = cov(c_j, c_l)
        cov_cross = moments[:k, k:]  # [j, i] = cov(c_j, c'_i)
        var_extracted = moments[k:, k:].diagonal()
        var_codes = cov_codes.diagonal()
        if self._univariate:
            # w_i = cov(c_i, c'_i) / var(c_i), with fit_linear_gaussian's ridge
            slope = cov_cross.diagonal() / (var_codes * (1.0 + _RIDGE / k)).clamp_min(
                _VAR_EPS
            )
            explained_cov = cov_codes * slope  # [j, i] = cov(c_j, w_i c_i)
            # var(r_i) = var(c'_i) - 2 w_i cov(c_i, c'_i) + w_i^2 var(c_i)
            sigma2 = (
                var_extracted
                - 2 * slope * cov_cross.diagonal()
                + (slope.pow(2) * var_codes)
            )
        else:
            weights, _, _, _ = fit_linear_gaussian(
                codes, extracted, explaining, univariate=False
            )
            explained_cov = cov_codes @ weights  # [j, i] = cov(c_j, c_E(i) . w_i)
            sigma2 = (
                var_extracted
                - 2 * (weights * cov_cross).sum(dim=0)
                + (weights * explained_cov).sum(dim=0)
            )
        # rounding can take a perfect fit's residual variance just below 0
        sigma2 = sigma2.clamp_min(0.0)
        parent_term = (sigma2 + _VAR_EPS) / (var_extracted + _VAR_EPS)
        # corr[j, i] = corr(c_j, r_i), where cov(c_j, r_i) = cov(c_j, c'_i) -
        # cov(c_j, prediction_i)
        corr = (
            (cov_cross - explained_cov)
            / (var_codes + _VAR_EPS).sqrt().unsqueeze(1)
            / (sigma2 + _VAR_EPS).sqrt()
        )
        n_nonparents = nonparent.sum(dim=0).clamp_min(1.0)
        nonparent_term = (corr.pow(2) * nonparent).sum(dim=0) / n_nonparents
        return (parent_term + nonparent_term).mean()


class _UnivariateDAGLoss(torch.autograd.Function):
    """The DAG loss for independent codes, with a hand-written backward.

    The default structure (every ``c'_i`` explained by ``c_i`` alone) needs
    no solve, and the loss depends on ``c'`` only through ``C = cov(c, c')``
    and ``v = var(c')``. Autograd would record some thirty tiny nodes per
    step, which on a CPU costs more than the networks' own layers; here the
    forward runs without a graph and the backward is::

        dL/dc' = (c_centred @ dL/dC + 2 c'_centred * dL/dv) / n

    Only ``c'`` gets a gradient: the observed codes are drawn, not learned
    (the regularizer takes the autograd path when they require one). Tested
    against autograd on the general formula (``gradcheck``-tight).
    """

    @staticmethod
    def forward(ctx, codes, extracted, nonparent):  # noqa: D102
        n, k = codes.shape
        codes_c = codes - codes.mean(dim=0)
        extracted_c = extracted - extracted.mean(dim=0)
        var_codes = codes_c.pow(2).mean(dim=0)  # g_j
        cov_codes = codes_c.T @ codes_c / n  # G_jl
        cov_cross = codes_c.T @ extracted_c / n  # C_ji
        var_extracted = extracted_c.pow(2).mean(dim=0)  # v_i
        cross_diag = cov_cross.diagonal()
        # slope w_i = a_i C_ii with a_i = 1 / (g_i (1 + ridge / k)), floored as
        # fit_linear_gaussian's; then var(r_i) = v_i - beta_i C_ii^2
        a = 1.0 / (var_codes * (1.0 + _RIDGE / k)).clamp_min(_VAR_EPS)
        beta = a * (2.0 - a * var_codes)
        sigma2_raw = var_extracted - beta * cross_diag.pow(2)
        sigma2 = sigma2_raw.clamp_min(0.0)
        parent = (sigma2 + _VAR_EPS) / (var_extracted + _VAR_EPS)
        # D_ji = cov(c_j, r_i) = C_ji - G_ji w_i; weight u_ji = nonparent /
        # (count of non-parents of i) / (g_j + eps)
        deviation = cov_cross - cov_codes * (a * cross_diag)
        weight = nonparent / nonparent.sum(dim=0).clamp_min(1.0)
        weight = weight / (var_codes + _VAR_EPS).unsqueeze(1)
        q = (weight * deviation.pow(2)).sum(dim=0)
        resid_var = sigma2 + _VAR_EPS
        loss = (parent + q / resid_var).mean()
        ctx.save_for_backward(
            codes_c,
            extracted_c,
            cov_codes,
            cross_diag,
            var_extracted,
            a,
            beta,
            sigma2_raw,
            sigma2,
            deviation,
            weight,
            q,
        )
        return loss

    @staticmethod
    def backward(ctx, grad_output):  # noqa: D102
        (
            codes_c,
            extracted_c,
            cov_codes,
            cross_diag,
            var_extracted,
            a,
            beta,
            sigma2_raw,
            sigma2,
            deviation,
            weight,
            q,
        ) = ctx.saved_tensors
        n, k = codes_c.shape
        scale = grad_output / k  # the loss is a mean over the k codes
        var_e = var_extracted + _VAR_EPS
        resid_var = sigma2 + _VAR_EPS
        # d(loss_i) / d(sigma2_i), zero where sigma2 was clamped at 0
        d_sigma2 = (1.0 / var_e - q / resid_var.pow(2)) * (sigma2_raw > 0)
        # direct dependence on v_i: parent term's denominator and sigma2
        d_var = d_sigma2 - (sigma2 + _VAR_EPS) / var_e.pow(2)
        # through D_ji: d q_i / d C_ji = 2 u_ji D_ji; C_ii also moves every
        # D_ji through the slope: d D_ji / d C_ii = -G_ji a_i
        d_dev = 2.0 * weight * deviation / resid_var
        d_cross = d_dev.clone()
        d_cross_diag = -(d_dev * cov_codes).sum(dim=0) * a
        d_cross_diag = d_cross_diag + d_sigma2 * (-2.0 * beta * cross_diag)
        d_cross = d_cross + torch.diag_embed(d_cross_diag)
        grad_extracted = (codes_c @ d_cross + 2.0 * extracted_c * d_var) * (scale / n)
        return None, grad_extracted, None


class BNLikelihoodRegularizer(_MaskCache):
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

    def __call__(self, codes: torch.Tensor, extracted: torch.Tensor) -> torch.Tensor:
        explaining, _ = self._masks(codes)
        share, _ = _unexplained_share(codes, extracted, explaining, self._univariate)
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

    graph_safe = True  # see _MaskCache.graph_safe

    def __call__(self, codes: torch.Tensor, extracted: torch.Tensor) -> torch.Tensor:
        return 0.5 * (extracted - codes).pow(2).mean()
