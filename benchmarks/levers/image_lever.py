"""One image lever of the lab notebook, scored on the validation set.

Usage (any folder; the data are read from ``--data-dir`` or $IMBGAN_DATA)::

    OMP_NUM_THREADS=1 python image_lever.py NAME 'JSON_PARAMS' SEEDS METHODS OUT_DIR

Runs the MNIST protocol of ``imbgan benchmark paper`` with
``evaluate_on="validation"`` (1000 images per class from the official
training rows the split left out; the test set is never loaded), the GAN
methods built with ``JSON_PARAMS`` on top of the library defaults. Writes
``OUT_DIR/NAME.jsonl`` and prints the mean recall of classes 8 and 9 per
method. ``PATCHES=projection_patch,gclass_patch`` (env) first imports those
lever modules of this folder.
"""

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from imbgan.benchmark import paper

sys.path.insert(0, str(Path(__file__).parent))
for patch in filter(None, os.environ.get("PATCHES", "").split(",")):
    __import__(patch)

name, raw_params, raw_seeds, raw_methods, out_dir = sys.argv[1:6]
params = json.loads(raw_params)
seeds = [int(s) for s in raw_seeds.split(",")]
methods = raw_methods.split(",")
default_sampler = paper._gan_sampler


def make(method, **kwargs):
    return default_sampler(method, **{**kwargs, **params})


paper._gan_sampler = make
start = time.time()
rows = paper.run_paper(
    dataset="mnist",
    methods=methods,
    seeds=seeds,
    device="cpu",
    out=Path(out_dir) / f"{name}.jsonl",
    evaluate_on="validation",
    progress=lambda line: print(line, flush=True),
)
summary = {}
for method in methods:
    mine = [r for r in rows if r["method"] == method]
    summary[method] = {
        key: float(np.mean([r[key] for r in mine]))
        for key in ("recall8", "recall9", "f1_8", "f1_9", "acsa")
    }
    summary[method]["minority_recall"] = (
        summary[method]["recall8"] + summary[method]["recall9"]
    ) / 2
minutes = (time.time() - start) / 60
print(
    json.dumps(
        {"lever": name, "params": params, "summary": summary, "minutes": minutes}
    )
)
