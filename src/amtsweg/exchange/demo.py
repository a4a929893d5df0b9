"""Demo data of the exchange app (order 55): the recipient address book with SANDBOX endpoints and keys."""

from __future__ import annotations

from amtsweg.core.demo import demo_loader
from amtsweg.exchange.addressbook import load_address_book
from amtsweg.exchange.services import ensure_sandbox_keys


@demo_loader(order=55)
def load_exchange_demo() -> list[str]:
    load_address_book()
    ensure_sandbox_keys()
    return [
        "SANDBOX-Empfangsstellen (IHK, HWK, Finanzamt, …): /sandbox/empfang/ (Anmeldung als Beschäftigte)"
    ]
