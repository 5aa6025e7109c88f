"""``moderation bench``: this service and a plain Detoxify service, side by side, in one run.

On one machine, with one model and the same comments, it measures:

(a) the peer: ``Detoxify.predict`` on one text at a time, as a synchronous service does;
(b) the service's scorer alone, fed batches as the scoring job claims them;
(c) the whole pipeline: real workers draining pending comments from Redis and the database;
(d) intake: concurrent POSTs to the running web app (gunicorn) while the workers are busy;
(e) post-to-decision latency under light load;
(f) Perspective-compatible ``comments:analyze`` latency, one request at a time;
(g) the newest page of a thread with many published comments and replies.

It prints a table, then as its last line one JSON object with every figure.
"""

from __future__ import annotations

import gc
import json
import os
import shlex
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from bench import comments, load, machine, pipeline, profiles, quality, scoring, stack, thread
from service.config import SETTINGS, load_config
from workers.scoring.assembly import DEFAULT_MODEL
from workers.scoring.scorer import unload_scorers

DEFAULT_VALIDATION_CSV = Path(__file__).resolve().parents[2] / "shared/data/jigsaw/train.csv"
"""The Jigsaw data beside the repository (``../shared``), when it is there."""

BACKEND_DEFAULT = next(setting.default for setting in SETTINGS
                       if setting.name == "SCORER_BACKEND")
BACKENDS = ("torch", "int8", "onnx", "onnx-int8")


@click.command()
@click.option("--model", default=DEFAULT_MODEL, show_default=True,
              help="A shipped model (`news-minilm-3`, `news-minilm-2`, `news-minilm`, "
                   "`jigsaw-minilm`), a Detoxify checkpoint path, or `random-bert-base` (a "
                   "bert-base-sized checkpoint with random weights, built on the spot: right "
                   "for speed, meaningless for decisions).")
@click.option("--model-config", default=None, help="Hugging Face config folder of a checkpoint.")
@click.option("--backend", type=click.Choice(BACKENDS), default=BACKEND_DEFAULT,
              show_default=True, help="The service's scoring backend under test (default: "
                                      "SCORER_BACKEND's default).")
@click.option("--comments", "count", type=click.IntRange(min=1), default=1000,
              show_default=True, help="Comments for the scorer and the pipeline.")
@click.option("--peer-comments", type=click.IntRange(min=1), default=100, show_default=True,
              help="Comments for the peer (it is slow).")
@click.option("--intake-requests", type=click.IntRange(min=1), default=3000, show_default=True)
@click.option("--concurrency", type=click.IntRange(min=1), default=8, show_default=True,
              help="Concurrent clients of the intake load.")
@click.option("--decision-samples", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--analyze-samples", type=click.IntRange(min=1), default=100, show_default=True,
              help="comments:analyze requests for the (f) latency.")
@click.option("--thread-comments", type=click.IntRange(min=0), default=100_000,
              show_default=True,
              help="Published comments (30% replies) of the thread whose newest page (g) "
                   "times (0: skip it).")
