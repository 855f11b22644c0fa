"""Lever: sample with wider noise, z ~ N(0, T^2 I), T = env NOISE_T (default 1.5).

The inverse of the truncation trick: training is unchanged, and at
sampling time the generator is fed noise of a larger scale, to widen the
under-dispersed synthetic minority rows.
"""

import os

import imbgan._generation as gen

T = float(os.environ.get("NOISE_T", "1.5"))
_draw_latents = gen.draw_latents


def draw_latents(n, config, rng, device):
    noise, codes = _draw_latents(n, config, rng, device)
    return noise * T, codes


gen.draw_latents = draw_latents
