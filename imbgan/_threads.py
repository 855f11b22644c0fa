"""How many CPU threads torch may use for one estimator's work, and a scope.

torch's intra-op thread count is per calling thread (OpenMP's ``nthreads``
setting), so :func:`torch_threads` changes it for the caller only and puts
it back afterwards: code that runs in other threads, or after the fit, keeps
its own setting.

Why a policy at all: the tabular networks are a few 128-unit layers on
batches of 64 rows. Splitting such a layer across cores costs more in
synchronisation than it saves, and with two OpenMP threads on two cores a
fit slows down several-fold as soon as anything else runs on the other core
(measured in ``docs/speed.md``). Image networks have convolutions big
enough to share, so they keep torch's setting, which already follows
``OMP_NUM_THREADS`` and the ``cpu_count // n_jobs`` limit that joblib puts in
the environment of each process of ``GridSearchCV(n_jobs=...)``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

__all__ = ["prime_tanh", "resolve_threads", "torch_threads"]

# torch computes ``tanh`` of a contiguous float tensor on a CPU with MKL's
# vector math, in chunks of this many elements spread over the OpenMP threads.
_TANH_CHUNK = 2048


def resolve_threads(n_threads: int | None, image_shape) -> int:
    """The thread count for an estimator's ``n_threads`` and ``image_shape``."""
    if n_threads is not None:
        return int(n_threads)
    if image_shape is None:
        return 1
    return torch.get_num_threads()


def prime_tanh(n_threads: int) -> None:
    """Give each of ``n_threads`` threads one throwaway ``tanh`` chunk.

    A thread's first such chunk in a process was seen to come out, now and
    then, as the values of another approximation (up to 8e-6 off; 13 of 270
    fresh processes, none of 270 after this call: docs/guarantees.md), which
    made a process's first image fit differ from its refit. The generator's
    output layer is a ``tanh``, so the first chunk each thread computes is
    spent here, on zeros whose result is discarded. One thread computes
    every call in one chunk and needs no priming.
    """
    if n_threads > 1:
        torch.tanh(torch.zeros(_TANH_CHUNK * n_threads))


@contextlib.contextmanager
def torch_threads(n_threads: int) -> Iterator[None]:
    """Run the body with ``n_threads`` intra-op threads in this thread.

    Each thread's ``tanh`` is primed first (:func:`prime_tanh`).
    """
    previous = torch.get_num_threads()
    if previous == n_threads:
        prime_tanh(n_threads)
        yield
        return
    torch.set_num_threads(n_threads)
    try:
        prime_tanh(n_threads)
        yield
    finally:
        torch.set_num_threads(previous)
