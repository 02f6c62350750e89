"""Pages of Ontschot as a whole rather than of one app: the accessibility statement."""

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

# When the statement was last checked against the pages; shown on the page and changed
# whenever its findings change.
VERKLAARD_OP = date(2026, 11, 27)


@require_GET
def toegankelijkheid(request: HttpRequest) -> HttpResponse:
    """The accessibility statement, in the Dutch government model; public."""
    return render(request, "toegankelijkheid.html", {"verklaard_op": VERKLAARD_OP})
