"""Bug gallery, Elman RNN and LSTM: classes a student might write, each wrong in one way or correct.

Correct students: ``RNNExerciseStyle`` (a loop with concatenated [x, h, 1] and += gradients) and
``RNNMatrixStyle`` (gradients assembled after the loop from stacked arrays); ``LSTMExerciseStyle`` and
``LSTMSlicedStyle`` (gates by named slices, the gradient of c_t kept in a list). Each wrong class changes
one method of one of them. None derives from rnnreg's layers.
"""

import numpy as np


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


class RNNExerciseStyle:
    def __init__(self, input_size, hidden_size, output_size):
        self.input_size, self.hidden_size, self.output_size = input_size, hidden_size, output_size
        self.weights = np.random.rand(input_size + hidden_size + 1, hidden_size)
        self.output_weights = np.random.rand(hidden_size + 1, output_size)
        self.memorize = False
        self.hidden_state = np.zeros(hidden_size)
        self.trainable = True

    def start_state(self):
        if not self.memorize:
            self.hidden_state = np.zeros(self.hidden_size)
        return self.hidden_state

    def forward(self, input_tensor):
        h = self.start_state()
        self.inputs, self.hs, self.ys = [], [], []
        for x_t in input_tensor:
            stacked = np.concatenate([x_t, h, [1]])
            h = np.tanh(stacked @ self.weights)
            y = sigmoid(np.concatenate([h, [1]]) @ self.output_weights)
            self.inputs.append(stacked)
            self.hs.append(h)
            self.ys.append(y)
        self.keep_state(h)
        return np.array(self.ys)

    def keep_state(self, h):
        self.hidden_state = h

    def tanh_derivative(self, h):
        return 1 - h**2

    def from_future(self, dh_next):
        return dh_next

    def add(self, total, step):
        return total + step

    def backward(self, error_tensor):
        d, hid = self.input_size, self.hidden_size
        self.gradient_weights = np.zeros_like(self.weights)
        self.gradient_output_weights = np.zeros_like(self.output_weights)
        dh_next = np.zeros(hid)
        dx = np.zeros((len(error_tensor), d))
        for t in reversed(range(len(error_tensor))):
            dz = error_tensor[t] * self.ys[t] * (1 - self.ys[t])
            self.gradient_output_weights = self.add(
                self.gradient_output_weights, np.outer(np.concatenate([self.hs[t], [1]]), self.output_dz(dz, t))
            )
            dh = self.output_weights[:hid] @ dz + self.from_future(dh_next)
            da = dh * self.tanh_derivative(self.hs[t])
            self.gradient_weights = self.add(self.gradient_weights, np.outer(self.inputs[t], da))
            dx[t] = self.input_error(da, dh)
            dh_next = self.weights[d : d + hid] @ da
        return dx

    def output_dz(self, dz, t):
        return dz

    def input_error(self, da, dh):
        return self.weights[: self.input_size] @ da


class RNNMatrixStyle:
    def __init__(self, input_size, hidden_size, output_size):
        self.D, self.H = input_size, hidden_size
        self.weights = np.zeros((input_size + hidden_size + 1, hidden_size))
        self.output_weights = np.zeros((hidden_size + 1, output_size))
        self.memorize = False
        self.last = None

    def forward(self, x):
        T = x.shape[0]
        h = np.zeros((T + 1, self.H))
        if self.memorize and self.last is not None:
            h[0] = self.last
        for t in range(T):
            h[t + 1] = np.tanh(x[t] @ self.weights[: self.D] + h[t] @ self.weights[self.D : -1] + self.weights[-1])
        self.last = h[-1].copy()
        self.x, self.h = x, h
        self.y = sigmoid(h[1:] @ self.output_weights[:-1] + self.output_weights[-1])
        return self.y

    def backward(self, e):
        dz = e * self.y * (1 - self.y)
        dh_out = dz @ self.output_weights[:-1].T
        da = np.zeros_like(self.h[1:])
        carry = np.zeros(self.H)
        for t in range(len(e) - 1, -1, -1):
            da[t] = (dh_out[t] + carry) * (1 - self.h[t + 1] ** 2)
            carry = da[t] @ self.weights[self.D : -1].T
        self.gradient_weights = np.vstack([self.x.T @ da, self.h[:-1].T @ da, da.sum(axis=0)])
        self.gradient_output_weights = np.vstack([self.h[1:].T @ dz, dz.sum(axis=0)])
        return da @ self.weights[: self.D].T


class RNNStateNotReset(RNNExerciseStyle):
    def start_state(self):
        return self.hidden_state


class RNNStateNotCarried(RNNExerciseStyle):
    def start_state(self):
        return np.zeros(self.hidden_size)


class RNNNoBackpropThroughTime(RNNExerciseStyle):
    def from_future(self, dh_next):
        return 0


class RNNGradientsNotSummed(RNNExerciseStyle):
    def add(self, total, step):
        return step  # "=" where "+=" belongs: the gradients of step 1 remain


