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
    from lms.courses.instantiate import create_cohort_from_course
    from lms.errors import DomainError

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


@lms_cli.command("token")
@click.argument("emails", nargs=-1, required=True)
def token_command(emails: tuple[str, ...]):
    """Print a new personal API token for each EMAIL, one per line."""
    from lms.auth.services import create_api_token, get_user_by_email

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


def register_cli(app: Flask) -> None:
    app.cli.add_command(lms_cli)
