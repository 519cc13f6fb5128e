"""Topics "rnn" and "lstm": ``cls(input_size, hidden_size, output_size)``, ``weights`` (W_h, rows x, h, bias;
LSTM columns in the gate order f, i, c̃, o), ``output_weights`` (W_y, rows h, bias), ``memorize``,
``gradient_weights``, ``gradient_output_weights``, 2-D input ``(T, D)``.

The probe (D = 3, H = 4, K = 2, T = 5, fixed weights assigned to ``weights`` and ``output_weights``):
one layer with ``memorize = False`` runs forward(A), backward(E) and forward(B); a second layer with
``memorize = True`` runs forward(A) then forward(B). Observations: y(A), dL/dx, the two weight gradients,
y(B) after A without memory and y(B) after A with memory. Each variant is :class:`_Recurrent` with one
option changed; it is recognised when the candidate reproduces its value on an observation where the
candidate differs from rnnreg's RNN / LSTM:

- ``rnn-state-not-reset``: memorize off, but B starts from A's last state (y(B) without memory).
- ``rnn-state-not-carried``: memorize on, but B starts from zeros (y(B) with memory).
- ``rnn-no-backprop-through-time`` (RNN): dL/dh_t lacks da_{t+1}·W_hhᵀ (dL/dx, gradient_weights).
- ``rnn-gradients-not-summed``: the weight gradients of step 1 only, or of step T only.
- ``rnn-tanh-derivative`` (RNN): 1 − tanh²(h_t), 1 − h_t, h_t(1 − h_t) or 1 − a_t² instead of 1 − h_t².
- ``lstm-gate-order`` (LSTM): the column blocks read in any of the 23 other orders (CS231n's i, f, o, g,
  PyTorch's i, f, g, o, ...): the forward output already differs.
- ``lstm-cell-gradient-not-carried`` (LSTM): dc_t lacks dc_{t+1} ⊙ f_{t+1}.
- Generic: ``rnn-forward-wrong`` / ``lstm-forward-wrong``, ``rnn-backward-wrong`` / ``lstm-backward-wrong``,
  ``rnn-weight-gradients-wrong`` / ``lstm-weight-gradients-wrong`` (only when y(A) is right) and
  ``rnn-memorize-wrong`` for the two observations after A.
"""

from itertools import permutations

import numpy as np

from rnnreg.exercises.probes import check_against_variants
from rnnreg.layers.activations import sigmoid
from rnnreg.layers.lstm import LSTM
from rnnreg.layers.rnn import RNN

INPUT_SIZE, HIDDEN_SIZE, OUTPUT_SIZE, STEPS = 3, 4, 2, 5
GATE_ORDER = ("f", "i", "c", "o")

_rng = np.random.default_rng(14)
SEQUENCE = _rng.normal(size=(STEPS, INPUT_SIZE))
NEXT_SEQUENCE = _rng.normal(size=(STEPS, INPUT_SIZE))
ERROR = _rng.normal(size=(STEPS, OUTPUT_SIZE))
OUTPUT_WEIGHTS = _rng.uniform(-1, 1, size=(HIDDEN_SIZE + 1, OUTPUT_SIZE))
WEIGHTS = {gates: _rng.uniform(-0.7, 0.7, size=(INPUT_SIZE + HIDDEN_SIZE + 1, gates * HIDDEN_SIZE)) for gates in (1, 4)}


def _descriptions(cell):
    return {
        "forward": (f"forward(x) of a ({STEPS}, {INPUT_SIZE}) sequence", f"{cell}-forward-wrong"),
        "backward": ("backward(E): dL/dx", f"{cell}-backward-wrong", "forward"),
        "gradient_weights": ("gradient_weights after backward(E)", f"{cell}-weight-gradients-wrong", "forward"),
        "gradient_output_weights": (
            "gradient_output_weights after backward(E)",
            f"{cell}-weight-gradients-wrong",
            "forward",
        ),
        "restart": ("forward of a second sequence with memorize False", "rnn-memorize-wrong", "forward"),
        "carried": ("forward of a second sequence with memorize True", "rnn-memorize-wrong", "forward"),
    }


