"""One archive with everything needed to bring the platform back: the database and the files.

``backup(path)`` writes a gzipped tar:

- ``manifest.json``: the format, when, which database, the schema revision, the files;
- ``database.sqlite`` (SQLite's online backup API: a consistent copy while the app runs) or
  ``database.dump`` (``pg_dump --format=custom``, consistent by its snapshot);
- ``files/<key>`` for every stored file under ``PREFIXES``, through ``consult.storage`` only
  (``keys``, ``open``, ``save``), so it works whichever backend holds them;
- ``letter-dir/<name>``: letters still kept in ``LETTER_DIR`` rather than in the storage
  (until they move there, every letter is in one of the two).

``restore(path)`` refuses a database that holds rows unless ``force`` is given, then puts the
database back (SQLite's backup API the other way; ``pg_restore --clean``) and saves the files.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump and pg_restore, fixed arguments, no shell
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.engine import make_url

from consult import storage
from consult.db import utcnow
from consult.extensions import db

FORMAT = 1
#: The stored files' prefixes in use (letters, built reports, finished exports).
PREFIXES = ("letters/", "reports/", "exports/")

Progress = Callable[[str], None]


class BackupError(RuntimeError):
    """The backup or restore cannot go on; the message says why, for the command line."""


@dataclass
class Summary:
    backend: str
    revision: str | None
    files: int


def _backend() -> str:
    return db.engine.url.get_backend_name()


def _revision() -> str | None:
    try:
        return db.session.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception:  # noqa: BLE001 - a database made by create_all has no such table
        db.session.rollback()
        return None


def _pg_env() -> dict[str, str]:
    """libpq's variables for the app's database: no password on a command line."""
    url = make_url(db.engine.url.render_as_string(hide_password=False))
    env = dict(os.environ)
    for name, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            env[name] = str(value)
    return env


def _run(args: list[str]) -> None:
    tool = shutil.which(args[0])
    if tool is None:
        raise BackupError(f"{args[0]} is not installed (Debian: apt-get install postgresql-client)")
    done = subprocess.run(  # noqa: S603
        [tool, *args[1:]], env=_pg_env(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed: {done.stderr.strip()[-2000:]}")


# --- backup ----------------------------------------------------------------------------------


def _dump_database(target: Path) -> str:
    """Write the database to ``target``; return its name inside the archive."""
    db.session.commit()
    if _backend() == "sqlite":
        name = "database.sqlite"
        raw = db.engine.raw_connection()
        try:
            with sqlite3.connect(target / name) as copy:
                raw.driver_connection.backup(copy)
            copy.close()
        finally:
            raw.close()
        return name
    name = "database.dump"
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "-f", str(target / name)])
    return name


def _letter_dir() -> Path | None:
    from flask import current_app

    folder = Path(
        current_app.config.get("LETTER_DIR") or Path(current_app.instance_path, "letters")
    )
    return folder if folder.is_dir() else None


def _legacy_letters() -> list[Path]:
    folder = _letter_dir()
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder else []


def backup(path: str | Path, progress: Progress = lambda _: None) -> Summary:
    """Write the archive to ``path`` (replaced only once whole)."""
    path = Path(path)
    keys = sorted({key for prefix in PREFIXES for key in storage.keys(prefix)})
    legacy = _legacy_letters()
    with tempfile.TemporaryDirectory(prefix="consult-backup-") as scratch:
        work = Path(scratch)
        progress("database")
        database = _dump_database(work)
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat(),
            "backend": _backend(),
            "revision": _revision(),
            "database": database,
            "files": keys,
            "letter_dir": [p.name for p in legacy],
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2))
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(work / "manifest.json", "manifest.json")
            archive.add(work / database, database)
            for key in keys:
                progress(key)
                with tempfile.TemporaryFile() as spool, storage.open(key) as stream:
                    shutil.copyfileobj(stream, spool)
                    info = tarfile.TarInfo(f"files/{key}")
                    info.size = spool.tell()
                    info.mtime = int(utcnow().timestamp())
                    spool.seek(0)
                    archive.addfile(info, spool)
            for letter in legacy:
                progress(f"letter {letter.name}")
                archive.add(letter, f"letter-dir/{letter.name}")
        partial.replace(path)
    return Summary(manifest["backend"], manifest["revision"], len(keys) + len(legacy))


# --- restore ---------------------------------------------------------------------------------


def rows_present() -> bool:
    """Whether any of the app's tables exists and holds a row."""
    existing = set(inspect(db.engine).get_table_names())
    for table in db.metadata.sorted_tables:
        if table.name in existing and db.session.scalar(
            select(func.count()).select_from(select(table).limit(1).subquery())
        ):
            return True
    return False


def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile("manifest.json"))
    except (KeyError, ValueError):
        raise BackupError("not a consult backup: manifest.json is missing or broken") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not {FORMAT}")
    return manifest


def _restore_database(archive: tarfile.TarFile, manifest: dict, work: Path) -> None:
    if manifest["backend"] != _backend():
        raise BackupError(
            f"the backup is of a {manifest['backend']} database; this one is {_backend()}"
        )
    archive.extract(manifest["database"], work, filter="data")
    source = work / manifest["database"]
    db.session.remove()
    if _backend() == "sqlite":
        raw = db.engine.raw_connection()
        try:
            with sqlite3.connect(source) as copy:
                copy.backup(raw.driver_connection)
            copy.close()
        finally:
            raw.close()
    else:
        db.engine.dispose()  # pg_restore --clean drops tables: no connection of ours holds them
        database = make_url(db.engine.url.render_as_string(hide_password=False)).database
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "-d",
                database,
                str(source),
            ]
        )
    db.engine.dispose()  # pooled connections may hold the old schema


def restore(path: str | Path, *, force: bool = False, progress: Progress = lambda _: None):
    """Bring back the database and the files of the archive at ``path``."""
    if not force and rows_present():
        raise BackupError("the database is not empty: restore with --force to overwrite it")
    with (
        tarfile.open(path, "r:gz") as archive,
        tempfile.TemporaryDirectory(prefix="consult-restore-") as scratch,
    ):
        manifest = _read_manifest(archive)
        progress("database")
        _restore_database(archive, manifest, Path(scratch))
        for key in manifest["files"]:
            progress(key)
            member = archive.extractfile(f"files/{key}")
            if member is None:
                raise BackupError(f"files/{key} is missing from the archive")
            storage.save(key, member)
        legacy = manifest.get("letter_dir", [])
        if legacy:
            from flask import current_app

            folder = Path(
                current_app.config.get("LETTER_DIR") or Path(current_app.instance_path, "letters")
            )
            folder.mkdir(parents=True, exist_ok=True)
            for name in legacy:
                if Path(name).name != name:
                    raise BackupError(f"letter-dir/{name}: not a plain file name")
                progress(f"letter {name}")
                member = archive.extractfile(f"letter-dir/{name}")
                with open(folder / name, "wb") as target:  # noqa: PTH123
                    shutil.copyfileobj(member, target)
    return Summary(manifest["backend"], manifest["revision"], len(manifest["files"]) + len(legacy))
