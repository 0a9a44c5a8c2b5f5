"""The organizer's enrolment pages: CSV import and invitation links."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.audit.services import record
from lms.auth.services import create_invite
from lms.cohorts.access import get_cohort_for, require_organizer, users_beyond_reach
from lms.cohorts.enrolment_csv import parse_enrolment_csv
from lms.cohorts.forms import EnrolmentUploadForm
from lms.cohorts.models import ROLE_LABELS, Membership
from lms.cohorts.services import (
    cohort_members,
    import_enrolment,
    municipality_lookup,
    role_counts,
)
from lms.errors import Forbidden, NotFound
from lms.extensions import db
from lms.spreadsheets import write_csv

bp = Blueprint("cohorts", __name__, template_folder="templates")


@bp.route("/c/<slug>/enrolment", methods=["GET", "POST"])
@login_required
def enrolment(slug: str):
    cohort, membership = get_cohort_for(current_user, slug)
    require_organizer(membership)
    form = EnrolmentUploadForm()
    parse = None
    if form.validate_on_submit():
        data = form.csv_file.data.read()
        parse = parse_enrolment_csv(data, municipality_lookup())
        if parse.ok:
            invites = import_enrolment(cohort, parse.rows,
                                       invite_days=current_app.config["INVITE_DAYS"],
                                       issued_by=current_user)
            db.session.commit()
            flash(f"{len(parse.rows)}人を登録しました（新しいアカウント {len(invites)}件）。"
                  "招待リンクをダウンロードして、各自治体のメールで送ってください。", "success")
            return redirect(url_for("cohorts.enrolment", slug=slug))
    status = 400 if (parse is not None and not parse.ok) or form.errors else 200
    members = cohort_members(cohort.id)
    return render_template(
        "cohorts/enrolment.html", cohort=cohort, form=form, parse=parse,
        counts=role_counts(cohort.id), members=members,
        beyond=users_beyond_reach(current_user, [m.user_id for m in members])), status


@bp.post("/c/<slug>/members/<int:membership_id>/link")
@login_required
def password_link(slug: str, membership_id: int):
    """A fresh one-time link for one person (first password or a forgotten one)."""
    cohort, membership = get_cohort_for(current_user, slug)
    require_organizer(membership)
    target = db.session.get(Membership, membership_id)
    if target is None or target.cohort_id != cohort.id:
        raise NotFound("その人はこの研修に登録されていません。")
    if users_beyond_reach(current_user, [target.user_id]):
        raise Forbidden("この人は主催者であるか、あなたが主催していない研修にも登録されているため、"
                        "ここではリンクを発行できません。サーバー管理者に依頼してください。")
    token = create_invite(target.user, days=current_app.config["INVITE_DAYS"],
                          issued_by=current_user)
    record(current_user, "password_link.issue", target, after={"email": target.user.email},
           label=target.user.name)
    db.session.commit()
    return render_template("cohorts/password_link.html", cohort=cohort, person=target,
                           link=url_for("auth.accept_invite", token=token, _external=True),
                           days=current_app.config["INVITE_DAYS"])


@bp.post("/c/<slug>/invites.csv")
@login_required
def invite_links(slug: str):
    """Fresh one-time links for everyone in the cohort who has not set a password yet."""
    cohort, membership = get_cohort_for(current_user, slug)
    require_organizer(membership)
    members = db.session.scalars(
        select(Membership).where(Membership.cohort_id == cohort.id)
        .join(Membership.user).order_by(Membership.id)).all()
    beyond = users_beyond_reach(current_user, [m.user_id for m in members])
    rows = []
    for m in members:
        # Someone who also belongs to a cohort this organizer does not run gets their link
        # from that cohort's organizer or the server's administrator (`lms invite`).
        if m.user.password_hash or m.user_id in beyond:
            continue
        token = create_invite(m.user, days=current_app.config["INVITE_DAYS"],
                              issued_by=current_user)
        rows.append([m.user.name, m.user.email, m.municipality.name if m.municipality else "",
                     ROLE_LABELS[m.role], url_for("auth.accept_invite", token=token,
                                                  _external=True)])
    record(current_user, "invite_links.download", cohort,
           after={"emails": [r[1] for r in rows]}, label=f"{len(rows)}件")
    db.session.commit()
    body = write_csv(["氏名", "メールアドレス", "自治体", "役割", "招待リンク"], rows)
    return send_file(io.BytesIO(body), mimetype="text/csv", as_attachment=True,
                     download_name=f"招待リンク_{cohort.slug}.csv", max_age=0)
