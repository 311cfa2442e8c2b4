"""The one policy: who may see a dossier, read what hangs off it, and do what with it.

Every door asks it: API views, pages, template tags, PDFs, tasks, the console's queues and the statistics' scopes.
The rules read plain attributes of a dossier (``agency_id``, ``applicant_id``, ``created_by_id``, ``state``,
``received_at_agency_id``, ``channel``), so ``accounts`` knows nothing of the dossiers app; the door that loads a
dossier, asks this module and logs the read is ``dossiers.access.dossier_for``.

A user stands in one or more *relations* to a dossier (its applicant, the counter clerk who entered it, staff of
the competent agency, a receiving counter, a province-wide viewer); ``RULES`` says which relations may ask each
*question*. A question one may not ask about a dossier one may see is 403 at the door; a dossier one may not see
is 404, exactly like an unknown one.
"""

from collections.abc import Iterable
from enum import StrEnum
from typing import Any, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from accounts.constants import STAFF_ROLES, Role
from accounts.models import User
from accounts.permissions import has_permission

DRAFT = "draft"
SUBMITTED = "submitted"
RETURNED = "returned"
EDITABLE_STATES = frozenset({DRAFT, "supplement_requested"})
RESULT_STATES = frozenset({"result_ready", RETURNED})
COUNTER_CHANNELS = frozenset({"counter", "post"})
PROVINCE_WIDE = frozenset({Role.PROVINCE_ADMIN, Role.LEADER})


class Relation(StrEnum):
    APPLICANT = "applicant"  # the citizen whose dossier it is
    AUTHOR = "author"  # the counter clerk who entered a walk-in
    COMPETENT = "competent"  # staff of the agency that settles it
    RECEPTION = (
        "reception"  # a receiver of the province while it waits for reception, or the counter that took it
    )
    PROVINCE = "province"  # leaders and province admins: the whole province, without personal data
    SUPERUSER = "superuser"


class Ask(StrEnum):
    """The questions a door asks about a dossier."""

    VIEW = "view"  # that it exists: state, procedure, dates (else 404)
    PERSONAL = "personal"  # the applicant's identity and the form's values
    DOCUMENTS = "documents"  # the uploaded papers
    RESULT = "result"  # the signed result
    DRAFTED_RESULT = "drafted_result"  # the result as the agency drafted it, before it is signed
    SLIPS = "slips"  # the one-stop slips (they name the applicant)
    INVOICE = "invoice"  # the fee, its status and receipt
    STAFF_HISTORY = "staff_history"  # the history with clerks' names and staff's internal notes
    ACCESS_LOG = "access_log"  # who opened the dossier
    ACCESS_LOG_PEOPLE = "access_log_people"  # ... naming the person, not only agency and role
    EDIT = "edit"  # change the content of a draft or a supplement
    ASSIGN = "assign"  # "assign to me"
    RATE = "rate"
    RECEIPT = "receipt"  # the payment receipt (it names the payer)
    PAY_ONLINE = "pay_online"
    COUNTER_PAYMENT = "counter_payment"  # take the fee at one's counter
    WAIVE = "waive"  # waive the fee
    COMPLAIN = "complain"  # file a complaint or suggestion about the dossier (phản ánh, kiến nghị)
    COMPLAINTS = "complaints"  # read the dossier's complaints and their answers
    ANSWER_COMPLAINT = "answer_complaint"  # answer one on behalf of the agency


