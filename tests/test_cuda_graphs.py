"""The CUDA-graph training step (imbgan._cuda_graphs), used on every CUDA fit.

The recording itself needs CUDA; the bookkeeping around it (fixed buffers,
the draws and their order, warm-up steps, the short last batch, recording
again after a rollback) is checked on any machine with a recorder that
"replays" by calling the step, which must then train exactly as the plain
loop does.
"""

import dataclasses

import numpy as np
import pytest
import torch

import imbgan._training as training
from imbgan import BayesGANOversampler, _config
from imbgan._cuda_graphs import GraphedStep, graphs_requested

pytestmark = pytest.mark.usefixtures("one_torch_thread")


class ReplayRecorder:
    """Records nothing: its replay calls the step, as a graph replay would."""

    def eager(self, fn):
        return fn()

    def record(self, fn):
        out = torch.zeros(4)

        def replay():
            out.copy_(fn())

        return replay, out


@pytest.fixture
def replayed(monkeypatch):
    made = []

    def make(*args, **kwargs):
        graphed = GraphedStep(*args, recorder=ReplayRecorder(), **kwargs)
        made.append(graphed)
        return graphed

    monkeypatch.setattr(training, "graphs_requested", lambda device, enabled: True)
    monkeypatch.setattr(training, "GraphedStep", make)
    return made


def _fit(X, y, **params):
    sampler = BayesGANOversampler(
        epochs=3, batch_size=32, device="cpu", random_state=0, **params
    )
    X_res, _ = sampler.fit_resample(X, y)
    return sampler, X_res


@pytest.mark.parametrize("image", [False, True])
def test_graphed_bookkeeping_trains_exactly_as_the_plain_loop(
    digits, replayed, monkeypatch, image
):
    X, y = digits
    params = {"image_shape": (1, 8, 8)} if image else {}
    graphed_sampler, graphed = _fit(X, y, **params)
    assert len(replayed) == 1 and replayed[0].recordings == 1
    monkeypatch.setattr(training, "graphs_requested", lambda device, enabled: False)
    plain_sampler, plain = _fit(X, y, **params)
    np.testing.assert_array_equal(graphed, plain)
    assert graphed_sampler.history_ == plain_sampler.history_


def test_a_dag_with_edges_is_graphed_like_independent_codes(digits, replayed):
    # Its structural equations are recorded with the step; its regularizer
    # reads each code alone, with no linear solve (whose check would sync).
    X, y = digits
    _fit(X, y, dag="entangled")
    assert len(replayed) == 1 and replayed[0].recordings == 1


def test_a_regularizer_that_may_sync_is_never_graphed():
    assert not training._graph_safe(lambda codes, extracted: codes.sum())
    assert not training._graph_safe(type("Solves", (), {"graph_safe": False})())


def test_a_rollback_records_the_step_again(digits, replayed, monkeypatch):
    X, y = digits
    calls = {"n": 0}
    finite = training._finite_weights

    def diverge_once(*modules):
        calls["n"] += 1
        return False if calls["n"] == 2 else finite(*modules)

    monkeypatch.setattr(training, "_finite_weights", diverge_once)
    with pytest.warns(RuntimeWarning, match="rolled back"):
        _fit(X, y)
    assert replayed[0].recordings == 2


def test_graphs_are_requested_only_on_cuda_when_enabled():
    assert graphs_requested(torch.device("cuda"), True)
    assert not graphs_requested(torch.device("cuda"), False)
    assert not graphs_requested(torch.device("cpu"), True)


def test_graphs_are_asked_for_on_every_fit(digits, monkeypatch):
    X, y = digits
    seen = []

    def record(device, enabled):
        seen.append((device.type, enabled))
        return False

    monkeypatch.setattr(training, "graphs_requested", record)
    _fit(X, y)
    _fit(X, y, image_shape=(1, 8, 8))
    assert seen == [("cpu", True), ("cpu", True)]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("spectral_norm", [False, True])
def test_cuda_graphs_train_like_the_plain_loop_on_a_gpu(
    spectral_norm, digits, monkeypatch
):
    # With spectral normalisation the power iteration's in-place updates of
    # its vectors are recorded in the graph too.
    X, y = digits
    X = (X / 16.0).astype(np.float32)
    monkeypatch.setattr(
        _config,
        "IMAGES",
        dataclasses.replace(_config.IMAGES, spectral_norm=spectral_norm),
    )
    params = {"image_shape": (1, 8, 8), "epochs": 2, "random_state": 0}
    monkeypatch.setattr(training, "graphs_requested", lambda device, enabled: False)
    plain = BayesGANOversampler(device="cuda", **params)
    plain.fit_resample(X, y)
    monkeypatch.setattr(training, "graphs_requested", graphs_requested)
    made = []
    original = training.GraphedStep

    def make(*args, **kwargs):
        made.append(original(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(training, "GraphedStep", make)
    graphed = BayesGANOversampler(device="cuda", **params)
    graphed.fit_resample(X, y)
    assert made and made[0].recordings == 1
    # Same draws in the same order; only the kernels' rounding may differ.
    for name in ("d_loss", "g_loss"):
        np.testing.assert_allclose(
            graphed.history_[name], plain.history_[name], rtol=0.05, atol=1e-3
        )
