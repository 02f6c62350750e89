"""Writes for projects, their results framework and their money.

Keyword-only, typed, one transaction each, validated with ``full_clean()`` and audited
inside the same transaction. A failed validation leaves nothing behind.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone

from programma.audit import (
    Actor,
    momentopname,
    momentopname_waarde,
    registreer,
    registreer_bulk,
    schrijf_rijen,
)
from programma.fouten import Bulkfouten, Conflict, NietGevonden, VersieVerouderd
from programma.models import (
    Auditregel,
    Budgetenvelop,
    Focusgebied,
    Organisatie,
    Programma,
    Thema,
)
from programma.perioden import Periode, parse_periode, perioden_tussen
from programma.services import controleer_overgang, opslaan
from programma.wachtrij import na_commit
from projecten import meldingen
from projecten.inzendingen import (
    GERELATEERD,
    INDIENERS,
    SOORTEN,
    omschrijving,
    project_van,
    wie_beoordeelde,
)
from projecten.models import (
    Begrotingsregel,
    Beoordeelbaar,
    Beoordeling,
    Beschikking,
    Besteding,
    Doel,
    Indicator,
    Meting,
    Periodevergrendeling,
    Project,
    Projectpartner,
    Rapportageverplichting,
    Streefwaarde,
    Tranche,
    Voortgangsverslag,
)

# --- projects ---------------------------------------------------------------------------


@transaction.atomic
def project_aanmaken(
    *,
    actor: Actor,
    programma: Programma,
    code: str,
    titel: str,
    penvoerder: Organisatie,
    startdatum: date,
    einddatum: date,
    omschrijving: str = "",
    themas: Iterable[Thema] = (),
    focusgebieden: Iterable[Focusgebied] = (),
    partners: Iterable[tuple[Organisatie, str]] = (),
    rapportagefrequentie: str = Project.Frequentie.KWARTAAL,
    rapportagetermijn_dagen: int = 42,
) -> Project:
    """Register an intervention with its partners; the lead organisation is always a
    partner. Reporting obligations follow from the period and frequency."""
    project = opslaan(
        actor=actor,
        actie="project_aanmaken",
        obj=Project(),
        programma=programma,
        code=code,
        titel=titel,
        omschrijving=omschrijving,
        penvoerder=penvoerder,
        startdatum=startdatum,
        einddatum=einddatum,
        rapportagefrequentie=rapportagefrequentie,
        rapportagetermijn_dagen=rapportagetermijn_dagen,
    )
    themas, focusgebieden = list(themas), list(focusgebieden)
    if any(t.programma_id != programma.pk for t in themas):
        raise ValidationError({"themas": "Een thema hoort bij een ander programma."})
    if any(f.programma_id != programma.pk for f in focusgebieden):
        raise ValidationError({"focusgebieden": "Een focusgebied hoort bij een ander programma."})
    project.themas.set(themas)
    project.focusgebieden.set(focusgebieden)
    alle_partners: dict[int, tuple[Organisatie, str]] = {
        penvoerder.pk: (penvoerder, Projectpartner.Rol.PENVOERDER.value)
    }
    for organisatie, rol in partners:
        alle_partners.setdefault(organisatie.pk, (organisatie, rol))
    for organisatie, rol in alle_partners.values():
        opslaan(
            actor=actor,
            actie="projectpartner_toevoegen",
            obj=Projectpartner(),
            project=project,
            organisatie=organisatie,
            rol=rol,
        )
    verplichtingen_afleiden(actor=actor, project=project)
    return project


@transaction.atomic
def project_wijzigen(*, actor: Actor, project: Project, **velden: Any) -> Project:
    toegestaan = {
        "titel",
        "omschrijving",
        "startdatum",
        "einddatum",
        "rapportagefrequentie",
        "rapportagetermijn_dagen",
    }
    if onbekend := set(velden) - toegestaan:
        raise ValidationError(f"Onbekende velden: {', '.join(sorted(onbekend))}.")
    project = Project.objects.select_for_update().get(pk=project.pk)
    controleer_schrijfbaar(project)
    opslaan(actor=actor, actie="project_wijzigen", obj=project, **velden)
    _controleer_binnen_periode(project)
    verplichtingen_afleiden(actor=actor, project=project)
    return project


@transaction.atomic
def project_indeling_wijzigen(
    *,
    actor: Actor,
    project: Project,
    themas: Iterable[Thema],
    focusgebieden: Iterable[Focusgebied],
) -> Project:
    """Set the themes and focus areas a project works in; both belong to its programme."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    controleer_schrijfbaar(project)
    themas, focusgebieden = list(themas), list(focusgebieden)
    if any(t.programma_id != project.programma_id for t in themas):
        raise ValidationError({"themas": "Een thema hoort bij een ander programma."})
    if any(f.programma_id != project.programma_id for f in focusgebieden):
        raise ValidationError({"focusgebieden": "Een focusgebied hoort bij een ander programma."})
    voor = {
        "themas": sorted(project.themas.values_list("pk", flat=True)),
        "focusgebieden": sorted(project.focusgebieden.values_list("pk", flat=True)),
    }
    project.themas.set(themas)
    project.focusgebieden.set(focusgebieden)
    na = {
        "themas": sorted(t.pk for t in themas),
        "focusgebieden": sorted(f.pk for f in focusgebieden),
    }
    if na != voor:
        registreer(actor=actor, actie="project_indeling_wijzigen", obj=project, voor=voor, na=na)
    return project


def _controleer_binnen_periode(project: Project) -> None:
    """A project's period may not shrink past what has already been budgeted or submitted."""
    fouten = []
    jaren = (project.startdatum.year, project.einddatum.year)
    if project.begrotingsregels.exclude(jaar__range=jaren).exists():
        fouten.append("Er zijn begrotingsregels voor jaren buiten de nieuwe projectperiode.")
    ingediend = {
        *Meting.objects.filter(indicator__doel__project=project).values_list("periode", flat=True),
        *project.bestedingen.values_list("periode", flat=True),
        *project.verslagen.values_list("periode", flat=True),
    }
    for code in sorted(ingediend):
        periode = parse_periode(code)
        if periode.einde < project.startdatum or periode.start > project.einddatum:
            fouten.append(f"Er is al ingediend over {code}, buiten de nieuwe projectperiode.")
            break
    if fouten:
        raise ValidationError({"einddatum": fouten})


@transaction.atomic
def project_status_wijzigen(*, actor: Actor, project: Project, status: str) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    controleer_overgang(Project.OVERGANGEN, project.status, status, Project.Status)
    return opslaan(actor=actor, actie="project_status_wijzigen", obj=project, status=status)


@transaction.atomic
def projectpartner_toevoegen(
    *, actor: Actor, project: Project, organisatie: Organisatie, rol: str
) -> Projectpartner:
    controleer_schrijfbaar(project)
    if Projectpartner.objects.filter(project=project, organisatie=organisatie).exists():
        raise ValidationError({"organisatie": f"{organisatie} is al partner in dit project."})
    return opslaan(
        actor=actor,
        actie="projectpartner_toevoegen",
        obj=Projectpartner(),
        project=project,
        organisatie=organisatie,
        rol=rol,
    )


