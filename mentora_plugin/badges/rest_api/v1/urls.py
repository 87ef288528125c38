"""The badges REST API (/api/mentora/v1/badges/...)."""
urlpatterns: list = []
