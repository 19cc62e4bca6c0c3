"""The customer's page of a quotation, opened through its signed share link (no login).

The link names the quotation and its revision, signed with the server's key, and expires. The
customer sees the offer, chooses optional lines, and accepts or declines it with a
CSRF-protected form; accepting makes and confirms the sales order.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from spona.core.errors import ApplicationError, NotFound
from spona.front.sales import services


@require_http_methods(["GET", "POST"])
def quotation_public(request: HttpRequest, token: str) -> HttpResponse:
    """Show a shared quotation; POST ``decision=accept`` (with ``optional`` line ids) or ``decision=decline``."""
    try:
        quotation = services.quotation_from_token(token)
    except NotFound:
        raise Http404 from None
    error = ""
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        try:
            if decision == "accept":
                chosen = [int(x) for x in request.POST.getlist("optional") if x.isdigit() and len(x) < 19]
                services.quotation_accept(
                    actor=None,
                    company=quotation.company,
                    quotation_id=quotation.pk,
                    chosen_line_ids=chosen,
                    revision=quotation.revision,
                )
            elif decision == "decline":
                services.quotation_decline(
                    actor=None, company=quotation.company, quotation_id=quotation.pk, reason=request.POST.get("reason", "")[:300]
                )
            else:
                error = "Choose to accept or decline."
        except ApplicationError as exc:
            error = exc.message
        if not error:
            return redirect("sales_public:quotation", token=token)
        quotation = services.quotation_from_token(token)
    lines = list(quotation.lines.all())
    return render(
        request,
        "sales/quotation_public.html",
        {"quotation": quotation, "lines": lines, "error": error, "company": quotation.company},
    )
