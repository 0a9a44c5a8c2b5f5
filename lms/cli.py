"""The `lms` command group; each command calls a service and commits once."""

from __future__ import annotations

import json
import sys
from datetime import date

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from lms.extensions import db

lms_cli = AppGroup("lms", help="自治体DX研修 LMS の管理コマンド")


@lms_cli.command("demo")
def demo_command():
    """Create the demo cohort tokyo-dx-2021 (does nothing if it exists)."""
    from lms.demo import DEMO_SLUG, build_demo

    if current_app.config["PRODUCTION"]:
        raise click.ClickException("本番モード（LMS_ENV=production）ではデモを作成しません。")
    result = build_demo(current_app.config["DEMO_PASSWORD"])
    if result.created:
        # Kept out of build_demo: tests count the demo's messages (cases and chat).
        from lms.cases.demo import seed_demo_cases
        from lms.channels.demo import seed_demo_chat

        seed_demo_cases(result.cohort)
        seed_demo_chat(result.cohort)
    db.session.commit()
    if result.created:
        click.echo(f"デモ研修 {DEMO_SLUG} を作成しました。")
    else:
        click.echo(f"デモ研修 {DEMO_SLUG} はすでにあります。")
    click.echo("ログイン: organizer@example.jp, trainer1@example.jp, trainer2@example.jp, "
               "p01@example.jp … p50@example.jp")
    click.echo(f"パスワード: {result.password}")


@lms_cli.command("has-cohort")
@click.argument("slug")
def has_cohort_command(slug: str):
    """Exit 0 if a cohort with SLUG exists, else 1 (used by `make run`)."""
    from sqlalchemy import select

    from lms.cohorts.models import Cohort

    sys.exit(0 if db.session.scalar(select(Cohort.id).where(Cohort.slug == slug)) else 1)


cohort_cli = AppGroup("cohort", help="研修（コホート）")
lms_cli.add_command(cohort_cli)


@cohort_cli.command("create")
@click.option("--course", "course_dir", required=True, type=click.Path(exists=True,
              file_okay=False))
@click.option("--slug", required=True)
@click.option("--title", required=True)
@click.option("--start", "start", required=True, help="YYYY-MM-DD")
@click.option("--organizer", "organizer_email", required=True)
def cohort_create_command(course_dir: str, slug: str, title: str, start: str,
                          organizer_email: str):
    """Create an empty cohort from a course template."""
    from lms.cohorts.services import ensure_user, sync_municipalities
    from lms.courses import CourseError, load_course
    from lms.errors import DomainError
    from lms.provisioning import create_cohort_from_course

    try:
        starts_on = date.fromisoformat(start)
    except ValueError as exc:
        raise click.BadParameter("YYYY-MM-DD で指定してください。", param_hint="--start") from exc
    try:
        course = load_course(course_dir)
    except CourseError as exc:
        raise click.ClickException(f"コーステンプレートのエラー: {exc}") from exc
    sync_municipalities()
    organizer = ensure_user(organizer_email, organizer_email.split("@")[0])
    try:
        cohort = create_cohort_from_course(course, slug=slug, title=title, starts_on=starts_on,
                                           organizer=organizer)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"研修 {cohort.slug}（{cohort.title}）を作成しました。")


@cohort_cli.command("export")
@click.argument("slug")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
def cohort_export_command(slug: str, out: str):
    """Write the whole cohort SLUG (people, teams, sessions, homework with files, channels,
    audit log, …) to one zip archive FILE."""
    from sqlalchemy import select

    from lms.archive.codec import ArchiveError
    from lms.archive.services import export_cohort
    from lms.cohorts.models import Cohort

    cohort = db.session.scalar(select(Cohort).where(Cohort.slug == slug))
    if cohort is None:
        raise click.ClickException(f"研修 {slug} はありません。")
    try:
        data = export_cohort(cohort, current_app.config["UPLOAD_FOLDER"])
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    with open(out, "wb") as target:
        target.write(data)
    click.echo(f"研修 {slug} を {out} に書き出しました（{len(data):,} バイト）。")


@cohort_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def cohort_import_command(file: str):
    """Load a cohort archive into this instance (which must not have that slug yet).
    A damaged or foreign archive stops with a message and changes nothing."""
    from lms.archive.codec import ArchiveError
    from lms.archive.services import import_archive

    with open(file, "rb") as source:
        data = source.read()
    try:
        cohort = import_archive(data, current_app.config["UPLOAD_FOLDER"])
    except ArchiveError as exc:
        db.session.rollback()
        raise click.ClickException(f"取り込めませんでした（何も変更していません）: {exc}") from exc
    db.session.commit()
    click.echo(f"研修 {cohort.slug}（{cohort.title}）を取り込みました。")


