"""Migration 0009 makes a thread for each thread of the comments already stored, on
SQLite and PostgreSQL, and goes back down."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import MetaData, Table, Uuid, create_engine, insert, inspect, text

from service.migrate import alembic_config, upgrade
from tests.support import databases


@pytest.fixture(params=["sqlite", "postgresql"])
def url_at_0008(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database migrated to 0008 (sites, before threads and commenters)."""
    with databases.migrated_to(request.param, tmp_path, "0008") as url:
        yield url


def test_each_thread_of_the_stored_comments_becomes_a_thread(url_at_0008):
    engine = create_engine(url_at_0008)
    first = datetime(2026, 12, 1, 12, 0)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO sites (id, slug, name, locale, anonymous_allowed, policy, sso_secret,"
            " created_at, updated_at, updated_by) VALUES (2, 'other', 'Other', 'en', true,"
            " '{}', 'x', :now, :now, '')"), {"now": first})
        for minutes, site_id, thread in ((5, 1, "budget"), (0, 1, "budget"), (1, 1, "war"),
                                         (2, 2, "budget")):
            _insert(connection, "comments", id=uuid.uuid4(), site_id=site_id, thread_id=thread,
                    author="Ann", body="Hello", status="approved",
                    created_at=first + timedelta(minutes=minutes))

    upgrade(url_at_0008, "0009")

    with engine.connect() as connection:
        threads = {(row.site_id, row.key): row for row in
                   connection.execute(text("SELECT * FROM threads"))}
        assert set(threads) == {(1, "budget"), (1, "war"), (2, "budget")}
        budget = threads[(1, "budget")]
        assert budget.title is None and budget.url is None
        assert not budget.closed and not budget.premoderation
        assert str(budget.created_at).startswith("2026-12-01 12:00:00")  # its first comment
        assert connection.execute(text(
            "SELECT count(*) FROM comments WHERE commenter_id IS NULL")).scalar_one() == 4
        # New rows take the defaults the migration gave the columns.
        connection.execute(text(
            "INSERT INTO commenters (site_id, sub, name, created_at, updated_at)"
            " VALUES (1, 'u1', 'Ann', :now, :now)"), {"now": first})
        row = connection.execute(text("SELECT status, note, updated_by FROM commenters")).one()
        assert tuple(row) == ("normal", "", "")
        connection.commit()

    command.downgrade(alembic_config(url_at_0008), "0008")

    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        assert not {"threads", "commenters"} & tables
        columns = {column["name"] for column in inspect(connection).get_columns("comments")}
        assert "commenter_id" not in columns
        assert connection.execute(text("SELECT count(*) FROM comments")).scalar_one() == 4
    engine.dispose()


def _insert(connection, table: str, **values) -> None:
    """Insert a row as that revision's schema has it (reflected, not today's models)."""
    reflected = Table(table, MetaData(), autoload_with=connection)
    for column in reflected.columns:
        if isinstance(values.get(column.name), uuid.UUID):
            column.type = Uuid()
    connection.execute(insert(reflected).values(**values))
