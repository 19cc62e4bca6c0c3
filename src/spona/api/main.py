"""The REST API under /api/v1/: every app's router, assembled in one readable list.

The API layer owns what is the same for every endpoint: authentication (``auth``), problem
JSON for every error (``problems``), ``Idempotency-Key`` on creating calls (``idempotency``)
and the schema entries that document them (``openapi``). The apps' routers hold only their
endpoints. The schema is at /api/v1/openapi.json and the docs at /api/v1/docs, served from
ninja's bundled Swagger UI (no CDN).
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI, Router
from ninja.operation import Operation

from spona.api import auth, idempotency, openapi, problems
from spona.back.finance import api as finance_api
from spona.back.inventory import api as inventory_api
from spona.back.production import api as production_api
from spona.back.purchasing import api as purchasing_api
from spona.bridge.automation import api as automation_api
from spona.bridge.imports import api as imports_api
from spona.bridge.notifications import api as notifications_api
from spona.core import api as core_api
from spona.front.crm import api as crm_api
from spona.front.sales import api as sales_api
from spona.front.support import api as support_api

DESCRIPTION = """
Spona's REST API. Every call works in one company, with the caller's roles there.

**Authentication.** Programs send a personal access token: `Authorization: Bearer spona_pat_…`
(create one with `POST /tokens` while signed in; `read` tokens cannot change anything). The
browser uses its session, with the CSRF token in `X-CSRFToken` on changes. A session works in
the company chosen in the UI, or the one named by `X-Spona-Company` if you are a member of it;
a token works in its own company.

**Lists** that can grow without bound are paginated with a cursor: `?limit=` (at most 200)
and `?cursor=` from the previous page's `next_cursor`, which is null on the last page.

**Creating calls** (POST) accept an `Idempotency-Key` header: retries with the same key get
the first call's answer instead of doing it again. Without the header a POST is not
idempotent.

**Errors** are problem JSON (`application/problem+json`, RFC 9457) with `status`, `code`,
`detail`, `errors` per field and the `request_id` to quote. A stale `version` answers 409.
"""

# (URL prefix, router): one line per app. The kernel's resources sit at the root.
ROUTERS: list[tuple[str, Router]] = [
    ("", core_api.router),
    ("/crm", crm_api.router),
    ("/finance", finance_api.router),
    ("/inventory", inventory_api.router),
    ("/purchasing", purchasing_api.router),
    ("/production", production_api.router),
    ("/sales", sales_api.router),
    ("/support", support_api.router),
    ("/automation", automation_api.router),
    ("/notifications", notifications_api.router),
    ("/imports", imports_api.router),
]


class SponaAPI(NinjaAPI):
    """NinjaAPI whose schema documents the layer's errors and headers and uses readable operation ids."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        return openapi.complete(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))

    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__


api = SponaAPI(
    title="Spona API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[auth.TokenAuth(), auth.SessionAuth()],
)
problems.install_exception_handlers(api)
api.add_decorator(idempotency.idempotent_run, mode="view")
api.add_decorator(idempotency.claim_key, mode="operation")
for prefix, app_router in ROUTERS:
    api.add_router(prefix, app_router)
