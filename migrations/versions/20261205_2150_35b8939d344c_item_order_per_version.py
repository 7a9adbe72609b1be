"""item order per version

Each version keeps its own order of items (item_revisions.position), so reordering a working
copy leaves the published versions as they were. Every existing revision starts from its
item's position (the only order there was), in two steps: add the column, fill it, then make
it NOT NULL (on SQLite by batch mode, which copies the table with foreign keys off: env.py).

Revision ID: 35b8939d344c
Revises: 5e1a7c0d9b3f
Create Date: 2026-12-05 21:27:55.143974

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '35b8939d344c'
down_revision = '5e1a7c0d9b3f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('item_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position', sa.Integer(), nullable=True))

    op.execute(
        sa.text(
            "UPDATE item_revisions SET position ="
            " (SELECT items.position FROM items WHERE items.id = item_revisions.item_id)"
        )
    )

    with op.batch_alter_table('item_revisions', schema=None) as batch_op:
        batch_op.alter_column('position', existing_type=sa.Integer(), nullable=False)


def downgrade():
    with op.batch_alter_table('item_revisions', schema=None) as batch_op:
        batch_op.drop_column('position')
