"""Migrations: the head matches the models, and every revision goes down and up again."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade
from flask_migrate import upgrade

from consult import create_app
from consult.config import TestConfig
from consult.db import include_in_migrations
from consult.extensions import db
from tests import helpers
from tests.helpers import DATABASE_URL


@pytest.fixture
def migration_app():
    url = helpers.create_database(DATABASE_URL, "migrations")
    app = create_app(type("MigrationConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
        helpers.drop_database(DATABASE_URL, url)


def _revisions(app) -> list[str]:
    config = app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _diff(app) -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_object": include_in_migrations,
            },
        )
        return compare_metadata(context, db.metadata)


@pytest.mark.no_db
def test_head_matches_models(migration_app):
    with migration_app.app_context():
        upgrade()
        assert _diff(migration_app) == []


@pytest.mark.no_db
def test_every_revision_goes_down_and_up_again(migration_app):
    with migration_app.app_context():
        revisions = _revisions(migration_app)
        assert revisions, "no migrations found"
        for revision in revisions:
            upgrade(revision=revision)
            downgrade(revision="-1")
            upgrade(revision=revision)
        downgrade(revision="base")
        upgrade()
        assert _diff(migration_app) == []


def test_migration_files_have_dated_names():
    import re
    from pathlib import Path

    versions = Path(__file__).parents[1] / "migrations" / "versions"
    names = [p.name for p in versions.glob("*.py")]
    assert names
    for name in names:
        assert re.match(r"^\d{8}_\d{4}_[0-9a-f]+_[a-z0-9_]+\.py$", name), name
