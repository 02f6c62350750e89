"""What the demo is made of: the public reference lists in ``programma/referentiedata``
and the made-up organisations, interventions and indicators that fill them in."""

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from django.utils.text import slugify

REFERENTIEDATA = Path(__file__).resolve().parents[2] / "programma" / "referentiedata"

# Everything the demo builds is dated against this day, not against today, so that
# two runs build the same portfolio. Only what the models derive from today (overdue
# obligations) follows the calendar.
PEILDATUM = date(2026, 11, 27)
# Periods that ended before this day have been reported on.
RAPPORTAGEGRENS = date(2026, 10, 1)

WACHTWOORD = "ontschot-demo"

PROGRAMMA_CODE = "nplv"
PROGRAMMA_NAAM = "Nationaal Programma Leefbaarheid en Veiligheid"
REGELING = "SPUK Kansrijke Wijk"
STARTJAAR, EINDJAAR = 2023, 2038
MINISTERIE = "Ministerie van Volkshuisvesting en Ruimtelijke Ordening"
RAPPORTONTVANGERS = "nplv@minvro.example.nl\nkansrijkewijk@minvro.example.nl"

# The CBS name of The Hague is 's-Gravenhage; its municipality calls itself Den Haag.
GEMEENTE_ROEPNAAM = {"'s-Gravenhage": "Den Haag"}


@dataclass(frozen=True)
class Gebied:
    naam: str
    gemeente: str
    gemeentecode: str

    @property
    def code(self) -> str:
        return slugify(self.naam)

    @property
    def organisatienaam(self) -> str:
        return f"Gemeente {GEMEENTE_ROEPNAAM.get(self.gemeente, self.gemeente)}"


@dataclass(frozen=True)
class ThemaRij:
    code: str
    naam: str
    jaren: tuple[int, ...]


def _lees(bestand: str) -> list[dict[str, str]]:
    with (REFERENTIEDATA / bestand).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def focusgebieden() -> tuple[Gebied, ...]:
    return tuple(
        Gebied(naam=r["focusgebied"], gemeente=r["gemeente"], gemeentecode=r["gemeentecode"])
        for r in _lees("nplv-focusgebieden.csv")
    )


@cache
def themas() -> tuple[ThemaRij, ...]:
    """Unique themes in file order, each with the years of the grant periods it is in."""
    jaren: dict[str, list[int]] = {}
    for rij in _lees("nplv-themas.csv"):
        van, tot = (int(j) for j in rij["periode"].split("-"))
        jaren.setdefault(rij["thema"], []).extend(range(van, tot + 1))
    return tuple(
        ThemaRij(code=slugify(naam), naam=naam, jaren=tuple(sorted(set(j))))
        for naam, j in jaren.items()
    )


@cache
def leefbaarometer_klassen() -> dict[int, str]:
    return {int(r["klasse"]): r["omschrijving"] for r in _lees("leefbaarometer-klassen.csv")}


def gebiedscodes(index: int, gebied: Gebied) -> list[tuple[str, int]]:
    """Illustrative CBS wijk and buurt codes for a focus area: two wijken (for two
    reference years, as CBS redraws areas) with a few buurten. Amsterdam uses letters in
    its wijk codes (stadsdeel + wijk), the other municipalities digits."""
    gm = gebied.gemeentecode[2:]
    if gebied.gemeente == "Amsterdam":
        stadsdeel = "T" if "Zuidoost" in gebied.naam else "F"
        wijken = [f"{stadsdeel}A", f"{stadsdeel}C"]
    else:
        eerste = (index * 7) % 13 + 1
        wijken = [f"{eerste:02d}", f"{eerste + 2:02d}"]
    codes: list[tuple[str, int]] = []
    for wijk in wijken:
        codes += [(f"WK{gm}{wijk}", 2023), (f"WK{gm}{wijk}", 2024)]
    codes += [
        (f"BU{gm}{wijken[0]}01", 2024),
        (f"BU{gm}{wijken[0]}03", 2024),
        (f"BU{gm}{wijken[1]}02", 2024),
    ]
    return codes


# --- organisations ----------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisatieRij:
    naam: str
    soort: str
    kvk_nummer: str = ""
    gemeentecode: str = ""