@lms_cli.command("token")
@click.argument("emails", nargs=-1, required=True)
@click.option("--revoke", is_flag=True,
              help="発行せずに失効させる：メールアドレスならその人の全トークン、トークンならそれだけ")
def token_command(emails: tuple[str, ...], revoke: bool):
    """Print a new personal API token for each EMAIL, one per line; with --revoke, revoke
    every token of each EMAIL (or the token given instead of an email)."""
    from lms.auth.services import create_api_token, get_user_by_email

    if revoke:
        _revoke_tokens(emails)
        return
    users = []
    for email in emails:
        user = get_user_by_email(email)
        if user is None:
            click.echo(f"ユーザーが見つかりません: {email}", err=True)
            sys.exit(1)
        users.append(user)
    tokens = [create_api_token(u) for u in users]
    db.session.commit()
    for token in tokens:
        click.echo(token)


def _revoke_tokens(values: tuple[str, ...]) -> None:
    from lms.auth.services import get_user_by_email, revoke_api_token_by_value, revoke_api_tokens

    counts = []
    for value in values:
        if "@" in value:
            user = get_user_by_email(value)
            if user is None:
                click.echo(f"ユーザーが見つかりません: {value}", err=True)
                sys.exit(1)
            counts.append((value, revoke_api_tokens(user)))
        else:
            row = revoke_api_token_by_value(value)
            if row is None:
                click.echo("有効なトークンが見つかりません（失効済みか、正しくありません）。",
                           err=True)
                sys.exit(1)
            counts.append((f"トークン {row.id}（{row.user.email}）", 1))
    db.session.commit()
    for label, count in counts:
        click.echo(f"{label}: {count}件のトークンを失効させました。")


@lms_cli.command("mfa")
@click.option("--reset", "reset_email", metavar="EMAIL", required=True,
              help="その人の多要素認証を解除する（認証アプリもリカバリーコードも失くしたとき）")
def mfa_command(reset_email: str):
    """Turn off EMAIL's multi-factor login, so they log in with the password and enrol again
    (under LMS_REQUIRE_MFA, staff are asked to at once)."""
    from lms.auth import mfa
    from lms.auth.services import get_user_by_email

    user = get_user_by_email(reset_email)
    if user is None:
        click.echo(f"ユーザーが見つかりません: {reset_email}", err=True)
        sys.exit(1)
    had = mfa.reset(user)
    db.session.commit()
    if had:
        click.echo(f"{user.email}: 多要素認証を解除しました。")
    else:
        click.echo(f"{user.email}: 多要素認証は設定されていません（変更なし）。")


@lms_cli.command("sweep-uploads")
@click.option("--older-than", type=click.IntRange(min=0), default=60, show_default=True,
              help="これより古い（分）ファイルだけを対象にする")
@click.option("--dry-run", is_flag=True, help="消さずに一覧だけ表示する")
def sweep_uploads_command(older_than: int, dry_run: bool):
    """Remove uploaded files that no submission points to (run it periodically, e.g. from
    cron or a systemd timer)."""
    from lms.homework.services import sweep_orphan_uploads

    removed = sweep_orphan_uploads(current_app.config["UPLOAD_FOLDER"],
                                   older_than_s=older_than * 60, dry_run=dry_run)
    for name in removed:
        click.echo(name)
    verb = "削除対象" if dry_run else "削除しました"
    click.echo(f"参照されていないファイル: {len(removed)}件（{verb}）", err=True)


@lms_cli.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="書き出すファイル（.tar.gz）")
def backup_command(out: str):
    """Write the database and the uploaded files to one consistent archive."""
    from lms.backup import BackupError, create_backup

    db.session.remove()
    try:
        manifest = create_backup(db.engine, current_app.config["UPLOAD_FOLDER"], out)
    except BackupError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"{out}: {manifest['database']}（リビジョン {manifest['revision']}）、"
               f"ファイル{manifest['uploads']}件")


@lms_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="データのあるデータベースも置き換える")
def restore_command(archive: str, force: bool):
    """Load an archive made by `lms backup` (stop the app first)."""
    from lms.backup import BackupError, restore_backup

    db.session.remove()
    try:
        manifest = restore_backup(db.engine, current_app.config["UPLOAD_FOLDER"], archive,
                                  force=force)
    except BackupError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"復元しました: {manifest['database']}（{manifest['created_at']}）、"
               f"ファイル{manifest['uploads']}件")


