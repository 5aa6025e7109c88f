"""The sites API and command line: admins add and change sites, with clear 4xx errors,
audited changes and a rotatable SSO secret; each site's policy decides its comments."""

from __future__ import annotations

from service.accounts.models import AuditEntry
from service.comments.readers import reader_settings
from service.sites.cli import sites
from service.sites.services import current_policy, site_by_slug
from tests.support.accounts import bearer
from tests.support.accounts import post_comment as post_default

API = "/api/v1/sites"


def add_site(client, token, **body):
    response = client.post(API, json={"slug": "sports", "name": "Sports desk", **body},
                           headers=bearer(token))
    assert response.status_code == 201, response.json
    return response.json


def test_an_admin_adds_a_site_and_sees_its_sso_secret_on_creation_only(client, accounts):
    created = add_site(client, accounts["ada"], origins=["https://Sports.Example.com/"],
                       locale="fr", anonymous_allowed=False)

    assert created["slug"] == "sports" and created["name"] == "Sports desk"
    assert created["origins"] == ["https://sports.example.com"]
    assert created["locale"] == "fr" and created["anonymous_allowed"] is False
    assert len(created["sso_secret"]) >= 32
    shown = client.get(f"{API}/sports", headers=bearer(accounts["ada"]))
    assert shown.status_code == 200 and "sso_secret" not in shown.json
    assert shown.json["policy"]["target"] == "queue 5%"
    assert shown.json["policy"]["reports_to_hold"] == 3
    listed = client.get(API, headers=bearer(accounts["ada"])).json["sites"]
    assert [site["slug"] for site in listed] == ["default", "sports"]
    assert created["sso_secret"] not in client.get(API, headers=bearer(accounts["ada"])).text


def test_only_admins_use_the_sites_api(client, accounts):
    assert client.get(API).status_code == 401
    assert client.get(API, headers=bearer(accounts["mia"])).status_code == 403
    assert client.post(API, json={"slug": "x", "name": "X"},
                       headers=bearer(accounts["mia"])).status_code == 403


def test_bad_input_is_a_clear_4xx_and_writes_nothing(app, client, accounts):
    ada = bearer(accounts["ada"])
    cases = [
        ({"slug": "Bad Slug", "name": "X"}, 422, "slug"),
        ({"slug": "ok", "name": ""}, 422, "name"),
        ({"slug": "ok", "name": "X", "origins": ["ftp://x.example"]}, 422, "origin"),
        ({"slug": "ok", "name": "X", "locale": "french!"}, 422, "locale"),
        ({"slug": "ok", "name": "X", "policy": {"hold": {"nonsense": 0.5}}}, 422, "label"),
        ({"slug": "ok", "name": "X", "policy": {"target": "7%"}}, 422, "target"),
        ({"slug": "ok", "name": "X", "policy": {"reports_to_hold": 0}}, 422, "reports_to_hold"),
        ({"slug": "ok", "name": "X", "colour": "red"}, 422, "colour"),
        ({"slug": "default", "name": "Again"}, 409, "exists"),
    ]
    for body, status, word in cases:
        response = client.post(API, json=body, headers=ada)
        assert response.status_code == status, (body, response.json)
        assert word in response.json["message"], (body, response.json)
    assert client.post(API, data="not json", headers=ada).status_code == 415
    assert client.get(f"{API}/nowhere", headers=ada).json["error"] == "site_not_found"
    assert client.patch(f"{API}/nowhere", json={"name": "X"}, headers=ada).status_code == 404
    listed = client.get(API, headers=ada).json["sites"]
    assert [site["slug"] for site in listed] == ["default"]


