"""Occlusion explanations: the spans whose removal lowers the toxicity score."""

from __future__ import annotations

from service.comments.models import Comment, Decision
from service.moderation.services import QueueItem
from workers.scoring.explain import MAX_SPANS, explain, explain_all, word_spans


class WordScorer:
    """Toxicity 0.1, plus 0.6 for "idiot" and 0.2 for "stupid"."""

    def __init__(self) -> None:
        self.calls = 0

    def score(self, texts: list[str]) -> list[dict[str, float]]:
        self.calls += 1
        return [{"toxicity": 0.1 + 0.6 * ("idiot" in text) + 0.2 * ("stupid" in text)}
                for text in texts]


def test_the_strongest_span_comes_first_with_offsets_into_the_body() -> None:
    text = "Well, you're a stupid idiot, frankly."
    scorer = WordScorer()
    spans = explain(scorer, text, scorer.score([text])[0]["toxicity"])
    assert [text[s["start"]:s["end"]] for s in spans] == ["idiot", "stupid"]
    assert [s["weight"] for s in spans] == [0.6, 0.2]
    assert scorer.calls == 2, "all the variants of one comment are scored as one batch"


def test_many_comments_are_explained_from_one_call_against_their_own_scores() -> None:
    texts = ["Well, you're a stupid idiot, frankly.", "!!!", "Such an idiot."]
    scorer = WordScorer()
    explained = explain_all(scorer, texts)
    assert [[text[s["start"]:s["end"]] for s in spans]
            for text, spans in zip(texts, explained, strict=True)] == [
        ["idiot", "stupid"], [], ["idiot"]]
    assert explained[0] == explain(scorer, texts[0], scorer.score(texts[:1])[0]["toxicity"])
    assert scorer.calls == 3, "one call for the three, then two for the single explanation"


def test_long_comments_are_cut_into_runs_of_words_and_empty_ones_explain_nothing() -> None:
    text = " ".join(f"word{k}" for k in range(100))
    spans = word_spans(text)
    assert len(spans) <= MAX_SPANS
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert explain(WordScorer(), "!!!", 0.1) == []


def test_the_dashboard_cuts_the_body_at_the_explained_spans() -> None:
    body = "Well, you're a stupid idiot, frankly."
    decision = Decision(explanation=[{"start": 22, "end": 27, "weight": 0.6},
                                     {"start": 15, "end": 21, "weight": 0.2},
                                     {"start": 30, "end": 99, "weight": 0.1}])  # out of range
    parts = QueueItem(Comment(body=body), decision).body_parts()
    assert "".join(text for text, _ in parts) == body
    assert [(text, weight) for text, weight in parts if weight] == [("stupid", 0.2),
                                                                    ("idiot", 0.6)]
