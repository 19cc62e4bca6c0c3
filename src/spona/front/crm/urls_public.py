"""The CRM's public pages, under /forms/: no login, spam-protected."""

from django.urls import path

from spona.front.crm.views import public

app_name = "crm_forms"

urlpatterns = [path("lead/<slug:code>/", public.lead_form, name="lead_form")]
