"""The Elman RNN layer: shapes, hand-computed values, gradients, memory across calls, updates and errors."""

import math
import re

import numpy as np
import pytest
from helpers import RecordingInitializer
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnreg.gradcheck import check_gradients
from rnnreg.layers.base import TrainableLayer
from rnnreg.layers.rnn import RNN, sigmoid
from rnnreg.optim.optimizers import Sgd

D, H, K = 3, 5, 2


def small_weights_layer(input_size=D, hidden_size=H, output_size=K, rng=None, **kwargs):
    """An RNN with N(0, 1/fan_in) weights: U[0, 1) weights saturate tanh and hide most of the dynamics."""
    rng = np.random.default_rng(0) if rng is None else rng
    layer = RNN(input_size, hidden_size, output_size, **kwargs)
    layer.weights = rng.normal(0, 1 / math.sqrt(input_size + hidden_size), layer.weights.shape)
    layer.output_weights = rng.normal(0, 1 / math.sqrt(hidden_size), layer.output_weights.shape)
    return layer


# ----------------------------------------------------------------------------------------- construction


def test_construction_gives_uniform_weights_of_the_documented_shapes():
    layer = RNN(D, H, K)
    assert isinstance(layer, TrainableLayer)
    assert layer.trainable and not layer.testing_phase
    assert layer.parameter_names == ("weights", "output_weights")
    assert layer.buffer_names == ("hidden_state",)
    assert layer.weights.shape == (D + H + 1, H)
    assert layer.output_weights.shape == (H + 1, K)
    for array in (layer.weights, layer.output_weights):
        assert np.all((array >= 0) & (array < 1))
    assert layer.hidden_state is None
    assert layer.memorize is False
    assert layer.gradient_weights is None and layer.gradient_output_weights is None


def test_construction_draws_from_the_global_random_state():
    np.random.seed(3)
    first = RNN(D, H, K)
    np.random.seed(3)
    second = RNN(D, H, K)
    np.testing.assert_array_equal(first.weights, second.weights)
    np.testing.assert_array_equal(first.output_weights, second.output_weights)


def test_config_and_repr_round_trip_including_memorize():
    layer = RNN(D, H, K, memorize=True)
    assert layer.config() == {"input_size": D, "hidden_size": H, "output_size": K, "memorize": True}
    assert RNN(**layer.config()).memorize is True
    assert repr(layer) == "RNN(input_size=3, hidden_size=5, output_size=2, memorize=True)"


def test_initialize_passes_shapes_and_fans_as_two_fully_connected_layers():
    layer = RNN(D, H, K)
    weights_init, bias_init = RecordingInitializer(0.5), RecordingInitializer(-1.0)
    layer.initialize(weights_init, bias_init)
    assert weights_init.calls == [((D + H, H), D + H, H), ((H, K), H, K)]
    assert bias_init.calls == [((1, H), D + H, H), ((1, K), H, K)]
    np.testing.assert_array_equal(layer.weights[:-1], 0.5)
    np.testing.assert_array_equal(layer.weights[-1], -1.0)
    np.testing.assert_array_equal(layer.output_weights[:-1], 0.5)
    np.testing.assert_array_equal(layer.output_weights[-1], -1.0)
    assert layer.weights.shape == (D + H + 1, H) and layer.output_weights.shape == (H + 1, K)


# ------------------------------------------------------------------------------------------------ shapes


def test_shapes_for_one_sequence():
    layer = RNN(D, H, K)
    output = layer.forward(np.random.rand(7, D))
    assert output.shape == (7, K)
    assert layer.hidden_states.shape == (7, H)
    assert layer.hidden_state.shape == (H,)
    assert layer.backward(np.random.rand(7, K)).shape == (7, D)
    assert layer.gradient_weights.shape == (D + H + 1, H)
    assert layer.gradient_output_weights.shape == (H + 1, K)
    assert layer.hidden_gradient_norms.shape == (7,)


