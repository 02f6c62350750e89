"""Domain errors that are not field validation: the API maps them to 409 and 404."""


class Conflict(Exception):
    """The change is valid in itself but not in the current state: a closed project, a
    locked period, a duplicate submission. (A status that cannot follow the current one
    is a validation error of the status field.) ``veld`` names the field it is about, for
    the per-item errors of a batch."""

    def __init__(self, bericht: str = "", *, veld: str = "") -> None:
        super().__init__(bericht)
        self.veld = veld


class NietGevonden(Exception):
    """The object does not exist, or the caller may not know that it does."""


class Bulkfouten(Exception):
    """A batch was refused as a whole; ``fouten`` names each item's index, field and reason."""

    def __init__(self, fouten: list[dict[str, object]]) -> None:
        super().__init__(f"{len(fouten)} fout(en) in de batch; er is niets opgeslagen.")
        self.fouten = fouten


class VersieVerouderd(Conflict):
    """The caller changed an older version than the current one (a lost update averted)."""


class VoorwaardeOntbreekt(Exception):
    """A change that must name the version it changes (``If-Match``) did not."""
