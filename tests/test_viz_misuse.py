"""Issue 13, points 7 and 9 for the figures: degenerate data gives a clear ValueError naming the argument, or a
correct picture; never a NumPy or matplotlib error from deep inside, never a warning."""

import re
import warnings

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from rnnreg import viz

S, T = 3, 20


def positive(*shape, seed=0):
    return np.random.default_rng(seed).uniform(0.1, 1.0, shape)


def two_class_predict(points):
    class_one = 1 / (1 + np.exp(-points[:, 0]))
    return np.column_stack([1 - class_one, class_one])


def pair_dict(values):
    return {"train": values, "validation": values}


# name -> (a good value of the probed argument, the argument's name in messages, draw(value))
CALLS = {
    "weight_histograms": (positive(50), r"weights\['L1'\]", lambda a: viz.plot_weight_histograms({"L1": a})),
    "decision_boundary": (
        np.random.default_rng(1).normal(size=(40, 2)), "points",
        lambda a: viz.plot_decision_boundary(two_class_predict, a, np.arange(len(a)) % 2, resolution=20),
    ),
    "phase_activations": (positive(64, 8), "train_output", lambda a: viz.plot_phase_activations(a, a * 0.7)),
    "dropout_batch": (positive(8, 6), "activations", lambda a: viz.plot_dropout_batch(a)),
    "mask_average": (positive(8, 6), "test_output", lambda a: viz.plot_mask_average(a, a)),
    "channel_statistics": (
        positive(6), "batch_mean", lambda a: viz.plot_channel_statistics(a, positive(6), positive(6), positive(6))
    ),
    "hidden_states": (positive(T, 5), "hidden_states", lambda a: viz.plot_hidden_states(a)),
    "gate_activations": (
        positive(T, 5), r"gate_activations\['forget'\]",
        lambda a: viz.plot_gate_activations({"forget": a, "input": a, "candidate": a, "output": a}),
    ),
    "gradient_norms": (positive(S, T), r"norms\['Elman'\]", lambda a: viz.plot_gradient_norms({"Elman": a})),
    "sequence_predictions": (positive(T), "targets", lambda a: viz.plot_sequence_predictions(a, a * 0.9)),
    "recall": (positive(T), r"recalls\['Elman'\] targets", lambda a: viz.plot_recall({"Elman": (a, a * 0.9)})),
    "memory_losses": (positive(S, T), r"losses\['Elman'\]", lambda a: viz.plot_memory_losses({"Elman": a})),
    "clipping": (positive(S, T), r"step_norms\['a'\]", lambda a: viz.plot_clipping({"a": a}, {"a": a}, clip_norm=0.5)),
    "alpha_curves": (
        positive(S, 3), r"curves\['L2'\] values", lambda a: viz.plot_alpha_curves({"L2": ([0.0, 0.1, 1.0], a)})
    ),
    "seed_bands": (
        positive(S, T), r"curves\['train'\] values", lambda a: viz.plot_seed_bands({"train": (np.arange(T), a)})
    ),
    "feature_sizes": (positive(S, 6), "sizes", lambda a: viz.plot_feature_sizes(a)),
    "comparison_curves": (
        positive(T), r"curves\['a'\] y",
        lambda a: viz.plot_comparison_curves({"a": (np.arange(T), a)}, xlabel="x", ylabel="y"),
    ),
    "seed_curves": (
        positive(T), r"curves\['a'\]\[0\] y",
        lambda a: viz.plot_seed_curves({"a": [(np.arange(T), a)]}, xlabel="x", ylabel="y", title="t"),
    ),
    "seed_loss_curves": (
        positive(S, 5), r"without\['train'\]",
        lambda a: viz.plot_seed_loss_curves(np.arange(5), pair_dict(a), pair_dict(a)),
    ),
    "seed_pairs": (positive(S), r"without\['train'\]", lambda a: viz.plot_seed_pairs(pair_dict(a), pair_dict(a))),
    "early_stopping": (positive(2, 30), "train_loss", lambda a: viz.plot_early_stopping(a, a, [3, 4], [10, 12])),
    "batch_size_effect": (
        positive(S), r"spread\[2\]",
        lambda a: viz.plot_batch_size_effect({2: a, 20: a}, {"with BatchNorm": {2: a, 20: a}}),
    ),
    "phase_normalization": (
        positive(8), "raw",
        lambda a: viz.plot_phase_normalization(a, {"train": a, "test": a}, {"train": (0.5, 0.1), "test": (0.4, 0.2)},
                                               "train"),
    ),
}
NAN_ALLOWED = {"comparison_curves", "seed_curves", "early_stopping"}  # a diverged run's gap: NaN is drawn as one


