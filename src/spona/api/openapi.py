"""What the API layer adds to every operation's OpenAPI description, in one place.

Endpoints declare their success answers; the errors they can answer are the same for every
app (they come from authentication, validation and ``spona.core.errors``), so they are
declared here, as problem JSON, for every operation. Creating calls get the
``Idempotency-Key`` header. A new endpoint is documented without repeating any of this.
"""

from __future__ import annotations

import re
from typing import Any

from spona.api.idempotency import HEADER, HEADER_DESCRIPTION, KEY_PATTERN, REPLAYED_HEADER
from spona.api.problems import PROBLEM_CONTENT_TYPE, Problem

ERROR_DESCRIPTIONS = {
    400: "The request breaks a business rule.",
    401: "Not signed in, or the token is missing, invalid, revoked or expired.",
    403: "Not allowed: missing role, read-only token, inactive or portal account, CSRF failure.",
    404: "No such record in the company of the call.",
    409: "Conflict: the record changed since you read it (stale version) or is in the wrong state.",
    413: "The request body is too large.",
    422: "The input is not valid; `errors` lists the messages per field.",
    500: "Unexpected server error; quote the request id.",
}
_PATH_PARAMETER = re.compile(r"{[^}]+}")


def error_statuses(method: str, path: str) -> list[int]:
    """The error statuses an operation can answer, from its method and whether its path names a record."""
    statuses = {401, 403, 422, 500}
    if _PATH_PARAMETER.search(path):
        statuses.add(404)
    if method != "get":
        statuses |= {400, 404, 409, 413}
    return sorted(statuses)


def _problem(status: int) -> dict[str, Any]:
    return {
        "description": ERROR_DESCRIPTIONS[status],
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the problem responses to every operation and the idempotency header to every POST."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = Problem.model_json_schema()
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            # ninja keys responses by int status; JSON output makes them strings.
            for status in error_statuses(method, path):
                responses.setdefault(status, _problem(status))
            if method == "post":
                operation.setdefault("parameters", []).append(
                    {
                        "in": "header",
                        "name": HEADER,
                        "required": False,
                        "description": HEADER_DESCRIPTION,
                        "schema": {"type": "string", "pattern": KEY_PATTERN, "minLength": 1, "maxLength": 200},
                    }
                )
                for status, response in responses.items():
                    if 200 <= int(status) < 300:
                        response.setdefault("headers", {})[REPLAYED_HEADER] = {
                            "description": "`true` when this is the stored answer to an earlier call with the same key.",
                            "schema": {"type": "string", "enum": ["true"]},
                        }
    return schema
