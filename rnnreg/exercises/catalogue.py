"""The misconception catalogue: every mistake the checker can name, with a title and a hint.

``MISCONCEPTIONS`` maps an id to a :class:`Misconception` (title, hint). Its order is the order a report
lists findings in: within a topic the forward pass comes before the test phase and the backward pass, so
the most fundamental mistake is read first. Two ids are not misconceptions but outcomes of the run itself
and live in ``GENERAL``: ``raises`` (the candidate raised an exception) and ``wrong-shape`` (an output of
the wrong shape). How each mistake is recognised is written in the docstring of its topic module
(``rnnreg.exercises.regularizers``, ``optimizers``, ``dropout``, ``batch_norm``, ``recurrent``).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Misconception:
    """One catalogue entry: a short title (what is wrong) and a hint (where to look)."""

    title: str
    hint: str


GENERAL = {
    "raises": Misconception(
        "The class raised an exception",
        "Read the exception and the call that raised it; finish the method (a handout still raises "
        "NotImplementedError) and follow the constructor signature of the exercise.",
    ),
    "wrong-shape": Misconception(
        "An output has the wrong shape",
        "Compare the shape you return with the Shapes section of the reference layer: forward keeps the "
        "input's shape (the RNN returns (T, K)), backward returns the shape of the forward input, and "
        "gradients have the shape of the arrays they belong to.",
    ),
}

_REGULARIZERS = {
    "regularizer-alpha-missing": Misconception(
        "The strength α is missing", "Both calculate_gradient and norm are multiplied by α."
    ),
    "l2-gradient-doubled": Misconception(
        "L2 gradient is 2αw instead of αw",
        "The exercise's L2 gradient is α·w: it is the gradient of α/2·Σw², so the factor 2 is already gone.",
    ),
    "l1-gradient-not-sign": Misconception(
        "L1 gradient is not α·sign(w)",
        "The derivative of |w| is sign(w) (0 at w = 0): use α·np.sign(w), not α·w or α·|w|.",
    ),
    "regularizer-gradient-wrong": Misconception(
        "calculate_gradient returns other values", "calculate_gradient(w) is α·w (L2) or α·sign(w) (L1)."
    ),
    "l2-norm-halved": Misconception(
        "L2 norm is α/2·Σw² instead of α·Σw²",
        "The exercise's norm is α·Σw² (the factor 2 lives in the gradient's convention, not in the norm).",
    ),
    "l2-norm-not-squared": Misconception(
        "L2 norm is α·‖w‖ instead of α·Σw²", "Sum the squares and do not take the square root."
    ),
    "l1-norm-without-abs": Misconception(
        "L1 norm sums w instead of |w|", "Negative weights must add to the penalty: α·Σ|w|."
    ),
    "regularizer-norm-wrong": Misconception(
        "norm returns another value", "norm(w) is α·Σw² (L2) or α·Σ|w| (L1): one number."
    ),
}

_OPTIMIZERS = {
    "sgd-momentum-update-wrong": Misconception(
        "The momentum update gives other weights",
        "v ← μ·v − η·g, then w ← w + v, with v starting at 0 and kept between calls.",
    ),
    "adam-update-wrong": Misconception(
        "The Adam update gives other weights",
        "v ← μv + (1−μ)g, r ← ρr + (1−ρ)g², v̂ = v/(1−μᵗ), r̂ = r/(1−ρᵗ), w ← w − η·v̂/(√r̂ + ε), t from 1.",
    ),
    "adam-no-bias-correction": Misconception(
        "Adam without bias correction",
        "Divide v by (1−μᵗ) and r by (1−ρᵗ), with t counting the calls from 1: the moments start at 0.",
    ),
    "regularizer-ignored": Misconception(
        "The regularizer is never applied",
        "After add_regularizer, calculate_update must also shrink the weights by η·regularizer.calculate_gradient(w).",
    ),
    "regularizer-without-learning-rate": Misconception(
        "The shrinkage is not multiplied by η", "The weights shrink by η·regularizer.calculate_gradient(w)."
    ),
    "optimizer-regularizer-wrong": Misconception(
        "The update with a regularizer is wrong",
        "With a regularizer: w ← w − η·reg.calculate_gradient(w) + (the usual step with the data gradient).",
    ),
    "regularizer-inside-momentum": Misconception(
        "The regularizer's gradient enters the velocity (or Adam's moments)",
        "The exercise shrinks the pre-update weights outside the optimizer's state: "
        "w ← w − η·reg'(w) + (the usual step with the data gradient only).",
    ),
}

_DROPOUT = {
    "dropout-forward-wrong": Misconception(
        "The training-phase forward pass is wrong",
        "Keep each unit with probability p (mask = random < p) and multiply the kept ones by 1/p.",
    ),
    "dropout-drop-probability": Misconception(
        "p is read as the chance to DROP a unit",
        "In the exercise p is the fraction KEPT: mask = np.random.rand(...) < p.",
    ),
    "dropout-not-inverted": Misconception(
        "Kept units are not scaled by 1/p while training",
        "Inverted dropout divides by p at training time so that the test phase can be the identity.",
    ),
    "dropout-active-at-test": Misconception(
        "Dropout still acts in the test phase",
        "With testing_phase True forward returns the input unchanged (no mask, no scaling).",
    ),
    "dropout-backward-wrong": Misconception(
        "The backward pass is wrong", "dL/dx = E ⊙ mask / p, with the mask of the last forward."
    ),
    "dropout-new-mask-in-backward": Misconception(
        "backward draws a new mask",
        "Store the mask in forward and reuse it in backward: the gradient flows only through the kept units.",
    ),
    "dropout-backward-not-scaled": Misconception(
        "backward forgets the 1/p", "The forward pass multiplied by 1/p, so the backward pass must too."
    ),
}

_BATCH_NORM = {
    "bn-forward-wrong": Misconception(
        "The training-phase forward pass is wrong",
        "x̂ = (x − μ_B)/√(σ²_B + ε) per channel, then y = γ·x̂ + β.",
    ),
    "bn-image-per-position": Misconception(
        "A 4-D input is normalised per channel AND position",
        "For images, each channel has one mean and variance over the batch and all positions: "
        "reshape to (N·Y·X, C) (or sum over the axes 0, 2, 3).",
    ),
    "bn-unbiased-variance": Misconception(
        "The variance is the unbiased one (divided by M − 1)",
        "The exercise uses the biased variance np.var(x, axis=0) (ddof = 0), in the batch statistics and "
        "in the moving average alike.",
    ),
    "bn-parameter-gradients-wrong": Misconception(
        "gradient_weights or gradient_bias is wrong", "dL/dγ = Σ E ⊙ x̂ and dL/dβ = Σ E, per channel."
    ),
    "bn-backward-wrong": Misconception(
        "The input gradient is wrong",
        "dL/dx = γ/√(σ²_B + ε) · (E − mean(E) − x̂ ⊙ mean(E ⊙ x̂)), the means per channel.",
    ),
    "bn-backward-constant-statistics": Misconception(
        "backward treats μ_B and σ²_B as constants",
        "In the training phase every x also enters μ_B and σ²_B: the input gradient has two more terms.",
    ),
    "bn-optimizer-not-applied": Misconception(
        "γ and β are not updated by the optimizer",
        "When an optimizer is set, backward updates weights (γ) and bias (β) with calculate_update.",
    ),
    "bn-test-phase-wrong": Misconception(
        "The test-phase forward pass is wrong",
        "At test time normalise with the moving mean and variance: y = γ(x − μ_mov)/√(σ²_mov + ε) + β.",
    ),
    "bn-batch-statistics-at-test": Misconception(
        "The test phase normalises with the batch's own statistics",
        "At test time use the moving averages: a prediction must not depend on the other samples of the batch.",
    ),
    "bn-moving-average-start": Misconception(
        "The moving averages do not start from the first batch",
        "The exercise sets μ_mov = μ_B and σ²_mov = σ²_B at the first training batch (not 0 and 1, not zeros).",
    ),
    "bn-momentum-swapped": Misconception(
        "The moving-average weights are swapped",
        "μ_mov ← 0.8·μ_mov + 0.2·μ_B: the OLD average keeps the weight 0.8.",
    ),
}

_RECURRENT = {
    "rnn-forward-wrong": Misconception(
        "The forward pass is wrong",
        "h_t = tanh([x_t, h_{t−1}, 1]·W_h), y_t = σ([h_t, 1]·W_y), with the rows of W_h in the order x, h, bias.",
    ),
    "lstm-forward-wrong": Misconception(
        "The forward pass is wrong",
        "f, i, o = σ(·), c̃ = tanh(·) from [x_t, h_{t−1}, 1]·W_h; c_t = f⊙c_{t−1} + i⊙c̃; h_t = o⊙tanh(c_t); "
        "y_t = σ([h_t, 1]·W_y).",
    ),
    "lstm-gate-order": Misconception(
        "The gate blocks of the weights are read in another order",
        "The four H-wide column blocks of weights are f, i, c̃, o in this order (not CS231n's i, f, o, g or "
        "PyTorch's i, f, g, o).",
    ),
    "rnn-memorize-wrong": Misconception(
        "The state across calls is wrong", "memorize False: start every forward from zeros; True: from the last state."
    ),
    "rnn-state-not-reset": Misconception(
        "A new sequence starts from the old state although memorize is off",
        "With memorize False every forward starts from h_0 = 0 (and c_0 = 0).",
    ),
    "rnn-state-not-carried": Misconception(
        "memorize is on, but every forward starts from zeros",
        "With memorize True keep the last hidden state (and cell state) and start the next forward from it.",
    ),
    "rnn-backward-wrong": Misconception(
        "The input gradient is wrong", "Follow the backward equations step by step from t = T down to 1."
    ),
    "lstm-backward-wrong": Misconception(
        "The input gradient is wrong", "Follow the backward equations step by step from t = T down to 1."
    ),
    "rnn-tanh-derivative": Misconception(
        "The derivative of tanh is wrong",
        "tanh'(a) = 1 − tanh²(a) = 1 − h_t²: use the stored h_t, do not apply tanh to it again.",
    ),
    "rnn-no-backprop-through-time": Misconception(
        "The gradient from step t+1 does not reach step t",
        "dL/dh_t = (from the output y_t) + (from step t+1: da_{t+1}·W_hhᵀ).",
    ),
    "lstm-cell-gradient-not-carried": Misconception(
        "dL/dc_t does not flow back to c_{t−1}",
        "dc_t = dc_{t+1} ⊙ f_{t+1} + dh_t ⊙ o_t ⊙ (1 − tanh²(c_t)): the cell state carries gradient too.",
    ),
    "rnn-weight-gradients-wrong": Misconception(
        "gradient_weights or gradient_output_weights is wrong",
        "dL/dW_h = Σ_t [x_t, h_{t−1}, 1]ᵀ da_t and dL/dW_y = Σ_t [h_t, 1]ᵀ dz_t.",
    ),
    "lstm-weight-gradients-wrong": Misconception(
        "gradient_weights or gradient_output_weights is wrong",
        "dL/dW_h = Σ_t [x_t, h_{t−1}, 1]ᵀ da_t and dL/dW_y = Σ_t [h_t, 1]ᵀ dz_t, da_t the four gate blocks.",
    ),
    "rnn-gradients-not-summed": Misconception(
        "Weight gradients of one time step only",
        "The weights are shared by all steps: add every step's gradient (+=), do not overwrite it.",
    ),
}

MISCONCEPTIONS = {**_REGULARIZERS, **_OPTIMIZERS, **_DROPOUT, **_BATCH_NORM, **_RECURRENT}

# The order findings are listed in: the run itself, then the catalogue's order.
FINDING_ORDER = {identifier: rank for rank, identifier in enumerate([*GENERAL, *MISCONCEPTIONS])}
