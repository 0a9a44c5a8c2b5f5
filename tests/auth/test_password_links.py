"""Password links: only the newest works, none survives a password set since, the issuing
organizer's reach is checked again on use, and a link is consumed exactly once."""

from __future__ import annotations

import csv
import io
import re
import threading

import pytest
import requests
from sqlalchemy import select

from lms.auth.models import ApiToken, InviteToken, User
from lms.auth.services import create_api_token, create_invite, get_user_by_email
from lms.cohorts.models import Membership
from tests.conftest import csrf_from, login

NEW = {"password": "taken-over-pass", "confirm": "taken-over-pass"}
MINE = {"password": "my-own-password", "confirm": "my-own-password"}


def issue_link(org_client, db, email: str, slug: str = "tokyo-dx-2021") -> str:
    """What the organizer's 「リンクを発行」 button shows: the path of a fresh link."""
    target = db.session.scalar(select(Membership).join(Membership.user).join(
        Membership.cohort).where(User.email == email, Membership.cohort.has(slug=slug)))
    page = org_client.post(f"/c/{slug}/members/{target.id}/link")
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    return html[html.index("/invite/"):].split('"')[0]


def can_log_in(client, email, password) -> bool:
    client.post("/logout")
    ok = login(client, email, password).status_code == 302
    client.post("/logout")
    return ok


def test_an_older_link_dies_when_a_newer_one_sets_the_password(login_as, client, db, demo):
    org = login_as("organizer@example.jp")
    first = issue_link(org, db, "p07@example.jp")
    second = issue_link(org, db, "p07@example.jp")
    org.post("/logout")
    assert client.post(second, data=MINE).status_code == 302
    client.post("/logout")
    # The old link neither shows its form nor replaces the password just set.
    assert client.get(first).status_code == 404
    assert client.post(first, data=NEW).status_code == 404
    assert can_log_in(client, "p07@example.jp", "my-own-password")
    assert not can_log_in(client, "p07@example.jp", "taken-over-pass")


def test_issuing_a_link_cancels_the_older_ones(login_as, client, db, demo):
    org = login_as("organizer@example.jp")
    first = issue_link(org, db, "p07@example.jp")
    second = issue_link(org, db, "p07@example.jp")
    org.post("/logout")
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_setting_a_password_by_any_route_cancels_outstanding_links(client, db, make_user):
    from lms.auth.services import set_password

    user = make_user("someone@example.jp", password=False)
    token = create_invite(user)
    set_password(user, "set-some-other-way")
    db.session.commit()
    assert client.get(f"/invite/{token}").status_code == 404
    assert client.post(f"/invite/{token}", data=NEW).status_code == 404


def test_the_oldest_of_three_reset_mails_is_dead_once_the_newest_is_used(app, client, db,
                                                                         make_user):
    user = make_user("mailbox@example.jp")
    tokens = [create_invite(user) for _ in range(3)]
    db.session.commit()
    assert [client.get(f"/invite/{t}").status_code for t in tokens] == [404, 404, 200]
    assert client.post(f"/invite/{tokens[2]}", data=MINE).status_code == 302
    client.post("/logout")
    assert client.post(f"/invite/{tokens[0]}", data=NEW).status_code == 404
    assert can_log_in(client, "mailbox@example.jp", "my-own-password")


def test_a_weak_password_does_not_spend_the_link(client, db, make_user):
    user = make_user("weak@example.jp", password=False)
    token = create_invite(user)
    db.session.commit()
    page = client.post(f"/invite/{token}", data={"password": "short", "confirm": "short"})
    assert page.status_code == 200
    assert "10文字以上" in page.get_data(as_text=True)
    assert client.post(f"/invite/{token}", data=MINE).status_code == 302


def test_invites_csv_downloaded_twice_only_the_second_works(login_as, client, db,
                                                            make_cohort):
    from lms.cohorts.services import enrol, ensure_user

    cohort = make_cohort(slug="osaka-2030", organizer_email="org2@example.jp")
    from lms.auth.services import set_password

    set_password(get_user_by_email("org2@example.jp"), "organizer-pass-1")
    enrol(cohort, ensure_user("newbie@example.jp", "新人 さん"), "participant", "131121")
    db.session.commit()
    org = login_as("org2@example.jp", "organizer-pass-1")

    def links():
        body = org.post("/c/osaka-2030/invites.csv").data.decode("utf-8-sig")
        return {r[1]: r[4] for r in csv.reader(io.StringIO(body))}

    old, new = links()["newbie@example.jp"], links()["newbie@example.jp"]
    org.post("/logout")
    path = lambda url: url[url.index("/invite/"):]  # noqa: E731
    assert client.get(path(old)).status_code == 404
    assert client.get(path(new)).status_code == 200