def _probe(gates):
    weights_shape = WEIGHTS[gates].shape
    output_shape, input_shape = (STEPS, OUTPUT_SIZE), SEQUENCE.shape

    def new_layer(factory, trial, memorize):
        sizes = (INPUT_SIZE, HIDDEN_SIZE, OUTPUT_SIZE)
        layer = trial.call(f"the constructor cls{sizes}", lambda: factory(*sizes))
        trial.assign(layer, "weights", WEIGHTS[gates])
        trial.assign(layer, "output_weights", OUTPUT_WEIGHTS)
        trial.assign_flag(layer, "memorize", memorize)
        return layer

    def forward(trial, layer, x, description):
        return trial.array(description, trial.call(description, lambda: layer.forward(x.copy())), output_shape)

    def probe(factory, trial):
        observed = {}
        layer = new_layer(factory, trial, memorize=False)
        observed["forward"] = forward(trial, layer, SEQUENCE, "forward(x) with memorize False")
        backward = trial.call("backward(E)", lambda: layer.backward(ERROR.copy()))
        observed["backward"] = trial.array("backward(E)", backward, input_shape)
        observed["gradient_weights"] = trial.attribute(layer, "gradient_weights", weights_shape)
        observed["gradient_output_weights"] = trial.attribute(layer, "gradient_output_weights", OUTPUT_WEIGHTS.shape)
        observed["restart"] = forward(trial, layer, NEXT_SEQUENCE, "a second forward with memorize False")
        remembering = new_layer(factory, trial, memorize=True)
        forward(trial, remembering, SEQUENCE, "forward(x) with memorize True")
        observed["carried"] = forward(trial, remembering, NEXT_SEQUENCE, "a second forward with memorize True")
        return observed

    return probe


TANH_DERIVATIVES = {
    "1 - h^2": lambda h, a: 1 - h**2,  # the correct one
    "tanh again": lambda h, a: 1 - np.tanh(h) ** 2,
    "no square": lambda h, a: 1 - h,
    "sigmoid's": lambda h, a: h * (1 - h),
    "of a": lambda h, a: 1 - a**2,
}


