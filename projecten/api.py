"""API endpoints of the projecten app, mounted by ontschot.api under /api/v1."""

from ninja import Router

router = Router(tags=["projecten"])
