"""Speed and memory: training time, generation throughput, threads, a peer.

The speed figures and their targets (:data:`TARGETS`) measured in one
process, side by side, on the machine it runs on, with the machine
described in the output:

- the default ``fit_resample`` on the imbalanced digits (64 features, about
  1.5k rows), BayesGAN and InfoGAN alternating after a warm-up, and their
  ratio (the cost of the DAG regularizer over InfoGAN's term);
- ``sample()`` throughput for 64 features, and the peak memory of
  ``sample(1_000_000)`` next to the size of its output;
- the thread policy: a tabular fit at 1 thread and at torch's default, with
  the other cores idle and with them kept busy; the threads each process of
  ``cross_validate(n_jobs=2)`` gives torch;
- achieved against peak: FLOPs of the training step (counted by
  :class:`torch.utils.flop_counter.FlopCounterMode`) per second of fit,
  against a large matmul on the same device;
- images: the default image fit on the MNIST protocol split and generating
  1,000,000 28x28 images (on a GPU, or with ``--images`` on a CPU);
- CTGAN (``pip install ctgan``) on the same rows and epochs: time per epoch
  from the difference of two fits, so set-up costs cancel.

Examples
--------
>>> from imbgan.benchmark.speed import run_speed, format_speed
>>> result = run_speed(device="cpu", quick=True)  # doctest: +SKIP
>>> print(format_speed(result))  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch

from .._sampler import BayesGANOversampler, InfoGANOversampler
from .._threads import resolve_threads, torch_threads
from .._training import resolve_device
from ..datasets import load_imbalanced_digits
from ._provenance import cpu_model

__all__ = ["TARGETS", "format_speed", "machine_description", "run_speed"]

#: The speed targets: figure name -> (comparison, bound).
TARGETS: dict[str, tuple[str, float]] = {
    "digits_fit_seconds": ("<=", 20.0),
    "sample_rows_per_second": (">=", 200_000.0),
    "dag_over_infogan": ("<=", 1.15),
    "ours_over_ctgan_per_epoch": ("<=", 0.5),
    "mnist_fit_seconds": ("<=", 60.0),
    "images_1m_seconds": ("<=", 5.0),
}


def _noop(message: str) -> None:
    del message


def machine_description(device: torch.device) -> dict[str, Any]:
    """What ran the benchmark: CPU model and cores, GPU, library versions."""
    info: dict[str, Any] = {
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "device": str(device),
        "date": time.strftime("%Y-%m-%d"),
    }
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
    return info


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _timed(fn: Callable[[], Any], device: torch.device) -> tuple[float, Any]:
    _sync(device)
    start = time.perf_counter()
    value = fn()
    _sync(device)
    return time.perf_counter() - start, value


def _fit_seconds(sampler, X, y, device) -> float:
    seconds, _ = _timed(lambda: sampler.fit_resample(X, y), device)
    return seconds


def _alternating_fits(
    makers: dict[str, Callable[[], Any]], X, y, device, repeats: int
) -> dict[str, list[float]]:
    """Fit each maker once to warm up, then ``repeats`` times, interleaved.

    Interleaving spreads any drift of the machine (another job starting,
    clock changes) over every variant instead of biasing the last one.
    """
    for make in makers.values():
        warm = make()
        warm.set_params(epochs=2)
        warm.fit_resample(X, y)
    times: dict[str, list[float]] = {name: [] for name in makers}
    for _ in range(repeats):
        for name, make in makers.items():
            times[name].append(_fit_seconds(make(), X, y, device))
    return times


@contextlib.contextmanager
def _busy_cores(n: int) -> Iterator[None]:
    """Keep ``n`` other processes spinning: a machine that is not idle."""
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    ready = [ctx.Event() for _ in range(n)]
    procs = [
        ctx.Process(target=_spin, args=(stop, event), daemon=True) for event in ready
    ]
    for p in procs:
        p.start()
    try:
        for event in ready:  # a spawned child first imports this module
            event.wait(timeout=60)
        yield
    finally:
        stop.set()
        for p in procs:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()


def _spin(stop, ready) -> None:
    ready.set()
    x = 0
    while not stop.is_set():
        for _ in range(100_000):
            x += 1


def _status_bytes(field: str) -> int | None:
    """A memory field of ``/proc/self/status`` (``VmRSS``, ``VmHWM``), Linux."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) * 1024
    return None


