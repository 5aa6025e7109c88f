"""The simulated site of ``moderation model learning-curve``: which rows it takes."""

from __future__ import annotations

import csv
from pathlib import Path

from modelkit.site_learning import site_rows
from modelkit.sources import load_fox


def test_the_fox_site_takes_the_held_out_articles_with_their_verdicts(tmp_path: Path) -> None:
    folder = tmp_path / "fox_news"
    folder.mkdir()
    with (folder / "train.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "comment_text", "hateful", "article_title"])
        for k in range(40):
            writer.writerow([f"c{k}", f"comment {k}", int(k % 3 == 0), f"article {k % 10}"])
    ids, texts, shares, keep = site_rows(tmp_path, ["fit", "report"], False, "fox")
    split = load_fox(folder / "train.csv", 0).split
    assert ids == [f"c{k}" for k in range(40)] and texts[1] == "comment 1"
    assert shares == [1.0 if k % 3 == 0 else 0.0 for k in range(40)]
    assert list(keep) == [s in ("fit", "report") for s in split]
    assert 0 < keep.sum() < 40  # train articles left out (4 of 10)
    assert site_rows(tmp_path, ["all"], True, "fox")[3].all()  # no selections on fox
