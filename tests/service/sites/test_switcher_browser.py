"""An admin in headless Chromium picks a site in the dashboard's switcher: the queue
shows that site's comments only, and the settings page is that site's."""

from __future__ import annotations

import pytest

from service.policy import LABELS
from tests.conftest import OUTPUT_DIR
from tests.support.accounts import PASSWORD
from tests.support.sites import add_site
from tests.support.work import drain

HOLD_ALL = {"hold": dict.fromkeys(LABELS, 0.0), "reject": dict.fromkeys(LABELS, 1.0)}


@pytest.mark.browser
def test_an_admin_switches_the_dashboard_to_one_site(app, client, accounts, live_server,
                                                     browser_page):
    for slug, text in (("sports", "Great match last night."),
                       ("culture", "The new museum wing is lovely.")):
        add_site(app, slug, policy=HOLD_ALL)
        assert client.post(f"/api/v1/sites/{slug}/threads/t/comments",
                           json={"body": text, "author": "Reader"}).status_code == 202
    drain(app)
    page = browser_page
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{live_server}/dashboard/login")
    page.fill("input[name=name]", "ada")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/dashboard/queue")
    assert page.locator("[data-item]").count() == 2
    assert page.locator("#site-switcher option").all_inner_texts() == [
        "All sites", "Culture", "Default", "Sports"]

    page.select_option("#site-switcher", "sports")
    page.click(".site-switcher button[type=submit]")
    page.wait_for_url(f"{live_server}/dashboard/queue")
    items = page.locator("[data-item]")
    assert items.count() == 1 and "Great match" in items.nth(0).inner_text()
    OUTPUT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / "dashboard-site-switcher.png"), full_page=True)

    page.goto(f"{live_server}/dashboard/settings")
    assert page.locator("h1").inner_text().startswith("Settings of Sports")
    assert problems == []
