"""The one registry of plug-ins (payment providers, signers, message back ends)."""

import pytest

from portal.registry import Plugin, Registry


class Gadget(Plugin):
    def check_config(self) -> list[str]:
        return ["GADGET_KEY is not set"]


class Widget(Plugin):
    pass


def gadgets() -> Registry[Plugin]:
    register = Registry[Plugin]("gadget", error=KeyError)
    register("gadget")(Gadget)
    register("widget")(Widget)
    return register


def test_a_registered_class_is_named_and_made_on_each_get() -> None:
    register = gadgets()

    first, second = register.get("gadget"), register.get("gadget")

    assert isinstance(first, Gadget)
    assert first is not second
    assert Gadget.name == "gadget"
    assert register.names() == ["gadget", "widget"]


def test_a_name_registered_twice_is_refused() -> None:
    register = gadgets()

    with pytest.raises(ValueError, match="'widget' is registered twice"):
        register("widget")(Gadget)


def test_an_unknown_name_is_refused_with_the_registrys_error_naming_the_known_ones() -> None:
    with pytest.raises(KeyError, match="Unknown gadget 'sprocket'; known: gadget, widget."):
        gadgets().get("sprocket")


def test_an_anonymous_registry_does_not_list_the_known_names() -> None:
    register = Registry[Plugin]("gadget", list_known=False)
    register("gadget")(Gadget)

    with pytest.raises(LookupError) as refused:
        register.get("sprocket")

    assert str(refused.value) == "Unknown gadget 'sprocket'."


def test_the_problems_name_each_unknown_or_unready_plug_in() -> None:
    register = gadgets()

    assert register.problems(["widget", "gadget", "sprocket"]) == [
        "gadget: GADGET_KEY is not set",
        "Unknown gadget 'sprocket'; known: gadget, widget.",
    ]
    assert register.unknown(["widget", "sprocket"]) == ["sprocket"]
