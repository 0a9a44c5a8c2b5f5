"""channels: messages, reactions, mentions, read state

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # Placeholder: filled in by the channels work (see the issue notes).
    pass


def downgrade():
    pass
