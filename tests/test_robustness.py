"""Divergence, interruption, determinism across processes and threads, memory."""

import hashlib
import subprocess
import sys
import textwrap
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from joblib import Parallel, delayed
from sklearn.exceptions import NotFittedError

import imbgan._generation as generation_module
import imbgan._sampler as sampler_module
from imbgan import BayesGANOversampler, InfoGANOversampler

from .conftest import FAST


def _fast(**params):
    return BayesGANOversampler(**{**FAST, "random_state": 0, **params})


def _digest(X_res):
    return hashlib.sha256(np.ascontiguousarray(X_res).tobytes()).hexdigest()


# -- divergence -----------------------------------------------------------------


def test_snapshot_restore_is_an_exact_round_trip():
    # Rollback restores networks and fused-Adam state from a snapshot taken
    # by _clone_tree; later steps must not leak into the snapshot.
    import torch

    from imbgan._training import _adam, _restore, _snapshot

    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Linear(8, 1))
    opt = _adam(list(net.parameters()), 1e-2)
    x = torch.randn(16, 4, generator=torch.Generator().manual_seed(0))

    def step():
        opt.zero_grad()
        net(x).pow(2).mean().backward()
        opt.step()

    step()
    snap = _snapshot((net, opt))
    before = [t.clone() for t in net.state_dict().values()]
    exp_avg = opt.state[next(net.parameters())]["exp_avg"].clone()
    step()
    step()
    assert not torch.equal(next(net.parameters()), before[0])
    _restore((net, opt), snap)
    restored = net.state_dict().values()
    assert all(torch.equal(a, b) for a, b in zip(restored, before, strict=True))
    assert torch.equal(opt.state[next(net.parameters())]["exp_avg"], exp_avg)
    # the next step from the restored state equals the first step after snap
    step()
    replay = [t.clone() for t in net.state_dict().values()]
    _restore((net, opt), snap)
    step()
    again = net.state_dict().values()
    assert all(torch.equal(a, b) for a, b in zip(again, replay, strict=True))


def test_absurd_learning_rate_is_rolled_back_and_recovers(digits):
    X, y = digits
    sampler = BayesGANOversampler(epochs=3, learning_rate=1e6, random_state=0)
    with pytest.warns(RuntimeWarning, match="rolled back .* cut learning_rate"):
        X_res, _ = sampler.fit_resample(X, y)
    assert np.isfinite(X_res).all()
    assert X_res.min() >= 0 and X_res.max() <= 16
    # every recorded epoch ran at the reduced rate that was finally stable
    assert max(sampler.history_["learning_rate"]) < 1e6
    assert all(np.isfinite(v).all() for v in sampler.history_.values())


def test_hopeless_divergence_raises_with_advice_and_leaves_estimator_unfitted(
    digits,
):
    X, y = digits
    sampler = BayesGANOversampler(epochs=2, learning_rate=1e30, random_state=0)
    with (
        pytest.warns(RuntimeWarning),
        pytest.raises(FloatingPointError, match="smaller learning_rate"),
    ):
        sampler.fit_resample(X, y)
    assert not hasattr(sampler, "generator_")
    with pytest.raises(NotFittedError):
        sampler.sample(1, y=8)


def test_non_finite_generator_output_is_never_returned(three_class):
    X, y = three_class
    sampler = _fast().fit(X, y)
    sampler.fit_resample(X, y)
    with pytest.MonkeyPatch.context() as mp:
        # a generator whose weights went bad after fitting
        for param in sampler.generator_.parameters():
            mp.setattr(param, "data", param.data * np.nan)
        with pytest.raises(FloatingPointError, match="non-finite"):
            sampler.sample(10, y=2)


# -- interruption ------------------------------------------------------------------


class _Interrupt(KeyboardInterrupt):
    pass


def _interrupting_train(*args, **kwargs):
    raise _Interrupt()


@pytest.mark.parametrize("cls", [BayesGANOversampler, InfoGANOversampler])
def test_interrupted_first_fit_leaves_estimator_unfitted(cls, three_class, monkeypatch):
    X, y = three_class
    sampler = cls(**FAST, random_state=0)
    params = sampler.get_params()
    monkeypatch.setattr(sampler_module, "train_gan", _interrupting_train)
    with pytest.raises(_Interrupt):
        sampler.fit_resample(X, y)
    assert sampler.__dict__ == cls(**params).__dict__
    with pytest.raises(NotFittedError):
        sampler.sample(1, y=0)


