"""Recorders: what happens inside a network while it trains, kept small enough to leave switched on.

A recorder watches one aspect of a network (weight distributions, the fraction of near-zero weights,
weight norms, BatchNorm statistics, recurrent hidden states, dropout masks) and keeps what the lesson
plots need. The training loop calls ``recorder.start(network)`` once before the first step and
``recorder.record(step, network)`` after every step (forward, backward, update); ``step`` is the 0-based
global iteration index. The recorder decides with its ``every`` whether to look at that step.

Two promises make recorders safe to leave on in a notebook:

- Bounded memory. A per-step history lives in a :class:`BoundedSeries`, which never holds more than
  ``capacity`` entries however long the run: when full it drops every other entry and samples half as
  often, so it always spans the whole run evenly. Everything else a recorder holds is the latest value only.
- No influence on training. Recorders copy what they keep, never write to a layer's arrays, and never draw
  from NumPy's global random state (a run with recorders gives bit-identical weights to one without).

Every recorder finds its layers by type in ``network.layers`` and keys what it holds by the layer's index
in that list; ``labels`` maps each index to a readable name such as ``"layers[2] BatchNormalization"``.

Glossary of letters (as in the layers): N batch, T time, H hidden units, C channels, M entries kept in a
series, S sampled weights.
"""


import numpy as np

from rnnreg.layers.base import TrainableLayer
from rnnreg.layers.batch_normalization import BatchNormalization
from rnnreg.layers.dropout import Dropout
from rnnreg.layers.lstm import LSTM
from rnnreg.layers.rnn import RecurrentLayer
from rnnreg.validation import check_non_negative_int, check_non_negative_number, check_positive_int, resolve_rng

__all__ = [
    "BatchNormRecorder",
    "BoundedSeries",
    "DropoutMaskRecorder",
    "Recorder",
    "RecurrentRecorder",
    "SparsityRecorder",
    "WeightNormRecorder",
    "WeightSnapshotRecorder",
]


# ------------------------------------------------------------------------------------------ BoundedSeries


class BoundedSeries:
    """A history of ``(step, value)`` entries that never holds more than ``capacity`` of them.

    Parameters
    ----------
    capacity : int
        The most entries kept, at least 2.

    Attributes
    ----------
    capacity : int
    stride : int
        The series keeps every ``stride``-th entry offered to ``append``; 1 until the series first fills.

    Notes
    -----
    Counting the calls to ``append`` from 0, the series keeps calls 0, s, 2s, 3s, … where s is ``stride``.
    When a kept entry would be number ``capacity + 1``, the series first drops every other entry it holds
    (keeping the first) and doubles s. Hence, however long the run:

    - it holds at most ``capacity`` entries, and at least about ``capacity / 2`` once it has thinned;
    - the entries are evenly spaced over the calls and span the whole run: the very first entry is never
      dropped and the last one kept is fewer than s calls old;
    - after n calls, s < 2n / capacity, and one call costs O(1) amortised (thinning copies at most
      ``capacity`` references, once every ``capacity / 2`` kept entries).

    When the calls come at evenly spaced steps (as from a recorder with ``every = k``: steps 0, k, 2k, …),
    the kept steps are evenly spaced too.

    ``append`` stores a read-only copy of the value, so later changes to the caller's array never reach
    the series. ``latest`` is the last entry offered, kept or not (for a live number under a plot).
    """

    def __init__(self, capacity):
        self.capacity = check_positive_int("BoundedSeries capacity", capacity)
        if self.capacity < 2:
            raise ValueError(
                f"BoundedSeries capacity must be at least 2 (to keep the first and a recent entry), got {capacity!r}"
            )
        self.stride = 1
        self._offered = 0
        self._steps = []
        self._values = []
        self._latest = None

    def append(self, step, value):
        """Offer the entry ``(step, value)``; return True when the series keeps it.

        ``value`` is anything ``numpy.array`` accepts (a float, an array); the series stores a copy.
        """
        stored = np.array(value)
        stored.flags.writeable = False
        self._latest = (step, stored)
        keep = self._offered % self.stride == 0
        self._offered += 1
        if keep and len(self._steps) == self.capacity:
            self._steps = self._steps[::2]
            self._values = self._values[::2]
            self.stride *= 2
            keep = (self._offered - 1) % self.stride == 0
        if keep:
            self._steps.append(step)
            self._values.append(stored)
        return keep

    @property
    def steps(self):
        """ndarray, shape (M,): the steps of the kept entries, in the order they were appended."""
        return np.array(self._steps, dtype=np.int64)

    @property
    def values(self):
        """ndarray, shape (M, *value_shape): the kept values stacked along a new first axis (a new array).

        Raises ValueError when the kept values do not all have the same shape (iterate over the series
        to read them one by one).
        """
        if not self._values:
            return np.empty((0,))
        shapes = {value.shape for value in self._values}
        if len(shapes) > 1:
            raise ValueError(
                f"BoundedSeries.values cannot stack values of different shapes {sorted(shapes)}; "
                "iterate over the series to read the (step, value) entries one by one"
            )
        return np.stack(self._values)

    @property
    def latest(self):
        """The last ``(step, value)`` offered to ``append`` (kept or not), or None before the first one."""
        return self._latest

    @property
    def offered(self):
        """int: how many entries have been offered to ``append`` in total."""
        return self._offered

    def __len__(self):
        return len(self._steps)

    def __iter__(self):
        """Yield the kept entries as ``(step, value)`` pairs; the values are read-only arrays."""
        return iter(zip(self._steps, self._values, strict=True))

    def __repr__(self):
        return f"BoundedSeries(capacity={self.capacity}, entries={len(self)}, stride={self.stride})"


