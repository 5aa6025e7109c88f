"""Steps and fixtures that the dashboard and API tests share: accounts, logins, held comments."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service import db
from service.accounts.models import AuditEntry, Moderator
from service.accounts.services import add_moderator, create_token
from service.policy import LABELS
from tests.support.work import drain

PASSWORD = "correct horse battery staple"
HOLD_ALL = {"hold": dict.fromkeys(LABELS, 0.0), "reject": dict.fromkeys(LABELS, 1.0)}
"""Thresholds under which the model holds every comment (no score reaches 1.0)."""
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def add(app: Flask, name: str, role: str = "moderator", password: str = PASSWORD) -> None:
    with app.app_context(), db.transaction() as session:
        add_moderator(session, name, password, role)


def token_for(app: Flask, name: str) -> str:
    with app.app_context(), db.transaction() as session:
        moderator = session.scalar(select(Moderator).where(Moderator.name == name))
        return create_token(session, moderator, by=name)[1]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def csrf_token(client: FlaskClient, path: str = "/dashboard/login") -> str:
    match = CSRF.search(client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def log_in(client: FlaskClient, name: str, password: str = PASSWORD):
    return client.post("/dashboard/login", data={
        "name": name, "password": password, "csrf_token": csrf_token(client)})


def post_comment(client: FlaskClient, body: str, *, thread: str = "city-budget",
                 author: str = "Reader", parent_id: str | None = None) -> str:
    payload = {"body": body, "author": author}
    if parent_id:
        payload["parent_id"] = parent_id
    response = client.post(f"/api/v1/threads/{thread}/comments", json=payload)
    assert response.status_code == 202, response.json
    return response.json["id"]


def scored(app: Flask, client: FlaskClient, *bodies: str, thread: str = "city-budget") -> list[str]:
    """Post comments and let the real worker decide them; return their ids."""
    ids = [post_comment(client, body, thread=thread) for body in bodies]
    drain(app)
    return ids


def status(client: FlaskClient, comment_id: str) -> str:
    return client.get(f"/api/v1/comments/{comment_id}").json["status"]


def audit_actions(app: Flask, actor: str | None = None) -> list[str]:
    with app.app_context():
        query = select(AuditEntry.action).order_by(AuditEntry.id)
        if actor:
            query = query.where(AuditEntry.actor == actor)
        return list(db.session().scalars(query))


@pytest.fixture
def accounts(app) -> dict[str, str]:
    """A moderator "mia" and an admin "ada"; their API tokens."""
    add(app, "mia")
    add(app, "ada", role="admin")
    return {"mia": token_for(app, "mia"), "ada": token_for(app, "ada")}


@pytest.fixture
def moderator_client(app, accounts):
    client = app.test_client()
    assert log_in(client, "mia").status_code == 302
    return client


@pytest.fixture
def admin_client(app, accounts):
    client = app.test_client()
    assert log_in(client, "ada").status_code == 302
    return client


@pytest.fixture
def held(app, client) -> list[str]:
    """Three comments that the model held, oldest first."""
    return scored(app, client, "The bus lanes helped my commute.",
                  "Nobody asked for the new parking fees.",
                  "Will the library stay open on Sundays?")
