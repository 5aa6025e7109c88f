"""Sessions that end on the server, expiring tokens, and atomic, per-address login limits
(issue 14.2 and 14.3)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from service import db
from service.accounts import services
from service.accounts.cli import moderators, tokens
from service.accounts.models import ApiToken, AuditEntry
from service.accounts.services import MAX_FAILURES, authenticate
from tests.support.accounts import PASSWORD, bearer, csrf_token, log_in

QUEUE_API = "/api/v1/moderation/queue"


def from_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def copy_of(client, app):
    """Another client holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_cookie_saved_before_logout_opens_nothing_after(app, moderator_client):
    saved = copy_of(moderator_client, app)
    assert saved.get("/dashboard/tokens").status_code == 200
    token = csrf_token(moderator_client, "/dashboard/queue")
    moderator_client.post("/dashboard/logout", data={"csrf_token": token})

    assert saved.get("/dashboard/tokens").status_code == 302
    assert saved.post("/dashboard/tokens", data={"csrf_token": token}).status_code in (302, 400)
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(ApiToken)) == 2  # fixture's


@pytest.mark.parametrize("command", [["password", "mia"], ["disable", "mia"]])
def test_password_change_and_disabling_end_every_session(app, runner, moderator_client,
                                                         command):
    assert moderator_client.get("/dashboard/queue").status_code == 200
    result = runner.invoke(moderators, command, input="another long passphrase\n")
    assert result.exit_code == 0, result.output
    assert moderator_client.get("/dashboard/queue").status_code == 302


def test_a_disabled_moderator_cannot_log_in_or_use_a_token(app, runner, accounts):
    assert runner.invoke(moderators, ["disable", "mia"]).exit_code == 0
    assert app.test_client().get(QUEUE_API, headers=bearer(accounts["mia"])).status_code == 401
    assert log_in(app.test_client(), "mia").status_code == 200
    assert runner.invoke(moderators, ["enable", "mia"]).exit_code == 0
    assert app.test_client().get(QUEUE_API, headers=bearer(accounts["mia"])).status_code == 200
    assert log_in(app.test_client(), "mia").status_code == 302


def test_tokens_can_expire_and_record_their_last_use(app, runner, accounts):
    result = runner.invoke(tokens, ["create", "mia", "--expires-in", "30d"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    api = app.test_client()
    assert api.get(QUEUE_API, headers=bearer(secret)).status_code == 200
    with app.app_context(), db.transaction() as session:
        token = session.scalar(select(ApiToken).order_by(ApiToken.id.desc()))
        assert token.last_used_at is not None
        assert timedelta(days=29) < token.expires_at - token.created_at <= timedelta(days=30)
        token.expires_at = db.utcnow() - timedelta(seconds=1)
    assert api.get(QUEUE_API, headers=bearer(secret)).status_code == 401
    listed = runner.invoke(tokens, ["list", "mia"]).output
    assert "expired until" in listed and "used 20" in listed
    assert runner.invoke(tokens, ["create", "mia", "--expires-in", "soon"]).exit_code != 0


def test_parallel_wrong_passwords_are_checked_at_most_max_failures_times(app, accounts,
                                                                          monkeypatch):
    checked = []
    real = services._hasher

    class Counting:
        def verify(self, hash_: str, password: str) -> bool:
            checked.append(password)
            return real.verify(hash_, password)

        def __getattr__(self, name: str):
            return getattr(real, name)

    monkeypatch.setattr(services, "_hasher", Counting())
    barrier = threading.Barrier(30)

    def guess(number: int) -> None:
        with app.app_context():
            barrier.wait()
            with db.transaction() as session:
                authenticate(session, "mia", f"wrong password {number}", "198.51.100.7")

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checked) <= MAX_FAILURES
    with app.app_context():
        failed = db.session().scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "login.failed"))
    assert failed <= MAX_FAILURES


def test_a_lock_from_one_address_does_not_lock_out_another(app, accounts):
    attacker = from_address(app, "203.0.113.9")
    for _ in range(MAX_FAILURES):
        log_in(attacker, "ada", "wrong password!!")
    assert log_in(attacker, "ada").status_code == 429
    admin = from_address(app, "198.51.100.20")
    assert log_in(admin, "ada").status_code == 302


def test_password_spraying_from_one_address_gets_429_with_retry_after(settings, request):
    settings.update(RATELIMIT_ENABLED=True)
    app = request.getfixturevalue("app")
    request.getfixturevalue("accounts")
    sprayer = from_address(app, "203.0.113.50")
    answers = [log_in(sprayer, f"name{n}", "Winter2026!!!!").status_code for n in range(25)]
    assert answers[:20] == [200] * 20
    refused = log_in(sprayer, "ada")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many login attempts" in refused.text
    neighbour = from_address(app, "203.0.113.51")
    assert log_in(neighbour, "ada").status_code == 302, "one address's limit is its own"


def test_a_subnet_has_its_own_limit(settings, request):
    settings.update(RATELIMIT_ENABLED=True, RATE_LIMIT_LOGIN_SUBNET="3/15 minutes")
    app = request.getfixturevalue("app")
    request.getfixturevalue("accounts")
    for host in range(3):
        client = from_address(app, f"192.0.2.{host + 1}")
        assert log_in(client, "nobody", "wrong password!!").status_code == 200
    client = from_address(app, "192.0.2.200")
    assert log_in(client, "ada", PASSWORD).status_code == 429


def test_the_tokens_page_makes_expiring_tokens_and_shows_their_use(app, moderator_client):
    token = csrf_token(moderator_client, "/dashboard/tokens")
    created = moderator_client.post("/dashboard/tokens",
                                    data={"csrf_token": token, "expires_in": "30d"})
    assert created.status_code == 201
    secret = created.text.split("data-token>")[1].split("<")[0]
    assert app.test_client().get(QUEUE_API, headers=bearer(secret)).status_code == 200
    page = moderator_client.get("/dashboard/tokens").text
    assert "expires 20" in page and "never" in page
    refused = moderator_client.post("/dashboard/tokens",
                                    data={"csrf_token": token, "expires_in": "forever"})
    assert refused.status_code == 400
