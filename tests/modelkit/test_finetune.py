"""The five-source loader, augmentation, probes and ``moderation model finetune``.

Every text here is made up and harmless; the CSVs have the shared files' columns.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from modelkit.augment import IDENTITY_RE, augmented
from modelkit.cli import model
from modelkit.probes import load_probes
from modelkit.sources import LABELS, SOURCES, SPLITS, WEIGHTS, load_sources, source_files

_WORDS = ["bus", "park", "library", "bridge", "school", "market", "garden", "river"]
_CLEAN = ["the {} opened late today", "I liked the piece about the {}",
          "my neighbours who are Christians fixed the {} with us"]
_RUDE = ["you are a silly goose about the {}", "what a clown, forget the {}"]
_ARTICLES = [f"Article number {k}" for k in range(10)]


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _text(number: int) -> str:
    templates = _RUDE if number % 3 == 0 else _CLEAN
    return templates[number % len(templates)].format(_WORDS[number % len(_WORDS)])


def write_sources(folder: Path, rows: int = 60, reverse: bool = False) -> Path:
    """Tiny CSVs in the layout of ``../shared/data`` (``reverse``: the rows backwards)."""
    order = list(range(rows))[::-1] if reverse else list(range(rows))
    rude = [n % 3 == 0 for n in range(rows)]
    _write(folder / "jigsaw/train.csv",
           ["id", "comment_text", "toxic", "severe_toxic", "obscene", "threat", "insult",
            "identity_hate"],
           [[f"j{n}", _text(n), int(rude[n]), 0, "" if n == 1 else 0, 0, int(rude[n]), 0]
            for n in order])
    _write(folder / "civil_comments/train.csv",
           ["id", "comment_text", "toxicity", "insult", "threat", "identity_attack", "obscene",
            "other_toxicity", "n_raters", "spans"],
           [[f"c{n}", _text(n), 0.6667 if rude[n] else 0.3333, 0.3333 if rude[n] else 0.0,
             0.0, 0.0, 0.0, 0.0, 3, "[]"] for n in order])
    _write(folder / "olid/train.csv", ["id", "comment_text", "offensive", "targeted", "target"],
           [[f"o{n}", _text(n), int(rude[n]), (n % 2) if rude[n] else "",
             ("IND" if n % 2 else "") if rude[n] else ""] for n in order])
    _write(folder / "civil_comments_random/train.csv",
           ["id", "comment_text", "selection", *LABELS, "sexual_explicit"],
           [[f"n{n}", _text(n),
             "random" if n % 2 else f"balanced_{'toxic' if rude[n] else 'clean'}",
             0.8 if rude[n] else 0.1, *(["", "", "", "", ""] if n % 2 else
                                      [0.0, 0.0, 0.0, 0.7 if rude[n] else 0.0, 0.0]), ""]
            for n in order])
    _write(folder / "fox_news/train.csv",
           ["id", "comment_text", "hateful", "article_title", "previous_comment", "next_comment"],
           [[f"f{n}", _text(n), int(rude[n]), _ARTICLES[n % 10], "", ""] for n in order])
    return folder


def _row(table, id_: str) -> int:
    return table.ids.index(id_)


def test_labels_are_mapped_per_source_with_masks(tmp_path: Path) -> None:
    table = load_sources(write_sources(tmp_path), seed=0)
    severe, threat = LABELS.index("severe_toxicity"), LABELS.index("threat")
    jigsaw = _row(table, "jigsaw:j3")
    assert table.targets[jigsaw].tolist() == [1, 0, 0, 0, 1, 0]
    assert table.mask[jigsaw].all() and table.toxic[jigsaw] == 1
    assert table.mask[_row(table, "jigsaw:j1"), LABELS.index("obscene")] == 0  # empty cell
    civil_toxic, civil_clean = _row(table, "civil:c0"), _row(table, "civil:c1")
    assert table.targets[civil_toxic, 0] == pytest.approx(0.6667)
    assert table.mask[civil_toxic, severe] == 0 and table.mask[civil_toxic, threat] == 1
    assert table.weight[civil_toxic] == table.weight[civil_clean] == WEIGHTS["civil"]
    assert table.toxic[civil_clean] == 0  # a borderline post: a soft label, not a clean one
    assert table.targets[civil_clean, 0] == pytest.approx(0.3333)
    random, balanced = _row(table, "news:n3"), _row(table, "news:n0")
    assert table.group[random] == "random" and table.mask[random].tolist() == [1, 0, 0, 0, 0, 0]
    assert table.targets[random, 0] == pytest.approx(0.8) and table.toxic[random] == 1
    assert table.group[balanced] == "balanced_toxic" and table.mask[balanced].all()
    assert table.targets[balanced, LABELS.index("insult")] == pytest.approx(0.7)
    assert table.weight[random] == WEIGHTS["news"] > WEIGHTS["civil"]
    targeted, untargeted, clean = (_row(table, f"olid:o{n}") for n in (3, 6, 1))
    assert table.targets[targeted, 0] == 1 and table.targets[untargeted, 0] == 0.5
    assert table.mask[targeted].tolist() == [1, 0, 0, 0, 0, 0]
    assert table.toxic[untargeted] == 1 and table.group[targeted] == "IND"
    assert table.mask[clean].all() and not table.targets[clean].any()
    fox = _row(table, "fox:f3")
    assert table.mask[fox].tolist() == [1, 0, 0, 0, 0, 0] and table.targets[fox, 0] == 1
    assert table.weight[fox] == WEIGHTS["fox_hateful"]


def test_splits_are_deterministic_and_independent_of_row_order(tmp_path: Path) -> None:
    first = load_sources(write_sources(tmp_path / "a"), seed=0)
    again = load_sources(write_sources(tmp_path / "a"), seed=0)
    backwards = load_sources(write_sources(tmp_path / "b", reverse=True), seed=0)
    other_seed = load_sources(write_sources(tmp_path / "a"), seed=1)
    split = dict(zip(first.ids, first.split, strict=True))
    assert split == dict(zip(again.ids, again.split, strict=True))
    assert split == dict(zip(backwards.ids, backwards.split, strict=True))
    assert split != dict(zip(other_seed.ids, other_seed.split, strict=True))
    assert set(first.split) == set(SPLITS)


def test_fox_is_split_by_article_four_three_three(tmp_path: Path) -> None:
    table = load_sources(write_sources(tmp_path), seed=0)
    fox = table.source == "fox"
    by_article: dict[str, set[str]] = {}
    for group, split in zip(np.array(table.group)[fox], table.split[fox], strict=True):
        by_article.setdefault(group, set()).add(split)
    assert all(len(splits) == 1 for splits in by_article.values())
    counts = [sum(splits == {s} for splits in by_article.values()) for s in SPLITS]
    assert counts == [4, 3, 3]


def test_limit_takes_the_first_rows_of_each_source(tmp_path: Path) -> None:
    table = load_sources(write_sources(tmp_path), seed=0, limit=7)
    assert [int((table.source == s).sum()) for s in SOURCES] == [7] * len(SOURCES)
    assert "jigsaw:j6" in table.ids and "jigsaw:j7" not in table.ids


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    folder = write_sources(tmp_path)
    _write(source_files(folder)["olid"], ["id", "comment_text", "offensive"], [["o1", "hi", 0]])
    with pytest.raises(ValueError, match="targeted"):
        load_sources(folder)


def test_augmentation_goes_to_train_only_and_swaps_only_train_comments(tmp_path: Path) -> None:
    table = load_sources(write_sources(tmp_path), seed=0)
    extra, counts = augmented(table, seed=0)
    assert set(extra.split) == {"train"} and set(extra.source) == {"augment"}
    assert len(set(extra.ids)) == len(extra) == sum(counts.values())
    assert counts["threat"] > 100 and counts["violence_civil"] > 50
    assert counts["identity_swap"] > 0
    threats = np.array(extra.group) == "threat"
    assert (extra.targets[threats][:, [0, LABELS.index("threat")]] == 1).all()
    again, _ = augmented(table, seed=0)
    assert again.texts == extra.texts
    held_out = table.select(table.split != "train")
    _, held_counts = augmented(held_out, seed=0)
    assert held_counts["identity_swap"] == 0


PROBE_IDIOMS = ["ditch", "string", "in blood", "six feet", "fishes", "daisies", "dirt nap",
                "one eye", "guillotine", "feather", "coffin", "missing", "maker", "lights out",
                "pitchfork", "last breath", "taster", "pigs", "shame", "walks home", "curtains",
                "slay", "dead duck", "under the bus", "hatchet", "jugular", "thousand cuts",
                "torpedo", "break a leg", "knockout", "bloodbath", "strangle", "life support",
                "flames", "nailed", "massacre", "sword", "tooth and nail", "killer", "woodshed"]
"""The probes' threat and civil idioms, which the augmentation must not teach."""


