"""Max pooling over 1-D or 2-D windows, without padding ("valid")."""

import numbers

import numpy as np

from rnnreg.layers.base import BaseLayer
from rnnreg.validation import check_error_shape, check_input, check_int_tuple, describe_shape, require_forward


class Pooling(BaseLayer):
    """Keep the largest value of every window: max pooling, "valid" (windows never leave the input).

    Parameters
    ----------
    stride_shape : int, tuple or list
        ``(s_y, s_x)`` (or ``(s_y,)`` in 1-D); an int (or a one-entry list) means the same stride on every
        spatial axis.
    pooling_shape : int, tuple or list
        The window ``(p_y, p_x)`` for inputs ``(N, C, Y, X)``, or ``(p_y,)`` for inputs ``(N, C, Y)``. An
        int ``p`` means the square 2-D window ``(p, p)``.

    Shapes
    ------
    2-D: forward (N, C, Y, X) -> (N, C, Y', X') with Y' = (Y - p_y) // s_y + 1, X' = (X - p_x) // s_x + 1;
    backward (N, C, Y', X') -> (N, C, Y, X).
    1-D: forward (N, C, Y) -> (N, C, Y');  backward (N, C, Y') -> (N, C, Y).

    Notes
    -----
    Forward, for every batch element b and channel c separately::

        y[b, c, p, q] = max over (i, j) in window of  x[b, c, p·s_y + i, q·s_x + j]

    Backward: the maximum is the only input that moved the output, so each error value goes to the
    position (u*, v*) of its window's maximum (the first one in row-major order on ties), and nothing
    else receives error::

        dL/dx[b, c, u, v] = Σ over (p, q) whose maximum sits at (u, v) of  E[b, c, p, q]

    Windows overlap when the stride is smaller than the window, so one input can be the maximum of
    several windows; its gradient is then the sum of their errors.

    Pooling has no trainable arrays.
    """

    def __init__(self, stride_shape, pooling_shape):
        super().__init__()
        # A single int is the square 2-D window (p, p), as images are the usual case; 1-D needs (p_y,).
        length = 2 if isinstance(pooling_shape, numbers.Integral) and not isinstance(pooling_shape, bool) else None
        self.pooling_shape = check_int_tuple("Pooling pooling_shape", pooling_shape, length=length)
        if len(self.pooling_shape) not in (1, 2):
            raise ValueError(
                f"Pooling pooling_shape must have 1 or 2 entries (p_y,) or (p_y, p_x), "
                f"got {len(self.pooling_shape)}: {pooling_shape!r}"
            )
        self.spatial_dims = len(self.pooling_shape)
        self.stride_shape = check_int_tuple("Pooling stride_shape", stride_shape, length=self.spatial_dims)
        # What backward needs from the last forward.
        self._input_shape = None
        self._output_shape = None
        self._winner_masks = None

    def forward(self, input_tensor):
        """Return the maximum of every window and remember which entry of the window it was."""
        spatial_names = ("y", "x")[: self.spatial_dims]
        x = check_input(self, input_tensor, [("batch", "channels", *spatial_names)])
        if any(size < window for size, window in zip(x.shape[2:], self.pooling_shape, strict=True)):
            raise ValueError(
                f"Pooling pooling_shape {describe_shape(self.pooling_shape)} is larger than the input's spatial "
                f"size {describe_shape(x.shape[2:])} (input_tensor shape {describe_shape(x.shape)})"
            )
        self._input_shape = x.shape
        self._output_shape = (
            *x.shape[:2],
            *((size - window) // stride + 1
              for size, window, stride in zip(x.shape[2:], self.pooling_shape, self.stride_shape, strict=True)),
        )  # fmt: skip
        # windows[k, b, c, p, q] = entry k (offsets in row-major order) of window (p, q) of sample b, channel c
        windows = np.stack([x[self._entries(offset)] for offset in self._offsets()])
        maximum = windows.max(axis=0)  # y = max over the window (NaN when the window holds one)
        # The first entry equal to its window's maximum is the one the error goes back to (a NaN entry is
        # the maximum of its window, as in np.max).
        taken = np.zeros(maximum.shape, dtype=bool)
        self._winner_masks = []
        for entry in windows:
            is_winner = ((entry == maximum) | np.isnan(entry)) & ~taken
            taken |= is_winner
            self._winner_masks.append(is_winner)
        return maximum

    def backward(self, error_tensor):
        """Send every error value to the input position that was its window's maximum."""
        require_forward(self, self._winner_masks)
        error = check_error_shape(self, error_tensor, self._output_shape)
        error_input = np.zeros(self._input_shape, dtype=error.dtype)
        for offset, is_winner in zip(self._offsets(), self._winner_masks, strict=True):
            # Windows whose maximum is this entry send E there; overlapping windows add up.
            error_input[self._entries(offset)] += error * is_winner
        return error_input

    def _offsets(self):
        """The offsets (i, j) inside a window, in row-major order (the order ties are broken in)."""
        return np.ndindex(*self.pooling_shape)

    def _entries(self, offset):
        """Index of entry ``offset`` of every window: input position p·s + i for each output position p.

        ``x[self._entries((i, j))]`` has the output's shape (N, C, Y', X').
        """
        return (
            slice(None),
            slice(None),
            *(slice(start, start + stride * (count - 1) + 1, stride)
              for start, stride, count in zip(offset, self.stride_shape, self._output_shape[2:], strict=True)),
        )  # fmt: skip

    def config(self):
        return {"stride_shape": list(self.stride_shape), "pooling_shape": list(self.pooling_shape)}
