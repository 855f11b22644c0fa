"""Tests for imbgan._regularizers (BN estimates and the three regularizers).

Every random draw comes from an explicit ``np.random.default_rng`` or
``torch.Generator``; nothing touches numpy's or torch's global random state.
The numpy references are written independently of the library code: one
``np.linalg.lstsq`` with an intercept column per extracted code, on exactly
that code's explaining set ``{c_i} U pa(i)``.
"""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import stats

from imbgan._config import TrainingConfig
from imbgan._dag import LatentDAG
from imbgan._networks import build_networks
from imbgan._regularizers import (
    BNLikelihoodRegularizer,
    DAGRegularizer,
    InfoGANRegularizer,
    bn_log_likelihood,
    fit_linear_gaussian,
)
from imbgan._training import draw_latents

DISENTANGLED = LatentDAG.preset("disentangled")
ENTANGLED = LatentDAG.preset("entangled")
# Parents listed out of node order, a single-parent code and a chain a <- c.
CUSTOM = LatentDAG({"a": ["c"], "b": [], "c": [], "d": ["b", "a"]})
DAGS = {"disentangled": DISENTANGLED, "entangled": ENTANGLED, "custom": CUSTOM}

# The entangled preset's true BN: c'_i = b_i + sum_j W[j, i] c_j + N(0, s_i^2),
# nonzero W only on the explaining set (c'_3 is explained by c1, c2 and c3).
TRUE_W = np.array([[2.0, 0.0, 0.8], [0.0, -1.5, -1.2], [0.0, 0.0, 1.5]])
TRUE_B = np.array([0.5, -1.0, 0.3])
TRUE_SIGMA = np.array([0.1, 0.2, 0.3])


# -------------------------------------------------------- fixtures and helpers


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _codes(rng, n, k):
    """Observed codes ``c ~ U(-1, 1)^k``, as ``draw_latents`` draws them."""
    return rng.uniform(-1.0, 1.0, size=(n, k))


def _explaining(dag):
    return dag.parent_mask | np.eye(dag.n_codes, dtype=bool)


def _t(a, dtype=torch.float64):
    return torch.as_tensor(np.ascontiguousarray(a), dtype=dtype)


def _random_bn(rng, dag, n, sigma=0.2):
    """Codes and extracted codes from a random linear-Gaussian BN on ``dag``."""
    k = dag.n_codes
    codes = _codes(rng, n, k)
    sign = rng.choice([-1.0, 1.0], size=(k, k))
    weights = sign * rng.uniform(0.5, 2.0, size=(k, k)) * _explaining(dag)
    intercept = rng.uniform(-2.0, 2.0, size=k)
    extracted = intercept + codes @ weights + sigma * rng.standard_normal((n, k))
    return codes, extracted


def _lstsq_fit(codes, extracted, dag):
    """Reference OLS fit of every extracted code on its explaining set."""
    n, k = codes.shape
    explaining = _explaining(dag)
    weights = np.zeros((k, k))
    intercept = np.zeros(k)
    residuals = np.zeros((n, k))
    for i in range(k):
        cols = np.flatnonzero(explaining[:, i])
        design = np.column_stack([np.ones(n), codes[:, cols]])
        coef, *_ = np.linalg.lstsq(design, extracted[:, i], rcond=None)
        intercept[i] = coef[0]
        weights[cols, i] = coef[1:]
        residuals[:, i] = extracted[:, i] - design @ coef
    sigma2 = (residuals**2).mean(axis=0)
    return weights, intercept, sigma2, residuals


def _standardize(x):
    centred = x - x.mean(axis=0)
    return centred / centred.std(axis=0)


