"""Where a benchmark row came from: the machine, the library versions, the commit.

CPU arithmetic is bit-reproducible only on the same processor with the same
library versions: the same commit and seed give different rows on two
processors of different kinds. So every result
row names its environment and the source commit, and rows are compared
side by side only when these agree.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import platform
import subprocess
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

import torch

_PACKAGES = ("numpy", "scikit-learn", "imbalanced-learn")


@functools.cache
def cpu_model() -> str:
    """The processor's model name (Linux), else what :mod:`platform` says."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    return cpu


@functools.cache
def _versions() -> str:
    parts = [f"python {platform.python_version()}", f"torch {torch.__version__}"]
    for name in _PACKAGES:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} absent")
    return ", ".join(parts)


def environment(device: str | torch.device) -> str:
    """One line naming the hardware and versions that ``device`` runs on.

    The processor and core count always (the CPU prepares every batch),
    the GPU's name for a CUDA device, then the versions of Python, torch,
    numpy, scikit-learn and imbalanced-learn.
    """
    device = torch.device(device)
    where = f"{cpu_model()} x{os.cpu_count()}"
    if device.type == "cuda" and torch.cuda.is_available():
        where += f", {torch.cuda.get_device_name(device)}"
    return f"{where}; {_versions()}"


@functools.cache
def source_commit() -> str | None:
    """The git commit this copy of imbgan was loaded from, or None.

    ``<sha>+dirty`` when tracked files differ from that commit. The
    environment variable ``IMBGAN_SOURCE_COMMIT``, when set, wins: a script
    that copies a checkout to another machine declares its commit so, as
    the copy may carry no ``.git`` or a stale one. None when
    nothing is declared and the package does not sit at the top of a git
    work tree (an installed wheel, or git missing), rather than the commit
    of some unrelated repository that happens to contain the install.
    """
    declared = os.environ.get("IMBGAN_SOURCE_COMMIT", "").strip()
    if declared:
        return declared
    package = Path(__file__).resolve().parent.parent

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["git", "-C", str(package), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )

    try:
        top = git("rev-parse", "--show-toplevel")
        if top.returncode != 0 or Path(top.stdout.strip()).resolve() != package.parent:
            return None
        sha = git("rev-parse", "--short=12", "HEAD")
        if sha.returncode != 0:
            return None
        dirty = git("diff", "--quiet", "HEAD", "--").returncode == 1
    except (OSError, subprocess.SubprocessError):
        return None
    return sha.stdout.strip() + ("+dirty" if dirty else "")


def append_jsonl(path: Path, row: Mapping) -> None:
    """Append ``row`` to the JSON-lines file ``path`` and flush it, so an
    interrupted benchmark keeps every row it measured."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(row) + "\n")
        handle.flush()
