"""imbgan: interpretable minority synthesis for imbalanced classification.

An imbalanced-learn over-sampler built on a conditional GAN whose latent
codes follow a user-prescribed dependency structure (IMSIC, IJCAI-21).
"""

from ._dag import LatentDAG
from ._sampler import BayesGANOversampler, InfoGANOversampler

__all__ = ["BayesGANOversampler", "InfoGANOversampler", "LatentDAG"]
__version__ = "0.1.0.dev0"
