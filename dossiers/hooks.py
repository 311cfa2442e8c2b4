"""What dossiers itself hooks into its workflow: the signing of an approved dossier, queued after commit.

``register()`` is called once, from ``DossiersConfig.ready()``.
"""

import logging

from dossiers import metrics, tasks, workflow
from dossiers.workflow import Action

log = logging.getLogger(__name__)


def queue_signing(dossier_id: int) -> None:
    """Queue the signing once the approval is committed. If the broker is unreachable (or, in process, signing
    fails), the dossier stays in ``signing`` and ``sweep_signing`` queues it again: no approval is lost."""
    try:
        tasks.sign_result.delay(dossier_id)
    except Exception:  # noqa: BLE001 - the sweep is the safety net
        log.exception("could not queue signing of dossier %s; the sweep will retry", dossier_id)


def register() -> None:
    workflow.ON_COMMIT[Action.APPROVE].register(queue_signing)
    metrics.register()
