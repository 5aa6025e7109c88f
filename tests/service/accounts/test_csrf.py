"""Every dashboard form needs the CSRF token of the session; the API needs none."""

from __future__ import annotations

import pytest

from tests.support.accounts import PASSWORD, audit_actions, bearer, status


@pytest.mark.parametrize("token", [None, "forged-token"], ids=["missing", "forged"])
def test_the_login_form_needs_its_token(app, client, accounts, token):
    data = {"name": "mia", "password": PASSWORD}
    if token:
        data["csrf_token"] = token
    response = client.post("/dashboard/login", data=data)
    assert response.status_code == 400
    assert "The form has expired" in response.text
    assert client.get("/dashboard/queue").status_code == 302
    assert "login" not in audit_actions(app, "mia")


def test_forms_refuse_a_token_of_another_session(app, client, held, moderator_client,
                                                 admin_client):
    # A page that another site's script would have, at best: an anonymous session's token.
    other = app.test_client()
    page = other.get("/dashboard/login").text
    foreign = page.split('name="csrf_token" value="')[1].split('"')[0]
    forms = [
        (moderator_client, "/dashboard/decisions",
         {"comment_ids": held[0], "action": "approve"}),
        (moderator_client, "/dashboard/tokens", {}),
        (moderator_client, "/dashboard/logout", {}),
        (admin_client, "/dashboard/settings", {"hold_everything": "on"}),
    ]
    for session_client, path, data in forms:
        for token in (None, foreign):
            sent = data | ({"csrf_token": token} if token else {})
            assert session_client.post(path, data=sent).status_code == 400, (path, token)
    assert status(client, held[0]) == "held"
    assert set(audit_actions(app)) <= {"moderator.added", "token.created", "login"}


def test_the_api_takes_a_bearer_token_without_csrf(app, client, accounts, held):
    response = client.post(f"/api/v1/moderation/comments/{held[0]}/decisions",
                           json={"action": "approve", "reason": ""},
                           headers=bearer(accounts["mia"]))
    assert response.status_code == 201
