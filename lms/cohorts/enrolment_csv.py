"""Parse and validate the enrolment CSV that organizers save from Excel."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from lms.tables import TableError, read_rows

# Canonical column → accepted header spellings (compared after NFKC and trimming).
COLUMNS: dict[str, tuple[str, ...]] = {
    "氏名": ("氏名", "名前", "お名前"),
    "メールアドレス": ("メールアドレス", "メール", "eメール", "e-mail", "email", "mail"),
    "自治体": ("自治体", "自治体名", "団体名", "区市町村"),
    "所属": ("所属", "所属部署", "部署", "所属課"),
    "役割": ("役割", "ロール", "role"),
}
REQUIRED_COLUMNS = ("氏名", "メールアドレス", "自治体")

ROLES: dict[str, str] = {
    "受講者": "participant",
    "参加者": "participant",
    "participant": "participant",
    "講師": "trainer",
    "trainer": "trainer",
    "主催者": "organizer",
    "organizer": "organizer",
}
DEFAULT_ROLE = "participant"

# Deliberately simple: catches typos and cell mix-ups, not every RFC 5322 corner.
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
# The users table's column lengths (a longer value would fail on PostgreSQL as a 500).
MAX_NAME = 100
MAX_EMAIL = 254
_CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_EMAIL_RE = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    rf"@{_LABEL}(?:\.{_LABEL})+$"
)
_PREFECTURE_PREFIX = "東京都"


@dataclass(frozen=True)
class EnrolmentRow:
    """One valid person to enrol; line is the physical line in the file (header = 1)."""

    line: int
    name: str
    email: str
    municipality_code: str | None
    department: str
    role: str


@dataclass(frozen=True)
class RowError:
    """A problem to show the organizer; line is None for whole-file problems."""

    line: int | None
    message: str


@dataclass
class EnrolmentParse:
    """Valid rows and errors; import nothing unless ok."""

    rows: list[EnrolmentRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _clean(value: str) -> str:
    # str.strip() also removes U+3000 (全角スペース), which Excel users often leave behind.
    return value.strip()


def _norm(value: str) -> str:
    """NFKC, trimmed, lower-case, inner spaces removed: for matching headers and names."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).lower()


def _kana_fold(name: str) -> str:
    # 青ヶ島村 is often typed 青ケ島村 (and vice versa); treat the small ヶ like ケ.
    return name.replace("ヶ", "ケ").replace("ヵ", "カ")


