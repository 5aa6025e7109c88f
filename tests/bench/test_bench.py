"""`moderation bench`: its parts, and one small run of the whole of it with the tiny model."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import flask
import numpy as np
import pytest

from bench import load, machine, quality
from bench.comments import comments
from bench.scoring import agreement, largest_difference
from modelkit.sources import id_split
from service.policy import Policy
from workers.scoring.labels import JIGSAW_CLASSES

CLEAN = {"toxicity": 0.01, "insult": 0.02}
HELD = {"toxicity": 0.5, "insult": 0.02}
POLICY = Policy(hold={"toxicity": 0.3}, reject={"toxicity": 0.95})


def test_generated_comments_are_repeatable_and_of_the_asked_lengths():
    texts = comments(300, seed=3)

    assert texts == comments(300, seed=3) and texts != comments(300, seed=4)
    assert all(10 <= len(text.split()) <= 120 for text in texts)
    assert len(set(texts)) > 250


def test_agreement_is_the_share_of_equal_decisions():
    assert agreement([CLEAN, HELD], [CLEAN, HELD], POLICY) == 1.0
    assert agreement([CLEAN, HELD], [CLEAN, CLEAN], POLICY) == 0.5
    assert largest_difference([CLEAN, HELD], [CLEAN, CLEAN]) == pytest.approx(0.49)


def labelled(count: int, seed: int = 0) -> tuple[quality.Labelled, list[dict[str, float]]]:
    """Comments whose toxicity score is their label plus noise, so that AUC is below 1."""
    rng = np.random.default_rng(seed)
    toxic = (rng.random(count) < 0.3).astype(float)
    raw = np.clip(0.6 * toxic + rng.normal(0.2, 0.2, count), 0.0, 1.0)
    data = quality.Labelled([""] * count, {"toxicity": toxic}, toxic)
    return data, [{"toxicity": float(value)} for value in raw]


def test_a_monotone_change_of_scores_keeps_quality_with_its_own_thresholds():
    data, reference = labelled(2000)
    squashed = [{"toxicity": value["toxicity"] ** 3} for value in reference]

    plain, fast = quality.compare(data, reference, squashed, POLICY)

    assert fast.auc == pytest.approx(plain.auc)
    assert abs(fast.toxic_published - plain.toxic_published) <= 0.01
    assert abs(fast.clean_held - plain.clean_held) <= 0.01
    assert quality.good_enough(plain, fast)
    # With fp32's thresholds instead of its own, the squashed scores would publish more.
    assert agreement(reference, squashed, POLICY) < 0.9


def test_noisy_scores_fail_the_quality_rule():
    data, reference = labelled(2000)
    rng = np.random.default_rng(1)
    noisy = [{"toxicity": float(np.clip(value["toxicity"] + rng.normal(0, 0.2), 0, 1))}
             for value in reference]

    plain, fast = quality.compare(data, reference, noisy, POLICY)

    assert fast.auc < plain.auc - quality.AUC_TOLERANCE
    assert not quality.good_enough(plain, fast)


def test_the_quality_sample_is_jigsaw_s_report_rows_which_no_news_model_trained_on(tmp_path):
    path = tmp_path / "jigsaw.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "comment_text", *JIGSAW_CLASSES])
        for n in range(600):  # the text names its row; every fifth row is an insult
            writer.writerow([f"c{n}", f"comment {n}", int(n % 5 == 0), 0, 0, 0,
                             int(n % 5 == 0), ""])
    report = {f"c{n}" for n in range(600)
              if id_split("jigsaw", f"c{n}", quality.SPLIT_SEED) == "report"}

    everything = quality.validation_sample(path, 10_000)
    some = quality.validation_sample(path, 20, seed=1)

    ids = [f"c{text.split()[1]}" for text in everything.texts]
    assert sorted(ids) == sorted(report) and 20 < len(report) < 80  # none of the train rows
    assert some.texts == quality.validation_sample(path, 20, seed=1).texts
    assert len(some.texts) == 20 and set(some.texts) < set(everything.texts)
    insults = np.array([int(text.split()[1]) % 5 == 0 for text in everything.texts])
    assert (everything.toxic == insults).all()
    assert (everything.labels["insult"] == insults).all()
    assert np.isnan(everything.labels["identity_attack"]).all()  # an empty cell: unknown


def test_the_intake_posts_as_the_widget_does_from_an_allowed_origin(settings, request):
    settings["CORS_ALLOWED_ORIGINS"] = [load.WIDGET_ORIGIN]  # as the bench's stack sets it
    app = request.getfixturevalue("app")
    seen = []

    def record(sender, response, **_):  # after every after-request hook, the CORS one too
        seen.append((flask.request.headers.get("Origin"),
                     response.headers.get("Access-Control-Allow-Origin")))

    flask.request_finished.connect(record, app)
    result = load.post_comments(request.getfixturevalue("live_server"), comments(6, seed=3),
                                concurrency=2)

    assert (result.requests, result.errors) == (6, 0)
    assert seen == [(load.WIDGET_ORIGIN, load.WIDGET_ORIGIN)] * 6


CPUINFO = """processor\t: 0
model name\t: Some Xeon
flags\t\t: fpu sse4_2 avx avx2 avx512f {extra}

