"""The spam rules that compare a comment with the comments around it: near-duplicates
and floods.

The scoring worker meets them on the batch it claimed, before the model reads it
(``workers.scoring.jobs``): one scan of the recent comments serves the whole batch, and
the web process neither fingerprints texts nor scans. Each comment is judged as on
arrival:

- ``spam.flood``: its name, or its client address, commented in ``flood_threads``
  threads (its own included) within ``flood_window_seconds`` up to its arrival. Names
  compare by their stored key (``names.author_key``): look-alike letters and case fold;
- ``spam.near_duplicate``: its text nearly repeats (MinHash, ``similarity``) a comment
  by another author or in another thread within ``window_seconds``: one the stage has
  screened already (so it has a fingerprint), or one that arrived before it in its
  batch. Of two near-duplicates screened in separate batches, the one screened second
  is held, usually the later.

A comment that breaks one is decided with the spam stage's reason, code and model
(``spam-rules/1``), and the model never scores it. Every comment screened keeps its
fingerprint, for the comments after it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, Subquery, or_, select
from sqlalchemy.orm import Session

from service.comments.models import Comment
from service.comments.names import author_key
from service.comments.similarity import (
    NUM_PERM,
    fingerprints,
    is_current,
    matrix,
    needed_equal,
    similar_pairs,
)
from service.comments.spam import SCAN_LIMIT, Hit, SpamSettings, SpamVerdict, verdict
from service.text import skeleton


def screen(session: Session, batch: Sequence[Comment],
           settings: SpamSettings) -> tuple[dict[uuid.UUID, bytes], dict[uuid.UUID, SpamVerdict]]:
    """The fingerprints of the batch's comments, and the verdicts on those that break a rule.

    Args:
        session: the worker's session.
        batch: the comments claimed, oldest first.
        settings: the site's spam rules.

    Returns:
        Each comment's fingerprint (to store with it), and a verdict for each comment
        that is a near-duplicate or a flood.
    """
    prints = {comment.id: comment.fingerprint for comment in batch
              if comment.fingerprint is not None and is_current(comment.fingerprint)}
    missing = [comment for comment in batch if comment.id not in prints]
    prints |= zip((comment.id for comment in missing),
                  fingerprints([comment.body for comment in missing]), strict=True)
    hits: dict[uuid.UUID, list[Hit]] = defaultdict(list)
    for comment_id, hit in (*_near_duplicates(session, batch, prints, settings),
                            *_floods(session, batch, settings)):
        hits[comment_id].append(hit)
    verdicts = {comment_id: verdict(broken) for comment_id, broken in hits.items()}
    return prints, {key: value for key, value in verdicts.items() if value is not None}


def _key(comment: Comment) -> str:
    return comment.author_key or author_key(comment.author)


def _near_duplicates(session: Session, batch: Sequence[Comment], prints: dict[uuid.UUID, bytes],
                     settings: SpamSettings) -> Iterable[tuple[uuid.UUID, Hit]]:
    if settings.near_duplicate == "off":
        return
    judged = [comment for comment in batch if len(skeleton(comment.body)) >= settings.min_chars]
    if not judged:
        return
    window = timedelta(seconds=settings.window_seconds)
    ours, judged_ids = {comment.id for comment in batch}, {comment.id for comment in judged}
    scan = (select(Comment.id, Comment.author, Comment.author_key, Comment.thread_id,
                   Comment.created_at, Comment.fingerprint)
            .where(Comment.created_at >= min(c.created_at for c in judged) - window,
                   Comment.fingerprint.is_not(None))
            .order_by(Comment.created_at.desc()).limit(SCAN_LIMIT).subquery())
    # The screened comments' fingerprints first, each once: reading their other columns
    # cost more than comparing them, so those are read for the similar ones only.
    stored = list(dict.fromkeys(session.scalars(select(scan.c.fingerprint))))
    current = [print_ for print_ in stored if is_current(print_)]
    again = _fingerprinted_again(session, scan, [p for p in stored if not is_current(p)])
    screened = len(current) + len(again)
    later, earlier, equal = similar_pairs(
        matrix([*current, *(print_ for _, print_ in again), *(prints[c.id] for c in batch)]),
        screened, needed_equal(settings.similarity))
    similar_prints = {current[j] for j in earlier.tolist() if j < len(current)}
    by_print: dict[bytes, list[Row[Any]]] = defaultdict(list)
    if similar_prints:
        for row in session.execute(select(scan).where(scan.c.fingerprint.in_(similar_prints))):
            by_print[row.fingerprint].append(row)

    def authors(index: int) -> list[tuple[str, str, datetime]]:
        """(author key, thread, time) of the comments behind the stacked row ``index``."""
        if index >= screened:
            comment = batch[index - screened]
            return [(_key(comment), comment.thread_id, comment.created_at)]
        rows = (by_print[current[index]] if index < len(current)
                else [again[index - len(current)][0]])
        return [(row.author_key or author_key(row.author), row.thread_id, row.created_at)
                for row in rows if row.id not in ours]

    found: dict[int, list[float]] = defaultdict(list)
    for index, other, count in zip(later.tolist(), earlier.tolist(), equal.tolist(),
                                   strict=True):
        comment = batch[index - screened]
        since, key = comment.created_at - window, _key(comment)
        # The same author in the same thread is a repeat (refused at intake), not a campaign.
        found[index - screened] += [count / NUM_PERM for author, thread, created_at
                                    in authors(other) if created_at >= since
                                    and (thread != comment.thread_id or author != key)]
    for position, comment in enumerate(batch):
        if comment.id in judged_ids and found[position]:
            best, matches = max(found[position]), len(found[position])
            yield comment.id, Hit(
                "spam.near_duplicate", settings.near_duplicate,
                f"{best:.0%} like {matches} recent comment{'s' if matches > 1 else ''} "
                "by others or elsewhere")


def _fingerprinted_again(session: Session, scan: Subquery, stale: Sequence[bytes]
                         ) -> list[tuple[Row[Any], bytes]]:
    """The scanned comments whose fingerprint is of an older kind, each with a new one
    taken from its text."""
    if not stale:
        return []
    rows = session.execute(select(scan, Comment.body).join(Comment, Comment.id == scan.c.id)
                           .where(scan.c.fingerprint.in_(stale))).all()
    return list(zip(rows, fingerprints([row.body for row in rows]), strict=True))


def _floods(session: Session, batch: Sequence[Comment],
            settings: SpamSettings) -> Iterable[tuple[uuid.UUID, Hit]]:
    if settings.flood == "off":
        return
    window = timedelta(seconds=settings.flood_window_seconds)
    keys = {_key(comment) for comment in batch}
    clients = {comment.client for comment in batch if comment.client is not None}
    same: ColumnElement[bool] = Comment.author_key.in_(keys)
    if clients:
        same = or_(same, Comment.client.in_(clients))
    recent = (select(Comment.author, Comment.author_key, Comment.client, Comment.thread_id,
                     Comment.created_at)
              .where(Comment.created_at >= min(c.created_at for c in batch) - window,
                     Comment.created_at <= max(c.created_at for c in batch), same)
              .order_by(Comment.created_at.desc()).limit(SCAN_LIMIT).subquery())
    # The threads each name and address wrote in, whenever in the window: a few rows
    # however many comments. One whose posts are in fewer threads than a flood (with the
    # comment's own) cannot flood: most can't, and their posts need no closer look.
    names_spread: dict[str, set[str]] = defaultdict(set)
    clients_spread: dict[str, set[str]] = defaultdict(set)
    for row in session.execute(select(recent.c.author, recent.c.author_key, recent.c.client,
                                      recent.c.thread_id).distinct()):
        names_spread[row.author_key or author_key(row.author)].add(row.thread_id)
        if row.client is not None:
            clients_spread[row.client].add(row.thread_id)
    flood = settings.flood_threads
    names = {key for key, threads in names_spread.items() if len(threads) + 1 >= flood}
    addresses = {key for key, threads in clients_spread.items() if len(threads) + 1 >= flood}
    by_name: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    by_client: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    if names or addresses:
        for row in session.execute(select(recent).where(or_(
                recent.c.author_key.in_(names), recent.c.author_key.is_(None),
                recent.c.client.in_(addresses)))):
            if (key := row.author_key or author_key(row.author)) in names:
                by_name[key].append((row.created_at, row.thread_id))
            if row.client in addresses:
                by_client[row.client].append((row.created_at, row.thread_id))
    minutes = settings.flood_window_seconds // 60
    for comment in batch:
        since, until, own = comment.created_at - window, comment.created_at, comment.thread_id
        key = _key(comment)
        named = _threads(by_name[key], since, until, own) if key in names else set()
        addressed = (_threads(by_client[comment.client], since, until, own)
                     if comment.client in addresses else set())
        if len(named) >= settings.flood_threads:
            yield comment.id, Hit("spam.flood", settings.flood,
                                  f"this name commented in {len(named)} threads within "
                                  f"{minutes} minutes")
        elif len(addressed) >= settings.flood_threads:
            yield comment.id, Hit("spam.flood", settings.flood,
                                  f"this address commented in {len(addressed)} threads "
                                  f"within {minutes} minutes")


def _threads(posts: Sequence[tuple[datetime, str]], since: datetime, until: datetime,
             own: str) -> set[str]:
    return {own} | {thread_id for created_at, thread_id in posts if since <= created_at <= until}
