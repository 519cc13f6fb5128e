"""The decision-boundary explorer of lesson 00, driven without a browser."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
import matplotlib.pyplot as plt

from rnnreg.lessons.tour import (
    DATASETS,
    boundary_view,
    finding,
    make_dataset,
    make_predict,
    network_from,
    train_boundary_classifier,
)
from rnnreg.widgets.tour import DecisionBoundaryDashboard

FAST = {"epochs": 30}  # enough for the claims below, a third of the lesson's training time


def trained(dataset="two moons", learning_rate=1e-2, hidden_units=16, dropout_rate=0.2, **options):
    return train_boundary_classifier(dataset, learning_rate, hidden_units, dropout_rate, **{**FAST, **options})


def test_training_is_cached_and_seeded():
    first = trained()
    assert trained() is first
    train_boundary_classifier.cache_clear()
    again = trained()
    assert again is not first
    for before, after in zip(first.snapshot, again.snapshot, strict=True):
        for name in before:
            np.testing.assert_array_equal(before[name], after[name])
    other_seed = trained(seed=1)
    assert not np.array_equal(other_seed.snapshot[0]["weights"], first.snapshot[0]["weights"])


def grid(resolution=40):
    xs, ys = np.meshgrid(np.linspace(-2, 2, resolution), np.linspace(-1.5, 1.5, resolution))
    return np.column_stack([xs.ravel(), ys.ravel()])


def test_cached_weights_are_read_only_and_never_touched_by_a_view():
    result = trained()
    with pytest.raises(ValueError, match="read-only"):
        result.snapshot[0]["weights"][0, 0] = 1.0
    before = [dict(arrays) for arrays in result.snapshot]
    boundary_view(result, "train")
    make_predict(result, "train")(grid(10))
    net = network_from(result)
    net.layers[0].weights += 1.0
    for arrays, saved in zip(result.snapshot, before, strict=True):
        for name in arrays:
            assert arrays[name] is saved[name]
    np.testing.assert_array_equal(network_from(result).layers[0].weights, result.snapshot[0]["weights"])


def test_training_leaves_numpy_global_random_state_alone():
    np.random.seed(123)
    expected = np.random.rand(3)
    np.random.seed(123)
    trained(seed=5)
    boundary_view(trained(seed=5), "train")
    np.testing.assert_array_equal(np.random.rand(3), expected)


def test_test_phase_is_deterministic_and_train_phase_frays_the_boundary():
    result = trained()
    plane = grid()
    test_predict, train_predict = make_predict(result, "test"), make_predict(result, "train")
    test = test_predict(plane)
    np.testing.assert_array_equal(test_predict(plane), test)
    train = train_predict(plane)
    np.testing.assert_array_equal(train_predict(plane), train)  # seeded masks: the same picture every time
    assert not np.allclose(train, test)

    # a frayed boundary: the predicted class flips between grid neighbours more often in the train phase
    def flips(probabilities):
        classes = (probabilities[:, 1] > 0.5).reshape(40, 40)
        return np.count_nonzero(np.diff(classes, axis=0)) + np.count_nonzero(np.diff(classes, axis=1))

    assert flips(train) > 2 * flips(test)
    # and the numbers on screen agree with the picture: the same points get the same answer
    test_points = result.points[result.test_indices]
    expected = np.mean(np.argmax(train_predict(test_points), axis=1) == result.labels[result.test_indices])
    assert boundary_view(result, "train")["test_accuracy"] == pytest.approx(expected)


def test_without_dropout_both_phases_agree():
    result = trained(dropout_rate=0.0)
    plane = grid(30)
    np.testing.assert_allclose(make_predict(result, "train")(plane), make_predict(result, "test")(plane))
    assert boundary_view(result, "train") == {**boundary_view(result, "test"), "phase": "train"}


def test_the_title_states_what_this_trained_net_shows_in_each_phase():
    result = trained()
    view = boundary_view(result, "train")
    assert 0 < view["changed_fraction"] < 0.5
    assert view["train_flips"] > view["test_flips"]
    assert f"{view['changed_fraction']:.1%} of the plane changes class" in finding(result.settings, view)
    assert "Test phase" in finding(result.settings, boundary_view(result, "test"))
    plain = boundary_view(trained(dropout_rate=0.0), "train")
    assert plain["changed_fraction"] == 0 and plain["train_flips"] == plain["test_flips"]
    assert finding(trained(dropout_rate=0.0).settings, plain).startswith("No dropout: both phases draw the same")


def test_every_data_set_is_learned():
    for name in DATASETS:
        view = boundary_view(trained(name, hidden_units=32), "test")
        assert view["train_accuracy"] >= 0.85, name


def test_data_sets_are_seeded_and_distinct():
    points, labels = make_dataset("xor", 50, seed=3)
    again, _ = make_dataset("xor", 50, seed=3)
    np.testing.assert_array_equal(points, again)
    assert set(np.unique(labels)) == {0, 1}
    assert not np.array_equal(make_dataset("two moons", 50, 3)[0], points)
    with pytest.raises(ValueError, match="data set must be one of"):
        make_dataset("moons", 50)


def test_dashboard_controls_drive_the_claims():
    train_boundary_classifier.cache_clear()
    dashboard = DecisionBoundaryDashboard(**FAST, resolution=40)
    assert dashboard.last_error is None
    assert bytes(dashboard.image.value).startswith(b"\x89PNG")
    assert "phase test" in dashboard.status.value and "test accuracy" in dashboard.status.value
    assert plt.get_fignums() == []

    # the phase toggle re-evaluates the cached net: no new training run
    misses = train_boundary_classifier.cache_info().misses
    picture = dashboard.image.value
    dashboard.controls["phase"].value = "train"
    assert train_boundary_classifier.cache_info().misses == misses
    assert dashboard.image.value != picture
    assert "Train phase" in dashboard.figure.texts[0].get_text()
    assert dashboard.last_data["view"]["phase"] == "train"
    dashboard.controls["phase"].value = "test"

    # too small a learning rate underfits in the same number of steps
    good = dashboard.last_data["view"]["train_accuracy"]
    dashboard.controls["learning_rate"].value = 1e-4
    assert train_boundary_classifier.cache_info().misses == misses + 1
    assert dashboard.last_data["view"]["train_accuracy"] < good - 0.1

    # capacity: two hidden units cannot follow the spirals, thirty-two can
    dashboard.set(learning_rate=1e-2, dataset="spirals", hidden_units=2)
    narrow = dashboard.last_data["view"]["train_accuracy"]
    dashboard.controls["hidden_units"].value = 32
    assert dashboard.last_data["view"]["train_accuracy"] > narrow + 0.15
    assert dashboard.last_data["trained"].settings["dataset"] == "spirals"

    # the dropout rate reaches the network; without dropout the title says the phases agree
    dashboard.controls["dropout_rate"].value = 0.0
    assert dashboard.last_data["trained"].settings["dropout_rate"] == 0.0
    assert "No dropout" in dashboard.figure.texts[0].get_text()


def test_render_draws_through_viz_only_with_no_blitted_path():
    dashboard = DecisionBoundaryDashboard(**FAST, resolution=30)
    boundary_axes, loss_axes = dashboard.axes
    legend = boundary_axes.get_legend()
    assert legend.get_title().get_text() == "test points"
    assert [text.get_text() for text in legend.get_texts()] == ["class 0", "class 1", "train points"]
    assert loss_axes.get_title().startswith("training loss per epoch (final ")
    assert "static_key" not in vars(DecisionBoundaryDashboard)
    assert not any(artist.get_animated() for ax in dashboard.axes for artist in ax.get_children())
    dashboard.controls["phase"].value = "train"  # a new picture clears and redraws: no artists pile up
    assert len(boundary_axes.images) == 1 and len(loss_axes.lines) == 1


def test_a_broken_learning_rate_shows_a_message_instead_of_raising():
    dashboard = DecisionBoundaryDashboard(**FAST, resolution=20)
    picture = dashboard.image.value
    dashboard.controls["learning_rate"].value = float("nan")
    assert "Cannot show this setting" in dashboard.status.value
    assert "learning_rate" in dashboard.status.value
    assert dashboard.image.value == picture
    dashboard.controls["learning_rate"].value = 1e-2
    assert dashboard.last_error is None


def test_an_empty_data_set_shows_a_message_instead_of_raising():
    dashboard = DecisionBoundaryDashboard(num_samples=0, **FAST)
    assert isinstance(dashboard.last_error, ValueError)
    assert "num_samples" in dashboard.status.value
    assert dashboard.last_data is None


def test_static_display_names_the_dashboard():
    bundle = DecisionBoundaryDashboard(**FAST, resolution=20)._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["image/png"].startswith(b"\x89PNG")
    assert data["text/plain"].startswith("DecisionBoundaryDashboard: Decision boundaries")
