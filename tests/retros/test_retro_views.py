"""Retro pages: the board (hidden-until-reveal in the HTML), its forms, the trainers' view
with "move all", the summary, and the links from the session page and team room."""

from __future__ import annotations

import re

from tests.conftest import login

SLUG = "tokyo-dx-2021"


def _page(client, email, url):
    client.post("/logout")
    assert login(client, email).status_code == 302
    return client.get(url)


def test_retro_page_hides_others_cards_until_reveal(client, card, api, people, board_of):
    board = board_of(people["team_id"], 4)
    card(people["me"], board.id, "p01の書きかけのカード")
    for who in ("mate", "trainer"):
        page = _page(client, people[who], f"/retros/{board.id}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "p01の書きかけのカード" not in html
        assert "ほかの人のカードが1枚あります" in html
        partial = client.get(f"/retros/{board.id}/partial").get_data(as_text=True)
        assert "p01の書きかけのカード" not in partial
    assert "p01の書きかけのカード" in _page(client, people["me"],
                                          f"/retros/{board.id}").get_data(as_text=True)
    api(people["trainer"], "post", f"/retros/{board.id}/phase", json={"phase": "reveal"})
    for who in ("mate", "trainer"):
        assert "p01の書きかけのカード" in _page(client, people[who],
                                              f"/retros/{board.id}").get_data(as_text=True)


def test_retro_page_of_another_team_is_404(client, people, board_of):
    board = board_of(people["team_id"], 4)
    assert _page(client, people["outsider"], f"/retros/{board.id}").status_code == 404


def test_retro_board_forms_write_vote_group_and_act(client, db, people, board_of):
    board = board_of(people["team_id"], 4)
    _page(client, people["me"], f"/retros/{board.id}")
    added = client.post(f"/retros/{board.id}/cards",
                        data={"column": "try", "body": "フォームから書いた"})
    assert added.status_code == 302
    assert "フォームから書いた" in client.get(added.location).get_data(as_text=True)
    empty = client.post(f"/retros/{board.id}/cards", data={"column": "try", "body": ""},
                        follow_redirects=True)
    assert "カードの内容を入力してください" in empty.get_data(as_text=True)
    assert client.post(f"/retros/{board.id}/phase", data={"phase": "reveal"}).status_code == 403

    _page(client, people["mate"], f"/retros/{board.id}")
    client.post(f"/retros/{board.id}/cards", data={"column": "try", "body": "同僚のTry"})
    _page(client, people["trainer"], f"/retros/{board.id}")
    client.post(f"/retros/{board.id}/phase", data={"phase": "vote"})
    ids = [int(i) for i in re.findall(r'id="card-(\d+)"', client.get(
        f"/retros/{board.id}").get_data(as_text=True))]
    assert len(ids) == 2
    grouped = client.post(f"/retros/{board.id}/groups",
                          data={"card_id": str(ids[1]), "with_id": str(ids[0])},
                          follow_redirects=True)
    assert "まとめたカード 2枚" in grouped.get_data(as_text=True)

    _page(client, people["me"], f"/retros/{board.id}")
    voted = client.post(f"/retros/{board.id}/votes", data={"card_id": str(ids[0])},
                        follow_redirects=True)
    html = voted.get_data(as_text=True)
    assert "投票しました" in html and "残り2票" in html and "投票を取り消す" in html

    _page(client, people["trainer"], f"/retros/{board.id}")
    client.post(f"/retros/{board.id}/phase", data={"phase": "act"})
    client.post(f"/retros/{board.id}/timer", data={"minutes": "10"})
    page = client.get(f"/retros/{board.id}").get_data(as_text=True)
    assert 'data-ends-at="' in page and "アクション（現在）" in page
    _page(client, people["me"], f"/retros/{board.id}")
    me_id = api_id(client)
    made = client.post(f"/retros/{board.id}/actions",
                       data={"title": "フローをBPMNで揃える", "card_id": str(ids[0]),
                             "owner_id": str(me_id)}, follow_redirects=True)
    assert "アクションを追加しました" in made.get_data(as_text=True)
    following = board_of(people["team_id"], 5)
    nxt = client.get(f"/retros/{following.id}").get_data(as_text=True)
    assert "前回のアクションはどうなった" in nxt and "フローをBPMNで揃える" in nxt


def api_id(client) -> int:
    return client.get("/api/v1/me").get_json()["id"]


def test_retro_trainer_moves_all_boards_of_a_session(client, api, people):
    assert _page(client, people["me"], f"/c/{SLUG}/sessions/4/retros").status_code == 403
    page = _page(client, people["trainer"], f"/c/{SLUG}/sessions/4/retros")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("のボードを開く") == 5
    moved = client.post(f"/c/{SLUG}/sessions/4/retros/phase",
                        data={"phase": "reveal", "minutes": "5"}, follow_redirects=True)
    assert "5チームのボードを「公開」にしました" in moved.get_data(as_text=True)
    boards = api(people["trainer"], "get", f"/cohorts/{SLUG}/retros?session=4").get_json()
    assert {b["phase"] for b in boards} == {"reveal"}
    one = api(people["me"], "get", f"/retros/{boards[0]['id']}").get_json()
    assert one["timer_ends_at"]


def test_retro_session_page_and_team_room_link_to_the_board(client, people, demo):
    html = _page(client, people["me"], f"/c/{SLUG}/sessions/2").get_data(as_text=True)
    assert f"/c/{SLUG}/sessions/2/retro" in html and "第2回の振り返りボードを開く" in html
    redirected = client.get(f"/c/{SLUG}/sessions/2/retro")
    assert redirected.status_code == 302 and "/retros/" in redirected.location
    rooms = client.get(f"/api/v1/cohorts/{SLUG}/channels").get_json()
    room = next(c for c in rooms if c["kind"] == "team")
    page = client.get(f"/c/{SLUG}/channels/{room['id']}").get_data(as_text=True)
    assert "の振り返りボード" in page and "チームの未完了のアクション" in page


def test_retro_summary_shows_revealed_cards_and_actions(client, people):
    html = _page(client, people["trainer"],
                 f"/c/{SLUG}/sessions/1/retros/summary").get_data(as_text=True)
    assert html.count("のボードを開く") == 5
    assert "チャットに毎週月曜の朝、進み具合を一言ずつ書く" in html
    mine = _page(client, people["me"],
                 f"/c/{SLUG}/sessions/1/retros/summary").get_data(as_text=True)
    assert mine.count("のボードを開く") == 1


def test_retro_trainer_page_query_count_does_not_grow_with_cards(
        client, db, people, board_of, count_queries):
    """The trainers' page of a session: the same number of queries for one card per board
    as for 40, with votes and actions."""
    from lms.auth.services import get_user_by_email
    from lms.retros.models import RetroAction, RetroCard, RetroVote
    from lms.retros.reading import boards_of_session

    boards = boards_of_session(board_of(people["team_id"], 4).cohort_id, 4)
    author = get_user_by_email(people["me"])

    def add(n: int) -> None:
        for board in boards:
            for i in range(n):
                card = RetroCard(board_id=board.id, column="try", body=f"カード{i}",
                                 author_id=author.id)
                db.session.add(card)
                db.session.flush()
                db.session.add(RetroVote(board_id=board.id, card_id=card.id,
                                         user_id=author.id))
                db.session.add(RetroAction(board_id=board.id, title=f"行動{i}",
                                           owner_id=author.id, card_id=card.id))
            board.phase = "act"
        db.session.commit()

    _page(client, people["trainer"], f"/c/{SLUG}/sessions/4/retros")
    add(1)
    with count_queries() as small:
        assert client.get(f"/c/{SLUG}/sessions/4/retros").status_code == 200
    add(39)
    with count_queries() as large:
        page = client.get(f"/c/{SLUG}/sessions/4/retros")
    assert page.status_code == 200 and "行動38" in page.get_data(as_text=True)
    assert len(large) == len(small), (len(small), len(large))
