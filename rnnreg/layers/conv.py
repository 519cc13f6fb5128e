"""The convolutional layer: a strided cross-correlation with "same" zero padding, in 1-D and 2-D."""

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from rnnreg.layers.base import TrainableLayer
from rnnreg.validation import (
    check_array_shape,
    check_array_size,
    check_error_shape,
    check_input,
    check_int_tuple,
    check_positive_int,
    require_forward,
)


class Conv(TrainableLayer):
    """K learned filters slid over the input: a cross-correlation with "same" zero padding, then a stride.

    As in PyTorch's conv layers the kernel is NOT flipped (a cross-correlation, not a convolution in the
    signal-processing sense). The input is zero-padded so that with stride 1 the output keeps the input's
    spatial size; a stride ``s`` then keeps every s-th output position, starting at the first.

    Parameters
    ----------
    stride_shape : int, tuple or list
        ``(s_y,)`` for 1-D, ``(s_y, s_x)`` for 2-D; an int (or a one-entry list) means the same stride on
        every spatial axis.
    convolution_shape : tuple or list
        ``(C, m)`` for 1-D kernels over inputs ``(N, C, Y)``, ``(C, m, n)`` for 2-D kernels over inputs
        ``(N, C, Y, X)``: C input channels, kernel extent m (along Y) and n (along X).
    num_kernels : int
        K, the number of filters = output channels.

    Attributes
    ----------
    weights : ndarray, shape (K, C, m[, n])
        The kernels; assignable, their shape is checked when ``forward`` uses them. U[0, 1) until
        ``initialize`` is called.
    bias : ndarray, shape (K,)
        One bias per kernel; assignable, U[0, 1) until ``initialize``.
    gradient_weights : ndarray, shape (K, C, m[, n])
        dL/dW from the last ``backward``, summed over the batch and all output positions.
    gradient_bias : ndarray, shape (K,)
        dL/db from the last ``backward``.

    Shapes
    ------
    2-D: forward (N, C, Y, X) -> (N, K, Y', X') with Y' = ceil(Y / s_y), X' = ceil(X / s_x);
    backward (N, K, Y', X') -> (N, C, Y, X).
    1-D: forward (N, C, Y) -> (N, K, Y');  backward (N, K, Y') -> (N, C, Y).

    Notes
    -----
    Indices: b batch, c input channel, k kernel, (u, v) input position, (p, q) output position, (i, j)
    offset inside the kernel. x̃ is the input zero-padded with m//2 rows before and (m-1)//2 after (n//2
    and (n-1)//2 columns), which is what ``scipy.signal.correlate(..., mode="same")`` does; the two sides
    only differ for even kernels.

    Forward::

        y[b, k, p, q] = bias[k] + Σ_c Σ_i Σ_j  W[k, c, i, j] · x̃[b, c, p·s_y + i, q·s_x + j]

    Backward, with E = dL/dy::

        dL/dbias[k]      = Σ_b Σ_p Σ_q  E[b, k, p, q]
        dL/dW[k, c, i, j] = Σ_b Σ_p Σ_q  E[b, k, p, q] · x̃[b, c, p·s_y + i, q·s_x + j]
        dL/dx[b, c, u, v] = Σ_k Σ_i Σ_j  Ê[b, k, u + m//2 - i, v + n//2 - j] · W[k, c, i, j]

    where Ê is E put back on the stride-1 grid (zeros at the positions the stride skipped). The last line
    is again a "same" cross-correlation: of Ê with the kernels flipped in space and with the roles of C
    and K swapped (a transposed convolution). The 1-D case drops the second spatial index.

    Both directions run as one matrix product each (im2col): every receptive field of every sample is
    unrolled into a column of length C·m·n, so the forward pass is W (K, C·m·n) @ columns (C·m·n, N·Y'·X'),
    one matmul for the whole batch. Backward computes the error of every column entry, Wᵀ @ E, and adds it
    back to the input position it was copied from (col2im, the adjoint of im2col); summed up this is the
    transposed convolution above. dL/dW is E (K, N·Y'·X') @ columnsᵀ, again one matmul.
    Computation happens in the input's floating dtype (float32 inputs stay float32).
    """

    parameter_names = ("weights", "bias")

    def __init__(self, stride_shape, convolution_shape, num_kernels):
        super().__init__()
        self.convolution_shape = _check_shape_sequence(
            "Conv convolution_shape", convolution_shape, (2, 3), "(c, m) or (c, m, n)"
        )
        self.num_kernels = check_positive_int("Conv num_kernels", num_kernels)
        self.spatial_dims = len(self.convolution_shape) - 1
        self.stride_shape = check_int_tuple("Conv stride_shape", stride_shape, length=self.spatial_dims)
        self.channels = self.convolution_shape[0]
        self.kernel_shape = self.convolution_shape[1:]
        # NumPy's global state on purpose (DESIGN §4): np.random.seed(n) makes a run reproducible.
        shape = check_array_size("Conv", "weights", (self.num_kernels, *self.convolution_shape))
        self.weights = np.random.random_sample(shape)
        self.bias = np.random.random_sample(self.num_kernels)
        self.gradient_weights = None
        self.gradient_bias = None
        # What backward needs from the last forward.
        self._columns = None
        self._kernels = None
        self._input_shape = None
        self._output_shape = None

    @property
    def fan_in(self):
        """Inputs seen by one output value: C·m·n (C·m in 1-D)."""
        return self.channels * int(np.prod(self.kernel_shape))

    @property
    def fan_out(self):
        """Outputs one input value feeds (ignoring borders and stride): K·m·n (K·m in 1-D)."""
        return self.num_kernels * int(np.prod(self.kernel_shape))

    def initialize(self, weights_initializer, bias_initializer):
        """Draw ``weights`` and ``bias`` from the two initializers with fan_in = C·m·n and fan_out = K·m·n."""
        weights_shape = (self.num_kernels, *self.convolution_shape)
        self.weights = weights_initializer.initialize(weights_shape, self.fan_in, self.fan_out)
        self.bias = bias_initializer.initialize((self.num_kernels,), self.fan_in, self.fan_out)

    def forward(self, input_tensor):
        """Cross-correlate ``input_tensor`` with every kernel, add the biases and subsample by the stride."""
        spatial_names = ("y", "x")[: self.spatial_dims]
        x = check_input(self, input_tensor, [("batch", self.channels, *spatial_names)])
        kernels = check_array_shape("Conv", "weights", self.weights, (self.num_kernels, *self.convolution_shape))
        bias = check_array_shape("Conv", "bias", self.bias, (self.num_kernels,))
        kernels, bias = kernels.astype(x.dtype, copy=False), bias.astype(x.dtype, copy=False)

        padded = _pad_same(x, self.kernel_shape)  # x̃
        columns = _im2col(padded, self.kernel_shape, self.stride_shape)  # (C·m·n, N·Y'·X')
        # y = bias + W x̃ for every receptive field: (K, C·m·n) @ (C·m·n, N·Y'·X'), one matmul for the batch.
        output = kernels.reshape(self.num_kernels, -1) @ columns + bias[:, np.newaxis]

        batch, output_spatial = x.shape[0], _output_spatial(x.shape[2:], self.stride_shape)
        self._columns, self._kernels, self._input_shape = columns, kernels, x.shape
        self._output_shape = (batch, self.num_kernels, *output_spatial)
        # (K, N, Y', X') -> (N, K, Y', X'), as a C-ordered array like every other layer's output.
        return np.ascontiguousarray(output.reshape(self.num_kernels, batch, *output_spatial).swapaxes(0, 1))

    def backward(self, error_tensor):
        """Return dL/dx and store (and, with an optimizer, apply) dL/dW and dL/dbias."""
        require_forward(self, self._columns)
        error = check_error_shape(self, error_tensor, self._output_shape).astype(self._kernels.dtype, copy=False)
        kernel_rows = self._kernels.reshape(self.num_kernels, -1)  # W as (K, C·m·n)
        error_rows = error.swapaxes(0, 1).reshape(self.num_kernels, -1)  # E as (K, N·Y'·X'), forward's layout

        # Each column entry is a copy of one padded input value, so its error goes back there:
        # dL/dcolumns = Wᵀ E, then col2im adds every entry to the input position it was copied from.
        # (The kernels of the forward pass: the update below replaces them.)
        error_input = _col2im(kernel_rows.T @ error_rows, self._input_shape, self.kernel_shape, self.stride_shape)

        gradient_weights = error_rows @ self._columns.T  # dL/dW = Σ over b, p, q of E · x̃: (K, C·m·n)
        gradient_bias = error_rows.sum(axis=1)  # dL/dbias = Σ over b, p, q of E
        self._apply_update("weights", gradient_weights.reshape(self._kernels.shape))
        self._apply_update("bias", gradient_bias)
        return error_input

    def config(self):
        return {
            "stride_shape": list(self.stride_shape),
            "convolution_shape": list(self.convolution_shape),
            "num_kernels": self.num_kernels,
        }


