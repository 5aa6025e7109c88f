"""The spam stage: rules a new comment meets before the model reads it.

Each rule has a reason code, a site setting and an action (``hold``, ``reject`` or
``off``):

- ``spam.links``: more links than ``max_links``;
- ``spam.link_only``: nothing but links (fewer than ``LINK_ONLY_WORDS`` words besides);
- ``spam.shortener``: a link through a URL shortener, which hides where it leads;
- ``spam.repeated_domain``: a domain linked from ``repeated_domain_comments`` comments
  (this one included) within ``window_seconds``;
- ``spam.new_commenter_link``: a link from a commenter with no published comment yet
  (a commenter is, until sign-in arrives, a name from one client address);
- ``spam.near_duplicate``: text that nearly repeats (MinHash, ``service.comments
  .similarity``) a comment from another author or in another thread within
  ``window_seconds``;
- ``spam.flood``: one name or one client address commenting in ``flood_threads``
  threads within ``flood_window_seconds``.

A comment that breaks a rule is decided (the strongest action wins), with every rule
it broke in the decision's reason, and is not sent to the model. The link rules read
the comment alone and are met at intake, in the POST; the near-duplicate and flood
rules compare it with the comments around it and are met by the scoring worker, on
the batch it claimed, before the model (``service.comments.campaigns``), so that the
web process neither fingerprints texts nor scans recent comments.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.comments.links import Link, is_shortener, site_of, without_links
from service.comments.models import Comment, Status
from service.db import utcnow
from service.sites.models import DEFAULT_SITE_ID
from service.sites.services import site_by_id

SPAM_ACTOR_MODEL = "spam-rules/1"
"""The ``model`` of a decision taken by the spam stage (its actor is the model's)."""
LINK_ONLY_WORDS = 3
SCAN_LIMIT = 2000
"""At most this many recent comments are compared with a new one (the newest)."""

CODES = ("spam.shortener", "spam.link_only", "spam.links", "spam.near_duplicate",
         "spam.repeated_domain", "spam.flood", "spam.new_commenter_link")
"""The rules' reason codes, the most telling first: a decision's code is the first broken."""
RULES = tuple(code.removeprefix("spam.") for code in CODES)
"""The settings' names of the rules' actions."""

Action = Literal["hold", "reject", "off"]
Seconds = Annotated[int, Field(ge=60, le=30 * 24 * 3600)]


class SpamSettings(BaseModel):
    """The site's spam rules: each rule's action and its limits."""

    model_config = ConfigDict(extra="forbid")

    links: Action = "hold"
    max_links: int = Field(2, ge=0, le=50, description="Links a comment may have.")
    link_only: Action = "hold"
    shortener: Action = "hold"
    repeated_domain: Action = "hold"
    repeated_domain_comments: int = Field(
        3, ge=2, le=1000, description="Comments linking one domain within the window.")
    allowed_domains: list[str] = Field(
        default_factory=list, max_length=200,
        description="Domains never counted as repeated, such as the site's own.")
    new_commenter_link: Action = "hold"
    near_duplicate: Action = "hold"
    similarity: float = Field(0.6, ge=0.3, le=1.0,
                              description="Estimated Jaccard similarity that is a near-duplicate.")
    min_chars: int = Field(40, ge=10, le=5000,
                           description="Shorter texts are never near-duplicates.")
    window_seconds: Seconds = 24 * 3600
    flood: Action = "hold"
    flood_threads: int = Field(5, ge=2, le=1000)
    flood_window_seconds: Seconds = 600

    @field_validator("allowed_domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        cleaned = []
        for domain in value:
            domain = domain.strip().lower().removeprefix("www.")
            if not domain:
                continue
            if len(domain) > 253 or " " in domain or "." not in domain:
                raise ValueError(f"{domain!r} is not a domain like example.com")
            cleaned.append(domain)
        return list(dict.fromkeys(cleaned))


@dataclass(frozen=True)
class Hit:
    """One rule that a comment broke."""

    code: str
    action: Action
    detail: str


@dataclass(frozen=True)
class SpamVerdict:
    """What the spam stage decided: the strongest action, and every rule broken."""

    outcome: Status
    hits: tuple[Hit, ...]

    @property
    def code(self) -> str:
        """The reason code: the first rule whose action decided."""
        return next(hit.code for hit in self.hits if hit.action == _ACTIONS[self.outcome])

    @property
    def reason(self) -> str:
        return "; ".join(f"{hit.code}: {hit.detail}" for hit in self.hits)


_ACTIONS = {Status.REJECTED: "reject", Status.HELD: "hold"}


@dataclass(frozen=True)
class Candidate:
    """A new comment, as the intake's link rules see it."""

    author: str
    body: str
    client: str | None
    links: Sequence[Link]


def client_key(address: str | None, secret: str) -> str | None:
    """A client address as comments keep it: keyed-hashed, never in clear."""
    if not address:
        return None
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def spam_settings(session: Session, site_id: int = DEFAULT_SITE_ID) -> SpamSettings:
    """The site's spam rules: the saved ones, else the defaults."""
    return SpamSettings.model_validate(site_by_id(session, site_id).spam or {})


def save_spam_settings(session: Session, settings: SpamSettings, by: str,
                       site_id: int = DEFAULT_SITE_ID) -> None:
    """Keep ``settings`` as the site's spam rules (the caller commits)."""
    site = site_by_id(session, site_id)
    site.spam = settings.model_dump()
    site.updated_at, site.updated_by = utcnow(), by


def check_links(session: Session, new: Candidate, settings: SpamSettings) -> SpamVerdict | None:
    """The link rules' verdict on a comment not yet stored, or None when it breaks none."""
    return verdict(_link_hits(session, new, settings))


def verdict(hits: Iterable[Hit]) -> SpamVerdict | None:
    """What the rules broken decide: the strongest action, every rule in the reason."""
    broken = sorted((hit for hit in hits if hit.action != "off"),
                    key=lambda hit: CODES.index(hit.code))
    if not broken:
        return None
    outcome = Status.REJECTED if any(hit.action == "reject" for hit in broken) else Status.HELD
    return SpamVerdict(outcome, tuple(broken))


def _link_hits(session: Session, new: Candidate, settings: SpamSettings) -> Iterable[Hit]:
    links = new.links
    if not links:
        return
    if len(links) > settings.max_links:
        yield Hit("spam.links", settings.links,
                  f"{len(links)} links (at most {settings.max_links})")
    if len(without_links(new.body).split()) < LINK_ONLY_WORDS:
        yield Hit("spam.link_only", settings.link_only, "nothing but links")
    if shortened := sorted({link.host for link in links if is_shortener(link.host)}):
        yield Hit("spam.shortener", settings.shortener, ", ".join(shortened))
    sites = {site_of(link.host) for link in links} - set(settings.allowed_domains)
    if sites and settings.repeated_domain != "off":
        yield from _repeated_domains(session, sites, settings)
    if settings.new_commenter_link != "off" and not _known_commenter(session, new):
        yield Hit("spam.new_commenter_link", settings.new_commenter_link,
                  "a link in a first comment")


def _repeated_domains(session: Session, sites: set[str],
                      settings: SpamSettings) -> Iterable[Hit]:
    since = utcnow() - timedelta(seconds=settings.window_seconds)
    repeated = []
    for site in sorted(sites):
        recent = select(Comment.id).where(
            Comment.created_at >= since, Comment.link_sites.contains(f" {site} ", autoescape=True)
        ).limit(settings.repeated_domain_comments - 1)
        others = session.scalar(select(func.count()).select_from(recent.subquery())) or 0
        if others + 1 >= settings.repeated_domain_comments:
            repeated.append(site)
    if repeated:
        yield Hit("spam.repeated_domain", settings.repeated_domain,
                  f"{', '.join(repeated)} linked from {settings.repeated_domain_comments} or "
                  "more comments")


def _known_commenter(session: Session, new: Candidate) -> bool:
    query = select(Comment.author).where(
        Comment.status == Status.APPROVED, func.lower(Comment.author) == new.author.lower())
    if new.client is not None:
        query = query.where(Comment.client == new.client)
    return session.execute(query.limit(1)).first() is not None