def test_a_patch_changes_the_policy_and_is_audited_with_before_and_after(app, client,
                                                                           accounts):
    add_site(client, accounts["ada"])
    response = client.patch(f"{API}/sports", headers=bearer(accounts["ada"]), json={
        "name": "Sport", "origins": ["https://sport.example"],
        "policy": {"hold": {"toxicity": 0.4}, "hold_everything": True,
                   "banned_words": ["  spam  ", "SPAM"], "new_commenter_premoderation": 2,
                   "reports_to_hold": 5}})

    assert response.status_code == 200, response.json
    policy = response.json["policy"]
    assert policy["target"] is None and policy["hold"]["toxicity"] == 0.4
    assert policy["hold_everything"] is True and policy["banned_words"] == ["spam"]
    assert policy["new_commenter_premoderation"] == 2 and policy["reports_to_hold"] == 5
    with app.app_context():
        from service import db

        session = db.session()
        site = site_by_slug(session, "sports")
        assert site is not None and site.new_commenter_premoderation == 2
        in_force = current_policy(session, app.config, site.id)
        assert in_force.hold["toxicity"] == 0.4 and in_force.hold_everything
        assert reader_settings(session, site.id).reports_to_hold == 5
        # The default site is untouched.
        assert not current_policy(session, app.config).hold_everything
        entry = session.query(AuditEntry).filter_by(action="settings.changed").one()
    assert entry.actor == "ada" and entry.subject == "site sports"
    assert entry.details["changes"]["policy.hold.toxicity"][1] == 0.4
    assert entry.details["changes"]["name"] == ["Sports desk", "Sport"]

    back = client.patch(f"{API}/sports", headers=bearer(accounts["ada"]),
                        json={"policy": {"target": "1%"}, "origins": None})
    assert back.json["policy"]["target"] == "1%" and back.json["origins"] is None
    assert back.json["policy"]["hold_everything"] is True  # not sent: kept


def test_rotating_the_sso_secret_gives_a_new_one_and_audits_it_without_it(app, client,
                                                                          accounts):
    first = add_site(client, accounts["ada"])["sso_secret"]
    response = client.post(f"{API}/sports/sso-secret", headers=bearer(accounts["ada"]))

    assert response.status_code == 200
    assert response.json["sso_secret"] != first and len(response.json["sso_secret"]) >= 32
    with app.app_context():
        from service import db

        entry = db.session().query(AuditEntry).filter_by(
            action="site.sso_secret_rotated").one()
    assert response.json["sso_secret"] not in str(entry.details)


def test_the_command_line_adds_and_lists_sites(app, runner):
    added = runner.invoke(sites, ["add", "news", "--name", "City news",
                                "--origin", "https://news.example", "--origin",
                                "https://www.news.example"])
    assert added.exit_code == 0, added.output
    assert "site news 'City news'" in added.output
    secret = added.output.split("sso secret: ")[1].strip()
    with app.app_context():
        from service import db

        site = site_by_slug(db.session(), "news")
        assert site is not None and site.sso_secret == secret
        assert site.origins == ["https://news.example", "https://www.news.example"]
    again = runner.invoke(sites, ["add", "news", "--name", "Again"])
    assert again.exit_code != 0 and "exists already" in again.output
    bad = runner.invoke(sites, ["add", "Bad Slug", "--name", "X"])
    assert bad.exit_code != 0 and "slug" in bad.output
    listed = runner.invoke(sites, ["list"])
    assert listed.output.splitlines()[1].startswith("news\tCity news\ten\tanonymous allowed")


def test_the_old_paths_mean_the_site_default_and_unknown_sites_are_404(client, accounts):
    add_site(client, accounts["ada"])
    default_id = post_default(client, "Good morning.", thread="t1")
    on_sports = client.post("/api/v1/sites/sports/threads/t1/comments",
                            json={"body": "Go team.", "author": "Fan"})
    assert on_sports.status_code == 202

    listing = client.get("/api/v1/sites/default/threads/t1/comments").json
    assert listing["site"] == {"slug": "default", "locale": "en", "anonymous_allowed": True}
    assert client.get("/api/v1/threads/t1/comments").json["site"]["slug"] == "default"
    missing = client.post("/api/v1/sites/nowhere/threads/t1/comments",
                          json={"body": "Hello", "author": "A"})
    assert missing.status_code == 404 and missing.json["error"] == "site_not_found"
    assert client.get("/api/v1/sites/nowhere/threads/t1/comments").status_code == 404
    # A reply names a parent on its own site only.
    cross = client.post("/api/v1/sites/sports/threads/t1/comments",
                        json={"body": "Reply", "author": "Fan", "parent_id": default_id})
    assert cross.status_code == 422
