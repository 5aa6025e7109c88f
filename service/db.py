"""Database access: one engine per app, one session per request or job."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar

from flask import Flask, current_app, g
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


T = TypeVar("T")


def utcnow() -> datetime:
    """Now, as the database keeps times: naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def iso(moment: datetime | None) -> str | None:
    """A stored (naive UTC) time as the APIs and webhook payloads show it: ISO 8601, ``Z``."""
    return moment.isoformat(timespec="milliseconds") + "Z" if moment else None


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and foreign keys."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):  # pragma: no cover - trivial
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def init_app(app: Flask) -> None:
    """Create the app's engine and session factory, and close sessions at teardown."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["db"].kw["bind"]


def session() -> Session:
    """The session of the current request, job or command."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db"]()
    return g.db_session


@contextmanager
def transaction() -> Iterator[Session]:
    """The current session inside a transaction: committed on success, else rolled back."""
    db = session()
    try:
        yield db
        db.commit()
    except BaseException:
        db.rollback()
        raise


def _close_session(_exc: BaseException | None) -> None:
    db = g.pop("db_session", None)
    if db is not None:
        db.close()


def find_or_add(session: Session, find: Callable[[], T | None], make: Callable[[], T]) -> T:
    """The row ``find`` returns, else the one ``make`` builds, added in a savepoint.

    When another transaction adds the same row first (a unique key refuses ours), the
    savepoint is rolled back and theirs is returned.
    """
    found = find()
    if found is not None:
        return found
    _begin_on_sqlite(session)
    try:
        with session.begin_nested():
            made = make()
            session.add(made)
        return made
    except IntegrityError:
        found = find()
        if found is None:
            raise
        return found


def _begin_on_sqlite(session: Session) -> None:
    """Make sure a SQLite transaction is open before a savepoint.

    pysqlite begins a transaction only before a write, so a SAVEPOINT taken first would
    be the outermost, and its RELEASE would commit at once: a refused request would
    leave the row behind. ``BEGIN IMMEDIATE``, as the transaction is about to write.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    if not connection.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN IMMEDIATE")
