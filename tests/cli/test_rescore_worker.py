"""``moderation rescore`` without ``--inline``: a real worker process runs the job, and the
command, another process, sees the run end (it once polled a stale snapshot of the run,
printing "queued, 0 of 0" until its hour ran out)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from service import db
from service.comments.models import Comment, Decision
from service.moderation.learning.models import RescoreRun
from service.policy import MODEL_ACTOR
from tests.support.processes import Command

pytestmark = pytest.mark.slow


def test_the_command_sees_a_workers_run_end(app, settings, tmp_path) -> None:
    with app.app_context(), db.transaction() as session:
        for k in range(3):
            comment = Comment(thread_id="t", author="a", body=f"a held comment {k}",
                              status="held", created_at=db.utcnow() - timedelta(minutes=k + 1))
            session.add_all([comment, Decision(comment=comment, outcome="held",
                                               actor=MODEL_ACTOR, scores={"toxicity": 0.9},
                                               model="m", created_at=comment.created_at)])
    env = {key: str(value) for key, value in settings.items() if key.isupper()}
    env = os.environ | env | {"LOG_LEVEL": "WARNING", "SWEEP_INTERVAL_SECONDS": "3600"}
    worker = Command("worker", ["worker", "--queue", "scoring"], env, tmp_path).start()
    try:
        done = subprocess.run([sys.executable, "-m", "cli", "rescore", "--timeout", "90"],
                              env=env, capture_output=True, text=True, timeout=150,
                              check=False)
    finally:
        worker.stop()
    assert done.returncode == 0, done.stderr + worker.log.read_text()
    assert "rescored 3, skipped 0" in done.stdout
    assert ": done, 3 of 3 comments" in done.stderr
    with app.app_context():
        assert db.session().scalar(select(RescoreRun.status)) == "done"
