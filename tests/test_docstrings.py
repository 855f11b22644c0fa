"""The examples in the public docstrings run and print what they say."""

import doctest
import importlib

import pytest

MODULES = ["imbgan._sampler", "imbgan._dag"]

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
