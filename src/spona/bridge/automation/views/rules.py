"""Automation rules: the list, the builder, the dry run, switching on and off, and the run log (admins)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.bridge.automation import actions, conditions, selectors, services
from spona.bridge.automation.forms import ACTION_ROWS, CONDITION_ROWS, RuleForm, RuleTestForm
from spona.bridge.automation.views.common import caller, crumbs
from spona.core.errors import ApplicationError
from spona.web.views.base import apply_error, company_view

FIELD_MAP = {
    "event_name": "event_name",
    "record_type": "time_field",
    "date_field": "time_field",
    "condition": "c1_field",
    "actions": "a1_type",
}


@require_GET
@company_view("automation.manage")
def rule_list(request: HttpRequest) -> HttpResponse:
    """Every rule with its trigger and state; the shipped examples can be added from here."""
    user, company = caller(request)
    return render(
        request,
        "automation/rule_list.html",
        {"rules": selectors.rule_list(user=user, company=company), "breadcrumbs": crumbs("rules")},
    )


def _rule_form(request: HttpRequest, pk: int | None) -> HttpResponse:
    user, company = caller(request)
    rule = selectors.rule_get(user=user, company=company, rule_id=pk) if pk else None
    hooks = [(w.pk, w.name) for w in selectors.webhook_list(user=user, company=company)]
    initial = RuleForm.initial_from(rule) if rule else {"trigger": "event", "match": "all", "offset_days": 0}
    form = RuleForm(request.POST or None, initial=initial, webhooks=hooks)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.rule_save(actor=user, company=company, data=form.rule_input(), rule_id=rule.pk if rule else None)
        except ApplicationError as exc:
            apply_error(form, exc, FIELD_MAP)
        else:
            messages.success(request, _("Rule saved. Test it against a sample record, then switch it on."))
            return redirect("automation:rule_detail", saved.pk)
    title = _("Edit rule %(name)s") % {"name": rule.name} if rule else _("New rule")
    return render(
        request,
        "automation/rule_form.html",
        {
            "form": form,
            "title": title,
            "condition_rows": [
                (form[f"c{i}_field"], form[f"c{i}_op"], form[f"c{i}_value"]) for i in range(1, CONDITION_ROWS + 1)
            ],
            "action_rows": [
                [form[f"a{i}_{slot}"] for slot in ("type", "to", "text", "body", "key", "days", "webhook")]
                for i in range(1, ACTION_ROWS + 1)
            ],
            "cancel_url": reverse("automation:rule_detail", args=[rule.pk]) if rule else reverse("automation:rule_list"),
            "breadcrumbs": crumbs("rules", (title, None)),
        },
    )


@company_view("automation.manage")
def rule_create(request: HttpRequest) -> HttpResponse:
    """Build a new rule; it starts switched off."""
    return _rule_form(request, None)


@company_view("automation.manage")
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a rule; it is switched off until tested again."""
    return _rule_form(request, pk)


@company_view("automation.manage")
def rule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A rule in words, the dry run against a sample record, and its latest runs."""
    user, company = caller(request)
    rule = selectors.rule_get(user=user, company=company, rule_id=pk)
    form = RuleTestForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.rule_test(
                actor=user,
                company=company,
                rule_id=rule.pk,
                record_id=form.cleaned_data["record_id"],
                payload=form.cleaned_data["payload"],
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        rule = selectors.rule_get(user=user, company=company, rule_id=pk)
    return render(
        request,
        "automation/rule_detail.html",
        {
            "rule": rule,
            "condition_text": conditions.describe(rule.condition),
            "action_texts": [actions.ACTIONS[a["type"]].describe(a) for a in rule.actions if a.get("type") in actions.ACTIONS],
            "form": form,
            "result": result,
            "runs": selectors.rule_runs(user=user, company=company, rule_id=rule.pk),
            "breadcrumbs": crumbs("rules", (rule.name, None)),
        },
    )


@require_POST
@company_view("automation.manage")
def rule_activate(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch a tested rule on, or a rule off."""
    user, company = caller(request)
    active = request.POST.get("active") == "1"
    rule = selectors.rule_get(user=user, company=company, rule_id=pk)
    try:
        services.rule_activate(actor=user, company=company, rule_id=rule.pk, active=active)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Rule switched on.") if active else _("Rule switched off."))
    return redirect("automation:rule_detail", rule.pk)


@require_POST
@company_view("automation.manage")
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a rule and its run log."""
    user, company = caller(request)
    services.rule_delete(actor=user, company=company, rule_id=pk)
    messages.success(request, _("Rule removed."))
    return redirect("automation:rule_list")


@require_POST
@company_view("automation.manage")
def rule_examples(request: HttpRequest) -> HttpResponse:
    """Add the shipped example rules the company does not have yet, switched off."""
    user, company = caller(request)
    added = services.examples_install(actor=user, company=company)
    messages.success(request, _("%(count)s example rules added, switched off.") % {"count": len(added)})
    return redirect("automation:rule_list")
