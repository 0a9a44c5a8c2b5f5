"""Case library: posts in 「DX導入事例」 marked as cases, searchable across cohorts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.auth.services import hash_password
from lms.cases.models import Case
from lms.channels.models import Channel, Message
from lms.channels.services import post_message
from lms.cohorts.services import enrol, ensure_user
from lms.extensions import db
from tests.conftest import PASSWORD


def _channel(cohort, key="dx_jirei"):
    return db.session.scalar(select(Channel).where(Channel.cohort_id == cohort.id,
                                                   Channel.key == key))


def _post(email, cohort, body, key="dx_jirei"):
    message, _ = post_message(ensure_user(email, ""), _channel(cohort, key), body)
    db.session.commit()
    return message


@pytest.fixture
def demo(demo):
    """The demo with its three cases, as `lms demo` seeds them."""
    from lms.cases.demo import seed_demo_cases

    seed_demo_cases(demo)
    db.session.commit()
    return demo


FORM = {"municipality": "練馬区", "field": "窓口・手続", "target": "保育所入所申請",
        "effect": "申請の8割がオンラインに", "links": "https://example.jp/hoiku\n"}


def test_demo_has_cases_in_the_library(login_as, demo):
    page = login_as("p10@example.jp").get("/cases").get_data(as_text=True)
    assert "3件の事例" in page
    assert "転入届・住民異動届" in page and "世田谷区" in page


def test_author_marks_a_case_and_any_participant_finds_it(login_as, demo, client):
    message = _post("p03@example.jp", demo, "保育所の入所申請をオンライン化しました")
    login_as("p03@example.jp")
    channel_page = client.get(f"/c/tokyo-dx-2021/channels/{message.channel_id}")
    assert f"/c/tokyo-dx-2021/cases/{message.id}" in channel_page.get_data(as_text=True)
    form = client.get(f"/c/tokyo-dx-2021/cases/{message.id}").get_data(as_text=True)
    assert 'value="練馬区"' in form  # the author's municipality by default
    assert client.post(f"/c/tokyo-dx-2021/cases/{message.id}", data=FORM).status_code == 302
    case = db.session.scalar(select(Case).where(Case.message_id == message.id))
    assert case.target == "保育所入所申請" and case.link_list == ["https://example.jp/hoiku"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "case.update")
                              .order_by(AuditEntry.id.desc()))
    assert entry.after["target"] == "保育所入所申請"
    client.post("/logout")
    login_as("p50@example.jp")
    found = client.get("/cases?q=オンライン化").get_data(as_text=True)
    assert "1件の事例" in found and "保育所入所申請" in found
    assert "4件の事例" in client.get("/cases?q=").get_data(as_text=True)
    filtered = client.get("/cases?field=窓口・手続&municipality=練馬区").get_data(as_text=True)
    assert "1件の事例" in filtered
    none = client.get("/cases?q=存在しない言葉").get_data(as_text=True)
    assert "条件に合う事例はありません" in none


def test_participants_of_another_cohort_read_cases_but_cannot_edit(login_as, demo, make_cohort,
                                                                   client):
    other = make_cohort(slug="tama-2030")
    reader = ensure_user("tama-p@example.jp", "多摩 太郎", hash_password(PASSWORD))
    enrol(other, reader, "participant", "132012")
    db.session.commit()
    login_as("tama-p@example.jp")
    page = client.get("/cases").get_data(as_text=True)
    assert "転入届・住民異動届" in page
    assert "チャンネルで元の投稿を見る" not in page  # not their cohort's channel
    case = db.session.scalar(select(Case).order_by(Case.id))
    assert client.get(f"/c/tokyo-dx-2021/cases/{case.message_id}").status_code == 404


def test_case_edit_rights_and_bad_input(login_as, demo, client):
    message = _post("p03@example.jp", demo, "窓口の事例です")
    login_as("p05@example.jp")  # another participant of the cohort
    assert client.get(f"/c/tokyo-dx-2021/cases/{message.id}").status_code == 403
    assert client.post(f"/c/tokyo-dx-2021/cases/{message.id}", data=FORM).status_code == 403
    client.post("/logout")
    login_as("trainer1@example.jp")  # staff may edit anyone's
    bad = client.post(f"/c/tokyo-dx-2021/cases/{message.id}",
                      data={**FORM, "links": "javascript:alert(1)"})
    assert bad.status_code == 400 and "https://" in bad.get_data(as_text=True)
    assert client.post(f"/c/tokyo-dx-2021/cases/{message.id}",
                       data={**FORM, "target": ""}).status_code == 400
    assert db.session.scalar(select(Case).where(Case.message_id == message.id)) is None
    worry = _post("p03@example.jp", demo, "悩みです", key="dx_nayami")
    assert client.get(f"/c/tokyo-dx-2021/cases/{worry.id}").status_code == 404
    assert client.post(f"/c/tokyo-dx-2021/cases/{message.id}", data=FORM).status_code == 302
    assert client.post(f"/c/tokyo-dx-2021/cases/{message.id}/remove").status_code == 302
    assert db.session.scalar(select(Case).where(Case.message_id == message.id)) is None
    assert db.session.get(Message, message.id) is not None


def test_case_library_needs_a_cohort_and_login(client, make_user, login_as):
    assert client.get("/cases").status_code == 302  # to the login page
    make_user("lonely@example.jp")
    assert login_as("lonely@example.jp").get("/cases").status_code == 403


def test_case_library_query_count_does_not_grow_with_cases(login_as, demo, count_queries,
                                                           client):
    login_as("p10@example.jp")
    with count_queries() as few:
        client.get("/cases")
    for i in range(15):
        message = _post("p03@example.jp", demo, f"事例{i}")
        case = Case(message_id=message.id, cohort_id=demo.id, municipality="練馬区",
                    field="内部事務", target=f"業務{i}", search_text=f"事例{i}")
        db.session.add(case)
    db.session.commit()
    with count_queries() as many:
        page = client.get("/cases").get_data(as_text=True)
    assert "18件の事例" in page
    assert len(many) == len(few)
