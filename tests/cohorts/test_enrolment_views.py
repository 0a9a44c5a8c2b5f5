"""CSV enrolment through the organizer's page, and invitation links."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import func, select

from lms.auth.models import User
from lms.cohorts.models import Membership

DATA = Path(__file__).parent / "data"


def _members(db, cohort_id):
    return db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.cohort_id == cohort_id))


def _upload(client, data: bytes, name="名簿.csv"):
    return client.post("/c/osaka-2030/enrolment", data={"csv_file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_file_with_errors_imports_nothing_and_names_lines(login_as, db, make_cohort):
    cohort = make_cohort(slug="osaka-2030", organizer_email="org2@example.jp")
    from lms.auth.services import set_password

    set_password(db.session.scalar(select(User).where(User.email == "org2@example.jp")),
                 "correct-horse-battery")
    db.session.commit()
    client = login_as("org2@example.jp")
    response = _upload(client, (DATA / "enrolment_cp932_with_errors.csv").read_bytes())
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for line in ("6行目", "7行目", "8行目"):
        assert line in page
    assert "東京市" in page
    assert "まだ誰も登録されていません" in page
    assert _members(db, cohort.id) == 1  # only the organizer


def test_clean_utf8_bom_file_is_imported_with_invites(login_as, db, make_cohort):
    cohort = make_cohort(slug="osaka-2030", organizer_email="org2@example.jp")
    from lms.auth.services import set_password

    set_password(db.session.scalar(select(User).where(User.email == "org2@example.jp")),
                 "correct-horse-battery")
    db.session.commit()
    client = login_as("org2@example.jp")
    text = ("氏名,メールアドレス,自治体,所属,役割\r\n"
            "髙橋 一郎,ichiro@city.example.lg.jp,八王子市,情報政策課,受講者\r\n"
            "山本 花子,hanako@town.example.lg.jp,奥多摩町,総務課,\r\n"
            "講師 太郎,taro@example.jp,,,講師\r\n")
    response = _upload(client, b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert response.status_code == 302
    assert _members(db, cohort.id) == 4
    user = db.session.scalar(select(User).where(User.email == "ichiro@city.example.lg.jp"))
    assert user.password_hash is None  # they set one through the invitation
    links = client.post("/c/osaka-2030/invites.csv")
    assert links.status_code == 200
    assert links.data.startswith(b"\xef\xbb\xbf")
    assert "filename*=UTF-8''" in links.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(links.data.decode("utf-8-sig"))))
    assert rows[0] == ["氏名", "メールアドレス", "自治体", "役割", "招待リンク"]
    assert {r[1] for r in rows[1:]} == {"ichiro@city.example.lg.jp",
                                        "hanako@town.example.lg.jp", "taro@example.jp"}
    link = next(r[4] for r in rows[1:] if r[1] == "ichiro@city.example.lg.jp")
    client.post("/logout")
    path = link[link.index("/invite/"):]
    done = client.post(path, data={"password": "ichiro-password", "confirm": "ichiro-password"})
    assert done.status_code == 302
    assert client.get(path).status_code == 404  # single use


def test_participant_cannot_enrol(login_as, demo):
    client = login_as("p01@example.jp")
    assert client.get("/c/tokyo-dx-2021/enrolment").status_code == 403
    assert client.post("/c/tokyo-dx-2021/invites.csv").status_code == 403


def test_trainer_cannot_download_invites(login_as, demo):
    assert login_as("trainer1@example.jp").post(
        "/c/tokyo-dx-2021/invites.csv").status_code == 403


def test_organizer_issues_a_reset_link_for_a_forgotten_password(login_as, client, db, demo):
    from lms.cohorts.models import Membership

    target = db.session.scalar(select(Membership).join(Membership.user).where(
        User.email == "p07@example.jp"))
    org = login_as("organizer@example.jp")
    page = org.get("/c/tokyo-dx-2021/enrolment").get_data(as_text=True)
    assert "p07@example.jp" in page and "設定済み" in page
    shown = org.post(f"/c/tokyo-dx-2021/members/{target.id}/link").get_data(as_text=True)
    link = shown[shown.index("/invite/"):].split('"')[0]
    org.post("/logout")
    assert client.post(link, data={"password": "brand-new-pass", "confirm": "brand-new-pass"}
                       ).status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"email": "p07@example.jp",
                                       "password": "brand-new-pass"}).status_code == 302


def test_reset_link_refusals(login_as, client, db, demo, make_cohort):
    from lms.cohorts.models import Membership

    other = make_cohort(slug="osaka-2030")
    foreign = db.session.scalar(select(Membership).where(Membership.cohort_id == other.id))
    org = login_as("organizer@example.jp")
    assert org.post(f"/c/tokyo-dx-2021/members/{foreign.id}/link").status_code == 404
    org.post("/logout")
    target = db.session.scalar(select(Membership).where(Membership.cohort_id == demo.id))
    participant = login_as("p01@example.jp")
    assert participant.post(f"/c/tokyo-dx-2021/members/{target.id}/link").status_code == 403


def _evil_organizer(db, make_cohort):
    from lms.auth.services import set_password

    other = make_cohort(slug="osaka-2030", organizer_email="evilorg@example.jp")
    set_password(db.session.scalar(select(User).where(User.email == "evilorg@example.jp")),
                 "correct-horse-battery")
    db.session.commit()
    return other


def test_organizer_of_another_cohort_cannot_take_over_accounts(login_as, client, db, demo,
                                                              make_cohort):
    from lms.cohorts.models import Membership

    other = _evil_organizer(db, make_cohort)
    evil = login_as("evilorg@example.jp")
    csv_text = ("氏名,メールアドレス,自治体,所属,役割\r\n"
                "講師 一郎,trainer1@example.jp,世田谷区,,受講者\r\n")
    response = evil.post("/c/osaka-2030/enrolment",
                         data={"csv_file": (io.BytesIO(csv_text.encode()), "x.csv")},
                         content_type="multipart/form-data")
    assert response.status_code == 302
    grabbed = db.session.scalar(select(Membership).join(Membership.user).where(
        Membership.cohort_id == other.id, User.email == "trainer1@example.jp"))
    page = evil.get("/c/osaka-2030/enrolment").get_data(as_text=True)
    assert "サーバー管理者が発行" in page
    refused = evil.post(f"/c/osaka-2030/members/{grabbed.id}/link")
    assert refused.status_code == 403
    assert "/invite/" not in refused.get_data(as_text=True)
    evil.post("/logout")
    # trainer1's own password still works
    assert client.post("/login", data={"email": "trainer1@example.jp",
                                       "password": "correct-horse-battery"}).status_code == 302


def test_invites_csv_leaves_out_accounts_of_other_cohorts(login_as, db, demo, make_cohort):
    from lms.cohorts.services import enrol, ensure_user

    other = _evil_organizer(db, make_cohort)
    pending = ensure_user("pending@example.jp", "未設定 さん")  # no password yet
    enrol(demo, pending, "participant", "131121")
    enrol(other, pending, "participant", "131121")
    own = ensure_user("own@example.jp", "自分の 受講者")
    enrol(other, own, "participant", "131121")
    db.session.commit()
    links = login_as("evilorg@example.jp").post("/c/osaka-2030/invites.csv")
    emails = {r[1] for r in csv.reader(io.StringIO(links.data.decode("utf-8-sig")))}
    assert "own@example.jp" in emails
    assert "pending@example.jp" not in emails


def test_no_link_for_oneself_or_a_co_organizer(login_as, db, demo):
    from lms.cohorts.models import Membership
    from lms.cohorts.services import enrol, ensure_user

    co = ensure_user("co-org@example.jp", "共同 主催者")
    enrol(demo, co, "organizer")
    db.session.commit()
    org = login_as("organizer@example.jp")
    for email in ("co-org@example.jp", "organizer@example.jp"):
        m = db.session.scalar(select(Membership).join(Membership.user).where(
            Membership.cohort_id == demo.id, User.email == email))
        assert org.post(f"/c/tokyo-dx-2021/members/{m.id}/link").status_code == 403
