"""Contract of /api/v1/imports: upload and check, remap, commit, follow the job."""

from __future__ import annotations

import base64

import pytest

from spona.core.models import Party
from tests.api.conftest import API, api_as, assert_problem  # noqa: F401  (api_as is a fixture)
from tests.factories import member

pytestmark = pytest.mark.django_db
JOBS = f"{API}/imports/jobs"


def body(text: str, kind: str = "parties") -> dict:
    return {"kind": kind, "file_name": "parties.csv", "content_base64": base64.b64encode(text.encode()).decode()}


def test_upload_check_fix_and_commit_through_the_api(api_as, company, admin):  # noqa: F811
    client = api_as(admin)
    # when a file with one bad e-mail is uploaded
    response = client.post(JOBS, body("name,email\nAlfa,a@example.com\nBeta,broken\n"), content_type="application/json")
    # then the answer is the checked job with the bad row's line, column and message
    assert response.status_code == 201
    job = response.json()
    assert (job["state"], job["error_count"], job["errors"][0]["line"], job["errors"][0]["column"]) == ("checked", 1, 3, "email")
    # and a commit is refused while it has errors
    assert_problem(client.post(f"{JOBS}/{job['id']}/commit"), 409)
    # when the e-mail column is left out and the file checked again, it commits
    checked = client.post(
        f"{JOBS}/{job['id']}/check", {"mapping": {"name": "name", "email": ""}}, content_type="application/json"
    ).json()
    assert checked["error_count"] == 0
    done = client.post(f"{JOBS}/{job['id']}/commit").json()
    assert (done["state"], done["imported"]) == ("done", 2)
    assert client.get(f"{JOBS}/{job['id']}").json()["state"] == "done"
    assert [j["id"] for j in client.get(JOBS).json()] == [job["id"]]
    assert Party.objects.filter(company=company).count() == 2


def test_bad_input_answers_problem_json(api_as, company, admin):  # noqa: F811
    client = api_as(admin)
    assert_problem(client.post(JOBS, body("name\nA\n", kind="planets"), content_type="application/json"), 422)
    broken = {**body("x"), "content_base64": "***"}
    assert_problem(client.post(JOBS, broken, content_type="application/json"), 422)
    assert_problem(client.post(JOBS, body(""), content_type="application/json"), 422)


def test_a_kind_of_another_department_is_refused(api_as, company):  # noqa: F811
    client = api_as(member(company, "marketing"))
    response = client.post(JOBS, body("account,debit\n1000,1\n", kind="opening_balances"), content_type="application/json")
    assert_problem(response, 403)
