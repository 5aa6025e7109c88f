"""Configuration read from the environment.

Every setting is declared once in ``SETTINGS``; the README's table is made from it
(``moderation config``). Reading never raises on import: values are parsed when
``load_config`` is called, and a bad value names the variable at fault.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One environment variable: its default, how to parse it, what it means."""

    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


def _bool(value: str) -> bool:
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _json_object(value: str) -> dict:
    parsed = json.loads(value)
    if not isinstance(parsed, dict):
        raise ValueError("expected a JSON object")
    return parsed


def _niceness(value: str) -> int:
    niceness = int(value)
    if not 0 <= niceness <= 19:
        raise ValueError(f"expected 0 to 19, got {niceness}")
    return niceness


def _csv(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


SETTINGS: tuple[Setting, ...] = (
    Setting("MODERATION_INSTANCE_DIR", "instance",
            "Folder for local state: the SQLite file, the assembled model, a local Redis."),
    Setting("DATABASE_URL", "",
            "SQLAlchemy URL of the database; empty: the SQLite file "
            "`instance/moderation.db`. PostgreSQL: `postgresql+psycopg://user@host/db`."),
    Setting("REDIS_URL", "redis://127.0.0.1:6379/0",
            "Redis for the job queues, rate limits and worker heartbeats. `moderation up` "
            "starts a local redis-server when nothing answers here."),
    Setting("MODERATION_MODEL", "news-minilm-3",
            "`news-minilm-3` (the offline model built from the shipped weights, calibrated; "
            "`news-minilm-2`, `news-minilm` and `jigsaw-minilm` are the previous ones), a "
            "Detoxify variant (`original`, `unbiased`, `multilingual`, `original-small`, "
            "`unbiased-small`; downloaded by Detoxify) or a path to a Detoxify checkpoint."),
    Setting("MODERATION_MODEL_CONFIG", "",
            "Local Hugging Face config/tokenizer folder for loading a checkpoint offline."),
    Setting("MODERATION_MODEL_CACHE", "",
            "Folder where the offline model is assembled at first use; empty: "
            "`instance/models`."),
    Setting("MODERATION_THRESHOLDS", {},
            'Policy overrides as JSON: a target, `{"target": "safety 10%"}` (queue budgets '
            '`queue 2%`, `queue 5%`: the default, `queue 10%`; safety targets `safety 5%`, '
            '`safety 10%`, `safety 20%`), or thresholds, e.g. `{"hold": {"toxicity": 0.4}, '
            '"reject": {"threat": 0.8}}`; unnamed labels keep the default target\'s; '
            '`{"unscored_languages": "score"}` (`hold`: the default, `score`, `publish`) for '
            'comments in a language the model does not read.',
            _json_object),
    Setting("SCORING_BATCH_SIZE", 32,
            "Most comments a worker scores in one forward pass, and takes in one scoring job "
            "while few wait.", int),
    Setting("SCORING_MAX_BATCH_SIZE", 128,
            "Most comments one scoring job takes while the queue is long: its batch grows to "
            "half of the comments waiting, from `SCORING_BATCH_SIZE` up to this (keep a "
            "batch's scoring well within `SCORING_LEASE_SECONDS`).", int),
    Setting("EXPLAIN_HELD", True,
            "Whether the words that drove each held comment's score are found, for the "
            "moderators' queue: after the decision, by a job on the `explain` queue, which "
            "workers serve only when no comment waits to be scored (one extra pass of up "
            "to 24 variants per held comment: about five times the cost of scoring it).",
            _bool),
    Setting("SCORING_LEASE_SECONDS", 120,
            "How long a worker's claim on a batch lasts before others may take it.", int),
    Setting("TORCH_THREADS", 0,
            "Threads torch uses in a scoring worker (0: one per core, at most 4).", int),
    Setting("WEB_WORKERS", 3,
            "gunicorn worker processes of `moderation web` (`--workers`; about 160 MB each).",
            int),
    Setting("WEB_THREADS", 2,
            "Threads per gunicorn worker process of `moderation web` (`--threads`). On 2 "
            "cores 3 processes of 2 threads answered as many POSTs as 2 of 4 or 8, with half "
            "their p99 (docs/performance.md).", int),
    Setting("WORKER_NICE", 10,
            "Niceness that `moderation worker` adds to itself at start, before the model "
            "loads (its runtime's threads inherit it), so that on a machine that runs the "
            "web process beside the workers (the Procfile's) the web's requests go first "
            "(0: none; 1-19: lower priority; measured in docs/performance.md).", _niceness),
    Setting("SCORER_BACKEND", "onnx-int8",
            "How the scoring worker runs the model: `onnx-int8` (ONNX Runtime with int8 "
            "weights: 1.5-2x fp32's speed at the same quality, docs/performance.md; the "
            "worker never imports torch; the model is exported once, beside its "
            "checkpoint), `onnx` (ONNX Runtime, fp32, the same scores as torch within "
            "1e-4), `torch` (fp32, also for Detoxify's downloaded variants) or `int8` "
            "(torch's dynamic quantisation, which changes too many decisions). "
            "`TORCH_THREADS` sets the threads of either runtime."),
    Setting("SWEEP_AFTER_SECONDS", 30,
            "A comment pending longer than this is queued again by the sweeper, which also "
            "fans out webhook events this old that nothing fanned out (a new comment's "
            "`comment.created` when no worker decided it).", int),
    Setting("SWEEP_INTERVAL_SECONDS", 10, "How often the sweeper looks.", int),
    Setting("ADAPT_EVERY_HOURS", 24.0,
            "How often the sweeper asks a worker to build a candidate from the moderators' "
            "decisions (`moderation model adapt`'s work; 0: never).", float),
    Setting("ADAPT_MIN_DECISIONS", 100,
            "Fewest new moderator decisions since the last scheduled candidate before the "
            "schedule builds another.", int),
    Setting("SENTENCE_VECTOR_LAYER", 6,
            "The encoder layer (1: the first) whose mean-pooled state the scorer gives beside "
            "the scores, from the same forward pass; candidates learn from it (a model with "
            "fewer layers: its last). Measured with `moderation model layers`.", int),
    Setting("VECTOR_KEEP_DAYS", 30,
            "Days the sweeper keeps the sentence vector of a comment no moderator decided "
            "(those moderators decided, and Perspective clients' latest verdicts, are kept for "
            "learning; 0: keep all).", int),
    Setting("LEARNING_MIN_DECISIONS", 50,
            "Fewest moderator rejections, and fewest approvals, before a candidate is built "
            "for a site.", int),
    Setting("MAX_CONTENT_LENGTH", 64 * 1024, "Largest request body accepted, in bytes.", int),
    Setting("REPEAT_WINDOW_SECONDS", 600,
            "The same text from the same author in a thread within this many seconds is "
            "refused with 409 (compared as skeletons: case, invisible characters and "
            "look-alike letters ignored; 0: off).", int),
    Setting("MAX_PENDING_PER_THREAD", 500,
            "A thread with this many comments waiting to be scored takes no more "
            "(429 with Retry-After) until the workers catch up (0: no limit).", int),
    Setting("PAGE_SIZE", 50, "Comments per page of a thread (a client may ask for fewer).",
            int),
    Setting("SECRET_KEY", "",
            "Signs session cookies. Set it in production; when empty a random key is made "
            "and kept in the instance folder."),
    Setting("DASHBOARD_SESSION_HOURS", 8,
            "How long a moderator's dashboard login lasts, however busy they are.", float),
    Setting("CORS_ALLOWED_ORIGINS", [],
            "Comma-separated origins whose pages may embed the widget (besides the "
            "service's own).", _csv),
    Setting("RATE_LIMIT_POST", "5/minute;30/hour",
            "How often one client (IP address) may post comments; limits joined by `;`. "
            "Over it: 429 with Retry-After.", str),
    Setting("RATE_LIMIT_LOGIN", "20/15 minutes",
            "How many dashboard logins one IP address may try; over it: 429 with "
            "Retry-After. (Five failures in 15 minutes also lock a name for that address "
            "for 15 minutes; 50 from anywhere lock it for everyone.)", str),
    Setting("RATE_LIMIT_LOGIN_SUBNET", "100/15 minutes",
            "How many dashboard logins one network (IPv4 /24, IPv6 /56) may try.", str),
    Setting("RATELIMIT_ENABLED", True, "Whether per-client rate limits apply at all.", _bool),
    Setting("TRUSTED_PROXIES", 0,
            "How many reverse proxies in front of the web process set X-Forwarded-For, "
            "-Proto and -Host; 0 trusts none (the client's address is the peer's).", int),
    Setting("WEBHOOK_ALLOW_PRIVATE_URLS", False,
            "Allow webhook URLs, and the article pages that threads' headlines are read "
            "from, on loopback, private, link-local and other non-public addresses (local "
            "receivers and tests only).", _bool),
    Setting("WEBHOOK_TIMEOUT_SECONDS", 15.0,
            "How long a webhook delivery (or an article page's fetch) waits to connect, and "
            "then for the response.", float),
    Setting("WEBHOOK_RETRY_SCALE", 1.0,
            "Multiplies every delay of the webhook retry schedule (tests shrink it).", float),
    Setting("WEBHOOK_SECRET_GRACE_SECONDS", 24 * 3600,
            "After a webhook secret is rotated, how long the old one still signs too.", int),
    Setting("PERSPECTIVE_TIMEOUT_SECONDS", 2.0,
            "How long a Perspective-compatible `comments:analyze` request waits for a worker's "
            "scores before it answers 503 UNAVAILABLE (keep it below the client's timeout).",
            float),
    Setting("PERSPECTIVE_DEFAULT_QUOTA", 10,
            "Requests per second that a new Perspective API key may make (`moderation keys "
            "create --quota` sets another); beyond it: 429 RESOURCE_EXHAUSTED.", int),
    Setting("OPS_TOKEN", "",
            "A secret for monitoring: with `Authorization: Bearer <OPS_TOKEN>`, `/readyz` "
            "names its workers (hosts, process ids) and `/metrics` adds the process's own "
            "metrics; when set, `/metrics` needs it. Empty: no one sees those details."),
    Setting("PROMETHEUS_MULTIPROC_DIR", "",
            "Folder shared by the web and worker processes of one host for their metrics."),
    Setting("LOG_LEVEL", "INFO", "Python logging level."),
)


def load_config(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return every setting, parsed from ``environ`` (default: the process environment).

    Raises:
        ValueError: naming the variable whose value cannot be parsed.
    """
    environ = os.environ if environ is None else environ
    config: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.name)
        if raw is None or raw == "":
            config[setting.name] = setting.default
            continue
        try:
            config[setting.name] = setting.parse(raw)
        except ValueError as error:
            raise ValueError(f"{setting.name}: {error}") from error
    instance = Path(config["MODERATION_INSTANCE_DIR"]).resolve()
    config["MODERATION_INSTANCE_DIR"] = str(instance)
    config["DATABASE_URL"] = config["DATABASE_URL"] or f"sqlite:///{instance / 'moderation.db'}"
    config["MODERATION_MODEL_CACHE"] = config["MODERATION_MODEL_CACHE"] or str(instance / "models")
    return config


def markdown_table() -> str:
    """The configuration table of the README."""
    rows = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    for setting in SETTINGS:
        default = setting.default
        shown = json.dumps(default) if isinstance(default, dict | list) else str(default)
        rows.append(f"| `{setting.name}` | {f'`{shown}`' if shown else '(empty)'} | "
                    f"{setting.help} |")
    return "\n".join(rows)
