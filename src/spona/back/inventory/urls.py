"""Addresses of the inventory screens, under /inventory/."""

from django.urls import path

from spona.back.inventory.views import categories, products, reports, stock, transfers, warehouses

app_name = "inventory"

urlpatterns = [
    # Products
    path("products/", products.product_list, name="product_list"),
    path("products/search.json", products.product_search, name="product_search"),
    path("products/new/", products.product_create, name="product_create"),
    path("products/variants/new/", products.template_create, name="template_create"),
    path("products/attributes/new/", products.attribute_create, name="attribute_create"),
    path("products/<int:pk>/", products.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", products.product_edit, name="product_edit"),
    path("products/<int:pk>/suppliers/", products.supplier_info, name="product_supplier"),
    path("categories/", categories.category_list, name="category_list"),
    path("categories/new/", categories.category_create, name="category_create"),
    path("categories/<int:pk>/edit/", categories.category_edit, name="category_edit"),
    # Stock and moves
    path("stock/", stock.stock_list, name="stock_list"),
    path("stock/export.csv", stock.stock_export, name="stock_export"),
    path("stock/scrap/", warehouses.scrap, name="scrap"),
    path("moves/", stock.move_list, name="move_list"),
    # Transfers
    path("transfers/", transfers.transfer_list, name="transfer_list"),
    path("transfers/new/", transfers.transfer_create, name="transfer_create"),
    path("transfers/line/", transfers.transfer_line, name="transfer_line"),
    path("transfers/scan/", transfers.transfer_scan, name="transfer_scan"),
    path("transfers/<int:pk>/", transfers.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/confirm/", transfers.transfer_confirm, name="transfer_confirm"),
    path("transfers/<int:pk>/validate/", transfers.transfer_validate, name="transfer_validate"),
    path("transfers/<int:pk>/cancel/", transfers.transfer_cancel, name="transfer_cancel"),
    # Warehouses, locations and counts
    path("warehouses/", warehouses.warehouse_list, name="warehouse_list"),
    path("warehouses/new/", warehouses.warehouse_create, name="warehouse_create"),
    path("locations/new/", warehouses.location_create, name="location_create"),
    path("counts/", warehouses.count_list, name="count_list"),
    path("counts/<int:pk>/", warehouses.count_location, name="count_location"),
    # Reports (each exports its table with ?export=csv)
    path("reports/valuation/", reports.valuation_report, name="valuation_report"),
    path("reports/valuation/open/", reports.valuation_open, name="valuation_open"),
    path("reports/turnover/", reports.turnover_report, name="turnover_report"),
    path("reports/slow-movers/", reports.slow_movers_report, name="slow_movers_report"),
    path("reports/forecast/", reports.forecast_report, name="forecast_report"),
]
