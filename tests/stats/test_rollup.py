"""The rollups kept by the events equal a rebuild from scratch, after a random history of transitions, payments,
ratings and complaints; and a transition shows in the API and on the public page at once."""

import datetime
import random
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from complaints import services as complaints
from complaints.models import Complaint
from dossiers import schedule, workflow
from dossiers import services as dossiers
from dossiers.models import Dossier
from dossiers.workflow import Action, Assessment, Decision, Note, Reason, SupplementRequest
from payments import services as payments
from payments.constants import EventKind
from payments.models import Invoice
from payments.providers import register
from portal.errors import ServiceError
from stats import rollup, selectors, services
from stats.constants import COUNTERS
from stats.models import Tally
from tests.dossiers.conftest import attach_required_papers
from tests.factories import DossierFactory, ProcedureVersionFactory
from tests.stats.conftest import add_result, this_month


def _tallies() -> dict[tuple[Any, ...], dict[str, int]]:
    found = {}
    for row in Tally.objects.values(*services.KEY_COLUMNS, *COUNTERS):
        key = tuple(row.pop(name) for name in services.KEY_COLUMNS)
        counters = {name: value for name, value in row.items() if value}
        if counters:
            found[key] = counters
    return found


def _from_scratch() -> dict[tuple[Any, ...], dict[str, int]]:
    """What a rebuild would write now, summed in memory from the same definitions (stats.rollup)."""
    total: rollup.Rows = {}
    for facts in rollup.dossier_facts():
        rollup.merge(total, rollup.dossier_rows(facts))
    for complaint in rollup.complaint_facts():
        rollup.merge(total, rollup.complaint_rows(complaint))
    return {rollup.key_of(key): counters for key, counters in rollup.difference(total, {}).items()}


