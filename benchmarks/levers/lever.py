"""One lever of the lab notebook: SMOTE and BayesGAN on the 12 tuning sets.

Usage (from this folder, so the patch modules import)::

    OMP_NUM_THREADS=1 python lever.py NAME 'JSON_PARAMS' [OUT_DIR]

``JSON_PARAMS`` are BayesGANOversampler parameters (``'{}'`` for the
defaults). A NAME containing ``snap`` applies :mod:`snap_patch`, one
containing ``mm`` applies :mod:`mm_patch`, one containing ``quant``
applies :mod:`quantile_patch`, one containing ``gclass`` applies
:mod:`gclass_patch`, one containing ``proj`` applies
:mod:`projection_patch`, one containing ``temp`` applies
:mod:`temperature_patch`, one containing ``shift`` applies
:mod:`shift_patch`, one containing ``hybrid`` applies
:mod:`hybrid_patch`, one containing ``inoise`` applies
:mod:`instance_noise_patch`, one containing ``contra`` applies
:mod:`contra_patch`, ``onehot`` :mod:`onehot_patch`, ``nnfilter``
:mod:`nnfilter_patch`, ``mix`` :mod:`mix_patch` (code levers tried before they
become library code). Writes ``OUT_DIR/NAME.jsonl`` (the suite's rows) and
prints one JSON line with the means; docs/lab_notebook.md quotes them.
``SEED`` (env, default 0) is the samplers' ``random_state``; the folds stay.
``DATASETS`` (env, comma-separated) runs only those tuning sets.
"""

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

import imbgan.benchmark.tabular as tab
from imbgan import BayesGANOversampler

name = sys.argv[1]
if "mm" in name:
    import mm_patch  # noqa: F401
if "quant" in name:
    import quantile_patch  # noqa: F401
if "gclass" in name:
    import gclass_patch  # noqa: F401
if "proj" in name:
    import projection_patch  # noqa: F401
if "temp" in name:
    import temperature_patch  # noqa: F401
if "shift" in name:
    import shift_patch  # noqa: F401
if "hybrid" in name:
    import hybrid_patch  # noqa: F401
if "inoise" in name:
    import instance_noise_patch  # noqa: F401
if "contra" in name:
    import contra_patch  # noqa: F401
if "onehot" in name:
    import onehot_patch  # noqa: F401
if "nnfilter" in name:
    import nnfilter_patch  # noqa: F401
if "mix" in name:
    import mix_patch  # noqa: F401
# After quantile_patch, so that snapping wraps whichever scaler is in place.
if "snap" in name:
    import snap_patch  # noqa: F401
params = json.loads(sys.argv[2])
out_dir = Path(sys.argv[3] if len(sys.argv) > 3 else ".")
default_sampler = tab._make_sampler


def make(method, seed, device, epochs):
    if method == "bayesgan":
        return BayesGANOversampler(random_state=seed, device=device, **params)
    return default_sampler(method, seed, device, epochs)


tab._make_sampler = make
start = time.time()
seed = int(os.environ.get("SEED", "0"))  # the samplers' random_state
# DATASETS (env, comma-separated) restricts the run to some tuning sets.
datasets = os.environ.get("DATASETS")
rows = tab.run_tabular(
    datasets=datasets.split(",") if datasets else None,
    methods=["smote", "bayesgan"],
    seed=seed,
    out=out_dir / f"{name}.jsonl",
)
by_method: dict = {}
for row in rows:
    by_method.setdefault(row["method"], []).append(row)
summary = {
    method: {
        "bacc": float(np.mean([r["bacc"] for r in method_rows])),
        "f1": float(np.mean([r["f1"] for r in method_rows])),
    }
    for method, method_rows in by_method.items()
}
minutes = (time.time() - start) / 60
result = {"lever": name, "params": params, "summary": summary, "minutes": minutes}
if datasets:
    result["datasets"] = datasets.split(",")
print(json.dumps(result))
