"""response input count: each response knows how many inputs it has (for the dashboard),
and indexes for the dashboard (covering) and for listing input newest first

Revision ID: df3ce33f5b4f
Revises: 47ec7616117d
Create Date: 2026-11-23 19:44:52.603919

"""
from alembic import op
import sqlalchemy as sa

import consult.db


# revision identifiers, used by Alembic.
revision = 'df3ce33f5b4f'
down_revision = '47ec7616117d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('input_count', sa.Integer(), server_default='0', nullable=False))
    op.execute(
        "UPDATE responses SET input_count = "
        "(SELECT count(*) FROM inputs WHERE inputs.response_id = responses.id)"
    )
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_consultation_state')
        batch_op.create_index('ix_responses_figures', ['consultation_id', 'state', 'respondent_id', 'channel', 'input_count', 'submitted_at'], unique=False)
        batch_op.create_index('ix_responses_consultation_state_submitted', ['consultation_id', 'state', 'submitted_at'], unique=False)



def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_consultation_state_submitted')
        batch_op.drop_index('ix_responses_figures')
        batch_op.create_index('ix_responses_consultation_state', ['consultation_id', 'state'], unique=False)
        batch_op.drop_column('input_count')

