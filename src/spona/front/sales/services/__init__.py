"""Commands of the sales app: the only code that changes price lists, quotations, orders and returns.

Every service is keyword-only, runs in one transaction, checks the actor's permission in the
company (``actor=None``: the system, a customer's share link, the demo), validates, writes the
audit trail and publishes its events. Other apps import this package.
"""

from spona.front.sales.services.lines import LineIn
from spona.front.sales.services.orders import (
    ReturnLineIn,
    approval_decided,
    delivered_apply,
    invoiceable,
    order_cancel,
    order_confirm,
    order_create,
    order_invoice,
    order_return,
    return_receive,
)
from spona.front.sales.services.pricing import (
    PriceIn,
    ResolvedPrice,
    customer_group_create,
    customer_terms_set,
    price_list_save,
    prices_resolve,
    settings_for,
    settings_update,
)
from spona.front.sales.services.quotations import (
    discount_approved,
    quotation_accept,
    quotation_cancel,
    quotation_create,
    quotation_decline,
    quotation_from_token,
    quotation_send,
    quotation_update,
    share_token,
)

__all__ = [
    "LineIn",
    "PriceIn",
    "ResolvedPrice",
    "ReturnLineIn",
    "approval_decided",
    "customer_group_create",
    "customer_terms_set",
    "delivered_apply",
    "discount_approved",
    "invoiceable",
    "order_cancel",
    "order_confirm",
    "order_create",
    "order_invoice",
    "order_return",
    "price_list_save",
    "prices_resolve",
    "quotation_accept",
    "quotation_cancel",
    "quotation_create",
    "quotation_decline",
    "quotation_from_token",
    "quotation_send",
    "quotation_update",
    "return_receive",
    "settings_for",
    "settings_update",
    "share_token",
]
