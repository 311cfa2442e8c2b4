"""Payments taken at the counter by card or bank QR, recorded by staff; there is no online step or notice."""

from payments.providers import Notice, NoticeRejected, Provider, register


@register("counter")
class CounterProvider(Provider):
    title = "Counter (card, bank QR)"
    online = False
    METHODS = ("card", "bank_qr")

    def start(self, *, reference: str, amount: int, description: str, return_url: str, client_ip: str) -> str:
        raise NoticeRejected("Counter payments are recorded by staff at the desk.", outcome="not_online")

    def parse_notice(self, params: dict[str, str]) -> Notice:
        raise NoticeRejected("The counter sends no notices.", outcome="forged")
