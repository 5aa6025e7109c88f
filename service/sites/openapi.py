"""The sites' part of the OpenAPI document: the admin API ``/api/v1/sites``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from service.apidoc import (
    INVALID,
    NOT_JSON,
    TIME,
    UNAUTHORIZED,
    Paths,
    error,
    json_content,
    path_parameter,
    ref,
)
from service.sites.schemas import NewSite, PolicyChanges, SiteChanges

MODELS: tuple[type[BaseModel], ...] = (NewSite, SiteChanges, PolicyChanges)
"""Request bodies, described by their pydantic models."""

SCHEMAS: dict[str, dict[str, Any]] = {
    "Site": {
        "type": "object",
        "required": ["slug", "name", "origins", "locale", "anonymous_allowed", "policy"],
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "origins": {"type": ["array", "null"], "items": {"type": "string"},
                        "description": "Null: the configured CORS_ALLOWED_ORIGINS."},
            "origins_in_force": {"type": "array", "items": {"type": "string"}},
            "locale": {"type": "string"},
            "anonymous_allowed": {"type": "boolean"},
            "policy": {"type": "object", "description": (
                "The policy in force: target, hold, reject, hold_everything, banned_words, "
                "suspect_words, new_commenter_premoderation, reports_to_hold.")},
            "created_at": TIME,
            "updated_at": TIME,
            "updated_by": {"type": "string"},
        },
    },
    "SiteWithSecret": {"allOf": [ref("Site"), {
        "type": "object", "required": ["sso_secret"],
        "properties": {"sso_secret": {"type": "string", "description": (
            "Signs the commenters' tokens (HS256); shown on creation and rotation.")}},
    }]},
}

ADMIN = {"tags": ["sites"], "security": [{"bearerAuth": []}]}
FORBIDDEN = error("The token is not an admin's.")


def paths() -> Paths:
    """The admin API of the sites."""
    slug = path_parameter("slug", "The site's slug.")
    not_found = error("No site has that name (site_not_found).")
    return {
        "/api/v1/sites": {
            "post": ADMIN | {
                "summary": "Add a site; the answer holds its SSO secret.",
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": ref("NewSite")}}},
                "responses": {"201": json_content(ref("SiteWithSecret"), "Added."),
                              "401": UNAUTHORIZED, "403": FORBIDDEN,
                              "409": error("A site has that slug already."),
                              "422": INVALID, **NOT_JSON},
            },
            "get": ADMIN | {
                "summary": "Every site.",
                "responses": {"200": json_content(
                    {"type": "object", "properties": {
                        "sites": {"type": "array", "items": ref("Site")}}}, "The sites."),
                    "401": UNAUTHORIZED, "403": FORBIDDEN},
            },
        },
        "/api/v1/sites/{slug}": {
            "get": ADMIN | {
                "summary": "A site with its policy in force.", "parameters": [slug],
                "responses": {"200": json_content(ref("Site"), "The site."),
                              "401": UNAUTHORIZED, "403": FORBIDDEN, "404": not_found},
            },
            "patch": ADMIN | {
                "summary": "Change a site's name, origins, locale, anonymous posting or "
                           "policy (audited).",
                "parameters": [slug],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref("SiteChanges")}}},
                "responses": {"200": json_content(ref("Site"), "Changed."),
                              "401": UNAUTHORIZED, "403": FORBIDDEN, "404": not_found,
                              "422": INVALID, **NOT_JSON},
            },
        },
        "/api/v1/sites/{slug}/sso-secret": {
            "post": ADMIN | {
                "summary": "Rotate the SSO secret; tokens signed with the old one stop working.",
                "parameters": [slug],
                "responses": {"200": json_content(ref("SiteWithSecret"), "Rotated."),
                              "401": UNAUTHORIZED, "403": FORBIDDEN, "404": not_found},
            },
        },
    }