@contextmanager
def uniek_of_conflict(melding: str, *, veld: str = "") -> Iterator[None]:
    """Two partners submitting the same thing at once: the check before the insert cannot
    see the other's uncommitted row, the unique constraint can. Its error becomes a 409."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as fout:
        raise Conflict(melding, veld=veld) from fout


def controleer_schrijfbaar(project: Project) -> None:
    if project.is_gesloten:
        raise Conflict(
            f"Project {project.code} is {project.get_status_display().lower()}: er kan niets meer bij."
        )


def vergrendelde_perioden(project: Project) -> list[str]:
    """Codes of the locked periods that apply to ``project`` (its own and programme-wide)."""
    return list(
        Periodevergrendeling.objects.filter(programma_id=project.programma_id)
        .filter(Q(project__isnull=True) | Q(project=project))
        .order_by()
        .values_list("periode", flat=True)
    )


def controleer_periode_open(
    project: Project, periode: str, vergrendeld: list[str] | None = None
) -> None:
    """Refuse writes to a period that overlaps a locked period of the project or programme."""
    try:
        doel = parse_periode(periode)
    except ValidationError:
        return  # the field validation reports a malformed period
    for code in vergrendelde_perioden(project) if vergrendeld is None else vergrendeld:
        slot = parse_periode(code)
        if slot.start <= doel.einde and slot.einde >= doel.start:
            raise Conflict(
                f"Periode {code} is vergrendeld: er kan niets meer worden ingediend of gewijzigd.",
                veld="periode",
            )


@transaction.atomic
def periode_vergrendelen(
    *, actor: Actor, programma: Programma, periode: str, project: Project | None = None
) -> Periodevergrendeling:
    """Lock a period for one project or, without a project, for the whole programme."""
    Programma.objects.select_for_update().get(pk=programma.pk)
    bestaand = Periodevergrendeling.objects.filter(
        programma=programma, project=project, periode=periode
    ).first()
    if bestaand:
        return bestaand
    return opslaan(
        actor=actor,
        actie="periode_vergrendelen",
        obj=Periodevergrendeling(),
        programma=programma,
        project=project,
        periode=periode,
        vergrendeld_door=actor.gebruiker,
    )


@transaction.atomic
def periode_ontgrendelen(*, actor: Actor, vergrendeling: Periodevergrendeling) -> None:
    registreer(
        actor=actor,
        actie="periode_ontgrendelen",
        obj=vergrendeling,
        voor=momentopname(vergrendeling),
    )
    vergrendeling.delete()


def deelname_en_vergrendelingen(
    project: Project, organisatie: Organisatie | None
) -> tuple[bool, list[str]]:
    """Whether ``organisatie`` takes part in ``project`` (True without one), and the codes
    of the locked periods that apply to it, as ``controleer_deelname`` and
    ``vergrendelde_perioden`` give them, in one statement: a single submission asks both,
    and building the two ORM queries cost more than running them."""
    q = connection.ops.quote_name
    vergrendeling, partner = Periodevergrendeling._meta.db_table, Projectpartner._meta.db_table
    sql = (
        f"SELECT {q('periode')} FROM {q(vergrendeling)} WHERE {q('programma_id')} = %s "
        f"AND ({q('project_id')} IS NULL OR {q('project_id')} = %s)"
    )
    parameters: list[Any] = [project.programma_id, project.pk]
    if organisatie is not None:
        # Projectpartner is unique per project and organisation: at most one NULL row.
        sql += (
            f" UNION ALL SELECT NULL FROM {q(partner)} "
            f"WHERE {q('project_id')} = %s AND {q('organisatie_id')} = %s"
        )
        parameters += [project.pk, organisatie.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        codes = [code for (code,) in cursor.fetchall()]
    vergrendeld = [code for code in codes if code is not None]
    return organisatie is None or len(codes) > len(vergrendeld), vergrendeld


def controleer_deelname(project: Project, organisatie: Organisatie | None) -> None:
    """A partner writes only for projects its organisation takes part in. The project is
    reported as not found, so its existence is not revealed."""
    if (
        organisatie is not None
        and not project.partners.filter(organisatie=organisatie).order_by().exists()
    ):
        raise NietGevonden("Project niet gevonden.")


# --- results framework ------------------------------------------------------------------


@transaction.atomic
def doel_aanmaken(*, actor: Actor, project: Project, titel: str, omschrijving: str = "") -> Doel:
    controleer_schrijfbaar(project)
    return opslaan(
        actor=actor,
        actie="doel_aanmaken",
        obj=Doel(),
        project=project,
        titel=titel,
        omschrijving=omschrijving,
    )


@transaction.atomic
def indicator_aanmaken(
    *,
    actor: Actor,
    doel: Doel,
    naam: str,
    streefwaarden: dict[str, Decimal] | None = None,
    **semantiek: Any,
) -> Indicator:
    """Create a project indicator; ``semantiek`` holds eenheid, richting, cumulatief,
    aggregatie, basiswaarde, basisjaar and programma_indicator."""
    controleer_schrijfbaar(doel.project)
    indicator = opslaan(
        actor=actor, actie="indicator_aanmaken", obj=Indicator(), doel=doel, naam=naam, **semantiek
    )
    if streefwaarden:
        streefwaarden_vastleggen(actor=actor, indicator=indicator, waarden=streefwaarden)
    return indicator


@transaction.atomic
def streefwaarden_vastleggen(
    *, actor: Actor, indicator: Indicator, waarden: dict[str, Decimal]
) -> list[Streefwaarde]:
    """Set targets per period, creating or changing each; all or none are saved."""
    controleer_schrijfbaar(indicator.doel.project)
    bestaand = {
        s.periode: s for s in Streefwaarde.objects.select_for_update().filter(indicator=indicator)
    }
    resultaat = []
    for periode, waarde in sorted(waarden.items()):
        obj = bestaand.get(periode) or Streefwaarde(indicator=indicator, periode=periode)
        actie = "streefwaarde_wijzigen" if obj.pk else "streefwaarde_vastleggen"
        resultaat.append(opslaan(actor=actor, actie=actie, obj=obj, waarde=waarde))
    return resultaat


# --- submissions and review ---------------------------------------------------------------


def _indiener(actor: Actor, organisatie: Organisatie | None) -> dict[str, Any]:
    return {"ingediend_door": actor.gebruiker, "ingediend_door_organisatie": organisatie}


#: What a partner fills in for a measurement; the service sets every other field.
METINGVELDEN = ("periode", "waarde", "toelichting", "bron", "uitsplitsing")
#: The rest: the indicator was looked up by the caller, and the service sets the others.
NIET_INGEVULD = [f.name for f in Meting._meta.fields if f.name not in METINGVELDEN]


class _Metingmaker:
    """New measurements for one submitter, built as ``Meting(*waarden)`` from every field's
    value in order (the way the ORM builds a loaded row) instead of ``Meting(**velden)``,
    whose per-field keyword handling cost more than the rest of a batch's validation.
    Fields start at their defaults; the submitter and the indicator are cached as the
    relations they are."""

    def __init__(self, actor: Actor, organisatie: Organisatie | None) -> None:
        velden = Meting._meta.concrete_fields
        self.plaats = {f.attname: i for i, f in enumerate(velden)}
        self.standaard = [f.get_default() for f in velden]
        self.relaties: list[tuple[Any, Any]] = []
        for naam, obj in _indiener(actor, organisatie).items():
            veld = Meting._meta.get_field(naam)
            self.standaard[self.plaats[veld.attname]] = None if obj is None else obj.pk  # type: ignore[union-attr]
            self.relaties.append((veld, obj))
        self.indicator = Meting._meta.get_field("indicator")

    def __call__(self, indicator: Indicator, item: dict[str, Any]) -> Meting:
        waarden, plaats = self.standaard.copy(), self.plaats
        waarden[plaats["indicator_id"]] = indicator.pk
        waarden[plaats["periode"]] = item["periode"]
        waarden[plaats["waarde"]] = item["waarde"]
        waarden[plaats["toelichting"]] = item.get("toelichting", "")
        waarden[plaats["bron"]] = item.get("bron", "")
        waarden[plaats["uitsplitsing"]] = item.get("uitsplitsing") or {}
        meting = Meting(*waarden)  # type: ignore[misc]  # positional, as the ORM builds a row
        for veld, obj in self.relaties:
            veld.set_cached_value(meting, obj)
        self.indicator.set_cached_value(meting, indicator)  # type: ignore[union-attr]
        return meting


def _meting_regels(
    meting: Meting, project: Project, *, invoer_gecontroleerd: bool, perioden: dict[str, str]
) -> None:
    """Validate a new measurement. With ``invoer_gecontroleerd`` the caller has checked the
    fields a partner fills in against limits at least as strict as the fields' own (the
    API's schemas do; a test holds them to it), so only what the fields cannot know is
    checked: a real period within the project, and a value the indicator allows. Without
    it, the fields are cleaned first, as ``full_clean`` would. ``perioden`` remembers the
    outcome of each period for this project."""
    if not invoer_gecontroleerd:
        meting.full_clean(exclude=NIET_INGEVULD, validate_unique=False, validate_constraints=False)
        return
    melding = perioden.get(meting.periode)
    if melding is None:
        try:
            project.valideer_periode(meting.periode)
            melding = ""
        except ValidationError as fout:
            # A year outside 1900-2100 fails to parse; a period outside the project, later.
            per_veld = fout.message_dict if hasattr(fout, "error_dict") else {}
            melding = per_veld.get("periode", fout.messages)[0]
        perioden[meting.periode] = melding
    if melding:
        raise ValidationError({"periode": melding})
    meting.indicator.valideer_waarde(meting.waarde)


@dataclass
class _Metingrijen:
    """New measurements as the rows their table gets: ``_metingrijen`` prepares them
    (before the transaction, for a single submission), ``invoegen`` writes them."""

    metingen: list[Meting]
    kolommen: list[str]
    rijen: list[list[Any]]
    per_rij: set[str]

    def invoegen(self, actor: Actor) -> bool:
        """Insert the measurements and their audit rows (one each, with its snapshot).
        Must run inside the transaction that checked them. The measurements come back
        saved, with their ids. A single measurement whose indicator and period are taken
        is not inserted (False), without the error that would need a savepoint to recover
        from; of several, the unique constraint's IntegrityError is raised."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("Metingen worden in de transactie van hun controles geschreven.")
        metingen, rijen, kolommen = self.metingen, self.rijen, self.kolommen
        tabel, q = Meting._meta.db_table, connection.ops.quote_name
        with connection.cursor() as cursor:
            if len(rijen) == 1:
                plaatsen = ", ".join(["%s"] * len(kolommen))
                cursor.execute(
                    f"INSERT INTO {q(tabel)} ({', '.join(map(q, kolommen))}) "
                    f"VALUES ({plaatsen}) ON CONFLICT DO NOTHING RETURNING {q('id')}",
                    rijen[0],
                )
                rij = cursor.fetchone()
                if rij is None:
                    return False
                ids = [rij[0]]
            elif connection.vendor == "postgresql":
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [q(tabel)])
                reeks = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [reeks, len(rijen)]
                )
                ids = sorted(r[0] for r in cursor.fetchall())
                schrijf_rijen(
                    tabel,
                    ["id", *kolommen],
                    [[id_, *rij] for id_, rij in zip(ids, rijen, strict=True)],
                )
            else:
                # SQLite: from the first row on, the transaction holds the only write
                # lock, and the table counts with AUTOINCREMENT: the rows of one
                # executemany get consecutive ids, the last one last_insert_rowid().
                schrijf_rijen(tabel, kolommen, rijen)
                cursor.execute("SELECT last_insert_rowid()")
                laatste = cursor.fetchone()[0]
                ids = list(range(laatste - len(rijen) + 1, laatste + 1))
        for id_, meting in zip(ids, metingen, strict=True):
            meting.pk = id_
            meting._state.adding = False
            meting._state.db = connection.alias
        registreer_bulk(
            actor=actor,
            actie="meting_indienen",
            objecten=metingen,
            momentopnamen=_momentopnamen(metingen, self.per_rij),
        )
        return True


