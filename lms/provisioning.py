"""Build a cohort from a course template: sessions, homework, channels, catch-up tasks.

An orchestration above the domains (beside lms.demo and lms.cli): it calls the services of
cohorts, sessions, homework and channels, then sends `cohort_created` for the rest."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from lms.auth.models import User
from lms.channels.services import create_cohort_channel
from lms.cohorts.models import Cohort
from lms.cohorts.services import enrol, new_cohort
from lms.cohorts.signals import cohort_created
from lms.courses import CourseTemplate, SessionTemplate
from lms.extensions import db
from lms.homework.services import create_homework_from_template
from lms.markdown import render_markdown
from lms.sessions.models import WorkshopSession


def materials_markdown(ws: SessionTemplate) -> str:
    lines = []
    for m in ws.materials:
        lines.append(f"- [{m.title}]({m.url})" if m.url else f"- {m.title}")
    return "\n".join(lines)


def create_cohort_from_course(course: CourseTemplate, *, slug: str, title: str,
                              starts_on: date, organizer: User | None = None) -> Cohort:
    """A new cohort with the template's sessions (dated from starts_on) and channels; sends
    `cohort_created`. Flushes, does not commit."""
    cohort = new_cohort(slug=slug, title=title, course_slug=course.slug, starts_on=starts_on,
                        description_md=course.description_md, team_size=course.team_size,
                        timezone=course.timezone)
    tz = ZoneInfo(course.timezone)
    for st in course.sessions:
        day = starts_on + timedelta(days=st.offset_days)
        start = datetime.combine(day, st.start_time, tzinfo=tz)
        materials = materials_markdown(st)
        ws = WorkshopSession(
            cohort_id=cohort.id, number=st.number, title=st.title, aims=list(st.aims),
            starts_at=start, ends_at=start + timedelta(minutes=st.duration_minutes),
            agenda_md=st.agenda_md, agenda_html=render_markdown(st.agenda_md),
            materials_md=materials, materials_html=render_markdown(materials),
            catchup_tasks=list(st.catchup_tasks))
        db.session.add(ws)
        db.session.flush()
        # Homework is due on the session's date + due_offset_days at 23:59, Asia/Tokyo
        # (lms.homework.services.template_due_at); trainers can change it afterwards.
        for position, hw in enumerate(st.homework):
            create_homework_from_template(cohort, ws, hw, position)
    if course.sessions:
        last = course.sessions[-1]
        cohort.ends_on = starts_on + timedelta(days=last.offset_days)
    for position, ch in enumerate(course.channels):
        create_cohort_channel(cohort, key=ch.key, name=ch.name, description=ch.description,
                              post_roles=ch.post_roles, position=position)
    if organizer is not None:
        enrol(cohort, organizer, "organizer")
    db.session.flush()
    cohort_created.send(cohort, course=course)
    return cohort