R = Relation
STAFF_SIDE = frozenset({R.AUTHOR, R.COMPETENT, R.RECEPTION, R.SUPERUSER})
CASE_WORKERS = frozenset({R.APPLICANT, *STAFF_SIDE})
RULES: dict[Ask, frozenset[Relation]] = {
    Ask.VIEW: frozenset({*CASE_WORKERS, R.PROVINCE}),
    Ask.PERSONAL: CASE_WORKERS,
    Ask.DOCUMENTS: CASE_WORKERS,
    Ask.RESULT: CASE_WORKERS,
    # Before signing, the agency's draft is its own: the applicant gets the signed result.
    Ask.DRAFTED_RESULT: frozenset({R.COMPETENT, R.SUPERUSER}),
    Ask.SLIPS: CASE_WORKERS,
    Ask.INVOICE: frozenset({*CASE_WORKERS, R.PROVINCE}),
    Ask.STAFF_HISTORY: frozenset({*STAFF_SIDE, R.PROVINCE}),
    Ask.ACCESS_LOG: frozenset({*CASE_WORKERS, R.PROVINCE}),
    Ask.ACCESS_LOG_PEOPLE: frozenset({R.COMPETENT, R.SUPERUSER, R.PROVINCE}),
    Ask.EDIT: frozenset({R.APPLICANT, R.AUTHOR}),
    Ask.ASSIGN: frozenset({R.COMPETENT}),
    Ask.RATE: frozenset({R.APPLICANT}),
    Ask.RECEIPT: CASE_WORKERS,
    Ask.PAY_ONLINE: frozenset({R.APPLICANT}),
    Ask.COUNTER_PAYMENT: frozenset({R.RECEPTION, R.COMPETENT, R.SUPERUSER}),
    Ask.WAIVE: frozenset({R.COMPETENT, R.SUPERUSER}),
    Ask.COMPLAIN: frozenset({R.APPLICANT}),
    # Leaders read them too: complaints are how they steer (the service index), and their reads are logged.
    Ask.COMPLAINTS: frozenset({*CASE_WORKERS, R.PROVINCE}),
    Ask.ANSWER_COMPLAINT: frozenset({R.COMPETENT, R.SUPERUSER}),
}

# Whose step each state is: the staff role that takes dossiers in it ("assign to me").
STEP_ROLE: dict[str, str] = {
    SUBMITTED: Role.RECEIVER,
    "assessing": Role.ASSESSOR,
    "approving": Role.APPROVER,
    "result_ready": Role.RECEIVER,
}


def _active(user: User | AnonymousUser) -> TypeGuard[User]:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def relations(user: User | AnonymousUser, dossier: Any) -> frozenset[Relation]:
    """How ``user`` stands to ``dossier``; empty when they may not even know it exists."""
    if not _active(user):
        return frozenset()
    found: set[Relation] = set()
    if user.is_superuser:
        found.add(R.SUPERUSER)
    if user.role == Role.CITIZEN and (
        dossier.applicant_id == user.pk or (dossier.applicant_id is None and dossier.created_by_id == user.pk)
    ):
        found.add(R.APPLICANT)
    if (
        user.role == Role.RECEIVER
        and dossier.created_by_id == user.pk
        and dossier.channel in COUNTER_CHANNELS
    ):
        found.add(R.AUTHOR)
    if dossier.state == DRAFT:
        # A draft is its author's until it is submitted (a walk-in draft is the receiver's who entered it).
        return frozenset(found & {R.APPLICANT, R.AUTHOR, R.SUPERUSER})
    if user.role in STAFF_ROLES and user.agency_id is not None:
        if dossier.agency_id == user.agency_id:
            found.add(R.COMPETENT)
        # No administrative boundaries: any receiver of the province takes in a dossier waiting for reception,
        # and the counter that received (or refused) one keeps it in view.
        if user.role == Role.RECEIVER and (
            dossier.state == SUBMITTED or dossier.received_at_agency_id == user.agency_id
        ):
            found.add(R.RECEPTION)
    if user.role in PROVINCE_WIDE:
        found.add(R.PROVINCE)
    return frozenset(found)


def may_ask(user: Any, ask: Ask, dossier: Any, *, of: Iterable[Relation] | None = None) -> bool:
    """Whether who ``user`` is (relation and role) lets them ask; the dossier's state aside (``may``)."""
    mine = frozenset(of) if of is not None else relations(user, dossier)
    if not mine & RULES[ask]:
        return False
    if ask == Ask.COUNTER_PAYMENT:
        # Any receiver of the province takes the fee at their counter (no administrative boundaries).
        return user.is_superuser or (user.role == Role.RECEIVER and user.agency_id is not None)
    return True


def may(user: Any, ask: Ask, dossier: Any, *, of: Iterable[Relation] | None = None) -> bool:
    """Whether ``user`` may ``ask`` about ``dossier`` now (``of``: their relations, when already computed)."""
    if not may_ask(user, ask, dossier, of=of):
        return False
    if ask == Ask.EDIT:
        return dossier.state in EDITABLE_STATES
    if ask == Ask.RESULT:
        return dossier.state in RESULT_STATES
    if ask == Ask.RATE:
        return dossier.state == RETURNED
    if ask == Ask.COMPLAIN:
        return dossier.state != DRAFT
    if ask == Ask.ASSIGN:
        return STEP_ROLE.get(dossier.state) == user.role
    return True


