"""The kinds of notification (CONTRACT: Notifications) and their Japanese labels."""

from __future__ import annotations

KINDS = (
    "homework_new", "homework_due", "feedback", "mention", "reply", "session_changed",
    "retro_phase", "survey_open", "proposal_comment", "proposal_review",
)
KIND_LABELS = {
    "homework_new": "新しい宿題",
    "homework_due": "宿題の締切（3日前・前日）",
    "feedback": "提出物への講師のフィードバック",
    "mention": "チャンネルでのメンション（@名前）",
    "reply": "自分の投稿への返信",
    "session_changed": "研修回の日時・会議URLの変更",
    "retro_phase": "ふりかえりの段階の切り替え",
    "survey_open": "回答を待っているアンケート",
    "proposal_comment": "提案書へのコメント",
    "proposal_review": "提案書の講評の公開",
}
MAIL_CHOICES = ("none", "digest", "immediate")
MAIL_LABELS = {"none": "メールしない", "digest": "1日1回まとめて", "immediate": "すぐにメール"}
DEFAULT_MAIL = "digest"