# ------------------------------------------------------------------------------------------ Recorder base


def _check_layer_types(owner, layer_types):
    types = layer_types if isinstance(layer_types, tuple) else (layer_types,)
    if not types or not all(isinstance(kind, type) for kind in types):
        raise TypeError(f"{owner} layer_types must be a layer class or a tuple of them, got {layer_types!r}")
    return types


class Recorder:
    """Base of every recorder: finds the layers it watches and applies ``every`` in one place.

    Parameters
    ----------
    every : int, optional
        Look at the network only at steps that are multiples of ``every`` (1: every step). Steps are the
        global iteration indices the training loop passes, so ``every = 10`` records steps 0, 10, 20, ….

    Attributes
    ----------
    every : int
    labels : dict {int: str}
        For every watched layer, its index in ``network.layers`` -> ``"layers[<index>] <class name>"``.
    last_step : int or None
        The step of the last record, None before the first one.
    watched : list of (int, layer) or None
        The watched layers ``start`` bound, with their indices in ``network.layers``; None before that.
        A subclass's ``_reset`` and ``_record`` read them from here.

    Notes
    -----
    ``start(network)`` binds the recorder to the network's layers of the watched types. Called again with
    the same layers (a second training run on the same network), it keeps what was recorded, so curves
    continue; with different layers it starts a new, empty recording. ``reset()`` empties it explicitly.
    ``record`` starts the recorder itself when ``start`` was never called, and raises RuntimeError when
    the watched layers have changed since ``start``.

    A subclass sets ``layer_types`` (or overrides ``_watches``), implements ``_reset(layers)`` to create
    its empty records for the list of ``(index, layer)`` pairs and ``_record(step)`` to fill them. It sets
    its own options before calling ``Recorder.__init__``, which calls ``reset()``.
    """

    layer_types = ()

    def __init__(self, *, every=1):
        self.every = check_positive_int(f"{type(self).__name__} every", every)
        self.reset()

    def reset(self):
        """Forget everything recorded; the next ``start`` or ``record`` begins a new recording."""
        self.watched = None
        self.labels = {}
        self.last_step = None
        self._reset([])

    def start(self, network):
        """Bind to ``network``'s watched layers (once, before the first training step)."""
        layers = self._find_layers(network)
        if self.watched is not None and self._same_layers(layers):
            return
        self.watched = layers
        self.labels = {index: f"layers[{index}] {type(layer).__name__}" for index, layer in layers}
        self.last_step = None
        self._reset(layers)

    def record(self, step, network):
        """Record ``network`` after training step ``step`` when ``step`` is a multiple of ``every``.

        Returns True when it recorded, False when ``every`` skipped the step.
        """
        step = check_non_negative_int("Recorder.record step", step)
        if step % self.every:
            return False
        if self.watched is None:
            self.start(network)
        elif not self._same_layers(self._find_layers(network)):
            raise RuntimeError(
                f"{type(self).__name__} was started on a network whose watched layers were "
                f"{list(self.labels.values())}, but the network recorded at step {step} has "
                f"{[f'layers[{index}] {type(layer).__name__}' for index, layer in self._find_layers(network)]}; "
                "call start(network) to begin a new recording for it"
            )
        self._record(step)
        self.last_step = step
        return True

    def _find_layers(self, network):
        layers = getattr(network, "layers", None)
        if not isinstance(layers, list):
            raise TypeError(
                f"{type(self).__name__} expects a NeuralNetwork (an object with a list of layers), "
                f"got {type(network).__name__}"
            )
        return [(index, layer) for index, layer in enumerate(layers) if self._watches(layer)]

    def _same_layers(self, layers):
        return len(layers) == len(self.watched) and all(
            index == bound_index and layer is bound_layer
            for (index, layer), (bound_index, bound_layer) in zip(layers, self.watched, strict=True)
        )

    def _watches(self, layer):
        return isinstance(layer, self.layer_types)

    def _reset(self, layers):
        raise NotImplementedError(f"{type(self).__name__} does not implement _reset()")

    def _record(self, step):
        raise NotImplementedError(f"{type(self).__name__} does not implement _record()")


