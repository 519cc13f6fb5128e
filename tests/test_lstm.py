"""The LSTM layer: shapes, hand-computed values, gate records, gradients, memory across calls, updates and errors."""

import math
import re

import numpy as np
import pytest
from helpers import RecordingInitializer
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnreg.gradcheck import check_gradients
from rnnreg.layers.base import TrainableLayer
from rnnreg.layers.lstm import LSTM
from rnnreg.optim.optimizers import Sgd

D, H, K = 3, 5, 2
GATES = ("forget", "input", "candidate", "output")


def small_weights_layer(input_size=D, hidden_size=H, output_size=K, rng=None, **kwargs):
    """An LSTM with N(0, 1/fan_in) weights, so that the gates are not all saturated."""
    rng = np.random.default_rng(0) if rng is None else rng
    layer = LSTM(input_size, hidden_size, output_size, **kwargs)
    layer.weights = rng.normal(0, 1 / math.sqrt(input_size + hidden_size), layer.weights.shape)
    layer.output_weights = rng.normal(0, 1 / math.sqrt(hidden_size), layer.output_weights.shape)
    return layer


def sigma(z):
    return 1 / (1 + math.exp(-z))


# ----------------------------------------------------------------------------------------- construction


def test_construction_gives_uniform_weights_of_the_documented_shapes():
    layer = LSTM(D, H, K)
    assert isinstance(layer, TrainableLayer)
    assert layer.trainable and not layer.testing_phase
    assert layer.parameter_names == ("weights", "output_weights")
    assert layer.buffer_names == ("hidden_state", "cell_state")
    assert layer.weights.shape == (D + H + 1, 4 * H)
    assert layer.output_weights.shape == (H + 1, K)
    for array in (layer.weights, layer.output_weights):
        assert np.all((array >= 0) & (array < 1))
    assert layer.hidden_state is None and layer.cell_state is None
    assert layer.memorize is False


def test_config_and_repr_include_memorize():
    layer = LSTM(D, H, K, memorize=True)
    assert layer.config() == {
        "input_size": D, "hidden_size": H, "output_size": K, "memorize": True, "forget_bias": 0.0
    }
    assert LSTM(**layer.config()).memorize is True
    assert repr(layer) == "LSTM(input_size=3, hidden_size=5, output_size=2, memorize=True, forget_bias=0.0)"


def test_initialize_treats_all_four_gates_as_one_fully_connected_block():
    layer = LSTM(D, H, K)
    weights_init, bias_init = RecordingInitializer(0.5), RecordingInitializer(-1.0)
    layer.initialize(weights_init, bias_init)
    assert weights_init.calls == [((D + H, 4 * H), D + H, 4 * H), ((H, K), H, K)]
    assert bias_init.calls == [((1, 4 * H), D + H, 4 * H), ((1, K), H, K)]
    np.testing.assert_array_equal(layer.weights[:-1], 0.5)
    np.testing.assert_array_equal(layer.weights[-1], -1.0)
    np.testing.assert_array_equal(layer.output_weights[:-1], 0.5)
    np.testing.assert_array_equal(layer.output_weights[-1], -1.0)


# ------------------------------------------------------------------------------------------------ shapes


def test_shapes_for_one_sequence():
    layer = LSTM(D, H, K)
    output = layer.forward(np.random.rand(7, D))
    assert output.shape == (7, K)
    assert layer.hidden_states.shape == layer.cell_states.shape == (7, H)
    assert set(layer.gate_activations) == set(GATES)
    assert all(gate.shape == (7, H) for gate in layer.gate_activations.values())
    assert layer.hidden_state.shape == layer.cell_state.shape == (H,)
    assert layer.backward(np.random.rand(7, K)).shape == (7, D)
    assert layer.gradient_weights.shape == (D + H + 1, 4 * H)
    assert layer.gradient_output_weights.shape == (H + 1, K)
    assert layer.hidden_gradient_norms.shape == (7,)


