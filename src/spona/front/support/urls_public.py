"""Public pages of support (no login): the web form, satisfaction surveys, public knowledge base."""

app_name = "support_public"

urlpatterns: list = []
