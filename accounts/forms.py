from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.constants import Role
from accounts.id_numbers import validate_id_number
from accounts.models import User
from procedures.models import Agency


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class IdentityForm(forms.Form):
    """A receiver records that they checked a citizen's ID card against the person (``services.identity_verify``)."""

    username = forms.CharField(label=_("The citizen's account (user name)"), max_length=150)
    id_number = forms.CharField(
        label=_("Citizen ID number on the card"), max_length=12, validators=[validate_id_number]
    )
    checked = forms.BooleanField(label=_("I have checked the ID card against the person"))


class ContactForm(forms.Form):
    """Sign-up, first step: where the code goes."""

    contact = forms.CharField(
        label=_("Mobile number or e-mail address"),
        max_length=254,
        help_text=_("We send a six-digit code there; it becomes the name you log in with."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )


class SignUpForm(forms.Form):
    """Sign-up, second step: the code received, the citizen's name and a password."""

    code = forms.RegexField(
        label=_("The code we sent"),
        regex=r"^\s*[0-9]{6}\s*$",
        error_messages={"invalid": _("The code has 6 digits.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=255,
        help_text=_("As on your ID card, e.g. Nguyễn Văn An."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("The password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, address: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.address = address

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                # Compared with the name and the address the account will have.
                password_validation.validate_password(
                    first, User(username=self.address, last_name=data.get("full_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


def _staff_roles() -> list[tuple[str, Any]]:
    from accounts.services import MANAGED_ROLES

    return [(value, label) for value, label in Role.choices if value in MANAGED_ROLES]


class StaffRoleForm(forms.Form):
    """A staff account's role and agency (the province admin's page)."""

    role = forms.ChoiceField(label=_("Role"), choices=_staff_roles)
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.order_by("code"),
        required=False,
        help_text=_("Counter staff (receivers, assessors, approvers) work the queues of this agency."),
    )
    position = forms.CharField(
        label=_("Position"),
        max_length=255,
        required=False,
        help_text=_("What an approver signs results as, such as Phó Giám đốc."),
    )


class StaffCreateForm(StaffRoleForm):
    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Letters, digits and . @ + - _ only.")},
    )
    full_name = forms.CharField(label=_("Full name"), max_length=255)
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("A link to choose a password goes there; the portal never sends one.")
    )

    field_order = ["username", "full_name", "email", "role", "agency", "position"]


class TokenForm(forms.Form):
    """The six digits an authenticator app shows."""

    token = forms.RegexField(
        label=_("Code from the app"),
        regex=r"^\s*[0-9]{6}\s*$",
        error_messages={"invalid": _("The code has 6 digits.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
