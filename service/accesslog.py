"""gunicorn's access log, safe to read: one line per request, naming no commenter.

``moderation web`` passes ``--logger-class service.accesslog.AccessLogger``. Every value
of a line is escaped (a ``%0A`` in a path is decoded by the server into a newline, which
would start a forged line), and a commenter's ``sub`` in a path (``.../commenters/<sub>``,
``?sub=``) is logged as ``-``: an erased commenter's id must not stay in the logs.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger, SafeAtoms

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\"\\]")
_SUBJECT = re.compile(r"(/commenters/)[^?#\s\"]+|([?&]sub=)[^&#\s\"]*", re.IGNORECASE)


def clean(value: str) -> str:
    """``value`` with its commenter's ``sub`` left out and unsafe characters escaped."""
    value = _SUBJECT.sub(lambda match: (match.group(1) or match.group(2)) + "-", value)
    return _UNSAFE.sub(lambda match: f"\\x{ord(match.group()):02x}", value)


class CleanAtoms(SafeAtoms):
    """gunicorn's atoms of one line, each value passed through ``clean`` when the format
    uses it: a line uses about 10 of the 40-odd (each header and environ value is one)."""

    def __init__(self, atoms: dict[str, Any]) -> None:
        # Not SafeAtoms': ``clean`` escapes the quotes itself, as \x22.
        dict.__init__(self, atoms)

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        return clean(value) if isinstance(value, str) else value


class AccessLogger(Logger):
    """gunicorn's logger, whose access-log values pass ``clean``."""

    atoms_wrapper_class = CleanAtoms
