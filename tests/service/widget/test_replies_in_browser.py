"""Replies in headless Chromium: three levels deep; deeper ones join the third level.

A chain of five published comments, each replying to the one before, is stored on the
demo thread; the widget must show the first three nested and the last two on the third
level, saying whom they answer, in both orders; a reply to the deepest goes to it.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from service import db
from service.comments.models import Comment, Status
from service.widget.views import DEMO_THREAD
from tests.support.browser import sqlite_database

pytestmark = pytest.mark.browser

OUTPUT = Path(__file__).parents[2] / "output"


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sqlite_database(tmp_path_factory, "widget-replies-db")


def publish_chain(app, length: int) -> list[str]:
    """``length`` published comments, each replying to the one before, a minute apart."""
    start = db.utcnow() - timedelta(hours=1)
    ids = [uuid.uuid4() for _ in range(length)]
    with app.app_context(), db.transaction() as session:
        for n, comment_id in enumerate(ids):
            session.add(Comment(id=comment_id, thread_id=DEMO_THREAD, author=f"Reader {n}",
                                body=f"Point {n}", parent_id=ids[n - 1] if n else None,
                                status=Status.APPROVED,
                                created_at=start + timedelta(minutes=n)))
            session.flush()
    return [str(comment_id) for comment_id in ids]


def item(thread: Locator, comment_id: str) -> Locator:
    return thread.locator(f"li[data-id='{comment_id}']")


def replies(thread: Locator, comment_id: str) -> Locator:
    """The comments shown directly in a comment's list of replies."""
    return item(thread, comment_id).locator(":scope > ol.replies > li")


def check_nesting(thread: Locator, ids: list[str]) -> None:
    top = thread.get_by_role("list", name="Published comments").locator(":scope > li")
    expect(top).to_have_count(1)
    expect(top).to_have_attribute("data-id", ids[0])
    expect(replies(thread, ids[0])).to_have_count(1)
    expect(replies(thread, ids[1])).to_have_count(3)  # the third level: 2, 3 and 4
    expect(replies(thread, ids[1]).first).to_have_attribute("data-id", ids[2])
    for n in (2, 3, 4):
        expect(item(thread, ids[n])).to_have_attribute("data-depth", "3")
        expect(replies(thread, ids[n])).to_have_count(0)
    expect(item(thread, ids[2])).not_to_contain_text("Reply to Reader 1")
    expect(item(thread, ids[3]).locator(".note")).to_have_text("Reply to Reader 2")
    expect(item(thread, ids[4]).locator(".note")).to_have_text("Reply to Reader 3")


def widget(page: Page) -> Locator:
    return page.locator("[data-moderation-thread]")


def test_replies_nest_three_levels_and_deeper_ones_join_the_third(app, live_server,
                                                                  browser_page):
    ids = publish_chain(app, 5)
    page = browser_page
    posted: list[dict] = []
    page.on("request", lambda request: request.method == "POST" and posted.append(
        request.post_data_json))
    page.goto(live_server + "/")  # newest first: each reply comes before its parent

    check_nesting(widget(page), ids)
    widget(page).get_by_role("button", name="Oldest first").click()
    check_nesting(widget(page), ids)
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "widget-replies-three-levels.png"), full_page=True)
    page.set_viewport_size({"width": 320, "height": 700})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    widget(page).locator(f"li[data-id='{ids[4]}']").scroll_into_view_if_needed()
    page.screenshot(path=str(OUTPUT / "widget-replies-320px.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    thread = widget(page)
    thread.get_by_role("button", name="Reply to Reader 4").click()
    form = thread.get_by_role("form", name="Reply to Reader 4")
    form.get_by_label("Name", exact=True).fill("Eve")
    form.get_by_label("Your reply", exact=True).fill("Deeper still.")
    form.get_by_role("button", name="Post reply").click()

    mine = thread.get_by_role("list", name="Your comments").get_by_role("listitem")
    expect(mine).to_contain_text("Reply to Reader 4")
    expect(mine).to_contain_text("Awaiting moderation")
    expect(mine).to_have_attribute("data-depth", "3")
    assert [post["parent_id"] for post in posted] == [ids[4]]