def _metingrijen(metingen: list[Meting]) -> _Metingrijen:
    """The rows for validated new measurements.

    Written with a raw ``INSERT ... RETURNING`` (one), ``executemany`` (SQLite) or
    ``COPY`` with ids taken from the sequence (PostgreSQL) instead of
    ``save``/``bulk_create``, which prepare every field of every row in Python. The values
    are those the fields store: each column is prepared by its own field, once for the
    columns every measurement of the call shares (status, submitter, one timestamp for
    submission and change), per row for the rest."""
    nu = timezone.now()
    db = transaction.get_connection()  # not the proxy: it is asked for every row
    velden = [f for f in Meting._meta.concrete_fields if not f.primary_key]
    eerste = metingen[0]
    eerste.ingediend_op = eerste.gewijzigd_op = nu
    vast = {
        f.attname: f.get_db_prep_save(getattr(eerste, f.attname), db)
        for f in velden
        if f.name not in {"indicator", *METINGVELDEN}
    }
    veld = {f.name: f for f in velden}
    waarde, uitsplitsing = veld["waarde"], veld["uitsplitsing"]
    leeg = uitsplitsing.get_db_prep_save({}, db)
    rijen = []
    for meting in metingen:
        meting.ingediend_op = meting.gewijzigd_op = nu
        rij = {
            **vast,
            "indicator_id": meting.indicator_id,
            "periode": meting.periode,
            "waarde": waarde.get_db_prep_save(meting.waarde, db),
            "toelichting": meting.toelichting,
            "bron": meting.bron,
            "uitsplitsing": (
                uitsplitsing.get_db_prep_save(meting.uitsplitsing, db)
                if meting.uitsplitsing
                else leeg
            ),
        }
        rijen.append([rij[f.attname] for f in velden])
    return _Metingrijen(
        metingen=metingen,
        kolommen=[f.column for f in velden],
        rijen=rijen,
        per_rij={f.attname for f in velden} - vast.keys(),
    )


def _momentopnamen(metingen: list[Meting], per_rij: set[str]) -> list[dict[str, Any]]:
    """``momentopname`` of each new measurement (a test holds them equal), with the fields
    every one of them shares converted once."""
    namen = [f.attname for f in Meting._meta.concrete_fields]
    gedeeld = {n: v for n, v in momentopname(metingen[0]).items() if n not in per_rij and n != "id"}
    opnamen = []
    for meting in metingen:
        eigen = {
            "id": meting.pk,
            "indicator_id": meting.indicator_id,
            "periode": meting.periode,
            "waarde": momentopname_waarde(meting.waarde),
            "toelichting": meting.toelichting,
            "bron": meting.bron,
            "uitsplitsing": (
                momentopname_waarde(meting.uitsplitsing) if meting.uitsplitsing else {}
            ),
        }
        opnamen.append({n: eigen[n] if n in eigen else gedeeld[n] for n in namen})
    return opnamen


