"""(being written)"""
urlpatterns: list = []
