"""
A CPU smoke run of the paper's MNIST protocol (IJCAI-21, Table 1)
=================================================================


``imbgan.benchmark.paper.run_paper(dataset="mnist", quick=True)``: the
paper's imbalanced split of the official MNIST training set capped at 100
rows per class (classes 8 and 9 keep their 60 and 40), the six methods side
by side (none, class weights, ROS, SMOTE, InfoGAN, BayesGAN), one GAN epoch,
one epoch of the protocol's fixed CNN, the first 1000 official test images,
seed 0; then the summary table. About half a minute on two CPU cores. Its
numbers only show that the pipeline runs end to end: they mean nothing about
the method.

Usage::

    python examples/paper_reproduction.py [DATA_DIR]

``DATA_DIR`` holds ``mnist/`` with the four IDX files (gzipped or not);
without it, ``$IMBGAN_DATA``, else ``~/imbgan_data``. Nothing is downloaded.

The full protocol is a GPU job: per data set and seed, six trainings of the
CNN on up to 40,000 images (the 9,000 of the split, balanced to 4,000 per
class by the samplers) and two GAN trainings. From the command line::

    # Table 1: MNIST and Fashion-MNIST, all six methods, seeds 0, 1, 2
    imbgan benchmark paper --data-dir DIR --device cuda --out docs/results
    # the IR sweep on MNIST (class 9 gets round(4000 / IR) images)
    imbgan benchmark paper --data-dir DIR --dataset mnist \\
        --ir 50,100,200,300,400,500 --seeds 0,1 --device cuda --out docs/results
    # this script's smoke run, from the command line
    imbgan benchmark paper --quick --dataset mnist --data-dir DIR --device cpu

Each writes one JSON line per run to ``--out`` as it goes and prints the
same summary as below; docs/benchmarks.md says what was run where.
"""

from __future__ import annotations

import argparse
import sys
import time

import torch

from imbgan.benchmark.paper import run_paper, summarize_paper
from imbgan.datasets import data_home


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


DESCRIPTION = "A CPU smoke run of the paper's MNIST protocol (IJCAI-21, Table 1)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument(
        "data_dir",
        nargs="?",
        default=None,
        help="folder with mnist/ (default: $IMBGAN_DATA, else ~/imbgan_data)",
    )
    parser.add_argument(
        "--device", default="auto", help="auto (CUDA if available), cpu, cuda, cuda:N"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (default 1; 0 keeps torch's default of one per core)",
    )
    args = parser.parse_args(argv)
    # One thread by default: on two cores that other jobs keep busy this quick
    # run took 21 s with one thread and 69 s with torch's default of two,
    # whose threads spin-wait for a core. On an idle machine, or for the full
    # run on a CPU, more threads can pay off: --threads 0. The numbers can
    # differ in the last digits between thread counts (the order of
    # floating-point sums changes); for a given count they are repeatable.
    if args.threads > 0:
        torch.set_num_threads(args.threads)

    print(f"MNIST from {data_home(args.data_dir)}, device {args.device}", flush=True)
    start = time.perf_counter()
    try:
        rows = run_paper(
            dataset="mnist",
            quick=True,
            data_dir=args.data_dir,
            device=args.device,
            progress=_progress,
        )
    except FileNotFoundError as exc:
        # The loader's message names every path it tried and where to get
        # the files; no traceback is needed on top of it.
        print(f"error: the MNIST files are missing.\n{exc}", file=sys.stderr)
        return 1
    print(f"\n{len(rows)} runs in {time.perf_counter() - start:.0f} s\n")
    print(summarize_paper(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
