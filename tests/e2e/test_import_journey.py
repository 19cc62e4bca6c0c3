"""Import a parties file in a real browser: see the two bad rows, fix the file, import it, find the parties."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, CompanyFactory, member

BAD = (
    "Name,E-mail,Street,City,Roles\n"
    "Alfa Trade d.o.o.,office@alfa.rs,Knez Mihailova 1,Beograd,customer\n"
    "Beta Logistika,not-an-e-mail,Bulevar oslobođenja 2,Novi Sad,customer\n"
    "Gama Servis,gama@gama.rs,Obrenovićeva 3,Niš,client\n"
)
FIXED = BAD.replace("not-an-e-mail", "info@beta.rs").replace(",client", ",customer")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_import_a_file_with_errors_fix_it_and_import(live_server, page: Page, tmp_path):
    # given a sales user and a parties file with two bad rows (an e-mail, an unknown role)
    company = CompanyFactory(name="Acme d.o.o.", code="acme", country="RS")
    user = member(company, "sales", full_name="Sava Sales", email="sava@acme.test")
    bad, fixed = tmp_path / "parties.csv", tmp_path / "parties-fixed.csv"
    bad.write_text(BAD, encoding="utf-8")
    fixed.write_text(FIXED, encoding="utf-8")
    csp_violations: list[str] = []
    page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # when she uploads the file from the menu
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Imports and exports").click()
    page.get_by_label("What the file holds").select_option("parties")
    page.get_by_label("CSV or Excel file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and check").click()

    # then the check lists both bad rows by line and column, and nothing can be imported yet
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("3")
    expect(errors.nth(0)).to_contain_text("E-mail")
    expect(errors.nth(1)).to_contain_text("4")
    expect(errors.nth(1)).to_contain_text("Roles")
    expect(page.locator("#import-commit")).to_have_count(0)

    # when she fixes the file, uploads it again and imports it
    page.get_by_role("link", name="Imports and exports").first.click()
    page.get_by_label("CSV or Excel file").set_input_files(str(fixed))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator("#check-ok")).to_contain_text("3 rows will be imported")
    page.get_by_role("button", name="Import 3 rows").click()
    expect(page.locator("#job-progress")).to_contain_text("3 rows imported")

    # then the three parties are in the list
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Customers & contacts").click()
    for name in ("Alfa Trade d.o.o.", "Beta Logistika", "Gama Servis"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    assert csp_violations == []