INPUTS = {
    Action.REFUSE: Reason("Thiếu giấy tờ"),
    Action.REQUEST_SUPPLEMENT: SupplementRequest("Bổ sung bản sao"),
    Action.ASSESS: Assessment(outcome="grant"),
    Action.SEND_BACK: Reason("Xem lại"),
    Action.APPROVE: Decision(),
}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rollups_kept_by_events_equal_a_rebuild_after_a_random_history(
    seed: int,
    agency_a: Any,
    agency_b: Any,
    citizen: Any,
    citizen2: Any,
    receiver: Any,
    assessor: Any,
    approver: Any,
    receiver_b: Any,
    assessor_b: Any,
    approver_b: Any,
) -> None:
    rng = random.Random(seed)
    staff = {
        agency_a.pk: {"receiver": receiver, "assessor": assessor, "approver": approver},
        agency_b.pk: {"receiver": receiver_b, "assessor": assessor_b, "approver": approver_b},
    }
    versions = [
        ProcedureVersionFactory(published=True, agency=agency_a, online_level="full"),
        ProcedureVersionFactory(
            published=True, agency=agency_a, online_level="partial", fee_due="before_return"
        ),
        ProcedureVersionFactory(published=True, agency=agency_b, content=False),
    ]
    drafts = []
    for _ in range(24):
        owner = rng.choice([citizen, citizen2])
        version = rng.choice(versions)
        draft = DossierFactory(
            version=version,
            applicant=owner,
            channel=rng.choice(["online", "counter"]),
            form_data={}
            if version.agency_id == agency_b.pk
            else {"full_name": "Nguyễn Văn An", "sex": "Nam"},
        )
        attach_required_papers(draft)
        drafts.append(draft.pk)
    now = timezone.now()
    apologies: list[int] = []

    def step() -> None:
        dossier = Dossier.objects.get(pk=rng.choice(drafts))
        people = staff[dossier.agency_id]
        citizen_of = dossier.applicant
        when = now - datetime.timedelta(days=rng.uniform(0, 80))
        choice = rng.random()
        if choice < 0.16 and Invoice.objects.filter(dossier=dossier, status="open").exists():
            pick = rng.random()
            if pick < 0.5:
                # Paid online: the sandbox provider's notice, as its callback records it.
                with transaction.atomic():
                    payments.invoice_mark_paid(
                        invoice=Invoice.objects.select_for_update().get(dossier=dossier),
                        provider=register.get("sandbox"),
                        transaction_no=f"T{dossier.pk}",
                        paid_at=when,
                        event=EventKind.PAID,
                        payload={},
                    )
            elif pick < 0.8:
                payments.counter_payment_record(dossier_id=dossier.pk, user=people["receiver"], method="card")
            else:
                payments.invoice_waive(dossier_id=dossier.pk, user=people["assessor"], reason="Miễn phí")
            return
        if choice < 0.2 and dossier.state == "returned":
            dossiers.rating_create(
                dossier_id=dossier.pk,
                actor=citizen_of,
                score=rng.randint(1, 5),
                dislike_reason=rng.choice(["", "", "slow", "manner"]),
            )
            return
        if choice < 0.28 and dossier.state != "draft":
            complaints.complaint_file(dossier_id=dossier.pk, actor=citizen_of, text="Chậm trễ")
            return
        if choice < 0.34:
            open_one = Complaint.objects.filter(dossier=dossier, state="open").first()
            if open_one is not None:
                complaints.complaint_answer(
                    complaint_id=open_one.pk, actor=people["assessor"], text="Đã xử lý"
                )
                return
        if choice > 0.6 and dossier.state in schedule.APOLOGY_STATES and dossier.due_at:
            # An apology moves the due date, often into another month: the month a dossier in hand is kept by,
            # and the date it is judged on time against.
            schedule.apology_issue(
                dossier_id=dossier.pk,
                reason="Chờ ý kiến liên ngành",
                actor=people["assessor"],
                new_due_at=dossier.due_at + datetime.timedelta(days=rng.randint(10, 60)),
                now=min(when, dossier.due_at),
            )
            apologies.append(dossier.pk)
            return
        possible = [a for a, t in workflow.TRANSITIONS.items() if dossier.state in t.sources]
        if not possible:
            return
        action = rng.choice(possible)
        roles = workflow.TRANSITIONS[action].roles
        if action == Action.SIGNED:
            if rng.random() < 0.7 and not hasattr(dossier, "result"):
                add_result(dossier)
            actor = None
        elif "citizen" in roles and action != Action.SUBMIT or action == Action.SUBMIT:
            actor = citizen_of
        else:
            role = rng.choice(sorted(r for r in roles if r in people))
            actor = people[role]
        workflow.apply(
            dossier_id=dossier.pk, action=action, actor=actor, input=INPUTS.get(action, Note()), now=when
        )

    for _ in range(300):
        try:
            step()
        except ServiceError:
            pass  # refused (a fee to pay first, rated already): it changes nothing, which is checked too
        # After every event, not only at the end: a later transition would hide an event that was missed.
        assert _tallies() == _from_scratch()

    kept = _tallies()
    assert kept, "the history moved nothing"
    assert apologies, "no apology moved a due date"
    assert sum(c.get("filed", 0) for c in kept.values()) == Dossier.objects.exclude(submitted_at=None).count()
    scope = selectors.Scope(start=(now - datetime.timedelta(days=90)).date(), end=now.date())
    before = selectors.index(scope)

    services.rebuild()

    assert _tallies() == kept
    assert selectors.index(scope) == before


def test_a_transition_shows_in_the_api_and_on_the_public_page_at_once(
    api: Any, client: Any, leader: Any, receiver: Any, citizen: Any, agency_a: Any
) -> None:
    version = ProcedureVersionFactory(published=True, agency=agency_a, content=False)
    dossier = DossierFactory(version=version, applicant=citizen, form_data={})
    dossiers.submit(dossier_id=dossier.pk, actor=citizen)
    first = api(leader).get("/api/v1/stats/").json()
    page = client.get("/service-index/").content.decode()
    assert first["counts"]["submitted"] == 1 and first["counts"]["assessing"] == 0

    workflow.apply(dossier_id=dossier.pk, action=Action.RECEIVE, actor=receiver)
    then = api(leader).get("/api/v1/stats/").json()

    assert then["counts"]["submitted"] == 0 and then["counts"]["assessing"] == 1
    assert (
        then["indicators"] != first["indicators"]
    )  # the dossier is in hand now: the progress indicator counts it
    assert page != client.get("/service-index/").content.decode()


def test_a_rebuild_leaves_nothing_of_a_dossier_that_is_gone(agency_a: Any, citizen: Any) -> None:
    DossierFactory(
        version=ProcedureVersionFactory(published=True, agency=agency_a), applicant=citizen, submitted=True
    )
    services.rebuild()
    assert selectors.index(this_month())["totals"]["filed"] == 1

    Dossier.objects.all().delete()
    services.rebuild()

    assert selectors.index(this_month())["totals"]["filed"] == 0