def test_shapes_for_a_batch_of_sequences():
    layer = RNN(D, H, K)
    output = layer.forward(np.random.rand(4, 7, D))
    assert output.shape == (4, 7, K)
    assert layer.hidden_states.shape == (4, 7, H)
    assert layer.hidden_state.shape == (4, H)
    assert layer.backward(np.random.rand(4, 7, K)).shape == (4, 7, D)
    assert layer.gradient_weights.shape == (D + H + 1, H)
    assert layer.hidden_gradient_norms.shape == (7,)


def test_outputs_lie_strictly_between_zero_and_one_and_records_are_read_only():
    layer = small_weights_layer()
    output = layer.forward(np.random.randn(6, D))
    assert np.all((output > 0) & (output < 1))
    assert not layer.hidden_states.flags.writeable
    np.testing.assert_array_equal(layer.hidden_state, layer.hidden_states[-1])


def test_one_sequence_equals_a_batch_of_one():
    layer = small_weights_layer()
    sequence, error = np.random.randn(6, D), np.random.randn(6, K)
    output = layer.forward(sequence)
    input_error = layer.backward(error)
    gradients = layer.gradient_weights.copy(), layer.gradient_output_weights.copy()
    norms = layer.hidden_gradient_norms.copy()
    np.testing.assert_allclose(layer.forward(sequence[np.newaxis]), output[np.newaxis], rtol=1e-12)
    np.testing.assert_allclose(layer.backward(error[np.newaxis]), input_error[np.newaxis], rtol=1e-12)
    np.testing.assert_allclose(layer.gradient_weights, gradients[0], rtol=1e-12)
    np.testing.assert_allclose(layer.gradient_output_weights, gradients[1], rtol=1e-12)
    np.testing.assert_allclose(layer.hidden_gradient_norms, norms, rtol=1e-12)


def test_batch_results_equal_per_sequence_results():
    layer = small_weights_layer()
    batch, errors = np.random.randn(3, 6, D), np.random.randn(3, 6, K)
    outputs, input_errors, weight_gradients, output_gradients, squared_norms = [], [], 0, 0, 0
    for sequence, error in zip(batch, errors, strict=True):
        outputs.append(layer.forward(sequence))
        input_errors.append(layer.backward(error))
        weight_gradients = weight_gradients + layer.gradient_weights
        output_gradients = output_gradients + layer.gradient_output_weights
        squared_norms = squared_norms + layer.hidden_gradient_norms**2
    np.testing.assert_allclose(layer.forward(batch), np.stack(outputs), rtol=1e-12)
    np.testing.assert_allclose(layer.backward(errors), np.stack(input_errors), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(layer.gradient_weights, weight_gradients, rtol=1e-10)
    np.testing.assert_allclose(layer.gradient_output_weights, output_gradients, rtol=1e-10)
    # documented: for a batch the norm of the whole (N, H) block of each step
    np.testing.assert_allclose(layer.hidden_gradient_norms, np.sqrt(squared_norms), rtol=1e-10)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(
    batch=st.integers(1, 3),
    steps=st.integers(1, 5),
    sizes=st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3)),
    seed=st.integers(0, 2**16),
)
def test_property_shapes_range_and_batch_consistency(batch, steps, sizes, seed):
    input_size, hidden_size, output_size = sizes
    rng = np.random.default_rng(seed)
    layer = small_weights_layer(input_size, hidden_size, output_size, rng=rng)
    inputs = rng.normal(0, 3, (batch, steps, input_size))
    output = layer.forward(inputs)
    assert output.shape == (batch, steps, output_size)
    assert np.all((output > 0) & (output < 1))
    assert layer.backward(np.ones_like(output)).shape == inputs.shape
    np.testing.assert_allclose(layer.forward(inputs[-1]), output[-1], rtol=1e-12)


# ------------------------------------------------------------------------------------------ by hand


