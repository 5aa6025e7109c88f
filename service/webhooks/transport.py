"""Sending one webhook request: no redirects, a timeout, public peers only."""

from __future__ import annotations

import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError

from service.webhooks.urls import UnsafeURL, check_address

EXCERPT_BYTES = 1024
USER_AGENT = "comment-moderation-webhooks/1"


@dataclass(frozen=True)
class Outcome:
    """What came of one request: a response, or an error before there was one."""

    status_code: int | None
    latency_ms: int
    excerpt: str = ""
    error: str | None = None
    retry_after: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status_code is not None and (
            200 <= self.status_code < 300)


def post(url: str, body: bytes, headers: Mapping[str, str], *, timeout: float,
         allow_private: bool) -> Outcome:
    """POST ``body`` to ``url`` once and report the outcome; never raises for HTTP trouble.

    Args:
        timeout: seconds to connect, and then to wait for the response.
        allow_private: when false, refuse to talk to a peer that is not on a public
            address, whatever the host name resolved to when it was checked.
    """
    started = time.perf_counter()
    with requests.Session() as http:
        http.trust_env = False  # no proxy from the environment: the peer is the receiver
        if not allow_private:
            http.mount("http://", PublicOnlyAdapter())
            http.mount("https://", PublicOnlyAdapter())
        try:
            response = http.post(url, data=body, headers={"User-Agent": USER_AGENT, **headers},
                                 timeout=timeout, allow_redirects=False, stream=True)
        except UnsafeURL as error:
            return Outcome(None, _ms_since(started), error=f"refused: the URL {error}")
        except requests.Timeout:
            return Outcome(None, _ms_since(started), error=f"timed out after {timeout:g} s")
        except requests.RequestException as error:
            return Outcome(None, _ms_since(started), error=_describe(error))
        latency = _ms_since(started)
        with response:
            excerpt = _excerpt(response)
        return Outcome(response.status_code, latency, excerpt,
                       retry_after=response.headers.get("Retry-After"))


def _excerpt(response: requests.Response) -> str:
    try:
        head = response.raw.read(EXCERPT_BYTES, decode_content=True) or b""
    except (HTTPError, OSError):  # the status is what counts; the excerpt is a courtesy
        head = b""
    return head[:EXCERPT_BYTES].decode("utf-8", "replace")


def _describe(error: BaseException) -> str:
    """The innermost cause of a requests error, which says what actually went wrong."""
    cause: BaseException = error
    while True:
        inner = getattr(cause, "reason", None) or cause.__cause__ or cause.__context__
        if not isinstance(inner, BaseException) or inner is cause:
            break
        cause = inner
    return f"{type(cause).__name__}: {cause}"[:500]


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


class _PublicPeer:
    """Checks the address of each new connection before a byte is sent on it."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        try:
            check_address(sock.getpeername()[0])
        except UnsafeURL:
            sock.close()
            raise
        return sock


class _PublicHTTPConnection(_PublicPeer, HTTPConnection):
    pass


class _PublicHTTPSConnection(_PublicPeer, HTTPSConnection):
    pass


class _PublicHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class PublicOnlyAdapter(HTTPAdapter):
    """A requests adapter whose connections refuse non-public peers (``UnsafeURL``)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PublicHTTPPool,
                                                   "https": _PublicHTTPSPool}
