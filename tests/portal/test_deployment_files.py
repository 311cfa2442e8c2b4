"""docker-compose.yml stays valid and in step with ./dev.sh stack (this machine has no Docker daemon to run it):
the same services, and only settings the portal reads and README documents."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_runs_the_stacks_services() -> None:
    services = _compose()["services"]

    assert {"proxy", "web", "worker", "beat", "postgres", "postgres-replica", "redis", "minio"} <= set(
        services
    )
    for name in ("web", "worker", "beat"):
        assert services[name]["image"] == "portal"
    assert "readyz" in " ".join(services["web"]["healthcheck"]["test"])


def test_every_setting_compose_gives_the_portal_is_one_readme_documents() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", readme))
    given = set(_compose()["services"]["web"]["environment"])

    assert given - documented - {"PROMETHEUS_MULTIPROC_DIR"} == set()
    assert "PROMETHEUS_MULTIPROC_DIR" in readme


def test_the_stack_script_sets_what_compose_sets() -> None:
    stack = (ROOT / "deploy" / "stack.sh").read_text(encoding="utf-8")
    for name in ("DATABASE_REPLICA_URLS", "REDIS_URL", "STORAGE_URL", "TRUSTED_PROXIES", "LOG_FORMAT"):
        assert f"{name}=" in stack and name in _compose()["services"]["web"]["environment"]
