"""Interactive dashboards for the lessons (needs ipywidgets and matplotlib: ``pip install rnnreg[lab]``).

Each dashboard separates a pure ``compute(params)`` from ``render`` and from its controls; see
``rnnreg.widgets.dashboard``. One module per lesson:

- ``tour``: ``DecisionBoundaryDashboard`` (00_tour)
- ``regularizers``: ``RegularizerDashboard``, ``L2RulesDashboard`` (01_regularizers)
- ``dropout``: ``DropoutPhaseDashboard``, ``DropoutOverfittingDashboard`` (02_dropout)
- ``batch_norm``: ``BatchNormDashboard``, ``BatchNormSpeedDashboard`` (03_batch_norm)
- ``recurrent``: ``MemoryTaskDashboard``, ``GradientFlowDashboard``, ``ClippingDashboard`` (04_recurrent)
- ``live``: ``LiveTrainingDashboard`` (05_all_together)
"""

from rnnreg.widgets.batch_norm import BatchNormDashboard, BatchNormSpeedDashboard
from rnnreg.widgets.dashboard import Dashboard
from rnnreg.widgets.dropout import DropoutOverfittingDashboard, DropoutPhaseDashboard
from rnnreg.widgets.live import LiveTrainingDashboard
from rnnreg.widgets.recurrent import ClippingDashboard, GradientFlowDashboard, MemoryTaskDashboard
from rnnreg.widgets.regularizers import L2RulesDashboard, RegularizerDashboard
from rnnreg.widgets.tour import DecisionBoundaryDashboard

__all__ = [
    "BatchNormDashboard",
    "BatchNormSpeedDashboard",
    "ClippingDashboard",
    "Dashboard",
    "DecisionBoundaryDashboard",
    "DropoutOverfittingDashboard",
    "DropoutPhaseDashboard",
    "GradientFlowDashboard",
    "L2RulesDashboard",
    "LiveTrainingDashboard",
    "MemoryTaskDashboard",
    "RegularizerDashboard",
]
