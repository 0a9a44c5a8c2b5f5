"""Small builders shared by the homework tests: file bytes and lookups in the demo."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import select

from lms.cohorts.access import team_id_for
from lms.cohorts.models import CohortMunicipality, Membership
from lms.extensions import db
from lms.homework.models import Homework

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64


def ooxml(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{part}document.xml", "<doc/>")
    return buffer.getvalue()


def homework(cohort, key: str) -> Homework:
    return db.session.scalar(select(Homework).where(Homework.cohort_id == cohort.id,
                                                    Homework.key == key))


def membership(cohort, email: str) -> Membership:
    from lms.auth.models import User

    return db.session.scalar(select(Membership).join(User).where(
        Membership.cohort_id == cohort.id, User.email == email))


def teammate_and_outsider(cohort, email: str) -> tuple[str, str]:
    """A participant in the same team but another municipality, and one in another team."""
    me = membership(cohort, email)
    my_team = team_id_for(me)
    team_of = dict(db.session.execute(select(CohortMunicipality.municipality_code,
                                             CohortMunicipality.team_id).where(
        CohortMunicipality.cohort_id == cohort.id)).all())
    mate = other = None
    for m in db.session.scalars(select(Membership).where(
            Membership.cohort_id == cohort.id, Membership.role == "participant")
            .order_by(Membership.id)):
        if m.municipality_code == me.municipality_code:
            continue
        if team_of[m.municipality_code] == my_team and mate is None:
            mate = m.user.email
        if team_of[m.municipality_code] != my_team and other is None:
            other = m.user.email
    return mate, other
