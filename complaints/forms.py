from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.constants import TEXT_MAX_LENGTH


class TextForm(forms.Form):
    """A complaint, or the agency's answer to one."""

    text = forms.CharField(label=_("Text"), max_length=TEXT_MAX_LENGTH, strip=True, widget=forms.Textarea)