def _dag_loss_reference(codes, extracted, dag):
    """numpy DAG loss: mean_i [(1 - R_i^2) + mean_{j non-parent} corr(c_j, r_i)^2]."""
    k = codes.shape[1]
    _, _, sigma2, residuals = _lstsq_fit(codes, _standardize(extracted), dag)
    nonparent = ~_explaining(dag)
    total = 0.0
    for i in range(k):
        corr2 = [np.corrcoef(codes[:, j], residuals[:, i])[0, 1] ** 2 for j in range(k)]
        js = np.flatnonzero(nonparent[:, i])
        total += sigma2[i] + (np.mean(np.take(corr2, js)) if js.size else 0.0)
    return total / k


def _dag_loss(dag, codes, extracted, dtype=torch.float64):
    return DAGRegularizer(dag)(_t(codes, dtype), _t(extracted, dtype)).item()


def _bn_loss(dag, codes, extracted, dtype=torch.float64):
    return BNLikelihoodRegularizer(dag)(_t(codes, dtype), _t(extracted, dtype)).item()


def _entangled_data(rng, n):
    codes = _codes(rng, n, 3)
    noise = rng.standard_normal((n, 3)) * TRUE_SIGMA
    return codes, TRUE_B + codes @ TRUE_W + noise


def _scenarios(rng, n=2000, noise=0.05):
    """Named (dag, codes, follows, violates) cases.

    ``follows`` is explained by each code's explaining set; ``violates`` is the
    same except that one extracted code depends on a non-parent.
    """
    out = {}
    c = _codes(rng, n, 3)
    eps = noise * rng.standard_normal((n, 3))
    # Disentangled: c' = c + noise vs. c'_1 driven by c_2.
    follows = c + eps
    violates = follows.copy()
    violates[:, 0] = c[:, 1] + eps[:, 0]
    out["disentangled"] = (DISENTANGLED, c, follows, violates)
    # Entangled: c'_3 may depend on c1 and c2, c'_1 must not depend on c3.
    follows = c + eps
    follows[:, 2] += c[:, 0] + c[:, 1]
    violates = follows.copy()
    violates[:, 0] += c[:, 2]
    out["entangled"] = (ENTANGLED, c, follows, violates)
    return out


# -------------------------------------------------- fit_linear_gaussian (Eq. 4-5)


