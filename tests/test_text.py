"""Users' Markdown becomes sanitised HTML: no script, no event handler, no dangerous URL survives."""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from mentora_plugin.text import ALLOWED_TAGS, render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "![x](javascript:alert(1))",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<body onload=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    "[x](https://ok.example \"a\\\" onmouseover=\\\"alert(1)\")",
    "<details open ontoggle=alert(1)>",
    "```\n<script>alert(1)</script>\n```",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "[a](&#x6A;avascript:alert(1))",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<object data=\"javascript:alert(1)\"></object>",
]


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML (text stays text)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_keeps_anything_executable(payload):
    for tag, attributes in elements(str(render_markdown(payload))):
        assert tag in ALLOWED_TAGS, (payload, tag)
        assert not any(name.startswith("on") or name in ("style", "src") for name in attributes), (payload, attributes)
        href = attributes.get("href")
        if href is not None:
            assert urlsplit(href.strip()).scheme.lower() in {"http", "https", "mailto"}, (payload, href)


def test_markdown_still_works_and_links_are_marked_user_content():
    html = str(render_markdown("**bold** and [docs](https://docs.example.org)\n\n- one\n- two\n\n`code`"))
    assert "<strong>bold</strong>" in html and "<li>one</li>" in html and "<code>code</code>" in html
    assert 'href="https://docs.example.org"' in html
    assert 'rel="nofollow ugc noopener noreferrer"' in html


def test_mailto_links_are_kept_and_other_schemes_are_dropped():
    assert 'href="mailto:tutor@example.org"' in str(render_markdown("[mail](mailto:tutor@example.org)"))
    assert "href" not in str(render_markdown("[ftp](ftp://files.example.org)"))


def test_nothing_renders_as_nothing():
    assert render_markdown("") == "" and render_markdown(None) == ""
