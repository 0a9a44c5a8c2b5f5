"""In Chromium: two participants on one board see each other's cards only after the reveal,
live; the board works from the keyboard; axe-core finds nothing on the retro and survey
pages."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from tests.conftest import ARTIFACTS, axe_violations

pytestmark = pytest.mark.browser
SLUG = "tokyo-dx-2021"


def call(server, token: str, path: str, body: dict | None = None):
    request = urllib.request.Request(
        server.url + "/api/v1" + path, method="POST" if body is not None else "GET",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def tokens(live_server):
    emails = ["p01@example.jp", "trainer1@example.jp", *(f"p{n:02d}@example.jp"
                                                         for n in range(3, 51))]
    return dict(zip(emails, live_server.token(*emails), strict=True))


@pytest.fixture(scope="module")
def board(live_server, tokens):
    """p01's session-3 board (open for writing) and a teammate from another municipality."""
    [mine] = call(live_server, tokens["p01@example.jp"], f"/cohorts/{SLUG}/retros?session=3")
    mate = next(email for email, token in tokens.items() if email.startswith("p")
                and email not in ("p01@example.jp", "p02@example.jp")
                and call(live_server, token, f"/cohorts/{SLUG}/retros?session=3")[0]["id"]
                == mine["id"])
    return {"id": mine["id"], "mate": mate}


def card_with(page, text: str):
    """The card whose own text (not a "group with" option) contains `text`."""
    return page.locator(".retro-card").filter(
        has=page.locator(".retro-card-body", has_text=text))


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_retro_two_participants_see_cards_only_after_reveal(
        new_page, live_server, tokens, board):
    url = f"{live_server.url}/retros/{board['id']}"
    hidden = call(live_server, tokens[board["mate"]], f"/retros/{board['id']}")["hidden_count"]
    me, mate = new_page("p01@example.jp"), new_page(board["mate"])
    me.goto(url)
    mate.goto(url)
    mate.wait_for_function("() => window.io !== undefined")

    # p01 writes a card with the keyboard only: column, text, submit.
    me.get_by_label("列").focus()
    me.keyboard.press("ArrowDown")  # Problem
    me.keyboard.press("Tab")
    me.keyboard.type("LGWANの端末からチャットが見られない")
    me.keyboard.press("Tab")  # (hint is not focusable) → the submit button
    me.keyboard.press("Enter")
    me.wait_for_url(re.compile(r".*#write$"))
    assert me.get_by_text("LGWANの端末からチャットが見られない").is_visible()

    mate.locator("#retro-board").get_by_text(f"ほかの人のカードが{hidden + 1}枚").wait_for(
        timeout=10_000)  # p01's card counted, live, but not shown
    assert mate.get_by_text("LGWANの端末からチャットが見られない").count() == 0
    assert "LGWANの端末から" not in mate.content()
    mate.get_by_label("列").select_option("problem")
    mate.get_by_label("内容").fill("宿題の締切が繁忙期と重なった")
    mate.get_by_role("button", name="カードを追加").click()
    mate.wait_for_url(re.compile(r".*#write$"))
    assert "宿題の締切が繁忙期と重なった" not in me.content()

    call(live_server, tokens["trainer1@example.jp"], f"/retros/{board['id']}/phase",
         {"phase": "reveal"})
    mate.locator(".retro-card-body", has_text="LGWANの端末からチャットが見られない").wait_for(
        timeout=10_000)
    assert mate.locator("#write").is_hidden()
    assert mate.get_by_text("公開（現在）").is_visible()
    shot(mate, "retro-board-revealed-1280")

    call(live_server, tokens["trainer1@example.jp"], f"/retros/{board['id']}/phase",
         {"phase": "vote"})
    mate.get_by_text("残り3票").wait_for(timeout=10_000)
    # Vote from the keyboard: focus the card's vote button, press Enter.
    card = card_with(mate, "LGWANの端末からチャットが見られない")
    card.get_by_role("button", name="投票する").focus()
    mate.keyboard.press("Enter")
    mate.get_by_text("残り2票").wait_for(timeout=10_000)
    assert card_with(mate, "LGWANの端末から").get_by_text(re.compile("1票")).is_visible()
    me.get_by_text(re.compile("・1票")).first.wait_for(timeout=10_000)  # live for p01 too

    # "Group with" from the keyboard: choose the other card, then the button.
    select = card_with(mate, "LGWANの端末から").get_by_label("このカードをまとめる先")
    select.focus()
    mate.keyboard.press("ArrowDown")  # the other Problem card
    mate.keyboard.press("Tab")
    mate.keyboard.press("Enter")
    mate.get_by_text(re.compile("まとめたカード 2枚")).wait_for(timeout=10_000)

    assert axe_violations(mate, live_server.url) == []
    assert axe_violations(me, live_server.url) == []
    phone = new_page(board["mate"], 390, 844)
    phone.goto(url)
    shot(phone, "retro-board-390")
    assert me.js_errors == [] and mate.js_errors == [] and phone.js_errors == []


