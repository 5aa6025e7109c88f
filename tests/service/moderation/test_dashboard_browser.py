"""A moderator in headless Chromium: log in, approve a held comment, see it leave."""

from __future__ import annotations

import pytest

from service import db
from service.policy import LABELS, Policy
from service.sites.services import save_settings
from tests.conftest import OUTPUT_DIR
from tests.support.accounts import PASSWORD, post_comment, status
from tests.support.work import drain

BODIES = ("The bus lanes helped my commute.", "Nobody asked for the new parking fees.")
REPLY = "Will the library stay open on Sundays, then?"


def hold_on_toxicity_and_threat(app) -> None:
    with app.app_context(), db.transaction() as session:
        save_settings(session, policy=Policy.from_overrides({
            "hold": dict.fromkeys(LABELS, 0.9) | {"toxicity": 0.0, "threat": 0.0},
            "reject": dict.fromkeys(LABELS, 1.0)}), origins=[], by="test")


@pytest.mark.browser
def test_a_moderator_approves_a_held_comment_with_the_keyboard(app, client, accounts,
                                                               live_server, browser_page):
    hold_on_toxicity_and_threat(app)
    first, second = (post_comment(client, body, author=author)
                     for body, author in zip(BODIES, ("Ana", "Ben"), strict=True))
    post_comment(client, REPLY, author="Cleo", parent_id=first)
    drain(app)
    page = browser_page
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{live_server}/dashboard/queue")
    assert page.url.startswith(f"{live_server}/dashboard/login")
    page.fill("input[name=name]", "mia")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/dashboard/queue")

    items = page.locator("[data-item]")
    assert items.count() == 3
    assert page.locator("h1").inner_text() == "3 held comments"
    assert "is-current" in items.nth(0).get_attribute("class")
    assert items.nth(0).locator(".flag-hold .label").all_inner_texts() == ["toxicity", "threat"]
    assert "In reply to Ana" in items.nth(2).locator(".parent").inner_text()
    OUTPUT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / "dashboard-queue.png"), full_page=True)

    page.keyboard.press("j")  # to the second comment
    assert "is-current" in items.nth(1).get_attribute("class")
    page.keyboard.press("x")
    assert page.locator("[data-selected-count]").inner_text() == "1 selected"
    page.keyboard.press("a")  # approve it
    page.locator(".flash-success").wait_for()

    assert page.locator(".flash-success").inner_text() == "Approved 1 comment."
    assert page.locator("h1").inner_text() == "2 held comments"
    assert page.locator("[data-item] .body").all_inner_texts() == [BODIES[0], REPLY]
    assert status(client, second) == "approved"
    assert problems == [], "no script errors and no Content-Security-Policy violations"
