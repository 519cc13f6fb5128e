"""Synthetic data generators: shapes, dtypes, value ranges, the task definitions, randomness, bad arguments."""

import numpy as np
import pytest

from rnnreg.data import (
    adding_problem,
    concentric_circles,
    delayed_recall,
    noisy_sine,
    overfitting_set,
    spirals,
    two_moons,
    xor,
)
from rnnreg.data.generators import OVERFITTING_CLASS_SHIFT, SINE_FREQUENCY_RANGE
from rnnreg.validation import resolve_rng

PLANAR = [
    pytest.param(two_moons, 2, id="two_moons"),
    pytest.param(spirals, 2, id="spirals"),
    pytest.param(xor, 2, id="xor"),
    pytest.param(concentric_circles, 2, id="concentric_circles"),
]

# Every generator with small arguments; each call takes only rng.
CALLS = [
    pytest.param(lambda rng: two_moons(50, rng=rng), id="two_moons"),
    pytest.param(lambda rng: spirals(60, rng=rng, num_classes=3), id="spirals"),
    pytest.param(lambda rng: xor(40, rng=rng), id="xor"),
    pytest.param(lambda rng: concentric_circles(40, rng=rng, factor=0.3), id="concentric_circles"),
    pytest.param(lambda rng: noisy_sine(5, 12, rng=rng), id="noisy_sine"),
    pytest.param(lambda rng: delayed_recall(8, 6, rng=rng), id="delayed_recall"),
    pytest.param(lambda rng: adding_problem(6, 10, rng=rng), id="adding_problem"),
    pytest.param(lambda rng: overfitting_set(10, 12, 8, 2, rng=rng), id="overfitting_set"),
]


def _same(first, second):
    return len(first) == len(second) and all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def _global_state_unchanged(before):
    after = np.random.get_state()
    return before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]


# ---------------------------------------------------------------- randomness (all generators)


@pytest.mark.parametrize("call", CALLS)
def test_same_int_seed_gives_the_same_data_and_leaves_the_global_state_alone(call):
    before = np.random.get_state()
    first, second = call(3), call(3)
    assert _same(first, second)
    assert _global_state_unchanged(before)


@pytest.mark.parametrize("call", CALLS)
def test_int_seed_means_default_rng_of_that_seed(call):
    assert _same(call(11), call(np.random.default_rng(11)))
    assert _same(call(np.int64(11)), call(11))


@pytest.mark.parametrize("call", CALLS)
def test_different_seeds_give_different_data(call):
    first, second = call(1), call(2)
    assert not _same(first, second)
    assert not np.array_equal(first[0], second[0])  # the inputs themselves differ, not only the labels


@pytest.mark.parametrize("call", CALLS)
def test_a_generator_is_used_as_is_and_advanced(call):
    generator = np.random.default_rng(5)
    first, second = call(generator), call(generator)
    assert not _same(first, second)  # the second call continues where the first stopped
    replay = np.random.default_rng(5)
    assert _same(call(replay), first) and _same(call(replay), second)


@pytest.mark.parametrize("call", CALLS)
def test_none_uses_the_global_state_so_np_random_seed_reproduces_it(call):
    np.random.seed(42)
    first = call(None)
    np.random.seed(42)
    second = call(None)
    assert _same(first, second)
    np.random.seed(43)
    assert not _same(call(None), first)
    before = np.random.get_state()
    call(None)
    assert not _global_state_unchanged(before)  # it drew from the global state


@pytest.mark.parametrize("call", CALLS)
def test_each_call_returns_fresh_arrays(call):
    first, second = call(0), call(0)
    for a, b in zip(first, second, strict=True):
        assert not np.shares_memory(a, b) and a.flags.writeable
    for i, a in enumerate(first):  # nor do the arrays of one call share memory (targets are not views of inputs)
        assert not any(np.shares_memory(a, b) for b in first[i + 1 :])
    kept = [array.copy() for array in second]
    for array in first:
        array[...] = 0
    assert _same(second, kept)


