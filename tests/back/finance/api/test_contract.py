"""The finance API's contract: shapes, filters, state changes, and the errors a client must handle."""

from __future__ import annotations

from decimal import Decimal as D

from spona.back.finance import selectors
from spona.back.finance.models import Invoice, JournalEntry
from tests.api.conftest import assert_problem
from tests.back.finance.web.helpers import DAY, make_invoice, pay
from tests.factories import member, party

API = "/api/v1/finance"


def invoice_body(customer, accounts, vat20, **extra):
    return {
        "kind": "out_invoice",
        "party_id": customer.pk,
        "invoice_date": "2026-04-01",
        "lines": [
            {
                "description": "Consulting",
                "account_id": accounts["4100"].pk,
                "quantity": "2",
                "unit_price": "100",
                "tax_ids": [vat20.pk],
            },
            {"description": "Books", "account_id": accounts["4000"].pk, "unit_price": "50.00", "tax_ids": [vat20.pk]},
        ],
        **extra,
    }


def test_accounts_and_journals(api_as, accountant):
    client = api_as(accountant)
    accounts = client.get(f"{API}/accounts").json()
    receivable = next(a for a in accounts if a["code"] == "1100")
    assert receivable["role"] == "receivable" and receivable["reconcilable"] is True and receivable["parent_id"]
    assert {j["code"] for j in client.get(f"{API}/journals").json()} == {"SAL", "PUR", "BNK", "CSH", "GEN", "FXR"}