# Made-up organisations with made-up KvK numbers, one or more of every kind that
# carries out NPLV interventions.
PARTNERS: tuple[OrganisatieRij, ...] = (
    OrganisatieRij("Woonstichting Thuis in de Wijk", "woningcorporatie", "90100011"),
    OrganisatieRij("Wooncorporatie Samen Wonen", "woningcorporatie", "90100023"),
    OrganisatieRij("Stichting Woonkracht Noord", "woningcorporatie", "90100035"),
    OrganisatieRij("Stichting Jongerenwerk Perspectief", "jongerenwerk", "90100047"),
    OrganisatieRij("JongWijk Jongerenwerk", "jongerenwerk", "90100059"),
    OrganisatieRij("Stichting Grip op Geld", "schuldhulpverlening", "90100061"),
    OrganisatieRij("Stichting Geldzorgen de Baas", "schuldhulpverlening", "90100073"),
    OrganisatieRij("Welzijnsorganisatie De Brug", "welzijn", "90100085"),
    OrganisatieRij("Stichting Welzijn Op Maat", "welzijn", "90100097"),
    OrganisatieRij("Wijkzorg Samen Gezond", "zorg", "90100102"),
    OrganisatieRij("Onderwijsstichting Kindkracht", "onderwijs", "90100114"),
    OrganisatieRij("Stichting Brede School Zuid", "onderwijs", "90100126"),
    OrganisatieRij("Wijkinnovatiebedrijf De Werkplaats", "wijkinnovatiebedrijf", "90100138"),
    OrganisatieRij("Wijkonderneming Buurtkracht", "wijkinnovatiebedrijf", "90100140"),
    OrganisatieRij("Bewonersplatform Samen Sterk", "bewonersorganisatie", "90100152"),
    OrganisatieRij("Bewonersvereniging Het Buurthuis", "bewonersorganisatie", "90100164"),
    OrganisatieRij("Fonds Kansrijke Buurten", "fonds", "90100176"),
    OrganisatieRij("Leerwerkbedrijf Vakkracht B.V.", "bedrijf", "90100188"),
)


def gemeenten() -> tuple[OrganisatieRij, ...]:
    gezien: dict[str, OrganisatieRij] = {}
    for gebied in focusgebieden():
        gezien.setdefault(
            gebied.organisatienaam,
            OrganisatieRij(gebied.organisatienaam, "gemeente", gemeentecode=gebied.gemeentecode),
        )
    return tuple(gezien.values())


def partnerorganisaties() -> tuple[OrganisatieRij, ...]:
    """Every organisation that takes part in interventions: the municipalities first."""
    return gemeenten() + PARTNERS


# --- results framework ------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorSjabloon:
    """An indicator with the range a partner's figure per quarter falls in. ``laag`` is
    where a project starts and ``hoog`` where it ends up when things go well (for a
    'lager is beter' indicator ``laag`` is the worse, higher, value)."""

    naam: str
    eenheid: str
    laag: float
    hoog: float
    richting: str = "hoger"
    cumulatief: bool = False
    aggregatie: str = "som"
    programma_indicator: str | None = None
    decimalen: int = 0
    bron: str = "Eigen registratie"
    uitsplitsing: tuple[str, ...] = ()


