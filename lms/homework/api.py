"""Homework routes of /api/v1: list, add and remove, drafts, submissions, files, review."""

from __future__ import annotations

from urllib.parse import quote

from flask import current_app, jsonify, request, send_file

from lms.api import api_bp, caller
from lms.api.validation import validate
from lms.cohorts.access import get_cohort_for, require_staff
from lms.errors import BadRequest, NotFound
from lms.extensions import db
from lms.homework import authoring, services
from lms.homework.access import (
    get_file_for,
    get_homework_for,
    get_submission_for,
    require_owner_key,
)
from lms.homework.filetypes import ascii_fallback
from lms.homework.schemas import (
    DraftIn,
    DraftOut,
    HomeworkDetail,
    HomeworkList,
    NewHomeworkIn,
    ReviewIn,
    SubmissionOut,
)
from lms.homework.storage import Upload, remove_stored, stored_path
from lms.timefmt import TOKYO


def homework_to_dict(hw) -> dict:
    return {"id": hw.id, "session_number": hw.session.number, "title": hw.title,
            "kind": hw.kind, "due_at": hw.due_at.isoformat(), "late_policy": hw.late_policy,
            "closed": services.is_closed(hw)}


# The parts of a submission, for the OpenAPI document (the view reads them from request.form).
SUBMISSION_FORM = {
    "type": "object",
    "properties": {
        "body": {"type": "string", "description": "本文（Markdown）"},
        "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                  "description": "添付ファイル（0個以上）"},
        "client_submission_id": {"type": "string", "maxLength": 64,
                                 "description": "再送で版が増えないための ID"},
    },
}


def homework_detail(hw) -> dict:
    return {**homework_to_dict(hw), "key": hw.key, "instructions": hw.instructions_md,
            "instructions_html": hw.instructions_html, "goal_setting": hw.goal_setting}


def uploads_from_request() -> list[Upload]:
    return [Upload(f.filename or "", f.stream) for f in request.files.getlist("files")
            if f.filename]


def commit_or_discard(submission) -> None:
    """Commit; if that fails, the files written for this submission go too."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        remove_stored(current_app.config["UPLOAD_FOLDER"],
                      [f.stored_name for f in submission.files])
        raise


def submit_from_request(homework, membership, user):
    """Shared by the API and the homework page: parse the multipart form, submit, commit."""
    submission, created = services.submit_homework(
        homework, membership, user, body=request.form.get("body", ""),
        uploads=uploads_from_request(),
        client_submission_id=request.form.get("client_submission_id"),
        upload_folder=current_app.config["UPLOAD_FOLDER"],
        max_mb=current_app.config["MAX_UPLOAD_MB"],
        max_files=current_app.config["MAX_UPLOAD_FILES"])
    if created:
        commit_or_discard(submission)
    return submission, created


@api_bp.get("/cohorts/<slug>/homework")
@validate(responses={200: HomeworkList})
def list_cohort_homework(slug: str):
    """研修の宿題一覧"""
    cohort, _membership = get_cohort_for(caller(), slug)
    return jsonify([homework_to_dict(hw) for hw in services.list_homework(cohort.id)])


@api_bp.post("/cohorts/<slug>/homework")
@validate(json=NewHomeworkIn, responses={201: HomeworkDetail}, summary=(
    "宿題を追加する（講師・主催者）。key は研修内で一意に自動で付く。型の誤り・項目の不足・"
    "日時として読めない due_at は 400、空や長すぎるタイトル・一覧にない kind / late_policy・"
    "研修にない回は 422（error.field に項目名）"))
def add_homework(slug: str, body: NewHomeworkIn):
    """Staff add homework to one of the cohort's sessions: 201 with the new homework."""
    cohort, membership = get_cohort_for(caller(), slug)
    require_staff(membership)
    due_at = body.due_at if body.due_at.tzinfo else body.due_at.replace(tzinfo=TOKYO)
    homework = authoring.add_homework(
        cohort, session_number=body.session_number, title=body.title, kind=body.kind,
        instructions_md=body.instructions, due_at=due_at, late_policy=body.late_policy,
        goal_setting=body.goal_setting, actor=caller())
    db.session.commit()
    return jsonify(homework_detail(homework)), 201


