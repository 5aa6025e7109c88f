"""Two first comments at once: the second to insert the thread (or the commenter) finds
the row the first made, in a savepoint, and its comment is stored all the same."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from service import db
from service.commenters import gate as commenter_gate
from service.commenters.models import Commenter
from service.sites.models import DEFAULT_SITE_ID, Site
from service.threads import gate as thread_gate
from service.threads.models import Thread
from tests.service.commenters.conftest import signed, sso_secret

pytestmark = pytest.mark.postgres


def _late(monkeypatch, module, name: str) -> None:
    """Make ``module.name`` miss once, as if another request inserted the row meanwhile."""
    real = getattr(module, name)
    calls = {"n": 0}

    def missing_once(*args, **kwargs):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(*args, **kwargs)

    monkeypatch.setattr(module, name, missing_once)


def test_a_thread_made_meanwhile_is_joined(app, client, monkeypatch):
    with app.app_context(), db.transaction() as session:
        session.add(Thread(site_id=DEFAULT_SITE_ID, key="race", title="Made first"))
    _late(monkeypatch, thread_gate, "find_thread")

    response = client.post("/api/v1/threads/race/comments",
                           json={"body": "Second at once.", "author": "Bob"})

    assert response.status_code == 202, response.json
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Thread)) == 1
        assert db.session().scalar(select(Thread.title)) == "Made first"


def test_a_commenter_made_meanwhile_is_joined(app, client, monkeypatch):
    with app.app_context(), db.transaction() as session:
        site = session.get(Site, DEFAULT_SITE_ID)
        session.add(Commenter(site_id=site.id, sub="u-1", name="Ann"))
    _late(monkeypatch, commenter_gate, "find_commenter")

    response = client.post("/api/v1/threads/race/comments", json={"body": "At once."},
                           headers=signed(sso_secret(app)))

    assert response.status_code == 202, response.json
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Commenter)) == 1