class _ParameterRecorder(Recorder):
    """Shared part of the recorders that look at one trainable array (``weights`` by default) of each layer."""

    def __init__(self, *, parameter, layer_types, every):
        if not isinstance(parameter, str):
            raise TypeError(
                f"{type(self).__name__} parameter must be the name of a layer array such as 'weights', "
                f"got {parameter!r} ({type(parameter).__name__})"
            )
        self.parameter = parameter
        self.layer_types = _check_layer_types(type(self).__name__, layer_types)
        super().__init__(every=every)

    def _watches(self, layer):
        return (
            isinstance(layer, self.layer_types)
            and getattr(layer, "trainable", False)
            and self.parameter in getattr(layer, "parameter_names", ())
        )

    def parameter_array(self, layer):
        """The recorded array (``parameter``) of ``layer``, as an ndarray."""
        return np.asarray(getattr(layer, self.parameter))


# ----------------------------------------------------------------------------------------------- weights


class WeightSnapshotRecorder(_ParameterRecorder):
    """Fixed random samples of every trainable layer's weights over training, for histograms over time.

    Parameters
    ----------
    sample_size : int, optional
        S_max, the most weights sampled per layer (2000). A layer with fewer weights is recorded whole.
    capacity : int, optional
        The most snapshots kept per layer (64); see :class:`BoundedSeries`.
    every : int, optional
        Look only at steps that are multiples of ``every`` (1).
    parameter : str, optional
        The array recorded, ``"weights"`` by default: the exercise's weights, exactly what the
        regularizer sees (FullyConnected: the bias row included; BatchNormalization: γ; RNN/LSTM: the
        recurrent W_h). ``"output_weights"`` records the RNN/LSTM output layer, ``"bias"`` BatchNorm's β.
    layer_types : class or tuple of classes, optional
        The layers watched (all trainable layers by default); ``FullyConnected`` leaves out BatchNorm's γ.
    rng : None, int or numpy.random.Generator, optional
        None: NumPy's global random state, so np.random.seed(n) reproduces the draws; an int: a seed for
        np.random.default_rng; a Generator: used as it is. Chooses the sampled weights, once per layer when
        the recorder starts. The default is the seed 0, so the recorder has a generator of its own and never
        draws from NumPy's global state, which training uses (with None it would change the dropout masks
        of a run it records).

    Attributes
    ----------
    snapshots : dict {int: BoundedSeries}
        Per layer index, the sampled weights at the recorded steps; ``snapshots[i].values`` has shape
        (M, S) and ``snapshots[i].steps`` shape (M,).
    indices : dict {int: ndarray of int, shape (S,)}
        The sampled positions in the flattened array (``layer.weights.ravel()[indices[i]]``), sorted,
        without repeats, the same at every step.
    shapes : dict {int: tuple}
        The shape of each recorded array when the recorder started.
    labels : dict {int: str}

    Notes
    -----
    A uniform sample of 2000 weights draws a histogram that looks like the one of all weights (the share of
    the weights in any bin has a standard error of at most √(0.25 / 2000) ≈ 1.1 percentage points), at a
    cost that does not grow with the layer.
    """

    def __init__(
        self, *, sample_size=2000, capacity=64, every=1, parameter="weights", layer_types=TrainableLayer, rng=0
    ):
        self.sample_size = check_positive_int("WeightSnapshotRecorder sample_size", sample_size)
        self.capacity = check_positive_int("WeightSnapshotRecorder capacity", capacity)
        BoundedSeries(self.capacity)  # validates capacity >= 2 before anything is recorded
        self.rng = resolve_rng("WeightSnapshotRecorder", rng)
        super().__init__(parameter=parameter, layer_types=layer_types, every=every)

    def _reset(self, layers):
        self.snapshots = {}
        self.indices = {}
        self.shapes = {}
        for index, layer in layers:
            array = self.parameter_array(layer)
            chosen = self.rng.choice(array.size, size=min(self.sample_size, array.size), replace=False)
            self.indices[index] = np.sort(chosen)
            self.shapes[index] = array.shape
            self.snapshots[index] = BoundedSeries(self.capacity)

    def _record(self, step):
        for index, layer in self.watched:
            array = self.parameter_array(layer)
            if array.shape != self.shapes[index]:
                raise ValueError(
                    f"WeightSnapshotRecorder: {self.labels[index]}.{self.parameter} has shape {array.shape}, but "
                    f"the recorder started with shape {self.shapes[index]}; call start(network) to sample again"
                )
            self.snapshots[index].append(step, array.take(self.indices[index]))