def test_shapes_for_a_batch_of_sequences():
    layer = LSTM(D, H, K)
    output = layer.forward(np.random.rand(4, 7, D))
    assert output.shape == (4, 7, K)
    assert layer.hidden_states.shape == layer.cell_states.shape == (4, 7, H)
    assert all(gate.shape == (4, 7, H) for gate in layer.gate_activations.values())
    assert layer.hidden_state.shape == layer.cell_state.shape == (4, H)
    assert layer.backward(np.random.rand(4, 7, K)).shape == (4, 7, D)
    assert layer.hidden_gradient_norms.shape == (7,)


def test_records_are_consistent_with_the_cell_equations_and_read_only():
    layer = small_weights_layer()
    output = layer.forward(np.random.randn(2, 6, D))
    assert np.all((output > 0) & (output < 1))
    gates = layer.gate_activations
    for name in ("forget", "input", "output"):
        assert np.all((gates[name] > 0) & (gates[name] < 1))
    assert np.all(np.abs(gates["candidate"]) < 1)
    previous_cells = np.concatenate([np.zeros((2, 1, H)), layer.cell_states[:, :-1]], axis=1)
    expected_cells = gates["forget"] * previous_cells + gates["input"] * gates["candidate"]
    np.testing.assert_allclose(layer.cell_states, expected_cells, rtol=1e-12)
    np.testing.assert_allclose(layer.hidden_states, gates["output"] * np.tanh(layer.cell_states), rtol=1e-12)
    np.testing.assert_array_equal(layer.cell_state, layer.cell_states[:, -1])
    for record in (layer.hidden_states, layer.cell_states, *gates.values()):
        assert not record.flags.writeable


def test_one_sequence_equals_a_batch_of_one():
    layer = small_weights_layer()
    sequence, error = np.random.randn(6, D), np.random.randn(6, K)
    output = layer.forward(sequence)
    input_error = layer.backward(error)
    gradients = layer.gradient_weights.copy(), layer.gradient_output_weights.copy()
    np.testing.assert_allclose(layer.forward(sequence[np.newaxis]), output[np.newaxis], rtol=1e-12)
    np.testing.assert_allclose(layer.backward(error[np.newaxis]), input_error[np.newaxis], rtol=1e-12)
    np.testing.assert_allclose(layer.gradient_weights, gradients[0], rtol=1e-12)
    np.testing.assert_allclose(layer.gradient_output_weights, gradients[1], rtol=1e-12)


