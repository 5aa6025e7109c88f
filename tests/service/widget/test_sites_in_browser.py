"""The widget of issue 15 in headless Chromium: sites, signed-in readers, closed threads
and languages.

The app runs on a real HTTP server with real Redis and a real database; the real
scoring worker decides (``drain``). The publisher's pages are on another origin, which
only site B allows, as a newsroom's second property would.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from service import db
from service.commenters.models import Commenter
from service.comments.models import Comment, Status
from service.policy import LABELS
from service.sites.models import DEFAULT_SITE_ID, Site
from service.threads.models import Thread
from tests.support.browser import sqlite_database
from tests.support.work import drain

pytestmark = pytest.mark.browser

OUTPUT = Path(__file__).parents[2] / "output"
APPROVE_ALL = {"hold": dict.fromkeys(LABELS, 1.0), "reject": dict.fromkeys(LABELS, 1.0)}
DECIDED = 45_000
"""How long the widget may take to notice a decision (it polls, at most 30 s apart), in ms."""
CLOSED = {"fr": "Les commentaires sont fermés.", "de": "Die Kommentare sind geschlossen.",
          "es": "Los comentarios están cerrados.", "en": "Comments are closed."}


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sqlite_database(tmp_path_factory, "widget-sites-db")


@pytest.fixture
def settings(settings: dict) -> dict:
    settings["MODERATION_THRESHOLDS"] = APPROVE_ALL
    settings["WEBHOOK_ALLOW_PRIVATE_URLS"] = True  # the publisher's pages are on 127.0.0.1
    return settings


def add_site(app, slug: str, origin: str, **fields) -> Site:
    """A site whose widget may be embedded on ``origin`` only."""
    with app.app_context(), db.transaction() as session:
        site = Site(slug=slug, name=slug.title(), origins=[origin], **fields)
        session.add(site)
        session.flush()
        session.expunge(site)
    return site


def token_for(secret: str, sub: str, name: str) -> str:
    """A commenter's token as the publisher's sign-in would make it (HS256)."""
    claims = {"sub": sub, "name": name, "exp": int(time.time()) + 3600}
    return jwt.encode(claims, secret, algorithm="HS256")


def close(app, site_id: int, key: str) -> None:
    """Close the thread, as a moderator would."""
    with app.app_context(), db.transaction() as session:
        thread = session.scalar(select(Thread).where(Thread.site_id == site_id,
                                                     Thread.key == key))
        thread = thread or Thread(site_id=site_id, key=key)
        thread.closed = True
        session.add(thread)


def publish_one(app, site_id: int, key: str) -> None:
    with app.app_context(), db.transaction() as session:
        session.add(Comment(id=uuid.uuid4(), site_id=site_id, thread_id=key, author="Reader 0",
                            body="Point 0", status=Status.APPROVED,
                            created_at=db.utcnow() - timedelta(hours=1)))


def embed(service: str, *widgets: str) -> str:
    divs = "\n".join(f"<div {attributes}></div>" for attributes in widgets)
    return (f'<!doctype html><html lang="en"><meta charset="utf-8"><title>Story</title>'
            f"<h1>A story</h1>{divs}<script src=\"{service}/widget.js\" async></script>")


def widget(page: Page, index: int = 0) -> Locator:
    return page.locator("[data-moderation-thread]").nth(index)


def own_comment(thread: Locator, name: str = "Your comments") -> Locator:
    return thread.get_by_role("list", name=name).get_by_role("listitem").first


def test_a_signed_in_reader_posts_to_site_b_in_its_french(app, live_server, publisher,
                                                          browser_page):
    site = add_site(app, "site-b", publisher.origin, locale="fr")
    token = token_for(site.sso_secret, "reader-42", "Amélie Dupont")
    article = publisher.origin + "/budget"
    publisher.pages["/budget"] = embed(
        live_server, f'data-moderation-site="site-b" data-moderation-thread="budget-2027" '
        f'data-title="Le budget 2027" data-url="{article}" data-auth-token="{token}"')
    page = browser_page
    posts: list[dict] = []
    page.on("request", lambda request: request.method == "POST" and posts.append(
        {"url": request.url, "authorization": request.headers.get("authorization"),
         "body": request.post_data_json}))

    page.goto(article)

    thread = widget(page)
    expect(thread.get_by_role("heading", name="Commentaires")).to_be_visible()
    expect(thread.get_by_text("Qu'en pensez-vous ?")).to_be_visible()
    expect(thread.get_by_text("Vous commentez en tant que Amélie Dupont")).to_be_visible()
    expect(thread.get_by_role("textbox")).to_have_count(1)  # the comment; no name to edit
    expect(thread.locator("section")).to_have_attribute("lang", "fr")
    thread.get_by_label("Commentaire", exact=True).fill("Un budget prudent, enfin.")
    thread.get_by_role("button", name="Publier le commentaire").click()

    mine = own_comment(thread, "Vos commentaires")
    expect(mine).to_contain_text("En attente de modération")
    expect(mine).to_contain_text("Amélie Dupont")
    expect(thread.get_by_role("status").first).to_have_text(
        "Merci ! Votre commentaire attend la modération.")
    assert posts == [{
        "url": f"{live_server}/api/v1/sites/site-b/threads/budget-2027/comments",
        "authorization": f"Bearer {token}",
        "body": {"title": "Le budget 2027", "url": article, "author": "Amélie Dupont",
                 "body": "Un budget prudent, enfin.", "parent_id": None,
                 "nudge": True},  # the first submit asks for a nudge (none here)
    }]
    with app.app_context():
        session = db.session()
        stored = session.scalars(select(Comment)).one()
        commenter = session.get(Commenter, stored.commenter_id)
        story = session.scalar(select(Thread).where(Thread.key == "budget-2027"))
        assert (stored.site_id, stored.author) == (site.id, "Amélie Dupont")
        assert (commenter.site_id, commenter.sub) == (site.id, "reader-42")
        # The widget's data-title is a hint only: the headline is the page's own.
        assert (story.site_id, story.title, story.url) == (site.id, None, None)

    drain(app)
    with app.app_context():
        story = db.session().scalar(select(Thread).where(Thread.key == "budget-2027"))
        assert (story.title, story.url) == ("Story", article)

    expect(mine).to_contain_text("Publié", timeout=DECIDED)
    page.reload()
    listed = widget(page).get_by_role("list", name="Commentaires publiés").get_by_role("listitem")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Amélie Dupont")
    expect(listed.get_by_role("button", name="Répondre à Amélie Dupont")).to_be_visible()
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "widget-site-b-fr-signed-in.png"), full_page=True)


def test_a_closed_thread_says_so_in_the_sites_language_and_has_no_form(
        settings, request, publisher, browser_page):
    """Site B speaks French; data-locale picks German and Mexican Spanish; Italian is not
    shipped, so the site default's widget falls back to English."""
    settings["CORS_ALLOWED_ORIGINS"] = [publisher.origin]  # the site default's
    app = request.getfixturevalue("app")
    service = request.getfixturevalue("live_server")
    site = add_site(app, "site-b", publisher.origin, locale="fr")
    for site_id in (site.id, DEFAULT_SITE_ID):
        publish_one(app, site_id, "closed-story")
        close(app, site_id, "closed-story")
    on_b = 'data-moderation-site="site-b" data-moderation-thread="closed-story"'
    publisher.pages["/closed"] = embed(service, on_b, on_b + ' data-locale="de"',
                                       on_b + ' data-locale="es-MX"',
                                       'data-moderation-thread="closed-story" data-locale="it"')
    page = browser_page

    page.goto(publisher.origin + "/closed")

    for index, language in enumerate(["fr", "de", "es", "en"]):
        thread = widget(page, index)
        expect(thread.get_by_text(CLOSED[language], exact=True)).to_be_visible()
        expect(thread.get_by_role("listitem")).to_contain_text("Point 0")
        expect(thread.get_by_role("form")).to_have_count(0)
        expect(thread.get_by_role("textbox")).to_have_count(0)
        expect(thread.locator("button.link", has_text="Reply")).to_have_count(0)
        expect(thread.locator(".prompt")).to_be_hidden()
        expect(thread.locator("section")).to_have_attribute("lang", "es-MX" if language == "es"
                                                            else language)
    expect(widget(page, 0).get_by_role("button", name="Signaler le commentaire de Reader 0")
           ).to_be_visible()
    expect(widget(page, 0).get_by_role("button", name="Répondre à Reader 0")).to_have_count(0)
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "widget-closed-fr-de-es-en.png"), full_page=True)


