"""Replay the training step as one CUDA graph, on every CUDA fit that can.

On a GPU a default step (discriminator and generator updates, the
regularizer, both fused Adams) is about 320 operator calls at batch 64
(some 215 of them kernels, counted on a CPU), and the host needs longer to
dispatch each than the card to run it: an H100 ran a default MNIST image
fit at 10 ms a step, slower than the arithmetic by far.
A CUDA graph records the step's kernels once and relaunches all of them
with one call: on an H200 the default MNIST image fit took 15.2 s with the
graph and 125.3 s without (docs/speed.md).

What stays outside the graph, eagerly, so that a graphed fit draws the same
random numbers in the same order as an eager one on the same card: the
batch indices (copied into a fixed buffer), the noise and codes (drawn with
the training generator straight into fixed buffers), the last, shorter
batch of an epoch, the loss sums, the generator's moving average and every
per-epoch check. After a rollback (new optimiser state tensors, a new
learning rate, which the graph has baked in) the graph is recorded again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import torch

__all__ = ["CudaRecorder", "GraphedStep", "graphs_requested"]

# torch.cuda.graph allows one capture at a time per process; fits in other
# threads wait here for the moment a recording takes (once per fit).
_ONE_RECORDING_AT_A_TIME = threading.Lock()

# Eager steps before the first recording: lazy initialisation (optimiser
# state, cuBLAS workspaces, the regularizer's mask cache) must not happen
# inside it. PyTorch's whole-network example uses a few such steps.
_WARMUP_STEPS = 3

Step = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


def graphs_requested(device: torch.device, enabled: bool) -> bool:
    """Whether a fit on ``device`` with graphs ``enabled`` records its step.

    The caller still checks that the step can be recorded (no linear solve).
    """
    return enabled and device.type == "cuda"


class CudaRecorder:
    """How :class:`GraphedStep` runs eager steps and records a graph on CUDA.

    Kept apart so that the step's bookkeeping can be tested on a machine
    without CUDA, with a recorder that replays by calling the step.
    """

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.stream: torch.cuda.Stream | None = None  # made at the first recording

    def eager(self, fn: Callable[[], torch.Tensor]) -> torch.Tensor:
        # On a side stream, as PyTorch's capture recipe warms up. The device
        # guard makes the side stream and every stream call those of this
        # fit's device, not of whichever device is current (cuda:1 vs 0).
        with torch.cuda.device(self.device):
            side = torch.cuda.Stream(device=self.device)
            side.wait_stream(torch.cuda.current_stream(self.device))
            with torch.cuda.stream(side):
                out = fn()
            main = torch.cuda.current_stream(self.device)
            main.wait_stream(side)
            out.record_stream(main)  # made on the side stream, read on the main one
        return out

    def record(
        self, fn: Callable[[], torch.Tensor]
    ) -> tuple[Callable[[], None], torch.Tensor]:
        """Record ``fn`` without running it; return (replay, its output)."""
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.device(self.device), _ONE_RECORDING_AT_A_TIME:
            # A capture stream of this fit's own, on its device: torch's
            # default capture stream is one per process, made on whichever
            # device was current when the first graph was recorded.
            if self.stream is None:
                self.stream = torch.cuda.Stream(device=self.device)
            # thread_local: fits running in other threads (a threaded grid
            # search) may use CUDA while this one records.
            with torch.cuda.graph(
                graph, stream=self.stream, capture_error_mode="thread_local"
            ):
                out = fn()
        device = self.device

        def replay() -> None:
            # A graph launches on the current stream of the current device.
            with torch.cuda.device(device):
                graph.replay()

        return replay, out


class GraphedStep:
    """A training step ``step(idx, noise, codes) -> losses``, replayed as a graph.

    Parameters
    ----------
    step : callable
        One full training step on the given batch indices, noise and codes;
        returns the step's losses as one tensor. It must not synchronise
        with the host nor allocate host memory.
    batch_size : int
        Rows of a full batch: only full batches are graphed.
    noise_dim, n_codes : int
        Widths of the noise and the observed codes.
    device : torch.device
        A CUDA device.
    recorder : CudaRecorder, optional
        Runs the eager warm-up steps and records the graph; by default
        ``CudaRecorder(device)``.
    """

    def __init__(
        self,
        step: Step,
        batch_size: int,
        noise_dim: int,
        n_codes: int,
        device: torch.device,
        recorder: CudaRecorder | None = None,
    ) -> None:
        self.step = step
        self.batch_size = batch_size
        self.recorder = CudaRecorder(device) if recorder is None else recorder
        self.idx = torch.zeros(batch_size, dtype=torch.long, device=device)
        self.noise = torch.zeros(batch_size, noise_dim, device=device)
        self.codes = torch.zeros(batch_size, n_codes, device=device)
        self.replay: Callable[[], None] | None = None
        self.losses: torch.Tensor | None = None
        self.eager_steps = 0
        self.recordings = 0  # how many times the step was recorded

    def reset(self) -> None:
        """Forget the recording (after a rollback replaced optimiser state)."""
        self.replay = None
        self.losses = None
        self.eager_steps = 0

    def _step_on_buffers(self) -> torch.Tensor:
        return self.step(self.idx, self.noise, self.codes)

    def run(self, idx: torch.Tensor, rng: torch.Generator) -> torch.Tensor:
        """One step on the full batch ``idx``; noise and codes drawn from ``rng``.

        The draws are those of :func:`imbgan._training.draw_latents`, in the
        same order, written into the fixed buffers the graph reads.
        """
        self.idx.copy_(idx)
        torch.randn(self.noise.shape, generator=rng, out=self.noise)
        self.codes.uniform_(-1, 1, generator=rng)
        if self.replay is None:
            if self.eager_steps < _WARMUP_STEPS:
                self.eager_steps += 1
                return self.recorder.eager(self._step_on_buffers)
            self.replay, self.losses = self.recorder.record(self._step_on_buffers)
            self.recordings += 1
        # After a recording (which runs nothing) this is the batch's step.
        self.replay()
        return self.losses
