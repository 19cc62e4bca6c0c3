from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from spona.core.management.commands import run
from spona.core.models import Company, Event, EventDelivery, Membership, User

ROOT = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "a-long-admin-passphrase"


def spona(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real `spona` command line in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "spona", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


# Help -------------------------------------------------------------------------------------


def test_spona_without_arguments_prints_the_overview():
    # when a new user types `spona --help`
    result = spona("--help")
    # then they see the everyday commands
    assert result.returncode == 0
    for command in ("run", "worker", "demo", "createadmin", "check"):
        assert f"  {command} " in result.stdout


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("run", ["--host", "--port", "--workers", "--no-worker", "--no-demo", "Ctrl+C"]),
        ("demo", ["--organisations", "--persons", "spona-demo-login"]),
        ("createadmin", ["--email", "--company-code", "SPONA_ADMIN_PASSWORD", "--no-input"]),
        ("check", ["Outbox", "Worker", "--deploy", "--system-only"]),
    ],
)
def test_every_command_explains_itself(command, expected):
    # when a user asks a command for help
    result = spona(command, "--help")
    # then it answers with its options and examples, without touching the database
    assert result.returncode == 0, result.stderr
    for text in expected:
        assert text in result.stdout


# createadmin ------------------------------------------------------------------------------


def test_createadmin_creates_the_company_and_its_administrator(db, monkeypatch):
    # given the password in the environment, as scripts should pass it
    monkeypatch.setenv("SPONA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    out = StringIO()
    # when createadmin runs without asking anything
    call_command(
        "createadmin",
        "--no-input",
        "--email=Ana@Example.com",
        "--name=Ana Petrović",
        "--company-code=ACME",
        "--company-name=Acme d.o.o.",
        "--country=rs",
        stdout=out,
    )
    # then the company exists and Ana administers it with that password
    company = Company.objects.get(code="acme")
    assert (company.name, company.country, company.base_currency) == ("Acme d.o.o.", "RS", "EUR")
    user = User.objects.get(email="ana@example.com")
    assert user.check_password(ADMIN_PASSWORD)
    assert list(Membership.objects.filter(user=user).values_list("company__code", "role")) == [("acme", "admin")]
    assert "is now an administrator of Acme d.o.o." in out.getvalue()


def test_createadmin_adds_an_administrator_to_the_only_company(company):
    # given one company; when createadmin runs without a company code
    call_command(
        "createadmin", "--no-input", "--email=boss@acme.test", "--name=Boss", f"--password={ADMIN_PASSWORD}", stdout=StringIO()
    )
    # then the new administrator belongs to it
    assert Membership.objects.get(user__email="boss@acme.test").company == company
    assert Company.objects.count() == 1


def test_createadmin_refuses_a_bad_e_mail_and_creates_nothing(db):
    # when the e-mail is not an address
    with pytest.raises(CommandError) as caught:
        call_command(
            "createadmin",
            "--no-input",
            "--email=not-an-address",
            "--name=Ana",
            "--company-code=acme",
            "--company-name=Acme",
            f"--password={ADMIN_PASSWORD}",
        )
    # then the command fails with exit status 1 and a readable reason, and no company is left behind
    assert caught.value.returncode == 1
    assert "not a valid e-mail address" in str(caught.value)
    assert not Company.objects.exists()


def test_createadmin_refuses_a_weak_password_and_a_missing_value(company):
    with pytest.raises(CommandError) as weak:
        call_command("createadmin", "--no-input", "--email=a@acme.test", "--name=A", "--password=12345678")
    assert weak.value.returncode == 1 and "password" in str(weak.value).lower()
    with pytest.raises(CommandError) as missing:
        call_command("createadmin", "--no-input", "--name=A", f"--password={ADMIN_PASSWORD}")
    assert missing.value.returncode == 1 and "--email" in str(missing.value)


def test_command_line_errors_are_a_message_and_exit_status_1_never_a_traceback(tmp_path):
    # given a database that was never migrated
    env = {"SPONA_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}", "SPONA_HOME": str(tmp_path)}
    # when createadmin runs against it
    result = spona("createadmin", "--no-input", "--email=ana@example.com", "--name=Ana", "--company-code=x", **env)
    # then the user reads what to do, not a traceback
    assert result.returncode == 1
    assert "run `spona migrate` first" in result.stderr
    assert "Traceback" not in result.stderr


# check ------------------------------------------------------------------------------------


@pytest.fixture
def healthy(settings, tmp_path, monkeypatch):
    """Settings of a healthy production install: a configured key, collected static files."""
    monkeypatch.setenv("SPONA_SECRET_KEY", "k" * 60)
    settings.SECRET_KEY = "k" * 60
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    manifest = {"paths": {"vendor/css/bootstrap.min.css": "vendor/css/bootstrap.min.0123456789ab.css"}, "version": "1.1"}
    (settings.STATIC_ROOT / "staticfiles.json").write_text(json.dumps(manifest))
    return settings


def test_check_passes_on_a_healthy_database_and_prints_the_table(db, healthy):
    # when an operator runs `spona check`
    out = StringIO()
    call_command("check", stdout=out, stderr=StringIO())
    # then every check is listed, none failed, and the command exits normally (status 0)
    text = out.getvalue()
    for name in ("Django system checks", "Database", "Migrations", "Secret key", "Debug mode", "Allowed hosts",
                 "E-mail", "Static files", "Cache", "Outbox", "Worker"):  # fmt: skip
        assert name in text
    assert "FAIL" not in text
    assert "from SPONA_SECRET_KEY" in text
    assert "No check failed" in text or "All checks passed" in text


def test_check_fails_with_status_1_on_dead_letters_and_debug(company, healthy):
    # given a dead letter in the outbox and debug mode on
    event = Event.objects.create(name="core.party_created", company=company, payload={})
    EventDelivery.objects.create(event=event, handler="automation.rules", status=EventDelivery.Status.DEAD, attempts=8)
    healthy.DEBUG = True
    out = StringIO()
    # when the check runs
    with pytest.raises(CommandError) as caught:
        call_command("check", stdout=out, stderr=StringIO())
    # then both are reported as FAIL and the exit status is 1
    assert caught.value.returncode == 1
    assert "Outbox" in str(caught.value) and "Debug mode" in str(caught.value)
    assert "1 dead" in out.getvalue()


def test_check_flags_a_worker_that_does_not_pick_up_work(company, healthy):
    # given a delivery due for an hour
    from datetime import timedelta

    from django.utils import timezone

    event = Event.objects.create(name="core.party_created", company=company, payload={})
    EventDelivery.objects.create(event=event, handler="automation.rules", next_attempt_at=timezone.now() - timedelta(hours=1))
    out = StringIO()
    # when the check runs, then it fails on the worker line
    with pytest.raises(CommandError, match="Worker"):
        call_command("check", stdout=out, stderr=StringIO())
    assert "is `spona worker` running?" in out.getvalue()


def test_check_system_only_is_djangos_classic_check(db):
    out = StringIO()
    call_command("check", "--system-only", stdout=out)
    assert "System check identified no issues" in out.getvalue()
    assert "Spona health" not in out.getvalue()


# run --------------------------------------------------------------------------------------


def test_run_refuses_debug_mode(settings):
    # given SPONA_DEBUG on; when `spona run` starts, then it refuses before touching anything
    settings.DEBUG = True
    with pytest.raises(CommandError, match="SPONA_DEBUG"):
        call_command("run", "--no-worker")


def child(code: str) -> subprocess.Popen[bytes]:
    """Start a Python child and wait until it has set up its signal handling."""
    process = subprocess.Popen(
        [sys.executable, "-c", f"{code}; print('ready', flush=True); time.sleep(60)"], stdout=subprocess.PIPE
    )
    assert process.stdout is not None and process.stdout.readline() == b"ready\n"
    return process


def test_stopping_ends_the_server_and_the_worker_cleanly():
    # given two children that finish their work on SIGTERM, as uvicorn and the worker do
    graceful = "import signal, sys, time; signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))"
    children = {"web server": child(graceful), "worker": child(graceful)}
    stop = threading.Event()
    stop.set()
    command = run.Command()
    # when Ctrl+C is pressed
    assert command.supervise(children, stop) == ""
    command.stop_children(children)
    # then both exited by themselves with status 0
    assert [c.returncode for c in children.values()] == [0, 0]


def test_a_child_that_dies_stops_spona_and_a_stuck_child_is_killed(monkeypatch):
    # given a worker that crashes and a web server that ignores SIGTERM
    stubborn = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN)"
    crashing = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    children = {"web server": child(stubborn), "worker": crashing}
    monkeypatch.setattr(run, "STOP_TIMEOUT", 1.0)
    command = run.Command()
    # when Spona is supervising them
    failed = command.supervise(children, threading.Event())
    command.stop_children(children)
    # then the crash is noticed and the stuck server is killed after the timeout
    assert failed == "worker"
    assert children["worker"].returncode == 3
    assert children["web server"].returncode == -9


def test_static_files_are_collected_again_only_when_a_source_changed(db):
    # given the fingerprint of the static sources
    first = run._static_sources()
    # then it is stable while nothing changes
    assert run._static_sources() == first
