"""Access-control matrix generated from the url map (issue 14): every route has a row, so a
new route without one fails here; each row is checked for an anonymous caller, a person of
another cohort, and (for staff routes) a participant of the cohort."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import login

SLUG = "tokyo-dx-2021"

# endpoint → who may use it:
#   public  anyone, no login
#   login   any logged-in person, not tied to a cohort
#   cohort  members of the cohort (others: 404, the cohort stays hidden)
#   staff   trainers and organizers of the cohort (participants: 403/404)
#   token   a secret link that works without login (unknown token: 404, never the login page)
ACCESS = {
    "static": "public", "auth.login": "public", "auth.logout": "public",
    "auth.forgot_password": "public", "auth.accept_invite": "public",
    "health.healthz": "public", "api_v1.openapi": "public",
    "dashboard.dashboard": "login", "goals_web.checker": "login",
    "account.account": "login", "account.create_token": "login",
    "account.revoke_token": "login", "account.logout_everywhere": "login",
    # multi-factor login: the code step works without a session (only after the password
    # step, else back to /login); enrolment and turning it off are one's own
    "mfa.login_code": "public", "mfa.settings": "login", "mfa.qr": "login",
    "mfa.confirm": "login", "mfa.disable": "login", "mfa.new_recovery_codes": "login",
    "account.end_session": "login",
    "api_v1.me": "login", "api_v1.goals_check": "login",
    "dashboard.cohort_overview": "cohort", "sessions.calendar": "cohort",
    "sessions.session_page": "cohort", "attendance.tick_catchup": "cohort",
    "channels.channel_list": "cohort", "channels.channel_page": "cohort",
    "channels.post_message": "cohort", "channels.thread_page": "cohort",
    "channels.delete_message": "cohort", "channels.edit_message": "cohort",
    "channels.react": "cohort", "channels.search": "cohort", "channels.team_rooms": "cohort",
    "homework.homework_list": "cohort", "homework.homework_page": "cohort",
    "homework.submit": "cohort", "homework.submission_page": "cohort",
    "api_v1.list_messages": "cohort", "api_v1.post_message": "cohort",
    "api_v1.mark_read": "cohort", "api_v1.list_channels": "cohort",
    "api_v1.list_cohort_homework": "cohort", "api_v1.search": "cohort",
    "api_v1.download_file": "cohort", "api_v1.read_draft": "cohort",
    "api_v1.save_draft": "cohort", "api_v1.create_submission": "cohort",
    "api_v1.edit_message": "cohort", "api_v1.delete_message": "cohort",
    "api_v1.add_reaction": "cohort", "api_v1.remove_reaction": "cohort",
    "api_v1.channel_members": "cohort",
    "api_v1.read_submission": "cohort",
    "api_v1.hide_message": "staff", "api_v1.add_homework": "staff",
    "api_v1.remove_homework": "staff", "api_v1.review_submission": "staff",
    "channels.hide_message": "staff", "cohorts.enrolment": "staff",
    "cohorts.invite_links": "staff", "cohorts.password_link": "staff",
    "homework.delete": "staff", "homework.edit": "staff", "homework.review_list": "staff",
    "homework.matrix": "staff", "homework.new_homework": "staff",
    "attendance.attendance_page": "staff", "attendance.save_attendance": "staff",
    "attendance.import_attendance": "staff", "attendance.match_attendance": "staff",
    "sessions.edit_session": "staff", "teams.manage": "staff", "teams.form_teams": "staff",
    "teams.move": "staff",
    # goals, notifications, case library, calendar: personal, not tied to one cohort
    "api_v1.goals_correct": "login", "api_v1.goals_explain": "login",
    "api_v1.list_notifications": "login", "api_v1.mark_notifications_read": "login",
    "api_v1.read_notification_settings": "login", "api_v1.save_notification_settings": "login",
    "notifications.notification_list": "login", "notifications.open_notification": "login",
    "notifications.toggle_read": "login", "notifications.read_all": "login",
    "notifications.settings": "login", "cases.library": "login",
    "sessions.calendar_feed": "login", "console.new_cohort": "login",
    "notifications.unsubscribe": "token", "sessions.personal_feed": "token",
    # retros (boards belong to a team; the probe uses another team's board)
    "api_v1.list_retros": "cohort", "api_v1.read_retro": "cohort",
    "api_v1.add_retro_action": "cohort", "api_v1.add_retro_card": "cohort",
    "api_v1.group_retro_card": "cohort", "api_v1.cast_retro_vote": "cohort",
    "api_v1.withdraw_retro_vote": "cohort", "api_v1.update_retro_action": "cohort",
    "api_v1.move_retro_phase": "staff", "api_v1.set_retro_timer": "staff",
    "retros.session_retro": "cohort", "retros.summary": "cohort",
    "retros.board_page": "cohort", "retros.board_partial": "cohort",
    "retros.add_action": "cohort", "retros.add_card": "cohort", "retros.group": "cohort",
    "retros.vote": "cohort", "retros.update_action": "cohort",
    "retros.move_phase": "staff", "retros.set_timer": "staff",
    "retros.trainer_view": "staff", "retros.move_all": "staff",
    # surveys
    "api_v1.list_cohort_surveys": "cohort", "api_v1.read_survey_response": "cohort",
    "api_v1.answer_survey": "cohort", "surveys.survey_list": "cohort", "surveys.answer": "cohort",
    "api_v1.read_survey_results": "staff", "api_v1.open_survey": "staff",
    "api_v1.close_survey": "staff", "surveys.results": "staff", "surveys.change_state": "staff",
    "api_v1.export_feedback_csv": "staff", "api_v1.export_feedback_xlsx": "staff",
    "surveys.export_feedback": "staff",
    # proposals (the probe uses another team's proposal)
    "api_v1.list_proposals": "cohort", "api_v1.read_proposal": "cohort",
    "api_v1.save_proposal": "cohort", "api_v1.list_comments": "cohort",
    "api_v1.add_comment": "cohort", "api_v1.resolve_comment": "cohort",
    "api_v1.proposal_diff": "cohort", "api_v1.export_docx": "cohort",
    "api_v1.preview_markdown": "cohort", "api_v1.submit_proposal": "cohort",
    "api_v1.proposal_versions": "cohort",
    "api_v1.review_proposal": "staff", "api_v1.publish_proposals": "staff",
    "proposals.proposal_list": "cohort", "proposals.proposal_page": "cohort",
    "proposals.comment": "cohort", "proposals.resolve": "cohort", "proposals.history": "cohort",
    "proposals.print_page": "cohort", "proposals.save": "cohort", "proposals.submit": "cohort",
    "proposals.review": "staff", "proposals.publish": "staff",
    # cases: the author or staff may mark a post (the probe uses a post not by p01)
    "cases.edit_case": "cohort", "cases.remove_case": "cohort",
    # organizer console, dashboard, exports, audit
    "console.settings": "staff", "console.add_staff": "staff", "console.archive": "staff",
    "console.unarchive": "staff", "audit.audit_page": "staff",
    "dashboard.cohort_dashboard": "staff", "exports.exports_page": "staff",
    "api_v1.export_table": "staff", "api_v1.export_proposals_zip": "staff",
}


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_has_a_row(app):
    missing = sorted({rule.endpoint for rule, _m in _routes(app)} - set(ACCESS))
    assert not missing, f"routes without a row in the access matrix: {missing}"
    stale = sorted(set(ACCESS) - {rule.endpoint for rule, _m in _routes(app)})
    assert not stale, f"rows for routes that no longer exist: {stale}"


@pytest.fixture
def objects(db, demo):
    """Ids in the demo cohort, owned by someone other than the participant who probes."""
    from lms.auth.models import User
    from lms.channels.models import Channel, Message
    from lms.cohorts.access import team_id_for
    from lms.cohorts.models import Membership
    from lms.homework.models import Homework, Submission, SubmissionFile
    from lms.notifications.models import Notification
    from lms.proposals.models import Proposal, ProposalComment
    from lms.retros.models import RetroAction, RetroBoard, RetroCard
    from lms.surveys.models import Survey

    def first(query):
        return db.session.scalar(query.limit(1))

    channel = first(select(Channel.id).where(Channel.cohort_id == demo.id,
                                             Channel.kind == "cohort"))
    p01 = db.session.scalar(select(User).where(User.email == "p01@example.jp"))
    own_team = team_id_for(db.session.scalar(select(Membership).where(
        Membership.cohort_id == demo.id, Membership.user_id == p01.id))) or 0
    board = first(select(RetroBoard.id).where(RetroBoard.cohort_id == demo.id,
                                              RetroBoard.team_id != own_team)) or 1
    other_team = (Proposal.cohort_id == demo.id, Proposal.team_id != own_team)
    proposal = (first(select(ProposalComment.proposal_id).join(Proposal).where(*other_team))
                or first(select(Proposal.id).where(*other_team)) or 1)
    return {
        "board_id": board,
        "card_id": first(select(RetroCard.id).where(RetroCard.board_id == board)) or 1,
        "action_id": first(select(RetroAction.id).where(RetroAction.board_id == board)) or 1,
        "proposal_id": proposal,
        "comment_id": first(select(ProposalComment.id).where(
            ProposalComment.proposal_id == proposal)) or 1,
        "survey_id": first(select(Survey.id).where(Survey.cohort_id == demo.id)) or 1,
        "notification_id": first(select(Notification.id).where(
            Notification.user_id != p01.id)) or 1,
        "name": "participants", "fmt": "csv", "kind": "csv",
        "slug": SLUG, "channel_id": channel, "number": 1, "emoji": "👍",
        "message_id": first(select(Message.id).where(Message.channel_id == channel,
                                                     Message.author_id != p01.id)) or 1,
        "homework_id": first(select(Homework.id).where(Homework.cohort_id == demo.id)),
        "submission_id": first(select(Submission.id)) or 1,
        "file_id": first(select(SubmissionFile.id)) or 1,
        "membership_id": first(select(Membership.id).where(Membership.cohort_id == demo.id,
                                                            Membership.role == "participant")),
        "token_id": 1, "login_id": 1, "token": "not-a-link", "filename": "css/app.css",
    }


def _path(rule, objects) -> str:
    return re.sub(r"<(?:[^:<>]+:)?(\w+)>", lambda m: str(objects[m.group(1)]), rule.rule)


def _call(client, method, path, headers=None):
    # a well-formed query (search needs q, diff from/to): a 400 for a missing parameter comes
    # before access and says nothing about the cohort, so the probe supplies it
    return client.open(path, method=method, headers=headers or {}, data={},
                       query_string={"q": "probe", "from": 1, "to": 1})


def test_anonymous_callers_are_sent_to_login_or_refused(app, client, objects):
    for rule, method in _routes(app):
        kind = ACCESS[rule.endpoint]
        if kind in ("public", "token"):
            continue
        response = _call(client, method, _path(rule, objects))
        where = f"{method} {rule.rule}"
        if rule.rule.startswith("/api/"):
            assert response.status_code == 401, where
        else:
            assert response.status_code == 302, where
            assert "/login" in response.headers["Location"], where


def test_a_person_of_another_cohort_finds_nothing(app, db, objects, make_user, make_cohort):
    make_cohort(slug="elsewhere", organizer_email="elsewhere-org@example.jp")
    make_user("outsider@example.jp")
    client = app.test_client()
    assert login(client, "outsider@example.jp").status_code == 302
    for rule, method in _routes(app):
        if ACCESS[rule.endpoint] not in ("cohort", "staff"):
            continue
        response = _call(client, method, _path(rule, objects))
        where = f"{method} {rule.rule}: {response.status_code}"
        if method == "GET":
            assert response.status_code == 404, where
        else:  # refused; a malformed body may be answered before access (never a 2xx)
            assert response.status_code in (400, 404, 422), where


def test_participants_cannot_use_staff_routes(app, db, objects):
    client = app.test_client()
    assert login(client, "p01@example.jp").status_code == 302
    for rule, method in _routes(app):
        if ACCESS[rule.endpoint] != "staff":
            continue
        response = _call(client, method, _path(rule, objects))
        where = f"{method} {rule.rule}: {response.status_code}"
        assert response.status_code in (400, 403, 404, 422), where
        if method == "GET":
            assert response.status_code in (403, 404), where


def test_token_links_answer_404_for_an_unknown_token_without_login(app, client, objects):
    rows = [(rule, method) for rule, method in _routes(app) if ACCESS[rule.endpoint] == "token"]
    assert rows
    for rule, method in rows:
        response = _call(client, method, _path(rule, objects))
        assert response.status_code == 404, f"{method} {rule.rule}: {response.status_code}"


TEAM_PARAMS = {"board_id", "card_id", "action_id", "proposal_id", "comment_id",
               "channel_id", "message_id"}


@pytest.fixture
def other_team_objects(db, demo, objects):
    """The probe objects, with the channel and message taken from another team's room."""
    from lms.auth.models import User
    from lms.channels.models import Channel
    from lms.channels.services import post_message
    from lms.cohorts.access import team_id_for
    from lms.cohorts.models import Membership
    from lms.cohorts.services import team_participant_ids

    p01 = db.session.scalar(select(User).where(User.email == "p01@example.jp"))
    own_team = team_id_for(db.session.scalar(select(Membership).where(
        Membership.cohort_id == demo.id, Membership.user_id == p01.id)))
    room = db.session.scalar(select(Channel).where(
        Channel.cohort_id == demo.id, Channel.kind == "team", Channel.team_id != own_team,
        Channel.team_id.is_not(None)).limit(1))
    author = db.session.get(User, team_participant_ids(demo.id, room.team_id)[0])
    message, _ = post_message(author, room, "このチームだけの話です")
    db.session.commit()
    return {**objects, "channel_id": room.id, "message_id": message.id}


def test_a_participant_of_another_team_reads_and_writes_nothing_of_that_team(
        app, db, other_team_objects):
    """Every cohort route that names a team's object (room, message, retro board, card,
    action, proposal, comment) refuses a participant of another team."""
    client = app.test_client()
    assert login(client, "p01@example.jp").status_code == 302
    probed = 0
    for rule, method in _routes(app):
        names = set(re.findall(r"<(?:[^:<>]+:)?(\w+)>", rule.rule))
        if ACCESS[rule.endpoint] != "cohort" or not names & TEAM_PARAMS:
            continue
        probed += 1
        response = _call(client, method, _path(rule, other_team_objects))
        where = f"{method} {rule.rule}: {response.status_code}"
        if method == "GET":
            assert response.status_code in (403, 404), where
        else:
            assert response.status_code in (400, 403, 404, 422), where
    assert probed >= 30