processor\t: 1
model name\t: Some Xeon
flags\t\t: fpu sse4_2 avx avx2 avx512f {extra}
"""


def test_the_cpu_is_named_with_its_int8_dot_product_instructions():
    with_vnni = machine.cpu(CPUINFO.format(extra="avx512_vnni avx_vnni"))
    without = machine.cpu(CPUINFO.format(extra="").replace(" avx512f", ""))

    assert with_vnni == {"cpu": "Some Xeon", "cpu_isa": "AVX-512, VNNI: AVX512-VNNI, AVX-VNNI",
                         "vnni": True}
    assert without == {"cpu": "Some Xeon", "cpu_isa": "AVX2, VNNI: none", "vnni": False}


@pytest.mark.slow
def test_a_small_run_measures_every_figure_and_ends_with_one_json_line(tiny_model, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "cli", "bench", "--model", tiny_model["MODERATION_MODEL"],
         "--model-config", tiny_model["MODERATION_MODEL_CONFIG"], "--comments", "40",
         "--peer-comments", "5", "--intake-requests", "60", "--concurrency", "2",
         "--decision-samples", "2", "--analyze-samples", "5", "--agreement-sample", "0",
         "--thread-comments", "2000", "--thread-samples", "5", "--work-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=280, check=False)

    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    for key in ("peer_cps", "scorer_cps", "pipeline_cps", "intake_rps", "intake_p99_ms",
                "decision_p50_ms", "analyze_p50_ms", "analyze_p99_ms", "worker_rss_mb",
                "thread_page_ms"):
        assert figures[key] > 0, key
    assert figures["intake_errors"] == 0
    assert figures["web"] == "gunicorn 3x2"  # as `moderation web` runs (WEB_WORKERS x WEB_THREADS)
    assert figures["backend"] == figures["backend_default"]
    assert figures["agreement"] is None
    assert "(a) peer" in result.stdout
    assert figures["vnni"] == machine.cpu()["vnni"] and "VNNI" in figures["cpu_isa"]
    assert "CPU  " in result.stdout and figures["cpu_isa"] in result.stdout


@pytest.mark.slow
def test_the_worker_path_times_each_part_beside_the_forward_pass(tiny_model):
    result = subprocess.run(
        [sys.executable, "-m", "bench.worker_path", "40", "--model", tiny_model["MODERATION_MODEL"],
         "--model-config", tiny_model["MODERATION_MODEL_CONFIG"], "--backend", "onnx"],
        capture_output=True, text=True, timeout=280, check=False)

    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    parts = figures["parts_us"]
    assert figures["comments"] == 40 and figures["beside_forward_cpu_ms"] > 0
    for part in ("1 RQ: dequeue (BLPOP, job fetch)", "3 lease (claim: SELECT, UPDATE, SELECT)",
                 "4 MinHash fingerprints", "4 tokenizer", "4 forward pass (ORT run)",
                 "3 the decided comments' jobs dropped"):
        assert parts[part][0] > 0, part


@pytest.mark.slow
def test_the_post_path_times_its_one_statement_gate():
    result = subprocess.run([sys.executable, "-m", "bench.post_path", "20"], capture_output=True,
                            text=True, timeout=280, check=False)

    assert result.returncode == 0, result.stderr[-2000:]
    parts = dict(line.strip().rsplit(None, 2)[:2] for line in result.stdout.splitlines()[1:])
    assert float(parts["3 site, thread, pending count (first statement)"]) > 0
    assert "3 the site" not in parts  # no statement of its own any more


@pytest.mark.slow
def test_web_shapes_times_one_shape_of_the_web_server(tiny_model):
    result = subprocess.run(
        [sys.executable, "-m", "bench.web_shapes", "1", "2", "--nice", "5", "--rounds", "1",
         "--posts", "30", "--model", tiny_model["MODERATION_MODEL"],
         "--model-config", tiny_model["MODERATION_MODEL_CONFIG"]],
        capture_output=True, text=True, timeout=280, check=False)

    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert (figures["web"], figures["nice"]) == ("1x2", 5)
    [(rps, p50, p99, cpu_ms, errors)] = figures["rounds"]
    assert rps > 0 and 0 < p50 <= p99 and cpu_ms > 0 and errors == 0
