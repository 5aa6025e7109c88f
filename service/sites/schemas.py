"""What the sites API accepts, checked with pydantic."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from service.sites.models import DEFAULT_TOKEN_MAX_AGE, SLUG
from service.sites.services import check_origin
from service.textcheck import checked

LOCALE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
MAX_ORIGINS = 50
MAX_WORDS = 1000
MAX_WORD = 200


def check_slug(value: str) -> str:
    """``value`` if it can name a site in URLs.

    Raises:
        ValueError: unless it is 1 to 64 lowercase letters, digits and inner hyphens.
    """
    if not SLUG.fullmatch(value):
        raise ValueError("a site's slug has 1 to 64 lowercase letters, digits or inner '-'")
    return value


def _origins(values: list[str]) -> list[str]:
    return list(dict.fromkeys(check_origin(value) for value in values))


def _locale(value: str) -> str:
    if not LOCALE.match(value):
        raise ValueError("a locale is a language code such as 'en', 'fr' or 'pt-BR'")
    return value


Slug = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64),
                 AfterValidator(check_slug)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                 checked(200)]
Origins = Annotated[list[Annotated[str, StringConstraints(max_length=300), checked(300)]],
                    Field(max_length=MAX_ORIGINS), AfterValidator(_origins)]
TokenMaxAge = Annotated[int, Field(ge=60, le=366 * 24 * 3600, description=(
    "The longest life of a commenter's token, in seconds (default a day): a token issued "
    "(iat) longer ago, or valid (exp) for longer from now, is refused."))]
Word = Annotated[str, StringConstraints(max_length=MAX_WORD), checked(MAX_WORD)]
WordList = Annotated[list[Word], Field(max_length=MAX_WORDS)]
"""A banned or suspect word list: up to ``MAX_WORDS`` phrases of ``MAX_WORD`` characters."""
Locale = Annotated[str, StringConstraints(strip_whitespace=True, max_length=16),
                   AfterValidator(_locale)]


class PolicyChanges(BaseModel):
    """A site's policy, or the part of it to change: the keys of
    ``MODERATION_THRESHOLDS`` plus the site's own."""

    model_config = ConfigDict(extra="forbid")

    target: str | None = Field(None, description=(
        "A target's name: a queue budget (\"queue 2%\", \"queue 5%\", \"queue 10%\": hold at "
        "most that share of civil comments) or a safety target (\"safety 5%\", \"safety 10%\", "
        "\"safety 20%\": publish at most that share of toxic comments), or null for "
        "thresholds set by hand."))
    hold: dict[str, float] | None = Field(None, description="Per-label hold thresholds.")
    reject: dict[str, float] | None = Field(None, description="Per-label reject thresholds.")
    hold_everything: bool | None = Field(None, description="Pre-moderation: hold every comment.")
    unscored_languages: Literal["hold", "score", "publish"] | None = Field(None, description=(
        "What happens to a comment in a language the model does not read: held for a "
        "moderator (the default), scored anyway, or published."))
    banned_words: WordList | None = Field(None, description="Words that reject a comment.")
    suspect_words: WordList | None = Field(None, description="Words that hold a comment.")
    new_commenter_premoderation: int | None = Field(None, ge=0, le=1000, description=(
        "Hold the first N comments of each signed-in commenter (0: none)."))
    reports_to_hold: int | None = Field(None, ge=1, le=100, description=(
        "Distinct readers whose reports send a published comment back to the queue."))

    def given(self) -> dict[str, Any]:
        """The keys that were sent (``target`` may be sent as null)."""
        return {key: getattr(self, key) for key in self.model_fields_set}


class NewSite(BaseModel):
    """The body of ``POST /api/v1/sites``."""

    model_config = ConfigDict(extra="forbid")

    slug: Slug
    name: Name
    origins: Origins | None = Field(None, description=(
        "Origins whose pages may embed the widget; null: the configured ones."))
    locale: Locale = "en"
    anonymous_allowed: bool = True
    token_max_age: TokenMaxAge = DEFAULT_TOKEN_MAX_AGE
    policy: PolicyChanges | None = None


class SiteChanges(BaseModel):
    """The body of ``PATCH /api/v1/sites/<slug>``: only the fields to change."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    origins: Origins | None = Field(None, description=(
        "Origins whose pages may embed the widget; null: the configured ones."))
    locale: Locale | None = None
    anonymous_allowed: bool | None = None
    token_max_age: TokenMaxAge | None = None
    policy: PolicyChanges | None = None
