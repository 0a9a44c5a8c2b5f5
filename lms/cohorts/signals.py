"""What the cohorts domain announces; higher domains connect handlers in create_app.

Signals are sent inside the sender's transaction: a handler may add and flush rows, and
defers anything that must wait for the commit (a broadcast) with `lms.db.after_commit`."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

cohort_created = _signals.signal("cohort-created", doc="""
A cohort was built (sessions, homework and channels exist). Sender: the Cohort.
Keyword `course`: the CourseTemplate it was built from.""")

enrolment_imported = _signals.signal("enrolment-imported", doc="""
People were enrolled or re-enrolled from a list (roles and municipalities may have changed).
Sender: the Cohort. Keyword `memberships`: the Membership rows written.""")
