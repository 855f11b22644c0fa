"""MIG and DCI (imbgan.benchmark._metrics) on cases whose answer is known."""

import numpy as np
import pytest

from imbgan.benchmark._metrics import dci, importance_matrix, mig, mutual_info_matrix

N = 800


@pytest.fixture(scope="module")
def factors():
    """Four independent discrete factors of 10 levels each."""
    return np.random.default_rng(0).integers(0, 10, size=(N, 4)).astype(float)


def disentangled(factors, rng):
    """Each code one factor, shuffled, rescaled (one flipped), with a little noise."""
    codes = factors[:, [2, 0, 3, 1]] * np.array([2.0, -1.0, 0.5, 3.0])
    return codes + rng.normal(0, 0.01, codes.shape)


def mixed(factors):
    """Every code an equal-weight mix of every factor (a Hadamard rotation)."""
    h = np.array([[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]])
    return (factors - 4.5) @ h / 2.0


def test_mutual_info_matrix_of_a_copy_is_the_entropy(factors):
    mi, entropy = mutual_info_matrix(factors[:, :2], factors[:, :2])
    np.testing.assert_allclose(np.diag(mi), entropy, rtol=1e-9)
    np.testing.assert_allclose(entropy, np.log(10), atol=0.05)  # ~uniform levels
    assert mi[0, 1] < 0.15 and mi[1, 0] < 0.15  # the plug-in bias of 800 rows


def test_perfectly_disentangled_codes_score_one(factors):
    codes = disentangled(factors, np.random.default_rng(1))
    assert mig(codes, factors) > 0.95
    scores = dci(codes, factors)
    assert scores["disentanglement"] > 0.95
    assert scores["completeness"] > 0.95
    assert scores["informativeness"] > 0.95


def test_codes_that_mix_every_factor_score_near_zero(factors):
    codes = mixed(factors)
    assert mig(codes, factors) < 0.05
    scores = dci(codes, factors)
    assert scores["disentanglement"] < 0.1
    assert scores["completeness"] < 0.1
    assert scores["informativeness"] > 0.8  # the factors are all there


def test_one_code_for_two_factors_is_in_between(factors):
    rng = np.random.default_rng(2)
    codes = np.column_stack(
        [factors[:, 0] + 10 * factors[:, 1], factors[:, 2], factors[:, 3]]
    )
    codes = np.column_stack([codes, rng.normal(size=N)])
    assert 0.5 < mig(codes, factors) < 0.9
    scores = dci(codes, factors)
    # code 0 splits its importance over two factors: D_0 = 1 - log_4(2) = 0.5
    assert scores["disentanglement"] == pytest.approx(0.75, abs=0.05)
    assert scores["completeness"] > 0.9


def test_noise_codes_score_zero(factors):
    noise = np.random.default_rng(3).normal(size=(N, 4))
    assert mig(noise, factors) < 0.05
    assert dci(noise, factors) == {
        "disentanglement": 0.0,
        "completeness": 0.0,
        "informativeness": 0.0,
    }


def test_an_unpredictable_factor_does_not_count(factors):
    # the codes capture 4 of 5 factors; the 5th is independent noise
    rng = np.random.default_rng(4)
    extra = np.column_stack([factors, rng.integers(0, 10, N)])
    codes = disentangled(factors, rng)
    scores = dci(codes, extra)
    assert scores["disentanglement"] > 0.95
    assert scores["completeness"] > 0.95
    assert scores["informativeness"] < 0.85
    importance, r2 = importance_matrix(codes, extra)
    assert importance.shape == (4, 5)
    assert importance[:, 4].sum() < 0.05 and r2[4] < 0.05


def test_scores_do_not_depend_on_the_order_of_codes_or_factors(factors):
    rng = np.random.default_rng(5)
    codes = disentangled(factors, rng) + 0.5 * mixed(factors) * rng.random(4)
    base_mig, base_dci = mig(codes, factors), dci(codes, factors)
    codes_order, factors_order = [3, 1, 0, 2], [1, 3, 2, 0]
    assert mig(codes[:, codes_order], factors) == pytest.approx(base_mig)
    assert mig(codes, factors[:, factors_order]) == pytest.approx(base_mig)
    for permuted in (
        dci(codes[:, codes_order], factors),
        dci(codes, factors[:, factors_order]),
    ):
        for key, value in base_dci.items():
            assert permuted[key] == pytest.approx(value, abs=0.02), key


def test_mig_is_invariant_to_affine_maps_of_the_codes(factors):
    codes = disentangled(factors, np.random.default_rng(6))
    assert mig(codes * 7.0 - 3.0, factors) == pytest.approx(mig(codes, factors))


def test_continuous_factors_with_factor_bins():
    rng = np.random.default_rng(7)
    factors = rng.uniform(-1, 1, size=(N, 3))
    codes = factors[:, ::-1] + rng.normal(0, 0.01, (N, 3))
    assert mig(codes, factors, factor_bins=20) > 0.7  # 400 cells, 800 rows: biased
    # every distinct value its own level: each code then "explains" each factor
    # equally well, and the gap vanishes
    assert mig(codes, factors) < 0.05


