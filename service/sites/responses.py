"""What the sites API answers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from service.apidoc import Reply, Time


class Policy(Reply):
    """The policy in force."""

    target: str | None = Field(description="The target the thresholds come from, if any.")
    hold: dict[str, float]
    reject: dict[str, float]
    hold_everything: bool
    unscored_languages: Literal["hold", "score", "publish"] = Field(description=(
        "What happens to a comment in a language the model does not score."))
    banned_words: list[str]
    suspect_words: list[str]
    new_commenter_premoderation: int = Field(description=(
        "How many first comments of a new commenter are held (0: none)."))
    reports_to_hold: int


class Site(Reply):
    """A site, with its policy in force, without its secret."""

    slug: str
    name: str
    origins: list[str] | None = Field(description="Null: the configured CORS_ALLOWED_ORIGINS.")
    origins_in_force: list[str]
    locale: str
    anonymous_allowed: bool
    policy: Policy
    token_max_age: int = Field(description=(
        "The longest life of a commenter's token, in seconds (its iat and exp are checked)."))
    created_at: Time
    updated_at: Time | None
    updated_by: str | None


class SiteWithSecret(Site):
    """The site with its SSO secret, shown on creation and rotation."""

    sso_secret: str = Field(description="Signs the commenters' tokens (HS256).")


class Sites(Reply):
    """Every site, by slug."""

    sites: list[Site]
