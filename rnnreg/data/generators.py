"""Synthetic data for the lessons: 2-D toy problems, sequence tasks for recurrent nets, an overfitting set.

Every generator is a plain function that returns new NumPy arrays; nothing is cached between calls.

- 2-D classification sets to draw decision boundaries: :func:`two_moons`, :func:`spirals`, :func:`xor`,
  :func:`concentric_circles`. Points are roughly centred on the origin and lie in about [-1.5, 1.5] in both
  coordinates, so a small MLP trains on them without standardising.
- Sequence tasks for RNN and LSTM: :func:`noisy_sine` (one-step-ahead prediction), :func:`delayed_recall`
  (remember one bit across a delay) and :func:`adding_problem` (Hochreiter & Schmidhuber, 1997). Their targets
  lie in (0, 1) or [0, 1), inside the range of the recurrent layers' sigmoid outputs.
- :func:`overfitting_set`: few samples, many features, a little label noise; an unregularized MLP learns the
  training samples by heart while the validation accuracy stays clearly lower.

Sizes are checked: at most ``MAX_SAMPLES`` points or samples, ``MAX_FEATURES`` features, ``MAX_SEQUENCES``
sequences of ``MAX_LENGTH`` steps (a ValueError naming the argument, instead of a MemoryError).

Glossary of shape letters: N samples (or sequences), T time steps, D input features per sample or step,
K targets per sample or step.

Randomness.  Every generator takes ``rng``:

- ``None`` (default): NumPy's global random state, so ``np.random.seed(n)`` before the call reproduces it;
- an ``int``: a seed, used as ``np.random.default_rng(seed)``, the same data on every call;
- a ``numpy.random.Generator``: used as it is (and advanced by the call).

>>> points, labels = two_moons(200, noise=0.1, rng=0)                 # (200, 2) float64, (200,) int64
>>> inputs, targets = delayed_recall(64, delay=10, rng=0)             # (64, 11, 2), (64, 1)
"""

import numpy as np

from rnnreg.validation import (
    check_fraction,
    check_non_negative_number,
    check_positive_int,
    check_size,
    resolve_rng,
)

# noisy_sine draws each sequence's frequency uniformly from this range, in cycles per time step
# (periods of 8 to 32 steps), so a net must read the frequency off the past instead of memorising one wave.
SINE_FREQUENCY_RANGE = (1 / 32, 1 / 8)
# noisy_sine scales the wave into (0, 1), where the recurrent layers' sigmoid outputs live.
SINE_OFFSET, SINE_AMPLITUDE = 0.5, 0.4
# The largest sizes a generator makes (the lessons use hundreds): 10**9 samples would end in a MemoryError
# deep inside NumPy instead of an error naming the argument. A sequence task holds up to
# MAX_SEQUENCES x MAX_LENGTH steps (10**7 numbers per input feature).
MAX_SAMPLES = 1_000_000  # points of a 2-D set, samples of the overfitting set
MAX_FEATURES = 10_000  # features of the overfitting set
MAX_SEQUENCES = 10_000  # sequences of a sequence task
MAX_LENGTH = 1_000  # time steps (or delay) of a sequence task

# overfitting_set moves the informative features by +/- this much (in standard deviations) for class 1 / 0.
OVERFITTING_CLASS_SHIFT = 1.0


def _check_sample_count(name, argument, value, minimum, why, maximum=MAX_SAMPLES):
    count = check_size(f"{name} {argument}", value, maximum)
    if count < minimum:
        raise ValueError(f"{name} {argument} must be at least {minimum} ({why}), got {count}")
    return count


def _balanced_labels(random, num_samples, num_classes):
    """Class labels in random order with counts that differ by at most one (the first classes get the extra)."""
    return random.permutation(np.arange(num_samples, dtype=np.int64) % num_classes)


def _with_noise(random, points, noise):
    if noise == 0:
        return points
    return points + random.normal(0.0, noise, size=points.shape)


# ------------------------------------------------------------------------------------------- 2-D classification