def _reset_peak_rss() -> bool:
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0).
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def _sample_memory(sampler, n: int) -> dict[str, Any]:
    """Peak memory of ``sampler.sample(n, y)`` beside the output's size.

    Two views: Python's tracemalloc (numpy buffers; torch's allocator is
    invisible to it) and the process's peak resident set size (everything,
    torch included, but page-granular and shared with the interpreter; it
    can even come out below the output's size for small draws, when the
    output lands in pages the process already held).
    """
    klass = sampler.classes_[0]
    gc.collect()
    reset = _reset_peak_rss()
    rss_before = _status_bytes("VmRSS")
    tracemalloc.start()
    out = sampler.sample(n, klass)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result: dict[str, Any] = {
        "rows": n,
        "output_bytes": int(out.nbytes),
        "tracemalloc_peak_over_output_bytes": int(traced_peak - out.nbytes),
    }
    peak = _status_bytes("VmHWM")  # the peak since the reset
    if reset and peak is not None and rss_before is not None:
        result["rss_peak_over_output_bytes"] = int(peak - rss_before - out.nbytes)
    return result


def _flops_per_epoch(sampler, X, y) -> float:
    """Matmul and convolution FLOPs of one training epoch (forward + backward).

    Counted on the CPU: on a CUDA device the fit replays its step as a CUDA
    graph, whose kernels the counter never sees, and these FLOPs do not
    depend on the device.
    """
    from torch.utils.flop_counter import FlopCounterMode

    params = {**sampler.get_params(), "epochs": 1, "device": "cpu"}
    probe = sampler.__class__(**params)
    counter = FlopCounterMode(display=False)
    with counter:
        probe.fit_resample(X, y)
    # The count also covers generating the balancing rows after the epoch:
    # a forward pass of the generator, a few percent of an epoch's FLOPs.
    return float(counter.get_total_flops())


def _matmul_peak(device: torch.device, dtype: torch.dtype, size: int) -> float:
    """FLOP/s of a square matmul: a practical peak for this device and dtype."""
    gen = torch.Generator(device=device).manual_seed(0)
    a = torch.randn(size, size, device=device, generator=gen).to(dtype)
    b = torch.randn(size, size, device=device, generator=gen).to(dtype)
    for _ in range(3):
        a @ b
    repeats = 20 if device.type == "cuda" else 3
    seconds, _ = _timed(lambda: [a @ b for _ in range(repeats)], device)
    return 2.0 * size**3 * repeats / seconds


def _ctgan_per_epoch(
    X: np.ndarray,
    y: np.ndarray,
    device: torch.device,
    epochs: tuple[int, int],
    progress,
) -> dict[str, Any] | None:
    """Seconds per epoch of CTGAN and of ours on the same rows, side by side.

    Each side is fitted at two epoch counts; the time difference divided by
    the epoch difference is the per-epoch cost without set-up (CTGAN's
    mode-specific normalisation of every column, our validation and
    scaling). Each at its defaults (CTGAN: batch 500, ours: 64), and ours at
    CTGAN's batch size too. CTGAN sees the label as one more discrete column:
    it models the joint table, as it would in an over-sampling use.
    """
    try:
        import pandas as pd
        from ctgan import CTGAN
    except ImportError:
        return None
    import ctgan

    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    frame["label"] = y.astype(str)
    low, high = epochs

    import inspect

    on_gpu = device.type == "cuda"
    gpu_flag = (
        {"enable_gpu": on_gpu}
        if "enable_gpu" in inspect.signature(CTGAN).parameters
        else {"cuda": on_gpu}
    )

    def ctgan_fit(n_epochs: int) -> float:
        model = CTGAN(epochs=n_epochs, verbose=False, **gpu_flag)
        seconds, _ = _timed(
            lambda: model.fit(frame, discrete_columns=["label"]), device
        )
        return seconds

    def ours_fit(n_epochs: int, batch_size: int) -> float:
        sampler = BayesGANOversampler(
            epochs=n_epochs, batch_size=batch_size, device=str(device), random_state=0
        )
        return _fit_seconds(sampler, X, y, device)

    progress("ctgan: fitting at two epoch counts")
    ctgan_times = {n: ctgan_fit(n) for n in (low, high)}
    ours_default = {n: ours_fit(n, 64) for n in (low, high)}
    ours_500 = {n: ours_fit(n, 500) for n in (low, high)}

    def per_epoch(times: dict[int, float]) -> float:
        return (times[high] - times[low]) / (high - low)

    result = {
        "ctgan_version": ctgan.__version__,
        "torch_threads_for_ctgan": torch.get_num_threads(),
        "epochs": [low, high],
        "ctgan_seconds": ctgan_times,
        "ours_seconds": ours_default,
        "ours_batch500_seconds": ours_500,
        "ctgan_per_epoch": per_epoch(ctgan_times),
        "ours_per_epoch": per_epoch(ours_default),
        "ours_batch500_per_epoch": per_epoch(ours_500),
    }
    result["ours_over_ctgan_per_epoch"] = (
        result["ours_per_epoch"] / result["ctgan_per_epoch"]
    )
    result["ours_batch500_over_ctgan_per_epoch"] = (
        result["ours_batch500_per_epoch"] / result["ctgan_per_epoch"]
    )
    return result