def test_deterministic(factors):
    codes = mixed(factors) + disentangled(factors, np.random.default_rng(8))
    assert dci(codes, factors, random_state=3) == dci(codes, factors, random_state=3)


@pytest.mark.parametrize(
    ("codes", "factors", "match"),
    [
        (np.zeros(5), np.zeros((5, 2)), "2-D"),
        (np.zeros((5, 2)), np.zeros((4, 2)), "one row per sample"),
        (np.zeros((1, 2)), np.zeros((1, 2)), "at least 2 samples"),
        (np.full((5, 2), np.nan), np.zeros((5, 2)), "finite"),
    ],
)
def test_bad_arrays(codes, factors, match):
    with pytest.raises(ValueError, match=match):
        mig(codes, factors)
    with pytest.raises(ValueError, match=match):
        dci(codes, factors)


def test_bad_settings(factors):
    codes = disentangled(factors, np.random.default_rng(9))
    with pytest.raises(ValueError, match="two codes"):
        mig(codes[:, :1], factors)
    with pytest.raises(ValueError, match="two codes and two factors"):
        dci(codes[:, :1], factors)
    with pytest.raises(ValueError, match="constant"):
        mig(codes, np.zeros((N, 2)))
    with pytest.raises(ValueError, match="n_bins"):
        mig(codes, factors, n_bins=1)
    with pytest.raises(ValueError, match="factor_bins"):
        mig(codes, factors, factor_bins=2.5)
    with pytest.raises(ValueError, match="test_fraction"):
        dci(codes, factors, test_fraction=1.0)


# -- in the shapes benchmark ---------------------------------------------------


def test_run_disentangle_adds_mig_and_dci_and_keeps_its_keys(monkeypatch):
    from imbgan.benchmark import paper

    made = []
    real_sampler = paper._gan_sampler

    def recording(method, **params):
        made.append(params)
        return real_sampler(method, **params)

    monkeypatch.setattr(paper, "_gan_sampler", recording)
    result = paper.run_disentangle(methods=("bayesgan",), device="cpu", quick=True)
    assert made[0]["n_codes"] == 4 == len(paper.METRIC_FACTORS)
    entry = result["bayesgan"]
    assert {"scores", "mean", "fit_seconds"} <= set(entry)  # the FactorVAE keys
    assert len(entry["mig"]) == len(entry["dci"]) == len(entry["scores"]) == 1
    assert 0.0 <= entry["mig"][0] <= 1.0 and entry["mig_mean"] == entry["mig"][0]
    assert set(entry["dci"][0]) == {
        "disentanglement",
        "completeness",
        "informativeness",
    }
    assert all(0.0 <= v <= 1.0 for v in entry["dci"][0].values())
    assert entry["dci_mean"] == entry["dci"][0]
    settings = result["settings"]
    assert settings["n_codes"] == 4 and settings["metric_samples"] == 500
    assert settings["metric_factors"] == ["scale", "rotation", "pos_x", "pos_y"]


def test_metric_scores_of_an_oracle_encoder():
    from imbgan.benchmark import paper

    def oracle(images):  # centre of mass and mass: the position and scale factors
        img = images.reshape(-1, 32, 32)
        grid = np.arange(32)
        mass = img.sum(axis=(1, 2))
        return np.column_stack(
            [
                mass,
                (img.sum(axis=1) * grid).sum(1) / mass,
                (img.sum(axis=2) * grid).sum(1) / mass,
                np.zeros(len(img)),
            ]
        )

    mig_value, dci_value = paper._metric_scores(oracle, 600, seed=0)
    # three of four factors captured one code each; rotation by none
    assert 0.3 < mig_value < 0.8
    assert dci_value["disentanglement"] > 0.7


def test_merge_disentangle_carries_mig_and_dci():
    from imbgan.benchmark.paper import merge_disentangle

    def part(seed, score, mig_value):
        scores = {
            "disentanglement": mig_value,
            "completeness": 0.5,
            "informativeness": 0.9,
        }
        return {
            "bayesgan": {
                "scores": [score],
                "mean": score,
                "fit_seconds": [1.0],
                "mig": [mig_value],
                "mig_mean": mig_value,
                "dci": [scores],
                "dci_mean": scores,
            },
            "settings": {"seeds": [seed], "n_codes": 4},
        }

    merged = merge_disentangle([part(1, 0.4, 0.2), part(0, 0.6, 0.4)])
    entry = merged["bayesgan"]
    assert entry["seeds"] == [0, 1] and entry["scores"] == [0.6, 0.4]
    assert entry["mig"] == [0.4, 0.2]
    assert entry["mig_mean"] == pytest.approx(0.3)
    assert entry["dci_mean"]["disentanglement"] == pytest.approx(0.3)
    assert entry["dci_mean"]["completeness"] == pytest.approx(0.5)