class RNNTanhDerivative(RNNExerciseStyle):
    def tanh_derivative(self, h):
        return 1 - np.tanh(h) ** 2


class RNNBiasRowFirst(RNNExerciseStyle):
    """Wrong: the stacked input is [1, x, h], so the bias is read from the first row."""

    def forward(self, input_tensor):
        h = self.start_state()
        self.inputs, self.hs, self.ys = [], [], []
        for x_t in input_tensor:
            stacked = np.concatenate([[1], x_t, h])
            h = np.tanh(stacked @ self.weights)
            y = sigmoid(np.concatenate([h, [1]]) @ self.output_weights)
            self.inputs.append(stacked)
            self.hs.append(h)
            self.ys.append(y)
        self.keep_state(h)
        return np.array(self.ys)


class RNNInputErrorWithoutDerivative(RNNExerciseStyle):
    def input_error(self, da, dh):
        return self.weights[: self.input_size] @ dh


class RNNOutputGradientWithoutSigmoid(RNNExerciseStyle):
    def output_dz(self, dz, t):
        return dz / (self.ys[t] * (1 - self.ys[t]))


class RNNCarriesThePreviousStep(RNNExerciseStyle):
    def keep_state(self, h):
        self.hidden_state = self.hs[-2] if len(self.hs) > 1 else h


class LSTMExerciseStyle:
    order = ("f", "i", "c", "o")

    def __init__(self, input_size, hidden_size, output_size):
        self.input_size, self.hidden_size = input_size, hidden_size
        self.weights = np.random.rand(input_size + hidden_size + 1, 4 * hidden_size)
        self.output_weights = np.random.rand(hidden_size + 1, output_size)
        self.memorize = False
        self.h = np.zeros(hidden_size)
        self.c = np.zeros(hidden_size)

    def gates(self, a):
        H = self.hidden_size
        block = {name: a[k * H : (k + 1) * H] for k, name in enumerate(self.order)}
        return sigmoid(block["f"]), sigmoid(block["i"]), np.tanh(block["c"]), sigmoid(block["o"])

    def hidden(self, o, c):
        return o * np.tanh(c)

    def forward(self, input_tensor):
        if not self.memorize:
            self.h, self.c = np.zeros(self.hidden_size), np.zeros(self.hidden_size)
        h, c = self.h, self.c
        self.cache, ys = [], []
        for x_t in input_tensor:
            stacked = np.concatenate([x_t, h, [1]])
            f, i, g, o = self.gates(stacked @ self.weights)
            c_previous = c
            c = f * c + i * g
            h = self.hidden(o, c)
            y = sigmoid(np.concatenate([h, [1]]) @ self.output_weights)
            self.cache.append((stacked, c_previous, f, i, g, o, c, h, y))
            ys.append(y)
        self.h, self.c = h, c
        return np.array(ys)

    def cell_from_future(self, dc_next, f_next):
        return dc_next * f_next

    def bias_gradient(self, da):
        return da

    def backward(self, error_tensor):
        D, H = self.input_size, self.hidden_size
        self.gradient_weights = np.zeros_like(self.weights)
        self.gradient_output_weights = np.zeros_like(self.output_weights)
        dh_next, dc_next, f_next = np.zeros(H), np.zeros(H), np.zeros(H)
        dx = []
        for t in reversed(range(len(error_tensor))):
            stacked, c_previous, f, i, g, o, c, h, y = self.cache[t]
            dz = error_tensor[t] * y * (1 - y)
            self.gradient_output_weights += np.outer(np.concatenate([h, [1]]), dz)
            dh = self.output_weights[:H] @ dz + dh_next
            dc = self.cell_from_future(dc_next, f_next) + dh * o * (1 - np.tanh(c) ** 2)
            blocks = {
                "f": dc * c_previous * f * (1 - f),
                "i": dc * g * i * (1 - i),
                "c": dc * i * (1 - g**2),
                "o": dh * np.tanh(c) * o * (1 - o),
            }
            da = np.concatenate([blocks[name] for name in self.order])
            gradient = np.outer(stacked, da)
            gradient[-1] = self.bias_gradient(da)
            self.gradient_weights += gradient
            dx.append(self.input_error(da))
            dh_next = self.weights[D : D + H] @ da
            dc_next, f_next = dc, f
        return np.array(dx[::-1])

    def input_error(self, da):
        return self.weights[: self.input_size] @ da


