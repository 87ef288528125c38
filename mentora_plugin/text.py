"""
Users' text: Markdown rendered on the server, then sanitised with an allowlist. Never trust HTML from users.

markdown-it-py renders CommonMark with raw HTML disabled (so ``<script>`` stays text); nh3 (ammonia) then keeps
only the tags and attributes below, keeps links to http, https and mailto only, and forces
``rel="nofollow ugc noopener noreferrer"`` on every link.
"""
from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener noreferrer"

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")


def render_markdown(text: str | None) -> SafeString:
    """``text`` (Markdown from a user) as safe HTML for a template."""
    if not text:
        return mark_safe("")
    html = _MARKDOWN.render(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308  (nh3 kept only the allowlist above)
