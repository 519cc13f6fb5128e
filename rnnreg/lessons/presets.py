"""The named settings of every dashboard, as data: what the lecturers' guide shows with which setting, and why.

Each dashboard of ``rnnreg.widgets`` has a few presets, taken from the lecturers' guide ("Which dashboard for
which point", its column "preset that shows it"). A preset names every control of its dashboard, with the
values the controls hold (``Dashboard.set(**preset.values)`` applies it in one refresh), so a preset always
gives the same picture whatever was shown before. Its takeaway is the one sentence to say when it is on
screen: qualitative, so that it is true on every machine; the numbers to read out are in the dashboard's
title and status line, computed. The guide's lecture scripts ("Lecture scripts") call presets by name.

No NumPy and no widgets here: a presenter view, a handout or a test reads these without building anything.
"""

import dataclasses
import types

__all__ = ["PANELS", "PRESETS", "Preset", "panels_for", "preset", "presets_for"]


@dataclasses.dataclass(frozen=True)
class Preset:
    """One named setting of one dashboard.

    Attributes
    ----------
    name : str
        What the lecturer clicks ("L2 at its best α"); unique among its dashboard's presets.
    values : mapping
        Control name -> value, for every control of the dashboard, exactly as ``Dashboard.set`` takes them.
    takeaway : str
        One sentence: what the room should see in this setting.
    panel : str or None
        The panel of the dashboard's figure (``PANELS``) that shows it: the presenter turns to it. None: the
        figure has one panel.
    """

    name: str
    values: types.MappingProxyType
    takeaway: str
    panel: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "values", types.MappingProxyType(dict(self.values)))


def _presets(*presets):
    return tuple(Preset(*fields) for fields in presets)


_MOONS = {"dataset": "two moons", "learning_rate": 1e-2, "hidden_units": 16}
_SPIRALS = {"dataset": "spirals", "learning_rate": 1e-2, "dropout_rate": 0.2, "phase": "test"}
_BATCH_NORM = {"batch_norm": True, "momentum": 0.8, "batch_size": 20, "seed": 0, "channel": 2}  # 2: petal length
_LIVE = {"l2_strength": 1e-2, "dropout_rate": 0.3, "learning_rate": 2e-3, "weights_shown": "fully connected"}

