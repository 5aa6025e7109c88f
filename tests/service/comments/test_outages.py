"""Nothing lost: Redis down at POST; nothing half-stored: database down at POST."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from cli import redis_server
from service import db
from service.app import create_app
from service.comments.models import Comment, Decision
from tests.support.work import drain
from workers.sweeper import sweep

THREAD = "/api/v1/threads/ukraine-peace-deal/comments"


def test_redis_down_at_post_still_accepts_and_the_sweeper_queues_it_later(settings, app):
    down = create_app(settings | {"REDIS_URL": f"redis://127.0.0.1:{redis_server.free_port()}/0"})

    response = down.test_client().post(THREAD, json={"author": "Ana", "body": "Still here?"})

    assert response.status_code == 202
    assert app.extensions["redis"].llen("rq:queue:scoring") == 0
    with app.app_context():
        # Time passes: the comment has waited longer than the sweeper's patience.
        db.session().execute(update(Comment).values(
            created_at=db.utcnow()
            - timedelta(seconds=settings.get("SWEEP_AFTER_SECONDS", 30) + 1)))
        db.session().commit()
        assert sweep() == 1
    drain(app)
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Decision)) == 1
        assert db.session().scalar(select(Comment.status)) != "pending"


def test_database_down_at_post_answers_503_and_stores_nothing(settings):
    closed_port = redis_server.free_port()
    down = create_app(settings | {
        "DATABASE_URL": f"postgresql+psycopg://nobody@127.0.0.1:{closed_port}/none"})

    response = down.test_client().post(THREAD, json={"author": "Ana", "body": "Anyone?"})

    assert response.status_code == 503
    assert response.json["error"] == "database_unavailable"
    assert response.headers["Retry-After"]
