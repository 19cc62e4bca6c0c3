from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("api/", include("spona.api.urls")),
    path("django-admin/", admin.site.urls),
    path("crm/", include("spona.front.crm.urls")),
    path("forms/", include("spona.front.crm.urls_public")),
    path("finance/", include("spona.back.finance.urls")),
    path("inventory/", include("spona.back.inventory.urls")),
    path("", include("spona.web.urls")),
]
