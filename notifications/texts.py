"""The words of each message, in Vietnamese and English, from ``templates/notifications/<event>.<lang>.txt``.

A template's first line is the subject; the rest is the text. ``sms`` is true in the context when the text is for
an SMS, which a template keeps short. Templates are rendered without HTML escaping: messages are plain text.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.template import Context, Engine
from django.urls import reverse
from django.utils import timezone, translation

from dossiers import presentation
from dossiers.constants import Outcome
from dossiers.models import Dossier, DossierEvent
from dossiers.sla import TZ
from dossiers.slips import lookup_url
from notifications.constants import LANGUAGES, Channel
from portal.urls_public import absolute_url


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


@cache
def _engine() -> Engine:
    dirs: list[str] = [str(d) for d in settings.TEMPLATES[0]["DIRS"]]  # type: ignore[attr-defined]
    return Engine(dirs=dirs, app_dirs=True, autoescape=False)


def language_or_default(language: str | None) -> str:
    return language if language in LANGUAGES else LANGUAGES[0]


def render(event: str, language: str, channel: str, context: dict[str, Any]) -> Text:
    """The subject and text of ``event`` in ``language`` for ``channel``."""
    template = _engine().get_template(f"notifications/{event}.{language_or_default(language)}.txt")
    text = template.render(Context({**context, "sms": channel == Channel.SMS}, autoescape=False))
    lines = [line.rstrip() for line in text.strip().splitlines()]
    subject, body = lines[0], list[str]()
    for line in lines[1:]:
        if line or (body and body[-1]):  # one blank line between paragraphs, none at the start
            body.append(line)
    return Text(subject=subject[:255], body="\n".join(body).strip())


def local_date(moment: datetime | None) -> str:
    return timezone.localtime(moment, TZ).strftime("%d/%m/%Y") if moment else ""


def local_time(moment: datetime | None) -> str:
    return timezone.localtime(moment, TZ).strftime("%H:%M") if moment else ""


def dossier_context(
    dossier: Dossier, *, language: str, name: str, event: DossierEvent | None = None, for_staff: bool = False
) -> dict[str, Any]:
    """What a message about ``dossier`` may say: code, procedure, state, due date, links, reason."""
    language = language_or_default(language)
    state = event.to_state if event is not None and event.to_state else dossier.state
    if for_staff:
        link = absolute_url(None, reverse("console:dossier", args=[dossier.pk]))
    elif dossier.applicant_id:
        link = absolute_url(None, reverse("dossiers:detail", args=[dossier.pk]))
    else:
        link = ""
    # The names of states and outcomes are the pages' (dossiers.presentation), in the message's language.
    with translation.override(language):
        state_name, outcome_name = (
            presentation.state_label(state),
            presentation.outcome_label(dossier.outcome),
        )
    return {
        "name": name,
        "code": dossier.code or "",
        "key": dossier.lookup_key,
        "procedure": dossier.version.name,
        "agency": dossier.agency.name,
        # The state the event left it in: a message sent late still tells of its own step.
        "state": state_name,
        "due_date": local_date(dossier.due_at),
        "due_time": local_time(dossier.due_at),
        "outcome": outcome_name,
        "granted": dossier.outcome == Outcome.GRANT,
        "reason": event.comment if event is not None else "",
        "at_date": local_date(event.at) if event is not None else "",
        "lookup_url": lookup_url(dossier),
        "dossier_url": link,
        "province": settings.PROVINCE_NAME,
    }
