"""GridSearchCV over imbgan pipelines on a Dask cluster (docs/distributed.md).

One tiny search runs twice: serially in this process and through joblib's
dask backend on a ``LocalCluster`` of two single-threaded workers. The
scores must be equal to the last bit: an integer ``random_state`` makes a
fit a pure function of its parameters and data, whichever worker runs it,
as long as both sides use the same number of torch and BLAS threads
(another split of the work can change the order of floating-point sums).

The workers are threads of this process (``processes=False``): no worker
process has to start and import torch, no nanny, no network, so a loaded
machine cannot leave the search waiting on workers that never got going.
That fits of one seed give the same bytes in other processes is tested in
``test_robustness.py``. Every step that waits on the cluster has a bound of
its own, well inside the test's timeout, so a broken cluster fails the test
with a message instead of hanging the suite.
"""

import logging
import threading

import joblib
import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from threadpoolctl import threadpool_limits

from imbgan import BayesGANOversampler

from .conftest import FAST

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# Bounds in seconds, generous for a loaded 2-core machine (the whole module
# takes about 15 s on an idle one) and short enough that a stuck cluster
# fails instead of hanging CI. Their sum stays under the test's own timeout,
# so the messages below, not pytest-timeout's stack dump, report a failure.
START_TIMEOUT = 30  # cluster, client and both workers up
SEARCH_TIMEOUT = 120  # the search on the cluster
CLOSE_TIMEOUT = 20  # client and cluster shut down
TEST_TIMEOUT = 240

PARAM_GRID = {
    "gan__dag": [None, {"a": [], "b": [], "c": ["a", "b"]}],
    "gan__sampling_strategy": ["auto", {1: 60, 2: 45}],
}


@pytest.fixture
def client():
    """Two in-process workers of one thread each, closed afterwards."""
    cluster = client = None
    try:
        cluster = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = distributed.Client(cluster, timeout=f"{START_TIMEOUT}s")
        client.wait_for_workers(2, timeout=START_TIMEOUT)
        yield client
    finally:
        if client is not None:
            client.close(timeout=CLOSE_TIMEOUT)
        if cluster is not None:
            cluster.close(timeout=CLOSE_TIMEOUT)


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


def _fit_on_cluster(client, X, y):
    """The search through joblib's dask backend, given SEARCH_TIMEOUT seconds.

    joblib waits for the cluster without a timeout of its own, so the search
    runs in a daemon thread that the test stops waiting for. Closing the
    client afterwards cancels what is left, which ends joblib's wait.
    """
    outcome = {}

    def fit():
        try:
            with joblib.parallel_config(
                backend="dask", wait_for_workers_timeout=START_TIMEOUT
            ):
                outcome["search"] = _search(n_jobs=-1).fit(X, y)
        except BaseException as exc:  # re-raised in the test's thread
            outcome["error"] = exc

    worker = threading.Thread(target=fit, name="dask-search", daemon=True)
    worker.start()
    worker.join(SEARCH_TIMEOUT)
    if worker.is_alive():
        pytest.fail(
            f"the search on the dask cluster did not finish in {SEARCH_TIMEOUT} s; "
            f"tasks the scheduler has on each worker: {client.processing()}"
        )
    if "error" in outcome:
        raise outcome["error"]
    return outcome["search"]


@pytest.mark.timeout(TEST_TIMEOUT)
def test_grid_search_on_dask_equals_serial_search(client, three_class):
    X, y = three_class
    # One BLAS thread for the classifiers on both sides (threadpoolctl's
    # limit holds for the whole process, the workers' threads included);
    # the samplers train tabular data on one torch thread by themselves.
    with threadpool_limits(limits=1):
        serial = _search(n_jobs=1).fit(X, y)
        with distributed.get_task_stream(client) as stream:
            parallel = _fit_on_cluster(client, X, y)

    # The fits ran on the cluster's workers, not quietly in this thread.
    workers = {task["worker"] for task in stream.data}
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