def test_forward_and_backward_by_hand_for_two_steps():
    layer = RNN(1, 1, 1)
    w_x, w_h, b_h, w_y, b_y = 0.5, -1.0, 0.25, 2.0, -0.5
    layer.weights = np.array([[w_x], [w_h], [b_h]])
    layer.output_weights = np.array([[w_y], [b_y]])
    x1, x2 = 1.0, 2.0

    output = layer.forward(np.array([[x1], [x2]]))

    h1 = math.tanh(w_x * x1 + w_h * 0.0 + b_h)  # tanh(0.75)
    h2 = math.tanh(w_x * x2 + w_h * h1 + b_h)  # tanh(1.25 − h1)
    y1 = 1 / (1 + math.exp(-(w_y * h1 + b_y)))
    y2 = 1 / (1 + math.exp(-(w_y * h2 + b_y)))
    assert h1 == pytest.approx(0.6351489523872873)
    np.testing.assert_allclose(output, [[y1], [y2]], rtol=1e-14)
    np.testing.assert_allclose(layer.hidden_states, [[h1], [h2]], rtol=1e-14)

    e1, e2 = 1.0, -2.0
    input_error = layer.backward(np.array([[e1], [e2]]))

    dz1, dz2 = e1 * y1 * (1 - y1), e2 * y2 * (1 - y2)
    dh2 = dz2 * w_y
    da2 = dh2 * (1 - h2**2)
    dh1 = dz1 * w_y + da2 * w_h
    da1 = dh1 * (1 - h1**2)
    np.testing.assert_allclose(input_error, [[da1 * w_x], [da2 * w_x]], rtol=1e-12)
    np.testing.assert_allclose(
        layer.gradient_weights, [[x1 * da1 + x2 * da2], [0.0 * da1 + h1 * da2], [da1 + da2]], rtol=1e-12
    )
    np.testing.assert_allclose(layer.gradient_output_weights, [[h1 * dz1 + h2 * dz2], [dz1 + dz2]], rtol=1e-12)
    np.testing.assert_allclose(layer.hidden_gradient_norms, [abs(dh1), abs(dh2)], rtol=1e-12)


def test_one_step_forward_and_backward_are_the_docstring_formulas():
    rng = np.random.default_rng(8)
    layer = small_weights_layer(rng=rng)
    W_hh = layer.weights[D : D + H]
    xw, h_previous, dh = rng.normal(size=(4, H)), rng.normal(size=(4, H)), rng.normal(size=(4, H))
    (h,), cache = layer._step_forward(xw, (h_previous,), W_hh)
    np.testing.assert_allclose(h, np.tanh(xw + h_previous @ W_hh), rtol=1e-14)

    da, (dh_previous,) = layer._step_backward(dh, (), cache, W_hh)
    np.testing.assert_allclose(da, dh * (1 - h**2), rtol=1e-14)
    np.testing.assert_allclose(dh_previous, da @ W_hh.T, rtol=1e-14)


def test_backward_returns_the_input_gradient_as_a_fresh_array():
    layer = small_weights_layer()
    sequence = np.random.randn(2, 5, D)
    layer.forward(sequence)
    input_error = layer.backward(np.random.randn(2, 5, K))
    assert isinstance(input_error, np.ndarray) and input_error.shape == sequence.shape
    assert input_error.flags.c_contiguous and input_error.flags.writeable


def test_weights_assignment_takes_effect_in_forward():
    layer = RNN(D, H, K)
    layer.weights = np.zeros((D + H + 1, H))
    layer.output_weights = np.vstack([np.ones((H, K)), [[0.0, 2.0]]])
    output = layer.forward(np.random.rand(4, D))
    np.testing.assert_array_equal(layer.hidden_states, 0.0)
    np.testing.assert_allclose(output, np.tile([0.5, 1 / (1 + math.exp(-2.0))], (4, 1)))


def test_sigmoid_is_stable_and_exact_in_both_tails():
    z = np.array([-800.0, -40.0, -1.0, 0.0, 1.0, 40.0, 800.0])
    expected = [0.0, math.exp(-40.0) / (1 + math.exp(-40.0)), 1 / (1 + math.e), 0.5, 1 / (1 + math.exp(-1)), 1, 1]
    np.testing.assert_allclose(sigmoid(z), expected, rtol=1e-15, atol=0)
    assert sigmoid(z.astype(np.float32)).dtype == np.float32


