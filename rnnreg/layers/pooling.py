"""Max pooling over 1-D or 2-D windows, without padding ("valid")."""

import itertools
import math
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
        self._input_shape = None
        self._winners = None
        self._output_shape = None
        self._geometry_key = None  # the shapes ``_geometry`` was made for
        self._geometry = None

    def forward(self, input_tensor):
        """Return the maximum of every window and remember where each maximum was."""
        spatial_names = ("y", "x")[: self.spatial_dims]
        x = check_input(self, input_tensor, [("batch", "channels", *spatial_names)])
        if any(size < window for size, window in zip(x.shape[2:], self.pooling_shape, strict=True)):
            raise ValueError(
                f"Pooling pooling_shape {describe_shape(self.pooling_shape)} is larger than the input's spatial "
                f"size {describe_shape(x.shape[2:])} (input_tensor shape {describe_shape(x.shape)})"
            )
        output_shape = (
            *x.shape[:2],
            *((size - window) // stride + 1
              for size, window, stride in zip(x.shape[2:], self.pooling_shape, self.stride_shape, strict=True)),
        )  # fmt: skip
        # Each offset inside the window is one strided view that holds that entry of EVERY window, so each
        # pass below works on a whole block of windows (a loop over the window, not the batch). With the
        # spatial axes first, (Y, X, N, C), such a view is made of long contiguous runs of N·C values
        # (not of Y'·X' runs of one or two values), which keeps the passes fast.
        spatial_first = np.ascontiguousarray(np.moveaxis(x, (0, 1), (-2, -1)))
        entries = [spatial_first[self._window_entries(offset, output_shape)] for offset in self._offsets()]
        maximum = entries[0].copy()
        for candidate in entries[1:]:
            np.maximum(maximum, candidate, out=maximum)  # NaN propagates, as in np.max
        # Which entry of its window each maximum is (backward works out the input positions), and the
        # maxima, both back in the (N, C, Y', X') layout of the output.
        self._winners = np.ascontiguousarray(np.moveaxis(self._first_maximum(entries, maximum), (-2, -1), (0, 1)))
        self._input_shape = x.shape
        self._output_shape = output_shape
        return np.ascontiguousarray(np.moveaxis(maximum, (-2, -1), (0, 1)))

    def backward(self, error_tensor):
        """Send every error value to the input position that was its window's maximum."""
        require_forward(self, self._winners)
        error = check_error_shape(self, error_tensor, self._output_shape)
        # Where each maximum sits, as a flat index into x.ravel(): the window's first entry plus the offset
        # of the winning entry inside the window.
        starts, offsets = self._window_geometry()
        positions = starts + offsets.take(self._winners)
        # Sum the errors per input position; overlapping windows that picked the same input add up.
        error_input = np.bincount(
            positions.ravel(), weights=error.ravel(), minlength=math.prod(self._input_shape)
        )
        return error_input.reshape(self._input_shape).astype(error.dtype, copy=False)

    @staticmethod
    def _first_maximum(entries, maximum):
        """For every window, the index k (in ``_offsets`` order) of its first entry that equals its maximum.

        Counted as the number of entries before the first maximum: a flag per window stays up while no
        maximum has been seen, and each entry adds the flag, so ties go to the first maximum in row-major
        order (np.argmax's rule); a NaN counts as the maximum. Whole blocks of windows per pass, no
        per-element indexing.
        """
        has_nan = bool(np.isnan(maximum).any())
        searching = np.ones(maximum.shape, dtype=bool)
        winners = np.zeros(maximum.shape, dtype=np.min_scalar_type(len(entries)))
        for candidate in entries[:-1]:
            not_maximum = candidate != maximum
            if has_nan:
                not_maximum &= ~np.isnan(candidate)
            searching &= not_maximum
            winners += searching.view(np.uint8)  # the flag as 0 or 1, without a cast
        return winners

    def _window_geometry(self):
        """Flat indices into x.ravel() for the last forward's shapes: every window's first entry, shape
        (N, C, Y', X'), and every offset inside a window, in ``_offsets`` order.

        They depend on the shapes, the window and the stride only, so they are kept until one changes.
        """
        key = (self._input_shape, self.pooling_shape, self.stride_shape)
        if self._geometry_key != key:
            starts = np.moveaxis(self._window_starts(self._input_shape, self._output_shape), (-2, -1), (0, 1))
            offsets = [np.ravel_multi_index(offset, self._input_shape[2:]) for offset in self._offsets()]
            self._geometry = (np.ascontiguousarray(starts), np.array(offsets))
            self._geometry_key = key
        return self._geometry

    def _window_starts(self, input_shape, output_shape):
        """Flat index into x.ravel() of the first entry (offset 0) of every window, shape (Y', X', N, C).

        Window (p, q) of sample b, channel c starts at input position (b, c, p·s_y, q·s_x), whose flat index
        is (b·C + c)·Y·X + p·s_y·X + q·s_x: a (Y', X') table within one image plane plus one per plane.
        """
        spatial = input_shape[2:]
        corners = np.ix_(
            *(np.arange(count) * stride for count, stride in zip(output_shape[2:], self.stride_shape, strict=True))
        )
        in_plane = np.ravel_multi_index(corners, spatial)
        planes = np.arange(math.prod(input_shape[:2])).reshape(input_shape[:2]) * math.prod(spatial)
        return in_plane.reshape(*in_plane.shape, 1, 1) + planes

    def _offsets(self):
        """The offsets (i, j) inside a window, in row-major order (the order ties are broken in)."""
        return itertools.product(*(range(extent) for extent in self.pooling_shape))

    def _window_entries(self, offset, output_shape):
        """Index, into the spatial-first (Y, X, N, C) input, of entry ``offset`` of every window.

        Input position p·s + offset for each output p, along each spatial axis.
        """
        return tuple(
            slice(start, start + stride * (count - 1) + 1, stride)
            for start, stride, count in zip(offset, self.stride_shape, output_shape[2:], strict=True)
        )

    def config(self):
        return {"stride_shape": list(self.stride_shape), "pooling_shape": list(self.pooling_shape)}
