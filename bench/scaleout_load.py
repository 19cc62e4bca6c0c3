"""The locust users of the scale-out benchmark (``bench/scaleout.py`` runs this file with locust, headless).

Each user is a program calling the REST API with personal access tokens: reads of the party and
invoice lists, registrations of parties, leads and tickets, and two flows that post: an invoice
created and posted (ledger), an order created and confirmed (stock reservation). The records the
calls need (tokens, customers, products, an income account, a tax) come from the benchmark in
SPONA_SCALEOUT_WORLD as JSON.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from datetime import date
from typing import Any

from locust import HttpUser, between, task

WORLD: dict[str, Any] = json.loads(os.environ.get("SPONA_SCALEOUT_WORLD", "{}"))


class ApiClient(HttpUser):
    """One program: a short pause between calls keeps the load bounded by the number of users."""

    wait_time = between(0.05, 0.25)

    def _headers(self, role: str, *, creating: bool = False) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {WORLD['tokens'][role]}"}
        if creating:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        return headers

    def _create(self, role: str, path: str, body: dict[str, Any], name: str) -> dict[str, Any] | None:
        with self.client.post(
            f"/api/v1{path}", json=body, headers=self._headers(role, creating=True), name=name, catch_response=True
        ) as response:
            if response.status_code == 201:
                return response.json()
            # The problem JSON says why; the benchmark lists each distinct failure.
            response.failure(f"{response.status_code} {response.text[:300]}")
            return None

    @task(4)
    def read_parties(self) -> None:
        self.client.get("/api/v1/parties?limit=50", headers=self._headers("sales"), name="GET parties")

    @task(3)
    def read_invoices(self) -> None:
        self.client.get("/api/v1/finance/invoices?limit=50", headers=self._headers("finance"), name="GET invoices")

    @task(2)
    def create_party(self) -> None:
        tag = uuid.uuid4().hex[:10]
        body = {"kind": "organisation", "name": f"Load {tag} d.o.o.", "emails": [f"office@{tag}.example"], "roles": ["customer"]}
        self._create("sales", "/parties", body, "POST parties")

    @task(2)
    def create_lead(self) -> None:
        tag = uuid.uuid4().hex[:10]
        body = {"company_name": f"Prospect {tag}", "contact_name": "Mila Jović", "email": f"mila@{tag}.example"}
        self._create("sales", "/crm/leads", body, "POST leads")

    @task(1)
    def create_ticket(self) -> None:
        body = {"subject": "Delivery question", "text": "Where is my order?", "party_id": random.choice(WORLD["customers"])}
        self._create("support", "/support/tickets", body, "POST tickets")

    @task(2)
    def invoice_and_post(self) -> None:
        line = {
            "description": "Consulting",
            "account_id": WORLD["income_account"],
            "quantity": str(random.randint(1, 9)),
            "unit_price": "85.50",
            "tax_ids": [WORLD["tax"]],
        }
        body = {
            "kind": "out_invoice",
            "party_id": random.choice(WORLD["customers"]),
            "invoice_date": date.today().isoformat(),
            "lines": [line],
        }
        invoice = self._create("finance", "/finance/invoices", body, "POST invoices")
        if invoice is not None:
            self.client.post(
                f"/api/v1/finance/invoices/{invoice['id']}/post", headers=self._headers("finance"), name="POST invoices/{id}/post"
            )

    @task(1)
    def order_and_confirm(self) -> None:
        lines = [{"product_id": p, "quantity": str(random.randint(1, 3))} for p in random.sample(WORLD["products"], 2)]
        order = self._create(
            "sales", "/sales/orders", {"party_id": random.choice(WORLD["customers"]), "lines": lines}, "POST orders"
        )
        if order is not None:
            self.client.post(
                f"/api/v1/sales/orders/{order['id']}/confirm", headers=self._headers("sales"), name="POST orders/{id}/confirm"
            )
