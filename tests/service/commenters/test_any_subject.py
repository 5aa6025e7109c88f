"""Commenters are addressable whatever their ``sub``: one percent-encoded path segment in
the moderation API, and the dashboard's links to them work (issue 26.2)."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

import pytest

from tests.service.commenters.conftest import signed, sso_secret
from tests.support.accounts import bearer, log_in

pytestmark = pytest.mark.postgres
API = "/api/v1/moderation/sites/default/commenters/"
SUBJECTS = ["https://idp.example/users/1", "..", ".", "a/export", "a%2Fb", "/lead", "100%",
            "x/../y", "Zoë ü/+?#&"]


def _post(app, client, sub: str) -> None:
    response = client.post("/api/v1/threads/t1/comments",
                           json={"body": f"Hello there, {len(sub)}."},
                           headers=signed(sso_secret(app), sub=sub))
    assert response.status_code == 202, response.json


@pytest.mark.parametrize("sub", SUBJECTS)
def test_the_api_reaches_a_commenter_by_the_percent_encoded_sub(app, client, accounts, sub):
    _post(app, client, sub)
    headers = bearer(accounts["ada"])
    path = API + quote(sub, safe="")
    shown = client.get(path, headers=headers)
    assert shown.status_code == 200, (path, shown.json)
    assert shown.json["sub"] == sub and shown.json["counts"]["comments"] == 1
    changed = client.patch(path, json={"status": "banned"}, headers=headers)
    assert changed.status_code == 200 and changed.json["status"] == "banned"
    exported = client.get(path + "/export", headers=headers)
    assert exported.status_code == 200 and exported.json["sub"] == sub
    assert client.delete(path, headers=headers).json["comments_erased"] == 1
    assert client.get(path, headers=headers).status_code == 404


def test_a_sub_ending_in_export_is_not_the_export_of_another(app, client, accounts):
    _post(app, client, "a")
    _post(app, client, "a/export")
    headers = bearer(accounts["mia"])  # a moderator: the export is for admins
    assert client.get(API + "a%2Fexport", headers=headers).json["sub"] == "a/export"
    assert client.get(API + "a/export", headers=headers).status_code == 403
    assert client.get(API + "a/export", headers=bearer(accounts["ada"])).json["sub"] == "a"


def test_a_path_naming_no_one_is_404_not_5xx(app, client, accounts):
    headers = bearer(accounts["ada"])
    for path in ("%00", "%FF", "%ED%A0%80", "a/b/c", "a%2Fb/c", "x" * 201):
        response = client.get(API + path, headers=headers)
        assert response.status_code == 404, (path, response.status_code)


@pytest.mark.parametrize("sub", SUBJECTS)
def test_the_dashboard_links_to_the_commenter_page_and_its_form(app, client, accounts, sub):
    _post(app, client, sub)
    assert log_in(client, "ada").status_code == 302
    queue = client.get("/dashboard/queue?status=pending")
    links = re.findall(r'class="author" href="([^"]+)" data-commenter-link', queue.text)
    assert len(links) == 1
    link = html.unescape(links[0])
    assert not re.search(r"/\.\.?(/|$|\?)", link.split("?")[0]), link  # no dot segment
    page = client.get(link)
    assert page.status_code == 200, link
    action = html.unescape(re.search(r'<form class="card settings" method="post" '
                                     r'action="([^"]+)"', page.text).group(1))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    saved = client.post(action, data={"csrf_token": token, "status": "trusted", "note": "ok"})
    assert saved.status_code == 303
    assert client.get(saved.headers["Location"]).status_code == 200
    assert client.get(API + quote(sub, safe=""),
                      headers=bearer(accounts["ada"])).json["status"] == "trusted"
