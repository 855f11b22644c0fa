"""Lever: a smaller weight on the generator's auxiliary-classifier term.

An AC-GAN generator is rewarded for rows its class head finds easy, which
pulls synthetic minority rows away from the class boundary (the
under-dispersion the lab notebook measured). ``G_CLASS_WEIGHT`` (env,
default 0.1) replaces the weight 1 of the library.
"""

import os

import imbgan._training as training

if not hasattr(training, "_GENERATOR_CLASS_WEIGHT"):
    # Since the weight became the class_loss_weight parameter, setting the
    # old constant would silently change nothing.
    raise ImportError(
        "this library has the class_loss_weight parameter: pass it in the "
        "lever's JSON parameters instead of G_CLASS_WEIGHT"
    )
training._GENERATOR_CLASS_WEIGHT = float(os.environ.get("G_CLASS_WEIGHT", "0.1"))
