"""``flask consult letters read-text``: the text of letters stored before it was read on upload."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from consult.extensions import db


@click.group("letters")
def letters_cli():
    """Organisations' letters (PDF)."""


@letters_cli.command("read-text")
@click.option("--again", is_flag=True, help="Read every letter, not only those with no text.")
@with_appcontext
def read_text_command(again: bool):
    """Read the text of stored letters, for the secretariat's search, tags and themes."""
    from consult.responses.letters import read_stored_texts

    read, with_text = read_stored_texts(again=again)
    db.session.commit()
    click.echo(f"Letters read: {read}, with text: {with_text}.")
