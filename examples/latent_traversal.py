"""
Latent traversal: what each code of a prescribed DAG does to a minority digit
=============================================================================


sklearn's embedded digits (8x8 images) are made imbalanced by keeping only
15 eights and 12 nines. A BayesGANOversampler with the DAG
``thickness -> stroke <- width`` is fitted on them, and the script writes
into ``--out`` (default ``./traversal-output``):

- ``dag.png``: the latent DAG;
- ``traversal_<code>.png``: for each code, nines drawn while that code goes
  from -1 to 1 and the other codes and the noise stay fixed (the paper's
  Fig. 4 d/e);
- ``samples.png``: real and synthetic digits of each over-sampled class;
- ``history.png``: the training losses per epoch.

The default of 60 epochs keeps the run under a minute on two CPU cores.
Pass ``--epochs`` to trade time for sample quality. Needs matplotlib
(``pip install imbgan[plot]``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from imbgan import BayesGANOversampler
from imbgan.datasets import load_imbalanced_digits
from imbgan.plotting import plot_dag, plot_history, plot_samples, plot_traversal

DESCRIPTION = (
    "Latent traversal: what each code of a prescribed DAG does to a minority digit"
)


MINORITY = {8: 15, 9: 12}
DAG = {"thickness": [], "width": [], "stroke": ["thickness", "width"]}


def imbalanced_digits() -> tuple[np.ndarray, np.ndarray]:
    """Digits with classes 8 and 9 cut to ``MINORITY`` samples (the first ones)."""
    return load_imbalanced_digits(MINORITY)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument(
        "--out", type=Path, default=Path("traversal-output"), help="output folder"
    )
    parser.add_argument("--epochs", type=int, default=60, help="GAN epochs")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch CPU threads (default 1)"
    )
    args = parser.parse_args(argv)
    # The networks are tiny: extra threads gain nothing, and on a busy 2-core
    # machine their spin-waiting made training ten times slower.
    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)

    X, y = imbalanced_digits()
    counts = dict(enumerate(np.bincount(y).tolist()))
    print(f"digits: {X.shape[0]} rows, class counts {counts}")

    start = time.perf_counter()
    sampler = BayesGANOversampler(
        dag=DAG, image_shape=(1, 8, 8), epochs=args.epochs, random_state=0
    )
    sampler.fit_resample(X, y)
    print(f"fitted {args.epochs} epochs in {time.perf_counter() - start:.1f} s")

    paths = [args.out / "dag.png"]
    plot_dag(sampler.dag_, path=paths[-1])
    for name in sampler.dag_.names:
        paths.append(args.out / f"traversal_{name}.png")
        plot_traversal(sampler, y=9, code=name, path=paths[-1])
    paths.append(args.out / "samples.png")
    plot_samples(sampler, classes=[8, 9], X=X, y=y, path=paths[-1])
    paths.append(args.out / "history.png")
    plot_history(sampler, path=paths[-1])
    for path in paths:
        print(path)


if __name__ == "__main__":
    main()
