"""figure cubes: a consultation's figures counted ahead, for the secretariat's pages

Revision ID: a7602e6ca610
Revises: 8117b2bac2b7
Create Date: 2026-12-05 01:41:45.668705

"""

import sqlalchemy as sa
from alembic import op

import consult.db

# revision identifiers, used by Alembic.
revision = "a7602e6ca610"
down_revision = "8117b2bac2b7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "figure_cubes",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("made_at", consult.db.UTCDateTime(), nullable=False),
        sa.Column("inputs", sa.Integer(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_figure_cubes_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consultation_id", name=op.f("pk_figure_cubes")),
    )


def downgrade():
    op.drop_table("figure_cubes")
