"""
The cross-site-scripting corpus (``tests/data/xss_payloads.txt``), posted through the REST API as thread titles,
opening posts, replies and comments, and the HTML the API stores and returns checked with an HTML parser: only the
allowlisted tags, no ``on*`` attribute, links only http, https, mailto or relative, each with ``rel="nofollow ugc
noopener noreferrer"``. The browser test (``tests/browser/test_communities_xss.py``) renders the same posts.

The corpus: one payload per line, kept as typed (leading spaces and tabs count: an indented line is a Markdown code
block); the two characters ``\\n`` stand for a line break, for payloads of several lines (reference-style links,
fenced code, tables).
"""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from mentora_plugin.communities import api
from mentora_plugin.communities.models import Post
from mentora_plugin.text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from tests.conftest import COURSE
from tests.test_communities_rest import V1, _roomy_limits, client_for, people  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "data" / "xss_payloads.txt"
REL = {"nofollow", "ugc", "noopener", "noreferrer"}
FORBIDDEN = {"script", "iframe", "object", "embed", "style", "svg", "math", "img", "form", "input", "link", "meta",
             "base", "frame", "frameset", "applet", "template", "video", "audio", "source"}


def payloads() -> list[str]:
    lines = CORPUS.read_text(encoding="utf-8").split("\n")
    return [line.replace("\\n", "\n") for line in lines if line.strip()]


def title_of(payload: str) -> str:
    return " ".join(payload.split("\n"))[:200]


class _Audit(HTMLParser):
    """Every problem of a piece of HTML: tags and attributes outside the allowlist, unsafe links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN or tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, _value in attrs:
            if name.startswith("on") or name not in allowed:
                self.problems.append(f"attribute {name} on <{tag}>")
        if tag == "a":
            values = dict(attrs)
            href = (values.get("href") or "").strip()
            scheme = urlsplit(href).scheme.lower()
            if href and scheme not in ("http", "https", "mailto", ""):
                self.problems.append(f"href {href!r}")
            if href.lower().replace("\t", "").replace("\n", "").startswith(("javascript", "vbscript", "data:")):
                self.problems.append(f"href {href!r}")
            if not set((values.get("rel") or "").split()) >= REL:
                self.problems.append(f"rel {values.get('rel')!r}")

    handle_startendtag = handle_starttag


def audit(html: str) -> list[str]:
    parser = _Audit()
    parser.feed(html)
    parser.close()
    return parser.problems


def test_the_corpus_has_at_least_120_distinct_payloads():
    corpus = payloads()
    assert len(set(corpus)) == len(corpus) >= 120
    assert sum("javascript:" in item.lower() for item in corpus) >= 20
    assert all("__xss" in item or "alert" in item or "MsgBox" in item or "PHN" in item or "d2lu" in item
               for item in corpus)


def test_the_auditor_catches_what_it_should():
    assert audit('<a href="javascript:x" rel="nofollow ugc noopener noreferrer">x</a>')
    assert audit('<p onclick="x">x</p>') and audit("<script>x</script>") and audit('<img src="x">')
    assert audit('<a href="https://example.com">no rel</a>')
    assert not audit('<p><a href="https://example.com" rel="nofollow ugc noopener noreferrer">ok</a></p>')


def test_every_payload_is_stored_and_returned_harmless(people, settings):  # noqa: F811
    settings.MENTORA_COMMUNITIES_DUPLICATE_WINDOW_HOURS = 0
    settings.MENTORA_COMMUNITIES_NEW_MEMBER_LIMITS = {"posts_per_hour": 10_000, "threads_per_day": 10_000,
                                                     "links_per_post": 100}
    forum = api.create_forum(people["staff"], COURSE, title="Sandbox")
    learner, trainer = client_for(people["learner"]), client_for(people["trainer"])
    problems = {}
    for index, payload in enumerate(payloads()):
        created = learner.post(V1 + f"forums/{forum.id}/threads/", {"title": title_of(payload), "body": payload},
                               format="json")
        assert created.status_code == 201, (index, payload, created.content)
        thread_id = created.json()["id"]
        reply = trainer.post(V1 + f"threads/{thread_id}/posts/", {"body": payload}, format="json")
        assert reply.status_code == 201, (index, payload, reply.content)
        comment = learner.post(V1 + f"threads/{thread_id}/posts/",
                               {"body": payload, "parent_id": reply.json()["id"]}, format="json")
        assert comment.status_code == 201, (index, payload, comment.content)
        detail = learner.get(V1 + f"threads/{thread_id}/").json()
        # The title stays plain text (pages escape it), as typed but for its outer whitespace.
        assert detail["thread"]["title"].split() == title_of(payload).split()
        for post in (detail["opening"], *detail["replies"], *detail["replies"][0]["comments"]):
            found = audit(post["html"])
            if found:
                problems[(index, payload, post["id"])] = found
    assert not problems, problems
    stored = list(Post.objects.filter(thread__forum_id=forum.id).values_list("pk", "html"))
    assert len(stored) == 3 * len(payloads())
    assert not {pk: audit(html) for pk, html in stored if audit(html)}
    shown = Post.objects.filter(thread__forum_id=forum.id, is_opening=True, body=payloads()[0]).first().html
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in shown  # shown as text, not dropped
