"""Figures for the lessons: arrays, histories and recorders in, a projector-ready matplotlib Figure out.

Every function draws into a new figure (10 inches wide, fonts of 12 pt or more, the colour-blind-safe
palette of :mod:`rnnreg.viz.style`) or, with ``ax=`` / ``axes=``, into Axes the caller owns (cleared first, so
a dashboard can redraw them again and again), and returns the Figure. Nothing here trains, uses pyplot's
figure manager or changes matplotlib's global settings.

>>> from rnnreg.viz import plot_train_validation, plot_weight_histograms
>>> plot_train_validation(history)                               # per-epoch train vs validation accuracy
>>> plot_weight_histograms({"L1": w_l1, "L2": w_l2})            # title: which one has the most near-zero weights
"""

from rnnreg.viz.batch_norm import (
    plot_batch_norm_statistics,
    plot_batch_size_effect,
    plot_channel_statistics,
    plot_note,
    plot_phase_normalization,
    plot_phase_probabilities,
    plot_seed_curves,
)
from rnnreg.viz.boundaries import plot_decision_boundary
from rnnreg.viz.curves import (
    plot_comparison_curves,
    plot_early_stopping,
    plot_live_training,
    plot_loss_curves,
    plot_train_validation,
)
from rnnreg.viz.dropout import (
    plot_dropout_batch,
    plot_dropout_mask,
    plot_mask_average,
    plot_phase_activations,
    plot_seed_loss_curves,
    plot_seed_pairs,
)
from rnnreg.viz.recurrent import (
    plot_clipping,
    plot_gate_activations,
    plot_gradient_norms,
    plot_hidden_states,
    plot_memory_losses,
    plot_recall,
    plot_sequence_predictions,
)
from rnnreg.viz.regularization import plot_alpha_curves, plot_feature_sizes, plot_seed_bands
from rnnreg.viz.style import COLORS, DIVERGING_CMAP, SEQUENTIAL_CMAP, new_figure, projector_style
from rnnreg.viz.weights import (
    plot_sparsity_curves,
    plot_weight_evolution,
    plot_weight_histograms,
    plot_weight_norms,
)

__all__ = [
    "COLORS",
    "DIVERGING_CMAP",
    "SEQUENTIAL_CMAP",
    "new_figure",
    "plot_alpha_curves",
    "plot_batch_norm_statistics",
    "plot_batch_size_effect",
    "plot_channel_statistics",
    "plot_clipping",
    "plot_comparison_curves",
    "plot_decision_boundary",
    "plot_dropout_batch",
    "plot_dropout_mask",
    "plot_early_stopping",
    "plot_feature_sizes",
    "plot_gate_activations",
    "plot_gradient_norms",
    "plot_hidden_states",
    "plot_live_training",
    "plot_loss_curves",
    "plot_mask_average",
    "plot_memory_losses",
    "plot_note",
    "plot_phase_activations",
    "plot_phase_normalization",
    "plot_phase_probabilities",
    "plot_recall",
    "plot_seed_bands",
    "plot_seed_curves",
    "plot_seed_loss_curves",
    "plot_seed_pairs",
    "plot_sequence_predictions",
    "plot_sparsity_curves",
    "plot_train_validation",
    "plot_weight_evolution",
    "plot_weight_histograms",
    "plot_weight_norms",
    "projector_style",
]