# ------------------------------------------------------------------------------------------ gradients


@pytest.mark.parametrize("memorize", [False, True], ids=["memorize off", "memorize on"])
@pytest.mark.parametrize("shape", [(6, 2), (3, 6, 2)], ids=["one sequence", "batch"])
def test_gradients_match_finite_differences(memorize, shape):
    rng = np.random.default_rng(11)
    layer = RNN(2, 3, 2, memorize=memorize)
    layer.weights = rng.normal(0, 1, layer.weights.shape)
    layer.output_weights = rng.normal(0, 1, layer.output_weights.shape)
    if memorize:
        layer.forward(rng.normal(size=shape))  # leaves a non-zero state that the checked calls start from
        assert np.all(layer.hidden_state != 0)
    errors = check_gradients(layer, rng.normal(size=shape))
    assert set(errors) == {"input", "layers[0].weights", "layers[0].output_weights"}
    assert max(errors.values()) < 1e-6, errors


def test_hidden_gradient_norms_show_the_gradient_reaching_each_step():
    layer = small_weights_layer()
    layer.forward(np.random.randn(8, D))
    error = np.zeros((8, K))
    error[-1] = 1.0  # only the last output matters: dL/dh_t comes from the future alone for t < T
    layer.backward(error)
    y_last = sigmoid(layer.hidden_states[-1] @ layer.output_weights[:H] + layer.output_weights[H])
    expected_last = np.linalg.norm((y_last * (1 - y_last)) @ layer.output_weights[:H].T)
    assert layer.hidden_gradient_norms[-1] == pytest.approx(expected_last, rel=1e-12)
    assert np.all(layer.hidden_gradient_norms[:-1] > 0)


# ------------------------------------------------------------------------------------------ memorize


@pytest.mark.parametrize("shape", [(8, D), (3, 8, D)], ids=["one sequence", "batch"])
def test_memorize_two_halves_give_the_same_as_one_call(shape):
    layer = small_weights_layer(memorize=True)
    sequence = np.random.randn(*shape)
    whole = layer.forward(sequence)
    whole_states = layer.hidden_states.copy()
    layer.reset_state()
    first_half, second_half = np.split(sequence, 2, axis=-2)
    halves = np.concatenate([layer.forward(first_half), layer.forward(second_half)], axis=-2)
    np.testing.assert_allclose(halves, whole, rtol=1e-12)
    np.testing.assert_allclose(layer.hidden_states, np.split(whole_states, 2, axis=-2)[1], rtol=1e-12)


def test_memorize_off_restarts_from_zeros_and_on_carries_the_state():
    sequence = np.random.randn(8, D)
    first_half, second_half = np.split(sequence, 2)
    forgetting = small_weights_layer()
    forgetting.forward(first_half)
    fresh = forgetting.forward(second_half)
    np.testing.assert_array_equal(forgetting.forward(second_half), fresh)
    np.testing.assert_array_equal(fresh, small_weights_layer().forward(second_half))

    remembering = small_weights_layer(memorize=True)
    remembering.forward(first_half)
    carried = remembering.hidden_state.copy()
    assert np.all(carried != 0)
    continued = remembering.forward(second_half)
    assert not np.allclose(continued, fresh)
    assert not np.allclose(remembering.hidden_state, carried)
    # the next call starts from where this one ended: different again
    assert not np.allclose(remembering.forward(second_half), continued)


def test_memorize_must_be_a_bool():
    layer = RNN(D, H, K)
    layer.memorize = np.bool_(True)
    assert layer.memorize is True
    for value in (1, "yes", None):
        with pytest.raises(TypeError, match=r"RNN memorize must be True or False, got"):
            layer.memorize = value
    with pytest.raises(TypeError, match="memorize must be True or False"):
        RNN(D, H, K, memorize=0)