def two_moons(num_samples=200, noise=0.1, rng=None):
    """Two interleaving half circles, one per class: the classic "a line will not do" problem.

    The lesson uses it to draw decision boundaries: a linear classifier cuts both moons, an MLP with one
    hidden layer bends around them, and with few samples and a large net the boundary shows overfitting.

    Class 0 lies on the upper half circle (cos θ, sin θ), class 1 on the lower one (1 - cos θ, 0.5 - sin θ),
    θ uniform in [0, π]; both are shifted by (-0.5, -0.25) so the set is centred, giving x in [-1.5, 1.5] and
    y in [-0.75, 0.75] before noise. Gaussian noise with standard deviation ``noise`` is added to both
    coordinates.

    Parameters
    ----------
    num_samples : int
        N >= 2. The two classes get N // 2 samples each (class 0 one more when N is odd).
    noise : float
        Standard deviation of the Gaussian noise added to every coordinate; >= 0 (0 gives clean arcs).
    rng : None, int or numpy.random.Generator, optional
        None (default): NumPy's global random state, so np.random.seed(n) reproduces the draws; an int: a
        seed for np.random.default_rng; a Generator: used as it is.

    Returns
    -------
    points : numpy.ndarray of float64, shape (N, 2)
    labels : numpy.ndarray of int64, shape (N,)
        0 or 1, in random order.

    Shapes
    ------
    points (N, 2), labels (N,).
    """
    name = "two_moons"
    num_samples = _check_sample_count(name, "num_samples", num_samples, 2, "one sample per class")
    noise = check_non_negative_number(f"{name} noise", noise)
    random = resolve_rng(name, rng)
    labels = _balanced_labels(random, num_samples, 2)
    angle = random.uniform(0.0, np.pi, size=num_samples)
    upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    lower = np.stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)
    points = np.where(labels[:, None] == 0, upper, lower) - np.array([0.5, 0.25])
    return _with_noise(random, points, noise), labels


def spirals(num_samples=300, noise=0.1, rng=None, *, num_classes=2):
    """Interleaved spiral arms, one per class: hard for a small MLP, the lesson's stress test.

    The lesson uses it to show what capacity buys (a wider or deeper MLP follows the arms, a narrow one
    cannot) and how an overfitted boundary frays between the arms.

    Arm k of K (``num_classes``) turns once around the origin: a point at position s ~ U[0, 1] along the arm
    has radius r = 0.1 + 1.3 s and angle 2π s + 2π k / K, i.e. (r cos, r sin), so the arms are rotated copies
    of each other and the points lie within radius 1.4 before noise. Gaussian noise with standard deviation
    ``noise`` is added to both coordinates.

    Parameters
    ----------
    num_samples : int
        N >= K. The classes get N // K samples each (the first N mod K classes one more).
    noise : float
        Standard deviation of the Gaussian noise added to every coordinate; >= 0.
    rng : None, int or numpy.random.Generator, optional
        None (default): NumPy's global random state, so np.random.seed(n) reproduces the draws; an int: a
        seed for np.random.default_rng; a Generator: used as it is.
    num_classes : int
        K >= 2, the number of arms (and classes).

    Returns
    -------
    points : numpy.ndarray of float64, shape (N, 2)
    labels : numpy.ndarray of int64, shape (N,)
        0 .. K - 1, in random order.

    Shapes
    ------
    points (N, 2), labels (N,).
    """
    name = "spirals"
    num_classes = _check_sample_count(name, "num_classes", num_classes, 2, "a spiral arm per class")
    num_samples = _check_sample_count(
        name, "num_samples", num_samples, num_classes, f"one sample per class, num_classes={num_classes}"
    )
    noise = check_non_negative_number(f"{name} noise", noise)
    random = resolve_rng(name, rng)
    labels = _balanced_labels(random, num_samples, num_classes)
    position = random.random(size=num_samples)
    radius = 0.1 + 1.3 * position
    angle = 2.0 * np.pi * position + 2.0 * np.pi * labels / num_classes
    points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return _with_noise(random, points, noise), labels


