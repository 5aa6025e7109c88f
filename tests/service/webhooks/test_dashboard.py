"""The webhook pages of the dashboard: admins add endpoints, read the log, re-send."""

from __future__ import annotations

import re

from tests.support.accounts import csrf_token, log_in
from tests.support.receiver import Reply
from tests.support.webhooks import add_comment, add_endpoint, deliver_webhooks, deliveries

PAGE = "/dashboard/webhooks"
SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]+")


def form(client, path: str, **fields) -> dict:
    return {"csrf_token": csrf_token(client, path), **fields}


def test_an_admin_adds_an_endpoint_and_sees_the_secret_once(admin_client, receiver):
    response = admin_client.post(PAGE, data=form(
        admin_client, PAGE, url=receiver.url, events=["comment.held", "comment.rejected"],
        description="Newsroom CMS", enabled="on"))

    assert response.status_code == 201
    [secret] = SECRET.findall(response.text)
    page = admin_client.get(PAGE)
    assert receiver.url in page.text and "Newsroom CMS" in page.text
    assert secret not in page.text
    assert 'href="/dashboard/webhooks"' in page.text, "the navigation links the page"


def test_a_bad_endpoint_is_refused_saying_why(admin_client):
    response = admin_client.post(PAGE, data=form(admin_client, PAGE, url="gopher://x/",
                                                 events=["comment.held"]))
    assert response.status_code == 422
    assert "must start with http:// or https://" in response.text
    no_events = admin_client.post(PAGE, data=form(admin_client, PAGE, url="http://127.0.0.1/"))
    assert no_events.status_code == 422 and "events" in no_events.text


def test_moderators_and_strangers_are_kept_out(app, admin, client):
    assert client.get(PAGE).status_code == 302  # to the login page
    assert log_in(client, "mia").status_code == 302
    assert client.get(PAGE).status_code == 403
    assert 'href="/dashboard/webhooks"' not in client.get("/dashboard/queue").text


def test_the_log_shows_each_attempt_and_a_failed_delivery_is_resent(app, admin_client,
                                                                    receiver):
    app.config["WEBHOOK_RETRY_SCALE"] = 0
    receiver.default = Reply(503, b"maintenance window")
    endpoint = add_endpoint(app, receiver.url, events=["comment.created"])
    add_comment(app)
    deliver_webhooks(app)
    [delivery] = deliveries(app)
    assert delivery.status == "failed"
    detail = f"{PAGE}/{endpoint.id}"

    page = admin_client.get(detail).text
    assert "Re-send all failed (1)" in page and "the receiver answered 503" in page
    log = admin_client.get(f"{detail}/deliveries/{delivery.id}").text
    assert log.count("maintenance window") == 10 and "503" in log

    receiver.default = Reply(200)
    resent = admin_client.post(f"{detail}/deliveries/{delivery.id}/resend",
                               data=form(admin_client, detail))
    assert resent.status_code == 303
    deliver_webhooks(app)

    [delivery] = deliveries(app)
    assert delivery.status == "succeeded" and delivery.attempts == 11
    assert receiver.requests[-1].headers["webhook-id"] == delivery.event_id


def test_resend_all_failed_and_disable_from_the_dashboard(app, admin_client, receiver):
    endpoint = add_endpoint(app, receiver.url, events=["comment.created"])
    receiver.reply(Reply(410))
    add_comment(app)
    add_comment(app)
    deliver_webhooks(app)
    detail = f"{PAGE}/{endpoint.id}"
    assert "answered 410 Gone" in admin_client.get(detail).text

    admin_client.post(detail, data=form(admin_client, detail, url=receiver.url,
                                        events=["comment.created"], enabled="on"))
    resent = admin_client.post(f"{detail}/deliveries/resend-failed",
                               data=form(admin_client, detail))
    assert resent.status_code == 303
    assert "2 failed deliveries are being sent again" in admin_client.get(detail).text
    deliver_webhooks(app)
    assert [d.status for d in deliveries(app)] == ["succeeded", "succeeded"]

    admin_client.post(detail, data=form(admin_client, detail, url=receiver.url,
                                        events=["comment.created"]))  # "enabled" unticked
    add_comment(app)
    deliver_webhooks(app)
    assert len(receiver.requests) == 3, "nothing more to a disabled endpoint"
    assert "Disabled by ada." in admin_client.get(PAGE).text


def test_rotate_and_delete_from_the_dashboard(app, admin_client, receiver):
    endpoint = add_endpoint(app, receiver.url)
    detail = f"{PAGE}/{endpoint.id}"

    rotated = admin_client.post(f"{detail}/rotate-secret", data=form(admin_client, detail))
    [secret] = SECRET.findall(rotated.text)
    assert secret != endpoint.secret and "previous secret signs too" in rotated.text

    deleted = admin_client.post(f"{detail}/delete", data=form(admin_client, detail))
    assert deleted.status_code == 303
    assert admin_client.get(detail).status_code == 404
    assert "No endpoints yet" in admin_client.get(PAGE).text


def test_forms_without_the_csrf_token_are_refused(admin_client, receiver):
    response = admin_client.post(PAGE, data={"url": receiver.url, "events": ["comment.held"]})
    assert response.status_code == 400
