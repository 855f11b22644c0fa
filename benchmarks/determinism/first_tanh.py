"""How often a process's first ``torch.tanh`` on a CPU differs from its second.

Usage::

    python benchmarks/determinism/first_tanh.py [N_PROCESSES] [--warm MODE]

Each trial is a fresh Python process (torch's default thread count) that
applies ``torch.tanh`` twice to the same 4,096 float32 values (the size of
a generated batch of 64 digits images) and reports whether the two results
are bit-identical, and which elements differ if not. ``--warm parallel``
first applies ``torch.tanh`` to ``2048 * torch.get_num_threads()`` zeros,
enough for every OpenMP thread to take a chunk; ``--warm small`` to 8
zeros (one thread). The counts are printed at the end.

Why: the two-thread exception of docs/guarantees.md was traced to the
generator's output ``tanh`` at the first training step of a process; this
script shows the same thing without imbgan. On torch's CPU builds with
MKL, ``tanh`` of a contiguous float tensor is computed by MKL's VML in
chunks of 2,048 elements spread over the OpenMP threads; in the caught
cases the second chunk (the second thread's) came out up to 8e-6 away
from the usual values, only in the first call of the process.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys

TRIAL = r"""
import sys, torch
warm = sys.argv[1]
if warm == "parallel":
    torch.tanh(torch.zeros(2048 * torch.get_num_threads()))
elif warm == "small":
    torch.tanh(torch.zeros(8))
x = torch.randn(4096, generator=torch.Generator().manual_seed(0)) * 0.05
first, second = torch.tanh(x), torch.tanh(x)
differ = (first != second).nonzero().flatten()
if differ.numel():
    print(f"differ: {differ.numel()} elements, {differ.min().item()} to "
          f"{differ.max().item()}, largest gap {(first - second).abs().max():.2g}")
else:
    print("same")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n_processes", nargs="?", type=int, default=200)
    parser.add_argument("--warm", choices=["none", "small", "parallel"], default="none")
    args = parser.parse_args()
    counts: collections.Counter[str] = collections.Counter()
    for _ in range(args.n_processes):
        result = subprocess.run(
            [sys.executable, "-c", TRIAL, args.warm],
            capture_output=True,
            text=True,
            check=True,
        )
        line = result.stdout.strip()
        counts[line] += 1
        if line != "same":
            print(line, flush=True)
    print(f"warm-up {args.warm}, {args.n_processes} processes:", dict(counts))


if __name__ == "__main__":
    main()
