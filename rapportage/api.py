"""API endpoints of the rapportage app, mounted by ontschot.api under /api/v1."""

from ninja import Router

router = Router(tags=["rapportage"])
