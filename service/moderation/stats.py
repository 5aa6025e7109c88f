"""The moderators' overview: figures of the last days, for the stats page's charts.

Everything is computed from the database (comments and decisions), in UTC days:
volumes per day, outcomes by actor, the queue's size and oldest wait at the end of
each day, moderators' time to decision, the busiest threads, and how often
moderators agreed with the model, and the nudges before posting with what writers did
next. At most ``MAX_COMMENTS`` recent comments are read.
"""

from __future__ import annotations

import statistics
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.comments.models import READERS_ACTOR, Comment, Decision, Nudge, NudgeOutcome, Status
from service.comments.nudge import WINDOW as NUDGE_WINDOW
from service.comments.spam import SPAM_ACTOR_MODEL
from service.db import utcnow
from service.moderation.scope import Scope, in_scope
from service.policy import MODEL_ACTOR, RESCORING_ACTOR

MAX_COMMENTS = 50_000
WAITING = (Status.PENDING, Status.HELD)


@dataclass
class Overview:
    """The figures of the stats page."""

    days: list[date]
    received: list[int]
    outcomes: dict[str, dict[str, int]]
    """``{actor kind: {outcome: count}}``: model, spam rules, readers, moderators."""
    queue_size: list[int]
    oldest_wait_hours: list[float]
    human_median_minutes: list[float | None]
    human_all_minutes: list[float]
    top_threads: list[tuple[str, int, int]]
    """``(thread, comments, held now)``, busiest first."""
    agreement: dict[str, dict[str, int]] = field(default_factory=dict)
    """``{model outcome: {moderator outcome: count}}``."""
    nudges: dict[str, int] = field(default_factory=dict)
    """``{"shown": n, "revised": n, "posted_anyway": n, "abandoned": n, "waiting": n}``: the
    nudges shown in the period, by what the writer did next (``waiting``: not known yet)."""
    truncated: bool = False

    @property
    def agreement_rate(self) -> float | None:
        """Of the model's approvals and rejections that a moderator decided again, the
        share the moderator kept."""
        kept = sum(self.agreement.get(outcome, {}).get(outcome, 0)
                   for outcome in (Status.APPROVED, Status.REJECTED))
        total = sum(sum(self.agreement.get(outcome, {}).values())
                    for outcome in (Status.APPROVED, Status.REJECTED))
        return kept / total if total else None


def actor_kind(decision: Decision) -> str:
    """Who took a decision, as the overview groups them."""
    if decision.actor in (MODEL_ACTOR, RESCORING_ACTOR):
        return "spam rules" if decision.model == SPAM_ACTOR_MODEL else "model"
    return "readers" if decision.actor == READERS_ACTOR else "moderators"


