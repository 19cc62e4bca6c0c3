"""The imports part of the demo company: a finished import and one whose check found bad rows."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from django.urls import reverse

from spona.back.inventory.models import Product
from spona.bridge.imports.demo import FAIR_LEADS
from spona.bridge.imports.models import ImportJob
from spona.core import demo, services
from spona.front.crm.models import Lead

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # A dozen Argon2 hashes per build cost seconds; the hash algorithm is not what this test checks.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_step_leaves_a_done_import_and_one_with_row_errors(client):
    # given the kernel's steps, the CRM's leads and the catalogue, then the imports step, as demo.build runs them
    company = services.company_create(actor=None, name="Demo", code="demo", base_currency="EUR", country="RS")
    ctx = demo.DemoContext(company=company, users={}, rng=random.Random(demo.SEED), organisations=30, persons=5)
    for step in demo.steps():
        if step.name.startswith("core.") or step.name in ("crm.sales", "inventory.catalogue", "imports"):
            step.func(replace(ctx, rng=random.Random(f"{demo.SEED}:{step.name}")))
    fair, catalogue = ImportJob.objects.filter(pk__in=ctx.records["imports.jobs"]).order_by("pk")
    # then the trade fair's visitors are leads, imported by the sales user, and the file is no longer kept
    assert (fair.kind, fair.state, fair.created_count, fair.error_count, bytes(fair.content)) == ("leads", "done", 5, 0, b"")
    assert fair.created_by == ctx.users["sales"]
    emails = [row[2] for row in FAIR_LEADS[1:]]
    assert Lead.objects.filter(company=company, source="event", email__in=emails).count() == 5
    # and the supplier's catalogue waits with its unknown unit and its cost with a letter O, nothing written
    assert (catalogue.kind, catalogue.file_format, catalogue.state, catalogue.can_commit()) == (
        "products",
        "xlsx",
        "checked",
        False,
    )
    assert [(e["line"], e["column"]) for e in catalogue.errors] == [(3, "Unit"), (4, "Cost price")]
    assert not Product.objects.filter(company=company, sku__startswith="KAT-").exists()
    # and the administrator sees both on the imports page, the operations user only the catalogue (leads are sales')
    client.force_login(ctx.users["admin"])
    page = client.get(reverse("imports:job_list")).content.decode()
    assert "trade-fair-visitors.csv" in page and "supplier-catalogue.xlsx" in page
    client.force_login(ctx.users["operations"])
    page = client.get(reverse("imports:job_list")).content.decode()
    assert "trade-fair-visitors.csv" not in page and "supplier-catalogue.xlsx" in page
