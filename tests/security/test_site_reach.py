"""Per-site moderators, over the whole URL map: a moderator of site A meets nothing of
site B (404 on every route that names B's comment, appeal, thread, commenter or B
itself; admin routes 403), and sees none of it in lists, while an admin sees it all."""

from __future__ import annotations

import pytest

from tests.security.test_access import KEYED, PUBLIC
from tests.support.accounts import HOLD_ALL, add, bearer, csrf_token, log_in, token_for
from tests.support.sites import add_site, reader_token
from tests.support.work import drain

SITE_BOUND = {"comment_id", "appeal_id", "site", "slug", "thread_id", "sub"}
"""The URL parameters that name something of a site."""


@pytest.fixture
def settings(settings: dict) -> dict:
    settings.update(RATELIMIT_ENABLED=False)
    return settings


@pytest.fixture
def site_b(app, client) -> dict[str, str]:
    """Sites a and b; on b a held comment, a reported one, a rejected one under appeal,
    a thread and a signed-in commenter. Moderators: "mia" of a, the admin "ada"."""
    add_site(app, "a")
    secret = add_site(app, "b", policy=HOLD_ALL)
    add(app, "ada", role="admin")
    with app.app_context():
        from service import db
        from service.accounts.services import add_moderator

        with db.transaction() as session:
            add_moderator(session, "mia", "correct horse battery staple", "moderator",
                          sites=["a"])
    ada = bearer(token_for(app, "ada"))
    posted = []
    for body in ("Held on b.", "Reported on b.", "Rejected on b."):
        response = client.post("/api/v1/sites/b/threads/t-b/comments", json={"body": body},
                               headers=bearer(reader_token(secret, "reader-1", "Rea")))
        assert response.status_code == 202, response.json
        posted.append(response.json)
    drain(app)
    held, reported, rejected = (item["id"] for item in posted)
    decide = "/api/v1/moderation/comments/{}/decisions"
    assert client.post(decide.format(reported), json={"action": "approve"},
                       headers=ada).status_code == 201
    assert client.post(decide.format(rejected), json={"action": "reject", "reason": "spam"},
                       headers=ada).status_code == 201
    assert client.post(f"/api/v1/comments/{reported}/reports",
                       json={"reason": "spam"}).status_code == 202
    appeal = client.post(f"/api/v1/comments/{rejected}/appeals", json={"message": "Why?"},
                         headers={"X-Author-Token": posted[2]["author_token"]})
    assert appeal.status_code == 202, appeal.json
    return {"comment_id": held, "reported": reported, "rejected": rejected,
            "appeal_id": str(appeal.json["id"]), "site": "b", "slug": "b", "thread_id": "t-b",
            "sub": "reader-1",
            "ada": ada["Authorization"], "mia": f"Bearer {token_for(app, 'mia')}"}


