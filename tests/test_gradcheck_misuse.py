"""Issue 13, point 3 and point 7 for the gradient check: it never passes a wrong or non-finite gradient, its
numbers are checked where they enter, and float32 parameters are checked without false alarms."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnreg import LSTM, RNN, BatchNormalization, Conv, FullyConnected, TanH
from rnnreg.gradcheck import check_gradients
from rnnreg.layers.base import BaseLayer


class ReturnsNaN(BaseLayer):
    """Identity forward, a backward that returns NaN in one element."""

    def forward(self, input_tensor):
        return input_tensor.copy()

    def backward(self, error_tensor):
        error = error_tensor.copy()
        error.flat[0] = np.nan
        return error


class ReturnsInf(ReturnsNaN):
    def backward(self, error_tensor):
        error = error_tensor.copy()
        error.flat[-1] = np.inf
        return error


class ReturnsNone(ReturnsNaN):
    def backward(self, error_tensor):
        return None


class WrongFullyConnected(FullyConnected):
    """The weight gradient off by 2 % (a deliberate mistake): the check must fail it."""

    def backward(self, error_tensor):
        error = super().backward(error_tensor)
        self.gradient_weights = 1.02 * self.gradient_weights
        return error


class NaNWeightGradient(FullyConnected):
    def backward(self, error_tensor):
        error = super().backward(error_tensor)
        self.gradient_weights = np.full_like(self.gradient_weights, np.nan)
        return error


def xavier_like(rng, shape):
    return rng.normal(scale=0.5, size=shape)


# Non-finite gradients fail ------------------------------------------------------------------------------------


@pytest.mark.parametrize("layer_class", [ReturnsNaN, ReturnsInf])
def test_a_backward_returning_nan_or_inf_fails(layer_class):
    report = check_gradients(layer_class(), np.random.default_rng(0).normal(size=(3, 4)))
    assert report["input"] == np.inf
    assert not report.passed
    assert report.failed == ["input"]


def test_a_nan_weight_gradient_fails_and_is_named():
    layer = NaNWeightGradient(3, 2)
    report = check_gradients(layer, np.random.default_rng(1).normal(size=(4, 3)))
    assert report["layers[0].weights"] == np.inf
    assert report.failed == ["layers[0].weights"]
    assert not report.passed


def test_a_loss_that_becomes_nan_fails():
    class NaNLoss:
        def forward(self, prediction, label):
            return float("nan")

        def backward(self, label):
            return np.ones((2, 3))

    report = check_gradients(TanH(), np.zeros((2, 3)), loss_layer=NaNLoss())
    assert report["input"] == np.inf and not report.passed


def test_a_backward_returning_none_is_a_clear_type_error():
    with pytest.raises(TypeError, match=r"layers\[0\]\.backward\(\) returned None"):
        check_gradients(ReturnsNone(), np.ones((2, 2)))


def test_a_deliberately_wrong_layer_fails():
    rng = np.random.default_rng(2)
    layer = WrongFullyConnected(4, 3)
    layer.weights = xavier_like(rng, layer.weights.shape)
    report = check_gradients(layer, rng.normal(size=(5, 4)))
    assert report["layers[0].weights"] > 1e-3
    assert "layers[0].weights" in report.failed
    assert report["input"] < 1e-6


# float32 and integer parameters -------------------------------------------------------------------------------


def correct_layers(rng):
    fully_connected = FullyConnected(4, 3)
    fully_connected.weights = xavier_like(rng, fully_connected.weights.shape)
    conv = Conv((1, 1), (2, 3, 3), 2)
    conv.weights, conv.bias = xavier_like(rng, conv.weights.shape), xavier_like(rng, conv.bias.shape)
    rnn, lstm = RNN(4, 3, 2), LSTM(4, 3, 2)
    for recurrent in (rnn, lstm):
        recurrent.weights = xavier_like(rng, recurrent.weights.shape)
        recurrent.output_weights = xavier_like(rng, recurrent.output_weights.shape)
    return {
        "FullyConnected": (fully_connected, rng.normal(size=(5, 4))),
        "Conv": (conv, rng.normal(size=(2, 2, 5, 5))),
        "RNN": (rnn, rng.normal(size=(2, 3, 4))),
        "LSTM": (lstm, rng.normal(size=(2, 3, 4))),
        "BatchNormalization": (BatchNormalization(4), rng.normal(size=(6, 4)) * [1, 2, 3, 4]),
    }


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ["FullyConnected", "Conv", "RNN", "LSTM", "BatchNormalization"])
def test_correct_layers_pass_in_float64_and_float32(name, dtype):
    layer, inputs = correct_layers(np.random.default_rng(3))[name]
    for parameter in layer.parameter_names:
        setattr(layer, parameter, getattr(layer, parameter).astype(dtype))
    originals = {parameter: getattr(layer, parameter) for parameter in layer.parameter_names}
    report = check_gradients(layer, inputs.astype(dtype))
    assert report.passed, dict(report)
    assert max(report.values()) < 1e-6
    for parameter, original in originals.items():
        assert getattr(layer, parameter) is original  # the very array, still in its dtype
        assert original.dtype == dtype


def test_the_float32_false_alarm_of_the_issue_is_gone():
    # The issue: correct float32 parameters reported 1.4e-3 because θ ± h was rounded to float32.
    rng = np.random.default_rng(4)
    layer = FullyConnected(6, 4)
    layer.weights = rng.random(layer.weights.shape).astype(np.float32)
    assert check_gradients(layer, rng.normal(size=(3, 6)).astype(np.float32))["layers[0].weights"] < 1e-6


def test_integer_weights_are_checked_as_floats():
    layer = FullyConnected(2, 2)
    layer.weights = np.array([[1, 2], [3, 4], [0, 0]])
    report = check_gradients(layer, np.random.default_rng(5).normal(size=(3, 2)))
    assert report.passed, dict(report)
    assert layer.weights.dtype.kind == "i"  # put back as it was


def test_the_report_is_a_dict_of_floats():
    report = check_gradients(TanH(), np.random.default_rng(6).normal(size=(2, 3)))
    assert dict(report) == {"input": report["input"]}
    assert repr(report) == repr(dict(report))
    assert report.tolerance == 1e-6


def test_the_tolerance_decides_the_verdict():
    layer = WrongFullyConnected(3, 2)
    inputs = np.random.default_rng(7).normal(size=(4, 3))
    assert not check_gradients(layer, inputs).passed
    assert check_gradients(layer, inputs, tolerance=0.5).passed


# Arguments are checked where they enter ----------------------------------------------------------------------


@pytest.mark.parametrize("step", [0, 0.0, -1e-5, float("nan"), float("inf"), -float("inf")])
def test_a_step_outside_its_domain_is_a_value_error_naming_step(step):
    with pytest.raises(ValueError, match=f"check_gradients step must be .*got {step!r}"):
        check_gradients(TanH(), np.ones((2, 2)), step=step)


@pytest.mark.parametrize("step", ["1e-5", None, True, [1e-5], np.array([1e-5])])
def test_a_step_that_is_no_number_is_a_type_error_naming_step(step):
    with pytest.raises(TypeError, match="check_gradients step must be a real number"):
        check_gradients(TanH(), np.ones((2, 2)), step=step)


@pytest.mark.parametrize(
    ("argument", "value"),
    [("floor", 0.0), ("floor", -1.0), ("floor", float("nan")), ("relative_floor", -0.1),
     ("relative_floor", float("inf")), ("tolerance", 0.0), ("tolerance", float("nan"))],
)
def test_floors_and_tolerance_outside_their_domain_are_value_errors(argument, value):
    with pytest.raises(ValueError, match=f"check_gradients {argument} must be .*got {value!r}"):
        check_gradients(TanH(), np.ones((2, 2)), **{argument: value})


def test_an_empty_input_is_a_value_error():
    with pytest.raises(ValueError, match=r"check_gradients input_tensor must hold at least one value, got shape"):
        check_gradients(TanH(), np.ones((0, 3)))


def test_a_non_numeric_input_is_a_type_error():
    with pytest.raises(TypeError, match="check_gradients input_tensor must be a numeric array"):
        check_gradients(TanH(), np.array(["a", "b"]))


@pytest.mark.parametrize("layers", [[], [TanH(), "ReLU"], None])
def test_layers_that_are_no_layers_are_refused(layers):
    with pytest.raises((TypeError, ValueError), match=r"check_gradients layers"):
        check_gradients(layers, np.ones((2, 2)))


def test_a_loss_layer_without_forward_and_backward_is_a_type_error():
    with pytest.raises(TypeError, match="check_gradients loss_layer must have forward"):
        check_gradients(TanH(), np.ones((2, 2)), loss_layer="CrossEntropyLoss")


def test_a_loss_that_is_not_one_number_is_a_value_error():
    class PerSampleLoss:
        def forward(self, prediction, label):
            return prediction.sum(axis=1)

        def backward(self, label):
            return np.ones((2, 3))

    with pytest.raises(ValueError, match=r"loss_layer.forward must return one number, got an array of shape \(2,\)"):
        check_gradients(TanH(), np.ones((2, 3)), loss_layer=PerSampleLoss())


def test_a_gradient_of_the_wrong_shape_names_its_array():
    class WrongShape(FullyConnected):
        def backward(self, error_tensor):
            error = super().backward(error_tensor)
            self.gradient_weights = self.gradient_weights[:-1]
            return error

    with pytest.raises(ValueError, match=r"gradient of layers\[0\]\.weights has shape \(2, 2\), its array \(3, 2\)"):
        check_gradients(WrongShape(2, 2), np.ones((3, 2)))


@settings(max_examples=30, deadline=None)
@given(
    position=st.integers(min_value=0, max_value=11),
    bad=st.sampled_from([np.nan, np.inf, -np.inf]),
)
def test_any_non_finite_input_gradient_element_fails(position, bad):
    class Poisoned(ReturnsNaN):
        def backward(self, error_tensor):
            error = error_tensor.copy()
            error.flat[position] = bad
            return error

    report = check_gradients(Poisoned(), np.random.default_rng(8).normal(size=(3, 4)))
    assert report["input"] == np.inf
    assert not report.passed
