"""Grow the demo cohort to N participants (default 125: five per municipality) for
bench/session_load.py: p51@example.jp … with the demo password. Runs against DATABASE_URL."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 125
    from sqlalchemy import func, select

    from lms.app import create_app
    from lms.auth.services import hash_password
    from lms.cohorts.models import Cohort, CohortMunicipality, Membership
    from lms.cohorts.services import enrol, ensure_user
    from lms.extensions import db

    app = create_app()
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.slug == "tokyo-dx-2021"))
        codes = list(db.session.scalars(
            select(CohortMunicipality.municipality_code)
            .where(CohortMunicipality.cohort_id == cohort.id)
            .order_by(CohortMunicipality.municipality_code)))
        have = db.session.scalar(select(func.count(Membership.id)).where(
            Membership.cohort_id == cohort.id, Membership.role == "participant"))
        pw_hash = hash_password(os.environ.get("LMS_DEMO_PASSWORD", "demo-password"))
        for n in range(have + 1, total + 1):
            user = ensure_user(f"p{n:02d}@example.jp", f"受講者 {n:03d}", pw_hash)
            enrol(cohort, user, "participant", codes[n % len(codes)])
        db.session.commit()
        print(f"{max(0, total - have)} participants added ({total} in all)")


if __name__ == "__main__":
    main()
