"""GridSearchCV over imbgan pipelines on a Dask cluster (docs/distributed.md).

One tiny search runs twice: serially in this process and on a two-process
``LocalCluster`` through joblib's dask backend. The scores must be equal to
the last bit: an integer ``random_state`` makes a fit a pure function of its
parameters and data, whichever process runs it, as long as both sides use
the same number of torch and BLAS threads (another split of the work can
change the order of floating-point sums).
"""

import importlib
import logging
import os

import joblib
import numpy as np
import pytest
import torch
from imblearn.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from threadpoolctl import threadpool_limits

from imbgan import BayesGANOversampler

from .conftest import FAST

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# Set in each worker's environment before its process starts: torch, MKL and
# OpenBLAS read these once, at start-up. Dask's nanny does this by default
# (``distributed.nanny.pre-spawn-environ``); the test says it explicitly so a
# user's dask config cannot turn it off.
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")

# Generous for a loaded 2-core machine, short enough that a broken cluster
# fails the test instead of hanging CI.
CONNECT_TIMEOUT = "60s"

PARAM_GRID = {
    "gan__dag": [None, {"a": [], "b": [], "c": ["a", "b"]}],
    "gan__sampling_strategy": ["auto", {1: 60, 2: 45}],
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """A two-worker, one-thread-per-worker cluster, closed afterwards.

    The nanny writes its pre-spawn variables into this process's
    ``os.environ`` before it spawns a worker; they are put back afterwards
    so that later tests (and their subprocesses) see the environment they
    started with.
    """
    saved = dict(os.environ)
    settings = {
        f"distributed.nanny.pre-spawn-environ.{var}": "1" for var in THREAD_VARS
    }
    cluster = client = None
    try:
        # The nanny prefers this process's values to its configuration's, so
        # a CI job that exports OMP_NUM_THREADS=4 would otherwise win.
        os.environ.update(dict.fromkeys(THREAD_VARS, "1"))
        with dask.config.set(settings):
            cluster = distributed.LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                local_directory=tmp_path_factory.mktemp("dask"),
                # Workers that imported torch take a few seconds to exit and
                # the nanny logs a warning before killing them: not a failure.
                silence_logs=logging.ERROR,
            )
        client = distributed.Client(cluster, timeout=CONNECT_TIMEOUT)
        client.wait_for_workers(2, timeout=CONNECT_TIMEOUT)
        # Start the workers' imports (seconds on a busy machine) without
        # waiting: they overlap with the serial search in this process.
        warm_up = [
            client.submit(
                importlib.import_module, "imbgan", workers=[w], key=f"warm-up-{i}"
            )
            for i, w in enumerate(client.scheduler_info()["workers"])
        ]
        yield client
        del warm_up
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
        os.environ.clear()
        os.environ.update(saved)


def _search(n_jobs):
    pipe = Pipeline(
        [
            ("gan", BayesGANOversampler(**FAST, device="cpu", random_state=0)),
            ("clf", LogisticRegression(max_iter=200)),
        ]
    )
    return GridSearchCV(
        pipe,
        PARAM_GRID,
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
        scoring="balanced_accuracy",
        error_score="raise",
        n_jobs=n_jobs,
    )


def test_grid_search_on_dask_equals_serial_search(client, three_class):
    X, y = three_class
    # This process gets a worker's thread budget: one torch thread (the
    # module's fixture) and one BLAS thread for the classifier, which with
    # its default of one thread per core ran tens of times slower here when
    # the cores were busy. (The final refit runs here in both searches.)
    with threadpool_limits(limits=1):
        serial = _search(n_jobs=1).fit(X, y)
        with distributed.get_task_stream(client) as stream:
            with joblib.parallel_config(backend="dask"):
                parallel = _search(n_jobs=-1).fit(X, y)

    # The fits ran on the cluster's workers, not quietly in this process.
    fits = [t for t in stream.data if not str(t["key"]).startswith("warm-up")]
    workers = {task["worker"] for task in fits}
    assert workers and workers <= set(client.scheduler_info()["workers"])

    n_candidates = 2 * 2
    for search in (serial, parallel):
        scores = search.cv_results_["mean_test_score"]
        assert len(search.cv_results_["params"]) == n_candidates
        assert scores.shape == (n_candidates,)
        assert np.isfinite(scores).all()
    assert parallel.cv_results_["params"] == serial.cv_results_["params"]
    for key in ("split0_test_score", "split1_test_score", "mean_test_score"):
        np.testing.assert_array_equal(
            parallel.cv_results_[key], serial.cv_results_[key], err_msg=key
        )
    assert parallel.best_params_ == serial.best_params_


def test_workers_use_one_torch_thread(client):
    threads = client.run(torch.get_num_threads)
    assert len(threads) == 2
    assert set(threads.values()) == {1}
