"""The dossier policy (``accounts.policy``) as a table: who, standing how to a dossier, may ask what in which state.

The expected answers are written out here, cell by cell, not derived from ``RULES``: a change of a rule makes
this test fail and must be made here too, on purpose. Each cell is a string of letters, one per question
(``LETTERS``): upper case, ``may`` says yes; lower case, the relation allows the question but the dossier's state
does not yet (``may_ask`` yes, ``may`` no: the door's 409); absent, not at all (``may_ask`` no: the door's 403, or
404 when not even ``V``).
"""

import copy
from typing import Any

import pytest

from accounts.policy import Ask, may, may_ask, visible_filter
from dossiers.models import Dossier
from tests.security.conftest import PERSONAS, TRAITS, persona_user

LETTERS: dict[str, Ask] = {
    "V": Ask.VIEW,
    "P": Ask.PERSONAL,
    "D": Ask.DOCUMENTS,
    "R": Ask.RESULT,
    "S": Ask.SLIPS,
    "I": Ask.INVOICE,
    "H": Ask.STAFF_HISTORY,
    "L": Ask.ACCESS_LOG,
    "N": Ask.ACCESS_LOG_PEOPLE,
    "E": Ask.EDIT,
    "A": Ask.ASSIGN,
    "T": Ask.RATE,
    "C": Ask.RECEIPT,
    "O": Ask.PAY_ONLINE,
    "M": Ask.COUNTER_PAYMENT,
    "W": Ask.WAIVE,
    "F": Ask.COMPLAIN,
    "K": Ask.COMPLAINTS,
    "Y": Ask.ANSWER_COMPLAINT,
    "G": Ask.DRAFTED_RESULT,
}
STATES = ("draft", "submitted", "assessing", "result_ready", "returned")
NOTHING = dict.fromkeys(STATES, "")
PROVINCE_VIEW = {"draft": "", **dict.fromkeys(STATES[1:], "VIHLNK")}
# Staff of the competent agency who are not receivers (assessor, approver): only the assessor's step is theirs.
ASSESSOR = {
    "draft": "",
    "submitted": "VPDrSIHLNaCWKYG",
    "assessing": "VPDrSIHLNACWKYG",
    "result_ready": "VPDRSIHLNaCWKYG",
    "returned": "VPDRSIHLNaCWKYG",
}
APPROVER = {
    "draft": "",
    "submitted": "VPDrSIHLNaCWKYG",
    "assessing": "VPDrSIHLNaCWKYG",
    "result_ready": "VPDRSIHLNaCWKYG",
    "returned": "VPDRSIHLNaCWKYG",
}
COMPETENT_RECEIVER = {
    "draft": "",
    "submitted": "VPDrSIHLNACMWKYG",
    "assessing": "VPDrSIHLNaCMWKYG",
    "result_ready": "VPDRSIHLNACMWKYG",
    "returned": "VPDRSIHLNaCMWKYG",
}

# (case, persona, dossier kind: see ``make_dossier``, expected letters per state)
TABLE: list[tuple[str, str, str, dict[str, str]]] = [
    (
        "the applicant",
        "citizen",
        "online_a",
        {
            "draft": "VPDrSILEtCOfK",
            "submitted": "VPDrSILetCOFK",
            "assessing": "VPDrSILetCOFK",
            "result_ready": "VPDRSILetCOFK",
            "returned": "VPDRSILeTCOFK",
        },
    ),
    ("another citizen", "citizen2", "online_a", NOTHING),
    ("the applicant, once their account is switched off", "inactive_citizen", "online_a", NOTHING),
    (
        "the receiver who entered a walk-in for another agency",
        "receiver",
        "walk_in_b",
        {
            "draft": "VPDrSIHLECK",
            "submitted": "VPDrSIHLeCMK",
            "assessing": "VPDrSIHLeCMK",
            "result_ready": "VPDRSIHLeCMK",
            "returned": "VPDRSIHLeCMK",
        },
    ),
    (
        "the citizen a walk-in was joined to",
        "citizen",
        "walk_in_joined",
        {
            "draft": "VPDrSILEtCOfK",
            "submitted": "VPDrSILetCOFK",
            "assessing": "VPDrSILetCOFK",
            "result_ready": "VPDRSILetCOFK",
            "returned": "VPDRSILeTCOFK",
        },
    ),
    ("a receiver of the competent agency", "receiver", "online_a", COMPETENT_RECEIVER),
    ("an assessor of the competent agency", "assessor", "online_a", ASSESSOR),
    ("an approver of the competent agency", "approver", "online_a", APPROVER),
    ("a receiver of the walk-in's competent agency", "receiver_b", "walk_in_b", COMPETENT_RECEIVER),
    ("an assessor of the walk-in's competent agency", "assessor_b", "walk_in_b", ASSESSOR),
    (
        "a receiving counter of another agency, before and after another counter took it in",
        "receiver_b",
        "online_a",
        {"draft": "", "submitted": "VPDrSIHLCMK", "assessing": "", "result_ready": "", "returned": ""},
    ),
    (
        "the receiving counter of another agency that took it in",
        "receiver",
        "online_b",
        {
            "draft": "",
            "submitted": "VPDrSIHLCMK",
            "assessing": "VPDrSIHLCMK",
            "result_ready": "VPDRSIHLCMK",
            "returned": "VPDRSIHLCMK",
        },
    ),
    ("an assessor of an unrelated agency", "assessor_b", "online_a", NOTHING),
    ("an approver of an unrelated agency", "approver_b", "online_a", NOTHING),
    ("a leader", "leader", "online_a", PROVINCE_VIEW),
    ("a province admin", "province_admin", "online_a", PROVINCE_VIEW),
    (
        "a superuser",
        "superuser",
        "online_a",
        {
            "draft": "VPDrSIHLNCMWKYG",
            "submitted": "VPDrSIHLNCMWKYG",
            "assessing": "VPDrSIHLNCMWKYG",
            "result_ready": "VPDRSIHLNCMWKYG",
            "returned": "VPDRSIHLNCMWKYG",
        },
    ),
    ("an inactive receiver of the competent agency", "inactive_receiver", "online_a", NOTHING),
    ("an anonymous visitor", "anonymous_user", "online_a", NOTHING),
]


