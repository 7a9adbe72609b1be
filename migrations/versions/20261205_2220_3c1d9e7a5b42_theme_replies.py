"""theme replies: a reply may answer a theme (a tag), on one goal or on every goal

Revision ID: 3c1d9e7a5b42
Revises: a7907c3d2e46
Create Date: 2026-12-05 21:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3c1d9e7a5b42"
down_revision = "a7907c3d2e46"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("replies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tag_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("item_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_replies_tag_id_tags"), "tags", ["tag_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_replies_item_id_items"), "items", ["item_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_replies_tag_id_item_id"), ["tag_id", "item_id"]
        )


def downgrade():
    with op.batch_alter_table("replies", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_replies_tag_id_item_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_replies_item_id_items"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_replies_tag_id_tags"), type_="foreignkey")
        batch_op.drop_column("item_id")
        batch_op.drop_column("tag_id")