def meting_indienen(
    *,
    actor: Actor,
    indicator: Indicator,
    periode: str,
    waarde: Decimal,
    toelichting: str = "",
    bron: str = "",
    uitsplitsing: dict[str, Any] | None = None,
    organisatie: Organisatie | None = None,
    invoer_gecontroleerd: bool = False,
) -> Meting:
    """Submit one measurement for review. ``invoer_gecontroleerd``: see ``_meting_regels``.

    The measurement is built, validated and turned into its row before the transaction,
    which holds SQLite's single write lock only for the checks against the database and
    the inserts. A validation error is reported after the check of the organisation's
    participation, so a project that is not the organisation's reveals nothing."""
    project = indicator.doel.project
    meting = _Metingmaker(actor, organisatie)(
        indicator,
        {
            "periode": periode,
            "waarde": waarde,
            "toelichting": toelichting,
            "bron": bron,
            "uitsplitsing": uitsplitsing,
        },
    )
    rijen: _Metingrijen | ValidationError
    try:
        _meting_regels(meting, project, invoer_gecontroleerd=invoer_gecontroleerd, perioden={})
        rijen = _metingrijen([meting])
    except ValidationError as fout:
        rijen = fout
    # No savepoint inside a caller's transaction (the API's, on PostgreSQL): nothing in
    # this block is expected to fail in the database, and a refusal is raised after it.
    weigering: Exception | None = None
    with transaction.atomic(savepoint=False):
        deelname, vergrendeld = deelname_en_vergrendelingen(project, organisatie)
        try:
            if not deelname:
                raise NietGevonden("Project niet gevonden.")
            controleer_schrijfbaar(project)
            controleer_periode_open(project, periode, vergrendeld)
            if isinstance(rijen, ValidationError):
                raise rijen
        except (NietGevonden, Conflict, ValidationError) as geweigerd:
            weigering = geweigerd
        else:
            # One measurement per indicator and period: the unique constraint decides,
            # also when two partners submit at the same moment.
            if not rijen.invoegen(actor):
                weigering = Conflict(
                    f"Voor {indicator} is over {periode} al een meting ingediend; corrigeer die.",
                    veld="periode",
                )
    if weigering is not None:
        raise weigering
    return meting


@transaction.atomic
def metingen_indienen(
    *,
    actor: Actor,
    items: Sequence[dict[str, Any]],
    organisatie: Organisatie | None = None,
    invoer_gecontroleerd: bool = False,
) -> list[Meting]:
    """Submit a batch of measurements: all are stored, or none. Each item holds
    ``indicator`` (an Indicator), ``periode``, ``waarde`` and optionally ``toelichting``,
    ``bron`` and ``uitsplitsing``. Every error names the item's index and field.
    ``invoer_gecontroleerd``: see ``_meting_regels``."""
    fouten: list[dict[str, object]] = []
    metingen: list[Meting] = []
    gezien: set[tuple[int, str]] = set()
    paren = {(item["indicator"].pk, item["periode"]) for item in items}
    bestaand = set(
        Meting.objects.filter(
            indicator_id__in={i for i, _ in paren}, periode__in={p for _, p in paren}
        ).values_list("indicator_id", "periode")
    )
    deelname: dict[int, bool] = {}
    vergrendeld: dict[int, list[str]] = {}
    open_: dict[tuple[int, str], str] = {}
    perioden: dict[int, dict[str, str]] = defaultdict(dict)
    nieuwe_meting = _Metingmaker(actor, organisatie)
    for index, item in enumerate(items):
        indicator: Indicator = item["indicator"]
        project = indicator.doel.project
        if organisatie is not None and project.pk not in deelname:
            deelname[project.pk] = project.partners.filter(organisatie=organisatie).exists()
        if organisatie is not None and not deelname[project.pk]:
            fouten.append(
                {"index": index, "veld": "indicator", "melding": "Indicator niet gevonden."}
            )
            continue
        if project.is_gesloten:
            fouten.append(
                {
                    "index": index,
                    "veld": "indicator",
                    "melding": f"Project {project.code} is gesloten.",
                }
            )
            continue
        if project.pk not in vergrendeld:
            vergrendeld[project.pk] = vergrendelde_perioden(project)
        # Many items share a project and a period: each pair is checked once.
        sleutel_open = (project.pk, item["periode"])
        if sleutel_open not in open_:
            try:
                controleer_periode_open(project, item["periode"], vergrendeld[project.pk])
                open_[sleutel_open] = ""
            except Conflict as fout:
                open_[sleutel_open] = str(fout)
        if open_[sleutel_open]:
            fouten.append({"index": index, "veld": "periode", "melding": open_[sleutel_open]})
            continue
        sleutel = (indicator.pk, item["periode"])
        if sleutel in gezien or sleutel in bestaand:
            fouten.append(
                {
                    "index": index,
                    "veld": "periode",
                    "melding": f"Voor deze indicator is over {item['periode']} al een meting ingediend.",
                }
            )
            continue
        gezien.add(sleutel)
        meting = nieuwe_meting(indicator, item)
        try:
            # The indicators were looked up by the caller; uniqueness is checked above
            # for the whole batch and guarded by the database constraint.
            _meting_regels(
                meting,
                project,
                invoer_gecontroleerd=invoer_gecontroleerd,
                perioden=perioden[project.pk],
            )
        except ValidationError as fout:
            for veld, meldingen in fout.message_dict.items():
                fouten.extend({"index": index, "veld": veld, "melding": m} for m in meldingen)
            continue
        metingen.append(meting)
    if fouten:
        raise Bulkfouten(fouten)
    if metingen:
        ingehaald = "Een meting uit de batch is intussen al ingediend; er is niets opgeslagen."
        with uniek_of_conflict(ingehaald):
            if not _metingrijen(metingen).invoegen(actor):
                raise Conflict(ingehaald)
    return metingen


def _corrigeren(
    *,
    actor: Actor,
    actie: str,
    obj: Beoordeelbaar,
    versie: int | None,
    project: Project,
    velden: dict[str, Any],
) -> Any:
    """A returned (or not yet reviewed) submission may be corrected; it goes back into
    review with a new version. ``versie`` guards against lost updates."""
    controleer_schrijfbaar(project)
    controleer_periode_open(project, velden.get("periode") or obj.periode)  # type: ignore[attr-defined]
    if velden.get("periode"):
        controleer_periode_open(project, obj.periode)  # type: ignore[attr-defined]
    if versie is not None and versie != obj.versie:
        raise VersieVerouderd(f"Versie {versie} is verouderd; de huidige versie is {obj.versie}.")
    if obj.status == Beoordeling.GOEDGEKEURD:
        raise Conflict("Een goedgekeurde inzending kan niet meer worden gecorrigeerd.")
    return opslaan(
        actor=actor,
        actie=actie,
        obj=obj,
        status=Beoordeling.INGEDIEND,
        versie=obj.versie + 1,
        beoordeeld_door=None,
        beoordeeld_op=None,
        **velden,
    )


@transaction.atomic
def meting_corrigeren(
    *,
    actor: Actor,
    meting: Meting,
    versie: int | None = None,
    organisatie: Organisatie | None = None,
    **velden: Any,
) -> Meting:
    if onbekend := set(velden) - {"waarde", "toelichting", "bron", "uitsplitsing"}:
        raise ValidationError(f"Onbekende velden: {', '.join(sorted(onbekend))}.")
    meting = (
        Meting.objects.select_for_update()
        .select_related("indicator__doel__project")
        .get(pk=meting.pk)
    )
    project = meting.indicator.doel.project
    controleer_deelname(project, organisatie)
    result: Meting = _corrigeren(
        actor=actor,
        actie="meting_corrigeren",
        obj=meting,
        versie=versie,
        project=project,
        velden=velden,
    )
    return result


def _beoordelen(
    *,
    actor: Actor,
    actie: str,
    obj: Beoordeelbaar,
    project: Project,
    besluit: str,
    toelichting: str,
) -> Any:
    # A locked period accepts no writes at all, a review included.
    controleer_periode_open(project, obj.periode)  # type: ignore[attr-defined]
    controleer_overgang(Beoordeelbaar.BEOORDELING_OVERGANGEN, obj.status, besluit, Beoordeling)
    if besluit == Beoordeling.TERUGGESTUURD and not toelichting.strip():
        raise ValidationError(
            {"beoordeling_toelichting": "Geef bij terugsturen aan wat er moet veranderen."}
        )
    return opslaan(
        actor=actor,
        actie=actie,
        obj=obj,
        status=besluit,
        beoordeling_toelichting=toelichting,
        beoordeeld_door=actor.gebruiker,
        beoordeeld_op=timezone.now(),
    )


