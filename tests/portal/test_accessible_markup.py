"""WCAG 2.2 details the browser test's axe run would also find, checked on the markup: a flash message is a list
in a live region; the service index's sideways-scrolling table can be reached by keyboard and is named."""

import re
from typing import Any

import pytest
from django.test import Client

from tests.factories import DossierFactory


@pytest.mark.django_db
def test_a_flash_message_is_a_list_inside_a_live_region(citizen: Any) -> None:
    dossier = DossierFactory(applicant=citizen)
    browser = Client()
    browser.force_login(citizen)

    page = browser.post(f"/dossiers/{dossier.pk}/edit/", {"save": ""}, follow=True).content.decode()

    assert re.search(r'<div role="status"><ul class="messages"><li', page)
    assert '<ul class="messages" role=' not in page


@pytest.mark.django_db
def test_the_service_indexs_scrolling_table_is_a_named_region_reachable_by_keyboard() -> None:
    page = Client().get("/service-index/").content.decode()

    region = re.search(r'<div class="scroll-x"([^>]*)>', page)
    assert region is not None
    assert 'tabindex="0"' in region[1] and 'role="region"' in region[1]
    labelled_by = re.search(r'aria-labelledby="([^"]+)"', region[1])
    assert labelled_by is not None and f'id="{labelled_by[1]}"' in page
