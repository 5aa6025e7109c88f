"""Do the explanations point at what people found toxic? Occlusion spans against Civil
Comments' toxic spans.

``moderation model spans`` takes the Civil Comments posts of the ``report`` half
(``modelkit.sources``: unseen by the shipped model's training and calibration) whose raters
agreed on toxic spans, explains each with the configured model exactly as the scoring
worker does (``workers.scoring.explain``), and measures, per post:

* ``top_hit``: whether the strongest explained span overlaps a toxic span;
* ``f1_top1`` / ``f1_top3`` / ``f1_all``: SemEval-2021 Task 5's character F1 of the
  strongest span, the three strongest, and every explained span, against the toxic spans;
* the same ``top_hit`` for a word drawn at random from the post (seeded), as a baseline.

Texts are never printed.
"""

from __future__ import annotations

import json
import random
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from modelkit.sources import DEFAULT_DATA_DIR, id_split, read_rows
from workers.scoring.explain import WORD, explain


def char_f1(predicted: set[int], gold: set[int]) -> float:
    """SemEval-2021 Task 5's per-post F1 (1.0 when both are empty)."""
    if not predicted and not gold:
        return 1.0
    if not predicted or not gold:
        return 0.0
    overlap = len(predicted & gold)
    precision, recall = overlap / len(predicted), overlap / len(gold)
    return 2 * precision * recall / (precision + recall) if overlap else 0.0


def chars(spans: Sequence[dict[str, float]]) -> set[int]:
    return {k for span in spans for k in range(int(span["start"]), int(span["end"]))}


def span_rows(data_dir: Path, limit: int, seed: int = 0) -> list[tuple[str, set[int]]]:
    """The first ``limit`` report-half posts with toxic spans: (text, gold characters)."""
    rows = read_rows(Path(data_dir) / "civil_comments" / "train.csv",
                     ("id", "comment_text", "spans"))
    found = []
    for row in rows:
        if row["spans"] and id_split("civil", row["id"], seed) == "report":
            gold = set(json.loads(row["spans"]))
            if gold:
                found.append((row["comment_text"], gold))
        if len(found) >= limit:
            break
    return found


def evaluate_spans(scorer: Any, rows: Sequence[tuple[str, set[int]]],
                   seed: int = 0) -> dict[str, Any]:
    """The figures of the module's docstring, averaged over ``rows``."""
    draw = random.Random(seed)
    top_hit, random_hit, f1 = [], [], {"top1": [], "top3": [], "all": []}
    for text, gold in rows:
        score = scorer.score([text])[0]["toxicity"]
        spans = explain(scorer, text, score)
        top_hit.append(bool(spans) and bool(chars(spans[:1]) & gold))
        words = [match.span() for match in WORD.finditer(text)]
        start, end = draw.choice(words) if words else (0, 0)
        random_hit.append(bool(set(range(start, end)) & gold))
        for name, chosen in (("top1", spans[:1]), ("top3", spans[:3]), ("all", spans)):
            f1[name].append(char_f1(chars(chosen), gold))
    return {"posts": len(rows), "top_hit": round(statistics.fmean(top_hit), 4),
            "random_word_hit": round(statistics.fmean(random_hit), 4),
            **{f"f1_{name}": round(statistics.fmean(values), 4) for name, values in f1.items()}}


@click.command("spans")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="The shared data folder (default: ../shared/data).")
@click.option("--limit", type=click.IntRange(min=1), default=150, show_default=True,
              help="Posts to explain (each costs about 25 forward passes).")
def spans_command(data_dir: Path | None, limit: int) -> None:
    """Check the explanations against Civil Comments' toxic spans (report half)."""
    from service.config import load_config
    from workers.scoring.scorer import load_scorer

    scorer = load_scorer(load_config() | {"TORCH_THREADS": 1})
    result = evaluate_spans(scorer, span_rows(data_dir or DEFAULT_DATA_DIR, limit))
    click.echo(f"{result['posts']} posts: the strongest span overlaps a toxic span in "
               f"{100 * result['top_hit']:.1f}% (a random word: "
               f"{100 * result['random_word_hit']:.1f}%); character F1 top span "
               f"{result['f1_top1']:.3f}, top three {result['f1_top3']:.3f}, all "
               f"{result['f1_all']:.3f}")
    click.echo(json.dumps(result))
