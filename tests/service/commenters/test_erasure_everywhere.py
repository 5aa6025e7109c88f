"""An erasure leaves no copy of the commenter's words or name in any table (issue 26.3):
comments, appeals and their outbox events, readers' reports' notes, the moderators'
notes about them (the audit log keeps "erased"), webhook deliveries."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

import service.models  # noqa: F401 - every table on Base.metadata
from service import db
from service.db import Base
from tests.service.commenters.conftest import signed, sso_secret
from tests.support.accounts import bearer
from tests.support.receiver import Receiver
from tests.support.webhooks import FAST, deliver_webhooks
from tests.support.work import drain

pytestmark = pytest.mark.postgres
SUB, NAME = "https://idp.example/users/quokka-7", "Zelda Quokkasdottir"
PUBLISHED, REJECTED = "Zelda writes: my quokka visits me", "Zelda asks: a quokka census"
APPEAL = "Zelda appeals: the quokka census matters"
REPORT_NOTE = "Zelda quoted: my quokka visits me"
MODERATOR_NOTE = "Zelda Quokkasdottir asked to be forgotten"
NEEDLES = [SUB, NAME, "quokka", "Quokka", "Zelda"]


@pytest.fixture
def settings(settings: dict) -> dict:
    settings.update(FAST)
    return settings


def every_value(app) -> dict[str, list[str]]:
    """``{table: [each row's values as text]}`` of every table."""
    found: dict[str, list[str]] = {}
    with app.app_context():
        connection = db.session().connection()
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(select(table)):
                text = json.dumps([value.decode("latin-1") if isinstance(value, bytes)
                                   else value for value in row], default=str,
                                  ensure_ascii=False)
                found.setdefault(table.name, []).append(text)
    return found


def test_no_table_keeps_the_erased_text_or_name(app, client, tokens):
    mia, ada = bearer(tokens["mia"]), bearer(tokens["ada"])
    author = signed(sso_secret(app), sub=SUB, name=NAME)
    with Receiver() as receiver:
        client.post("/api/v1/webhooks", headers=ada, json={
            "url": receiver.url, "events": ["comment.created", "comment.approved",
                                            "comment.rejected", "comment.reported",
                                            "comment.appealed", "appeal.decided"]})
        published = client.post("/api/v1/threads/t1/comments", json={"body": PUBLISHED},
                                headers=author).json
        rejected = client.post("/api/v1/threads/t1/comments", json={"body": REJECTED},
                               headers=author).json
        drain(app)  # the model publishes both
        client.post(f"/api/v1/moderation/comments/{rejected['id']}/decisions", headers=mia,
                    json={"action": "reject", "reason": "off-topic"})
        appealed = client.post(f"/api/v1/comments/{rejected['id']}/appeals",
                               headers={"X-Author-Token": rejected["author_token"]},
                               json={"message": APPEAL})
        assert appealed.status_code == 202, appealed.json
        reported = client.post(f"/api/v1/comments/{published['id']}/reports",
                               json={"reason": "other", "note": REPORT_NOTE})
        assert reported.status_code == 202, reported.json
        path = "/api/v1/moderation/sites/default/commenters/" + SUB.replace("/", "%2F")
        assert client.patch(path, headers=mia, json={"note": MODERATOR_NOTE}).status_code == 200
        deliver_webhooks(app)
        before = every_value(app)
        assert any(NAME in row for row in before["comments"])  # the search finds them
        assert any(APPEAL in row for row in before["events"])

        erased = client.delete(path, headers=ada)
        assert erased.status_code == 200, erased.json
        deliver_webhooks(app)

    left = {table: [row for row in rows if any(needle in row for needle in NEEDLES)]
            for table, rows in every_value(app).items()}
    assert not {table: rows for table, rows in left.items() if rows}
    with app.app_context():
        from service.accounts.models import AuditEntry

        notes = db.session().scalars(select(AuditEntry.reason).where(
            AuditEntry.action == "commenter.status")).all()
        assert notes == ["erased"]
