"""The long short-term memory (LSTM) layer."""

from typing import NamedTuple

import numpy as np

from rnnreg.layers.activations import sigmoid
from rnnreg.layers.rnn import RecurrentLayer, _as_record
from rnnreg.validation import check_finite_number

GATE_NAMES = ("forget", "input", "candidate", "output")


class _Step(NamedTuple):
    """What one LSTM step keeps for its backward (c_t only for the records), each (N, H)."""

    c_previous: np.ndarray
    f: np.ndarray
    i: np.ndarray
    c_tilde: np.ndarray
    o: np.ndarray
    tanh_c: np.ndarray
    c: np.ndarray


_GATE_FIELDS = dict(zip(GATE_NAMES, ("f", "i", "c_tilde", "o"), strict=True))  # record name -> _Step field


class LSTM(RecurrentLayer):
    """LSTM layer: a gated cell state c_t next to the hidden state h_t, with a sigmoid output layer.

    Forward, for t = 1 … T (h_0 = c_0 = 0, or the carried states when ``memorize`` is on)::

        [a_f, a_i, a_c, a_o] = [x_t, h_{t−1}, 1] W_h = xw_t + h_{t−1} W_hh    (W_h = ``weights``: 4 H-wide blocks)
        f_t = σ(a_f),  i_t = σ(a_i),  c̃_t = tanh(a_c),  o_t = σ(a_o)
        c_t = f_t ⊙ c_{t−1} + i_t ⊙ c̃_t
        h_t = o_t ⊙ tanh(c_t)
        y_t = σ([h_t, 1] W_y)

    where xw_t = x_t W_h[:D] + b (b = W_h[D + H], the bias row) and W_hh = W_h[D:D+H], the rows for h_{t−1}.

    Backward (full back-propagation through time over the last forward's sequence), with E_t = dL/dy_t,
    for t = T … 1 (terms from step T + 1 are zero)::

        dz_t  = E_t ⊙ y_t ⊙ (1 − y_t)
        dh_t  = dz_t W_y[:H]ᵀ + da_{t+1} W_hhᵀ
        dc_t  = dc_{t+1} ⊙ f_{t+1} + dh_t ⊙ o_t ⊙ (1 − tanh²(c_t))
        da_f  = dc_t ⊙ c_{t−1} ⊙ f_t(1 − f_t)      da_i = dc_t ⊙ c̃_t ⊙ i_t(1 − i_t)
        da_c  = dc_t ⊙ i_t ⊙ (1 − c̃_t²)            da_o = dh_t ⊙ tanh(c_t) ⊙ o_t(1 − o_t)
        da_t  = [da_f, da_i, da_c, da_o]
        dL/dx_t = da_t W_h[:D]ᵀ,   dL/dW_h = Σ_t [x_t, h_{t−1}, 1]ᵀ da_t,   dL/dW_y = Σ_t [h_t, 1]ᵀ dz_t

    Parameters
    ----------
    input_size : int
        D, features per time step.
    hidden_size : int
        H, hidden (and cell) units.
    output_size : int
        K, outputs per time step; each lies in (0, 1).
    memorize : bool, optional
        Keyword-only: initial value of the ``memorize`` property (False).
    forget_bias : float, optional
        Keyword-only, 0 by default (the exercise's LSTM). Added to the forget gate's bias whenever the
        weights are set up (construction and ``initialize``). A positive value (1 to 3) starts the cell
        remembering, f = σ(b) close to 1, so gradients reach far back from the first step on; without it
        f ≈ 0.5 and the cell forgets (and its gradient shrinks) by half per step until training opens it
        (Gers, Schmidhuber and Cummins, 2000; Jozefowicz, Zaremba and Sutskever, 2015).

    Attributes
    ----------
    weights : ndarray, shape (D + H + 1, 4H)
        W_h: rows for x, then rows for h_{t−1}, then the bias row. Columns in gate order
        forget, input, candidate, output: ``weights[:, :H]`` feeds f, ``[:, H:2H]`` i, ``[:, 2H:3H]`` c̃,
        ``[:, 3H:]`` o. Assignable; U[0, 1) at construction; shape checked when ``forward`` uses it.
    output_weights : ndarray, shape (H + 1, K)
        W_y: rows for h_t, then the bias row. Assignable.
    gradient_weights, gradient_output_weights : ndarray
        Gradients of the last ``backward``, summed over all steps and sequences; each array is updated
        once per ``backward`` with its own copy of ``optimizer`` (when one is set).
    memorize : bool
        False (default): every ``forward`` starts from zeros. True: from ``hidden_state`` and ``cell_state``.
    hidden_state, cell_state : ndarray or None
        The states the last ``forward`` ended with, (H,) after a 2-D input, (N, H) after a 3-D one; None
        before the first forward and after ``reset_state()``. Listed in ``buffer_names``.
    hidden_states, cell_states : ndarray
        Records h_1 … h_T and c_1 … c_T of the last forward, (T, H) or (N, T, H); read-only.
    gate_activations : dict of ndarray
        ``{"forget": f, "input": i, "candidate": c̃, "output": o}`` of the last forward, each shaped like
        ``hidden_states``; read-only.
    hidden_gradient_norms : ndarray, shape (T,)
        After ``backward``: ‖dL/dh_t‖₂ per step; for a batch the norm of the whole (N, H) block of step t.

    Shapes
    ------
    forward: (T, D) -> (T, K) for one sequence, (N, T, D) -> (N, T, K) for a batch.
    backward: the output's shape -> the input's shape.

    Notes
    -----
    Each time step is ``_step_forward`` / ``_step_backward`` for the whole batch; the loops over time are
    ``RecurrentLayer.forward`` / ``backward``. ``initialize`` treats the recurrent part as one
    FullyConnected(D + H, 4H): one call for the whole (D + H, 4H) weight block, one for the (1, 4H) bias row.
    """

    buffer_names = ("hidden_state", "cell_state")
    gate_count = 4

    def __init__(self, input_size, hidden_size, output_size, *, memorize=False, forget_bias=0.0):
        self.forget_bias = check_finite_number("LSTM forget_bias", forget_bias)
        super().__init__(input_size, hidden_size, output_size, memorize=memorize)
        self._add_forget_bias()
        self.cell_states = None
        self.gate_activations = None

    def initialize(self, weights_initializer, bias_initializer):
        """As FullyConnected layers would (see ``RecurrentLayer.initialize``), then add ``forget_bias``."""
        super().initialize(weights_initializer, bias_initializer)
        self._add_forget_bias()

    def config(self):
        return {**super().config(), "forget_bias": self.forget_bias}

    def _add_forget_bias(self):
        self.weights[-1, : self.hidden_size] += self.forget_bias

    def _step_forward(self, xw_t, previous, W_hh):
        """One step for the whole batch: the gates, c_t and h_t (the Forward block of the class docstring)."""
        h_previous, c_previous = previous
        H = self.hidden_size
        a = xw_t + h_previous @ W_hh
        a_f, a_i, a_c, a_o = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
        f, i, c_tilde, o = sigmoid(a_f), sigmoid(a_i), np.tanh(a_c), sigmoid(a_o)
        c = f * c_previous + i * c_tilde
        tanh_c = np.tanh(c)
        h = o * tanh_c
        return (h, c), _Step(c_previous, f, i, c_tilde, o, tanh_c, c)

    def _step_backward(self, dh_t, from_next, step, W_hh):
        """One step back: da_t from dh_t and dc_{t+1} ⊙ f_{t+1}; step t − 1 receives da_t W_hhᵀ and dc_t ⊙ f_t."""
        (dc_next,) = from_next  # dc_{t+1} ⊙ f_{t+1}
        c_previous, f, i, c_tilde, o, tanh_c, _ = step
        dc = dc_next + dh_t * o * (1 - tanh_c**2)
        da_f = dc * c_previous * f * (1 - f)
        da_i = dc * c_tilde * i * (1 - i)
        da_c = dc * i * (1 - c_tilde**2)
        da_o = dh_t * tanh_c * o * (1 - o)
        da = np.concatenate([da_f, da_i, da_c, da_o], axis=1)
        return da, (da @ W_hh.T, dc * f)

    def _record(self, steps, single):
        def over_time(values):
            return _as_record(np.stack(values), single)

        self.cell_states = over_time([step.c for step in steps])
        self.gate_activations = {
            name: over_time([getattr(step, field) for step in steps]) for name, field in _GATE_FIELDS.items()
        }
