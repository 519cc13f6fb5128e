"""Decision regions of a classifier over a 2-D input plane, with the points it should classify."""

import numpy as np
from matplotlib.colors import ListedColormap

from rnnreg.validation import check_non_negative_number, check_size
from rnnreg.viz._common import (
    MAX_BINS,
    NEUTRAL_GREY,
    PALETTE,
    as_float_array,
    format_percent,
    legend_if_several,
    prepare_axes,
)
from rnnreg.viz.style import projector_style

__all__ = ["plot_decision_boundary"]


def _class_labels(labels, count):
    array = np.asarray(labels)
    if array.ndim == 2:  # one-hot (or scores): the class is the largest entry
        if array.shape[1] < 1:
            raise ValueError(f"labels of shape {array.shape} hold no classes")
        array = np.argmax(array, axis=1)
    if array.ndim != 1:
        raise ValueError(f"labels must be class indices (N,) or one-hot rows (N, K), got shape {array.shape}")
    if array.shape[0] != count:
        raise ValueError(f"labels must have one entry per point: {count} points, got {array.shape[0]} labels")
    if array.dtype.kind == "b":
        array = array.astype(np.int64)
    if not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"labels must be integer class indices, got dtype {array.dtype}")
    if not np.all(np.isfinite(array)) or np.any(array != np.round(array)) or np.any(array < 0):
        raise ValueError("labels must be non-negative integer class indices (0, 1, …, K−1)")
    return array.astype(np.int64)


def _probabilities(predict, inputs, name):
    output = np.asarray(predict(inputs), dtype=float)
    if output.ndim == 1:
        output = output[:, np.newaxis]
    if output.ndim != 2 or output.shape[0] != inputs.shape[0]:
        raise ValueError(
            f"predict must return class probabilities of shape (M, K) for M input points; for {name} of shape "
            f"{inputs.shape} it returned shape {output.shape}"
        )
    if not np.all(np.isfinite(output)):
        raise ValueError(f"predict returned NaN or infinite values for {name}")
    return output


def _predicted_classes(probabilities):
    if probabilities.shape[1] == 1:  # a single sigmoid output: p(class 1)
        return (probabilities[:, 0] >= 0.5).astype(np.int64)
    return np.argmax(probabilities, axis=1)


def _check_limits(limits):
    """``(low (2,), high (2,))`` from ``((x low, x high), (y low, y high))``, finite and increasing."""
    array = np.asarray(limits, dtype=float)
    if array.shape != (2, 2) or not np.all(np.isfinite(array)) or np.any(array[:, 1] <= array[:, 0]):
        raise ValueError(f"limits must be ((x low, x high), (y low, y high)) with low < high, got {limits!r}")
    return array[:, 0], array[:, 1]


