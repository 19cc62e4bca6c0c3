"""Addresses of the production screens, under /production/."""

from django.urls import path

from spona.back.production.views import boms, orders, work_centres

app_name = "production"

urlpatterns = [
    path("orders/", orders.order_list, name="order_list"),
    path("orders/new/", orders.order_create, name="order_create"),
    path("orders/<int:pk>/", orders.order_detail, name="order_detail"),
    path("orders/<int:pk>/confirm/", orders.order_confirm, name="order_confirm"),
    path("orders/<int:pk>/reserve/", orders.order_reserve, name="order_reserve"),
    path("orders/<int:pk>/produce/", orders.order_produce, name="order_produce"),
    path("orders/<int:pk>/finish/", orders.order_finish, name="order_finish"),
    path("orders/<int:pk>/cancel/", orders.order_cancel, name="order_cancel"),
    path("boms/", boms.bom_list, name="bom_list"),
    path("boms/new/", boms.bom_create, name="bom_create"),
    path("boms/<int:pk>/", boms.bom_detail, name="bom_detail"),
    path("boms/<int:pk>/activate/", boms.bom_activate, name="bom_activate"),
    path("boms/<int:pk>/route/", boms.bom_route, name="bom_route"),
    path("work-centres/", work_centres.work_centre_list, name="work_centre_list"),
    path("work-centres/new/", work_centres.work_centre_create, name="work_centre_create"),
    path("work-centres/<int:pk>/edit/", work_centres.work_centre_edit, name="work_centre_edit"),
    path("work-centres/<int:pk>/load/", work_centres.work_centre_load, name="work_centre_load"),
]
