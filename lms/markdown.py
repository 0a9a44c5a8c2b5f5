"""render_markdown(): Python-Markdown then nh3 — the only way user text becomes HTML."""

from __future__ import annotations

import re

import markdown as md
import nh3
from markdown.extensions import Extension

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "a", "table", "thead", "tbody", "tr", "th", "td",
    "del", "span",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


# User text always sits inside a page that has its own <h1> and section <h2>s, so its
# "# heading" becomes <h3>: the page outline stays in order for screen readers.
HEADING_BASE = 3


_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+\S")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


def _lists_without_blank_line(text: str) -> str:
    """People write "次の2点:" and then "- 点" on the next line, as in chat and e-mail;
    Markdown would print the dashes. Insert the blank line it needs (outside code)."""
    out: list[str] = []
    in_fence = False
    previous = ""
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        elif (not in_fence and _LIST_ITEM.match(line) and previous.strip()
              and not _LIST_ITEM.match(previous) and not previous.startswith((" ", "\t"))):
            out.append("")
        out.append(line)
        previous = line
    return "\n".join(out)


class _HtmlAsText(Extension):
    """Raw HTML in user text is shown as the text it is (`<b>` reads "<b>"), not parsed, so
    nothing a person typed vanishes (nh3 would drop the tags and everything inside a
    <script>). The recipe from Python-Markdown's release notes for the removed safe_mode."""

    def extendMarkdown(self, md_):  # noqa: N802 - Python-Markdown's name
        md_.preprocessors.deregister("html_block")
        md_.inlinePatterns.deregister("html")


def render_markdown(text: str | None) -> str:
    """Render user Markdown to sanitized HTML; raw HTML is shown as text, and javascript:
    links are removed."""
    if not text:
        return ""
    html = md.markdown(_lists_without_blank_line(text),
                       extensions=["extra", "sane_lists", "nl2br", "toc", _HtmlAsText()],
                       extension_configs={"toc": {"baselevel": HEADING_BASE}},
                       output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
