"""Lower domains announce with blinker signals; channels react without being imported."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time

from sqlalchemy import select

from lms.channels.models import Channel
from lms.cohorts.signals import cohort_created, enrolment_imported
from lms.sessions import services as session_services
from lms.sessions.signals import session_rescheduled
from lms.teams import services as team_services
from lms.teams.signals import teams_changed
from lms.timefmt import TOKYO


@contextmanager
def caught(signal):
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs))

    signal.connect(receiver)
    try:
        yield received
    finally:
        signal.disconnect(receiver)


def team_rooms(db, cohort):
    return db.session.scalars(select(Channel).where(
        Channel.cohort_id == cohort.id, Channel.kind == "team").order_by(Channel.id)).all()


def test_building_a_cohort_sends_cohort_created_with_its_course(make_cohort):
    with caught(cohort_created) as received:
        cohort = make_cohort(slug="signal-cohort")
    assert [(sender.slug, kwargs["course"].slug) for sender, kwargs in received] == [
        ("signal-cohort", cohort.course_slug)]


def test_forming_teams_sends_teams_changed_and_channels_open_a_room_per_team(db, demo):
    with caught(teams_changed) as received:
        teams = team_services.form_teams(demo, 6)
    db.session.commit()
    assert received[0][0] is demo
    assert [t.number for t in received[0][1]["teams"]] == [1, 2, 3, 4, 5, 6]
    assert [room.name for room in team_rooms(db, demo)] == [
        f"{team.name}のチームルーム" for team in teams]


def test_moving_a_municipality_sends_teams_changed(db, demo):
    code = team_services.cohort_municipalities(demo)[0].municipality_code
    with caught(teams_changed) as received:
        team_services.move_municipality(demo, code, None)
    assert [sender for sender, _ in received] == [demo]


def test_a_refused_team_change_sends_nothing(db, demo):
    with caught(teams_changed) as received:
        try:
            team_services.form_teams(demo, 999)
        except Exception:  # noqa: BLE001 - the refusal itself is tested in tests/teams
            pass
    assert received == []


def test_importing_an_enrolment_sends_enrolment_imported(db, make_cohort):
    from lms.cohorts.enrolment_csv import parse_enrolment_csv
    from lms.cohorts.services import import_enrolment, municipality_lookup

    cohort = make_cohort()
    csv = "氏名,メールアドレス,自治体,役割\r\n山田 太郎,yamada@example.jp,世田谷区,受講者\r\n"
    parse = parse_enrolment_csv(csv.encode("utf-8-sig"), municipality_lookup())
    assert parse.ok, parse.errors
    with caught(enrolment_imported) as received:
        import_enrolment(cohort, parse.rows)
    assert received[0][0] is cohort
    assert [m.user.email for m in received[0][1]["memberships"]] == ["yamada@example.jp"]


def _schedule(cohort, ws, *, start=time(14, 0), end=time(17, 0), url="", title=None):
    return session_services.schedule_session(
        cohort, ws, title=title or ws.title, day=date(2030, 5, 1), start=start, end=end,
        meeting_url=url)


def test_session_rescheduled_carries_old_and_new_time_and_url(db, make_cohort):
    cohort = make_cohort()
    ws = session_services.get_session(cohort, 1)
    old_start, old_url = ws.starts_at, ws.meeting_url
    with caught(session_rescheduled) as received:
        _schedule(cohort, ws, start=time(13, 0), url="https://meet.example.jp/1")
    assert len(received) == 1
    sender, kwargs = received[0]
    assert sender is ws
    assert kwargs["old"]["starts_at"] == old_start
    assert kwargs["old"]["meeting_url"] == old_url
    assert kwargs["new"]["meeting_url"] == "https://meet.example.jp/1"
    assert kwargs["new"]["starts_at"] == datetime(2030, 5, 1, 13, 0, tzinfo=TOKYO)


def test_changing_only_the_title_is_not_a_reschedule(db, make_cohort):
    cohort = make_cohort()
    ws = session_services.get_session(cohort, 1)
    _schedule(cohort, ws, url="https://meet.example.jp/1")
    with caught(session_rescheduled) as received:
        _schedule(cohort, ws, url="https://meet.example.jp/1", title="新しい題名")
    assert received == []
