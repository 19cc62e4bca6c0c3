"""Addresses of the purchasing screens, under /purchasing/."""

app_name = "purchasing"

urlpatterns: list = []
