"""The apps' boundaries in the templates, which import-linter cannot see: the dossier pages (templates/dossiers,
templates/console) load no template library of payments, notifications or statistics; those apps join the pages
through dossiers.panels."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
OTHER_APPS = ("payments", "notifications", "stats", "complaints")
LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")


def _libraries_of(app: str) -> set[str]:
    return {path.stem for path in (ROOT / app / "templatetags").glob("*.py") if path.stem != "__init__"}


def _loaded(template: Path) -> set[str]:
    return {name for match in LOAD.finditer(template.read_text()) for name in match.group(1).split()}


def test_the_dossier_pages_load_no_library_of_payments_notifications_or_statistics() -> None:
    foreign = set().union(*(_libraries_of(app) for app in OTHER_APPS))
    pages = [
        *(ROOT / "templates" / "dossiers").rglob("*.html"),
        *(ROOT / "templates" / "console").rglob("*.html"),
    ]
    assert pages
    offending = {
        str(page.relative_to(ROOT)): _loaded(page) & foreign for page in pages if _loaded(page) & foreign
    }
    assert offending == {}


def test_the_scan_sees_a_load_tag() -> None:
    page = ROOT / "templates" / "dossiers" / "detail.html"
    assert {"dossier_extras", "i18n"} <= _loaded(page)
