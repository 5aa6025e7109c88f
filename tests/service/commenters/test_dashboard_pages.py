"""The dashboard's thread and commenter pages: what they show, their forms (audited),
and 404 for a moderator of another site."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service import db
from service.commenters.models import Commenter
from service.threads.models import Thread
from tests.service.commenters.conftest import ORIGIN, signed, sso_secret
from tests.support.accounts import audit_actions, csrf_token, log_in

THREAD = "/dashboard/sites/default/threads/city-budget"
COMMENTER = "/dashboard/sites/default/commenters/u-1"


@pytest.fixture
def mia(app, tokens):
    client = app.test_client()
    assert log_in(client, "mia").status_code == 302
    return client


@pytest.fixture
def posted(app, client) -> None:
    response = client.post("/api/v1/threads/city-budget/comments",
                           json={"body": "Fund <b>the</b> buses."},
                           headers=signed(sso_secret(app)))
    assert response.status_code == 202, response.json
    with app.app_context(), db.transaction() as session:  # as its article's page says
        thread = session.scalar(select(Thread))
        thread.title, thread.url = "The budget <i>", f"{ORIGIN}/budget"


def test_the_thread_page_shows_the_headline_and_closes_the_thread(app, mia, posted):
    page = mia.get(THREAD)
    assert page.status_code == 200
    assert "The budget &lt;i&gt;" in page.text and f'href="{ORIGIN}/budget"' in page.text
    assert "1 pending" in page.text
    response = mia.post(THREAD, data={"csrf_token": csrf_token(mia, THREAD), "closed": "on",
                                      "title": "The budget, explained"})
    assert response.status_code == 303
    with app.app_context():
        thread = db.session().scalar(select(Thread))
        assert (thread.closed, thread.premoderation, thread.title) == (
            True, False, "The budget, explained")
    assert "thread.updated" in audit_actions(app, "mia")
    assert "closed" in mia.get(THREAD).text


def test_the_commenter_page_shows_history_and_changes_the_status(app, mia, posted):
    page = mia.get(COMMENTER)
    assert page.status_code == 200
    assert "Ann Reader" in page.text and "Fund &lt;b&gt;the&lt;/b&gt; buses." in page.text
    response = mia.post(COMMENTER, data={"csrf_token": csrf_token(mia, COMMENTER),
                                         "status": "banned", "note": "Spam links."})
    assert response.status_code == 303
    with app.app_context():
        commenter = db.session().scalar(select(Commenter))
        assert (commenter.status, commenter.note) == ("banned", "Spam links.")
    page = mia.get(COMMENTER).text
    assert "Spam links." in page and "banned" in page
    bad = mia.post(COMMENTER, data={"csrf_token": csrf_token(mia, COMMENTER),
                                    "status": "royalty"}, follow_redirects=True)
    assert "Nothing was saved" in bad.text


def test_a_moderator_of_another_site_gets_404_on_both_pages(app, tokens, posted):
    otto = app.test_client()
    assert log_in(otto, "otto").status_code == 302
    for url in (THREAD, COMMENTER):
        assert otto.get(url).status_code == 404
        assert otto.post(url, data={"csrf_token": csrf_token(otto, "/dashboard/queue"),
                                    "status": "banned"}).status_code == 404
    assert otto.get("/dashboard/sites/other/commenters/u-1").status_code == 404


def test_the_queue_shows_headlines_counts_and_commenters_and_filters_by_thread(app, mia,
                                                                                  posted):
    client = app.test_client()
    client.post("/api/v1/threads/other-story/comments", json={"body": "Elsewhere.",
                                                              "author": "Bob"})
    page = mia.get("/dashboard/queue?status=pending").text
    assert "The budget &lt;i&gt;" in page and f'href="{ORIGIN}/budget"' in page
    assert "0 held of 1" in page
    assert 'href="/dashboard/sites/default/commenters/u-1"' in page
    assert 'href="/dashboard/sites/default/threads/city-budget"' in page
    assert "Elsewhere." in page
    filtered = mia.get("/dashboard/queue?status=pending&thread=city-budget&site=default").text
    assert "Fund &lt;b&gt;the&lt;/b&gt; buses." in filtered and "Elsewhere." not in filtered


def test_the_threads_page_counts_each_thread_of_the_moderator_s_sites(app, mia, posted):
    client = app.test_client()
    for body in ("One.", "Two."):
        client.post("/api/v1/threads/other-story/comments", json={"body": body, "author": "Bob"})
    client.post("/api/v1/sites/other/threads/theirs/comments",
                json={"body": "On the other site.", "author": "Cy"})
    page = mia.get("/dashboard/threads").text
    assert "The budget &lt;i&gt;" in page and "other-story" in page
    assert 'data-thread-row="theirs"' not in page  # another site's thread
    otto = app.test_client()
    assert log_in(otto, "otto").status_code == 302
    theirs = otto.get("/dashboard/threads").text
    assert 'data-thread-row="theirs"' in theirs and "other-story" not in theirs
