"""``moderation model train|eval|calibrate|info`` on a small, self-written data set."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from modelkit.cli import model
from workers.scoring.labels import DETOXIFY_LABELS, JIGSAW_CLASSES

_CIVIL = ["thanks for the {} edit", "I added a source about the {} topic",
          "could you explain the {} section", "the {} paragraph reads well now"]
_RUDE = ["you are a {} idiot", "what a {} moron you are", "shut up you {} fool"]
_WORDS = ["new", "long", "short", "history", "science", "second", "final", "local"]


def write_data(path: Path, rows: int = 240, seed: int = 1) -> Path:
    """A CSV in the Jigsaw layout: mild insults labelled toxic and insult, the rest clean."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "comment_text", *JIGSAW_CLASSES])
        for number in range(rows):
            rude = number % 3 == 0
            text = rng.choice(_RUDE if rude else _CIVIL).format(rng.choice(_WORDS))
            writer.writerow([f"c{number:04d}", text, int(rude), 0, 0, 0, int(rude), 0])
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    folder = tmp_path_factory.mktemp("train")
    data = write_data(folder / "data.csv")
    result = CliRunner().invoke(model, [
        "train", "--data", str(data), "--out", str(folder / "out"), "--limit", "200",
        "--epochs", "1", "--seed", "3", "--threads", "1", "--no-progress"])
    assert result.exit_code == 0, result.output
    return data, folder / "out", result.output


def _env(out: Path, tmp: Path) -> dict[str, str]:
    return {"MODERATION_MODEL": str(out / "checkpoint.ckpt"),
            "MODERATION_MODEL_CONFIG": str(out / "config"),
            "MODERATION_INSTANCE_DIR": str(tmp / "instance"),
            "MODERATION_THRESHOLDS": "", "TORCH_THREADS": "1"}


def test_train_writes_small_weights_and_a_loadable_checkpoint(trained) -> None:
    from workers.scoring.scorer import load_local_checkpoint

    _, out, output = trained
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["rows"]["train"] + manifest["rows"]["validation"] == 200
    assert set(manifest["validation_auc"]) == set(DETOXIFY_LABELS)
    assert (out / "jigsaw-minilm.safetensors").stat().st_size < 10_000_000
    assert "epoch 1: validation ROC-AUC toxicity" in output
    detoxify = load_local_checkpoint(out / "checkpoint.ckpt", out / "config")
    scores = detoxify.predict(["thanks for the edit"])
    assert set(scores) == set(DETOXIFY_LABELS)
    assert 0.0 <= scores["toxicity"] <= 1.0


def test_train_is_deterministic_for_a_seed(trained, tmp_path: Path) -> None:
    data, out, _ = trained
    result = CliRunner().invoke(model, [
        "train", "--data", str(data), "--out", str(tmp_path), "--limit", "200",
        "--epochs", "1", "--seed", "3", "--threads", "1", "--no-progress"])
    assert result.exit_code == 0, result.output
    first = json.loads((out / "manifest.json").read_text())["weights_sha256"]
    assert json.loads((tmp_path / "manifest.json").read_text())["weights_sha256"] == first


def test_eval_prints_aucs_and_decisions_with_json_last(trained, tmp_path: Path) -> None:
    data, out, _ = trained
    result = CliRunner().invoke(model, ["eval", "--data", str(data), "--no-progress"],
                                env=_env(out, tmp_path))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert set(summary["auc"]) == set(DETOXIFY_LABELS)
    assert 0.0 <= summary["auc"]["toxicity"] <= 1.0
    assert summary["auc"]["threat"] is None  # no positives: undefined, not 0.5
    assert summary["model"] == "checkpoint"
    toxic, clean = summary["decisions"]["toxic"], summary["decisions"]["clean"]
    assert (toxic["n"], clean["n"]) == (80, 160)
    assert sum(toxic[outcome]["count"] for outcome in ("approved", "held", "rejected")) == 80


def test_calibrate_suggests_thresholds(trained, tmp_path: Path) -> None:
    data, out, _ = trained
    result = CliRunner().invoke(model, ["calibrate", "--data", str(data), "--no-progress"],
                                env=_env(out, tmp_path))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert set(summary["hold"]) == set(summary["reject"]) == set(DETOXIFY_LABELS)
    assert summary["hold_fit"]["let_through"] <= 0.02 * summary["hold_fit"]["toxic"]


def test_info_loads_the_configured_model(trained, tmp_path: Path) -> None:
    _, out, _ = trained
    result = CliRunner().invoke(model, ["info"], env=_env(out, tmp_path))
    assert result.exit_code == 0, result.output
    assert "loads: checkpoint" in result.output
    assert str(out / "checkpoint.ckpt") in result.output


def test_info_says_when_the_model_does_not_load(tmp_path: Path) -> None:
    env = _env(tmp_path / "absent", tmp_path)
    result = CliRunner().invoke(model, ["info"], env=env)
    assert result.exit_code == 1
    assert "does NOT load" in result.output
