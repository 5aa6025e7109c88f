"""The widget in headless Chromium: the demo page, posting, moderation, safety, limits.

The app runs on a real HTTP server with real Redis and a real database; the real
scoring worker decides (``drain``). A second server on another origin plays the
publisher's site, so that the widget works cross-origin as it does for real.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from service import db
from service.comments.models import Comment, Status
from service.policy import LABELS
from tests.support.browser import sqlite_database
from tests.support.work import drain

pytestmark = pytest.mark.browser

OUTPUT = Path(__file__).parents[2] / "output"
PROMPT = "What are your thoughts? Share your views in the comments below!"
APPROVE_ALL = {"hold": dict.fromkeys(LABELS, 1.0), "reject": dict.fromkeys(LABELS, 1.0)}
REJECT_ALL = {"hold": dict.fromkeys(LABELS, 1.0), "reject": dict.fromkeys(LABELS, 0.0)}
DECIDED = 45_000
"""How long the widget may take to notice a decision (it polls, at most 30 s apart), in ms."""


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sqlite_database(tmp_path_factory, "widget-db")


@pytest.fixture
def settings(settings: dict) -> dict:
    settings["MODERATION_THRESHOLDS"] = APPROVE_ALL
    return settings


def widget(page: Page, index: int = 0) -> Locator:
    return page.locator("[data-moderation-thread]").nth(index)


def post(thread: Locator, author: str, body: str) -> None:
    thread.get_by_label("Name", exact=True).first.fill(author)
    thread.get_by_label("Comment", exact=True).fill(body)
    thread.get_by_role("button", name="Post comment").click()


def own_comment(thread: Locator) -> Locator:
    return thread.get_by_role("list", name="Your comments").get_by_role("listitem").first


def publish(app, thread_id: str, count: int) -> list[str]:
    """Store ``count`` published comments a minute apart, oldest first."""
    start = db.utcnow() - timedelta(hours=1)
    comments = [
        Comment(id=uuid.uuid4(), thread_id=thread_id, author=f"Reader {n}", body=f"Point {n}",
                status=Status.APPROVED, created_at=start + timedelta(minutes=n))
        for n in range(count)
    ]
    with app.app_context(), db.transaction() as session:
        session.add_all(comments)
    return [str(comment.id) for comment in comments]


def test_a_reader_posts_and_sees_the_comment_published_without_reloading(
        app, live_server, browser_page):
    page = browser_page
    csp_errors: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text
            and csp_errors.append(message.text))
    page.goto(live_server + "/")
    thread = widget(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Could Ukraine Peace Deal Mean Troop Presence on the Ground?")
    expect(thread.get_by_text(PROMPT)).to_be_visible()
    expect(thread.get_by_text("No comments yet.")).to_be_visible()
    expect(thread.get_by_text("0 / 5,000 characters")).to_be_visible()

    post(thread, "Ana", "Guarantees matter more than lines on a map.")

    mine = own_comment(thread)
    expect(mine).to_contain_text("Awaiting moderation")
    expect(mine).to_contain_text("Guarantees matter more than lines on a map.")
    expect(thread.get_by_role("status").first).to_have_text(
        "Thanks! Your comment is awaiting moderation.")
    expect(thread.get_by_label("Comment", exact=True)).to_have_value("")
    page.reload()
    expect(own_comment(widget(page))).to_contain_text("Awaiting moderation")
    page.evaluate("window.notReloaded = true")

    drain(app)

    expect(own_comment(widget(page))).to_contain_text("Published", timeout=DECIDED)
    assert page.evaluate("window.notReloaded") is True
    page.reload()
    listed = widget(page).get_by_role("list", name="Published comments").get_by_role("listitem")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Guarantees matter more than lines on a map.")
    expect(widget(page).get_by_role("list", name="Your comments")).to_be_hidden()
    accent = widget(page).get_by_role("button", name="Post comment").evaluate(
        "button => getComputedStyle(button).backgroundColor")
    assert accent == "rgb(163, 38, 28)", "the page's theme reaches into the shadow root"
    assert csp_errors == []
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "demo-page.png"), full_page=True)


def test_html_and_script_in_comments_show_as_text_and_never_run(app, live_server,
                                                                browser_page):
    page = browser_page
    body = ('<img src=/x onerror="window.pwned=1;alert(1)"><script>window.pwned=1</script>'
            '<b>bold?</b>')
    author = '"><svg onload=window.pwned=1>'
    dialogs: list[str] = []
    requested: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server + "/")

    post(widget(page), author, body)
    expect(own_comment(widget(page))).to_contain_text("Awaiting moderation")
    drain(app)
    expect(own_comment(widget(page))).to_contain_text("Published", timeout=DECIDED)
    page.reload()
    listed = widget(page).get_by_role("list", name="Published comments").get_by_role("listitem")
    expect(listed).to_have_count(1)

    shown = widget(page).evaluate("""host => ({
        bodies: [...host.shadowRoot.querySelectorAll('.body')].map(node => node.textContent),
        authors: [...host.shadowRoot.querySelectorAll('.author')].map(node => node.textContent),
        elements: host.shadowRoot.querySelectorAll('img, script, svg, b').length,
    })""")
    assert shown == {"bodies": [body], "authors": [author], "elements": 0}
    assert page.evaluate("window.pwned") is None
    assert dialogs == []
    assert not [url for url in requested if url.endswith("/x")]


def test_two_widgets_on_a_publishers_page_on_another_origin(settings, request, publisher,
                                                            browser_page):
    settings["CORS_ALLOWED_ORIGINS"] = [publisher.origin]
    app = request.getfixturevalue("app")
    service = request.getfixturevalue("live_server")
    publish(app, "alpha", 2)
    publish(app, "beta", 1)
    publisher.pages["/story"] = f"""<!doctype html><title>Two threads</title>
        <h1>Two stories</h1>
        <div data-moderation-thread="alpha" data-order="oldest"></div>
        <div data-moderation-thread="beta"></div>
        <script src="{service}/widget.js" async></script>"""
    page = browser_page

    page.goto(publisher.origin + "/story")

    alpha, beta = widget(page, 0), widget(page, 1)
    alpha_list = alpha.get_by_role("list", name="Published comments").get_by_role("listitem")
    expect(alpha_list).to_have_count(2)
    expect(alpha_list.first).to_contain_text("Point 0")
    expect(alpha.get_by_role("button", name="Oldest first")).to_have_attribute(
        "aria-pressed", "true")
    listed = beta.get_by_role("list", name="Published comments").get_by_role("listitem")
    expect(listed).to_have_text([re.compile("Point 0")])
    post(beta, "Bo", "Posted from another origin.")
    expect(own_comment(beta)).to_contain_text("Awaiting moderation")
    expect(alpha.get_by_role("list", name="Your comments")).to_be_hidden()

    page.evaluate("""() => {
        const late = Object.assign(document.createElement("div"), {id: "late"});
        late.dataset.moderationThread = "alpha";
        document.body.append(late);
        window.ModerationComments.mount(late);
    }""")
    expect(page.locator("#late").get_by_role("list", name="Published comments")
           .get_by_role("listitem")).to_have_count(2)


def test_a_site_that_is_not_allowed_cannot_use_the_api(request, publisher, browser_page):
    service = request.getfixturevalue("live_server")
    publisher.pages["/story"] = f"""<!doctype html><title>Not allowed</title>
        <div data-moderation-thread="alpha"></div>
        <script src="{service}/widget.js" async></script>"""

    browser_page.goto(publisher.origin + "/story")

    expect(widget(browser_page).get_by_role("alert")).to_have_text(
        "Comments could not be loaded. We couldn't reach the comment service. "
        "Check your connection and try again.")


def test_posting_too_fast_is_explained_and_the_text_is_kept(settings, request, browser_page):
    settings["RATE_LIMIT_POST"] = "1/minute"
    live_server = request.getfixturevalue("live_server")
    page = browser_page
    page.goto(live_server + "/")
    thread = widget(page)
    post(thread, "Ana", "A first thought.")
    expect(own_comment(thread)).to_contain_text("Awaiting moderation")

    post(thread, "Ana", "A second thought, too soon.")

    expect(thread.get_by_role("status").first).to_have_text(
        re.compile(r"^You're posting too fast; try again in \d+ seconds?\.$"))
    expect(thread.get_by_label("Comment", exact=True)).to_have_value("A second thought, too soon.")
    expect(thread.get_by_role("list", name="Your comments").get_by_role("listitem")
           ).to_have_count(1)


def test_a_rejected_comment_is_marked_not_published(settings, request, browser_page):
    settings["MODERATION_THRESHOLDS"] = REJECT_ALL
    app = request.getfixturevalue("app")
    page = browser_page
    page.goto(request.getfixturevalue("live_server") + "/")

    post(widget(page), "Ana", "This one will not make it.")
    expect(own_comment(widget(page))).to_contain_text("Awaiting moderation")
    drain(app)

    mine = own_comment(widget(page))
    expect(mine).to_contain_text("Not published", timeout=DECIDED)
    page.reload()
    expect(own_comment(widget(page))).to_contain_text("Not published")
    widget(page).get_by_role("button", name="Dismiss").click()
    expect(widget(page).get_by_role("list", name="Your comments")).to_be_hidden()
    page.reload()
    expect(widget(page).get_by_text("No comments yet.")).to_be_visible()


def test_load_more_sorting_and_a_reply(app, live_server, browser_page):
    ids = publish(app, "ukraine-peace-deal", 25)
    page = browser_page
    page.goto(live_server + "/")
    thread = widget(page)
    listed = thread.get_by_role("list", name="Published comments").locator(":scope > li")
    expect(listed).to_have_count(20)
    expect(listed.first).to_contain_text("Point 24")

    thread.get_by_role("button", name="Load more comments").click()

    expect(listed).to_have_count(25)
    expect(listed.last).to_contain_text("Point 0")
    expect(thread.get_by_role("button", name="Load more comments")).to_be_hidden()
    thread.get_by_role("button", name="Oldest first").click()
    expect(listed.first).to_contain_text("Point 0")
    expect(listed).to_have_count(20)

    thread.get_by_role("button", name="Reply to Reader 0").click()
    reply_form = thread.get_by_role("form", name="Reply to Reader 0")
    expect(reply_form.get_by_label("Your reply", exact=True)).to_be_focused()
    reply_form.get_by_label("Name", exact=True).fill("Bo")
    reply_form.get_by_label("Your reply", exact=True).fill("I agree with the first point.")
    reply_form.get_by_role("button", name="Post reply").click()
    expect(reply_form).to_have_count(0)
    expect(own_comment(thread)).to_contain_text("Reply to Reader 0")
    drain(app)
    expect(own_comment(thread)).to_contain_text("Published", timeout=DECIDED)

    page.reload()  # newest first: the reply comes before its parent, and still nests
    thread = widget(page)
    thread.get_by_role("button", name="Load more comments").click()
    parent = thread.locator(f"li[data-id='{ids[0]}']")
    expect(parent.get_by_role("list", name="Replies to Reader 0")).to_contain_text(
        "I agree with the first point.")
    top_level = thread.get_by_role("list", name="Published comments").locator(":scope > li")
    expect(top_level).to_have_count(25)
    expect(parent.get_by_role("button", name="Reply to Bo")).to_be_visible()


def test_keyboard_only_at_320_pixels(app, live_server, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(live_server + "/")
    thread = widget(page)
    expect(thread.get_by_text(PROMPT)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    expect(thread.get_by_label("Name", exact=True)).to_be_focused()
    page.keyboard.type("Ana")
    page.keyboard.press("Tab")
    expect(thread.get_by_label("Comment", exact=True)).to_be_focused()
    page.keyboard.type("Typed without a mouse.")
    expect(thread.get_by_text("22 / 5,000 characters")).to_be_visible()
    page.keyboard.press("Tab")
    expect(thread.get_by_role("button", name="Post comment")).to_be_focused()
    page.keyboard.press("Enter")

    status = thread.get_by_role("status").first
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text("Thanks! Your comment is awaiting moderation.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_empty_fields_are_explained_before_anything_is_sent(live_server, browser_page):
    page = browser_page
    posts: list[str] = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    page.goto(live_server + "/")
    thread = widget(page)

    thread.get_by_label("Comment", exact=True).fill("No name given.")
    thread.get_by_role("button", name="Post comment").click()

    expect(thread.get_by_role("status").first).to_have_text("Please enter your name.")
    expect(thread.get_by_label("Name", exact=True)).to_be_focused()
    expect(thread.get_by_label("Name", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(thread.get_by_label("Comment", exact=True)).to_have_value("No name given.")
    assert posts == []