def test_a_link_stops_working_when_the_account_leaves_the_issuers_reach(login_as, client, db,
                                                                        demo, make_cohort):
    """An organizer of cohort B hands out a link for someone only in B; later that person
    becomes a trainer in cohort A. B's organizer may no longer take the account over."""
    from lms.auth.services import set_password
    from lms.cohorts.services import enrol, ensure_user

    other = make_cohort(slug="osaka-2030", organizer_email="evilorg@example.jp")
    set_password(get_user_by_email("evilorg@example.jp"), "correct-horse-battery")
    shared = ensure_user("shared@example.jp", "兼務 さん")
    enrol(other, shared, "participant", "131121")
    db.session.commit()
    evil = login_as("evilorg@example.jp", "correct-horse-battery")
    link = issue_link(evil, db, "shared@example.jp", slug="osaka-2030")
    evil.post("/logout")
    assert client.get(link).status_code == 200  # within reach: it works
    enrol(demo, shared, "trainer")
    db.session.commit()
    assert client.get(link).status_code == 404
    assert client.post(link, data=NEW).status_code == 404
    assert get_user_by_email("shared@example.jp").password_hash is None


def test_a_reset_through_a_link_revokes_api_tokens(client, db, make_user):
    user = make_user("api@example.jp")
    api_token = create_api_token(user)
    token = create_invite(user)
    db.session.commit()
    headers = {"Authorization": f"Bearer {api_token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.post(f"/invite/{token}", data=MINE).status_code == 302
    client.post("/logout")
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    db.session.refresh(row)
    assert row.revoked_at is not None


# --- One link, two simultaneous submits, on a real server -------------------------------------

def _race(base_url: str, path: str, rounds_seen: list[int]) -> None:
    """Two browsers open the same link, then submit it at the same moment."""
    browsers = [requests.Session() for _ in range(2)]
    tokens = []
    for b in browsers:
        page = b.get(base_url + path, timeout=10)
        assert page.status_code == 200
        tokens.append(csrf_from(page.text))
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def submit(i: int) -> None:
        data = {**({"password": f"racer-{i}-password", "confirm": f"racer-{i}-password"}),
                "csrf_token": tokens[i]}
        barrier.wait()
        r = browsers[i].post(base_url + path, data=data, allow_redirects=False, timeout=30)
        statuses.append(r.status_code)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rounds_seen.append(sorted(statuses))


def _run_races(server, rounds: int = 6) -> list[list[int]]:
    seen: list[list[int]] = []
    for _ in range(rounds):
        out = server.cli("lms", "invite", "p09@example.jp").strip()
        path = out[out.index("/invite/"):].split()[0]
        _race(server.url, path, seen)
    return seen


def test_two_simultaneous_submits_of_one_link_succeed_once(live_server):
    seen = _run_races(live_server)
    assert all(s == [302, 404] for s in seen), seen


@pytest.mark.postgres
def test_two_simultaneous_submits_of_one_link_succeed_once_on_postgres(tmp_path,
                                                                       postgres_url):
    import psycopg

    from tests.conftest import start_live_server

    # A database of its own: the server migrates and seeds it.
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    head, _, name = plain.rpartition("/")
    own = f"{name}_race"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{own}"')
    server = start_live_server(tmp_path, database_url=postgres_url.rpartition("/")[0] + "/" + own)
    try:
        seen = _run_races(server)
    finally:
        server.stop()
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)')
    assert all(s == [302, 404] for s in seen), seen


def test_links_in_the_database_are_stored_hashed(db, make_user):
    user = make_user("hash@example.jp", password=False)
    token = create_invite(user)
    db.session.commit()
    stored = db.session.scalar(select(InviteToken.token_hash).where(
        InviteToken.user_id == user.id))
    assert token not in stored and re.fullmatch(r"[0-9a-f]{64}", stored)
