"""rnnreg.viz: every figure function returns a projector-sized Figure, states computed numbers, redraws cleanly.

The common contract is checked for every function at once (``CASES``); the numbers in the titles and the
input checks are checked function by function, on synthetic data with known answers and on small real runs.
"""

import ast
import io
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # only to check that no pyplot figure is ever created
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from rnnreg import (
    LSTM,
    BatchNormalization,
    Constant,
    CrossEntropyLoss,
    Dropout,
    FullyConnected,
    He,
    L1Regularizer,
    L2Regularizer,
    NeuralNetwork,
    ReLU,
    SgdWithMomentum,
    SoftMax,
    viz,
)
from rnnreg.data import ArrayDataLayer, iris_data_layer, two_moons
from rnnreg.training import (
    BatchNormRecorder,
    BoundedSeries,
    DropoutMaskRecorder,
    History,
    SparsityRecorder,
    WeightNormRecorder,
    WeightSnapshotRecorder,
    fit,
)
from rnnreg.viz import COLORS
from rnnreg.viz._common import format_percent, format_scientific

VIZ_DIRECTORY = Path(viz.__file__).parent


@pytest.fixture(autouse=True)
def _no_pyplot_figures():
    assert plt.get_fignums() == []
    yield
    assert plt.get_fignums() == [], "a viz function created a pyplot figure"


# ----------------------------------------------------------------------------------------------- data


def iris_run(regularizer, *, epochs=6, seed=0):
    """A small iris net (FC - BN - ReLU - Dropout - FC - SoftMax) trained with every recorder attached."""
    np.random.seed(seed)
    optimizer = SgdWithMomentum(0.02, 0.9)
    optimizer.add_regularizer(regularizer)
    net = NeuralNetwork(optimizer, He(), Constant(0.1))
    net.data_layer = iris_data_layer(batch_size=16, validation_fraction=0.2)
    net.loss_layer = CrossEntropyLoss()
    for layer in (FullyConnected(4, 16), BatchNormalization(16), ReLU(), Dropout(0.7), FullyConnected(16, 3),
                  SoftMax()):
        net.append_layer(layer)
    recorders = SimpleNamespace(
        sparsity=SparsityRecorder(), snapshots=WeightSnapshotRecorder(sample_size=200), norms=WeightNormRecorder(),
        batch_norm=BatchNormRecorder(), masks=DropoutMaskRecorder(),
    )
    history = fit(net, epochs=epochs, recorders=list(vars(recorders).values()))
    return SimpleNamespace(net=net, history=history, recorders=recorders)


@pytest.fixture(scope="module")
def runs():
    return {"L1": iris_run(L1Regularizer(0.05)), "L2": iris_run(L2Regularizer(0.05))}


def make_history(data_loss, regularization_loss, train_accuracy=(), validation_accuracy=(), train_loss=(),
                 validation_loss=()):
    history = History()
    for step, (data, regularization) in enumerate(zip(data_loss, regularization_loss, strict=True)):
        history.add_step(step=step, epoch=0, data_loss=data, regularization_loss=regularization,
                         loss=data + regularization, learning_rate=0.1, gradient_norm=1.0, elapsed=0.0)
    epochs = max(len(train_accuracy), len(train_loss))
    for epoch in range(epochs):
        history.add_epoch(
            epoch=epoch, step=epoch, elapsed=0.0,
            train_accuracy=train_accuracy[epoch] if train_accuracy else None,
            validation_accuracy=validation_accuracy[epoch] if validation_accuracy else None,
            train_loss=train_loss[epoch] if train_loss else 1.0,
            validation_loss=validation_loss[epoch] if validation_loss else None,
        )
    return history


def series(steps, values, capacity=512):
    kept = BoundedSeries(capacity)
    for step, value in zip(steps, values, strict=True):
        kept.append(step, value)
    return kept


def fake_sparsity(fractions, threshold=1e-3):
    return SimpleNamespace(overall=series(range(len(fractions)), fractions), threshold=threshold)


def gates(T=12, H=5, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "forget": rng.uniform(0, 1, (T, H)),
        "input": rng.uniform(0, 1, (T, H)),
        "candidate": rng.uniform(-1, 1, (T, H)),
        "output": rng.uniform(0, 1, (T, H)),
    }


def linear_predict(points):
    """p(class 1) = sigmoid(5 x₁): the boundary is the line x₁ = 0."""
    class_one = 1 / (1 + np.exp(-5 * points[:, 0]))
    return np.column_stack([1 - class_one, class_one])


def moons():
    return two_moons(60, noise=0.1, rng=3)


def phase_outputs():
    x = np.abs(np.random.default_rng(1).normal(size=(64, 20))) + 0.5
    layer = Dropout(0.7, rng=np.random.default_rng(2))
    train = layer.forward(x)
    layer.testing_phase = True
    return train, layer.forward(x)


def hidden_states():
    return np.tanh(np.random.default_rng(4).normal(scale=1.5, size=(30, 8)))


def gradient_norms():
    steps = np.arange(1, 41)
    return {"Elman": 0.8 ** (40 - steps), "LSTM": 0.98 ** (40 - steps)}


