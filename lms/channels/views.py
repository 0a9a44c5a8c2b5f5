"""Channel pages: list, channel history with live updates, threads, search, trainers' view."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from lms.cache import (
    CLIENT_ID_SLOT,
    CSRF_SLOT,
    cached,
    cached_html,
    cached_page,
    fill_token,
    render_part,
)
from lms.channels import reading, services
from lms.channels.access import (
    can_post_channel,
    get_channel_for,
    get_message_for,
    readable_channels,
    require_author,
    require_post,
)
from lms.channels.forms import ActionForm, EditForm, MessageForm, PromptForm
from lms.channels.highlight import highlight
from lms.channels.live import broadcast_new, broadcast_updated, edit_and_emit, post_and_emit
from lms.channels.ratelimit import RateLimited
from lms.cohorts.access import get_cohort_for, is_staff, require_staff
from lms.db import begin_writing, utcnow
from lms.errors import DomainError, NotFound
from lms.extensions import db

bp = Blueprint("channels", __name__, template_folder="templates")


@bp.context_processor
def reaction_choices():
    return {"reactions": services.REACTIONS, "reaction_groups": services.reaction_groups}


class MessageUrls:
    """A message's links, built with url_for once per page instead of five times per message
    (a page of 50 messages spent ~8% of its time routing): the URLs differ only in the id."""

    _ID = 987654321987

    def __init__(self, slug: str, channel_id: int):
        def pattern(endpoint: str, **values) -> tuple[str, str]:
            head, tail = url_for(endpoint, slug=slug, message_id=self._ID, **values).split(
                str(self._ID))
            return head, tail

        self._react = pattern("channels.react")
        self._edit = pattern("channels.edit_message")
        self._delete = pattern("channels.delete_message")
        self._hide = pattern("channels.hide_message")
        self._thread = pattern("channels.thread_page", channel_id=channel_id)

    @staticmethod
    def _fill(pattern: tuple[str, str], message_id: int) -> str:
        return f"{pattern[0]}{int(message_id)}{pattern[1]}"

    def react(self, message_id: int) -> str:
        return self._fill(self._react, message_id)

    def edit(self, message_id: int) -> str:
        return self._fill(self._edit, message_id)

    def delete(self, message_id: int) -> str:
        return self._fill(self._delete, message_id)

    def hide(self, message_id: int) -> str:
        return self._fill(self._hide, message_id)

    def thread(self, message_id: int, anchor_id: int | None = None) -> str:
        url = self._fill(self._thread, message_id)
        return url if anchor_id is None else f"{url}#m-{int(anchor_id)}"


@bp.app_template_global()
def message_urls(slug: str, channel_id: int) -> MessageUrls:
    return MessageUrls(slug, channel_id)


@bp.errorhandler(RateLimited)
def rate_limited(exc: RateLimited):
    return (render_template("errors/error.html", status=429, message=exc.message), 429,
            {"Retry-After": str(exc.retry_after)})


def _sidebar(membership):
    channels = readable_channels(membership)
    return channels, reading.unread_counts(current_user, [c.id for c in channels])


def _cached_sidebar(cohort, membership, channel):
    """The channel list with unread counts, kept per reader (lms.cache) until a message, a read
    marker, a channel or a membership changes."""
    def render(_csrf):
        channels, unread = _sidebar(membership)
        return render_part("channels/_sidebar.html", cohort=cohort, channels=channels,
                           unread=unread, channel=channel)
    return cached_html("channels.sidebar", (current_user.id, cohort.id, channel.id), render,
                       deps=SHOWN_TABLES)


# Tables of the objects a cached part is handed (loaded before it runs, so not seen read).
SHOWN_TABLES = ("cohorts", "channels", "memberships", "users", "cohort_municipalities")


@bp.get("/c/<slug>/channels")
@login_required
def channel_list(slug: str):
    cohort, membership = get_cohort_for(current_user, slug)
    channels, unread = _sidebar(membership)
    return render_template("channels/list.html", cohort=cohort, channels=channels,
                           unread=unread, is_staff=is_staff(membership))


def _channel_page(cohort, channel, membership, form=None, status=200):
    """The channel's newest (or an older) page. A fresh one (form None: a GET) is kept whole
    per reader (lms.cache.cached_page) until anything on it changes; a refused post renders
    the page around its form and errors."""
    before_id = request.args.get("before_id", type=int)
    # Kept until a message or read marker of the channel changes: no query in a quiet room.
    read_up_to, newest = cached("channels.read_state", (channel.id, current_user.id),
                                lambda: list(reading.read_state(current_user, channel)))
    if before_id is None and status == 200 and newest > read_up_to:
        # Viewing the newest page reads the channel; committed before loading the page so
        # the loaded messages are not expired (and re-queried one by one) by the commit.
        begin_writing()
        reading.mark_read(current_user, channel)
        db.session.commit()
    staff = is_staff(membership)
    may_post = can_post_channel(membership, channel)

    def render(csrf):
        # Thread replies fold under their parent (「返信 N件」), so pages count parents only.
        messages = reading.list_roots(channel, before_id=before_id)
        replies = reading.replies_by_root([m.id for m in messages])
        divider = next((m.id for m in messages
                        if m.id > read_up_to and m.author_id != current_user.id), None)
        unread_threads = {root_id for root_id, rs in replies.items()
                          if any(r.id > read_up_to and r.author_id != current_user.id
                                 for r in rs)}
        return {"html": render_part(
            "channels/_message_list.html", cohort=cohort, channel=channel, messages=messages,
            replies=replies, unread_threads=unread_threads, divider_id=divider, staff=staff,
            may_post=may_post, thread=None, csrf=csrf),
            "first_id": messages[0].id if messages else None,
            "has_older": bool(messages) and reading.has_older_root(channel, messages[0].id)}

    def page(form):
        # The list is the same for this reader until a message, reaction, mention or name in
        # it changes (lms.cache); their own read marker is part of the key (「ここから未読」).
        part = cached("channels.messages", (channel.id, before_id, current_user.id,
                                            read_up_to, staff, may_post),
                      lambda: render(Markup(CSRF_SLOT)), deps=SHOWN_TABLES)
        return render_part(
            "channels/channel.html", cohort=cohort, channel=channel,
            message_list=Markup(part["html"]), first_id=part["first_id"], form=form,
            staff=staff, may_post=may_post, sidebar=_cached_sidebar(cohort, membership, channel),
            has_older=part["has_older"], newest_page=before_id is None, thread=None)

    if form is not None:
        html = page(form)
        return fill_token(html), status
    return cached_page("channels.page", (channel.id, before_id, current_user.id, read_up_to,
                                         staff, may_post),
                       lambda: page(_new_form(CLIENT_ID_SLOT)), deps=SHOWN_TABLES)


def _new_form(client_id: str | None = None) -> MessageForm:
    """A fresh message form; for a kept page, its token and client id are slots."""
    form = MessageForm()
    if client_id is None:
        form.client_msg_id.data = str(uuid.uuid4())
    else:
        form.client_msg_id.data = client_id
        token = getattr(form, "csrf_token", None)  # (none where CSRF is off: tests)
        if token is not None:
            token.current_token = Markup(CSRF_SLOT)
    return form


@bp.get("/c/<slug>/channels/<int:channel_id>")
@login_required
def channel_page(slug: str, channel_id: int):
    cohort, _ = get_cohort_for(current_user, slug)
    channel, membership = get_channel_for(current_user, channel_id, cohort)
    return _channel_page(cohort, channel, membership)


@bp.post("/c/<slug>/channels/<int:channel_id>")
@login_required
def post_message(slug: str, channel_id: int):
    """Posting without JavaScript: a normal form; a resubmitted form stores nothing new."""
    cohort, _ = get_cohort_for(current_user, slug)
    channel, membership = get_channel_for(current_user, channel_id, cohort)
    require_post(membership, channel)
    form = MessageForm()
    parent = form.parent_id.data
    if form.validate_on_submit():
        try:
            message, _created = post_and_emit(
                current_user, channel, form.body.data or "",
                client_msg_id=form.client_msg_id.data or None,
                parent_id=int(parent) if parent and parent.isdigit() else None)
        except RateLimited:
            raise  # handled by rate_limited() with Retry-After
        except DomainError as exc:
            db.session.rollback()
            form.body.errors = [exc.message]
        else:
            if message.get("mention_warning"):
                flash(message["mention_warning"], "warning")
            anchor = f"m-{message['id']}"
            if message["parent_id"]:
                return redirect(url_for("channels.thread_page", slug=slug,
                                        channel_id=channel.id, message_id=message["parent_id"],
                                        _anchor=anchor))
            return redirect(url_for("channels.channel_page", slug=slug, channel_id=channel.id,
                                    _anchor=anchor))
    if parent and parent.isdigit():
        return _thread_page(cohort, channel, membership, int(parent), form, 422)
    return _channel_page(cohort, channel, membership, form, 422)


def _thread_page(cohort, channel, membership, message_id, form, status=200):
    root, root_channel, _ = get_message_for(current_user, message_id)
    if root_channel.id != channel.id:
        raise NotFound("メッセージが見つかりません。")
    if root.parent_id:
        root = root.parent
    form.parent_id.data = str(root.id)
    channels, unread = _sidebar(membership)
    return render_template(
        "channels/channel.html", cohort=cohort, channel=channel,
        messages=reading.thread_messages(root), divider_id=None, form=form,
        channels=channels, unread=unread, staff=is_staff(membership),
        may_post=can_post_channel(membership, channel), has_older=False, newest_page=True,
        thread=root), status


@bp.get("/c/<slug>/channels/<int:channel_id>/threads/<int:message_id>")
@login_required
def thread_page(slug: str, channel_id: int, message_id: int):
    cohort, _ = get_cohort_for(current_user, slug)
    channel, membership = get_channel_for(current_user, channel_id, cohort)
    return _thread_page(cohort, channel, membership, message_id, _new_form())


def _message_in_cohort(slug: str, message_id: int):
    cohort, _ = get_cohort_for(current_user, slug)
    message, channel, membership = get_message_for(current_user, message_id)
    if channel.cohort_id != cohort.id:
        raise NotFound("メッセージが見つかりません。")
    return message, channel, membership


def _back(slug, message):
    if message.parent_id:
        return redirect(url_for("channels.thread_page", slug=slug, channel_id=message.channel_id,
                                message_id=message.parent_id, _anchor=f"m-{message.id}"))
    return redirect(url_for("channels.channel_page", slug=slug, channel_id=message.channel_id,
                            _anchor=f"m-{message.id}"))


@bp.route("/c/<slug>/messages/<int:message_id>/edit", methods=["GET", "POST"])
@login_required
def edit_message(slug: str, message_id: int):
    message, channel, _membership = _message_in_cohort(slug, message_id)
    require_author(current_user, message)
    form = EditForm()
    if request.method == "GET":
        form.body.data = message.body
    elif form.validate_on_submit():
        try:
            payload = edit_and_emit(current_user, message, channel, form.body.data or "")
        except DomainError as exc:
            db.session.rollback()
            form.body.errors = [exc.message]
        else:
            flash("メッセージを編集しました。", "success")
            if payload.get("mention_warning"):
                flash(payload["mention_warning"], "warning")
            return _back(slug, message)
    return render_template("channels/edit.html", slug=slug, channel=channel, message=message,
                           form=form), 422 if form.body.errors else 200


@bp.post("/c/<slug>/messages/<int:message_id>/delete")
@login_required
def delete_message(slug: str, message_id: int):
    message, _channel, _membership = _message_in_cohort(slug, message_id)
    require_author(current_user, message)
    if ActionForm().validate_on_submit():
        services.delete_message(message)
        db.session.commit()
        broadcast_updated(message)
        flash("メッセージを削除しました。", "success")
    return _back(slug, message)


@bp.post("/c/<slug>/messages/<int:message_id>/hide")
@login_required
def hide_message(slug: str, message_id: int):
    message, _channel, membership = _message_in_cohort(slug, message_id)
    require_staff(membership)
    if ActionForm().validate_on_submit():
        services.hide_message(message, current_user)
        db.session.commit()
        broadcast_updated(message)
        flash("メッセージを非表示にしました。", "success")
    return _back(slug, message)


@bp.post("/c/<slug>/messages/<int:message_id>/react")
@login_required
def react(slug: str, message_id: int):
    """Toggle one's reaction (a button per emoji: pressed again, it is taken back)."""
    message, _channel, _membership = _message_in_cohort(slug, message_id)
    if ActionForm().validate_on_submit():
        try:
            services.toggle_reaction(message, current_user, request.form.get("emoji", ""))
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            broadcast_updated(message)
    return _back(slug, message)


