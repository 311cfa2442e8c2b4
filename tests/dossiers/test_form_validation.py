"""Validation as people expect it: no one is born in the future, and what review requires is marked on the draft."""

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from dossiers import forms
from procedures.models import FormField
from tests.factories import DossierFactory, ProcedureVersionFactory


def _birth_registration() -> Any:
    version = ProcedureVersionFactory(published=True)
    FormField.objects.create(
        version=version, position=2, name="child_birth_date", label="Ngày sinh", type="date", required=True
    )
    FormField.objects.create(
        version=version, position=3, name="registered_on", label="Ngày hẹn", type="date", required=False
    )
    return version


@pytest.mark.django_db
def test_a_childs_date_of_birth_in_the_future_is_refused() -> None:
    version = _birth_registration()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    with translation.override("en"):
        _, errors = forms.validate(
            forms.procedure_form_class(version), {"child_birth_date": tomorrow.isoformat()}, complete=False
        )

    assert errors["child_birth_date"] == ["A date of birth cannot be in the future."]


@pytest.mark.django_db
def test_a_childs_date_of_birth_today_and_another_date_in_the_future_pass() -> None:
    version = _birth_registration()
    next_year = timezone.localdate() + datetime.timedelta(days=365)

    values, errors = forms.validate(
        forms.procedure_form_class(version),
        {"child_birth_date": timezone.localdate().isoformat(), "registered_on": next_year.isoformat()},
        complete=False,
    )

    assert errors == {}
    assert values["registered_on"] == next_year.isoformat()


@pytest.mark.django_db
def test_the_applicants_own_date_of_birth_cannot_be_in_the_future_either() -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    _, errors = forms.validate(forms.ApplicantForm, {"date_of_birth": tomorrow.isoformat()}, complete=False)

    assert "date_of_birth" in errors


@pytest.mark.django_db
def test_the_draft_page_marks_the_id_number_that_review_requires(citizen: Any) -> None:
    dossier = DossierFactory(applicant=citizen, applicant_data={})
    browser = Client()
    browser.force_login(citizen)

    page = browser.get(f"/dossiers/{dossier.pk}/edit/").content.decode()

    label = re.search(r'<label for="id_applicant-id_number">(.*?)</label>', page, re.S)
    assert label is not None and 'class="need"' in label[1]
    assert 'aria-describedby="id_applicant-id_number_helptext"' in page
    assert 'id="id_applicant-id_number_helptext"' in page
