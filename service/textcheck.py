"""The one check of text that reaches the database, whatever field it fills.

Every string a client sends (bodies, names, titles, URLs, notes, reasons, word lists,
JWT claims, site settings, Perspective payloads) passes ``check``: no NUL or other
control character (a multi-line field keeps tab, newline and carriage return), no lone
surrogate (which no database encodes), at most a bounded length. PostgreSQL refuses NUL
in text and JSON, and both databases refuse a lone surrogate, so text that passes is
storable everywhere; text that does not is answered 422, naming the field.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import AfterValidator

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""C0 controls, DEL and the C1 controls."""
_CONTROLS_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""The same but tab, newline and carriage return, which a multi-line text may hold."""
MAX_TREE_TEXT = 20_000
"""The longest string in a JSON value kept as it came (``check_tree``)."""


def problem(value: str, *, max_length: int, multiline: bool = False) -> str | None:
    """What is wrong with ``value`` as stored text, in words; None when nothing is."""
    if len(value) > max_length:
        return f"must be at most {max_length} characters"
    if (_CONTROLS_BUT_LINES if multiline else _CONTROLS).search(value):
        return "must not contain control characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text (it holds an unpaired surrogate)"
    return None


def check(value: str, *, max_length: int, multiline: bool = False) -> str:
    """``value`` if it can be stored as text: a pydantic validator, or called directly.

    Raises:
        ValueError: saying what is wrong (``problem``).
    """
    if found := problem(value, max_length=max_length, multiline=multiline):
        raise ValueError(found)
    return value


def check_tree(value: Any, *, max_length: int = MAX_TREE_TEXT, where: str = "") -> Any:
    """``value`` (decoded JSON) if every string in it, keys too, passes ``check``.

    Raises:
        ValueError: naming the first bad string's place, e.g. ``entries.0.text: ...``.
    """
    if isinstance(value, str):
        if found := problem(value, max_length=max_length, multiline=True):
            raise ValueError(f"{where}: {found}" if where else found)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            place = f"{where}.{key}" if where else str(key)
            check_tree(str(key), max_length=200, where=place)
            check_tree(item, max_length=max_length, where=place)
    elif isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        for index, item in enumerate(value):
            check_tree(item, max_length=max_length, where=f"{where}.{index}" if where else
                       str(index))
    return value


def checked(max_length: int, *, multiline: bool = False) -> AfterValidator:
    """``check`` as a pydantic validator:
    ``Annotated[str, StringConstraints(max_length=500), checked(500)]``."""
    return AfterValidator(functools.partial(check, max_length=max_length, multiline=multiline))

