"""``modelkit.counterfactual``: names and topics swapped, lest they be learned as toxicity."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from modelkit.augment import augmented
from modelkit.counterfactual import (
    COUNTRIES,
    POLITICIANS,
    civil_political,
    swap_names,
    uncivil_political,
)
from modelkit.sources import LABELS, load_sources
from tests.modelkit.test_finetune import write_sources


def test_civil_and_uncivil_sentences_share_their_names_and_differ_by_the_insult() -> None:
    civil = civil_political(np.random.default_rng(0))
    uncivil = uncivil_political(np.random.default_rng(0))
    assert len(civil) > 500 and len(uncivil) > 400
    named = [name for name in POLITICIANS if any(name in text for text in civil)]
    assert len(named) >= 30, "many politicians appear in civil sentences"
    assert sum(any(name in text for text in uncivil) for name in named) >= 20
    assert civil == civil_political(np.random.default_rng(0)), "deterministic for a seed"


def test_a_swap_replaces_every_name_with_another_of_its_kind() -> None:
    rng = np.random.default_rng(1)
    text = "Trump met Putin in Ukraine while the Republicans watched."
    swapped = swap_names(text, rng)
    assert "Trump" not in swapped and "Putin" not in swapped and "Ukraine" not in swapped
    assert "Republicans" not in swapped and swapped.endswith("watched.")
    assert any(country in swapped for country in COUNTRIES)


def test_augmentation_labels_the_political_sets_and_keeps_the_labels_of_swapped_rows(
        tmp_path: Path) -> None:
    folder = write_sources(tmp_path, rows=60)
    news = folder / "civil_comments_random/train.csv"
    lines = news.read_text().splitlines()
    news.write_text("\n".join([lines[0], *(line.replace("the ", "Biden and the ", 1)
                                           for line in lines[1:])]) + "\n")
    table = load_sources(folder, seed=0)
    extra, counts = augmented(table, seed=0)
    group = np.array(extra.group)
    civil, uncivil = group == "political_civil", group == "political_insult"
    assert counts["political_civil"] == civil.sum() > 0 and uncivil.any()
    assert (extra.targets[civil] == 0).all() and (extra.toxic[civil] == 0).all()
    assert (extra.targets[uncivil][:, [0, LABELS.index("insult")]] == 1).all()
    swaps = np.flatnonzero(group == "name_swap")
    assert len(swaps) > 0 and all("Biden" not in extra.texts[i] for i in swaps)
    train_news = [i for i in range(len(table)) if table.source[i] == "news"
                  and table.split[i] == "train" and "Biden" in table.texts[i]]
    assert len(swaps) == len(train_news), "only train rows are swapped"
    originals = {round(float(table.targets[i, 0]), 4) for i in train_news}
    assert {round(float(v), 4) for v in extra.targets[swaps, 0]} <= originals