def test_a_reader_signs_in_later_and_401_403_are_explained(app, live_server, publisher,
                                                           browser_page):
    site = add_site(app, "members", publisher.origin, anonymous_allowed=False)
    publisher.pages["/members"] = embed(
        live_server, 'data-moderation-site="members" data-moderation-thread="members-only"')
    page = browser_page
    page.goto(publisher.origin + "/members")
    thread = widget(page)
    expect(thread.get_by_text("Please sign in to comment.", exact=True)).to_be_visible()
    expect(thread.get_by_role("form")).to_have_count(0)

    sign_in = "token => window.ModerationComments.setAuthToken(token)"
    page.evaluate(sign_in, token_for(site.sso_secret, "bo-1", "Bo"))

    expect(thread.get_by_text("Commenting as Bo")).to_be_visible()
    thread.get_by_label("Comment", exact=True).fill("Signed in after the page loaded.")
    thread.get_by_role("button", name="Post comment").click()
    expect(own_comment(thread)).to_contain_text("Awaiting moderation")

    with app.app_context(), db.transaction() as session:
        session.scalars(select(Commenter)).one().status = "banned"
    thread.get_by_label("Comment", exact=True).fill("A second try.")
    thread.get_by_role("button", name="Post comment").click()
    expect(thread.get_by_role("status").first).to_have_text(
        "You can no longer comment on this site.")
    expect(thread.get_by_label("Comment", exact=True)).to_have_value("A second try.")
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "widget-banned-commenter.png"), full_page=True)

    page.evaluate(sign_in, token_for("x" * 43, "cy-1", "Cy"))
    expect(thread.get_by_text("Commenting as Cy")).to_be_visible()
    expect(thread.get_by_label("Comment", exact=True)).to_have_value("A second try.")
    thread.get_by_role("button", name="Post comment").click()
    expect(thread.get_by_role("status").first).to_have_text(
        "Your sign-in has expired. Please sign in again.")

    with page.expect_response(lambda response: "/comments?" in response.url):
        page.evaluate(sign_in, token_for(site.sso_secret, "di-1", "Di"))
    expect(thread.get_by_text("Commenting as Di")).to_be_visible()
    close(app, site.id, "members-only")  # a moderator closes the thread while Di reads it
    thread.get_by_role("button", name="Post comment").click()
    expect(thread.get_by_text("Comments are closed.", exact=True)).to_be_visible()
    expect(thread.get_by_role("form")).to_have_count(0)

    page.evaluate(sign_in, None)
    expect(thread.get_by_text("Comments are closed.", exact=True)).to_be_visible()
    with app.app_context():
        assert db.session().scalars(select(Comment.author)).all() == ["Bo"]
