"""The running service on labelled news comments that no training or fitting used.

``python -m bench.news_check --base-url http://127.0.0.1:PORT --source fox`` posts the
held-out rows of one labelled source through the service's public API, as the widget
does (``POST /api/v1/threads/<thread>/comments``), polls ``GET /api/v1/comments/<id>``
until each is decided, and prints per class (civil or toxic, by the source's own label)
how many were published, held and rejected, with 95% Wilson intervals, the reasons of
the holds and rejections, and last one JSON line.

- **Rows:** ``modelkit.sources.load_sources``, only the ``--split`` (``report`` by
  default: the rows that neither training nor any fitting saw). ``fox``: Fox News
  comments, another publisher than Civil Comments, split by article, one thread per
  article. ``news``: the natural-balance Civil Comments news comments, for comparison
  (they have no article: one thread).
- **The service:** a fresh instance, so that nothing posted before counts. Its posting
  limit (``RATE_LIMIT_POST``, default ``5/minute;30/hour`` per address) is respected:
  a ``429`` is waited out when its ``Retry-After`` is short, else the check stops and
  says so. Start the service for it with a high limit::

      MODERATION_INSTANCE_DIR=$(mktemp -d) REDIS_URL=redis://127.0.0.1:PORT2/0 \\
      RATE_LIMIT_POST="100000/minute" moderation up --port PORT

- **Spam rules:** every post comes from one address, so posting to five threads within
  ten minutes would trip the flood rule; the two sources use four threads in all. The
  near-duplicate rule holds a text posted again under another name: run the check once
  per source on an instance. Decisions of the spam stage are counted apart (reasons
  ``spam.*``), and the check says when there are any.
- **Bounded:** requests go to a loopback address only, at most ``--in-flight`` comments
  wait at once, and the whole run stops after ``--max-seconds`` (what is still pending
  then is counted ``undecided``, and the command exits with 1).

It never prints or logs a comment's text, nor the service's answers that carry one.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import secrets
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from scipy.stats import binomtest

from modelkit.sources import DEFAULT_DATA_DIR, load_sources, split_rows

SOURCES = ("fox", "news")
ARTICLE_SOURCES = ("fox",)
"""Sources whose rows' ``group`` is their article: one thread each."""
SPLITS = ("report", "fit")
OUTCOMES = {"approved": "published", "held": "held", "rejected": "rejected"}
CLASSES = ("civil", "toxic")


@dataclass(frozen=True)
class Row:
    """One comment to post: its thread, its text and its label."""

    thread: str
    body: str
    toxic: bool


@dataclass
class Tally:
    """What happened to one class's comments."""

    n: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    undecided: int = 0

    @property
    def decided(self) -> int:
        return sum(self.outcomes.values())

    def as_dict(self) -> dict[str, Any]:
        rates = {f"{name}_rate": wilson(self.outcomes[name], self.decided)
                 for name in OUTCOMES.values()}
        return {"n": self.n, "decided": self.decided,
                **{name: self.outcomes[name] for name in OUTCOMES.values()}, **rates,
                "undecided": self.undecided, "refused": dict(self.refused),
                "reasons": dict(self.reasons)}


class RateLimited(click.ClickException):
    """The service asked to wait longer than the check may."""


def wilson(hits: int, n: int) -> list[float] | None:
    """``[share, low, high]``: the share and its 95% Wilson interval (None when n is 0)."""
    if n == 0:
        return None
    interval = binomtest(hits, n).proportion_ci(0.95, method="wilson")
    return [hits / n, float(interval.low), float(interval.high)]


def held_out_rows(source: str, split: str, data_dir: Path, seed: int = 0,
                  limit: int | None = None) -> list[Row]:
    """The rows of ``source`` in ``split``, in a seeded order, the first ``limit`` of them."""
    table = load_sources(data_dir, seed, sources=(source,))
    index = split_rows(table, split, seed, limit)
    return [Row(f"check-{source}-{table.group[i]}" if source in ARTICLE_SOURCES
                else f"check-{source}", table.texts[i], bool(table.toxic[i])) for i in index]


