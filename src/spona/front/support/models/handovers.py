"""Work a ticket hands over to another department: a return the sales team opens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned


class ReturnRequest(CompanyOwned):
    """An agent's request that sales take goods back (an RMA) for a ticket's order.

    Support may only ask, for an order linked to the ticket; a sales user opens the return
    through sales' own service, which receives the goods and credits what was invoiced.
    ``rma_id`` and ``rma_number`` name the return that came of it. The order is kept by id (as
    ticket links are): sales checks it belongs to the company when the return is opened.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        OPENED = "opened", _("Return opened")

    ticket = models.ForeignKey("support.Ticket", on_delete=models.CASCADE, related_name="return_requests")
    order_id = models.PositiveBigIntegerField(_("order"))
    order_label = models.CharField(_("order number"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    rma_id = models.PositiveBigIntegerField(_("return"), null=True, blank=True, editable=False)
    rma_number = models.CharField(_("return number"), max_length=40, blank=True, editable=False)

    personal_data = ("reason",)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                "ticket", "order_id", condition=models.Q(status="requested"), name="support_return_request_open_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Return request {self.pk} for {self.order_id}"

    def is_open(self) -> bool:
        return self.status == self.Status.REQUESTED
