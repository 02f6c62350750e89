"""Forms and pages with which programme managers register interventions."""

from django.http import HttpRequest, HttpResponse


def _nog_niet(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=404)


project_nieuw = _nog_niet
project_wijzigen = _nog_niet
partners = _nog_niet
status = _nog_niet
doel_nieuw = _nog_niet
indicator_nieuw = _nog_niet
streefwaarden = _nog_niet
beschikking_nieuw = _nog_niet
tranches = _nog_niet
begroting = _nog_niet
