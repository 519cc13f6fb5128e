"""Recurrent layers: the machinery RNN and LSTM share, and the Elman RNN itself.

Both layers read a sequence x_1 … x_T, carry a hidden state h_t from step to step and put a small
fully connected output layer with a sigmoid on top of every h_t:

    y_t = σ([h_t, 1] W_y)      (row vectors: [h_t, 1] stacks h_t and the bias's 1).

Time axis and batches.  As in the exercise, a 2-D input ``(T, D)`` is ONE sequence whose first axis is
time. rnnreg also accepts a 3-D input ``(N, T, D)``: a batch of N sequences that run side by side, each
with its own hidden state (no loop over the batch; one matmul per time step for all sequences).

Memory across calls.  With ``memorize = False`` (the default) every ``forward`` starts from h_0 = 0.
With ``memorize = True`` it starts from the state the previous ``forward`` ended with, so a long
sequence can be fed in chunks (truncated back-propagation through time: ``backward`` stops at the start
of the current chunk and treats the carried state as a constant).
"""

import numpy as np

from rnnreg.layers.activations import sigmoid
from rnnreg.layers.base import TrainableLayer
from rnnreg.validation import (
    check_array_shape,
    check_array_size,
    check_bool,
    check_error_shape,
    check_input,
    check_positive_int,
    describe_shape,
    require_forward,
)

# Inside the layers sequences are time-major, (T, N, …): the loops over time take step t as x[t], one
# contiguous (N, …) block, on which NumPy is faster than on the strided x[:, t] of the users' layout.


def _time_major(sequences, single):
    """A view (T, N, …) of one sequence (T, …) or of a batch (N, T, …), the layouts users see."""
    return sequences[:, np.newaxis] if single else sequences.swapaxes(0, 1)


def _batch_major(sequences, single):
    """A view in the users' layout, (T, …) or (N, T, …), of time-major (T, N, …) sequences."""
    return sequences[:, 0] if single else sequences.swapaxes(0, 1)


def _sum_over_steps(a, b):
    """Σ_t a_tᵀ b_t over time-major (T, N, ·) sequences: one product of the (T·N, ·) stacks."""
    return a.reshape(-1, a.shape[-1]).T @ b.reshape(-1, b.shape[-1])


def _as_record(sequences, single):
    """A record as users see it, (T, …) or (N, T, …), of time-major sequences; read-only."""
    sequences.flags.writeable = False
    return _batch_major(sequences, single)


