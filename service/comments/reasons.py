"""The statement of reasons (EU Digital Services Act, Art. 17): what an author is told.

An author sees their own comment with what was decided, in plain words, why (the rule
or the labels, never raw scores), whether automated means decided, and until when
and how they may appeal a rejection.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.comments.models import READERS_ACTOR, Appeal, Comment, Decision, Status
from service.comments.readers import reader_settings
from service.db import iso, utcnow
from service.policy import LABELS, LANGUAGE_NOT_SCORED, MODEL_ACTOR, RESCORING_ACTOR

REPORTED = "reported"
APPEAL_OVERTURNED = "appeal.overturned"

OUTCOMES = {
    Status.PENDING: "It is being checked; this takes a few seconds.",
    Status.APPROVED: "It is published.",
    Status.HELD: "It waits for a moderator before it is published.",
    Status.REJECTED: "It was not published.",
}
LABEL_WORDS = {
    "toxicity": "toxic", "severe_toxicity": "severely toxic", "obscene": "obscene",
    "threat": "threatening", "insult": "insulting",
    "identity_attack": "an attack on people for who they are",
    "sexual_explicit": "sexually explicit",
}
RULE_TEXTS = {
    "spam.links": "It has more links than this site allows in one comment.",
    "spam.link_only": "It is only a link, with nothing else to say.",
    "spam.shortener": "It links through a URL shortener, which hides where the link leads.",
    "spam.repeated_domain": ("It links to a site that many recent comments link to, as "
                             "advertising does."),
    "spam.new_commenter_link": ("It is a first comment with a link; a moderator reads those "
                                "before they are published."),
    "spam.near_duplicate": ("It is nearly the same as a comment posted recently by someone "
                            "else or under another article."),
    "spam.flood": ("Comments came from the same name or address under many articles in a "
                   "short time."),
    REPORTED: "Readers reported it; a moderator will read it.",
    APPEAL_OVERTURNED: "A moderator reviewed your appeal and published it.",
    "premoderation": "A moderator reads every comment on this site before it is published.",
    "premoderation.thread": ("A moderator reads every comment on this article before it is "
                             "published."),
    "premoderation.commenter": "A moderator reads your comments before they are published.",
    "premoderation.new_commenter": ("A moderator reads a new commenter's first comments "
                                    "before they are published."),
    "banned_words": "It contains words or phrases that this site does not publish.",
    "suspect_words": "It contains words that a moderator reads first.",
    "rules": "It was not published under the site's rules.",
    "language": ("It is in a language our automated check does not read, so a moderator "
                 "reads it first."),
    "uncertain": ("Our automated check could not be sure it is within the site's guidelines, "
                  "so a moderator reads it before it is published."),
}
PREMODERATION_WORDS = (("premoderation.thread", "on this thread"),
                       ("premoderation.commenter", "this commenter's"),
                       ("premoderation.new_commenter", "new commenter's"))
"""How the reasons of ``service.commenters.premoderation`` are told apart (lower case)."""
MODERATOR_TEXTS = {
    "offensive": "A moderator found it offensive.",
    "abusive": "A moderator found it abusive towards others.",
    "spam": "A moderator found it to be spam or advertising.",
    "off-topic": "A moderator found it off the article's topic.",
    "other": "A moderator found that it breaks the site's rules.",
}


def is_automated(decision: Decision) -> bool:
    """Whether automated means took ``decision`` (the model, a rule, readers' reports)."""
    return decision.actor in (MODEL_ACTOR, RESCORING_ACTOR, READERS_ACTOR)


def reason_of(decision: Decision) -> dict[str, str]:
    """``{"code", "text"}``: why ``decision`` was taken, in plain words."""
    if decision.code:
        return {"code": decision.code,
                "text": RULE_TEXTS.get(decision.code, RULE_TEXTS["rules"])}
    if not is_automated(decision):
        code = decision.reason.split(":", 1)[0].strip().lower()
        if decision.outcome == Status.APPROVED:
            return {"code": "moderator.approved", "text": "A moderator published it."}
        if decision.outcome == Status.HELD:
            return {"code": "moderator.held", "text": "A moderator will read it again."}
        code = code if code in MODERATOR_TEXTS else "other"
        return {"code": f"moderator.{code}", "text": MODERATOR_TEXTS[code]}
    return _model_reason(decision)


def _model_reason(decision: Decision) -> dict[str, str]:
    reason = decision.reason.lower()
    if "pre-moderation" in reason:
        code = next((code for code, words in PREMODERATION_WORDS if words in reason),
                    "premoderation")
        return {"code": code, "text": RULE_TEXTS[code]}
    if reason.startswith(LANGUAGE_NOT_SCORED):
        return {"code": "language", "text": RULE_TEXTS["language"]}
    labels = [label for label in LABELS if label in reason.replace("identity attack",
                                                                   "identity_attack")]
    texts, codes = [], []
    if labels and decision.outcome == Status.HELD:
        # a hold means the check was unsure, not that the comment is toxic
        texts.append(RULE_TEXTS["uncertain"])
        codes.append("labels:" + ",".join(labels))
    elif labels:
        words = [LABEL_WORDS.get(label, label.replace("_", " ")) for label in labels]
        listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
        texts.append(f"Our automated check found it very likely to be {listed}.")
        codes.append("labels:" + ",".join(labels))
    for kind in ("banned", "suspect"):
        if f"{kind} word" in reason:
            texts.append(RULE_TEXTS[f"{kind}_words"])
            codes.append(f"{kind}_words")
    if not texts:
        return {"code": "rules", "text": RULE_TEXTS["rules"]}
    return {"code": ";".join(codes), "text": " ".join(texts)}


def author_view(session: Session, comment: Comment, public: dict[str, Any]) -> dict[str, Any]:
    """What the author of ``comment`` sees of it: ``public`` with their text, the
    outcome and its reason, whether automated means decided, and their appeal."""
    data = public | {"author": comment.author, "body": comment.body,
                     "outcome_text": OUTCOMES[Status(comment.status)]}
    latest = comment.decisions[-1] if comment.decisions else None
    if latest is not None:
        data["automated"] = is_automated(latest)
        data["decided_by"] = "automated means" if data["automated"] else "a moderator"
        if comment.status in (Status.HELD, Status.REJECTED) or latest.code:
            data["reason"] = reason_of(latest)
    appeal = session.scalars(select(Appeal).where(Appeal.comment_id == comment.id)
                             .order_by(Appeal.id.desc()).limit(1)).first()
    if comment.status == Status.REJECTED and latest is not None:
        data["appeal"] = appeal_window(session, latest) | _appeal_state(appeal, latest)
    elif appeal is not None:
        data["appeal"] = _appeal_state(appeal, appeal.decision)
    return data


def appeal_window(session: Session, rejection: Decision) -> dict[str, Any]:
    """``{"until", "open"}``: until when the author may appeal ``rejection``."""
    settings = reader_settings(session, rejection.comment.site_id)
    until = rejection.created_at + timedelta(days=settings.appeal_days)
    window: dict[str, Any] = {"until": iso(until), "open": utcnow() < until}
    if not window["open"]:
        window["text"] = "The time to appeal is over."
    return window | {"how": ("Say why it should be published; a moderator who did not take "
                             "this decision reads your appeal.")}


def _appeal_state(appeal: Appeal | None, decision: Decision) -> dict[str, Any]:
    if appeal is None or appeal.decision_id != decision.id:
        return {"status": None}
    state: dict[str, Any] = {"status": appeal.status, "open": False,
                             "created_at": iso(appeal.created_at), "text": (
                                 "Your appeal was sent; a moderator who did not take this "
                                 "decision will read it.")}
    if appeal.decided_at is not None:
        state |= {"decided_at": iso(appeal.decided_at), "text": (
            "A moderator reviewed your appeal and published your comment."
            if appeal.status == "overturned" else
            "A moderator reviewed your appeal and kept the decision."),
            "reason": appeal.reason}
    return state

