"""Gradient clipping by global norm, the usual guard against exploding gradients in recurrent nets."""

import numpy as np

from rnnreg.network import check_network, parameter_names
from rnnreg.validation import check_positive_number


def stored_gradients(network):
    """(layer, name) of every gradient ``backward`` stored in the trainable layers of ``network``."""
    return [
        (layer, name)
        for layer in network.trainable_layers()
        for name in parameter_names(layer)
        if getattr(layer, f"gradient_{name}", None) is not None
    ]


def global_gradient_norm(network):
    """‖g‖₂ = sqrt(Σ over every stored gradient array of Σ g²).

    Raises
    ------
    TypeError
        ``network`` is not a NeuralNetwork.
    RuntimeError
        The network has trainable layers but no gradient stored yet (a norm of 0 would look like a flat loss).
    """
    check_network("global_gradient_norm", network)
    stored = stored_gradients(network)
    if not stored and network.trainable_layers():
        raise RuntimeError(
            "global_gradient_norm: no gradient is stored yet; run backward() (or a training step) first"
        )
    gradients = [getattr(layer, f"gradient_{name}") for layer, name in stored]
    return float(np.sqrt(sum((gradient**2).sum() for gradient in gradients)))


def check_max_norm(name, max_norm):
    """Return ``max_norm`` as a positive finite float, or None (no clipping): the one rule for a clipping bound.

    A negative bound would flip every gradient (gradient ascent) and 0 would zero them, so both are refused
    along with NaN, infinity and non-numbers; ``fit``'s ``clip_norm`` and ``clip_by_global_norm`` use this.
    """
    return None if max_norm is None else check_positive_number(name, max_norm)


def clip_by_global_norm(network, max_norm):
    """Scale every stored gradient by max_norm / ‖g‖ when ‖g‖ > max_norm; return ‖g‖ before clipping.

    All arrays shrink by the same factor, so the direction of the step is kept and only its length is
    bounded: afterwards ‖g‖ ≤ max_norm.

    Parameters
    ----------
    network : NeuralNetwork
        Its trainable layers hold the gradients of the last ``backward``.
    max_norm : float or None
        The bound, a positive finite number; None clips nothing and only measures ‖g‖.

    Raises
    ------
    TypeError, ValueError
        ``max_norm`` is not a number, or not positive and finite; ``network`` is not a NeuralNetwork.
    RuntimeError
        No gradient is stored yet (see ``global_gradient_norm``).
    """
    max_norm = check_max_norm("clip_by_global_norm max_norm", max_norm)
    norm = global_gradient_norm(network)
    if max_norm is not None and norm > max_norm:
        scale = max_norm / norm
        for layer, name in stored_gradients(network):
            setattr(layer, f"gradient_{name}", getattr(layer, f"gradient_{name}") * scale)
    return norm
