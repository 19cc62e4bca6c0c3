"""Addresses of the production screens, under /production/."""

app_name = "production"

urlpatterns: list = []