def _persona(request: pytest.FixtureRequest, name: str) -> Any:
    if name == "inactive_citizen":
        user = copy.copy(request.getfixturevalue("citizen"))
        user.is_active = False
        return user
    return persona_user(request, name)


def _answer(user: Any, ask: Ask, dossier: Dossier) -> str:
    """The letter of ``ask`` as the policy answers it: upper (may), lower (state not yet), "" (no)."""
    letter = next(k for k, v in LETTERS.items() if v == ask)
    if may(user, ask, dossier):
        return letter
    return letter.lower() if may_ask(user, ask, dossier) else ""


@pytest.mark.parametrize(
    ("persona", "kind", "expected"),
    [pytest.param(p, k, e, id=case) for case, p, k, e in TABLE],
)
def test_policy_answers_each_question_as_the_table_says(
    request: pytest.FixtureRequest, make_dossier: Any, persona: str, kind: str, expected: dict[str, str]
) -> None:
    user = _persona(request, persona)
    mismatches = []
    for state in STATES:
        dossier = make_dossier(kind, state)
        got = "".join(_answer(user, ask, dossier) for ask in LETTERS.values())
        want = "".join(letter for letter in expected[state] if letter.upper() in LETTERS)
        # Compare as sets of letters, so the table's cells need not follow LETTERS' order.
        if sorted(got) != sorted(want) or len(want) != len(expected[state]):
            mismatches.append(f"{state}: expected {expected[state]!r}, the policy says {got!r}")
    assert not mismatches, "\n".join(mismatches)


def test_the_table_names_every_question() -> None:
    assert set(LETTERS.values()) == set(Ask), "a new Ask needs a letter and a column in TABLE"


# The personas of the walk, and the applicant with their account switched off.
TABLE_PERSONAS = (*PERSONAS, "inactive_citizen")


@pytest.fixture
def every_dossier(make_dossier: Any) -> list[Dossier]:
    """Each kind of dossier in every state of the lifecycle."""
    return [
        make_dossier(kind, state)
        for kind in ("online_a", "online_b", "walk_in_b", "walk_in_joined")
        for state in TRAITS
    ]


@pytest.mark.parametrize("persona", TABLE_PERSONAS)
def test_the_visible_queryset_is_the_view_rule(
    request: pytest.FixtureRequest, every_dossier: list[Dossier], persona: str
) -> None:
    user = _persona(request, persona)
    listed = set(
        Dossier.objects.filter(pk__in=[d.pk for d in every_dossier])
        .filter(visible_filter(user))
        .values_list("pk", flat=True)
    )
    seen = {d.pk for d in every_dossier if may(user, Ask.VIEW, d)}
    describe = {d.pk: f"{d.pk} ({d.channel}, {d.state}, agency {d.agency.code})" for d in every_dossier}
    assert listed == seen, (
        f"listed but not viewable: {[describe[pk] for pk in listed - seen]}; "
        f"viewable but not listed: {[describe[pk] for pk in seen - listed]}"
    )
