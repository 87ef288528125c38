"""
Badge images, cleaned before they are stored: a badge's image is served publicly, embedded in other sites
(backpacks, LinkedIn) and baked into the files learners download, so nothing in it may run, phone home or carry
whatever the uploader's tools left in it.

- **PNG**: opened with Pillow (which checks it is a PNG, reads its size from the header before decoding anything),
  then decoded and written again from the pixels alone: text chunks (``tEXt``, ``iTXt``, ``zTXt``: authoring tools,
  GPS, a previous ``openbadges`` baking), EXIF and ICC profiles are dropped. At most ``MAX_PNG_BYTES`` and
  ``MAX_PNG_SIDE`` pixels a side.
- **SVG**: parsed with defusedxml (entities refused: external entities, XXE and "billion laughs" never expand),
  then rebuilt from an allowlist of SVG elements and attributes, and written again by a small serializer of ours.
  Dropped: every element outside the list (``script``, ``foreignObject``, ``iframe``, ``embed``, ``object``,
  animations that can rewrite links, links themselves, metadata and editors' namespaces), every ``on*`` attribute,
  links that are neither a local fragment (``#id``) nor an inline PNG (``data:image/png;base64,``), CSS that loads
  something (``url(`` other than ``url(#id)``, ``@import``) or runs something (``expression``, ``javascript:``).
  Comments, processing instructions and the DOCTYPE do not survive either. At most ``MAX_SVG_BYTES``.
"""
from __future__ import annotations

import io
import re
import uuid
from typing import Any
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import escape, quoteattr

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from mentora_plugin.badges.common import BadgesError

__all__ = ["MAX_PNG_BYTES", "MAX_PNG_SIDE", "MAX_SVG_BYTES", "clean_badge_image"]

MAX_PNG_BYTES = 1024 * 1024
MAX_PNG_SIDE = 1024
MAX_SVG_BYTES = 256 * 1024

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

#: The SVG elements a badge may use: shapes, text, paint servers, clipping, filters, reuse by reference.
SVG_ELEMENTS = frozenset({
    "svg", "g", "defs", "title", "desc", "symbol", "use", "image", "switch", "style",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "textPath",
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker",
    "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix",
    "feDiffuseLighting", "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB",
    "feFuncG", "feFuncR", "feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset",
    "fePointLight", "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence",
})
#: Attributes in the xml namespace worth keeping (``xml:base`` would change what links resolve against).
XML_ATTRIBUTES = frozenset({"space", "lang"})
LINK_ATTRIBUTES = frozenset({"href", f"{{{XLINK_NS}}}href"})

_LOCAL_FRAGMENT = re.compile(r"#[A-Za-z_][\w.\-:]*")
_INLINE_PNG = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=\s]+", re.IGNORECASE)
#: ``url(`` that does not point at a fragment of the same document.
_REMOTE_URL = re.compile(r"url\s*\(\s*(?![\"']?\s*#)", re.IGNORECASE)
#: What makes a stylesheet or an attribute value load or run something, whatever else it says. A backslash too:
#: CSS escapes would spell ``url(`` or ``expression`` past the patterns (``\75 rl(``), and badges need none.
_ACTIVE = re.compile(
    r"@import|expression\s*\(|javascript\s*:|vbscript\s*:|behavior\s*:|-moz-binding|\\"
    r"|\bimage(?:-set)?\s*\(|cross-fade\s*\(|\belement\s*\(",
    re.IGNORECASE,
)


def _error(code: str, message: str) -> BadgesError:
    return BadgesError(code, message, status=400, field="image")


def clean_badge_image(upload: Any) -> tuple[ContentFile, str]:
    """
    Check and clean an uploaded badge image.

    Args:
        upload: an uploaded file (Django ``File``/``UploadedFile`` or any object with ``read``), or bytes.

    Returns:
        The cleaned image as a ``ContentFile`` named ``<random>.png`` or ``<random>.svg`` (ready for
        ``FieldFile.save``), and its type, ``"png"`` or ``"svg"``.

    Raises:
        BadgesError (field ``image``): ``image_required`` (nothing uploaded, or an empty file); ``image_too_large``
            (over 1 MB for a PNG, 256 KB for an SVG, or over 1024 pixels a side); ``image_type`` (neither a PNG nor
            an SVG); ``image_invalid`` (a broken PNG, malformed XML, entities, or no ``<svg>`` root).
    """
    data = _read(upload)
    if data.startswith(PNG_SIGNATURE):
        return ContentFile(_clean_png(data), name=f"{uuid.uuid4().hex}.png"), "png"
    if _looks_like_svg(data):
        return ContentFile(_clean_svg(data), name=f"{uuid.uuid4().hex}.svg"), "svg"
    raise _error("image_type", _("The image must be a PNG or an SVG file."))