def bn_statistics(channels=6):
    rng = np.random.default_rng(5)
    return (rng.normal(size=channels), rng.uniform(0.5, 2, channels), rng.normal(size=channels) / 2,
            rng.uniform(0.5, 2, channels))


def sequence():
    t = np.arange(25)
    targets = 0.5 + 0.4 * np.sin(t / 3)
    return targets, targets + 0.05 * np.cos(t), targets + np.random.default_rng(6).normal(scale=0.1, size=25)


# ------------------------------------------------------------------------ one contract for every function

# name -> (draw(data, target) where target is None / an Axes / a list of Axes, number of panels, needs list)
CASES = {
    "loss_curves": (lambda r, ax: viz.plot_loss_curves(r["L1"].history, ax=ax), 1),
    "train_validation": (lambda r, ax: viz.plot_train_validation(r["L1"].history, ax=ax), 1),
    "train_validation_loss": (lambda r, ax: viz.plot_train_validation(r["L2"].history, "loss", ax=ax), 1),
    "comparison_curves": (
        lambda r, ax: viz.plot_comparison_curves(
            {label: (run.history.step_array("step"), run.history.step_array("data_loss")) for label, run in r.items()},
            ax=ax, xlabel="training step", ylabel="data loss",
        ),
        1,
    ),
    "weight_histograms": (
        lambda r, ax: viz.plot_weight_histograms({label: run.net.layers[0].weights for label, run in r.items()}, ax=ax),
        1,
    ),
    "weight_evolution": (lambda r, ax: viz.plot_weight_evolution(r["L1"].recorders.snapshots, 0, ax=ax), 1),
    "sparsity_curves": (
        lambda r, ax: viz.plot_sparsity_curves({label: run.recorders.sparsity for label, run in r.items()}, ax=ax), 1
    ),
    "weight_norms": (lambda r, ax: viz.plot_weight_norms(r["L2"].recorders.norms, ax=ax), 1),
    "decision_boundary": (lambda r, ax: viz.plot_decision_boundary(linear_predict, *moons(), ax=ax, resolution=40), 1),
    "dropout_mask": (lambda r, ax: viz.plot_dropout_mask(r["L1"].recorders.masks.masks[3], ax=ax), 1),
    "phase_activations": (lambda r, ax: viz.plot_phase_activations(*phase_outputs(), ax=ax), 1),
    "batch_norm_statistics": (
        lambda r, axes: viz.plot_batch_norm_statistics(r["L1"].recorders.batch_norm, 1, channel=2, axes=axes), 2
    ),
    "channel_statistics": (lambda r, axes: viz.plot_channel_statistics(*bn_statistics(), axes=axes), 2),
    "hidden_states": (lambda r, ax: viz.plot_hidden_states(hidden_states(), ax=ax), 1),
    "gate_activations": (lambda r, axes: viz.plot_gate_activations(gates(), axes=axes), 4),
    "gradient_norms": (lambda r, ax: viz.plot_gradient_norms(gradient_norms(), ax=ax), 1),
    "sequence_predictions": (
        lambda r, ax: viz.plot_sequence_predictions(sequence()[0], sequence()[1], inputs=sequence()[2], ax=ax), 1
    ),
}
HEATMAPS = {"weight_evolution", "hidden_states", "gate_activations"}  # one inset colour bar per panel


def structure(figure):
    """What must not grow when the same Axes are drawn again: axes, their artists, inset axes, figure texts."""
    return (
        len(figure.axes),
        [len(ax.get_children()) for ax in figure.axes],
        [[len(child.get_children()) for child in ax.child_axes] for ax in figure.axes],
        len(figure.get_children()),
    )


@pytest.mark.parametrize("name", CASES)
def test_every_function_returns_a_labelled_projector_figure(runs, name):
    draw, panels = CASES[name]
    figure = draw(runs, None)
    assert isinstance(figure, Figure)
    assert len(figure.axes) == panels
    assert figure.get_size_inches()[0] == pytest.approx(10, abs=1)
    for ax in figure.axes:
        assert ax.get_xlabel().strip() and ax.get_ylabel().strip()
        assert min(ax.title.get_fontsize(), ax.xaxis.label.get_fontsize(), ax.yaxis.label.get_fontsize()) >= 12
        assert all(label.get_fontsize() >= 12 for label in ax.get_xticklabels() + ax.get_yticklabels())
        assert any(char.isdigit() for char in ax.get_title()), f"title {ax.get_title()!r} states no number"
        assert len(ax.child_axes) == (1 if name in HEATMAPS else 0)


@pytest.mark.parametrize("name", CASES)
def test_drawing_twice_into_the_same_axes_piles_nothing_up(runs, name):
    draw, panels = CASES[name]
    figure = Figure(figsize=(10, 6), layout="constrained")
    axes = list(np.ravel(figure.subplots(1, panels, squeeze=False)))
    target = axes[0] if panels == 1 else axes
    assert draw(runs, target) is figure
    first = structure(figure)
    assert draw(runs, target) is figure
    assert structure(figure) == first
    assert all(ax.get_title() for ax in axes)
    figure.savefig(io.BytesIO(), format="png")  # ticks are re-created when drawn: they keep the projector look
    for ax in axes:
        assert not ax.spines["top"].get_visible()
        assert all(label.get_fontsize() >= 12 for label in ax.get_xticklabels() + ax.get_yticklabels())