class RecurrentLayer(TrainableLayer):
    """Shared base of :class:`RNN` and :class:`LSTM`: validation, states, the loops over time, the output layer.

    A recurrent cell is one time step for the whole batch, written by the subclass as two methods
    (CS231n's ``rnn_step_forward`` and ``rnn_step_backward`` are the model):

    ``_step_forward(xw_t, previous, W_hh)``
        From the input part of the pre-activation, xw_t = x_t W_h[:D] + b (N, G·H), the previous states
        (h_{t−1},) or (h_{t−1}, c_{t−1}) and the recurrent rows W_hh = W_h[D:D+H], return the new states
        (h_t,) or (h_t, c_t) and the step's cache (what its backward needs).
    ``_step_backward(dh_t, from_next, cache, W_hh)``
        From dL/dh_t, what step t + 1 sent back for the other states (LSTM: dc_{t+1} ⊙ f_{t+1}; Elman:
        nothing) and the step's cache, return da_t = dL/d(pre-activation) (N, G·H) and what step t − 1
        receives: (da_t W_hhᵀ,) or (da_t W_hhᵀ, dc_t ⊙ f_t).

    ``forward`` and ``backward`` here loop over time around them. Everything that does not depend on
    the previous step is done for all steps at once, as the maths allows: the input projections
    x_t W_h[:D] + b (one matmul), the output layer (one matmul each way), dL/dx_t = da_t W_h[:D]ᵀ and
    the weight gradients Σ_t [x_t, h_{t−1}, 1]ᵀ da_t (one product per row block of W_h: x, h, bias).

    A subclass sets ``gate_count`` (G, the number of H-wide column blocks of ``weights``) and
    ``buffer_names`` (the states carried when ``memorize`` is on; the hidden state first).
    """

    parameter_names = ("weights", "output_weights")
    buffer_names = ("hidden_state",)
    gate_count = 1

    def __init__(self, input_size, hidden_size, output_size, *, memorize=False):
        super().__init__()
        name = type(self).__name__
        self.input_size = check_positive_int(f"{name} input_size", input_size)
        self.hidden_size = check_positive_int(f"{name} hidden_size", hidden_size)
        self.output_size = check_positive_int(f"{name} output_size", output_size)
        self.memorize = memorize
        self.weights = np.random.random_sample(check_array_size(name, "weights", self._weights_shape))
        output_shape = check_array_size(name, "output_weights", self._output_weights_shape)
        self.output_weights = np.random.random_sample(output_shape)
        self.gradient_weights = None
        self.gradient_output_weights = None
        for state_name in self.buffer_names:
            setattr(self, state_name, None)
        self.hidden_states = None
        self.hidden_gradient_norms = None
        self._cache = None

    # ----------------------------------------------------------------------------------------- properties

    @property
    def memorize(self):
        """bool: True carries the last state of one ``forward`` over to the next (truncated BPTT)."""
        return self._memorize

    @memorize.setter
    def memorize(self, value):
        self._memorize = check_bool(f"{type(self).__name__} memorize", value)

    @property
    def _weights_shape(self):
        return (self.input_size + self.hidden_size + 1, self.gate_count * self.hidden_size)

    @property
    def _output_weights_shape(self):
        return (self.hidden_size + 1, self.output_size)

    # ---------------------------------------------------------------------------------------- public API

    def reset_state(self):
        """Forget the carried state(s): the next ``forward`` starts from zeros whatever ``memorize`` says."""
        for state_name in self.buffer_names:
            setattr(self, state_name, None)

    def initialize(self, weights_initializer, bias_initializer):
        """Initialize both parts exactly as two FullyConnected layers of the same sizes would.

        The recurrent part is a FullyConnected(D + H, G·H) (G = ``gate_count``): ONE call
        ``weights_initializer.initialize((D + H, G·H), D + H, G·H)`` for all its weight rows and
        ``bias_initializer.initialize((1, G·H), D + H, G·H)`` for its bias row. The output part is a
        FullyConnected(H, K): ``(H, K), H, K`` and ``(1, K), H, K``. The calls are made in this order.
        """
        fan_in, fan_out = self.input_size + self.hidden_size, self.gate_count * self.hidden_size
        weights = weights_initializer.initialize((fan_in, fan_out), fan_in, fan_out)
        bias = bias_initializer.initialize((1, fan_out), fan_in, fan_out)
        self.weights = np.vstack([weights, bias])
        hidden, outputs = self.hidden_size, self.output_size
        output_weights = weights_initializer.initialize((hidden, outputs), hidden, outputs)
        output_bias = bias_initializer.initialize((1, outputs), hidden, outputs)
        self.output_weights = np.vstack([output_weights, output_bias])

    def config(self):
        return {
            "input_size": self.input_size,
            "hidden_size": self.hidden_size,
            "output_size": self.output_size,
            "memorize": self.memorize,
        }

    def forward(self, input_tensor):
        x, single = self._checked_input(input_tensor)  # x: our own time-major (T, N, D) copy
        T, N, D = x.shape
        H = self.hidden_size
        W_h, W_y = self._checked_weights(x.dtype)
        W_hh = W_h[D : D + H]
        initial_states = self._initial_states(N, x.dtype, input_tensor)

        # The input part of every step's pre-activation, all steps in one matmul: xw_t = x_t W_h[:D] + b
        # (the bias added in place: a second (T, N, G·H) array would make the allocator fault in fresh pages).
        xw = x @ W_h[:D]
        xw += W_h[D + H]
        states, steps, hidden = initial_states, [], []
        for t in range(T):
            states, cache = self._step_forward(xw[t], states, W_hh)
            hidden.append(states[0])
            steps.append(cache)
        h = np.stack([initial_states[0], *hidden])  # h[t] = h_t for t = 0 … T: (T + 1, N, H)
        y = sigmoid(h[1:] @ W_y[:H] + W_y[H])  # y_t = σ([h_t, 1] W_y), all steps in one matmul

        for state_name, state in zip(self.buffer_names, states, strict=True):
            setattr(self, state_name, np.array(state[0] if single else state))  # a copy: users may write to it
        self.hidden_states = _as_record(h[1:], single)
        self._record(steps, single)
        self._cache = {"single": single, "x": x, "h": h, "y": y, "W_h": W_h, "W_y": W_y, "steps": steps}
        return np.array(_batch_major(y, single), order="C")  # a copy: the caller may write to it, backward needs y

    def backward(self, error_tensor):
        require_forward(self, self._cache)
        cache = self._cache
        x, h, y, W_h, W_y = cache["x"], cache["h"], cache["y"], cache["W_h"], cache["W_y"]
        T, N, D = x.shape
        H = self.hidden_size
        W_hh = W_h[D : D + H]
        E = check_error_shape(self, error_tensor, _batch_major(y, cache["single"]).shape)
        E = _time_major(E.astype(y.dtype, copy=False), cache["single"])

        # The output layer, all steps at once: dz_t = E_t ⊙ y_t ⊙ (1 − y_t), and its part of dh_t.
        dz = E * y * (1 - y)
        dh_from_y = dz @ W_y[:H].T
        # Back through time: dh_t = dz_t W_y[:H]ᵀ + da_{t+1} W_hhᵀ (nothing comes back from after step T).
        from_next = tuple(np.zeros((N, H), dtype=y.dtype) for _ in self.buffer_names)
        da, dh = [None] * T, [None] * T
        for t in reversed(range(T)):
            dh[t] = dh_from_y[t] + from_next[0]
            da[t], from_next = self._step_backward(dh[t], from_next[1:], cache["steps"][t], W_hh)
        # What step 1 sends back to h_0 (and c_0) is dropped: carried states are constants (truncated BPTT).
        da = np.stack(da)  # (T, N, G·H)

        # dL/dW_h = Σ_t [x_t, h_{t−1}, 1]ᵀ da_t by its row blocks (x, h, bias), each summed over all steps and
        # sequences in one product (h[:-1] holds h_{t−1} for t = 1 … T); likewise dL/dW_y = Σ_t [h_t, 1]ᵀ dz_t.
        gradient_weights = np.vstack([_sum_over_steps(x, da), _sum_over_steps(h[:-1], da), da.sum(axis=(0, 1))])
        gradient_output_weights = np.vstack([_sum_over_steps(h[1:], dz), dz.sum(axis=(0, 1))])
        dx = da @ W_h[:D].T  # dL/dx_t = da_t W_h[:D]ᵀ

        self.hidden_gradient_norms = np.sqrt((np.stack(dh) ** 2).sum(axis=(1, 2)))
        self._apply_update("weights", gradient_weights)
        self._apply_update("output_weights", gradient_output_weights)
        return np.ascontiguousarray(_batch_major(dx, cache["single"]))

    # --------------------------------------------------------------------------------------------- helpers

    def _checked_input(self, input_tensor):
        """The input as our own time-major (T, N, D) float array, and whether it was one (T, D) sequence."""
        x = check_input(self, input_tensor, [("time", self.input_size), ("batch", "time", self.input_size)])
        single = x.ndim == 2
        # A copy: the caller may change their array before backward.
        return np.array(_time_major(x, single), order="C"), single

    def _checked_weights(self, dtype):
        """W_h and W_y in the input's dtype (for float64 input the very arrays the user holds)."""
        name = type(self).__name__
        W_h = check_array_shape(name, "weights", self.weights, self._weights_shape)
        W_y = check_array_shape(name, "output_weights", self.output_weights, self._output_weights_shape)
        return W_h.astype(dtype, copy=False), W_y.astype(dtype, copy=False)

    def _initial_states(self, batch, dtype, input_tensor):
        """The (N, H) states the recurrence starts from: zeros, or with ``memorize`` the carried ones."""
        name, H = type(self).__name__, self.hidden_size
        states = []
        for state_name in self.buffer_names:
            carried = getattr(self, state_name) if self.memorize else None
            if carried is None:
                states.append(np.zeros((batch, H), dtype=dtype))
                continue
            carried = np.asarray(carried)
            if carried.ndim == 1:
                carried = check_array_shape(name, state_name, carried, (H,))[np.newaxis]
            elif carried.ndim == 2 and carried.shape[0] != batch:
                raise ValueError(
                    f"{name} memorize is on and {state_name} carries the state of {carried.shape[0]} sequence(s), "
                    f"but input_tensor of shape {describe_shape(np.shape(input_tensor))} holds {batch}; keep the "
                    f"batch size fixed between calls, or call reset_state() to start again from zeros"
                )
            states.append(check_array_shape(name, state_name, carried, (batch, H)).astype(dtype, copy=False))
        return tuple(states)

    def _step_forward(self, xw_t, previous, W_hh):
        raise NotImplementedError

    def _step_backward(self, dh_t, from_next, cache, W_hh):
        raise NotImplementedError

    def _record(self, steps, single):
        """Store further records of the last forward from the step caches (LSTM: cell states and gates)."""


