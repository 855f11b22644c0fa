"""Tests of the DAG benchmark (imbgan.benchmark.dag) on tiny pendulum scenes."""

import json
import random

import numpy as np
import pytest
import torch

from imbgan.benchmark import dag as dag_bench
from imbgan.benchmark.dag import (
    EDGE_THRESHOLD,
    METHODS,
    REVERSED_DAG,
    ROW_FIELDS,
    effect_structure,
    run_dag_benchmark,
    structural_hamming_distance,
    summarize_dag,
)
from imbgan.datasets import PENDULUM_DAG, PENDULUM_FACTORS

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# factor indices: angle 0, light 1, shadow_position 2, shadow_length 3
TRUE_EDGES = {(0, 2), (1, 2), (0, 3), (1, 3)}


def effects_of(edges, own=2.0, edge=1.0, order=(0, 1, 2, 3)):
    """An effect matrix whose code ``order[k]`` is factor ``k``'s own code."""
    matrix = np.zeros((4, 4))
    for k in range(4):
        matrix[order[k], k] = own
    for j, i in edges:
        matrix[order[j], i] = edge
    return matrix


def global_rng_state():
    return (
        np.random.get_state()[1].copy(),  # noqa: NPY002
        torch.random.get_rng_state().clone(),
        random.getstate(),
    )


# -- effect_structure ------------------------------------------------------------


def test_the_true_structure_scores_perfectly_whatever_the_code_order():
    order = (2, 0, 3, 1)
    effects = effects_of(TRUE_EDGES, order=order)
    effects[1, 0] *= -1  # the sign of an effect does not matter
    structure = effect_structure(effects)
    assert structure["matched_codes"] == list(order)
    assert structure["own_effects"] == [2.0] * 4
    assert structure["auroc"] == 1.0
    assert structure["shd"] == 0
    assert sorted(map(tuple, structure["predicted_edges"])) == sorted(
        (PENDULUM_FACTORS[j], PENDULUM_FACTORS[i]) for j, i in TRUE_EDGES
    )
    assert len(structure["pair_scores"]) == 12
    assert structure["pair_scores"]["angle->shadow_position"] == 0.5
    assert structure["pair_scores"]["shadow_position->angle"] == 0.0


def test_reversed_and_independent_structures():
    reversed_edges = {(i, j) for j, i in TRUE_EDGES}
    structure = effect_structure(effects_of(reversed_edges))
    # the edges score 0, below the 4 reversed ones and tied with the other 4
    assert structure["auroc"] == 0.25
    assert structure["shd"] == 4  # four reversed edges, one each
    structure = effect_structure(effects_of(set()))
    assert structure["auroc"] == 0.5
    assert structure["shd"] == 4  # four missing edges
    assert structure["predicted_edges"] == []


def test_the_threshold_decides_the_edges():
    effects = effects_of(TRUE_EDGES, own=2.0, edge=0.6)  # score 0.3
    assert effect_structure(effects)["shd"] == 0
    assert effect_structure(effects, threshold=0.35)["shd"] == 4
    assert EDGE_THRESHOLD == 0.25


def test_a_code_without_effect_on_its_factor():
    effects = effects_of(TRUE_EDGES)
    effects[:, 3] = 0.0  # nothing moves shadow_length
    structure = effect_structure(effects)
    assert structure["own_effects"][3] == 0.0
    assert structure["pair_scores"]["angle->shadow_length"] == 0.0
    effects[0, 3] = 0.5  # only another code moves it: it is matched to it
    structure = effect_structure(effects)
    assert np.isfinite(structure["auroc"])


def test_effect_structure_rejects_bad_input():
    with pytest.raises(ValueError, match="one column per factor"):
        effect_structure(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="at least one code per factor"):
        effect_structure(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="finite"):
        effect_structure(np.full((4, 4), np.nan))


def test_structural_hamming_distance():
    true = np.zeros((3, 3), dtype=bool)
    true[0, 1] = true[1, 2] = True
    assert structural_hamming_distance(true, true) == 0
    reversed_one = true.copy()
    reversed_one[0, 1], reversed_one[1, 0] = False, True
    assert structural_hamming_distance(reversed_one, true) == 1
    both_ways = true | true.T
    assert structural_hamming_distance(both_ways, true) == 2
    assert structural_hamming_distance(np.zeros((3, 3), bool), true) == 2
    with pytest.raises(ValueError, match="same shape"):
        structural_hamming_distance(true, np.zeros((2, 2), bool))


def test_the_wrong_dag_reverses_every_edge():
    assert list(REVERSED_DAG) == list(PENDULUM_DAG)
    true_edges = {(p, c) for c, ps in PENDULUM_DAG.items() for p in ps}
    wrong_edges = {(p, c) for c, ps in REVERSED_DAG.items() for p in ps}
    assert wrong_edges == {(c, p) for p, c in true_edges}


# -- the harness, with a stand-in sampler and effects ----------------------------


class StandInSampler:
    """Random over-sampling with named codes: no GAN, for the harness only."""

    def __init__(self, method, seed):
        self.method = method
        self.seed = seed
        names = {"infogan": [f"c{i}" for i in range(4)]}
        self.code_names_ = names.get(method, list(PENDULUM_FACTORS))

    def fit_resample(self, X, y):
        from imblearn.over_sampling import RandomOverSampler

        return RandomOverSampler(random_state=self.seed).fit_resample(X, y)


