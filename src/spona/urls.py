from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("api/", include("spona.api.urls")),
    path("django-admin/", admin.site.urls),
    path("crm/", include("spona.front.crm.urls")),
    path("forms/", include("spona.front.crm.urls_public")),
    path("finance/", include("spona.back.finance.urls")),
    path("inventory/", include("spona.back.inventory.urls")),
    path("purchasing/", include("spona.back.purchasing.urls")),
    path("production/", include("spona.back.production.urls")),
    path("sales/", include("spona.front.sales.urls")),
    path("quote/", include("spona.front.sales.urls_public")),
    path("support/", include("spona.front.support.urls")),
    path("help/", include("spona.front.support.urls_public")),
    path("portal/", include("spona.front.portal.urls")),
    path("automation/", include("spona.bridge.automation.urls")),
    path("notifications/", include("spona.bridge.notifications.urls")),
    path("imports/", include("spona.bridge.imports.urls")),
    path("", include("spona.web.urls")),
]
