"""How dossiers are shown to people: the names of states, steps and outcomes in plain words, the rows of a
dossier's details, its papers with the file types they take, and who did what as the citizen reads it.

Every word here goes through the translation catalogue (``locale/vi``); the pages, the console and the messages
(``notifications.texts``) all take their names of states and outcomes from here.
"""

import datetime
from typing import Any

from django.forms import Form
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.constants import Role
from audit.models import AccessWhat
from dossiers import forms
from dossiers.constants import EventAction, Outcome, State, Timeliness
from dossiers.models import Dossier
from procedures.constants import DEFAULT_FILE_TYPES, FILE_TYPES

# Each state in plain words, and what happens next.
STATE_TEXT: dict[str, tuple[Promise, Promise]] = {
    State.DRAFT: (
        gettext_lazy("Not sent yet"),
        gettext_lazy("Nobody sees your dossier until you send it. Finish it, then send it."),
    ),
    State.SUBMITTED: (
        gettext_lazy("Sent, waiting to be received"),
        gettext_lazy(
            "The counter will check your papers. If they are complete, they receive your dossier "
            "and set the date of the result."
        ),
    ),
    State.ASSESSING: (
        gettext_lazy("Received, being checked"),
        gettext_lazy("Staff are checking your dossier. The result is due by the date shown."),
    ),
    State.APPROVING: (
        gettext_lazy("Checked, waiting for a decision"),
        gettext_lazy("Your dossier has been checked. The head of the agency will decide on it."),
    ),
    State.SIGNING: (
        gettext_lazy("Decided, result being signed"),
        gettext_lazy("The decision is made. The result is being signed. You will be told when it is ready."),
    ),
    State.RESULT_READY: (
        gettext_lazy("Result ready"),
        gettext_lazy("Your result is ready. You can download it, or get it at the counter."),
    ),
    State.RETURNED: (
        gettext_lazy("Finished: result handed over"),
        gettext_lazy("Your dossier is finished. Nothing more is needed from you."),
    ),
    State.SUPPLEMENT_REQUESTED: (
        gettext_lazy("Waiting for you: more papers needed"),
        gettext_lazy("Staff need more from you. Read their request, add what is missing, and send it again."),
    ),
    State.REJECTED: (
        gettext_lazy("Refused"),
        gettext_lazy("The counter could not accept this dossier. The reason is in the history below."),
    ),
    State.WITHDRAWN: (
        gettext_lazy("Withdrawn"),
        gettext_lazy("You withdrew this dossier. Nothing more will happen to it."),
    ),
}

# The history in the citizen's words (which rows and comments they see is the policy's: history_for).
EVENT_TEXT: dict[str, Promise] = {
    EventAction.CREATE: gettext_lazy("Dossier started"),
    EventAction.SUBMIT: gettext_lazy("Sent"),
    EventAction.RECEIVE: gettext_lazy("Received"),
    EventAction.REFUSE: gettext_lazy("Refused"),
    EventAction.REQUEST_SUPPLEMENT: gettext_lazy("More papers asked for"),
    EventAction.RESUBMIT: gettext_lazy("Supplement sent"),
    EventAction.ASSESS: gettext_lazy("Checked"),
    EventAction.SEND_BACK: gettext_lazy("Sent back for more checks"),
    EventAction.APPROVE: gettext_lazy("Decision made"),
    EventAction.SIGNED: gettext_lazy("Result signed"),
    EventAction.RETURN: gettext_lazy("Result handed over"),
    EventAction.WITHDRAW: gettext_lazy("Withdrawn"),
    EventAction.DOCUMENT: gettext_lazy("Paper added"),
    EventAction.CLAIM: gettext_lazy("Added to your account"),
    EventAction.FEE_PAID: gettext_lazy("Fee paid"),
    EventAction.FEE_WAIVED: gettext_lazy("Fee waived"),
    EventAction.FEE_REFUNDED: gettext_lazy("Fee refunded"),
}
# How the result came back against its due date, inside a sentence ("… (on time)").
TIMELINESS_TEXT: dict[str, Promise] = {
    Timeliness.EARLY: gettext_lazy("early"),
    Timeliness.ON_TIME: gettext_lazy("on time"),
    Timeliness.LATE: gettext_lazy("late"),
}
OUTCOME_TEXT: dict[str, Promise] = {
    Outcome.GRANT: gettext_lazy("Granted"),
    Outcome.DENY: gettext_lazy("Not granted"),
}

