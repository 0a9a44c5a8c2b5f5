"""Every team's proposal as a Word file, in one zip, for organizers."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.proposals.docx import build_docx, docx_filename
from lms.proposals.models import Proposal
from lms.teams.models import Team

# A fixed entry time: the zip's listing says nothing about when it was exported.
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def proposals_zip(cohort: Cohort) -> bytes:
    """One .docx per team (named after the team), in team order; raises nothing when the
    cohort has no proposal yet (an empty zip)."""
    proposals = db.session.scalars(
        select(Proposal).join(Team, Team.id == Proposal.team_id)
        .where(Proposal.cohort_id == cohort.id).order_by(Team.number, Team.id)
        .options(selectinload(Proposal.team))).all()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for proposal in proposals:
            info = zipfile.ZipInfo(docx_filename(proposal), date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, build_docx(proposal))
    return out.getvalue()
