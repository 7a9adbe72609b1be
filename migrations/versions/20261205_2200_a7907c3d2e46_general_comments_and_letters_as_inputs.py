"""general comments and letters as inputs: Input.kind, item-less inputs, one place for the text

A response's general comment moves from ``responses.general_comment`` into an input of kind
``comment``; each letter gets an input of kind ``letter`` (its text, read out of the PDF, is
filled in by ``flask consult letters read-text``: a migration does not open stored files).
Contributions of comments and letters point at their input.

Revision ID: a7907c3d2e46
Revises: 35b8939d344c
Create Date: 2026-12-05 22:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7907c3d2e46"
down_revision = "35b8939d344c"
branch_labels = None
depends_on = None

NOT_GOAL = sa.text("kind != 'goal'")
#: Tables whose rows point at an input (the downgrade removes those of comments and letters;
#: SQLite's foreign keys are off while migrating, so no cascade does it).
POINTING_AT_INPUTS = ("input_tags", "theme_suggestion_inputs", "item_change_inputs")


def upgrade():
    with op.batch_alter_table("inputs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), server_default="goal", nullable=False)
        )
        batch_op.alter_column("item_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("revision_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(
            op.f("ck_inputs_inputkind"), sa.text("kind IN ('goal', 'comment', 'letter')")
        )
        batch_op.create_check_constraint(
            op.f("ck_inputs_item_only_for_goal"),
            sa.text(
                "(kind = 'goal') = (item_id IS NOT NULL)"
                " AND (kind = 'goal') = (revision_id IS NOT NULL)"
            ),
        )
        batch_op.create_index(
            "uq_inputs_response_statement",
            ["response_id", "kind"],
            unique=True,
            sqlite_where=NOT_GOAL,
            postgresql_where=NOT_GOAL,
        )

    # The general comment of every response that has one (or had one reviewed), and an input
    # for every letter.
    op.execute(
        "INSERT INTO inputs (response_id, kind, text, proposed_wording, position,"
        " created_at, updated_at)"
        " SELECT r.id, 'comment', r.general_comment, '', 0, r.updated_at, r.updated_at"
        " FROM responses r WHERE r.general_comment != '' OR EXISTS (SELECT 1 FROM contributions c"
        " WHERE c.response_id = r.id AND c.kind = 'comment')"
    )
    op.execute(
        "INSERT INTO inputs (response_id, kind, text, proposed_wording, position,"
        " created_at, updated_at)"
        " SELECT l.response_id, 'letter', '', '', 0, l.created_at, l.updated_at FROM letters l"
    )
    # The old CHECK forbids an input on a comment's or letter's contribution: off, fill, on.
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_contributions_one_source"), type_="check")
    op.execute(
        "UPDATE contributions SET input_id = (SELECT i.id FROM inputs i"
        " WHERE i.response_id = contributions.response_id AND i.kind = contributions.kind)"
        " WHERE kind IN ('comment', 'letter')"
    )
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_contributions_one_source"),
            sa.text("input_id IS NOT NULL AND (kind = 'letter') = (letter_id IS NOT NULL)"),
        )
    _index_comments()
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_column("general_comment")


def _index_comments():
    """SQLite: the comments' words into the FTS5 table (PostgreSQL's GIN index has them)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    from consult.analysis.search import searchable

    rows = bind.execute(sa.text("SELECT id, text FROM inputs WHERE kind = 'comment'")).all()
    if rows:
        bind.exec_driver_sql(
            "INSERT INTO inputs_fts (rowid, stems) VALUES (?, ?)",
            [(r[0], searchable(r[1] or "", "")) for r in rows],
        )


def downgrade():
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("general_comment", sa.Text(), server_default="", nullable=False)
        )
    op.execute(
        "UPDATE responses SET general_comment = COALESCE((SELECT i.text FROM inputs i"
        " WHERE i.response_id = responses.id AND i.kind = 'comment'), '')"
    )
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_contributions_one_source"), type_="check")
    op.execute("UPDATE contributions SET input_id = NULL WHERE kind IN ('comment', 'letter')")
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_contributions_one_source"),
            sa.text(
                "(kind = 'input') = (input_id IS NOT NULL)"
                " AND (kind = 'letter') = (letter_id IS NOT NULL)"
            ),
        )
    statements = "SELECT id FROM inputs WHERE kind != 'goal'"
    for table in POINTING_AT_INPUTS:
        op.execute(f"DELETE FROM {table} WHERE input_id IN ({statements})")  # noqa: S608
    op.execute(f"UPDATE meeting_inputs SET input_id = NULL WHERE input_id IN ({statements})")  # noqa: S608
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DELETE FROM inputs_fts WHERE rowid IN ({statements})")  # noqa: S608
    op.execute("DELETE FROM inputs WHERE kind != 'goal'")
    with op.batch_alter_table("inputs", schema=None) as batch_op:
        batch_op.drop_index("uq_inputs_response_statement", sqlite_where=NOT_GOAL)
        batch_op.drop_constraint(op.f("ck_inputs_item_only_for_goal"), type_="check")
        batch_op.drop_constraint(op.f("ck_inputs_inputkind"), type_="check")
        batch_op.alter_column("revision_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("item_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("kind")
