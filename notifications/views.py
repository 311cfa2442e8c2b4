"""The messages page: everything the portal sent a person (e-mail, SMS, in-portal), newest first; opening one
marks it read; the language messages are written in."""

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from notifications import selectors, services
from notifications.constants import LANGUAGE_CHOICES
from portal.errors import ServiceError
from portal.pagination import parse_id

PAGE_SIZE = 20


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's messages, 20 a page (keyset: ``?cursor=`` is the last id of the page before)."""
    after = parse_id(request.GET.get("cursor", ""))
    page = selectors.inbox_page(request.user, after=after, size=PAGE_SIZE)
    next_url = (
        reverse("notifications:inbox") + "?" + urlencode({"cursor": page.next_cursor})
        if page.next_cursor is not None
        else ""
    )
    context: dict[str, Any] = {
        "items": page.items,
        "next_url": next_url,
        "paged": after is not None,
        "unread_count": selectors.unread_count(request.user),
        "language": selectors.language_of(request.user),
        "language_choices": LANGUAGE_CHOICES,
    }
    return render(request, "notifications/inbox.html", context)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One message in full; opening it marks it read. Another person's message is 404."""
    try:
        message = services.message_mark_read(message_id=pk, user=request.user)
    except ServiceError as exc:
        return render(request, "notifications/missing.html", {"detail": exc.message}, status=exc.status)
    return render(request, "notifications/detail.html", {"message": message})


@login_required
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Choose the language of one's messages (Vietnamese or English)."""
    try:
        services.preference_set(user=request.user, language=request.POST.get("language", ""))
    except ServiceError:
        flash.error(request, _("Choose Vietnamese or English."))
    else:
        flash.success(request, _("Your messages will be written in the language you chose."))
    return redirect("notifications:inbox")
