"""Fixtures: a Perspective API key, and a real worker serving the analyze queue in a thread."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from service import db
from service.perspective.services import create_key
from tests.support.work import BackgroundWorker


@pytest.fixture
def analyze_worker(app: Flask) -> Iterator[BackgroundWorker]:
    worker = BackgroundWorker(app).start()
    yield worker
    worker.stop()


def new_key(app: Flask, name: str = "coral", quota: int = 100, site: str = "default") -> str:
    """A new key's secret."""
    with app.app_context(), db.transaction() as session:
        _, secret = create_key(session, name, site=site, quota=quota, by="test")
    return secret


@pytest.fixture
def key(app: Flask) -> str:
    return new_key(app)
