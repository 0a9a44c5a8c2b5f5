"""render_markdown(): Python-Markdown then nh3 — the only way user text becomes HTML."""

from __future__ import annotations

import markdown as md
import nh3

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


def render_markdown(text: str | None) -> str:
    """Render user Markdown to sanitized HTML; raw HTML and javascript: links are removed."""
    if not text:
        return ""
    html = md.markdown(text, extensions=["extra", "sane_lists", "nl2br", "toc"],
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
