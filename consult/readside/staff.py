"""What staff read: every input in full, as written, but never a CPR number.

The secretariat's pages, exports and API answers show the respondent's own words, with every
CPR number the personal-data guard finds masked. The one exception is the moderator's review
of a single contribution (``consult.moderation.views``), which must show what was written.

An input's masked text is also stored on the row when its text is set (``Input.masked_text``
and ``masked_wording``, None where masking changes nothing), so the exports read stored
text and run no guard per row: ``text_columns()`` is what they select.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import event
from sqlalchemy import func

from consult.readside.masking import mask_cpr
from consult.responses.models import Input


def text(raw: str | None) -> str:
    """Return an input's text (or proposed wording, or comment) as staff may read it."""
    return mask_cpr(raw)


def stored_mask(raw: str | None) -> str | None:
    """What ``Input.masked_text`` holds for ``raw``: the masked text, or None if it is the same."""
    masked = mask_cpr(raw)
    return None if masked == (raw or "") else masked


def text_columns():
    """An input's text and proposed wording as staff read them, as SQL expressions."""
    return (
        func.coalesce(Input.masked_text, Input.text),
        func.coalesce(Input.masked_wording, Input.proposed_wording),
    )


@event.listens_for(Input.text, "set")
def _mask_text(target: Input, value, oldvalue, initiator) -> None:
    target.masked_text = stored_mask(value)


@event.listens_for(Input.proposed_wording, "set")
def _mask_wording(target: Input, value, oldvalue, initiator) -> None:
    target.masked_wording = stored_mask(value)


def remask(connection, *, table=None, batch: int = 10_000) -> int:
    """Store the masked text of every input again (after the guard learnt something new, and
    in the migration that made the columns); return how many inputs changed. Keyset pages of
    ``batch`` ids, so memory is flat at any size. ``table``: the inputs table as a migration
    knows it (default: the model's)."""
    from sqlalchemy import bindparam
    from sqlalchemy import select
    from sqlalchemy import update

    inputs = Input.__table__ if table is None else table
    last, changed = 0, 0
    while True:
        page = connection.execute(
            select(
                inputs.c.id,
                inputs.c.text,
                inputs.c.proposed_wording,
                inputs.c.masked_text,
                inputs.c.masked_wording,
            )
            .where(inputs.c.id > last)
            .order_by(inputs.c.id)
            .limit(batch)
        ).all()
        if not page:
            return changed
        updates = []
        for input_id, raw_text, raw_wording, old_text, old_wording in page:
            new_text, new_wording = stored_mask(raw_text), stored_mask(raw_wording)
            if (new_text, new_wording) != (old_text, old_wording):
                updates.append({"b_id": input_id, "b_text": new_text, "b_wording": new_wording})
        if updates:
            connection.execute(
                update(inputs)
                .where(inputs.c.id == bindparam("b_id"))
                .values(masked_text=bindparam("b_text"), masked_wording=bindparam("b_wording")),
                updates,
            )
        changed += len(updates)
        last = page[-1][0]


@click.command("remask")
@with_appcontext
def remask_command():
    """Store every input's CPR-masked text again (after the personal-data guard changed)."""
    from consult.db import write_lock
    from consult.extensions import db

    with write_lock():
        db.session.commit()
        changed = remask(db.session.connection())
        db.session.commit()
    click.echo(f"Inputs given a new masked text: {changed}.")
