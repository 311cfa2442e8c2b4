"""At "result ready" the counter opens the signed result it is handing over, from the console's dossier page."""

import pytest
from django.test import Client

from tests.factories import DossierFactory, ProcedureVersionFactory

pytestmark = pytest.mark.django_db


def console_page(user, dossier) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/console/dossiers/{dossier.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_counter_sees_the_result_link_at_result_ready_and_not_before(receiver, agency_a):
    version = ProcedureVersionFactory(agency=agency_a, published=True)
    ready = DossierFactory(version=version, result_ready=True)
    assessing = DossierFactory(version=version, received=True)

    assert f'href="/api/v1/dossiers/{ready.pk}/result/"' in console_page(receiver, ready)
    assert "/result/" not in console_page(receiver, assessing)