def test_veiled_threats_and_civil_idioms_are_labelled_and_share_no_probe_idiom(
        tmp_path: Path) -> None:
    table = load_sources(write_sources(tmp_path), seed=0)
    extra, counts = augmented(table, seed=0)
    assert counts["threat_veiled"] > 500 and counts["idiom_civil"] > 300
    group = np.array(extra.group)
    veiled, idioms = group == "threat_veiled", group == "idiom_civil"
    assert (extra.targets[veiled][:, [0, LABELS.index("threat")]] == 1).all()
    assert (extra.targets[idioms] == 0).all() and (extra.mask[idioms] == 1).all()
    texts = [t.lower() for t, g in zip(extra.texts, group, strict=True)
             if g in ("threat_veiled", "idiom_civil")]
    assert not [idiom for idiom in PROBE_IDIOMS if any(idiom in t for t in texts)]
    probes = load_probes()
    written = {s.lower().rstrip(".!") for s in [*probes.threats, *probes.threats_veiled,
                                               *probes.idioms_civil, *probes.violence_civil]}
    assert not written & {t.rstrip(".!") for t in texts}


def test_civil_rows_naming_groups_and_mild_profanity_are_labelled_and_not_probes(
        tmp_path: Path) -> None:
    table = load_sources(write_sources(tmp_path), seed=0)
    plain, plain_counts = augmented(table, seed=0)
    assert "identity_civil" not in plain_counts  # off by default: news-minilm-3's rows
    extra, counts = augmented(table, seed=0, identity_rows=True)
    assert extra.texts[:len(plain)] == plain.texts
    assert counts["identity_civil"] > 800 and counts["mild_profanity_more"] > 100
    group = np.array(extra.group)
    civil = group == "identity_civil"
    assert (extra.targets[civil] == 0).all() and (extra.mask[civil] == 1).all()
    naming = [bool(IDENTITY_RE.search(t)) for t, g in zip(extra.texts, group, strict=True)
              if g == "identity_civil"]
    assert sum(naming) > 0.9 * len(naming)
    profane = group == "mild_profanity_more"
    assert (extra.targets[profane][:, 0] == 0.15).all()
    probes = load_probes()
    written = {s.lower().rstrip(".!") for pair in probes.identity_pairs for s in pair}
    written |= {s.lower().rstrip(".!") for s in probes.political_civil}
    texts = {t.lower().rstrip(".!") for t, g in zip(extra.texts, group, strict=True)
             if g in ("identity_civil", "mild_profanity_more")}
    assert not written & texts


