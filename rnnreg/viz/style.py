"""One look for every figure: a colour-blind-safe palette, one colour per concept, projector-sized text.

Colours come from the Okabe-Ito palette (M. Okabe and K. Ito, "Color Universal Design", 2008), which stays
distinguishable under the common colour-vision deficiencies. Each concept keeps its colour in every lesson:
train blue and validation/test orange; L1 vermillion and L2 green; Elman purple and LSTM sky blue. The
train phase uses batch statistics and the test phase moving statistics, so BatchNorm's batch statistics
are drawn in the train colour and its moving statistics in the test colour.

Nothing here changes matplotlib's global settings: figures are built inside ``projector_style()``, a
temporary ``rc_context``.
"""

import contextlib

import matplotlib as mpl
from matplotlib.figure import Figure

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}

COLORS = {
    "train": OKABE_ITO["blue"],
    "validation": OKABE_ITO["orange"],
    "test": OKABE_ITO["orange"],
    "L1": OKABE_ITO["vermillion"],
    "L2": OKABE_ITO["bluish green"],
    "none": OKABE_ITO["black"],
    "Elman": OKABE_ITO["reddish purple"],
    "LSTM": OKABE_ITO["sky blue"],
    "batch": OKABE_ITO["blue"],
    "moving": OKABE_ITO["orange"],
    "data loss": OKABE_ITO["blue"],
    "regularization loss": OKABE_ITO["vermillion"],
    "target": OKABE_ITO["black"],
    "prediction": OKABE_ITO["orange"],
}

# Perceptually uniform and readable with colour-vision deficiencies; a diverging map for signed values.
SEQUENTIAL_CMAP = "cividis"
DIVERGING_CMAP = "PuOr_r"

FIGURE_WIDTH = 10.0  # inches: about 1000 pixels at 100 dpi, the width of a projected slide
DPI = 100

PROJECTOR_RC = {
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "figure.titlesize": 15,
    "lines.linewidth": 2.2,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": mpl.cycler(color=[*list(OKABE_ITO.values())[1:], OKABE_ITO["black"]]),
    "image.cmap": SEQUENTIAL_CMAP,
}


@contextlib.contextmanager
def projector_style():
    """Temporarily apply the projector settings (fonts >= 12 pt, thick lines, the palette)."""
    with mpl.rc_context(PROJECTOR_RC):
        yield


def new_figure(nrows=1, ncols=1, *, height=4.5, width=FIGURE_WIDTH, **subplot_options):
    """A projector-sized Figure (not registered with pyplot, so figures never pile up) and its axes.

    Returns ``(figure, axes)``; ``axes`` is one Axes for a 1 x 1 grid, else an array as from ``subplots``.
    Call it, and draw, inside ``projector_style()``.
    """
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=True, **subplot_options)
    return figure, axes
