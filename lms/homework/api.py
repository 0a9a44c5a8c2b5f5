"""Homework routes of /api/v1: list, add and remove, drafts, submissions, files, review."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from flask import current_app, jsonify, request, send_file

from lms.api import api_bp, caller, json_body
from lms.api.openapi import add_paths, operation, path_param
from lms.cohorts.access import STAFF_ROLES, get_cohort_for, require_role
from lms.errors import BadRequest, NotFound
from lms.extensions import db
from lms.homework import authoring, services
from lms.homework.access import (
    get_file_for,
    get_homework_for,
    get_submission_for,
    require_owner_key,
    require_reviewer,
)
from lms.homework.filetypes import ascii_fallback
from lms.homework.openapi import homework_paths
from lms.homework.storage import Upload, remove_stored, stored_path
from lms.timefmt import TOKYO


def homework_to_dict(hw) -> dict:
    return {"id": hw.id, "session_number": hw.session.number, "title": hw.title,
            "kind": hw.kind, "due_at": hw.due_at.isoformat(), "late_policy": hw.late_policy,
            "closed": services.is_closed(hw)}


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
def list_cohort_homework(slug: str):
    cohort, _membership = get_cohort_for(caller(), slug)
    return jsonify([homework_to_dict(hw) for hw in services.list_homework(cohort.id)])


def _field(data: dict, name: str, kind: type, default=None):
    """data[name] if it has the type (bool is not an int here); BadRequest (400) otherwise."""
    value = data.get(name, default)
    if value is None or not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BadRequest(f"{name} の値がないか、型が正しくありません。", extra={"field": name})
    return value


def _due_at(text: str) -> datetime:
    """ISO 8601; without an offset the time is read in Asia/Tokyo."""
    try:
        due_at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadRequest("due_at は ISO 8601 の日時で送ってください"
                         "（例：2025-10-15T23:59:00+09:00）。", extra={"field": "due_at"}) from None
    return due_at if due_at.tzinfo else due_at.replace(tzinfo=TOKYO)


@api_bp.post("/cohorts/<slug>/homework")
def add_homework(slug: str):
    """Staff add homework to one of the cohort's sessions: 201 with the new homework."""
    cohort, membership = get_cohort_for(caller(), slug)
    require_role(membership, *STAFF_ROLES)
    data = json_body()
    fields = {"session_number": _field(data, "session_number", int),
              "title": _field(data, "title", str), "kind": _field(data, "kind", str),
              "instructions_md": _field(data, "instructions", str, ""),
              "due_at": _due_at(_field(data, "due_at", str)),
              "late_policy": _field(data, "late_policy", str, "accept"),
              "goal_setting": _field(data, "goal_setting", bool, False)}
    homework = authoring.add_homework(cohort, **fields, actor=caller())
    db.session.commit()
    return jsonify(homework_detail(homework)), 201


@api_bp.delete("/homework/<int:homework_id>")
def remove_homework(homework_id: int):
    """Staff remove homework with no submissions (its drafts go with it): 204.
    With submissions: 422 `has_submissions`, and nothing changes."""
    homework, membership = get_homework_for(caller(), homework_id)
    require_role(membership, *STAFF_ROLES)
    authoring.remove_homework(homework, actor=caller())
    db.session.commit()
    return "", 204


@api_bp.post("/homework/<int:homework_id>/submissions")
def create_submission(homework_id: int):
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
def read_draft(homework_id: int):
    homework, membership = get_homework_for(caller(), homework_id)
    owner = require_owner_key(homework, membership)
    return jsonify(services.draft_to_dict(services.get_draft(homework, owner)))


@api_bp.put("/homework/<int:homework_id>/draft")
def save_draft(homework_id: int):
    user = caller()
    homework, membership = get_homework_for(user, homework_id)
    data = json_body()
    body, revision = data.get("body"), data.get("revision")
    if not isinstance(body, str) or not isinstance(revision, int) or isinstance(revision, bool):
        raise BadRequest("body（文字列）と revision（整数）を送ってください。")
    draft = services.save_draft(homework, membership, user, body=body, revision=revision)
    db.session.commit()
    return jsonify(services.draft_to_dict(draft))


@api_bp.get("/submissions/<int:submission_id>")
def read_submission(submission_id: int):
    submission, _membership = get_submission_for(caller(), submission_id)
    return jsonify(services.submission_to_dict(submission))


@api_bp.put("/submissions/<int:submission_id>/review")
def review_submission(submission_id: int):
    user = caller()
    submission, membership = get_submission_for(user, submission_id)
    require_reviewer(membership)
    data = json_body()
    status, feedback = data.get("status"), data.get("feedback", "")
    if not isinstance(status, str) or not isinstance(feedback, str):
        raise BadRequest("status（ok / revise）と feedback（文字列）を送ってください。")
    services.review_submission(submission, user, status=status, feedback=feedback)
    db.session.commit()
    return jsonify(services.submission_to_dict(submission))


@api_bp.get("/files/<int:file_id>")
def download_file(file_id: int):
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


add_paths(homework_paths(operation, path_param))
