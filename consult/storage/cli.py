"""``flask consult storage …``: bring files kept before the stored files into them."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from consult import storage
from consult.extensions import db


@click.group("storage")
def storage_cli():
    """The stored files (letters, built reports): FILE_STORAGE says where they live."""


@storage_cli.command("import-files")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def import_files_command(folder: Path | None):
    """Copy the letters kept in FOLDER (default instance/letters) into the stored files.

    Letters uploaded before the stored files lay in that folder under their random names.
    Each one a letter row points at is stored as letters/<name> (unless it is there already);
    the folder is left as it is, to be removed by hand once the letters download. Safe to run
    again. Built reports (instance/reports) need nothing: the workers build them again.
    """
    from consult.responses.letters import key_of
    from consult.responses.models import Letter

    folder = folder or Path(current_app.instance_path, "letters")
    if not folder.is_dir():
        raise click.ClickException(f"No folder {folder}.")
    names = set(db.session.scalars(select(Letter.storage_name)))
    copied = present = unknown = 0
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        if path.name not in names:
            unknown += 1
            continue
        if storage.exists(key_of(path.name)):
            present += 1
            continue
        with path.open("rb") as source:
            storage.save(key_of(path.name), source)
        db.session.commit()
        copied += 1
    missing = sum(1 for name in names if not storage.exists(key_of(name)))
    click.echo(
        f"Copied {copied} letters, {present} were stored already, {unknown} files no letter "
        f"points at were left alone; {missing} letters still have no file."
    )
    if missing:
        raise SystemExit(1)
