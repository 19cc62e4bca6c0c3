"""Schemathesis over the whole OpenAPI schema (QUALITY A1): no answer ≥ 500, every answer as documented.

Each operation is fuzzed with generated input (valid and invalid), once with generated path
ids (mostly records that do not exist) and once with the ids of real records, as an
administrator's token with data present. Bounded for a 2-core machine: about 15 examples per
operation and mode.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from spona.core import services
from spona.wsgi import application
from tests import access
from tests.api.conftest import API
from tests.factories import dead_letter, member, party

EXAMPLES = 10
# One test per part of the API, so that the test processes share the work.
APPS = access.API_GROUPS
GROUPS = ("kernel", *APPS)


def group_of(path: str) -> str:
    first = path.removeprefix(API).strip("/").split("/")[0]
    return first if first in APPS else "kernel"


@pytest.fixture
def keep_test_transaction():
    # Outside Django's test client, every request would close the connection and with it the
    # test's transaction; the test client disconnects these handlers the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def real_ids(company, admin) -> dict[str, int]:
    """Records for the fuzzer to hit, and the path ids that name them."""
    sales = member(company, "sales", full_name="Sava Sales")
    org = party(company, "Bora Trade d.o.o.", emails=["office@bora.rs"], roles=["customer"], tags=["VIP"])
    person = party(company, "Jovana Petrović", kind="person")
    link = services.party_link(actor=admin, company=company, from_party_id=person.pk, to_party_id=org.pk, kind="works_at")
    spare_token, _ = services.token_create(actor=admin, company=company, name="spare", scope="read")
    dead = dead_letter(org)
    return {
        "company_id": company.pk,
        "party_id": org.pk,
        "user_id": sales.pk,
        "link_id": link.pk,
        # not the fuzzer's own token: revoking that would end the run
        "token_id": spare_token.pk,
        "delivery_id": dead.pk,
        **access.records(company),
    }


@pytest.mark.parametrize("group", GROUPS)
def test_the_whole_schema_answers_as_documented_and_never_500(group, company, admin, real_ids, keep_test_transaction):
    # given an administrator's write token and data to find
    _, plaintext = services.token_create(actor=admin, company=company, name="fuzzer", scope="write")
    headers = {"Authorization": f"Bearer {plaintext}"}
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", application)
    operations = [op for op in (result.ok() for result in schema.get_all_operations()) if group_of(op.path) == group]
    statuses: Counter[int] = Counter()
    started = time.monotonic()

    def fuzz(operation, mode, path_parameters=None) -> None:
        @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        def run(case) -> None:
            response = case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])
            statuses[response.status_code] += 1

        run()

    # when every operation is fuzzed with valid and invalid input, with made-up and real ids
    for operation in operations:
        names = [p.name for p in operation.path_parameters]
        fixed = {name: real_ids[name] for name in names}
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            fuzz(operation, mode)
            if fixed:
                fuzz(operation, mode, fixed)
    elapsed = time.monotonic() - started
    # then nothing failed (each call asserted its checks); the figures:
    calls = sum(statuses.values())
    print(
        f"\nA1 schemathesis ({group}): {len(operations)} operations, {calls} calls checked in {elapsed:.0f} s, "
        f"0 server errors, 0 schema violations; statuses {dict(sorted(statuses.items()))}"
    )
    assert len(operations) >= 5
    assert all(status < 500 for status in statuses)
    assert statuses[200] + statuses[201] + statuses[204] > 0
