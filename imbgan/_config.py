"""The training configuration: public parameters plus the per-kind recipe.

A fit's configuration is a pure function of the estimator's parameters and
of the kind of data (tabular rows or images). The public parameters say
what a user tunes; :data:`TABULAR` and :data:`IMAGES` hold the choices that
are fixed per data kind because they were measured to be right there (on
the tabular tuning sets and the MNIST and Fashion-MNIST validation splits;
``docs/defaults.md`` gives the figures and the alternatives that lost).
:func:`resolve_config` is the one place where the two meet, so a saved
model recomputes its configuration instead of storing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._scm import Equations

__all__ = ["IMAGES", "TABULAR", "KindRecipe", "TrainingConfig", "resolve_config"]


@dataclass(frozen=True)
class KindRecipe:
    """The choices fixed for one kind of data."""

    # Units per hidden layer of the MLPs, or base channels of the convolutions,
    # when ``hidden_units=None``.
    hidden_units: int
    # Decay of the moving average of the generator's weights that samples;
    # 0.0 samples from the final weights.
    ema_decay: float
    # Weight of the generator's auxiliary-classifier term.
    class_loss_weight: float
    # Standard deviation of the noise z when sampling after training.
    noise_scale: float
    # Spectral normalisation of the discriminator's trunk and real/fake head.
    spectral_norm: bool


# Tabular rows: the averaged generator removes a linear artefact of the final
# weights' rows; a weaker class term lets rows come nearer the class boundary.
TABULAR = KindRecipe(
    hidden_units=128,
    ema_decay=0.999,
    class_loss_weight=0.3,
    noise_scale=1.3,
    spectral_norm=False,
)
# Images: spectral normalisation keeps the discriminator from memorising a
# few dozen minority images; averaging and a weaker class term lost recall.
IMAGES = KindRecipe(
    hidden_units=32,
    ema_decay=0.0,
    class_loss_weight=1.0,
    noise_scale=1.3,
    spectral_norm=True,
)


@dataclass(frozen=True)
class TrainingConfig:
    """What the training loop and the sampling need, fully resolved."""

    noise_dim: int
    n_codes: int
    n_classes: int
    epochs: int
    batch_size: int
    learning_rate: float
    reg_weight: float
    hidden_units: int
    ema_decay: float
    class_loss_weight: float
    noise_scale: float
    spectral_norm: bool
    # The structural equations that make the codes from independent draws
    # along the DAG (imbgan._scm); None: independent codes.
    code_equations: Equations | None = None
    # Replay full-batch steps as one CUDA graph on a CUDA device (the CPU
    # ignores it); the eager loop draws and computes the same.
    cuda_graphs: bool = True


def recipe_for(image_shape: Any) -> KindRecipe:
    """The recipe of the data kind ``image_shape`` implies (``None``: tabular)."""
    return TABULAR if image_shape is None else IMAGES


def resolve_config(
    params: Mapping[str, Any],
    *,
    n_classes: int,
    n_codes: int,
    image_shape: tuple[int, int, int] | None,
    code_equations: Equations | None = None,
) -> TrainingConfig:
    """The configuration of a fit from the estimator's ``get_params()``.

    Everything that decides the trained networks and their samples, and
    nothing else (``verbose``, ``device`` and ``n_threads`` are not in it).
    """
    recipe = recipe_for(image_shape)
    hidden = params["hidden_units"]
    return TrainingConfig(
        noise_dim=int(params["noise_dim"]),
        n_codes=int(n_codes),
        n_classes=int(n_classes),
        epochs=int(params["epochs"]),
        batch_size=int(params["batch_size"]),
        learning_rate=float(params["learning_rate"]),
        reg_weight=float(params["reg_lambda"]),
        hidden_units=recipe.hidden_units if hidden is None else int(hidden),
        ema_decay=recipe.ema_decay,
        class_loss_weight=recipe.class_loss_weight,
        noise_scale=recipe.noise_scale,
        spectral_norm=recipe.spectral_norm,
        code_equations=code_equations,
    )
