"""The webhook endpoints API: admins only, clear errors, secrets shown once."""

from __future__ import annotations

import base64

import pytest

from service.webhooks.verify import verify_webhook
from tests.support.receiver import Reply
from tests.support.webhooks import add_comment, deliver_webhooks

API = "/api/v1/webhooks"


def register(client, headers, url, events=("comment.approved", "comment.rejected"), **extra):
    response = client.post(API, json={"url": url, "events": list(events), **extra},
                           headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(client, admin, receiver):
    created = register(client, admin, receiver.url, description="CMS")

    assert created["url"] == receiver.url and created["enabled"] is True
    assert created["events"] == ["comment.approved", "comment.rejected"]
    assert created["description"] == "CMS"
    assert created["secret"].startswith("whsec_")
    assert len(base64.b64decode(created["secret"].removeprefix("whsec_"))) >= 24
    listed = client.get(API, headers=admin).json["webhooks"]
    assert [endpoint["id"] for endpoint in listed] == [created["id"]]
    shown = client.get(f"{API}/{created['id']}", headers=admin).json
    assert "secret" not in listed[0] and "secret" not in shown
    assert created["secret"] not in client.get(API, headers=admin).text


def test_only_admins_may_use_it(client, admin, moderator):
    assert client.get(API).status_code == 401
    assert client.get(API, headers={"Authorization": "Bearer mod_nope"}).status_code == 401
    refused = client.post(API, json={"url": "http://127.0.0.1/", "events": ["comment.held"]},
                          headers=moderator)
    assert refused.status_code == 403 and refused.json["error"] == "forbidden"


@pytest.mark.parametrize(("body", "message"), [
    ({"url": "http://127.0.0.1/", "events": ["comment.deleted"]}, "events.0: Input should be"),
    ({"url": "http://127.0.0.1/", "events": []}, "events: List should have at least 1 item"),
    ({"events": ["comment.held"]}, "url: is required"),
    ({"url": "http://127.0.0.1/", "events": ["comment.held"], "secret": "x"},
     "secret: is not a known field"),
    ({"url": "ftp://example.com/", "events": ["comment.held"]},
     "url: must start with http:// or https://"),
])
def test_bad_input_is_refused_saying_what_is_wrong(client, admin, body, message):
    response = client.post(API, json=body, headers=admin)

    assert response.status_code == 422
    assert response.json["error"] == "invalid_input"
    assert message in response.json["message"]
    assert client.get(API, headers=admin).json["webhooks"] == []


def test_a_body_that_is_not_json_is_refused(client, admin):
    response = client.post(API, data="url=x", headers=admin)
    assert response.status_code == 415 and "JSON" in response.json["message"]


def test_a_private_url_is_refused_without_the_setting(settings, request):
    settings["WEBHOOK_ALLOW_PRIVATE_URLS"] = False
    client, admin = request.getfixturevalue("client"), request.getfixturevalue("admin")

    for url, kind in [("http://127.0.0.1:8080/hooks", "loopback"),
                      ("http://10.1.2.3/hooks", "private"),
                      ("http://169.254.169.254/latest/meta-data", "cloud metadata"),
                      ("http://[fd00:ec2::254]/", "cloud metadata"),
                      ("http://[fe80::1]/", "link-local"),
                      ("http://224.0.0.1/", "multicast"),
                      ("http://localhost/hooks", "loopback")]:
        response = client.post(API, json={"url": url, "events": ["comment.held"]}, headers=admin)
        assert response.status_code == 422, url
        assert kind in response.json["fields"]["url"], (url, response.json)
    assert client.get(API, headers=admin).json["webhooks"] == []


def test_patch_changes_events_description_and_enabled(client, admin, receiver):
    created = register(client, admin, receiver.url)
    path = f"{API}/{created['id']}"

    changed = client.patch(path, json={"events": ["comment.held"], "description": "staging"},
                           headers=admin)
    assert changed.status_code == 200
    assert changed.json["events"] == ["comment.held"]
    assert changed.json["description"] == "staging"

    disabled = client.patch(path, json={"enabled": False}, headers=admin).json
    assert disabled["enabled"] is False and disabled["disabled_reason"] == "Disabled by ada."
    enabled = client.patch(path, json={"enabled": True}, headers=admin).json
    assert enabled["enabled"] is True and enabled["disabled_reason"] is None

    assert client.patch(path, json={"enabled": "maybe"}, headers=admin).status_code == 422
    assert client.patch(path, json={"colour": "red"}, headers=admin).status_code == 422


def test_delete_and_unknown_ids(client, admin, receiver):
    created = register(client, admin, receiver.url)

    assert client.delete(f"{API}/{created['id']}", headers=admin).status_code == 204
    missing = client.get(f"{API}/{created['id']}", headers=admin)
    assert missing.status_code == 404 and missing.json["error"] == "not_found"
    assert client.get(f"{API}/not-a-uuid", headers=admin).status_code == 404
    assert client.get(API, headers=admin).json["webhooks"] == []


def test_rotating_the_secret_signs_with_both_during_the_grace_period(app, client, admin,
                                                                     receiver):
    created = register(client, admin, receiver.url, events=["comment.created"])

    rotated = client.post(f"{API}/{created['id']}/rotate-secret", headers=admin)

    assert rotated.status_code == 200
    new_secret = rotated.json["secret"]
    assert new_secret.startswith("whsec_") and new_secret != created["secret"]
    assert rotated.json["previous_secret_expires_at"]
    add_comment(app)
    deliver_webhooks(app)
    [sent] = receiver.wait_for(1)
    assert len(sent.headers["webhook-signature"].split()) == 2
    verify_webhook(created["secret"], sent.headers, sent.body)
    verify_webhook(new_secret, sent.headers, sent.body)


def test_deliveries_are_listed_and_a_failed_one_is_resent(app, client, admin, receiver):
    settings_scale = app.config["WEBHOOK_RETRY_SCALE"]
    app.config["WEBHOOK_RETRY_SCALE"] = 0
    receiver.default = Reply(500, b"down")
    created = register(client, admin, receiver.url, events=["comment.created"])
    add_comment(app)
    deliver_webhooks(app)
    app.config["WEBHOOK_RETRY_SCALE"] = settings_scale
    path = f"{API}/{created['id']}/deliveries"

    [failed] = client.get(path, headers=admin).json["deliveries"]
    assert failed["status"] == "failed" and failed["attempts"] == 10
    assert failed["last_status_code"] == 500 and failed["event_type"] == "comment.created"
    assert client.get(f"{path}?status=succeeded", headers=admin).json["deliveries"] == []
    assert client.get(f"{path}?status=lost", headers=admin).status_code == 400
    log = client.get(f"{path}/{failed['id']}", headers=admin).json["attempt_log"]
    assert [attempt["status_code"] for attempt in log] == [500] * 10
    assert log[0]["response_excerpt"] == "down" and log[0]["latency_ms"] >= 0

    receiver.default = Reply(204, b"")
    resent = client.post(f"{path}/{failed['id']}/resend", headers=admin)
    assert resent.status_code == 202 and resent.json["status"] == "pending"
    deliver_webhooks(app)

    again = client.get(f"{path}/{failed['id']}", headers=admin).json
    assert again["status"] == "succeeded" and again["attempts"] == 11
    assert len(receiver.requests) == 11
    assert len({sent.headers["webhook-id"] for sent in receiver.requests}) == 1
    assert client.post(f"{path}/999999/resend", headers=admin).status_code == 404


def test_resend_all_failed(app, client, admin, receiver):
    created = register(client, admin, receiver.url, events=["comment.created"])
    receiver.reply(Reply(410))
    add_comment(app)
    add_comment(app)
    deliver_webhooks(app)  # the first answer, 410, disables the endpoint and fails both
    path = f"{API}/{created['id']}"
    assert client.get(path, headers=admin).json["enabled"] is False

    refused = client.post(f"{path}/deliveries/resend-failed", headers=admin)
    assert refused.status_code == 409 and refused.json["error"] == "endpoint_disabled"
    client.patch(path, json={"enabled": True}, headers=admin)
    resent = client.post(f"{path}/deliveries/resend-failed", headers=admin)
    assert resent.status_code == 202 and resent.json == {"resent": 2}
    deliver_webhooks(app)

    statuses = [d["status"] for d in client.get(f"{path}/deliveries", headers=admin).json[
        "deliveries"]]
    assert statuses == ["succeeded", "succeeded"]
    assert len({sent.headers["webhook-id"] for sent in receiver.requests}) == 2


def test_ids_beyond_the_database_integers_are_not_found(client, admin, receiver):
    created = register(client, admin, receiver.url)
    path = f"{API}/{created['id']}/deliveries"

    assert client.get(f"{path}/2147483648", headers=admin).status_code == 404
    assert client.post(f"{path}/2147483648/resend", headers=admin).status_code == 404
    assert client.get(f"{path}?before=2147483648", headers=admin).status_code == 400


def test_text_with_control_characters_is_refused(client, admin, receiver):
    response = client.post(API, json={"url": receiver.url, "events": ["comment.held"],
                                      "description": "CMS\x00"}, headers=admin)

    assert response.status_code == 422
    assert response.json["fields"]["description"] == "must not contain control characters"
