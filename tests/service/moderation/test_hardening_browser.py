"""The dashboard in Chromium: the settings form saves the shipped thresholds, the page
fits a 390 px screen, and decided comments do not say "waiting" (issue 14.9)."""

from __future__ import annotations

import pytest

from tests.support.accounts import PASSWORD, bearer, scored


@pytest.fixture
def settings(settings: dict) -> dict:
    settings["MODERATION_THRESHOLDS"] = {}  # the shipped defaults, with three decimals
    return settings


def log_in(page, base: str, name: str) -> None:
    page.goto(f"{base}/dashboard/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/dashboard/queue")


@pytest.mark.browser
def test_the_settings_form_saves_the_shipped_thresholds_in_chromium(app, accounts, live_server,
                                                                    browser_page):
    page = browser_page
    log_in(page, live_server, "ada")
    page.goto(f"{live_server}/dashboard/settings")
    page.fill("textarea[name=suspect_words]", "refund")
    page.click("form.settings button[type=submit]")
    page.locator(".flash").first.wait_for()
    assert page.locator(".flash-success").inner_text().startswith("Saved.")
    assert page.evaluate("document.querySelector('form.settings').checkValidity()")


@pytest.mark.browser
def test_the_dashboard_fits_a_390_px_screen(app, accounts, live_server, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, live_server, "ada")
    for path in ("/dashboard/queue", "/dashboard/settings", "/dashboard/audit",
                 "/dashboard/tokens"):
        page.goto(f"{live_server}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways ({width} px)"


def test_decided_comments_do_not_say_waiting(app, client, accounts, moderator_client):
    [comment_id] = scored(app, client, "The bus lanes helped my commute.")
    client.post(f"/api/v1/moderation/comments/{comment_id}/decisions", headers=bearer(
        accounts["mia"]), json={"action": "reject", "reason": "spam"})
    page = moderator_client.get("/dashboard/queue?status=rejected").text
    assert "The bus lanes helped my commute." in page
    assert "waiting" not in page.split("<ol class=\"queue\"", 1)[1]
    assert "decided " in page