@transaction.atomic
def meting_beoordelen(
    *, actor: Actor, meting: Meting, besluit: str, toelichting: str = "", nawerk: bool = True
) -> Meting:
    """Approve or return (with a comment) a submitted measurement; never in a locked period.

    With ``nawerk`` the partner is e-mailed the outcome and the project's tranches are
    checked once this commits; bulk review passes False and queues that once."""
    meting = (
        Meting.objects.select_for_update(of=("self",))
        .select_related("indicator__doel__project")
        .get(pk=meting.pk)
    )
    result: Meting = _beoordelen(
        actor=actor,
        actie="meting_beoordelen",
        obj=meting,
        project=meting.indicator.doel.project,
        besluit=besluit,
        toelichting=toelichting,
    )
    if nawerk:
        _na_beoordeling("meting", [result])
    return result


@transaction.atomic
def besteding_indienen(
    *,
    actor: Actor,
    project: Project,
    periode: str,
    kostensoort: str,
    bedrag: Decimal,
    omschrijving: str = "",
    beschikking: Beschikking | None = None,
    organisatie: Organisatie | None = None,
) -> Besteding:
    controleer_deelname(project, organisatie)
    controleer_schrijfbaar(project)
    controleer_periode_open(project, periode)
    return opslaan(
        actor=actor,
        actie="besteding_indienen",
        obj=Besteding(),
        project=project,
        periode=periode,
        kostensoort=kostensoort,
        bedrag=bedrag,
        omschrijving=omschrijving,
        beschikking=beschikking,
        **_indiener(actor, organisatie),
    )


@transaction.atomic
def besteding_corrigeren(
    *,
    actor: Actor,
    besteding: Besteding,
    versie: int | None = None,
    organisatie: Organisatie | None = None,
    **velden: Any,
) -> Besteding:
    if onbekend := set(velden) - {"bedrag", "kostensoort", "omschrijving", "periode"}:
        raise ValidationError(f"Onbekende velden: {', '.join(sorted(onbekend))}.")
    besteding = Besteding.objects.select_for_update().select_related("project").get(pk=besteding.pk)
    controleer_deelname(besteding.project, organisatie)
    result: Besteding = _corrigeren(
        actor=actor,
        actie="besteding_corrigeren",
        obj=besteding,
        versie=versie,
        project=besteding.project,
        velden=velden,
    )
    return result


@transaction.atomic
def besteding_beoordelen(
    *,
    actor: Actor,
    besteding: Besteding,
    besluit: str,
    toelichting: str = "",
    nawerk: bool = True,
) -> Besteding:
    """Approve or return (with a comment) a submitted expenditure; never in a locked period.

    With ``nawerk`` the partner is e-mailed the outcome and the project's tranches are
    checked once this commits; bulk review passes False and queues that once."""
    besteding = (
        Besteding.objects.select_for_update(of=("self",))
        .select_related("project")
        .get(pk=besteding.pk)
    )
    result: Besteding = _beoordelen(
        actor=actor,
        actie="besteding_beoordelen",
        obj=besteding,
        project=besteding.project,
        besluit=besluit,
        toelichting=toelichting,
    )
    if nawerk:
        _na_beoordeling("besteding", [result])
    return result


@transaction.atomic
def voortgangsverslag_indienen(
    *,
    actor: Actor,
    project: Project,
    periode: str,
    samenvatting: str,
    risicos: str = "",
    afwijkingen: str = "",
    organisatie: Organisatie | None = None,
) -> Voortgangsverslag:
    controleer_deelname(project, organisatie)
    controleer_schrijfbaar(project)
    controleer_periode_open(project, periode)
    # One narrative per project and period: the unique constraint decides, also when two
    # partners submit at the same moment (as in meting_indienen).
    with uniek_of_conflict(
        f"Over {periode} is al een voortgangsverslag ingediend; corrigeer dat.", veld="periode"
    ):
        verslag = opslaan(
            actor=actor,
            actie="voortgangsverslag_indienen",
            obj=Voortgangsverslag(),
            uniek_in_database=True,
            project=project,
            periode=periode,
            samenvatting=samenvatting,
            risicos=risicos,
            afwijkingen=afwijkingen,
            **_indiener(actor, organisatie),
        )
    _verplichting_voldaan(
        actor=actor, project=project, periode=periode, soort=Rapportageverplichting.Soort.VOORTGANG
    )
    return verslag


@transaction.atomic
def voortgangsverslag_corrigeren(
    *,
    actor: Actor,
    verslag: Voortgangsverslag,
    versie: int | None = None,
    organisatie: Organisatie | None = None,
    **velden: Any,
) -> Voortgangsverslag:
    if onbekend := set(velden) - {"samenvatting", "risicos", "afwijkingen"}:
        raise ValidationError(f"Onbekende velden: {', '.join(sorted(onbekend))}.")
    verslag = (
        Voortgangsverslag.objects.select_for_update().select_related("project").get(pk=verslag.pk)
    )
    controleer_deelname(verslag.project, organisatie)
    result: Voortgangsverslag = _corrigeren(
        actor=actor,
        actie="voortgangsverslag_corrigeren",
        obj=verslag,
        versie=versie,
        project=verslag.project,
        velden=velden,
    )
    return result


@transaction.atomic
def voortgangsverslag_beoordelen(
    *,
    actor: Actor,
    verslag: Voortgangsverslag,
    besluit: str,
    toelichting: str = "",
    nawerk: bool = True,
) -> Voortgangsverslag:
    """Approve or return (with a comment) a submitted progress narrative; never in a locked period.

    With ``nawerk`` the partner is e-mailed the outcome and the project's tranches are
    checked once this commits; bulk review passes False and queues that once."""
    verslag = (
        Voortgangsverslag.objects.select_for_update(of=("self",))
        .select_related("project")
        .get(pk=verslag.pk)
    )
    result: Voortgangsverslag = _beoordelen(
        actor=actor,
        actie="voortgangsverslag_beoordelen",
        obj=verslag,
        project=verslag.project,
        besluit=besluit,
        toelichting=toelichting,
    )
    if nawerk:
        _na_beoordeling("verslag", [result])
    return result


# The single-item review of each kind, as bulk review calls it (after commit it queues
# the follow-up work itself, once for the batch).
BEOORDELAARS: dict[str, Any] = {
    "meting": lambda *, obj, **kw: meting_beoordelen(meting=obj, nawerk=False, **kw),
    "besteding": lambda *, obj, **kw: besteding_beoordelen(besteding=obj, nawerk=False, **kw),
    "verslag": lambda *, obj, **kw: voortgangsverslag_beoordelen(verslag=obj, nawerk=False, **kw),
}


def _na_beoordeling(soort: str, objecten: Sequence[Beoordeelbaar]) -> None:
    """Once the review commits: e-mail the partners the outcome, and let an approved
    measurement or narrative release a tranche whose condition it completes."""
    if not objecten:
        return
    na_commit("projecten.tasks.beoordeling_melden", soort, sorted(o.pk for o in objecten))
    goedgekeurd = [o for o in objecten if o.status == Beoordeling.GOEDGEKEURD]
    projecten = sorted({project_van(soort, o).pk for o in goedgekeurd})
    for project_id in projecten:
        # An approved report or expenditure may fulfil an obligation at once.
        na_commit("projecten.verplichtingen.verplichtingen_bijwerken", project_id)
    if soort == "meting" and goedgekeurd:
        # Progress is aggregated in the rapportage app, above this one; it is named by
        # its task path, so projecten imports nothing from it.
        na_commit("rapportage.tasks.standen_bijwerken", sorted(o.pk for o in goedgekeurd))
    if soort == "besteding":
        return  # no tranche condition depends on expenditure
    for project_id in projecten:
        na_commit("projecten.tasks.tranches_controleren", project_id)


