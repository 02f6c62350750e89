"""Forms and pages with which programme managers set up programmes and focus areas."""

from django.http import HttpRequest, HttpResponse


def _nog_niet(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=404)


programma_nieuw = _nog_niet
programma_wijzigen = _nog_niet
themas = _nog_niet
budget = _nog_niet
focusgebied_nieuw = _nog_niet
focusgebied_wijzigen = _nog_niet
