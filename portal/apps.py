import logging

from django.apps import AppConfig
from django.conf import settings

from portal import deployment

log = logging.getLogger("portal")


class PortalConfig(AppConfig):
    name = "portal"

    def ready(self) -> None:
        # Fail closed (portal.deployment): a demo says so, at every start, in the log as on every page.
        if settings.PORTAL_DEMO:
            public = [
                name
                for name, value, demo_value in (
                    ("SECRET_KEY", settings.SECRET_KEY, deployment.PUBLIC_SECRET_KEY),
                    (
                        "PAYMENT_SANDBOX_SECRET",
                        settings.PAYMENT_SANDBOX_SECRET,
                        deployment.PUBLIC_SANDBOX_SECRET,
                    ),
                )
                if value == demo_value
            ]
            log.warning(
                "DEMO MODE (PORTAL_DEMO): pages carry a demo banner%s; to run for real set ALLOWED_HOSTS to the "
                "portal's host name with its own SECRET_KEY and payment secrets, or PORTAL_DEMO=0",
                f", and the public demo value of {' and '.join(public)} is in use" if public else "",
            )