def test_probes_parse_and_are_enough() -> None:
    probes = load_probes()
    assert len(probes.threats) >= 20 and len(probes.violence_civil) >= 20
    assert len(probes.identity_pairs) >= 10 and len(probes.political_civil) >= 15
    assert len(probes.threats_veiled) >= 20 and len(probes.idioms_civil) >= 20
    assert all(a != b for a, b in probes.identity_pairs)
    ids, texts = probes.rows()
    assert len(ids) == len(set(ids)) == len(texts)


@pytest.mark.slow
def test_finetune_writes_weights_that_assemble_and_load(tmp_path: Path) -> None:
    from workers.scoring.assembly import build_checkpoint
    from workers.scoring.scorer import load_local_checkpoint

    data = write_sources(tmp_path / "data", rows=40)
    arguments = ["finetune", "--data-dir", str(data), "--limit", "30", "--max-steps", "2",
                 "--threads", "1", "--seed", "3"]
    runner = CliRunner()
    first = runner.invoke(model, [*arguments, "--out", str(tmp_path / "one")])
    assert first.exit_code == 0, first.output
    out = tmp_path / "one"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["steps"] == 2 and manifest["reproduce_with_max_steps"] == 2
    assert manifest["rows"]["fox"]["train"]["n"] + manifest["rows"]["fox"]["fit"]["n"] + \
        manifest["rows"]["fox"]["report"]["n"] == 30
    assert manifest["assembly_check"]["max_abs_diff"] < 1e-3
    report = json.loads((out / "report.json").read_text())
    assert set(report["probes"]["new"]) == {"threat", "threat_veiled", "violence_civil",
                                            "idiom_civil", "political_civil", "identity_pairs"}
    assert json.loads(first.output.strip().splitlines()[-1])["steps"] == 2

    checkpoint, config = build_checkpoint(out / "news-minilm-3.safetensors", tmp_path / "again")
    scores = load_local_checkpoint(checkpoint, config).predict(["the park opened late"])
    assert set(scores) == set(LABELS)

    second = runner.invoke(model, [*arguments, "--out", str(tmp_path / "two")])
    assert second.exit_code == 0, second.output
    assert json.loads((tmp_path / "two/manifest.json").read_text())["weights_sha256"] == \
        manifest["weights_sha256"]


def test_finetune_says_which_data_is_missing(tmp_path: Path) -> None:
    result = CliRunner().invoke(model, ["finetune", "--out", str(tmp_path / "out"),
                                        "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "civil_comments_random" in result.output and "missing" in result.output
