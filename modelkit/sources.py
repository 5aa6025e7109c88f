"""The five labelled sources in one table: Detoxify labels with a mask, weights and splits.

Their labels differ (see ``../shared/data/*/README.md``), so each is mapped on its own:

* ``news``: Civil Comments at their natural balance (``civil_comments_random``), the
  product's own domain and the main in-domain source: rater shares as soft labels
  (``random`` rows know only toxicity; the ``balanced_*`` rows all six); 30% held out.
* ``jigsaw``: Wikipedia talk pages, six hard labels -> all six heads.
* ``civil``: Civil Comments toxic-spans posts: rater shares (soft labels) for toxicity,
  obscene, threat, insult and identity_attack; severe_toxicity is masked. Every post was
  chosen because raters had called it toxic, so its rows below 0.5 are borderline, not
  clean: all of them are soft labels of modest weight.
* ``olid``: tweets. NOT (0) -> every head 0; OFF targeted -> toxicity 1; OFF untargeted
  (mere profanity, which a site may publish) -> toxicity 0.5; the other heads are masked
  for OFF tweets.
* ``fox``: Fox News comments, ``hateful`` (broad, debatable) -> toxicity only.

Splits are a pure function of (seed, source, id), or for Fox News of the article title,
so they can be rebuilt from the ids alone: jigsaw, civil and olid put about 85% in
``train`` and cut the rest in two halves, ``fit`` (checkpoint selection, thresholds) and
``report`` (figures only); Fox News puts 4 in 10 articles in ``train``, 3 in ``fit`` and
the rest in ``report``, so that no article's thread is on both sides.

Only numpy and the standard library. Nothing here prints comment texts.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workers.scoring.labels import DETOXIFY_LABELS, JIGSAW_CLASSES

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"
"""``../shared/data`` beside the repository, as ``README.md`` and ``bench/`` expect it."""

LABELS: tuple[str, ...] = DETOXIFY_LABELS
"""Columns of ``Table.targets``: the model's outputs, in order."""
SOURCES: tuple[str, ...] = ("news", "jigsaw", "civil", "olid", "fox")
SPLITS: tuple[str, ...] = ("train", "fit", "report")
FOLDERS: dict[str, str] = {"news": "civil_comments_random", "jigsaw": "jigsaw",
                           "civil": "civil_comments", "olid": "olid", "fox": "fox_news"}
"""Source -> folder under the data directory (each holds ``train.csv``)."""

VAL_FRACTION = 0.15
NEWS_VAL_FRACTION = 0.3
"""The natural-balance news comments hold out twice as much: their ``fit`` half sets the
thresholds and their ``report`` half is the figure a newsroom feels, so both need toxic rows."""
FOX_TRAIN_SHARE = 0.4
FOX_FIT_SHARE = 0.3

WEIGHTS: dict[str, float] = {
    "news": 2.0,          # natural-balance news comments: the main in-domain source
    "jigsaw": 1.0,
    "civil": 0.5,         # toxic-selected posts: soft labels, borderline below 0.5
    "olid": 0.7,
    "fox_clean": 1.0,
    "fox_hateful": 0.25,  # a broad, debatable label: little weight
    "augment": 1.0,
}
"""Per-row sample weights by source (and class, where the source is biased)."""

_CIVIL_LABELS = ("toxicity", "obscene", "threat", "insult", "identity_attack")


