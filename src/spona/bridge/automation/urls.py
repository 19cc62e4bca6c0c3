"""Addresses of the automation screens, under /automation/."""

app_name = "automation"

urlpatterns: list = []
