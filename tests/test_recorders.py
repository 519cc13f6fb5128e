"""Recorders: bounded series, ``every``, exact records of the layers, bounded memory, no effect on training."""

import numpy as np
import pytest
from helpers import FixedBatches, one_hot
from hypothesis import given
from hypothesis import strategies as st

from rnnreg import (
    LSTM,
    RNN,
    BatchNormalization,
    Constant,
    CrossEntropyLoss,
    Dropout,
    FullyConnected,
    He,
    NeuralNetwork,
    ReLU,
    Sgd,
    SoftMax,
)
from rnnreg.training.recorders import (
    BatchNormRecorder,
    BoundedSeries,
    DropoutMaskRecorder,
    Recorder,
    RecurrentRecorder,
    SparsityRecorder,
    WeightNormRecorder,
    WeightSnapshotRecorder,
)

MLP_LABELS = {0: "layers[0] FullyConnected", 1: "layers[1] BatchNormalization", 4: "layers[4] FullyConnected"}


class SquaredError:
    """A minimal loss layer for sequence outputs: L = Σ (ŷ − y)²."""

    def forward(self, prediction, labels):
        self._prediction = prediction
        return float(np.sum((prediction - labels) ** 2))

    def backward(self, labels):
        return 2 * (self._prediction - labels)


def mlp(seed=0):
    """FC(4, 6) - BN(6) - ReLU - Dropout(0.5) - FC(6, 3) - SoftMax on one fixed batch of 8 samples."""
    np.random.seed(seed)
    net = NeuralNetwork(Sgd(0.05), He(), Constant(0.1))
    net.loss_layer = CrossEntropyLoss()
    net.data_layer = FixedBatches((np.random.randn(8, 4), one_hot(np.arange(8) % 3, 3)))
    for layer in (FullyConnected(4, 6), BatchNormalization(6), ReLU(), Dropout(0.5), FullyConnected(6, 3), SoftMax()):
        net.append_layer(layer)
    return net


def sequence_net(layer_class, batch=None, time=7, seed=0):
    """One recurrent layer (D=3, H=5, K=2): a (T, D) sequence with SoftMax and cross-entropy, or (N, T, D)."""
    np.random.seed(seed)
    net = NeuralNetwork(Sgd(0.05), He(), Constant(0.1))
    net.append_layer(layer_class(3, 5, 2))
    if batch is None:
        net.append_layer(SoftMax())
        net.loss_layer = CrossEntropyLoss()
        net.data_layer = FixedBatches((np.random.randn(time, 3), one_hot(np.arange(time) % 2, 2)))
    else:
        net.loss_layer = SquaredError()
        net.data_layer = FixedBatches((np.random.randn(batch, time, 3), np.random.rand(batch, time, 2)))
    return net


def all_recorders(capacity=512, **snapshot_options):
    return [
        WeightSnapshotRecorder(capacity=min(capacity, 64), **snapshot_options),
        SparsityRecorder(capacity=capacity),
        WeightNormRecorder(capacity=capacity),
        BatchNormRecorder(capacity=capacity),
        RecurrentRecorder(capacity=capacity),
        DropoutMaskRecorder(),
    ]


def train(net, steps, recorders=(), after_step=None):
    for recorder in recorders:
        recorder.start(net)
    for step in range(steps):
        net.forward()
        net.backward()
        for recorder in recorders:
            recorder.record(step, net)
        if after_step is not None:
            after_step(step)


def series_of(recorder):
    """Every BoundedSeries a recorder holds, found in its attributes (dicts of series or single series)."""
    found = []
    for value in vars(recorder).values():
        if isinstance(value, BoundedSeries):
            found.append(value)
        elif isinstance(value, dict):
            found.extend(item for item in value.values() if isinstance(item, BoundedSeries))
    return found