INDICATOREN: dict[str, IndicatorSjabloon] = {
    "vroegsignalen": IndicatorSjabloon(
        "Vroegsignalen van betalingsachterstanden opgevolgd",
        "aantal",
        20,
        110,
        bron="Registratie vroegsignalering",
    ),
    "hh_schuldhulp": IndicatorSjabloon(
        "Huishoudens met een schuldhulptraject",
        "aantal",
        6,
        28,
        programma_indicator="huishoudens-schulden",
        bron="Registratie schuldhulpverlening",
    ),
    "schuld_voorkomen": IndicatorSjabloon(
        "Voorkomen schuldbedrag",
        "euro",
        8000,
        60000,
        decimalen=2,
        bron="Registratie schuldhulpverlening",
    ),
    "geldstress": IndicatorSjabloon(
        "Ervaren geldstress van deelnemers (1–10)",
        "score",
        7.4,
        5.2,
        richting="lager",
        aggregatie="gemiddelde",
        decimalen=1,
        bron="Deelnemersenquête",
    ),
    "jongeren_traject": IndicatorSjabloon(
        "Jongeren in een perspectieftraject",
        "aantal",
        5,
        24,
        programma_indicator="jongeren-perspectief",
        bron="Monitor jongerenwerk",
        uitsplitsing=("12-17 jaar", "18-23 jaar"),
    ),
    "bewoners_bereikt": IndicatorSjabloon(
        "Bewoners bereikt sinds de start",
        "aantal",
        15,
        90,
        cumulatief=True,
        aggregatie="laatste",
        programma_indicator="bewoners-bereikt",
        bron="Deelnemersregistratie",
    ),
    "ervaren_veiligheid": IndicatorSjabloon(
        "Ervaren veiligheid in de buurt (rapportcijfer)",
        "score",
        5.6,
        7.0,
        aggregatie="gemiddelde",
        programma_indicator="ervaren-veiligheid",
        decimalen=1,
        bron="Wijkenquête",
    ),
    "uitstroom_werk": IndicatorSjabloon(
        "Bewoners uitgestroomd naar betaald werk",
        "aantal",
        2,
        14,
        programma_indicator="uitstroom-werk",
        bron="Registratie werk en inkomen",
    ),
    "begeleiding_uren": IndicatorSjabloon(
        "Uren begeleiding op de werkvloer of bij huiswerk",
        "uren",
        120,
        850,
        decimalen=1,
        bron="Urenregistratie",
    ),
    "verzuim": IndicatorSjabloon(
        "Leerlingen met ongeoorloofd verzuim",
        "percentage",
        11.0,
        4.5,
        richting="lager",
        aggregatie="gemiddelde",
        decimalen=1,
        bron="Leerplichtregistratie",
    ),
    "taalniveau": IndicatorSjabloon(
        "Leerlingen op streefniveau taal",
        "percentage",
        42.0,
        68.0,
        aggregatie="laatste",
        decimalen=1,
        bron="Leerlingvolgsysteem",
    ),
    "vve_bereik": IndicatorSjabloon(
        "Peuters met VVE-indicatie dat deelneemt",
        "percentage",
        64.0,
        92.0,
        aggregatie="gemiddelde",
        programma_indicator="vve-deelname",
        decimalen=1,
        bron="Monitor voorschoolse educatie",
    ),
    "kansrijke_start": IndicatorSjabloon(
        "Gezinnen begeleid in Kansrijke Start",
        "aantal",
        5,
        26,
        bron="Registratie jeugdgezondheidszorg",
    ),
    "groen_m2": IndicatorSjabloon(
        "Vergroende buitenruimte sinds de start (m²)",
        "aantal",
        150,
        900,
        cumulatief=True,
        aggregatie="laatste",
        bron="Beheerregistratie openbare ruimte",
    ),
    "beweeg_deelnemers": IndicatorSjabloon(
        "Deelnemers aan beweegactiviteiten",
        "aantal",
        30,
        190,
        bron="Presentielijsten",
        uitsplitsing=("jeugd", "volwassenen", "ouderen"),
    ),
    "vrijwilligers_uren": IndicatorSjabloon(
        "Uren vrijwillige inzet door bewoners",
        "uren",
        180,
        1400,
        decimalen=1,
        bron="Urenregistratie",
    ),
    "huiskamer_bezoek": IndicatorSjabloon(
        "Bezoeken aan de huiskamer", "aantal", 120, 780, bron="Turflijsten huiskamer"
    ),
    "bemiddeling": IndicatorSjabloon(
        "Burenconflicten opgelost na bemiddeling",
        "percentage",
        58.0,
        86.0,
        aggregatie="gemiddelde",
        decimalen=1,
        bron="Registratie buurtbemiddeling",
    ),
    "geldlessen": IndicatorSjabloon(
        "Leerlingen die de geldlessen volgden", "aantal", 25, 150, bron="Registratie scholen"
    ),
    "geldtoets": IndicatorSjabloon(
        "Leerlingen dat de geldtoets haalt",
        "percentage",
        48.0,
        79.0,
        aggregatie="laatste",
        decimalen=1,
        bron="Toetsresultaten",
    ),
}


@dataclass(frozen=True)
class ProjectSjabloon:
    titel: str
    omschrijving: str
    penvoerder: str  # kind of organisation
    partners: tuple[tuple[str, str], ...]  # (kind, role)
    doelen: tuple[tuple[str, tuple[str, ...]], ...]  # (goal, indicator keys)