def site_routes(app, values: dict[str, str]) -> list[tuple[str, str, str]]:
    """(method, URL naming site b's things, the role the route needs) for every closed
    route with a site-bound parameter."""
    found = []
    for rule in app.url_map.iter_rules():
        names = set(rule.arguments)
        if rule.endpoint in PUBLIC | KEYED or not names or not names <= SITE_BOUND:
            continue
        url = rule.build({name: values[name] for name in names})[1]
        if (rule.defaults or {}).get("sub", "") is None:  # the commenter as ?sub=
            url += f"?sub={values['sub']}"
        role = app.view_functions[rule.endpoint].required_role
        found += [(method, url, role) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_a_moderator_of_site_a_gets_404_on_every_route_naming_site_b(app, client, site_b):
    checked = site_routes(app, site_b)
    assert len(checked) >= 15
    mia = {"Authorization": site_b["mia"]}
    for method, url, role in checked:
        if not url.startswith("/api/"):
            continue
        response = client.open(url, method=method, json={}, headers=mia)
        expected = 403 if role == "admin" else 404
        assert response.status_code == expected, (method, url, response.status_code)

    assert log_in(client, "mia").status_code == 302
    token = csrf_token(client, "/dashboard/queue")
    for method, url, role in checked:
        if url.startswith("/api/"):
            continue
        response = client.open(url, method=method, data={"csrf_token": token})
        expected = 403 if role == "admin" else 404
        assert response.status_code == expected, (method, url, response.status_code)


def test_an_admin_reaches_site_b_on_every_route_that_reads(app, client, site_b):
    ada = {"Authorization": site_b["ada"]}
    reads = [url for method, url, _ in site_routes(app, site_b) if method == "GET"]
    assert len(reads) >= 5
    for url in reads:
        if url.startswith("/api/"):
            assert client.get(url, headers=ada).status_code == 200, url
    assert log_in(client, "ada").status_code == 302
    for url in reads:
        if not url.startswith("/api/"):
            assert client.get(url).status_code == 200, url


def test_lists_show_a_moderator_only_their_sites(app, client, site_b):
    mia, ada = {"Authorization": site_b["mia"]}, {"Authorization": site_b["ada"]}
    lists = {"/api/v1/moderation/queue": "comments", "/api/v1/moderation/reported": "comments",
             "/api/v1/moderation/appeals": "appeals"}
    for url, key in lists.items():
        assert client.get(url, headers=ada).json[key], url
        assert client.get(url, headers=mia).json[key] == [], url
        assert client.get(url + "?site=b", headers=mia).status_code == 404, url
        assert len(client.get(url + "?site=b", headers=ada).json[key]) == 1, url
        assert client.get(url + "?site=a", headers=ada).json[key] == [], url

    many = client.post("/api/v1/moderation/decisions", headers=mia, json={
        "action": "approve", "comment_ids": [site_b["comment_id"]]})
    assert many.status_code == 422
    assert client.get(f"/api/v1/comments/{site_b['comment_id']}").json["status"] == "held"

    assert log_in(client, "mia").status_code == 302
    token = csrf_token(client, "/dashboard/queue")
    for page in ("/dashboard/queue", "/dashboard/reported", "/dashboard/appeals"):
        assert "on b." not in client.get(page).text, page
    assert "t-b" not in client.get("/dashboard/stats").text  # b's busiest thread
    audit = client.get("/dashboard/audit").text
    assert site_b["rejected"] not in audit and "login" in audit  # ada's decision on b
    assert client.get("/dashboard/counts").json == {
        "/dashboard/queue": 0, "/dashboard/reported": 0, "/dashboard/appeals": 0}
    client.post("/dashboard/decisions", data={
        "csrf_token": token, "action": "approve", "comment_ids": [site_b["comment_id"]]})
    assert client.get(f"/api/v1/comments/{site_b['comment_id']}").json["status"] == "held"
    assert client.post("/dashboard/site", data={"csrf_token": token,
                                                "site": "b"}).status_code == 404
    assert client.get("/dashboard/queue?site=b").status_code == 404


def test_the_site_switcher_narrows_an_admins_dashboard(app, client, site_b):
    assert log_in(client, "ada").status_code == 302
    token = csrf_token(client, "/dashboard/queue")
    assert "Held on b." in client.get("/dashboard/queue").text
    switched = client.post("/dashboard/site", data={"csrf_token": token, "site": "a",
                                                    "next": "/dashboard/queue"})
    assert switched.status_code == 303 and switched.headers["Location"] == "/dashboard/queue"
    page = client.get("/dashboard/queue").text
    assert "Held on b." not in page and '<option value="a" selected>' in page
    assert client.get("/dashboard/counts").json["/dashboard/queue"] == 0
    assert "t-b" not in client.get("/dashboard/stats").text
    assert site_b["rejected"] in client.get("/dashboard/audit").text  # admins read it all
    client.post("/dashboard/site", data={"csrf_token": token, "site": ""})
    assert "Held on b." in client.get("/dashboard/queue").text
    assert "t-b" in client.get("/dashboard/stats").text
