"""Exact update sequences, computed by hand from the formulas in rnnreg.optim.optimizers."""

import numpy as np
import pytest

from rnnreg import Adam, L1_Regularizer, L1Regularizer, L2_Regularizer, L2Regularizer, Sgd, SgdWithMomentum


def test_sgd_sequence_on_arrays():
    optimizer = Sgd(0.5)
    weights = optimizer.calculate_update(np.array([1.0, -2.0]), np.array([2.0, 2.0]))
    np.testing.assert_array_equal(weights, [0.0, -3.0])
    weights = optimizer.calculate_update(weights, np.array([1.0, 1.0]))
    np.testing.assert_array_equal(weights, [-0.5, -3.5])


def test_sgd_and_momentum_work_on_plain_floats_as_in_the_exercise():
    assert Sgd(1.0).calculate_update(1.0, 1.0) == pytest.approx(0.0)
    optimizer = SgdWithMomentum(1.0, 0.9)
    first = optimizer.calculate_update(1.0, 1.0)
    assert first == pytest.approx(0.0)
    assert optimizer.calculate_update(first, 1.0) == pytest.approx(-1.9)


def test_momentum_sequence():
    optimizer = SgdWithMomentum(0.5, 0.9)
    weights = optimizer.calculate_update(np.array([1.0]), np.array([2.0]))  # v = -1
    np.testing.assert_allclose(weights, [0.0])
    weights = optimizer.calculate_update(weights, np.array([2.0]))  # v = -0.9 - 1 = -1.9
    np.testing.assert_allclose(weights, [-1.9])
    weights = optimizer.calculate_update(weights, np.array([0.0]))  # v = -1.71
    np.testing.assert_allclose(weights, [-3.61])


def test_adam_sequence_with_bias_correction():
    optimizer = Adam(0.1, 0.9, 0.999)
    weights = optimizer.calculate_update(np.array([1.0]), np.array([1.0]))
    # m = 0.1, r = 0.001, m̂ = 1, r̂ = 1
    np.testing.assert_allclose(weights, [1.0 - 0.1 / (1.0 + 1e-8)], rtol=0, atol=1e-15)
    weights = optimizer.calculate_update(weights, np.array([-1.0]))
    # m = 0.09 - 0.1 = -0.01, r = 0.000999 + 0.001 = 0.001999, m̂ = -0.01 / 0.19, r̂ = 0.001999 / 0.001999 = 1
    expected = 1.0 - 0.1 / (1.0 + 1e-8) + 0.1 * (0.01 / 0.19) / (1.0 + 1e-8)
    np.testing.assert_allclose(weights, [expected], rtol=1e-12)
    assert optimizer.step_count == 2


def test_exercise_l2_with_sgd():
    optimizer = Sgd(2)
    optimizer.add_regularizer(L2_Regularizer(2))
    result = optimizer.calculate_update(np.ones((4, 5)), np.ones((4, 5)) * 3)
    result = optimizer.calculate_update(result, np.ones((4, 5)) * 3)
    np.testing.assert_allclose(result, np.ones((4, 5)) * 21)


def test_exercise_l1_with_sgd():
    weights = np.ones((4, 5))
    weights[1:3, 2:4] *= -1
    optimizer = Sgd(2)
    optimizer.add_regularizer(L1_Regularizer(2))
    result = optimizer.calculate_update(weights, np.ones((4, 5)) * 2)
    result = optimizer.calculate_update(result, np.ones((4, 5)) * 2)
    assert np.sum(result) == pytest.approx(-116)


def test_regularizer_acts_outside_momentum():
    optimizer = SgdWithMomentum(0.5, 0.9)
    optimizer.add_regularizer(L2Regularizer(0.1))
    weights = optimizer.calculate_update(np.array([1.0]), np.array([1.0]))
    # v = -0.5; shrink = -0.5 * 0.1 * 1 = -0.05
    np.testing.assert_allclose(weights, [0.45])
    weights = optimizer.calculate_update(weights, np.array([1.0]))
    # v = -0.45 - 0.5 = -0.95 (no regularizer inside); shrink = -0.5 * 0.1 * 0.45 = -0.0225
    np.testing.assert_allclose(weights, [-0.5225])
    np.testing.assert_allclose(optimizer.velocity, [-0.95])


