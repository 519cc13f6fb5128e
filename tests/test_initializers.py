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


@pytest.mark.parametrize("kind", [UniformRandom, Xavier, He])
def test_int_seed_is_reproducible_and_equal_to_default_rng_of_that_seed(kind):
    first = kind(rng=9).initialize((5, 4), 5, 4)
    np.testing.assert_array_equal(kind(rng=9).initialize((5, 4), 5, 4), first)
    np.testing.assert_array_equal(kind(rng=np.random.default_rng(9)).initialize((5, 4), 5, 4), first)
    # one Generator per initializer: its next draw continues the stream
    initializer = kind(rng=9)
    initializer.initialize((5, 4), 5, 4)
    assert not np.array_equal(initializer.initialize((5, 4), 5, 4), first)


@pytest.mark.parametrize("kind", [UniformRandom, Xavier, He])
def test_default_draws_come_from_numpy_global_state(kind):
    np.random.seed(12)
    first = kind().initialize((3, 2), 3, 2)
    np.random.seed(12)
    np.testing.assert_array_equal(kind().initialize((3, 2), 3, 2), first)
    assert kind().rng is None


@pytest.mark.parametrize("kind", [UniformRandom, Xavier, He])
@pytest.mark.parametrize(
    "rng, error, message",
    [
        ("0", TypeError, r"rng must be None .*an int seed or a numpy\.random\.Generator"),
        (-3, ValueError, r"rng must be a non-negative int seed, got -3"),
    ],
)
def test_bad_rng_raises_naming_the_initializer(kind, rng, error, message):
    with pytest.raises(error, match=kind.__name__ + " " + message):
        kind(rng=rng)
