"""Public pages of sales (no login): a quotation opened through its signed share link."""

from django.urls import path

from spona.front.sales.views import public

app_name = "sales_public"

urlpatterns = [path("<str:token>/", public.quotation_public, name="quotation")]
