"""The citizen ID number: 12 digits whose first three are a province's code (Circular 07/2016/TT-BCA), every code
ever issued accepted (the cards issued before the 2025 merger keep theirs); refused with a clear message on the
applicant's form, at the counter's identity check and in the API, and nothing changes."""

from typing import Any

import pytest

from accounts.id_numbers import PROVINCE_CODES, id_number_problem
from accounts.models import Profile
from dossiers import forms


def test_the_list_holds_the_63_provinces_codes_of_the_circular() -> None:
    assert len(PROVINCE_CODES) == 63
    assert all(len(code) == 3 and code.isdigit() for code in PROVINCE_CODES)
    assert (PROVINCE_CODES["001"], PROVINCE_CODES["079"], PROVINCE_CODES["096"]) == (
        "Hà Nội",
        "Hồ Chí Minh",
        "Cà Mau",
    )


@pytest.mark.parametrize("number", ["001088000123", "002195000001", "096300000001", "046099123456"])
def test_a_number_with_a_province_code_passes_merged_provinces_old_codes_too(number: str) -> None:
    assert id_number_problem(number) is None


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("000088000123", "invalid_id_number_province"),
        ("003088000123", "invalid_id_number_province"),  # no province has 003
        ("097088000123", "invalid_id_number_province"),
        ("99908800012", "invalid_id_number"),
        ("0010880001234", "invalid_id_number"),
        ("００1088000123", "invalid_id_number"),  # full-width digits
        ("001 88000123", "invalid_id_number"),
    ],
)
def test_a_number_without_a_province_code_or_of_another_length_is_refused(number: str, code: str) -> None:
    problem = id_number_problem(number)
    assert problem is not None and problem[1] == code


@pytest.mark.django_db
def test_the_applicants_form_says_what_is_wrong_with_the_province_code() -> None:
    _values, errors = forms.validate(forms.ApplicantForm, {"id_number": "003088000123"}, complete=False)

    assert "096" in errors["id_number"][0]  # the message names the codes, in either language


@pytest.mark.django_db
def test_the_counters_identity_check_refuses_an_unknown_province_code_and_changes_nothing(
    api: Any, receiver: Any, citizen: Any
) -> None:
    response = api(receiver).post(
        "/api/v1/identity/verify/", {"username": citizen.username, "id_number": "099088000123"}, format="json"
    )

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_id_number_province"
    assert not Profile.objects.filter(user=citizen, id_verified_at__isnull=False).exists()