def loopback(base_url: str) -> tuple[str, int]:
    """The host and port of ``base_url``, which must be a loopback address."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    try:
        local = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = False
    if parts.scheme != "http" or not local:
        raise click.BadParameter("only http:// on a loopback address (127.0.0.1, ::1, "
                                 "localhost)", param_hint="--base-url")
    return host, parts.port or 80


class Service:
    """The service's public API over one keep-alive connection."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.connection = http.client.HTTPConnection(host, port, timeout=30)

    def request(self, method: str, path: str, payload: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any], str]:
        """``(status, JSON answer, Retry-After)``; once more on a new connection if the old
        one broke."""
        body = json.dumps(payload) if payload is not None else None
        headers = {"Content-Type": "application/json", **(headers or {})}
        try:
            response, raw = self._send(method, path, body, headers)
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                response, raw = self._send(method, path, body, headers)
            except (OSError, http.client.HTTPException) as error:
                raise click.ClickException(f"the service at {self.host}:{self.port} did not "
                                           f"answer: {type(error).__name__}") from None
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
        return (response.status, answer if isinstance(answer, dict) else {},
                response.headers.get("Retry-After", ""))

    def _send(self, method: str, path: str, body: str | None,
              headers: dict[str, str]) -> tuple[http.client.HTTPResponse, bytes]:
        self.connection.request(method, path, body, headers)
        response = self.connection.getresponse()
        return response, response.read()


@dataclass
class Run:
    """One run of the check: the rows, where they stand, and its limits."""

    service: Service
    rows: list[Row]
    deadline: float
    in_flight: int
    max_retry_wait: float
    poll_interval: float
    tag: str = field(default_factory=lambda: secrets.token_hex(3))
    waiting: dict[str, tuple[int, str]] = field(default_factory=dict)
    tallies: dict[str, Tally] = field(default_factory=lambda: {c: Tally() for c in CLASSES})

    def tally(self, number: int) -> Tally:
        return self.tallies[CLASSES[self.rows[number].toxic]]

    def post(self, number: int) -> None:
        """Post row ``number``; wait out a short ``429``; count any other refusal."""
        row = self.rows[number]
        self.tally(number).n += 1
        while True:
            status, answer, retry_after = self.service.request(
                "POST", f"/api/v1/threads/{row.thread}/comments",
                {"body": row.body, "author": f"reader {self.tag}-{number}"})
            if status != 429:
                break
            wait = float(retry_after) if retry_after.isdigit() else 1.0
            if wait > self.max_retry_wait or time.monotonic() + wait > self.deadline:
                raise RateLimited(
                    f"the service limits posting and asks to wait {wait:.0f} s "
                    f"({answer.get('error', '429')}); start it with a high RATE_LIMIT_POST, "
                    "e.g. RATE_LIMIT_POST='100000/minute' (see this module's docstring)")
            time.sleep(wait)
        if status == 202:
            self.waiting[answer["id"]] = (number, answer["author_token"])
        else:
            self.tally(number).refused[str(answer.get("error") or status)] += 1

    def poll(self) -> None:
        """Ask once after every comment still waiting; count those decided."""
        for comment_id, (number, token) in list(self.waiting.items()):
            status, answer, _ = self.service.request(
                "GET", f"/api/v1/comments/{comment_id}", headers={"X-Author-Token": token})
            if status != 200 or answer.get("status") not in OUTCOMES:
                continue
            del self.waiting[comment_id]
            tally = self.tally(number)
            tally.outcomes[OUTCOMES[answer["status"]]] += 1
            if answer["status"] != "approved":
                tally.reasons[reason_kind(answer.get("reason", {}).get("code", ""))] += 1

    def go(self) -> None:
        """Post every row, at most ``in_flight`` waiting at once, until all are decided or
        the deadline passes."""
        posted, said = 0, time.monotonic()
        while (posted < len(self.rows) or self.waiting) and time.monotonic() < self.deadline:
            while (posted < len(self.rows) and len(self.waiting) < self.in_flight
                   and time.monotonic() < self.deadline):
                self.post(posted)
                posted += 1
            self.poll()
            if time.monotonic() - said > 10:
                said = time.monotonic()
                click.echo(f"posted {posted}/{len(self.rows)}, "
                           f"{posted - len(self.waiting)} decided or refused", err=True)
            if self.waiting:
                time.sleep(self.poll_interval)
        for number, _ in self.waiting.values():
            self.tally(number).undecided += 1
        for number in range(posted, len(self.rows)):
            self.tally(number).n += 1
            self.tally(number).undecided += 1


