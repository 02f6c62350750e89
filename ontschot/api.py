"""The partner API root: one NinjaAPI under /api/v1 that mounts each app's router."""

from ninja import NinjaAPI

from programma.api import router as programma_router
from projecten.api import router as projecten_router
from rapportage.api import router as rapportage_router

API_VERSIE = "1.0.0"

api = NinjaAPI(
    title="Ontschot partner-API",
    version=API_VERSIE,
    description=(
        "Partners van meerjarige wijkprogramma's leveren via deze API metingen, bestedingen "
        "en voortgangsverslagen aan."
    ),
    urls_namespace="api-v1",
)
api.add_router("", programma_router)
api.add_router("", projecten_router)
api.add_router("", rapportage_router)