@api_bp.delete("/homework/<int:homework_id>")
@validate(responses={204: {}}, summary=(
    "宿題を削除する（講師・主催者）。下書きも消える。提出物が1件でもあれば 422"
    "（code: has_submissions）で何も変えない"))
def remove_homework(homework_id: int):
    """Staff remove homework with no submissions (its drafts go with it): 204."""
    homework, membership = get_homework_for(caller(), homework_id)
    require_staff(membership)
    authoring.remove_homework(homework, actor=caller())
    db.session.commit()
    return "", 204


@api_bp.post("/homework/<int:homework_id>/submissions")
@validate(responses={201: SubmissionOut, 200: SubmissionOut, 413: {}, 415: {}},
          multipart=SUBMISSION_FORM, summary=(
    "宿題を提出する（multipart/form-data: body, files, client_submission_id）。版を追加し、"
    "同じ client_submission_id の再送は 200 で同じ版"))
def create_submission(homework_id: int):
    """A new version of the caller's work (multipart, not JSON: not parsed by @validate)."""
    user = caller()
    homework, membership = get_homework_for(user, homework_id)
    if not request.mimetype.startswith("multipart/") and \
            request.mimetype != "application/x-www-form-urlencoded":
        raise BadRequest(
            "multipart/form-data で送ってください（body, files, client_submission_id）。")
    submission, created = submit_from_request(homework, membership, user)
    body = services.submission_to_dict(submission)
    return jsonify(body), 201 if created else 200


@api_bp.get("/homework/<int:homework_id>/draft")
@validate(responses={200: DraftOut})
def read_draft(homework_id: int):
    """共有の下書き"""
    homework, membership = get_homework_for(caller(), homework_id)
    owner = require_owner_key(homework, membership)
    return jsonify(services.draft_to_dict(services.get_draft(homework, owner)))


@api_bp.put("/homework/<int:homework_id>/draft")
@validate(json=DraftIn, responses={200: DraftOut, 409: DraftOut})
def save_draft(homework_id: int, body: DraftIn):
    """下書きを保存する（revision が古ければ 409 と最新の下書き）"""
    user = caller()
    homework, membership = get_homework_for(user, homework_id)
    draft = services.save_draft(homework, membership, user, body=body.body,
                                revision=body.revision)
    db.session.commit()
    return jsonify(services.draft_to_dict(draft))


@api_bp.get("/submissions/<int:submission_id>")
@validate(responses={200: SubmissionOut})
def read_submission(submission_id: int):
    """提出物と講評"""
    submission, _membership = get_submission_for(caller(), submission_id)
    return jsonify(services.submission_to_dict(submission))


@api_bp.put("/submissions/<int:submission_id>/review")
@validate(json=ReviewIn, responses={200: SubmissionOut})
def review_submission(submission_id: int, body: ReviewIn):
    """講評を保存する（講師・主催者）"""
    user = caller()
    submission, membership = get_submission_for(user, submission_id)
    require_staff(membership, "講評できるのは講師と主催者です。")
    services.review_submission(submission, user, status=body.status, feedback=body.feedback)
    db.session.commit()
    return jsonify(services.submission_to_dict(submission))


@api_bp.get("/files/<int:file_id>")
@validate(responses={200: {"type": "string", "format": "binary"}})
def download_file(file_id: int):
    """添付ファイル（元のファイル名、attachment）"""
    stored = get_file_for(caller(), file_id)
    path = stored_path(current_app.config["UPLOAD_FOLDER"], stored.stored_name)
    if not path.is_file():
        raise NotFound("ファイルが見つかりません。")
    response = send_file(path, mimetype=stored.content_type, as_attachment=False,
                         conditional=True, max_age=0)
    response.headers["Content-Disposition"] = content_disposition(stored.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def content_disposition(name: str) -> str:
    """RFC 6266: an ASCII fallback, then the UTF-8 name percent-encoded (RFC 5987)."""
    return (f"attachment; filename=\"{ascii_fallback(name)}\"; "
            f"filename*=UTF-8''{quote(name, safe='')}")

