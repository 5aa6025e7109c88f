"""A publisher's site on another origin, for the widget's browser tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


@dataclass
class Publisher:
    """A publisher's site on another origin: serves the HTML put in ``pages``."""

    origin: str
    pages: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def publisher() -> Iterator[Publisher]:
    site = Publisher(origin="")

    @Request.application
    def serve(request: Request) -> Response:
        html = site.pages.get(request.path)
        return Response(html or "not found", status=200 if html else 404, mimetype="text/html")

    server = make_server("127.0.0.1", 0, serve, threaded=True)
    site.origin = f"http://localhost:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