def xor(num_samples=200, noise=0.25, rng=None):
    """Four Gaussian blobs, one per quadrant; opposite quadrants share a class (the XOR of the two signs).

    The lesson uses it as the smallest problem no single-layer (linear) classifier can solve and that one
    hidden layer solves: the decision boundary must cross itself at the origin.

    The blobs are centred at (±0.75, ±0.75). Class 0: the blobs at (0.75, 0.75) and (-0.75, -0.75) (both
    coordinates with the same sign); class 1: the blobs at (-0.75, 0.75) and (0.75, -0.75). Each blob is an
    isotropic Gaussian with standard deviation ``noise``, so with large noise some points cross into a
    neighbouring quadrant while keeping their blob's label.

    Parameters
    ----------
    num_samples : int
        N >= 2. The four blobs get N // 4 samples each (the first N mod 4 blobs one more), so the two classes
        differ by at most one sample.
    noise : float
        Standard deviation of each blob, >= 0 (0 puts every point on its blob's centre).
    rng : None, int or numpy.random.Generator, optional
        None (default): NumPy's global random state, so np.random.seed(n) reproduces the draws; an int: a
        seed for np.random.default_rng; a Generator: used as it is.

    Returns
    -------
    points : numpy.ndarray of float64, shape (N, 2)
    labels : numpy.ndarray of int64, shape (N,)
        0 or 1, in random order.

    Shapes
    ------
    points (N, 2), labels (N,).
    """
    name = "xor"
    num_samples = _check_sample_count(name, "num_samples", num_samples, 2, "one sample per class")
    noise = check_non_negative_number(f"{name} noise", noise)
    random = resolve_rng(name, rng)
    blob = _balanced_labels(random, num_samples, 4)
    # Blobs 0..3 go round the quadrants I, II, III, IV, so the class (same signs or not) is the blob's parity.
    centres = 0.75 * np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])
    labels = blob % 2
    return _with_noise(random, centres[blob], noise), labels


def concentric_circles(num_samples=200, noise=0.08, rng=None, *, factor=0.5):
    """A ring around a smaller ring: separable, but only by a closed (round) boundary.

    The lesson uses it to show that a hidden layer builds features (here, roughly the distance from the
    centre) in which the classes become separable.

    Class 0 lies on the outer circle of radius 1.25, class 1 on the inner circle of radius ``factor`` * 1.25,
    at angles uniform in [0, 2π); Gaussian noise with standard deviation ``noise`` is added to both
    coordinates.

    Parameters
    ----------
    num_samples : int
        N >= 2. Each ring gets N // 2 samples (the outer one one more when N is odd).
    noise : float
        Standard deviation of the Gaussian noise added to every coordinate; >= 0.
    rng : None, int or numpy.random.Generator, optional
        None (default): NumPy's global random state, so np.random.seed(n) reproduces the draws; an int: a
        seed for np.random.default_rng; a Generator: used as it is.
    factor : float
        Radius of the inner ring divided by that of the outer ring, in (0, 1).

    Returns
    -------
    points : numpy.ndarray of float64, shape (N, 2)
    labels : numpy.ndarray of int64, shape (N,)
        0 (outer ring) or 1 (inner ring), in random order.

    Shapes
    ------
    points (N, 2), labels (N,).
    """
    name = "concentric_circles"
    num_samples = _check_sample_count(name, "num_samples", num_samples, 2, "one sample per class")
    noise = check_non_negative_number(f"{name} noise", noise)
    factor = check_fraction(f"{name} factor", factor, low=0, high=1, low_open=True, high_open=True)
    random = resolve_rng(name, rng)
    labels = _balanced_labels(random, num_samples, 2)
    angle = random.uniform(0.0, 2.0 * np.pi, size=num_samples)
    radius = np.where(labels == 0, 1.25, 1.25 * factor)
    points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return _with_noise(random, points, noise), labels


# ------------------------------------------------------------------------------------------- sequence tasks