@transaction.atomic
def inzendingen_beoordelen(
    *,
    actor: Actor,
    metingen: Sequence[Meting] = (),
    bestedingen: Sequence[Besteding] = (),
    verslagen: Sequence[Voortgangsverslag] = (),
    besluit: str,
    toelichting: str = "",
) -> list[Beoordeelbaar]:
    """Approve or return many submissions with one decision and one comment: all or none.

    Every submission that cannot be reviewed (reviewed by someone else meanwhile, gone, in
    a locked period) is named in one :class:`Bulkfouten` and nothing changes. Otherwise
    each goes through its single-item service (validation and audit row per item), and
    the partners are told and the tranches checked once, after commit."""
    if besluit not in (Beoordeling.GOEDGEKEURD, Beoordeling.TERUGGESTUURD):
        raise ValidationError({"status": "Kies goedkeuren of terugsturen."})
    if besluit == Beoordeling.TERUGGESTUURD and not toelichting.strip():
        raise ValidationError(
            {"beoordeling_toelichting": "Geef bij terugsturen aan wat er moet veranderen."}
        )
    gekozen = {  # each submission once, in the order given
        "meting": list(dict.fromkeys(m.pk for m in metingen)),
        "besteding": list(dict.fromkeys(b.pk for b in bestedingen)),
        "verslag": list(dict.fromkeys(v.pk for v in verslagen)),
    }
    if not any(gekozen.values()):
        raise ValidationError("Kies minstens één inzending om te beoordelen.")
    fouten: list[dict[str, object]] = []
    slot: dict[int, list[str]] = {}
    gevonden: dict[str, dict[int, Any]] = {}
    # Lock every chosen row first, per kind in id order: two reviewers with overlapping
    # selections wait for each other instead of deadlocking, and the second sees the
    # first one's decision.
    for soort, ids in gekozen.items():
        rijen = {
            o.pk: o
            for o in SOORTEN[soort]
            .objects.select_for_update(of=("self",))
            .select_related(*GERELATEERD[soort], *INDIENERS)
            .filter(pk__in=ids)
            .order_by("pk")
        }
        gevonden[soort] = rijen
        for pk in ids:
            obj = rijen.get(pk)
            if obj is None:
                fouten.append(
                    {"soort": soort, "id": pk, "melding": "Deze inzending bestaat niet meer."}
                )
                continue
            naam = omschrijving(soort, obj)
            if obj.status != Beoordeling.INGEDIEND:
                fouten.append(
                    {
                        "soort": soort,
                        "id": pk,
                        "melding": f"{naam} is intussen al {wie_beoordeelde(obj)}.",
                    }
                )
                continue
            project = project_van(soort, obj)
            if project.pk not in slot:
                slot[project.pk] = vergrendelde_perioden(project)
            try:
                controleer_periode_open(project, obj.periode, slot[project.pk])
            except Conflict as fout:
                fouten.append({"soort": soort, "id": pk, "melding": f"{naam}: {fout}"})
    if fouten:
        raise Bulkfouten(fouten)
    beoordeeld: dict[str, list[Beoordeelbaar]] = {}
    for soort, ids in gekozen.items():
        beoordeeld[soort] = [
            BEOORDELAARS[soort](
                actor=actor, obj=gevonden[soort][pk], besluit=besluit, toelichting=toelichting
            )
            for pk in ids
        ]
    for soort, objecten in beoordeeld.items():
        _na_beoordeling(soort, objecten)
    return [obj for objecten in beoordeeld.values() for obj in objecten]


def _al_gemeld(objecten: Sequence[Beoordeelbaar]) -> set[tuple[str, str]]:
    """(id, review moment) of the reviews among ``objecten`` whose outcome was e-mailed."""
    if not objecten:
        return set()
    regels = Auditregel.objects.filter(
        actie="beoordeling_gemeld",
        objecttype=objecten[0]._meta.label_lower,
        object_id__in=[str(o.pk) for o in objecten],
    ).values_list("object_id", "na")
    return {(object_id, str((na or {}).get("beoordeeld_op"))) for object_id, na in regels}


def beoordeling_melden(*, actor: Actor, soort: str, ids: Sequence[int]) -> int:
    """E-mail the outcome of reviewed submissions to the organisation that submitted them
    (its people with a partner role, and whoever submitted), and return how many e-mails
    went out. Once per review: each reported review is recorded as an audit row
    ``beoordeling_gemeld`` naming the review's moment, and is skipped the next time; a
    submission that was corrected and reviewed again is reported again.

    Each organisation's e-mails go out inside a transaction that holds its submissions'
    rows: a run at the same moment waits and then finds them reported, and a failed send
    rolls its record back so that the retry sends it."""
    groepen: dict[tuple[int | None, int | None], list[int]] = defaultdict(list)
    for pk, organisatie_id, gebruiker_id in (
        SOORTEN[soort]
        .objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "ingediend_door_organisatie_id", "ingediend_door_id")
    ):
        groepen[(organisatie_id, None if organisatie_id else gebruiker_id)].append(pk)
    return sum(_groep_melden(actor=actor, soort=soort, ids=groep) for groep in groepen.values())


@transaction.atomic
def _groep_melden(*, actor: Actor, soort: str, ids: list[int]) -> int:
    objecten = list(
        SOORTEN[soort]
        .objects.select_for_update(of=("self",))
        .select_related(*GERELATEERD[soort], *INDIENERS)
        .filter(
            pk__in=ids,
            status__in=[Beoordeling.GOEDGEKEURD, Beoordeling.TERUGGESTUURD],
            beoordeeld_op__isnull=False,
        )
        .order_by("pk")
    )
    gemeld = _al_gemeld(objecten)
    te_melden = [
        o
        for o in objecten
        if (str(o.pk), o.beoordeeld_op.isoformat()) not in gemeld  # type: ignore[union-attr]
    ]
    if not te_melden:
        return 0
    ontvangers = meldingen.partnerontvangers(te_melden)
    for obj in te_melden:
        registreer(
            actor=actor,
            actie="beoordeling_gemeld",
            obj=obj,
            na={
                "status": obj.status,
                "versie": obj.versie,
                "beoordeeld_op": obj.beoordeeld_op.isoformat(),  # type: ignore[union-attr]
                "ontvangers": [o.email for o in ontvangers],
            },
        )
    berichten = meldingen.beoordelingsberichten(soort, te_melden, ontvangers)
    if berichten:
        get_connection().send_messages(berichten)
    return len(berichten)


# --- money --------------------------------------------------------------------------------


@transaction.atomic
def beschikking_aanmaken(
    *,
    actor: Actor,
    project: Project,
    financier: Organisatie,
    regeling: str,
    kenmerk: str,
    bedrag: Decimal,
    thema: Thema | None = None,
    datum: date | None = None,
    status: str = Beschikking.Status.AANGEVRAAGD,
) -> Beschikking:
    if status not in (Beschikking.Status.AANGEVRAAGD, Beschikking.Status.VERLEEND):
        raise ValidationError({"status": "Een nieuwe beschikking is aangevraagd of verleend."})
    if status == Beschikking.Status.VERLEEND and datum is None:
        raise ValidationError({"datum": "Een verleende beschikking heeft een datum."})
    return opslaan(
        actor=actor,
        actie="beschikking_aanmaken",
        obj=Beschikking(),
        project=project,
        financier=financier,
        regeling=regeling,
        kenmerk=kenmerk,
        bedrag=bedrag,
        thema=thema,
        datum=datum,
        status=status,
    )


