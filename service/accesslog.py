"""gunicorn's access log, safe to read: one line per request, naming no commenter.

``moderation web`` passes ``--logger-class service.accesslog.AccessLogger``. Every value
of a line is escaped (a ``%0A`` in a path is decoded by the server into a newline, which
would start a forged line), and a commenter's ``sub`` in a path (``.../commenters/<sub>``,
``?sub=``) is logged as ``-``: an erased commenter's id must not stay in the logs.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\"\\]")
_SUBJECT = re.compile(r"(/commenters/)[^?#\s\"]+|([?&]sub=)[^&#\s\"]*", re.IGNORECASE)


def clean(value: str) -> str:
    """``value`` with its commenter's ``sub`` left out and unsafe characters escaped."""
    value = _SUBJECT.sub(lambda match: (match.group(1) or match.group(2)) + "-", value)
    return _UNSAFE.sub(lambda match: f"\\x{ord(match.group()):02x}", value)


class AccessLogger(Logger):
    """gunicorn's logger, whose access-log values pass ``clean``."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any],
              request_time: Any) -> dict[str, Any]:
        return {name: clean(value) if isinstance(value, str) else value
                for name, value in super().atoms(resp, req, environ, request_time).items()}
