"""What the channel API and socket events take and give (pydantic; lms.api.validation).

Types, id ranges and NUL are refused at the edge; the message rules (empty, too long, which
emoji) stay in services, which the HTML form and Socket.IO share, so the limits below only
document them (`maxLength`) and the error codes (`empty`, `too_long`, `bad_emoji`) stay one."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, RootModel

from lms.api.validation import Body, Id, Query, Text
from lms.channels.mentions import MAX_MEMBER_RESULTS
from lms.channels.services import MAX_BODY_CHARS, MAX_CLIENT_ID_CHARS, MAX_QUERY_CHARS, REACTIONS

MessageText = Annotated[Text, Field(json_schema_extra={"maxLength": MAX_BODY_CHARS},
                                    description="Markdown")]
ClientId = Annotated[Text, Field(min_length=1, max_length=MAX_CLIENT_ID_CHARS)]
NonNegative = Annotated[int, Field(ge=0)]


class MessageIn(Body):
    body: MessageText
    client_msg_id: ClientId | None = Field(
        None, description="同じ値の再送は 200 で同じメッセージを返し、何も保存しない")
    parent_id: Id | None = None


class EditIn(Body):
    body: MessageText


class MembersQuery(Query):
    q: Annotated[Text, Field(max_length=MAX_QUERY_CHARS)] = ""
    limit: Annotated[int, Field(ge=1, description=f"既定・最大 {MAX_MEMBER_RESULTS}")] | None = None


class Member(BaseModel):
    id: int
    name: str
    handle: str = Field(description="@のあとに書く文字（空白を除いた氏名）")


class Members(RootModel[list[Member]]):
    pass


class ReadIn(Body):
    last_read_id: NonNegative | None = Field(None, description="省略すると最新まで既読")


class ReactionIn(Body):
    emoji: Annotated[Text, Field(json_schema_extra={"enum": list(REACTIONS)})]


class MessageEditIn(EditIn):
    """Socket.IO `edit`."""

    message_id: Id


class MessageReactIn(ReactionIn):
    """Socket.IO `react`: on true adds, false takes back, absent toggles."""

    message_id: Id
    on: bool | None = None


class MessagesQuery(Query):
    limit: Annotated[int, Field(ge=1, description="既定 50、最大 100")] | None = None
    after_id: NonNegative | None = None
    before_id: NonNegative | None = None


class SearchQuery(Query):
    q: Annotated[Text, Field(json_schema_extra={"maxLength": MAX_QUERY_CHARS})]
    limit: Annotated[int, Field(ge=1)] | None = None
    channel_id: Annotated[Id, Field(description="このチャンネルだけ")] | None = None
    author_id: Annotated[Id, Field(description="この人の投稿だけ")] | None = None


class Person(BaseModel):
    id: int
    name: str


class ReactionOut(BaseModel):
    emoji: str
    count: int
    user_ids: list[int]


class MessageOut(BaseModel):
    id: int
    channel_id: int
    seq: int = Field(description="チャンネル内の通し番号（欠けの検出用）")
    author: Person
    body: str
    body_html: str
    created_at: str = Field(description="ISO 8601（オフセット付き）")
    edited_at: str | None
    deleted: bool
    hidden: bool
    parent_id: int | None
    reactions: list[ReactionOut]
    mentions: list[Person]
    mention_warning: str | None = Field(
        None, description="書いた人への応答だけ：@のあとの名前に当てはまる人がいないとき")
    highlight: str | None = Field(
        None, description="検索結果だけ：本文の抜粋をエスケープし、語を <mark> で囲んだ HTML")


class ChannelOut(BaseModel):
    id: int
    name: str
    kind: Literal["cohort", "team"]
    team_id: int | None
    unread: int


class ReadOut(BaseModel):
    channel_id: int
    last_read_id: int | None
    unread: int


class Messages(RootModel[list[MessageOut]]):
    pass


class Channels(RootModel[list[ChannelOut]]):
    pass
