"""Pages built from kept parts (lms.cache) show every change at once, show each reader their
own view, and cost few queries once kept."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.channels.models import Message
from tests.conftest import PASSWORD, isolate_requests

SLUG = "tokyo-dx-2021"


def _room(channel) -> str:
    return f"/c/{SLUG}/channels/{channel.id}"


def _client_for(app, email):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def test_team_room_shows_new_edited_and_reacted_messages_at_once(app, chans, teammate,
                                                                team_room_of, post,
                                                                token_for):
    room = team_room_of("p01@example.jp")
    me, mate = _client_for(app, "p01@example.jp"), teammate()
    assert "キャッシュ確認の投稿" not in me.get(_room(room)).get_data(as_text=True)
    sent = post(mate, room.id, "キャッシュ確認の投稿").get_json()
    assert "キャッシュ確認の投稿" in me.get(_room(room)).get_data(as_text=True)
    me.get(_room(room))  # kept now

    edited = me.patch(f"/api/v1/messages/{sent['id']}", headers=token_for(mate),
                      json={"body": "キャッシュ確認の投稿（直しました）"})
    assert edited.status_code == 200, edited.get_json()
    page = me.get(_room(room)).get_data(as_text=True)
    assert "キャッシュ確認の投稿（直しました）" in page and "（編集済み）" in page

    assert me.post(f"/api/v1/messages/{sent['id']}/reactions", json={"emoji": "👍"},
                   headers=token_for("p01@example.jp")).status_code in (200, 201)
    page = me.get(_room(room)).get_data(as_text=True)
    item = re.search(rf'<li class="message[^"]*" id="m-{sent["id"]}".*?</li>', page, re.S)
    assert 'aria-label="👍 リアクション 1件（押しています' in item.group(0)


def test_each_reader_gets_their_own_list(app, chans, teammate, team_room_of, post):
    room = team_room_of("p01@example.jp")
    mate = teammate()
    mine = post("p01@example.jp", room.id, "わたしの投稿").get_json()
    me, them = _client_for(app, "p01@example.jp"), _client_for(app, mate)
    for _ in range(2):  # the second round is served from what was kept
        my_page = me.get(_room(room)).get_data(as_text=True)
        their_page = them.get(_room(room)).get_data(as_text=True)
        edit_link = f'data-edit-message="{mine["id"]}"'
        assert edit_link in my_page and edit_link not in their_page


def test_a_participant_moved_out_of_the_team_loses_the_room_at_once(app, db, chans, demo,
                                                                    team_room_of,
                                                                    other_team_member):
    from lms.auth.services import get_user_by_email
    from lms.cohorts.access import membership_for
    from lms.cohorts.models import CohortMunicipality

    room = team_room_of("p01@example.jp")
    me = _client_for(app, "p01@example.jp")
    assert me.get(_room(room)).status_code == 200
    other = other_team_member()
    mine = membership_for(get_user_by_email("p01@example.jp"), demo)
    theirs = membership_for(get_user_by_email(other), demo)
    cm = db.session.scalar(select(CohortMunicipality).where(
        CohortMunicipality.cohort_id == demo.id,
        CohortMunicipality.municipality_code == mine.municipality_code))
    cm.team_id = db.session.scalar(select(CohortMunicipality.team_id).where(
        CohortMunicipality.cohort_id == demo.id,
        CohortMunicipality.municipality_code == theirs.municipality_code))
    db.session.commit()
    assert me.get(_room(room)).status_code in (403, 404)


def test_dashboard_and_matrix_follow_new_work(app, db, demo, chans, team_room_of, teammate,
                                              post):
    from tests.homework.test_matrix import submit_as

    me, trainer = _client_for(app, "p01@example.jp"), _client_for(app, "trainer1@example.jp")
    room = team_room_of("p01@example.jp")
    me.get(_room(room))
    before = me.get("/").get_data(as_text=True)
    matrix_url = f"/c/{SLUG}/homework/matrix?by=person"
    matrix_before = trainer.get(matrix_url).get_data(as_text=True)
    post(teammate(), room.id, "ダッシュボード確認")
    after = me.get("/").get_data(as_text=True)
    assert after != before and "未読 1件" in after
    sub = submit_as(db, demo, "p01@example.jp", "s3_case")
    matrix_after = trainer.get(matrix_url).get_data(as_text=True)
    assert f"/c/{SLUG}/submissions/{sub.id}" in matrix_after
    assert f"/c/{SLUG}/submissions/{sub.id}" not in matrix_before


def test_kept_pages_cost_a_few_queries(app, db, demo, chans, team_room_of, count_queries):
    me = _client_for(app, "p01@example.jp")
    trainer = _client_for(app, "trainer1@example.jp")
    room = team_room_of("p01@example.jp")
    pages = [(me, "/", 1), (me, _room(room), 7), (trainer, "/", 1),
             (trainer, f"/c/{SLUG}/homework/matrix", 3)]
    for client, url, _ in pages:
        assert client.get(url).status_code == 200
    for client, url, most in pages:
        with count_queries(warm=True) as statements:
            assert client.get(url).status_code == 200
        assert len(statements) <= most, (url, statements)


def test_a_message_deleted_elsewhere_is_gone_from_the_kept_list(app, db, chans, post):
    me = _client_for(app, "p01@example.jp")
    sent = post("p02@example.jp", chans["worries"].id, "消される投稿").get_json()
    assert "消される投稿" in me.get(_room(chans["worries"])).get_data(as_text=True)
    db.session.get(Message, sent["id"]).body_html = "<p>差し替え</p>"
    db.session.commit()
    assert "消される投稿" not in me.get(_room(chans["worries"])).get_data(as_text=True)


@pytest.fixture
def csrf_app(app_config):
    from lms.app import create_app
    from lms.demo import build_demo
    from lms.extensions import db

    app = isolate_requests(create_app({**app_config, "WTF_CSRF_ENABLED": True,
                      "SQLALCHEMY_DATABASE_URI": app_config["SQLALCHEMY_DATABASE_URI"]
                      .replace("test.sqlite3", "csrf.sqlite3")}))
    with app.app_context():
        db.create_all()
        build_demo(PASSWORD)
        db.session.commit()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_two_logins_of_one_person_each_get_their_own_form_token(csrf_app):
    """A kept list holds no login's token: each page carries its own login's, which works."""
    from lms.channels.models import Channel

    worries = csrf_app.extensions["sqlalchemy"].session.scalar(  # noqa
        select(Channel).where(Channel.name == "DXの悩みごと"))
    clients = []
    for _ in range(2):
        client = csrf_app.test_client()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          client.get("/login").get_data(as_text=True)).group(1)
        assert client.post("/login", data={"email": "p01@example.jp", "password": PASSWORD,
                                           "csrf_token": token}).status_code == 302
        clients.append(client)
    from lms.auth.services import create_api_token, get_user_by_email

    sql = csrf_app.extensions["sqlalchemy"].session
    bearer = create_api_token(get_user_by_email("p02@example.jp"))
    sql.commit()
    message_id = clients[0].post(f"/api/v1/channels/{worries.id}/messages",
                                 headers={"Authorization": f"Bearer {bearer}"},
                                 json={"body": "リアクションしてください",
                                       "client_msg_id": "cache-csrf-1"}).get_json()["id"]
    tokens = []
    for client in clients:  # the second page is built from the first one's kept list
        page = client.get(f"/c/{SLUG}/channels/{worries.id}").get_data(as_text=True)
        form = re.search(rf'action="[^"]*/messages/{message_id}/react"\s*'
                         r'class="d-inline reaction-form">\s*'
                         r'<input type="hidden" name="csrf_token" value="([^"]+)"', page)
        assert form, "the page has no reaction form for the newest message"
        tokens.append(form.group(1))
        response = client.post(f"/c/{SLUG}/messages/{message_id}/react",
                               data={"csrf_token": form.group(1), "emoji": "👀"})
        assert response.status_code in (302, 303), response.status_code
    assert tokens[0] != tokens[1]


def test_a_kept_team_room_page_still_differs_where_each_view_must(app, db, chans, demo,
                                                                  team_room_of):
    """The team room is kept whole per reader, yet each view has its own form client id (a
    retried post stores nothing new, a new one stores again), a message shown once (flash)
    is not kept, and the bell follows new notifications."""
    from flask import template_rendered

    from lms.auth.services import get_user_by_email
    from lms.notifications.services import notify

    room = team_room_of("p01@example.jp")
    me = _client_for(app, "p01@example.jp")
    rendered: list[str] = []

    def note(_app, template, _context, **_extra):
        rendered.append(template.name)

    client_id = re.compile(r'name="client_msg_id" type="hidden" value="([^"]+)"')
    first = me.get(_room(room)).get_data(as_text=True)
    template_rendered.connect(note, app)
    try:
        second = me.get(_room(room)).get_data(as_text=True)
    finally:
        template_rendered.disconnect(note, app)
    assert "channels/channel.html" not in rendered  # served whole from the cache
    ids = [client_id.search(page).group(1) for page in (first, second)]
    assert ids[0] != ids[1] and all(len(i) == 36 for i in ids)

    def send(cid: str):
        return me.post(_room(room), data={"body": "フォームから送信", "client_msg_id": cid})

    assert send(ids[1]).status_code == 302 and send(ids[1]).status_code == 302
    mine = db.session.scalars(select(Message).where(Message.body == "フォームから送信")).all()
    assert len(mine) == 1
    third = me.get(_room(room)).get_data(as_text=True)
    assert client_id.search(third).group(1) not in ids
    assert send(client_id.search(third).group(1)).status_code == 302
    assert len(db.session.scalars(select(Message).where(
        Message.body == "フォームから送信")).all()) == 2

    assert me.post(f"/c/{SLUG}/messages/{mine[0].id}/delete").status_code == 302
    assert "メッセージを削除しました。" in me.get(_room(room)).get_data(as_text=True)
    assert "メッセージを削除しました。" not in me.get(_room(room)).get_data(as_text=True)

    bell = re.compile(r'id="notif-count-n">(\d+)<')
    before = int(bell.search(me.get(_room(room)).get_data(as_text=True)).group(1))
    notify([get_user_by_email("p01@example.jp")], "session_changed", "第3回の開始時刻の変更",
           cohort_id=demo.id)
    db.session.commit()
    after = int(bell.search(me.get(_room(room)).get_data(as_text=True)).group(1))
    assert after == before + 1


def test_the_matrix_is_kept_whole_for_each_reader(app, db, demo):
    """The matrix page is served whole from the cache on the second view, and each trainer
    and organizer sees their own name in the header (the table itself is shared)."""
    from flask import template_rendered

    from lms.auth.services import get_user_by_email

    url = f"/c/{SLUG}/homework/matrix"
    readers = {email: _client_for(app, email)
               for email in ("trainer1@example.jp", "organizer@example.jp")}
    for client in readers.values():
        assert client.get(url).status_code == 200
    rendered: list[str] = []

    def note(_app, template, _context, **_extra):
        rendered.append(template.name)

    template_rendered.connect(note, app)
    try:
        pages = {email: client.get(url).get_data(as_text=True)
                 for email, client in readers.items()}
    finally:
        template_rendered.disconnect(note, app)
    assert rendered == []
    for email, page in pages.items():
        assert f"{get_user_by_email(email).name} さん" in page
    assert pages["trainer1@example.jp"] != pages["organizer@example.jp"]


def test_the_organizers_figures_follow_new_posts(app, db, demo, chans, team_room_of, post,
                                                 teammate):
    """The figures page is kept, and a post in a team room changes it at once."""
    def figures(client) -> str:
        html = client.get(f"/c/{SLUG}/dashboard").get_data(as_text=True)
        return re.sub(r'(name="csrf_token" value|name="csrf-token" content)="[^"]+"', "", html)

    organizer = _client_for(app, "organizer@example.jp")
    before = figures(organizer)
    assert figures(organizer) == before
    room = team_room_of("p01@example.jp")
    for n in range(3):
        assert post(teammate(), room.id, f"集計に入る投稿 {n}").status_code == 201
    assert figures(organizer) != before


@pytest.mark.parametrize("page", ["/", "team room"])
def test_the_layouts_form_token_on_a_kept_page_works(csrf_app, page):
    """The layout's own token (the meta tag scripts send, the logout form) is filled in on a
    page served whole from the cache: logging out from it works."""
    from lms.channels.models import Channel

    sql = csrf_app.extensions["sqlalchemy"].session
    room = sql.scalar(select(Channel).where(Channel.kind == "team").order_by(Channel.id))
    url = "/" if page == "/" else f"/c/{SLUG}/channels/{room.id}"
    email = "p01@example.jp" if page == "/" else _member_of(sql, room)
    for _ in range(2):  # the second login's page is the first one's, kept
        client = csrf_app.test_client()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          client.get("/login").get_data(as_text=True)).group(1)
        assert client.post("/login", data={"email": email, "password": PASSWORD,
                                           "csrf_token": token}).status_code == 302
        html = client.get(url).get_data(as_text=True)
        meta = re.search(r'<meta name="csrf-token" content="([^"]+)">', html).group(1)
        logout = re.search(r'action="/logout"[^>]*>\s*<input type="hidden" name="csrf_token" '
                           r'value="([^"]+)"', html).group(1)
        assert meta == logout and "lms:csrf" not in meta and "&lt;" not in html.split("<body")[0]
    assert client.post("/logout", data={"csrf_token": logout}).status_code == 302


def _member_of(sql, room) -> str:
    from lms.auth.models import User
    from lms.cohorts.access import membership_for, team_id_for
    from lms.cohorts.models import Cohort

    cohort = sql.get(Cohort, room.cohort_id)
    for n in range(1, 51):
        user = sql.scalar(select(User).where(User.email == f"p{n:02d}@example.jp"))
        if team_id_for(membership_for(user, cohort)) == room.team_id:
            return user.email
    raise AssertionError("nobody in the room")
