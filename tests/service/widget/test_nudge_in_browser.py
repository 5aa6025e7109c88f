"""The nudge before posting in headless Chromium, with the real worker and the tiny model.

The tiny model's weights are random, so the site's policy is fitted to it: the label on
which the insult scores most above the civil comment holds at the midpoint of their
scores, and nothing else holds or rejects. The insult is then held, the civil comment
published, whatever the random weights.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from service import db
from service.comments.models import Comment, Nudge
from service.policy import LABELS, Policy
from service.sites.models import DEFAULT_SITE_ID
from service.sites.services import save_settings, site_by_id
from tests.service.widget.test_widget_in_browser import DECIDED, own_comment, post, widget
from tests.support.browser import sqlite_database
from tests.support.work import BackgroundWorker, drain
from workers.scoring.scorer import load_scorer

pytestmark = pytest.mark.browser

INSULT = "You are a pathetic idiot and everyone laughs at you."
CIVIL = "Thank you for the careful reporting on the budget."


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sqlite_database(tmp_path_factory, "nudge-db")


@pytest.fixture
def fitted(app: Flask) -> Iterator[BackgroundWorker]:
    """The site's policy fitted to the tiny model, and a worker answering nudges."""
    with app.app_context():
        # One at a time, as the worker scores them (int8 scales depend on the batch).
        scorer = load_scorer(app.config)
        [insult], [civil] = scorer.score([INSULT]), scorer.score([CIVIL])
        label = max((name for name in LABELS if name in insult),
                    key=lambda name: insult[name] - civil[name])
        assert insult[label] - civil[label] > 1e-6, "the texts score apart on some label"
        with db.transaction() as session:
            save_settings(session, policy=Policy.from_overrides({
                "hold": {**dict.fromkeys(LABELS, 1.0), label: (insult[label] + civil[label]) / 2},
                "reject": dict.fromkeys(LABELS, 1.0)}), origins=None, by="test")
    worker = BackgroundWorker(app).start()
    yield worker
    worker.stop()


def stored(app: Flask, model) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model))


def test_an_insult_is_nudged_then_posted_anyway_and_a_civil_comment_posts_at_once(
        app, fitted, live_server, browser_page: Page):
    page = browser_page
    page.goto(live_server + "/")
    thread = widget(page)
    text = thread.get_by_label("Comment", exact=True)

    post(thread, "Ana", INSULT)

    nudge = thread.get_by_role("alert")
    expect(nudge).to_contain_text("Before you post")
    expect(nudge).to_contain_text("Your comment may break this site's guidelines")
    expect(nudge).to_have_attribute("aria-live", "assertive")
    expect(text).to_have_value(INSULT)
    expect(text).to_be_editable()
    assert stored(app, Comment) == 0 and stored(app, Nudge) == 1
    # Keyboard only: from the nudge, Tab reaches "Edit", which returns to the text; two
    # Tabs from the text reach "Post anyway".
    expect(nudge).to_be_focused()
    page.keyboard.press("Tab")
    expect(nudge.get_by_role("button", name="Edit")).to_be_focused()
    page.keyboard.press("Enter")
    expect(text).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(nudge.get_by_role("button", name="Post anyway")).to_be_focused()
    page.keyboard.press("Enter")

    mine = own_comment(thread)
    expect(mine).to_contain_text("Awaiting moderation")
    expect(mine).to_contain_text(INSULT)
    expect(thread.get_by_role("alert")).to_be_hidden()
    expect(thread.locator(".nudge")).to_be_empty()  # no longer read with the text
    expect(text).to_have_value("")
    with app.app_context():
        assert [row.outcome for row in db.session().scalars(select(Nudge))] == ["posted_anyway"]

    drain(app)

    expect(own_comment(widget(page))).to_contain_text(
        "Awaiting moderation: a moderator will review it", timeout=DECIDED)
    # Under the reader's own held comment, no "No comments yet".
    expect(widget(page).get_by_text("No comments yet.")).to_be_hidden()
    page.reload()
    expect(own_comment(widget(page))).to_contain_text("Awaiting moderation")
    expect(widget(page).get_by_text("No comments yet.")).to_be_hidden()

    post(widget(page), "Ben", CIVIL)

    expect(widget(page).get_by_role("status").first).to_have_text(
        "Thanks! Your comment is awaiting moderation.")
    expect(widget(page).get_by_role("alert")).to_be_hidden()
    assert stored(app, Comment) == 2 and stored(app, Nudge) == 1
    drain(app)
    expect(widget(page).get_by_role("list", name="Your comments").get_by_role("listitem")
           .filter(has_text=CIVIL)).to_contain_text("Published", timeout=DECIDED)


def test_the_nudge_speaks_the_sites_language(app, fitted, live_server, browser_page: Page):
    with app.app_context(), db.transaction() as session:
        site_by_id(session, DEFAULT_SITE_ID).locale = "de"
    page = browser_page
    page.goto(live_server + "/")
    thread = widget(page)
    thread.get_by_label("Name", exact=True).fill("Ana")
    thread.get_by_label("Kommentar", exact=True).fill(INSULT)
    thread.get_by_role("button", name="Kommentar senden").click()

    nudge = thread.get_by_role("alert")
    expect(nudge).to_contain_text("Bevor Sie veröffentlichen")
    expect(nudge).to_contain_text("Ihr Kommentar verstößt möglicherweise")
    expect(nudge.get_by_role("button", name="Bearbeiten")).to_be_visible()
    expect(nudge.get_by_role("button", name="Trotzdem veröffentlichen")).to_be_visible()