def test_interrupted_refit_keeps_the_last_complete_fit(three_class, monkeypatch):
    X, y = three_class
    sampler = _fast()
    sampler.fit_resample(X, y)
    before = dict(sampler.__dict__)
    expected = sampler.sample(20, y=2)

    monkeypatch.setattr(sampler_module, "train_gan", _interrupting_train)
    # a refit on other data, interrupted during training
    with pytest.raises(_Interrupt):
        sampler.fit_resample(X[:, :3], y)
    assert sampler.__dict__.keys() == before.keys()
    assert all(sampler.__dict__[k] is before[k] for k in before)
    assert sampler.n_features_in_ == X.shape[1]
    np.testing.assert_array_equal(sampler.sample(20, y=2), expected)


def test_exception_during_generation_is_also_atomic(three_class, monkeypatch):
    X, y = three_class
    sampler = _fast()

    def failing_fill(*args, **kwargs):
        raise MemoryError("simulated")

    monkeypatch.setattr(generation_module, "fill_rows", failing_fill)
    with pytest.raises(MemoryError):
        sampler.fit_resample(X, y)
    assert not hasattr(sampler, "generator_")
    assert not hasattr(sampler, "sampling_strategy_")


# -- determinism and isolation ------------------------------------------------------

_SCRIPT = textwrap.dedent(
    """
    import hashlib, numpy as np
    from tests.conftest import FAST
    from imbgan import BayesGANOversampler
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1, 2], [90, 45, 15])
    X = rng.normal(size=(150, 4)) + y[:, None]
    X_res, _ = BayesGANOversampler(**FAST, random_state=3).fit_resample(X, y)
    print(hashlib.sha256(np.ascontiguousarray(X_res).tobytes()).hexdigest())
    """
)


def _script_fit():
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1, 2], [90, 45, 15])
    X = rng.normal(size=(150, 4)) + y[:, None]
    X_res, _ = BayesGANOversampler(**FAST, random_state=3).fit_resample(X, y)
    return X_res


def test_same_seed_same_bytes_across_processes():
    root = __file__.rsplit("/tests/", 1)[0]
    digests = {
        subprocess.run(
            [sys.executable, "-c", _SCRIPT],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for _ in range(2)
    }
    assert digests == {_digest(_script_fit())}


def _fit_digest(seed, X, y):
    X_res, _ = _fast(random_state=seed).fit_resample(X, y)
    return _digest(X_res)


def test_parallel_fits_in_threads_equal_serial(three_class):
    X, y = three_class
    serial = [_fit_digest(seed, X, y) for seed in (0, 1, 2, 3)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(lambda s: _fit_digest(s, X, y), (0, 1, 2, 3)))
    assert threaded == serial
    assert len(set(serial)) == 4


def test_parallel_fits_in_processes_equal_serial(three_class):
    X, y = three_class
    serial = [_fit_digest(seed, X, y) for seed in (0, 1)]
    parallel = Parallel(n_jobs=2, backend="loky")(
        delayed(_fit_digest)(seed, X, y) for seed in (0, 1)
    )
    assert parallel == serial


# -- memory ----------------------------------------------------------------------------


def test_sample_streams_a_million_rows_in_bounded_memory(three_class):
    X, y = three_class
    sampler = _fast()
    sampler.fit_resample(X, y)
    sampler.sample(10, y=2)  # warm up lazy imports and caches outside the trace
    tracemalloc.start()
    try:
        out = sampler.sample(1_000_000, y=2)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.shape == (1_000_000, X.shape[1]) and np.isfinite(out).all()
    # the output (32 MB) plus a constant for one chunk, not a multiple of it
    assert peak - out.nbytes < 8e6, f"peak {peak / 1e6:.1f} MB"


def test_fit_resample_does_not_copy_X_more_than_needed():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50_000, 40))  # 16 MB
    y = (rng.random(len(X)) < 0.1).astype(int)
    sampler = _fast(epochs=1, batch_size=4096)
    sampler.fit_resample(X[:500], y[:500])  # warm up outside the trace
    tracemalloc.start()
    try:
        X_res, _ = sampler.fit_resample(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The result must hold X and the new rows; beyond it we allow the float32
    # training copy (X.nbytes / 2) and a few MB of constants: no float64 copy
    # of X, no second copy of the result.
    assert peak <= X_res.nbytes + X.nbytes / 2 + 4e6, f"peak {peak / 1e6:.1f} MB"