def _worker_threads(n_jobs: int) -> dict[str, list[int]]:
    """``n_threads_`` seen inside each process of ``cross_validate(n_jobs)``."""
    from imblearn.pipeline import make_pipeline
    from sklearn.model_selection import cross_validate
    from sklearn.tree import DecisionTreeClassifier

    X, y = load_imbalanced_digits()
    out = {}
    for name, params in {
        "tabular": {},
        "image": {"image_shape": (1, 8, 8)},
    }.items():
        pipe = make_pipeline(
            BayesGANOversampler(epochs=1, device="cpu", random_state=0, **params),
            DecisionTreeClassifier(random_state=0),
        )
        scores = cross_validate(pipe, X, y, cv=2, n_jobs=n_jobs, return_estimator=True)
        out[name] = [int(est.steps[0][1].n_threads_) for est in scores["estimator"]]
    return out


def _image_figures(
    device: torch.device, data_dir, quick: bool, progress
) -> dict[str, Any]:
    """The default image fit on the MNIST protocol split; 1e6 generated images."""
    from .. import datasets

    result: dict[str, Any] = {}
    try:
        X, y = datasets.load_mnist(data_dir, split="train")
    except (FileNotFoundError, OSError) as exc:
        return {"skipped": f"MNIST not found: {exc}"}
    X_imb, y_imb = datasets.make_imbalance_protocol(X, y, random_state=0)
    X_imb = X_imb.reshape(len(X_imb), -1).astype(np.float32) / 255.0
    params = {"image_shape": (1, 28, 28), "device": str(device), "random_state": 0}
    if quick:  # a smoke run: one epoch on every tenth row (every class kept)
        params["epochs"] = 1
        X_imb, y_imb = X_imb[::10], y_imb[::10]
    # A one-epoch fit on a few rows first, so that the timed fit does not pay
    # for starting CUDA and loading its kernels (the digits fits warm up too).
    warm = BayesGANOversampler(**{**params, "epochs": 1})
    warm.fit_resample(X_imb[::20], y_imb[::20])  # every class
    progress(f"images: default fit on the MNIST protocol split ({len(y_imb)} rows)")
    sampler = BayesGANOversampler(**params)
    seconds = _fit_seconds(sampler, X_imb, y_imb, device)
    progress(f"images: fit {seconds:.1f} s")
    # a quick run's one-epoch fit is not the target's default fit
    result["mnist_fit_seconds" if not quick else "mnist_quick_fit_seconds"] = seconds
    result["mnist_fit_epochs"] = sampler.config_.epochs
    n = 10_000 if quick else 1_000_000
    sampler.sample(1000, 8)  # warm-up
    progress(f"images: generating {n} images")
    seconds, _ = _timed(lambda: sampler.sample(n, 8), device)
    result["images_generated"] = n
    result["images_seconds"] = seconds
    if not quick:
        result["images_1m_seconds"] = seconds
    result["images_per_second"] = n / seconds
    progress(f"images: {n} generated in {seconds:.2f} s")
    # achieved against peak for the image step: the fit's FLOPs over its time
    flops = _flops_per_epoch(sampler, X_imb, y_imb)
    fit_key = "mnist_fit_seconds" if not quick else "mnist_quick_fit_seconds"
    achieved = flops * result["mnist_fit_epochs"] / result[fit_key]
    peak = _matmul_peak(device, torch.float32, 4096 if device.type == "cuda" else 1024)
    result["mnist_flops_per_epoch"] = flops
    result["mnist_achieved_flops_per_second"] = achieved
    result["mnist_achieved_over_matmul_peak"] = achieved / peak
    progress(
        f"images: {achieved / 1e9:.1f} GFLOP/s achieved, "
        f"{achieved / peak:.4f} of a float32 matmul's {peak / 1e9:.0f}"
    )
    return result


