"""Booking REST API (v1), mounted under ``/api/mentora/v1/``."""

urlpatterns: list = []
