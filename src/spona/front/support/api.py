"""The support REST endpoints under /api/v1/support/."""

from ninja import Router

router = Router(tags=["Support"])
