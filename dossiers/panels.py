"""Sections that other apps add to a dossier's pages (the fee and its payment, …), so that dossiers knows nothing
of them: the citizen's dossier page and the console's render every panel registered here, in order
(``{% dossier_panels dossier %}``, ``dossiers.templatetags.dossier_extras``).

A panel is ``function(request, dossier) -> str``: the HTML of its section, rendered from the app's own template,
empty when it has nothing to show. An app registers its panels in its ``hooks.register()``.
"""

from collections.abc import Callable

from django.http import HttpRequest

from dossiers.models import Dossier
from portal.hooks import Hook

Panel = Callable[[HttpRequest, Dossier], str]

PANELS: Hook[Panel] = Hook("the dossier pages' panels")
