"""The application factory."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix

from service import db, errors, headers, limits, queueing
from service.accounts import auth as accounts_auth
from service.accounts import shell as dashboard
from service.commenters import views as commenters_dashboard
from service.commenters.api import bp as commenters_api
from service.comments.api import bp as comments_api
from service.config import load_config
from service.health import bp as health
from service.moderation.api import bp as moderation_api
from service.moderation.readers_api import bp as moderation_readers_api
from service.moderation.views import learning as moderation_learning
from service.moderation.views import queue as moderation_queue
from service.moderation.views import readers as moderation_readers
from service.moderation.views import settings as moderation_settings
from service.moderation.views import spam_settings as moderation_spam_settings
from service.moderation.views import stats as moderation_stats
from service.openapi import bp as openapi
from service.perspective.api import bp as perspective_api
from service.sites.api import bp as sites_api
from service.sites.views import bp as sites_dashboard
from service.threads import views as threads_dashboard
from service.threads.api import bp as threads_api
from service.webhooks import tasks as webhook_tasks
from service.webhooks.api import bp as webhooks_api
from service.webhooks.views import bp as webhooks_dashboard
from service.widget import cors
from service.widget.views import bp as widget


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create the web application.

    Args:
        test_config: settings that override the environment's (tests use it).
    """
    config = load_config()
    config.update(test_config or {})
    app = Flask(__name__, instance_path=config["MODERATION_INSTANCE_DIR"])
    app.config.from_mapping(config)
    if isinstance(app.json, DefaultJSONProvider):  # Flask's own, unless one was configured
        app.json.sort_keys = False
    logging.basicConfig(level=app.config["LOG_LEVEL"],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))

    db.init_app(app)
    queueing.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    limits.init_app(app)
    cors.init_app(app)
    webhook_tasks.init_app(app)
    accounts_auth.init_app(app)
    dashboard.init_app(app)
    if proxies := app.config["TRUSTED_PROXIES"]:
        # ignore: Flask's documented way to add WSGI middleware; mypy refuses to assign a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    app.register_blueprint(health)
    app.register_blueprint(comments_api)
    app.register_blueprint(commenters_api)
    app.register_blueprint(threads_api)
    app.register_blueprint(threads_dashboard.bp)
    app.register_blueprint(commenters_dashboard.bp)
    app.register_blueprint(moderation_api)
    app.register_blueprint(moderation_readers_api)
    app.register_blueprint(moderation_queue.bp)
    app.register_blueprint(moderation_readers.bp)
    app.register_blueprint(moderation_settings.bp)
    app.register_blueprint(moderation_spam_settings.bp)
    app.register_blueprint(moderation_stats.bp)
    app.register_blueprint(moderation_learning.bp)
    app.register_blueprint(openapi)
    app.register_blueprint(perspective_api)
    app.register_blueprint(sites_api)
    app.register_blueprint(sites_dashboard)
    app.register_blueprint(webhooks_api)
    app.register_blueprint(webhooks_dashboard)
    app.register_blueprint(widget)
    return app


def _instance_secret(instance: Path) -> str:
    """A secret key kept in the instance folder, made on first use."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