def arrays_outside_series(recorder):
    """Every array a recorder holds outside its series (latest states and masks, sampled indices)."""
    found = []
    for value in vars(recorder).values():
        if isinstance(value, dict):
            for item in value.values():
                if isinstance(item, np.ndarray):
                    found.append(item)
                elif isinstance(item, dict):
                    found.extend(array for array in item.values() if isinstance(array, np.ndarray))
    return found


# ----------------------------------------------------------------------------------------- BoundedSeries


def test_series_keeps_every_entry_until_it_is_full():
    series = BoundedSeries(5)
    for step in range(5):
        assert series.append(step, [step, -step]) is True
    np.testing.assert_array_equal(series.steps, [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(series.values, [[0, 0], [1, -1], [2, -2], [3, -3], [4, -4]])
    assert series.stride == 1 and len(series) == 5 and series.offered == 5


def test_series_thins_to_every_other_entry_and_doubles_its_stride_when_full():
    series = BoundedSeries(4)
    kept = [series.append(step, 10.0 * step) for step in range(10)]
    # Calls 0-3 fill it; call 4 thins to [0, 2] (stride 2) and is kept; 6 is kept; 8 thins to [0, 4] (stride 4).
    assert kept == [True, True, True, True, True, False, True, False, True, False]
    np.testing.assert_array_equal(series.steps, [0, 4, 8])
    np.testing.assert_array_equal(series.values, [0.0, 40.0, 80.0])
    assert series.stride == 4
    step, value = series.latest
    assert step == 9 and value == 90.0
    assert list(series)[1] == (4, 40.0)
    assert repr(series) == "BoundedSeries(capacity=4, entries=3, stride=4)"


def test_series_stays_bounded_over_100000_appends_and_keeps_the_first_and_a_recent_step():
    series = BoundedSeries(64)
    for step in range(100_000):
        series.append(step, float(step))
    steps = series.steps
    assert 32 <= len(series) <= 64
    assert steps[0] == 0
    assert steps[-1] > 100_000 - 1 - series.stride
    assert series.stride < 2 * 100_000 / 64
    np.testing.assert_array_equal(np.diff(steps), series.stride)
    np.testing.assert_array_equal(series.values, steps.astype(float))
    assert series.latest[0] == 99_999


@given(capacity=st.integers(2, 40), appends=st.integers(1, 3000))
def test_series_invariants_for_any_capacity_and_length(capacity, appends):
    series = BoundedSeries(capacity)
    for step in range(appends):
        series.append(step, step)
    steps = series.steps
    assert 1 <= len(series) <= capacity
    assert steps[0] == 0
    assert appends - 1 - steps[-1] < series.stride
    assert np.all(steps % series.stride == 0)
    np.testing.assert_array_equal(np.diff(steps), series.stride)
    if series.stride > 1:
        assert series.stride < 2 * appends / capacity
        assert len(series) >= capacity // 2


def test_series_stores_read_only_copies():
    source = np.array([1.0, 2.0, 3.0])
    series = BoundedSeries(3)
    series.append(0, source)
    source[0] = 99.0
    np.testing.assert_array_equal(series.values, [[1.0, 2.0, 3.0]])
    _, stored = series.latest
    assert not stored.flags.writeable
    stacked = series.values
    stacked[0, 0] = -5.0
    np.testing.assert_array_equal(series.values, [[1.0, 2.0, 3.0]])


def test_series_of_different_shapes_iterates_but_refuses_to_stack():
    series = BoundedSeries(4)
    series.append(0, np.zeros(3))
    series.append(1, np.zeros(5))
    assert [value.shape for _, value in series] == [(3,), (5,)]
    with pytest.raises(ValueError, match="different shapes"):
        _ = series.values


def test_empty_series():
    series = BoundedSeries(2)
    assert series.steps.shape == (0,) and series.values.shape == (0,)
    assert series.latest is None and len(series) == 0


@pytest.mark.parametrize(
    ("capacity", "error", "message"),
    [
        (1, ValueError, "at least 2"),
        (0, ValueError, "positive integer"),
        (2.5, TypeError, "positive integer"),
        ("8", TypeError, "positive integer"),
    ],
)
def test_series_capacity_is_validated(capacity, error, message):
    with pytest.raises(error, match=f"BoundedSeries capacity.*{message}"):
        BoundedSeries(capacity)


# ------------------------------------------------------------------------------------------ Recorder base


def test_every_records_only_multiples_of_every():
    net = mlp()
    recorder = SparsityRecorder(every=3)
    recorded = []
    train(net, 11, after_step=lambda step: recorded.append(recorder.record(step, net)))
    assert recorded == [step % 3 == 0 for step in range(11)]
    np.testing.assert_array_equal(recorder.overall.steps, [0, 3, 6, 9])
    np.testing.assert_array_equal(recorder.fractions[4].steps, [0, 3, 6, 9])
    assert recorder.last_step == 9


def test_record_starts_the_recorder_and_labels_layers_by_index():
    net = mlp()
    recorder = WeightNormRecorder()
    assert recorder.labels == {} and recorder.last_step is None
    assert recorder.record(0, net) is True
    assert recorder.labels == MLP_LABELS
    assert set(recorder.l1) == set(recorder.l2) == {0, 1, 4}
    assert BatchNormRecorder().record(0, net) and DropoutMaskRecorder().record(0, net)


def test_a_second_start_on_the_same_layers_continues_and_other_layers_start_afresh():
    net = mlp()
    recorder = WeightNormRecorder()
    train(net, 3, [recorder])
    recorder.start(net)
    train_more = [recorder.record(step, net) for step in range(3, 5)]
    assert train_more == [True, True]
    np.testing.assert_array_equal(recorder.l2[0].steps, [0, 1, 2, 3, 4])

    other = mlp(seed=1)
    with pytest.raises(RuntimeError, match=r"start\(network\)"):
        recorder.record(5, other)
    recorder.start(other)
    assert len(recorder.l2[0]) == 0 and recorder.last_step is None
    assert recorder.record(6, other)
    recorder.reset()
    assert recorder.labels == {} and recorder.l1 == {} and recorder.last_step is None


def test_record_notices_a_changed_layer_list():
    net = mlp()
    recorder = BatchNormRecorder()
    train(net, 1, [recorder])
    net.append_layer(BatchNormalization(3))
    with pytest.raises(RuntimeError, match=r"layers\[6\] BatchNormalization"):
        recorder.record(1, net)


@pytest.mark.parametrize(("step", "error"), [(-1, ValueError), (1.0, TypeError), (True, TypeError), ("3", TypeError)])
def test_record_validates_the_step(step, error):
    with pytest.raises(error, match="step must be a non-negative integer"):
        SparsityRecorder().record(step, mlp())


def test_options_are_validated_with_messages_that_name_them():
    with pytest.raises(ValueError, match="SparsityRecorder every must be a positive integer"):
        SparsityRecorder(every=0)
    with pytest.raises(ValueError, match="SparsityRecorder threshold must be non-negative"):
        SparsityRecorder(threshold=-1e-3)
    with pytest.raises(ValueError, match="WeightSnapshotRecorder sample_size"):
        WeightSnapshotRecorder(sample_size=0)
    with pytest.raises(ValueError, match="at least 2"):
        BatchNormRecorder(capacity=1)
    with pytest.raises(TypeError, match="WeightSnapshotRecorder rng"):
        WeightSnapshotRecorder(rng=np.random.RandomState(0))
    with pytest.raises(TypeError, match="layer_types"):
        WeightNormRecorder(layer_types="FullyConnected")
    with pytest.raises(TypeError, match="parameter"):
        WeightNormRecorder(parameter=0)
    with pytest.raises(ValueError, match="RecurrentRecorder sequence"):
        RecurrentRecorder(sequence=-1)
    with pytest.raises(TypeError, match="expects a NeuralNetwork"):
        DropoutMaskRecorder().start([Dropout(0.5)])


def test_the_base_class_asks_subclasses_for_the_two_hooks():
    with pytest.raises(NotImplementedError, match="_reset"):
        Recorder()


def test_a_recorder_written_against_the_documented_interface_reads_the_watched_layers():
    class BiasRecorder(Recorder):
        layer_types = (FullyConnected,)

        def _reset(self, layers):
            self.biases = {index: [] for index, _ in layers}

        def _record(self, step):
            for index, layer in self.watched:
                self.biases[index].append(layer.weights[-1].copy())

    net = mlp()
    recorder = BiasRecorder()
    assert recorder.watched is None
    train(net, 3, [recorder])
    assert [index for index, _ in recorder.watched] == [0, 4]
    assert all(layer is net.layers[index] for index, layer in recorder.watched)
    np.testing.assert_array_equal(recorder.biases[4][-1], net.layers[4].weights[-1])
    assert len(recorder.biases[0]) == 3
    snapshots = WeightNormRecorder()
    snapshots.start(net)
    np.testing.assert_array_equal(snapshots.parameter_array(net.layers[0]), net.layers[0].weights)


# ---------------------------------------------------------------------------------------- weight snapshots


def test_weight_snapshots_equal_the_sampled_weights_at_every_kept_step():
    net = mlp()
    recorder = WeightSnapshotRecorder(sample_size=10, capacity=8)
    expected = {}

    def remember(step):
        layers = net.layers
        expected[step] = {index: layers[index].weights.ravel()[recorder.indices[index]].copy() for index in (0, 1, 4)}
        for index in (0, 1, 4):
            latest_step, latest = recorder.snapshots[index].latest
            assert latest_step == step
            np.testing.assert_array_equal(latest, expected[step][index])

    train(net, 30, [recorder], after_step=remember)
    assert recorder.labels == MLP_LABELS
    assert recorder.shapes == {0: (5, 6), 1: (6,), 4: (7, 3)}
    # FC layers have 30 and 21 weights: 10 sampled; BatchNorm's γ has 6: all of them.
    assert {index: len(positions) for index, positions in recorder.indices.items()} == {0: 10, 1: 6, 4: 10}
    for index, positions in recorder.indices.items():
        assert np.all(np.diff(positions) > 0)
        series = recorder.snapshots[index]
        assert 4 <= len(series) <= 8 and series.steps[0] == 0
        assert series.values.shape == (len(series), len(positions))
        for step, values in series:
            np.testing.assert_array_equal(values, expected[step][index])


def test_weight_samples_are_seeded_and_never_touch_the_global_random_state():
    net = mlp()
    state = np.random.get_state()
    first, second = WeightSnapshotRecorder(sample_size=10), WeightSnapshotRecorder(sample_size=10)
    for recorder in (first, second):
        recorder.start(net)
        recorder.record(0, net)
    after = np.random.get_state()
    np.testing.assert_array_equal(state[1], after[1])
    assert state[2:] == after[2:]
    for index in (0, 4):
        np.testing.assert_array_equal(first.indices[index], second.indices[index])
    generator = WeightSnapshotRecorder(sample_size=10, rng=np.random.default_rng(7))
    seed = WeightSnapshotRecorder(sample_size=10, rng=7)
    generator.start(net)
    seed.start(net)
    np.testing.assert_array_equal(generator.indices[0], seed.indices[0])


def test_weight_samples_with_rng_none_draw_from_the_global_state_like_every_random_argument():
    net = mlp()
    np.random.seed(3)
    first = WeightSnapshotRecorder(sample_size=10, rng=None)
    first.start(net)
    np.random.seed(3)
    second = WeightSnapshotRecorder(sample_size=10, rng=None)
    second.start(net)
    np.testing.assert_array_equal(first.indices[0], second.indices[0])
    np.random.seed(3)
    np.random.random()  # another position in the global stream: another sample
    third = WeightSnapshotRecorder(sample_size=10, rng=None)
    third.start(net)
    assert not np.array_equal(first.indices[0], third.indices[0])


def test_weight_snapshots_of_other_arrays_and_layer_types():
    net = sequence_net(RNN)
    outputs = WeightSnapshotRecorder(parameter="output_weights")
    outputs.record(0, net)
    assert outputs.labels == {0: "layers[0] RNN"}
    assert outputs.shapes == {0: (6, 2)}
    np.testing.assert_array_equal(outputs.snapshots[0].latest[1], net.layers[0].output_weights.ravel())

    dense_only = WeightSnapshotRecorder(layer_types=FullyConnected)
    dense_only.record(0, mlp())
    assert set(dense_only.snapshots) == {0, 4}
    beta = WeightSnapshotRecorder(parameter="bias")
    beta.record(0, mlp())
    assert set(beta.snapshots) == {1}


def test_weight_snapshots_report_a_changed_weight_shape():
    net = mlp()
    recorder = WeightSnapshotRecorder()
    recorder.start(net)
    net.layers[0].weights = np.zeros((3, 3))
    with pytest.raises(ValueError, match=r"layers\[0\] FullyConnected.weights has shape \(3, 3\)"):
        recorder.record(0, net)


# ---------------------------------------------------------------------------------------- sparsity, norms


def test_sparsity_counts_weights_within_the_threshold_on_hand_set_weights():
    net = mlp()
    first = np.full((5, 6), 0.5)
    first.flat[:6] = [0.0, 1e-3, -1e-3, 5e-4, -2e-4, 1e-12]  # 6 within 1e-3
    first.flat[6:9] = [1.1e-3, -1.1e-3, 2e-3]  # just outside
    second = np.full((7, 3), -0.25)
    second.flat[[0, 10, 20]] = [0.0, 0.0, -7e-4]  # 3 within 1e-3, 2 exactly zero
    net.layers[0].weights, net.layers[4].weights = first, second
    net.layers[1].weights = np.array([1.0, 0.0, 1.0, 1.0, 1.0, 1.0])

    recorder = SparsityRecorder()
    recorder.record(0, net)
    assert recorder.sizes == {0: 30, 1: 6, 4: 21}
    assert recorder.fractions[0].values[0] == 6 / 30
    assert recorder.fractions[1].values[0] == 1 / 6
    assert recorder.fractions[4].values[0] == 3 / 21
    assert recorder.overall.values[0] == (6 + 1 + 3) / (30 + 6 + 21)

    exact = SparsityRecorder(threshold=0)
    exact.record(0, net)
    assert [exact.fractions[index].values[0] for index in (0, 1, 4)] == [1 / 30, 1 / 6, 2 / 21]


def test_weight_norms_on_hand_set_weights():
    net = NeuralNetwork(Sgd(0.1), He(), Constant(0.1))
    net.append_layer(FullyConnected(1, 2))
    net.append_layer(ReLU())
    net.append_layer(FullyConnected(2, 1))
    net.layers[0].weights = np.array([[3.0, -4.0], [0.0, 0.0]])
    net.layers[2].weights = np.array([[1.0], [-2.0], [2.0]])
    recorder = WeightNormRecorder()
    recorder.record(0, net)
    assert recorder.labels == {0: "layers[0] FullyConnected", 2: "layers[2] FullyConnected"}
    assert recorder.l1[0].values[0] == 7.0 and recorder.l2[0].values[0] == 5.0
    assert recorder.l1[2].values[0] == 5.0 and recorder.l2[2].values[0] == 3.0


def test_weight_norms_follow_training():
    net = mlp()
    recorder = WeightNormRecorder()

    def check(step):
        for index in (0, 1, 4):
            weights = net.layers[index].weights
            np.testing.assert_allclose(recorder.l1[index].latest[1], np.abs(weights).sum(), rtol=1e-14)
            np.testing.assert_allclose(recorder.l2[index].latest[1], np.linalg.norm(weights), rtol=1e-14)

    train(net, 5, [recorder], after_step=check)


# ------------------------------------------------------------------------------------------- BatchNorm


def test_batch_norm_statistics_per_channel_equal_the_layer_attributes():
    net = mlp()
    recorder = BatchNormRecorder(capacity=4)
    expected = {}

    def remember(step):
        layer = net.layers[1]
        expected[step] = {name: getattr(layer, name).copy() for name in BatchNormRecorder.statistic_names}

    train(net, 9, [recorder], after_step=remember)
    assert recorder.labels == {1: "layers[1] BatchNormalization"}
    for name in BatchNormRecorder.statistic_names:
        series = getattr(recorder, name)[1]
        assert series.values.shape == (len(series), 6)
        np.testing.assert_array_equal(series.steps, [0, 4, 8])
        for step, values in series:
            np.testing.assert_array_equal(values, expected[step][name])
        np.testing.assert_array_equal(series.latest[1], expected[8][name])


def test_batch_norm_statistics_before_any_forward_are_nan():
    recorder = BatchNormRecorder()
    recorder.record(0, mlp())
    for name in BatchNormRecorder.statistic_names:
        values = getattr(recorder, name)[1].values
        assert values.shape == (1, 6) and np.all(np.isnan(values))


# ------------------------------------------------------------------------------------------- recurrent


def test_rnn_hidden_states_and_gradient_norms_of_one_sequence():
    net = sequence_net(RNN)
    recorder = RecurrentRecorder(capacity=4)
    expected = {}

    def check(step):
        layer = net.layers[0]
        expected[step] = layer.hidden_gradient_norms.copy()
        np.testing.assert_array_equal(recorder.hidden_states[0], layer.hidden_states)
        assert recorder.hidden_states[0].shape == (7, 5)
        assert not np.shares_memory(recorder.hidden_states[0], layer.hidden_states)

    train(net, 10, [recorder], after_step=check)
    assert recorder.labels == {0: "layers[0] RNN"}
    assert recorder.cell_states == {} and recorder.gate_activations == {}
    series = recorder.hidden_gradient_norms[0]
    assert series.values.shape == (len(series), 7)
    for step, norms in series:
        np.testing.assert_array_equal(norms, expected[step])


def test_lstm_records_one_sequence_of_a_batch_with_cells_and_gates():
    net = sequence_net(LSTM, batch=3)
    chosen, everything = RecurrentRecorder(sequence=1), RecurrentRecorder(sequence=None)
    train(net, 2, [chosen, everything])
    layer = net.layers[0]
    np.testing.assert_array_equal(chosen.hidden_states[0], layer.hidden_states[1])
    np.testing.assert_array_equal(chosen.cell_states[0], layer.cell_states[1])
    assert set(chosen.gate_activations[0]) == {"forget", "input", "candidate", "output"}
    for name, gate in chosen.gate_activations[0].items():
        np.testing.assert_array_equal(gate, layer.gate_activations[name][1])
        assert gate.shape == (7, 5)
    assert everything.hidden_states[0].shape == (3, 7, 5)
    np.testing.assert_array_equal(everything.hidden_states[0], layer.hidden_states)
    np.testing.assert_array_equal(chosen.hidden_gradient_norms[0].latest[1], layer.hidden_gradient_norms)

    too_far = RecurrentRecorder(sequence=3)
    with pytest.raises(ValueError, match=r"sequence is 3, but layers\[0\] LSTM ran a batch of 3"):
        too_far.record(0, net)


def test_recurrent_record_before_any_backward_adds_no_gradient_norm():
    net = sequence_net(RNN)
    recorder = RecurrentRecorder()
    recorder.record(0, net)
    assert recorder.hidden_states[0] is None
    assert len(recorder.hidden_gradient_norms[0]) == 0
    net.forward()
    recorder.record(1, net)
    assert recorder.hidden_states[0].shape == (7, 5)
    assert len(recorder.hidden_gradient_norms[0]) == 0


# --------------------------------------------------------------------------------------------- dropout


def test_dropout_mask_is_a_copy_of_the_last_training_mask():
    net = mlp()
    recorder = DropoutMaskRecorder()
    recorder.record(0, net)
    assert recorder.masks == {3: None} and recorder.probabilities == {3: 0.5}
    train(net, 1, [recorder])
    layer = net.layers[3]
    recorded = recorder.masks[3]
    np.testing.assert_array_equal(recorded, layer.mask)
    assert recorded.dtype == bool and recorded.shape == (8, 6)
    kept = recorded.copy()
    layer.mask[...] = ~layer.mask
    net.forward()  # a new mask
    layer.probability = 0.9
    np.testing.assert_array_equal(recorder.masks[3], kept)
    assert recorder.probabilities[3] == 0.5
    recorder.record(1, net)
    np.testing.assert_array_equal(recorder.masks[3], layer.mask)
    assert recorder.probabilities[3] == 0.9


# ------------------------------------------------------------------------------------ effects and cost


def test_training_with_recorders_is_bit_identical_to_training_without():
    plain = mlp(seed=5)
    train(plain, 40)
    plain_state = np.random.get_state()
    watched = mlp(seed=5)
    train(watched, 40, all_recorders(capacity=8))
    watched_state = np.random.get_state()
    np.testing.assert_array_equal(plain_state[1], watched_state[1])
    assert plain_state[2:] == watched_state[2:]
    assert plain.loss == watched.loss
    for plain_layer, watched_layer in zip(plain.layers, watched.layers, strict=True):
        for name in plain_layer.parameter_names + plain_layer.buffer_names:
            np.testing.assert_array_equal(getattr(plain_layer, name), getattr(watched_layer, name))


def test_recording_never_changes_or_replaces_a_layer_array():
    net = sequence_net(LSTM, batch=2)
    train(net, 1)
    layer = net.layers[0]
    names = ("weights", "output_weights", "hidden_states", "cell_states", "hidden_gradient_norms")
    before = {name: getattr(layer, name) for name in names}
    copies = {name: array.copy() for name, array in before.items()}
    for recorder in all_recorders(sample_size=7):
        recorder.record(0, net)
    for name in names:
        assert getattr(layer, name) is before[name]
        np.testing.assert_array_equal(getattr(layer, name), copies[name])


@pytest.mark.parametrize("make_net", [mlp, lambda: sequence_net(LSTM, batch=2)], ids=["mlp", "lstm"])
def test_what_recorders_hold_stays_bounded_however_long_the_run(make_net):
    capacity, steps = 8, 2000
    net = make_net()
    recorders = all_recorders(capacity=capacity)

    def held():
        """How many numbers the recorders hold, and the most they could hold with every series full."""
        series = [series for recorder in recorders for series in series_of(recorder)]
        outside = sum(array.size for recorder in recorders for array in arrays_outside_series(recorder))
        held = sum(value.size for one in series for _, value in one) + outside
        most = sum(capacity * one.latest[1].size for one in series) + outside
        return held, most

    train(net, 200, recorders)
    _, early_most = held()
    for step in range(200, steps):
        net.forward()
        net.backward()
        for recorder in recorders:
            recorder.record(step, net)
    late_held, late_most = held()
    # Ten times as many steps, the same bound: a series holds at most `capacity` entries, the rest is the latest only.
    assert late_most == early_most
    assert late_held <= late_most
    recorded_series = 0
    for recorder in recorders:
        assert recorder.last_step == steps - 1
        for series in series_of(recorder):
            recorded_series += 1
            assert series.offered == steps
            assert capacity // 2 <= len(series) <= capacity
            assert series.steps[0] == 0 and series.steps[-1] > steps - 1 - series.stride
    assert recorded_series > 0
