import numpy as np
import pytest

from rnnreg import Constant, He, UniformRandom, Xavier


def test_constant_fills_the_shape():
    np.testing.assert_array_equal(Constant(0.3).initialize((2, 3), 2, 3), np.full((2, 3), 0.3))
    np.testing.assert_array_equal(Constant().initialize((2,), 1, 1), [0.1, 0.1])


def test_uniform_random_lies_in_zero_one():
    values = UniformRandom().initialize((200, 50), 200, 50)
    assert values.shape == (200, 50)
    assert values.min() >= 0 and values.max() < 1
    assert values.mean() == pytest.approx(0.5, abs=0.01)


@pytest.mark.parametrize(
    ("initializer", "fan_in", "fan_out", "sigma"),
    [(Xavier(), 300, 200, np.sqrt(2 / 500)), (He(), 300, 200, np.sqrt(2 / 300))],
)
def test_normal_initializers_have_the_documented_spread(initializer, fan_in, fan_out, sigma):
    values = initializer.initialize((fan_in, fan_out), fan_in, fan_out)
    assert values.mean() == pytest.approx(0.0, abs=3 * sigma / np.sqrt(values.size))
    assert values.std() == pytest.approx(sigma, rel=0.01)


def test_global_seed_reproduces_draws():
    np.random.seed(3)
    first = He().initialize((4, 4), 4, 4)
    np.random.seed(3)
    np.testing.assert_array_equal(He().initialize((4, 4), 4, 4), first)


def test_explicit_generator_is_used():
    first = Xavier(rng=np.random.default_rng(5)).initialize((3, 3), 3, 3)
    second = Xavier(rng=np.random.default_rng(5)).initialize((3, 3), 3, 3)
    np.testing.assert_array_equal(first, second)


def test_constant_rejects_non_finite_value():
    with pytest.raises(ValueError, match="Constant value"):
        Constant(float("nan"))