def draw(call, value):
    """Call and draw (matplotlib computes ticks and paths only then), with every warning an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure = call(value)
        canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
        canvas.draw()
    return figure


def with_entry(array, value, position=0):
    changed = np.array(array, dtype=float)
    changed.flat[position] = value
    return changed


@pytest.mark.parametrize("name", CALLS)
def test_an_empty_array_is_refused_naming_the_argument(name):
    good, argument, call = CALLS[name]
    with pytest.raises(ValueError, match=rf"{argument} must not be empty, got shape \(0"):
        draw(call, good[:0])


@pytest.mark.parametrize("magnitude", [1e308, -1e308, 1e200])
@pytest.mark.parametrize("name", CALLS)
def test_numbers_beyond_what_an_axis_can_span_are_refused_naming_the_argument(name, magnitude):
    good, argument, call = CALLS[name]
    with pytest.raises(ValueError, match=rf"{argument} must hold numbers of magnitude up to 1e\+100 .*got one of "
                                         rf"magnitude {re.escape(f'{abs(magnitude):g}')}"):
        draw(call, with_entry(good, magnitude))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("name", sorted(set(CALLS) - NAN_ALLOWED))
def test_nan_or_infinity_is_refused_naming_the_argument(name, bad):
    good, argument, call = CALLS[name]
    with pytest.raises(ValueError, match=rf"{argument} must hold finite numbers only, got 1 NaN or infinite"):
        draw(call, with_entry(good, bad))


@pytest.mark.parametrize("fill", [0.0, 0.5, 1e-300])
@pytest.mark.parametrize("name", sorted(set(CALLS) - {"dropout_batch"}))
def test_constant_data_draws_a_picture_without_a_warning(name, fill):
    good, _, call = CALLS[name]
    assert draw(call, np.full_like(good, fill)).axes


def test_weight_histograms_of_plus_minus_1e308_name_the_set_instead_of_a_numpy_error():
    with pytest.raises(ValueError, match=r"weights\['L1'\] must hold numbers of magnitude up to 1e\+100"):
        viz.plot_weight_histograms({"L2": positive(10), "L1": np.array([1e308, -1e308, 0.0])})


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"bins": 10**9}, ValueError, r"bins must be at most 1,000, got 1000000000"),
        ({"bins": 0}, ValueError, r"bins must be a positive integer, got 0"),
        ({"reach": 1e308}, ValueError, r"reach must be > 0 and at most 1e\+100, got 1e\+308"),
        ({"reach": 0.0}, ValueError, r"reach must be > 0 and at most 1e\+100, got 0\.0"),
        ({"reach": float("nan")}, ValueError, r"reach must be a finite number, got nan"),
        ({"log": "no"}, TypeError, r"log must be True or False, got 'no'"),
        ({"threshold": -1e-3}, ValueError, r"threshold must be non-negative, got -0\.001"),
    ],
)
def test_weight_histogram_options_outside_their_domain_are_refused(options, error, message):
    with pytest.raises(error, match=message):
        viz.plot_weight_histograms({"L1": positive(10)}, **options)


def test_weight_histograms_on_a_log_axis_with_every_weight_in_one_bin_span_a_decade():
    ax = draw(lambda a: viz.plot_weight_histograms({"L1": a}, log=True), np.zeros(5)).axes[0]
    assert ax.get_ylim() == pytest.approx((0.1, 1.0))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: viz.plot_decision_boundary(two_class_predict, np.zeros((4, 2)), [0, 1, 0, 1], resolution=10**5),
         r"resolution must be at most 1,000, got 100000"),
        (lambda: viz.plot_phase_activations(positive(4, 3), positive(4, 3), bins=10**9),
         r"bins must be at most 1,000, got 1000000000"),
    ],
)
def test_grid_and_bin_counts_that_would_exhaust_memory_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_gradient_norms_that_are_all_zero_say_n_a_instead_of_a_formatting_error():
    figure = draw(lambda a: viz.plot_gradient_norms({"Elman": a, "LSTM": positive(S, T)}), np.zeros((S, T)))
    assert "Elman n/a" in figure.axes[0].get_title()


def test_a_dropout_batch_of_subnormal_activations_names_vmax():
    with pytest.raises(ValueError, match=r"vmax \(by default the 95th percentile .*\) must be at least 1e-100, "
                                         r"got 5e-324"):
        viz.plot_dropout_batch(np.full((4, 3), 5e-324))


def test_seed_loss_curves_of_one_evaluation_draw_without_a_singular_axis_warning():
    one = positive(S, 1)
    figure = draw(lambda a: viz.plot_seed_loss_curves([10], pair_dict(a), pair_dict(a)), one)
    low, high = figure.axes[0].get_xlim()
    assert low < 10 < high


def test_early_stopping_with_training_losses_of_zero_keeps_a_linear_axis():
    figure = draw(lambda a: viz.plot_early_stopping(np.zeros((2, 30)), a, [3, 4], [10, 12]), positive(2, 30))
    assert figure.axes[1].get_yscale() == "linear"
    figure = draw(lambda a: viz.plot_early_stopping(a, a, [3, 4], [10, 12]), positive(2, 30))
    assert figure.axes[1].get_yscale() == "log"


@pytest.mark.parametrize(("ylim", "error", "message"), [
    ((1, 1), ValueError, r"ylim must be \(low, high\) with finite low < high, got \(1, 1\)"),
    ((2, 1), ValueError, r"ylim must be \(low, high\) with finite low < high, got \(2, 1\)"),
    ((0, float("nan")), ValueError, r"ylim must be \(low, high\) with finite low < high, got \(0, nan\)"),
    ((0, 1e308), ValueError, r"ylim must be \(low, high\) with finite low < high"),
    ("0-1", TypeError, r"ylim must be a pair \(low, high\) of numbers, got '0-1'"),
])
@pytest.mark.parametrize("draw_with", [
    lambda ylim: viz.plot_seed_bands({"t": (np.arange(3), positive(2, 3))}, ylim=ylim),
    lambda ylim: viz.plot_seed_loss_curves(np.arange(5), pair_dict(positive(S, 5)), pair_dict(positive(S, 5)),
                                           ylim=ylim),
    lambda ylim: viz.plot_seed_pairs(pair_dict(positive(S)), pair_dict(positive(S)), ylim=ylim),
    lambda ylim: viz.plot_feature_sizes(positive(S, 6), ylim=ylim),
])
def test_y_limits_that_are_empty_reversed_or_not_finite_are_refused(draw_with, ylim, error, message):
    with pytest.raises(error, match=message):
        draw_with(ylim)
