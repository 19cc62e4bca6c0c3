from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction

from spona.bridge.automation import selectors, services
from spona.bridge.automation.models import ApprovalRequest, ApprovalStep
from spona.core import events
from spona.core.errors import NotFound, PermissionDenied, StateError, ValidationFailed
from spona.core.models import Event
from tests.factories import deliver_events, member

pytestmark = pytest.mark.django_db


def ask(actor, company, *, amount=Decimal("1000.00"), kind="sales.discount", record_id=7):
    return services.approval_request(
        actor=actor,
        company=company,
        kind=kind,
        record_type="sales.quotation",
        record_id=record_id,
        subject=f"Discount 25 % on Q-{record_id}",
        amount=amount,
        currency="EUR",
        url=f"/sales/quotations/{record_id}/",
    )


@pytest.fixture
def boss(company):
    return member(company, "management", full_name="Mira Manager", email="boss@acme.test")


@pytest.fixture
def cfo(company):
    return member(company, "finance", full_name="Filip Finance", email="cfo@acme.test")


def test_without_a_policy_one_management_step_decides(company, sales, boss):
    # given no policy for the kind
    # when a salesperson asks for approval
    request = ask(sales, company)
    # then one pending step by management, and an approval_requested event
    assert [(s.sequence, s.role, s.state) for s in request.steps.all()] == [(1, "management", "pending")]
    assert Event.objects.filter(name="automation.approval_requested", payload__request_id=request.pk).exists()
    # and management sees it in the inbox, the requester does not
    assert selectors.approval_inbox(user=boss, company=company) == [request]
    assert selectors.approval_inbox(user=sales, company=company) == []


def test_policy_thresholds_pick_the_steps_by_amount(company, admin):
    # given management from 0, finance from 5,000 and admin from 20,000
    services.policy_save(
        actor=admin,
        company=company,
        kind="purchasing.order",
        name="Purchase orders",
        steps=[
            services.PolicyStepIn("management"),
            services.PolicyStepIn("finance", Decimal(5000)),
            services.PolicyStepIn("admin", Decimal(20000)),
        ],
    )
    # when requests of three sizes are routed
    roles = [services.roles_for(company=company, kind="purchasing.order", amount=Decimal(a)) for a in ("100", "5000", "25000")]
    # then each gets the steps its amount reaches
    assert roles == [["management"], ["management", "finance"], ["management", "finance", "admin"]]


def test_an_amount_below_every_step_still_gets_the_first_step(company, admin):
    # given a policy whose only step starts at 10,000
    services.policy_save(
        actor=admin, company=company, kind="sales.discount", name="", steps=[services.PolicyStepIn("finance", Decimal(10000))]
    )
    # when / then a small request still needs the finance step (the caller judged approval necessary)
    assert services.roles_for(company=company, kind="sales.discount", amount=Decimal(5)) == ["finance"]


def test_multi_step_flow_approves_after_the_last_step(company, admin, sales, boss, cfo):
    # given a two-step policy
    services.policy_save(
        actor=admin,
        company=company,
        kind="sales.discount",
        name="Discounts",
        steps=[services.PolicyStepIn("management"), services.PolicyStepIn("finance", Decimal(500))],
    )
    request = ask(sales, company, amount=Decimal("800.00"))
    # when the finance user tries first, then management and finance decide in order
    with pytest.raises(PermissionDenied):
        services.approval_decide(actor=cfo, company=company, request_id=request.pk, approve=True, comment="")
    services.approval_decide(actor=boss, company=company, request_id=request.pk, approve=True, comment="Fine by me")
    request.refresh_from_db()
    assert request.state == "pending"
    assert selectors.approval_inbox(user=cfo, company=company) == [request]
    services.approval_decide(actor=cfo, company=company, request_id=request.pk, approve=True, comment="Margin ok")
    # then the request is approved, both decisions are recorded, one decided event is published
    request.refresh_from_db()
    assert request.state == "approved" and request.decided_at is not None
    assert [(s.state, s.decided_by_id, s.comment) for s in request.steps.all()] == [
        ("approved", boss.pk, "Fine by me"),
        ("approved", cfo.pk, "Margin ok"),
    ]
    decided = Event.objects.get(name="automation.approval_decided")
    assert decided.payload == {
        "request_id": request.pk,
        "kind": "sales.discount",
        "record_type": "sales.quotation",
        "record_id": 7,
        "outcome": "approved",
        "comment": "Margin ok",
        "decided_by_id": cfo.pk,
    }


def test_a_rejection_ends_the_flow_and_skips_later_steps(company, admin, sales, boss):
    # given a two-step request
    services.policy_save(
        actor=admin,
        company=company,
        kind="sales.discount",
        name="",
        steps=[services.PolicyStepIn("management"), services.PolicyStepIn("finance")],
    )
    request = ask(sales, company)
    # when management rejects it
    services.approval_decide(actor=boss, company=company, request_id=request.pk, approve=False, comment="Too deep")
    # then it is rejected, the finance step is not needed, and a second decision is refused
    request.refresh_from_db()
    assert request.state == "rejected"
    assert [s.state for s in request.steps.all()] == ["rejected", "skipped"]
    assert Event.objects.get(name="automation.approval_decided").payload["outcome"] == "rejected"
    with pytest.raises(StateError):
        services.approval_decide(actor=boss, company=company, request_id=request.pk, approve=True, comment="")


