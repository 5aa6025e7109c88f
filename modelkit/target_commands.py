"""``moderation model targets`` and ``moderation model compare``: fit the site targets of
the configured model, and compare two models fitted so, on the report halves."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click


@click.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The calibration file to write (weights/<name>.calibration.json ships it).")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="Folder with the five sources (default: ../shared/data).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the splits (as given to `finetune`).")
@click.option("--save-scores", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also keep the raw scores (ids, scores, probe scores) in this .npz file.")
@click.option("--progress/--no-progress", default=True, show_default=True)
def targets(out: Path, data_dir: Path | None, seed: int, save_scores: Path | None,
            progress: bool) -> None:
    """Calibrate the configured model and fit the policy of each site target.

    Scores the held-out halves of the five sources with MODERATION_MODEL (raw), fits the
    calibration (all sources) and the thresholds of each target (queue budgets and safety
    targets, on the news comments) on the fit halves, and reports them on the report
    halves, each source apart. The last line is one JSON object: per target, its
    thresholds and the news report-half rates.
    """
    import numpy as np

    from modelkit.calibration import write_calibration
    from modelkit.metrics import json_safe
    from modelkit.probes import load_probes
    from modelkit.sources import DEFAULT_DATA_DIR, load_sources
    from modelkit.targets import (
        calibrated,
        fit_and_report,
        report_in_force,
        score_raw,
        summary_lines,
    )
    from service.config import load_config
    from service.policy import Policy
    from workers.scoring.scorer import load_scorer

    table = load_sources(data_dir or DEFAULT_DATA_DIR, seed)
    held = np.flatnonzero(table.split != "train")
    probe_ids, probe_texts = load_probes().rows()
    config = load_config()
    scorer = load_scorer(config)
    started = time.monotonic()
    raw = score_raw(scorer, [table.texts[i] for i in held], progress)
    seconds = time.monotonic() - started
    probe_raw = score_raw(scorer, probe_texts)
    if save_scores:
        np.savez_compressed(save_scores, ids=np.array([table.ids[i] for i in held]), scores=raw,
                            probe_ids=np.array(probe_ids), probe_scores=probe_raw)
    result = fit_and_report(table, held, raw, probe_ids, probe_raw)
    result["model"] = {"name": scorer.name, "version": scorer.version}
    result["scoring"] = {"comments": len(held), "seconds": round(seconds, 1),
                         "per_second": round(len(held) / seconds, 1),
                         "torch_threads": config["TORCH_THREADS"],
                         "batch_size": config["SCORING_BATCH_SIZE"]}
    write_calibration(json_safe(result), out)
    policy = Policy.from_overrides(config["MODERATION_THRESHOLDS"])
    in_force = report_in_force(  # as served: with the model's shipped calibration, if any
        policy.hold, policy.reject, table, held, calibrated(scorer.calibration, raw), probe_ids,
        calibrated(scorer.calibration, probe_raw))
    click.echo(f"scored {len(held)} held-out comments in {seconds:.0f} s "
               f"({len(held) / seconds:.1f} comments/s)")
    for line in summary_lines(result | {"in_force": in_force}):
        click.echo(line)
    click.echo(json.dumps(json_safe({
        target: {"hold": fitted["hold"], "reject": fitted["reject"],
                 "news": fitted["report"]["per_source"].get("news")}
        for target, fitted in [*result["targets"].items(), ("in_force", in_force)]})))


@click.command()
@click.option("--old", "old_files", nargs=2, required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The first model's calibration file and --save-scores file (`model targets`).")
@click.option("--new", "new_files", nargs=2, required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The second model's calibration file and --save-scores file.")
@click.option("--target", default="queue 5%", show_default=True,
              help="The target (each model's own thresholds) under which to decide.")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="Folder with the five sources (default: ../shared/data).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the splits (as given to `targets`).")
def compare(old_files: tuple[Path, Path], new_files: tuple[Path, Path], target: str,
            data_dir: Path | None, seed: int) -> None:
    """Compare two models on the report halves, with paired bootstrap intervals.

    Per part: toxicity AUC, civil held and toxic published under TARGET; then the
    probes. The last line is one JSON object with every figure.
    """
    from modelkit.compare import compare as run_compare
    from modelkit.compare import load_scores, summary_lines
    from modelkit.metrics import json_safe
    from modelkit.sources import DEFAULT_DATA_DIR, load_sources

    table = load_sources(data_dir or DEFAULT_DATA_DIR, seed)
    try:
        result = run_compare(table, load_scores(old_files[1]), load_scores(new_files[1]),
                             json.loads(old_files[0].read_text(encoding="utf-8")),
                             json.loads(new_files[0].read_text(encoding="utf-8")), target)
    except (KeyError, ValueError) as error:
        raise click.ClickException(f"cannot compare: {error}") from error
    for line in summary_lines(result):
        click.echo(line)
    click.echo(json.dumps(json_safe(result)))
