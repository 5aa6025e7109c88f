from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.receiver import Receiver
from tests.support.webhooks import FAST


@pytest.fixture
def settings(settings: dict) -> dict:
    return settings | FAST


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as receiver:
        yield receiver