@bp.get("/c/<slug>/search")
@login_required
def search(slug: str):
    cohort, membership = get_cohort_for(current_user, slug)
    q = request.args.get("q", "")
    channels = readable_channels(membership)
    readable = {c.id: c for c in channels}
    # A filter the reader cannot use (another team's room, a stale id) is dropped, not an error.
    channel_id = request.args.get("channel", type=int)
    channel_id = channel_id if channel_id in readable else None
    author_id = request.args.get("author", type=int)
    results, error = [], None
    if q:
        try:
            results = reading.search_messages([channel_id] if channel_id else list(readable),
                                               q, services.MAX_LIMIT, author_id=author_id)
        except DomainError as exc:
            error = exc.message
    authors = reading.authors_in(list(readable))
    author = next((a for a in authors if a.id == author_id), None)
    return render_template("channels/search.html", cohort=cohort, q=q, results=results,
                           error=error, channels=channels, authors=authors,
                           channel_id=channel_id, author_id=author.id if author else None,
                           filter_channel=readable.get(channel_id), filter_author=author,
                           highlight=highlight), 422 if error else 200


@bp.route("/c/<slug>/team-rooms", methods=["GET", "POST"])
@login_required
def team_rooms(slug: str):
    """Trainers: which team rooms are quiet, and one prompt posted to every room."""
    cohort, membership = get_cohort_for(current_user, slug)
    require_staff(membership)
    form = PromptForm()
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        try:
            chosen = None
            if request.form.get("target") == "chosen":
                chosen = [int(v) for v in request.form.getlist("room") if v.isdigit()]
            created = services.post_prompt(current_user, cohort.id, form.body.data or "",
                                           form.prompt_id.data or str(uuid.uuid4()),
                                           channel_ids=chosen)
        except DomainError as exc:
            db.session.rollback()
            form.body.errors = [exc.message]
            status = 422
        else:
            db.session.commit()
            broadcast_new(created)
            flash(f"{len(created)}つのチームルームに投稿しました。", "success")
            return redirect(url_for("channels.team_rooms", slug=slug))
    if not form.prompt_id.data:
        form.prompt_id.data = str(uuid.uuid4())
    now = utcnow()
    return render_template("channels/team_rooms.html", cohort=cohort, now=now, form=form,
                           rooms=services.team_room_activity(cohort.id, now),
                           chosen=set(request.form.getlist("room")),
                           target=request.form.get("target", "all")), status
