"""Two sites ("default" and "other"), commenters' tokens, and moderators of each site."""

from __future__ import annotations

import time

import jwt
import pytest
from flask import Flask
from sqlalchemy import select

from service import db
from service.accounts.models import Moderator
from service.policy import LABELS
from service.sites.models import DEFAULT_SITE_ID, Site
from tests.support.accounts import add, token_for

APPROVE_ALL = {"hold": dict.fromkeys(LABELS, 1.0), "reject": dict.fromkeys(LABELS, 1.0)}
"""Thresholds under which the model publishes every comment (no score reaches 1.0)."""
ORIGIN = "https://news.example.com"


@pytest.fixture
def settings(settings: dict) -> dict:
    settings.update(MODERATION_THRESHOLDS=APPROVE_ALL, RATELIMIT_ENABLED=False,
                    CORS_ALLOWED_ORIGINS=[ORIGIN])
    return settings


def sso_secret(app: Flask, slug: str = "default") -> str:
    with app.app_context():
        return db.session().scalar(select(Site.sso_secret).where(Site.slug == slug))


def signed(secret: str, sub: str = "u-1", name: str = "Ann Reader", *,
           expires_in: int = 600, **claims) -> dict[str, str]:
    """The header of a commenter signed in with a token the publisher made."""
    token = jwt.encode({"sub": sub, "name": name, "exp": int(time.time()) + expires_in,
                        **claims}, secret, algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


def set_site(app: Flask, slug: str = "default", **values) -> None:
    with app.app_context(), db.transaction() as session:
        site = session.scalar(select(Site).where(Site.slug == slug))
        for name, value in values.items():
            setattr(site, name, value)


@pytest.fixture
def other_site(app) -> str:
    """A second site, "other", with its own secret; its moderator "otto"'s token."""
    with app.app_context(), db.transaction() as session:
        session.add(Site(slug="other", name="Other paper", origins=["https://other.example"]))
    add(app, "otto")
    add(app, "mia")
    with app.app_context(), db.transaction() as session:
        sites = {site.slug: site for site in session.scalars(select(Site))}
        moderators = {m.name: m for m in session.scalars(select(Moderator))}
        moderators["otto"].sites = [sites["other"]]  # only "other"
        moderators["mia"].sites = [session.get(Site, DEFAULT_SITE_ID)]
    return "other"


@pytest.fixture
def tokens(app, other_site) -> dict[str, str]:
    """API tokens: "mia" moderates default, "otto" moderates other, "ada" is an admin."""
    add(app, "ada", role="admin")
    return {name: token_for(app, name) for name in ("mia", "otto", "ada")}