class SparsityRecorder(_ParameterRecorder):
    """The fraction of near-zero weights per layer and over all watched layers, per recorded step.

    Parameters
    ----------
    threshold : float, optional
        A weight counts as zero when |w| <= ``threshold`` (1e-3). L1 regularization with plain SGD does not
        make weights exactly 0: the shrinkage lr·α·sign(w) makes them jump around 0 in steps of about lr·α.
        So pick a threshold of at least lr·α (and well below the size of the weights that matter).
        0 counts exact zeros only.
    capacity : int, optional
        The most entries kept per series (512); see :class:`BoundedSeries`.
    every, parameter, layer_types
        As in :class:`WeightSnapshotRecorder` (by default the ``weights`` of every trainable layer, which
        is what the regularizer shrinks: FullyConnected's bias row and BatchNorm's γ included).

    Attributes
    ----------
    fractions : dict {int: BoundedSeries}
        Per layer index, the fraction of its weights with |w| <= threshold; ``values`` shape (M,), in [0, 1].
    overall : BoundedSeries
        Near-zero weights of all watched layers together divided by their total number (so a large layer
        counts more than a small one); ``values`` shape (M,).
    sizes : dict {int: int}
        The number of weights of each layer when the recorder started.
    labels : dict {int: str}
    """

    def __init__(self, *, threshold=1e-3, capacity=512, every=1, parameter="weights", layer_types=TrainableLayer):
        self.threshold = check_non_negative_number("SparsityRecorder threshold", threshold)
        self.capacity = check_positive_int("SparsityRecorder capacity", capacity)
        BoundedSeries(self.capacity)
        super().__init__(parameter=parameter, layer_types=layer_types, every=every)

    def _reset(self, layers):
        self.fractions = {index: BoundedSeries(self.capacity) for index, _ in layers}
        self.sizes = {index: self.parameter_array(layer).size for index, layer in layers}
        self.overall = BoundedSeries(self.capacity)

    def _record(self, step):
        zeros = total = 0
        for index, layer in self.watched:
            array = self.parameter_array(layer)
            count = int(np.count_nonzero(np.abs(array) <= self.threshold))
            self.fractions[index].append(step, count / array.size if array.size else 0.0)
            zeros += count
            total += array.size
        self.overall.append(step, zeros / total if total else 0.0)


