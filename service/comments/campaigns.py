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

import numpy as np
from sqlalchemy import ColumnElement, Row, or_, select
from sqlalchemy.orm import Session

from service.comments.models import Comment
from service.comments.names import author_key
from service.comments.similarity import NUM_PERM, fingerprints, is_current, matrix
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
    candidates = [comment for comment in batch
                  if len(skeleton(comment.body)) >= settings.min_chars]
    if not candidates:
        return
    window = timedelta(seconds=settings.window_seconds)
    ours = {comment.id for comment in batch}
    rows = [row for row in session.execute(
        select(Comment.id, Comment.author, Comment.author_key, Comment.thread_id,
               Comment.created_at, Comment.fingerprint)
        .where(Comment.created_at >= min(c.created_at for c in candidates) - window,
               Comment.fingerprint.is_not(None))
        .order_by(Comment.created_at.desc()).limit(SCAN_LIMIT)) if row.id not in ours]
    again = _fingerprinted_again(session, rows)
    rows = [row for row in rows if is_current(row.fingerprint) or row.id in again]
    # The screened comments first, then the batch's in order: each comment of the batch
    # compares with the rows before its own.
    others = [*((row.author_key or author_key(row.author), row.thread_id, row.created_at)
                for row in rows),
              *((_key(comment), comment.thread_id, comment.created_at) for comment in batch)]
    stacked = matrix([*(again.get(row.id, row.fingerprint) for row in rows),
                      *(prints[comment.id] for comment in batch)])
    # The fewest equal hash values that make a near-duplicate (``similarity`` as a share
    # of them, compared as ``similarities`` does).
    needed = next(count for count in range(NUM_PERM + 1)
                  if count / NUM_PERM >= settings.similarity or count == NUM_PERM)
    judged = {comment.id for comment in candidates}
    for position, comment in enumerate(batch):
        if comment.id not in judged:
            continue
        before = stacked[:len(rows) + position]
        equal = (before == stacked[len(rows) + position]).sum(axis=1, dtype=np.uint8)
        since, key = comment.created_at - window, _key(comment)
        # Only the similar ones are looked at closely: the same author in the same thread
        # is a repeat (refused at intake), not a campaign.
        similar = [int(equal[index]) / NUM_PERM for index in np.flatnonzero(equal >= needed)
                   if others[index][2] >= since
                   and (others[index][1] != comment.thread_id or others[index][0] != key)]
        if similar:
            best, matches = max(similar), len(similar)
            yield comment.id, Hit(
                "spam.near_duplicate", settings.near_duplicate,
                f"{best:.0%} like {matches} recent comment{'s' if matches > 1 else ''} "
                "by others or elsewhere")


def _fingerprinted_again(session: Session, rows: Sequence[Row[Any]]) -> dict[uuid.UUID, bytes]:
    """New fingerprints of the rows whose fingerprint is of an older kind, from their text."""
    stale = [row.id for row in rows if not is_current(row.fingerprint)]
    if not stale:
        return {}
    bodies = dict(session.execute(select(Comment.id, Comment.body)
                                  .where(Comment.id.in_(stale))).tuples().all())
    return dict(zip(bodies, fingerprints(list(bodies.values())), strict=True))


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