def test_batch_results_equal_per_sequence_results():
    layer = small_weights_layer()
    batch, errors = np.random.randn(3, 6, D), np.random.randn(3, 6, K)
    outputs, input_errors, weight_gradients, output_gradients, cells = [], [], 0, 0, []
    for sequence, error in zip(batch, errors, strict=True):
        outputs.append(layer.forward(sequence))
        cells.append(layer.cell_states.copy())
        input_errors.append(layer.backward(error))
        weight_gradients = weight_gradients + layer.gradient_weights
        output_gradients = output_gradients + layer.gradient_output_weights
    np.testing.assert_allclose(layer.forward(batch), np.stack(outputs), rtol=1e-12)
    np.testing.assert_allclose(layer.cell_states, np.stack(cells), rtol=1e-12)
    np.testing.assert_allclose(layer.backward(errors), np.stack(input_errors), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(layer.gradient_weights, weight_gradients, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(layer.gradient_output_weights, output_gradients, rtol=1e-10)


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
    assert np.all(np.abs(layer.cell_states) <= np.arange(1, steps + 1)[:, np.newaxis])  # |c_t| <= t
    assert layer.backward(np.ones_like(output)).shape == inputs.shape
    np.testing.assert_allclose(layer.forward(inputs[-1]), output[-1], rtol=1e-12)


# ------------------------------------------------------------------------------------------ by hand


def test_forward_and_backward_by_hand_for_two_steps():
    # columns in the documented gate order: forget, input, candidate, output
    w_x = [0.5, 1.0, -0.5, 2.0]
    w_h = [0.3, -0.2, 0.8, 0.1]
    bias = [1.0, 0.0, 0.2, -0.4]
    w_y, b_y = 1.5, -0.25
    layer = LSTM(1, 1, 1)
    layer.weights = np.array([w_x, w_h, bias])
    layer.output_weights = np.array([[w_y], [b_y]])
    xs, errors = [1.0, -2.0], [1.0, -0.5]

    output = layer.forward(np.array([[xs[0]], [xs[1]]]))

    h, c = [0.0], [0.0]  # h_0, c_0
    f, i, g, o, y = [], [], [], [], []
    for t, x in enumerate(xs):
        a = [w_x[k] * x + w_h[k] * h[t] + bias[k] for k in range(4)]
        f.append(sigma(a[0]))
        i.append(sigma(a[1]))
        g.append(math.tanh(a[2]))
        o.append(sigma(a[3]))
        c.append(f[t] * c[t] + i[t] * g[t])
        h.append(o[t] * math.tanh(c[t + 1]))
        y.append(sigma(w_y * h[t + 1] + b_y))
    # first step by its numbers: c_1 = σ(1) tanh(−0.3), h_1 = σ(1.6) tanh(c_1)
    assert c[1] == pytest.approx(sigma(1.0) * math.tanh(-0.3))
    assert h[1] == pytest.approx(sigma(1.6) * math.tanh(sigma(1.0) * math.tanh(-0.3)))
    np.testing.assert_allclose(output, [[y[0]], [y[1]]], rtol=1e-14)
    np.testing.assert_allclose(layer.hidden_states[:, 0], h[1:], rtol=1e-14)
    np.testing.assert_allclose(layer.cell_states[:, 0], c[1:], rtol=1e-14)
    for name, values in zip(GATES, (f, i, g, o), strict=True):
        np.testing.assert_allclose(layer.gate_activations[name][:, 0], values, rtol=1e-14)

    input_error = layer.backward(np.array([[errors[0]], [errors[1]]]))

    dz = [errors[t] * y[t] * (1 - y[t]) for t in range(2)]
    da = [None, None]  # per step: [da_f, da_i, da_c, da_o]
    dh = [None, None]
    dc_next, dh_next = 0.0, 0.0
    for t in (1, 0):
        dh[t] = dz[t] * w_y + dh_next
        squashed = math.tanh(c[t + 1])
        dc = dc_next + dh[t] * o[t] * (1 - squashed**2)
        da[t] = [
            dc * c[t] * f[t] * (1 - f[t]),
            dc * g[t] * i[t] * (1 - i[t]),
            dc * i[t] * (1 - g[t] ** 2),
            dh[t] * squashed * o[t] * (1 - o[t]),
        ]
        dc_next = dc * f[t]
        dh_next = sum(da[t][k] * w_h[k] for k in range(4))
    expected_input_error = [[sum(da[t][k] * w_x[k] for k in range(4))] for t in range(2)]
    expected_gradient = [
        [xs[0] * da[0][k] + xs[1] * da[1][k] for k in range(4)],
        [h[0] * da[0][k] + h[1] * da[1][k] for k in range(4)],
        [da[0][k] + da[1][k] for k in range(4)],
    ]
    np.testing.assert_allclose(input_error, expected_input_error, rtol=1e-12)
    np.testing.assert_allclose(layer.gradient_weights, expected_gradient, rtol=1e-12)
    expected_output_gradient = [[h[1] * dz[0] + h[2] * dz[1]], [dz[0] + dz[1]]]
    np.testing.assert_allclose(layer.gradient_output_weights, expected_output_gradient, rtol=1e-12)
    np.testing.assert_allclose(layer.hidden_gradient_norms, np.abs(dh), rtol=1e-12)


def test_long_batch_with_carried_states_matches_the_documented_equations():
    # A long batch with non-zero carried states (which get no gradient: truncated BPTT), checked against
    # a direct transcription of the docstring's equations.
    N, T, D_, H_, K_ = 40, 29, 3, 32, 2
    rng = np.random.default_rng(5)
    layer = small_weights_layer(D_, H_, K_, rng=rng, memorize=True)
    layer.forward(rng.standard_normal((N, 3, D_)))  # leaves carried states h_0, c_0
    h0, c0 = layer.hidden_state.copy(), layer.cell_state.copy()
    x, error = rng.standard_normal((N, T, D_)), rng.standard_normal((N, T, K_))
    W, W_y = layer.weights.copy(), layer.output_weights.copy()
    output = layer.forward(x)
    input_error = layer.backward(error)

    def s(z):
        return 1 / (1 + np.exp(-z))

    h, c, gates, y = [h0], [c0], [], []
    for t in range(T):
        a = np.hstack([x[:, t], h[t], np.ones((N, 1))]) @ W
        f, i, g, o = s(a[:, :H_]), s(a[:, H_ : 2 * H_]), np.tanh(a[:, 2 * H_ : 3 * H_]), s(a[:, 3 * H_ :])
        c.append(f * c[t] + i * g)
        h.append(o * np.tanh(c[t + 1]))
        gates.append((f, i, g, o))
        y.append(s(h[t + 1] @ W_y[:H_] + W_y[H_]))
    np.testing.assert_allclose(output, np.stack(y, axis=1), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(layer.cell_states, np.stack(c[1:], axis=1), rtol=1e-12, atol=1e-14)

    dW, dW_y, dx = np.zeros_like(W), np.zeros_like(W_y), np.zeros_like(x)
    dc_next, da_next = np.zeros((N, H_)), np.zeros((N, 4 * H_))
    for t in reversed(range(T)):
        f, i, g, o = gates[t]
        dz = error[:, t] * y[t] * (1 - y[t])
        dh = dz @ W_y[:H_].T + da_next @ W[D_ : D_ + H_].T
        squashed = np.tanh(c[t + 1])
        dc = dc_next + dh * o * (1 - squashed**2)
        da = np.hstack(
            [dc * c[t] * f * (1 - f), dc * g * i * (1 - i), dc * i * (1 - g**2), dh * squashed * o * (1 - o)]
        )
        dW += np.hstack([x[:, t], h[t], np.ones((N, 1))]).T @ da
        dW_y += np.hstack([h[t + 1], np.ones((N, 1))]).T @ dz
        dx[:, t] = da @ W[:D_].T
        dc_next, da_next = dc * f, da
    np.testing.assert_allclose(input_error, dx, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(layer.gradient_weights, dW, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(layer.gradient_output_weights, dW_y, rtol=1e-10, atol=1e-14)


def test_one_step_forward_and_backward_are_the_docstring_formulas():
    rng = np.random.default_rng(8)
    N, D_, H_ = 4, 3, 5
    layer = small_weights_layer(D_, H_, 1, rng=rng)
    W_hh = layer.weights[D_ : D_ + H_]
    xw, h_previous, c_previous = rng.normal(size=(N, 4 * H_)), rng.normal(size=(N, H_)), rng.normal(size=(N, H_))
    (h, c), step = layer._step_forward(xw, (h_previous, c_previous), W_hh)

    a = xw + h_previous @ W_hh
    f, i, o = (1 / (1 + np.exp(-a[:, k * H_ : (k + 1) * H_])) for k in (0, 1, 3))
    c_tilde = np.tanh(a[:, 2 * H_ : 3 * H_])
    np.testing.assert_allclose(c, f * c_previous + i * c_tilde, rtol=1e-14)
    np.testing.assert_allclose(h, o * np.tanh(c), rtol=1e-14)

    dh, dc_next = rng.normal(size=(N, H_)), rng.normal(size=(N, H_))
    da, (dh_previous, dc_previous) = layer._step_backward(dh, (dc_next,), step, W_hh)
    dc = dc_next + dh * o * (1 - np.tanh(c) ** 2)
    expected_da = np.hstack(
        [dc * c_previous * f * (1 - f), dc * c_tilde * i * (1 - i), dc * i * (1 - c_tilde**2),
         dh * np.tanh(c) * o * (1 - o)]
    )  # fmt: skip
    np.testing.assert_allclose(da, expected_da, rtol=1e-13)
    np.testing.assert_allclose(dh_previous, expected_da @ W_hh.T, rtol=1e-13)
    np.testing.assert_allclose(dc_previous, dc * f, rtol=1e-13)


def test_written_states_and_outputs_do_not_change_backward():
    layer = small_weights_layer(memorize=True)
    layer.forward(np.random.randn(2, 4, D))  # carried states for the checked call
    sequence, error = np.random.randn(2, 6, D), np.random.randn(2, 6, K)
    reference = small_weights_layer(memorize=True)
    reference.hidden_state, reference.cell_state = layer.hidden_state.copy(), layer.cell_state.copy()
    layer.forward(sequence)[...] = 0.0
    layer.hidden_state[...] = 9.0
    layer.cell_state[...] = 9.0
    reference.forward(sequence)
    np.testing.assert_array_equal(layer.backward(error), reference.backward(error))
    np.testing.assert_array_equal(layer.gradient_weights, reference.gradient_weights)


def test_records_of_an_earlier_call_stay_unchanged():
    layer = small_weights_layer()
    layer.forward(np.random.randn(2, 6, D))
    records = [layer.hidden_states, layer.cell_states, *layer.gate_activations.values()]
    copies = [record.copy() for record in records]
    layer.backward(np.random.randn(2, 6, K))
    layer.forward(np.random.randn(2, 6, D))
    layer.backward(np.random.randn(2, 6, K))
    for record, copy in zip(records, copies, strict=True):
        np.testing.assert_array_equal(record, copy)


def test_gate_columns_follow_the_documented_order():
    layer = LSTM(1, 2, 1)
    layer.weights = np.zeros((1 + 2 + 1, 8))
    layer.weights[-1] = [20, 20, -20, -20, 0, 0, 0, 0]  # forget open, input closed, others neutral
    layer.forward(np.ones((3, 1)))
    gates = layer.gate_activations
    np.testing.assert_allclose(gates["forget"], 1.0, atol=1e-8)
    np.testing.assert_allclose(gates["input"], 0.0, atol=1e-8)
    np.testing.assert_array_equal(gates["candidate"], 0.0)
    np.testing.assert_array_equal(gates["output"], 0.5)


def test_weights_assignment_takes_effect_in_forward():
    layer = LSTM(D, H, K)
    layer.weights = np.zeros((D + H + 1, 4 * H))
    layer.output_weights = np.vstack([np.ones((H, K)), [[0.0, 2.0]]])
    output = layer.forward(np.random.rand(4, D))
    np.testing.assert_array_equal(layer.cell_states, 0.0)
    np.testing.assert_allclose(output, np.tile([0.5, sigma(2.0)], (4, 1)))


# ------------------------------------------------------------------------------------------ gradients


@pytest.mark.parametrize("memorize", [False, True], ids=["memorize off", "memorize on"])
@pytest.mark.parametrize("shape", [(6, 2), (3, 6, 2)], ids=["one sequence", "batch"])
def test_gradients_match_finite_differences(memorize, shape):
    rng = np.random.default_rng(11)
    layer = LSTM(2, 3, 2, memorize=memorize)
    layer.weights = rng.normal(0, 1, layer.weights.shape)
    layer.output_weights = rng.normal(0, 1, layer.output_weights.shape)
    if memorize:
        layer.forward(rng.normal(size=shape))  # leaves non-zero states that the checked calls start from
        assert np.all(layer.hidden_state != 0) and np.all(layer.cell_state != 0)
    errors = check_gradients(layer, rng.normal(size=shape))
    assert set(errors) == {"input", "layers[0].weights", "layers[0].output_weights"}
    assert max(errors.values()) < 1e-6, errors


# ------------------------------------------------------------------------------------------ memorize


@pytest.mark.parametrize("shape", [(8, D), (3, 8, D)], ids=["one sequence", "batch"])
def test_memorize_two_halves_give_the_same_as_one_call(shape):
    layer = small_weights_layer(memorize=True)
    sequence = np.random.randn(*shape)
    whole = layer.forward(sequence)
    whole_cells = layer.cell_states.copy()
    layer.reset_state()
    first_half, second_half = np.split(sequence, 2, axis=-2)
    halves = np.concatenate([layer.forward(first_half), layer.forward(second_half)], axis=-2)
    np.testing.assert_allclose(halves, whole, rtol=1e-12)
    np.testing.assert_allclose(layer.cell_states, np.split(whole_cells, 2, axis=-2)[1], rtol=1e-12)


def test_memorize_off_restarts_from_zeros_and_on_carries_both_states():
    sequence = np.random.randn(8, D)
    first_half, second_half = np.split(sequence, 2)
    forgetting = small_weights_layer()
    forgetting.forward(first_half)
    fresh = forgetting.forward(second_half)
    np.testing.assert_array_equal(fresh, small_weights_layer().forward(second_half))

    remembering = small_weights_layer(memorize=True)
    remembering.forward(first_half)
    hidden, cell = remembering.hidden_state.copy(), remembering.cell_state.copy()
    assert np.all(hidden != 0) and np.all(cell != 0)
    continued = remembering.forward(second_half)
    assert not np.allclose(continued, fresh)
    # the cell state matters on its own: the same hidden state with c = 0 gives another continuation
    remembering.hidden_state, remembering.cell_state = hidden, np.zeros(H)
    assert not np.allclose(remembering.forward(second_half), continued)


def test_memorize_with_a_different_batch_size_explains_and_reset_state_recovers():
    layer = LSTM(D, H, K, memorize=True)
    layer.forward(np.random.rand(4, 6, D))
    with pytest.raises(ValueError, match=r"LSTM memorize is on .* 4 sequence.*holds 2.*reset_state\(\)"):
        layer.forward(np.random.rand(2, 6, D))
    layer.reset_state()
    assert layer.hidden_state is None and layer.cell_state is None
    assert layer.forward(np.random.rand(2, 6, D)).shape == (2, 6, K)


def test_memorize_must_be_a_bool():
    layer = LSTM(D, H, K)
    with pytest.raises(TypeError, match=r"LSTM memorize must be True or False, got 1 \(int\)"):
        layer.memorize = 1
    layer.memorize = True
    assert layer.memorize is True


def test_assigned_cell_state_of_the_wrong_shape_is_reported():
    layer = LSTM(D, H, K, memorize=True)
    layer.forward(np.random.rand(2, 4, D))
    layer.cell_state = np.zeros((2, H + 1))
    with pytest.raises(ValueError, match=re.escape("LSTM cell_state must have shape (2, 5), got (2, 6)")):
        layer.forward(np.random.rand(2, 4, D))


# ------------------------------------------------------------------------------------------ updates


def test_sgd_updates_both_arrays_once_with_their_own_optimizer():
    layer = small_weights_layer()
    layer.optimizer = Sgd(1.0)
    assert layer.optimizers["weights"] is not layer.optimizers["output_weights"]
    weights, output_weights = layer.weights.copy(), layer.output_weights.copy()
    sequence, error = np.random.randn(5, D), np.random.randn(5, K)
    layer.forward(sequence)
    input_error = layer.backward(error)
    assert not np.allclose(layer.weights, weights)
    np.testing.assert_allclose(layer.weights, weights - layer.gradient_weights, rtol=1e-14)
    np.testing.assert_allclose(layer.output_weights, output_weights - layer.gradient_output_weights, rtol=1e-14)
    reference = small_weights_layer()
    reference.forward(sequence)
    np.testing.assert_allclose(input_error, reference.backward(error), rtol=1e-14)


def test_update_with_minus_output_as_error_makes_the_output_grow():
    layer = LSTM(13, 7, 5)
    layer.optimizer = Sgd(1.0)
    sequence = np.random.rand(9, 13)
    for _ in range(10):
        output = layer.forward(sequence)
        layer.backward(-output)
        assert np.sum(output**2) < np.sum(layer.forward(sequence) ** 2)


# ------------------------------------------------------------------------------------ dtype and copies


def test_float32_input_stays_float32_and_agrees_with_float64():
    layer = small_weights_layer()
    sequence, error = np.random.randn(2, 6, D), np.random.randn(2, 6, K)
    output64, input_error64 = layer.forward(sequence), layer.backward(error)
    gradient64 = layer.gradient_weights.copy()
    output32 = layer.forward(sequence.astype(np.float32))
    input_error32 = layer.backward(error.astype(np.float32))
    assert output32.dtype == input_error32.dtype == layer.gradient_weights.dtype == np.float32
    assert layer.cell_states.dtype == layer.gate_activations["forget"].dtype == np.float32
    np.testing.assert_allclose(output32, output64, atol=1e-5)
    np.testing.assert_allclose(input_error32, input_error64, atol=1e-5)
    np.testing.assert_allclose(layer.gradient_weights, gradient64, atol=1e-4)


def test_callers_arrays_are_never_mutated():
    layer = small_weights_layer()
    sequence, error = np.random.randn(2, 6, D), np.random.randn(2, 6, K)
    sequence_copy, error_copy = sequence.copy(), error.copy()
    layer.forward(sequence)
    layer.backward(error)
    np.testing.assert_array_equal(sequence, sequence_copy)
    np.testing.assert_array_equal(error, error_copy)


# ------------------------------------------------------------------------------------------ errors


@pytest.mark.parametrize("argument", ["input_size", "hidden_size", "output_size"])
def test_constructor_rejects_non_positive_sizes(argument):
    sizes = {"input_size": D, "hidden_size": H, "output_size": K}
    with pytest.raises(ValueError, match=f"LSTM {argument} must be a positive integer, got -1"):
        LSTM(**{**sizes, argument: -1})
    with pytest.raises(TypeError, match=f"LSTM {argument} must be a positive integer"):
        LSTM(**{**sizes, argument: "4"})


def test_input_of_wrong_width_is_reported_with_both_shapes():
    with pytest.raises(ValueError) as caught:
        LSTM(13, H, K).forward(np.zeros((9, 12)))
    assert str(caught.value) == "LSTM expected input_tensor of shape (time, 13) or (batch, time, 13), got (9, 12)"
    with pytest.raises(ValueError, match=re.escape("got (2, 3, 9, 13)")):
        LSTM(13, H, K).forward(np.zeros((2, 3, 9, 13)))


def test_weights_of_the_wrong_shape_are_reported_at_forward():
    layer = LSTM(D, H, K)
    layer.weights = np.zeros((D + H + 1, H))  # an RNN-sized matrix
    with pytest.raises(ValueError, match=re.escape("LSTM weights must have shape (9, 20), got (9, 5)")):
        layer.forward(np.zeros((4, D)))
    layer = LSTM(D, H, K)
    layer.output_weights = np.zeros((H + 1, K + 1))
    with pytest.raises(ValueError, match=re.escape("LSTM output_weights must have shape (6, 2), got (6, 3)")):
        layer.forward(np.zeros((4, D)))


def test_backward_before_forward_is_a_runtime_error():
    with pytest.raises(RuntimeError, match=r"LSTM.backward\(\) called before forward\(\)"):
        LSTM(D, H, K).backward(np.zeros((4, K)))


def test_error_tensor_must_match_the_output_shape():
    layer = LSTM(D, H, K)
    layer.forward(np.zeros((2, 4, D)))
    with pytest.raises(ValueError, match=re.escape("LSTM expected error_tensor of shape (2, 4, 2), got (4, 2)")):
        layer.backward(np.zeros((4, K)))


def test_forget_bias_is_added_to_the_forget_gate_bias_only():
    from rnnreg import Constant

    layer = LSTM(D, H, K, forget_bias=2.0)
    layer.initialize(Constant(0.5), Constant(0.1))
    np.testing.assert_array_equal(layer.weights[-1, :H], 2.1)
    np.testing.assert_array_equal(layer.weights[-1, H:], 0.1)
    np.testing.assert_array_equal(layer.weights[:-1], 0.5)
    assert layer.config()["forget_bias"] == 2.0
    fresh = LSTM(D, H, K, forget_bias=2.0)
    assert np.all(fresh.weights[-1, :H] >= 2.0)


def test_forget_bias_must_be_finite():
    with pytest.raises(ValueError, match="LSTM forget_bias must be a finite number"):
        LSTM(D, H, K, forget_bias=float("inf"))
