"""What a prescribed DAG does: structural codes, interventions, read-back."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import make_classification

from imbgan import BayesGANOversampler, InfoGANOversampler, LatentDAG
from imbgan._scm import PARENT_SHARE, code_equations, make_codes
from imbgan.inspect import code_effects

COLLIDER = {"a": [], "b": [], "c": ["a", "b"], "d": []}
A, B, C, D = range(4)


def _draws(n=20000, k=4, seed=0):
    rng = torch.Generator().manual_seed(seed)
    return torch.empty(n, k).uniform_(-1, 1, generator=rng)


# -- the structural equations ----------------------------------------------------


def test_codes_of_a_dag_without_edges_are_the_draws_themselves():
    draws = _draws(k=3)
    dag = LatentDAG({"a": [], "b": [], "c": []})
    assert code_equations(dag) is None
    assert make_codes(draws, None) is draws


def test_every_code_keeps_the_variance_of_its_draw():
    codes = make_codes(_draws(), code_equations(LatentDAG(COLLIDER)))
    np.testing.assert_allclose(codes.var(0).numpy(), 1 / 3, rtol=0.05)


def test_an_edge_moves_the_child_by_a_fixed_share_and_nothing_else():
    draws = _draws(n=8)
    equations = code_equations(LatentDAG(COLLIDER))
    plus = make_codes(draws, equations, {A: 1.0})
    minus = make_codes(draws, equations, {A: -1.0})
    shift = (plus - minus)[0].numpy()
    # c = sqrt(1 - share) u_c + w (a + b), with w^2 * var(a + b) = share * var(c)
    weight = np.sqrt(PARENT_SHARE / 2)
    np.testing.assert_allclose(shift, [2.0, 0.0, 2 * weight, 0.0], atol=1e-6)
    # the child keeps its own draw's share; do on it fixes it outright
    own = make_codes(draws, equations, {C: 0.5})
    assert torch.all(own[:, C] == 0.5)
    assert torch.equal(own[:, [A, B, D]], make_codes(draws, equations)[:, [A, B, D]])
    assert torch.equal(make_codes(draws, equations, {}), make_codes(draws, equations))


def test_an_intervention_travels_along_a_path():
    chain = LatentDAG({"a": [], "b": ["a"], "c": ["b"]})
    draws = _draws(n=5, k=3)
    equations = code_equations(chain)
    shift = (
        make_codes(draws, equations, {0: 1.0}) - make_codes(draws, equations, {0: -1.0})
    )[0]
    weight = np.sqrt(PARENT_SHARE)
    np.testing.assert_allclose(
        shift.numpy(), [2.0, 2 * weight, 2 * weight**2], atol=1e-6
    )


# -- a fitted sampler ----------------------------------------------------------------


@pytest.fixture(scope="module")
def table():
    return make_classification(
        n_samples=400, n_features=6, n_informative=4, weights=[0.8], random_state=0
    )


@pytest.fixture(scope="module")
def collider(table):
    sampler = BayesGANOversampler(
        dag=COLLIDER, epochs=60, hidden_units=32, noise_dim=8, random_state=0
    )
    sampler.fit_resample(*table)
    return sampler


def test_do_on_a_parent_moves_its_child_and_not_a_non_descendant(collider):
    effects = np.abs(code_effects(collider, 1, n_samples=400, random_state=0))
    own = np.diag(effects)
    assert own.min() > 1.5  # every code moves its own read-back
    # both prescribed edges carry a clear share of the child's own effect
    assert effects[A, C] > own.min() / 3 and effects[B, C] > own.min() / 3
    # the parents, the independent code and each other: no path, no effect
    for j, i in [(A, B), (B, A), (A, D), (B, D), (D, A), (D, B), (D, C), (C, D)]:
        assert effects[j, i] < 0.5, (j, i)


def test_without_a_dag_no_code_moves_another(table):
    sampler = BayesGANOversampler(
        n_codes=4, epochs=60, hidden_units=32, noise_dim=8, random_state=0
    )
    sampler.fit_resample(*table)
    effects = np.abs(code_effects(sampler, 1, n_samples=400, random_state=0))
    assert np.diag(effects).min() > 1.5
    assert effects[A, C] < 0.5 and effects[B, C] < 0.5


def test_code_names_follow_the_dag_or_count_the_codes(collider, table):
    assert collider.code_names_ == ["a", "b", "c", "d"]
    info = InfoGANOversampler(n_codes=2, epochs=1, random_state=0)
    info.fit_resample(*table)
    assert info.code_names_ == ["c0", "c1"]


def test_encode_reads_codes_of_arrays_and_frames(collider, table):
    X, _ = table
    codes = collider.encode(X[:7])
    assert codes.shape == (7, 4) and codes.dtype == np.float32
    assert np.isfinite(codes).all()
    frame = pd.DataFrame(X[:7])
    np.testing.assert_array_equal(collider.encode(frame), codes)
    with pytest.raises(ValueError, match="features"):
        collider.encode(X[:7, :3])
    unfitted = BayesGANOversampler()
    with pytest.raises(Exception, match="call fit_resample"):
        unfitted.encode(X)


def test_do_is_deterministic_with_a_seed_and_shares_its_draws(collider):
    first = collider.sample(50, 1, do={"a": 1.0}, random_state=3)
    again = collider.sample(50, 1, do={"a": 1.0}, random_state=3)
    np.testing.assert_array_equal(first, again)
    # do on the independent code changes only what that code drives
    other = collider.sample(50, 1, do={"d": 1.0}, random_state=3)
    assert not np.array_equal(first, other)
    assert first.shape == (50, collider.n_features_in_)


@pytest.mark.parametrize(
    "do, message",
    [
        ({"e": 1.0}, "does not have"),
        ({"a": float("nan")}, "finite"),
        ({"a": "high"}, "number"),
        ({"a": True}, "number"),
        ([("a", 1.0)], "mapping"),
    ],
)
def test_bad_do_is_a_clear_error(collider, do, message):
    with pytest.raises(ValueError, match=message):
        collider.sample(5, 1, do=do)


def test_do_on_infogan_names_its_codes(table):
    info = InfoGANOversampler(n_codes=2, epochs=1, random_state=0)
    info.fit_resample(*table)
    assert info.sample(3, 1, do={"c1": 0.5}).shape == (3, 6)
    with pytest.raises(ValueError, match=r"\['c0', 'c1'\]"):
        info.sample(3, 1, do={"a": 0.5})


def test_codes_and_do_together_are_refused(collider):
    with pytest.raises(ValueError, match="not both"):
        collider.sample(2, 1, codes=np.zeros(4), do={"a": 1.0})


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"value": 0.0}, "value"),
        ({"value": np.inf}, "value"),
        ({"n_samples": 1}, "n_samples"),
    ],
)
def test_code_effects_rejects_bad_settings(collider, kwargs, message):
    with pytest.raises(ValueError, match=message):
        code_effects(collider, 1, **kwargs)


def test_a_saved_dag_sampler_intervenes_as_before(collider, tmp_path):
    collider.save(tmp_path / "m.npz")
    loaded = BayesGANOversampler.load(tmp_path / "m.npz")
    assert loaded.config_ == collider.config_
    assert loaded.code_names_ == collider.code_names_
    np.testing.assert_array_equal(
        loaded.sample(20, 1, do={"b": -1.0}, random_state=1),
        collider.sample(20, 1, do={"b": -1.0}, random_state=1),
    )


def test_plot_code_effects_draws_the_matrix_beside_the_dag(collider, tmp_path):
    pytest.importorskip("matplotlib")
    from imbgan.plotting import plot_code_effects

    effects = code_effects(collider, 1, n_samples=100, random_state=0)
    path = tmp_path / "effects.png"
    fig = plot_code_effects(effects, collider.code_names_, dag=COLLIDER, path=path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    left, right = fig.axes
    # the prescribed grid: own codes and the two edges a -> c, b -> c
    prescribed = right.images[0].get_array()
    assert prescribed.sum() == 4 + 2 and prescribed[A, C] == prescribed[B, C] == 1
    assert len(left.texts) == 16 and len(left.patches) == 2  # the edges outlined
    with pytest.raises(ValueError, match="shape"):
        plot_code_effects(effects[:3], collider.code_names_)
    with pytest.raises(ValueError, match="names"):
        plot_code_effects(effects, ["a", "b", "c", "e"], dag=COLLIDER)


def test_direct_effects_hold_the_other_codes(collider):
    total = np.abs(code_effects(collider, 1, n_samples=400, random_state=0))
    direct = np.abs(
        code_effects(collider, 1, n_samples=400, direct=True, random_state=0)
    )
    # a parent's total effect on its child runs through the child's code;
    # holding that code leaves only what the parent's code drives itself
    assert direct[A, C] < total[A, C] / 2 and direct[B, C] < total[B, C] / 2
    np.testing.assert_allclose(np.diag(direct), np.diag(total), rtol=0.25)
