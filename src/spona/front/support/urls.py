"""Addresses of the support screens, under /support/."""

app_name = "support"

urlpatterns: list = []