@pytest.mark.parametrize("name", CASES)
def test_every_figure_saves_as_png(runs, name):
    figure = CASES[name][0](runs, None)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(buffer.getvalue()) > 10_000


def test_no_global_matplotlib_state_changes(runs):
    before = dict(matplotlib.rcParams)
    for draw, _ in CASES.values():
        draw(runs, None)
    assert dict(matplotlib.rcParams) == before


def test_axes_arguments_are_checked(runs):
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        viz.plot_hidden_states(hidden_states(), ax="left")
    with pytest.raises(ValueError, match="exactly 4 matplotlib Axes, got 2"):
        viz.plot_gate_activations(gates(), axes=list(Figure().subplots(1, 2)))
    with pytest.raises(TypeError, match=r"axes\[1\] must be a matplotlib Axes"):
        viz.plot_channel_statistics(*bn_statistics(), axes=[Figure().subplots(), None])
    with pytest.raises(TypeError, match="sequence of 2 matplotlib Axes"):
        viz.plot_channel_statistics(*bn_statistics(), axes=Figure().subplots())


def test_viz_imports_only_numpy_matplotlib_itself_and_the_checks_of_rnnreg_validation():
    allowed = {"numpy", "matplotlib", "rnnreg"}
    for path in VIZ_DIRECTORY.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module]
            else:
                continue
            for name in names:
                if name.split(".")[0] == "rnnreg":
                    assert name.startswith("rnnreg.viz") or name == "rnnreg.validation", f"{path.name} imports {name}"
                else:
                    assert name.split(".")[0] in allowed | set(sys.stdlib_module_names), f"{path.name} imports {name}"


def test_importing_viz_does_not_import_pyplot():
    code = "import sys, rnnreg.viz; assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_names_are_reexported():
    for name in viz.__all__:
        assert hasattr(viz, name)
    assert viz.COLORS is COLORS and callable(viz.projector_style) and callable(viz.new_figure)


# ---------------------------------------------------------------------------------------------- curves


def test_loss_curves_title_states_the_last_values_and_uses_a_log_scale_across_decades():
    data = np.geomspace(1000, 1, 50)
    regularization = np.full(50, 0.25)
    figure = viz.plot_loss_curves(make_history(data, regularization))
    ax = figure.axes[0]
    assert f"data loss {data[-1]:.3g}" in ax.get_title()
    assert "regularization loss 0.25" in ax.get_title()
    assert "step 49" in ax.get_title()
    assert ax.get_yscale() == "log"
    colors = [to_hex(line.get_color()) for line in ax.get_lines()]
    assert colors[:2] == [to_hex(COLORS["data loss"]), to_hex(COLORS["regularization loss"])]
    np.testing.assert_allclose(ax.get_lines()[2].get_ydata(), data + regularization)
    assert len(ax.get_legend().get_texts()) == 3


def test_loss_curves_without_regularization_draw_one_line_without_legend():
    ax = viz.plot_loss_curves(make_history([3.0, 2.0, 1.5], [0.0, 0.0, 0.0])).axes[0]
    assert len(ax.get_lines()) == 1 and ax.get_legend() is None
    assert ax.get_yscale() == "linear"
    assert "data loss 1.5 (no regularization loss)" in ax.get_title()


def test_loss_curves_reject_an_empty_or_foreign_history():
    with pytest.raises(ValueError, match="no training steps yet"):
        viz.plot_loss_curves(History())
    with pytest.raises(TypeError, match="history must be a History.*got dict"):
        viz.plot_loss_curves({"data_loss": [1.0]})


def test_train_validation_title_states_the_final_gap():
    history = make_history([1.0], [0.0], train_accuracy=[0.6, 0.9, 1.0], validation_accuracy=[0.5, 0.7, 0.73])
    ax = viz.plot_train_validation(history).axes[0]
    assert "train 1.00, validation 0.73: gap 0.27" in ax.get_title()
    assert [to_hex(line.get_color()) for line in ax.get_lines()] == [to_hex(COLORS["train"]),
                                                                      to_hex(COLORS["validation"])]
    assert "epoch" in ax.get_xlabel()


def test_train_validation_loss_gap_is_validation_minus_train_and_best_epoch_is_marked():
    history = make_history([1.0], [0.0], train_loss=[0.9, 0.4, 0.2], validation_loss=[1.0, 0.6, 0.7])
    history.best_epoch = 1
    ax = viz.plot_train_validation(history, metric="loss").axes[0]
    assert "train 0.2, validation 0.7: gap 0.5" in ax.get_title()
    assert any("best epoch (1)" in text.get_text() for text in ax.get_legend().get_texts())


def test_train_validation_without_a_validation_set_draws_the_train_curve_only():
    history = make_history([1.0], [0.0], train_accuracy=[0.5, 0.8])
    ax = viz.plot_train_validation(history).axes[0]
    assert len(ax.get_lines()) == 1
    assert "train accuracy 0.80 (no validation set)" in ax.get_title()