@pytest.mark.parametrize(
    ("rng", "error", "words"),
    [
        ("seed", TypeError, ["two_moons rng", "None", "int seed", "Generator", "'seed'", "str"]),
        (1.5, TypeError, ["two_moons rng", "1.5", "float"]),
        (True, TypeError, ["two_moons rng", "True", "bool"]),
        (np.random.RandomState(0), TypeError, ["two_moons rng", "RandomState"]),
        (-1, ValueError, ["two_moons rng", "non-negative", "-1"]),
    ],
)
def test_bad_rng_raises_a_helpful_error(rng, error, words):
    with pytest.raises(error) as caught:
        two_moons(10, rng=rng)
    assert all(word in str(caught.value) for word in words), str(caught.value)


def test_resolve_rng_returns_the_global_module_a_new_generator_or_the_given_one():
    generator = np.random.default_rng(0)
    assert resolve_rng("f", None) is np.random
    assert resolve_rng("f", generator) is generator
    seeded = resolve_rng("f", 7)
    assert isinstance(seeded, np.random.Generator)
    assert seeded.random() == np.random.default_rng(7).random()


# ---------------------------------------------------------------- 2-D classification sets


@pytest.mark.parametrize(("generator", "num_classes"), PLANAR)
@pytest.mark.parametrize("num_samples", [2, 7, 400])
def test_planar_sets_have_the_documented_shapes_dtypes_and_balanced_classes(generator, num_classes, num_samples):
    points, labels = generator(num_samples, rng=0)
    assert points.shape == (num_samples, 2) and points.dtype == np.float64
    assert labels.shape == (num_samples,) and labels.dtype == np.int64
    counts = np.bincount(labels, minlength=num_classes)
    assert counts.size == num_classes and counts.max() - counts.min() <= 1
    assert counts[0] == -(-num_samples // num_classes)  # the first class gets the extra sample
    assert np.all(np.isfinite(points))


@pytest.mark.parametrize(("generator", "num_classes"), PLANAR)
def test_planar_sets_are_centred_scaled_and_shuffled(generator, num_classes):
    points, labels = generator(2000, rng=1)
    assert np.all(np.abs(points.mean(axis=0)) < 0.1)
    assert np.all(np.abs(points) < 2.0)  # about [-1.5, 1.5]; the default noise spills a little over
    assert np.mean(np.abs(points) <= 1.5) > 0.95
    assert np.all(points.std(axis=0) > 0.3)  # spread out, not squeezed near the origin
    assert np.count_nonzero(np.diff(labels)) > 500  # classes interleaved in random order, not in blocks


@pytest.mark.parametrize(("generator", "num_classes"), PLANAR)
def test_planar_noise_moves_the_points_by_its_standard_deviation(generator, num_classes):
    clean, clean_labels = generator(4000, noise=0.0, rng=2)
    noisy, noisy_labels = generator(4000, noise=0.2, rng=2)
    assert np.array_equal(clean_labels, noisy_labels)  # the noise is drawn last: same points, shifted
    shift = noisy - clean
    assert abs(shift.mean()) < 0.02 and abs(shift.std() - 0.2) < 0.01


def test_two_moons_without_noise_lies_on_the_two_half_circles():
    points, labels = two_moons(500, noise=0, rng=3)
    x, y = points[:, 0] + 0.5, points[:, 1] + 0.25  # undo the centring
    upper, lower = labels == 0, labels == 1
    np.testing.assert_allclose(x[upper] ** 2 + y[upper] ** 2, 1.0, rtol=1e-12)
    assert np.all(y[upper] >= -1e-12)
    np.testing.assert_allclose((x[lower] - 1) ** 2 + (y[lower] - 0.5) ** 2, 1.0, rtol=1e-12)
    assert np.all(y[lower] <= 0.5 + 1e-12)
    assert points[:, 0].min() >= -1.5 - 1e-12 and points[:, 0].max() <= 1.5 + 1e-12
    assert np.all(np.abs(points[:, 1]) <= 0.75 + 1e-12)


@pytest.mark.parametrize("num_classes", [2, 3, 5])
def test_spiral_arms_follow_the_documented_curve(num_classes):
    points, labels = spirals(600, noise=0, rng=4, num_classes=num_classes)
    assert np.array_equal(np.unique(labels), np.arange(num_classes))
    radius = np.hypot(points[:, 0], points[:, 1])
    assert np.all((radius >= 0.1 - 1e-12) & (radius <= 1.4 + 1e-12))
    position = (radius - 0.1) / 1.3
    expected = 2 * np.pi * position + 2 * np.pi * labels / num_classes
    difference = np.angle(np.exp(1j * (np.arctan2(points[:, 1], points[:, 0]) - expected)))
    np.testing.assert_allclose(difference, 0.0, atol=1e-9)


def test_xor_blobs_sit_in_the_quadrants_with_the_sign_rule():
    points, labels = xor(400, noise=0, rng=5)
    assert np.array_equal(np.abs(points), np.full((400, 2), 0.75))
    assert np.array_equal(labels, (points[:, 0] * points[:, 1] < 0).astype(np.int64))
    corners, counts = np.unique(points, axis=0, return_counts=True)
    assert corners.shape == (4, 2) and np.array_equal(counts, [100, 100, 100, 100])


def test_xor_labels_follow_the_blob_even_when_noise_crosses_an_axis():
    points, labels = xor(2000, noise=0.25, rng=6)
    agreement = np.mean(labels == (points[:, 0] * points[:, 1] < 0))
    assert 0.97 < agreement < 1.0


@pytest.mark.parametrize("factor", [0.2, 0.5, 0.9])
def test_concentric_circles_have_radii_1_25_and_factor_times_that(factor):
    points, labels = concentric_circles(300, noise=0, rng=7, factor=factor)
    radius = np.hypot(points[:, 0], points[:, 1])
    np.testing.assert_allclose(radius[labels == 0], 1.25, rtol=1e-12)
    np.testing.assert_allclose(radius[labels == 1], 1.25 * factor, rtol=1e-12)


def test_spirals_first_classes_get_the_extra_samples():
    _, labels = spirals(11, rng=0, num_classes=3)
    assert np.array_equal(np.bincount(labels), [4, 4, 3])


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: two_moons(0), ValueError, ["two_moons num_samples", "positive integer", "0"]),
        (lambda: two_moons(1), ValueError, ["two_moons num_samples", "at least 2", "got 1"]),
        (lambda: two_moons(10.0), TypeError, ["two_moons num_samples", "10.0", "float"]),
        (lambda: xor(True), TypeError, ["xor num_samples", "True"]),
        (lambda: two_moons(10, noise=-0.1), ValueError, ["two_moons noise", "non-negative", "-0.1"]),
        (lambda: xor(10, noise=float("nan")), ValueError, ["xor noise", "finite"]),
        (lambda: xor(10, noise=float("inf")), ValueError, ["xor noise", "finite"]),
        (lambda: concentric_circles(10, noise="0.1"), TypeError, ["concentric_circles noise", "'0.1'"]),
        (lambda: spirals(10, num_classes=1), ValueError, ["spirals num_classes", "at least 2", "got 1"]),
        (lambda: spirals(10, num_classes=2.0), TypeError, ["spirals num_classes", "2.0"]),
        (lambda: spirals(3, num_classes=4), ValueError, ["spirals num_samples", "at least 4", "num_classes=4", "3"]),
        (lambda: concentric_circles(10, factor=0), ValueError, ["concentric_circles factor", "(0, 1)", "0"]),
        (lambda: concentric_circles(10, factor=1.0), ValueError, ["concentric_circles factor", "(0, 1)", "1.0"]),
        (lambda: concentric_circles(10, factor=None), TypeError, ["concentric_circles factor", "None"]),
    ],
)
def test_planar_sets_reject_bad_arguments(call, error, words):
    with pytest.raises(error) as caught:
        call()
    assert all(word in str(caught.value) for word in words), str(caught.value)


