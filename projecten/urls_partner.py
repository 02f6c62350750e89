from django.urls import path

from projecten import partner

app_name = "partner"

urlpatterns = [
    path("inzendingen", partner.inzendingen, name="inzendingen"),
    path("projecten/<int:project_id>/metingen/nieuw", partner.meting_nieuw, name="meting_nieuw"),
    path(
        "projecten/<int:project_id>/bestedingen/nieuw",
        partner.besteding_nieuw,
        name="besteding_nieuw",
    ),
    path("projecten/<int:project_id>/verslagen/nieuw", partner.verslag_nieuw, name="verslag_nieuw"),
    path("inzendingen/<slug:soort>/<int:pk>/corrigeren", partner.corrigeren, name="corrigeren"),
    path("api-sleutels", partner.sleutels, name="sleutels"),
    path("api-sleutels/nieuw", partner.sleutel_nieuw, name="sleutel_nieuw"),
    path("api-sleutels/<int:pk>/intrekken", partner.sleutel_intrekken, name="sleutel_intrekken"),
]
