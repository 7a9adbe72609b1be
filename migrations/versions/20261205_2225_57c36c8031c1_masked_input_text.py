"""masked input text: inputs keep their text as staff read it, so exports run no guard per row

Revision ID: 57c36c8031c1
Revises: 3c1d9e7a5b42
Create Date: 2026-12-05 22:25:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "57c36c8031c1"
down_revision = "3c1d9e7a5b42"
branch_labels = None
depends_on = None

#: The columns the backfill reads and writes, as they are at this revision.
inputs = sa.table(
    "inputs",
    sa.column("id", sa.Integer),
    sa.column("text", sa.Text),
    sa.column("proposed_wording", sa.Text),
    sa.column("masked_text", sa.Text),
    sa.column("masked_wording", sa.Text),
)


def upgrade():
    with op.batch_alter_table("inputs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("masked_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("masked_wording", sa.Text(), nullable=True))
    # Existing inputs: the guard once over each text (its prefilter skips almost all).
    from consult.readside.staff import remask

    remask(op.get_bind(), table=inputs)


def downgrade():
    with op.batch_alter_table("inputs", schema=None) as batch_op:
        batch_op.drop_column("masked_wording")
        batch_op.drop_column("masked_text")