class RNN(RecurrentLayer):
    """Elman recurrent layer: a tanh hidden layer fed back into itself, with a sigmoid output layer.

    Forward, for t = 1 … T (h_0 = 0, or the carried state when ``memorize`` is on)::

        a_t = [x_t, h_{t−1}, 1] W_h = xw_t + h_{t−1} W_hh     (row vectors times the (D + H + 1, H) W_h)
        h_t = tanh(a_t)
        y_t = σ([h_t, 1] W_y)

    where xw_t = x_t W_h[:D] + b (b = W_h[D + H], the bias row) and W_hh = W_h[D:D+H], the rows for h_{t−1}.

    Backward (full back-propagation through time over the last forward's sequence), with E_t = dL/dy_t,
    for t = T … 1::

        dz_t   = E_t ⊙ y_t ⊙ (1 − y_t)                     output pre-activation
        dh_t   = dz_t W_y[:H]ᵀ + da_{t+1} W_hhᵀ            (da_{T+1} = 0)
        da_t   = dh_t ⊙ (1 − h_t²)                          hidden pre-activation
        dL/dx_t = da_t W_h[:D]ᵀ
        dL/dW_h = Σ_t [x_t, h_{t−1}, 1]ᵀ da_t,    dL/dW_y = Σ_t [h_t, 1]ᵀ dz_t

    Parameters
    ----------
    input_size : int
        D, features per time step.
    hidden_size : int
        H, hidden units.
    output_size : int
        K, outputs per time step; each lies in (0, 1) (scale regression targets, or stack layers on top).
    memorize : bool, optional
        Keyword-only: initial value of the ``memorize`` property (False).

    Attributes
    ----------
    weights : ndarray, shape (D + H + 1, H)
        W_h: rows for x, then rows for h_{t−1}, then the bias row. Assignable; filled with U[0, 1) at
        construction; its shape is checked when ``forward`` uses it.
    output_weights : ndarray, shape (H + 1, K)
        W_y: rows for h_t, then the bias row. Assignable, like ``weights``.
    gradient_weights, gradient_output_weights : ndarray
        dL/dW_h and dL/dW_y of the last ``backward``, summed over all time steps and all sequences.
        ``backward`` updates each array once with its own copy of ``optimizer`` (when one is set).
    memorize : bool
        False (default): every ``forward`` starts from zeros. True: it starts from ``hidden_state``.
    hidden_state : ndarray or None
        The state the last ``forward`` ended with, shape (H,) after a 2-D input and (N, H) after a 3-D
        one; None before the first forward and after ``reset_state()``. Listed in ``buffer_names``.
    hidden_states : ndarray
        Record of h_1 … h_T of the last forward, (T, H) or (N, T, H); read-only.
    hidden_gradient_norms : ndarray, shape (T,)
        After ``backward``: ‖dL/dh_t‖₂ per time step (the total gradient reaching h_t, from y_t and from
        the future). For a batch it is the norm of the whole (N, H) block of step t, i.e. the square root
        of the sum over the sequences of their squared norms. Plot it to see gradients vanish.

    Shapes
    ------
    forward: (T, D) -> (T, K) for one sequence, (N, T, D) -> (N, T, K) for a batch.
    backward: the output's shape -> the input's shape.

    Notes
    -----
    Each time step is ``_step_forward`` / ``_step_backward`` for the whole batch; the loops over time are
    ``RecurrentLayer.forward`` / ``backward``. Computation runs in the input's dtype (float32 stays float32).
    """

    def _step_forward(self, xw_t, previous, W_hh):
        """h_t = tanh(xw_t + h_{t−1} W_hh); h_t is also what the step's backward needs."""
        (h_previous,) = previous
        h = np.tanh(xw_t + h_previous @ W_hh)
        return (h,), h

    def _step_backward(self, dh_t, from_next, h, W_hh):
        """da_t = dh_t ⊙ (1 − h_t²); step t − 1 receives da_t W_hhᵀ."""
        da = dh_t * (1 - h**2)
        return da, (da @ W_hh.T,)