@click.option("--thread-samples", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Scoring worker processes.")
@click.option("--torch-threads", type=click.IntRange(min=0), default=0, show_default=True,
              help="Threads per scoring worker; 0: the cores shared among the workers.")
@click.option("--batch-size", type=click.IntRange(min=1), default=None,
              help="SCORING_BATCH_SIZE (default: the configured one).")
@click.option("--web-workers", type=click.IntRange(min=1),
              help="gunicorn processes (default: WEB_WORKERS, as `moderation web`).")
@click.option("--web-threads", type=click.IntRange(min=1),
              help="Threads per gunicorn process (default: WEB_THREADS).")
@click.option("--database-url", default=None,
              help="An empty database to use (default: a new SQLite file).")
@click.option("--validation-csv", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_VALIDATION_CSV, show_default=True,
              help="Labelled comments (Jigsaw CSV) whose report rows (held out of the news "
                   "models' training and fitting) measure agreement, AUC and decision rates.")
@click.option("--agreement-sample", type=click.IntRange(min=0), default=2000, show_default=True,
              help="Report rows for the agreement, AUC and decision-rate figures, at most all "
                   "of them (1,198 in the shared Jigsaw file; 0: skip them).")
@click.option("--profile", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write profiles here: cProfile of each worker (worker-N.prof and a .txt "
                   "summary) and torch's profile of one batch (torch-batch.txt).")
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the run's files (default: a temporary one, removed after).")
def bench(**options: Any) -> None:
    """Measure the service against a one-text-at-a-time Detoxify service, on this machine."""
    if options["work_dir"] is not None:
        options["work_dir"].mkdir(parents=True, exist_ok=True)
        _run(options, options["work_dir"])
        return
    with tempfile.TemporaryDirectory(prefix="moderation-bench-") as work_dir:
        _run(options, Path(work_dir))


def _run(options: dict[str, Any], work_dir: Path) -> None:
    cores = os.cpu_count() or 1
    load_before = os.getloadavg()
    threads = options["torch_threads"] or max(1, cores // options["workers"])
    base = load_config()
    options["web_workers"] = options["web_workers"] or base["WEB_WORKERS"]
    options["web_threads"] = options["web_threads"] or base["WEB_THREADS"]
    settings = scoring.model_settings(options["model"], options["model_config"], work_dir) | {
        "MODERATION_MODEL_CACHE": base["MODERATION_MODEL_CACHE"],
        "SCORING_BATCH_SIZE": options["batch_size"] or base["SCORING_BATCH_SIZE"],
    }
    config = base | settings | {"TORCH_THREADS": threads}
    texts = comments.comments(options["count"], seed=1)
    processor = machine.cpu()
    _say(f"model {options['model']}, backend {options['backend']}, {cores} cores "
         f"({processor['cpu']}: {processor['cpu_isa']}), load {_load(load_before)}")

    figures = _model_figures(options, config, texts)
    _say("starting Redis, the database, the workers and the web app")
    process_settings = settings | {
        "SCORER_BACKEND": options["backend"], "TORCH_THREADS": threads,
        "RATELIMIT_ENABLED": "false", "LOG_LEVEL": "WARNING",
    }
    with stack.running(work_dir, process_settings, workers=options["workers"],
                       web_workers=options["web_workers"], web_threads=options["web_threads"],
                       database_url=options["database_url"],
                       profile_dir=options["profile"]) as service:
        _say("(e) post-to-decision latency, one comment at a time")
        latencies = load.time_to_decision(
            service.base_url, comments.comments(options["decision_samples"], seed=2))
        _say("(f) comments:analyze latency, one request at a time")
        analyze = load.analyze_latency(service.base_url, stack.perspective_key(service),
                                       comments.comments(options["analyze_samples"], seed=5))
        _say(f"(c) pipeline: the workers drain {len(texts)} pending comments")
        seconds = pipeline.drain(service.database_url, service.redis_url, texts)
        # Each job claims a batch, so most of the N jobs find their comment decided
        # already; drop those no-ops, so that the intake's own jobs keep the workers busy.
        stack.drop_waiting_jobs(service)
        _say(f"(d) intake: {options['intake_requests']} POSTs, {options['concurrency']} at a "
             "time, while the workers score them")
        web_cpu = stack.cpu_seconds(service.web)
        intake = load.post_comments(
            service.base_url, comments.comments(options["intake_requests"], seed=3),
            concurrency=options["concurrency"])
        web_cpu = stack.cpu_seconds(service.web) - web_cpu
        memory = [stack.rss_mb(worker) for worker in service.workers]
        page_ms: list[float] = []
        if options["thread_comments"]:
            _say(f"(g) the newest page of a thread of {options['thread_comments']} published "
                 "comments")
            thread.seed(service.database_url, options["thread_comments"])
            page_ms, _ = thread.page_latencies(service.base_url, options["thread_samples"])
    load_after = os.getloadavg()
    if options["profile"]:
        for stats_file in sorted(options["profile"].glob("worker-*.prof")):
            stats_file.with_suffix(".txt").write_text(profiles.summarise(stats_file))
        _say(f"profiles written to {options['profile']}")

    figures |= {
        "pipeline_cps": round(len(texts) / seconds, 2),
        "intake_rps": round(intake.rps, 1),
        "intake_p50_ms": round(intake.percentile(0.50), 1),
        "intake_p99_ms": round(intake.percentile(0.99), 1),
        "intake_errors": intake.errors,
        "intake_cpu_ms_per_post": round(web_cpu * 1000 / intake.requests, 2),
        "decision_p50_ms": round(load.median(latencies), 1),
        "analyze_p50_ms": round(load.percentile(analyze, 0.50), 1),
        "analyze_p99_ms": round(load.percentile(analyze, 0.99), 1),
        "thread_page_ms": round(load.median(page_ms), 1) if page_ms else None,
        "thread_page_p99_ms": round(load.percentile(page_ms, 0.99), 1) if page_ms else None,
        "thread_comments": options["thread_comments"],
        "worker_rss_mb": round(max(now for now, _ in memory)),
        "worker_peak_rss_mb": round(max(peak for _, peak in memory)),
        "workers": options["workers"],
        "torch_threads": threads,
        "batch_size": config["SCORING_BATCH_SIZE"],
        "web": f"gunicorn {options['web_workers']}x{options['web_threads']}",
        "concurrency": options["concurrency"],
        "comments": len(texts),
        "cores": cores,
        **processor,
        "load_before": [round(value, 2) for value in load_before],
        "load_after": [round(value, 2) for value in load_after],
        "command": shlex.join(["moderation", "bench", *sys.argv[2:]]),
    }
    figures["scorer_vs_peer"] = round(figures["scorer_cps"] / figures["peer_cps"], 2)
    figures["pipeline_vs_scorer"] = round(figures["pipeline_cps"] / figures["scorer_cps"], 2)
    click.echo(table(figures))
    click.echo(json.dumps(figures))


def _model_figures(options: dict[str, Any], config: dict[str, Any],
                   texts: list[str]) -> dict[str, Any]:
    """(a), (b) and the agreement, in this process, before the service starts."""
    chunk = config["SCORING_BATCH_SIZE"]
    _say("loading the model (fp32, and the backend under test)")
    fp32 = scoring.scorer(config, "torch")
    fast = scoring.scorer(config, options["backend"])
    scorers = {"fp32": fp32} if options["backend"] == "torch" else {"fast": fast, "fp32": fp32}
    _say(f"(a) peer, Detoxify.predict one at a time, on {options['peer_comments']} comments, "
         f"and (b) the scorer, on {len(texts)} comments in batches of {chunk}, taking turns")
    measured, peer_indices = scoring.side_by_side(fp32.detoxify, scorers, texts, chunk,
                                                  options["peer_comments"])
    peer, peer_scores = measured["peer"]
    if fp32.calibration is not None:  # the peer is plain Detoxify; compare like with like
        peer_scores = fp32.calibration.apply_all(peer_scores)
    served = measured["fast" if "fast" in measured else "fp32"][0]
    plain, plain_scores = measured["fp32"]
    figures: dict[str, Any] = {
        "model": fast.model_id,
        "backend": options["backend"],
        "backend_default": BACKEND_DEFAULT,
        "peer_cps": round(peer.per_second, 2),
        "scorer_cps": round(served.per_second, 2),
        "scorer_fp32_cps": round(plain.per_second, 2),
        "peer_comments": peer.texts,
        "peer_max_score_diff": round(scoring.largest_difference(
            peer_scores, [plain_scores[index] for index in peer_indices]), 6),
    }
    figures |= agreement_figures(options, fp32, fast, chunk)
    if options["profile"]:
        options["profile"].mkdir(parents=True, exist_ok=True)
        (options["profile"] / "torch-batch.txt").write_text(
            profiles.profile_batch(fp32, texts[:chunk]))
    figures["agreement_model"] = fast.model_id.split("@")[0] + (
        " (random weights: meaningless)" if options["model"] == scoring.RANDOM_BERT_BASE else "")
    del fp32, fast
    unload_scorers()
    gc.collect()
    return figures


def agreement_figures(options: dict[str, Any], fp32: Any, fast: Any,
                      chunk: int) -> dict[str, Any]:
    """Agreement with fp32's decisions and, on labelled comments, both backends' quality
    (alone, too: ``options`` needs ``agreement_sample``, ``validation_csv`` and ``backend``)."""
    if not options["agreement_sample"]:
        return {"agreement": None, "agreement_texts": 0}
    csv = options["validation_csv"]
    labelled = None
    if not csv.is_file():
        _say(f"no {csv}: agreement measured on generated comments instead (no AUC)")
        texts, source = comments.comments(options["agreement_sample"], seed=4), "generated"
    else:
        labelled = quality.validation_sample(csv, options["agreement_sample"])
        texts, source = labelled.texts, "jigsaw-report"
    _say(f"agreement: {len(texts)} {source} comments scored by fp32 and {options['backend']}")
    reference = scoring.batched(fp32, texts, chunk)[1]
    candidate = reference if fast is fp32 else scoring.batched(fast, texts, chunk)[1]
    figures: dict[str, Any] = {
        "agreement": round(scoring.agreement(reference, candidate), 4),
        "agreement_texts": len(texts), "agreement_source": source,
        "agreement_max_score_diff": round(scoring.largest_difference(reference, candidate), 6)}
    if labelled is not None:
        figures |= quality.figures(*quality.compare(labelled, reference, candidate))
    return figures


def table(figures: dict[str, Any]) -> str:
    """The figures as a readable table, with the targets beside them."""
    rows = [
        ("(a) peer: Detoxify.predict, one text at a time", f"{figures['peer_cps']} comments/s", ""),
        (f"(b) scorer alone, {figures['backend']}, batched", f"{figures['scorer_cps']} comments/s",
         f"x{figures['scorer_vs_peer']} the peer (target >= 3)"),
    ]
    if "scorer_fp32_cps" in figures:
        rows.append(("    scorer alone, fp32, batched", f"{figures['scorer_fp32_cps']} comments/s",
                     ""))
    rows += [
        (f"(c) pipeline, {figures['workers']} worker(s) x {figures['torch_threads']} threads",
         f"{figures['pipeline_cps']} comments/s",
         f"x{figures['pipeline_vs_scorer']} the scorer (target >= 0.95)"),
        (f"(d) intake, {figures['web']}, {figures['concurrency']} clients",
         f"{figures['intake_rps']} POST/s", "target >= 1000"),
        ("    intake latency p50 / p99",
         f"{figures['intake_p50_ms']} / {figures['intake_p99_ms']} ms", "target p99 < 50"),
        ("    web CPU time per POST (gunicorn processes)",
         f"{figures['intake_cpu_ms_per_post']} ms", f"{figures['intake_errors']} errors"),
        ("(e) post-to-decision latency p50, light load", f"{figures['decision_p50_ms']} ms", ""),
        ("(f) comments:analyze latency p50 / p99, light load",
         f"{figures['analyze_p50_ms']} / {figures['analyze_p99_ms']} ms",
         "target < 100 / < 300"),
        ("agreement with fp32 decisions",
         "not measured" if figures["agreement"] is None else f"{figures['agreement']:.2%}",
         f"{figures['agreement_texts']} texts, {figures['agreement_model']}"),
    ]
    if "auc_served" in figures:
        rows += [
            (f"    ROC-AUC, {figures['backend']} / fp32",
             f"{figures['auc_served']} / {figures['auc_fp32']}", "target: within 0.002"),
            ("    toxic published, own thresholds / fp32",
             f"{figures['toxic_published_served']:.2%} / {figures['toxic_published_fp32']:.2%}",
             "target: within 1 point"),
            ("    clean held, own thresholds / fp32",
             f"{figures['clean_held_served']:.2%} / {figures['clean_held_fp32']:.2%}",
             "quality parity" if figures["quality_parity"] else "NO quality parity"),
        ]
    rows += [
        (f"(g) newest page of a thread of {figures['thread_comments']} comments, p50 / p99",
         "not measured" if figures["thread_page_ms"] is None
         else f"{figures['thread_page_ms']} / {figures['thread_page_p99_ms']} ms",
         "target <= 20 (HTTP, so an upper bound of server time)"),
        ("worker memory (RSS now / peak)",
         f"{figures['worker_rss_mb']} / {figures['worker_peak_rss_mb']} MB", "target <= 350"),
        ("CPU", figures["cpu"], figures["cpu_isa"]),
        ("machine load (1/5/15 min) before -> after",
         f"{_load(figures['load_before'])} -> {_load(figures['load_after'])}",
         f"{figures['cores']} cores"),
    ]
    width = max(len(row[0]) for row in rows)
    value_width = max(len(row[1]) for row in rows)
    lines = [f"model {figures['model']}: {figures['command']}"]
    lines += [f"{name:<{width}}  {value:>{value_width}}  {note}".rstrip()
              for name, value, note in rows]
    return "\n".join(lines)


def _load(values: Any) -> str:
    return "/".join(f"{value:.2f}" for value in values)


def _say(message: str) -> None:
    click.echo(f"bench: {message}", err=True)
