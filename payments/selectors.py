"""Reads of invoices that pages need outside a dossier's door."""

from payments.models import Invoice


def invoice_by_reference(reference: str) -> Invoice | None:
    """The invoice a provider's signed address names, or None (the signature was checked by the provider)."""
    return Invoice.objects.filter(reference=reference).first() if reference else None


def invoice_of(dossier_id: int) -> Invoice | None:
    """The dossier's invoice, if its procedure has a fee."""
    return Invoice.objects.filter(dossier_id=dossier_id).first()
