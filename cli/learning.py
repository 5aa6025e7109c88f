"""``moderation rescore``: queue a bulk rescoring and show its progress until it ends."""

from __future__ import annotations

import time

import click

from service import db
from service.accounts.services import CLI_ACTOR
from service.moderation.learning.models import RescoreRun, RescoreStatus
from service.moderation.learning.tasks import start_rescore
from service.sites.services import UnknownSite


def rescore_and_wait(site: str | None, *, inline: bool, timeout: float) -> None:
    """Start a run (queued for a worker, or run here with ``inline``) and print its
    progress, then ``rescored N, skipped M``."""
    try:
        with db.transaction() as session:
            run = start_rescore(session, CLI_ACTOR, site)
            run_id = run.id
    except UnknownSite as error:
        raise click.ClickException(str(error)) from None
    if inline:
        from workers.scoring.rescore import rescore_run

        rescore_run(run_id)
    deadline, shown = time.monotonic() + timeout, None
    while True:
        session = db.session()
        # the run this session loaded when it started it stays in its identity map: read
        # the row again each time, or a worker's progress is never seen
        found = session.get(RescoreRun, run_id, populate_existing=True)
        assert found is not None
        state = (found.status, found.rescored + found.skipped, found.total)
        summary = (found.rescored, found.skipped, found.changed, found.status, found.error or "")
        session.rollback()
        if state != shown:
            click.echo(f"run {run_id}: {state[0]}, {state[1]} of {state[2]} comments", err=True)
            shown = state
        if state[0] in (RescoreStatus.DONE, RescoreStatus.FAILED):
            break
        if time.monotonic() > deadline:
            raise click.ClickException(f"run {run_id} is still {state[0]}: is a worker "
                                       "serving the scoring queue?")
        time.sleep(1)
    rescored, skipped, changed, status, failure = summary
    if status == RescoreStatus.FAILED:
        raise click.ClickException(f"run {run_id} failed: {failure}")
    click.echo(f"rescored {rescored}, skipped {skipped} ({changed} changed outcome)")
