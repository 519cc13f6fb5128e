"""Interactive dashboards for the lessons (needs ipywidgets and matplotlib: ``pip install rnnreg[lab]``).

Each dashboard separates a pure ``compute(params)`` from ``render`` and from its controls; see
``rnnreg.widgets.dashboard``.
"""

from rnnreg.widgets.dashboard import Dashboard

__all__ = ["Dashboard"]