PROJECTEN: dict[str, tuple[ProjectSjabloon, ...]] = {
    "armoede-en-schulden": (
        ProjectSjabloon(
            "Vroegsignalering betalingsachterstanden",
            "Woningcorporaties, energie- en zorgverzekeraars melden betalingsachterstanden; een "
            "schuldhulpmaatje gaat binnen vijf werkdagen op huisbezoek.",
            "schuldhulpverlening",
            (("woningcorporatie", "uitvoerder"), ("gemeente", "medefinancier")),
            (
                ("Schulden eerder in beeld", ("vroegsignalen", "hh_schuldhulp")),
                ("Minder nieuwe problematische schulden", ("schuld_voorkomen", "geldstress")),
            ),
        ),
        ProjectSjabloon(
            "Schuldhulp aan de keukentafel",
            "Huisbezoeken door schuldhulpverleners en getrainde vrijwilligers, met een vaste "
            "contactpersoon per huishouden tot de schulden geregeld zijn.",
            "schuldhulpverlening",
            (("welzijn", "uitvoerder"), ("bewonersorganisatie", "bewonerspartner")),
            (
                ("Huishoudens sneller schuldenvrij", ("hh_schuldhulp", "bewoners_bereikt")),
                ("Minder stress over geld", ("geldstress",)),
            ),
        ),
    ),
    "veerkracht-en-weerbaarheid": (
        ProjectSjabloon(
            "Perspectief voor jongeren op straat",
            "Jongerenwerkers en straatcoaches bieden jongeren die dreigen af te glijden een traject "
            "naar school, werk of een zinvolle dagbesteding.",
            "jongerenwerk",
            (("gemeente", "medefinancier"), ("welzijn", "uitvoerder")),
            (
                ("Jongeren kiezen voor school of werk", ("jongeren_traject", "bewoners_bereikt")),
                ("Een veiliger straatbeeld", ("ervaren_veiligheid",)),
            ),
        ),
        ProjectSjabloon(
            "Weerbare buurt: samen tegen ondermijning",
            "Bewoners, corporatie en gemeente werken samen aan signalering van ondermijning en "
            "versterken de sociale controle in portieken en pleinen.",
            "gemeente",
            (("bewonersorganisatie", "bewonerspartner"), ("woningcorporatie", "uitvoerder")),
            (("Bewoners voelen zich veiliger", ("ervaren_veiligheid", "vrijwilligers_uren")),),
        ),
    ),
    "re-integratie": (
        ProjectSjabloon(
            "Werkwinkel in de wijk",
            "Een laagdrempelig loket in de wijk voor werkzoekenden, met begeleiding naar werk bij "
            "lokale werkgevers.",
            "wijkinnovatiebedrijf",
            (("gemeente", "medefinancier"), ("bedrijf", "uitvoerder")),
            (("Meer bewoners aan het werk", ("uitstroom_werk", "begeleiding_uren")),),
        ),
        ProjectSjabloon(
            "Leerwerktrajecten voor jonge bewoners",
            "Jongeren zonder startkwalificatie leren een vak in de wijk: onderhoud, groen en "
            "renovatie van corporatiewoningen.",
            "bedrijf",
            (
                ("onderwijs", "kennispartner"),
                ("jongerenwerk", "uitvoerder"),
                ("woningcorporatie", "medefinancier"),
            ),
            (
                ("Jongeren behalen een diploma of baan", ("uitstroom_werk", "jongeren_traject")),
                ("Praktijkervaring in de eigen wijk", ("begeleiding_uren",)),
            ),
        ),
    ),
    "school-en-omgeving": (
        ProjectSjabloon(
            "Verlengde schooldag",
            "Extra lestijd met sport, cultuur en taal op basisscholen in de wijk, samen met "
            "welzijn en de bibliotheek.",
            "onderwijs",
            (("welzijn", "uitvoerder"), ("gemeente", "medefinancier")),
            (("Betere taalvaardigheid", ("taalniveau",)), ("Minder schoolverzuim", ("verzuim",))),
        ),
        ProjectSjabloon(
            "Brede brugklas en huiswerkbegeleiding",
            "Huiswerkbegeleiding en mentoring in de overgang van basis- naar voortgezet onderwijs.",
            "onderwijs",
            (("jongerenwerk", "uitvoerder"),),
            (("Soepele overstap naar het voortgezet onderwijs", ("verzuim", "begeleiding_uren")),),
        ),
    ),
    "ontwikkeling-jonge-kind": (
        ProjectSjabloon(
            "Kansrijke Start in de wijk",
            "Verloskundigen, jeugdgezondheidszorg en wijkteams begeleiden kwetsbare gezinnen vanaf "
            "de zwangerschap.",
            "zorg",
            (("gemeente", "medefinancier"), ("welzijn", "uitvoerder")),
            (("Gezonde start voor elk kind", ("kansrijke_start", "vve_bereik")),),
        ),
        ProjectSjabloon(
            "Voorlezen en VVE thuis",
            "Vrijwillige voorlezers en VVE-thuiscoaches ondersteunen ouders bij de taalontwikkeling "
            "van hun peuter.",
            "onderwijs",
            (("bewonersorganisatie", "bewonerspartner"),),
            (("Meer peuters naar de voorschool", ("vve_bereik", "vrijwilligers_uren")),),
        ),
    ),
    "gezonde-leefomgeving": (
        ProjectSjabloon(
            "Groene schoolpleinen en speelplekken",
            "Schoolpleinen en binnenterreinen worden samen met kinderen en bewoners vergroend en "
            "na schooltijd opengesteld.",
            "gemeente",
            (("woningcorporatie", "medefinancier"), ("bewonersorganisatie", "bewonerspartner")),
            (("Meer groen en speelruimte", ("groen_m2", "beweeg_deelnemers")),),
        ),
        ProjectSjabloon(
            "Sporten en bewegen in de buurt",
            "Buurtsportcoaches organiseren dagelijks beweegaanbod op pleinen en in de gymzaal.",
            "welzijn",
            (("wijkinnovatiebedrijf", "uitvoerder"), ("fonds", "medefinancier")),
            (("Bewoners bewegen meer", ("beweeg_deelnemers", "bewoners_bereikt")),),
        ),
    ),
    "re-integratie-en-preventie-geldzorgen": (
        ProjectSjabloon(
            "Van uitkering naar werk",
            "Bewoners met een bijstandsuitkering krijgen een jobcoach en, waar nodig, hulp bij "
            "geldzaken zodat werken loont.",
            "gemeente",
            (("wijkinnovatiebedrijf", "uitvoerder"), ("schuldhulpverlening", "uitvoerder")),
            (
                ("Duurzaam aan het werk", ("uitstroom_werk",)),
                ("Geen nieuwe schulden", ("hh_schuldhulp",)),
            ),
        ),
        ProjectSjabloon(
            "Geldzorgen voorkomen bij werkzoekenden",
            "Een geldcoach voor iedere werkzoekende in de wijk, gekoppeld aan de vroegsignalering.",
            "schuldhulpverlening",
            (("welzijn", "uitvoerder"),),
            (("Geldzorgen voorkomen", ("vroegsignalen", "geldstress")),),
        ),
    ),
    "maatschappelijke-samenhang": (
        ProjectSjabloon(
            "Huiskamers in de wijk",
            "Open huiskamers in buurthuizen en plinten, gerund door bewoners met steun van welzijn.",
            "welzijn",
            (("bewonersorganisatie", "bewonerspartner"), ("woningcorporatie", "medefinancier")),
            (
                ("Ontmoeting en onderlinge steun", ("huiskamer_bezoek", "bewoners_bereikt")),
                ("Bewoners nemen het heft in handen", ("vrijwilligers_uren",)),
            ),
        ),
        ProjectSjabloon(
            "Buurtbemiddeling en buurtcoaches",
            "Getrainde bewoners bemiddelen bij burenruzies voordat corporatie of politie nodig is.",
            "welzijn",
            (("woningcorporatie", "medefinancier"),),
            (("Minder escalerende burenconflicten", ("bemiddeling", "ervaren_veiligheid")),),
        ),
    ),
    "financiele-educatie": (
        ProjectSjabloon(
            "Geldlessen op school",
            "Lessenreeks over sparen, lenen en online betalen in groep 7 en 8 en de onderbouw.",
            "onderwijs",
            (("schuldhulpverlening", "kennispartner"),),
            (("Kinderen leren met geld omgaan", ("geldlessen", "geldtoets")),),
        ),
        ProjectSjabloon(
            "Budgetcursus voor jonge ouders",
            "Een cursus van zes avonden over budgetteren, toeslagen en regelingen, met kinderopvang.",
            "schuldhulpverlening",
            (("zorg", "uitvoerder"),),
            (("Jonge ouders houden grip op geld", ("bewoners_bereikt", "geldstress")),),
        ),
    ),
}


