"""Fail closed (DESIGN.md "Trust"): the demo's public secrets hold only on a local address.

A portal whose ``ALLOWED_HOSTS`` names any real host (anything but localhost, 127.0.0.0/8, ::1 and Django's
``testserver``) is a deployment: it refuses to start without its own ``SECRET_KEY`` and the secrets of every
payment provider it lists, and its public address (``PUBLIC_BASE_URL``, printed in every QR code), and says in one message everything that is missing. Read by the settings, before
Django is set up, so nothing here imports ``django.conf``.
"""

import ipaddress
from collections.abc import Iterable

# Public values, printed in this repository: good enough for a laptop, never for a real host.
PUBLIC_SECRET_KEY = "insecure-demo-key-set-SECRET_KEY-in-production"  # noqa: S105
PUBLIC_SANDBOX_SECRET = "sandbox-demo-secret"  # noqa: S105
# The address `./dev.sh serve` serves on: what the demo prints in its QR codes when PUBLIC_BASE_URL is unset.
DEMO_BASE_URL = "http://127.0.0.1:8000"

_LOCAL_NAMES = {"localhost", "testserver"}


def is_local_host(host: str) -> bool:
    """Whether an ``ALLOWED_HOSTS`` entry names only this machine (``*`` and ``.domain`` patterns never do)."""
    name = host.strip().lower().rstrip(".")
    if name in _LOCAL_NAMES:
        return True
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def local_only(allowed_hosts: Iterable[str]) -> bool:
    return all(is_local_host(host) for host in allowed_hosts)


def missing_secrets(
    *,
    secret_key: str,
    payment_providers: Iterable[str],
    sandbox_secret: str,
    vnpay_tmn_code: str,
    vnpay_secret: str,
    public_base_url: str,
) -> list[str]:
    """What a deployment lacks before it may start, each entry naming the variable to set."""
    missing = []
    if not public_base_url:
        missing.append(
            "PUBLIC_BASE_URL (the address printed in QR codes, e.g. https://dichvucong.example.gov.vn)"
        )
    if not secret_key:
        missing.append("SECRET_KEY (or SECRET_KEY_FILE)")
    elif secret_key == PUBLIC_SECRET_KEY:
        missing.append("SECRET_KEY (the demo's public key is refused)")
    providers = set(payment_providers)
    if "sandbox" in providers:
        if not sandbox_secret:
            missing.append("PAYMENT_SANDBOX_SECRET (sandbox is listed in PAYMENT_PROVIDERS)")
        elif sandbox_secret == PUBLIC_SANDBOX_SECRET:
            missing.append("PAYMENT_SANDBOX_SECRET (the demo's public secret is refused)")
    if "vnpay" in providers:
        missing += [
            f"{name} (vnpay is listed in PAYMENT_PROVIDERS)"
            for name, value in (
                ("PAYMENT_VNPAY_TMN_CODE", vnpay_tmn_code),
                ("PAYMENT_VNPAY_SECRET", vnpay_secret),
            )
            if not value
        ]
    return missing


def refusal(missing: list[str], *, allowed_hosts: Iterable[str], demo_switched_off: bool) -> str:
    """The one start-up message naming everything that is missing, and why it is asked for."""
    if demo_switched_off and local_only(allowed_hosts):
        why = "PORTAL_DEMO=0"
    else:
        real = ", ".join(host for host in allowed_hosts if not is_local_host(host))
        why = f"ALLOWED_HOSTS names a real host ({real}), so the demo's public secrets are off"
    return f"{why}; set: " + "; ".join(missing)
