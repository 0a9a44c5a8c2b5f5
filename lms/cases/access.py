"""Who reads and edits cases: any member of any cohort reads; the post's author and the
cohort's staff edit."""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import User
from lms.cases.models import CASE_CHANNEL_KEY
from lms.channels.access import get_channel_for
from lms.channels.models import Message
from lms.cohorts.access import is_staff
from lms.cohorts.models import Cohort, Membership
from lms.errors import Forbidden, NotFound
from lms.extensions import db


def member_cohort_ids(user: User) -> set[int]:
    if user is None or not user.is_authenticated:
        return set()
    return set(db.session.scalars(select(Membership.cohort_id).where(
        Membership.user_id == user.id)))


def require_case_reader(user: User) -> set[int]:
    """Everyone enrolled in some cohort of this instance reads the library."""
    cohorts = member_cohort_ids(user)
    if not cohorts:
        raise Forbidden("事例集は、いずれかの研修に参加している人が読めます。")
    return cohorts


def can_edit_case(membership: Membership | None, message: Message) -> bool:
    return membership is not None and (message.author_id == membership.user_id
                                       or is_staff(membership))


def get_case_message_for(user: User, cohort: Cohort, message_id: object) -> tuple[
        Message, Membership]:
    """A post of the cohort's 「DX導入事例」 that the user may mark as a case (or edit)."""
    message = db.session.get(Message, message_id) if isinstance(message_id, int) else None
    if message is None:
        raise NotFound("その投稿は見つかりません。")
    channel, membership = get_channel_for(user, message.channel_id, cohort)
    if channel.key != CASE_CHANNEL_KEY or message.deleted or message.hidden:
        raise NotFound("事例にできるのは「DX導入事例」チャンネルの投稿です。")
    if not can_edit_case(membership, message):
        raise Forbidden("事例を登録・編集できるのは、投稿した本人と講師・主催者です。")
    return message, membership
