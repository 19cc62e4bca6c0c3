"""The production REST endpoints under /api/v1/production/."""

from ninja import Router

router = Router(tags=["Production"])
