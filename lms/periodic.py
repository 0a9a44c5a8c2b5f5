"""Periodic jobs of `lms worker` (an orchestration above the domains): due reminders, the
daily notification digest, expired logins, upload files no submission points to. Each job is
idempotent, so every worker may run them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from lms.auth.logins import delete_expired_logins
from lms.db import utcnow
from lms.homework.notify import send_due_reminders
from lms.homework.services import sweep_orphan_uploads
from lms.notifications.mail import mail_configured, queue_digests

log = logging.getLogger(__name__)

EVERY_SECONDS = 300.0  # how often a long-running worker runs the jobs


@dataclass
class JobReport:
    reminders: int = 0
    digests: int = 0
    expired_logins: int = 0
    orphan_files: int = 0


def run_periodic_jobs(now: datetime | None = None) -> JobReport:
    """Run every job once; flushes, the caller commits."""
    now = now or utcnow()
    report = JobReport(reminders=send_due_reminders(now))
    if mail_configured():
        report.digests = queue_digests(now)
    report.expired_logins = delete_expired_logins(now)
    # Files older than an hour: an upload being committed right now is not an orphan yet.
    try:
        report.orphan_files = len(sweep_orphan_uploads(current_app.config["UPLOAD_FOLDER"]))
    except OSError:  # a storage problem must not stop reminders and digests
        log.exception("sweeping orphan uploads failed")
    return report
