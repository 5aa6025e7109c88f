"""Learning from moderators in headless Chromium: an admin reads the calibration report and
a candidate's shadow report, puts it in shadow, promotes it, and rescores the held comments
with a worker, watching the run's progress."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from service import db
from service.comments.models import Comment, Decision
from service.moderation.learning.building import build_candidate
from service.moderation.learning.models import Candidate
from service.policy import MODEL_ACTOR, Policy
from tests.conftest import OUTPUT_DIR
from tests.service.moderation.test_learning import LIVE, add_decided
from tests.support.browser import log_in, sqlite_database
from tests.support.work import drain

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sqlite_database(tmp_path_factory, "learning-db")


@pytest.fixture
def settings(settings: dict) -> dict:
    settings.update(MODERATION_THRESHOLDS=LIVE, RATELIMIT_ENABLED=False)
    return settings


def test_an_admin_reviews_promotes_and_rescores_from_the_learning_page(
        app, accounts, live_server, browser_page):
    add_decided(app, 120)
    with app.app_context(), db.transaction() as session:
        name = build_candidate(session, Policy.from_overrides(LIVE), by="ada").name
        waiting = Comment(thread_id="t", author="a", body="still waiting", status="held")
        session.add_all([waiting, Decision(comment=waiting, outcome="held", actor=MODEL_ACTOR,
                                           scores={"toxicity": 0.9, "insult": 0.01},
                                           model="m")])
    page = browser_page
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    log_in(page, live_server, "ada", "/dashboard/learning")

    expect(page.locator("[data-calibration] tr[data-label=insult]")).to_be_visible()
    expect(page.locator("[data-chart^=curve] svg polyline")).to_have_count(6)
    assert page.locator("[data-chart=curve-toxicity] svg").bounding_box()["height"] > 50
    OUTPUT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / "dashboard-learning.png"), full_page=True)

    page.click(f"text={name}")
    expect(page.locator("h1")).to_have_text(f"Candidate {name}")
    expect(page.locator("[data-agreement-candidate]")).to_contain_text("%")
    expect(page.locator("[data-worse]")).to_have_count(0)
    page.click("text=Score new comments in shadow")
    expect(page.locator(".flash-success")).to_contain_text("now scores new comments in shadow")
    page.click("text=Promote: let it decide new comments")
    expect(page.locator(".flash-success")).to_contain_text("is promoted")
    page.screenshot(path=str(OUTPUT_DIR / "dashboard-candidate.png"), full_page=True)
    with app.app_context():
        found = db.session().scalar(select(Candidate).where(Candidate.name == name))
        assert found.status == "promoted" and found.promoted_by == "ada"

    page.goto(f"{live_server}/dashboard/learning")
    page.click("text=Rescore pending and held comments")
    expect(page.locator("[data-rescoring] tbody tr").first).to_contain_text("queued")
    drain(app)
    page.reload()
    row = page.locator("[data-rescoring] tbody tr").first
    expect(row).to_contain_text("done")
    expect(row).to_contain_text("1 of 1")
    with app.app_context():
        rescored = db.session().scalar(select(Decision).where(Decision.actor == "rescoring"))
        assert rescored is not None and rescored.comment.body == "still waiting"
        assert rescored.model.endswith(f"/head:{name}")
    assert problems == []
