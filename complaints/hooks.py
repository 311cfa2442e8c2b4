"""How complaints take part in the dossier pages: the complaints section (``dossiers.panels``).

``register()`` is called once, from ``ComplaintsConfig.ready()``.
"""

from complaints.panels import complaints_panel
from dossiers.panels import PANELS


def register() -> None:
    PANELS.register(complaints_panel)