def _read(upload: Any) -> bytes:
    """The upload's bytes, reading at most one byte past the largest accepted size (a huge upload is not read)."""
    if upload is None or upload == b"" or upload == "":
        raise _error("image_required", _("Add an image (PNG or SVG)."))
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload[: MAX_PNG_BYTES + 1])
    else:
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(MAX_PNG_BYTES + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    if not data:
        raise _error("image_required", _("Add an image (PNG or SVG)."))
    if len(data) > MAX_PNG_BYTES:
        raise _too_large()
    return data


def _too_large() -> BadgesError:
    return _error(
        "image_too_large",
        _("The image is too large: at most 1 MB for a PNG, 256 KB for an SVG, and 1024 pixels a side."),
    )


def _looks_like_svg(data: bytes) -> bool:
    """Whether the start of ``data`` is XML text naming an ``<svg`` element (the parser decides the rest)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and b"<svg" in head


# --- PNG ------------------------------------------------------------------------------------------------------------


def _clean_png(data: bytes) -> bytes:
    """The PNG's pixels written again as a new PNG (no ancillary chunk of the original survives)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as probe:
            width, height = probe.size
            if width > MAX_PNG_SIDE or height > MAX_PNG_SIDE:
                raise _too_large()
            probe.verify()  # checksums of every chunk, without decoding the pixels
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            image.load()
            keep_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            pixels = image.convert("RGBA" if keep_alpha else "RGB")
    except BadgesError:
        raise
    except Image.DecompressionBombError:
        raise _too_large() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _error("image_invalid", _("This PNG file is damaged or cannot be read.")) from None
    pixels.info = {}  # convert() copies the original's metadata (text, ICC profile, dpi): none of it is kept
    out = io.BytesIO()
    pixels.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- SVG ------------------------------------------------------------------------------------------------------------


def _clean_svg(data: bytes) -> bytes:
    """The SVG parsed safely, reduced to the allowlist and serialised again (UTF-8, with an XML declaration)."""
    from defusedxml import DefusedXmlException
    from defusedxml import ElementTree as SafeElementTree

    if len(data) > MAX_SVG_BYTES:
        raise _too_large()
    try:
        root = SafeElementTree.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise _error("image_invalid", _("This SVG file declares entities, which are not allowed.")) from None
    except (ParseError, ValueError):
        raise _error("image_invalid", _("This SVG file is not well-formed XML.")) from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise _error("image_invalid", _("This file is not an SVG image (its root must be an <svg> element)."))
    _scrub(root)
    return b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + _serialise(root, root=True).encode("utf-8")


def _local_name(tag: Any) -> str | None:
    """An element's name when it is an SVG element (None otherwise: comments, other namespaces)."""
    if not isinstance(tag, str) or not tag.startswith(f"{{{SVG_NS}}}"):
        return None
    return tag[len(SVG_NS) + 2:]


def _scrub(element: Element) -> None:
    """Drop the disallowed children of ``element`` (with their content) and attributes, depth first."""
    for child in list(element):
        name = _local_name(child.tag)
        if name == "style":
            # A stylesheet is all the text of the element (browsers join the text between child elements too):
            # keep the text alone, and judge all of it.
            css = "".join(child.itertext())
            for inner in list(child):
                child.remove(inner)
            child.text = css
        if name not in SVG_ELEMENTS or (name == "style" and not _safe_css(child.text or "")):
            _remove_keeping_tail(element, child)
            continue
        _scrub(child)
    for key in list(element.attrib):
        if not _safe_attribute(key, element.attrib[key]):
            del element.attrib[key]


def _remove_keeping_tail(parent: Element, child: Element) -> None:
    """Remove ``child`` but keep the text that followed it (ElementTree stores it on the child)."""
    if child.tail:
        children = list(parent)
        index = children.index(child)
        if index == 0:
            parent.text = (parent.text or "") + child.tail
        else:
            previous = children[index - 1]
            previous.tail = (previous.tail or "") + child.tail
    parent.remove(child)


def _safe_attribute(key: str, value: str) -> bool:
    if key.startswith(f"{{{XML_NS}}}"):
        return key[len(XML_NS) + 2:] in XML_ATTRIBUTES
    if key in LINK_ATTRIBUTES:
        link = value.strip()
        return bool(_LOCAL_FRAGMENT.fullmatch(link) or _INLINE_PNG.fullmatch(link))
    if key.startswith("{"):  # any other namespace: editors' (inkscape:, sodipodi:), or anything unknown
        return False
    if key.lower().startswith("on"):
        return False
    return _safe_css(value)


def _safe_css(text: str) -> bool:
    """Whether a stylesheet or an attribute value neither loads (``url(`` to elsewhere) nor runs anything."""
    return not (_REMOTE_URL.search(text) or _ACTIVE.search(text))


def _serialise(element: Element, *, root: bool = False) -> str:
    """
    ``element`` as XML with SVG as the default namespace (ElementTree itself would write ``ns0:svg``), ``xlink:``
    and ``xml:`` prefixes where used. Only names of those namespaces remain after ``_scrub``.
    """
    name = _local_name(element.tag)
    parts = [f"<{name}"]
    if root:
        parts.append(f" xmlns={quoteattr(SVG_NS)}")
        if any(key.startswith(f"{{{XLINK_NS}}}") for node in element.iter() for key in node.attrib):
            parts.append(f" xmlns:xlink={quoteattr(XLINK_NS)}")
    for key, value in element.attrib.items():
        if key.startswith(f"{{{XLINK_NS}}}"):
            key = "xlink:" + key[len(XLINK_NS) + 2:]
        elif key.startswith(f"{{{XML_NS}}}"):
            key = "xml:" + key[len(XML_NS) + 2:]
        parts.append(f" {key}={quoteattr(value)}")
    children = list(element)
    if not children and not element.text:
        parts.append("/>")
    else:
        parts.append(">")
        parts.append(escape(element.text or ""))
        for child in children:
            parts.append(_serialise(child))
            parts.append(escape(child.tail or ""))
        parts.append(f"</{name}>")
    return "".join(parts)