def test_memorize_with_a_different_batch_size_explains_and_reset_state_recovers():
    layer = RNN(D, H, K, memorize=True)
    layer.forward(np.random.rand(4, 6, D))
    with pytest.raises(ValueError, match=r"memorize is on .* 4 sequence.*holds 2.*reset_state\(\)"):
        layer.forward(np.random.rand(2, 6, D))
    layer.reset_state()
    assert layer.hidden_state is None
    assert layer.forward(np.random.rand(2, 6, D)).shape == (2, 6, K)


def test_one_sequence_and_a_batch_of_one_share_the_carried_state():
    layer = small_weights_layer(memorize=True)
    sequence = np.random.randn(8, D)
    whole = layer.forward(sequence)
    layer.reset_state()
    first = layer.forward(sequence[:4])
    second = layer.forward(sequence[np.newaxis, 4:])
    np.testing.assert_allclose(np.concatenate([first, second[0]]), whole, rtol=1e-12)


def test_assigned_hidden_state_of_the_wrong_width_is_reported():
    layer = RNN(D, H, K, memorize=True)
    layer.hidden_state = np.zeros(H + 1)
    with pytest.raises(ValueError, match=re.escape("RNN hidden_state must have shape (5,), got (6,)")):
        layer.forward(np.random.rand(4, D))


# ------------------------------------------------------------------------------------------ updates


def test_sgd_updates_both_arrays_once_with_their_own_optimizer():
    layer = small_weights_layer()
    reference = small_weights_layer()
    layer.optimizer = Sgd(1.0)
    assert set(layer.optimizers) == {"weights", "output_weights"}
    assert layer.optimizers["weights"] is not layer.optimizers["output_weights"]
    weights, output_weights = layer.weights.copy(), layer.output_weights.copy()
    sequence, error = np.random.randn(5, D), np.random.randn(5, K)
    layer.forward(sequence)
    input_error = layer.backward(error)
    assert not np.allclose(layer.weights, weights)
    np.testing.assert_allclose(layer.weights, weights - layer.gradient_weights, rtol=1e-14)
    np.testing.assert_allclose(layer.output_weights, output_weights - layer.gradient_output_weights, rtol=1e-14)
    # the input error is computed with the weights of the forward pass, before the update
    reference.forward(sequence)
    np.testing.assert_allclose(input_error, reference.backward(error), rtol=1e-14)


def test_update_with_minus_output_as_error_makes_the_output_grow():
    layer = RNN(13, 7, 5)
    layer.optimizer = Sgd(1.0)
    sequence = np.random.rand(9, 13)
    for _ in range(10):
        output = layer.forward(sequence)
        layer.backward(-output)
        assert np.sum(output**2) < np.sum(layer.forward(sequence) ** 2)


def test_without_optimizer_backward_only_stores_gradients():
    layer = RNN(D, H, K)
    weights = layer.weights.copy()
    layer.forward(np.random.rand(5, D))
    layer.backward(np.random.rand(5, K))
    np.testing.assert_array_equal(layer.weights, weights)
    assert np.any(layer.gradient_weights != 0)


# ------------------------------------------------------------------------------------ dtype and copies


def test_float32_input_stays_float32_and_agrees_with_float64():
    layer = small_weights_layer()
    sequence, error = np.random.randn(2, 6, D), np.random.randn(2, 6, K)
    output64, input_error64 = layer.forward(sequence), layer.backward(error)
    gradient64 = layer.gradient_weights.copy()
    output32 = layer.forward(sequence.astype(np.float32))
    input_error32 = layer.backward(error.astype(np.float32))
    assert output32.dtype == input_error32.dtype == layer.gradient_weights.dtype == np.float32
    np.testing.assert_allclose(output32, output64, atol=1e-5)
    np.testing.assert_allclose(input_error32, input_error64, atol=1e-5)
    np.testing.assert_allclose(layer.gradient_weights, gradient64, atol=1e-4)


def test_integer_input_is_computed_in_float64():
    assert RNN(D, H, K).forward(np.ones((4, D), dtype=int)).dtype == np.float64