def noisy_sine(num_sequences, length, *, noise=0.05, rng=None):
    """Noisy sine waves and their next clean value: one-step-ahead prediction for RNN and LSTM.

    The lesson uses it as the first recurrent task: the net sees x_1 .. x_t and predicts the wave at t + 1.
    Because every sequence has its own frequency and phase, one input value is not enough: the net has to
    combine several past steps (its hidden state) to know where the wave goes next.

    Sequence n has a frequency f_n uniform in ``SINE_FREQUENCY_RANGE`` = [1/32, 1/8] cycles per step
    (periods of 8 to 32 steps) and a phase φ_n uniform in [0, 2π). With the clean wave
    s_n(t) = 0.5 + 0.4 sin(2π f_n t + φ_n), which lies in [0.1, 0.9] inside the sigmoid's range (0, 1),

        inputs[n, t, 0]  = s_n(t) + ε,   ε ~ N(0, noise²) independently at every step,
        targets[n, t, 0] = s_n(t + 1),   the next CLEAN value,

    for t = 0 .. T - 1. So with ``noise=0``, ``inputs[:, 1:]`` equals ``targets[:, :-1]``. The noisy inputs may
    leave (0, 1) slightly; the targets never do.

    Parameters
    ----------
    num_sequences : int
        N >= 1.
    length : int
        T >= 1, the number of time steps.
    noise : float
        Standard deviation of the input noise, >= 0, in the same units as the wave (amplitude 0.4).
    rng : None, int or numpy.random.Generator, optional
        None (default): NumPy's global random state, so np.random.seed(n) reproduces the draws; an int: a
        seed for np.random.default_rng; a Generator: used as it is.

    Returns
    -------
    inputs : numpy.ndarray of float64, shape (N, T, 1)
    targets : numpy.ndarray of float64, shape (N, T, 1)
        In [0.1, 0.9].

    Shapes
    ------
    inputs (N, T, 1) -> targets (N, T, 1): a many-to-many task; compare the RNN's output at every step.
    """
    name = "noisy_sine"
    num_sequences = check_size(f"{name} num_sequences", num_sequences, MAX_SEQUENCES)
    length = check_size(f"{name} length", length, MAX_LENGTH)
    noise = check_non_negative_number(f"{name} noise", noise)
    random = resolve_rng(name, rng)
    frequency = random.uniform(*SINE_FREQUENCY_RANGE, size=(num_sequences, 1))
    phase = random.uniform(0.0, 2.0 * np.pi, size=(num_sequences, 1))
    steps = np.arange(length + 1)
    clean = SINE_OFFSET + SINE_AMPLITUDE * np.sin(2.0 * np.pi * frequency * steps + phase)  # (N, T + 1)
    inputs = _with_noise(random, clean[:, :-1], noise)
    return inputs[:, :, None], clean[:, 1:, None].copy()


def delayed_recall(num_sequences, delay, *, noise=1.0, rng=None):
    """The memory task: recall the number shown at the first step, after ``delay`` steps of distractors.

    The lesson uses it to compare Elman RNN and LSTM: the answer depends on an input ``delay`` steps back.
    An Elman RNN must carry the number through ``delay`` tanh steps that every distractor kicks, and the
    gradient that would teach it to do so vanishes on the way; it fails as the delay grows (its answer
    drifts to the mean, an R² near 0). The LSTM's cell state holds the number while its input gate stays
    shut, and succeeds at delays where the Elman RNN has failed (with ``LSTM(..., forget_bias=5.0)`` the
    cell starts out remembering; see ``LSTM``). Remembering an analogue value is what makes the contrast
    sharp: a single bit can be kept by a saturated Elman unit much longer.

    Each sequence has T = ``delay`` + 1 steps and D = 2 input channels:

    - channel 0: at step 0 the number to remember, v ~ U[0, 1) shown as 2v − 1 in [−1, 1); at every later
      step a distractor drawn from N(0, ``noise``²), independent of v;
    - channel 1: the marker, 1.0 at step 0 (the step to remember) and 0.0 at every other step.

    The target is v, ``targets[n, 0] == (inputs[n, 0, 0] + 1) / 2``, read from the net's output at the LAST
    step: put ``LastTimeStep`` ((N, T, K) -> (N, K)) on top of the RNN / LSTM with K = 1 and train with
    ``L2Loss``. Always answering 0.5 gives a mean squared error of 1/12 (the variance of v), an R² of 0.

    Parameters
    ----------
    num_sequences : int
        N >= 1.
    delay : int
        Steps between the marked number and the step where it is asked for, >= 1.
    noise : float
        Standard deviation of the distractors, >= 0 (0 gives silent distractors: only the delay is hard).
    rng : None, int or numpy.random.Generator, optional
        None (default): NumPy's global random state, so np.random.seed(n) reproduces the draws; an int: a
        seed for np.random.default_rng; a Generator: used as it is.

    Returns
    -------
    inputs : numpy.ndarray of float64, shape (N, delay + 1, 2)
    targets : numpy.ndarray of float64, shape (N, 1)
        v in [0, 1).

    Shapes
    ------
    inputs (N, T, 2) with T = delay + 1 -> targets (N, 1): many-to-one (the output at step T - 1).
    """
    name = "delayed_recall"
    num_sequences = check_size(f"{name} num_sequences", num_sequences, MAX_SEQUENCES)
    delay = check_size(f"{name} delay", delay, MAX_LENGTH)
    noise = check_non_negative_number(f"{name} noise", noise)
    random = resolve_rng(name, rng)
    recalled = random.random(size=num_sequences)
    inputs = np.zeros((num_sequences, delay + 1, 2))
    inputs[:, 0, 0] = 2 * recalled - 1
    inputs[:, 1:, 0] = noise * random.standard_normal(size=(num_sequences, delay))
    inputs[:, 0, 1] = 1.0
    return inputs, recalled[:, None]


