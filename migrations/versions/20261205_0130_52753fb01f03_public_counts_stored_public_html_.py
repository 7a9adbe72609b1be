"""public counts, stored public html, indexes for public pages

The kept counts of published input (consult.readside.upkeep) start from what is there: one
INSERT … SELECT GROUP BY. The stored HTML of text published before is filled by
``flask consult recount`` (bleach runs in Python; pages fall back to cleaning it per render).

Revision ID: 52753fb01f03
Revises: 37849aebaa5a
Create Date: 2026-12-05 00:16:47.245005

"""
from datetime import UTC
from datetime import datetime

from alembic import op
import sqlalchemy as sa

import consult.db


# revision identifiers, used by Alembic.
revision = '52753fb01f03'
down_revision = '37849aebaa5a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('public_counts',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('stance', sa.String(length=24), nullable=False),
    sa.Column('respondent_type_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('changed_at', consult.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_public_counts_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_public_counts_item_id_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'stance', 'respondent_type_id', name=op.f('pk_public_counts'))
    )
    op.create_table('public_state',
    sa.Column('consultation_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('changed_at', consult.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('consultation_id', name=op.f('pk_public_state'))
    )
    with op.batch_alter_table('public_counts', schema=None) as batch_op:
        batch_op.create_index('ix_public_counts_consultation', ['consultation_id'], unique=False)

    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('public_wording_html', sa.Text(), nullable=True))
        batch_op.create_index('ix_contributions_item_published', ['item_id', 'state', 'reviewed_at', 'id'], unique=False)
        batch_op.create_index('ix_contributions_public_inputs', ['consultation_id', 'state', 'input_id'], unique=False)

    op.execute(
        sa.text(
            "INSERT INTO public_counts (item_id, stance, respondent_type_id, consultation_id, n,"
            " generation, changed_at)"
            " SELECT c.item_id, COALESCE(i.stance, ''), COALESCE(p.respondent_type_id, 0),"
            " c.consultation_id, count(*), 1, :now"
            " FROM contributions c JOIN inputs i ON i.id = c.input_id"
            " JOIN responses r ON r.id = c.response_id JOIN respondents p ON p.id = r.respondent_id"
            " WHERE c.kind = 'input' AND c.state = 'published' AND r.state = 'submitted'"
            " AND r.consent != 'private'"
            " GROUP BY c.item_id, COALESCE(i.stance, ''), COALESCE(p.respondent_type_id, 0),"
            " c.consultation_id"
        ).bindparams(
            sa.bindparam("now", datetime.now(UTC).replace(tzinfo=None), type_=sa.DateTime())
        )
    )


def downgrade():
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_index('ix_contributions_public_inputs')
        batch_op.drop_index('ix_contributions_item_published')
        batch_op.drop_column('public_wording_html')
        batch_op.drop_column('public_html')

    with op.batch_alter_table('public_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_public_counts_consultation')

    op.drop_table('public_counts')
    op.drop_table('public_state')