PRESETS = types.MappingProxyType({
    # 00_tour
    "DecisionBoundaryDashboard": _presets(
        ("dropout on, train phase", {**_MOONS, "dropout_rate": 0.5, "phase": "train"},
         "While training, dropout draws a new mask for every prediction, so the boundary comes out ragged.",
         "decision boundary"),
        ("dropout on, test phase", {**_MOONS, "dropout_rate": 0.5, "phase": "test"},
         "At test time dropout is the identity, so the same trained network draws one fixed, less ragged boundary.",
         "decision boundary"),
        ("no dropout: the phases agree", {**_MOONS, "dropout_rate": 0.0, "phase": "train"},
         "Without dropout the train and test phases compute exactly the same boundary.", "decision boundary"),
        ("too narrow: 2 hidden units", {**_SPIRALS, "hidden_units": 2},
         "Two hidden units per layer cannot bend the boundary around the spirals, so even many training points "
         "end up on the wrong side.", "decision boundary"),
        ("wide enough: 32 hidden units", {**_SPIRALS, "hidden_units": 32},
         "With 32 hidden units per layer the boundary follows the spirals, on the training and the test points.",
         "decision boundary"),
        ("step size too small", {**_MOONS, "learning_rate": 1e-4, "dropout_rate": 0.2, "phase": "test"},
         "With η a hundred times smaller the same number of steps leaves the training loss more than five times "
         "higher.", "training loss"),
    ),
    # 01_regularizers
    "RegularizerDashboard": _presets(
        ("no regularization", {"regularizer": "none", "alpha": 0.0, "learning_rate": 2e-2},
         "Without a penalty nothing pulls the noise features' weights down: the picture every penalty is "
         "compared with.", "feature sizes"),
        ("strong L1", {"regularizer": "L1", "alpha": 0.1, "learning_rate": 2e-2},
         "The exercise's L1 subgradient step drives many weights near zero, where they jitter, but not exactly "
         "to zero.", "weight histogram"),
        ("strong L1, proximal", {"regularizer": "L1 proximal", "alpha": 0.1, "learning_rate": 2e-2},
         "The proximal L1 step sets weights exactly to zero, and the title counts them.", "weight histogram"),
        ("L2 at α = 1", {"regularizer": "L2", "alpha": 1.0, "learning_rate": 2e-2},
         "L2 shrinks the weights of the noise features far below the unregularized ones and the informative "
         "features' weights much less.", "feature sizes"),
        ("L2 far too strong", {"regularizer": "L2", "alpha": 30.0, "learning_rate": 2e-2},
         "At α = 30 every weight is near zero, so the network says 50 : 50 for every sample and its loss sits "
         "at ln 2.", "weight histogram"),
    ),
    "L2RulesDashboard": _presets(
        ("SGD: the rules are one", {"optimizer": "SGD", "alpha_decoupled": 1.0, "alpha_gradient": 1.0},
         "Under plain SGD decoupled weight decay and L2 in the gradient are the same update, so their curves "
         "coincide.", "size of the weights"),
        ("momentum: decoupled α ten times", {"optimizer": "momentum", "alpha_decoupled": 10.0, "alpha_gradient": 1.0},
         "Under momentum the decoupled rule needs about ten times the α of the gradient form for the weight "
         "norms to end together.", "size of the weights"),
        ("L2 at its best α", {"optimizer": "Adam", "alpha_decoupled": 1.0, "alpha_gradient": 1.0},
         "Under Adam α means a different strength in each rule, so compare the rules only each at its own "
         "best α.", "validation loss"),
    ),
    # 02_dropout
    "DropoutPhaseDashboard": _presets(
        ("rate 0.5, train phase", {"rate": 0.5, "phase": "train", "scaling": "inverted"},
         "While training, dropout zeroes a random half of the units (on average) and divides the kept ones by p.",
         "one mask"),
        ("rate 0.5, test phase", {"rate": 0.5, "phase": "test", "scaling": "inverted"},
         "At test time inverted dropout returns its input unchanged.", "one mask"),
        ("no scaling: the mistake", {"rate": 0.5, "phase": "train", "scaling": "mistake"},
         "Without dividing by p the train phase is on average p times the test phase, so the two phases no "
         "longer agree on average.", "averaged over masks"),
    ),
    "DropoutOverfittingDashboard": _presets(
        ("no dropout", {"rate": 0.0, "where": "inputs and hidden"},
         "Without dropout the training loss falls towards zero while the validation loss stays high: overfitting.",
         "loss curves"),
        ("dropout 0.5 on inputs and hidden units", {"rate": 0.5, "where": "inputs and hidden"},
         "Dropout on the inputs and hidden units lowers the validation loss in every seed.", "final loss per seed"),
        ("dropout 0.5 on hidden units only", {"rate": 0.5, "where": "hidden"},
         "Dropout on the hidden units alone no longer lowers the validation loss seed by seed.", "final loss per seed"),
    ),
    # 03_batch_norm
    "BatchNormDashboard": _presets(
        ("batch of 20, train phase", {**_BATCH_NORM, "phase": "train"},
         "In the train phase BatchNorm normalises with the statistics of the batch itself.", "normalised test batch"),
        ("batch of 20, test phase", {**_BATCH_NORM, "phase": "test"},
         "In the test phase BatchNorm normalises with the moving averages it kept while training.",
         "normalised test batch"),
        ("slow moving average", {**_BATCH_NORM, "momentum": 0.99, "phase": "test"},
         "With momentum 0.99 the moving averages keep most of their old value and follow the data slowly.", "mean"),
        ("batches of 2", {**_BATCH_NORM, "batch_size": 2, "phase": "train"},
         "With batches of two the batch statistics scatter widely, so BatchNorm's training signal is noisy.", "mean"),
    ),
    "BatchNormSpeedDashboard": _presets(
        ("η too small for the plain net", {"learning_rate": 1e-3, "batch_size": 32},
         "At a small η BatchNorm learns faster than the plain network in every seed.", "training loss"),
        ("η near the plain net's best", {"learning_rate": 1e-2, "batch_size": 32},
         "Near the plain network's best η BatchNorm keeps only a small lead.", "training loss"),
        ("η too large for the plain net", {"learning_rate": 10**-1.25, "batch_size": 32},
         "At an η too large for the plain network it learns next to nothing, while BatchNorm still learns.",
         "training loss"),
    ),
    # 04_recurrent
    "GradientFlowDashboard": _presets(
        ("delay 60, forget bias 5", {"delay": 60, "forget_bias": 5.0},
         "With its forget gate open the LSTM keeps far more of the gradient at step 1 than the Elman RNN."),
        ("forget bias 0", {"delay": 60, "forget_bias": 0.0},
         "With the forget gate half closed the LSTM's gradient vanishes too, below the Elman RNN's."),
        ("delay 100", {"delay": 100, "forget_bias": 5.0},
         "A longer delay only extends the Elman RNN's vanishing gradient further downwards."),
    ),
    "MemoryTaskDashboard": _presets(
        ("short delay", {"model": "Elman", "delay": 5, "truncation": 0, "seed": 0},
         "Over a short delay both the Elman RNN and the LSTM recall the number.", "recall"),
        ("delay beyond Elman's reach", {"model": "Elman", "delay": 40, "truncation": 0, "seed": 0},
         "After a long delay the LSTM still recalls the number while the Elman RNN mostly does not.", "recall"),
        ("full BPTT at delay 20", {"model": "LSTM", "delay": 20, "truncation": 0, "seed": 0},
         "With full back-propagation through time the LSTM learns to recall after 20 steps.", "recall"),
        ("window too short", {"model": "LSTM", "delay": 20, "truncation": 20, "seed": 0},
         "A truncation window that misses the one step showing the number leaves the LSTM unable to recall it.",
         "recall"),
        ("window long enough", {"model": "LSTM", "delay": 20, "truncation": 30, "seed": 0},
         "A window longer than the sequence is full back-propagation through time again.", "recall"),
    ),
    "ClippingDashboard": _presets(
        ("exploding, clipped at 1", {"spectral_radius": 3.0, "clip_norm": 1.0},
         "With a spectral radius of 3 the gradients explode and plain SGD fails, while clipping at 1 lets it "
         "learn.", "training loss"),
        ("exploding, clipped at 10", {"spectral_radius": 3.0, "clip_norm": 10.0},
         "A looser clip bounds every step less tightly; read the status line's R² ranges to compare.", "gradient norm"),
        ("stable radius 0.9", {"spectral_radius": 0.9, "clip_norm": 1.0},
         "With W_hh starting at spectral radius 0.9, compare the R² ranges in the status line: clipping bounds the "
         "step whatever makes the gradient large.", "gradient norm"),
    ),
    # 05_all_together
    "LiveTrainingDashboard": _presets(
        ("the start", _LIVE,
         "The settings the run starts with: moderate L2, some dropout and a small step.", "loss"),
        ("strong L2 from now on", {**_LIVE, "l2_strength": 1.0},
         "Raising α acts from the next step: the regularization loss jumps at once while the weights shrink "
         "only slowly.", "loss"),
        ("heavy dropout from now on", {**_LIVE, "dropout_rate": 0.9},
         "Dropping nine units in ten from the next step raises the training loss sharply but hardly moves the "
         "validation accuracy.", "loss"),
    ),
})