def adding_problem(num_sequences, length, *, rng=None):
    """The adding problem: add the two marked numbers of a long sequence (Hochreiter & Schmidhuber, 1997).

    Source: S. Hochreiter and J. Schmidhuber, "Long Short-Term Memory", Neural Computation 9(8), 1735-1780,
    1997 (the "adding problem" experiment). This is the common simplified form of the task: values from [0, 1)
    and the target scaled by 1/2, so that it lies inside the sigmoid output range of the recurrent layers.

    The lesson uses it as a harder long-range task than :func:`delayed_recall`: the net must find the two
    marked values among T random ones, hold the first while waiting for the second, and output a real number
    at the end. Always answering 0.5 gives a mean squared error of about 1/24 ≈ 0.042 (the variance of the
    target); a net that has learnt the task goes well below that.

    Each sequence has T = ``length`` steps and D = 2 channels:

    - channel 0: values uniform in [0, 1), independently at every step;
    - channel 1: the marker, 1.0 at exactly two steps and 0.0 elsewhere: one step uniform in the first half,
      0 .. T // 2 - 1, and one uniform in the second half, T // 2 .. T - 1.

    The target is half the sum of the two marked values,
    ``targets[n, 0] == (inputs[n, :, 0] * inputs[n, :, 1]).sum() / 2``, in [0, 1), read from the output at
    the LAST step (put ``rnnreg.layers.sequence.LastTimeStep`` on top of the RNN / LSTM, K = 1).

    Parameters
    ----------
    num_sequences : int
        N >= 1.
    length : int
        T >= 2 (one step for each half).
    rng : None, int or numpy.random.Generator, optional
        None (default): NumPy's global random state, so np.random.seed(n) reproduces the draws; an int: a
        seed for np.random.default_rng; a Generator: used as it is.

    Returns
    -------
    inputs : numpy.ndarray of float64, shape (N, T, 2)
    targets : numpy.ndarray of float64, shape (N, 1)
        In [0, 1).

    Shapes
    ------
    inputs (N, T, 2) -> targets (N, 1): many-to-one (the output at step T - 1).
    """
    name = "adding_problem"
    num_sequences = check_size(f"{name} num_sequences", num_sequences, MAX_SEQUENCES)
    length = _check_sample_count(name, "length", length, 2, "one marked step in each half", MAX_LENGTH)
    random = resolve_rng(name, rng)
    half = length // 2
    values = random.random(size=(num_sequences, length))
    # floor(u * size) is uniform over 0 .. size - 1, from the methods the global state and a Generator share.
    first = np.floor(random.random(size=num_sequences) * half).astype(np.int64)
    second = half + np.floor(random.random(size=num_sequences) * (length - half)).astype(np.int64)
    rows = np.arange(num_sequences)
    inputs = np.zeros((num_sequences, length, 2))
    inputs[:, :, 0] = values
    inputs[rows, first, 1] = 1.0
    inputs[rows, second, 1] = 1.0
    targets = (values[rows, first] + values[rows, second]) / 2.0
    return inputs, targets[:, None]


# ------------------------------------------------------------------------------------------- overfitting