def test_invoice_lifecycle_draft_update_post_pay_credit(api_as, accountant, customer, accounts, vat20, journals):
    client = api_as(accountant)
    # create a draft: totals are exact strings
    response = client.post(
        f"{API}/invoices", invoice_body(customer, accounts, vat20, reference="PO-9"), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    draft = response.json()
    assert (draft["state"], draft["untaxed"], draft["tax"], draft["total"]) == ("draft", "250.00", "50.00", "300.00")
    assert draft["payment_state"] == "" and draft["number"] == "" and len(draft["lines"]) == 2
    assert draft["lines"][0]["tax_ids"] == [vat20.pk] and draft["partner"] == {"id": customer.pk, "name": "Kupac d.o.o."}
    # update it with the version read
    body = {k: v for k, v in invoice_body(customer, accounts, vat20).items() if k != "kind"}
    body["lines"] = body["lines"][:1]
    response = client.put(f"{API}/invoices/{draft['id']}", {**body, "version": draft["version"]}, content_type="application/json")
    assert response.status_code == 200 and response.json()["total"] == "240.00"
    # a stale version answers 409 and changes nothing
    response = client.put(
        f"{API}/invoices/{draft['id']}", {**body, "version": draft["version"], "reference": "X"}, content_type="application/json"
    )
    assert_problem(response, 409, "conflict")
    # post: numbered, an entry, not paid
    posted = client.post(f"{API}/invoices/{draft['id']}/post").json()
    assert posted["state"] == "posted" and posted["number"] == "SAL/2026/00001" and posted["payment_state"] == "not_paid"
    assert posted["entry_id"] and posted["residual"] == "240.00" and posted["due_date"] == "2026-04-01"
    # posting again answers 409
    assert_problem(client.post(f"{API}/invoices/{draft['id']}/post"), 409, "invalid_state")
    # and a posted invoice cannot be updated
    response = client.put(
        f"{API}/invoices/{draft['id']}", {**body, "version": posted["version"]}, content_type="application/json"
    )
    assert_problem(response, 409, "invalid_state")
    # a partial payment
    payment = {"direction": "inbound", "party_id": customer.pk, "amount": "40.00", "journal_id": journals["BNK"].pk}
    payment |= {"date": "2026-04-10", "invoice_ids": [draft["id"]], "reference": "wire 1"}
    response = client.post(f"{API}/payments", payment, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "40.00" and response.json()["number"].startswith("BNK/2026/")
    invoice = client.get(f"{API}/invoices/{draft['id']}").json()
    assert (invoice["payment_state"], invoice["residual"]) == ("partial", "200.00")
    # a credit note settles the rest
    response = client.post(f"{API}/invoices/{draft['id']}/credit", {"reason": "Returned"}, content_type="application/json")
    assert response.status_code == 201
    credit = response.json()
    assert credit["kind"] == "out_refund" and credit["reversal_of_id"] == draft["id"] and credit["state"] == "posted"
    assert client.get(f"{API}/invoices/{draft['id']}").json()["payment_state"] == "paid"


def test_invoice_validation_errors_are_422_with_fields(api_as, accountant, customer, accounts, vat20, other_company):
    client = api_as(accountant)
    foreign = party(other_company, "Globex Secret")
    body = invoice_body(foreign, accounts, vat20)
    body["lines"][1]["unit_price"] = "-5"
    problem = assert_problem(client.post(f"{API}/invoices", body, content_type="application/json"), 422)
    assert "lines.1.unit_price" in problem["errors"]
    body["lines"][1]["unit_price"] = "5"
    problem = assert_problem(client.post(f"{API}/invoices", body, content_type="application/json"), 422, "validation_failed")
    assert problem["errors"]["party"] == ["Choose a partner of this company."]
    assert "Globex" not in str(problem)
    # fields the services own cannot be written (SEC2)
    for field, value in (
        ("state", "posted"),
        ("number", "X-1"),
        ("total", "1.00"),
        ("company", other_company.pk),
        ("version", 7),
    ):
        response = client.post(
            f"{API}/invoices", {**invoice_body(customer, accounts, vat20), field: value}, content_type="application/json"
        )
        assert_problem(response, 422)
    assert not Invoice.objects.exists()


def test_invoice_list_filters_and_cursor(api_as, accountant, customer, accounts, vat20, journals):
    company = accountant.default_company
    paid = make_invoice(company, customer, accounts, vat20)
    pay(company, paid, journals, "300.00")
    other = party(company, "Drugi Kupac")
    drafts = [make_invoice(company, other, accounts, vat20, post=False) for _ in range(3)]
    client = api_as(accountant)

    def ids(query):
        response = client.get(f"{API}/invoices?{query}")
        assert response.status_code == 200, response.content
        return {i["id"] for i in response.json()["items"]}

    assert ids("payment_state=paid") == {paid.pk}
    assert ids("state=draft") == {d.pk for d in drafts}
    assert ids(f"party_id={other.pk}") == {d.pk for d in drafts}
    assert ids("q=kupac&state=posted") == {paid.pk}
    assert ids("kind=in_invoice") == set()
    # two at a time, every invoice once
    seen, cursor = [], None
    for _ in range(3):
        page = client.get(f"{API}/invoices?limit=2" + (f"&cursor={cursor}" if cursor else "")).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted([paid.pk] + [d.pk for d in drafts])
    assert_problem(client.get(f"{API}/invoices?cursor=garbage"), 422)
    assert_problem(client.get(f"{API}/invoices?date_from=2026-05-01&date_to=2026-01-01"), 422)
    assert_problem(client.get(f"{API}/invoices?payment_state=alien"), 422)


def test_entries_create_post_reverse(api_as, accountant, accounts, journals):
    client = api_as(accountant)
    body = {
        "journal_id": journals["GEN"].pk,
        "date": "2026-04-30",
        "memo": "April rent",
        "lines": [{"account_id": accounts["6100"].pk, "debit": "900.00"}, {"account_id": accounts["1000"].pk, "credit": "900"}],
    }
    response = client.post(f"{API}/entries", body, content_type="application/json")
    assert response.status_code == 201, response.content
    entry = response.json()
    assert entry["state"] == "draft" and [x["debit"] for x in entry["lines"]] == ["900.00", "0.00"]
    posted = client.post(f"{API}/entries/{entry['id']}/post").json()
    assert posted["state"] == "posted" and posted["number"] == "GEN/2026/00001" and posted["chain_position"] == 1
    assert len(posted["hash"]) == 64
    assert_problem(client.post(f"{API}/entries/{entry['id']}/post"), 409, "invalid_state")
    response = client.post(f"{API}/entries/{entry['id']}/reverse", {"reason": "wrong month"}, content_type="application/json")
    assert response.status_code == 201
    reversal = response.json()
    assert reversal["reversal_of_id"] == entry["id"] and [x["credit"] for x in reversal["lines"]] == ["900.00", "0.00"]
    assert_problem(client.post(f"{API}/entries/{entry['id']}/reverse", {}, content_type="application/json"), 409)
    listed = client.get(f"{API}/entries?state=posted&journal_id={journals['GEN'].pk}").json()["items"]
    assert {e["id"] for e in listed} == {entry["id"], reversal["id"]}


def test_entry_errors(api_as, accountant, accounts, journals, other_company):
    client = api_as(accountant)
    body = {
        "journal_id": journals["GEN"].pk,
        "date": "2026-04-30",
        "lines": [{"account_id": accounts["6100"].pk, "debit": "1.001"}],
    }
    problem = assert_problem(client.post(f"{API}/entries", body, content_type="application/json"), 422)
    assert problem["errors"]["lines[0]"] == ["Amounts in EUR have at most 2 decimals."]
    body["lines"] = [{"account_id": accounts["6100"].pk, "debit": "5"}, {"account_id": accounts["1000"].pk, "credit": "4"}]
    draft = client.post(f"{API}/entries", body, content_type="application/json").json()
    problem = assert_problem(client.post(f"{API}/entries/{draft['id']}/post"), 422, "unbalanced")
    assert JournalEntry.objects.get(pk=draft["id"]).is_draft()
    # dates far outside any business calendar are refused as input, not as a server error
    body["date"] = "9999-12-31"
    assert_problem(client.post(f"{API}/entries", body, content_type="application/json"), 422)
    assert_problem(client.get(f"{API}/entries/999999"), 404)


def test_trial_balance(api_as, accountant, customer, accounts, vat20, journals):
    company = accountant.default_company
    invoice = make_invoice(company, customer, accounts, vat20)
    pay(company, invoice, journals, "100.00", day=DAY.replace(month=5))
    client = api_as(accountant)
    body = client.get(f"{API}/trial-balance").json()
    assert body["debit"] == body["credit"] == "400.00" and body["currency"] == "EUR"
    april = client.get(f"{API}/trial-balance?date_from=2026-04-01&date_to=2026-04-30").json()
    rows = {r["code"]: r for r in april["rows"]}
    assert rows["1100"]["balance"] == "300.00" and rows["4100"]["credit"] == "200.00" and april["debit"] == "300.00"
    assert_problem(client.get(f"{API}/trial-balance?date_from=2026-05-01&date_to=2026-04-01"), 422)


def test_payments_list_and_errors(api_as, accountant, customer, accounts, vat20, journals):
    company = accountant.default_company
    invoice = make_invoice(company, customer, accounts, vat20)
    pay(company, invoice, journals, "100.00")
    client = api_as(accountant)
    items = client.get(f"{API}/payments?direction=inbound").json()["items"]
    assert [(p["amount"], p["partner"]["name"]) for p in items] == [("100.00", "Kupac d.o.o.")]
    assert client.get(f"{API}/payments?direction=outbound").json()["items"] == []
    body = {
        "direction": "inbound",
        "party_id": customer.pk,
        "amount": "5",
        "journal_id": journals["SAL"].pk,
        "date": "2026-04-02",
    }
    problem = assert_problem(client.post(f"{API}/payments", body, content_type="application/json"), 422)
    assert problem["errors"] == {"journal": ["Unknown journal."]}
    assert selectors.invoice_residual(invoice) == D("200.00")


def test_roles(api_as, ledger, customer, accounts, vat20):
    invoice = make_invoice(ledger, customer, accounts, vat20, post=False)
    manager = api_as(member(ledger, "management"))
    assert manager.get(f"{API}/invoices").status_code == 200
    assert manager.get(f"{API}/invoices/{invoice.pk}").status_code == 200
    assert_problem(manager.post(f"{API}/invoices/{invoice.pk}/post"), 403)
    seller = api_as(member(ledger, "sales"))
    for url in ("/invoices", f"/invoices/{invoice.pk}", "/entries", "/accounts", "/journals", "/payments", "/trial-balance"):
        assert_problem(seller.get(f"{API}{url}"), 403)
    reader = api_as(member(ledger, "finance"), scope="read")
    assert_problem(reader.post(f"{API}/invoices/{invoice.pk}/post"), 403, "insufficient_scope")
    invoice.refresh_from_db()
    assert invoice.is_draft()


def test_idempotent_invoice_creation(api_as, accountant, customer, accounts, vat20):
    client = api_as(accountant)
    body = invoice_body(customer, accounts, vat20)
    first = client.post(f"{API}/invoices", body, content_type="application/json", headers={"Idempotency-Key": "inv-1"})
    again = client.post(f"{API}/invoices", body, content_type="application/json", headers={"Idempotency-Key": "inv-1"})
    assert first.status_code == again.status_code == 201 and first.content == again.content
    assert again["Idempotent-Replayed"] == "true" and Invoice.objects.count() == 1
