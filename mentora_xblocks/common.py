"""What every Mentora block shares besides identity (``identity.py``): its translations, HTML ids and title."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any


class MentoraBlockMixin:
    """
    The runtime's i18n service, a unique HTML id per usage, and the author's title or the default one. A block sets
    ``dom_id_prefix`` ("mentora-<block>") and ``default_title`` (its untranslated default display name).
    """

    dom_id_prefix = "mentora-block"
    default_title = ""

    def _i18n(self) -> Any:
        return self.runtime.service(self, "i18n")

    def _gettext(self) -> Callable[[str], str]:
        """
        The runtime's gettext, looked up per render so that the viewer's language applies.

        ``gettext`` rather than ``ugettext``: the LMS service answers both, but xblock-sdk's workbench service only
        routes ``gettext`` to Django (its ``ugettext`` is an untranslating stub).
        """
        return self._i18n().gettext

    def _dom_id(self) -> str:
        """A unique, valid HTML id for this usage (headings are referenced by ``aria-labelledby``)."""
        return f"{self.dom_id_prefix}-" + re.sub(r"[^A-Za-z0-9_-]", "-", str(self.scope_ids.usage_id))

    def _title(self, gettext: Callable[[str], str]) -> str:
        """The author's title as typed, or the default title in the viewer's language."""
        title = (self.display_name or "").strip()
        return gettext(self.default_title) if not title or title == self.default_title else title