def test_train_validation_checks_its_inputs():
    with pytest.raises(ValueError, match="metric must be one of 'accuracy', 'loss', got 'f1'"):
        viz.plot_train_validation(make_history([1.0], [0.0], train_accuracy=[0.5]), metric="f1")
    with pytest.raises(ValueError, match="no finished epochs"):
        viz.plot_train_validation(History())
    with pytest.raises(ValueError, match="no train accuracy"):
        viz.plot_train_validation(make_history([1.0], [0.0], train_loss=[0.5]))


def test_comparison_curves_colour_concepts_and_state_the_last_values():
    steps = np.arange(5)
    ax = viz.plot_comparison_curves(
        {"LSTM": (steps, steps * 0.1), "with BatchNorm": (steps, steps * 0.2), "without": (steps, steps * 0.3)},
        xlabel="training step", ylabel="loss per sample",
    ).axes[0]
    colors = [to_hex(line.get_color()) for line in ax.get_lines()]
    assert colors[0] == to_hex(COLORS["LSTM"]) and len(set(colors)) == 3
    assert ax.get_title() == "Last values: LSTM 0.4, with BatchNorm 0.8, without 1.2"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("training step", "loss per sample")


def test_comparison_curves_accept_a_title_colours_and_a_log_scale():
    curves = {"a": ([0, 1], [1.0, 2.0]), "b": ([0, 1], [2.0, 3.0])}
    ax = viz.plot_comparison_curves(curves, xlabel="x", ylabel="y", title="A beats B", colors={"a": "#123456"},
                                    log_y=True).axes[0]
    assert ax.get_title() == "A beats B" and ax.get_yscale() == "log"
    assert to_hex(ax.get_lines()[0].get_color()) == "#123456"


def test_comparison_curves_check_their_inputs():
    with pytest.raises(ValueError, match="at least one"):
        viz.plot_comparison_curves({}, xlabel="x", ylabel="y")
    with pytest.raises(ValueError, match=r"curves\['a'\] x and y must have the same length, got 3 and 2"):
        viz.plot_comparison_curves({"a": ([0, 1, 2], [1, 2])}, xlabel="x", ylabel="y")
    with pytest.raises(TypeError, match=r"curves\['a'\] must be a pair \(x, y\)"):
        viz.plot_comparison_curves({"a": np.zeros(3)}, xlabel="x", ylabel="y")
    with pytest.raises(TypeError, match="ylabel must be a non-empty string"):
        viz.plot_comparison_curves({"a": ([0], [1])}, xlabel="x", ylabel="")
    with pytest.raises(TypeError, match="xlabel"):
        viz.plot_comparison_curves({"a": ([0], [1])}, ylabel="y")


# --------------------------------------------------------------------------------------------- weights


def test_weight_histograms_state_each_near_zero_fraction_and_name_the_sparsest():
    rng = np.random.default_rng(0)
    l1 = rng.normal(size=1000) * (rng.uniform(size=1000) > 0.62)
    l2 = rng.normal(scale=0.5, size=(20, 25))
    expected_l1 = format_percent(np.mean(np.abs(l1) <= 1e-3))
    expected_l2 = format_percent(np.mean(np.abs(l2) <= 1e-3))
    ax = viz.plot_weight_histograms({"L2": l2, "L1": l1}, bins=40).axes[0]
    assert ax.get_title().startswith(f"L1 drives the most weights to zero: {expected_l1} with |w| ≤ 1e-3")
    assert f"(L2: {expected_l2})" in ax.get_title()
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == [f"L2: {expected_l2} with |w| ≤ 1e-3", f"L1: {expected_l1} with |w| ≤ 1e-3"]
    stairs = ax.patches
    assert [to_hex(patch.get_edgecolor()) for patch in stairs] == [to_hex(COLORS["L2"]), to_hex(COLORS["L1"])]
    data = stairs[0].get_data()
    values, edges = data.values, data.edges
    assert values.size == 41 and np.isclose(edges[20] + edges[21], 0)  # one bin centred on 0
    assert np.sum(values) == pytest.approx(1.0)


def test_weight_histograms_of_one_set_have_no_legend():
    ax = viz.plot_weight_histograms({"none": np.array([0.0, 0.0005, 0.5, -1.0])}, threshold=1e-3).axes[0]
    assert ax.get_legend() is None
    assert ax.get_title() == "none: 50% of weights with |w| ≤ 1e-3"


def test_weight_histograms_check_their_inputs():
    with pytest.raises(TypeError, match="weights must be a dict"):
        viz.plot_weight_histograms(np.zeros(3))
    with pytest.raises(ValueError, match=r"weights\['L1'\] must hold finite numbers only, got 1 NaN"):
        viz.plot_weight_histograms({"L1": [0.0, np.nan]})
    with pytest.raises(ValueError, match="bins must be a positive integer, got 0"):
        viz.plot_weight_histograms({"L1": [0.0, 1.0]}, bins=0)
    with pytest.raises(ValueError, match="threshold must be non-negative, got -1"):
        viz.plot_weight_histograms({"L1": [0.0, 1.0]}, threshold=-1)
    with pytest.raises(ValueError, match=r"weights\['L2'\] must not be empty"):
        viz.plot_weight_histograms({"L2": []})


