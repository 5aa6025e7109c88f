"""Accounts: the commands, logins, lockout, sessions and API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from service import db
from service.accounts.cli import moderators, tokens
from service.accounts.models import ApiToken, AuditEntry, Moderator
from service.accounts.services import LOCKOUT, MAX_FAILURES
from tests.support.accounts import (
    PASSWORD,
    add,
    audit_actions,
    bearer,
    csrf_token,
    log_in,
)

QUEUE_API = "/api/v1/moderation/queue"


def test_moderators_add_reads_the_password_from_stdin_and_stores_an_argon2_hash(app, runner):
    result = runner.invoke(moderators, ["add", "noor", "--role", "admin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output

    with app.app_context():
        moderator = db.session().scalar(select(Moderator).where(Moderator.name == "noor"))
    assert moderator.role == "admin"
    assert moderator.password_hash.startswith("$argon2id$")
    assert PASSWORD not in moderator.password_hash
    assert log_in(app.test_client(), "noor").status_code == 302


@pytest.mark.parametrize(("args", "password", "complaint"), [
    (["add", "noor"], "short\n", "12 to 1024 characters"),
    (["add", "model"], PASSWORD + "\n", "not one of"),
    (["add", "no spaces"], PASSWORD + "\n", "letters, digits"),
    (["add", "noor", "--role", "owner"], PASSWORD + "\n", "'owner' is not one of"),
    # An admin reaches every site: --site would suggest otherwise (issue 26.8).
    (["add", "noor", "--role", "admin", "--site", "default"], PASSWORD + "\n",
     "admin sees and decides every site"),
])
def test_moderators_add_refuses_bad_accounts(runner, args, password, complaint):
    result = runner.invoke(moderators, args, input=password)
    assert result.exit_code != 0
    assert complaint in result.output


def test_moderators_add_refuses_a_name_taken(app, runner):
    add(app, "noor")
    result = runner.invoke(moderators, ["add", "noor"], input=PASSWORD + "\n")
    assert result.exit_code == 1
    assert "exists already" in result.output


def test_tokens_create_prints_a_token_that_works_until_revoked(app, runner):
    add(app, "noor")
    created = runner.invoke(tokens, ["create", "noor"])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    client = app.test_client()
    assert client.get(QUEUE_API, headers=bearer(token)).status_code == 200

    listed = runner.invoke(tokens, ["list", "noor"])
    token_id = listed.stdout.split()[0]
    assert token[:10] in listed.stdout and token not in listed.stdout

    revoked = runner.invoke(tokens, ["revoke", token_id])
    assert revoked.exit_code == 0, revoked.output
    refused = client.get(QUEUE_API, headers=bearer(token))
    assert refused.status_code == 401
    assert refused.json["error"] == "invalid_token"
    assert audit_actions(app, "cli")[-2:] == ["token.created", "token.revoked"]


def test_tokens_are_stored_hashed(app, runner):
    add(app, "noor")
    token = runner.invoke(tokens, ["create", "noor"]).stdout.strip().splitlines()[-1]
    with app.app_context():
        stored = db.session().scalar(select(ApiToken.token_hash))
    assert token not in stored and len(stored) == 64


def test_login_sets_a_strict_session_cookie_and_audits(app, client):
    add(app, "noor")
    response = log_in(client, "noor")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/queue"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "Expires=" in cookie
    assert client.get("/dashboard/queue").status_code == 200
    assert audit_actions(app, "noor")[-1] == "login"


def test_the_session_cookie_is_secure_over_https(app, accounts):
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/dashboard/login", base_url="https://localhost",
                           headers={"Referer": "https://localhost/dashboard/login"},
                           data={"name": "mia", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(("proxies", "secure"), [(0, False), (1, True)])
def test_x_forwarded_proto_counts_only_behind_a_trusted_proxy(settings, request, proxies, secure):
    settings["TRUSTED_PROXIES"] = proxies
    app = request.getfixturevalue("app")
    add(app, "noor")
    client = app.test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9",
                 "X-Forwarded-Host": "localhost", "Referer": "https://localhost/dashboard/login"}
    token = csrf_token(client)
    response = client.post("/dashboard/login", headers=forwarded,
                           data={"name": "noor", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert ("Secure" in response.headers["Set-Cookie"]) is secure


def test_login_goes_back_to_the_page_asked_for_but_never_elsewhere(app, accounts):
    client = app.test_client()
    asked = client.get("/dashboard/audit?action=login")
    assert asked.status_code == 302 and "/dashboard/login?next=" in asked.headers["Location"]
    for target, landing in [("/dashboard/audit?action=login", "/dashboard/audit?action=login"),
                            ("https://evil.example/dashboard/", "/dashboard/queue"),
                            ("//evil.example/dashboard/", "/dashboard/queue")]:
        client = app.test_client()
        response = client.post("/dashboard/login", data={
            "name": "mia", "password": PASSWORD, "next": target,
            "csrf_token": csrf_token(client)})
        assert response.headers["Location"] == landing


def test_a_wrong_password_is_refused_and_audited(app, client, accounts):
    response = log_in(client, "mia", "not the password at all")
    assert response.status_code == 200
    assert "Wrong name or password." in response.text
    assert client.get("/dashboard/queue").status_code == 302
    assert audit_actions(app, "mia")[-1] == "login.failed"


@pytest.mark.parametrize("name", ["mia", "nobody-by-this-name"])
def test_repeated_failures_lock_the_name_for_a_while(app, accounts, name):
    client = app.test_client()
    for _ in range(MAX_FAILURES - 1):
        assert log_in(client, name, "wrong password!!").status_code == 200
    locked = log_in(client, name, "wrong password!!")
    assert locked.status_code == 429
    assert "locked for 15 more minutes" in locked.text
    assert int(locked.headers["Retry-After"]) == 15 * 60

    # Locked: even the right password is refused, without being checked.
    assert log_in(client, name).status_code == 429
    assert client.get("/dashboard/queue").status_code == 302
    assert audit_actions(app, name)[-3:] == ["login.failed", "login.lockout", "login.refused"]
    assert log_in(app.test_client(), "ada").status_code == 302, "other names are not locked"

    # When the lock has run out, the right password works again.
    age_audit_log(app, LOCKOUT + timedelta(seconds=1))
    expected = 302 if name == "mia" else 200
    assert log_in(app.test_client(), name).status_code == expected


def test_failures_spread_over_more_than_the_window_do_not_lock(app, accounts):
    client = app.test_client()
    for _ in range(MAX_FAILURES - 1):
        log_in(client, "mia", "wrong password!!")
    age_audit_log(app, timedelta(minutes=16))
    assert log_in(client, "mia", "wrong password!!").status_code == 200
    assert log_in(client, "mia").status_code == 302


def test_sessions_expire_after_their_lifetime_however_busy(app, moderator_client):
    assert moderator_client.get("/dashboard/queue").status_code == 200
    with moderator_client.session_transaction() as session:
        session["login_at"] -= 8 * 3600 + 1
    response = moderator_client.get("/dashboard/queue")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/dashboard/login")


def test_logout_ends_the_session(app, moderator_client):
    token = csrf_token(moderator_client, "/dashboard/queue")
    response = moderator_client.post("/dashboard/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert moderator_client.get("/dashboard/queue").status_code == 302
    assert audit_actions(app, "mia")[-1] == "logout"


def test_tokens_page_creates_shows_once_and_revokes(app, moderator_client):
    token = csrf_token(moderator_client, "/dashboard/tokens")
    created = moderator_client.post("/dashboard/tokens", data={"csrf_token": token})
    assert created.status_code == 201
    secret = created.text.split('data-token>')[1].split("<")[0]
    api = app.test_client()
    assert api.get(QUEUE_API, headers=bearer(secret)).status_code == 200
    assert secret not in moderator_client.get("/dashboard/tokens").text

    revoked = moderator_client.post(f"/dashboard/tokens/{token_id(app, 'mia')}/revoke",
                                    data={"csrf_token": token})
    assert revoked.status_code == 303
    assert api.get(QUEUE_API, headers=bearer(secret)).status_code == 401
    assert audit_actions(app, "mia")[-2:] == ["token.created", "token.revoked"]


def test_a_moderator_cannot_revoke_anothers_token_but_an_admin_can(app, accounts, moderator_client,
                                                                  admin_client):
    ada_token, mia_token = token_id(app, "ada"), token_id(app, "mia")
    token = csrf_token(moderator_client, "/dashboard/tokens")
    assert moderator_client.post(f"/dashboard/tokens/{ada_token}/revoke",
                                 data={"csrf_token": token}).status_code == 404
    assert app.test_client().get(QUEUE_API, headers=bearer(accounts["ada"])).status_code == 200

    token = csrf_token(admin_client, "/dashboard/tokens")
    assert admin_client.post(f"/dashboard/tokens/{mia_token}/revoke",
                             data={"csrf_token": token}).status_code == 303
    assert app.test_client().get(QUEUE_API, headers=bearer(accounts["mia"])).status_code == 401


def token_id(app, name: str) -> int:
    """The id of the newest token of ``name``."""
    with app.app_context():
        return db.session().scalar(select(ApiToken.id).join(Moderator)
                                   .where(Moderator.name == name).order_by(ApiToken.id.desc()))


def age_audit_log(app, by: timedelta) -> None:
    """Move every audit entry ``by`` into the past, as if that time had gone by."""
    with app.app_context(), db.transaction() as session:
        for entry in session.scalars(select(AuditEntry)):
            entry.created_at -= by
