"""versions, decision trail, sign-off: working copies, why items changed, parties who approve

Revision ID: 37849aebaa5a
Revises: 964173d1b787
Create Date: 2026-12-05 00:26:50.514803

"""
from alembic import op
import sqlalchemy as sa

import consult.db


STATUSES = ("draft", "open", "closed", "reporting", "published")
ROLES = ("admin", "secretariat", "moderator", "facilitator", "respondent")


def _enum_check(table: str, column: str, values: tuple[str, ...]) -> None:
    """Replace the CHECK constraint of an enum column (SQLite: by copying the table)."""
    name = op.f(f"ck_{table}_{column}")
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(name, type_="check")
        batch_op.create_check_constraint(name, sa.column(column).in_(values))


# revision identifiers, used by Alembic.
revision = '37849aebaa5a'
down_revision = '964173d1b787'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('name_da', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_parties_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parties'))
    )
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parties_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('decision', sa.Enum('approved', 'changes_requested', name='decision', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('decided_at', consult.db.UTCDateTime(), nullable=False),
    sa.Column('reset_at', consult.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_approvals_party_id_parties'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_approvals_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_approvals_version_id_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approvals'))
    )
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.create_index('ix_approvals_party_id_id', ['party_id', 'id'], unique=False)

    op.create_table('item_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('reason_da', sa.Text(), nullable=False),
    sa.Column('reason_en', sa.Text(), nullable=False),
    sa.Column('written_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', consult.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_item_changes_item_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_item_changes_version_id_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['written_by_id'], ['users.id'], name=op.f('fk_item_changes_written_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_changes')),
    sa.UniqueConstraint('version_id', 'item_id', name=op.f('uq_item_changes_version_id_item_id'))
    )
    with op.batch_alter_table('item_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_changes_item_id'), ['item_id'], unique=False)

    op.create_table('party_approvers',
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_party_approvers_party_id_parties'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_party_approvers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('party_id', 'user_id', name=op.f('pk_party_approvers'))
    )
    with op.batch_alter_table('party_approvers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_party_approvers_user_id'), ['user_id'], unique=False)

    op.create_table('item_change_tags',
    sa.Column('change_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['change_id'], ['item_changes.id'], name=op.f('fk_item_change_tags_change_id_item_changes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_item_change_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('change_id', 'tag_id', name=op.f('pk_item_change_tags'))
    )
    with op.batch_alter_table('item_change_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_change_tags_tag_id'), ['tag_id'], unique=False)

    op.create_table('version_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('created_at', consult.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['outbox_messages.id'], name=op.f('fk_version_notices_message_id_outbox_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondents.id'], name=op.f('fk_version_notices_respondent_id_respondents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_version_notices_version_id_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_version_notices')),
    sa.UniqueConstraint('version_id', 'respondent_id', name=op.f('uq_version_notices_version_id_respondent_id'))
    )
    with op.batch_alter_table('version_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_version_notices_respondent_id'), ['respondent_id'], unique=False)

    op.create_table('item_change_inputs',
    sa.Column('change_id', sa.Integer(), nullable=False),
    sa.Column('input_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['change_id'], ['item_changes.id'], name=op.f('fk_item_change_inputs_change_id_item_changes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['input_id'], ['inputs.id'], name=op.f('fk_item_change_inputs_input_id_inputs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('change_id', 'input_id', name=op.f('pk_item_change_inputs'))
    )
    with op.batch_alter_table('item_change_inputs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_change_inputs_input_id'), ['input_id'], unique=False)

    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wants_news', sa.Boolean(), server_default='0', nullable=False))

    with op.batch_alter_table('versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_at', consult.db.UTCDateTime(), nullable=True))
    # Until now the newest version was public as soon as it was made: every one is published.
    op.execute("UPDATE versions SET published_at = created_at")

    _enum_check("consultations", "status", (*STATUSES[:4], "approval", STATUSES[4]))
    _enum_check("users", "role", (*ROLES[:4], "approver", ROLES[4]))


def downgrade():
    op.execute("UPDATE consultations SET status = 'reporting' WHERE status = 'approval'")
    op.execute("UPDATE users SET role = 'respondent' WHERE role = 'approver'")
    _enum_check("consultations", "status", STATUSES)
    _enum_check("users", "role", ROLES)
    with op.batch_alter_table('versions', schema=None) as batch_op:
        batch_op.drop_column('published_at')

    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_column('wants_news')

    with op.batch_alter_table('item_change_inputs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_change_inputs_input_id'))

    op.drop_table('item_change_inputs')
    with op.batch_alter_table('version_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_version_notices_respondent_id'))

    op.drop_table('version_notices')
    with op.batch_alter_table('item_change_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_change_tags_tag_id'))

    op.drop_table('item_change_tags')
    with op.batch_alter_table('party_approvers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_party_approvers_user_id'))

    op.drop_table('party_approvers')
    with op.batch_alter_table('item_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_changes_item_id'))

    op.drop_table('item_changes')
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.drop_index('ix_approvals_party_id_id')

    op.drop_table('approvals')
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parties_consultation_id'))

    op.drop_table('parties')
