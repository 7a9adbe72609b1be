"""Command line: ``flask --app consult consult …`` and ``flask --app consult translate …``."""

from __future__ import annotations

import subprocess  # noqa: S404 - runs pybabel, our own tool, with fixed arguments
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from consult.exports.cli import report_cli
from consult.extensions import db
from consult.responses.cli import letters_cli
from consult.storage.cli import storage_cli
from consult.themes.cli import themes_cli

ROOT = Path(__file__).resolve().parent.parent


#: What a database without our tables (or behind the code) says, by driver.
_NOT_MIGRATED = ("no such table", "no such column", "does not exist")


class ConsultGroup(click.Group):
    """Commands that meet a database which is not migrated say so, instead of a traceback."""

    def invoke(self, ctx):
        from sqlalchemy.exc import OperationalError
        from sqlalchemy.exc import ProgrammingError

        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as exc:
            message = str(exc.orig if exc.orig is not None else exc).lower()
            if any(sign in message for sign in _NOT_MIGRATED):
                raise click.ClickException(
                    "The database is not migrated (or is behind this version): "
                    "run `flask db upgrade`."
                ) from None
            raise


class Progress:
    """A progress bar on a terminal; elsewhere (logs, CI) a line at every tenth."""

    def __init__(self, label: str, length: int):
        self.label, self.length, self.shown = label, max(length, 1), -1
        self.bar = click.progressbar(length=self.length, label=label, show_pos=True)
        self.tty = sys.stdout.isatty()

    def __enter__(self):
        if self.tty:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        if self.tty:
            self.bar.__exit__(*exc)

    def __call__(self, done: int, total: int | None = None) -> None:
        if total:
            self.length = self.bar.length = total
        if self.tty:
            self.bar.update(done - self.bar.pos)
        elif done * 10 // self.length != self.shown:
            self.shown = done * 10 // self.length
            click.echo(f"{self.label}: {done}/{self.length}")


@click.group("consult", cls=ConsultGroup)
def consult_cli():
    """Manage consultations, users, mail, jobs, retention and backups."""


@consult_cli.command("demo")
@click.option(
    "--responses",
    "count",
    default=260,
    show_default=True,
    type=click.IntRange(0, 100_000),
    help="How many synthetic responses the open demo consultation gets (on the first load).",
)
@with_appcontext
def demo_command(count: int):
    """Load the demo consultation, demo users and demo responses (safe to run again)."""
    from consult.demo import load_demo_drafts
    from consult.demo import load_demo_input
    from consult.demo import load_demo_reference_data
    from consult.demo import reset_demo_users

    load_demo_reference_data()
    imported = load_demo_drafts()
    logins = reset_demo_users()
    with Progress("Demo responses", count) as show:
        responses = load_demo_input(count, on_progress=show)
    db.session.commit()
    for slug in imported:
        click.echo(f"Imported demo consultation: {slug}")
    if not imported:
        click.echo("Demo consultations already loaded.")
    if responses:
        click.echo(f"Made {responses} demo responses; the oldest are moderated, the rest wait.")
    click.echo("Demo logins (new passwords each time this runs):")
    for login in logins:
        click.echo(f"  {login.role.value:<12} {login.email:<40} {login.password}")