def test_regularizer_acts_outside_adams_moments():
    plain, regularized = Adam(0.1, 0.9, 0.999), Adam(0.1, 0.9, 0.999)
    regularized.add_regularizer(L1Regularizer(0.01))
    w_plain, w_regularized = np.array([1.0, -1.0]), np.array([1.0, -1.0])
    gradients = [np.array([1.0, 2.0]), np.array([-1.0, 0.5]), np.array([0.3, 0.3])]
    for gradient in gradients:
        step_plain = plain.calculate_update(w_regularized, gradient) - w_regularized
        new_regularized = regularized.calculate_update(w_regularized, gradient)
        # exactly the plain Adam step plus the shrinkage of the pre-update weights
        np.testing.assert_allclose(new_regularized, w_regularized + step_plain - 0.1 * 0.01 * np.sign(w_regularized))
        w_regularized = new_regularized
        w_plain = w_plain + step_plain
    np.testing.assert_array_equal(plain.first_moment, regularized.first_moment)
    np.testing.assert_array_equal(plain.second_moment, regularized.second_moment)


def test_update_keeps_dtype_and_never_mutates_inputs():
    weights = np.ones(3, dtype=np.float32)
    gradient = np.ones(3, dtype=np.float32)
    for optimizer in (Sgd(0.1), SgdWithMomentum(0.1, 0.9), Adam(0.1, 0.9, 0.999)):
        result = optimizer.calculate_update(weights, gradient)
        assert result.dtype == np.float32
        np.testing.assert_array_equal(weights, 1.0)


def test_learning_rate_change_keeps_state():
    optimizer = SgdWithMomentum(1.0, 0.5)
    weights = optimizer.calculate_update(np.array([0.0]), np.array([1.0]))  # v = -1
    optimizer.learning_rate = 0.1
    weights = optimizer.calculate_update(weights, np.array([1.0]))  # v = -0.5 - 0.1 = -0.6
    np.testing.assert_allclose(weights, [-1.6])


@pytest.mark.parametrize("rate", [0, -0.1, float("nan"), float("inf")])
def test_bad_learning_rates_are_rejected(rate):
    for make in (lambda: Sgd(rate), lambda: SgdWithMomentum(rate, 0.9), lambda: Adam(rate, 0.9, 0.999)):
        with pytest.raises(ValueError, match="learning_rate"):
            make()


def test_learning_rate_must_be_a_number():
    with pytest.raises(TypeError, match="Sgd learning_rate must be a real number, got '0.1'"):
        Sgd("0.1")


@pytest.mark.parametrize("value", [-0.1, 1.0, float("nan")])
def test_bad_momentum_and_adam_rates_are_rejected(value):
    with pytest.raises(ValueError, match="momentum_rate"):
        SgdWithMomentum(0.1, value)
    with pytest.raises(ValueError, match="Adam mu"):
        Adam(0.1, value, 0.9)
    with pytest.raises(ValueError, match="Adam rho"):
        Adam(0.1, 0.9, value)


def test_gradient_shape_mismatch_is_reported():
    with pytest.raises(ValueError, match=r"gradient_tensor shape \(3,\) does not match weight_tensor shape \(2,\)"):
        Sgd(0.1).calculate_update(np.ones(2), np.ones(3))


def test_add_regularizer_rejects_objects_without_the_interface():
    with pytest.raises(TypeError, match="calculate_gradient"):
        Sgd(0.1).add_regularizer(0.01)


class TestRegularizers:
    def test_l1_gradient_and_norm_as_in_the_exercise(self):
        weights = np.ones((4, 5))
        weights[1:3, 2:4] *= -2
        regularizer = L1Regularizer(1337)
        expected = np.full((4, 5), 1337.0)
        expected[1:3, 2:4] *= -1
        np.testing.assert_array_equal(regularizer.calculate_gradient(weights), expected)
        assert regularizer.norm(weights) == pytest.approx(24 * 1337)

    def test_l1_gradient_is_zero_at_zero(self):
        np.testing.assert_array_equal(L1Regularizer(2.0).calculate_gradient(np.array([0.0, 3.0])), [0.0, 2.0])

    def test_l2_gradient_is_alpha_w_and_norm_alpha_sum_of_squares(self):
        weights = np.ones((4, 5))
        weights[1:3, 2:4] *= 2
        regularizer = L2Regularizer(1337)
        np.testing.assert_array_equal(regularizer.calculate_gradient(weights), 1337 * weights)
        assert regularizer.norm(weights) == pytest.approx(32 * 1337)

    def test_underscore_aliases_are_the_same_classes(self):
        assert L1_Regularizer is L1Regularizer
        assert L2_Regularizer is L2Regularizer

    @pytest.mark.parametrize("alpha", [-1e-3, float("nan"), float("inf")])
    def test_bad_alpha_is_rejected(self, alpha):
        with pytest.raises(ValueError, match="L2Regularizer alpha"):
            L2Regularizer(alpha)
        with pytest.raises(ValueError, match="L1Regularizer alpha"):
            L1Regularizer(alpha)

    def test_alpha_zero_is_allowed_and_switches_the_penalty_off(self):
        assert L2Regularizer(0.0).norm(np.ones(3)) == 0.0


