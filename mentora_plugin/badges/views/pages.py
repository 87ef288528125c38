"""The signed-in pages of badges (/mentora/badges/...)."""
urlpatterns: list = []
