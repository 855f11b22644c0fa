"""Lever I9: the hinge adversarial loss instead of the non-saturating one.

Imported by image_lever.py (``PATCHES=hinge_patch``). The training step
calls ``F.binary_cross_entropy_with_logits`` three times per step, always in
this order: D on real rows (target 1), D on fake rows (target 0), G on fake
rows (target 1). This patch swaps the module's ``F`` for one whose BCE is,
by call position, the hinge loss of Lim & Ye / Miyato et al.:
``relu(1 - d_real)``, ``relu(1 + d_fake)`` and ``-d_fake``, means over the
batch. The class loss and the regularizer are untouched.
"""

import types

import torch
import torch.nn.functional as F

import imbgan._training as training

_calls = {"n": 0}


def _hinge(logits, target, *args, **kwargs):
    position = _calls["n"] % 3
    _calls["n"] += 1
    if position == 0:  # D, real rows
        return torch.relu(1.0 - logits).mean()
    if position == 1:  # D, fake rows
        return torch.relu(1.0 + logits).mean()
    return -logits.mean()  # G


training.F = types.SimpleNamespace(
    **{name: getattr(F, name) for name in dir(F) if not name.startswith("__")},
)
training.F.binary_cross_entropy_with_logits = _hinge