class WeightNormRecorder(_ParameterRecorder):
    """The L1 and L2 norm of every trainable layer's weights, per recorded step.

    Parameters
    ----------
    capacity : int, optional
        The most entries kept per series (512); see :class:`BoundedSeries`.
    every, parameter, layer_types
        As in :class:`WeightSnapshotRecorder` (by default the ``weights`` of every trainable layer).

    Attributes
    ----------
    l1 : dict {int: BoundedSeries}
        Per layer index, ‖w‖₁ = Σ |w|; ``values`` shape (M,).
    l2 : dict {int: BoundedSeries}
        Per layer index, the Euclidean norm ‖w‖₂ = √(Σ w²); ``values`` shape (M,).
    labels : dict {int: str}

    Notes
    -----
    These are the norms of mathematics, without α. The regularizers' ``norm`` is α‖w‖₁ for L1 but
    α Σ w² = α‖w‖₂² for L2 (the square, no root): to compare with the regularization loss, square ``l2``.
    """

    def __init__(self, *, capacity=512, every=1, parameter="weights", layer_types=TrainableLayer):
        self.capacity = check_positive_int("WeightNormRecorder capacity", capacity)
        BoundedSeries(self.capacity)
        super().__init__(parameter=parameter, layer_types=layer_types, every=every)

    def _reset(self, layers):
        self.l1 = {index: BoundedSeries(self.capacity) for index, _ in layers}
        self.l2 = {index: BoundedSeries(self.capacity) for index, _ in layers}

    def _record(self, step):
        for index, layer in self.watched:
            flat = self.parameter_array(layer).ravel()
            self.l1[index].append(step, float(np.abs(flat).sum()))
            # einsum, not dot: BLAS may wake its threads for a long vector, which costs far more than the sum.
            self.l2[index].append(step, float(np.sqrt(np.einsum("i,i->", flat, flat))))


# ----------------------------------------------------------------------------------------- BatchNorm


class BatchNormRecorder(Recorder):
    """Per-channel statistics of every BatchNormalization layer, per recorded step.

    Parameters
    ----------
    capacity : int, optional
        The most entries kept per series (512); see :class:`BoundedSeries`.
    every : int, optional
        Look only at steps that are multiples of ``every`` (1).

    Attributes
    ----------
    batch_mean, batch_variance : dict {int: BoundedSeries}
        Per layer index, μ_B and σ²_B of the last training-phase forward before the record (the layer's
        ``batch_mean`` and ``batch_variance``); ``values`` shape (M, C).
    moving_mean, moving_variance : dict {int: BoundedSeries}
        Per layer index, the moving averages the test phase uses (the layer's ``moving_mean`` and
        ``moving_variance``); ``values`` shape (M, C).
    labels : dict {int: str}

    Notes
    -----
    A statistic the layer does not have yet (None: no training-phase forward so far) is recorded as C NaNs,
    so the four series of a layer always hold the same steps. Variances are the biased (ddof = 0) ones.
    """

    layer_types = (BatchNormalization,)
    statistic_names = ("batch_mean", "batch_variance", "moving_mean", "moving_variance")

    def __init__(self, *, capacity=512, every=1):
        self.capacity = check_positive_int("BatchNormRecorder capacity", capacity)
        BoundedSeries(self.capacity)
        super().__init__(every=every)

    def _reset(self, layers):
        for name in self.statistic_names:
            setattr(self, name, {index: BoundedSeries(self.capacity) for index, _ in layers})

    def _record(self, step):
        for index, layer in self.watched:
            for name in self.statistic_names:
                statistic = getattr(layer, name)
                if statistic is None:
                    statistic = np.full(layer.channels, np.nan)
                getattr(self, name)[index].append(step, statistic)


# ----------------------------------------------------------------------------------------- recurrent


