"""Health of an Ontschot installation, for load balancers, orchestrators and people.

``/gezondheid`` (liveness) answers 200 as long as the process serves requests; it
touches neither the database nor the broker, so a database outage never makes an
orchestrator restart healthy web processes.

``/gezondheid/gereed`` (readiness) checks what Ontschot needs to do its work:

- ``database``: a ``SELECT 1`` within a few seconds;
- ``broker``: the django-q2 broker (the database for the ORM broker, a Redis ``PING``
  for the Redis broker), also with a short timeout;
- ``worker``: the heartbeat that every running ``qcluster`` writes through the broker
  (django-q2's cluster status, renewed every half second and gone seconds after the
  cluster stops); stopped clusters and heartbeats older than ``GEZONDHEID_HARTSLAG_SECONDEN``
  do not count;
- ``aggregatie``: the age of the newest indicator stand. Stands are recomputed every night,
  so an age above ``GEZONDHEID_AGGREGATIE_UREN`` is reported as a warning; it does not make
  the installation unready.

The answer is JSON with a status and an explanation in Dutch and English per check; 200
when every essential check passes, 503 otherwise. It is public, so it names no host,
address, user or error text from a library: only what failed, in words.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("ontschot.gezondheid")

OK = "ok"
FOUT = "fout"
WAARSCHUWING = "waarschuwing"


def time_out() -> float:
    """Seconds a single check may take before it counts as failed."""
    return float(getattr(settings, "GEZONDHEID_TIMEOUT_SECONDEN", 3))


@dataclass(frozen=True)
class Controle:
    naam: str
    status: str
    uitleg: str  # Dutch
    explanation: str  # English
    essentieel: bool = True
    details: dict[str, Any] | None = None

    def als_dict(self) -> dict[str, Any]:
        antwoord: dict[str, Any] = {
            "status": self.status,
            "essentieel": self.essentieel,
            "uitleg": self.uitleg,
            "explanation": self.explanation,
        }
        if self.details:
            antwoord.update(self.details)
        return antwoord


# --- the checks -----------------------------------------------------------------------


def database() -> Controle:
    try:
        if connection.vendor == "postgresql":
            _postgresql_select_1()
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
    except Exception as fout:
        logger.warning("Gezondheid: database niet bereikbaar: %s", fout)
        return Controle(
            "database",
            FOUT,
            "De database is niet bereikbaar.",
            "The database cannot be reached.",
        )
    return Controle("database", OK, "De database antwoordt.", "The database answers.")


def _postgresql_select_1() -> None:
    """``SELECT 1`` on a connection of its own with a connect and a statement timeout: a
    database behind a dropped network must not hold the check for minutes."""
    import psycopg

    parameters = connection.get_connection_params()
    parameters.pop("cursor_factory", None)
    parameters.pop("context", None)
    seconden = max(1, round(time_out()))
    parameters["connect_timeout"] = seconden
    parameters["options"] = f"-c statement_timeout={seconden * 1000}"
    with psycopg.connect(**parameters) as verbinding:
        verbinding.execute("SELECT 1").fetchone()


def redis_verbinding() -> Any:
    import redis

    return redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=time_out(), socket_connect_timeout=time_out()
    )


def broker(database_controle: Controle) -> Controle:
    if not settings.REDIS_URL:
        if database_controle.status == OK:
            return Controle(
                "broker",
                OK,
                "De takenwachtrij staat in de database, en die antwoordt.",
                "The task queue lives in the database, which answers.",
                details={"soort": "orm"},
            )
        return Controle(
            "broker",
            FOUT,
            "De takenwachtrij staat in de database, en die is niet bereikbaar.",
            "The task queue lives in the database, which cannot be reached.",
            details={"soort": "orm"},
        )
    try:
        redis_verbinding().ping()
    except Exception as fout:
        logger.warning("Gezondheid: Redis niet bereikbaar: %s", fout)
        return Controle(
            "broker",
            FOUT,
            "Redis (takenwachtrij en cache) is niet bereikbaar: achtergrondtaken wachten.",
            "Redis (task queue and cache) cannot be reached: background tasks wait.",
            details={"soort": "redis"},
        )
    return Controle("broker", OK, "Redis antwoordt.", "Redis answers.", details={"soort": "redis"})


def hartslagen() -> list[Any]:
    """The status every running django-q2 cluster last wrote (its heartbeat)."""
    from django_q.conf import Conf
    from django_q.signing import BadSignature, SignedPackage

    patroon = f"{Conf.Q_STAT}:*"
    if settings.REDIS_URL:
        verbinding = redis_verbinding()
        sleutels = verbinding.keys(pattern=patroon)
        pakketten = verbinding.mget(sleutels) if sleutels else []
    else:
        from django_q.brokers import get_broker

        pakketten = get_broker().get_stats(patroon) or []
    stats = []
    for pakket in pakketten:
        if pakket is None:
            continue
        try:
            stats.append(SignedPackage.loads(pakket))
        except BadSignature:
            continue
    return stats


def worker(broker_controle: Controle) -> Controle:
    if broker_controle.status != OK:
        return Controle(
            "worker",
            FOUT,
            "Onbekend: de takenwachtrij is niet bereikbaar.",
            "Unknown: the task queue cannot be reached.",
        )
    grens = timedelta(seconds=int(getattr(settings, "GEZONDHEID_HARTSLAG_SECONDEN", 60)))
    try:
        stats = hartslagen()
    except Exception as fout:
        logger.warning("Gezondheid: hartslag van de workers niet te lezen: %s", fout)
        stats = []
    from django_q.conf import Conf

    nu = timezone.now()
    levend = [
        s
        for s in stats
        if s.status not in (Conf.STOPPED, Conf.STOPPING) and nu - s.timestamp <= grens
    ]
    if not levend:
        return Controle(
            "worker",
            FOUT,
            "Er draait geen worker (qcluster): rapporten, herinneringen en standen wachten.",
            "No worker (qcluster) is running: reports, reminders and stands wait.",
            details={"clusters": 0},
        )
    laatste = max(s.timestamp for s in levend)
    return Controle(
        "worker",
        OK,
        "Er draait een worker.",
        "A worker is running.",
        details={
            "clusters": len(levend),
            "workers": sum(len(s.workers) for s in levend),
            "hartslag_seconden": round(max((nu - laatste).total_seconds(), 0), 1),
        },
    )


def laatste_aggregatie() -> datetime | None:
    from rapportage.models import Indicatorstand

    moment: datetime | None = Indicatorstand.objects.aggregate(m=Max("berekend_op"))["m"]
    return moment


def aggregatie(database_controle: Controle) -> Controle:
    if database_controle.status != OK:
        return Controle(
            "aggregatie",
            WAARSCHUWING,
            "Onbekend: de database is niet bereikbaar.",
            "Unknown: the database cannot be reached.",
            essentieel=False,
        )
    try:
        moment = laatste_aggregatie()
    except Exception as fout:
        logger.warning("Gezondheid: laatste aggregatie niet te lezen: %s", fout)
        moment = None
    if moment is None:
        return Controle(
            "aggregatie",
            WAARSCHUWING,
            "Er zijn nog geen indicatorstanden berekend.",
            "No indicator stands have been computed yet.",
            essentieel=False,
            details={"leeftijd_uren": None},
        )
    uren = (timezone.now() - moment).total_seconds() / 3600
    grens = float(getattr(settings, "GEZONDHEID_AGGREGATIE_UREN", 26))
    details = {"leeftijd_uren": round(uren, 2), "berekend_op": moment.isoformat()}
    if uren > grens:
        return Controle(
            "aggregatie",
            WAARSCHUWING,
            f"De indicatorstanden zijn ouder dan {grens:g} uur: draait de nachtelijke herberekening?",
            f"The indicator stands are older than {grens:g} hours: does the nightly recomputation run?",
            essentieel=False,
            details=details,
        )
    return Controle(
        "aggregatie",
        OK,
        "De indicatorstanden zijn bijgewerkt.",
        "The indicator stands are up to date.",
        essentieel=False,
        details=details,
    )


def controles() -> list[Controle]:
    """Every readiness check, each within its own timeout."""
    db = database()
    brk = broker(db)
    return [db, brk, worker(brk), aggregatie(db)]


# --- the views ------------------------------------------------------------------------


def _antwoord(gegevens: dict[str, Any], status: int) -> JsonResponse:
    return JsonResponse(gegevens, status=status, json_dumps_params={"ensure_ascii": False})


@never_cache
@require_safe
def leeft(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. No database, no broker."""
    return _antwoord(
        {"status": OK, "uitleg": "Ontschot draait.", "explanation": "Ontschot is running."}, 200
    )


@never_cache
@require_safe
def gereed(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when every essential check passes, 503 otherwise."""
    uitkomsten = controles()
    gereed_ = all(c.status == OK for c in uitkomsten if c.essentieel)
    return _antwoord(
        {
            "status": OK if gereed_ else FOUT,
            "gecontroleerd_op": timezone.now().isoformat(),
            "controles": {c.naam: c.als_dict() for c in uitkomsten},
        },
        200 if gereed_ else 503,
    )