@consult_cli.command("export")
@click.argument("slug")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "docx", "json"]),
    required=True,
    help="csv, xlsx or json: one row per input; docx: the høringsnotat.",
)
@click.option(
    "--output", type=click.Path(dir_okay=False, writable=True), required=True, help="File to write."
)
@click.option("--delimiter", type=click.Choice([";", ","]), default=";", show_default=True)
@click.option("--lang", type=click.Choice(["da", "en"]), default="da", show_default=True)
@click.option("--public", is_flag=True, help="Only what may be public (the open data).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@with_appcontext
def export_command(
    slug: str, fmt: str, output: str, delimiter: str, lang: str, public: bool, quiet: bool
):
    """Write a consultation's input (CSV, XLSX, JSON) or its høringsnotat (DOCX) to a file.

    The secretariat's export by default: every input with every field, CPR numbers masked;
    --public writes the open data instead. The file is written as it is made, in constant
    memory, with a progress bar on stderr. The exports page makes the same files as
    background jobs.
    """
    from consult.audit.services import record
    from consult.drafts.services import get_consultation
    from consult.exports.jobs import build

    consultation = get_consultation(slug)
    if consultation is None:
        raise click.ClickException(f"No consultation with the address {slug!r}.")
    bar = click.progressbar(
        length=1,
        label=f"Writing {fmt.upper()}",
        show_pos=True,
        file=sys.stderr,
        hidden=quiet,
    )
    with bar, open(output, "wb") as out:

        def show(done: int, total: int | None) -> None:
            bar.length = total or max(done, 1)
            bar.update(done - bar.pos)

        rows = build(
            show,
            consultation.id,
            fmt,
            lang=lang,
            delimiter=delimiter,
            public=public,
            out=out,
        )
    record(
        None,
        "exports.download",
        "consultation",
        consultation.id,
        consultation_id=consultation.id,
        reason=fmt,
        via="cli",
        public=public,
    )
    db.session.commit()
    click.echo(f"Wrote {output} ({rows} inputs).")


@consult_cli.command("find-duplicates")
@click.argument("slug")
@click.option(
    "--queue",
    "via_queue",
    is_flag=True,
    help="Hand it to the workers (as the page's button does) instead of running it here.",
)
@click.option("--wait", is_flag=True, help="With --queue: wait for a worker to finish it.")
@with_appcontext
def find_duplicates_command(slug: str, via_queue: bool, wait: bool):
    """Group a consultation's identical and near-identical input (campaigns) again."""
    from consult import jobs
    from consult.analysis.jobs import KIND
    from consult.analysis.jobs import topic
    from consult.drafts.services import get_consultation
    from consult.jobs import runner

    consultation = get_consultation(slug)
    if consultation is None:
        raise click.ClickException(f"No consultation with the address {slug!r}.")
    if wait and not via_queue:
        raise click.UsageError("--wait goes with --queue.")
    # A row either way: run here, it is one more job a worker could finish if this stops.
    job = jobs.enqueue(
        KIND, topic=topic(consultation), dispatch=via_queue, consultation_id=consultation.id
    )
    db.session.commit()
    if via_queue and not wait:
        click.echo(f"Job {job.id} is queued; a worker (flask consult worker) runs it.")
        return
    with click.progressbar(length=1, label="Reading the input", show_pos=True) as bar:

        def show(done: int, total: int | None) -> None:
            bar.length = total or max(done, 1)
            bar.update(done - bar.pos)

        if via_queue:
            job = jobs.wait(job.id, on_progress=show)
        else:
            runner.run(job.id, on_progress=show)
            job = db.session.get(jobs.Job, job.id, populate_existing=True)
    if job.state is not jobs.JobState.DONE:
        raise click.ClickException(f"Job {job.id} {job.state.value}: {job.error}")
    click.echo(f"{job.result['groups']} groups of near-identical input.")


@consult_cli.group("figures")
def figures_cli():
    """The secretariat's figures, counted ahead for large consultations."""


@figures_cli.command("rebuild")
@click.argument("slug")
@click.option("--queue", "via_queue", is_flag=True, help="Hand it to the workers instead.")
@with_appcontext
def figures_rebuild_command(slug: str, via_queue: bool):
    """Count a consultation's figures again (what the dashboard shows above 20,000 inputs)."""
    from consult.analysis import cube
    from consult.drafts.services import get_consultation

    consultation = get_consultation(slug)
    if consultation is None:
        raise click.ClickException(f"No consultation with the address {slug!r}.")
    if via_queue:
        job = cube.queue_rebuild(consultation.id)
        db.session.commit()
        click.echo(f"Job {job.id} is queued; a worker (flask consult worker) runs it.")
        return
    stored = cube.rebuild(consultation.id)
    click.echo(f"Figures of {stored.inputs} inputs counted.")


@consult_cli.command("worker")
@click.option(
    "--threads",
    default=1,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Jobs this process runs at the same time.",
)
@with_appcontext
def worker_command(threads: int):
    """Run background jobs until stopped: mail, reminders, duplicate finding.

    Takes jobs from the queue (CONSULT_JOBS_URL) and runs the scheduled ones (mail every
    minute; the sweep that queues again a job whose worker died). Run several on several
    machines if you like. SIGTERM lets the running job finish first (at most
    CONSULT_JOBS_SHUTDOWN_SECONDS); SIGINT stops at once, and the job is run again later.
    """
    import logging

    from flask import current_app

    from consult.jobs.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    run_worker(current_app._get_current_object(), threads=threads)


@consult_cli.command("load-reference")
@with_appcontext
def load_reference_command():
    """Load Region Hovedstaden's municipalities, clusters and respondent types (once)."""
    from consult.reference.seed import load_reference_data

    added = load_reference_data()
    db.session.commit()
    click.echo(f"Added {added} reference entries." if added else "Reference data already loaded.")


@consult_cli.command("import-draft")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_draft_command(path: Path):
    """Import a draft from a YAML file (docs/draft-format.md)."""
    from consult.drafts.importer import DraftFormatError
    from consult.drafts.importer import import_draft

    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path}: not UTF-8 text") from None
    try:
        consultation = import_draft(source)
        db.session.commit()
    except DraftFormatError as exc:
        db.session.rollback()
        raise click.ClickException(f"{path}: {exc}") from None
    click.echo(f"Imported '{consultation.slug}' (version {consultation.versions[-1].number}).")


