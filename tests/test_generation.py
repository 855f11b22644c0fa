"""Mapping generated rows back on the generator's device (DeviceFinish)."""

import numpy as np
import pytest
import torch

import imbgan._generation as generation
from imbgan import BayesGANOversampler
from imbgan._generation import DeviceFinish, device_finish
from imbgan._scaling import QuantileScaler, RangeScaler


def _scaled(n_rows, n_features, seed=0):
    # beyond [-1, 1] on purpose, so that clipping is exercised
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.3, 1.3, size=(n_rows, n_features)).astype(np.float32)


def _images(dtype):
    rng = np.random.default_rng(1)
    X = rng.integers(0, 256, size=(40, 36)).astype(dtype)
    X[:, 0] = 0  # a constant pixel
    return X


CASES = {
    "uint8 images": (lambda: _images(np.uint8), dict(per_feature=False), None),
    "float32 images": (
        lambda: _images(np.float32) / np.float32(255),
        dict(per_feature=False),
        None,
    ),
    "float64 table, two integer columns": (
        lambda: np.random.default_rng(2).normal(5, 3, size=(50, 6)),
        dict(per_feature=True),
        np.array([True, False, False, True, False, False]),
    ),
    "int64 table": (
        lambda: np.random.default_rng(3).integers(-7, 90, size=(50, 5)),
        dict(per_feature=True),
        None,
    ),
    "float16 table": (
        lambda: np.random.default_rng(4).normal(0, 1, size=(50, 4)).astype(np.float16),
        dict(per_feature=True),
        None,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_device_finish_gives_the_numpy_map_back_bit_for_bit(case):
    make, params, integer_columns = CASES[case]
    X = make()
    scaler = RangeScaler(**params).fit(X, integer_columns)
    Z = _scaled(300, X.shape[1])
    expected = scaler.inverse_transform(Z)
    got = DeviceFinish(scaler, torch.device("cpu"))(torch.from_numpy(Z))
    assert got.dtype == expected.dtype == X.dtype
    np.testing.assert_array_equal(got, expected)


def test_inverse_transform_leaves_its_input_alone():
    X = np.random.default_rng(5).normal(size=(20, 3))
    scaler = RangeScaler().fit(X)
    Z = _scaled(10, 3).astype(np.float64)
    before = Z.copy()
    out = scaler.inverse_transform(Z)
    np.testing.assert_array_equal(Z, before)  # mapped back in a copy
    assert not np.shares_memory(out, Z)


def test_device_finish_is_only_used_where_it_is_exact_and_worth_it():
    X = np.random.default_rng(6).normal(size=(30, 3))
    cuda = torch.device("cuda")  # a descriptor only: nothing is put on it
    # a CPU keeps numpy: faster there, and bit-identical by construction
    assert device_finish(RangeScaler().fit(X), torch.device("cpu")) is None
    # quantile scaling and discrete levels map back differently
    assert device_finish(QuantileScaler().fit(X), cuda) is None
    levels = np.repeat([[0.0, 1.0, 2.0]], 10, axis=0).T.reshape(-1, 1)
    assert device_finish(RangeScaler(max_levels=5).fit(levels), cuda) is None
    # an output dtype torch lacks
    assert device_finish(RangeScaler().fit(X.astype(np.uint32)), cuda) is None


def test_cpu_sampling_never_builds_a_device_finish(monkeypatch, digits):
    X, y = digits
    sampler = BayesGANOversampler(
        epochs=1, hidden_units=16, noise_dim=4, device="cpu", random_state=0
    )
    sampler.fit_resample(X, y)

    def fail(*args, **kwargs):
        raise AssertionError("DeviceFinish built on a CPU")

    monkeypatch.setattr(generation, "DeviceFinish", fail)
    assert sampler.sample(20, y[0]).shape == (20, X.shape[1])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_sampling_maps_back_on_the_device_as_numpy_would(monkeypatch, digits):
    X, y = digits
    X = (X / 16.0).astype(np.float32)
    sampler = BayesGANOversampler(
        epochs=1, image_shape=(1, 8, 8), device="cuda", random_state=0
    )
    sampler.fit_resample(X, y)
    on_device = sampler.sample(500, y[0], random_state=1)
    monkeypatch.setattr(generation, "device_finish", lambda scaler, device: None)
    on_host = sampler.sample(500, y[0], random_state=1)
    assert on_device.dtype == on_host.dtype == np.float32
    np.testing.assert_allclose(on_device, on_host, rtol=0, atol=1e-6)
