"""Addresses of the automation screens, under /automation/."""

from django.urls import path

from spona.bridge.automation.views import approvals, rules, webhooks

app_name = "automation"

urlpatterns = [
    # Approvals
    path("approvals/", approvals.approval_inbox, name="approval_inbox"),
    path("approvals/<int:pk>/", approvals.approval_detail, name="approval_detail"),
    path("policies/", approvals.policy_list, name="policy_list"),
    path("policies/new/", approvals.policy_create, name="policy_create"),
    path("policies/<int:pk>/", approvals.policy_edit, name="policy_edit"),
    path("policies/<int:pk>/delete/", approvals.policy_delete, name="policy_delete"),
    # Rules
    path("rules/", rules.rule_list, name="rule_list"),
    path("rules/new/", rules.rule_create, name="rule_create"),
    path("rules/examples/", rules.rule_examples, name="rule_examples"),
    path("rules/<int:pk>/", rules.rule_detail, name="rule_detail"),
    path("rules/<int:pk>/edit/", rules.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/activate/", rules.rule_activate, name="rule_activate"),
    path("rules/<int:pk>/delete/", rules.rule_delete, name="rule_delete"),
    # Webhooks
    path("webhooks/", webhooks.webhook_list, name="webhook_list"),
    path("webhooks/new/", webhooks.webhook_create, name="webhook_create"),
    path("webhooks/<int:pk>/", webhooks.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/edit/", webhooks.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:pk>/delete/", webhooks.webhook_delete, name="webhook_delete"),
    path("deliveries/<int:pk>/replay/", webhooks.delivery_replay, name="delivery_replay"),
]
