"""Change hyper-parameters of a network between training steps, without resetting anything.

Each trainable layer holds its own copy of the optimizer per array (and each copy its own regularizer),
so a new value must reach all of them. These functions do that; weights, velocities and Adam's moments
stay as they are, so the change takes effect on the next step and on nothing before it.

The values are checked where they are stored (the setters of ``Optimizer.learning_rate``,
``Regularizer.alpha`` and ``Dropout.probability``, and ``Optimizer.add_regularizer``): every object shares
its class's rule, so a refused value is refused by the first object, before anything has changed.
"""

import copy

from rnnreg.layers.dropout import Dropout
from rnnreg.network import check_network


def optimizers_of(network):
    """Every optimizer object of ``network``: its template and each layer's per-array copies."""
    check_network("optimizers_of", network)
    found = [network.optimizer]
    for layer in network.trainable_layers():  # a layer written to the exercise's skeleton may have neither
        if getattr(layer, "optimizer", None) is not None:
            found.append(layer.optimizer)
        found.extend(getattr(layer, "optimizers", {}).values())
    return found


def set_learning_rate(network, learning_rate):
    """Set the learning rate η of every optimizer of ``network``."""
    check_network("set_learning_rate", network)
    for optimizer in optimizers_of(network):
        optimizer.learning_rate = learning_rate


def set_regularizer(network, regularizer, *, into_gradient=False):
    """Give every optimizer of ``network`` its own copy of ``regularizer`` (None switches it off).

    ``into_gradient`` chooses between the exercise's shrinkage outside the optimizer (False) and adding
    the regularizer's gradient to the data gradient (True); see ``Optimizer.add_regularizer``.
    """
    check_network("set_regularizer", network)
    for optimizer in optimizers_of(network):
        optimizer.add_regularizer(copy.deepcopy(regularizer), into_gradient=into_gradient)


def set_regularization_strength(network, alpha):
    """Set α of the regularizer every optimizer of ``network`` holds (they must hold one)."""
    check_network("set_regularization_strength", network)
    optimizers = optimizers_of(network)
    if any(optimizer.regularizer is None for optimizer in optimizers):
        raise RuntimeError(
            "set_regularization_strength: the network's optimizers have no regularizer; "
            "add one with set_regularizer(network, L2Regularizer(alpha)) first"
        )
    for optimizer in optimizers:
        optimizer.regularizer.alpha = alpha


def set_keep_probability(network, probability):
    """Set the keep probability p of every Dropout layer of ``network``."""
    check_network("set_keep_probability", network)
    dropouts = [layer for layer in network.layers if isinstance(layer, Dropout)]
    if not dropouts:
        raise RuntimeError("set_keep_probability: the network has no Dropout layer")
    for layer in dropouts:
        layer.probability = probability
