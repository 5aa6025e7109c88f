"""``moderation model adapt|shadow|report|promote``: candidates from the shell.

The ``model`` group lives with the model tools (``modelkit.cli``), which adds these.
"""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from service import db
from service.accounts.services import CLI_ACTOR
from service.moderation.learning.building import HOLD_BACK, build_candidate
from service.moderation.learning.calibration import as_dict, calibration_report
from service.moderation.learning.candidates import (
    CandidateError,
    find_candidate,
    promote,
    start_shadow,
)
from service.moderation.learning.labels import decided_comments, site_policy
from service.moderation.learning.report import candidate_report, report_lines
from service.sites.services import UnknownSite


@click.command()
@click.option("--site", default=None, help="The site's slug (default: the site `default`).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the part held back for evaluation.")
@click.option("--hold-back", type=click.FloatRange(0.05, 0.9), default=HOLD_BACK,
              show_default=True, help="Share of the decisions held back for evaluation.")
@with_appcontext
def adapt(site: str | None, seed: int, hold_back: float) -> None:
    """Build a candidate from the site's moderator decisions; print its name last."""
    try:
        with db.transaction() as session:
            candidate = build_candidate(session, site_policy(session, current_app.config, site),
                                        site=site, by=CLI_ACTOR, seed=seed, hold_back=hold_back,
                                        minimum=current_app.config["LEARNING_MIN_DECISIONS"])
            name, report = candidate.name, candidate.report
    except (CandidateError, UnknownSite) as error:
        raise click.ClickException(str(error)) from None
    evaluation = report["evaluation"]
    click.echo(f"trained on {report['trained_on']} moderator decisions; held back "
               f"{evaluation['compared']}")
    click.echo(f"agreement on the held-back part: live {evaluation['live']['agreement']}, "
               f"candidate {evaluation['candidate']['agreement']}; ROC AUC: live toxicity "
               f"{evaluation['auc']['live']}, candidate {evaluation['auc']['candidate']}")
    click.echo(name)


@click.command()
@click.argument("name")
@with_appcontext
def shadow(name: str) -> None:
    """Start shadow scoring: the candidate NAME records what it would decide, without acting."""
    try:
        with db.transaction() as session:
            start_shadow(session, name, CLI_ACTOR)
    except CandidateError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{name} now scores new comments in shadow")


@click.command()
@click.argument("name")
@with_appcontext
def report(name: str) -> None:
    """Print how the candidate NAME agrees with moderators and what it would change; the
    last line is the report as JSON."""
    session = db.session()
    try:
        candidate = find_candidate(session, name)
        figures = candidate_report(session, candidate,
                                   site_policy(session, current_app.config, candidate.site))
    except CandidateError as error:
        raise click.ClickException(str(error)) from None
    for line in report_lines(figures):
        click.echo(line)
    click.echo(json.dumps(figures, sort_keys=True))


@click.command("promote")
@click.argument("name")
@click.option("--force", is_flag=True,
              help="Promote even when the report's interval says it may publish more toxic "
                   "comments than the site allows (audited as forced).")
@with_appcontext
def promote_command(name: str, force: bool) -> None:
    """Make the candidate NAME decide new comments (audited, with the report it is based on);
    refused, unless forced, when it may publish more toxic comments than the site allows."""
    try:
        with db.transaction() as session:
            candidate = find_candidate(session, name)
            policy = site_policy(session, current_app.config, candidate.site)
            figures = candidate_report(session, candidate, policy)
            promote(session, name, CLI_ACTOR, figures, policy, force=force)
    except CandidateError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{name} promoted: it decides new comments; `moderation rescore` decides the "
               "pending and held ones again")
    click.echo(json.dumps(figures, sort_keys=True))


@click.command()
@click.option("--site", default=None, help="The site's slug (default: the site `default`).")
@with_appcontext
def calibration(site: str | None) -> None:
    """Print the precision and recall of each label's hold and reject bands against the
    site's moderator decisions; the last line is the report, with its curves, as JSON."""
    session = db.session()
    try:
        rows = decided_comments(session, site)
        labels = calibration_report(rows, site_policy(session, current_app.config, site))
    except UnknownSite as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{len(rows)} comments scored by the model and decided by moderators, "
               f"{sum(row.rejected for row in rows)} of them rejected")
    for label in labels:
        for name, band in (("hold", label.hold), ("reject", label.reject)):
            click.echo(f"{label.label:16} {name:6} >= {band.threshold:.3f}: flags {band.flagged}, "
                       f"precision {_share(band.precision)}, recall {_share(band.recall)}")
    click.echo(json.dumps({"decided": len(rows), "labels": as_dict(labels)}, sort_keys=True))


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


COMMANDS = (adapt, shadow, report, promote_command, calibration)