def may_act(user: User, dossier: Any, *, action: str, roles: frozenset[str]) -> bool:
    """Whether ``user``'s role and relation allow workflow ``action`` (``roles``: the workflow table's)."""
    if user.role not in roles:
        return False
    mine = relations(user, dossier)
    if user.role == Role.CITIZEN:
        return R.APPLICANT in mine
    if user.role == Role.RECEIVER:
        if action == "submit":
            # Walk-in: the receiver who entered a counter dossier submits it on the citizen's behalf.
            return R.AUTHOR in mine
        return bool(mine & {R.COMPETENT, R.RECEPTION})
    return R.COMPETENT in mine


def visible_filter(user: User | AnonymousUser) -> Q:
    """The dossiers ``user`` may list, as a filter on ``Dossier`` (the same rule as ``relations``)."""
    if not _active(user):
        return Q(pk__in=[])
    own = Q(applicant=user) | Q(applicant__isnull=True, created_by=user)
    if user.is_superuser:
        return Q()
    if user.role == Role.CITIZEN:
        return own
    not_draft = ~Q(state=DRAFT)
    if user.role in PROVINCE_WIDE:
        return not_draft
    if user.role in STAFF_ROLES and user.agency_id is not None:
        mine = Q(agency_id=user.agency_id)
        if user.role == Role.RECEIVER:
            mine |= Q(state=SUBMITTED) | Q(received_at_agency_id=user.agency_id)
            return (mine & not_draft) | Q(created_by=user, channel__in=COUNTER_CHANNELS)
        return mine & not_draft
    return Q(pk__in=[])


def is_logged_reader(user: User | AnonymousUser) -> bool:
    """Whether reads by ``user`` go into the access log: staff, leaders, admins (Decree 13/2023)."""
    return _active(user) and (user.is_superuser or user.role != Role.CITIZEN)


def may_view_stats(user: User | AnonymousUser) -> bool:
    return has_permission(user, "stats.view")


def stats_agency_scope(user: Any) -> int | None | bool:
    """Which agency's figures ``user`` may read: their own agency's id for counter staff, ``None`` for the
    whole province (leaders, admins), ``False`` for no figures at all."""
    if not may_view_stats(user):
        return False
    if user.is_superuser or user.role in PROVINCE_WIDE:
        return None
    return user.agency_id if user.agency_id is not None else False


# --- The history as each reader sees it --------------------------------------------------------------------

# Comments written to the applicant (the reasons of a refusal, a supplement request, the decision); the other
# comments are staff's internal notes (an assessment, a send-back, the note on a grant). A denial's reason is
# the decision's, addressed to the applicant, so it is shown to them.
APPLICANT_COMMENTS = frozenset(
    {
        "submit",
        "receive",
        "refuse",
        "request_supplement",
        "resubmit",
        "return",
        "withdraw",
        "apology",
        "fee_waived",
        "fee_refunded",
    }
)
# Rows the applicant does not see at all: the counter's internal business.
STAFF_ONLY_EVENTS = frozenset({"assign"})


def history_for(user: User | AnonymousUser, dossier: Any, events: Iterable[Any]) -> list[dict[str, Any]]:
    """Each history row as ``user`` may read it: ``by`` (never empty), ``by_agency`` and ``comment``.

    Staff read who did it and every comment; the applicant reads the agency and the step (never a clerk's
    name) and only the comments addressed to them; the portal's own steps are by the portal.
    """
    staff_view = may(user, Ask.STAFF_HISTORY, dossier)
    rows = []
    for event in events:
        if not staff_view and event.action in STAFF_ONLY_EVENTS:
            continue
        agency = event.actor_agency
        if event.actor_id is None:
            by = "portal"
        elif staff_view:
            by = event.actor.get_full_name() or event.actor.username
        elif event.actor_id == getattr(user, "pk", None):
            by = "applicant"
        elif agency is not None:
            by = agency.name
        elif event.actor.role == Role.CITIZEN:
            by = "applicant"
        else:
            by = "staff"
        rows.append(
            {
                "event": event,
                "by": by,
                "by_agency": agency.code if agency is not None else None,
                "comment": event.comment
                if staff_view
                or event.action in APPLICANT_COMMENTS
                or (event.action == "approve" and dossier.outcome == "deny")
                else "",
            }
        )
    return rows