def overview(session: Session, days: int = 14, scope: Scope = None) -> Overview:
    """The figures of the last ``days`` days, today included, of the sites of ``scope``
    (None: every site)."""
    today = utcnow().date()
    day_list = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    start = datetime.combine(day_list[0], time())
    comments = list(session.execute(
        select(Comment.id, Comment.thread_id, Comment.created_at, Comment.status)
        .where((Comment.created_at >= start) | Comment.status.in_(WAITING),
               in_scope(Comment.site_id, scope))
        .order_by(Comment.created_at.desc()).limit(MAX_COMMENTS + 1)))
    truncated = len(comments) > MAX_COMMENTS
    comments = comments[:MAX_COMMENTS]
    ids = [row.id for row in comments]
    history: dict[uuid.UUID, list[Decision]] = defaultdict(list)
    for chunk in range(0, len(ids), 500):
        for decision in session.scalars(select(Decision)
                                        .where(Decision.comment_id.in_(ids[chunk:chunk + 500]))
                                        .order_by(Decision.created_at, Decision.id)):
            history[decision.comment_id].append(decision)

    index = {day: position for position, day in enumerate(day_list)}
    received = [0] * days
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    human: dict[date, list[float]] = defaultdict(list)
    agreement: dict[str, Counter[str]] = defaultdict(Counter)
    threads: Counter[str] = Counter()
    held_now: Counter[str] = Counter()
    for row in comments:
        if row.created_at >= start:
            received[index[row.created_at.date()]] += 1
            threads[row.thread_id] += 1
        if row.status == Status.HELD:
            held_now[row.thread_id] += 1
        decisions = history.get(row.id, [])
        model = next((d for d in decisions if d.actor == MODEL_ACTOR), None)
        for position, decision in enumerate(decisions):
            if decision.created_at >= start:
                outcomes[actor_kind(decision)][decision.outcome] += 1
            if actor_kind(decision) != "moderators":
                continue
            before = decisions[position - 1].outcome if position else Status.PENDING
            if before == Status.HELD and decision.created_at >= start:
                human[decision.created_at.date()].append(
                    (decision.created_at - row.created_at).total_seconds() / 60)
        last_human = next((d for d in reversed(decisions) if actor_kind(d) == "moderators"),
                          None)
        if model is not None and model.model != SPAM_ACTOR_MODEL and last_human is not None:
            agreement[model.outcome][last_human.outcome] += 1

    queue_size, oldest = [], []
    now = utcnow()
    for day in day_list:
        moment = min(datetime.combine(day + timedelta(days=1), time()), now)
        waiting = [row.created_at for row in comments
                   if row.created_at <= moment and _status_at(history.get(row.id, []), moment)
                   in WAITING]
        queue_size.append(len(waiting))
        oldest.append(round((moment - min(waiting)).total_seconds() / 3600, 1) if waiting else 0.0)

    return Overview(
        days=day_list, received=received,
        outcomes={kind: dict(counts) for kind, counts in sorted(outcomes.items())},
        queue_size=queue_size, oldest_wait_hours=oldest,
        human_median_minutes=[round(statistics.median(human[day]), 1) if human[day] else None
                              for day in day_list],
        human_all_minutes=sorted(minutes for values in human.values() for minutes in values),
        top_threads=[(thread, count, held_now[thread]) for thread, count in
                     threads.most_common(10)],
        agreement={outcome: dict(counts) for outcome, counts in agreement.items()},
        nudges=nudge_counts(session, start, scope),
        truncated=truncated,
    )


def nudge_counts(session: Session, since: datetime, scope: Scope = None) -> dict[str, int]:
    """The nudges shown since ``since`` on the sites of ``scope``, by their outcome; those
    with none yet after ``NUDGE_WINDOW`` count as abandoned (the sweeper will say so)."""
    shown = (Nudge.created_at >= since, in_scope(Nudge.site_id, scope))
    counts = dict.fromkeys(["shown", *(outcome.value for outcome in NudgeOutcome), "waiting"], 0)
    for outcome, count in session.execute(select(Nudge.outcome, func.count())
                                          .where(*shown).group_by(Nudge.outcome)):
        counts["shown"] += count
        counts[outcome or "waiting"] += count
    late = session.scalar(select(func.count()).select_from(Nudge).where(
        *shown, Nudge.outcome.is_(None), Nudge.created_at < utcnow() - NUDGE_WINDOW)) or 0
    counts["waiting"] -= late
    counts[NudgeOutcome.ABANDONED.value] += late
    return counts


def _status_at(decisions: list[Decision], moment: datetime) -> str:
    status: str = Status.PENDING
    for decision in decisions:
        if decision.created_at > moment:
            break
        status = decision.outcome
    return status


@dataclass(frozen=True)
class Bar:
    """One bar of a server-drawn SVG chart, in the chart's own units."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: str


def bars(labels: list[str], values: list[float | None], *, width: float = 600,
         height: float = 160) -> list[Bar]:
    """Bars for ``values`` in a ``width`` x ``height`` box (missing values draw nothing)."""
    top = max((value for value in values if value is not None), default=0) or 1
    step = width / max(len(values), 1)
    drawn = []
    for position, (label, value) in enumerate(zip(labels, values, strict=True)):
        tall = (value or 0) / top * height
        drawn.append(Bar(round(position * step + step * 0.1, 1), round(height - tall, 1),
                         round(step * 0.8, 1), round(tall, 1), label,
                         "" if value is None else f"{value:g}"))
    return drawn


def line(points: list[tuple[float, float]], *, width: float = 600,
         height: float = 160) -> str:
    """An SVG polyline's ``points`` for ``(x, y)`` pairs in [0, 1] (y upwards) in a
    ``width`` x ``height`` box."""
    return " ".join(f"{round(x * width, 1)},{round(height - y * height, 1)}"
                    for x, y in points)
