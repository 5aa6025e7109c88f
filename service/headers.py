"""Headers that every response carries."""

from __future__ import annotations

from flask import Flask, Response


def init_app(app: Flask) -> None:
    """Forbid MIME sniffing on every response; pages set their own CSP and framing rules."""

    @app.after_request
    def _nosniff(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
