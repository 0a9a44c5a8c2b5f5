"""Who may read and post in a channel."""

from __future__ import annotations

from sqlalchemy import or_, select

from lms.channels.models import Channel
from lms.cohorts.access import is_staff, team_id_for
from lms.cohorts.models import Membership
from lms.extensions import db


def can_read_channel(membership: Membership | None, channel: Channel) -> bool:
    """Cohort channels: every member. A team room: its team, and the cohort's staff."""
    if membership is None or membership.cohort_id != channel.cohort_id:
        return False
    if channel.kind == "cohort" or is_staff(membership):
        return True
    return channel.team_id is not None and channel.team_id == team_id_for(membership)


def can_post_channel(membership: Membership | None, channel: Channel) -> bool:
    return can_read_channel(membership, channel) and channel.may_post(membership.role)


def readable_channels(membership: Membership) -> list[Channel]:
    """The channels of the membership's cohort this person may read, cohort channels first."""
    query = select(Channel).where(Channel.cohort_id == membership.cohort_id)
    if not is_staff(membership):
        team_id = team_id_for(membership)
        query = query.where(or_(Channel.kind == "cohort", Channel.team_id == team_id)
                            if team_id else Channel.kind == "cohort")
    return list(db.session.scalars(query.order_by(Channel.kind, Channel.position, Channel.id)))
