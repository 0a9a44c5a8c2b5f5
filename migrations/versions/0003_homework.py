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
    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('present', 'partial', 'absent')", name=op.f('ck_attendance_status')),
    sa.ForeignKeyConstraint(['session_id'], ['workshop_sessions.id'], name=op.f('fk_attendance_session_id_workshop_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_attendance_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_attendance_session_id_user_id'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_user_id'), ['user_id'], unique=False)

    op.create_table('catchup_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('task_index', sa.Integer(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['workshop_sessions.id'], name=op.f('fk_catchup_progress_session_id_workshop_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_catchup_progress_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catchup_progress')),
    sa.UniqueConstraint('session_id', 'user_id', 'task_index', name=op.f('uq_catchup_progress_session_id_user_id_task_index'))
    )
    with op.batch_alter_table('catchup_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catchup_progress_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_catchup_progress_user_id'), ['user_id'], unique=False)

    op.create_table('homework',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('instructions_md', sa.String(), nullable=False),
    sa.Column('instructions_html', sa.String(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('late_policy', sa.String(length=10), nullable=False),
    sa.Column('goal_setting', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('individual', 'municipality', 'team')", name=op.f('ck_homework_kind')),
    sa.CheckConstraint("late_policy IN ('accept', 'close')", name=op.f('ck_homework_late_policy')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_homework_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['workshop_sessions.id'], name=op.f('fk_homework_session_id_workshop_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_homework')),
    sa.UniqueConstraint('cohort_id', 'key', name=op.f('uq_homework_cohort_id_key'))
    )
    with op.batch_alter_table('homework', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_homework_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_homework_session_id'), ['session_id'], unique=False)

    op.create_table('homework_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('homework_id', sa.Integer(), nullable=False),
    sa.Column('owner_key', sa.String(length=40), nullable=False),
    sa.Column('body_md', sa.String(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['homework_id'], ['homework.id'], name=op.f('fk_homework_drafts_homework_id_homework'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_homework_drafts_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_homework_drafts')),
    sa.UniqueConstraint('homework_id', 'owner_key', name=op.f('uq_homework_drafts_homework_id_owner_key'))
    )
    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('homework_id', sa.Integer(), nullable=False),
    sa.Column('owner_key', sa.String(length=40), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('body_md', sa.String(), nullable=False),
    sa.Column('body_html', sa.String(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('client_submission_id', sa.String(length=64), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('review_status', sa.String(length=10), nullable=True),
    sa.Column('feedback_md', sa.String(), nullable=False),
    sa.Column('feedback_html', sa.String(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("review_status IN ('ok', 'revise')", name=op.f('ck_submissions_review_status')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_submissions_author_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['homework_id'], ['homework.id'], name=op.f('fk_submissions_homework_id_homework'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_submissions_reviewer_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions')),
    sa.UniqueConstraint('author_id', 'client_submission_id', name=op.f('uq_submissions_author_id_client_submission_id')),
    sa.UniqueConstraint('homework_id', 'owner_key', 'version', name=op.f('uq_submissions_homework_id_owner_key_version'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_homework_id'), ['homework_id'], unique=False)

    op.create_table('submission_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_files_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_files')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_submission_files_stored_name'))
    )
    with op.batch_alter_table('submission_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_files_submission_id'), ['submission_id'], unique=False)


def downgrade():
    with op.batch_alter_table('submission_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_files_submission_id'))

    op.drop_table('submission_files')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submissions_homework_id'))
        batch_op.drop_index(batch_op.f('ix_submissions_author_id'))

    op.drop_table('submissions')
    op.drop_table('homework_drafts')
    with op.batch_alter_table('homework', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_homework_session_id'))
        batch_op.drop_index(batch_op.f('ix_homework_cohort_id'))

    op.drop_table('homework')
    with op.batch_alter_table('catchup_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catchup_progress_user_id'))
        batch_op.drop_index(batch_op.f('ix_catchup_progress_session_id'))

    op.drop_table('catchup_progress')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_user_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_session_id'))

    op.drop_table('attendance')
