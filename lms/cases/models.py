"""A case (導入事例) is a message of the 「DX導入事例」 channel with a few structured fields."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.channels.models import Message
from lms.cohorts.models import Cohort
from lms.db import utcnow
from lms.extensions import db

CASE_CHANNEL_KEY = "dx_jirei"
FIELDS = ("窓口・手続", "内部事務", "情報発信", "データ活用", "働き方・組織",
          "インフラ・セキュリティ", "福祉・子育て", "防災・安全", "その他")


class Case(db.Model):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"),
                                            unique=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           index=True)
    municipality: Mapped[str] = mapped_column(String(50), default="")
    field: Mapped[str] = mapped_column(String(50), default="", index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    effect: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[str] = mapped_column(Text, default="")  # one URL per line
    # NFKC + lower-case copy of the fields and the post, for substring search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    message: Mapped[Message] = relationship()
    created_by: Mapped[User | None] = relationship()
    cohort: Mapped[Cohort] = relationship()

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]
