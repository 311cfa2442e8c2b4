"""Logging in with the national e-ID (VNeID through the national portal's SSO), against a real OpenID provider
started on this machine (tests/eid.py): the verified identity fills and locks the profile and counts as verified
for the walk-in rule; replays, crossed logins, another client's code or token, and a changed ID number log
nothing in and change nothing."""

from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import SuspiciousOperation
from django.test import Client, RequestFactory

from accounts.constants import IdSource, Role
from accounts.eid import EidBackend
from accounts.models import Profile, User
from accounts.services import identity_verify, verified_citizen
from dossiers.services import profile_learn
from tests.eid import Provider
from tests.english import in_english
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
EID_LOGIN = "/accounts/eid/login/"
ID_NUMBER = "001089012345"


def start_login(client: Client, next_url: str = "") -> str:
    """The citizen presses "Log in with VNeID": the provider's address the portal sends them to."""
    response = client.get(EID_LOGIN + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    return str(response["Location"])


def back_at_portal(location: str) -> str:
    """The provider's redirect, as a path on the test client's portal."""
    parts = urlsplit(location)
    assert parts.path == "/accounts/eid/callback/"
    return f"{parts.path}?{parts.query}"


def log_in(client: Client, eid: Provider, sub: str, next_url: str = "") -> Any:
    return client.get(back_at_portal(eid.approve(start_login(client, next_url), sub)))


def logged_in_user(client: Client) -> User | None:
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


def refusal(client: Client, response: Any) -> str:
    assert response.status_code == 302 and response["Location"] == LOGIN
    page = client.get(LOGIN)
    return page.content.decode()


def test_a_citizen_logs_in_with_the_national_eid_and_their_identity_is_verified_and_locked(client, eid):
    sub = eid.person("vneid-an", name="Nguyễn Văn An", id_number=ID_NUMBER, birthdate="1989-05-14")

    response = log_in(client, eid, sub)

    assert response.status_code == 302 and response["Location"] == "/"  # a citizen's home
    user = logged_in_user(client)
    assert user is not None and user.role == Role.CITIZEN
    assert user.get_full_name() == "Nguyễn Văn An"
    assert ID_NUMBER not in user.username  # staff see user names
    assert not user.has_usable_password()
    profile = user.profile
    assert (profile.full_name, profile.id_number, profile.date_of_birth) == (
        "Nguyễn Văn An",
        ID_NUMBER,
        date(1989, 5, 14),
    )
    assert profile.id_verified and profile.id_verified_source == IdSource.EID and profile.locked
    # The walk-in rule: a dossier filed at a counter with this number joins this account.
    assert verified_citizen(ID_NUMBER) == user


def test_the_login_keeps_a_safe_next_address_and_refuses_another_site(client, eid):
    sub = eid.person("vneid-next", name="Lê Thị Cúc", id_number="001190000001")

    assert log_in(client, eid, sub, next_url="/dossiers/")["Location"] == "/dossiers/"
    client.logout()
    assert log_in(client, eid, sub, next_url="https://evil.example/")["Location"] == "/"


def test_the_second_login_is_the_same_account_and_follows_the_eids_name(client, eid):
    sub = eid.person("vneid-binh", name="Trần Thị Bình", id_number="001190000002")
    log_in(client, eid, sub)
    first = logged_in_user(client)
    client.logout()

    eid.person(sub, name="Trần Thị Bình An", id_number="001190000002")
    log_in(Client(), eid, sub)

    assert User.objects.filter(profile__eid_subject=sub).get() == first
    first.profile.refresh_from_db()
    assert first.profile.full_name == "Trần Thị Bình An"


def test_a_changed_id_number_on_a_second_login_is_refused_and_changes_nothing(client, eid):
    sub = eid.person("vneid-cuong", name="Phạm Văn Cường", id_number="001190000003")
    log_in(client, eid, sub)
    client.logout()
    eid.person(sub, name="Phạm Văn Cường", id_number="001190000099")

    other = in_english(Client())
    response = log_in(other, eid, sub)

    assert logged_in_user(other) is None
    assert "another ID number" in refusal(other, response)
    profile = Profile.objects.get(eid_subject=sub)
    assert profile.id_number == "001190000003" and profile.id_verified
    assert verified_citizen("001190000099") is None


def test_an_account_whose_number_a_counter_verified_is_the_one_the_eid_logs_into(client, eid, receiver):
    citizen = UserFactory(username="counter-checked", role=Role.CITIZEN)
    identity_verify(actor=receiver, user=citizen, id_number="001190000004")
    sub = eid.person("vneid-dung", name="Hoàng Văn Dũng", id_number="001190000004")

    log_in(client, eid, sub)

    assert logged_in_user(client) == citizen
    citizen.profile.refresh_from_db()
    assert citizen.profile.eid_subject == sub and citizen.profile.locked
    assert User.objects.filter(role=Role.CITIZEN).count() == 1


def test_a_number_verified_on_an_account_linked_to_another_eid_is_refused(client, eid):
    first = eid.person("vneid-e1", name="Đỗ Thị Em", id_number="001190000005")
    log_in(client, eid, first)
    client.logout()
    second = eid.person("vneid-e2", name="Đỗ Thị Em", id_number="001190000005")

    other = Client()
    log_in(other, eid, second)

    assert logged_in_user(other) is None
    assert not Profile.objects.filter(eid_subject=second).exists()


def test_staff_do_not_log_in_through_the_eid(client, eid, receiver):
    Profile.objects.create(user=receiver, eid_subject="vneid-staff", id_number="001190000006")
    sub = eid.person("vneid-staff", name="Nguyễn Văn Nhân", id_number="001190000006")

    log_in(client, eid, sub)

    assert logged_in_user(client) is None


def test_the_same_return_replayed_logs_nothing_in(client, eid):
    sub = eid.person("vneid-replay", name="Vũ Văn Giang", id_number="001190000007")
    callback = back_at_portal(eid.approve(start_login(client), sub))
    assert client.get(callback).status_code == 302 and logged_in_user(client) is not None
    client.logout()

    # The same address again, in the same browser and in another one: its state was used up.
    assert client.get(callback)["Location"] == LOGIN
    assert logged_in_user(client) is None
    stranger = Client()
    assert stranger.get(callback)["Location"] == LOGIN
    assert logged_in_user(stranger) is None


def test_a_code_returned_with_another_logins_state_fails_its_nonce(client, eid):
    sub = eid.person("vneid-nonce", name="Bùi Thị Hà", id_number="001190000008")
    first = back_at_portal(eid.approve(start_login(client), sub))
    second = back_at_portal(eid.approve(start_login(client), sub))
    code_of_first = parse_qs(urlsplit(first).query)["code"][0]
    state_of_second = parse_qs(urlsplit(second).query)["state"][0]

    response = client.get(f"/accounts/eid/callback/?code={code_of_first}&state={state_of_second}")

    assert response["Location"] == LOGIN and logged_in_user(client) is None
    assert not Profile.objects.filter(eid_subject=sub).exists()


def test_a_code_issued_to_another_client_is_refused(client, eid):
    sub = eid.person("vneid-other-code", name="Ngô Văn Khoa", id_number="001190000009")
    location = start_login(client)
    state = parse_qs(urlsplit(location).query)["state"][0]
    redirect_uri = parse_qs(urlsplit(location).query)["redirect_uri"][0]
    code = eid.code_for("another-portal", sub, redirect_uri=redirect_uri)

    response = client.get(f"/accounts/eid/callback/?code={code}&state={state}")

    assert response["Location"] == LOGIN and logged_in_user(client) is None


def test_an_id_token_issued_to_another_client_is_refused(eid):
    token = eid.id_token_for("another-portal", "vneid-x", redirect_uri="http://testserver/cb", nonce="n1")
    backend = EidBackend()
    backend.request = RequestFactory().get("/")

    with pytest.raises(SuspiciousOperation, match="another client"):
        backend.verify_token(token, nonce="n1")


def test_the_providers_refusal_brings_the_citizen_back_to_the_login_page(client, eid):
    location = start_login(client)
    state = parse_qs(urlsplit(location).query)["state"][0]

    response = client.get(f"/accounts/eid/callback/?error=access_denied&state={state}")

    assert response["Location"] == LOGIN and logged_in_user(client) is None
    assert "VNeID" in client.get(LOGIN).content.decode()


def test_a_password_login_with_a_code_in_its_address_is_not_an_eid_login(client, eid, citizen):
    response = client.post(
        LOGIN + "?code=forged&state=forged", {"username": "citizen", "password": "correct horse battery"}
    )

    assert response.status_code == 302 and logged_in_user(client) == citizen


def test_the_login_page_offers_vneid_where_configured_and_the_password_stays(client, eid):
    page = client.get(LOGIN).content.decode()

    assert "Đăng nhập bằng VNeID" in page
    assert 'name="password"' in page


def test_without_an_eid_client_the_login_page_has_no_vneid_and_its_address_is_404(client, settings):
    settings.OIDC_RP_CLIENT_ID = ""

    assert "VNeID" not in client.get(LOGIN).content.decode()
    assert client.get(EID_LOGIN).status_code == 404
    assert client.get("/accounts/eid/callback/?code=a&state=b").status_code == 404


def test_a_dossier_does_not_change_the_eids_name_or_birth_date_on_the_profile(client, eid):
    sub = eid.person("vneid-lock", name="Lý Thị Mai", id_number="001190000010", birthdate="1995-01-02")
    log_in(client, eid, sub)
    user = logged_in_user(client)

    profile_learn(
        user=user,
        applicant={"full_name": "Someone Else", "date_of_birth": "2000-01-01", "phone": "0912345678"},
    )

    user.profile.refresh_from_db()
    assert user.profile.full_name == "Lý Thị Mai" and user.profile.date_of_birth == date(1995, 1, 2)
    assert user.profile.phone == "0912345678"


def test_a_counter_does_not_change_an_eid_verified_number(eid, client, receiver):
    sub = eid.person("vneid-counter", name="Trịnh Văn Nam", id_number="001190000011")
    log_in(client, eid, sub)
    user = logged_in_user(client)

    from portal.errors import InvalidState

    with pytest.raises(InvalidState):
        identity_verify(actor=receiver, user=user, id_number="001190000012")
    user.profile.refresh_from_db()
    assert user.profile.id_number == "001190000011"
