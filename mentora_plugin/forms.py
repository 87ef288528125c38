"""What every Mentora page's forms share."""
from __future__ import annotations

from typing import Any

from django import forms


class AccessibleForm(forms.Form):
    """
    A form whose invalid fields point at their error (``aria-invalid``, ``aria-describedby`` naming the error's id
    in ``mentora/booking/_field.html``), including errors a domain API adds after validation.
    """

    def full_clean(self) -> None:
        super().full_clean()
        self._point_at_errors()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        self._point_at_errors()

    def _point_at_errors(self) -> None:
        for name in self._errors or {}:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}-error"}
                )
