"""Issue 15, point 7: a clear command line.

Every command says what it does (--help), long ones show progress, and a database that is not
migrated gets "run `flask db upgrade`" rather than a traceback.
"""

from __future__ import annotations

import click
import pytest

from consult import create_app
from consult.config import TestConfig
from consult.extensions import db
from tests import helpers
from tests.helpers import DATABASE_URL


def _walk(group: click.Group, path: tuple[str, ...] = ()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _walk(command, (*path, name))


def test_every_command_has_a_help_text(app):
    commands = list(_walk(app.cli))
    names = {" ".join(path) for path, _ in commands}
    assert {"consult purge", "consult backup", "consult restore", "consult demo"} <= names
    runner = app.test_cli_runner()
    for path, command in commands:
        assert (command.help or "").strip(), f"flask {' '.join(path)} has no help text"
        result = runner.invoke(args=[*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        first_words = " ".join(command.help.split()[:4])
        assert first_words in " ".join(result.output.split())


@pytest.mark.no_db
def test_a_database_that_is_not_migrated_says_how_to_fix_it():
    url = helpers.create_database(DATABASE_URL, "unmigrated")
    app = create_app(type("EmptyConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    try:
        runner = app.test_cli_runner()
        for args in (["consult", "purge", "--dry-run"], ["consult", "send-mail"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 1, result.output
            assert "run `flask db upgrade`" in result.output
            assert "Traceback" not in result.output
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        helpers.drop_database(DATABASE_URL, url)


def test_the_demo_shows_its_progress(app):
    result = app.test_cli_runner().invoke(args=["consult", "demo", "--responses", "4"])
    assert result.exit_code == 0, result.output
    assert "Demo responses" in result.output and "4/4" in result.output
