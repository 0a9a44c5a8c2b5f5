"""HTML forms of the channel pages (CSRF and field shape; the rules live in services)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField


class MessageForm(FlaskForm):
    body = TextAreaField("メッセージ（Markdownが使えます）")
    client_msg_id = HiddenField()
    parent_id = HiddenField()


class EditForm(FlaskForm):
    body = TextAreaField("メッセージを編集")


class PromptForm(FlaskForm):
    body = TextAreaField("チームルームへの投げかけ（Markdownが使えます）")
    prompt_id = HiddenField()


class ActionForm(FlaskForm):
    """Delete / hide: only the CSRF token."""
