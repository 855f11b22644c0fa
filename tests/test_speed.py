"""Thread policy and the speed benchmark command."""

import json
import threading

import joblib
import numpy as np
import pytest
import torch
from imblearn.pipeline import make_pipeline
from sklearn.model_selection import cross_validate
from sklearn.tree import DecisionTreeClassifier

import imbgan._generation as generation_module
import imbgan._sampler as sampler_module
from imbgan import BayesGANOversampler, InfoGANOversampler
from imbgan._threads import resolve_threads, torch_threads
from imbgan.benchmark.speed import run_speed
from imbgan.cli import main

from .conftest import FAST


@pytest.fixture
def two_torch_threads():
    """torch's setting at 2 in this thread for the test, then as it was."""
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(previous)


@pytest.fixture
def record_threads(monkeypatch):
    """Record torch's thread count inside training and inside generation."""
    seen = {"train": [], "sample": []}
    train, fill = sampler_module.train_gan, generation_module.fill_rows

    def recording_train(*args, **kwargs):
        seen["train"].append(torch.get_num_threads())
        return train(*args, **kwargs)

    def recording_fill(*args, **kwargs):
        seen["sample"].append(torch.get_num_threads())
        return fill(*args, **kwargs)

    monkeypatch.setattr(sampler_module, "train_gan", recording_train)
    monkeypatch.setattr(generation_module, "fill_rows", recording_fill)
    return seen


def _images(digits):
    X, y = digits
    return X, y, {"image_shape": (1, 8, 8)}


# -- threads ----------------------------------------------------------------------


def test_resolve_threads_policy(two_torch_threads):
    assert resolve_threads(None, None) == 1
    assert resolve_threads(None, (1, 8, 8)) == 2
    assert resolve_threads(3, None) == 3
    assert resolve_threads(3, (1, 8, 8)) == 3


def test_torch_threads_scope_restores_even_on_error(two_torch_threads):
    with pytest.raises(RuntimeError), torch_threads(1):
        assert torch.get_num_threads() == 1
        raise RuntimeError
    assert torch.get_num_threads() == 2


@pytest.mark.parametrize("n_threads", [1, 2, 3])
def test_torch_threads_gives_every_thread_a_tanh_chunk_first(
    n_threads, monkeypatch, two_torch_threads
):
    # A thread's first tanh chunk in a process may come out as another
    # approximation (docs/guarantees.md): the scope spends it on zeros, one
    # 2,048-element chunk per thread, before the body runs.
    calls = []
    tanh = torch.tanh

    def recording_tanh(x, *args, **kwargs):
        calls.append((torch.get_num_threads(), x.numel(), bool((x == 0).all())))
        return tanh(x, *args, **kwargs)

    monkeypatch.setattr(torch, "tanh", recording_tanh)
    with torch_threads(n_threads):
        before_body = list(calls)
    expected = [] if n_threads == 1 else [(n_threads, 2048 * n_threads, True)]
    assert before_body == expected
    assert torch.get_num_threads() == 2


@pytest.mark.parametrize("cls", [BayesGANOversampler, InfoGANOversampler])
def test_tabular_default_trains_and_samples_on_one_thread(
    cls, binary, record_threads, two_torch_threads
):
    X, y = binary
    sampler = cls(**FAST, random_state=0)
    sampler.fit_resample(X, y)
    sampler.sample(5, y[0])
    assert record_threads == {"train": [1], "sample": [1, 1]}
    assert sampler.n_threads_ == 1
    assert torch.get_num_threads() == 2  # the caller's setting is back


def test_tabular_output_does_not_depend_on_the_callers_thread_count(binary):
    X, y = binary
    outputs = []
    previous = torch.get_num_threads()
    try:
        for n in (1, 2):
            torch.set_num_threads(n)
            sampler = BayesGANOversampler(**FAST, random_state=0)
            outputs.append(sampler.fit_resample(X, y)[0])
    finally:
        torch.set_num_threads(previous)
    np.testing.assert_array_equal(outputs[0], outputs[1])


def test_image_default_follows_torch_setting(digits, record_threads, two_torch_threads):
    X, y, params = _images(digits)
    sampler = BayesGANOversampler(**FAST, **params, random_state=0)
    sampler.fit_resample(X, y)
    assert record_threads["train"] == [2]
    assert sampler.n_threads_ == 2


def test_explicit_n_threads_is_used_and_restored(binary, record_threads):
    X, y = binary
    before = torch.get_num_threads()
    sampler = BayesGANOversampler(**FAST, n_threads=3, random_state=0)
    sampler.fit_resample(X, y)
    sampler.sample(4, y[0])
    assert set(record_threads["train"] + record_threads["sample"]) == {3}
    assert torch.get_num_threads() == before


def test_thread_setting_does_not_leak_to_other_threads(binary, two_torch_threads):
    # The fit in a worker thread sets 1 thread for itself while the main
    # thread, checked during that fit, keeps 2.
    X, y = binary
    inside, outside = [], []
    started, checked = threading.Event(), threading.Event()
    train = sampler_module.train_gan

    def paused_train(*args, **kwargs):
        inside.append(torch.get_num_threads())
        started.set()
        checked.wait(timeout=30)
        return train(*args, **kwargs)

    def fit():
        BayesGANOversampler(**FAST, random_state=0).fit_resample(X, y)

    sampler_module.train_gan = paused_train
    try:
        worker = threading.Thread(target=fit)
        worker.start()
        assert started.wait(timeout=30)
        outside.append(torch.get_num_threads())
        checked.set()
        worker.join(timeout=60)
    finally:
        sampler_module.train_gan = train
    assert inside == [1] and outside == [2]


