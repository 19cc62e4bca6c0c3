"""Outgoing webhooks: the list, subscribe and change, the delivery log with replay (admins)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.bridge.automation import selectors, services
from spona.bridge.automation.forms import WebhookForm
from spona.bridge.automation.models import WebhookDelivery
from spona.bridge.automation.views.common import caller, crumbs
from spona.core.errors import ApplicationError, NotFound
from spona.web.views.base import apply_error, company_view


@require_GET
@company_view("automation.manage")
def webhook_list(request: HttpRequest) -> HttpResponse:
    """Every webhook with its events and health."""
    user, company = caller(request)
    return render(
        request,
        "automation/webhook_list.html",
        {"webhooks": selectors.webhook_list(user=user, company=company), "breadcrumbs": crumbs("webhooks")},
    )


def _webhook_form(request: HttpRequest, pk: int | None) -> HttpResponse:
    user, company = caller(request)
    webhook = selectors.webhook_get(user=user, company=company, webhook_id=pk) if pk else None
    initial = (
        {
            "name": webhook.name,
            "url": webhook.url,
            "event_types": webhook.event_types,
            "disable_after": webhook.disable_after,
            "is_active": webhook.is_active,
        }
        if webhook
        else {"disable_after": 10, "is_active": True}
    )
    form = WebhookForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if webhook is None:
                saved = services.webhook_create(
                    actor=user,
                    company=company,
                    name=data["name"],
                    url=data["url"],
                    event_types=data["event_types"],
                    disable_after=data["disable_after"],
                    is_active=data["is_active"],
                )
            else:
                saved = services.webhook_update(
                    actor=user,
                    company=company,
                    webhook_id=webhook.pk,
                    name=data["name"],
                    url=data["url"],
                    event_types=data["event_types"],
                    disable_after=data["disable_after"],
                    is_active=data["is_active"],
                )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Webhook saved."))
            return redirect("automation:webhook_detail", saved.pk)
    title = _("Edit webhook %(name)s") % {"name": webhook.name} if webhook else _("New webhook")
    return render(
        request,
        "web/components/form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": reverse("automation:webhook_list"),
            "breadcrumbs": crumbs("webhooks", (title, None)),
        },
    )


@company_view("automation.manage")
def webhook_create(request: HttpRequest) -> HttpResponse:
    """Subscribe an outside address to events."""
    return _webhook_form(request, None)


@company_view("automation.manage")
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a webhook; switching it on again clears its failures."""
    return _webhook_form(request, pk)


@require_GET
@company_view("automation.manage")
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A webhook's secret, events and delivery log."""
    user, company = caller(request)
    webhook = selectors.webhook_get(user=user, company=company, webhook_id=pk)
    return render(
        request,
        "automation/webhook_detail.html",
        {
            "webhook": webhook,
            "deliveries": selectors.delivery_list(user=user, company=company, webhook_id=webhook.pk),
            "breadcrumbs": crumbs("webhooks", (webhook.name, None)),
        },
    )


@require_POST
@company_view("automation.manage")
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a webhook and its log."""
    user, company = caller(request)
    services.webhook_delete(actor=user, company=company, webhook_id=pk)
    messages.success(request, _("Webhook removed."))
    return redirect("automation:webhook_list")


@require_POST
@company_view("automation.manage")
def delivery_replay(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a logged delivery again."""
    user, company = caller(request)
    webhook_id = WebhookDelivery.objects.filter(pk=pk, webhook__company=company).values_list("webhook_id", flat=True).first()
    if webhook_id is None:
        raise NotFound("No such delivery.")
    try:
        services.delivery_replay(actor=user, company=company, delivery_id=pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Delivery queued again."))
    return redirect("automation:webhook_detail", webhook_id)
