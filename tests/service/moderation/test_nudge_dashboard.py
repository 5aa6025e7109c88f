"""Nudges before posting on the dashboard: the setting (audited) and the stats."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlalchemy import select

from service import db
from service.accounts.models import AuditEntry
from service.comments.models import Nudge
from service.comments.readers import reader_settings
from service.sites.models import DEFAULT_SITE_ID
from service.sites.services import site_named
from tests.support.accounts import csrf_token
from tests.support.sites import add_site


def test_admins_turn_nudges_off_and_set_their_wait_audited(app, admin_client):
    page = admin_client.get("/dashboard/settings").text
    assert re.search(r'<input type="checkbox" name="nudges" checked>', page)
    assert 'name="nudge_timeout_ms" min="100" max="5000" value="800"' in page
    token = csrf_token(admin_client, "/dashboard/settings")

    saved = admin_client.post("/dashboard/settings/nudges",
                              data={"csrf_token": token, "nudge_timeout_ms": "500"})
    refused = admin_client.post("/dashboard/settings/nudges", data={
        "csrf_token": token, "nudges": "on", "nudge_timeout_ms": "50"})

    assert saved.status_code == 303
    assert refused.status_code == 400 and "Nudges: nothing was saved" in refused.text
    with app.app_context():
        settings = reader_settings(db.session())
        assert (settings.nudges, settings.nudge_timeout_ms) == (False, 500)
        assert settings.reports_to_hold == 3, "the other readers' settings stay"
        entry = db.session().scalars(select(AuditEntry).where(
            AuditEntry.action == "settings.changed")).one()
    assert entry.details["changes"] == {"readers.nudges": [True, False],
                                        "readers.nudge_timeout_ms": [800, 500]}
    assert '<input type="checkbox" name="nudges" >' in admin_client.get("/dashboard/settings").text


def test_moderators_may_not_change_nudges(moderator_client):
    token = csrf_token(moderator_client, "/dashboard/queue")
    response = moderator_client.post("/dashboard/settings/nudges",
                                     data={"csrf_token": token, "nudge_timeout_ms": "500"})
    assert response.status_code in (403, 404)


def test_the_stats_count_nudges_by_what_writers_did_on_the_moderators_sites(
        app, moderator_client):
    add_site(app, "elsewhere")
    now = db.utcnow()
    with app.app_context(), db.transaction() as session:
        other = site_named(session, "elsewhere").id
        rows = [(DEFAULT_SITE_ID, "revised", 0), (DEFAULT_SITE_ID, "revised", 0),
                (DEFAULT_SITE_ID, "posted_anyway", 0), (DEFAULT_SITE_ID, "abandoned", 60),
                (DEFAULT_SITE_ID, None, 45), (DEFAULT_SITE_ID, None, 1),
                (DEFAULT_SITE_ID, "revised", 20 * 24 * 60), (other, "posted_anyway", 0)]
        session.add_all(Nudge(id=uuid.uuid4(), site_id=site, outcome=outcome,
                              created_at=now - timedelta(minutes=minutes))
                        for site, outcome, minutes in rows)

    page = moderator_client.get("/dashboard/stats").text

    table = page[page.index("data-nudges"):]
    cells = re.findall(r"<td>(\d+)</td>", table[:table.index("</table>")])
    # shown, revised, posted anyway, abandoned (the sweeper's, and one past the window),
    # not known yet; the other site's and those older than 14 days are not counted.
    assert cells == ["6", "2", "1", "2", "1"]
