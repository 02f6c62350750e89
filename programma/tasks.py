"""Background tasks of the programma app."""

from datetime import timedelta

from django.utils import timezone

from programma.models import Idempotentieverzoek


def idempotentie_opruimen() -> int:
    """Forget stored API responses older than the 24 hours in which a retry replays them."""
    grens = timezone.now() - timedelta(hours=24)
    aantal, _ = Idempotentieverzoek.objects.filter(aangemaakt_op__lt=grens).delete()
    return aantal
