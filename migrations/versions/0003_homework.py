"""homework: assignments, drafts, submissions, files, attendance, catch-up

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # Placeholder: filled in by the homework work (see the issue notes).
    pass


def downgrade():
    pass