def stand_in_effects(
    sampler, y, *, reader, value, n_samples, random_state, direct=False
):
    """True structure for the true DAG, reversed for the wrong one, else none;
    direct effects: each code on its own factor only."""
    assert y == 0 and value == 1.0 and callable(reader)
    rows = np.random.default_rng(0).random((3, 1024)).astype(np.float32)
    assert reader(rows).shape == (3, 4)  # the reader reads the four factors
    edges = {
        "bayesgan_true": TRUE_EDGES,
        "bayesgan_reversed": {(i, j) for j, i in TRUE_EDGES},
    }.get(sampler.method, set())
    return effects_of(set() if direct else edges, order=(1, 0, 3, 2))


@pytest.fixture
def stand_ins(monkeypatch):
    import imbgan.inspect

    monkeypatch.setattr(
        dag_bench,
        "_sampler",
        lambda method, *, seed, epochs, device: StandInSampler(method, seed),
    )
    monkeypatch.setattr(imbgan.inspect, "code_effects", stand_in_effects)


def test_rows_with_stand_ins(stand_ins, tmp_path):
    out = tmp_path / "dag.jsonl"
    messages = []
    before = global_rng_state()
    rows = run_dag_benchmark(
        seeds=(3, 4), quick=True, device="cpu", out=out, progress=messages.append
    )
    after = global_rng_state()
    np.testing.assert_array_equal(before[0], after[0])
    assert torch.equal(before[1], after[1]) and before[2] == after[2]
    assert [row["method"] for row in rows] == list(METHODS)  # first seed only
    assert all(row["seed"] == 3 for row in rows)
    assert len(messages) == 4
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert written == json.loads(json.dumps(rows))
    for row in rows:
        assert tuple(row) == ROW_FIELDS
        assert np.array(row["effects"]).shape == (4, 4)
        assert row["n_train"] == 200 and row["n_minority"] == 10
        assert row["n_test"] == 100 and row["epochs"] == 1 and row["quick"]
        assert 0 <= row["recall"] <= 1 and 0 <= row["f1"] <= 1
        assert all(r2 > 0.9 for r2 in row["reader_r2"].values())
    by_method = {row["method"]: row for row in rows}
    assert by_method["bayesgan_true"]["auroc"] == 1.0
    assert by_method["bayesgan_true"]["shd"] == 0
    assert by_method["bayesgan_true"]["matched_codes"] == [
        "light",
        "angle",
        "shadow_length",
        "shadow_position",
    ]
    assert by_method["bayesgan_reversed"]["auroc"] == 0.25
    assert by_method["infogan"]["auroc"] == 0.5
    assert by_method["infogan"]["matched_codes"] == ["c1", "c0", "c3", "c2"]
    assert by_method["bayesgan_none"]["dag"] is None
    assert by_method["bayesgan_true"]["dag"] == [
        ["angle", "shadow_position"],
        ["light", "shadow_position"],
        ["angle", "shadow_length"],
        ["light", "shadow_length"],
    ]
    # random over-sampling beats no resampling on the rare class
    assert rows[0]["recall"] >= rows[0]["recall_unresampled"]

    summary = summarize_dag(rows + written)
    for method in METHODS:
        assert f"| {method} | 2 |" in summary
    assert "without resampling" in summary


def test_run_dag_benchmark_rejects_bad_arguments():
    with pytest.raises(ValueError, match="methods"):
        run_dag_benchmark(methods=("smote",), quick=True)
    with pytest.raises(ValueError, match="methods"):
        run_dag_benchmark(methods=(), quick=True)
    with pytest.raises(ValueError, match="seeds"):
        run_dag_benchmark(seeds=(), quick=True)


def test_summarize_dag_of_nothing():
    assert summarize_dag([]) == "no rows\n"


# -- the real samplers, one epoch ----------------------------------------------


def test_quick_run_with_the_real_samplers():
    rows = run_dag_benchmark(quick=True, device="cpu")
    assert [row["method"] for row in rows] == list(METHODS)
    by_method = {row["method"]: row for row in rows}
    assert by_method["infogan"]["code_names"] == ["c0", "c1", "c2", "c3"]
    assert by_method["bayesgan_true"]["code_names"] == list(PENDULUM_FACTORS)
    for row in rows:
        assert np.all(np.isfinite(row["effects"]))
        assert 0.0 <= row["auroc"] <= 1.0
        assert 0 <= row["shd"] <= 6
        assert sorted(row["matched_codes"]) == sorted(row["code_names"])
        assert row["fit_seconds"] > 0
    again = run_dag_benchmark(quick=True, device="cpu", methods=("infogan",))
    assert again[0]["effects"] == by_method["infogan"]["effects"]
    assert again[0]["recall"] == by_method["infogan"]["recall"]


def test_matching_on_direct_effects_keeps_a_strong_parent_on_its_own_factor():
    # angle's code moves both shadows more than its own factor (total
    # effects), so matching on them would take it for a shadow's code
    total = effects_of(TRUE_EDGES, own=1.0, edge=3.0)
    direct = effects_of(set(), own=1.0)
    assert effect_structure(total)["matched_codes"] != [0, 1, 2, 3]
    matched = effect_structure(total, direct=direct)
    assert matched["matched_codes"] == [0, 1, 2, 3]
    assert matched["auroc"] == 1.0 and matched["shd"] == 0
    with pytest.raises(ValueError, match="direct"):
        effect_structure(total, direct=direct[:3])