def test_weight_evolution_histograms_every_recorded_step(runs):
    recorder = runs["L1"].recorders.snapshots
    steps, values = recorder.snapshots[0].steps, recorder.snapshots[0].values
    ax = viz.plot_weight_evolution(recorder, 0, bins=30).axes[0]
    mesh = ax.collections[0]
    assert mesh.get_array().shape == (30, steps.size)
    np.testing.assert_array_equal(mesh.get_array().sum(axis=0), np.full(steps.size, values.shape[1]))
    assert mesh.get_cmap().name == viz.SEQUENTIAL_CMAP
    title = ax.get_title()
    assert title.startswith("layers[0] FullyConnected")
    assert f"{format_scientific(np.std(values[0]))} at step 0" in title
    assert f"{format_scientific(np.std(values[-1]))} at step {steps[-1]}" in title
    assert ax.child_axes[0].get_ylabel().startswith("sampled weights per bin")


def test_weight_evolution_checks_the_layer_and_the_recorder(runs):
    with pytest.raises(ValueError, match=r"layer_index 2 is not recorded.*recorded layers: \[0, 1, 4\]"):
        viz.plot_weight_evolution(runs["L1"].recorders.snapshots, 2)
    with pytest.raises(TypeError, match="recorder must be a WeightSnapshotRecorder"):
        viz.plot_weight_evolution(runs["L1"].recorders.norms, 0)
    with pytest.raises(ValueError, match="recorded no layer yet"):
        viz.plot_weight_evolution(WeightSnapshotRecorder(), 0)
    with pytest.raises(TypeError, match="layer_index must be an integer"):
        viz.plot_weight_evolution(runs["L1"].recorders.snapshots, "0")


def test_sparsity_curves_rank_the_runs_by_their_last_value():
    ax = viz.plot_sparsity_curves(
        {"L2": fake_sparsity([0.0, 0.02, 0.03]), "L1": fake_sparsity([0.0, 0.4, 0.62])}
    ).axes[0]
    assert ax.get_title() == "L1 ends with 62% of weights at |w| ≤ 1e-3 (L2: 3%)"
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), [0, 40, 62])
    assert ax.get_ylabel() == "% of weights with |w| ≤ 1e-3"
    assert to_hex(ax.get_lines()[1].get_color()) == to_hex(COLORS["L1"])


def test_sparsity_curves_of_a_real_run_end_at_the_recorded_fraction(runs):
    recorders = {label: run.recorders.sparsity for label, run in runs.items()}
    ax = viz.plot_sparsity_curves(recorders).axes[0]
    for recorder in recorders.values():
        assert f"{format_percent(recorder.overall.values[-1])}" in ax.get_title()


def test_sparsity_curves_with_different_thresholds_say_so_in_the_legend():
    ax = viz.plot_sparsity_curves({"a": fake_sparsity([0.1], 1e-3), "b": fake_sparsity([0.2], 1e-2)}).axes[0]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["a (|w| ≤ 1e-3)", "b (|w| ≤ 0.01)"]
    assert ax.get_ylabel() == "% of near-zero weights"


def test_sparsity_curves_check_their_inputs():
    with pytest.raises(TypeError, match=r"recorders\['L1'\] must be a SparsityRecorder"):
        viz.plot_sparsity_curves({"L1": WeightNormRecorder()})
    with pytest.raises(ValueError, match=r"recorders\['L1'\] has recorded nothing yet"):
        viz.plot_sparsity_curves({"L1": SparsityRecorder()})


def test_weight_norms_report_the_largest_change():
    recorder = SimpleNamespace(
        l2={0: series([0, 10], [4.0, 2.0]), 3: series([0, 10], [1.0, 1.1])},
        l1={0: series([0, 10], [9.0, 3.0])},
        labels={0: "layers[0] FullyConnected", 3: "layers[3] FullyConnected"},
    )
    ax = viz.plot_weight_norms(recorder).axes[0]
    assert ax.get_title() == "largest change: layers[0] FullyConnected ‖w‖₂ 4 at step 0 → 2 at step 10 (-50%)"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == list(recorder.labels.values())
    ax = viz.plot_weight_norms(recorder, kind="l1").axes[0]
    assert ax.get_title() == "layers[0] FullyConnected ‖w‖₁ 9 at step 0 → 3 at step 10 (-67%)"
    assert ax.get_legend() is None


def test_weight_norms_check_their_inputs(runs):
    with pytest.raises(ValueError, match="kind must be one of 'l1', 'l2', got 'l3'"):
        viz.plot_weight_norms(runs["L1"].recorders.norms, kind="l3")
    with pytest.raises(TypeError, match="recorder must be a WeightNormRecorder"):
        viz.plot_weight_norms(runs["L1"].recorders.sparsity)
    with pytest.raises(ValueError, match="recorder has no layers"):
        viz.plot_weight_norms(WeightNormRecorder())


# ------------------------------------------------------------------------------------------ boundaries


def test_decision_boundary_states_the_accuracy_and_draws_the_half_contour():
    points, labels = moons()
    expected = np.mean((points[:, 0] > 0) == labels)
    ax = viz.plot_decision_boundary(linear_predict, points, labels, resolution=50).axes[0]
    correct = int(np.sum((points[:, 0] > 0) == labels))
    assert ax.get_title() == f"Accuracy {format_percent(expected)} on these 60 points ({correct} correct)"
    image = ax.get_images()[0]
    assert image.get_array().shape == (50, 50)
    assert set(np.unique(image.get_array())) == {0, 1}
    assert len(ax.collections) == 3  # the 0.5 contour and one scatter per class
    scatter = ax.collections[-1]
    assert to_hex(scatter.get_edgecolor()[0]) == "#000000"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["class 0", "class 1"]


