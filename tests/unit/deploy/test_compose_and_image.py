"""docker-compose.yml and the Dockerfile, checked without a Docker engine: the stack the issue asks for, and
every service's environment named as CONTRACT section 7 names it."""

from __future__ import annotations

import re

import yaml

from shared.settings import Settings
from tests.conftest import ROOT, SHARED_DOCS

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = ("intake", "deadline", "compiler", "notifier", "dashboard")


def contract_settings() -> set[str]:
    text = (SHARED_DOCS / "CONTRACT.md").read_text(encoding="utf-8")
    section = text.split("## 7.")[1].split("## 8.")[0]
    names: set[str] = set()
    for cell in re.findall(r"^\| (`[^|]+`) \|", section, flags=re.M):
        names.update(re.findall(r"`([A-Z_]+)`", cell))
    return names


def known_settings() -> set[str]:
    names = set()
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        names.update(c for c in getattr(alias, "choices", []) if isinstance(c, str) and c.isupper())
    return names | {"MIDTERM_SERVICE"}


def test_the_contract_settings_are_all_read_by_the_settings_class():
    assert contract_settings() >= {"NATS_URL", "MONGODB_URI", "MIDTERM_CLOCK", "SMTP_HOST"}
    assert contract_settings() <= known_settings()


def test_the_stack_has_mongodb_7_as_a_replica_set_with_auth_nats_with_jetstream_and_mailpit():
    services = COMPOSE["services"]
    assert services["mongo"]["image"] == "mongo:7"
    assert "--replSet" in services["mongo"]["command"]
    assert services["mongo"]["environment"]["MONGO_INITDB_ROOT_PASSWORD"]
    nats_version = services["nats"]["image"].split(":")[1]
    assert tuple(int(p) for p in nats_version.split("-")[0].split(".")[:2]) >= (2, 10)
    assert "-js" in services["nats"]["command"]
    assert "/etc/nats/nats-server.conf" in services["nats"]["command"]
    assert services["mailpit"]["image"].startswith("axllent/mailpit")
    assert set(COMPOSE["volumes"]) >= {"mongo-data", "nats-data"}


def test_every_service_runs_from_the_one_image_with_its_own_command():
    for name in SERVICES:
        service = COMPOSE["services"][name]
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert service["command"] == [f"services.{name}"]
        assert service["depends_on"]["nats"]["condition"] == "service_healthy"


def test_every_service_environment_uses_only_names_the_platform_reads():
    for name in SERVICES:
        env = COMPOSE["services"][name]["environment"]
        unknown = set(env) - known_settings()
        assert not unknown, f"{name}: {sorted(unknown)} is read by nothing"
        assert env["NATS_URL"].startswith(f"nats://{name}:"), "each service logs in as its own NATS user"
        assert "w=majority" in env["MONGODB_URI"] and "journal=true" in env["MONGODB_URI"]
    assert {"SMTP_HOST", "SMTP_PORT", "MIDTERM_OFFICE_EMAIL"} <= set(COMPOSE["services"]["notifier"]["environment"])


def test_every_nats_password_the_server_config_expects_is_given_to_the_nats_container():
    conf = (ROOT / "deploy" / "nats-server.conf").read_text(encoding="utf-8")
    expected = set(re.findall(r"\$([A-Z_]+_PASSWORD)", conf))
    assert expected and expected <= set(COMPOSE["services"]["nats"]["environment"])


def test_the_image_runs_as_a_non_root_user_with_a_health_check():
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^USER (?!root)\S+", dockerfile, flags=re.M)
    assert "HEALTHCHECK" in dockerfile and "cli.probe" in dockerfile