@transaction.atomic
def beschikking_status_wijzigen(
    *,
    actor: Actor,
    beschikking: Beschikking,
    status: str,
    datum: date | None = None,
    bedrag_vastgesteld: Decimal | None = None,
) -> Beschikking:
    """Move a grant along aangevraagd → verleend → vastgesteld | ingetrokken."""
    beschikking = Beschikking.objects.select_for_update().get(pk=beschikking.pk)
    controleer_overgang(Beschikking.OVERGANGEN, beschikking.status, status, Beschikking.Status)
    velden: dict[str, Any] = {"status": status}
    if status == Beschikking.Status.VERLEEND:
        if datum is None:
            raise ValidationError({"datum": "Een verleende beschikking heeft een datum."})
        velden["datum"] = datum
    if status == Beschikking.Status.VASTGESTELD:
        if bedrag_vastgesteld is None:
            raise ValidationError(
                {"bedrag_vastgesteld": "Bij vaststelling hoort een vastgesteld bedrag."}
            )
        velden.update(
            bedrag_vastgesteld=bedrag_vastgesteld, vastgesteld_op=datum or timezone.localdate()
        )
    return opslaan(actor=actor, actie="beschikking_status_wijzigen", obj=beschikking, **velden)


@transaction.atomic
def tranche_aanmaken(
    *,
    actor: Actor,
    beschikking: Beschikking,
    geplande_datum: date,
    bedrag: Decimal,
    voorwaarde: str = Tranche.Voorwaarde.GEEN,
    voorwaarde_periode: str = "",
) -> Tranche:
    # Lock the grant so two tranches added at once cannot together exceed it.
    beschikking = Beschikking.objects.select_for_update().get(pk=beschikking.pk)
    volgnummer = (beschikking.tranches.aggregate(m=Max("volgnummer"))["m"] or 0) + 1
    return opslaan(
        actor=actor,
        actie="tranche_aanmaken",
        obj=Tranche(),
        beschikking=beschikking,
        volgnummer=volgnummer,
        geplande_datum=geplande_datum,
        bedrag=bedrag,
        voorwaarde=voorwaarde,
        voorwaarde_periode=voorwaarde_periode,
    )


@transaction.atomic
def tranche_vrijgeven(*, actor: Actor, tranche: Tranche, reden: str) -> Tranche:
    tranche = Tranche.objects.select_for_update().get(pk=tranche.pk)
    if tranche.status != Tranche.Status.GEPLAND:
        return tranche
    return opslaan(
        actor=actor,
        actie="tranche_vrijgeven",
        obj=tranche,
        status=Tranche.Status.VRIJGEGEVEN,
        vrijgegeven_op=timezone.now(),
        vrijgave_reden=reden,
    )


@transaction.atomic
def tranche_betalen(*, actor: Actor, tranche: Tranche, betaald_op: date) -> Tranche:
    tranche = Tranche.objects.select_for_update().select_related("beschikking").get(pk=tranche.pk)
    controleer_overgang(Tranche.OVERGANGEN, tranche.status, Tranche.Status.BETAALD, Tranche.Status)
    if tranche.beschikking.status not in (
        Beschikking.Status.VERLEEND,
        Beschikking.Status.VASTGESTELD,
    ):
        raise ValidationError(
            {
                "status": "Alleen tranches van een verleende of vastgestelde beschikking worden betaald."
            }
        )
    return opslaan(
        actor=actor,
        actie="tranche_betalen",
        obj=tranche,
        status=Tranche.Status.BETAALD,
        betaald_op=betaald_op,
    )


def _dekt(perioden: list[Periode], van: date, tot: date) -> bool:
    """Whether ``perioden`` together cover every day from ``van`` to ``tot``."""
    dag = van
    for periode in sorted(perioden):
        if periode.start > dag:
            return False
        dag = max(dag, periode.einde + timedelta(days=1))
        if dag > tot:
            return True
    return dag > tot


def metingen_goedgekeurd(project: Project, code: str) -> bool:
    """Whether every indicator of ``project`` has approved measurements over period ``code``.

    An indicator counts when its approved measurements over ``code`` itself or over finer
    periods inside it (months or quarters of a year, months of a quarter) together cover
    the period, as far as it falls within the project's dates. A measurement over a
    coarser period does not count for a finer one, and a project without indicators
    meets no such condition."""
    periode = parse_periode(code)
    van, tot = max(periode.start, project.startdatum), min(periode.einde, project.einddatum)
    indicatoren = list(Indicator.objects.filter(doel__project=project).values_list("pk", flat=True))
    if not indicatoren or van > tot:
        return False
    gedekt: dict[int, list[Periode]] = defaultdict(list)
    for indicator_id, meting_periode in Meting.objects.filter(
        indicator_id__in=indicatoren,
        status=Beoordeling.GOEDGEKEURD,
        # every period code of the years concerned sorts between "JJJJ" and "JJJJ+1"
        periode__gte=str(periode.start.year),
        periode__lt=str(periode.einde.year + 1),
    ).values_list("indicator_id", "periode"):
        deel = parse_periode(meting_periode)
        if periode.start <= deel.start and deel.einde <= periode.einde:
            gedekt[indicator_id].append(deel)
    return all(_dekt(gedekt[i], van, tot) for i in indicatoren)


def _vrijgavereden(project: Project, tranche: Tranche) -> str:
    """Why ``tranche`` may be released now, or "" while its condition is not met."""
    periode = tranche.voorwaarde_periode
    if tranche.voorwaarde == Tranche.Voorwaarde.VERSLAG_GOEDGEKEURD:
        vervuld = Voortgangsverslag.objects.filter(
            project=project, periode=periode, status=Beoordeling.GOEDGEKEURD
        ).exists()
    elif tranche.voorwaarde == Tranche.Voorwaarde.METINGEN_GOEDGEKEURD:
        vervuld = metingen_goedgekeurd(project, periode)
    else:
        return ""
    if not vervuld:
        return ""
    voorwaarde = tranche.get_voorwaarde_display()
    return f"Voorwaarde vervuld: {voorwaarde[0].lower()}{voorwaarde[1:]} {periode}."


@transaction.atomic
def tranches_controleren(*, actor: Actor, project: Project) -> list[Tranche]:
    """Release every planned tranche of ``project``'s granted decisions whose condition is
    met, with the condition as reason and now as moment, and e-mail the programme
    managers after commit. Returns the tranches released now.

    Tranches without a condition are released by hand, never here; nor is anything of a
    stopped project. Safe to run twice and at once: the planned tranches are locked
    first, and a released one is no longer planned."""
    project = Project.objects.get(pk=project.pk)
    if project.status == Project.Status.GESTOPT:
        return []
    kandidaten = (
        Tranche.objects.select_for_update(of=("self",))
        .filter(
            beschikking__project=project,
            beschikking__status__in=[Beschikking.Status.VERLEEND, Beschikking.Status.VASTGESTELD],
            status=Tranche.Status.GEPLAND,
        )
        .exclude(voorwaarde=Tranche.Voorwaarde.GEEN)
        .order_by("pk")
    )
    vrijgegeven = [
        tranche_vrijgeven(actor=actor, tranche=tranche, reden=reden)
        for tranche in kandidaten
        if (reden := _vrijgavereden(project, tranche))
    ]
    if vrijgegeven:
        na_commit("projecten.tasks.tranchevrijgave_melden", [t.pk for t in vrijgegeven])
    return vrijgegeven


def tranchevrijgave_melden(*, actor: Actor, ids: Sequence[int]) -> int:
    """E-mail the programme managers which tranches were released, why and when, and
    return how many e-mails went out. Once per tranche: each report is recorded as an
    audit row ``tranchevrijgave_gemeld``, and a reported tranche is skipped."""
    per_programma: dict[int, list[int]] = defaultdict(list)
    for pk, programma_id in (
        Tranche.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "beschikking__project__programma_id")
    ):
        per_programma[programma_id].append(pk)
    return sum(
        _vrijgaven_melden(actor=actor, programma_id=programma_id, ids=groep)
        for programma_id, groep in per_programma.items()
    )


