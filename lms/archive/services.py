"""export_cohort() and import_archive(): the zip, deterministic byte for byte.

The zip holds manifest.json (format, version, slug, row counts and a SHA-256 of every other
member), cohort.json, users.json, municipalities.json, data/<table>.json per TableSpec and
files/<table>/<n> for uploads. No timestamp of the export itself is written, members carry
a fixed date, JSON keys are sorted: exporting what was imported gives the same bytes."""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import zipfile
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.exc import SQLAlchemyError

from lms.archive.codec import (
    OWNER_KEY_COLUMNS,
    ArchiveError,
    dump_owner_key,
    dump_value,
    load_owner_key,
    load_value,
)
from lms.archive.spec import (
    COHORT_EXCLUDE,
    COHORT_TABLE,
    FORMAT,
    MUNICIPALITY_TABLE,
    TABLES,
    USER_COLUMNS,
    USER_TABLE,
    VERSION,
    TableSpec,
)
from lms.cohorts.archive import guard_disabled
from lms.cohorts.models import Cohort
from lms.extensions import db

ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _dumps(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode()


def _specs() -> list[tuple[TableSpec, object]]:
    """The listed tables that exist in this instance (a domain may not be installed)."""
    tables = db.metadata.tables
    return [(spec, tables[spec.name]) for spec in TABLES if spec.name in tables]


def _parent_fk(table, scoped: dict):
    """The foreign key through which a table without cohort_id belongs to the cohort."""
    candidates = [fk for fk in table.foreign_keys
                  if fk.column.table.name in scoped and fk.column.table is not table]
    candidates.sort(key=lambda fk: fk.parent.nullable)  # a required parent first
    if not candidates:
        raise RuntimeError(f"table {table.name} has no way to its cohort")
    return candidates[0]


def _scopes(cohort_id: int) -> dict:
    """For every listed table: a SELECT of the ids of its rows in the cohort."""
    scoped = {}
    for _spec, table in _specs():
        if "cohort_id" in table.c:
            scoped[table.name] = select(table.c.id).where(table.c.cohort_id == cohort_id)
        else:
            fk = _parent_fk(table, scoped)
            scoped[table.name] = select(table.c.id).where(
                fk.parent.in_(scoped[fk.column.table.name]))
    return scoped


def export_cohort(cohort: Cohort, upload_folder: str) -> bytes:
    """The cohort as a zip archive (bytes). Reads only."""
    conn = db.session.connection()
    metadata = db.metadata
    scoped = _scopes(cohort.id)
    raw: dict[str, list[dict]] = {}
    local: dict[str, dict[int, int]] = {}
    user_ids: set[int] = set()
    codes: set[str] = set()
    for spec, table in _specs():
        rows = [dict(r) for r in conn.execute(
            select(table).where(table.c.id.in_(scoped[table.name])).order_by(table.c.id)
        ).mappings()]
        raw[spec.name] = rows
        local[spec.name] = {row["id"]: n for n, row in enumerate(rows, start=1)}
        for fk in table.foreign_keys:
            target = fk.column.table.name
            values = {row[fk.parent.name] for row in rows if row[fk.parent.name] is not None}
            if target == USER_TABLE:
                user_ids |= values
            elif target == MUNICIPALITY_TABLE:
                codes |= values
        if (spec.name, "owner_key") in OWNER_KEY_COLUMNS:
            user_ids |= {int(r["owner_key"][2:]) for r in rows if r["owner_key"][:2] == "u:"}
    users_table = metadata.tables[USER_TABLE]
    users = [dict(r) for r in conn.execute(select(users_table).where(
        users_table.c.id.in_(user_ids))).mappings()] if user_ids else []
    emails = {u["id"]: u["email"] for u in users}
    members: dict[str, bytes] = {}
    files: dict[str, Path] = {}
    counts = {}
    for spec, table in _specs():
        out = []
        for row in raw[spec.name]:
            out.append(_dump_row(spec, table, row, local, emails, cohort.id, files,
                                 upload_folder))
        members[f"data/{spec.name}.json"] = _dumps(out)
        counts[spec.name] = len(out)
    cohort_table = metadata.tables[COHORT_TABLE]
    cohort_row = dict(conn.execute(select(cohort_table).where(
        cohort_table.c.id == cohort.id)).mappings().one())
    members["cohort.json"] = _dumps({k: dump_value(cohort_table.c[k], v)
                                     for k, v in cohort_row.items() if k not in COHORT_EXCLUDE})
    members["users.json"] = _dumps(sorted(
        ({c: dump_value(users_table.c[c], u[c]) for c in USER_COLUMNS} for u in users),
        key=lambda u: u["email"]))
    muni_table = metadata.tables[MUNICIPALITY_TABLE]
    munis = conn.execute(select(muni_table).where(muni_table.c.code.in_(codes))
                         .order_by(muni_table.c.code)).mappings() if codes else []
    members["municipalities.json"] = _dumps([dict(m) for m in munis])
    for name, path in files.items():
        try:
            members[name] = path.read_bytes()
        except OSError as exc:
            raise ArchiveError(f"提出ファイルを読めません（{path.name}）: {exc}") from exc
    manifest = {"format": FORMAT, "version": VERSION, "slug": cohort.slug, "tables": counts,
                "sha256": {name: hashlib.sha256(data).hexdigest()
                           for name, data in sorted(members.items())}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [("manifest.json", _dumps(manifest)), *sorted(members.items())]:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _dump_row(spec, table, row, local, emails, cohort_id, files, upload_folder) -> dict:
    out = {}
    for column in table.c:
        name = column.name
        if name in spec.exclude:
            continue
        value = row[name]
        if name == "id":
            out[name] = local[spec.name][value]
            continue
        fks = list(column.foreign_keys)
        if fks and value is not None:
            target = fks[0].column.table.name
            if target == COHORT_TABLE:
                continue
            if target == USER_TABLE:
                value = emails[value]
            elif target in local:
                value = local[target].get(value)
        elif fks and fks[0].column.table.name == COHORT_TABLE:
            continue
        if (spec.name, name) in OWNER_KEY_COLUMNS:
            value = dump_owner_key(value, emails, local.get("teams", {}))
        if spec.polymorphic and name == spec.polymorphic[1] and value:
            kind = row[spec.polymorphic[0]]
            if kind in local and value.isdigit() and int(value) in local[kind]:
                value = str(local[kind][int(value)])
            elif kind == COHORT_TABLE:
                value = ""
        if spec.stored_file == name:
            path = f"files/{spec.name}/{local[spec.name][row['id']]}"
            files[path] = Path(upload_folder) / value
            value = path
        out[name] = dump_value(column, value)
    return out


# --- Import ----------------------------------------------------------------------------------

def read_archive(data: bytes) -> tuple[zipfile.ZipFile, dict]:
    """Open and verify an archive: raises ArchiveError for anything damaged or foreign."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(archive.read("manifest.json"))
    except (zipfile.BadZipFile, OSError, EOFError):
        raise ArchiveError("ZIP ファイルとして読めません。ファイルが壊れているか、"
                           "研修のアーカイブではありません。") from None
    except KeyError:
        raise ArchiveError(
            "研修のアーカイブではありません（manifest.json がありません）。") from None
    except ValueError:
        raise ArchiveError("manifest.json が壊れています。") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError("このシステムの研修アーカイブではありません。")
    if manifest.get("version") != VERSION:
        raise ArchiveError(f"アーカイブの版 {manifest.get('version')} には対応していません"
                           f"（対応: {VERSION}）。")
    hashes = manifest.get("sha256")
    if not isinstance(hashes, dict) or not isinstance(manifest.get("tables"), dict):
        raise ArchiveError("manifest.json が壊れています。")
    for name, digest in hashes.items():
        try:
            content = archive.read(name)
        except (KeyError, zipfile.BadZipFile, OSError, EOFError):
            raise ArchiveError(f"アーカイブが壊れています（{name} を読めません）。") from None
        if hashlib.sha256(content).hexdigest() != digest:
            raise ArchiveError(f"アーカイブが壊れています（{name} の内容が一致しません）。")
    known = {spec.name for spec, _table in _specs()}
    unknown = sorted(set(manifest["tables"]) - known)
    if unknown:
        raise ArchiveError("この環境にない機能のデータが含まれています: " + "、".join(unknown))
    return archive, manifest


def _json(archive: zipfile.ZipFile, name: str):
    try:
        return json.loads(archive.read(name))
    except KeyError:
        raise ArchiveError(f"アーカイブに {name} がありません。") from None
    except ValueError:
        raise ArchiveError(f"{name} が JSON として読めません。") from None


def import_archive(data: bytes, upload_folder: str) -> Cohort:
    """Load an archive as a new cohort; flushes, never commits. Raises ArchiveError (the
    caller rolls back; files written so far are removed) when anything is wrong."""
    archive, manifest = read_archive(data)
    slug = manifest.get("slug")
    if db.session.scalar(select(Cohort.id).where(Cohort.slug == slug)) is not None:
        raise ArchiveError(f"研修「{slug}」はこの環境にすでにあります。"
                           "取り込むには、その研修がない環境を使ってください。")
    written: list[Path] = []
    try:
        with guard_disabled(db.session):
            cohort_id = _load(archive, manifest, upload_folder, written)
        db.session.flush()
    except ArchiveError:
        _remove(written)
        raise
    except (KeyError, ValueError, TypeError, AttributeError, SQLAlchemyError) as exc:
        _remove(written)
        raise ArchiveError(f"アーカイブの内容が正しくありません（{type(exc).__name__}: "
                           f"{str(exc)[:200]}）。") from exc
    return db.session.get(Cohort, cohort_id)


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _load(archive, manifest, upload_folder: str, written: list[Path]) -> int:
    conn = db.session.connection()
    metadata = db.metadata
    munis = metadata.tables[MUNICIPALITY_TABLE]
    have = set(conn.scalars(select(munis.c.code)))
    for row in _json(archive, "municipalities.json"):
        if row["code"] not in have:
            conn.execute(insert(munis).values(**{c.name: row.get(c.name) for c in munis.c}))
    users_table = metadata.tables[USER_TABLE]
    user_ids: dict[str, int] = {}
    for row in _json(archive, "users.json"):
        existing = conn.scalar(select(users_table.c.id).where(
            users_table.c.email == row["email"]))
        if existing is None:
            existing = conn.execute(insert(users_table).values(
                **{c: load_value(users_table.c[c], row[c]) for c in USER_COLUMNS})
                .returning(users_table.c.id)).scalar_one()
        user_ids[row["email"]] = existing
    cohort_table = metadata.tables[COHORT_TABLE]
    cohort_row = _json(archive, "cohort.json")
    if cohort_row.get("slug") != manifest["slug"]:
        raise ArchiveError("cohort.json と manifest.json の研修が一致しません。")
    cohort_id = conn.execute(insert(cohort_table).values(
        **{k: load_value(cohort_table.c[k], v) for k, v in cohort_row.items()})
        .returning(cohort_table.c.id)).scalar_one()
    new_ids: dict[str, dict[int, int]] = {}
    for spec, table in _specs():
        if spec.name not in manifest["tables"]:
            continue
        rows = _json(archive, f"data/{spec.name}.json")
        if not isinstance(rows, list) or len(rows) != manifest["tables"][spec.name]:
            raise ArchiveError(f"data/{spec.name}.json の件数が manifest と一致しません。")
        new_ids[spec.name] = ids = {}
        for row in rows:
            values = _load_row(spec, table, row, cohort_id, user_ids, new_ids, archive,
                               upload_folder, written)
            ids[row["id"]] = conn.execute(insert(table).values(**values)
                                          .returning(table.c.id)).scalar_one()
    return cohort_id


def _load_row(spec, table, row, cohort_id, user_ids, new_ids, archive, upload_folder,
              written) -> dict:
    values = {}
    for column in table.c:
        name = column.name
        if name == "id" or name in spec.exclude:
            continue
        fks = list(column.foreign_keys)
        target = fks[0].column.table.name if fks else None
        if target == COHORT_TABLE:
            values[name] = cohort_id
            continue
        if name not in row:
            continue  # a column this archive does not know: its default applies
        value = row[name]
        if value is not None and target == USER_TABLE:
            if value not in user_ids:
                raise ArchiveError(f"{spec.name}: 利用者 {value} が users.json にありません。")
            value = user_ids[value]
        elif value is not None and target in new_ids:
            if value not in new_ids[target]:
                raise ArchiveError(f"{spec.name}: 参照先 {target} #{value} がありません。")
            value = new_ids[target][value]
        if (spec.name, name) in OWNER_KEY_COLUMNS:
            value = load_owner_key(value, user_ids, new_ids.get("teams", {}))
        if spec.polymorphic and name == spec.polymorphic[1] and value:
            kind = row.get(spec.polymorphic[0])
            if kind in new_ids and str(value).isdigit() and int(value) in new_ids[kind]:
                value = str(new_ids[kind][int(value)])
        if spec.stored_file == name:
            content = archive.read(value)
            Path(upload_folder).mkdir(parents=True, exist_ok=True)
            stored = secrets.token_hex(16)
            path = Path(upload_folder) / stored
            path.write_bytes(content)
            written.append(path)
            value = stored
        values[name] = load_value(column, value)
    return values
