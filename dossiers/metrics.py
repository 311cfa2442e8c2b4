"""The workflow's metrics (portal/metrics.py serves them): transitions committed, by action; dossiers waiting at
each step; the signing lag (the oldest approval still being signed)."""

from collections.abc import Callable, Iterable

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from dossiers import workflow
from dossiers.constants import FINAL_STATES, State
from dossiers.models import Dossier
from dossiers.workflow import Action
from portal import metrics

TRANSITIONS = Counter("portal_transitions", "Workflow transitions committed.", ["action"])
WAITING_STATES = [state for state in State if state not in FINAL_STATES and state != State.DRAFT]


class DossierCollector(Collector):
    """Read at each scrape: one grouped count and one minimum, both on indexed columns."""

    def collect(self) -> Iterable[GaugeMetricFamily]:
        waiting = GaugeMetricFamily(
            "portal_dossiers_waiting", "Dossiers at each open step.", labels=["state"]
        )
        counts = dict(
            Dossier.objects.filter(state__in=WAITING_STATES)
            .values_list("state")
            .annotate(n=Count("id"))
            .values_list("state", "n")
        )
        for state in WAITING_STATES:
            waiting.add_metric([state], float(counts.get(state, 0)))
        yield waiting
        oldest = Dossier.objects.filter(state=State.SIGNING).aggregate(oldest=Min("decided_at"))["oldest"]
        lag = (timezone.now() - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "portal_signing_lag_seconds",
            "Age of the oldest approval whose result is still being signed.",
            lag,
        )


def _count(action: Action) -> Callable[[int], None]:
    def count_transition(dossier_id: int) -> None:
        TRANSITIONS.labels(action=action.value).inc()

    count_transition.__qualname__ = count_transition.__name__ = f"count_{action.value}"
    return count_transition


def register() -> None:
    for action in Action:
        workflow.ON_COMMIT[action].register(_count(action))
    metrics.COLLECTORS.register(DossierCollector)