def test_rng_is_the_third_positional_argument_of_the_planar_sets():
    assert _same(two_moons(20, 0.1, 9), two_moons(20, noise=0.1, rng=9))
    assert _same(spirals(20, 0.1, 9), spirals(20, rng=9))


# ---------------------------------------------------------------- noisy_sine


def test_noisy_sine_shapes_dtypes_and_target_range():
    inputs, targets = noisy_sine(50, 30, rng=0)
    assert inputs.shape == (50, 30, 1) and targets.shape == (50, 30, 1)
    assert inputs.dtype == np.float64 and targets.dtype == np.float64
    assert targets.min() >= 0.1 - 1e-12 and targets.max() <= 0.9 + 1e-12  # inside the sigmoid's (0, 1)
    assert targets.min() < 0.15 and targets.max() > 0.85  # the whole amplitude is used


def test_noisy_sine_without_noise_targets_are_the_next_inputs():
    inputs, targets = noisy_sine(10, 25, noise=0, rng=1)
    assert np.array_equal(inputs[:, 1:], targets[:, :-1])


def test_noisy_sine_noise_touches_only_the_inputs():
    clean_inputs, clean_targets = noisy_sine(200, 50, noise=0, rng=2)
    noisy_inputs, noisy_targets = noisy_sine(200, 50, noise=0.05, rng=2)
    assert np.array_equal(clean_targets, noisy_targets)
    shift = noisy_inputs - clean_inputs
    assert abs(shift.mean()) < 0.005 and abs(shift.std() - 0.05) < 0.002
    assert noisy_sine(3, 4, rng=2)[0].shape == (3, 4, 1)  # noise=0.05 is the default
    assert np.array_equal(noisy_sine(200, 50, rng=2)[0], noisy_inputs)


