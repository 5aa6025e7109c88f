"""The application factory."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from service import db, errors, queueing
from service.comments.api import bp as comments_api
from service.config import load_config
from service.health import bp as health


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create the web application.

    Args:
        test_config: settings that override the environment's (tests use it).
    """
    config = load_config()
    config.update(test_config or {})
    app = Flask(__name__, instance_path=config["MODERATION_INSTANCE_DIR"])
    app.config.from_mapping(config)
    app.json.sort_keys = False
    logging.basicConfig(level=app.config["LOG_LEVEL"],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))

    db.init_app(app)
    queueing.init_app(app)
    errors.init_app(app)

    app.register_blueprint(health)
    app.register_blueprint(comments_api)
    return app


def _instance_secret(instance: Path) -> str:
    """A secret key kept in the instance folder, made on first use."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
