"""The stats page's figures and charts, the waiting-age gauges and the alert rules."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path

import yaml
from sqlalchemy import select

from service import db
from service.comments.models import Comment, Decision
from service.moderation.stats import bars, overview
from tests.support.accounts import bearer, post_comment
from tests.support.work import drain

ALERTS = Path(__file__).parents[3] / "deploy" / "prometheus" / "alerts.yaml"


def test_the_overview_counts_volumes_outcomes_queue_speed_threads_and_agreement(
        app, client, accounts):
    ids = [post_comment(client, f"Opinion number {n}.", thread="a" if n < 3 else "b")
           for n in range(4)]
    post_comment(client, "https://spam.example.shop/x", thread="b", author="Spammer")
    drain(app)  # the model holds every comment here
    for comment_id, action in zip(ids[:3], ("approve", "reject", "approve"), strict=True):
        client.post(f"/api/v1/moderation/comments/{comment_id}/decisions",
                    json={"action": action, "reason": "offensive" if action == "reject" else ""},
                    headers=bearer(accounts["mia"]))
    with app.app_context(), db.transaction() as session:
        # The first comment arrived 30 minutes before the moderator decided it.
        first = session.get(Comment, uuid.UUID(ids[0]))
        first.created_at -= timedelta(minutes=30)

    with app.app_context():
        figures = overview(db.session())

    assert len(figures.days) == 14 and figures.received[-1] == 5
    assert figures.outcomes["model"] == {"held": 4}
    assert figures.outcomes["spam rules"] == {"held": 1}
    assert figures.outcomes["moderators"] == {"approved": 2, "rejected": 1}
    assert figures.queue_size[-1] == 2  # one held by the model, one by the spam rules
    assert figures.top_threads == [("a", 3, 0), ("b", 2, 2)]
    assert figures.human_all_minutes[-1] >= 30
    assert figures.agreement == {"held": {"approved": 2, "rejected": 1}}
    assert figures.agreement_rate is None


def test_the_stats_page_draws_its_charts(app, client, moderator_client):
    post_comment(client, "<script>alert(1)</script> thread name safe?", thread="x-1")
    drain(app)
    page = moderator_client.get("/dashboard/stats")

    assert page.status_code == 200
    assert page.text.count("<svg") == 5
    assert 'data-chart="received"' in page.text and "<rect" in page.text
    assert "<script>alert" not in page.text
    assert 'href="/dashboard/stats"' in page.text
    assert client.get("/dashboard/stats").status_code == 302


def test_bars_scale_to_the_tallest_and_skip_missing_values():
    drawn = bars(["a", "b", "c"], [2.0, None, 4.0], width=300, height=100)
    assert [bar.height for bar in drawn] == [50.0, 0.0, 100.0]
    assert [bar.value for bar in drawn] == ["2", "", "4"]
    assert bars(["a"], [0.0])[0].height == 0


def test_metrics_show_the_oldest_waiting_ages_and_the_ready_workers(app, client, accounts):
    comment_id = post_comment(client, "Waiting for the model.")
    with app.app_context(), db.transaction() as session:
        session.get(Comment, uuid.UUID(comment_id)).created_at -= timedelta(minutes=20)
    text = client.get("/metrics").text

    pending = float(re.search(r"^moderation_oldest_pending_age_seconds (\S+)$", text, re.M)[1])
    assert 1190 < pending < 1300
    assert re.search(r"^moderation_oldest_held_age_seconds 0\.0$", text, re.M)
    assert re.search(r"^moderation_scoring_workers_ready 0\.0$", text, re.M)
    drain(app)
    client.post(f"/api/v1/moderation/comments/{comment_id}/decisions",
                json={"action": "approve", "reason": ""}, headers=bearer(accounts["mia"]))
    text = client.get("/metrics").text
    assert "moderation_human_time_to_decision_seconds_bucket" in text
    count = re.search(r"^moderation_human_time_to_decision_seconds_count (\S+)$", text, re.M)
    assert float(count[1]) >= 1
    with app.app_context():
        assert db.session().scalars(select(Decision.actor)).all()[-1] == "mia"


def test_the_example_alert_rules_use_metrics_that_exist(client):
    rules = [rule for group in yaml.safe_load(ALERTS.read_text())["groups"]
             for rule in group["rules"]]
    text = client.get("/metrics").text
    assert {rule["alert"] for rule in rules} == {
        "ModerationQueueOld", "ModerationScoringStuck", "ModerationNoScoringWorker"}
    for rule in rules:
        for metric in re.findall(r"moderation_\w+", rule["expr"]):
            assert f"\n{metric} " in text, metric
    assert "15 * 60" in rules[0]["expr"]


def test_the_navigation_counts_held_reported_and_appeals(app, client, accounts,
                                                         moderator_client):
    held = post_comment(client, "Held for a person.")
    published = post_comment(client, "Published, then reported.")
    drain(app)
    client.post(f"/api/v1/moderation/comments/{published}/decisions",
                json={"action": "approve", "reason": ""}, headers=bearer(accounts["mia"]))
    client.post(f"/api/v1/comments/{published}/reports", json={"reason": "spam"})

    counts = moderator_client.get("/dashboard/counts")
    page = moderator_client.get("/dashboard/queue").text

    assert counts.json == {"/dashboard/queue": 1, "/dashboard/reported": 1,
                           "/dashboard/appeals": 0}
    assert counts.headers["Cache-Control"] == "no-store"
    assert 'data-counts-url="/dashboard/counts"' in page
    assert moderator_client.get("/dashboard/moderation-static/nav_counts.js").status_code == 200
    assert client.get("/dashboard/counts").status_code == 302
    assert "nav_counts.js" not in client.get("/dashboard/login").text
    assert held