@pytest.mark.parametrize("batch", [(), (1,), (2,)], ids=["one sequence", "batch of one", "batch"])
def test_callers_arrays_are_never_mutated_and_outputs_are_fresh(batch):
    layer = small_weights_layer()
    sequence, error = np.random.randn(*batch, 6, D), np.random.randn(*batch, 6, K)
    sequence_copy, error_copy = sequence.copy(), error.copy()
    layer.forward(sequence)
    expected_input_error = layer.backward(error)
    expected_gradient = layer.gradient_weights.copy()
    np.testing.assert_array_equal(sequence, sequence_copy)
    np.testing.assert_array_equal(error, error_copy)
    output = layer.forward(sequence)
    # the caller scribbling on the output or on the input after forward must not change backward
    output[...] = 7.0
    sequence[...] = 0.0
    np.testing.assert_array_equal(layer.backward(error), expected_input_error)
    np.testing.assert_array_equal(layer.gradient_weights, expected_gradient)


# ------------------------------------------------------------------------------------------ errors


@pytest.mark.parametrize("argument", ["input_size", "hidden_size", "output_size"])
def test_constructor_rejects_non_positive_and_non_integer_sizes(argument):
    sizes = {"input_size": D, "hidden_size": H, "output_size": K}
    with pytest.raises(ValueError, match=f"RNN {argument} must be a positive integer, got 0"):
        RNN(**{**sizes, argument: 0})
    with pytest.raises(TypeError, match=f"RNN {argument} must be a positive integer, got 2.5"):
        RNN(**{**sizes, argument: 2.5})


@pytest.mark.parametrize("shape", [(9, 12), (2, 9, 12), (9,), (1, 2, 9, 13)])
def test_input_of_wrong_rank_or_width_is_reported_with_both_shapes(shape):
    layer = RNN(13, H, K)
    expected = re.escape(f"RNN expected input_tensor of shape (time, 13) or (batch, time, 13), got {shape}")
    with pytest.raises(ValueError, match=expected):
        layer.forward(np.zeros(shape))


def test_exact_message_for_the_wrong_feature_width():
    with pytest.raises(ValueError) as caught:
        RNN(13, H, K).forward(np.zeros((9, 12)))
    assert str(caught.value) == "RNN expected input_tensor of shape (time, 13) or (batch, time, 13), got (9, 12)"


def test_empty_sequences_are_rejected():
    with pytest.raises(ValueError, match=r"RNN got an empty input_tensor of shape \(0, 3\).*one time step"):
        RNN(D, H, K).forward(np.zeros((0, D)))
    with pytest.raises(ValueError, match=r"RNN got an empty input_tensor of shape \(2, 0, 3\)"):
        RNN(D, H, K).forward(np.zeros((2, 0, D)))


def test_non_numeric_input_is_a_type_error():
    with pytest.raises(TypeError, match="RNN input_tensor must be a numeric array"):
        RNN(D, H, K).forward(np.array([["a", "b", "c"]]))


def test_weights_of_the_wrong_shape_are_reported_at_forward():
    layer = RNN(D, H, K)
    layer.weights = np.zeros((D + H, H))  # assignment itself is allowed (users build arrays in steps)
    with pytest.raises(ValueError, match=re.escape("RNN weights must have shape (9, 5), got (8, 5)")):
        layer.forward(np.zeros((4, D)))
    layer = RNN(D, H, K)
    layer.output_weights = np.zeros((H, K))
    with pytest.raises(ValueError, match=re.escape("RNN output_weights must have shape (6, 2), got (5, 2)")):
        layer.forward(np.zeros((4, D)))


def test_backward_before_forward_is_a_runtime_error():
    with pytest.raises(RuntimeError, match=r"RNN.backward\(\) called before forward\(\)"):
        RNN(D, H, K).backward(np.zeros((4, K)))


@pytest.mark.parametrize("shape", [(4, K + 1), (5, K), (1, 4, K)])
def test_error_tensor_must_match_the_output_shape(shape):
    layer = RNN(D, H, K)
    layer.forward(np.zeros((4, D)))
    with pytest.raises(ValueError, match=re.escape(f"RNN expected error_tensor of shape (4, {K}), got")):
        layer.backward(np.zeros(shape))