class _Recurrent:
    """An Elman (``gates`` = 1) or LSTM (``gates`` = 4) layer for one sequence, with choosable mistakes.

    reset / carry: the state is reset with memorize off / carried with memorize on.  through_time: dL/dh_t
    receives step t + 1's gradient.  summed: "all" steps' weight gradients, or only the "first" or "last".
    derivative: a key of TANH_DERIVATIVES (Elman).  order: the gates' column blocks (LSTM).  cell_gradient:
    dc_t receives dc_{t+1} ⊙ f_{t+1} (LSTM).
    """

    def __init__(self, input_size, hidden_size, output_size, *, gates, reset=True, carry=True, through_time=True,
                 summed="all", derivative="1 - h^2", order=GATE_ORDER, cell_gradient=True):  # fmt: skip
        self.sizes, self.gates = (input_size, hidden_size), gates
        self.reset, self.carry, self.through_time, self.summed = reset, carry, through_time, summed
        self.derivative, self.order, self.cell_gradient = TANH_DERIVATIVES[derivative], order, cell_gradient
        self.weights = np.zeros((input_size + hidden_size + 1, gates * hidden_size))
        self.output_weights = np.zeros((hidden_size + 1, output_size))
        self.memorize, self.state = False, None

    def forward(self, x):
        hidden = self.sizes[1]
        starts_from_state = self.state is not None and (self.carry if self.memorize else not self.reset)
        h, c = self.state if starts_from_state else (np.zeros(hidden), np.zeros(hidden))
        self.steps, outputs = [], []
        for x_t in x:
            inputs = np.concatenate([x_t, h, [1.0]])
            a = inputs @ self.weights
            h, c, cache = self._elman(a) if self.gates == 1 else self._lstm(a, c)
            y = sigmoid(np.append(h, 1.0) @ self.output_weights)
            self.steps.append((inputs, a, h, y, cache))
            outputs.append(y)
        self.state = (h, c)
        return np.array(outputs)

    def _elman(self, a):
        h = np.tanh(a)
        return h, np.zeros_like(h), None

    def _lstm(self, a, c_previous):
        hidden = self.sizes[1]
        block = {name: a[k * hidden : (k + 1) * hidden] for k, name in enumerate(self.order)}
        f, i, c_tilde, o = sigmoid(block["f"]), sigmoid(block["i"]), np.tanh(block["c"]), sigmoid(block["o"])
        c = f * c_previous + i * c_tilde
        h = o * np.tanh(c)
        return h, c, (c_previous, f, i, c_tilde, o, np.tanh(c))

    def backward(self, error):
        input_size, hidden = self.sizes
        dh_next, dc_next = np.zeros(hidden), np.zeros(hidden)
        error_input, weight_gradients, output_gradients = [], [], []
        for (inputs, a, h, y, cache), e in zip(reversed(self.steps), reversed(error), strict=True):
            dz = e * y * (1 - y)
            output_gradients.append(np.outer(np.append(h, 1.0), dz))
            dh = dz @ self.output_weights[:hidden].T + (dh_next if self.through_time else 0)
            if self.gates == 1:
                da = dh * self.derivative(h, a)
            else:
                da, dc_next = self._lstm_backward(dh, dc_next, cache)
            weight_gradients.append(np.outer(inputs, da))
            d_inputs = da @ self.weights.T
            error_input.append(d_inputs[:input_size])
            dh_next = d_inputs[input_size : input_size + hidden]
        self.gradient_weights = self._combine(weight_gradients)
        self.gradient_output_weights = self._combine(output_gradients)
        return np.array(error_input[::-1])

    def _lstm_backward(self, dh, dc_next, cache):
        c_previous, f, i, c_tilde, o, tanh_c = cache
        dc = dh * o * (1 - tanh_c**2) + (dc_next if self.cell_gradient else 0)
        blocks = {
            "f": dc * c_previous * f * (1 - f),
            "i": dc * c_tilde * i * (1 - i),
            "c": dc * i * (1 - c_tilde**2),
            "o": dh * tanh_c * o * (1 - o),
        }
        return np.concatenate([blocks[name] for name in self.order]), dc * f

    def _combine(self, gradients):
        """Σ over the steps, or the one step a non-summing loop leaves (gradients are in reverse time order)."""
        if self.summed == "first":
            return gradients[-1]
        if self.summed == "last":
            return gradients[0]
        return np.sum(gradients, axis=0)


def _variant(gates, **options):
    return lambda *sizes: _Recurrent(*sizes, gates=gates, **options)


def _shared_variants(gates):
    return [
        ("rnn-state-not-reset", _variant(gates, reset=False)),
        ("rnn-state-not-carried", _variant(gates, carry=False)),
        ("rnn-gradients-not-summed", _variant(gates, summed="first")),
        ("rnn-gradients-not-summed", _variant(gates, summed="last")),
    ]


RNN_VARIANTS = [
    *_shared_variants(1),
    ("rnn-no-backprop-through-time", _variant(1, through_time=False)),
    *[("rnn-tanh-derivative", _variant(1, derivative=name)) for name in list(TANH_DERIVATIVES)[1:]],
]

LSTM_VARIANTS = [
    *_shared_variants(4),
    ("lstm-cell-gradient-not-carried", _variant(4, cell_gradient=False)),
    *[("lstm-gate-order", _variant(4, order=order)) for order in permutations(GATE_ORDER) if order != GATE_ORDER],
]


def check_rnn(candidate_class):
    """Findings for an Elman RNN class."""
    return check_against_variants(candidate_class, _probe(1), RNN, RNN_VARIANTS, _descriptions("rnn"))


def check_lstm(candidate_class):
    """Findings for an LSTM class."""
    return check_against_variants(candidate_class, _probe(4), LSTM, LSTM_VARIANTS, _descriptions("lstm"))