# The console's queues, one per step of the four-step process (``selectors.QUEUES``).
QUEUE_LABELS: dict[str, Promise] = {
    "receive": gettext_lazy("To receive"),
    "assess": gettext_lazy("To assess"),
    "approve": gettext_lazy("To approve"),
    "return": gettext_lazy("To return"),
    "waiting": gettext_lazy("Waiting"),
}
# What the console says after an action; ``%(code)s`` and ``%(key)s`` are the dossier's.
ACTION_DONE: dict[str, Promise] = {
    "submit": gettext_lazy(
        "Received. Dossier code %(code)s, lookup key %(key)s: give both to the applicant."
    ),
    "receive": gettext_lazy("Dossier %(code)s received; the clock has started."),
    "refuse": gettext_lazy("Dossier %(code)s refused."),
    "request_supplement": gettext_lazy("A supplement was requested for dossier %(code)s."),
    "assess": gettext_lazy("Dossier %(code)s assessed and sent for approval."),
    "send_back": gettext_lazy("Dossier %(code)s sent back for assessment."),
    "approve": gettext_lazy("Dossier %(code)s approved; its result is being signed."),
    "return": gettext_lazy("The result of dossier %(code)s is returned."),
}
FILE_NAMES = {mime: short.upper() for short, mime in FILE_TYPES.items()}


def state_label(state: str) -> str:
    return str(STATE_TEXT[state][0]) if state in STATE_TEXT else state


def outcome_label(outcome: str) -> str:
    return str(OUTCOME_TEXT.get(outcome, ""))


def action_done(action: str, dossier: Dossier) -> str:
    template = ACTION_DONE.get(action, gettext_lazy("Done: %(code)s."))
    return str(template) % {"code": dossier.code, "key": dossier.lookup_key}


def display(value: Any) -> str:
    """A form value as a person reads it: Yes/No, a date as dd/mm/yyyy, else the text."""
    if value is True:
        return str(_("Yes"))
    if value is False:
        return str(_("No"))
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            pass
    return str(value)


def rows(form: Form, values: dict[str, Any]) -> list[tuple[Any, str]]:
    """(label, value as shown) for each field of ``form`` with a value, in the form's order."""
    return [(field.label, display(values[name])) for name, field in form.fields.items() if name in values]


def applicant_rows(values: dict[str, Any]) -> list[tuple[Any, str]]:
    """The applicant's details that are filled in, with their labels, in the applicant form's order."""
    return rows(forms.ApplicantForm(), {name: value for name, value in values.items() if value})


def form_rows(dossier: Dossier) -> list[tuple[Any, str]]:
    """The procedure form's values with its labels, in its order; a value without a field keeps its name."""
    known = {spec.name for spec in dossier.version.form_fields.all()}
    shown = [
        (spec.label, display(dossier.form_data[spec.name]) if spec.name in dossier.form_data else "")
        for spec in dossier.version.form_fields.all()
    ]
    return shown + [(name, display(value)) for name, value in dossier.form_data.items() if name not in known]


def file_types(component: Any) -> str:
    """The file types a paper takes, as people name them: "PDF, JPG"."""
    return ", ".join(t.upper() for t in (component.file_types or DEFAULT_FILE_TYPES))


def accept(component: Any) -> str:
    """The ``accept`` attribute of a paper's file input: a hint for the phone's picker, not a check."""
    types = component.file_types or DEFAULT_FILE_TYPES
    extensions = {"jpg": ".jpg,.jpeg"}
    return ",".join([*(extensions.get(t, f".{t}") for t in types), *(FILE_TYPES[t] for t in types)])


def documents(dossier: Dossier) -> list[Any]:
    """The dossier's files (prefetched), each with ``kind``: its type as people name it ("PDF")."""
    files = list(dossier.documents.all())
    for document in files:
        document.kind = FILE_NAMES.get(document.content_type, document.content_type)  # type: ignore[attr-defined]
    return files


def papers(dossier: Dossier, errors: dict[int, str] | None = None) -> list[dict[str, Any]]:
    """Each paper the procedure asks for, with the files uploaded for it (from the prefetched documents)."""
    files = documents(dossier)
    return [
        {
            "component": component,
            "documents": [d for d in files if d.component_id == component.pk],
            "file_types": file_types(component),
            "accept": accept(component),
            "error": (errors or {}).get(component.pk, ""),
        }
        for component in dossier.version.components.all()
    ]


def who(by: str) -> str:
    """Who did it, as the citizen reads it (``accounts.policy.history_for``): themselves, an agency, the portal."""
    return {"portal": str(_("The portal")), "applicant": str(_("You")), "staff": str(_("Staff"))}.get(by, by)


def access_rows(rows_: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The access log's rows with their role and what was opened in words (``audit.selectors.access_log``)."""
    roles = dict(Role.choices)
    whats = dict(AccessWhat.choices)
    return [
        {
            **row,
            "role_label": roles.get(row["role"], row["role"]),
            "what_label": whats.get(row["what"], row["what"]),
        }
        for row in rows_
    ]


def supplement_request(dossier: Dossier) -> str:
    """The staff's last request for more papers (from the prefetched history)."""
    requests = [e for e in dossier.events.all() if e.action == EventAction.REQUEST_SUPPLEMENT]
    return requests[-1].comment if requests else ""
