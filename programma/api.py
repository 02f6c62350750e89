"""API endpoints of the programma app, mounted by ontschot.api under /api/v1."""

from ninja import Router

router = Router(tags=["programma"])