# The presenter shows one panel of a dashboard's figure at a time: each panel's name, in the figure's order.
PANELS = types.MappingProxyType({
    "DecisionBoundaryDashboard": ("decision boundary", "training loss"),
    "RegularizerDashboard": ("weight histogram", "accuracy", "feature sizes"),
    "L2RulesDashboard": ("size of the weights", "validation loss"),
    "DropoutPhaseDashboard": ("before dropout", "one mask", "averaged over masks"),
    "DropoutOverfittingDashboard": ("loss curves", "final loss per seed"),
    "BatchNormDashboard": ("mean", "variance", "normalised test batch", "network output"),
    "BatchNormSpeedDashboard": ("training loss", "validation accuracy"),
    "GradientFlowDashboard": ("gradient through time",),
    "MemoryTaskDashboard": ("hidden states", "recall", "training loss"),
    "ClippingDashboard": ("gradient norm", "training loss"),
    "LiveTrainingDashboard": ("loss", "accuracy", "weight histogram"),
})


def _dashboard_name(dashboard):
    """The name ``dashboard`` (a Dashboard, its class, a subclass or a class name) has in PRESETS and PANELS."""
    if isinstance(dashboard, str):
        return dashboard
    owner = dashboard if isinstance(dashboard, type) else type(dashboard)
    return next((cls.__name__ for cls in owner.__mro__ if cls.__name__ in PRESETS), owner.__name__)


def panels_for(dashboard):
    """The names of the panels of ``dashboard`` (as for ``presets_for``), in its figure's order; () if unnamed."""
    return PANELS.get(_dashboard_name(dashboard), ())


def presets_for(dashboard):
    """The presets of ``dashboard`` (a Dashboard, its class, a subclass or a class name), in the guide's order.

    Raises
    ------
    ValueError
        No presets are defined for that dashboard.
    """
    name = _dashboard_name(dashboard)
    if name not in PRESETS:
        raise ValueError(f"presets_for dashboard must be one of {', '.join(sorted(PRESETS))}, got {name!r}")
    return PRESETS[name]


def preset(dashboard, name):
    """The preset called ``name`` of ``dashboard`` (as for ``presets_for``).

    Raises
    ------
    ValueError
        An unknown dashboard, or no preset of that name.
    """
    found = {candidate.name: candidate for candidate in presets_for(dashboard)}
    if name not in found:
        raise ValueError(f"preset name must be one of {', '.join(map(repr, found))}, got {name!r}")
    return found[name]
