"""invite_tokens.revoked_at and issued_by_id: old password links stop working

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 21:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invite_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('issued_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_invite_tokens_issued_by_id_users'), 'users',
                                    ['issued_by_id'], ['id'], ondelete='SET NULL')
    # Links issued before this revision: all but each person's newest are cancelled, and
    # every link of a person who already has a password is cancelled.
    op.execute(
        "UPDATE invite_tokens SET revoked_at = CURRENT_TIMESTAMP "
        "WHERE used_at IS NULL AND (user_id IN (SELECT id FROM users "
        "WHERE password_hash IS NOT NULL) OR id < (SELECT MAX(t2.id) FROM invite_tokens t2 "
        "WHERE t2.user_id = invite_tokens.user_id))")


def downgrade():
    with op.batch_alter_table('invite_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invite_tokens_issued_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('issued_by_id')
        batch_op.drop_column('revoked_at')