@pytest.mark.parametrize("name", sorted(DAGS))
@pytest.mark.parametrize("follows_dag", [True, False], ids=["follows", "violates"])
def test_fit_linear_gaussian_matches_lstsq(name, follows_dag):
    dag = DAGS[name]
    rng = np.random.default_rng(1)
    codes, extracted = _random_bn(rng, dag, n=1000)
    if not follows_dag:
        # Every extracted code also depends on every code: the fit must still
        # be the projection onto the explaining set only.
        extracted = extracted + codes @ rng.uniform(0.5, 1.5, size=(dag.n_codes,) * 2)
    ref_w, ref_b, ref_s2, ref_r = _lstsq_fit(codes, extracted, dag)
    mask = torch.as_tensor(_explaining(dag))
    w, b, s2, r = fit_linear_gaussian(_t(codes), _t(extracted), mask)
    assert w.shape == (dag.n_codes, dag.n_codes)
    assert b.shape == s2.shape == (dag.n_codes,)
    assert r.shape == codes.shape
    # The relative ridge (1e-6) is the only difference from plain OLS.
    np.testing.assert_allclose(w.numpy(), ref_w, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(b.numpy(), ref_b, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(s2.numpy(), ref_s2, rtol=1e-6)
    # Shrinking the fit by ~1e-6 moves each residual by ~1e-6 of the fitted part.
    atol = 1e-5 * np.abs(extracted - extracted.mean(axis=0)).max()
    np.testing.assert_allclose(r.numpy(), ref_r, rtol=1e-5, atol=atol)
    # Outside the explaining set the weights are exactly zero, not just small.
    outside = w.numpy()[~_explaining(dag)]
    assert outside.size > 0
    np.testing.assert_array_equal(outside, 0.0)


def test_fit_linear_gaussian_recovers_true_bn():
    n = 5000
    rng = np.random.default_rng(2)
    codes, extracted = _entangled_data(rng, n)
    mask = torch.as_tensor(_explaining(ENTANGLED))
    w, b, s2, _ = fit_linear_gaussian(_t(codes), _t(extracted), mask)
    w, b, s2 = w.numpy(), b.numpy(), s2.numpy()
    np.testing.assert_array_equal(w[~_explaining(ENTANGLED)], 0.0)
    centred = codes - codes.mean(axis=0)
    for i in range(3):
        cols = np.flatnonzero(_explaining(ENTANGLED)[:, i])
        # Sampling standard errors of the OLS weights, the intercept and the
        # ML variance; 5 standard errors each.
        inv = np.linalg.inv(centred[:, cols].T @ centred[:, cols])
        se_w = TRUE_SIGMA[i] * np.sqrt(np.diag(inv))
        mean = codes[:, cols].mean(axis=0)
        se_b = TRUE_SIGMA[i] * math.sqrt(1 / n + mean @ inv @ mean)
        se_s2 = TRUE_SIGMA[i] ** 2 * math.sqrt(2 / n)
        np.testing.assert_array_less(np.abs(w[cols, i] - TRUE_W[cols, i]), 5 * se_w)
        assert abs(b[i] - TRUE_B[i]) < 5 * se_b, i
        assert abs(s2[i] - TRUE_SIGMA[i] ** 2) < 5 * se_s2, i


def test_fit_linear_gaussian_float32_close_to_float64_reference():
    rng = np.random.default_rng(3)
    codes, extracted = _entangled_data(rng, 2000)
    ref_w, ref_b, ref_s2, _ = _lstsq_fit(codes, extracted, ENTANGLED)
    mask = torch.as_tensor(_explaining(ENTANGLED))
    w, b, s2, _ = fit_linear_gaussian(
        _t(codes, torch.float32), _t(extracted, torch.float32), mask
    )
    assert w.dtype == b.dtype == s2.dtype == torch.float32
    np.testing.assert_allclose(w.numpy(), ref_w, atol=1e-4)
    np.testing.assert_allclose(b.numpy(), ref_b, atol=1e-4)
    np.testing.assert_allclose(s2.numpy(), ref_s2, rtol=1e-3)


def test_fit_linear_gaussian_gradcheck():
    gen = torch.Generator().manual_seed(4)
    codes = (
        torch.rand(12, 3, generator=gen, dtype=torch.float64) * 2 - 1
    ).requires_grad_()
    extracted = torch.randn(12, 3, generator=gen, dtype=torch.float64).requires_grad_()
    mask = torch.as_tensor(_explaining(ENTANGLED))
    assert torch.autograd.gradcheck(
        lambda c, e: fit_linear_gaussian(c, e, mask), (codes, extracted)
    )


# ------------------------------------------------------------ bn_log_likelihood


@pytest.mark.parametrize("name", sorted(DAGS))
def test_bn_log_likelihood_closed_form_and_density_sum(name):
    dag = DAGS[name]
    n = 1500
    rng = np.random.default_rng(5)
    codes, extracted = _random_bn(rng, dag, n=n)
    _, _, sigma2, residuals = _lstsq_fit(codes, extracted, dag)
    closed_form = -0.5 * np.sum(np.log(2 * np.pi * sigma2) + 1)
    density_sum = stats.norm.logpdf(residuals, scale=np.sqrt(sigma2)).sum() / n
    assert closed_form == pytest.approx(density_sum, rel=1e-10)
    got = bn_log_likelihood(_t(codes), _t(extracted), dag).item()
    assert got == pytest.approx(closed_form, rel=1e-8, abs=1e-8)
    assert got == pytest.approx(density_sum, rel=1e-8, abs=1e-8)


def test_bn_log_likelihood_prefers_the_true_dag():
    # Data from the entangled BN: under the disentangled DAG c'_3 loses c1, c2.
    rng = np.random.default_rng(6)
    codes, extracted = _entangled_data(rng, 2000)
    right = bn_log_likelihood(_t(codes), _t(extracted), ENTANGLED).item()
    wrong = bn_log_likelihood(_t(codes), _t(extracted), DISENTANGLED).item()
    expected = -0.5 * np.sum(np.log(2 * np.pi * TRUE_SIGMA**2) + 1)
    assert right == pytest.approx(expected, abs=0.1)
    assert wrong < right - 1.0


# ---------------------------------------------------------------- DAGRegularizer


@pytest.mark.parametrize("name", sorted(DAGS))
@pytest.mark.parametrize("follows_dag", [True, False], ids=["follows", "violates"])
def test_dag_regularizer_matches_numpy_reference(name, follows_dag):
    dag = DAGS[name]
    rng = np.random.default_rng(7)
    codes, extracted = _random_bn(rng, dag, n=800, sigma=0.5)
    if not follows_dag:
        extracted = extracted + codes[:, ::-1] * 0.7
    got = _dag_loss(dag, codes, extracted)
    assert got == pytest.approx(_dag_loss_reference(codes, extracted, dag), rel=1e-6)


@pytest.mark.parametrize("scenario", ["disentangled", "entangled"])
def test_dag_regularizer_lower_when_codes_follow_dag(scenario):
    dag, codes, follows, violates = _scenarios(np.random.default_rng(8))[scenario]
    good = _dag_loss(dag, codes, follows)
    bad = _dag_loss(dag, codes, violates)
    assert 0.0 < good < 0.02
    # One of three codes gets a non-parent explanation: its parent term rises
    # towards 1 - R^2 = 0.5 or 1 and its non-parent term towards 0.5.
    assert bad > good + 0.25


def test_dag_regularizer_penalises_parents_absent_from_dag():
    # c'_3 following c1 and c2 is fine under "entangled", not "disentangled".
    dag, codes, follows, _ = _scenarios(np.random.default_rng(9))["entangled"]
    assert dag is ENTANGLED
    allowed = _dag_loss(ENTANGLED, codes, follows)
    forbidden = _dag_loss(DISENTANGLED, codes, follows)
    assert allowed < 0.02
    assert forbidden > allowed + 0.2


@pytest.mark.parametrize("seed", range(6))
def test_dag_regularizer_in_unit_range(seed):
    rng = np.random.default_rng(100 + seed)
    dag = [DISENTANGLED, ENTANGLED, CUSTOM][seed % 3]
    n, k = 300, dag.n_codes
    codes = _codes(rng, n, k)
    mix = rng.standard_normal((k, k)) * rng.uniform(0, 3)
    extracted = np.tanh(codes @ mix) + rng.uniform(0, 0.5) * rng.standard_normal((n, k))
    loss = _dag_loss(dag, codes, extracted)
    assert 0.0 <= loss <= 2.0


def test_dag_regularizer_upper_bound_nearly_attained():
    # Two independent codes, each extracted code a copy of the *other* code:
    # nothing is explained by the parents, everything by the non-parent.
    codes = _codes(np.random.default_rng(10), 4000, 2)
    dag = LatentDAG.preset("disentangled", 2)
    loss = _dag_loss(dag, codes, codes[:, ::-1])
    assert 1.99 < loss <= 2.0


@pytest.mark.parametrize("name", sorted(DAGS))
@pytest.mark.parametrize(
    ("dtype", "tol"), [(torch.float64, 1e-6), (torch.float32, 1e-4)]
)
def test_dag_regularizer_zero_for_exact_linear_function(name, dtype, tol):
    dag = DAGS[name]
    codes, extracted = _random_bn(np.random.default_rng(11), dag, n=500, sigma=0.0)
    loss = _dag_loss(dag, codes, extracted, dtype)
    assert 0.0 <= loss < tol
    # One non-parent, at a fraction of the scale of the allowed part, is enough
    # to move the loss well away from zero.
    if dag.nonparent_indices(0):
        j = dag.nonparent_indices(0)[0]
        extracted[:, 0] += 0.3 * codes[:, j]
        assert _dag_loss(dag, codes, extracted, dtype) > 0.005


@pytest.mark.parametrize("name", sorted(DAGS))
def test_dag_regularizer_invariant_to_scale_and_offset(name):
    dag = DAGS[name]
    rng = np.random.default_rng(12)
    codes, extracted = _random_bn(rng, dag, n=1000, sigma=0.8)
    extracted = extracted + 0.5 * codes[:, ::-1]  # make it violate, loss not ~0
    base = _dag_loss(dag, codes, extracted)
    assert base > 0.05
    assert _dag_loss(dag, codes, extracted * 1000 + 5) == pytest.approx(base, rel=1e-6)
    k = dag.n_codes
    scale = rng.uniform(0.5, 50.0, size=k) * rng.choice([-1.0, 1.0], size=k)
    offset = rng.uniform(-10.0, 10.0, size=k)
    transformed = _dag_loss(dag, codes, extracted * scale + offset)
    assert transformed == pytest.approx(base, rel=1e-6)


@pytest.mark.parametrize("name", sorted(DAGS))
def test_dag_regularizer_positive_for_random_extracted(name):
    dag = DAGS[name]
    rng = np.random.default_rng(13)
    n = 2000
    codes = _codes(rng, n, dag.n_codes)
    extracted = rng.standard_normal((n, dag.n_codes))
    # Nothing is explained: 1 - R^2 ~ 1 and every correlation ~ 0.
    assert _dag_loss(dag, codes, extracted) == pytest.approx(1.0, abs=0.02)
    assert _dag_loss(dag, codes, extracted, torch.float32) == pytest.approx(
        1.0, abs=0.02
    )


def test_dag_regularizer_gradcheck():
    gen = torch.Generator().manual_seed(14)
    codes = (
        torch.rand(16, 3, generator=gen, dtype=torch.float64) * 2 - 1
    ).requires_grad_()
    extracted = torch.randn(16, 3, generator=gen, dtype=torch.float64).requires_grad_()
    assert torch.autograd.gradcheck(DAGRegularizer(ENTANGLED), (codes, extracted))


@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("sigma", [0.0, 0.3, 3.0], ids=["exact", "noisy", "noise"])
def test_dag_regularizer_fast_backward_equals_autograd(k, sigma):
    # Independent codes take a hand-written backward; codes that require a
    # gradient take the autograd path. Loss and gradient must agree, including
    # an exact fit, where the residual variance is clamped at 0.
    reg = DAGRegularizer(LatentDAG.preset("disentangled", k))
    gen = torch.Generator().manual_seed(20 + k)
    codes = torch.rand(32, k, generator=gen, dtype=torch.float64) * 2 - 1
    mix = torch.randn(k, k, generator=gen, dtype=torch.float64)
    noise = torch.randn(32, k, generator=gen, dtype=torch.float64)
    extracted = (codes @ mix + sigma * noise).requires_grad_()
    fast = reg(codes, extracted)
    (fast_grad,) = torch.autograd.grad(fast, extracted)
    slow = reg(codes.clone().requires_grad_(), extracted)
    (slow_grad,) = torch.autograd.grad(slow, extracted)
    assert fast.item() == pytest.approx(slow.item(), rel=1e-12, abs=1e-15)
    assert torch.allclose(fast_grad, slow_grad, rtol=1e-9, atol=1e-12)
    assert fast_grad.abs().sum() > 0 or k == 1 and sigma == 0.0


def test_dag_regularizer_fast_backward_gradcheck():
    gen = torch.Generator().manual_seed(15)
    codes = torch.rand(16, 3, generator=gen, dtype=torch.float64) * 2 - 1
    extracted = torch.randn(16, 3, generator=gen, dtype=torch.float64).requires_grad_()
    reg = DAGRegularizer(DISENTANGLED)
    assert torch.autograd.gradcheck(lambda e: reg(codes, e), (extracted,))


def test_dag_regularizer_float32_fast_path_matches_float64():
    codes, extracted = _random_bn(
        np.random.default_rng(16), DISENTANGLED, n=64, sigma=0.5
    )
    assert _dag_loss(DISENTANGLED, codes, extracted, torch.float32) == pytest.approx(
        _dag_loss(DISENTANGLED, codes, extracted), rel=1e-4
    )


# ---------------------------------------------------- BNLikelihoodRegularizer


@pytest.mark.parametrize("name", sorted(DAGS))
def test_bn_regularizer_matches_numpy_reference(name):
    dag = DAGS[name]
    rng = np.random.default_rng(15)
    codes, extracted = _random_bn(rng, dag, n=1000, sigma=0.6)
    _, _, sigma2, _ = _lstsq_fit(codes, _standardize(extracted), dag)  # 1 - R^2
    expected = 0.5 * np.mean(np.log(2 * np.pi * sigma2) + 1)
    assert _bn_loss(dag, codes, extracted) == pytest.approx(expected, rel=1e-7)


@pytest.mark.parametrize("scenario", ["disentangled", "entangled"])
def test_bn_regularizer_lower_when_codes_follow_dag(scenario):
    dag, codes, follows, violates = _scenarios(np.random.default_rng(16))[scenario]
    good = _bn_loss(dag, codes, follows)
    bad = _bn_loss(dag, codes, violates)
    # The violating code's sigma^2 grows from ~0.01 to >= 0.5: at least
    # 1/2 log(50) / 3 ~ 0.65 more.
    assert bad > good + 0.5


@pytest.mark.parametrize("name", sorted(DAGS))
def test_bn_regularizer_invariant_to_scale_and_offset(name):
    dag = DAGS[name]
    rng = np.random.default_rng(17)
    codes, extracted = _random_bn(rng, dag, n=1000, sigma=0.5)
    base = _bn_loss(dag, codes, extracted)
    # rel=1e-5: the variance floor (1e-8) is a few millionths of var(c')
    # when c' is scaled by 0.1.
    for factor in (1000.0, 0.1, -3.0):
        assert _bn_loss(dag, codes, extracted * factor + 5) == pytest.approx(
            base, rel=1e-5
        )
    k = dag.n_codes
    scale = rng.uniform(0.5, 50.0, size=k) * rng.choice([-1.0, 1.0], size=k)
    assert _bn_loss(dag, codes, extracted * scale) == pytest.approx(base, rel=1e-6)
    # ... while the raw likelihood is not scale-free.
    raw = bn_log_likelihood(_t(codes), _t(extracted), dag).item()
    raw_scaled = bn_log_likelihood(_t(codes), _t(extracted * 1000), dag).item()
    assert raw_scaled == pytest.approx(raw - k * math.log(1000), rel=1e-8)


def test_bn_regularizer_gradcheck():
    gen = torch.Generator().manual_seed(18)
    codes = (
        torch.rand(16, 3, generator=gen, dtype=torch.float64) * 2 - 1
    ).requires_grad_()
    extracted = torch.randn(16, 3, generator=gen, dtype=torch.float64).requires_grad_()
    reg = BNLikelihoodRegularizer(ENTANGLED)
    assert torch.autograd.gradcheck(reg, (codes, extracted))


# --------------------------------------------------------- InfoGANRegularizer


def test_infogan_regularizer_is_half_mse():
    reg = InfoGANRegularizer()
    rng = np.random.default_rng(19)
    codes = _codes(rng, 200, 3)
    assert reg(_t(codes), _t(codes)).item() == 0.0
    extracted = codes + rng.standard_normal(codes.shape)
    got = reg(_t(codes), _t(extracted)).item()
    assert got > 0.0
    assert got == pytest.approx(0.5 * np.mean((extracted - codes) ** 2), rel=1e-12)
    # Not scale-free, unlike the other two: it wants c' == c.
    assert reg(_t(codes), _t(codes * 2)).item() == pytest.approx(
        0.5 * np.mean(codes**2), rel=1e-12
    )
    single = reg(_t([[0.0, 1.0]]), _t([[0.0, 3.0]])).item()
    assert single == pytest.approx(1.0)  # 0.5 * (0 + 4) / 2


# ------------------------------------------- gradient into G and the code head


REGULARIZERS = {
    "dag": lambda dag: DAGRegularizer(dag),
    "bn": lambda dag: BNLikelihoodRegularizer(dag),
    "infogan": lambda dag: InfoGANRegularizer(),
}


@pytest.mark.parametrize(
    ("kind", "reg_name"),
    [("mlp", "dag"), ("mlp", "bn"), ("mlp", "infogan"), ("conv", "dag")],
)
def test_regularizer_alone_trains_generator_and_code_head(kind, reg_name):
    image_shape = None if kind == "mlp" else (1, 8, 8)
    n_features = 8 if kind == "mlp" else 64
    gen, disc = build_networks(
        n_features=n_features,
        n_classes=3,
        n_codes=3,
        noise_dim=4,
        hidden=16,
        image_shape=image_shape,
        # The full scaled range [-1, 1]: the clamp never bites on tanh output.
        output_bounds=(np.full(n_features, -1.0), np.full(n_features, 1.0)),
        seed=0,
        device=torch.device("cpu"),
    )
    config = TrainingConfig(
        noise_dim=4,
        n_codes=3,
        n_classes=3,
        epochs=1,
        batch_size=64,
        learning_rate=1e-4,
        reg_weight=1.0,
        hidden_units=16,
        ema_decay=0.0,
        class_loss_weight=1.0,
        noise_scale=1.0,
        spectral_norm=False,
    )
    rng = torch.Generator().manual_seed(20)
    noise, codes = draw_latents(64, config, rng, torch.device("cpu"))
    labels = torch.randint(0, 3, (64,), generator=rng)
    onehot = F.one_hot(labels, 3).to(noise.dtype)
    reg = REGULARIZERS[reg_name](ENTANGLED)

    def loss_fn():
        x = gen(noise, onehot, codes)
        assert x.shape == (64, n_features)
        _, _, extracted = disc(x)
        assert extracted.shape == (64, 3)
        return reg(codes, extracted)

    loss = loss_fn()
    assert torch.isfinite(loss)
    loss.backward()

    for name, p in gen.named_parameters():
        assert p.grad is not None, name
        assert torch.isfinite(p.grad).all(), name
        assert p.grad.abs().sum() > 0, name
    inner = gen.inner  # the BoundedGenerator wraps the MLP / conv generator
    last = inner.out if kind == "mlp" else inner.deconv[-1]
    assert last.weight.grad.abs().sum() > 0
    code_head = list(disc.code_head.parameters())
    assert len(code_head) == 4
    for p in code_head:
        assert p.grad is not None and p.grad.abs().sum() > 0
    # The regularizer does not involve the real/fake or class heads.
    for head in (disc.heads.adv_head, disc.heads.class_head):
        assert all(p.grad is None for p in head.parameters())

    params = list(gen.parameters()) + code_head
    before = [p.detach().clone() for p in params]
    opt = torch.optim.Adam(params, lr=config.learning_rate, betas=(0.5, 0.999))
    opt.step()
    changed = [
        not torch.equal(b, p.detach()) for b, p in zip(before, params, strict=True)
    ]
    n_gen = len(list(gen.parameters()))
    assert all(changed[:n_gen]), "a generator parameter did not move"
    assert all(changed[n_gen:]), "a code-head parameter did not move"
    # The step goes downhill on the same batch.
    with torch.no_grad():
        assert loss_fn().item() < loss.item()


# ------------------------------------------------------------------ edge cases


@pytest.mark.parametrize("reg_name", sorted(REGULARIZERS))
@pytest.mark.parametrize(
    ("n", "dag"),
    [
        (2, ENTANGLED),
        (2, LatentDAG.preset("disentangled", 1)),
        (3, CUSTOM),
        (256, LatentDAG.preset("disentangled", 1)),
    ],
    ids=["n2-entangled", "n2-k1", "n3-custom", "n256-k1"],
)
def test_small_batches_and_single_code_are_finite(reg_name, n, dag):
    gen = torch.Generator().manual_seed(21)
    for dtype in (torch.float32, torch.float64):
        codes = (
            torch.rand(n, dag.n_codes, generator=gen, dtype=dtype) * 2 - 1
        ).requires_grad_()
        extracted = torch.randn(
            n, dag.n_codes, generator=gen, dtype=dtype
        ).requires_grad_()
        loss = REGULARIZERS[reg_name](dag)(codes, extracted)
        assert loss.dtype == dtype
        assert torch.isfinite(loss), (dtype, loss)
        loss.backward()
        assert torch.isfinite(codes.grad).all()
        assert torch.isfinite(extracted.grad).all()
        if reg_name == "dag":
            assert 0.0 <= loss.item() <= 2.0
        log_lik = bn_log_likelihood(codes.detach(), extracted.detach(), dag)
        assert torch.isfinite(log_lik)


def test_single_code_dag_loss_is_unexplained_variance():
    # k = 1: no non-parents, so the loss is exactly the parent term 1 - R^2.
    rng = np.random.default_rng(22)
    n = 1000
    codes = _codes(rng, n, 1)
    extracted = 3 * codes + rng.standard_normal((n, 1))
    dag = LatentDAG.preset("disentangled", 1)
    r2 = np.corrcoef(codes[:, 0], extracted[:, 0])[0, 1] ** 2
    assert 0.5 < r2 < 0.9
    assert _dag_loss(dag, codes, extracted) == pytest.approx(1 - r2, rel=1e-6)
    expected_bn = 0.5 * (math.log(2 * math.pi * (1 - r2)) + 1)
    assert _bn_loss(dag, codes, extracted) == pytest.approx(expected_bn, rel=1e-6)


@pytest.mark.parametrize("reg_name", ["dag", "bn"])
def test_constant_extracted_codes_give_finite_loss_and_gradient(reg_name):
    # A freshly initialised head can output a constant; the variance floors
    # must keep loss and gradient finite instead of 0/0.
    gen = torch.Generator().manual_seed(23)
    codes = torch.rand(64, 3, generator=gen) * 2 - 1
    for value in (0.0, 0.7):
        extracted = torch.full((64, 3), value, requires_grad=True)
        loss = REGULARIZERS[reg_name](ENTANGLED)(codes, extracted)
        assert torch.isfinite(loss), value
        loss.backward()
        assert torch.isfinite(extracted.grad).all(), value


@pytest.mark.parametrize("reg_name", ["dag", "bn"])
def test_collapsing_extracted_codes_never_lower_the_loss(reg_name):
    """Shrinking c' towards a constant must not be a way to lower the loss."""
    dag = LatentDAG.preset("entangled")
    gen = torch.Generator().manual_seed(0)
    codes = torch.rand(2000, 3, generator=gen) * 2 - 1
    noise = torch.randn(2000, 3, generator=gen)  # c' carries nothing about c
    reg = REGULARIZERS[reg_name](dag)
    losses = [reg(codes, noise * s).item() for s in (1.0, 1e-3, 1e-4, 1e-5, 0.0)]
    assert all(b >= a - 1e-3 for a, b in zip(losses, losses[1:], strict=False))
    informative = codes + 0.1 * noise
    assert reg(codes, informative).item() < losses[-1] - 0.3