def test_noisy_sine_waves_have_frequencies_in_the_documented_range_and_random_phases():
    _, targets = noisy_sine(300, 40, noise=0, rng=3)
    centred = targets[:, :, 0] - 0.5
    # A sine s_t satisfies s_{t+1} + s_{t-1} = 2 cos(ω) s_t: solve for cos(ω) per sequence (least squares).
    middle, around = centred[:, 1:-1], centred[:, 2:] + centred[:, :-2]
    cosine = np.sum(middle * around, axis=1) / (2 * np.sum(middle**2, axis=1))
    frequency = np.arccos(cosine) / (2 * np.pi)
    low, high = SINE_FREQUENCY_RANGE
    assert np.all((frequency >= low - 1e-9) & (frequency <= high + 1e-9))
    assert frequency.max() - frequency.min() > 0.8 * (high - low)  # spread over the range, not one wave
    np.testing.assert_allclose(np.max(np.abs(centred), axis=1)[frequency > 1 / 16], 0.4, atol=0.01)
    assert np.std(targets[:, 0, 0]) > 0.2  # random phases: the sequences start at different heights


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: noisy_sine(0, 5), ValueError, ["noisy_sine num_sequences", "0"]),
        (lambda: noisy_sine(4, 0), ValueError, ["noisy_sine length", "0"]),
        (lambda: noisy_sine(4, 5.5), TypeError, ["noisy_sine length", "5.5"]),
        (lambda: noisy_sine(4, 5, noise=-1), ValueError, ["noisy_sine noise", "non-negative", "-1"]),
        (lambda: noisy_sine(4, 5, rng="x"), TypeError, ["noisy_sine rng", "'x'"]),
    ],
)
def test_noisy_sine_rejects_bad_arguments(call, error, words):
    with pytest.raises(error) as caught:
        call()
    assert all(word in str(caught.value) for word in words), str(caught.value)


def test_sequence_tasks_take_noise_and_rng_only_by_keyword():
    with pytest.raises(TypeError):
        noisy_sine(4, 5, 0.1)
    with pytest.raises(TypeError):
        delayed_recall(4, 5, 0)
    with pytest.raises(TypeError):
        adding_problem(4, 5, 0)


# ---------------------------------------------------------------- delayed_recall