def _digits_figures(
    resolved: torch.device,
    X: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    repeats: int,
    quick: bool,
    ctgan: bool,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    """The tabular figures on the embedded digits, as one dict.

    Fit times and the DAG/InfoGAN ratio, ``sample()`` throughput and
    memory, threads (on a CPU), achieved vs peak, and CTGAN when asked for
    and installed.
    """
    dev = str(resolved)
    result: dict[str, Any] = {}

    def maker(cls, **params):
        return lambda: cls(device=dev, random_state=0, epochs=epochs, **params)

    progress("digits: BayesGAN vs InfoGAN, default settings, interleaved")
    times = _alternating_fits(
        {
            "bayesgan": maker(BayesGANOversampler),
            "infogan": maker(InfoGANOversampler),
            "bayesgan_entangled": maker(BayesGANOversampler, dag="entangled"),
        },
        X,
        y,
        resolved,
        repeats,
    )
    med = {name: statistics.median(ts) for name, ts in times.items()}
    result["fit_seconds"] = times
    result["digits_fit_seconds"] = med["bayesgan"]
    result["dag_over_infogan"] = med["bayesgan"] / med["infogan"]
    result["entangled_over_infogan"] = med["bayesgan_entangled"] / med["infogan"]
    progress(
        "digits: median fit {:.2f} s, DAG/InfoGAN {:.3f}".format(
            med["bayesgan"], result["dag_over_infogan"]
        )
    )

    progress("digits: sample() throughput and memory")
    fitted = BayesGANOversampler(device=dev, random_state=0, epochs=2)
    fitted.fit_resample(X, y)
    n_rows = 100_000 if quick else 1_000_000
    fitted.sample(10_000, 8)  # warm-up
    seconds, _ = _timed(lambda: fitted.sample(n_rows, 8), resolved)
    result["sample_rows"] = n_rows
    result["sample_rows_per_second"] = n_rows / seconds
    # the same rows in float32 (the output takes the training data's dtype)
    fitted32 = BayesGANOversampler(device=dev, random_state=0, epochs=2)
    fitted32.fit_resample(X.astype(np.float32), y)
    seconds, _ = _timed(lambda: fitted32.sample(n_rows, 8), resolved)
    result["sample_float32_rows_per_second"] = n_rows / seconds
    # at two sizes: the overhead over the output must not grow with it
    result["sample_memory"] = [
        _sample_memory(fitted, n_rows // 10),
        _sample_memory(fitted, n_rows),
    ]

    if resolved.type == "cpu":
        progress("threads: 1 vs torch's default, idle and with busy cores")
        default_threads = torch.get_num_threads()
        thread_times: dict[str, float] = {}
        others = max(1, (os.cpu_count() or 2) - 1)
        for load in ("idle", "busy"):
            busy = _busy_cores(others) if load == "busy" else None
            with busy or contextlib.nullcontext():
                for n in sorted({1, default_threads}):
                    sampler = BayesGANOversampler(
                        device=dev, random_state=0, epochs=epochs, n_threads=n
                    )
                    thread_times[f"{load}_threads_{n}"] = _fit_seconds(
                        sampler, X, y, resolved
                    )
        result["thread_fit_seconds"] = thread_times
        sample_rates = {}
        for n in sorted({1, default_threads}):
            fitted.n_threads_ = n  # what n_threads=n would have resolved to
            seconds, _ = _timed(lambda: fitted.sample(n_rows, 8), resolved)
            sample_rates[f"threads_{n}"] = n_rows / seconds
        fitted.n_threads_ = 1
        result["thread_sample_rows_per_second"] = sample_rates
        result["thread_fit_busy_cores"] = others
        progress("threads: n_threads_ inside cross_validate(n_jobs=2) workers")
        result["worker_threads_n_jobs_2"] = _worker_threads(2)

    progress("achieved vs peak FLOP/s")
    flops = _flops_per_epoch(maker(BayesGANOversampler)(), X, y)
    size = 4096 if resolved.type == "cuda" else 1024
    # the peak at the thread count the default fit itself uses (1 for these
    # tabular rows), and at torch's setting (all cores)
    fit_threads = resolve_threads(None, None)
    with torch_threads(fit_threads):
        peak32 = _matmul_peak(resolved, torch.float32, size)
    achieved = flops * epochs / med["bayesgan"]
    result["throughput"] = {
        "flops_per_epoch": flops,
        "achieved_flops_per_second": achieved,
        "fit_threads": fit_threads,
        "matmul_float32_flops_per_second": peak32,
        "achieved_over_matmul_peak": achieved / peak32,
        "matmul_float32_all_threads_flops_per_second": _matmul_peak(
            resolved, torch.float32, size
        ),
    }
    if resolved.type == "cuda":
        result["throughput"]["matmul_bfloat16_flops_per_second"] = _matmul_peak(
            resolved, torch.bfloat16, size
        )

    if ctgan:
        ctgan_epochs = (1, 3) if quick else (5, 25)
        comparison = _ctgan_per_epoch(X, y, resolved, ctgan_epochs, progress)
        if comparison is None:
            result["ctgan"] = "not installed (pip install ctgan)"
        else:
            result["ctgan"] = comparison
            result["ours_over_ctgan_per_epoch"] = comparison[
                "ours_over_ctgan_per_epoch"
            ]
    return result


def run_speed(
    *,
    device: str = "auto",
    quick: bool = False,
    data_dir=None,
    images: bool | None = None,
    ctgan: bool = True,
    digits: bool = True,
    repeats: int | None = None,
    progress: Callable[[str], None] = _noop,
) -> dict[str, Any]:
    """Measure the speed figures; return them as one JSON-able dict.

    Parameters
    ----------
    device : str, default="auto"
        Where the samplers train and generate.
    quick : bool, default=False
        A smoke run for CI: few epochs and rows, one repeat.
    data_dir : path, optional
        Folder with the MNIST IDX files, for the image figures.
    images : bool, optional
        Run the image figures; ``None`` means on a GPU only (a default image
        fit takes many minutes on a CPU).
    ctgan : bool, default=True
        Compare with CTGAN when it is installed.
    digits : bool, default=True
        Measure the tabular figures on the embedded digits (fits, ``sample()``
        throughput and memory, threads, achieved vs peak, CTGAN); ``False``
        leaves the image figures alone, for a short GPU call.
    repeats : int, optional
        Timed digits fits of each sampler (their median is reported);
        ``None`` means 1 when ``quick``, else 5.
    progress : callable, default=no-op
        Receives one line per stage.
    """
    resolved = resolve_device(device)
    images = resolved.type == "cuda" if images is None else images
    # 5, not 3: on a shared 2-core machine single fits vary by +-10%, and a
    # median of 3 moved the BayesGAN / InfoGAN ratio by .05 between runs.
    if repeats is None:
        repeats = 1 if quick else 5
    elif repeats < 1:
        raise ValueError(f"repeats must be >= 1; got {repeats}.")
    epochs = 3 if quick else 100  # 100 is the library default
    X, y = load_imbalanced_digits()
    result: dict[str, Any] = {
        "machine": machine_description(resolved),
        "quick": quick,
        "rows": int(X.shape[0]),
        "features": int(X.shape[1]),
        "epochs": epochs,
        "repeats": repeats,
    }

    if images:
        # First: on a GPU these are the targets, and a run cut short by a time
        # limit should have measured them before the longer digits figures.
        result["images"] = _image_figures(resolved, data_dir, quick, progress)
        for key in ("mnist_fit_seconds", "images_1m_seconds"):
            if key in result["images"]:
                result[key] = result["images"][key]

    if digits:
        result.update(
            _digits_figures(
                resolved,
                X,
                y,
                epochs=epochs,
                repeats=repeats,
                quick=quick,
                ctgan=ctgan,
                progress=progress,
            )
        )

    result["targets"] = {
        name: {
            "target": f"{op} {bound:g}",
            "value": result[name],
            "met": result[name] <= bound if op == "<=" else result[name] >= bound,
        }
        for name, (op, bound) in TARGETS.items()
        if name in result
    }
    return result


def format_speed(result: dict[str, Any]) -> str:
    """A plain-text table of the headline figures and their targets."""
    m = result["machine"]
    where = m.get("gpu", m["cpu"])
    lines = [
        f"machine: {where}, {m['cpu_count']} CPU cores, torch {m['torch']} "
        f"({m['torch_threads']} threads), device {m['device']}, {m['date']}"
        + (" [quick]" if result.get("quick") else ""),
        f"{'figure':36s} {'value':>14s}  target",
    ]
    for name, row in result["targets"].items():
        value = row["value"]
        shown = f"{value:,.0f}" if value >= 1000 else f"{value:.3f}"
        verdict = "met" if row["met"] else "NOT met"
        lines.append(f"{name:36s} {shown:>14s}  {row['target']} ({verdict})")
    if "entangled_over_infogan" in result:
        lines.append(
            f"{'entangled_over_infogan':36s} {result['entangled_over_infogan']:>14.3f}"
        )
    for mem in result.get("sample_memory", []):
        rss = mem.get("rss_peak_over_output_bytes")
        lines.append(
            f"{'sample(' + format(mem['rows'], ',') + ') peak over output':36s} "
            f"{mem['tracemalloc_peak_over_output_bytes'] / 1e6:>11.1f} MB traced"
            + ("" if rss is None else f", {rss / 1e6:.1f} MB RSS")
            + f" (output {mem['output_bytes'] / 1e6:.0f} MB)"
        )
    for name, seconds in result.get("thread_fit_seconds", {}).items():
        lines.append(f"{'fit ' + name:36s} {seconds:>13.2f}s")
    for name, rate in result.get("thread_sample_rows_per_second", {}).items():
        lines.append(f"{'sample rows/s ' + name:36s} {rate:>14,.0f}")
    if "worker_threads_n_jobs_2" in result:
        lines.append(
            f"{'n_threads_ in n_jobs=2 workers':36s} "
            f"{result['worker_threads_n_jobs_2']}"
        )
    t = result.get("throughput")
    if t is not None:
        lines.append(
            f"{'achieved / float32 matmul peak':36s} "
            f"{t['achieved_over_matmul_peak']:>14.4f}  "
            f"({t['achieved_flops_per_second'] / 1e9:.2f} of "
            f"{t['matmul_float32_flops_per_second'] / 1e9:.1f} GFLOP/s at "
            f"{t['fit_threads']} thread(s); "
            f"{t['matmul_float32_all_threads_flops_per_second'] / 1e9:.1f} at all)"
        )
    if isinstance(result.get("ctgan"), dict):
        c = result["ctgan"]
        lines.append(
            f"{'per epoch: ours / ctgan / ours@500':36s} "
            f"{c['ours_per_epoch']:.3f}s / {c['ctgan_per_epoch']:.3f}s / "
            f"{c['ours_batch500_per_epoch']:.3f}s (ctgan {c['ctgan_version']})"
        )
    elif "ctgan" in result:
        lines.append(f"ctgan: {result['ctgan']}")
    if "images" in result:
        lines.append(f"images: {result['images']}")
    return "\n".join(lines)