def test_nobody_approves_their_own_request(company, boss):
    # given a manager asking for approval of their own discount
    request = ask(boss, company)
    # when they try to approve it
    with pytest.raises(PermissionDenied) as refused:
        services.approval_decide(actor=boss, company=company, request_id=request.pk, approve=True, comment="")
    # then it is refused and nothing changed
    assert refused.value.code == "self_approval"
    assert ApprovalStep.objects.get(request=request).state == "pending"


def test_another_company_cannot_see_or_decide(company, other_company, sales):
    # given a request in Acme and a manager of Globex
    request = ask(sales, company)
    outsider = member(other_company, "management")
    # when / then the request does not exist for them
    with pytest.raises(NotFound):
        services.approval_decide(actor=outsider, company=other_company, request_id=request.pk, approve=True, comment="")
    with pytest.raises(NotFound):
        selectors.approval_get(user=outsider, company=other_company, request_id=request.pk)


def test_asking_twice_for_one_record_returns_the_pending_request(company, sales):
    # given a pending request for quotation 7
    first = ask(sales, company)
    # when it is asked again
    again = ask(sales, company)
    # then there is still one request
    assert again.pk == first.pk and ApprovalRequest.objects.count() == 1


def test_approval_for_gives_the_latest_request_of_a_record(company, sales, boss):
    # given a rejected request and a new one for the same record
    first = ask(sales, company)
    services.approval_decide(actor=boss, company=company, request_id=first.pk, approve=False, comment="No")
    second = ask(sales, company)
    # when the owning app reads the record's approval
    latest = selectors.approval_for(company=company, record_type="sales.quotation", record_id=7)
    # then it is the new, pending one
    assert latest.pk == second.pk and latest.state == "pending"


def test_invalid_requests_and_policies_are_refused(company, admin, sales):
    with pytest.raises(ValidationFailed) as bad_request:
        services.approval_request(
            actor=sales, company=company, kind="", record_type="x", record_id=1, subject=" ", amount=Decimal(-1)
        )
    assert set(bad_request.value.field_errors) == {"kind", "subject", "amount"}
    with pytest.raises(ValidationFailed) as bad_policy:
        services.policy_save(
            actor=admin,
            company=company,
            kind="sales.discount",
            name="",
            steps=[services.PolicyStepIn("finance", Decimal(100)), services.PolicyStepIn("portal", Decimal(50))],
        )
    assert len(bad_policy.value.field_errors["steps"]) == 2
    with pytest.raises(PermissionDenied):
        services.policy_save(actor=sales, company=company, kind="k", name="", steps=[services.PolicyStepIn("admin")])


def test_approvers_are_mailed_after_commit_with_a_link(company, sales, boss, django_capture_on_commit_callbacks):
    # given a second manager and a finance user who is no approver
    other = member(company, "management", email="boss2@acme.test")
    member(company, "finance", email="cfo@acme.test")
    # when a request is made and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(sales, company)
    # then both managers get one mail each, with the link to the request
    assert sorted(m.to[0] for m in mail.outbox) == sorted([boss.email, other.email])
    assert f"/automation/approvals/{request.pk}/" in mail.outbox[0].body
    assert "Discount 25 % on Q-7" in mail.outbox[0].subject


def test_nothing_is_mailed_when_the_transaction_rolls_back(company, sales, boss, django_capture_on_commit_callbacks):
    # given / when a request whose transaction rolls back
    with django_capture_on_commit_callbacks(execute=True), contextlib.suppress(RuntimeError), transaction.atomic():
        ask(sales, company)
        raise RuntimeError("the caller failed after asking")
    # then there is no request and no mail
    assert ApprovalRequest.objects.count() == 0 and mail.outbox == []


def test_the_requester_hears_the_outcome(company, sales, boss, django_capture_on_commit_callbacks):
    request = ask(sales, company)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.approval_decide(actor=boss, company=company, request_id=request.pk, approve=False, comment="Not this quarter")
    assert [m.to for m in mail.outbox] == [[sales.email]]
    assert "Not this quarter" in mail.outbox[0].body


def test_a_subscriber_hears_the_decision_once(company, sales, boss):
    # given a requesting app subscribed to the decision
    heard = []
    events.subscribe("automation.approval_decided", "tests.heard", lambda event: heard.append(event.payload["outcome"]))
    try:
        request = ask(sales, company)
        services.approval_decide(actor=boss, company=company, request_id=request.pk, approve=True, comment="ok")
        # when the events are delivered twice
        deliver_events()
        deliver_events()
    finally:
        events.unsubscribe("automation.approval_decided", "tests.heard")
    # then the handler ran once with the outcome
    assert heard == ["approved"]
