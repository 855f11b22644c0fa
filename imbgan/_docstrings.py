"""Parameter and attribute text shared by the two samplers' docstrings.

Both samplers take the same parameters but ``dag`` and ``regularizer``;
their docstrings are completed from these texts so that each parameter is
described once.
"""

from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils._docstring import _random_state_docstring

__all__ = ["substitutions"]

_PARAMETERS = """reg_lambda : float, default=1.0
        Weight of the latent-code term in the generator's loss: the DAG
        regularizer of :class:`BayesGANOversampler` (the paper's lambda) or
        the mutual-information term of :class:`InfoGANOversampler`. Raise it
        to make the codes follow their structure more strictly; 0 turns the
        term off.

    n_codes : int, default=None
        Number of observed latent codes ``c``: the handles :meth:`sample`
        can set. Each is made from an independent draw on ``[-1, 1]``, and
        with a DAG also from its parents. ``None`` means 3, or the number of
        codes named by ``dag`` when a DAG is given.

    image_shape : tuple of (int, int, int), default=None
        ``(channels, height, width)`` when each row of ``X`` is a flattened
        image (C-order, as ``images.reshape(n, -1)``); selects the DCGAN-style
        convolutional networks. Height and width must be at least 8 and their
        product with ``channels`` must equal the number of features. ``None``
        means tabular rows and fully connected networks.

    noise_dim : int, default=32
        Size of the unstructured noise ``z ~ N(0, I)``: the variation the
        codes do not control.

    hidden_units : int, default=None
        Width of the networks: units per hidden layer of the MLPs, or the base
        number of channels of the convolutional networks. ``None`` means 128
        for tabular rows and 32 for images. Wider networks can model more
        complex data, at a cost in time.

    epochs : int, default=100
        Passes over the training data. Fewer is faster and rougher.

    batch_size : int, default=64
        Rows per mini-batch (capped at the number of rows). Batches are drawn
        with equal probability per class, so the GAN sees minority classes as
        often as majority ones.

    learning_rate : float, default=1e-3
        Adam step size for both networks (``betas=(0.5, 0.999)``). Lower it if
        training diverges (a divergence is rolled back and the rate cut
        automatically, a few times).

    fidelity_threshold : float, default=None
        When set, each synthetic sample conditioned on class ``k`` is kept
        only if the discriminator's class head assigns it to ``k`` with
        probability at least ``fidelity_threshold`` (``0.0`` keeps every
        sample whose most likely class is ``k``). Rejected samples are
        redrawn; after a bounded number of rounds the most confident rejected
        samples fill the remaining places, so counts are always exact.
        ``None`` keeps every sample.

    redraw_contradictions : bool, default=True
        In :meth:`fit_resample`, redraw every synthetic row of class ``k``
        that is identical to a training row of another class, which would
        otherwise be label noise by construction. Such rows arise on discrete
        data, where generated values snap to observed levels. After a bounded
        number of rounds, rows still contradicting are kept, so counts are
        always exact. On continuous data it changes nothing. :meth:`sample`
        does not screen, as it has no training rows at hand.

    copy_fraction : float in [0, 1], default=0.5
        In :meth:`fit_resample`, the share of each class's new rows that are
        copies of its real training rows, drawn uniformly with replacement
        as :class:`~imblearn.over_sampling.RandomOverSampler` draws them;
        the rest are generated. 0 generates every new row, 1 is random
        over-sampling. Copies keep the class's exact rows in the data while
        the generated rows add variations of them. :meth:`sample` always
        generates.

    max_discrete_levels : int, default=10
        A tabular column with at least 2 and at most ``max_discrete_levels``
        distinct values in ``X`` is treated as discrete: every generated
        value is replaced by the nearest value that column takes in ``X``,
        so flags, counts and encoded categories keep their levels. 0 turns
        this off (values are only clipped to the observed range, and
        integer columns rounded). Ignored for images.

    feature_scaling : {{"auto", "quantile", "minmax"}}, default="auto"
        How tabular columns are mapped onto the generator's ``[-1, 1]``
        range and back. ``"quantile"``: through each column's empirical
        distribution (up to 1,000 training quantiles), so heavy tails and
        spikes are spread over the range and generated values follow each
        column's observed marginal. ``"minmax"``: affinely from each
        column's observed ``[min, max]``, which keeps linear structure
        between columns. ``"auto"`` means ``"quantile"`` for tabular rows
        and one global min-max range for images, the only scaling images
        accept.

    device : str, default="auto"
        ``"auto"`` (CUDA if available, else CPU), ``"cpu"``, ``"cuda"`` or
        ``"cuda:N"``. Resolved at fit time into ``device_``. On a CUDA device
        the training step is recorded once as a CUDA graph and replayed.

    n_threads : int, default=None
        CPU threads torch may use while this estimator trains or samples. It
        is set for the calling thread only and restored afterwards, so other
        code keeps its setting. ``None`` means 1 for tabular rows, whose
        layers are too small to split across cores, and torch's current
        setting for images (it follows ``OMP_NUM_THREADS`` and what joblib
        gives each process of ``GridSearchCV(n_jobs=...)``). Pass it
        explicitly when fitting several estimators in threads of one process,
        and pass 1 where image outputs must repeat bit for bit.

    {random_state}

        Outputs are bit-identical for the same integer seed on the CPU.

    verbose : int, default=0
        0 is silent, 1 shows a progress bar, 2 prints losses every epoch."""


_ATTRIBUTES = """sampling_strategy_ : dict
        Number of samples generated per class.

    classes_ : ndarray of shape (n_classes,)
        Class labels seen during fit.

    n_codes_ : int
        Number of latent codes.

    code_names_ : list of str
        The codes' names in code order: the DAG's names, or ``"c0"`` to
        ``"c{k-1}"`` for :class:`InfoGANOversampler`. :meth:`sample`'s ``do``
        and the columns of :meth:`encode` use them.

    hidden_units_ : int
        The resolved network width.

    image_shape_ : tuple or None
        Validated ``image_shape``.

    device_ : torch.device
        Where the networks live.

    n_threads_ : int
        CPU threads torch used for training and uses for sampling (the
        resolved ``n_threads``).

    generator_, discriminator_ : torch.nn.Module
        The trained networks, in eval mode.

    scaler_ : object
        Maps features to ``[-1, 1]`` and back; its ``levels_`` maps the
        index of each discrete column to the levels samples snap to.

    config_ : object
        The resolved training configuration: the parameters above together
        with the choices fixed for the kind of data (tabular rows or images;
        see the documentation's page on how the defaults were chosen).

    history_ : dict of str to list of float
        Per-epoch mean losses ``d_loss``, ``g_loss``, ``class_loss``,
        ``reg_loss``, and the ``learning_rate`` used (lower after a
        divergence rollback).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names seen during fit, when ``X`` has string column names."""


def substitutions() -> dict[str, str]:
    """The texts ``imblearn.utils.Substitution`` puts into the docstrings."""
    return {
        "sampling_strategy": BaseOverSampler._sampling_strategy_docstring,
        "shared": _PARAMETERS.format(random_state=_random_state_docstring),
        "attributes": _ATTRIBUTES,
    }
