"""Benchmark rows name the machine, the versions and the commit they came from."""

import subprocess
from importlib import metadata
from pathlib import Path

import pytest
import torch

from imbgan.benchmark import _provenance
from imbgan.benchmark._provenance import environment, source_commit

REPO = Path(__file__).resolve().parent.parent


def test_environment_names_the_processor_and_every_version():
    line = environment("cpu")
    assert f"torch {torch.__version__}" in line
    for name in ("numpy", "scikit-learn", "imbalanced-learn"):
        assert f"{name} {metadata.version(name)}" in line
    assert _provenance.cpu_model() in line


def _git(*args):
    return subprocess.run(
        ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=False
    )


def test_source_commit_is_the_checkout_head(monkeypatch):
    monkeypatch.delenv("IMBGAN_SOURCE_COMMIT", raising=False)
    head = _git("rev-parse", "--short=12", "HEAD")
    if head.returncode != 0:
        pytest.skip("not a git checkout")
    source_commit.cache_clear()
    commit = source_commit()
    assert commit is not None
    assert commit.removesuffix("+dirty") == head.stdout.strip()
    dirty = _git("diff", "--quiet", "HEAD", "--").returncode == 1
    assert commit.endswith("+dirty") == dirty


def test_source_commit_is_none_outside_its_own_repository(tmp_path, monkeypatch):
    # A copy of the package inside some other repository must not report
    # that repository's commit.
    other = tmp_path / "other"
    package = other / "lib" / "imbgan" / "benchmark"
    package.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(other),
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "unrelated",
        ],
        check=True,
    )  # a HEAD to report, were the guard missing
    monkeypatch.delenv("IMBGAN_SOURCE_COMMIT", raising=False)
    monkeypatch.setattr(_provenance, "__file__", str(package / "_provenance.py"))
    source_commit.cache_clear()
    try:
        assert source_commit() is None
    finally:
        source_commit.cache_clear()


def test_source_commit_outside_a_checkout_is_the_declared_one(tmp_path, monkeypatch):
    # A work tree copied without .git reports the commit its launcher
    # declares, and only then.
    package = tmp_path / "copy" / "imbgan" / "benchmark"
    package.mkdir(parents=True)
    monkeypatch.setattr(_provenance, "__file__", str(package / "_provenance.py"))
    monkeypatch.delenv("IMBGAN_SOURCE_COMMIT", raising=False)
    source_commit.cache_clear()
    try:
        assert source_commit() is None
        monkeypatch.setenv("IMBGAN_SOURCE_COMMIT", "0123456789ab")
        source_commit.cache_clear()
        assert source_commit() == "0123456789ab"
    finally:
        source_commit.cache_clear()


def test_a_declared_source_commit_wins_over_the_checkout(monkeypatch):
    # A copy of the work tree can carry a stale .git (an older commit,
    # "+dirty"): the commit declared by whoever launched the run wins.
    monkeypatch.setenv("IMBGAN_SOURCE_COMMIT", "feedfacecafe")
    source_commit.cache_clear()
    try:
        assert source_commit() == "feedfacecafe"
    finally:
        source_commit.cache_clear()
