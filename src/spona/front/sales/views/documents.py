"""Quotation and order screens: lists, new quotation, detail pages with their actions, PDF."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_POST

from spona.back.inventory.selectors import product_list
from spona.bridge.automation.services import approval_decide
from spona.core.errors import ApplicationError, NotFound
from spona.core.models import Company, Party, User
from spona.front.sales import selectors, services
from spona.front.sales.models import Order, Quotation
from spona.front.sales.pdf import render_pdf
from spona.front.sales.services.approvals import ORDER, QUOTATION
from spona.web.views.base import apply_error, can, company_view

PAGE_SIZE = 25
LINE_ROWS = 5


def caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


class QuotationForm(forms.Form):
    """A quotation's customer, validity and terms with up to five lines (price from the price list when left empty)."""

    party = forms.TypedChoiceField(label=_l("Customer"), coerce=int)
    valid_until = forms.DateField(label=_l("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    terms = forms.CharField(label=_l("Terms"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)

    def __init__(self, *args: object, parties: list[Party], products: list[object], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["party"].choices = [("", "—")] + [(p.pk, p.name) for p in parties]
        product_choices = [("", "—")] + [(p.pk, f"{p.sku} · {p.name}") for p in products]  # type: ignore[attr-defined]
        for i in range(LINE_ROWS):
            self.fields[f"product_{i}"] = forms.TypedChoiceField(
                label=_l("Product %(n)s") % {"n": i + 1}, choices=product_choices, coerce=int, required=i == 0, empty_value=None
            )
            self.fields[f"quantity_{i}"] = forms.DecimalField(label=_l("Quantity"), required=False, min_value=Decimal("0.0001"))
            self.fields[f"price_{i}"] = forms.DecimalField(label=_l("Unit price"), required=False, min_value=Decimal(0))
            self.fields[f"discount_{i}"] = forms.DecimalField(
                label=_l("Discount %"), required=False, min_value=Decimal(0), max_value=Decimal(100)
            )
            self.fields[f"optional_{i}"] = forms.BooleanField(label=_l("Optional"), required=False)

    def lines(self) -> list[services.LineIn]:
        data = self.cleaned_data
        return [
            services.LineIn(
                product_id=data[f"product_{i}"],
                quantity=data[f"quantity_{i}"] or Decimal(1),
                unit_price=data[f"price_{i}"],
                discount=data[f"discount_{i}"] or Decimal(0),
                is_optional=data[f"optional_{i}"],
            )
            for i in range(LINE_ROWS)
            if data.get(f"product_{i}")
        ]


@require_GET
@company_view("sales.view")
def quotation_list(request: HttpRequest) -> HttpResponse:
    """Quotations newest first, searchable by number or customer."""
    user, company = caller(request)
    q, status = request.GET.get("q", "")[:100], request.GET.get("status", "")
    status = status if status in Quotation.Status.values else ""
    try:
        page = selectors.quotation_list(
            user=user, company=company, q=q, status=status, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE
        )
    except (ApplicationError, ValueError):
        page = selectors.quotation_list(user=user, company=company, q=q, status=status, limit=PAGE_SIZE)
    return render(
        request,
        "sales/quotation_list.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "statuses": Quotation.Status.choices,
            "can_manage": can(request, "sales.manage"),
        },
    )


@company_view("sales.manage")
def quotation_create(request: HttpRequest) -> HttpResponse:
    """Draft a quotation for a customer; prices come from the customer's price lists unless typed."""
    user, company = caller(request)
    parties = list(Party.objects.filter(company=company, merged_into__isnull=True).order_by("name")[:500])
    products = product_list(user=user, company=company, limit=200).items
    initial = {"party": request.GET.get("party", "")}
    form = QuotationForm(request.POST or None, initial=initial, parties=parties, products=products)
    if request.method == "POST" and form.is_valid():
        try:
            quotation = services.quotation_create(
                actor=user,
                company=company,
                party_id=form.cleaned_data["party"],
                lines=form.lines(),
                valid_until=form.cleaned_data["valid_until"],
                terms=form.cleaned_data["terms"],
            )
        except ApplicationError as exc:
            apply_error(form, exc, {"party_id": "party"})
        else:
            messages.success(request, _("Quotation %(number)s drafted.") % {"number": quotation})
            return redirect("sales:quotation_detail", pk=quotation.pk)
    return render(
        request,
        "web/components/form.html",
        {"form": form, "title": _("New quotation"), "cancel_url": reverse("sales:quotation_list")},
    )


@require_GET
@company_view("sales.view")
def quotation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One quotation: lines, totals, approval, revisions, share link and actions."""
    user, company = caller(request)
    quotation = selectors.quotation_get(user=user, company=company, quotation_id=pk)
    share = ""
    if quotation.status in (Quotation.Status.SENT, Quotation.Status.ACCEPTED, Quotation.Status.DECLINED):
        share = request.build_absolute_uri(reverse("sales_public:quotation", args=[services.share_token(quotation)]))
    return render(
        request,
        "sales/quotation_detail.html",
        {
            "quotation": quotation,
            "share_url": share,
            "can_manage": can(request, "sales.manage"),
            "approval": selectors.approval_panel(user=user, company=company, record_type=QUOTATION, record_id=quotation.pk),
            "decide_url": reverse("sales:quotation_approval", args=[quotation.pk]),
        },
    )


@require_GET
@company_view("sales.view")
def quotation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The quotation as a PDF, dated by its validity (the same quotation gives the same bytes)."""
    user, company = caller(request)
    quotation = selectors.quotation_get(user=user, company=company, quotation_id=pk)
    try:
        pdf = render_pdf(
            "sales/quotation_pdf.html",
            {"quotation": quotation, "company": company},
            stamp=quotation.valid_until,
            title=str(quotation),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("sales:quotation_detail", pk=pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="quotation-{str(quotation).replace("/", "-")}.pdf"'
    return response


ACTIONS = {
    "send": (services.quotation_send, _l("Quotation sent.")),
    "cancel": (services.quotation_cancel, _l("Quotation cancelled.")),
    "decline": (services.quotation_decline, _l("Quotation marked declined.")),
}


@require_POST
@company_view("sales.manage")
def quotation_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Send, cancel, decline or accept (for the customer) a quotation."""
    user, company = caller(request)
    try:
        if action == "accept":
            order = services.quotation_accept(actor=user, company=company, quotation_id=pk)
            messages.success(request, _("Order %(number)s made.") % {"number": order.number})
            return redirect("sales:order_detail", pk=order.pk)
        if action not in ACTIONS:
            raise NotFound("No such action.")
        func, done = ACTIONS[action]
        func(actor=user, company=company, quotation_id=pk)
        messages.success(request, str(done))
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("sales:quotation_detail", pk=pk)


@require_GET
@company_view("sales.view")
def order_list(request: HttpRequest) -> HttpResponse:
    """Sales orders newest first, searchable by number or customer."""
    user, company = caller(request)
    q, status = request.GET.get("q", "")[:100], request.GET.get("status", "")
    status = status if status in Order.Status.values else ""
    try:
        page = selectors.order_list(
            user=user, company=company, q=q, status=status, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE
        )
    except (ApplicationError, ValueError):
        page = selectors.order_list(user=user, company=company, q=q, status=status, limit=PAGE_SIZE)
    return render(request, "sales/order_list.html", {"page": page, "q": q, "status": status, "statuses": Order.Status.choices})


@require_GET
@company_view("sales.view")
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One order: lines with delivered/invoiced quantities, its status in words, and every document one click away."""
    user, company = caller(request)
    order = selectors.order_get(user=user, company=company, order_id=pk)
    return render(
        request,
        "sales/order_detail.html",
        {
            "order": order,
            "status": selectors.order_status(order=order),
            "can_manage": can(request, "sales.manage"),
            "approval": selectors.approval_panel(user=user, company=company, record_type=ORDER, record_id=order.pk),
            "decide_url": reverse("sales:order_approval", args=[order.pk]),
        },
    )


@require_POST
@company_view("sales.manage")
def order_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Confirm, invoice or cancel an order; return everything delivered (RMA)."""
    user, company = caller(request)
    try:
        if action == "confirm":
            order = services.order_confirm(actor=user, company=company, order_id=pk)
            messages.success(request, _("Order confirmed.") if order.is_confirmed() else order.hold_reason)
        elif action == "invoice":
            document = services.order_invoice(actor=user, company=company, order_id=pk)
            messages.success(request, _("Invoice %(number)s posted.") % {"number": document.invoice.number})  # type: ignore[union-attr]
        elif action == "cancel":
            services.order_cancel(actor=user, company=company, order_id=pk, reason=request.POST.get("reason", "")[:200])
            messages.success(request, _("Order cancelled."))
        elif action == "return":
            order = selectors.order_get(user=user, company=company, order_id=pk)
            lines = [
                services.ReturnLineIn(x.pk, x.qty_delivered - x.qty_returned)
                for x in order.lines.all()
                if x.qty_delivered > x.qty_returned
            ]
            rma = services.order_return(
                actor=user, company=company, order_id=pk, lines=lines, reason=request.POST.get("reason", "")[:300]
            )
            messages.success(request, _("Return %(number)s created.") % {"number": rma.number})
        else:
            return HttpResponse(status=404)
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("sales:order_detail", pk=pk)


class DecisionForm(forms.Form):
    """A manager's decision on a discount or a credit limit; a rejection says why."""

    decision = forms.ChoiceField(choices=[("approve", _l("Approve")), ("reject", _l("Reject"))])
    comment = forms.CharField(label=_l("Comment"), required=False, max_length=2000)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not str(data.get("comment", "")).strip():
            self.add_error("comment", _("Say why you reject it, so that the salesperson knows what to change."))
        return data


@require_POST
@company_view("sales.view")
def approval_decision(request: HttpRequest, pk: int, record: str) -> HttpResponse:
    """Approve or reject, with a comment, what a quotation (its discount) or an order (discount, credit limit) waits for.

    Automation decides who may: the holder of the waiting step's role, never the one who asked.
    """
    user, company = caller(request)
    if record == "quotation":
        selectors.quotation_get(user=user, company=company, quotation_id=pk)
        record_type, detail = QUOTATION, "sales:quotation_detail"
    else:
        selectors.order_get(user=user, company=company, order_id=pk)
        record_type, detail = ORDER, "sales:order_detail"
    panel = selectors.approval_panel(user=user, company=company, record_type=record_type, record_id=pk)
    form = DecisionForm(request.POST)
    if panel.pending is None:
        messages.error(request, _("Nothing here waits for approval."))
    elif not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        approve = form.cleaned_data["decision"] == "approve"
        try:
            approval_decide(
                actor=user, company=company, request_id=panel.pending.pk, approve=approve, comment=form.cleaned_data["comment"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Approved.") if approve else _("Rejected."))
    return redirect(detail, pk=pk)
