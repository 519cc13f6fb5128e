"""Shared test set-up: every test starts from the same NumPy random state, whatever ran before it."""

import numpy as np
import pytest
from hypothesis import settings


@pytest.fixture(autouse=True)
def _seed_numpy():
    np.random.seed(20261126)


# Property tests draw the same examples on every run: a failure seen once is seen again.
settings.register_profile("rnnreg", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("rnnreg")
