"""Importing parties: every row through core's party_create, all or nothing, duplicates by tax id or e-mail."""

from __future__ import annotations

import io

from openpyxl import Workbook

from spona.bridge.imports.readers import read
from spona.bridge.imports.services import auto_mapping, import_rows, importer_for
from spona.core.models import AuditEntry, ContactPoint, Event, Party
from tests.bridge.imports.conftest import csv_table
from tests.factories import party

GOOD = (
    "name,email,phone,city,street,country,roles,tax_id\n"
    "Alfa d.o.o.,office@alfa.example,+381 11 123 4567,Beograd,Knez Mihailova 1,RS,customer,\n"
    'Beta AD,info@beta.example,,Novi Sad,Bulevar 2,RS,"customer, supplier",101134702\n'
)


def _run(admin, company, text, commit, **kwargs):
    table = csv_table(text)
    mapping = kwargs.pop("mapping", None) or auto_mapping(importer_for("parties"), table.headers)
    return import_rows(actor=admin, company=company, kind="parties", table=table, mapping=mapping, commit=commit, **kwargs)


def test_a_dry_run_reports_the_rows_it_would_import_and_writes_nothing(admin, company):
    # given a file of two valid organisations
    # when it is checked
    outcome = _run(admin, company, GOOD, commit=False)
    # then both would be imported, and no party, event or audit row exists
    assert (outcome.total, outcome.imported, outcome.errors, outcome.committed) == (2, 2, [], False)
    assert not Party.objects.filter(company=company).exists()
    assert not Event.objects.filter(company=company).exists()


def test_a_commit_creates_each_party_with_its_contact_data_address_and_roles(admin, company):
    # when the file is imported
    outcome = _run(admin, company, GOOD, commit=True)
    # then both parties exist as the form would have made them
    assert outcome.committed and outcome.imported == 2
    beta = Party.objects.get(company=company, name="Beta AD")
    assert beta.tax_id == "101134702"
    assert sorted(beta.roles.values_list("role", flat=True)) == ["customer", "supplier"]
    assert beta.addresses.get().city == "Novi Sad"
    alfa = Party.objects.get(company=company, name="Alfa d.o.o.")
    assert set(alfa.contact_points.values_list("kind", flat=True)) == {"email", "phone"}
    assert Event.objects.filter(company=company, name="core.party_created").count() == 2
    assert AuditEntry.objects.filter(company=company, action="imported").count() == 1


def test_bad_rows_are_reported_by_line_and_column_and_nothing_is_written(admin, company):
    # given a file whose rows 3 and 4 are wrong (an invalid e-mail, no name at all)
    text = GOOD + "Gama,not-an-email,,,,,customer,\n,,,Niš,,RS,customer,\n"
    # when it is imported
    outcome = _run(admin, company, text, commit=True)
    # then the two bad rows are named with their column and message, and the good rows were rolled back
    assert not outcome.committed
    assert {(e.line, e.column) for e in outcome.errors} == {(4, "email"), (5, "name")}
    assert all(e.message for e in outcome.errors)
    assert not Party.objects.filter(company=company).exists()
    assert not ContactPoint.objects.filter(party__company=company).exists()
    assert not Event.objects.filter(company=company).exists()
    assert not AuditEntry.objects.filter(company=company, action="imported").exists()


def test_a_service_error_on_a_field_the_file_does_not_fill_names_the_field(admin, company):
    # given a file with a city but no street column: an address needs a street
    outcome = _run(admin, company, "name,city\nDelta,Beograd\n", commit=False)
    assert [(e.line, e.column, e.message.split(":")[0]) for e in outcome.errors] == [(2, "", "Street")]


def test_an_unknown_value_in_a_typed_column_is_a_row_error(admin, company):
    outcome = _run(admin, company, "name,kind\nDelta,company\n", commit=False)
    assert [(e.line, e.column) for e in outcome.errors] == [(2, "kind")]
    assert "organisation" in outcome.errors[0].message


def test_a_party_with_the_same_tax_id_or_e_mail_is_a_duplicate(admin, company):
    # given Beta registered already, and a file that also has one e-mail twice
    party(company, "Beta (old)", tax_id="101134702", tax_country="RS")
    text = GOOD + "Alfa again,OFFICE@alfa.example,,,,,,\n"
    # when it is checked
    outcome = _run(admin, company, text, commit=False)
    # then Beta's row names the existing party, and the repeated e-mail is caught within the file
    assert [(e.line, e.column) for e in outcome.errors] == [(3, "tax_id"), (4, "email")]
    assert "Beta (old)" in outcome.errors[0].message


def test_duplicates_can_be_skipped(admin, company):
    party(company, "Beta (old)", tax_id="101134702", tax_country="RS")
    outcome = _run(admin, company, GOOD, commit=True, options={"skip_duplicates": "yes"})
    assert (outcome.committed, outcome.imported, outcome.skipped) == (True, 1, 1)
    assert Party.objects.filter(company=company).count() == 2


def test_a_semicolon_separated_windows_file_is_read_and_its_headers_matched_by_label(admin, company):
    # given what a spreadsheet program saves as "CSV" in Serbia: cp1250, semicolons, labels as headers
    content = "Name;E-mail;City;Street\nŠumadija promet;kontakt@sumadija.example;Kragujevac;Kralja Petra 3\n".encode("cp1250")
    table = read(content)
    mapping = auto_mapping(importer_for("parties"), table.headers)
    assert mapping == {"Name": "name", "E-mail": "email", "City": "city", "Street": "street"}
    # when it is imported
    outcome = import_rows(actor=admin, company=company, kind="parties", table=table, mapping=mapping, commit=True)
    # then the accents survived
    assert outcome.committed
    assert Party.objects.filter(company=company, name="Šumadija promet").exists()


def test_an_xlsx_workbook_reports_the_sheets_row_numbers(admin, company):
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "email"])
    sheet.append(["Omega", "omega@example.com"])
    sheet.append(["Sigma", "broken@"])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read(buffer.getvalue())
    outcome = import_rows(
        actor=admin, company=company, kind="parties", table=table, mapping={"name": "name", "email": "email"}, commit=False
    )
    assert table.file_format == "xlsx"
    assert [(e.line, e.column) for e in outcome.errors] == [(3, "email")]