@dataclass
class Table:
    """Rows of one or more sources.

    Attributes:
        ids: ``<source>:<id>`` per row (unique).
        texts: the comment texts.
        source: per row, one of ``SOURCES`` (or ``augment``).
        split: per row, one of ``SPLITS``.
        targets: ``(n, 6)`` float32 in ``LABELS`` order, in [0, 1] (soft where so labelled).
        mask: ``(n, 6)`` float32, 1 where the label is known.
        weight: per-row sample weight.
        toxic: per row, the binary label used for evaluation (jigsaw: any label; civil:
            toxicity >= 0.5; olid: offensive; fox: hateful).
        group: per-row tag for analysis (fox: ``article<k>``; olid: its target).
    """

    ids: list[str]
    texts: list[str]
    source: np.ndarray
    split: np.ndarray
    targets: np.ndarray
    mask: np.ndarray
    weight: np.ndarray
    toxic: np.ndarray
    group: list[str]

    def __len__(self) -> int:
        return len(self.texts)

    def select(self, rows: np.ndarray) -> Table:
        """The rows where the boolean ``rows`` is true, or the rows at those indices."""
        index = np.flatnonzero(rows) if rows.dtype == bool else np.asarray(rows)
        return Table([self.ids[i] for i in index], [self.texts[i] for i in index],
                     self.source[index], self.split[index], self.targets[index],
                     self.mask[index], self.weight[index], self.toxic[index],
                     [self.group[i] for i in index])

    @staticmethod
    def concat(parts: Sequence[Table]) -> Table:
        """The rows of ``parts``, in order."""
        return Table(
            [i for p in parts for i in p.ids], [t for p in parts for t in p.texts],
            np.concatenate([p.source for p in parts]), np.concatenate([p.split for p in parts]),
            np.concatenate([p.targets for p in parts]), np.concatenate([p.mask for p in parts]),
            np.concatenate([p.weight for p in parts]), np.concatenate([p.toxic for p in parts]),
            [g for p in parts for g in p.group],
        )


def make_table(source: str, ids: Sequence[str], texts: Sequence[str], splits: Sequence[str],
               targets: np.ndarray, mask: np.ndarray, weight: np.ndarray, toxic: np.ndarray,
               group: Sequence[str] | None = None) -> Table:
    """A ``Table`` of one source, ids prefixed with it."""
    n = len(ids)
    return Table([f"{source}:{i}" for i in ids], list(texts), np.array([source] * n, dtype=object),
                 np.array(list(splits), dtype=object),
                 np.asarray(targets, np.float32).reshape(n, len(LABELS)),
                 np.asarray(mask, np.float32).reshape(n, len(LABELS)),
                 np.asarray(weight, np.float32).reshape(n), np.asarray(toxic, np.float32),
                 list(group) if group is not None else [""] * n)


