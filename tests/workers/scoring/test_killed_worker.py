"""A worker killed in the middle of a batch costs time, not comments."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import func, select

from service import db
from service.comments.models import Comment, Decision, Status
from tests.support.work import drain
from workers.sweeper import sweep

COMMENTS = 150
LONG_BODY = " ".join(["Security guarantees matter more than borders in this debate."] * 25)


def counts(app) -> tuple[int, int, int]:
    """Comments claimed but undecided, comments pending, model decisions."""
    with app.app_context():
        session = db.session()
        claimed = session.scalar(select(func.count()).select_from(Comment).where(
            Comment.status == Status.PENDING, Comment.claim_token.is_not(None)))
        pending = session.scalar(select(func.count()).select_from(Comment).where(
            Comment.status == Status.PENDING))
        decided = session.scalar(select(func.count()).select_from(Decision))
        session.rollback()
        return claimed, pending, decided


def test_killed_mid_batch_then_swept_and_finished_once(settings, app, client):
    for index in range(COMMENTS):
        response = client.post("/api/v1/threads/t/comments",
                               json={"author": "Ana", "body": f"{index} {LONG_BODY}"})
        assert response.status_code == 202
    env = os.environ | {
        key: str(value) for key, value in settings.items()
        if key in {"DATABASE_URL", "REDIS_URL", "MODERATION_MODEL", "MODERATION_MODEL_CONFIG",
                   "MODERATION_INSTANCE_DIR", "TORCH_THREADS"}
    } | {"SCORING_BATCH_SIZE": str(COMMENTS), "SCORING_LEASE_SECONDS": "1"}
    worker = subprocess.Popen([sys.executable, "-m", "cli", "worker", "--queue", "scoring"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while counts(app)[0] == 0:
            assert time.monotonic() < deadline, "the worker never claimed a batch"
            assert worker.poll() is None, "the worker exited"
            time.sleep(0.005)
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.kill()
        worker.wait()
    claimed, pending, decided = counts(app)
    assert claimed > 0 and pending > 0, "the worker was killed before it decided its batch"

    time.sleep(1.1)  # its lease runs out
    app.config["SWEEP_AFTER_SECONDS"] = 0
    with app.app_context():
        sweep()
    drain(app)

    _, pending, decided = counts(app)
    assert pending == 0
    assert decided == COMMENTS
    with app.app_context():
        once = db.session().scalar(select(func.count(func.distinct(Decision.comment_id))))
        assert once == COMMENTS
