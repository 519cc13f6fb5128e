"""Shared test set-up: every test starts from the same NumPy random state, whatever ran before it."""

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _seed_numpy():
    np.random.seed(20261126)
