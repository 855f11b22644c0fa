"""Logistic-regression recall after ROS, SMOTE and BayesGAN; synthetic rows' shape.

Usage: ``python diag_recall.py pc1 satimage`` (``PARAMS='{"ema_decay": 0.999}'``
sets BayesGAN parameters, ``PATCHES=a,b`` imports lever modules of this
folder). One ``StratifiedKFold(5, shuffle, random_state=0)``: per method, the
mean balanced accuracy, recall and precision of the minority class, the
distance between the synthetic and the real minority mean, and the median
synthetic / real minority standard deviation (standardised features).
"""

import json
import os
import sys
import warnings

import numpy as np
from imblearn.over_sampling import SMOTE, RandomOverSampler
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, precision_score, recall_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

from imbgan import BayesGANOversampler
from imbgan.benchmark.tabular import load_tabular

warnings.filterwarnings("ignore")
for patch in filter(None, os.environ.get("PATCHES", "").split(",")):
    __import__(patch)
params = json.loads(os.environ.get("PARAMS", "{}"))

for name in sys.argv[1:]:
    X, y = load_tabular(name)
    results: dict = {}
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
        scaler = StandardScaler().fit(X[train])
        X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test])
        real = X_train[y[train] == 1]
        samplers = {
            "ros": RandomOverSampler(random_state=0),
            "smote": SMOTE(k_neighbors=3, random_state=0),
            "gan": BayesGANOversampler(random_state=0, device="cpu", **params),
        }
        for method, sampler in samplers.items():
            X_res, y_res = sampler.fit_resample(X_train, y[train])
            synthetic = X_res[len(X_train) :]
            predicted = (
                LogisticRegression(max_iter=1000).fit(X_res, y_res).predict(X_test)
            )
            results.setdefault(method, []).append(
                (
                    balanced_accuracy_score(y[test], predicted),
                    recall_score(y[test], predicted),
                    precision_score(y[test], predicted, zero_division=0),
                    np.linalg.norm(synthetic.mean(0) - real.mean(0)),
                    np.median(synthetic.std(0) / real.std(0)),
                )
            )
    for method, values in results.items():
        bacc, recall, precision, shift, ratio = np.mean(values, axis=0)
        print(
            f"{name} {method:6s} bacc {bacc:.3f} recall {recall:.3f} precision "
            f"{precision:.3f} | synthetic-mean shift {shift:.2f} std ratio {ratio:.2f}"
        )
