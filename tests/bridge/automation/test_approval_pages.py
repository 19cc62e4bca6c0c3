from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from spona.bridge.automation import services
from spona.bridge.automation.models import ApprovalPolicy, ApprovalRequest
from tests.factories import member

pytestmark = pytest.mark.django_db


def ask(actor, company, n):
    return services.approval_request(
        actor=actor,
        company=company,
        kind="purchasing.order",
        record_type="purchasing.order",
        record_id=n,
        subject=f"PO-{n:04d} Office chairs",
        amount=Decimal("2500.00"),
        currency="EUR",
    )


def test_the_inbox_lists_what_waits_for_me_with_bounded_queries(client, company, sales, django_assert_max_num_queries):
    # given five pending requests and a manager
    boss = member(company, "management")
    for n in range(1, 6):
        ask(sales, company, n)
    client.force_login(boss)
    # when the manager opens the inbox
    with django_assert_max_num_queries(20):
        response = client.get(reverse("automation:approval_inbox"))
    # then all five are listed
    assert response.status_code == 200
    assert response.content.decode().count("Office chairs") == 5


def test_a_manager_approves_from_the_request_page(client, company, sales):
    # given a pending request
    boss = member(company, "management")
    request = ask(sales, company, 1)
    client.force_login(boss)
    page = client.get(reverse("automation:approval_detail", args=[request.pk]))
    assert b'id="decision-form"' in page.content
    # when the manager approves with a comment
    response = client.post(
        reverse("automation:approval_detail", args=[request.pk]), {"decision": "approve", "comment": "Within budget"}
    )
    # then it is approved, and the manager is back in the inbox
    assert response.status_code == 302 and response["Location"] == reverse("automation:approval_inbox")
    request.refresh_from_db()
    assert request.state == "approved"
    assert request.steps.get().comment == "Within budget"


def test_the_requester_sees_the_request_but_no_decision_buttons(client, company, sales):
    request = ask(sales, company, 1)
    client.force_login(sales)
    page = client.get(reverse("automation:approval_detail", args=[request.pk]))
    assert page.status_code == 200 and b'id="decision-form"' not in page.content
    # and a forged decision shows the refusal instead of deciding
    response = client.post(reverse("automation:approval_detail", args=[request.pk]), {"decision": "approve"})
    assert response.status_code == 200 and b"Nobody approves their own request." in response.content
    assert ApprovalRequest.objects.get(pk=request.pk).state == "pending"


def test_an_uninvolved_employee_finds_no_request(client, company, sales):
    request = ask(sales, company, 1)
    client.force_login(member(company, "support"))
    assert client.get(reverse("automation:approval_detail", args=[request.pk])).status_code == 404


def test_an_admin_sets_up_a_two_step_policy(client, company, admin):
    # given the admin on the new policy form
    client.force_login(admin)
    # when they enter management from 0 and finance from 10,000
    response = client.post(
        reverse("automation:policy_create"),
        {
            "kind": "purchasing.order",
            "name": "Purchase orders",
            "is_active": "on",
            "role_1": "management",
            "min_amount_1": "0",
            "role_2": "finance",
            "min_amount_2": "10000",
        },
    )
    # then the policy has both steps in order
    assert response.status_code == 302
    policy = ApprovalPolicy.objects.get(company=company, kind="purchasing.order")
    assert [(s.role, s.min_amount) for s in policy.steps.all()] == [("management", Decimal(0)), ("finance", Decimal(10000))]
    assert b"purchasing.order" in client.get(reverse("automation:policy_list")).content


def test_a_policy_with_falling_amounts_is_shown_back_with_the_error(client, company, admin):
    client.force_login(admin)
    response = client.post(
        reverse("automation:policy_create"),
        {"kind": "sales.discount", "role_1": "finance", "min_amount_1": "500", "role_2": "management", "min_amount_2": "100"},
    )
    assert response.status_code == 200 and b"must not be below the previous step" in response.content
    assert not ApprovalPolicy.objects.exists()