def unit_hash(*parts: object) -> float:
    """A deterministic number in [0, 1) from ``parts`` (sha256)."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def id_split(source: str, id_: str, seed: int, held_out: float = VAL_FRACTION) -> str:
    """``train``, ``fit`` or ``report`` for a news, jigsaw, civil or olid row.

    ``held_out`` of the rows go to ``fit`` and ``report``, half each.
    """
    if unit_hash(seed, source, id_) >= held_out:
        return "train"
    return "fit" if unit_hash(seed, source, id_, "half") < 0.5 else "report"


def fox_article_splits(titles: Sequence[str], seed: int) -> dict[str, str]:
    """Article title -> split: articles ordered by a seeded hash, then 40% / 30% / 30%.

    With ten articles: 4 train, 3 fit, 3 report.
    """
    ordered = sorted(set(titles), key=lambda title: unit_hash(seed, "fox-article", title))
    train_end = round(FOX_TRAIN_SHARE * len(ordered))
    fit_end = train_end + round(FOX_FIT_SHARE * len(ordered))
    return {title: "train" if rank < train_end else "fit" if rank < fit_end else "report"
            for rank, title in enumerate(ordered)}


def read_rows(path: Path, columns: Sequence[str], limit: int | None = None) -> list[dict[str, str]]:
    """The first ``limit`` rows (all if None) of a CSV that must have ``columns``.

    Raises:
        ValueError: if a column is missing.
    """
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in columns if name not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        rows: list[dict[str, str]] = []
        for row in reader:
            if limit is not None and len(rows) >= limit:
                break
            rows.append(row)
    return rows


def _cell(row: dict[str, str], column: str, path: Path) -> float:
    """A label cell as a float in [0, 1]; NaN when empty or -1 (unlabelled)."""
    cell = (row.get(column) or "").strip()
    if cell in {"", "-1"}:
        return float("nan")
    try:
        value = float(cell)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{path}: id {row.get('id')!r}, column {column}: expected 0..1")
    return value


def load_jigsaw(path: Path, seed: int, limit: int | None = None) -> Table:
    """Jigsaw: its six columns are the six heads; an empty cell is masked."""
    rows = read_rows(path, ("id", "comment_text", *JIGSAW_CLASSES), limit)
    raw = np.array([[_cell(r, c, path) for c in JIGSAW_CLASSES] for r in rows],
                   np.float32).reshape(len(rows), len(LABELS))
    mask = ~np.isnan(raw)
    targets = np.nan_to_num(raw)
    toxic = (targets * mask).max(axis=1, initial=0.0) >= 0.5
    return make_table("jigsaw", [r["id"] for r in rows], [r["comment_text"] for r in rows],
                      [id_split("jigsaw", r["id"], seed) for r in rows], targets, mask,
                      np.full(len(rows), WEIGHTS["jigsaw"]), toxic)


def load_civil(path: Path, seed: int, limit: int | None = None) -> Table:
    """Civil Comments: rater shares as soft labels; severe_toxicity masked."""
    rows = read_rows(path, ("id", "comment_text", *_CIVIL_LABELS), limit)
    n = len(rows)
    targets = np.zeros((n, len(LABELS)), np.float32)
    mask = np.ones((n, len(LABELS)), np.float32)
    mask[:, LABELS.index("severe_toxicity")] = 0.0
    for label in _CIVIL_LABELS:
        values = np.array([_cell(r, label, path) for r in rows], np.float32)
        mask[:, LABELS.index(label)] *= ~np.isnan(values)
        targets[:, LABELS.index(label)] = np.nan_to_num(values)
    toxic = targets[:, 0] >= 0.5
    return make_table("civil", [r["id"] for r in rows], [r["comment_text"] for r in rows],
                      [id_split("civil", r["id"], seed) for r in rows], targets, mask,
                      np.full(n, WEIGHTS["civil"]), toxic)


def load_news(path: Path, seed: int, limit: int | None = None) -> Table:
    """Natural-balance Civil Comments: rater shares; an empty share is masked.

    ``group`` is the row's ``selection`` (``random``, ``balanced_clean``, ``balanced_toxic``):
    only ``random`` rows have the stream's balance.
    """
    rows = read_rows(path, ("id", "comment_text", "selection", *LABELS), limit)
    raw = np.array([[_cell(r, label, path) for label in LABELS] for r in rows],
                   np.float32).reshape(len(rows), len(LABELS))
    mask = ~np.isnan(raw)
    targets = np.nan_to_num(raw)
    splits = [id_split("news", r["id"], seed, NEWS_VAL_FRACTION) for r in rows]
    return make_table("news", [r["id"] for r in rows], [r["comment_text"] for r in rows],
                      splits, targets, mask,
                      np.full(len(rows), WEIGHTS["news"]), targets[:, 0] >= 0.5,
                      [r["selection"] for r in rows])


def load_olid(path: Path, seed: int, limit: int | None = None) -> Table:
    """OLID: NOT -> all heads 0; OFF targeted -> toxicity 1, untargeted -> 0.5, rest masked."""
    rows = read_rows(path, ("id", "comment_text", "offensive", "targeted", "target"), limit)
    n = len(rows)
    targets = np.zeros((n, len(LABELS)), np.float32)
    mask = np.ones((n, len(LABELS)), np.float32)
    offensive = np.array([r["offensive"].strip() == "1" for r in rows], dtype=bool)
    targeted = np.array([r["targeted"].strip() == "1" for r in rows], dtype=bool)
    targets[offensive, 0] = np.where(targeted[offensive], 1.0, 0.5)
    mask[offensive, 1:] = 0.0  # an offensive tweet's kind (insult, threat...) is unknown
    group = [r["target"] or ("UNT" if off else "NOT") for r, off in zip(rows, offensive,
                                                                        strict=True)]
    return make_table("olid", [r["id"] for r in rows], [r["comment_text"] for r in rows],
                      [id_split("olid", r["id"], seed) for r in rows], targets, mask,
                      np.full(n, WEIGHTS["olid"]), offensive, group)


def load_fox(path: Path, seed: int, limit: int | None = None) -> Table:
    """Fox News: ``hateful`` -> toxicity only; split by article."""
    rows = read_rows(path, ("id", "comment_text", "hateful", "article_title"), limit)
    n = len(rows)
    titles = [r["article_title"] for r in rows]
    cuts = fox_article_splits(titles, seed)
    hateful = np.nan_to_num(np.array([_cell(r, "hateful", path) for r in rows], np.float32))
    targets = np.zeros((n, len(LABELS)), np.float32)
    mask = np.zeros((n, len(LABELS)), np.float32)
    targets[:, 0], mask[:, 0] = hateful, 1.0
    weight = np.where(hateful >= 0.5, WEIGHTS["fox_hateful"], WEIGHTS["fox_clean"])
    ranks = {t: k for k, t in enumerate(sorted(cuts, key=lambda t: unit_hash(seed, "fox-article",
                                                                               t)))}
    return make_table("fox", [r["id"] for r in rows], [r["comment_text"] for r in rows],
                      [cuts[t] for t in titles], targets, mask, weight, hateful >= 0.5,
                      [f"article{ranks[t]}" for t in titles])


LOADERS: dict[str, Callable[[Path, int, int | None], Table]] = {
    "news": load_news, "jigsaw": load_jigsaw, "civil": load_civil, "olid": load_olid,
    "fox": load_fox,
}


def source_files(data_dir: str | Path = DEFAULT_DATA_DIR) -> dict[str, Path]:
    """Source -> its ``train.csv`` under ``data_dir``."""
    return {source: Path(data_dir) / FOLDERS[source] / "train.csv" for source in SOURCES}


def load_sources(data_dir: str | Path = DEFAULT_DATA_DIR, seed: int = 0,
                 limit: int | None = None, sources: Sequence[str] = SOURCES) -> Table:
    """Every source (or those named), in ``SOURCES`` order, with its split.

    Args:
        data_dir: the folder holding ``civil_comments_random/``, ``jigsaw/``,
            ``civil_comments/``, ``olid/`` and ``fox_news/``, each with a ``train.csv``.
        seed: of the splits.
        limit: read only the first ``limit`` rows of each source (a quick run).
        sources: the sources to read (a row's split does not depend on the others).

    Raises:
        FileNotFoundError: if a source's file is missing.
        ValueError: if a file lacks a column or has a label outside 0..1, or a source is
            unknown.
    """
    if unknown := set(sources) - set(SOURCES):
        raise ValueError(f"unknown source(s) {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(SOURCES)}")
    files = {source: path for source, path in source_files(data_dir).items()
             if source in sources}
    for path in files.values():
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing (the shared data beside the repository)")
    return Table.concat([LOADERS[source](path, seed, limit) for source, path in files.items()])


def split_rows(table: Table, split: str, seed: int = 0, limit: int | None = None) -> np.ndarray:
    """The indices of ``table``'s rows in ``split``, in a seeded order, the first ``limit``
    of them (all if None): e.g. the ``report`` rows, which no training or fitting saw."""
    index = np.flatnonzero(table.split == split)
    return np.random.default_rng(seed).permutation(index)[:limit]


def split_counts(table: Table) -> dict[str, dict[str, dict[str, int]]]:
    """source -> split -> ``{"n", "toxic"}`` (for the manifest; no texts)."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for source in dict.fromkeys(table.source.tolist()):
        out[source] = {}
        for split in SPLITS:
            rows = (table.source == source) & (table.split == split)
            if rows.any():
                out[source][split] = {"n": int(rows.sum()), "toxic": int(table.toxic[rows].sum())}
    return out


def save_splits(table: Table, path: str | Path) -> None:
    """Write ``id,source,split,group`` (no texts), so the assignment can be checked."""
    with Path(path).open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "source", "split", "group"])
        writer.writerows(zip(table.ids, table.source, table.split, table.group, strict=True))
