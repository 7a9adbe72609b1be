"""``flask consult report build``: build the public report ahead of time, with a progress bar."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from consult.extensions import db


@click.group("report")
def report_cli():
    """The public report, built by the workers (consult/exports/report_jobs.py)."""


@report_cli.command("build")
@click.option("--consultation", "slug", help="Only this consultation (its address).")
@with_appcontext
def build_command(slug: str | None):
    """Build what is not stored yet of the public report, PDF and DOCX in both languages.

    Without --consultation: every consultation that is closed, in reporting or published.
    It runs here, as the job would; a build already stored is left as it is.
    """
    from consult.drafts.models import Consultation
    from consult.drafts.services import current_version
    from consult.drafts.services import get_consultation
    from consult.exports import report_jobs

    if slug:
        consultation = get_consultation(slug)
        if consultation is None:
            raise click.ClickException(f"No consultation with the address {slug!r}.")
        consultations = [consultation]
    else:
        consultations = db.session.scalars(
            select(Consultation)
            .where(Consultation.status.in_(report_jobs.REPORT_STATUSES))
            .order_by(Consultation.id)
        ).all()
    for consultation in consultations:
        if current_version(consultation) is None:
            click.echo(f"{consultation.slug}: no draft, no report.")
            continue
        label = consultation.slug
        with click.progressbar(length=report_jobs.STEPS, label=label, show_pos=True) as bar:

            def show(done: int, total: int) -> None:
                bar.update(done - bar.pos)

            built = report_jobs.build_reports(consultation, show)
        click.echo(f"{label}: {built} built" if built else f"{label}: up to date")
