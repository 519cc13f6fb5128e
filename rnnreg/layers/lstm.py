"""The long short-term memory (LSTM) layer."""

import numpy as np

from rnnreg.layers.activations import sigmoid
from rnnreg.layers.rnn import RecurrentLayer, _read_only_view
from rnnreg.validation import check_finite_number

GATE_NAMES = ("forget", "input", "candidate", "output")

# Backward works through the time steps in chunks whose per-step coefficients take about this many bytes,
# small enough to stay in a core's L2 cache between being computed and being used.
_CHUNK_BYTES = 1 << 18


class LSTM(RecurrentLayer):
    """LSTM layer: a gated cell state c_t next to the hidden state h_t, with a sigmoid output layer.

    Forward, for t = 1 … T (h_0 = c_0 = 0, or the carried states when ``memorize`` is on)::

        [a_f, a_i, a_c, a_o] = [x_t, h_{t−1}, 1] W        (W = ``weights``, four H-wide column blocks)
        f_t = σ(a_f),  i_t = σ(a_i),  c̃_t = tanh(a_c),  o_t = σ(a_o)
        c_t = f_t ⊙ c_{t−1} + i_t ⊙ c̃_t
        h_t = o_t ⊙ tanh(c_t)
        y_t = σ([h_t, 1] W_y)

    Backward (full back-propagation through time over the last forward's sequence), with E_t = dL/dy_t,
    dz_t = E_t ⊙ y_t ⊙ (1 − y_t) and dh_{T+1}-terms zero::

        dh_t  = dz_t W_y[:H]ᵀ + da_{t+1} W[D:D+H]ᵀ
        dc_t  = dc_{t+1} ⊙ f_{t+1} + dh_t ⊙ o_t ⊙ (1 − tanh²(c_t))
        da_f  = dc_t ⊙ c_{t−1} ⊙ f_t (1 − f_t)      da_i = dc_t ⊙ c̃_t ⊙ i_t (1 − i_t)
        da_c  = dc_t ⊙ i_t ⊙ (1 − c̃_t²)             da_o = dh_t ⊙ tanh(c_t) ⊙ o_t (1 − o_t)
        dL/dx_t = da_t W[:D]ᵀ,   dL/dW = Σ_t [x_t, h_{t−1}, 1]ᵀ da_t,   dL/dW_y = Σ_t [h_t, 1]ᵀ dz_t

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
        Rows for x, then rows for h_{t−1}, then the bias row. Columns in gate order
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
    ``initialize`` treats the recurrent part as one FullyConnected(D + H, 4H): one call for the whole
    (D + H, 4H) weight block, one for the (1, 4H) bias row.
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

    def _forward_steps(self, projected, recurrent, initial_states):
        T, N, G = projected.shape
        H, dtype = G // 4, projected.dtype
        # Records are gate-major, gates[t] = [f_t, i_t, c̃_t, o_t] of shape (4, N, H): every gate of a step is
        # one contiguous block. Column slices of an (N, 4H) array are strided, and NumPy works on strided
        # blocks of this size several times slower than on contiguous ones.
        gates = np.empty((T, 4, N, H), dtype=dtype)
        cells = np.empty((T + 1, N, H), dtype=dtype)  # cells[t] = c_t, from c_0 on
        cells_squashed = np.empty((T, N, H), dtype=dtype)
        hidden = np.empty((T, N, H), dtype=dtype)
        recurrent_part = self._work_array("recurrent_part", (N, G), dtype)
        pre_activation = self._work_array("pre_activation", (4, N, H), dtype)
        product = self._work_array("product", (N, H), dtype)
        previous_hidden, cells[0] = initial_states
        # The steps iterate over views made once: per-step indexing and reshaping cost more than the
        # arithmetic on arrays this small.
        recurrent_part_by_gate = _gate_major(recurrent_part)
        projected_by_gate = projected.reshape(T, N, 4, H).transpose(0, 2, 1, 3)
        for step_projected, step_gates, previous_cell, cell, squashed, step_hidden in zip(
            projected_by_gate, gates, cells[:-1], cells[1:], cells_squashed, hidden, strict=True
        ):
            # a_t = h_{t−1} W[D:D+H] + (x_t W[:D] + b), regrouped gate-major by the views.
            np.matmul(previous_hidden, recurrent, out=recurrent_part)
            np.add(recurrent_part_by_gate, step_projected, out=pre_activation)
            # One sigmoid over all four blocks costs fewer calls than three; c̃'s block is then overwritten.
            sigmoid(pre_activation, out=step_gates)
            forget, input_gate, candidate, output = step_gates
            np.tanh(pre_activation[2], out=candidate)
            np.multiply(forget, previous_cell, out=cell)
            cell += np.multiply(input_gate, candidate, out=product)
            np.tanh(cell, out=squashed)
            np.multiply(output, squashed, out=step_hidden)
            previous_hidden = step_hidden
        step_cache = {"gates": gates, "cells": cells, "cells_squashed": cells_squashed}
        return hidden, (hidden[-1], cells[-1]), step_cache

    def _record(self, step_cache, single):
        gates = step_cache["gates"]
        self.cell_states = _read_only_view(step_cache["cells"][1:], single)
        self.gate_activations = {name: _read_only_view(gates[:, k], single) for k, name in enumerate(GATE_NAMES)}

    def _backward_steps(self, hidden_error, recurrent, cache):
        gates = cache["steps"]["gates"]
        T, N, H = hidden_error.shape
        dtype = gates.dtype
        forget = gates[:, 0]
        recurrent_transposed = np.ascontiguousarray(recurrent.T)
        hidden_gradients = self._work_array("hidden_gradients", (T, N, H), dtype)
        projected_error = self._work_array("projected_error", (T, N, 4 * H), dtype)
        # da_t is written gate-major, like the coefficients, into the (N, 4H) rows the matmuls need.
        errors_by_gate = projected_error.reshape(T, N, 4, H).transpose(0, 2, 1, 3)
        # Buffers reused by every step (each loop pass writes them whole).
        hidden_from_future = np.zeros_like(hidden_error[0])
        cell_from_future = np.zeros_like(hidden_error[0])
        dc = np.empty_like(hidden_error[0])
        # The steps run backwards in chunks: the coefficients of a chunk are computed for all its steps
        # at once (vectorised) and used right away, while they are still in the processor's cache.
        chunk = max(1, _CHUNK_BYTES // (4 * N * H * dtype.itemsize))
        for stop in range(T, 0, -chunk):
            start = max(stop - chunk, 0)
            coefficients, cell_from_hidden = self._local_derivatives(start, stop, chunk, cache["steps"])
            for t in range(stop - 1, start - 1, -1):
                k = t - start
                dh = np.add(hidden_error[t], hidden_from_future, out=hidden_gradients[t])
                np.multiply(dh, cell_from_hidden[k], out=dc)
                dc += cell_from_future
                np.multiply(dc, coefficients[k, :3], out=errors_by_gate[t, :3])
                np.multiply(dh, coefficients[k, 3], out=errors_by_gate[t, 3])
                if t > 0:  # the carried states h_0, c_0 are constants (truncated BPTT)
                    np.multiply(dc, forget[t], out=cell_from_future)
                    np.matmul(projected_error[t], recurrent_transposed, out=hidden_from_future)
        return projected_error, hidden_gradients

    def _local_derivatives(self, start, stop, chunk, steps):
        """What does not depend on the back-propagated error, for the steps ``start`` … ``stop − 1`` at once.

        Returns ``coefficients`` (S, 4, N, H) and ``cell_from_hidden`` (S, N, H) for the S steps, such that
        da_gate = dc_t ⊙ coefficient for f, i, c̃ and dh_t ⊙ coefficient for o, and dc_t gains
        dh_t ⊙ cell_from_hidden. Both are views of work arrays sized for ``chunk`` steps (so that every
        chunk reuses them), valid until the next call.
        """
        gates, squashed = steps["gates"][start:stop], steps["cells_squashed"][start:stop]
        previous_cells = steps["cells"][start:stop]  # c_{t−1}: cells[0] holds c_0
        S, _, N, H = gates.shape
        dtype = gates.dtype
        _, input_gate, candidate, output = (gates[:, k] for k in range(4))
        coefficients = self._work_array("coefficients", (chunk, 4, N, H), dtype)[:S]
        one_minus_gates = self._work_array("one_minus_gates", (chunk, 4, N, H), dtype)[:S]
        np.subtract(1, gates, out=one_minus_gates)
        # factor ⊙ σ'(a) = factor ⊙ s (1 − s) for the three sigmoid gates.
        for block, factor in ((0, previous_cells), (1, candidate), (3, squashed)):
            np.multiply(factor, gates[:, block], out=coefficients[:, block])
            coefficients[:, block] *= one_minus_gates[:, block]
        # i ⊙ tanh'(a_c) = i ⊙ (1 − c̃²)
        scratch = self._work_array("scratch", (chunk, N, H), dtype)[:S]
        np.multiply(candidate, candidate, out=scratch)
        np.subtract(1, scratch, out=scratch)
        np.multiply(input_gate, scratch, out=coefficients[:, 2])
        # o ⊙ (1 − tanh²(c_t))
        cell_from_hidden = self._work_array("cell_from_hidden", (chunk, N, H), dtype)[:S]
        np.multiply(squashed, squashed, out=cell_from_hidden)
        np.subtract(1, cell_from_hidden, out=cell_from_hidden)
        np.multiply(output, cell_from_hidden, out=cell_from_hidden)
        return coefficients, cell_from_hidden


def _gate_major(rows):
    """View (N, 4H) rows of gate values as (4, N, H): block k holds gate k of every sequence."""
    N, G = rows.shape
    return rows.reshape(N, 4, G // 4).transpose(1, 0, 2)
