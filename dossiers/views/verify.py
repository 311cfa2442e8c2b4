"""The public verification page: open it from a result's QR (code and key), or upload a PDF to check it."""

from datetime import datetime

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dossiers import results
from portal.throttling import VerifyThrottle, limit_page


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("The PDF to check"))

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > settings.VERIFY_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB; a result is much smaller."))
        return upload


@limit_page(VerifyThrottle, when=lambda request: request.method == "POST" or "code" in request.GET)
def verify(request: HttpRequest) -> HttpResponse:
    """Public: anyone may check a PDF; checks share the API's `verify` limit (each upload is a full validation)."""
    code = request.GET.get("code", "").strip()[:48]
    key = request.GET.get("key", "").strip()[:64]
    # The record only for the holder of the result (its QR carries the key): a code alone is as good as unknown.
    record = (
        results.result_for_holder(code=code, key=key) if code.isprintable() and key.isprintable() else None
    )
    form = VerifyForm(request.POST or None, request.FILES or None)
    verification = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            verification = results.verify(form.cleaned_data["file"].read())
        else:
            status = 400
    return render(
        request,
        "verify.html",
        {
            "form": form,
            "code": code,
            "record": record,
            "verification": verification,
            # The reason is the API's English words, in the catalogue (dossiers.results marks them).
            "reason": gettext(verification.reason) if verification else "",
            "timestamp": datetime.fromisoformat(verification.timestamp)
            if verification and verification.timestamp
            else None,
        },
        status=status,
    )
