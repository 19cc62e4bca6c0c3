"""Addresses of the sales screens, under /sales/."""

from django.urls import path

from spona.front.sales.views import documents, setup

app_name = "sales"

urlpatterns = [
    path("quotations/", documents.quotation_list, name="quotation_list"),
    path("quotations/new/", documents.quotation_create, name="quotation_create"),
    path("quotations/<int:pk>/", documents.quotation_detail, name="quotation_detail"),
    path("quotations/<int:pk>/pdf/", documents.quotation_pdf, name="quotation_pdf"),
    *(
        path(f"quotations/<int:pk>/{action}/", documents.quotation_action, {"action": action}, name=f"quotation_{action}")
        for action in ("send", "accept", "decline", "cancel")
    ),
    path("quotations/<int:pk>/approval/", documents.approval_decision, {"record": "quotation"}, name="quotation_approval"),
    path("orders/", documents.order_list, name="order_list"),
    path("orders/<int:pk>/", documents.order_detail, name="order_detail"),
    *(
        path(f"orders/<int:pk>/{action}/", documents.order_action, {"action": action}, name=f"order_{action}")
        for action in ("confirm", "invoice", "cancel", "return")
    ),
    path("orders/<int:pk>/approval/", documents.approval_decision, {"record": "order"}, name="order_approval"),
    path("price-lists/", setup.pricelist_list, name="pricelist_list"),
    path("price-lists/new/", setup.pricelist_create, name="pricelist_create"),
    path("price-lists/<int:pk>/", setup.pricelist_edit, name="pricelist_edit"),
    path("customer-terms/", setup.terms_list, name="terms_list"),
    path("customer-terms/new/", setup.terms_create, name="terms_create"),
    path("customer-terms/<int:pk>/", setup.terms_edit, name="terms_edit"),
    path("customer-groups/new/", setup.group_create, name="group_create"),
    path("settings/", setup.settings_edit, name="settings"),
]
