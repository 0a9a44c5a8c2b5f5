"""Demo data: trainers' corrections of the goal checker, as a real cohort would leave them."""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import User
from lms.cohorts.models import Cohort
from lms.extensions import db

from .services import record_correction

CORRECTIONS = [
    ("trainer1@example.jp", "庁内会議のペーパーレス実施率を85%にする", "borderline",
     "実施率は職員の行動ですが、会議準備の時間や印刷費がどう変わるかが書かれていません。"
     "「会議資料の準備時間を月10時間減らす」のように効果で書けば成果の目標になります。"),
    ("trainer2@example.jp", "窓口に来る人を減らしたい", "outcome",
     "住民の来庁が減るのは住民側の変化なので成果です。誰の・どの手続の来庁を、"
     "いつまでに何件減らすかを加えましょう。"),
]


def add_demo_corrections(cohort: Cohort) -> None:
    """Two corrections by the demo trainers in the demo cohort (idempotent by text)."""
    from .models import GoalCorrection

    for email, text, label, note in CORRECTIONS:
        trainer = db.session.scalar(select(User).where(User.email == email))
        exists = db.session.scalar(select(GoalCorrection.id).where(
            GoalCorrection.text == text, GoalCorrection.cohort_id == cohort.id))
        if trainer is not None and exists is None:
            record_correction(trainer, text, label, note, cohort)
