"""The recurring background work, by name. `python manage.py taken_inplannen` creates or
updates exactly these django-q2 schedules (never a duplicate) and `make run` runs it."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone


@dataclass(frozen=True)
class Planning:
    naam: str
    taak: str  # dotted path of the task function, run through programma.wachtrij.uitvoeren
    soort: str  # django_q Schedule type: "H" hourly, "D" daily, "W" weekly
    tijdstip: time | None = None  # local time of day for daily and weekly runs
    omschrijving: str = ""


PLANNINGEN = [
    Planning(
        "verplichtingen bijwerken",
        "projecten.verplichtingen.verplichtingen_bijwerken",
        "D",
        time(0, 30),
        "Verplichtingen over hun deadline worden 'te laat'; voldane worden afgevinkt.",
    ),
    Planning(
        "herinneringen versturen",
        "projecten.verplichtingen.herinneringen_versturen",
        "D",
        time(7, 0),
        "E-mails voor en na de deadline van rapportageverplichtingen, nooit twee keer.",
    ),
    Planning(
        "standen herberekenen",
        "rapportage.tasks.standen_herberekenen",
        "D",
        time(2, 0),
        "Volledige herberekening van de indicatorstanden; corrigeert elke afwijking.",
    ),
    Planning(
        "vroegsignalen berekenen",
        "rapportage.signalen.signalen_berekenen",
        "D",
        time(3, 0),
        "Bestedingstempo en indicatortrajecten per lopend project.",
    ),
    Planning(
        "contextcijfers ophalen",
        "rapportage.contextcijfers.contextcijfers_ophalen",
        "W",
        time(4, 0),
        "CBS-kerncijfers van het ingestelde OData-adres (als dat is ingesteld).",
    ),
    Planning(
        "verweesde rapporten opnieuw",
        "rapportage.tasks.verweesde_rapporten_opnieuw",
        "H",
        None,
        "Rapporten waarvan de worker wegviel, worden opnieuw in de wachtrij gezet.",
    ),
    Planning(
        "idempotentie opruimen",
        "programma.tasks.idempotentie_opruimen",
        "H",
        None,
        "Vergeet bewaarde API-antwoorden ouder dan 24 uur.",
    ),
]


def eerste_run(planning: Planning, nu: datetime | None = None) -> datetime:
    """The next moment this schedule should run, from now."""
    nu = timezone.localtime(nu or timezone.now())
    if planning.tijdstip is None:
        return (nu + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    kandidaat = nu.replace(
        hour=planning.tijdstip.hour, minute=planning.tijdstip.minute, second=0, microsecond=0
    )
    return kandidaat if kandidaat > nu else kandidaat + timedelta(days=1)
