"""Gradient clipping by global norm, the usual guard against exploding gradients in recurrent nets."""

import numpy as np


def stored_gradients(network):
    """(layer, name) of every gradient ``backward`` stored in the trainable layers of ``network``."""
    return [
        (layer, name)
        for layer in network.trainable_layers()
        for name in layer.parameter_names
        if getattr(layer, f"gradient_{name}", None) is not None
    ]


def global_gradient_norm(network):
    """‖g‖₂ = sqrt(Σ over every stored gradient array of Σ g²)."""
    gradients = [getattr(layer, f"gradient_{name}") for layer, name in stored_gradients(network)]
    return float(np.sqrt(sum((gradient**2).sum() for gradient in gradients)))


def clip_by_global_norm(network, max_norm):
    """Scale every stored gradient by max_norm / ‖g‖ when ‖g‖ > max_norm; return ‖g‖ before clipping.

    All arrays shrink by the same factor, so the direction of the step is kept and only its length is
    bounded: afterwards ‖g‖ ≤ max_norm.
    """
    norm = global_gradient_norm(network)
    if max_norm is not None and norm > max_norm:
        scale = max_norm / norm
        for layer, name in stored_gradients(network):
            setattr(layer, f"gradient_{name}", getattr(layer, f"gradient_{name}") * scale)
    return norm
