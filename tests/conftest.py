"""Shared fixtures: the named personas of STYLE.md, API clients, and the rule that CI uses real services.

With ``PORTAL_REQUIRE_SERVICES=1`` (set by .ci/run) the run stops at once unless the tests are on PostgreSQL
and Redis, so nothing silently falls back to SQLite.
"""

import os
import shutil
import tempfile
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings
from hypothesis.configuration import set_hypothesis_home_dir
from rest_framework.test import APIClient

from accounts.constants import Role
from tests.factories import AgencyFactory, UserFactory

# The local OpenID provider standing in for the national e-ID (``oidc_provider``, ``eid``).
pytest_plugins = ["tests.eid"]

# Hypothesis keeps no example database, and its other caches go to a temporary folder removed at the end: a test
# run leaves no .hypothesis/ folder in the work tree.
hypothesis_settings.register_profile("portal", database=None)
hypothesis_settings.load_profile("portal")
HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="portal-hypothesis-")
set_hypothesis_home_dir(HYPOTHESIS_HOME)


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(HYPOTHESIS_HOME, ignore_errors=True)


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("PORTAL_REQUIRE_SERVICES") == "1":
        engine = settings.DATABASES["default"]["ENGINE"]
        if engine != "django.db.backends.postgresql" or not settings.REDIS_URL:
            raise pytest.UsageError("PORTAL_REQUIRE_SERVICES=1 needs DATABASE_URL (PostgreSQL) and REDIS_URL")


@pytest.fixture(autouse=True)
def _media_root(tmp_path: Any, settings: Any) -> None:
    """Each test writes files into its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Each test starts with an empty cache. On Redis only this worker's keys go: ``cache.clear()`` there is a
    FLUSHDB, which would empty the other xdist workers' cache, and the Celery broker's queues, mid-test."""
    from django.core.cache import cache

    if settings.REDIS_URL:
        client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
        keys = list(client.scan_iter(match=f"{settings.CACHES['default']['KEY_PREFIX']}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()
    yield


@pytest.fixture
def agency_a(db: Any) -> Any:
    return AgencyFactory(code="H12.01", name="Sở Tư pháp")


@pytest.fixture
def agency_b(db: Any) -> Any:
    return AgencyFactory(code="H12.02", name="Sở Xây dựng")


@pytest.fixture
def province(db: Any) -> Any:
    return AgencyFactory(code="H12", name="Ủy ban nhân dân tỉnh", level="province")


@pytest.fixture
def citizen(db: Any) -> Any:
    return UserFactory(username="citizen", role=Role.CITIZEN)


@pytest.fixture
def citizen2(db: Any) -> Any:
    return UserFactory(username="citizen2", role=Role.CITIZEN, first_name="Bình", last_name="Trần Thị")


@pytest.fixture
def receiver(agency_a: Any) -> Any:
    return UserFactory(username="receiver", role=Role.RECEIVER, agency=agency_a)


@pytest.fixture
def assessor(agency_a: Any) -> Any:
    return UserFactory(username="assessor", role=Role.ASSESSOR, agency=agency_a)


@pytest.fixture
def approver(agency_a: Any) -> Any:
    return UserFactory(username="approver", role=Role.APPROVER, agency=agency_a)


@pytest.fixture
def receiver_b(agency_b: Any) -> Any:
    return UserFactory(username="receiver_b", role=Role.RECEIVER, agency=agency_b)


@pytest.fixture
def assessor_b(agency_b: Any) -> Any:
    return UserFactory(username="assessor_b", role=Role.ASSESSOR, agency=agency_b)


@pytest.fixture
def approver_b(agency_b: Any) -> Any:
    return UserFactory(username="approver_b", role=Role.APPROVER, agency=agency_b)


@pytest.fixture
def province_admin(province: Any) -> Any:
    return UserFactory(username="province_admin", role=Role.PROVINCE_ADMIN, agency=province)


@pytest.fixture
def leader(province: Any) -> Any:
    return UserFactory(username="leader", role=Role.LEADER, agency=province)


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


@pytest.fixture
def api() -> Callable[[Any], APIClient]:
    """``api(user)``: an API client authenticated as ``user`` (or anonymous for ``None``)."""

    def make(user: Any = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
