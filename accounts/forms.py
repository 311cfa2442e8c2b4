from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class IdentityForm(forms.Form):
    """A receiver records that they checked a citizen's ID card against the person (``services.identity_verify``)."""

    username = forms.CharField(label=_("The citizen's account (user name)"), max_length=150)
    id_number = forms.RegexField(
        label=_("Citizen ID number on the card"),
        regex=r"^[0-9]{12}$",
        error_messages={"invalid": _("A citizen ID number has 12 digits.")},
    )
    checked = forms.BooleanField(label=_("I have checked the ID card against the person"))
