"""Nothing silently wrong in layers, losses, optimizers and regularizers (issue 13).

Each kind of mistake a careless or curious user can make gets the right answer or a clear error that names
the argument: integer weights, shapes that would broadcast, empty or float16 data, numbers outside their
domain (labels that are no distribution, raw scores into cross-entropy, tiny keep probabilities).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnreg import (
    LSTM,
    RNN,
    Adam,
    BatchNormalization,
    Constant,
    Conv,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    FullyConnected,
    He,
    L1Regularizer,
    L2Loss,
    L2Regularizer,
    NeuralNetwork,
    Pooling,
    ReLU,
    Sgd,
    SgdWithMomentum,
    Sigmoid,
    SoftMax,
    TanH,
    UniformRandom,
    Xavier,
)

OPTIMIZERS = {
    "sgd": lambda: Sgd(0.1),
    "momentum": lambda: SgdWithMomentum(0.1, 0.9),
    "adam": lambda: Adam(0.1, 0.9, 0.999),
}

# (layer factory, a valid input shape): every layer rnnreg offers.
LAYERS = {
    "FullyConnected": (lambda: FullyConnected(3, 2), (4, 3)),
    "ReLU": (ReLU, (4, 3)),
    "TanH": (TanH, (4, 3)),
    "Sigmoid": (Sigmoid, (4, 3)),
    "SoftMax": (SoftMax, (4, 3)),
    "Dropout": (lambda: Dropout(0.5, rng=0), (4, 3)),
    "BatchNormalization": (lambda: BatchNormalization(3), (4, 3)),
    "Conv": (lambda: Conv(1, (2, 3, 3), 2), (2, 2, 5, 5)),
    "Pooling": (lambda: Pooling(2, 2), (2, 2, 4, 4)),
    "Flatten": (Flatten, (2, 2, 3, 3)),
    "RNN": (lambda: RNN(3, 4, 2), (2, 5, 3)),
    "LSTM": (lambda: LSTM(3, 4, 2), (2, 5, 3)),
}

TRAINABLE = ["FullyConnected", "BatchNormalization", "Conv", "RNN", "LSTM"]


def _one_step(layer, input_shape, seed=0):
    """Forward and backward once on seeded data; the layer updates with its optimizer."""
    rng = np.random.default_rng(seed)
    output = layer.forward(rng.random(input_shape))
    layer.backward(rng.random(output.shape))


# ------------------------------------------------------------------------------------------ integer weights


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_integer_weights_are_updated_as_floats_not_truncated(optimizer):
    # The instance: [[1, 2], [3, 4], [0, 0]] and one SGD step gave [[1, 2], [2, 3], [0, 0]].
    integer, floating = np.array([[1, 2], [3, 4], [0, 0]]), np.array([[1.0, 2.0], [3.0, 4.0], [0.0, 0.0]])
    gradient = np.full((3, 2), 0.55)
    from_integer = OPTIMIZERS[optimizer]().calculate_update(integer, gradient)
    from_floats = OPTIMIZERS[optimizer]().calculate_update(floating, gradient)
    assert from_integer.dtype == np.float64
    np.testing.assert_array_equal(from_integer, from_floats)


def test_float32_weights_stay_float32_and_integer_scalars_work():
    update = Sgd(0.5).calculate_update(np.ones(3, dtype=np.float32), np.ones(3, dtype=np.float32))
    assert update.dtype == np.float32
    assert Sgd(0.5).calculate_update(1, 1) == pytest.approx(0.5)


@pytest.mark.parametrize("name", TRAINABLE)
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_every_trainable_layer_trains_integer_weights_as_their_float_twin(name, optimizer):
    make, shape = LAYERS[name]
    np.random.seed(1)
    layer, twin = make(), make()
    for parameter in layer.parameter_names:
        values = np.round(getattr(layer, parameter) * 3)
        setattr(layer, parameter, values.astype(int))  # e.g. BatchNorm's γ of integer ones
        setattr(twin, parameter, values.astype(float))
    layer.optimizer, twin.optimizer = OPTIMIZERS[optimizer](), OPTIMIZERS[optimizer]()
    _one_step(layer, shape)
    _one_step(twin, shape)
    for parameter in layer.parameter_names:
        assert getattr(layer, parameter).dtype == np.float64
        np.testing.assert_array_equal(getattr(layer, parameter), getattr(twin, parameter))


def test_batch_norm_gamma_of_integer_ones_is_not_zeroed_by_a_step():
    layer = BatchNormalization(2)
    layer.weights = np.array([1, 1])
    layer.optimizer = Sgd(0.01)
    _one_step(layer, (5, 2))
    assert np.all(layer.weights > 0.9)


@pytest.mark.parametrize("regularizer", [L1Regularizer, L2Regularizer])
def test_regularizers_take_integer_weights_and_name_non_numeric_ones(regularizer):
    assert regularizer(0.5).norm(np.array([1, -2])) == regularizer(0.5).norm(np.array([1.0, -2.0]))
    assert regularizer(0.5).calculate_gradient(np.array([2, 0])).dtype == np.float64
    with pytest.raises(TypeError, match=f"{regularizer.__name__} weights must be a numeric array, got dtype <U1"):
        regularizer(0.5).norm(np.array(["a"]))


# ------------------------------------------------------------------------------------- degenerate inputs


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_an_empty_input_is_refused_by_every_layer(name):
    make, shape = LAYERS[name]
    empty = (0, *shape[1:])
    with pytest.raises(ValueError, match=rf"{make().__class__.__name__} got an empty input_tensor of shape \(0,"):
        make().forward(np.zeros(empty))


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_float16_is_refused_by_every_layer_with_the_reason(name):
    make, shape = LAYERS[name]
    with pytest.raises(TypeError, match=r"input_tensor has dtype float16.*round to 0 in float16"):
        make().forward(np.ones(shape, dtype=np.float16))


def test_float16_batch_norm_would_have_divided_by_zero():
    # Why float16 is refused: ε = 1e-10 is 0 in float16, so a constant channel gives 0 / 0.
    assert np.float16(1e-10) == 0


# --------------------------------------------------------------------------- shapes that would broadcast


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_an_error_tensor_that_would_broadcast_is_refused(name):
    make, shape = LAYERS[name]
    layer = make()
    output = layer.forward(np.random.default_rng(0).random(shape))
    for bad in (output.shape[-1:], (1, *output.shape[1:]), (*output.shape, 1)):
        with pytest.raises(ValueError, match=r"error_tensor of shape"):
            layer.backward(np.ones(bad))


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), extra=st.integers(1, 3))
def test_optimizers_refuse_a_gradient_of_another_shape(shape, extra):
    weights = np.ones(shape)
    other = (*shape[:-1], shape[-1] + extra)  # broadcasting would fail, or with a 1 would silently stretch
    for make in OPTIMIZERS.values():
        with pytest.raises(ValueError, match=r"gradient_tensor shape .* does not match weight_tensor shape"):
            make().calculate_update(weights, np.ones(other))
        with pytest.raises(ValueError, match=r"gradient_tensor shape"):
            make().calculate_update(weights, np.ones((1, *shape)))


@pytest.mark.parametrize("moving_shape", [(1, 3), (3, 1), (1,)])
def test_batch_norm_moving_statistics_of_a_wrong_shape_are_named_in_both_phases(moving_shape):
    layer = BatchNormalization(3)
    _one_step(layer, (4, 3))
    layer.moving_mean = np.zeros(moving_shape)
    with pytest.raises(ValueError, match=r"BatchNormalization moving_mean must have shape \(3,\), got"):
        layer.forward(np.ones((4, 3)))  # training: the moving average would broadcast into this shape
    layer.testing_phase = True
    with pytest.raises(ValueError, match=r"BatchNormalization moving_mean must have shape \(3,\), got"):
        layer.forward(np.ones((4, 3)))


def test_batch_norm_refuses_a_negative_moving_variance():
    layer = BatchNormalization(2)
    _one_step(layer, (4, 2))
    layer.moving_variance = np.array([1.0, -0.5])
    layer.testing_phase = True
    with pytest.raises(ValueError, match=r"moving_variance finite and >= 0.*-0\.5"):
        layer.forward(np.ones((4, 2)))


@settings(max_examples=40, deadline=None)
@given(batch=st.integers(1, 5), classes=st.integers(2, 5), drop=st.sampled_from(["first", "last", "extra"]))
def test_losses_refuse_labels_of_another_shape(batch, classes, drop):
    prediction = np.full((batch, classes), 1 / classes)
    labels = np.eye(classes)[np.arange(batch) % classes]
    wrong = {"first": labels[0], "last": labels[:, :1], "extra": labels[np.newaxis]}[drop]
    for loss in (CrossEntropyLoss(), L2Loss()):
        with pytest.raises(ValueError, match=r"label_tensor shape .* does not match prediction shape"):
            loss.forward(prediction, wrong)


# --------------------------------------------------------------------------- numbers outside their domain


def test_cross_entropy_refuses_raw_scores():
    with pytest.raises(ValueError, match=r"prediction_tensor must hold probabilities in \[0, 1\].*from -2\.0 to 3\.0"):
        CrossEntropyLoss().forward(np.array([[-2.0, 3.0]]), np.array([[0.0, 1.0]]))


@pytest.mark.parametrize(
    "labels, reason",
    [
        (np.array([[0.0, 0.0], [0.0, 1.0]]), r"row 0 sums to 0\.0"),  # an all-zero row: a silent loss of 0
        (np.array([[1.0, 1.0], [0.0, 1.0]]), r"row 0 sums to 2\.0"),
        (np.array([[-1.0, 2.0], [0.0, 1.0]]), r"entries from -1\.0"),
        (np.array([[np.nan, 1.0], [0.0, 1.0]]), r"entries from nan"),
        (np.array([[2.0, 0.0], [1.0, 0.0]]), r"row 0 sums to 2\.0"),  # class indices in a one-hot shape
    ],
)
def test_cross_entropy_refuses_labels_that_are_no_distribution(labels, reason):
    with pytest.raises(ValueError, match=rf"label_tensor rows must be distributions.*{reason}"):
        CrossEntropyLoss().forward(np.full((2, 2), 0.5), labels)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**16), smoothing=st.floats(0.0, 0.5), dtype=st.sampled_from([np.float32, np.float64]))
def test_cross_entropy_accepts_one_hot_and_soft_labels_in_both_dtypes(seed, smoothing, dtype):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(6, 4))
    prediction = (np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)).astype(dtype)
    one_hot = np.eye(4)[rng.integers(0, 4, size=6)]
    soft = (one_hot * (1 - smoothing) + smoothing / 4).astype(dtype)  # label smoothing keeps rows summing to 1
    loss = CrossEntropyLoss()
    assert np.isfinite(loss.forward(prediction, soft))
    assert loss.backward(soft).dtype == dtype


def test_a_diverged_prediction_is_left_to_the_training_step_to_report():
    # NaN comes from divergence; the network's step says so with its advice (smaller learning rate).
    assert np.isnan(CrossEntropyLoss().forward(np.array([[np.nan, 0.5]]), np.array([[0.0, 1.0]])))


@pytest.mark.parametrize("probability", [1e-9, 5e-324, 0.009])
def test_dropout_refuses_a_keep_probability_so_small_nothing_is_kept(probability):
    with pytest.raises(ValueError, match=r"Dropout probability must be in \[0\.01, 1\]"):
        Dropout(probability)


def test_dropout_at_its_smallest_keep_probability_stays_finite():
    layer = Dropout(Dropout.MIN_PROBABILITY, rng=0)
    output = layer.forward(np.ones((200, 50)))
    assert np.isfinite(output).all() and 0 < np.count_nonzero(output) < output.size
    np.testing.assert_allclose(output[output != 0], 100.0)


# ------------------------------------------------------------------------------- initializers and sizes

INITIALIZERS = {"He": He, "Xavier": Xavier, "UniformRandom": UniformRandom, "Constant": Constant}


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
@pytest.mark.parametrize(
    "arguments, argument, error",
    [
        (((2, 2), 0, 2), "fan_in", ValueError),  # σ = sqrt(2 / 0): He raised a bare ZeroDivisionError
        (((2, 2), -3, 2), "fan_in", ValueError),  # σ = NaN: weights that are no numbers
        (((2, 2), float("nan"), 2), "fan_in", TypeError),
        (((2, 2), 2.5, 2), "fan_in", TypeError),
        (((2, 2), 2, 0), "fan_out", ValueError),
        (((2, -1), 2, 2), r"weights_shape\[1\]", ValueError),
        ((5, 2, 2), "weights_shape", TypeError),
    ],
)
def test_initializers_refuse_fans_and_shapes_outside_their_domain(name, arguments, argument, error):
    with pytest.raises(error, match=rf"{name}.initialize {argument} must be"):
        INITIALIZERS[name]().initialize(*arguments)


@pytest.mark.parametrize(
    "make, argument",
    [
        (lambda: FullyConnected(10**9, 10**9), r"FullyConnected weights would have shape \(1000000001, 1000000000\)"),
        (lambda: RNN(3, 10**8, 2), r"RNN weights would have shape"),
        (lambda: LSTM(3, 10**7, 2), r"LSTM weights would have shape"),
        (lambda: Conv(1, (10**5, 10**3, 10**3), 4), r"Conv weights would have shape"),
        (lambda: BatchNormalization(10**12), r"BatchNormalization weights would have shape"),
        (lambda: He().initialize((10**6, 10**6), 10, 10), r"He.initialize weights_shape would have shape"),
    ],
)
def test_huge_sizes_are_a_clear_error_not_a_memory_error(make, argument):
    with pytest.raises(ValueError, match=rf"{argument}.*GiB in float64\), more than the 268,435,456"):
        make()


def test_a_float16_network_is_refused_where_it_is_made():
    with pytest.raises(TypeError, match=r"NeuralNetwork dtype float16 is not supported: the ε"):
        NeuralNetwork(Sgd(0.1), He(), Constant(0.1), dtype=np.float16)
