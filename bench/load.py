"""A small HTTP load generator: threads, each with one keep-alive connection.

It runs on the same cores as the service, so its own CPU time is part of what is
measured; the benchmark says so beside its figures.
"""

from __future__ import annotations

import http.client
import itertools
import json
import statistics
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

WIDGET_ORIGIN = "https://news.bench.example"
"""The page the intake's POSTs come from, as the widget's do: the bench's service allows it
(``CORS_ALLOWED_ORIGINS``), so each POST pays the CORS hook that real widget traffic pays."""


@dataclass(frozen=True)
class LoadResult:
    """What a load run measured."""

    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return (self.requests - self.errors) / self.seconds

    def percentile(self, share: float) -> float:
        """The latency (ms) under which ``share`` of the successful requests finished."""
        return percentile(self.latencies_ms, share)


def percentile(latencies: Sequence[float], share: float) -> float:
    """The latency under which ``share`` of ``latencies`` fall (0 for none)."""
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def post_comments(base_url: str, bodies: Sequence[str], *, concurrency: int,
                  threads_of_articles: int = 50) -> LoadResult:
    """POST every body once as a new comment, ``concurrency`` requests at a time.

    The comments are spread over ``threads_of_articles`` article threads, as on a site,
    each from the page at ``WIDGET_ORIGIN``.
    """
    address = urlsplit(base_url)
    numbers = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    def client() -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        mine: list[float] = []
        failed = 0
        while (number := next(numbers)) < len(bodies):
            payload = json.dumps({"body": bodies[number], "author": f"Reader {number % 997}"})
            path = f"/api/v1/threads/bench-{number % threads_of_articles}/comments"
            started = time.perf_counter()
            try:
                connection.request("POST", path, payload, {
                    "Content-Type": "application/json", "Origin": WIDGET_ORIGIN})
                response = connection.getresponse()
                response.read()
                ok = response.status == 202
            except (OSError, http.client.HTTPException):
                connection.close()
                ok = False
            if ok:
                mine.append((time.perf_counter() - started) * 1000)
            else:
                failed += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.perf_counter()
    clients = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    return LoadResult(len(bodies), errors[0], time.perf_counter() - started, latencies)


def time_to_decision(base_url: str, bodies: Sequence[str], *, poll_seconds: float = 0.005,
                     timeout: float = 60.0) -> list[float]:
    """Post each body alone and poll until it is decided; the latencies in ms."""
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    latencies = []
    for number, body in enumerate(bodies):
        started = time.perf_counter()
        connection.request("POST", "/api/v1/threads/bench-latency/comments",
                           json.dumps({"body": body, "author": f"Reader {number}"}),
                           {"Content-Type": "application/json"})
        response = connection.getresponse()
        created = json.loads(response.read())
        if response.status != 202:
            raise RuntimeError(f"POST answered {response.status}: {created}")
        while True:
            connection.request("GET", f"/api/v1/comments/{created['id']}")
            reply = connection.getresponse()
            status = json.loads(reply.read())["status"]
            if status != "pending":
                latencies.append((time.perf_counter() - started) * 1000)
                break
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"comment {created['id']} was not decided in {timeout} s")
            time.sleep(poll_seconds)
    connection.close()
    return latencies


def analyze_latency(base_url: str, key: str, bodies: Sequence[str]) -> list[float]:
    """POST each body alone to ``comments:analyze``, as Coral does; the latencies in ms."""
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    latencies = []
    for body in bodies:
        payload = json.dumps({"comment": {"text": body}, "doNotStore": True,
                              "requestedAttributes": {"TOXICITY": {}}, "languages": ["en"]})
        started = time.perf_counter()
        connection.request("POST", f"/v1alpha1/comments:analyze?key={key}", payload,
                           {"Content-Type": "application/json"})
        response = connection.getresponse()
        answer = json.loads(response.read())
        if response.status != 200:
            raise RuntimeError(f"comments:analyze answered {response.status}: {answer}")
        latencies.append((time.perf_counter() - started) * 1000)
    connection.close()
    return latencies


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0