class LSTMSlicedStyle:
    def __init__(self, input_size, hidden_size, output_size):
        self.D, self.H = input_size, hidden_size
        self.weights = np.zeros((input_size + hidden_size + 1, 4 * hidden_size))
        self.output_weights = np.zeros((hidden_size + 1, output_size))
        self.memorize = False
        self.state = None

    def forward(self, x):
        H = self.H
        f_s, i_s, c_s, o_s = (slice(k * H, (k + 1) * H) for k in range(4))
        h, c = self.state if (self.memorize and self.state is not None) else (np.zeros(H), np.zeros(H))
        self.steps = []
        out = np.empty((len(x), self.output_weights.shape[1]))
        for t, x_t in enumerate(x):
            a = x_t @ self.weights[: self.D] + h @ self.weights[self.D : self.D + H] + self.weights[-1]
            f, i, g, o = sigmoid(a[f_s]), sigmoid(a[i_s]), np.tanh(a[c_s]), sigmoid(a[o_s])
            c_new = f * c + i * g
            h_new = o * np.tanh(c_new)
            out[t] = sigmoid(h_new @ self.output_weights[:-1] + self.output_weights[-1])
            self.steps.append(dict(x=x_t, h_prev=h, c_prev=c, f=f, i=i, g=g, o=o, c=c_new, h=h_new, y=out[t]))
            h, c = h_new, c_new
        self.state = (h, c)
        return out

    def backward(self, e):
        W_x, W_h = self.weights[: self.D], self.weights[self.D : self.D + self.H]
        gW, gWy = np.zeros_like(self.weights), np.zeros_like(self.output_weights)
        dh_future, dc_future = 0.0, 0.0
        dx = np.zeros((len(e), self.D))
        for t in range(len(e) - 1, -1, -1):
            s = self.steps[t]
            dz = e[t] * s["y"] * (1 - s["y"])
            gWy[:-1] += np.outer(s["h"], dz)
            gWy[-1] += dz
            dh = dz @ self.output_weights[:-1].T + dh_future
            tanh_c = np.tanh(s["c"])
            dc = dc_future + dh * s["o"] * (1 - tanh_c**2)
            da = np.hstack(
                [
                    dc * s["c_prev"] * s["f"] * (1 - s["f"]),
                    dc * s["g"] * s["i"] * (1 - s["i"]),
                    dc * s["i"] * (1 - s["g"] ** 2),
                    dh * tanh_c * s["o"] * (1 - s["o"]),
                ]
            )
            gW[: self.D] += np.outer(s["x"], da)
            gW[self.D : self.D + self.H] += np.outer(s["h_prev"], da)
            gW[-1] += da
            dx[t] = da @ W_x.T
            dh_future, dc_future = da @ W_h.T, dc * s["f"]
        self.gradient_weights, self.gradient_output_weights = gW, gWy
        return dx


class LSTMPyTorchGateOrder(LSTMExerciseStyle):
    order = ("i", "f", "c", "o")


class LSTMCellGradientNotCarried(LSTMExerciseStyle):
    def cell_from_future(self, dc_next, f_next):
        return 0


class LSTMHiddenWithoutTanh(LSTMExerciseStyle):
    def hidden(self, o, c):
        return o * c


class LSTMInputErrorWithoutOutputGate(LSTMExerciseStyle):
    def input_error(self, da):
        H = self.hidden_size
        return self.weights[: self.input_size, : 3 * H] @ da[: 3 * H]


class LSTMNoBiasGradient(LSTMExerciseStyle):
    def bias_gradient(self, da):
        return np.zeros_like(da)


class RNNOnlyBatches(RNNMatrixStyle):
    def forward(self, x):
        if x.ndim != 3:
            raise ValueError(f"expected (batch, time, features), got {x.shape}")
        return super().forward(x)


WRONG = {
    "rnn-state-not-reset": ("rnn", RNNStateNotReset),
    "rnn-state-not-carried": ("rnn", RNNStateNotCarried),
    "rnn-no-backprop-through-time": ("rnn", RNNNoBackpropThroughTime),
    "rnn-gradients-not-summed": ("rnn", RNNGradientsNotSummed),
    "rnn-tanh-derivative": ("rnn", RNNTanhDerivative),
    "rnn-forward-wrong": ("rnn", RNNBiasRowFirst),
    "rnn-backward-wrong": ("rnn", RNNInputErrorWithoutDerivative),
    "rnn-weight-gradients-wrong": ("rnn", RNNOutputGradientWithoutSigmoid),
    "rnn-memorize-wrong": ("rnn", RNNCarriesThePreviousStep),
    "lstm-gate-order": ("lstm", LSTMPyTorchGateOrder),
    "lstm-cell-gradient-not-carried": ("lstm", LSTMCellGradientNotCarried),
    "lstm-forward-wrong": ("lstm", LSTMHiddenWithoutTanh),
    "lstm-backward-wrong": ("lstm", LSTMInputErrorWithoutOutputGate),
    "lstm-weight-gradients-wrong": ("lstm", LSTMNoBiasGradient),
}

WRONG_ALSO = [("raises", "rnn", RNNOnlyBatches)]

CORRECT = [
    ("rnn", RNNExerciseStyle),
    ("rnn", RNNMatrixStyle),
    ("lstm", LSTMExerciseStyle),
    ("lstm", LSTMSlicedStyle),
]
