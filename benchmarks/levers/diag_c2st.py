"""Boundary coverage and a classifier two-sample test of synthetic minority rows.

Usage: ``python diag_c2st.py satimage pc1`` (``PARAMS`` and ``PATCHES`` as in
diag_recall.py). On standardised features, BayesGAN fitted on the whole set:

- boundary coverage: the decision function of a reference logistic
  regression (real rows, ``class_weight="balanced"``) on the real and on
  2,000 synthetic minority rows: median, and share on the majority side;
- C2ST: the 5-fold ROC AUC of a logistic regression telling real minority
  rows from as many synthetic ones (0.5: indistinguishable), for BayesGAN
  and for SMOTE (``k_neighbors=3``).
"""

import json
import os
import sys
import warnings

import numpy as np
from imblearn.over_sampling import SMOTE
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.preprocessing import StandardScaler

from imbgan import BayesGANOversampler
from imbgan.benchmark.tabular import load_tabular

warnings.filterwarnings("ignore")
for patch in filter(None, os.environ.get("PATCHES", "").split(",")):
    __import__(patch)
params = json.loads(os.environ.get("PARAMS", "{}"))


def c2st_auc(real: np.ndarray, synthetic: np.ndarray) -> float:
    rows = np.vstack([real, synthetic])
    is_synthetic = np.r_[np.zeros(len(real)), np.ones(len(synthetic))]
    model = LogisticRegression(max_iter=2000)
    return cross_val_score(model, rows, is_synthetic, cv=5, scoring="roc_auc").mean()


for name in sys.argv[1:]:
    X, y = load_tabular(name)
    X = StandardScaler().fit_transform(X)
    real = X[y == 1]
    sampler = BayesGANOversampler(random_state=0, device="cpu", **params)
    sampler.fit_resample(X, y)
    reference = LogisticRegression(max_iter=2000, class_weight="balanced").fit(X, y)
    score_real = reference.decision_function(real)
    score_fake = reference.decision_function(sampler.sample(2000, 1))
    smote = SMOTE(k_neighbors=3, random_state=0).fit_resample(X, y)[0][len(X) :]
    gan_auc = c2st_auc(real, sampler.sample(len(real), 1, random_state=1))
    print(
        f"{name} {os.environ.get('PATCHES', '')} {params}: boundary median real "
        f"{np.median(score_real):.2f} synthetic {np.median(score_fake):.2f}, on the "
        f"majority side real {np.mean(score_real < 0):.2f} synthetic "
        f"{np.mean(score_fake < 0):.2f} | C2ST AUC gan {gan_auc:.3f} smote "
        f"{c2st_auc(real, smote[: len(real)]):.3f}"
    )
