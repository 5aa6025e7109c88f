"""The `moderation` command's own subcommands."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import create_engine, inspect


def moderation(*args: str, env: dict[str, str], input: str | None = None):
    return subprocess.run([sys.executable, "-m", "cli", *args], env=env, input=input,
                          capture_output=True, text=True, timeout=120)


def test_db_upgrade_creates_the_schema(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": url,
           "MODERATION_INSTANCE_DIR": str(tmp_path)}

    result = moderation("db", "upgrade", env=env)

    assert result.returncode == 0, result.stderr
    tables = set(inspect(create_engine(url)).get_table_names())
    assert {"comments", "decisions", "events", "alembic_version"} <= tables


def test_config_prints_every_setting():
    from service.config import SETTINGS

    result = moderation("config", env={"PATH": "/usr/bin:/bin"})

    assert result.returncode == 0, result.stderr
    for setting in SETTINGS:
        assert f"`{setting.name}`" in result.stdout


def test_a_bad_setting_names_the_variable(tmp_path):
    result = moderation("db", "upgrade", env={"PATH": "/usr/bin:/bin", "SCORING_BATCH_SIZE": "many",
                                              "MODERATION_INSTANCE_DIR": str(tmp_path)})

    assert result.returncode != 0
    assert "SCORING_BATCH_SIZE" in result.stderr