@pytest.mark.parametrize("delay", [1, 5, 30])
def test_delayed_recall_layout_and_target_are_exactly_as_documented(delay):
    inputs, targets = delayed_recall(64, delay, rng=delay)
    assert inputs.shape == (64, delay + 1, 2) and inputs.dtype == np.float64
    assert targets.shape == (64, 1) and targets.dtype == np.float64
    shown, marker = inputs[:, :, 0], inputs[:, :, 1]
    expected_marker = np.zeros(delay + 1)
    expected_marker[0] = 1.0
    assert np.all(marker == expected_marker)  # the marker is on at step 0 only, in every sequence
    np.testing.assert_array_equal(targets[:, 0], (shown[:, 0] + 1) / 2)  # the answer is the marked number
    assert np.all((targets >= 0) & (targets < 1))


def test_delayed_recall_distractors_are_noise_independent_of_the_answer():
    inputs, targets = delayed_recall(4000, 10, noise=0.5, rng=7)
    distractors = inputs[:, 1:, 0]
    assert abs(distractors.mean()) < 0.02
    assert distractors.std() == pytest.approx(0.5, rel=0.02)
    assert abs(np.corrcoef(distractors[:, -1], targets[:, 0])[0, 1]) < 0.05
    silent, _ = delayed_recall(10, 4, noise=0.0, rng=7)
    assert np.all(silent[:, 1:, 0] == 0)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: delayed_recall(0, 5), ValueError, ["delayed_recall num_sequences", "0"]),
        (lambda: delayed_recall(4, 0), ValueError, ["delayed_recall delay", "positive integer", "0"]),
        (lambda: delayed_recall(4, 2.0), TypeError, ["delayed_recall delay", "2.0"]),
        (lambda: delayed_recall(4, 2, rng=[1]), TypeError, ["delayed_recall rng", "[1]", "list"]),
        (lambda: delayed_recall(4, 2, noise=-1.0), ValueError, ["delayed_recall noise", "-1.0"]),
    ],
)
def test_delayed_recall_rejects_bad_arguments(call, error, words):
    with pytest.raises(error) as caught:
        call()
    assert all(word in str(caught.value) for word in words), str(caught.value)


# ---------------------------------------------------------------- adding_problem


@pytest.mark.parametrize("length", [2, 3, 11, 50])
def test_adding_problem_marks_one_step_per_half_and_targets_half_their_sum(length):
    inputs, targets = adding_problem(200, length, rng=length)
    assert inputs.shape == (200, length, 2) and inputs.dtype == np.float64
    assert targets.shape == (200, 1) and targets.dtype == np.float64
    values, marker = inputs[:, :, 0], inputs[:, :, 1]
    assert np.all((values >= 0) & (values < 1))
    assert np.all((marker == 0) | (marker == 1))
    half = length // 2
    assert np.all(marker[:, :half].sum(axis=1) == 1) and np.all(marker[:, half:].sum(axis=1) == 1)
    first, second = np.argmax(marker[:, :half], axis=1), half + np.argmax(marker[:, half:], axis=1)
    rows = np.arange(200)
    assert np.array_equal(targets[:, 0], (values[rows, first] + values[rows, second]) / 2)
    assert np.array_equal(targets[:, 0], (values * marker).sum(axis=1) / 2)
    assert np.all((targets >= 0) & (targets < 1))


def test_adding_problem_marks_every_position_of_each_half_about_equally_often():
    inputs, targets = adding_problem(6000, 10, rng=8)
    counts = inputs[:, :, 1].sum(axis=0)  # 6000 marks spread over 5 positions in each half
    assert np.all(np.abs(counts - 1200) < 150)
    # The mean of two uniform values: mean 1/2, variance 1/24 (what always answering 0.5 costs in MSE).
    assert targets.mean() == pytest.approx(0.5, abs=0.01)
    assert targets.var() == pytest.approx(1 / 24, rel=0.05)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: adding_problem(0, 10), ValueError, ["adding_problem num_sequences", "0"]),
        (lambda: adding_problem(4, 1), ValueError, ["adding_problem length", "at least 2", "got 1"]),
        (lambda: adding_problem(4, "10"), TypeError, ["adding_problem length", "'10'"]),
        (lambda: adding_problem(4, 10, rng=0.5), TypeError, ["adding_problem rng", "0.5"]),
    ],
)
def test_adding_problem_rejects_bad_arguments(call, error, words):
    with pytest.raises(error) as caught:
        call()
    assert all(word in str(caught.value) for word in words), str(caught.value)


