"""PUBLIC_BASE_URL (API.md "Running it"): the address in every QR code; the demo's is the one `./dev.sh serve`
serves on, a deployment without one does not start, and a value that is not an absolute address stops start-up."""

from typing import Any

import pytest

from portal import deployment
from tests.security.test_fail_closed import manage, production, refusal

PRINT = "from django.conf import settings; print(settings.PUBLIC_BASE_URL)"


def public_base_url(result: Any) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_demo_prints_the_address_dev_sh_serves_on(tmp_path: Any) -> None:
    assert public_base_url(manage(tmp_path, "shell", "-c", PRINT)) == deployment.DEMO_BASE_URL
    assert deployment.DEMO_BASE_URL == "http://127.0.0.1:8000"


def test_a_deployment_prints_its_own_address_without_the_trailing_slash(tmp_path: Any) -> None:
    result = manage(
        tmp_path, "shell", "-c", PRINT, **production(PUBLIC_BASE_URL="https://dvc.example.gov.vn/")
    )

    assert public_base_url(result) == "https://dvc.example.gov.vn"


def test_a_real_host_without_a_public_address_refuses_to_start_naming_it(tmp_path: Any) -> None:
    message = refusal(manage(tmp_path, "check", **production(PUBLIC_BASE_URL=None)))

    assert "PUBLIC_BASE_URL" in message


def test_the_demo_switched_off_on_localhost_asks_for_a_public_address_too(tmp_path: Any) -> None:
    message = refusal(manage(tmp_path, "check", PORTAL_DEMO="0", PAYMENT_PROVIDERS="counter"))

    assert "PUBLIC_BASE_URL" in message


@pytest.mark.parametrize(
    "value",
    [
        "dichvucong.example.gov.vn",
        "/lookup/",
        "ftp://dichvucong.example.gov.vn",
        "https://",
        "https://x.vn/?a=1",
    ],
)
def test_a_public_address_that_is_not_absolute_stops_start_up(tmp_path: Any, value: str) -> None:
    message = refusal(manage(tmp_path, "check", PUBLIC_BASE_URL=value))

    assert "PUBLIC_BASE_URL" in message
