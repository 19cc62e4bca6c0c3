"""The approvals inbox, one request with its steps, and the approval policies (admins)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.bridge.automation import selectors, services
from spona.bridge.automation.forms import DecisionForm, PolicyForm
from spona.bridge.automation.views.common import caller, crumbs
from spona.core.errors import ApplicationError
from spona.web.views.base import apply_error, company_view


@require_GET
@company_view("automation.approve")
def approval_inbox(request: HttpRequest) -> HttpResponse:
    """What waits for my decision, and the requests I asked for or decided."""
    user, company = caller(request)
    return render(
        request,
        "automation/approval_inbox.html",
        {
            "pending": selectors.approval_inbox(user=user, company=company),
            "history": selectors.approval_history(user=user, company=company),
            "breadcrumbs": crumbs("approvals"),
        },
    )


@company_view("automation.approve")
def approval_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: its record, amount and steps; approve or reject with a comment."""
    user, company = caller(request)
    approval = selectors.approval_get(user=user, company=company, request_id=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = request.POST.get("decision") == "approve"
        try:
            services.approval_decide(
                actor=user, company=company, request_id=approval.pk, approve=approve, comment=form.cleaned_data["comment"]
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Approved.") if approve else _("Rejected."))
            return redirect("automation:approval_inbox")
    return render(
        request,
        "automation/approval_detail.html",
        {
            "approval": approval,
            "form": form,
            "can_decide": selectors.can_decide(user=user, company=company, request=approval),
            "breadcrumbs": crumbs("approvals", (approval.subject, None)),
        },
    )


@require_GET
@company_view("automation.manage")
def policy_list(request: HttpRequest) -> HttpResponse:
    """The company's approval policies; kinds without one are decided by management."""
    user, company = caller(request)
    return render(
        request,
        "automation/policy_list.html",
        {"policies": selectors.policy_list(user=user, company=company), "breadcrumbs": crumbs("policies")},
    )


def _policy_form(request: HttpRequest, pk: int | None) -> HttpResponse:
    user, company = caller(request)
    policy = selectors.policy_get(user=user, company=company, policy_id=pk) if pk else None
    initial: dict[str, object] = {"is_active": True}
    if policy is not None:
        initial = {"kind": policy.kind, "name": policy.name, "is_active": policy.is_active}
        for i, step in enumerate(policy.steps.all(), start=1):
            initial[f"role_{i}"], initial[f"min_amount_{i}"] = step.role, step.min_amount
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_save(
                actor=user,
                company=company,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                is_active=form.cleaned_data["is_active"],
                steps=form.steps(),
            )
        except ApplicationError as exc:
            apply_error(form, exc, {"steps": "role_1"})
        else:
            messages.success(request, _("Approval policy saved."))
            return redirect("automation:policy_list")
    title = _("Approval policy %(kind)s") % {"kind": policy.kind} if policy else _("New approval policy")
    return render(
        request,
        "automation/policy_form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": reverse("automation:policy_list"),
            "breadcrumbs": crumbs("policies", (title, None)),
        },
    )


@company_view("automation.manage")
def policy_create(request: HttpRequest) -> HttpResponse:
    """Set up who approves one kind of request."""
    return _policy_form(request, None)


@company_view("automation.manage")
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a policy's steps; requests already made keep theirs."""
    return _policy_form(request, pk)


@require_POST
@company_view("automation.manage")
def policy_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a policy: its kind goes back to one step by management."""
    user, company = caller(request)
    services.policy_delete(actor=user, company=company, policy_id=pk)
    messages.success(request, _("Approval policy removed."))
    return redirect("automation:policy_list")
