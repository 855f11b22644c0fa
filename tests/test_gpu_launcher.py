"""The lent-GPU launcher starts the workers its options ask for.

``benchmarks/gpu/one_session.sh`` runs on a machine this suite never sees,
with minutes that cannot be spent on a wrong worker list; here every
``python3`` it calls is a stub that records its arguments, so the test
checks which benchmark runs it would start, not the runs themselves.
"""

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

LAUNCHER = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu" / "one_session.sh"

pytestmark = pytest.mark.skipif(
    shutil.which("bash") is None, reason="the launcher is a bash script"
)


def _workers(tmp_path: Path, **env: str) -> list[tuple[str, ...]]:
    """Every run the launcher starts, sorted.

    ``("paper", dataset, methods, seeds, ir or None)`` for a protocol or sweep
    worker, ``("disentangle", method, seeds)`` for a FactorVAE worker.
    """
    stub_dir = tmp_path / "stub"
    stub_dir.mkdir()
    calls = tmp_path / "calls.txt"
    stub = stub_dir / "python3"
    stub.write_text(f'#!/bin/sh\necho "$@" >> "{calls}"\n')
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    work = tmp_path / "work"
    (work / "benchmarks" / "gpu").mkdir(parents=True)
    shutil.copy(LAUNCHER, work / "benchmarks" / "gpu" / "one_session.sh")
    run_env = {
        **os.environ,
        "PATH": f"{stub_dir}{os.pathsep}{os.environ['PATH']}",
        "DEVICE": "cpu",
        "END_AFTER": "300",
        "NO_TESTS": "1",
        "OUT": str(tmp_path / "out"),
        **env,
    }
    subprocess.run(
        ["bash", "benchmarks/gpu/one_session.sh"],
        cwd=work,
        env=run_env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    found = []
    for line in calls.read_text().splitlines():
        paper = re.search(
            r"benchmark paper .*--dataset (\S+) --methods (\S+) --seeds (\S+)"
            r"(?: --ir (\d+))?",
            line,
        )
        if paper:
            found.append(("paper", *paper.groups()))
        dis = re.search(r"benchmark disentangle --methods (\S+) --seeds (\S+)", line)
        if dis:
            found.append(("disentangle", *dis.groups()))
    return sorted(found, key=str)


def test_protocol_and_sweep_start_one_worker_per_gan_run_and_per_baseline_seed(
    tmp_path,
):
    workers = _workers(
        tmp_path,
        PHASES="protocol sweep",
        PROTOCOL_DATASETS="mnist",
        PROTOCOL_SEEDS="0 1",
        SWEEP_IRS="500",
        SWEEP_SEEDS="0",
    )
    baselines = "none,weighted,ros,smote"
    expected = [
        ("paper", "mnist", baselines, "0", None),
        ("paper", "mnist", baselines, "1", None),
        ("paper", "mnist", baselines, "0", "500"),
    ] + [
        ("paper", "mnist", method, seed, ir)
        for method in ("bayesgan", "infogan")
        for seed, ir in (("0", None), ("1", None), ("0", "500"))
    ]
    assert workers == sorted(expected, key=str)


def test_baselines_off_starts_only_the_gan_workers_extra_seeds_included(tmp_path):
    workers = _workers(
        tmp_path,
        PHASES="protocol sweep",
        PROTOCOL_DATASETS="fashion-mnist",
        PROTOCOL_SEEDS="3",
        PROTOCOL_BASELINES="0",
        SWEEP_IRS="400",
        SWEEP_SEEDS="0",
        SWEEP_BASELINES="0",
        SWEEP_EXTRA="500:4,5",
    )
    expected = [
        ("paper", dataset, method, seed, ir)
        for method in ("bayesgan", "infogan")
        for dataset, seed, ir in (
            ("fashion-mnist", "3", None),
            ("mnist", "0", "400"),
            ("mnist", "4", "500"),
            ("mnist", "5", "500"),
        )
    ]
    assert workers == sorted(expected, key=str)


def test_disentangle_seeds_are_chosen(tmp_path):
    workers = _workers(tmp_path, PHASES="disentangle", DISENTANGLE_SEEDS="3 7")
    assert workers == sorted(
        [
            ("disentangle", method, seed)
            for method in ("bayesgan", "infogan")
            for seed in ("3", "7")
        ],
        key=str,
    )
