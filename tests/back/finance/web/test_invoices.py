"""The invoice and bill screens, page by page and role by role."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import pytest

from spona.back.finance import selectors, services
from spona.back.finance.models import Account, Invoice, Tax
from spona.back.finance.services import InvoiceLineIn
from tests.back.finance.web.helpers import DAY, make_invoice, pay
from tests.factories import member, party


def line_data(rows, total=None):
    """POST data of the line formset for ``rows`` (dicts of field values)."""
    data = {"lines-TOTAL_FORMS": str(total or len(rows)), "lines-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"lines-{i}-{key}"] = value
    return data


def two_lines(accounts, vat20):
    return [
        {"description": "Consulting", "account": accounts["4100"].pk, "quantity": "2", "unit_price": "100", "taxes": [vat20.pk]},
        {"description": "Books", "account": accounts["4000"].pk, "quantity": "1", "unit_price": "50", "taxes": [vat20.pk]},
    ]


# List -----------------------------------------------------------------------------------------


def test_finance_lists_the_companys_invoices_with_payment_state(client, login, accountant, customer, accounts, vat20, journals):
    # given a paid-in-part invoice, a draft, and another company's invoice
    partial = make_invoice(accountant.default_company, customer, accounts, vat20)
    pay(accountant.default_company, partial, journals, "100.00")
    make_invoice(accountant.default_company, customer, accounts, vat20, post=False)
    # when finance opens the list
    content = login(accountant).get("/finance/invoices/").content.decode()
    # then both show, with the state, the open amount and "Partially paid"
    assert partial.number in content and "Draft" in content
    assert "Partially paid" in content and "200.00" in content and "300.00" in content


def test_bills_and_invoices_are_separate_lists(client, login, accountant, customer, accounts):
    ledger = accountant.default_company
    services.invoice_create(
        actor=None,
        company=ledger,
        kind="in_invoice",
        party_id=customer.pk,
        invoice_date=DAY,
        lines=[InvoiceLineIn(description="Rent", account_id=accounts["6100"].pk, unit_price=D("900"))],
        reference="BILL-REF-77",
    )
    login(accountant)
    assert "BILL-REF-77" not in client.get("/finance/invoices/?q=BILL-REF").content.decode()
    assert "Rent" not in client.get("/finance/invoices/").content.decode()
    content = client.get("/finance/bills/?q=BILL-REF").content.decode()
    assert "Kupac d.o.o." in content and "900.00" in content


def test_filters_search_and_bad_values(client, login, accountant, customer, accounts, vat20, journals):
    company = accountant.default_company
    other = party(company, "Drugi Kupac", roles=["customer"])
    paid = make_invoice(company, customer, accounts, vat20)
    pay(company, paid, journals, "300.00")
    open_one = make_invoice(company, other, accounts, vat20, day=DAY.replace(month=5))
    login(accountant)

    def numbers(query):
        response = client.get(f"/finance/invoices/?{query}")
        assert response.status_code == 200
        return {row["invoice"].number for row in response.context["rows"]}

    assert numbers("payment_state=paid") == {paid.number}
    assert numbers("payment_state=not_paid") == {open_one.number}
    assert numbers("payment_state=partial") == set()
    assert numbers(f"party={other.pk}") == {open_one.number}
    assert numbers("q=drugi") == {open_one.number}
    assert numbers(f"q={paid.number}") == {paid.number}
    assert numbers("date_from=2026-05-01") == {open_one.number}
    assert numbers("date_to=2026-04-30&state=posted") == {paid.number}
    assert numbers("kind=out_refund") == set()
    # an unknown value drops only its own filter; reversed dates and a broken cursor are messages, never a 500
    assert numbers("state=alien&payment_state=alien&party=x") == {paid.number, open_one.number}
    assert client.get("/finance/invoices/?date_from=2026-06-01&date_to=2026-01-01").status_code == 200
    assert client.get("/finance/invoices/?cursor=garbage").status_code == 200


def test_live_search_answers_htmx_with_the_results_only(client, login, accountant, customer, accounts, vat20):
    make_invoice(accountant.default_company, customer, accounts, vat20)
    content = login(accountant).get("/finance/invoices/?q=kupac", HTTP_HX_REQUEST="true").content.decode()
    assert "Kupac d.o.o." in content and "<html" not in content


def test_pagination_walks_every_invoice_once(client, login, accountant, customer, accounts, vat20):
    company = accountant.default_company
    drafts = {make_invoice(company, customer, accounts, vat20, post=False).pk for _ in range(30)}
    login(accountant)
    seen, url = [], "/finance/invoices/"
    for _ in range(3):
        response = client.get(url)
        seen += [row["invoice"].pk for row in response.context["rows"]]
        if response.context["page"].next_cursor is None:
            break
        url = f"/finance/invoices/?cursor={response.context['page'].next_cursor}"
    assert sorted(seen) == sorted(drafts) and len(seen) == 30


def test_invoice_list_query_count_is_pinned(
    client, login, accountant, customer, accounts, vat20, journals, django_assert_max_num_queries
):
    # given a full page of posted invoices, some paid in part
    company = accountant.default_company
    for n in range(26):
        invoice = make_invoice(company, party(company, f"Customer {n:02d}"), accounts, vat20)
        if n % 3 == 0:
            pay(company, invoice, journals, "10.00")
    login(accountant)
    # the page costs the same number of queries however many rows it shows (no N+1)
    with django_assert_max_num_queries(6) as queries:
        response = client.get("/finance/invoices/")
    assert response.status_code == 200 and len(response.context["rows"]) == 25
    print(f"\ninvoice list: {len(queries.captured_queries)} queries for 25 rows")


def test_csv_export_streams_the_filtered_list(client, login, accountant, customer, accounts, vat20, journals):
    company = accountant.default_company
    invoice = make_invoice(company, customer, accounts, vat20)
    pay(company, invoice, journals, "100.00")
    make_invoice(company, party(company, "=HYPERLINK(evil)"), accounts, vat20)
    response = login(accountant).get("/finance/invoices/export.csv?state=posted")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["number", "kind", "state"]
    by_number = {r[0]: r for r in rows[1:]}
    assert by_number[invoice.number][9:12] == ["300.0000", "200.0000", "partial"]
    # a partner name that a spreadsheet would run as a formula is neutralised
    assert any(r[3] == "'=HYPERLINK(evil)" for r in rows[1:])


# Roles and companies -------------------------------------------------------------------------------


def test_sales_and_other_roles_cannot_open_the_ledger(client, login, ledger, customer, accounts, vat20):
    invoice = make_invoice(ledger, customer, accounts, vat20)
    login(member(ledger, "sales"))
    for url in ("/finance/invoices/", "/finance/bills/", f"/finance/documents/{invoice.pk}/", "/finance/invoices/new/"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/finance/documents/{invoice.pk}/credit/", {"reason": "x"}).status_code == 403
    assert Invoice.objects.filter(reversal_of=invoice).count() == 0


def test_management_reads_but_cannot_change(client, login, ledger, customer, accounts, vat20):
    draft = make_invoice(ledger, customer, accounts, vat20, post=False)
    login(member(ledger, "management"))
    assert client.get("/finance/invoices/").status_code == 200
    content = client.get(f"/finance/documents/{draft.pk}/").content.decode()
    assert "Consulting" in content and "/post/" not in content and "/edit/" not in content
    assert client.get("/finance/invoices/new/").status_code == 403
    assert client.post(f"/finance/documents/{draft.pk}/post/").status_code == 403
    draft.refresh_from_db()
    assert draft.is_draft()


def test_other_companys_invoice_is_not_found(client, login, accountant, other_company, accounts, vat20):
    services.ledger_setup(actor=None, company=other_company)
    foreign_customer = party(other_company, "Globex Secret")
    foreign = make_invoice(
        other_company,
        foreign_customer,
        {a.code: a for a in Account.objects.filter(company=other_company)},
        Tax.objects.get(company=other_company, use="sales"),
    )
    login(accountant)
    for url in (
        f"/finance/documents/{foreign.pk}/",
        f"/finance/documents/{foreign.pk}/edit/",
        f"/finance/documents/{foreign.pk}/pay/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Globex Secret" not in response.content.decode()
    assert client.post(f"/finance/documents/{foreign.pk}/post/").status_code == 404
    assert client.post(f"/finance/entries/{foreign.entry_id}/reverse/").status_code == 404
    assert "Globex Secret" not in client.get("/finance/invoices/").content.decode()


# Detail and actions -------------------------------------------------------------------------------


def test_detail_shows_lines_taxes_totals_entry_and_payments(client, login, accountant, customer, accounts, vat20, journals):
    company = accountant.default_company
    invoice = make_invoice(company, customer, accounts, vat20)
    payment = pay(company, invoice, journals, "100.00")
    response = login(accountant).get(f"/finance/documents/{invoice.pk}/")
    content = response.content.decode()
    assert "Consulting" in content and "Books" in content
    assert vat20.name in content and "250.00" in content and "50.00" in content and "300.00" in content
    assert "Partially paid" in content and response.context["residual"] == D("200.0000")
    assert f"/finance/entries/{invoice.entry_id}/" in content
    assert f"/finance/entries/{payment.entry_id}/" in content


def test_post_a_draft(client, login, accountant, customer, accounts, vat20):
    draft = make_invoice(accountant.default_company, customer, accounts, vat20, post=False)
    response = login(accountant).post(f"/finance/documents/{draft.pk}/post/", follow=True)
    draft.refresh_from_db()
    assert draft.is_posted() and draft.number in response.content.decode()
    # posting again is refused with a message, not an error page
    response = client.post(f"/finance/documents/{draft.pk}/post/", follow=True)
    assert response.status_code == 200 and "already posted" in response.content.decode()


def test_issue_a_credit_note(client, login, accountant, customer, accounts, vat20):
    invoice = make_invoice(accountant.default_company, customer, accounts, vat20)
    login(accountant)
    # the reason is required: the form comes back with its error
    response = client.post(f"/finance/documents/{invoice.pk}/credit/", {"reason": ""})
    assert response.status_code == 422 and "This field is required" in response.content.decode()
    response = client.post(f"/finance/documents/{invoice.pk}/credit/", {"reason": "Returned goods"})
    credit = Invoice.objects.get(reversal_of=invoice)
    assert response.status_code == 302 and response["Location"] == f"/finance/documents/{credit.pk}/"
    assert credit.is_posted() and credit.notes == "Returned goods"
    assert selectors.invoice_payment_state(invoice) == "paid"


def test_register_a_partial_payment(client, login, accountant, customer, accounts, vat20, journals):
    invoice = make_invoice(accountant.default_company, customer, accounts, vat20)
    login(accountant)
    form = client.get(f"/finance/documents/{invoice.pk}/pay/").context["form"]
    # the amount defaults to what is still open
    assert form.initial["amount"] == D("300.0000")
    response = client.post(
        f"/finance/documents/{invoice.pk}/pay/",
        {"amount": "120.00", "date": "2026-04-10", "journal": journals["BNK"].pk, "reference": "Bank 1"},
        follow=True,
    )
    assert "Partially paid" in response.content.decode()
    assert selectors.invoice_residual(invoice) == D("180.00")
    # an invalid amount keeps the form with the error
    response = client.post(
        f"/finance/documents/{invoice.pk}/pay/", {"amount": "1.001", "date": "2026-04-10", "journal": journals["BNK"].pk}
    )
    assert response.status_code == 422 and "1.001" in response.content.decode()


# Draft form -----------------------------------------------------------------------------------


def test_create_a_draft_with_two_lines(client, login, accountant, customer, accounts, vat20):
    login(accountant)
    assert client.get("/finance/invoices/new/").status_code == 200
    data = {"kind": "out_invoice", "party": customer.pk, "invoice_date": "2026-04-01", "currency": "eur", "reference": "PO-1"}
    response = client.post("/finance/invoices/new/", {**data, **line_data(two_lines(accounts, vat20))})
    invoice = Invoice.objects.get(reference="PO-1")
    assert response.status_code == 302 and response["Location"] == f"/finance/documents/{invoice.pk}/"
    assert (invoice.untaxed, invoice.tax, invoice.total, invoice.currency) == (D("250"), D("50"), D("300"), "EUR")
    assert invoice.is_draft() and invoice.lines.count() == 2


def test_removed_and_untouched_rows_are_skipped(client, login, accountant, customer, accounts, vat20):
    login(accountant)
    rows = two_lines(accounts, vat20)
    # row 1 was removed from the page (a gap in the indexes) and row 3 is an untouched empty row
    data = line_data([rows[0]], total=4)
    data.update({f"lines-2-{k}": v for k, v in rows[1].items()})
    data["lines-3-quantity"] = "1"
    base = {"kind": "out_invoice", "party": customer.pk, "invoice_date": "2026-04-01", "currency": "EUR", "reference": "GAP"}
    assert client.post("/finance/invoices/new/", {**base, **data}).status_code == 302
    assert Invoice.objects.get(reference="GAP").lines.count() == 2


def test_form_errors_keep_what_was_typed(client, login, accountant, customer, accounts, vat20, other_company):
    login(accountant)
    foreign_party = party(other_company, "Globex Secret")
    rows = two_lines(accounts, vat20)
    # another company's partner is refused by the service like a missing one
    data = {
        "kind": "out_invoice",
        "party": foreign_party.pk,
        "invoice_date": "2026-04-01",
        "currency": "EUR",
        "reference": "KEEP-ME",
    }
    response = client.post("/finance/invoices/new/", {**data, **line_data(rows)})
    content = response.content.decode()
    assert response.status_code == 422
    assert "KEEP-ME" in content and "Consulting" in content
    assert "Choose a partner of this company." in content
    assert "Globex Secret" not in content
    assert not Invoice.objects.filter(reference="KEEP-ME").exists()
    # a line error from the service lands on its row
    rows[1]["quantity"] = "-1"
    data["party"] = customer.pk
    response = client.post("/finance/invoices/new/", {**data, **line_data(rows)})
    assert response.status_code == 422 and "The quantity must be positive." in response.content.decode()


def test_edit_a_draft_and_refuse_a_stale_edit(client, login, accountant, customer, accounts, vat20):
    draft = make_invoice(accountant.default_company, customer, accounts, vat20, post=False)
    login(accountant)
    page = client.get(f"/finance/documents/{draft.pk}/edit/")
    assert page.status_code == 200 and "Consulting" in page.content.decode()
    data = {"version": draft.version, "party": customer.pk, "invoice_date": "2026-04-02", "currency": "EUR", "reference": "V2"}
    rows = two_lines(accounts, vat20)[:1]
    assert client.post(f"/finance/documents/{draft.pk}/edit/", {**data, **line_data(rows)}).status_code == 302
    draft.refresh_from_db()
    assert draft.reference == "V2" and draft.lines.count() == 1 and draft.total == D("240")
    # the same form sent again carries the old version: refused, nothing overwritten
    response = client.post(f"/finance/documents/{draft.pk}/edit/", {**data, "reference": "V3", **line_data(rows)})
    assert response.status_code == 409 and "Someone else changed this invoice" in response.content.decode()
    draft.refresh_from_db()
    assert draft.reference == "V2"


def test_a_posted_invoice_cannot_be_edited(client, login, accountant, customer, accounts, vat20):
    invoice = make_invoice(accountant.default_company, customer, accounts, vat20)
    response = login(accountant).get(f"/finance/documents/{invoice.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == f"/finance/documents/{invoice.pk}/"


def test_live_totals_compute_what_posting_would(client, login, accountant, customer, accounts, vat20, company):
    company.tax_rounding = "global"
    company.save()
    login(accountant)
    rows = [
        {
            "description": "x",
            "account": accounts["4100"].pk,
            "quantity": "16",
            "unit_price": "348.35",
            "discount": "4",
            "taxes": [vat20.pk],
        },
        {"description": "", "quantity": "abc"},  # not a number yet: left out of the totals
    ]
    response = client.post("/finance/invoices/totals/", {"currency": "EUR", **line_data(rows)}, HTTP_HX_REQUEST="true")
    totals = response.context["totals"]
    # 348.35 × 16 less 4 % = 5350.656 → 5350.66 untaxed (global rounding), VAT 20 % 1070.13
    assert (totals["untaxed"], totals["total"]) == (D("5350.66"), D("6420.79"))
    assert "<html" not in response.content.decode() and "6,420.79" in response.content.decode()
    # a broken formset answers an empty panel, not an error
    assert client.post("/finance/invoices/totals/", {}).status_code == 200


def test_add_line_answers_a_new_row_and_the_row_count(client, login, accountant, accounts):
    response = login(accountant).get("/finance/invoices/line/?lines-TOTAL_FORMS=3", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert 'name="lines-3-description"' in content
    assert 'id="id_lines-TOTAL_FORMS"' in content and 'value="4"' in content and 'hx-swap-oob="true"' in content
    assert "4100 Sales of services" in content
    # a silly index stays within bounds
    assert 'name="lines-0-description"' in client.get("/finance/invoices/line/?lines-TOTAL_FORMS=-5").content.decode()


@pytest.mark.parametrize("url", ["/finance/invoices/", "/finance/invoices/new/", "/finance/bills/new/"])
def test_pages_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
