"""Diagnosis: does each class's generated image look like its class?

Usage (``$IMBGAN_DATA`` names the folder of the IDX files)::

    OMP_NUM_THREADS=1 python diag_fidelity.py DATASET SEED METHOD OUT_DIR [N [PARAMS]]

Fits the image sampler (library defaults, ``image_shape=(1, 28, 28)``) on
the protocol split of DATASET (mnist or fashion-mnist) for SEED, saves it
(``OUT_DIR/<dataset>_<method>_s<seed>.npz``), then draws N images per
class with ``sample`` and labels each two ways: by the discriminator's own
class head (what the fidelity filter would use) and by its nearest real
image of the split (Euclidean, in pixels). Writes the two confusion
matrices and, per class, the share labelled as its own class to
``OUT_DIR/fidelity_<dataset>_<method>_s<seed>.json`` and prints them.
PARAMS, a JSON object of sampler parameters (e.g.
``'{"projection_discriminator": true}'``), is added to the defaults and
its keys to the file names.
"""

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

from imbgan import BayesGANOversampler, InfoGANOversampler
from imbgan.benchmark import paper
from imbgan.datasets import make_imbalance_protocol

dataset, seed, method, out_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
n = int(sys.argv[5]) if len(sys.argv) > 5 else 300
params = json.loads(sys.argv[6]) if len(sys.argv) > 6 else {}
tag = "".join(f"_{key}" for key in sorted(params))
out = Path(out_dir)
out.mkdir(parents=True, exist_ok=True)
X, y = paper._default_loader(os.environ.get("IMBGAN_DATA"))(dataset, "train")
X_split, y_split = make_imbalance_protocol(X, y, random_state=seed)
X_split = paper._as_unit_images(X_split)
y_split = np.asarray(y_split)
cls = {"bayesgan": BayesGANOversampler, "infogan": InfoGANOversampler}[method]
model_path = out / f"{dataset}_{method}{tag}_s{seed}.npz"
if model_path.exists():
    sampler = cls.load(model_path)
else:
    sampler = cls(image_shape=(1, 28, 28), random_state=seed, device="cpu", **params)
    start = time.perf_counter()
    sampler.fit_resample(X_split, y_split)
    print(f"fit {time.perf_counter() - start:.0f} s", flush=True)
    sampler.save(model_path)

classes = list(sampler.classes_)
k = len(classes)
head = np.zeros((k, k), dtype=int)
nearest = np.zeros((k, k), dtype=int)
reference = torch.from_numpy(X_split.astype(np.float32))
for i, klass in enumerate(classes):
    images = sampler.sample(n, klass, random_state=0).astype(np.float32)
    scaled = torch.from_numpy(sampler.scaler_.transform(images).astype(np.float32))
    with torch.no_grad():
        _, logits, _ = sampler.discriminator_(scaled)
    head[i] = np.bincount(logits.argmax(1).numpy(), minlength=k)
    distances = torch.cdist(torch.from_numpy(images), reference)
    nearest[i] = np.bincount(
        np.searchsorted(classes, y_split[distances.argmin(1).numpy()]), minlength=k
    )
result = {
    "dataset": dataset,
    "method": method,
    "params": params,
    "seed": seed,
    "n_per_class": n,
    "own_class_by_head": (np.diag(head) / n).round(3).tolist(),
    "own_class_by_nearest_real": (np.diag(nearest) / n).round(3).tolist(),
    "confusion_head": head.tolist(),
    "confusion_nearest_real": nearest.tolist(),
}
path = out / f"fidelity_{dataset}_{method}{tag}_s{seed}.json"
path.write_text(json.dumps(result, indent=1))
print("own class by head:        ", result["own_class_by_head"])
print("own class by nearest real:", result["own_class_by_nearest_real"])
for i in range(k):
    top = int(np.argmax(nearest[i] * (np.arange(k) != i)))
    print(f"class {classes[i]}: most often taken for {classes[top]} "
          f"({nearest[i, top]} of {n}, nearest real)")  # fmt: skip
