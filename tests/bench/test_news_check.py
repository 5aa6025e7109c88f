"""``python -m bench.news_check`` against the test app served over HTTP, with a real worker
and the tiny model, on made-up harmless rows shaped like the Fox News file."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from modelkit.sources import load_sources, source_files
from service import db
from service.comments.models import Comment
from service.queueing import SCORING_QUEUE
from tests.support.work import BackgroundWorker

# Under 40 characters, so that the spam stage never takes two for near-duplicates.
CIVIL = ["The bridge works end in May.", "Buses run late on Sundays.",
         "Good piece on the school budget.", "The park needs more benches.",
         "Thanks for covering the vote.", "Rain again tomorrow, it seems.",
         "Parking fees went up in June.", "The library opens at nine.",
         "Nice photos of the harbour.", "The mayor spoke for an hour."]
LABELLED_TOXIC = ["Marked as the hateful one, {k}.", "The second label test, {k}."]


def write_fox(data_dir: Path) -> None:
    """Ten made-up articles, a civil and a labelled-hateful row under each."""
    path = source_files(data_dir)["fox"]
    path.parent.mkdir(parents=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "comment_text", "hateful", "article_title"])
        for k, civil in enumerate(CIVIL):
            writer.writerow([f"c{k}", civil, 0, f"Made-up article {k}"])
            writer.writerow([f"t{k}", LABELLED_TOXIC[k % 2].format(k=k), 1,
                             f"Made-up article {k}"])


def check(base_url: str, data_dir: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bench.news_check", "--base-url", base_url, "--source", "fox",
         "--data-dir", str(data_dir), "--max-seconds", "120", "--poll-interval", "0.05",
         *options], capture_output=True, text=True, timeout=180, check=False)


@pytest.mark.slow
def test_the_check_posts_the_report_rows_and_counts_every_decision(app, live_server, tmp_path):
    write_fox(tmp_path)
    table = load_sources(tmp_path, sources=("fox",))
    report = table.select(table.split == "report")
    worker = BackgroundWorker(app, (SCORING_QUEUE,)).start()
    try:
        result = check(live_server, tmp_path)
    finally:
        worker.stop()

    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["comments"] == len(report) == 6 and figures["threads"] == 3
    for name, expected in (("civil", 3), ("toxic", 3)):
        tally = figures["classes"][name]
        assert tally["n"] == tally["decided"] == expected, tally
        assert tally["published"] + tally["held"] + tally["rejected"] == expected
        share, low, high = tally["published_rate"]
        assert low <= share <= high and share == tally["published"] / expected
    with app.app_context():
        stored = db.session().execute(select(Comment.thread_id, Comment.body,
                                             Comment.status)).all()
    assert sorted((row.thread_id, row.body) for row in stored) == sorted(
        (f"check-fox-{group}", text) for group, text in zip(report.group, report.texts,
                                                             strict=True))
    assert all(row.status != "pending" for row in stored)
    assert not [text for text in table.texts if text in result.stdout + result.stderr]


def test_the_check_stops_and_names_the_setting_when_posting_is_limited(app, live_server,
                                                                        tmp_path):
    write_fox(tmp_path)
    app.config["RATE_LIMIT_POST"] = "2/hour"

    result = check(live_server, tmp_path)

    assert result.returncode == 1
    assert "RATE_LIMIT_POST" in result.stderr
    with app.app_context():
        assert len(db.session().scalars(select(Comment.id)).all()) == 2
