"""``spona import`` and ``spona export``: the same engine from the command line, exit code 2 on bad rows."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from spona.core.models import Party


@pytest.fixture
def parties_file(tmp_path):
    def write(text: str):
        path = tmp_path / "parties.csv"
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def test_the_cli_imports_a_file_and_says_how_many_rows(admin, company, parties_file):
    out = io.StringIO()
    call_command(
        "import",
        "parties",
        parties_file("Naziv,email\nAlfa,a@example.com\n"),
        "--user",
        admin.email,
        "--map",
        "Naziv=name",
        stdout=out,
    )
    assert "1 rows imported" in out.getvalue()
    assert Party.objects.filter(company=company, name="Alfa").exists()


def test_bad_rows_exit_with_code_2_and_are_listed(admin, company, parties_file):
    err = io.StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command("import", "parties", parties_file("name,email\nAlfa,broken\n"), "--user", admin.email, stderr=err)
    assert stopped.value.code == 2
    assert "line 2, email:" in err.getvalue() and "nothing was imported" in err.getvalue()
    assert not Party.objects.filter(company=company).exists()


def test_a_dry_run_writes_nothing(admin, company, parties_file):
    out = io.StringIO()
    call_command("import", "parties", parties_file("name\nAlfa\n"), "--user", admin.email, "--dry-run", stdout=out)
    assert "1 rows would be imported" in out.getvalue()
    assert not Party.objects.filter(company=company).exists()


def test_clear_errors_for_a_wrong_kind_user_or_mapping(admin, company, parties_file):
    path = parties_file("name\nAlfa\n")
    with pytest.raises(CommandError, match="Unknown kind"):
        call_command("import", "planets", path, "--user", admin.email)
    with pytest.raises(CommandError, match="No active user"):
        call_command("import", "parties", path, "--user", "nobody@example.com")
    with pytest.raises(CommandError, match="takes NAME=VALUE"):
        call_command("import", "parties", path, "--user", admin.email, "--map", "name")


def test_the_export_writes_the_columns_the_import_reads(admin, company, parties_file, capsysbinary):
    call_command(
        "import", "parties", parties_file("name,email\n=Evil,e@example.com\n"), "--user", admin.email, stdout=io.StringIO()
    )
    call_command("export", "parties", "--user", admin.email)
    text = capsysbinary.readouterr().out.decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.startswith("kind,name,given_name,family_name,tax_id")
    # a name a spreadsheet would run as a formula is written as text
    assert row.startswith("organisation,'=Evil,")
