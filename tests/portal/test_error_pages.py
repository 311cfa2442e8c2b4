"""The 403 and 404 pages say what to do: the account's own pages, the role that may open it, the lookup."""

import pytest
from django.test import Client

from tests.english import in_english

pytestmark = pytest.mark.django_db


def as_user(user):
    client = in_english(Client())
    client.force_login(user)
    return client


def test_a_leader_on_the_console_gets_a_styled_403_that_leads_to_their_own_pages(leader):
    response = as_user(leader).get("/console/", follow=True)

    page = response.content.decode()
    assert response.status_code == 403
    assert "This page is not for your account" in page and "Leader" in page
    assert 'href="/service-index/"' in page  # the leader's home until their dashboard registers itself
    assert "<footer" in page


def test_a_citizen_on_the_staff_pages_gets_the_same_page(citizen):
    response = as_user(citizen).get("/manage/staff/")

    assert response.status_code == 403 and 'href="/"' in response.content.decode()


def test_the_api_answers_403_as_json(citizen, api):
    response = api(citizen).get("/api/v1/identity/verify/")

    assert response.status_code in {403, 405}
    assert response.json()["code"]


def test_a_404_offers_the_lookup_to_visitors_and_their_pages_to_users(receiver):
    anonymous = in_english(Client()).get("/no-such-page/").content.decode()
    clerk = as_user(receiver).get("/no-such-page/").content.decode()

    assert 'href="/dossiers/lookup/"' in anonymous or "Look up a dossier" in anonymous
    assert 'href="/console/"' in clerk


def test_the_footer_links_the_result_check_with_a_sentence(client):
    page = in_english(client).get("/").content.decode()

    assert 'href="/verify/"' in page.split("<footer")[1]
    assert "Scan its QR code or upload the PDF" in page
