"""Forming teams of municipalities and moving a municipality by hand."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.audit.services import record
from lms.cohorts.models import Cohort, CohortMunicipality
from lms.errors import NotFound, ValidationError
from lms.extensions import db
from lms.teams.balance import TeamSpread, balance_teams, size_band, team_spread
from lms.teams.models import Team
from lms.teams.signals import teams_changed


@dataclass
class TeamView:
    team: Team | None
    members: list[CohortMunicipality]
    spread: TeamSpread


def cohort_municipalities(cohort: Cohort) -> list[CohortMunicipality]:
    return list(db.session.scalars(
        select(CohortMunicipality).where(CohortMunicipality.cohort_id == cohort.id)
        .options(selectinload(CohortMunicipality.municipality))
        .order_by(CohortMunicipality.municipality_code)))


def list_teams(cohort: Cohort) -> list[Team]:
    return list(db.session.scalars(
        select(Team).where(Team.cohort_id == cohort.id).order_by(Team.number)))


def team_views(cohort: Cohort) -> list[TeamView]:
    """Each team with its municipalities (largest first) and population spread; the
    unassigned municipalities come last under team None."""
    enrolled = cohort_municipalities(cohort)
    views = []
    for team in [*list_teams(cohort), None]:
        members = [cm for cm in enrolled if cm.team_id == (team.id if team else None)]
        if team is None and not members:
            continue
        members.sort(key=lambda cm: -(cm.municipality.population or -1))
        views.append(TeamView(team, members,
                              team_spread([cm.municipality.population for cm in members])))
    return views


def form_teams(cohort: Cohort, count: int, actor=None) -> list[Team]:
    """Split the cohort's municipalities into `count` balanced teams (チーム1…), replacing
    any earlier assignment. Raises ValidationError for an impossible count."""
    enrolled = cohort_municipalities(cohort)
    if not enrolled:
        raise ValidationError("自治体がまだ登録されていません。先に受講者を登録してください。")
    if count < 1 or count > len(enrolled):
        raise ValidationError(f"チーム数は1から{len(enrolled)}の間で指定してください。")
    groups = balance_teams([(cm, cm.municipality.population) for cm in enrolled], count)
    teams = list_teams(cohort)
    for number in range(len(teams) + 1, count + 1):
        team = Team(cohort_id=cohort.id, number=number, name=f"チーム{number}")
        db.session.add(team)
        teams.append(team)
    db.session.flush()
    for cm in enrolled:
        cm.team_id = None
    for team, group in zip(teams, groups, strict=False):
        for cm in group:
            cm.team_id = team.id
    db.session.flush()
    if actor is not None:
        record(actor, "team.form", cohort, after={
            t.name: sorted(cm.municipality.name for cm in enrolled if cm.team_id == t.id)
            for t in teams[:count]}, label=f"{count}チーム")
    teams_changed.send(cohort, teams=teams[:count])
    return teams[:count]


def move_municipality(cohort: Cohort, municipality_code: str, team_id: int | None,
                      actor=None) -> None:
    """Put one municipality into another team (or none); raises NotFound for strangers.
    Sends `teams_changed`; an acting user gets the move into the audit log."""
    cm = db.session.scalar(select(CohortMunicipality).where(
        CohortMunicipality.cohort_id == cohort.id,
        CohortMunicipality.municipality_code == municipality_code))
    if cm is None:
        raise NotFound("その自治体はこの研修に登録されていません。")
    if team_id is not None:
        team = db.session.get(Team, team_id)
        if team is None or team.cohort_id != cohort.id:
            raise NotFound("そのチームは見つかりません。")
    before = cm.team_id
    cm.team_id = team_id
    db.session.flush()
    if actor is not None and before != team_id:
        names = dict(db.session.execute(select(Team.id, Team.name).where(
            Team.cohort_id == cohort.id)).all())
        record(actor, "team.move", cm, {"team": names.get(before, "未割り当て")},
               {"team": names.get(team_id, "未割り当て")}, label=cm.municipality.name)
    teams_changed.send(cohort, teams=list_teams(cohort))


__all__ = ["TeamView", "form_teams", "move_municipality", "size_band", "team_views"]
