"""Addresses of the sales screens, under /sales/."""

app_name = "sales"

urlpatterns: list = []
