"""Periodic jobs of `lms worker` (an orchestration above the domains): due reminders, the
daily notification digest, expired logins. Each job is idempotent, so every worker may run
them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lms.auth.logins import delete_expired_logins
from lms.db import utcnow
from lms.homework.notify import send_due_reminders
from lms.notifications.mail import mail_configured, queue_digests

EVERY_SECONDS = 300.0  # how often a long-running worker runs the jobs


@dataclass
class JobReport:
    reminders: int = 0
    digests: int = 0
    expired_logins: int = 0


def run_periodic_jobs(now: datetime | None = None) -> JobReport:
    """Run every job once; flushes, the caller commits."""
    now = now or utcnow()
    report = JobReport(reminders=send_due_reminders(now))
    if mail_configured():
        report.digests = queue_digests(now)
    report.expired_logins = delete_expired_logins(now)
    return report
