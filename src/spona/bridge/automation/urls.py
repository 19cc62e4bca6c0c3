"""Addresses of the automation screens, under /automation/."""

from django.urls import path

from spona.bridge.automation.views import approvals

app_name = "automation"

urlpatterns = [
    path("approvals/", approvals.approval_inbox, name="approval_inbox"),
    path("approvals/<int:pk>/", approvals.approval_detail, name="approval_detail"),
    path("policies/", approvals.policy_list, name="policy_list"),
    path("policies/new/", approvals.policy_create, name="policy_create"),
    path("policies/<int:pk>/", approvals.policy_edit, name="policy_edit"),
    path("policies/<int:pk>/delete/", approvals.policy_delete, name="policy_delete"),
]