def test_decision_boundary_of_a_trained_network_uses_its_test_method():
    points, labels = moons()
    np.random.seed(0)
    net = NeuralNetwork(SgdWithMomentum(0.05, 0.9), He(), Constant(0.1))
    net.data_layer = ArrayDataLayer(points, labels, 20, test_fraction=0.0)
    net.loss_layer = CrossEntropyLoss()
    for layer in (FullyConnected(2, 16), ReLU(), FullyConnected(16, 2), SoftMax()):
        net.append_layer(layer)
    fit(net, epochs=10)
    accuracy = np.mean(np.argmax(net.test(points), axis=1) == labels)
    ax = viz.plot_decision_boundary(net.test, points, np.eye(2)[labels], resolution=30).axes[0]
    assert ax.get_title().startswith(f"Accuracy {format_percent(accuracy)} ")


def test_decision_boundary_on_a_given_plane():
    points, labels = moons()
    ax = viz.plot_decision_boundary(linear_predict, points, labels, resolution=20, limits=((-3, 4), (-2, 2.5))).axes[0]
    assert ax.get_xlim() == (-3, 4) and ax.get_ylim() == (-2, 2.5)
    assert ax.get_images()[0].get_extent() == [-3, 4, -2, 2.5]
    for limits in (((0, 0), (0, 1)), ((0, 1),), ((0, np.nan), (0, 1))):
        with pytest.raises(ValueError, match="limits must be"):
            viz.plot_decision_boundary(linear_predict, points, labels, limits=limits)


def test_decision_boundary_with_three_classes_and_names():
    points = np.array([[-1.0, 0.0], [0.0, 0.0], [1.0, 0.0], [1.0, 1.0]])

    def predict(inputs):
        return np.eye(3)[np.clip(np.round(inputs[:, 0]).astype(int) + 1, 0, 2)]

    ax = viz.plot_decision_boundary(predict, points, [0, 1, 2, 0], class_names=["a", "b", "c"],
                                    resolution=20).axes[0]
    assert ax.get_title() == "Accuracy 75% on these 4 points (3 correct)"
    assert len(ax.collections) == 3  # no contour line for three classes
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["a", "b", "c"]


def test_decision_boundary_checks_its_inputs():
    points, labels = moons()
    with pytest.raises(TypeError, match="predict must be a function"):
        viz.plot_decision_boundary(None, points, labels)
    with pytest.raises(ValueError, match=r"points must have shape \(N, 2\).*got shape \(60, 3\)"):
        viz.plot_decision_boundary(linear_predict, np.zeros((60, 3)), labels)
    with pytest.raises(ValueError, match="one entry per point: 60 points, got 59 labels"):
        viz.plot_decision_boundary(linear_predict, points, labels[:-1])
    with pytest.raises(ValueError, match=r"predict must return class probabilities of shape \(M, K\)"):
        viz.plot_decision_boundary(lambda x: np.zeros((3, 2)), points, labels)
    with pytest.raises(ValueError, match="labels go up to class 2, but predict returns 2 class"):
        viz.plot_decision_boundary(linear_predict, points, np.where(labels == 1, 2, 0))
    with pytest.raises(ValueError, match="resolution must be at least 2"):
        viz.plot_decision_boundary(linear_predict, points, labels, resolution=1)
    with pytest.raises(ValueError, match="non-negative integer class indices"):
        viz.plot_decision_boundary(linear_predict, points, labels - 0.5)


# --------------------------------------------------------------------------------------------- dropout


def test_dropout_mask_title_states_the_kept_share_and_the_image_shows_the_first_rows():
    mask = np.zeros((40, 10), dtype=bool)
    mask[:, :7] = True
    ax = viz.plot_dropout_mask(mask, max_rows=16, probability=0.7).axes[0]
    assert ax.get_title() == "Kept 70% of units (keep probability p = 0.70)"
    np.testing.assert_array_equal(ax.get_images()[0].get_array(), mask[:16])
    assert "first 16 of 40" in ax.get_ylabel()
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["kept", "dropped"]


def test_dropout_mask_of_a_recorded_run_estimates_p_from_its_mean(runs):
    mask = runs["L1"].recorders.masks.masks[3]
    ax = viz.plot_dropout_mask(mask).axes[0]
    assert ax.get_title() == f"Kept {format_percent(mask.mean())} of units (keep probability p ≈ {mask.mean():.2f})"


def test_dropout_mask_flattens_each_sample_and_checks_its_input():
    mask = np.ones((4, 2, 3, 3), dtype=bool)
    assert viz.plot_dropout_mask(mask).axes[0].get_images()[0].get_array().shape == (4, 18)
    with pytest.raises(ValueError, match=r"one row per sample, got shape \(5,\)"):
        viz.plot_dropout_mask(np.ones(5, dtype=bool))
    with pytest.raises(ValueError, match="mask must hold booleans"):
        viz.plot_dropout_mask(np.full((2, 2), 0.5))
    with pytest.raises(TypeError, match="mask must be a boolean array"):
        viz.plot_dropout_mask(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match=r"probability must be in \(0, 1\].*got 1.5"):
        viz.plot_dropout_mask(np.ones((2, 2), dtype=bool), probability=1.5)


