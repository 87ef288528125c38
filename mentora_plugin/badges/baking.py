"""
Open Badges baking (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/baking/index.html): the award
carried inside the badge image, so a file on its own can be verified.

- PNG: an ``iTXt`` chunk with keyword ``openbadges`` (uncompressed, no language tag) holding the assertion's URL or
  JSON. The chunk is written directly into the file's chunk list, byte for byte what Pillow's
  ``PngInfo().add_itxt("openbadges", text)`` writes, without decoding and re-encoding the image: the pixels and
  the other chunks stay as uploaded, and baking 10,000 awards costs no image compression.
- SVG: ``xmlns:openbadges="http://openbadges.org"`` on the root ``svg`` and a first child
  ``<openbadges:assertion verify="URL"><![CDATA[JSON]]></openbadges:assertion>``.

Baking again replaces an earlier ``openbadges`` payload (a class image must never carry someone else's award).
"""
from __future__ import annotations

import html
import json
import re
import struct
import zlib
from typing import Any

from django.utils.translation import gettext as _

from mentora_plugin.badges.common import BadgesError

__all__ = ["PNG_SIGNATURE", "bake_png", "bake_svg", "unbake_png", "unbake_svg"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_KEYWORD = b"openbadges"
SVG_NAMESPACE = "http://openbadges.org"

# The root element's start tag: attribute values may hold ">" inside their quotes.
_SVG_START = re.compile(r"""<svg\b(?:[^>"']|"[^"]*"|'[^']*')*?(/?)>""")
_SVG_ASSERTION = re.compile(
    r"""(<openbadges:assertion\b(?:[^>"']|"[^"]*"|'[^']*')*?)(?:/>|>(.*?)</openbadges:assertion\s*>)""", re.DOTALL
)
_VERIFY_ATTRIBUTE = re.compile(r"""\bverify\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _not_an_image(kind: str) -> BadgesError:
    return BadgesError("image_invalid", _("The badge image is not a valid {kind} file.").format(kind=kind))


# --- PNG ------------------------------------------------------------------------------------------------------------


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """The (type, chunk bytes with length and CRC) of a PNG, in order. Raises ValueError for what is not a PNG."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    chunks, offset = [], len(PNG_SIGNATURE)
    while offset < len(data):
        if offset + 8 > len(data):
            raise ValueError("truncated chunk header")
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        kind = data[offset + 4:offset + 8]
        end = offset + 12 + length
        if end > len(data):
            raise ValueError("truncated chunk")
        chunks.append((kind, data[offset:end]))
        offset = end
        if kind == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise ValueError("no IHDR or IEND")
    return chunks


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def _is_openbadges(kind: bytes, chunk: bytes) -> bool:
    return kind in (b"iTXt", b"tEXt", b"zTXt") and chunk[8:8 + len(_KEYWORD) + 1] == _KEYWORD + b"\x00"


def bake_png(image_bytes: bytes, assertion: str | dict[str, Any]) -> bytes:
    """
    ``image_bytes`` (a PNG) with the award baked in: ``assertion`` is its URL or its JSON (a dict or a JSON string).

    Raises:
        BadgesError: ``image_invalid`` when ``image_bytes`` is not a PNG.
    """
    if isinstance(assertion, dict):
        assertion = json.dumps(assertion, separators=(",", ":"), ensure_ascii=False)
    text = assertion
    try:
        chunks = _chunks(image_bytes)
    except ValueError:
        raise _not_an_image("PNG") from None
    # keyword, NUL, compression flag 0, method 0, empty language tag + NUL, empty translated keyword + NUL, UTF-8 text
    baked = _chunk(b"iTXt", _KEYWORD + b"\x00\x00\x00\x00\x00" + text.encode("utf-8"))
    out = [PNG_SIGNATURE]
    for index, (kind, chunk) in enumerate(chunks):
        if _is_openbadges(kind, chunk):
            continue
        out.append(chunk)
        if index == 0:  # right after IHDR, where Pillow writes its text chunks
            out.append(baked)
    return b"".join(out)


def unbake_png(data: bytes) -> str | None:
    """The ``openbadges`` text baked into a PNG (a URL or JSON), or None (not a PNG, or nothing baked)."""
    try:
        chunks = _chunks(data)
    except ValueError:
        return None
    for kind, chunk in chunks:
        if not _is_openbadges(kind, chunk):
            continue
        body = chunk[8 + len(_KEYWORD) + 1:-4]
        try:
            if kind == b"tEXt":
                return body.decode("latin-1")
            if kind == b"zTXt":
                return zlib.decompress(body[1:]).decode("latin-1")
            compressed = body[0] == 1
            _language, _translated, text = body[2:].split(b"\x00", 2)
            return (zlib.decompress(text) if compressed else text).decode("utf-8")
        except (ValueError, IndexError, zlib.error):
            return None
    return None


# --- SVG ------------------------------------------------------------------------------------------------------------


def bake_svg(svg_bytes: bytes, assertion_url: str, assertion_json: dict[str, Any] | str) -> bytes:
    """
    ``svg_bytes`` with the award baked in: its hosted URL in ``verify`` and its JSON as the element's CDATA.

    Raises:
        BadgesError: ``image_invalid`` when ``svg_bytes`` is not UTF-8 text with an ``svg`` root element.
    """
    try:
        text = svg_bytes.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_an_image("SVG") from None
    payload = assertion_json if isinstance(assertion_json, str) else json.dumps(assertion_json, ensure_ascii=False)
    # Neither may end the CDATA section nor look like the element's end tag; both escapes keep the same JSON.
    payload = payload.replace("]]>", "]]\\u003e").replace("</", "<\\/")
    text = _SVG_ASSERTION.sub("", text)
    start = _SVG_START.search(text)
    if start is None:
        raise _not_an_image("SVG")
    tag = start.group(0)
    self_closing = bool(start.group(1))
    opening = tag[:-2] if self_closing else tag[:-1]
    if "xmlns:openbadges" not in opening:
        opening += f' xmlns:openbadges="{SVG_NAMESPACE}"'
    element = (f'<openbadges:assertion verify="{html.escape(assertion_url, quote=True)}">'
               f"<![CDATA[{payload}]]></openbadges:assertion>")
    baked = opening + ">" + element + ("</svg>" if self_closing else "")
    return (text[:start.start()] + baked + text[start.end():]).encode("utf-8")


def unbake_svg(data: bytes) -> str | None:
    """The award baked into an SVG: its JSON when the element holds one, else its ``verify`` URL; None if absent."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    found = _SVG_ASSERTION.search(text)
    if found is None:
        return None
    content = (found.group(2) or "").strip()
    if content.startswith("<![CDATA[") and content.endswith("]]>"):
        content = content[len("<![CDATA["):-len("]]>")].strip()
    else:
        content = html.unescape(content)
    if content:
        return content
    verify = _VERIFY_ATTRIBUTE.search(found.group(1))
    if verify is None:
        return None
    return html.unescape(verify.group(1) if verify.group(1) is not None else verify.group(2))
