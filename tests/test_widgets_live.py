"""The live training dashboard of lesson 05, driven without a browser."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from rnnreg.lessons.all_together import LiveRun, build_digits_conv_net, live_finding
from rnnreg.widgets.live import LiveTrainingDashboard, plot_live_state


def assert_same_snapshot(first, second):
    assert len(first) == len(second)
    for left, right in zip(first, second, strict=True):
        assert left.keys() == right.keys()
        for name in left:
            np.testing.assert_array_equal(left[name], right[name])


def optimizer_state(network):
    return [
        {key: np.copy(value) for key, value in optimizer.state_arrays().items()}
        for layer in network.trainable_layers() for optimizer in layer.optimizers.values()
    ]


def step_rows(history, start, stop):
    return {field: values[start:stop] for field, values in history.steps.items() if field != "elapsed"}


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_step_and_play_ticks_advance_the_history():
    dashboard = LiveTrainingDashboard(steps_per_tick=2, interval=500)
    assert dashboard.run.history.num_steps == 0
    assert "not trained yet" in dashboard.status.value
    dashboard.step(4)
    history = dashboard.run.history
    assert history.num_steps == 4 and history.num_epochs == 1
    dashboard.step(3)
    assert history.steps["step"] == list(range(7))
    assert history.epochs["step"] == [3, 6]
    assert 0 <= history.epochs["validation_accuracy"][-1] <= 1
    assert dashboard.status.value.startswith("step 7 · epoch 0.4 · train accuracy")
    assert len(dashboard.run.network.loss) == 7

    dashboard.clock = clock = FakeClock()
    dashboard.play.value = 1  # a tick of the Play widget: steps_per_tick more steps
    assert history.num_steps == 9
    clock.now += 0.1  # arrives 0.1 s after the last tick ended: it waited in the queue behind it
    dashboard.play.value = 2
    assert history.num_steps == 9
    clock.now += 0.4
    dashboard.play.value = 3
    assert history.num_steps == 11
    clock.now += 0.5
    dashboard.play.value = 0  # the Play widget's stop button rewinds to the start
    assert history.num_steps == 11


@pytest.mark.parametrize(
    ("control", "value", "field"),
    [("l2_strength", 0.3, "regularization_loss"), ("dropout_rate", 0.6, "data_loss"),
     ("learning_rate", 1e-2, "learning_rate")],
)
def test_a_control_changed_mid_run_acts_from_the_next_step_and_leaves_earlier_steps_alone(control, value, field):
    changed, plain = LiveTrainingDashboard(), LiveRun()  # the same seed and settings; plain is never changed
    changed.step(3)
    plain.step(3)
    weights, moments = changed.run.network.snapshot(), optimizer_state(changed.run.network)
    changed.controls[control].value = value
    assert changed.last_error is None
    # nothing was reset: the same weights and the same optimizer state
    assert_same_snapshot(changed.run.network.snapshot(), weights)
    for before, after in zip(moments, optimizer_state(changed.run.network), strict=True):
        for key in before:
            np.testing.assert_array_equal(before[key], after[key])
    changed.step(3)
    plain.step(3)
    assert step_rows(changed.run.history, 0, 3) == step_rows(plain.history, 0, 3)
    assert changed.run.history.steps[field][3] != plain.history.steps[field][3]
    assert changed.run.history.num_steps == 6


def assert_settings_reached_the_network(network, alpha, keep, learning_rate):
    for layer in network.trainable_layers():
        for optimizer in layer.optimizers.values():
            assert optimizer.learning_rate == learning_rate
            assert optimizer.regularizer.alpha == alpha
    assert network.layers[5].probability == keep


def test_settings_reach_the_network_and_reset_restores_the_initial_network_exactly():
    dashboard = LiveTrainingDashboard()
    initial = dashboard.run.network.snapshot()
    dashboard.set(l2_strength=0.1, dropout_rate=0.5, learning_rate=5e-3)
    assert_settings_reached_the_network(dashboard.run.network, 0.1, 0.5, 5e-3)
    assert "keep probability 0.50" in dashboard.status.value
    dashboard.step(5)
    first_run = step_rows(dashboard.run.history, 0, 5)
    assert not np.array_equal(dashboard.run.network.layers[0].weights, initial[0]["weights"])
    dashboard.reset_button.click()
    assert dashboard.run.history.num_steps == 0
    assert dashboard.run.network.loss == []
    assert_same_snapshot(dashboard.run.network.snapshot(), initial)
    assert_settings_reached_the_network(dashboard.run.network, 0.1, 0.5, 5e-3)  # Reset keeps the settings
    assert "step 0" in dashboard.status.value
    dashboard.step(5)
    assert step_rows(dashboard.run.history, 0, 5) == first_run


def test_runs_do_not_depend_on_numpy_global_random_state():
    first = LiveRun()
    first.step(3)
    np.random.seed(99)
    np.random.rand(100)
    second = LiveRun()
    second.step(3)
    assert step_rows(first.history, 0, 3) == step_rows(second.history, 0, 3)
    np.random.seed(7)
    expected = np.random.rand(2)
    np.random.seed(7)
    build_digits_conv_net(seed=3)
    np.testing.assert_array_equal(np.random.rand(2), expected)


def test_a_nan_or_zero_learning_rate_typed_in_shows_a_message_and_changes_nothing():
    dashboard = LiveTrainingDashboard()
    dashboard.step(2)
    for typed in (float("nan"), 0.0):
        dashboard.controls["learning_rate"].value = typed
        assert "Cannot apply this setting" in dashboard.status.value
        assert "learning rate η" in dashboard.status.value
        assert isinstance(dashboard.last_error, ValueError)
        assert dashboard.run.settings["learning_rate"] == 2e-3
    dashboard.step(2)  # training goes on with the last good value
    assert dashboard.run.history.steps["learning_rate"][-1] == 2e-3
    dashboard.controls["learning_rate"].value = 1e-3
    assert dashboard.last_error is None
    assert dashboard.run.settings["learning_rate"] == 1e-3


def test_a_bad_setting_changes_none_of_the_others():
    run = LiveRun()
    with pytest.raises(ValueError, match="learning rate η must be positive"):
        run.configure(l2_strength=0.3, learning_rate=-1e-3)
    with pytest.raises(ValueError, match="learning rate η must be a finite number"):
        run.configure(l2_strength=0.3, learning_rate=float("inf"))
    with pytest.raises(TypeError, match="L2 strength α must be a real number, got 'strong'"):
        run.configure(l2_strength="strong")
    assert run.settings == {"l2_strength": 0.01, "dropout_rate": 0.3, "learning_rate": 2e-3}
    assert run.network.layers[0].optimizers["weights"].regularizer.alpha == 0.01
    with pytest.raises(ValueError, match="dropout rate must be in"):
        run.configure(dropout_rate=1.0)


def test_divergence_stops_the_run_with_a_message_until_reset():
    dashboard = LiveTrainingDashboard()
    dashboard.step(2)
    dashboard.play.playing = True
    dashboard.controls["learning_rate"].value = 1e300
    dashboard.step(5)
    assert "Training stopped" in dashboard.status.value
    assert "Press Reset" in dashboard.status.value
    assert dashboard.play.playing is False
    steps = dashboard.run.history.num_steps
    dashboard.step(2)
    assert dashboard.run.history.num_steps == steps
    dashboard.controls["learning_rate"].value = 2e-3
    dashboard.reset()
    dashboard.step(2)
    assert dashboard.last_error is None
    assert dashboard.run.history.num_steps == 2


def test_bad_step_counts_are_reported():
    dashboard = LiveTrainingDashboard()
    dashboard.step(0)
    assert "steps must be a positive integer" in dashboard.status.value
    with pytest.raises(TypeError, match="steps must be a positive integer, got 2.5"):
        LiveRun().step(2.5)


def test_rendering_draws_every_panel_and_the_histogram_choice():
    dashboard = LiveTrainingDashboard()
    assert bytes(dashboard.image.value).startswith(b"\x89PNG")
    assert "Not trained yet" in dashboard.figure.texts[0].get_text()
    dashboard.step(3)
    loss_axes, accuracy_axes, weight_axes = dashboard.axes
    assert loss_axes.get_xlabel() == "training step"
    assert [line.get_label() for line in accuracy_axes.lines] == ["train accuracy", "validation accuracy"]
    assert weight_axes.get_xlabel() == "FC weight value"
    picture = dashboard.image.value
    dashboard.controls["weights_shown"].value = "conv kernels"
    assert weight_axes.get_xlabel() == "conv kernel weight value"
    assert dashboard.image.value != picture
    assert dashboard.run.history.num_steps == 3  # a display choice does not train
    figure = plot_live_state(dashboard.data())
    assert isinstance(figure, Figure) and len(figure.axes) == 3
    assert "after 3 steps" in figure.texts[0].get_text()
    assert plt.get_fignums() == []


def test_the_dashboard_draws_what_the_static_picture_draws_with_no_blitted_path():
    dashboard = LiveTrainingDashboard()
    dashboard.step(4)
    dashboard.controls["l2_strength"].value = 0.3
    dashboard.step(4)
    figure = plot_live_state(dashboard.data())
    for live, static in zip(dashboard.axes, figure.axes, strict=True):
        assert live.get_title() == static.get_title()
        assert [line.get_label() for line in live.lines] == [line.get_label() for line in static.lines]
        for live_line, static_line in zip(live.lines, static.lines, strict=True):
            np.testing.assert_array_equal(live_line.get_ydata(), static_line.get_ydata())
    # one drawing path: every Axes is drawn afresh, nothing in it is left for a blitted update
    assert not any(artist.get_animated() for ax in dashboard.axes for artist in ax.get_children())
    assert "static_key" not in vars(LiveTrainingDashboard)


def test_the_summed_loss_is_not_called_the_loss_training_minimises():
    dashboard = LiveTrainingDashboard()
    dashboard.step(2)
    labels = [text.get_text() for text in dashboard.axes[0].get_legend().get_texts()]
    assert labels == ["data loss", "regularization loss", "sum of the two"]
    assert not any("total loss" in label or "minimi" in label for label in labels)


def test_stronger_l2_shrinks_the_weights_faster():
    weak, strong = LiveRun(l2_strength=0.0), LiveRun(l2_strength=1.0)
    for run in (weak, strong):
        run.step(60)
    rms = {name: float(np.sqrt(np.mean(run.data()["weights"]["fully connected"] ** 2)))
           for name, run in (("weak", weak), ("strong", strong))}
    # the decoupled shrinkage alone would give (1 - η α)^60 ≈ 0.89
    assert rms["strong"] < 0.93 * rms["weak"]
    assert strong.history.steps["regularization_loss"][-1] > 0 == weak.history.steps["regularization_loss"][-1]



def test_the_finding_never_shows_a_negative_zero_gap():
    from types import SimpleNamespace

    epochs = {"step": [10], "train_accuracy": [0.921], "validation_accuracy": [0.924]}
    finding = live_finding({"steps": 10, "epochs": 1.0, "history": SimpleNamespace(epochs=epochs)})
    assert finding.endswith("train 0.92, gap +0.00")


def test_the_early_stopping_picture_states_what_its_curves_show():
    from rnnreg.viz import plot_early_stopping

    epochs = np.arange(50)
    validation = np.array([1.0 + (epochs - low) ** 2 / 400 for low in (10, 14)])  # lowest at 10 and 14
    train = np.array([np.exp(-epochs / 8), np.exp(-epochs / 9)])
    figure = plot_early_stopping(train, validation, [10, 14], [20, 24])
    validation_ax, train_ax = figure.axes
    assert validation_ax.get_title() == "Validation: lowest at epochs 10–14, then rising"
    assert train_ax.get_title() == "Training loss keeps falling" and train_ax.get_yscale() == "log"
    assert figure.texts[0].get_text() == "Early stopping stopped at epochs 20–24 of 50"
    flat = plot_early_stopping(train, np.ones((2, 50)), [0, 0], [5, 5])
    assert flat.axes[0].get_title() == "Validation: lowest at epoch 0"
    with pytest.raises(ValueError, match="stop_epochs must be epochs in"):
        plot_early_stopping(train, validation, [10, 14], [20, 50])
    with pytest.raises(ValueError, match="same shape"):
        plot_early_stopping(train[:1], validation, [10, 14], [20, 24])
    assert plt.get_fignums() == []


def test_the_live_picture_draws_into_given_axes_once_each_and_rejects_wrong_ones():
    from rnnreg.viz import plot_live_training

    run = LiveRun()
    run.step(3)
    data = run.data()
    kernels, start = data["weights"]["conv kernels"], data["initial_weights"]["conv kernels"]
    figure = plot_live_training(data["history"], kernels, start)
    assert len(figure.axes) == 3 and figure.axes[2].get_title().startswith("weight RMS ")
    fresh = plot_live_training(LiveRun().history, np.zeros(4), np.ones(4), axes=figure.axes)
    assert [text.get_text() for ax in fresh.axes[:2] for text in ax.texts] == ["no steps yet", "no evaluation yet"]
    with pytest.raises(ValueError, match="exactly 3"):
        plot_live_training(data["history"], np.zeros(4), np.ones(4), axes=figure.axes[:2])
    with pytest.raises(TypeError, match="axes must be None or a sequence"):
        plot_live_training(data["history"], np.zeros(4), np.ones(4), axes=figure.axes[0])