def test_phase_activations_state_both_means():
    train, test = phase_outputs()
    ax = viz.plot_phase_activations(train, test).axes[0]
    assert ax.get_title() == (
        f"Mean activation: train phase {train.mean():.3g}, test phase {test.mean():.3g}"
    )
    assert [to_hex(patch.get_edgecolor()) for patch in ax.patches] == [to_hex(COLORS["train"]),
                                                                       to_hex(COLORS["test"])]
    assert len(ax.get_legend().get_texts()) == 2


def test_phase_activations_need_the_same_batch():
    with pytest.raises(ValueError, match=r"same shape\), got \(4, 3\) and \(4, 2\)"):
        viz.plot_phase_activations(np.zeros((4, 3)), np.zeros((4, 2)))


# ------------------------------------------------------------------------------------------ batch norm


def test_batch_norm_statistics_compare_the_spread_of_batch_and_moving_values(runs):
    recorder = runs["L1"].recorders.batch_norm
    figure = viz.plot_batch_norm_statistics(recorder, 1, channel=2)
    mean_ax, variance_ax = figure.axes
    batch_mean = recorder.batch_mean[1].values[:, 2]
    moving_mean = recorder.moving_mean[1].values[:, 2]
    assert mean_ax.get_title() == (
        f"Mean: batch varies ±{format_scientific(np.std(batch_mean))}, moving ±{format_scientific(np.std(moving_mean))}"
    )
    assert variance_ax.get_title().startswith("Variance: batch varies ±")
    thin, thick = mean_ax.get_lines()
    assert to_hex(thin.get_color()) == to_hex(COLORS["batch"]) and to_hex(thick.get_color()) == to_hex(COLORS["moving"])
    assert thick.get_linewidth() > 2 * thin.get_linewidth()
    assert figure.get_suptitle().startswith("layers[1] BatchNormalization, channel 2")


def test_batch_norm_statistics_check_their_inputs(runs):
    recorder = runs["L1"].recorders.batch_norm
    with pytest.raises(ValueError, match=r"channel must be in \[0, 16\).*got 16"):
        viz.plot_batch_norm_statistics(recorder, 1, channel=16)
    with pytest.raises(ValueError, match=r"layer_index 0 is not recorded.*recorded layers: \[1\]"):
        viz.plot_batch_norm_statistics(recorder, 0)
    with pytest.raises(TypeError, match="recorder must be a BatchNormRecorder"):
        viz.plot_batch_norm_statistics(runs["L1"].recorders.sparsity, 1)
    empty = SimpleNamespace(**{name: {1: series([0], [np.full(3, np.nan)])} for name in
                               ("batch_mean", "batch_variance", "moving_mean", "moving_variance")})
    with pytest.raises(ValueError, match="holds no statistics yet"):
        viz.plot_batch_norm_statistics(empty, 1)


def test_channel_statistics_state_the_largest_gap():
    batch_mean, batch_variance, moving_mean, moving_variance = bn_statistics()
    figure = viz.plot_channel_statistics(batch_mean, batch_variance, moving_mean, moving_variance)
    gaps = np.abs(batch_mean - moving_mean)
    assert figure.axes[0].get_title() == (
        f"Mean: largest gap {format_scientific(gaps.max())} (channel {np.argmax(gaps)})"
    )
    assert figure.axes[1].get_title().startswith("Variance: largest gap")
    assert len(figure.axes[0].patches) == 12  # two bars per channel


def test_channel_statistics_check_their_inputs():
    batch_mean, batch_variance, moving_mean, moving_variance = bn_statistics()
    with pytest.raises(ValueError, match="same shape"):
        viz.plot_channel_statistics(batch_mean[:3], batch_variance, moving_mean, moving_variance)
    with pytest.raises(ValueError, match="moving_variance must be non-negative"):
        viz.plot_channel_statistics(batch_mean, batch_variance, moving_mean, -moving_variance)
    with pytest.raises(ValueError, match=r"batch_mean must be a 1-D array, got shape \(2, 3\)"):
        viz.plot_channel_statistics(np.zeros((2, 3)), batch_variance, moving_mean, moving_variance)


# ------------------------------------------------------------------------------------------- recurrent


def test_hidden_states_heatmap_uses_the_tanh_range_and_states_the_saturation():
    states = hidden_states()
    ax = viz.plot_hidden_states(states).axes[0]
    image = ax.get_images()[0]
    assert image.get_clim() == (-1, 1) and image.get_cmap().name == viz.DIVERGING_CMAP
    np.testing.assert_array_equal(image.get_array(), states.T)
    assert f"{np.mean(np.abs(states) > 0.9):.0%} saturated" in ax.get_title()
    assert f"mean |h| {np.mean(np.abs(states)):.2f}" in ax.get_title()
    assert ax.get_xlabel() == "time step t"


