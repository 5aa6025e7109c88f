"""The ONNX Runtime backends: parity with torch fp32, a cached export, a torch-free worker."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from service.config import load_config
from workers.scoring.ort import (
    FP32_FILE,
    STAMP_FILE,
    ensure_export,
    onnx_dir,
    valid_export,
)
from workers.scoring.scorer import load_scorer

PARITY = 1e-4
"""Largest difference of one score between the ONNX fp32 backend and torch fp32."""

TEXTS = [
    "Thanks for the balanced report on the bridge repairs.",
    "Short.",
    ("I was at the council meeting last week, and the budget numbers in the third paragraph "
     "deserve a closer look before the vote; small businesses will feel it first. " * 12),
    "you are a stupid idiot",
    "Does anyone know when the final decision is expected?",
    "",
]
VALIDATION_CSV = Path(__file__).resolve().parents[4] / "shared/data/jigsaw/train.csv"


def config(model: dict[str, str], **overrides) -> dict:
    return load_config({}) | {"TORCH_THREADS": 1, "SCORING_BATCH_SIZE": 4} | model | overrides


def largest_difference(first: list[dict[str, float]], second: list[dict[str, float]]) -> float:
    return max(abs(a[label] - b[label]) for a, b in zip(first, second, strict=True) for label in a)


def test_onnx_fp32_scores_as_torch_fp32_on_the_tiny_model(tiny_model):
    plain = load_scorer(config(tiny_model, SCORER_BACKEND="torch"))
    onnx = load_scorer(config(tiny_model, SCORER_BACKEND="onnx"))

    assert onnx.labels == plain.labels
    assert onnx.model_id == f"{plain.model_id}+onnx"
    assert largest_difference(onnx.score(TEXTS), plain.score(TEXTS)) <= PARITY
    # One text at a time, the padding of a batch changes nothing either.
    assert largest_difference([onnx.score([text])[0] for text in TEXTS],
                              plain.score(TEXTS)) <= PARITY


def test_onnx_int8_is_close_and_says_so_in_the_model_id(tiny_model):
    plain = load_scorer(config(tiny_model, SCORER_BACKEND="torch"))
    int8 = load_scorer(config(tiny_model, SCORER_BACKEND="onnx-int8"))

    assert int8.model_id == f"{plain.model_id}+onnx-int8"
    assert largest_difference(int8.score(TEXTS), plain.score(TEXTS)) <= 0.05


def test_the_export_is_cached_beside_the_checkpoint_and_redone_when_a_hash_fails(tmp_path):
    from tests.support.checkpoint import build

    checkpoint, config_dir = build(tmp_path / "model", "tiny", seed=3)
    settings = config({"MODERATION_MODEL": str(checkpoint),
                       "MODERATION_MODEL_CONFIG": str(config_dir)})
    _, folder = ensure_export(settings)
    assert folder == onnx_dir(checkpoint, "") == tmp_path / "model" / "checkpoint-onnx"
    stamp = json.loads((folder / STAMP_FILE).read_text())
    exported_at = (folder / FP32_FILE).stat().st_mtime_ns

    assert ensure_export(settings)[1] == folder
    assert (folder / FP32_FILE).stat().st_mtime_ns == exported_at  # re-used, not redone

    with (folder / FP32_FILE).open("ab") as graph:
        graph.write(b"\0")
    assert not valid_export(folder, checkpoint)
    ensure_export(settings)
    assert valid_export(folder, checkpoint)
    assert json.loads((folder / STAMP_FILE).read_text())["files"] == stamp["files"]

    other, _ = build(tmp_path / "other", "tiny", seed=4)
    shutil.copyfile(other, checkpoint)  # new weights under the same name
    assert not valid_export(folder, checkpoint)


def test_a_checkpoint_in_a_read_only_folder_is_exported_into_the_model_cache(tmp_path,
                                                                            monkeypatch):
    from tests.support.checkpoint import build
    from workers.scoring.export import export

    checkpoint, config_dir = build(tmp_path / "mounted", "tiny", seed=5)
    access = os.access
    # As on a read-only volume (chmod would not stop root, who runs CI).
    monkeypatch.setattr(os, "access", lambda path, mode, **options: (
        Path(path) != tmp_path / "mounted" and access(path, mode, **options)))
    cache = tmp_path / "cache"

    folder = export(checkpoint, config_dir, cache)

    assert folder.parent == cache / "onnx" and folder == onnx_dir(checkpoint, cache)
    assert not (tmp_path / "mounted" / "checkpoint-onnx").exists()
    settings = config({"MODERATION_MODEL": str(checkpoint),
                       "MODERATION_MODEL_CONFIG": str(config_dir),
                       "MODERATION_MODEL_CACHE": str(cache)})
    assert ensure_export(settings)[1] == folder


def test_a_scoring_worker_on_onnx_never_imports_torch(tiny_model, tmp_path):
    load_scorer(config(tiny_model, SCORER_BACKEND="onnx"))  # exported beforehand
    script = (
        "import json, sys\n"
        "from service.config import load_config\n"
        "import workers.worker, workers.scoring.jobs, workers.scoring.analyze\n"
        "from workers.scoring.scorer import load_scorer\n"
        "scorer = load_scorer(load_config())\n"
        "scores = scorer.score(['a first comment', 'and a second one, a little longer'])\n"
        "heavy = sorted(name for name in sys.modules\n"
        "               if name.split('.')[0] in {'torch', 'transformers', 'detoxify'})\n"
        "rss = [line for line in open('/proc/self/status') if line.startswith('VmRSS')]\n"
        "print(json.dumps({'model': scorer.model_id, 'scores': len(scores), 'heavy': heavy,\n"
        "                  'rss_mb': int(rss[0].split()[1]) / 1024}))\n"
    )
    environment = dict(os.environ, SCORER_BACKEND="onnx", TORCH_THREADS="1",
                       MODERATION_INSTANCE_DIR=str(tmp_path), **tiny_model)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=environment, timeout=120, check=False)

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["model"].endswith("+onnx")
    assert result["scores"] == 2
    assert result["heavy"] == []
    assert result["rss_mb"] < 350  # torch alone, once imported, takes more than that


@pytest.mark.slow
@pytest.mark.skipif(not VALIDATION_CSV.is_file(), reason=f"no {VALIDATION_CSV}")
def test_onnx_fp32_scores_as_torch_fp32_on_real_validation_comments(tmp_path_factory):
    from bench.scoring import validation_texts

    texts = validation_texts(VALIDATION_CSV, 256, seed=7)
    shipped = {"MODERATION_MODEL": "jigsaw-minilm",
               "MODERATION_MODEL_CACHE": str(tmp_path_factory.mktemp("model-cache"))}
    plain = load_scorer(config(shipped, SCORER_BACKEND="torch", SCORING_BATCH_SIZE=32))
    onnx = load_scorer(config(shipped, SCORER_BACKEND="onnx", SCORING_BATCH_SIZE=32))

    assert largest_difference(onnx.score(texts), plain.score(texts)) <= PARITY
