"""The one codec for the opaque paging cursors that every listing hands out."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any


class InvalidCursor(ValueError):
    """The cursor is not one that this API gave out."""


def encode_cursor(*values: Any) -> str:
    """An opaque, URL-safe cursor carrying ``values`` (times as ISO text, ids as text)."""
    raw = json.dumps([value.isoformat() if isinstance(value, datetime) else value
                      for value in values], separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *types: Callable[[Any], Any]) -> list[Any]:
    """The values that ``encode_cursor`` put in ``cursor``, each read by one of ``types``.

    Example: ``decode_cursor(cursor, datetime.fromisoformat, uuid.UUID)``.

    Raises:
        InvalidCursor: when the cursor was not made by ``encode_cursor`` for these types.
    """
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(types):
            raise ValueError("wrong shape")
        return [read(value) for read, value in zip(types, values, strict=True)]
    except (ValueError, TypeError, OverflowError, binascii.Error, RecursionError):
        raise InvalidCursor("the cursor is not one this API gave out") from None
