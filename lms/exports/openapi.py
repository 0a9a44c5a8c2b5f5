"""The exports part of the OpenAPI document."""

from __future__ import annotations


def export_paths(op, path_param) -> dict:
    names = ["participants", "attendance", "homework", "channels", "audit"]
    params = [path_param("slug"),
              {"name": "name", "in": "path", "required": True, "schema": {"enum": names}},
              {"name": "fmt", "in": "path", "required": True, "schema": {"enum": ["csv", "xlsx"]}},
              {"name": "by", "in": "query", "required": False,
               "schema": {"enum": ["person", "municipality", "team"]},
               "description": "homework のみ：行の単位"}]
    get = op("主催者向けエクスポート。CSV は UTF-8（BOM付き）・CRLF、数式になりうるセルは先頭に '。"
             "XLSX は日本語の見出し・見出し行固定。participants / attendance / homework / "
             "channels（全投稿、ストリーミング）/ audit（操作ログ、action・actor・since・until で"
             "絞り込み）。講師・受講者は 403、研修に所属しない人は 404",
             {"type": "string", "format": "binary"}, errors=(401, 403, 404), params=params)
    get["responses"]["200"]["content"] = {
        "text/csv": {"schema": {"type": "string"}},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
            "schema": {"type": "string", "format": "binary"}}}
    return {"/cohorts/{slug}/export/{name}.{fmt}": {"get": get}}
