"""The explanations-against-toxic-spans figures: SemEval's character F1, and the evaluation
on posts whose gold spans are known."""

from __future__ import annotations

from modelkit.spans import char_f1, evaluate_spans


class WordScorer:
    """Toxicity 0.1, plus 0.6 for "idiot"."""

    def score(self, texts: list[str]) -> list[dict[str, float]]:
        return [{"toxicity": 0.1 + 0.6 * ("idiot" in text)} for text in texts]


def test_character_f1_is_semevals() -> None:
    assert char_f1(set(), set()) == 1.0
    assert char_f1({1, 2}, set()) == 0.0
    assert char_f1({1, 2, 3, 4}, {3, 4}) == 2 * 0.5 * 1.0 / 1.5


def test_a_scorer_that_knows_the_toxic_word_finds_the_gold_span() -> None:
    text = "What an idiot the mayor is."
    gold = set(range(text.index("idiot"), text.index("idiot") + 5))
    result = evaluate_spans(WordScorer(), [(text, gold)] * 3)
    assert result["posts"] == 3 and result["top_hit"] == 1.0 and result["f1_top1"] == 1.0
    assert result["f1_all"] == 1.0  # no other word lowers the score
