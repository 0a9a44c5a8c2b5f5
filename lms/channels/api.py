"""Channel and message routes of /api/v1."""

from __future__ import annotations

from flask import current_app, jsonify

from lms.api import api_bp, caller
from lms.api.validation import validate
from lms.cache import cached
from lms.channels import reading, services
from lms.channels.access import (
    get_channel_for,
    get_message_for,
    readable_channels,
    require_author,
    require_post,
)
from lms.channels.highlight import highlight
from lms.channels.live import broadcast_updated, edit_and_emit, post_and_emit
from lms.channels.mentions import MAX_MEMBER_RESULTS, mention_handle, search_mention_candidates
from lms.channels.ratelimit import RateLimited
from lms.channels.schemas import (
    Channels,
    EditIn,
    Members,
    MembersQuery,
    MessageIn,
    MessageOut,
    Messages,
    MessagesQuery,
    ReactionIn,
    ReadIn,
    ReadOut,
    SearchQuery,
)
from lms.cohorts.access import get_cohort_for, is_staff, require_staff
from lms.errors import json_error
from lms.extensions import db


def channel_to_dict(channel, unread: int = 0) -> dict:
    return {"id": channel.id, "name": channel.name, "kind": channel.kind,
            "team_id": channel.team_id, "unread": unread}


@api_bp.errorhandler(RateLimited)
def rate_limited(exc: RateLimited):
    response, status = json_error(429, exc.code, exc.message, exc.extra)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response, status


@api_bp.get("/cohorts/<slug>/channels")
@validate(responses={200: Channels})
def list_channels(slug: str):
    """読めるチャンネルの一覧"""
    user = caller()
    _cohort, membership = get_cohort_for(user, slug)
    channels = readable_channels(membership)
    unread = reading.unread_counts(user, [c.id for c in channels])
    return jsonify([channel_to_dict(c, unread[c.id]) for c in channels])


@api_bp.get("/channels/<int:channel_id>/messages")
@validate(query=MessagesQuery, responses={200: Messages})
def list_messages(channel_id: int, query: MessagesQuery):
    """メッセージ（古い順）。after_id は取りこぼさない"""
    channel, membership = get_channel_for(caller(), channel_id)
    staff = is_staff(membership)
    limit = reading.clean_limit(query.limit)

    def page() -> str:
        messages = reading.list_messages(channel, after_id=query.after_id,
                                          before_id=query.before_id, limit=limit)
        return current_app.json.dumps([reading.message_to_dict(m, staff_view=staff)
                                       for m in messages])

    # The same for every reader with this view until a message, reaction or name changes.
    body = cached("channels.history", (channel.id, query.after_id, query.before_id, limit,
                                       staff), page, deps=("channels", "users"))
    return current_app.response_class(body + "\n", mimetype="application/json")


@api_bp.post("/channels/<int:channel_id>/messages")
@validate(json=MessageIn, responses={201: MessageOut, 200: MessageOut})
def post_message(channel_id: int, body: MessageIn):
    """メッセージを投稿（client_msg_id が同じ再送は 200 で同じメッセージ）"""
    user = caller()
    channel, membership = get_channel_for(user, channel_id)
    require_post(membership, channel)
    payload, created = post_and_emit(user, channel, body.body,
                                     client_msg_id=body.client_msg_id, parent_id=body.parent_id)
    return jsonify(payload), 201 if created else 200


@api_bp.post("/channels/<int:channel_id>/read")
@validate(json=ReadIn, responses={200: ReadOut})
def mark_read(channel_id: int, body: ReadIn):
    """既読にする（既定は最新まで）"""
    user = caller()
    channel, _membership = get_channel_for(user, channel_id)
    last_read = reading.mark_read(user, channel, body.last_read_id)
    db.session.commit()
    return jsonify({"channel_id": channel.id, "last_read_id": last_read,
                    "unread": reading.unread_counts(user, [channel.id])[channel.id]})


@api_bp.patch("/messages/<int:message_id>")
@validate(json=EditIn, responses={200: MessageOut})
def edit_message(message_id: int, body: EditIn):
    """自分のメッセージを編集"""
    user = caller()
    message, channel, _membership = get_message_for(user, message_id)
    require_author(user, message)
    return jsonify(edit_and_emit(user, message, channel, body.body))


@api_bp.delete("/messages/<int:message_id>")
@validate(responses={200: MessageOut})
def delete_message(message_id: int):
    """自分のメッセージを削除"""
    user = caller()
    message, _channel, _membership = get_message_for(user, message_id)
    require_author(user, message)
    services.delete_message(message)
    db.session.commit()
    broadcast_updated(message)
    return jsonify(reading.message_to_dict(message))


@api_bp.post("/messages/<int:message_id>/hide")
@validate(responses={200: MessageOut})
def hide_message(message_id: int):
    """講師・主催者がメッセージを非表示にする"""
    user = caller()
    message, _channel, membership = get_message_for(user, message_id)
    require_staff(membership)
    services.hide_message(message, user)
    db.session.commit()
    broadcast_updated(message)
    return jsonify(reading.message_to_dict(message, staff_view=True))


@api_bp.post("/messages/<int:message_id>/reactions")
@validate(json=ReactionIn, responses={200: MessageOut})
def add_reaction(message_id: int, body: ReactionIn):
    """リアクションを付ける"""
    user = caller()
    message, _channel, _membership = get_message_for(user, message_id)
    services.add_reaction(message, user, body.emoji)
    db.session.commit()
    broadcast_updated(message)
    return jsonify(reading.message_to_dict(message))


@api_bp.delete("/messages/<int:message_id>/reactions/<emoji>")
@validate(responses={200: MessageOut})
def remove_reaction(message_id: int, emoji: str):
    """自分のリアクションを外す"""
    user = caller()
    message, _channel, _membership = get_message_for(user, message_id)
    services.remove_reaction(message, user, emoji)
    db.session.commit()
    broadcast_updated(message)
    return jsonify(reading.message_to_dict(message))


@api_bp.get("/cohorts/<slug>/search")
@validate(query=SearchQuery, responses={200: Messages})
def search(slug: str, query: SearchQuery):
    """読めるチャンネルのメッセージを検索（部分一致・新しい順）"""
    user = caller()
    cohort, membership = get_cohort_for(user, slug)
    channel_ids = [c.id for c in readable_channels(membership)]
    if query.channel_id is not None:
        channel, _membership = get_channel_for(user, query.channel_id, cohort)
        channel_ids = [channel.id]
    messages = reading.search_messages(channel_ids, query.q, reading.clean_limit(query.limit),
                                       author_id=query.author_id)
    return jsonify([{**reading.message_to_dict(m), "highlight": str(highlight(m.body, query.q))}
                    for m in messages])


@api_bp.get("/channels/<int:channel_id>/members")
@validate(query=MembersQuery, responses={200: Members})
def channel_members(channel_id: int, query: MembersQuery):
    """@で知らせられる人（このチャンネルを読める人）の候補。q で名前の前方一致"""
    channel, _membership = get_channel_for(caller(), channel_id)
    people = search_mention_candidates(channel, query.q,
                                       min(query.limit or MAX_MEMBER_RESULTS, MAX_MEMBER_RESULTS))
    return jsonify([{"id": u.id, "name": u.name, "handle": mention_handle(u)} for u in people])

