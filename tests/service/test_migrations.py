"""The migrations build exactly the schema that the models describe, and undo it."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from service.migrate import alembic_config, upgrade


def test_migrations_match_the_models(database_url):
    # `database_url` was migrated by the fixture; autogenerate must find nothing to add.
    command.check(alembic_config(database_url))


def test_migrations_go_down_and_up_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    assert set(inspect(create_engine(url)).get_table_names()) == {"alembic_version"}
    upgrade(url)
    assert "comments" in inspect(create_engine(url)).get_table_names()
