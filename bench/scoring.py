"""The model-only measurements: the peer, the service's scorer, and their agreement."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.policy import Policy, decide
from workers.scoring.scorer import DetoxifyScorer, load_scorer

RANDOM_BERT_BASE = "random-bert-base"


def model_settings(model: str, model_config: str | None, work_dir: Path) -> dict[str, str]:
    """The ``MODERATION_MODEL*`` settings for ``--model``.

    ``random-bert-base`` builds a bert-base-sized Detoxify checkpoint with random
    weights in ``work_dir``: right for speed, meaningless for decisions.
    """
    if model == RANDOM_BERT_BASE:
        from tests.support.checkpoint import build

        checkpoint, config_dir = build(work_dir / RANDOM_BERT_BASE, "bert-base")
        return {"MODERATION_MODEL": str(checkpoint), "MODERATION_MODEL_CONFIG": str(config_dir)}
    return {"MODERATION_MODEL": model, "MODERATION_MODEL_CONFIG": model_config or ""}


def scorer(config: Mapping[str, Any], backend: str) -> DetoxifyScorer:
    """The service's scorer, as a worker loads it, for ``backend``."""
    return load_scorer(dict(config, SCORER_BACKEND=backend))


@dataclass(frozen=True)
class Throughput:
    texts: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.texts / self.seconds


def side_by_side(detoxify: Any, scorers: Mapping[str, DetoxifyScorer], texts: Sequence[str],
                 chunk: int, peer_texts: int,
                 ) -> tuple[dict[str, tuple[Throughput, list[dict]]], list[int]]:
    """The peer and each scorer on the same texts, taking turns chunk by chunk.

    The peer is a synchronous Detoxify service: ``Detoxify.predict`` on one text at a
    time, on the first texts of each chunk (``peer_texts`` in all; it is slow). Each
    scorer is fed the whole chunk at once, as a scoring job claims it. Taking turns
    keeps a change in the machine's load from favouring one of them.

    Returns:
        ``"peer"`` and each scorer's name -> its throughput and its scores; and the
        indices of the texts that the peer scored.
    """
    rounds = max(1, -(-len(texts) // chunk))
    per_round = -(-peer_texts // rounds)
    detoxify.predict(texts[0])  # warm-ups, as in a running service
    for scorer in scorers.values():
        scorer.score(texts[:chunk])

    def peer(batch: Sequence[str]) -> list[dict]:
        return [detoxify.predict(text) for text in batch[:per_round]]

    runners = {"peer": peer, **{name: scorer.score for name, scorer in scorers.items()}}
    seconds = dict.fromkeys(runners, 0.0)
    scores: dict[str, list[dict]] = {name: [] for name in runners}
    for start in range(0, len(texts), chunk):
        batch = texts[start:start + chunk]
        for name, run in runners.items():
            started = time.perf_counter()
            scores[name] += run(batch)
            seconds[name] += time.perf_counter() - started
    peer_indices = [index for start in range(0, len(texts), chunk)
                    for index in range(start, min(start + per_round, start + chunk, len(texts)))]
    return {name: (Throughput(len(scores[name]), seconds[name]), scores[name])
            for name in seconds}, peer_indices


def batched(scorer: DetoxifyScorer, texts: Sequence[str],
            chunk: int) -> tuple[Throughput, list[dict[str, float]]]:
    """The scorer fed ``chunk`` texts at a time, as the scoring job claims them."""
    scorer.score(texts[:chunk])  # warm-up
    started = time.perf_counter()
    scores = [row for start in range(0, len(texts), chunk)
              for row in scorer.score(texts[start:start + chunk])]
    return Throughput(len(texts), time.perf_counter() - started), scores


def largest_difference(first: Sequence[Mapping[str, float]],
                       second: Sequence[Mapping[str, float]]) -> float:
    """The largest difference of one label's score between two scorings of the same texts."""
    return max((abs(a[label] - b[label]) for a, b in zip(first, second, strict=True)
                for label in a), default=0.0)


def agreement(reference: Sequence[Mapping[str, float]], fast: Sequence[Mapping[str, float]],
              policy: Policy | None = None) -> float:
    """The share of texts on which both scorings lead to the same decision."""
    policy = policy or Policy()
    same = sum(decide(a, policy).outcome == decide(b, policy).outcome
               for a, b in zip(reference, fast, strict=True))
    return same / len(reference) if reference else 1.0


def validation_texts(path: Path, sample: int, seed: int = 0) -> list[str]:
    """A fixed-seed sample of the validation part of a Jigsaw-style CSV.

    The texts are offensive by nature: they are scored, never printed.
    """
    from modelkit.data import read_labelled_csv, select_split

    texts = select_split(read_labelled_csv(path), "validation", seed=0).texts
    return random.Random(seed).sample(texts, min(sample, len(texts)))
