"""What dossiers itself hooks into its workflow: the signing of an approved dossier, queued after commit.

``register()`` is called once, from ``DossiersConfig.ready()``.
"""

import logging
from typing import Any

from dossiers import metrics, results, tasks, workflow
from dossiers.models import Dossier
from dossiers.workflow import Action
from procedures import result_template

log = logging.getLogger(__name__)


def queue_signing(dossier_id: int) -> None:
    """Queue the signing once the approval is committed. If the broker is unreachable (or, in process, signing
    fails), the dossier stays in ``signing`` and ``sweep_signing`` queues it again: no approval is lost."""
    try:
        tasks.sign_result.delay(dossier_id)
    except Exception:  # noqa: BLE001 - the sweep is the safety net
        log.exception("could not queue signing of dossier %s; the sweep will retry", dossier_id)


def number_result(dossier: Dossier, actor: Any) -> None:
    """The approval gives the result its number in the agency's register (results.number_assign)."""
    results.number_assign(dossier, actor)


def draw_result_preview(*, content: dict[str, Any], procedure_code: str) -> bytes:
    """The catalogue's preview of a result template: the Decree 30 layout with sample data."""
    return results.preview_pdf(content=content, procedure_code=procedure_code)


def register() -> None:
    workflow.ON_COMMIT[Action.APPROVE].register(queue_signing)
    # The approval gives the result its number in the agency's register, in the approval's transaction.
    workflow.IN_TRANSACTION[Action.APPROVE].register(number_result)
    result_template.PREVIEW.register(draw_result_preview)
    metrics.register()
