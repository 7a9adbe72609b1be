"""seal TOTP secrets: stored encrypted under a key derived from SECRET_KEY

Revision ID: 5e1a7c0d9b3f
Revises: 665f6be5e4af
Create Date: 2026-12-05 21:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5e1a7c0d9b3f"
down_revision = "665f6be5e4af"
branch_labels = None
depends_on = None

users = sa.table("users", sa.column("id", sa.Integer), sa.column("totp_secret", sa.String))


def _rewrite(change) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret.is_not(None))
    ).all()
    for user_id, stored in rows:
        new = change(stored)
        if new is not None and new != stored:
            bind.execute(users.update().where(users.c.id == user_id).values(totp_secret=new))


def upgrade():
    from consult.accounts import totp

    with op.batch_alter_table("users") as batch:
        batch.alter_column(
            "totp_secret", existing_type=sa.String(64), type_=sa.String(255), existing_nullable=True
        )
    # Secrets stored in the clear before (base32, 32 characters) are sealed now.
    _rewrite(lambda stored: totp.seal(stored) if totp.unseal(stored) is None else None)


def downgrade():
    from consult.accounts import totp

    _rewrite(totp.unseal)
    with op.batch_alter_table("users") as batch:
        batch.alter_column(
            "totp_secret", existing_type=sa.String(255), type_=sa.String(64), existing_nullable=True
        )
