"""The convolutional layer: a strided cross-correlation with "same" zero padding, in 1-D and 2-D."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from rnnreg.layers.base import TrainableLayer
from rnnreg.validation import (
    check_array_shape,
    check_error_shape,
    check_input,
    check_int_tuple,
    check_positive_int,
    describe_shape,
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
        self.weights = np.random.random_sample((self.num_kernels, *self.convolution_shape))
        self.bias = np.random.random_sample(self.num_kernels)
        self.gradient_weights = None
        self.gradient_bias = None
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
        if 0 in x.shape[2:]:
            raise ValueError(f"Conv input_tensor must have a non-empty spatial size, got {describe_shape(x.shape)}")
        kernels = check_array_shape("Conv", "weights", self.weights, (self.num_kernels, *self.convolution_shape))
        bias = check_array_shape("Conv", "bias", self.bias, (self.num_kernels,))
        kernels = kernels.astype(x.dtype, copy=False)
        bias = bias.astype(x.dtype, copy=False)

        padded = _pad_same(x, self.kernel_shape, flipped=False)
        columns, output_spatial = _im2col(padded, self.kernel_shape, self.stride_shape)
        batch = x.shape[0]
        # (K, C·m·n) @ (C·m·n, N·P) -> (K, N·P): one matmul over the whole batch.
        output = kernels.reshape(self.num_kernels, -1) @ columns
        output += bias[:, np.newaxis]

        self._columns = columns
        self._kernels = kernels
        self._input_shape = x.shape
        self._output_shape = (batch, self.num_kernels, *output_spatial)
        # (K, N, Y', X') -> (N, K, Y', X'), as a C-ordered array like every other layer's output.
        return np.ascontiguousarray(output.reshape(self.num_kernels, batch, *output_spatial).swapaxes(0, 1))

    def backward(self, error_tensor):
        """Return dL/dx and store (and, with an optimizer, apply) dL/dW and dL/dbias."""
        require_forward(self, self._columns)
        error = check_error_shape(self, error_tensor, self._output_shape).astype(self._kernels.dtype, copy=False)
        batch = error.shape[0]
        spatial_axes = tuple(range(2, 2 + self.spatial_dims))
        # E as (K, N·P), the layout of the forward product's output.
        error_rows = error.reshape(batch, self.num_kernels, -1).swapaxes(0, 1).reshape(self.num_kernels, -1)

        # Input gradient first, with the kernels of the forward pass (the update below changes them).
        # Each column entry was copied from one padded input position, so its error goes back there:
        # dL/dcolumns = Wᵀ (C·m·n, K) @ E (K, N·P), then col2im adds every entry to its position.
        error_input = None
        if self.needs_input_gradient:
            column_error = self._kernels.reshape(self.num_kernels, -1).T @ error_rows  # (C·m·n, N·P)
            error_input = _col2im(column_error, self._input_shape, self.kernel_shape, self.stride_shape)

        # Σ over b and (p, q) of E (K, N·P) @ columnsᵀ (N·P, C·m·n): one matmul.
        gradient_weights = error_rows @ self._columns.T
        self._apply_update("weights", gradient_weights.reshape(self._kernels.shape))
        self._apply_update("bias", error.sum(axis=(0, *spatial_axes)))
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


def _pad_same(tensor, kernel_shape, *, flipped):
    """Zero-pad the spatial axes (2, 3, ...) of ``tensor`` for a "same" cross-correlation.

    The forward pass pads m//2 before and (m-1)//2 after; correlating with the flipped kernel (the input
    gradient) needs the mirror image, (m-1)//2 before and m//2 after.
    """
    widths = [(extent // 2, (extent - 1) // 2) for extent in kernel_shape]
    if flipped:
        widths = [(after, before) for before, after in widths]
    # What np.pad(tensor, [(0, 0), (0, 0), *widths]) gives, without its per-call overhead.
    spatial = tensor.shape[2:]
    padded = np.zeros(
        (*tensor.shape[:2], *(size + before + after for size, (before, after) in zip(spatial, widths, strict=True))),
        dtype=tensor.dtype,
    )
    inside = tuple(slice(before, before + size) for size, (before, _) in zip(spatial, widths, strict=True))
    padded[(slice(None), slice(None), *inside)] = tensor
    return padded


def _col2im(column_error, input_shape, kernel_shape, stride_shape):
    """The adjoint of ``_im2col`` followed by the "same" padding: add every column entry back to its input.

    ``column_error[(c, i, j), (b, p, q)]`` is added to position ``(p·s_y + i, q·s_x + j)`` of the padded
    input's error, and the padding is cut off again, which gives

        dL/dx̃[b, c, p·s_y + i, q·s_x + j] += Σ_k W[k, c, i, j] · E[b, k, p, q].

    The loop runs over the m·n offsets (i, j) inside the kernel; each pass adds a whole (C, N, Y', X')
    block at once, straight from the layout the matmul produced (C, m, n, N, Y', X') into a channel-first
    view of the padded (N, C, Y + m - 1, X + n - 1) error, so no block is copied into another layout first.

    Returns
    -------
    ndarray, shape ``input_shape``
    """
    batch, channels = input_shape[:2]
    spatial = input_shape[2:]
    padded_spatial = tuple(size + extent - 1 for size, extent in zip(spatial, kernel_shape, strict=True))
    output_spatial = tuple(-(-size // stride) for size, stride in zip(spatial, stride_shape, strict=True))
    column_error = column_error.reshape(channels, *kernel_shape, batch, *output_spatial)
    padded_error = np.zeros((batch, channels, *padded_spatial), dtype=column_error.dtype)
    channels_first = padded_error.swapaxes(0, 1)  # a view, (C, N, Y + m - 1, X + n - 1)
    for offset in np.ndindex(*kernel_shape):
        target = tuple(
            slice(start, start + stride * (count - 1) + 1, stride)
            for start, stride, count in zip(offset, stride_shape, output_spatial, strict=True)
        )
        channels_first[(slice(None), slice(None), *target)] += column_error[(slice(None), *offset)]
    before = tuple(extent // 2 for extent in kernel_shape)
    crop = tuple(slice(start, start + size) for start, size in zip(before, spatial, strict=True))
    return np.ascontiguousarray(padded_error[(slice(None), slice(None), *crop)])


def _im2col(padded, kernel_shape, stride_shape):
    """Unroll every receptive field of ``padded`` into a column.

    Parameters
    ----------
    padded : ndarray, shape (N, C, Y + m - 1[, X + n - 1])
    kernel_shape : tuple
        (m,) or (m, n).
    stride_shape : tuple or None
        Keep every s-th window along each spatial axis; None for stride 1.

    Returns
    -------
    columns : ndarray, shape (C·m·n, N·P)
        ``columns[(c, i, j), (b, p, q)] = padded[b, c, p·s_y + i, q·s_x + j]``; P = Y'·X'.
    output_spatial : tuple
        (Y', X') or (Y',).
    """
    dims = len(kernel_shape)
    spatial_axes = tuple(range(2, 2 + dims))
    windows = sliding_window_view(padded, kernel_shape, axis=spatial_axes)  # (N, C, Y, X, m, n), a view
    if stride_shape is not None:
        windows = windows[(slice(None), slice(None), *(slice(None, None, s) for s in stride_shape))]
    channels = windows.shape[1]
    output_spatial = windows.shape[2 : 2 + dims]
    kernel_axes = tuple(range(2 + dims, 2 + 2 * dims))
    # (C, m, n, N, Y', X') -> (C·m·n, N·Y'·X'); the reshape makes the one copy im2col needs.
    columns = windows.transpose(1, *kernel_axes, 0, *spatial_axes)
    columns = columns.reshape(channels * int(np.prod(kernel_shape)), -1)
    return columns, output_spatial
