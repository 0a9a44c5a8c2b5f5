"""On PostgreSQL: concurrent posts to one channel become visible in id order, so a reader
catching up with after_id never skips one, and seq counts 1..N without holes."""

from __future__ import annotations

import random
import threading
import time
import uuid

import pytest
from sqlalchemy import select

from lms.auth.services import create_api_token, get_user_by_email
from lms.channels import services
from lms.channels.models import Channel, Message
from lms.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.postgres
WRITERS, PER_WRITER = 8, 20


@pytest.fixture
def pg_config():
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": WRITERS + 4}}


def test_catch_up_during_concurrent_posts_skips_nothing(pg_app):
    from lms.demo import build_demo

    cohort = build_demo(PASSWORD).cohort
    channel_id = db.session.scalar(select(Channel.id).where(
        Channel.cohort_id == cohort.id, Channel.name == "DXの悩みごと"))
    reader_token = create_api_token(get_user_by_email("p50@example.jp"))
    db.session.commit()
    start_id = db.session.scalar(select(Message.id).order_by(Message.id.desc()).limit(1)) or 0
    writers_done, failures = threading.Event(), []
    seen: list[int] = []

    def write(n: int) -> None:
        try:
            with pg_app.app_context():
                author = get_user_by_email(f"p{n + 1:02d}@example.jp")
                channel = db.session.get(Channel, channel_id)
                for i in range(PER_WRITER):
                    services.post_message(author, channel, f"同時投稿 {n}-{i}",
                                          client_msg_id=str(uuid.uuid4()))
                    # A request takes a moment between its insert and its commit; without
                    # the channel lock a later id could commit first and be skipped.
                    time.sleep(random.uniform(0, 0.004))
                    db.session.commit()
        except Exception as exc:  # reported by the main thread
            failures.append(exc)

    def read() -> None:
        client = pg_app.test_client()
        headers = {"Authorization": f"Bearer {reader_token}"}
        last, final = start_id, False
        while True:
            response = client.get(f"/api/v1/channels/{channel_id}/messages"
                                  f"?after_id={last}&limit=100", headers=headers)
            assert response.status_code == 200, response.get_json()
            page = [m["id"] for m in response.get_json()]
            seen.extend(page)
            last = page[-1] if page else last
            if final and len(page) < 100:
                return
            final = writers_done.is_set()  # one more pass once every commit is done

    reader = threading.Thread(target=lambda: _report(read, failures))
    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    reader.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    writers_done.set()
    reader.join(30)
    assert failures == []
    assert not reader.is_alive()

    db.session.expire_all()
    rows = db.session.execute(select(Message.id, Message.seq).where(
        Message.channel_id == channel_id).order_by(Message.id)).all()
    new = [mid for mid, _seq in rows if mid > start_id]
    assert len(new) == WRITERS * PER_WRITER
    assert seen == new  # each exactly once, in order: nothing skipped, nothing repeated
    assert [seq for _mid, seq in rows] == list(range(1, len(rows) + 1))
    assert db.session.get(Channel, channel_id).last_seq == len(rows)


def _report(target, failures: list) -> None:
    try:
        target()
    except Exception as exc:
        failures.append(exc)
