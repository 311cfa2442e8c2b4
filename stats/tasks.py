from celery import shared_task

from stats import services


@shared_task
def rollup() -> int:
    """Roll up the service index (stats.services.rollup)."""
    return services.rollup()
