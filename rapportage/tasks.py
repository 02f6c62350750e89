"""Background tasks of the rapportage app. They take ids, call a service and are safe to
run twice; they are queued on commit through ``programma.wachtrij.na_commit`` (approval
of measurements) or run on the nightly schedule."""

from typing import Any

from rapportage import services


def standen_bijwerken(meting_ids: list[int]) -> dict[str, Any]:
    """Recompute the stands that the given (just approved) measurements feed. Ids of
    measurements that no longer exist are skipped. Returns the counts."""
    return services.standen_bijwerken(meting_ids=meting_ids).als_dict()


def standen_herberekenen() -> dict[str, Any]:
    """Recompute every stand of every programme and correct any drift (nightly)."""
    return services.standen_herberekenen().als_dict()


def rapport_maken(rapport_id: int) -> dict[str, Any]:
    """Freeze (once), render and store a report; a finished one is left alone."""
    from rapportage.rapporten import rapport_maken as maken

    rapport = maken(rapport_id=rapport_id)
    if rapport is None:
        return {"rapport": rapport_id, "status": "onbekend"}
    return {"rapport": rapport.pk, "status": rapport.status, "sha256": rapport.sha256}


def publicatie_melden(rapport_id: int) -> dict[str, Any]:
    """E-mail the ministry that a report was published; never twice."""
    from rapportage.rapporten import publicatie_melden as melden

    return {"rapport": rapport_id, "emails": melden(rapport_id=rapport_id)}


def verweesde_rapporten_opnieuw() -> dict[str, Any]:
    """Queue again the reports whose worker died while making them."""
    from rapportage.rapporten import verweesde_rapporten_opnieuw as opnieuw

    return {"opnieuw": opnieuw()}
