"""Lever: a smaller weight on the generator's auxiliary-classifier term.

An AC-GAN generator is rewarded for rows its class head finds easy, which
pulls synthetic minority rows away from the class boundary (the
under-dispersion the lab notebook measured). ``G_CLASS_WEIGHT`` (env,
default 0.1) replaces the weight 1 of the library.
"""

import os

import imbgan._training as training

training._GENERATOR_CLASS_WEIGHT = float(os.environ.get("G_CLASS_WEIGHT", "0.1"))