def _municipality_lookup(municipalities: Mapping[str, str]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for name, code in municipalities.items():
        key = _kana_fold(_norm(name))
        lookup[key] = code
        lookup[_kana_fold(_norm(_PREFECTURE_PREFIX)) + key] = code
        lookup[_norm(code)] = code
        if len(code) == 6 and code.isdigit():
            # 全国地方公共団体コード is often written without its check digit (13201).
            lookup.setdefault(code[:5], code)
    return lookup


def _map_header(line: int, header: list[str]) -> tuple[dict[str, int], list[RowError]]:
    alias_to_column = {_norm(a): col for col, aliases in COLUMNS.items() for a in aliases}
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for index, cell in enumerate(header):
        column = alias_to_column.get(_norm(cell))
        if column is None:
            continue  # extra columns (備考 etc.) are allowed and ignored
        if column in positions:
            errors.append(
                RowError(line, f"{line}行目: 列「{column}」が2回あります。1つにしてください。")
            )
            continue
        positions[column] = index
    missing = [c for c in REQUIRED_COLUMNS if c not in positions]
    if missing:
        names = "、".join(f"「{c}」" for c in missing)
        errors.append(
            RowError(
                line,
                f"{line}行目(見出し行)に必要な列 {names} がありません。"
                "見出しは 氏名, メールアドレス, 自治体, 所属, 役割 です。",
            )
        )
    return positions, errors


def parse_enrolment_csv(data: bytes, municipalities: Mapping[str, str]) -> EnrolmentParse:
    """Parse an enrolment list: CSV bytes (CP932, UTF-8 with or without BOM; UTF-16 tab
    text too) or an .xlsx book (first sheet), read by lms.tables.

    Columns (any order): 氏名, メールアドレス, 自治体 are required; 所属 and 役割 are optional
    (役割 empty → 受講者). ``municipalities`` maps name → code; a municipality may also be
    given with the 東京都 prefix or as its code. Returns every valid row and every error;
    the caller must import nothing unless ``result.ok``.
    """
    result = EnrolmentParse()
    try:
        records = read_rows(data)
    except TableError as exc:
        result.errors.append(RowError(None, exc.message))
        return result

    lookup = _municipality_lookup(municipalities)
    positions: dict[str, int] | None = None
    first_line_of_email: dict[str, int] = {}
    header_width = 0
    for line, record in records:
        cells = [_clean(c) for c in record]
        if not any(cells):
            continue  # blank lines and Excel's ",,,," rows
        if positions is None:
            positions, header_errors = _map_header(line, cells)
            if header_errors:
                result.errors.extend(header_errors)
                return result
            header_width = len(cells)
            continue
        _parse_row(line, cells, positions, header_width, lookup, first_line_of_email, result)

    if positions is None:
        result.errors.append(
            RowError(None, "ファイルが空です。見出し行とデータ行を入れてください。")
        )
    elif not result.rows and not result.errors:
        result.errors.append(RowError(None, "見出し行だけで、登録する人の行がありません。"))
    return result


def _parse_row(
    line: int,
    cells: list[str],
    positions: dict[str, int],
    header_width: int,
    lookup: Mapping[str, str],
    first_line_of_email: dict[str, int],
    result: EnrolmentParse,
) -> None:
    def cell(column: str) -> str:
        index = positions.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    errors: list[str] = []
    if any(cells[header_width:]):
        errors.append('見出しより多くの列に値があります(コンマの入った値は "" で囲んでください)')

    name = cell("氏名")
    if not name:
        errors.append("氏名が空です")
    elif len(name) > MAX_NAME:
        errors.append(f"氏名が長すぎます({len(name):,}文字、{MAX_NAME}文字まで)")
    elif _CONTROL.search(name):
        errors.append("氏名に使えない文字(制御文字)が含まれています")

    raw_role = cell("役割")
    role = ROLES.get(_norm(raw_role), None) if raw_role else DEFAULT_ROLE
    if role is None:
        errors.append(f"役割「{raw_role}」は使えません(受講者・講師・主催者のいずれか)")

    # NFKC turns a full-width ＠ or letters typed with the IME on into ASCII.
    raw_email = cell("メールアドレス")
    email = unicodedata.normalize("NFKC", raw_email).strip().lower()
    if not email:
        errors.append("メールアドレスが空です")
    elif len(email) > MAX_EMAIL:
        errors.append(f"メールアドレスが長すぎます({len(email):,}文字、{MAX_EMAIL}文字まで)")
    elif not _EMAIL_RE.match(email):
        errors.append(f"メールアドレス「{raw_email}」の形式が正しくありません")
    elif email in first_line_of_email:
        errors.append(f"メールアドレス {email} は{first_line_of_email[email]}行目と重複しています")
    else:
        first_line_of_email[email] = line

    raw_municipality = cell("自治体")
    municipality_code: str | None = None
    if raw_municipality:
        municipality_code = lookup.get(_kana_fold(_norm(raw_municipality)))
        if municipality_code is None:
            errors.append(f"自治体「{raw_municipality}」が見つかりません(名称か団体コードで指定)")
    elif role == "participant":
        errors.append("受講者は自治体の指定が必要です")

    if errors:
        result.errors.extend(RowError(line, f"{line}行目: {message}") for message in errors)
        return
    result.rows.append(
        EnrolmentRow(
            line=line,
            name=name,
            email=email,
            municipality_code=municipality_code,
            department=cell("所属"),
            role=role or DEFAULT_ROLE,  # never None here: an unknown role is an error
        )
    )
