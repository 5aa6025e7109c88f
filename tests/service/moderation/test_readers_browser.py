"""Readers, spam, reasons and appeals in headless Chromium: the widget and the dashboard.

A reader reports a comment from the widget, two more readers' reports hide it, and a
moderator restores it from the reported view; link spam and a near-duplicate under
another name from another thread are held and their authors told why; a rejected
author appeals from the widget, a second moderator overturns, and the author sees it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.conftest import OUTPUT_DIR
from tests.support.accounts import HOLD_ALL, bearer, post_comment
from tests.support.browser import log_in, sqlite_database
from tests.support.work import drain

pytestmark = pytest.mark.browser

DEMO = "ukraine-peace-deal"
DECIDED = 45_000
"""How long the widget may take to notice a change (it polls, at most 30 s apart), in ms."""
ADVERT = ("Earn five thousand dollars a week working from home on your laptop, no "
          "experience needed, ask me how and start today")


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sqlite_database(tmp_path_factory, "readers-db")


@pytest.fixture
def settings(settings: dict) -> dict:
    settings.update(MODERATION_THRESHOLDS=HOLD_ALL, RATELIMIT_ENABLED=False)
    return settings


def widget(page: Page) -> Locator:
    return page.locator("[data-moderation-thread]").first


def post(thread: Locator, author: str, body: str) -> None:
    thread.get_by_label("Name", exact=True).first.fill(author)
    thread.get_by_label("Comment", exact=True).fill(body)
    thread.get_by_role("button", name="Post comment").click()


def own_comment(thread: Locator) -> Locator:
    return thread.get_by_role("list", name="Your comments").get_by_role("listitem").first


def test_a_reader_reports_three_reports_hide_it_and_a_moderator_restores_it(
        app, client, accounts, live_server, browser_page, browser):
    comment_id = post_comment(client, "Borders matter less than guarantees.", thread=DEMO,
                              author="Bo")
    drain(app)
    client.post(f"/api/v1/moderation/comments/{comment_id}/decisions",
                json={"action": "approve", "reason": ""}, headers=bearer(accounts["mia"]))
    page = browser_page
    page.goto(live_server + "/")
    thread = widget(page)
    listed = thread.get_by_role("list", name="Published comments")
    expect(listed).to_contain_text("Borders matter less than guarantees.")

    thread.get_by_role("button", name="Report the comment of Bo").click()
    form = thread.get_by_role("form", name="Report")
    reason = form.get_by_label("Why should moderators look at it?")
    expect(reason).to_be_focused()
    page.keyboard.press("ArrowDown")  # from Abusive to Spam, with the keyboard
    expect(reason).to_have_value("spam")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Send report
    expect(thread.get_by_text("Thank you. The moderators will look at it.")).to_be_visible()
    expect(thread.get_by_role("button", name="Report the comment of Bo")).to_be_disabled()
    for number in (2, 3):
        assert client.post(f"/api/v1/comments/{comment_id}/reports", json={"reason": "abusive"},
                           environ_base={"REMOTE_ADDR": f"10.0.{number}.1"}).status_code == 202
    page.reload()
    expect(widget(page).get_by_text("No comments yet.")).to_be_visible()

    moderator = browser.new_context().new_page()
    log_in(moderator, live_server, "mia", "/dashboard/reported")
    item = moderator.locator("[data-reported-item]")
    expect(item).to_contain_text("3 reports:")
    expect(item.locator("[data-report-reasons]")).to_contain_text("abusive \u00d72")
    expect(item.locator("[data-report-reasons]")).to_contain_text("spam \u00d71")
    OUTPUT_DIR.mkdir(exist_ok=True)
    moderator.screenshot(path=str(OUTPUT_DIR / "dashboard-reported.png"), full_page=True)
    item.get_by_role("button", name="Dismiss reports and publish").click()
    expect(moderator.get_by_text("No comment has reports waiting.")).to_be_visible()

    page.reload()
    expect(widget(page).get_by_role("list", name="Published comments")).to_contain_text(
        "Borders matter less than guarantees.")


def test_link_spam_and_a_near_duplicate_elsewhere_are_held_with_their_reason(
        app, client, live_server, browser_page):
    assert client.post("/api/v1/threads/another-article/comments",
                       json={"author": "Spammer One", "body": ADVERT},
                       environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 202
    page = browser_page
    page.goto(live_server + "/")
    thread = widget(page)

    post(thread, "Ana", "Great prices on watches at bit.ly/cheap-watches today")
    mine = own_comment(thread)
    expect(mine).to_contain_text("Awaiting moderation: a moderator will review it")
    expect(mine).to_contain_text("It links through a URL shortener, which hides where the "
                                 "link leads. Decided by automated means.")

    post(thread, "Spammer Two", ADVERT.replace("five", "six").replace("today", "now"))
    # stored once the nudge's wait (no worker answers it here) has run out
    expect(thread.get_by_role("list", name="Your comments").get_by_role("listitem")
           ).to_have_count(2, timeout=DECIDED)
    expect(own_comment(thread)).to_contain_text("Awaiting moderation")
    drain(app)  # the scoring worker screens near-duplicates, before the model
    expect(own_comment(thread)).to_contain_text(
        "It is nearly the same as a comment posted recently by someone else or under another "
        "article.", timeout=DECIDED)
    page.reload()
    expect(own_comment(widget(page))).to_contain_text("nearly the same")


def test_a_rejected_author_appeals_a_second_moderator_overturns_and_the_author_sees_it(
        app, client, accounts, live_server, browser_page, browser):
    page = browser_page
    page.goto(live_server + "/")
    thread = widget(page)
    post(thread, "Cleo", "The deal rewards the aggressor, and everyone knows it.")
    expect(own_comment(thread)).to_contain_text("Awaiting moderation")
    drain(app)
    comment_id = own_comment(thread).get_attribute("data-id")
    assert client.post(f"/api/v1/moderation/comments/{comment_id}/decisions",
                       json={"action": "reject", "reason": "offensive"},
                       headers=bearer(accounts["mia"])).status_code == 201

    mine = own_comment(thread)
    expect(mine).to_contain_text("Not published", timeout=DECIDED)
    expect(mine).to_contain_text("A moderator found it offensive. Decided by a moderator.")
    expect(mine).to_contain_text("You may appeal until")
    mine.get_by_label("Why should it be published?").fill("It is blunt, not offensive.")
    mine.get_by_role("button", name="Send appeal").click()
    expect(mine).to_contain_text("Your appeal was sent; a moderator who did not take this "
                                 "decision will read it.")

    first = browser.new_context().new_page()
    log_in(first, live_server, "mia", "/dashboard/appeals")
    expect(first.locator("[data-own-decision]")).to_be_visible()
    second = browser.new_context().new_page()
    log_in(second, live_server, "ada", "/dashboard/appeals")
    appeal = second.locator("[data-appeal]")
    expect(appeal.locator("[data-appeal-message]")).to_have_text("It is blunt, not offensive.")
    appeal.get_by_label("Reason for the author").fill("Blunt, but within the rules.")
    OUTPUT_DIR.mkdir(exist_ok=True)
    second.screenshot(path=str(OUTPUT_DIR / "dashboard-appeals.png"), full_page=True)
    appeal.get_by_role("button", name="Overturn and publish").click()
    expect(second.get_by_text("Appeal overturned; the author is told.")).to_be_visible()

    expect(mine).to_contain_text("Published", timeout=DECIDED)
    expect(mine).to_contain_text("A moderator reviewed your appeal and published your comment. "
                                 "Their reason: Blunt, but within the rules.")
    page.screenshot(path=str(OUTPUT_DIR / "widget-appeal-overturned.png"), full_page=True)


def test_the_stats_page_renders_its_charts(app, client, accounts, live_server, browser_page):
    for number in range(6):
        post_comment(client, f"View number {number} on the deal.", thread=f"t{number % 3}",
                     author=f"Reader {number}")
    drain(app)
    page = browser_page
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    log_in(page, live_server, "mia", "/dashboard/stats")

    charts = page.locator("[data-chart] svg")
    expect(charts).to_have_count(5)
    expect(page.locator("[data-chart=received] rect").last).to_have_attribute("height", "160.0")
    assert page.locator("[data-chart=received] svg").bounding_box()["height"] > 50
    expect(page.locator("[data-outcomes]")).to_contain_text("model")
    expect(page.locator('nav a[href="/dashboard/queue"] .count')).to_have_text("6")
    OUTPUT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / "dashboard-stats.png"), full_page=True)
    assert problems == []