class TestRegularizerIntoGradient:
    """'L2 added to the gradient' (most frameworks' weight_decay) beside the exercise's decoupled shrinkage."""

    @staticmethod
    def run(optimizer, into_gradient, steps=4):
        optimizer.add_regularizer(L2Regularizer(0.1), into_gradient=into_gradient)
        weights = np.array([1.0, -2.0, 0.5])
        for step in range(steps):
            weights = optimizer.calculate_update(weights, np.array([0.3, -0.1, 0.2]) * (step + 1))
        return weights

    def test_by_hand_under_momentum(self):
        optimizer = SgdWithMomentum(0.5, 0.9)
        optimizer.add_regularizer(L2Regularizer(0.1), into_gradient=True)
        weights = optimizer.calculate_update(np.array([1.0]), np.array([1.0]))
        # g = 1 + 0.1 * 1 = 1.1; v = -0.55; w = 0.45
        np.testing.assert_allclose(weights, [0.45])
        weights = optimizer.calculate_update(weights, np.array([1.0]))
        # g = 1 + 0.045 = 1.045; v = 0.9 * -0.55 - 0.5225 = -1.0175; w = 0.45 - 1.0175
        np.testing.assert_allclose(weights, [-0.5675])
        np.testing.assert_allclose(optimizer.velocity, [-1.0175])

    def test_equal_to_the_exercise_rule_under_plain_sgd(self):
        np.testing.assert_allclose(self.run(Sgd(0.5), True), self.run(Sgd(0.5), False), rtol=1e-14)

    def test_different_under_momentum_and_adam(self):
        for make in (lambda: SgdWithMomentum(0.5, 0.9), lambda: Adam(0.1, 0.9, 0.999)):
            coupled, decoupled = self.run(make(), True), self.run(make(), False)
            assert np.max(np.abs(coupled - decoupled)) > 1e-3

    def test_flag_must_be_a_bool(self):
        with pytest.raises(TypeError, match="into_gradient must be True or False"):
            Sgd(0.1).add_regularizer(L2Regularizer(0.1), into_gradient="yes")


@pytest.mark.parametrize("make", [lambda: SgdWithMomentum(0.1, 0.9), lambda: Adam(0.1, 0.9, 0.999)])
def test_state_arrays_in_and_out_are_copies_that_later_steps_leave_alone(make):
    weights, gradient = np.ones(3), np.full(3, 0.5)
    optimizer = make()
    optimizer.calculate_update(weights, gradient)
    saved = optimizer.state_arrays()
    kept = {key: value.copy() for key, value in saved.items()}
    other = make()
    other.load_state_arrays(saved)
    for _ in range(2):
        optimizer.calculate_update(weights, gradient)
        other.calculate_update(weights, gradient)
    for key, value in saved.items():
        np.testing.assert_array_equal(value, kept[key])


def test_state_is_replaced_at_every_step_never_changed_in_place():
    momentum = SgdWithMomentum(0.1, 0.9)
    momentum.calculate_update(np.ones(2), np.ones(2))
    first_velocity = momentum.velocity
    momentum.calculate_update(np.ones(2), np.ones(2))
    np.testing.assert_allclose(first_velocity, [-0.1, -0.1])
    np.testing.assert_allclose(momentum.velocity, [-0.19, -0.19])
    adam = Adam(0.1, 0.9, 0.999)
    adam.calculate_update(np.ones(2), np.ones(2))
    first_moment, second_moment = adam.first_moment, adam.second_moment
    adam.calculate_update(np.ones(2), -np.ones(2))
    np.testing.assert_allclose(first_moment, [0.1, 0.1])
    np.testing.assert_allclose(second_moment, [0.001, 0.001])
