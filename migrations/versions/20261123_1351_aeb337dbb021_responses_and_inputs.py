"""responses and inputs

Revision ID: aeb337dbb021
Revises: 6b0b30daf338
Create Date: 2026-11-23 13:51:39.772192

"""
from alembic import op
import sqlalchemy as sa

import consult.db

# revision identifiers, used by Alembic.
revision = 'aeb337dbb021'
down_revision = '6b0b30daf338'
branch_labels = None
depends_on = None

def upgrade():
    op.create_table('respondents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('email_confirmed_at', consult.db.UTCDateTime(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('respondent_type_id', sa.Integer(), nullable=True),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('sector', sa.Enum('municipality', 'region', 'general_practice', name='sector', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('municipality_id', sa.Integer(), nullable=True),
    sa.Column('cluster_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('created_at', consult.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', consult.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cluster_id'], ['health_clusters.id'], name=op.f('fk_respondents_cluster_id_health_clusters')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_respondents_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['respondent_type_id'], ['respondent_types.id'], name=op.f('fk_respondents_respondent_type_id_respondent_types')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_respondents_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_respondents')),
    sa.UniqueConstraint('email', name=op.f('uq_respondents_email')),
    sa.UniqueConstraint('user_id', name=op.f('uq_respondents_user_id'))
    )
    with op.batch_alter_table('respondents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_respondents_cluster_id'), ['cluster_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_respondents_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_respondents_respondent_type_id'), ['respondent_type_id'], unique=False)

    op.create_table('responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('online', 'session', 'letter', name='channel', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'withdrawn', name='responsestate', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('consent', sa.Enum('named', 'anonymous', 'private', name='consent', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('general_comment', sa.Text(), nullable=False),
    sa.Column('receipt_number', sa.String(length=30), nullable=True),
    sa.Column('submitted_at', consult.db.UTCDateTime(), nullable=True),
    sa.Column('withdrawn_at', consult.db.UTCDateTime(), nullable=True),
    sa.Column('last_submit_key', sa.String(length=64), nullable=True),
    sa.Column('created_at', consult.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', consult.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_responses_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondents.id'], name=op.f('fk_responses_respondent_id_respondents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responses')),
    sa.UniqueConstraint('consultation_id', 'respondent_id', name=op.f('uq_responses_consultation_id_respondent_id')),
    sa.UniqueConstraint('receipt_number', name=op.f('uq_responses_receipt_number'))
    )
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index('ix_responses_consultation_state', ['consultation_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_responses_respondent_id'), ['respondent_id'], unique=False)

    op.create_table('focus_area_ranks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('max_rank', sa.Integer(), nullable=False),
    sa.CheckConstraint('rank >= 1 AND rank <= max_rank', name=op.f('ck_focus_area_ranks_rank_within_cap')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_focus_area_ranks_item_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_focus_area_ranks_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_focus_area_ranks')),
    sa.UniqueConstraint('response_id', 'item_id', name=op.f('uq_focus_area_ranks_response_id_item_id')),
    sa.UniqueConstraint('response_id', 'rank', name=op.f('uq_focus_area_ranks_response_id_rank'))
    )
    op.create_table('goal_ranks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('focus_area_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('max_rank', sa.Integer(), nullable=False),
    sa.CheckConstraint('rank >= 1 AND rank <= max_rank', name=op.f('ck_goal_ranks_rank_within_cap')),
    sa.ForeignKeyConstraint(['focus_area_id'], ['items.id'], name=op.f('fk_goal_ranks_focus_area_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_goal_ranks_item_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_goal_ranks_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_ranks')),
    sa.UniqueConstraint('response_id', 'focus_area_id', 'rank', name=op.f('uq_goal_ranks_response_id_focus_area_id_rank')),
    sa.UniqueConstraint('response_id', 'item_id', name=op.f('uq_goal_ranks_response_id_item_id'))
    )
    op.create_table('inputs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('stance', sa.Enum('support', 'support_with_changes', 'oppose', 'no_position', name='stance', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('importance', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('proposed_wording', sa.Text(), nullable=False),
    sa.Column('preferred_alternative_id', sa.Integer(), nullable=True),
    sa.Column('created_at', consult.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', consult.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('importance IS NULL OR (importance >= 1 AND importance <= 5)', name=op.f('ck_inputs_importance_1_to_5')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_inputs_item_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['preferred_alternative_id'], ['alternatives.id'], name=op.f('fk_inputs_preferred_alternative_id_alternatives'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_inputs_response_id_responses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revision_id'], ['item_revisions.id'], name=op.f('fk_inputs_revision_id_item_revisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inputs')),
    sa.UniqueConstraint('response_id', 'item_id', name=op.f('uq_inputs_response_id_item_id'))
    )
    with op.batch_alter_table('inputs', schema=None) as batch_op:
        batch_op.create_index('ix_inputs_item_stance', ['item_id', 'stance'], unique=False)
        batch_op.create_index(batch_op.f('ix_inputs_revision_id'), ['revision_id'], unique=False)

    op.create_table('response_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('at', consult.db.UTCDateTime(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_response_events_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_events'))
    )
    with op.batch_alter_table('response_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_events_response_id'), ['response_id'], unique=False)

    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_ranked_focus_areas', sa.Integer(), server_default='3', nullable=False))
        batch_op.add_column(sa.Column('max_ranked_goals', sa.Integer(), server_default='2', nullable=False))

def downgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('max_ranked_goals')
        batch_op.drop_column('max_ranked_focus_areas')

    with op.batch_alter_table('response_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_events_response_id'))

    op.drop_table('response_events')
    with op.batch_alter_table('inputs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inputs_revision_id'))
        batch_op.drop_index('ix_inputs_item_stance')

    op.drop_table('inputs')
    op.drop_table('goal_ranks')
    op.drop_table('focus_area_ranks')
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_responses_respondent_id'))
        batch_op.drop_index('ix_responses_consultation_state')

    op.drop_table('responses')
    with op.batch_alter_table('respondents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_respondents_respondent_type_id'))
        batch_op.drop_index(batch_op.f('ix_respondents_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_respondents_cluster_id'))

    op.drop_table('respondents')
