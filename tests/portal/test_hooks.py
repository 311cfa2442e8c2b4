"""Hooks (portal.hooks) hold each function once, and the apps register theirs once, from ``ready()``."""

import pytest

from dossiers import hooks as dossiers_hooks
from dossiers import schedule, workflow
from dossiers.workflow import Action
from notifications import hooks as notifications_hooks
from payments import hooks as payments_hooks
from portal.hooks import AlreadyRegistered, Hook


def told(dossier_id: int) -> None:
    """A function to register."""


def test_a_hook_refuses_a_function_registered_on_it_already() -> None:
    hook: Hook[object] = Hook("a test point")
    hook.register(told)

    with pytest.raises(AlreadyRegistered, match="told is registered on a test point already"):
        hook.register(told)

    assert list(hook) == [told]


def test_a_hook_refuses_another_function_of_the_same_name() -> None:
    """A ``register()`` that runs twice makes new closures of the same name; they are the same registration."""

    def made(n: int) -> object:
        def queue(dossier_id: int) -> None: ...

        return queue

    hook: Hook[object] = Hook("a test point")
    hook.register(made(1))

    with pytest.raises(AlreadyRegistered):
        hook.register(made(2))
    assert len(hook) == 1


def test_a_hook_replaced_for_a_test_comes_back_as_it_was() -> None:
    hook: Hook[object] = Hook("a test point")
    hook.register(told)

    with hook.replaced(print):
        assert list(hook) == [print]

    assert list(hook) == [told]


@pytest.mark.parametrize(
    "app", [dossiers_hooks, payments_hooks, notifications_hooks], ids=lambda m: m.__name__
)
def test_an_apps_hooks_are_registered_once_and_a_second_registration_is_refused(app: object) -> None:
    with pytest.raises(AlreadyRegistered):
        app.register()  # type: ignore[attr-defined]


def test_the_apps_hooks_are_in_place_after_start_up() -> None:
    assert [f.__name__ for f in workflow.ON_COMMIT[Action.APPROVE]] == ["queue_signing", "count_approve"]
    assert list(workflow.GUARDS[Action.RECEIVE]) == [payments_hooks.fee_before_reception]
    assert list(workflow.GUARDS[Action.RETURN]) == [payments_hooks.fee_before_return]
    # The fee's invoice opens, then the service index's rollups count the dossier, in the same transaction.
    assert [f.__name__ for f in workflow.IN_TRANSACTION[Action.SUBMIT]] == [
        "open_invoice",
        "refresh_submitted",
    ]
    # Each step the citizen hears of has one message hook, and the apology reaches the citizen.
    assert [f.__name__ for f in workflow.ON_COMMIT[Action.RECEIVE]] == [
        "count_receive",
        "queue_receive_messages",
    ]
    # Every transition is counted for the metrics (dossiers/metrics.py).
    assert all(f"count_{action}" in [f.__name__ for f in workflow.ON_COMMIT[action]] for action in Action)
    assert list(schedule.ON_APOLOGY) == [notifications_hooks.tell_citizen_of_apology]
    # An apology's new due date moves the dossier in the service index's rollups, in its transaction.
    assert [f.__name__ for f in schedule.DUE_MOVED] == ["refresh_for_dossier_id"]
    assert list(schedule.ON_DRAFTS_EXPIRING) == [notifications_hooks.tell_citizens_of_expiring_drafts]