def overfitting_set(num_train=30, num_validation=200, num_features=60, informative=4, *, noise=0.05, rng=None):
    """A tiny two-class problem with many useless features: made for overfitting, and for fixing it.

    The lesson uses it for L1, L2 and dropout. With the defaults (30 training samples, 60 features of which 4
    carry the class) an unregularized MLP such as FullyConnected(60, 32) -> ReLU -> FullyConnected(32, 2) ->
    SoftMax reaches a training accuracy of 1.0, memorising noise features and flipped labels, while the
    validation accuracy stays clearly lower; L2 regularization or dropout narrows that gap, and L1 drives the
    weights of the useless features (columns ``informative`` and later) towards zero.

    Both splits come from the same distribution:

    - labels: balanced within each split (counts differ by at most one) before the label noise;
    - features 0 .. ``informative`` - 1: Gaussian with standard deviation 1 around +1 for class 1 and -1 for
      class 0 (``OVERFITTING_CLASS_SHIFT``), so the classes overlap in each feature and separate well only
      together (with 4 such features the best possible classifier errs on about 2 % before label noise);
    - features ``informative`` .. D - 1: standard Gaussian noise, independent of the class;
    - label noise: in each split, ``noise`` · size (rounded half up) samples chosen at random get the other
      label (after the features were drawn), so even a perfect classifier errs on about that fraction.

    No standardisation is needed: every feature has a mean near 0 and a standard deviation near 1 (the
    informative ones about 1.4, since the class shift adds to their spread).

    Parameters
    ----------
    num_train : int
        Training samples, >= 2.
    num_validation : int
        Validation samples, >= 2.
    num_features : int
        D >= ``informative``, the number of features per sample.
    informative : int
        Number of features that depend on the class, >= 1; they are the first columns.
    noise : float
        Fraction of labels flipped in each split, in [0, 0.5).
    rng : None, int or numpy.random.Generator, optional
        None (default): NumPy's global random state, so np.random.seed(n) reproduces the draws; an int: a
        seed for np.random.default_rng; a Generator: used as it is.

    Returns
    -------
    train_inputs : numpy.ndarray of float64, shape (num_train, D)
    train_labels : numpy.ndarray of int64, shape (num_train,)
        0 or 1.
    validation_inputs : numpy.ndarray of float64, shape (num_validation, D)
    validation_labels : numpy.ndarray of int64, shape (num_validation,)
        0 or 1.

    Shapes
    ------
    train_inputs (N_train, D), train_labels (N_train,), validation_inputs (N_validation, D),
    validation_labels (N_validation,).

    Notes
    -----
    What to expect, measured with the defaults over 20 seeds (rng = 0 .. 19), FullyConnected(60, 32) -> ReLU
    -> FullyConnected(32, 2) -> SoftMax, CrossEntropyLoss, Adam(1e-3, 0.9, 0.999), 1000 full-batch steps:
    without regularization train accuracy 1.0 and validation about 0.73; with
    ``L2Regularizer(1.0)`` added ``into_gradient=True`` validation about 0.85 (better on every seed);
    with ``Dropout(0.5)`` after the ReLU about 0.78. Under Adam, the default decoupled shrinkage needs a large
    alpha and helps less (``L2Regularizer(10.0)``: about 0.76), because Adam's normalised steps pull every
    weight to a similar size whatever its gradient; with plain SGD it helps as much as the coupled form.
    Training accuracy stays 1.0 throughout (30 points in 60 dimensions can always be separated), so the gap
    narrows through the validation accuracy.
    """
    name = "overfitting_set"
    num_train = _check_sample_count(name, "num_train", num_train, 2, "one sample per class")
    num_validation = _check_sample_count(name, "num_validation", num_validation, 2, "one sample per class")
    num_features = check_size(f"{name} num_features", num_features, MAX_FEATURES)
    informative = check_positive_int(f"{name} informative", informative)
    if informative > num_features:
        raise ValueError(f"{name} informative must be at most num_features ({num_features}), got {informative}")
    noise = check_fraction(f"{name} noise", noise, low=0, high=0.5, low_open=False, high_open=True)
    if (num_train + num_validation) * num_features > MAX_SAMPLES * 100:
        raise ValueError(
            f"{name} would hold (num_train + num_validation) x num_features = {num_train + num_validation} x "
            f"{num_features} numbers, more than the {MAX_SAMPLES * 100:,} it makes"
        )
    random = resolve_rng(name, rng)
    return (
        *_overfitting_split(random, num_train, num_features, informative, noise),
        *_overfitting_split(random, num_validation, num_features, informative, noise),
    )


def _overfitting_split(random, size, num_features, informative, noise):
    labels = _balanced_labels(random, size, 2)
    inputs = random.normal(0.0, 1.0, size=(size, num_features))
    inputs[:, :informative] += np.where(labels[:, None] == 1, OVERFITTING_CLASS_SHIFT, -OVERFITTING_CLASS_SHIFT)
    flipped = random.permutation(size)[: int(np.floor(noise * size + 0.5))]
    labels[flipped] = 1 - labels[flipped]
    return inputs, labels
