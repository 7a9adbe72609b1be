"""theme suggestion runs: what the engine suggested, stored for the secretariat to review

Revision ID: 665f6be5e4af
Revises: a7602e6ca610
Create Date: 2026-12-05 00:17:17.416442

"""
from alembic import op
import sqlalchemy as sa

import consult.db


# revision identifiers, used by Alembic.
revision = '665f6be5e4af'
down_revision = 'a7602e6ca610'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('theme_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('k', sa.Integer(), nullable=True),
    sa.Column('k_used', sa.Integer(), nullable=True),
    sa.Column('input_count', sa.Integer(), nullable=False),
    sa.Column('unassigned', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', consult.db.UTCDateTime(), nullable=False),
    sa.Column('finished_at', consult.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_theme_runs_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_theme_runs_item_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_theme_runs_job_id_jobs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_theme_runs_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_runs'))
    )
    with op.batch_alter_table('theme_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_runs_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('theme_suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('words', sa.Text(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('state', sa.Enum('open', 'accepted', 'rejected', 'merged', 'split', name='suggestionstate', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', consult.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_theme_suggestions_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['theme_suggestions.id'], name=op.f('fk_theme_suggestions_merged_into_id_theme_suggestions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['theme_suggestions.id'], name=op.f('fk_theme_suggestions_parent_id_theme_suggestions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['theme_runs.id'], name=op.f('fk_theme_suggestions_run_id_theme_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_theme_suggestions_tag_id_tags'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_suggestions'))
    )
    with op.batch_alter_table('theme_suggestions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_suggestions_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_theme_suggestions_run_id'), ['run_id'], unique=False)

    op.create_table('theme_suggestion_inputs',
    sa.Column('suggestion_id', sa.Integer(), nullable=False),
    sa.Column('input_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['input_id'], ['inputs.id'], name=op.f('fk_theme_suggestion_inputs_input_id_inputs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['suggestion_id'], ['theme_suggestions.id'], name=op.f('fk_theme_suggestion_inputs_suggestion_id_theme_suggestions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('suggestion_id', 'input_id', name=op.f('pk_theme_suggestion_inputs'))
    )
    with op.batch_alter_table('theme_suggestion_inputs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_suggestion_inputs_input_id'), ['input_id'], unique=False)



def downgrade():
    with op.batch_alter_table('theme_suggestion_inputs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_suggestion_inputs_input_id'))

    op.drop_table('theme_suggestion_inputs')
    with op.batch_alter_table('theme_suggestions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_suggestions_run_id'))
        batch_op.drop_index(batch_op.f('ix_theme_suggestions_parent_id'))

    op.drop_table('theme_suggestions')
    with op.batch_alter_table('theme_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_runs_consultation_id'))

    op.drop_table('theme_runs')
