"""The sales app's data: price lists and customer terms, quotations, orders and returns."""

from spona.front.sales.models.documents import (
    Approval,
    Order,
    OrderDocument,
    OrderLine,
    Quotation,
    QuotationLine,
    QuotationRevision,
    Return,
    ReturnLine,
)
from spona.front.sales.models.pricing import CustomerGroup, CustomerTerms, PriceList, PriceListItem, SalesSettings

__all__ = [
    "Approval",
    "CustomerGroup",
    "CustomerTerms",
    "Order",
    "OrderDocument",
    "OrderLine",
    "PriceList",
    "PriceListItem",
    "Quotation",
    "QuotationLine",
    "QuotationRevision",
    "Return",
    "ReturnLine",
    "SalesSettings",
]
