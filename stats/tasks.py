from celery import shared_task

from stats import services


@shared_task
def rebuild() -> dict[str, int]:
    """Rebuild the service index's rollups from scratch, nightly (stats.services.rebuild)."""
    return services.rebuild()
