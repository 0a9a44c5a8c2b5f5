"""The lms CLI per CONTRACT: demo, token, invite, cohort create."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.cohorts.models import Cohort, Membership
from lms.sessions.models import WorkshopSession


def test_demo_is_idempotent(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["lms", "demo"])
    assert first.exit_code == 0, first.output
    assert "demo-password" in first.output
    second = runner.invoke(args=["lms", "demo"])
    assert second.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Cohort)) == 1
    members = db.session.scalar(select(func.count()).select_from(Membership))
    assert members == 1 + 2 + 50


def test_token_prints_one_token_per_email_in_order(app, client, demo):
    result = app.test_cli_runner().invoke(args=["lms", "token", "p02@example.jp",
                                                "trainer1@example.jp"])
    assert result.exit_code == 0
    tokens = result.output.split()
    assert len(tokens) == 2
    emails = [client.get("/api/v1/me", headers={"Authorization": f"Bearer {t}"})
              .get_json()["email"] for t in tokens]
    assert emails == ["p02@example.jp", "trainer1@example.jp"]


def test_token_for_unknown_email_fails_and_names_it(app, demo):
    result = app.test_cli_runner().invoke(args=["lms", "token", "p01@example.jp",
                                                "ghost@example.jp"])
    assert result.exit_code != 0
    assert "ghost@example.jp" in result.output


def test_invite_prints_a_working_link(app, client, demo):
    result = app.test_cli_runner().invoke(args=["lms", "invite", "p05@example.jp"])
    assert result.exit_code == 0
    link = result.output.strip()
    assert "/invite/" in link
    path = link[link.index("/invite/"):]
    assert client.get(path).status_code == 200


def test_cohort_create_from_course(app, db):
    result = app.test_cli_runner().invoke(args=[
        "lms", "cohort", "create", "--course", "courses/tokyo_dx_2021", "--slug", "tokyo-2030",
        "--title", "2030年度 DX研修", "--start", "2030-10-04",
        "--organizer", "boss@example.jp"])
    assert result.exit_code == 0, result.output
    cohort = db.session.scalar(select(Cohort).where(Cohort.slug == "tokyo-2030"))
    sessions = db.session.scalars(select(WorkshopSession).where(
        WorkshopSession.cohort_id == cohort.id).order_by(WorkshopSession.number)).all()
    assert [s.number for s in sessions] == [1, 2, 3, 4, 5]
    # 14:00 in Tokyo is 05:00 UTC
    assert sessions[0].starts_at.isoformat() == "2030-10-04T05:00:00+00:00"
    again = app.test_cli_runner().invoke(args=[
        "lms", "cohort", "create", "--course", "courses/tokyo_dx_2021", "--slug", "tokyo-2030",
        "--title", "x", "--start", "2030-10-04", "--organizer", "boss@example.jp"])
    assert again.exit_code != 0
    assert "すでにあります" in again.output


def test_cohort_create_rejects_bad_date(app, db):
    result = app.test_cli_runner().invoke(args=[
        "lms", "cohort", "create", "--course", "courses/tokyo_dx_2021", "--slug", "x",
        "--title", "x", "--start", "2030/10/04", "--organizer", "boss@example.jp"])
    assert result.exit_code != 0


def test_demo_refuses_in_production(app, db):
    app.config["PRODUCTION"] = True
    result = app.test_cli_runner().invoke(args=["lms", "demo"])
    assert result.exit_code != 0
    assert "本番モード" in result.output
    assert db.session.scalar(select(func.count()).select_from(Cohort)) == 0


def test_invite_link_uses_the_public_url(app, demo):
    app.config["PUBLIC_URL"] = "https://lms.example.lg.jp"
    result = app.test_cli_runner().invoke(args=["lms", "invite", "p05@example.jp"])
    assert result.output.startswith("https://lms.example.lg.jp/invite/")
