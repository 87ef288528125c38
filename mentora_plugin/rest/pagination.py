"""Pagination of every Mentora list, with the platform's envelope (edx-drf-extensions' DefaultPagination)."""
from django.conf import settings
from edx_rest_framework_extensions.paginators import DefaultPagination


class MentoraPagination(DefaultPagination):
    """Page numbers, ``?page_size=``; the sizes come from settings at request time."""

    @property
    def page_size(self) -> int:  # type: ignore[override]
        return settings.MENTORA_API_PAGE_SIZE

    @property
    def max_page_size(self) -> int:  # type: ignore[override]
        return settings.MENTORA_API_MAX_PAGE_SIZE
