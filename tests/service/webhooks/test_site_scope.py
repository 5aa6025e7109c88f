"""Webhook endpoints scoped to a site: an endpoint of site b receives only b's events,
one without a site receives every site's; each event names its site."""

from __future__ import annotations

import json

from tests.support.sites import add_site
from tests.support.webhooks import deliver_webhooks, deliveries
from tests.support.work import drain

API = "/api/v1/webhooks"


def test_an_endpoint_of_a_site_receives_only_that_sites_events(app, client, admin,
                                                               receiver):
    add_site(app, "b")
    every = client.post(API, json={"url": receiver.url, "events": ["comment.created"]},
                        headers=admin)
    only_b = client.post(API, json={"url": receiver.url + "b", "events": ["comment.created"],
                                    "site": "b"}, headers=admin)
    assert every.status_code == 201 and only_b.status_code == 201, only_b.json
    assert every.json["site"] is None and only_b.json["site"] == "b"

    for path in ("/api/v1/threads/t/comments", "/api/v1/sites/b/threads/t/comments"):
        assert client.post(path, json={"body": "Hello there.", "author": "Ann"}).status_code == 202
    drain(app, ("scoring",))  # the decisions fan out the comments' `comment.created`
    deliver_webhooks(app)

    made = sorted((str(delivery.endpoint_id), delivery.event_id) for delivery in deliveries(app))
    assert [endpoint for endpoint, _ in made].count(every.json["id"]) == 2
    assert [endpoint for endpoint, _ in made].count(only_b.json["id"]) == 1
    sites = sorted((request.path, json.loads(request.body)["data"]["site"]["slug"])
                   for request in receiver.wait_for(3))
    assert sites == [("/hooks", "b"), ("/hooks", "default"), ("/hooksb", "b")]


def test_a_site_that_does_not_exist_is_a_422_and_a_patch_rescopes(app, client, admin,
                                                                  receiver):
    bad = client.post(API, json={"url": receiver.url, "events": ["comment.held"],
                                 "site": "nowhere"}, headers=admin)
    assert bad.status_code == 422 and "nowhere" in bad.json["message"]
    assert client.get(API, headers=admin).json["webhooks"] == []
    add_site(app, "b")
    made = client.post(API, json={"url": receiver.url, "events": ["comment.held"],
                                  "site": "b"}, headers=admin).json
    everywhere = client.patch(f"{API}/{made['id']}", json={"site": None}, headers=admin)
    assert everywhere.status_code == 200 and everywhere.json["site"] is None
    again = client.patch(f"{API}/{made['id']}", json={"site": "b"}, headers=admin)
    assert again.json["site"] == "b"


def test_the_dashboard_adds_an_endpoint_for_one_site_and_changes_it(app, admin_client,
                                                                    receiver):
    from tests.support.accounts import csrf_token

    add_site(app, "b")
    page = "/dashboard/webhooks"
    assert '<option value="b"' in admin_client.get(page).text
    added = admin_client.post(page, data={
        "csrf_token": csrf_token(admin_client, page), "url": receiver.url,
        "events": ["comment.held"], "enabled": "on", "site": "b"})
    assert added.status_code == 201
    [endpoint] = admin_client.get(API, headers=_admin_token(app)).json["webhooks"]
    assert endpoint["site"] == "b"
    detail = f"{page}/{endpoint['id']}"
    assert '<option value="b" selected>' in admin_client.get(detail).text
    refused = admin_client.post(detail, data={
        "csrf_token": csrf_token(admin_client, detail), "url": receiver.url,
        "events": ["comment.held"], "enabled": "on", "site": "nowhere"})
    assert refused.status_code == 422 and "no site" in refused.text
    saved = admin_client.post(detail, data={
        "csrf_token": csrf_token(admin_client, detail), "url": receiver.url,
        "events": ["comment.held"], "enabled": "on", "site": ""})
    assert saved.status_code == 303
    assert admin_client.get(API, headers=_admin_token(app)).json["webhooks"][0]["site"] is None


def _admin_token(app) -> dict[str, str]:
    from tests.support.accounts import bearer, token_for

    return bearer(token_for(app, "ada"))