class RecurrentRecorder(Recorder):
    """Hidden states (latest) and gradient norm per time step (over training) of every RNN and LSTM layer.

    Parameters
    ----------
    sequence : int or None, optional
        Which sequence of a batch to keep the states of (0, the first). None keeps the whole batch.
        A single 2-D sequence input is kept whole either way.
    capacity : int, optional
        The most entries kept per gradient-norm series (512); see :class:`BoundedSeries`.
    every : int, optional
        Look only at steps that are multiples of ``every`` (1).

    Attributes
    ----------
    hidden_states : dict {int: ndarray or None}
        Per layer index, a copy of h_1 … h_T of the last forward before the latest record: shape (T, H)
        (one sequence), or (N, T, H) with ``sequence=None`` and a batch input. Only the latest is kept.
    cell_states : dict {int: ndarray or None}
        LSTM layers only: c_1 … c_T, shaped like ``hidden_states``; the latest only.
    gate_activations : dict {int: dict {str: ndarray} or None}
        LSTM layers only: ``{"forget": f, "input": i, "candidate": c̃, "output": o}``, each shaped like
        ``hidden_states``; the latest only.
    hidden_gradient_norms : dict {int: BoundedSeries}
        Per layer index, ‖dL/dh_t‖₂ for t = 1 … T of the last backward before each record (for a batch, the
        norm over all its sequences, as the layer computes it); ``values`` shape (M, T), so a plot can show
        the gradient norm against the time step and how that changes over training. A record made before
        any backward adds nothing. If T changes between batches, ``values`` cannot stack the entries:
        iterate over the series instead.
    labels : dict {int: str}

    Notes
    -----
    Record right after the training step: a test-phase or validation forward in between replaces the
    layer's ``hidden_states`` with those of the validation input.
    """

    layer_types = (RecurrentLayer,)

    def __init__(self, *, sequence=0, capacity=512, every=1):
        if sequence is not None:
            check_non_negative_int("RecurrentRecorder sequence (an index, or None)", sequence)
        self.sequence = None if sequence is None else int(sequence)
        self.capacity = check_positive_int("RecurrentRecorder capacity", capacity)
        BoundedSeries(self.capacity)
        super().__init__(every=every)

    def _reset(self, layers):
        self.hidden_states = {index: None for index, _ in layers}
        self.hidden_gradient_norms = {index: BoundedSeries(self.capacity) for index, _ in layers}
        lstm_indices = [index for index, layer in layers if isinstance(layer, LSTM)]
        self.cell_states = {index: None for index in lstm_indices}
        self.gate_activations = {index: None for index in lstm_indices}

    def _record(self, step):
        for index, layer in self.watched:
            if layer.hidden_states is not None:
                self.hidden_states[index] = self._pick(index, layer.hidden_states)
            if index in self.cell_states and layer.cell_states is not None:
                self.cell_states[index] = self._pick(index, layer.cell_states)
                self.gate_activations[index] = {
                    name: self._pick(index, gate) for name, gate in layer.gate_activations.items()
                }
            if layer.hidden_gradient_norms is not None:
                self.hidden_gradient_norms[index].append(step, layer.hidden_gradient_norms)

    def _pick(self, index, states):
        """A copy of the kept sequence of ``states`` ((T, H), or (N, T, H) for a batch)."""
        if states.ndim == 2 or self.sequence is None:
            return np.array(states)
        if self.sequence >= states.shape[0]:
            raise ValueError(
                f"RecurrentRecorder sequence is {self.sequence}, but {self.labels[index]} ran a batch of "
                f"{states.shape[0]} sequence(s); choose a sequence below {states.shape[0]}, or None for all"
            )
        return np.array(states[self.sequence])


# ------------------------------------------------------------------------------------------- dropout


class DropoutMaskRecorder(Recorder):
    """The mask of every Dropout layer from the last training batch before the latest record.

    Parameters
    ----------
    every : int, optional
        Look only at steps that are multiples of ``every`` (1).

    Attributes
    ----------
    masks : dict {int: ndarray of bool or None}
        Per layer index, a copy of the layer's ``mask`` (True = unit kept), shaped like that layer's input
        (e.g. (N, D)); None while the layer has had no training-phase forward. The latest only.
    probabilities : dict {int: float}
        Per layer index, the layer's keep probability p at the latest record.
    labels : dict {int: str}
    """

    layer_types = (Dropout,)

    def _reset(self, layers):
        self.masks = {index: None for index, _ in layers}
        self.probabilities = {index: None for index, _ in layers}

    def _record(self, step):
        for index, layer in self.watched:
            self.masks[index] = None if layer.mask is None else np.array(layer.mask)
            self.probabilities[index] = layer.probability
