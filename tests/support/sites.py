"""Steps the per-site tests share: sites with their own policies, signed-in readers."""

from __future__ import annotations

import time
from typing import Any

import jwt
from flask import Flask

from service import db
from service.sites import admin
from service.sites.schemas import NewSite


def add_site(app: Flask, slug: str, policy: dict[str, Any] | None = None,
             **fields: Any) -> str:
    """Add the site ``slug`` with ``policy``; return its SSO secret."""
    new = NewSite.model_validate({"slug": slug, "name": slug.title(), **fields,
                                  "policy": policy})
    with app.app_context(), db.transaction() as session:
        return admin.add_site(session, new, app.config, by="test").sso_secret


def reader_token(secret: str, sub: str, name: str, lifetime: int = 600) -> str:
    """A commenter's token, as a publisher's sign-in would make it (HS256)."""
    return jwt.encode({"sub": sub, "name": name, "exp": int(time.time()) + lifetime},
                      secret, algorithm="HS256")