def _check_shape_sequence(name, value, lengths, meaning):
    """Return ``value`` as a tuple of positive ints whose length is one of ``lengths``."""
    if not isinstance(value, (tuple, list, np.ndarray)):
        raise TypeError(f"{name} must be a tuple or list {meaning}, got {value!r} ({type(value).__name__})")
    shape = check_int_tuple(name, value)
    if len(shape) not in lengths:
        expected = " or ".join(str(length) for length in lengths)
        raise ValueError(f"{name} must have {expected} entries {meaning}, got {len(shape)}: {value!r}")
    return shape


def _same_padding(kernel_shape):
    """The zeros before and after each spatial axis for a "same" cross-correlation: m//2 and (m-1)//2."""
    return [(extent // 2, (extent - 1) // 2) for extent in kernel_shape]


def _padded_zeros(shape, kernel_shape, dtype):
    """Zeros of the padded shape (N, C, Y + m - 1[, X + n - 1]) and the index of the unpadded part inside it."""
    batch, channels, *spatial = shape
    padding = list(zip(spatial, _same_padding(kernel_shape), strict=True))
    padded = np.zeros((batch, channels, *(size + before + after for size, (before, after) in padding)), dtype=dtype)
    inside = (slice(None), slice(None), *(slice(before, before + size) for size, (before, _) in padding))
    return padded, inside


def _pad_same(x, kernel_shape):
    """x̃: ``x`` with m//2 zeros before and (m-1)//2 after each spatial axis.

    What ``np.pad`` gives, built directly: at lesson sizes np.pad's own work costs ten times the copy.
    """
    padded, inside = _padded_zeros(x.shape, kernel_shape, x.dtype)
    padded[inside] = x
    return padded


def _output_spatial(spatial, stride_shape):
    """(Y', X') = (ceil(Y / s_y), ceil(X / s_x)): every s-th position of the "same" output."""
    return tuple(-(-size // stride) for size, stride in zip(spatial, stride_shape, strict=True))


def _im2col(padded, kernel_shape, stride_shape):
    """Unroll every receptive field of ``padded`` into a column.

    Parameters
    ----------
    padded : ndarray, shape (N, C, Y + m - 1[, X + n - 1])
    kernel_shape : tuple
        (m,) or (m, n).
    stride_shape : tuple
        Keep every s-th window along each spatial axis.

    Returns
    -------
    ndarray, shape (C·m·n, N·Y'·X')
        ``columns[(c, i, j), (b, p, q)] = padded[b, c, p·s_y + i, q·s_x + j]``.
    """
    dims = len(kernel_shape)
    spatial_axes = tuple(range(2, 2 + dims))
    windows = sliding_window_view(padded, kernel_shape, axis=spatial_axes)  # (N, C, Y, X, m, n), a view
    windows = windows[(slice(None), slice(None), *(slice(None, None, stride) for stride in stride_shape))]
    kernel_axes = tuple(range(2 + dims, 2 + 2 * dims))
    # (C, m, n, N, Y', X') -> (C·m·n, N·Y'·X'); the reshape makes the one copy im2col needs.
    columns = windows.transpose(1, *kernel_axes, 0, *spatial_axes)
    return columns.reshape(padded.shape[1] * math.prod(kernel_shape), -1)


def _col2im(column_error, input_shape, kernel_shape, stride_shape):
    """The adjoint of ``_im2col`` after the "same" padding: add every column entry back to its input position.

    With D = ``column_error`` of shape (C·m·n, N·Y'·X'), the error of the padded input is

        dL/dx̃[b, c, p·s_y + i, q·s_x + j] += D[(c, i, j), (b, p, q)]

    summed over every (p, q) (overlapping receptive fields add up); the padding is then cut off. The loop
    runs over the m·n offsets (i, j) inside the kernel, each adding a whole (N, C, Y', X') block at once.

    Returns
    -------
    ndarray, shape ``input_shape``
    """
    batch, channels, *spatial = input_shape
    output_spatial = _output_spatial(spatial, stride_shape)
    column_error = column_error.reshape(channels, *kernel_shape, batch, *output_spatial)
    padded_error, inside = _padded_zeros(input_shape, kernel_shape, column_error.dtype)
    for offset in np.ndindex(*kernel_shape):
        # the input positions p·s + i of kernel entry i, for every output position p
        positions = tuple(
            slice(start, start + stride * (count - 1) + 1, stride)
            for start, stride, count in zip(offset, stride_shape, output_spatial, strict=True)
        )
        padded_error[(slice(None), slice(None), *positions)] += column_error[(slice(None), *offset)].swapaxes(0, 1)
    return np.ascontiguousarray(padded_error[inside])
