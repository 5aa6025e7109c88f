"""The compose file and the Dockerfile (Docker itself cannot run here: these read them)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from service.config import SETTINGS

DEPLOY = Path(__file__).parents[2] / "deploy"
APP_SERVICES = {
    "migrate": ["db", "upgrade"],
    "web": ["web", "--host", "0.0.0.0", "--port", "8000"],
    "scoring-worker": ["worker", "--queue", "analyze", "--queue", "scoring", "--queue", "explain"],
    "webhook-worker": ["worker", "--queue", "webhooks"],
    "sweeper": ["sweep"],
}


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_runs_each_role_from_one_image_beside_redis_and_postgresql():
    services = compose()["services"]

    assert set(services) == {*APP_SERVICES, "redis", "postgres"}
    for name, command in APP_SERVICES.items():
        assert services[name]["command"] == command, name
        assert services[name]["image"] == "moderation:latest", name
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile", name
    assert services["scoring-worker"]["deploy"]["replicas"] >= 2


def test_roles_start_after_migrations_on_healthy_redis_and_postgresql():
    services = compose()["services"]

    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["migrate"]["restart"] == "no"
    for name in set(APP_SERVICES) - {"migrate"}:
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"},
            "redis": {"condition": "service_healthy"},
            "postgres": {"condition": "service_healthy"},
        }, name
    assert "healthcheck" in services["redis"] and "healthcheck" in services["postgres"]


def test_redis_keeps_an_append_only_file_on_a_volume():
    redis = compose()["services"]["redis"]

    assert redis["command"][redis["command"].index("--appendonly") + 1] == "yes"
    assert any(volume.endswith(":/data") for volume in redis["volumes"])


def test_the_app_environment_names_only_real_settings():
    known = {setting.name for setting in SETTINGS}
    for name in APP_SERVICES:
        environment = compose()["services"][name]["environment"]
        assert set(environment) <= known, name
        assert environment["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert environment["REDIS_URL"] == "redis://redis:6379/0"


def test_the_web_takes_its_shape_from_the_settings_3_processes_of_2_threads():
    web = compose()["services"]["web"]

    assert not {"--workers", "--threads"} & set(web["command"])
    shape = {name: web["environment"][name] for name in ("WEB_WORKERS", "WEB_THREADS")}
    assert shape == {"WEB_WORKERS": "${WEB_WORKERS:-3}", "WEB_THREADS": "${WEB_THREADS:-2}"}


def test_the_image_runs_as_a_non_root_user_with_a_healthcheck_and_the_moderation_command():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    final_stage = dockerfile[dockerfile.rindex("\nFROM "):]

    user = re.search(r"^USER (\S+)", final_stage, re.MULTILINE)
    assert user and not user.group(1).startswith(("root", "0"))
    assert re.search(r"^HEALTHCHECK .*/healthz", final_stage, re.MULTILINE | re.DOTALL)
    assert 'ENTRYPOINT ["moderation"]' in final_stage
    assert "ensure_model" in dockerfile and "COPY --from=build /opt/models" in final_stage