@consult_cli.command("create-user")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(["admin", "secretariat", "moderator", "facilitator", "respondent"]),
    default="respondent",
    show_default=True,
    help="What the account may do.",
)
@click.option("--name", default="", help="Display name.")
@click.password_option(help="Asked for when not given.")
@with_appcontext
def create_user_command(email: str, role: str, name: str, password: str):
    """Create a confirmed account with a role."""
    from email_validator import EmailNotValidError
    from email_validator import validate_email

    from consult.accounts.models import Role
    from consult.accounts.passwords import MIN_LENGTH
    from consult.accounts.services import create_user
    from consult.accounts.services import find_user_by_email

    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise click.ClickException(str(exc)) from None
    if len(password) < MIN_LENGTH:
        raise click.ClickException(f"the password needs at least {MIN_LENGTH} characters")
    if find_user_by_email(email):
        raise click.ClickException(f"{email} already has an account")
    user = create_user(email, password, role=Role(role), name=name, confirmed=True)
    db.session.commit()
    click.echo(f"Created {role} {user.email}.")


@consult_cli.command("send-mail")
@click.option("--limit", default=500, show_default=True, help="Most messages to send this run.")
@with_appcontext
def send_mail_command(limit: int):
    """Deliver queued mail over SMTP; what fails stays queued for the next run."""
    from consult.mail.services import deliver_pending

    report = deliver_pending(limit=limit)
    click.echo(f"Sent {report.sent}, failed {report.failed}, still queued {report.remaining}.")
    if report.failed:
        sys.exit(1)


@consult_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
@with_appcontext
def purge_command(dry_run: bool):
    """Remove what the retention periods (CONSULT_RETENTION_*) no longer allow.

    Mail texts, ended sign-ins, used links and devices, finished jobs, notes in the audit log,
    one-off respondents' addresses and letters after the memo. The workers also run this
    every night; it is safe to run at any time.
    """
    from consult.db import write_lock
    from consult.privacy.retention import purge
    from consult.responses.letters import remove_files

    db.session.commit()
    with write_lock():
        outcomes, files = purge(dry_run=dry_run)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    if not dry_run:
        remove_files(*files)
    verb = "Would remove" if dry_run else "Removed"
    for outcome in outcomes:
        click.echo(f"{verb} {outcome.count:>7} {outcome.what} ({outcome.rule})")


@consult_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def backup_command(path: Path):
    """Write the database and the stored files to one archive (.tar.gz) at PATH.

    SQLite is copied with its online backup API, PostgreSQL with pg_dump; both are
    consistent while the app runs. Stored files come through the storage backend.
    """
    from consult.ops.backup import BackupError
    from consult.ops.backup import backup

    try:
        summary = backup(path, progress=lambda step: click.echo(f"  {step}", err=True))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Wrote {path}: {summary.backend} database (revision {summary.revision}), "
        f"{summary.files} files."
    )


@consult_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a database that already holds data.")
@with_appcontext
def restore_command(path: Path, force: bool):
    """Bring back a backup made by `flask consult backup`: the database and the files.

    Refuses a database that holds any rows unless --force is given. Stop the web and worker
    processes first; run `flask db upgrade` after restoring an older backup.
    """
    from consult.ops.backup import BackupError
    from consult.ops.backup import restore

    try:
        summary = restore(
            path, force=force, progress=lambda step: click.echo(f"  {step}", err=True)
        )
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Restored {path}: {summary.backend} database (revision {summary.revision}), "
        f"{summary.files} files."
    )


consult_cli.add_command(themes_cli)
consult_cli.add_command(report_cli)
consult_cli.add_command(storage_cli)
consult_cli.add_command(letters_cli)


# --- translations -----------------------------------------------------------------------------


@click.group("translate")
def translate_cli():
    """Extract, update and compile the translation catalogs (wraps pybabel)."""


def _pybabel(*args: str) -> None:
    cmd = [sys.executable, "-m", "babel.messages.frontend", *args]
    if subprocess.run(cmd, cwd=ROOT, check=False).returncode != 0:  # noqa: S603
        raise click.ClickException("pybabel failed: " + " ".join(args))


def extract() -> None:
    _pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "-k",
        "lazy_gettext",
        "--no-location",
        "--sort-output",
        "--omit-header",
        "--width",
        "100",
        "-o",
        "translations/messages.pot",
        ".",
    )


@translate_cli.command("extract")
def extract_command():
    """Write translations/messages.pot from the code and templates."""
    extract()


@translate_cli.command("update")
def update_command():
    """Extract, then merge new strings into every language's messages.po."""
    extract()
    _pybabel(
        "update",
        "-i",
        "translations/messages.pot",
        "-d",
        "translations",
        "--no-fuzzy-matching",
        "--width",
        "100",
    )


@translate_cli.command("compile")
def compile_command():
    """Build the .mo files the app reads."""
    _pybabel("compile", "-d", "translations")


def _register_readside_commands() -> None:
    from consult.readside.staff import remask_command
    from consult.readside.upkeep import recount_command

    consult_cli.add_command(recount_command)
    consult_cli.add_command(remask_command)


_register_readside_commands()