@lms_cli.command("invite")
@click.argument("email")
def invite_command(email: str):
    """Print a fresh one-time link with which EMAIL sets a password."""
    from flask import url_for

    from lms.auth.services import create_invite, get_user_by_email

    user = get_user_by_email(email)
    if user is None:
        click.echo(f"ユーザーが見つかりません: {email}", err=True)
        sys.exit(1)
    token = create_invite(user, days=current_app.config["INVITE_DAYS"])
    db.session.commit()
    base = current_app.config["PUBLIC_URL"]
    with current_app.test_request_context(base_url=base):
        click.echo(url_for("auth.accept_invite", token=token, _external=True))


@lms_cli.command("worker")
@click.option("--once", is_flag=True, help="期限の来たものを送って終了する")
@click.option("--interval", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="待ち行列を見に行く間隔（秒）")
@click.option("--batch", type=click.IntRange(min=1), default=50, show_default=True,
              help="1回のトランザクションで送る最大件数")
@click.option("--no-mail", is_flag=True,
              help="メールを送らず、締切のお知らせなどの定期処理だけを行う")
def worker_command(once: bool, interval: float, batch: int, no_mail: bool):
    """Send queued mail (the outbox) and run the periodic jobs (due reminders, daily
    notification digest); with --once, do what is due and exit."""
    import signal
    import time

    from sqlalchemy.exc import SQLAlchemyError

    from lms.auth.mail import mail_preparers
    from lms.outbox.services import SmtpSender, send_pending
    from lms.periodic import EVERY_SECONDS, run_periodic_jobs

    app = current_app._get_current_object()
    last_jobs = [float("-inf")]

    def jobs() -> None:
        if time.monotonic() - last_jobs[0] < EVERY_SECONDS:
            return
        try:
            done = run_periodic_jobs()
            db.session.commit()
        except SQLAlchemyError as exc:
            db.session.rollback()
            click.echo(f"定期処理のデータベースエラー: {exc}", err=True)
            return
        last_jobs[0] = time.monotonic()
        if done.reminders or done.digests:
            click.echo(f"締切のお知らせ {done.reminders}件、まとめメール {done.digests}通")
        if done.orphan_files:
            click.echo(f"参照されていないアップロードファイルを {done.orphan_files}件削除しました")

    if no_mail:
        while True:
            jobs()
            if once:
                return
            time.sleep(interval)
    if not app.config["MAIL_SERVER"]:
        click.echo("メールサーバー（MAIL_SERVER）が設定されていないため、メールを送信できません。"
                   "パスワード設定リンクは主催者が受講者の登録ページから発行してください。",
                   err=True)
        sys.exit(1)
    sender = SmtpSender.from_config(app.config)
    prepare = mail_preparers(app)
    stopping = []
    if not once:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.append(True))
        click.echo(f"送信ワーカーを開始しました（{app.config['MAIL_SERVER']}:"
                   f"{app.config['MAIL_PORT']}、{interval:g}秒ごと）。")
    while not stopping:
        jobs()
        try:
            report = send_pending(sender, limit=batch, prepare=prepare)
            db.session.commit()  # one commit per batch: the sent marks and the backoffs
        except SQLAlchemyError as exc:
            db.session.rollback()
            if once:
                raise
            click.echo(f"データベースのエラー（{interval:g}秒後に再試行）: {exc}", err=True)
            time.sleep(interval)
            continue
        if report.claimed:
            click.echo(f"送信 {report.sent}件、失敗 {report.failed}件（後で再試行）、"
                       f"取りやめ {report.skipped}件")
        for error in dict.fromkeys(report.errors):
            click.echo(f"送信エラー: {error}", err=True)
        if report.claimed < batch:
            if once:
                break
            time.sleep(interval)


goals_cli = AppGroup("goals", help="目標チェッカー")
lms_cli.add_command(goals_cli)


@goals_cli.command("check")
@click.argument("text")
def goals_check_command(text: str):
    """Print the goal checker's verdict on TEXT as JSON."""
    from lms.goals import check_goal

    click.echo(json.dumps(check_goal(text).to_dict(), ensure_ascii=False, indent=2))


@goals_cli.command("export-corrections")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="書き出すファイル（省略すると標準出力）")
def goals_export_corrections_command(output: str | None):
    """Write trainers' corrections as a labelled TSV in the dev set's columns."""
    from lms.goals_web.services import export_rows

    columns = ("id", "text", "label", "origin", "source", "note")
    rows = export_rows()
    lines = ["\t".join(columns)] + ["\t".join(r[c] for c in columns) for r in rows]
    data = "\n".join(lines) + "\n"
    if output:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(data)
        click.echo(f"{len(rows)}件の訂正を {output} に書き出しました。", err=True)
    else:
        click.echo(data, nl=False)


def register_cli(app: Flask) -> None:
    app.cli.add_command(lms_cli)