def plot_decision_boundary(predict, points, labels, *, ax=None, resolution=150, margin=0.5, class_names=None,
                           limits=None, faint_points=None, faint_label="other points", legend_title=None):
    """The class a classifier predicts everywhere in a 2-D input plane, with the points and their labels.

    Parameters
    ----------
    predict : callable
        Maps points of shape (M, 2) to class probabilities (M, K), e.g. ``network.test`` (which leaves the
        network in the test phase). K = 1 is read as a single output p(class 1).
    points : array_like, shape (N, 2)
        The inputs to show, e.g. the training set.
    labels : array_like, shape (N,) or (N, K)
        Their true classes, as indices or one-hot rows.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.
    resolution : int
        Grid points per axis at which ``predict`` is evaluated (``resolution²`` points in one call), at most
        ``MAX_BINS`` (1,000).
    margin : float
        Extra room around the points, in input units.
    class_names : sequence of str, optional
        Legend names of the classes (by default "class 0", "class 1", …).
    limits : ((float, float), (float, float)), optional
        The plane to show, ``((x₁ low, x₁ high), (x₂ low, x₂ high))``, e.g. one plane for several data sets
        so that their pictures compare; by default the points' range plus ``margin``.
    faint_points : array_like, shape (M, 2), optional
        More points to show in faint grey under the labelled ones, without their classes (e.g. the training
        set when ``points`` are the test points); they do not count in the title's accuracy.
    faint_label : str
        Their legend entry.
    legend_title : str, optional
        A title for the legend, e.g. "test points".

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Regions are filled lightly in the class's colour; with two classes a black line marks where the
    probability of class 1 is 0.5. The title states the accuracy of ``predict`` on ``points``.
    """
    if not callable(predict):
        raise TypeError(f"predict must be a function of (M, 2) points, e.g. network.test, got {type(predict).__name__}")
    points = as_float_array(points, "points", ndim=2)
    if points.shape[1] != 2:
        raise ValueError(f"points must have shape (N, 2): two input features per point, got shape {points.shape}")
    classes = _class_labels(labels, points.shape[0])
    resolution = check_size("resolution", resolution, MAX_BINS)
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2 grid points per axis, got {resolution}")
    margin = check_non_negative_number("margin", margin)
    if faint_points is not None:
        faint_points = as_float_array(faint_points, "faint_points", ndim=2)
        if faint_points.shape[1] != 2:
            raise ValueError(f"faint_points must have shape (M, 2), got shape {faint_points.shape}")

    if limits is None:
        low = points.min(axis=0) - margin
        high = points.max(axis=0) + margin
        high = np.where(high > low, high, low + 1.0)  # one point and no margin: still a plane to show
    else:
        low, high = _check_limits(limits)
    xs = np.linspace(low[0], high[0], resolution)
    ys = np.linspace(low[1], high[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    grid_probabilities = _probabilities(predict, grid, "the grid")
    point_probabilities = _probabilities(predict, points, "points")
    if point_probabilities.shape[1] != grid_probabilities.shape[1]:
        raise ValueError("predict returned a different number of classes for the grid and for the points")
    class_count = 2 if grid_probabilities.shape[1] == 1 else grid_probabilities.shape[1]
    if classes.max() >= class_count:
        raise ValueError(f"labels go up to class {classes.max()}, but predict returns {class_count} class(es)")
    if class_names is None:
        class_names = [f"class {k}" for k in range(class_count)]
    elif isinstance(class_names, str) or len(class_names) != class_count:
        raise ValueError(f"class_names must name all {class_count} classes, got {class_names!r}")
    correct = int(np.count_nonzero(_predicted_classes(point_probabilities) == classes))
    accuracy = correct / points.shape[0]
    region = _predicted_classes(grid_probabilities).reshape(resolution, resolution)
    colors = [PALETTE[k % len(PALETTE)] for k in range(class_count)]

    with projector_style():
        figure, ax = prepare_axes(ax, height=6.0)
        ax.imshow(
            region, origin="lower", extent=(low[0], high[0], low[1], high[1]), aspect="auto",
            cmap=ListedColormap(colors), vmin=-0.5, vmax=class_count - 0.5, alpha=0.3, interpolation="nearest",
        )
        if class_count == 2:
            class_one = grid_probabilities[:, -1].reshape(resolution, resolution)
            if class_one.min() < 0.5 < class_one.max():
                ax.contour(grid_x, grid_y, class_one, levels=[0.5], colors="black", linewidths=2)
        for k in range(class_count):
            chosen = classes == k
            if np.any(chosen):
                ax.scatter(
                    points[chosen, 0], points[chosen, 1], s=45, color=colors[k], edgecolors="black",
                    linewidths=0.8, label=str(class_names[k]), zorder=3,
                )
        if faint_points is not None:
            ax.scatter(faint_points[:, 0], faint_points[:, 1], s=12, color=NEUTRAL_GREY, alpha=0.5, zorder=2,
                       label=faint_label)
        ax.set_xlim(low[0], high[0])
        ax.set_ylim(low[1], high[1])
        ax.grid(False)
        ax.set_xlabel("input feature x₁")
        ax.set_ylabel("input feature x₂")
        ax.set_title(f"Accuracy {format_percent(accuracy)} on these {points.shape[0]} points ({correct} correct)")
        legend_if_several(ax, loc="upper left", bbox_to_anchor=(1.01, 1.0), title=legend_title)
    return figure