@dataclass(frozen=True)
class ProgrammaindicatorRij:
    code: str
    naam: str
    eenheid: str
    thema: str | None
    start: float
    eind: float
    richting: str = "hoger"
    cumulatief: bool = False
    aggregatie: str = "som"
    basiswaarde: str | None = None
    decimalen: int = 0


PROGRAMMAINDICATOREN: tuple[ProgrammaindicatorRij, ...] = (
    ProgrammaindicatorRij(
        "huishoudens-schulden",
        "Huishoudens geholpen met schulden",
        "aantal",
        "armoede-en-schulden",
        900,
        1600,
    ),
    ProgrammaindicatorRij(
        "jongeren-perspectief",
        "Jongeren met een perspectieftraject",
        "aantal",
        "veerkracht-en-weerbaarheid",
        400,
        900,
    ),
    ProgrammaindicatorRij(
        "uitstroom-werk", "Bewoners uitgestroomd naar werk", "aantal", "re-integratie", 250, 700
    ),
    ProgrammaindicatorRij(
        "vve-deelname",
        "Peuters met VVE-indicatie dat deelneemt",
        "percentage",
        "ontwikkeling-jonge-kind",
        75,
        92,
        aggregatie="gemiddelde",
        basiswaarde="71.0",
        decimalen=1,
    ),
    ProgrammaindicatorRij(
        "ervaren-veiligheid",
        "Ervaren veiligheid in de focusgebieden (rapportcijfer)",
        "score",
        None,
        6.0,
        7.2,
        aggregatie="gemiddelde",
        basiswaarde="5.8",
        decimalen=1,
    ),
    ProgrammaindicatorRij(
        "bewoners-bereikt",
        "Bewoners bereikt met interventies sinds 2023",
        "aantal",
        None,
        3000,
        60000,
        cumulatief=True,
        aggregatie="laatste",
        basiswaarde="0",
    ),
    ProgrammaindicatorRij(
        "leefbaarometer",
        "Leefbaarometer 3.0, gemiddelde klasse van de focusgebieden",
        "score",
        None,
        3.2,
        5.0,
        aggregatie="laatste",
        basiswaarde="3.0",
        decimalen=1,
    ),
)

