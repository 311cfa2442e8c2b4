"""The question a reader of the service index asks, parsed once for the dashboard, the exports and the API: agency
(with its children), sector, procedure, channel and period, within what the reader may see (``accounts.policy``:
counter staff their agency and its children, leaders and province admins the province)."""

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policy
from dossiers.constants import Channel
from portal.errors import NotAllowed, ServiceError
from procedures.models import Agency, Procedure, Sector
from stats import selectors

# The period a query may ask about: the portal's records start after 2000; a year such as 0001 or 9999 would
# overflow the conversion of local dates to UTC.
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)
LONGEST = datetime.timedelta(days=3660)


class ScopeForm(forms.Form):
    agency = forms.ModelChoiceField(
        Agency.objects.all(), to_field_name="code", required=False, label=gettext_lazy("Agency")
    )
    sector = forms.ModelChoiceField(
        Sector.objects.all(), to_field_name="code", required=False, label=gettext_lazy("Sector")
    )
    procedure = forms.ModelChoiceField(
        Procedure.objects.all(), to_field_name="code", required=False, label=gettext_lazy("Procedure")
    )
    channel = forms.ChoiceField(
        choices=[("", gettext_lazy("All channels")), *Channel.choices],
        required=False,
        label=gettext_lazy("Channel"),
    )
    start = forms.DateField(required=False, label=gettext_lazy("From"))
    end = forms.DateField(required=False, label=gettext_lazy("Until"))

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        raw = dict(data.items()) if data is not None else {}
        # "from" is a keyword in Python; the query uses it.
        raw["start"], raw["end"] = raw.pop("from", ""), raw.pop("to", "")
        super().__init__(raw, **kwargs)


def scope_for(user: Any, data: Any) -> tuple[selectors.Scope, dict[str, Any]]:
    """The scope ``user`` asks about with ``data`` (a query dict), and the parsed choices (for the page's form).

    NotAllowed (403) for someone who may not read the index or an agency outside their own; ServiceError (400,
    ``invalid``) naming the first bad field."""
    allowed = policy.stats_agency_scope(user)
    if allowed is False:
        raise NotAllowed(_("The service index's details are for staff and leaders."))
    form = ScopeForm(data)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        name = {"start": "from", "end": "to"}.get(field, field)
        raise ServiceError(f"{name}: {errors[0]}", code="invalid")
    chosen = form.cleaned_data
    default_start, default_end = selectors.year_to_date()
    start, end = chosen["start"] or default_start, chosen["end"] or default_end
    for name, value in (("from", start), ("to", end)):
        if not EARLIEST <= value <= LATEST:
            raise ServiceError(
                _("'%(name)s' must be between %(low)s and %(high)s.")
                % {"name": name, "low": EARLIEST.isoformat(), "high": LATEST.isoformat()},
                code="invalid",
            )
    if start > end:
        raise ServiceError(_("'from' must not be after 'to'."), code="invalid")
    if end - start > LONGEST:
        raise ServiceError(_("The period is at most ten years."), code="invalid")
    agency = chosen["agency"]
    agency_ids: frozenset[int] | None = None
    if allowed is not None:
        own = selectors.agency_with_children(allowed)
        if agency is not None and agency.pk not in own:
            raise NotAllowed(_("Counter staff see their own agency's figures and its children's."))
        agency_ids = selectors.agency_with_children(agency.pk) if agency is not None else own
    elif agency is not None:
        agency_ids = selectors.agency_with_children(agency.pk)
    procedure = chosen["procedure"]
    scope = selectors.Scope(
        start=start,
        end=end,
        agency_ids=agency_ids,
        sector_id=chosen["sector"].pk if chosen["sector"] else None,
        procedure_id=procedure.pk if procedure else None,
        channel=chosen["channel"] or None,
    )
    own_agency = Agency.objects.filter(pk=allowed).first() if allowed is not None else None
    return scope, {**chosen, "start": start, "end": end, "agency": agency or own_agency, "form": form}
