"""Export a Detoxify checkpoint to ONNX, once, beside the checkpoint (needs torch).

The export is what gives the ONNX backend its parity with torch: the model is rebuilt
with eager attention (the SDPA path traces into a graph that ORT's fusions do not
know), all three inputs (``input_ids``, ``attention_mask``, ``token_type_ids``) are
graph inputs with dynamic batch and sequence axes, so that no mask or token type is
frozen into the graph at the example's shape, and ORT's transformer optimiser fuses
the attention, layer norms and GELU. Besides the logits, the graph gives ``vectors``: the
mean over its tokens (attention-masked) of each encoder layer's hidden state, one row
per layer, from the same forward pass (``workers.scoring.vectors``). An int8 copy (ORT
dynamic quantisation, per channel) is written beside it. The tokenizer is saved as one
``tokenizer.json``, so that the scoring worker needs the ``tokenizers`` library alone.

It runs as ``python -m workers.scoring.export`` in a child process of a worker whose
backend is ONNX, so that the worker itself never imports torch (``workers.scoring.ort``).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

from workers.scoring.labels import file_sha256
from workers.scoring.ort import (
    FP32_FILE,
    INT8_FILE,
    OPSET,
    OUTPUTS,
    STAMP_FILE,
    TOKENIZER_FILE,
    onnx_dir,
    valid_export,
)

INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")


def export(checkpoint: Path, config_dir: Path, cache_dir: str | Path) -> Path:
    """Export ``checkpoint`` to its ONNX folder (``ort.onnx_dir``), unless already valid.

    Written to a temporary folder and renamed into place, so that a reader never sees
    half an export.

    Returns:
        The ONNX folder.
    """
    target = onnx_dir(checkpoint, cache_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    if valid_export(target, checkpoint):
        return target
    from workers.scoring.scorer import fast_tokenizer, load_local_checkpoint

    detoxify = load_local_checkpoint(checkpoint, config_dir)
    tokenizer = fast_tokenizer(detoxify.tokenizer)
    if not getattr(tokenizer, "is_fast", False):
        raise RuntimeError(f"{config_dir} has no fast tokenizer; the ONNX backend needs one")
    model = eager_copy(detoxify.model)
    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    temporary.chmod(0o755)
    try:
        write_onnx(model, tokenizer, temporary / FP32_FILE)
        optimise(temporary / FP32_FILE, model.config)
        quantise(temporary / FP32_FILE, temporary / INT8_FILE)
        tokenizer.backend_tokenizer.save(str(temporary / TOKENIZER_FILE))
        stamp = {
            "checkpoint_sha256": file_sha256(checkpoint),
            "labels": list(detoxify.class_names),
            "max_length": int(min(tokenizer.model_max_length,
                                  model.config.max_position_embeddings)),
            "pad_id": int(tokenizer.pad_token_id or 0),
            "files": {name: file_sha256(temporary / name)
                      for name in (FP32_FILE, INT8_FILE, TOKENIZER_FILE)},
            "opset": OPSET,
            "outputs": list(OUTPUTS),
            "layers": int(model.config.num_hidden_layers),
        }
        (temporary / STAMP_FILE).write_text(json.dumps(stamp, indent=2) + "\n")
        if target.exists():  # an invalid leftover, or another process was faster
            if valid_export(target, checkpoint):
                return target
            shutil.rmtree(target, ignore_errors=True)
        try:
            os.replace(temporary, target)
        except OSError:
            if not valid_export(target, checkpoint):  # another process was faster
                raise
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return target


def eager_copy(model: Any) -> Any:
    """``model`` rebuilt with eager attention, in eval mode, the original left untouched."""
    config = copy.deepcopy(model.config)
    config._attn_implementation = "eager"
    eager = type(model)(config)
    eager.load_state_dict(model.state_dict())
    return eager.eval()


def write_onnx(model: Any, tokenizer: Any, path: Path) -> None:
    """Trace ``model`` to ``path`` with dynamic batch and sequence axes."""
    import torch

    example = tokenizer(["an example", "a longer example of a comment"], padding=True,
                        return_tensors="pt")
    axes = {name: {0: "batch", 1: "sequence"} for name in INPUT_NAMES}

    class LogitsAndVectors(torch.nn.Module):
        """The model with its three inputs by name, giving the logits and, per encoder
        layer, the attention-masked mean of its hidden state: ``(batch, layers, hidden)``."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            output = self.model(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids, output_hidden_states=True)
            return output.logits, pooled_layers(output.hidden_states, attention_mask)

    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(
            LogitsAndVectors().eval(), tuple(example[name] for name in INPUT_NAMES), str(path),
            input_names=list(INPUT_NAMES), output_names=list(OUTPUTS),
            dynamic_axes=axes | {"logits": {0: "batch"}, "vectors": {0: "batch"}},
            opset_version=OPSET,
            do_constant_folding=True, dynamo=False,
        )


def pooled_layers(hidden_states: Any, attention_mask: Any) -> Any:
    """``(batch, layers, hidden)``: each encoder layer's hidden state (the embeddings left
    out) averaged over the tokens that ``attention_mask`` marks."""
    import torch

    mask = attention_mask.unsqueeze(-1).to(hidden_states[-1].dtype)
    count = mask.sum(dim=1).clamp(min=1.0)
    return torch.stack([(state * mask).sum(dim=1) / count for state in hidden_states[1:]],
                       dim=1)


def optimise(path: Path, config: Any) -> None:
    """Run ORT's transformer optimiser on ``path`` in place (fused attention and norms)."""
    from onnxruntime.transformers.optimizer import optimize_model

    # "bert" fuses BERT and RoBERTa-style encoders alike.
    optimised = optimize_model(str(path), model_type="bert",
                               num_heads=config.num_attention_heads,
                               hidden_size=config.hidden_size, opt_level=1)
    optimised.save_model_to_file(str(path))


def quantise(source: Path, target: Path) -> None:
    """ORT dynamic int8 quantisation of the weights, per output channel."""
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The fused (com.microsoft) nodes defeat ONNX's shape inference: their outputs are float.
    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True,
                     extra_options={"DefaultTensorType": TensorProto.FLOAT})


def main(argv: list[str] | None = None) -> int:
    """Export the model that the environment (or the arguments) name; print its folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a shipped model or a checkpoint path")
    parser.add_argument("--config-dir", default="", help="its Hugging Face config folder")
    parser.add_argument("--cache", default="", help="MODERATION_MODEL_CACHE")
    arguments = parser.parse_args(argv)
    from workers.scoring.assembly import SHIPPED_MODELS, ensure_model

    if arguments.model in SHIPPED_MODELS:
        checkpoint, config_dir = ensure_model(arguments.cache, arguments.model)
    else:
        checkpoint, config_dir = Path(arguments.model), Path(arguments.config_dir)
    print(export(checkpoint, config_dir, arguments.cache))
    return 0


if __name__ == "__main__":
    sys.exit(main())
