"""Issue 15, point 3: ``flask consult backup`` and ``restore`` make a round trip.

A migrated scratch database with a consultation, responses, a user and stored files is backed
up; the archive is restored into a second, empty database and file store, and every table's
rows and every file compare equal. Runs on the suite's database: SQLite (the online backup
API) and PostgreSQL (pg_dump / pg_restore).
"""

from __future__ import annotations

import io
import tarfile
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy import text

from consult import create_app
from consult import storage
from consult.config import TestConfig
from consult.extensions import db
from consult.reference.seed import load_reference_data
from tests import helpers
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.helpers import DATABASE_URL

FILES = {
    "letters/abc123.pdf": b"%PDF-1.4 letter %%EOF",
    "reports/1-da-f00.pdf": b"%PDF-1.4 report %%EOF",
    "exports/7.csv": "id;tekst\n1;Æblegrød\n".encode(),
}


@pytest.fixture
def make_site(tmp_path):
    """Make apps on scratch databases with file stores of their own; drop them afterwards."""
    made = []

    def make(label: str):
        url = helpers.create_database(DATABASE_URL, label)
        settings = {
            "SQLALCHEMY_DATABASE_URI": url,
            "FILE_DIR": str(tmp_path / label),
            "LETTER_DIR": str(tmp_path / label / "letter-dir"),
        }
        app = create_app(type("SiteConfig", (TestConfig,), settings))
        made.append((app, url))
        return app

    yield make
    for app, url in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        helpers.drop_database(DATABASE_URL, url)


def snapshot(app) -> dict:
    """Every row of every table, in key order, and every stored file."""
    with app.app_context():
        tables = {}
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = db.session.execute(select(table).order_by(*order)).all()
            tables[table.name] = [tuple(row) for row in rows]
        files = {}
        for prefix in ("letters/", "reports/", "exports/"):
            for key in storage.keys(prefix):
                with storage.open(key) as stream:
                    files[key] = stream.read()
        db.session.remove()
    return {"tables": tables, "files": files}


@pytest.mark.no_db
def test_a_backup_restores_into_an_empty_database_as_it_was(make_site, tmp_path):
    source = make_site("backup-source")
    with source.app_context():
        upgrade()
        load_reference_data()
        consultation = make_consultation(closes_in=timedelta(days=3))
        make_response(consultation, {"fa-1-goal-1": "Sådan et svar, med »citat«"})
        make_user("admin", email="admin@example.dk")
        db.session.commit()
        for key, data in FILES.items():
            storage.save(key, io.BytesIO(data))
        # A letter still kept in LETTER_DIR (before letters move into the storage).
        letter_dir = tmp_path / "backup-source" / "letter-dir"
        letter_dir.mkdir(parents=True)
        (letter_dir / "0123abcd.pdf").write_bytes(b"%PDF-1.4 old letter %%EOF")
    before = snapshot(source)
    assert before["tables"]["inputs"] and before["tables"]["users"]
    assert before["files"] == FILES

    archive = tmp_path / "consult-backup.tar.gz"
    result = source.test_cli_runner().invoke(args=["consult", "backup", str(archive)])
    assert result.exit_code == 0, result.output
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert "manifest.json" in names and {f"files/{k}" for k in FILES} <= names

    target = make_site("backup-target")
    result = target.test_cli_runner().invoke(args=["consult", "restore", str(archive)])
    assert result.exit_code == 0, result.output
    after = snapshot(target)
    assert after["files"] == before["files"]
    restored = tmp_path / "backup-target" / "letter-dir" / "0123abcd.pdf"
    assert restored.read_bytes() == b"%PDF-1.4 old letter %%EOF"
    assert after["tables"] == before["tables"]
    with target.app_context():
        assert db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.remove()

    # Now that it holds data, restoring again needs --force.
    refused = target.test_cli_runner().invoke(args=["consult", "restore", str(archive)])
    assert refused.exit_code != 0 and "--force" in refused.output
    forced = target.test_cli_runner().invoke(args=["consult", "restore", "--force", str(archive)])
    assert forced.exit_code == 0, forced.output
    assert snapshot(target)["tables"] == before["tables"]


@pytest.mark.no_db
def test_restore_refuses_what_is_not_a_backup(make_site, tmp_path):
    app = make_site("backup-bad")
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        info = tarfile.TarInfo("hello.txt")
        tar.addfile(info, io.BytesIO(b""))
    result = app.test_cli_runner().invoke(args=["consult", "restore", str(bogus)])
    assert result.exit_code != 0 and "not a consult backup" in result.output
