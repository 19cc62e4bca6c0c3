"""Public pages of sales (no login): a quotation opened through its signed share link."""

app_name = "sales_public"

urlpatterns: list = []
