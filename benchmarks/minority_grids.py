"""Real vs synthetic class-9 images per method, without training the CNN.

``imbgan benchmark paper`` draws the same grid (``samples_<dataset>.png``)
as a by-product of its runs; this script draws only the grid, from the
same split (seed 0) and the same samplers, for the docs page when the
CNN runs are not wanted:

    python benchmarks/minority_grids.py DATA_DIR OUT_DIR [DATASET] [DEVICE]

DATASET is mnist (default) or fashion-mnist; DEVICE defaults to cpu.
Writes OUT_DIR/samples_<dataset>.png.
"""

import sys
from pathlib import Path

from imbgan.benchmark import paper
from imbgan.datasets import make_imbalance_protocol

data_dir, out_dir = sys.argv[1], Path(sys.argv[2])
dataset = sys.argv[3] if len(sys.argv) > 3 else "mnist"
device = sys.argv[4] if len(sys.argv) > 4 else "cpu"
out_dir.mkdir(parents=True, exist_ok=True)

X, y = paper._default_loader(data_dir)(dataset, "train")
X_split, y_split = make_imbalance_protocol(X, y, random_state=0)
samples: dict = {}
for method in ("ros", "smote", "infogan", "bayesgan"):
    X_res, y_res, _, seconds = paper.resample(
        method, X_split, y_split, seed=0, device=device
    )
    paper._keep_minority_samples(samples, method, X_res, y_res, len(y_split))
    print(f"{dataset} {method}: {seconds:.1f} s", flush=True)
path = out_dir / f"samples_{dataset}.png"
paper.plot_minority_grid(samples, path)
print(f"wrote {path}")