@transaction.atomic
def _vrijgaven_melden(*, actor: Actor, programma_id: int, ids: list[int]) -> int:
    tranches = list(
        Tranche.objects.select_for_update(of=("self",))
        .select_related("beschikking__project__programma")
        .filter(pk__in=ids, vrijgegeven_op__isnull=False)
        .order_by("pk")
    )
    gemeld = set(
        Auditregel.objects.filter(
            actie="tranchevrijgave_gemeld",
            objecttype=Tranche._meta.label_lower,
            object_id__in=[str(t.pk) for t in tranches],
        ).values_list("object_id", flat=True)
    )
    te_melden = [t for t in tranches if str(t.pk) not in gemeld]
    if not te_melden:
        return 0
    ontvangers = meldingen.programmamanagers(programma_id)
    for tranche in te_melden:
        registreer(
            actor=actor,
            actie="tranchevrijgave_gemeld",
            obj=tranche,
            na={"ontvangers": [o.email for o in ontvangers]},
        )
    berichten = meldingen.vrijgaveberichten(te_melden, ontvangers)
    if berichten:
        get_connection().send_messages(berichten)
    return len(berichten)


@transaction.atomic
def begrotingsregel_vastleggen(
    *,
    actor: Actor,
    project: Project,
    jaar: int,
    kostensoort: str,
    bedrag: Decimal,
    toelichting: str = "",
) -> Begrotingsregel:
    """The first budget for a year and cost category is the original (version 1); each
    later call records a revision as the next version. Versions are never summed."""
    controleer_schrijfbaar(project)
    laatste = (
        Begrotingsregel.objects.select_for_update()
        .filter(project=project, jaar=jaar, kostensoort=kostensoort)
        .order_by("-versie")
        .first()
    )
    return opslaan(
        actor=actor,
        actie="begroting_herzien" if laatste else "begroting_vastleggen",
        obj=Begrotingsregel(),
        project=project,
        jaar=jaar,
        kostensoort=kostensoort,
        bedrag=bedrag,
        toelichting=toelichting,
        versie=(laatste.versie + 1) if laatste else 1,
    )


def besteed_per_thema(programma: Programma, jaar: int, thema: Thema) -> Decimal:
    """Approved expenditure in ``jaar`` charged to grants of ``thema``, summed in the database."""
    totaal = Besteding.objects.filter(
        project__programma=programma,
        beschikking__thema=thema,
        status=Beoordeling.GOEDGEKEURD,
        periode__startswith=str(jaar),
    ).aggregate(s=Sum("bedrag"))["s"]
    # SQLite sums decimals as floating point: bring the total back to exact cents.
    return (totaal or Decimal("0")).quantize(Decimal("0.01"))


@transaction.atomic
def budget_overhevelen(*, actor: Actor, envelop: Budgetenvelop, bedrag: Decimal) -> Budgetenvelop:
    """Carry unspent budget of a theme into the next year, within the programme's maximum
    share. Returns the next year's envelope (created with no budget of its own if needed)."""
    envelop = (
        Budgetenvelop.objects.select_for_update()
        .select_related("programma", "thema")
        .get(pk=envelop.pk)
    )
    programma = envelop.programma
    onbesteed = envelop.beschikbaar - besteed_per_thema(programma, envelop.jaar, envelop.thema)
    maximum = (max(onbesteed, Decimal(0)) * programma.max_overheveling_percentage / 100).quantize(
        Decimal("0.01")
    )
    if bedrag > maximum:
        raise ValidationError(
            {
                "bedrag": f"Er kan hoogstens € {maximum} worden overgeheveld "
                f"({programma.max_overheveling_percentage}% van € {onbesteed} onbesteed)."
            }
        )
    programma.valideer_jaar(envelop.jaar + 1, "jaar")
    volgende, _ = Budgetenvelop.objects.select_for_update().get_or_create(
        programma=programma,
        thema=envelop.thema,
        jaar=envelop.jaar + 1,
        defaults={"bedrag": Decimal("0.00")},
    )
    return opslaan(actor=actor, actie="budget_overhevelen", obj=volgende, overheveling_in=bedrag)


# --- obligations --------------------------------------------------------------------------


@transaction.atomic
def verplichtingen_afleiden(*, actor: Actor, project: Project) -> list[Rapportageverplichting]:
    """Derive what a project owes, and when, from its period and reporting frequency:
    progress and financial reports per period, and a final report after the end date.
    Safe to run again: open obligations that no longer fit the period are removed,
    fulfilled ones are kept."""
    termijn = timedelta(days=project.rapportagetermijn_dagen)
    gewenst: dict[tuple[str, str], date] = {}
    for periode in perioden_tussen(
        project.startdatum, project.einddatum, project.rapportagefrequentie
    ):
        gewenst[(Rapportageverplichting.Soort.VOORTGANG, periode.code)] = periode.einde + termijn
    for periode in perioden_tussen(project.startdatum, project.einddatum, "jaar"):
        gewenst[(Rapportageverplichting.Soort.FINANCIEEL, periode.code)] = date(
            periode.jaar + 1, 4, 1
        )
    gewenst[(Rapportageverplichting.Soort.EIND, str(project.einddatum.year))] = (
        project.einddatum + timedelta(days=90)
    )

    bestaand = {
        (v.soort, v.periode): v
        for v in Rapportageverplichting.objects.select_for_update().filter(project=project)
    }
    for sleutel, verplichting in bestaand.items():
        if sleutel not in gewenst and verplichting.status != Rapportageverplichting.Status.VOLDAAN:
            registreer(
                actor=actor,
                actie="verplichting_vervallen",
                obj=verplichting,
                voor=momentopname(verplichting),
            )
            verplichting.delete()
    resultaat = []
    vandaag = timezone.localdate()
    for (soort, code), deadline in sorted(gewenst.items(), key=lambda kv: kv[1]):
        gevonden = bestaand.get((soort, code))
        verplichting = gevonden or Rapportageverplichting(
            project=project, soort=soort, periode=code
        )
        status = verplichting.status
        if status != Rapportageverplichting.Status.VOLDAAN:
            status = (
                Rapportageverplichting.Status.TE_LAAT
                if deadline < vandaag
                else Rapportageverplichting.Status.OPEN
            )
        if gevonden is not None and gevonden.deadline == deadline and gevonden.status == status:
            resultaat.append(gevonden)
            continue
        resultaat.append(
            opslaan(
                actor=actor,
                actie="verplichting_afleiden",
                obj=verplichting,
                deadline=deadline,
                status=status,
            )
        )
    return resultaat


def _verplichting_voldaan(*, actor: Actor, project: Project, periode: str, soort: str) -> None:
    for verplichting in (
        Rapportageverplichting.objects.select_for_update()
        .filter(project=project, soort=soort, periode__in=_omvattende_perioden(project, periode))
        .exclude(status=Rapportageverplichting.Status.VOLDAAN)
    ):
        opslaan(
            actor=actor,
            actie="verplichting_voldaan",
            obj=verplichting,
            status=Rapportageverplichting.Status.VOLDAAN,
            voldaan_op=timezone.now(),
        )


def _omvattende_perioden(project: Project, periode: str) -> list[str]:
    """The obligation periods that ``periode`` reports on (a report on K2 covers K2)."""
    doel = parse_periode(periode)
    return [
        p.code
        for p in perioden_tussen(
            project.startdatum, project.einddatum, project.rapportagefrequentie
        )
        if p.start <= doel.einde and p.einde >= doel.start
    ]