def reason_kind(code: str) -> str:
    """A reason code without its labels: ``labels`` (the model), ``spam.flood``,
    ``language``…"""
    return code.split(":", 1)[0] or "none"


def table(figures: dict[str, Any]) -> str:
    """The figures as a small text table (counts, and rates with their intervals)."""
    def rate(value: list[float] | None) -> str:
        return "-" if value is None else (f"{value[0]:6.1%} [{value[1]:.1%}, "
                                          f"{value[2]:.1%}]")

    lines = [f"{'class':6} {'n':>5} {'decided':>7}  "
             + "  ".join(f"{name:>28}" for name in OUTCOMES.values())]
    for name, tally in figures["classes"].items():
        cells = [f"{tally[kind]:5} {rate(tally[f'{kind}_rate']):>22}"
                 for kind in OUTCOMES.values()]
        lines.append(f"{name:6} {tally['n']:5} {tally['decided']:7}  " + "  ".join(cells))
    for name, tally in figures["classes"].items():
        extra = ", ".join(f"{kind} {count}" for kind, count in sorted(tally["reasons"].items()))
        lines.append(f"{name}: held or rejected for: {extra or 'nothing'}; undecided "
                     f"{tally['undecided']}; refused {tally['refused'] or 0}")
    return "\n".join(lines)


@click.command()
@click.option("--base-url", required=True, help="The running service, on a loopback address.")
@click.option("--source", type=click.Choice(SOURCES), default="fox", show_default=True,
              help="fox: Fox News comments (another publisher); news: natural-balance "
                   "Civil Comments news comments.")
@click.option("--split", type=click.Choice(SPLITS), default="report", show_default=True,
              help="report: rows no training or fitting saw; fit: the rows that chose the "
                   "checkpoint and fitted the thresholds. Never train.")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Post only this many rows (a seeded sample).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the splits (the shipped model's: 0) and of the sample.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_DATA_DIR, show_default=True)
@click.option("--in-flight", type=click.IntRange(min=1, max=400), default=100,
              show_default=True, help="Most comments waiting for a decision at once.")
@click.option("--max-seconds", type=click.FloatRange(min=1), default=1800, show_default=True,
              help="The whole run stops after this long.")
@click.option("--max-retry-wait", type=click.FloatRange(min=0), default=60,
              show_default=True, help="Longest Retry-After of a 429 that is waited out.")
@click.option("--poll-interval", type=click.FloatRange(min=0.01), default=0.25,
              show_default=True, help="Seconds between two rounds of polling.")
def main(base_url: str, source: str, split: str, limit: int | None, seed: int,
         data_dir: Path, in_flight: int, max_seconds: float, max_retry_wait: float,
         poll_interval: float) -> None:
    """Post held-out labelled news comments through the running service; print what it
    decided for each class, with 95% Wilson intervals, and last one JSON line."""
    host, port = loopback(base_url)
    rows = held_out_rows(source, split, data_dir, seed, limit)
    load_start, started = os.getloadavg(), time.monotonic()
    click.echo(f"{source}, split {split}: {len(rows)} comments "
               f"({sum(r.toxic for r in rows)} toxic) in {len({r.thread for r in rows})} "
               f"thread(s), to {base_url}; load average {load_start[0]:.2f}", err=True)
    run = Run(Service(host, port), rows, started + max_seconds, in_flight, max_retry_wait,
              poll_interval)
    run.go()
    figures = {"source": source, "split": split, "seed": seed, "comments": len(rows),
               "threads": len({r.thread for r in rows}),
               "seconds": round(time.monotonic() - started, 1),
               "load_average": {"start": [round(v, 2) for v in load_start],
                                "end": [round(v, 2) for v in os.getloadavg()]},
               "classes": {name: tally.as_dict() for name, tally in run.tallies.items()}}
    click.echo(table(figures))
    if spam := sum(count for t in run.tallies.values() for kind, count in t.reasons.items()
                   if kind.startswith("spam.")):
        click.echo(f"note: the spam stage decided {spam} comment(s): near-duplicates in the "
                   "data, or an instance that was not fresh", err=True)
    click.echo(json.dumps(figures))
    if any(t.undecided for t in run.tallies.values()):
        click.echo("some comments were not decided in time", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