TERUGSTUUR_REDENEN = (
    "De waarde wijkt sterk af van de vorige periode; licht het verschil toe.",
    "De bron ontbreekt: vermeld waar dit cijfer vandaan komt.",
    "Dit lijkt een stand sinds de start; vul alleen de periode zelf in.",
    "Het bedrag past niet bij de begroting voor deze kostensoort; graag een specificatie.",
    "Graag de uitsplitsing naar leeftijd toevoegen, zoals afgesproken.",
)

AFWIJKING_TOELICHTINGEN = (
    "Minder deelnemers door ziekte van twee vaste medewerkers.",
    "De start liep vertraging op doordat de locatie later beschikbaar kwam.",
    "Meer aanmeldingen na de informatieavond in het buurthuis.",
    "Zomerperiode: het aanbod lag drie weken stil.",
    "Extra inzet dankzij samenwerking met de nieuwe huiskamer.",
)

VERSLAG_SAMENVATTINGEN = (
    "De activiteiten liepen volgens plan. De samenwerking met de partners in de wijk is "
    "verder verstevigd en het bereik groeit gestaag.",
    "Dit kwartaal stond in het teken van werving: via de scholen en het buurthuis zijn "
    "nieuwe deelnemers bereikt.",
    "De uitvoering is op koers. Het team is op sterkte en de eerste resultaten zijn zichtbaar "
    "in de cijfers.",
    "We hebben de aanpak bijgesteld na de evaluatie met bewoners: minder bijeenkomsten, "
    "meer huisbezoeken.",
)

VERSLAG_RISICOS = (
    "Krapte op de arbeidsmarkt maakt het lastig vacatures voor wijkwerkers te vullen.",
    "Afhankelijkheid van één locatie; bij sluiting valt het aanbod stil.",
    "De doorlopende financiering na 2028 is nog niet zeker.",
    "",
)