def test_hidden_states_of_a_batch_show_the_first_sequence_and_accept_a_title():
    batch = np.stack([hidden_states(), -hidden_states()])
    ax = viz.plot_hidden_states(batch, title="h_t of sequence 0").axes[0]
    np.testing.assert_array_equal(ax.get_images()[0].get_array(), batch[0].T)
    assert ax.get_title() == "h_t of sequence 0"
    with pytest.raises(ValueError, match=r"hidden_states must be a 2-D or 3-D array, got shape \(4,\)"):
        viz.plot_hidden_states(np.zeros(4))


def test_gate_activations_draw_four_heatmaps_with_their_ranges():
    activations = gates()
    figure = viz.plot_gate_activations(activations)
    forget, _, candidate, _ = figure.axes
    assert forget.get_title() == f"Forget gate f_t: mean {activations['forget'].mean():.2f}"
    assert forget.get_images()[0].get_clim() == (0, 1)
    assert forget.get_images()[0].get_cmap().name == viz.SEQUENTIAL_CMAP
    assert candidate.get_images()[0].get_clim() == (-1, 1)
    assert candidate.get_images()[0].get_cmap().name == viz.DIVERGING_CMAP


def test_gate_activations_of_a_real_lstm_batch():
    np.random.seed(0)
    layer = LSTM(2, 4, 1)
    layer.forward(np.random.randn(3, 7, 2))
    figure = viz.plot_gate_activations(layer.gate_activations)
    np.testing.assert_array_equal(figure.axes[1].get_images()[0].get_array(), layer.gate_activations["input"][0].T)


def test_gate_activations_check_their_inputs():
    activations = gates()
    del activations["output"]
    with pytest.raises(ValueError, match=r"missing \['output'\]"):
        viz.plot_gate_activations(activations)
    activations = gates()
    activations["input"] = activations["input"][:5]
    with pytest.raises(ValueError, match="same shape"):
        viz.plot_gate_activations(activations)


def test_gradient_norms_state_how_much_of_the_gradient_each_model_keeps():
    norms = gradient_norms()
    ax = viz.plot_gradient_norms(norms).axes[0]
    elman, lstm = norms["Elman"][0] / norms["Elman"][-1], norms["LSTM"][0] / norms["LSTM"][-1]
    assert ax.get_title() == (
        f"Elman keeps {format_scientific(elman)} of the gradient from t = 40 back to t = 1, "
        f"LSTM {format_scientific(lstm)}"
    )
    assert format_scientific(elman) == "1.7e-4"
    assert ax.get_yscale() == "log"
    assert [to_hex(line.get_color()) for line in ax.get_lines()] == [to_hex(COLORS["Elman"]), to_hex(COLORS["LSTM"])]
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), np.arange(1, 41))


def test_gradient_norms_that_grow_backwards_are_stated_as_a_ratio():
    ax = viz.plot_gradient_norms({"Elman": [4.0, 2.0, 1.0]}).axes[0]
    assert ax.get_title() == "‖dL/dh_1‖ / ‖dL/dh_3‖: Elman 4"
    assert ax.get_legend() is None


def test_gradient_norms_check_their_inputs():
    with pytest.raises(ValueError, match=r"norms\['LSTM'\] must be non-negative"):
        viz.plot_gradient_norms({"LSTM": [1.0, -0.5]})
    with pytest.raises(ValueError, match=r"norms\['LSTM'\] must be a"):
        viz.plot_gradient_norms({"LSTM": np.ones((2, 3, 4))})
    with pytest.raises(TypeError, match="norms labels must be strings"):
        viz.plot_gradient_norms({0: [1.0]})


def test_sequence_predictions_state_the_mean_squared_error():
    targets, predictions, inputs = sequence()
    ax = viz.plot_sequence_predictions(targets[:, None], predictions, inputs=inputs).axes[0]
    error = np.mean((predictions - targets) ** 2)
    assert ax.get_title() == (
        f"Prediction against target over 25 steps: mean squared error {format_scientific(error, 3)}"
    )
    colors = [to_hex(line.get_color()) for line in ax.get_lines()]
    assert colors[1:] == [to_hex(COLORS["target"]), to_hex(COLORS["prediction"])]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["input", "target", "prediction"]


def test_sequence_predictions_check_their_inputs():
    targets, predictions, _ = sequence()
    with pytest.raises(ValueError, match="same length T, got 25 and 24"):
        viz.plot_sequence_predictions(targets, predictions[:-1])
    with pytest.raises(ValueError, match=r"predictions must have shape \(T,\) or \(T, 1\)"):
        viz.plot_sequence_predictions(targets, np.zeros((25, 2)))
    with pytest.raises(ValueError, match="inputs must have one row per time step"):
        viz.plot_sequence_predictions(targets, predictions, inputs=np.zeros(3))
    with pytest.raises(ValueError, match="predictions must hold finite numbers only"):
        viz.plot_sequence_predictions(targets, np.full(25, np.nan))
    with pytest.raises(TypeError, match="targets must be an array of numbers"):
        viz.plot_sequence_predictions("abc", predictions)


def test_redrawing_a_heatmap_keeps_one_colour_bar():
    figure = Figure()
    ax = figure.subplots()
    for _ in range(3):
        viz.plot_hidden_states(hidden_states(), ax=ax)
    assert len(figure.axes) == 1 and len(ax.child_axes) == 1
    assert isinstance(ax.child_axes[0], Axes)
