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
    # channels.last_seq is bumped by an UPDATE before each insert: the per-channel row lock
    # that makes message ids within a channel become visible in order (see services.py).
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seq', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('last_message_at', sa.DateTime(timezone=True),
                                      nullable=True))

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('client_msg_id', sa.String(length=64), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_messages_author_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_messages_channel_id_channels'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['users.id'], name=op.f('fk_messages_hidden_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['messages.id'], name=op.f('fk_messages_parent_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('author_id', 'client_msg_id', name=op.f('uq_messages_author_id_client_msg_id')),
    sa.UniqueConstraint('channel_id', 'seq', name=op.f('uq_messages_channel_id_seq'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_messages_channel_id_created_at', ['channel_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_parent_id'), ['parent_id'], unique=False)

    op.create_table('channel_reads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_read_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_channel_reads_channel_id_channels'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_channel_reads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_reads')),
    sa.UniqueConstraint('channel_id', 'user_id', name=op.f('uq_channel_reads_channel_id_user_id'))
    )
    with op.batch_alter_table('channel_reads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_reads_user_id'), ['user_id'], unique=False)

    op.create_table('message_reactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('emoji', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_message_reactions_message_id_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_message_reactions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_reactions')),
    sa.UniqueConstraint('message_id', 'user_id', 'emoji', name=op.f('uq_message_reactions_message_id_user_id_emoji'))
    )
    with op.batch_alter_table('message_reactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_reactions_user_id'), ['user_id'], unique=False)

    op.create_table('message_mentions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_message_mentions_message_id_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_message_mentions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_mentions')),
    sa.UniqueConstraint('message_id', 'user_id', name=op.f('uq_message_mentions_message_id_user_id'))
    )
    with op.batch_alter_table('message_mentions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_mentions_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('message_mentions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_mentions_user_id'))
    op.drop_table('message_mentions')
    with op.batch_alter_table('message_reactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_reactions_user_id'))
    op.drop_table('message_reactions')
    with op.batch_alter_table('channel_reads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_reads_user_id'))
    op.drop_table('channel_reads')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_parent_id'))
        batch_op.drop_index('ix_messages_channel_id_created_at')
        batch_op.drop_index(batch_op.f('ix_messages_author_id'))
    op.drop_table('messages')
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.drop_column('last_message_at')
        batch_op.drop_column('last_seq')