def test_n_jobs_workers_do_not_oversubscribe(digits):
    # joblib's loky workers get OMP_NUM_THREADS = cpu_count // n_jobs; image
    # samplers follow it, tabular ones use 1: at most one thread per core.
    X, y = digits
    limit = max(1, joblib.cpu_count() // 2)
    for params, expected in (({}, {1}), ({"image_shape": (1, 8, 8)}, {limit})):
        pipe = make_pipeline(
            BayesGANOversampler(**FAST, random_state=0, **params),
            DecisionTreeClassifier(random_state=0),
        )
        scores = cross_validate(pipe, X, y, cv=2, n_jobs=2, return_estimator=True)
        used = {est.steps[0][1].n_threads_ for est in scores["estimator"]}
        assert used == expected


def test_n_threads_survives_save_and_load(binary, tmp_path):
    X, y = binary
    sampler = BayesGANOversampler(**FAST, n_threads=2, random_state=0)
    sampler.fit_resample(X, y)
    sampler.save(tmp_path / "s.npz")
    loaded = BayesGANOversampler.load(tmp_path / "s.npz", device="cpu")
    assert loaded.n_threads == 2 and loaded.n_threads_ == 2
    np.testing.assert_array_equal(
        loaded.sample(7, y[0], random_state=1), sampler.sample(7, y[0], random_state=1)
    )


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_training_set_stays_on_the_gpu(digits):
    # Host-to-device copies must not grow with the number of epochs: the
    # rows, labels, masks and bounds are copied once, batches are indexed on
    # the device.
    from torch.profiler import ProfilerActivity, profile

    X, y = digits

    def host_to_device_copies(epochs):
        sampler = BayesGANOversampler(
            **{**FAST, "epochs": epochs}, device="cuda", random_state=0
        )
        activities = [ProfilerActivity.CPU, ProfilerActivity.CUDA]
        with profile(activities=activities) as prof:
            sampler.fit_resample(X, y)
        return sum("HtoD" in e.name for e in prof.events())

    few, many = host_to_device_copies(2), host_to_device_copies(6)
    assert few == many, (few, many)


# -- the command --------------------------------------------------------------------


def test_speed_command_quick(tmp_path, capsys):
    code = main(
        [
            "benchmark",
            "speed",
            "--quick",
            "--device",
            "cpu",
            "--no-ctgan",
            "--repeats",
            "2",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    result = json.loads((tmp_path / "speed_cpu.json").read_text())
    assert result["repeats"] == 2
    for times in result["fit_seconds"].values():
        assert len(times) == 2 and all(np.isfinite(t) and t > 0 for t in times)
    for key in ("digits_fit_seconds", "dag_over_infogan", "sample_rows_per_second"):
        assert np.isfinite(result[key]) and result[key] > 0
        assert key in result["targets"]
    assert result["machine"]["device"] == "cpu"
    assert result["worker_threads_n_jobs_2"]["tabular"] == [1, 1]
    small, large = result["sample_memory"]
    assert large["output_bytes"] == result["sample_rows"] * 64 * 8
    assert small["rows"] * 10 == large["rows"]
    # streamed in chunks: the overhead does not grow with the output
    assert large["tracemalloc_peak_over_output_bytes"] < 16e6
    assert "variant_fit_seconds" not in result  # no precision or compile variants
    out = capsys.readouterr().out
    assert "dag_over_infogan" in out and "speed_cpu.json" in out


def test_speed_command_rejects_zero_repeats(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["benchmark", "speed", "--repeats", "0", "--device", "cpu"])
    assert exc.value.code == 2
    assert "--repeats" in capsys.readouterr().err


def test_run_speed_rejects_zero_repeats_before_measuring():
    with pytest.raises(ValueError, match="repeats must be >= 1; got 0"):
        run_speed(device="cpu", quick=True, repeats=0)


def test_speed_command_images_alone(tmp_path, capsys):
    from .test_cli import _fake_mnist

    _fake_mnist(tmp_path / "data")
    code = main(
        [
            "benchmark", "speed", "--quick", "--device", "cpu", "--images",
            "--no-digits", "--data-dir", str(tmp_path / "data"),
            "--out", str(tmp_path),
        ]
    )  # fmt: skip
    assert code == 0
    result = json.loads((tmp_path / "speed_cpu.json").read_text())
    images = result["images"]
    assert images["mnist_quick_fit_seconds"] > 0
    assert images["images_generated"] == 10_000
    # achieved vs peak for the image step, FLOPs counted on the CPU; both rates
    # are timed, so their ratio is only checked to be a positive number
    assert images["mnist_flops_per_epoch"] > 1e9
    ratio = images["mnist_achieved_over_matmul_peak"]
    assert np.isfinite(ratio) and ratio > 0
    # --no-digits: none of the tabular figures, so no tabular target either
    assert "digits_fit_seconds" not in result and "sample_memory" not in result
    assert result["targets"] == {}
    assert "images:" in capsys.readouterr().out