def test_retro_page_follows_changes_around_its_join_and_keeps_the_keyboard_focus(
        new_page, live_server, tokens, board):
    """A reveal committed after the page was rendered but before its socket joined the board
    reaches that page by no event: the page still shows the revealed cards and hides the
    write form (the re-read after the join carries the phase). The reveal is made while the
    browser waits for retro.js, so the gap that load opens by chance is opened every time.
    Then a change arriving while a keyboard user is between a "group with" choice and its
    button does not replace the board under them: the focus stays, Enter groups the cards."""
    teams: dict[int, list[str]] = {}
    for email, token in tokens.items():
        if email.startswith("p") and email != "p01@example.jp":
            [mine] = call(live_server, token, f"/cohorts/{SLUG}/retros?session=3")
            teams.setdefault(mine["id"], []).append(email)
            if mine["id"] != board["id"] and len(teams[mine["id"]]) == 2:
                break
    board_id, (reader, writer) = next((i, e) for i, e in teams.items() if len(e) == 2
                                      and i != board["id"])
    for n, body in enumerate(["庁内の承認に時間がかかる", "予算要求の時期が合わない"]):
        call(live_server, tokens[writer], f"/retros/{board_id}/cards",
             {"column": "problem", "body": body, "client_card_id": f"reveal-before-join-{n}"})
    page = new_page(reader)
    revealed = []

    def reveal_then_serve(route):
        # The page's HTML is rendered (in the write phase) before its scripts are requested.
        revealed.append(route.request.url)
        call(live_server, tokens["trainer1@example.jp"], f"/retros/{board_id}/phase",
             {"phase": "reveal"})
        route.continue_()

    page.route("**/static/js/retro.js", reveal_then_serve)
    page.goto(f"{live_server.url}/retros/{board_id}")
    page.locator(".retro-card-body", has_text="庁内の承認に時間がかかる").wait_for(timeout=10_000)
    assert len(revealed) == 1
    page.locator("#write").wait_for(state="hidden", timeout=5_000)
    assert page.get_by_text("公開（現在）").is_visible()

    select = card_with(page, "庁内の承認").get_by_label("このカードをまとめる先")
    select.focus()
    page.keyboard.press("ArrowDown")  # the other Problem card
    call(live_server, tokens["trainer1@example.jp"], f"/retros/{board_id}/timer",
         {"minutes": 5})  # a change for everyone on the board, mid-choice
    page.keyboard.press("Tab")
    page.wait_for_timeout(2_000)  # time enough for a re-read to land, were it let in
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "まとめる"
    page.keyboard.press("Enter")
    page.get_by_text(re.compile("まとめたカード 2枚")).wait_for(timeout=10_000)
    assert page.locator(".retro-timer").is_visible()
    assert page.js_errors == []


def test_retro_trainer_pages_and_timer_are_accessible(new_page, live_server):
    trainer = new_page("trainer1@example.jp")
    trainer.goto(f"{live_server.url}/c/{SLUG}/sessions/4/retros")
    trainer.get_by_label("フェーズ").select_option("reveal")
    trainer.get_by_label(re.compile("タイマー")).fill("3")
    trainer.get_by_role("button", name="全チームを移動").click()
    assert trainer.get_by_text("5チームのボードを「公開」にしました").is_visible()
    trainer.locator(".retro-timer-left").first.filter(has_text=re.compile(r"残り \d:\d\d")) \
        .wait_for(timeout=5_000)
    shot(trainer, "retro-trainer-1280")
    assert axe_violations(trainer, live_server.url) == []
    trainer.goto(f"{live_server.url}/c/{SLUG}/sessions/1/retros/summary")
    assert trainer.get_by_role("heading", name="第1回の振り返りのまとめ").is_visible()
    shot(trainer, "retro-summary-1280")
    assert axe_violations(trainer, live_server.url) == []
    assert trainer.js_errors == []


def test_survey_pages_are_accessible(new_page, live_server):
    participant = new_page("p01@example.jp")
    participant.get_by_role("link", name=re.compile("第2回 研修アンケートに回答する")).click()
    participant.get_by_label("4", exact=True).check()
    participant.get_by_label("良かった点").fill("他の自治体の数字を見られた")
    assert axe_violations(participant, live_server.url) == []
    participant.get_by_role("button", name="回答を送信する").click()
    assert participant.get_by_text("回答を保存しました").is_visible()
    shot(participant, "survey-answer-1280")

    organizer = new_page("organizer@example.jp")
    organizer.goto(f"{live_server.url}/c/{SLUG}/surveys")
    assert axe_violations(organizer, live_server.url) == []
    shot(organizer, "survey-list-1280")
    organizer.get_by_role("link", name=re.compile("結果.*第1回 研修アンケート")).click()
    assert organizer.locator("svg.bar-chart").first.is_visible()
    assert organizer.get_by_role("link", name=re.compile("Excel（XLSX）")).is_visible()
    shot(organizer, "survey-results-1280")
    assert axe_violations(organizer, live_server.url) == []
    phone = new_page("organizer@example.jp", 390, 844)
    phone.goto(organizer.url)
    shot(phone, "survey-results-390")


def test_live_pages_open_one_socket_connection_for_the_page_and_the_bell(
        new_page, live_server, tokens, board):
    """The retro board (its /retros namespace) and the header bell share one connection: the
    Socket.IO client is loaded once per page."""
    page = new_page("p01@example.jp")
    sockets = []
    page.goto("about:blank")  # the dashboard's own connection (after login) is not counted
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(f"{live_server.url}/retros/{board['id']}")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)
    assert len([u for u in sockets if "/socket.io/" in u]) == 1, sockets
    assert page.js_errors == []
