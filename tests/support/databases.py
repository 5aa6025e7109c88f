"""Test databases: a SQLite file always, and PostgreSQL where one is reachable."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from service import db
from service.migrate import upgrade

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def postgres_reachable() -> str | None:
    """None when PostgreSQL answers at ``TEST_POSTGRES_URL``, else why not."""
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 2})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except OperationalError as error:
        return f"no PostgreSQL at {POSTGRES_ADMIN_URL}: {str(error).splitlines()[0]}"
    except ModuleNotFoundError as error:
        return f"no PostgreSQL driver: {error}"
    return None


def create_postgres_database() -> str:
    """Create an empty database of its own; return its URL."""
    name = f"moderation_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@contextmanager
def migrated_postgres(revision: str = "heads") -> Iterator[str]:
    """A PostgreSQL database of its own migrated to ``revision``, dropped afterwards; skips
    where none runs."""
    if reason := postgres_reachable():
        pytest.skip(reason)
    url = create_postgres_database()
    try:
        upgrade(url, revision)
        yield url
    finally:
        drop_postgres_database(url)


@contextmanager
def migrated_to(kind: str, folder: Path, revision: str) -> Iterator[str]:
    """A ``kind`` ("sqlite" in ``folder``, or "postgresql") database migrated to
    ``revision``: the schema a migration test starts from."""
    if kind == "postgresql":
        with migrated_postgres(revision) as url:
            yield url
        return
    url = f"sqlite:///{folder / f'at-{revision}.db'}"
    upgrade(url, revision)
    yield url


def database_fixture(scope: str, folder: str) -> Any:
    """A ``database_url`` fixture of ``scope``, on each kind in turn: a migrated SQLite
    file (in a folder named ``folder``), then a PostgreSQL database where one runs."""

    @pytest.fixture(scope=scope, params=["sqlite", "postgresql"], name="database_url")
    def database_url(request: pytest.FixtureRequest,
                     tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
        with migrated_to(request.param, tmp_path_factory.mktemp(folder), "heads") as url:
            yield url

    return database_url


@contextmanager
def recorded_statements(app: Any) -> Iterator[list[str]]:
    """The SQL statements that ``app``'s engine runs within the block, in order, each
    on one line (whitespace folded)."""
    with app.app_context():
        engine = db.session().get_bind()
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
