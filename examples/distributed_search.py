"""
Run the grid search of ``pipeline_gridsearch.py`` on a Dask cluster
===================================================================


The same pipeline, grid and data (digits with 15 eights and 12 nines); the
only change is that scikit-learn hands its fits to Dask through joblib's
``dask`` backend. By default a ``LocalCluster`` of worker processes starts on
this machine (a minute or so on two CPU cores: on so few cores, starting the
workers costs more than the parallel fits save, so this shows the mechanics,
not a speed-up); ``--scheduler tcp://HOST:8786`` uses a running cluster.
Needs ``pip install "dask[distributed]"``. See docs/distributed.md.

Other clusters, same code:

- Dask on several machines: start a scheduler (``dask scheduler``) and on
  each machine ``dask worker tcp://scheduler:8786 --nworkers N --nthreads 1``,
  then ``Client("tcp://scheduler:8786")`` (``--scheduler`` here). With a
  batch system or Kubernetes, dask-jobqueue (``SLURMCluster``, ``PBSCluster``
  ...) or dask-kubernetes (``KubeCluster``) make the workers: pass the
  cluster object to ``Client`` and the rest is unchanged. Every worker needs
  the same versions of imbgan, torch and scikit-learn as this process.
- Ray: ``pip install ray``, then ``ray.init(address="auto")`` (or nothing,
  for a local Ray), and instead of the Dask client::

      from ray.util.joblib import register_ray

      register_ray()
      with joblib.parallel_backend("ray"):
          search.fit(X, y)

  Tell Ray's workers to use one thread each too, e.g.
  ``ray.init(runtime_env={"env_vars": {"OMP_NUM_THREADS": "1"}})``.
"""

from __future__ import annotations

import argparse
import logging
import os
import time

import joblib
import torch
from distributed import Client, LocalCluster

# The same search as the single-machine example (this folder is on sys.path
# when the script is run as ``python examples/distributed_search.py``).
from pipeline_gridsearch import imbalanced_digits, make_search, print_results
from threadpoolctl import threadpool_limits

# Read once, when a worker process starts, by torch (OpenMP), MKL and
# OpenBLAS: the way to limit a worker's threads is to set them before it
# starts.
DESCRIPTION = "Run the grid search of ``pipeline_gridsearch.py`` on a Dask cluster"


THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def local_cluster(n_workers: int, threads: int) -> LocalCluster:
    """``n_workers`` single-task worker processes, each with ``threads`` threads.

    The worker processes inherit this process's environment, so setting the
    variables here, before they start, is what limits their threads. (Dask's
    nanny would set them to 1 where they are not set, from its
    ``distributed.nanny.pre-spawn-environ`` configuration; an exported value
    wins over that.) ``LocalCluster(env=...)`` is no substitute: it is
    applied inside the worker after the process has started, and a worker
    that imports this script (as spawned processes do) has imported torch by
    then, which has already read its thread count.
    """
    # This process's own torch and BLAS have read theirs already: unchanged.
    os.environ.update(dict.fromkeys(THREAD_VARS, str(threads)))
    return LocalCluster(
        n_workers=n_workers,
        # One fit at a time per worker: its threads are the torch ones.
        threads_per_worker=1,
        processes=True,
        # ":8787" serves the dashboard (needs bokeh).
        dashboard_address=None,
        # A worker that has imported torch takes a few seconds to exit and
        # the nanny warns before killing it at shutdown: harmless.
        silence_logs=logging.ERROR,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument(
        "--scheduler",
        default=None,
        help="address of a running Dask scheduler, e.g. tcp://scheduler:8786 "
        "(default: start a LocalCluster here)",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="local worker processes (default 2)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch threads per worker (default: cores // workers, at least 1)",
    )
    parser.add_argument("--epochs", type=int, default=20, help="GAN epochs")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    # workers x threads <= cores: more and idle threads spin-wait for cores
    # that other workers hold, which makes small networks many times slower.
    threads = args.threads or max(1, joblib.cpu_count() // args.workers)

    start = time.perf_counter()
    cluster = None
    if args.scheduler is None:
        cluster = local_cluster(args.workers, threads)
        client = Client(cluster, timeout="60s")
    else:
        client = Client(args.scheduler, timeout="60s")
        # Workers already running were started with their own environment;
        # this sets the thread count of those connected now (a worker that
        # joins later keeps what it was started with: `dask worker` starts
        # its processes with 1 thread, or OMP_NUM_THREADS if set).
        client.run(torch.set_num_threads, threads)
    try:
        per_worker = client.run(torch.get_num_threads)
        print(
            f"{len(per_worker)} workers up in {time.perf_counter() - start:.1f} s; "
            f"torch threads per worker: {sorted(set(per_worker.values()))}"
        )

        X, y = imbalanced_digits()
        # n_jobs=-1: as many fits at once as the cluster has worker threads.
        search = make_search(args.epochs, args.seed, n_jobs=-1)
        # The final refit on all the data runs here, in this process: the
        # same thread rule applies.
        torch.set_num_threads(threads)
        start = time.perf_counter()
        with threadpool_limits(limits=threads):
            # scatter: send the data to the workers once, not with each fit.
            with joblib.parallel_config(backend="dask", scatter=[X, y]):
                search.fit(X, y)
        print(f"grid search on Dask: {time.perf_counter() - start:.1f} s\n")
        # The scores equal those of pipeline_gridsearch.py with the same
        # epochs, seed and threads: an integer random_state makes each fit
        # the same wherever it runs (on the CPU, for a given thread count).
        print_results(search)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    main()