# ---------------------------------------------------------------- overfitting_set


def test_overfitting_set_defaults_have_the_documented_shapes_and_dtypes():
    train_inputs, train_labels, validation_inputs, validation_labels = overfitting_set(rng=0)
    assert train_inputs.shape == (30, 60) and validation_inputs.shape == (200, 60)
    assert train_labels.shape == (30,) and validation_labels.shape == (200,)
    assert train_inputs.dtype == validation_inputs.dtype == np.float64
    assert train_labels.dtype == validation_labels.dtype == np.int64
    assert set(np.unique(train_labels)) == {0, 1} and set(np.unique(validation_labels)) == {0, 1}


def test_overfitting_set_flips_the_rounded_fraction_of_labels_in_each_split():
    clean = overfitting_set(rng=1, noise=0.0)
    noisy = overfitting_set(rng=1)  # noise=0.05: the same draws, then 2 of 30 and 10 of 200 labels flipped
    assert np.array_equal(clean[0], noisy[0]) and np.array_equal(clean[2], noisy[2])
    assert np.count_nonzero(clean[1] != noisy[1]) == 2
    assert np.count_nonzero(clean[3] != noisy[3]) == 10
    assert np.array_equal(np.bincount(clean[1]), [15, 15]) and np.array_equal(np.bincount(clean[3]), [100, 100])


def test_overfitting_set_only_the_first_columns_carry_the_class():
    _, _, inputs, labels = overfitting_set(num_validation=20000, num_features=10, informative=3, noise=0.0, rng=2)
    difference = inputs[labels == 1].mean(axis=0) - inputs[labels == 0].mean(axis=0)
    np.testing.assert_allclose(difference[:3], 2 * OVERFITTING_CLASS_SHIFT, atol=0.06)
    np.testing.assert_allclose(difference[3:], 0.0, atol=0.06)
    np.testing.assert_allclose(inputs.std(axis=0)[3:], 1.0, atol=0.03)  # no standardisation needed


def test_overfitting_set_splits_share_one_distribution():
    train_inputs, train_labels, validation_inputs, validation_labels = overfitting_set(
        num_train=20000, num_validation=20000, num_features=6, informative=2, rng=3
    )
    for column in range(6):
        for label in (0, 1):
            train_mean = train_inputs[train_labels == label, column].mean()
            validation_mean = validation_inputs[validation_labels == label, column].mean()
            assert abs(train_mean - validation_mean) < 0.06


def test_overfitting_set_is_learnable_from_the_informative_columns():
    # The sign of the sum of the informative features is close to the best rule: about 2 % wrong + the flips.
    _, _, inputs, labels = overfitting_set(num_validation=5000, rng=4)
    accuracy = np.mean((inputs[:, :4].sum(axis=1) > 0) == labels)
    assert 0.9 < accuracy < 0.96


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        ({"num_train": 1}, ValueError, ["overfitting_set num_train", "at least 2", "1"]),
        ({"num_validation": 0}, ValueError, ["overfitting_set num_validation", "0"]),
        ({"num_features": 2.5}, TypeError, ["overfitting_set num_features", "2.5"]),
        ({"informative": 0}, ValueError, ["overfitting_set informative", "0"]),
        ({"informative": 61}, ValueError, ["informative", "at most num_features (60)", "61"]),
        ({"noise": 0.5}, ValueError, ["overfitting_set noise", "[0, 0.5)", "0.5"]),
        ({"noise": -0.01}, ValueError, ["overfitting_set noise", "-0.01"]),
        ({"noise": None}, TypeError, ["overfitting_set noise", "None"]),
        ({"rng": "0"}, TypeError, ["overfitting_set rng", "'0'"]),
    ],
)
def test_overfitting_set_rejects_bad_arguments(arguments, error, words):
    with pytest.raises(error) as caught:
        overfitting_set(**arguments)
    assert all(word in str(caught.value) for word in words), str(caught.value)
