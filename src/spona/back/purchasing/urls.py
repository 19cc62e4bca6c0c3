"""Addresses of the purchasing screens, under /purchasing/."""

from django.urls import path

from spona.back.purchasing.views import orders, rules

app_name = "purchasing"

urlpatterns = [
    path("", orders.order_list, name="order_list"),
    path("orders/new/", orders.order_create, name="order_create"),
    path("orders/<int:pk>/", orders.order_detail, name="order_detail"),
    path("orders/<int:pk>/edit/", orders.order_edit, name="order_edit"),
    path("orders/<int:pk>/send/", orders.order_send, name="order_send"),
    path("orders/<int:pk>/confirm/", orders.order_confirm, name="order_confirm"),
    path("orders/<int:pk>/cancel/", orders.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/pdf/", orders.order_pdf, name="order_pdf"),
    path("orders/<int:pk>/bill/", orders.order_bill, name="order_bill"),
    path("orders/<int:pk>/match/", orders.order_match, name="order_match"),
    path("bills/<int:pk>/post/", orders.bill_post, name="bill_post"),
    path("rules/", rules.rule_list, name="rule_list"),
    path("rules/new/", rules.rule_create, name="rule_create"),
    path("rules/<int:pk>/edit/", rules.rule_edit, name="rule_edit"),
    path("replenishment/", rules.replenishment, name="replenishment"),
    path("replenishment/order/", rules.replenishment_order, name="replenishment_order"),
    path("performance/", rules.performance, name="performance"),
    path("settings/", rules.settings, name="settings"),
]
