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
