"""Signed links in e-mails: confirm a booking (expires), manage it (cancel, rebook; valid while the booking
is).

A token carries the record's id and its nonce, signed with the secret key and a purpose-specific salt.
Cancelling or rebooking rotates the nonce, so every older link stops working. A changed character gives
`BadLink`, an old confirmation link `ExpiredLink`; both carry a German message to show as it is.
"""

from __future__ import annotations

from django.core import signing
from django.utils.translation import gettext as _

CONFIRM = "amtsweg.assisted.confirm"
MANAGE = "amtsweg.assisted.manage"
HOME_CONFIRM = "amtsweg.assisted.home-visit.confirm"
MAX_TOKEN_LENGTH = 300


class LinkError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadLink(LinkError):
    pass


class ExpiredLink(LinkError):
    pass


def make(purpose: str, pk: int, nonce: str) -> str:
    return signing.dumps({"i": pk, "n": nonce}, salt=purpose, compress=False)


def read(purpose: str, token: object, *, max_age: float | None = None) -> tuple[int, str]:
    """(id, nonce) from a token, or BadLink / ExpiredLink."""
    bad = BadLink(
        _(
            "Dieser Link ist ungültig oder unvollständig. Bitte öffnen Sie den vollständigen Link aus Ihrer "
            "E-Mail oder kopieren Sie ihn ganz in die Adresszeile."
        )
    )
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise bad
    try:
        data = signing.loads(token, salt=purpose, max_age=max_age)
    except signing.SignatureExpired:
        raise ExpiredLink(
            _("Dieser Bestätigungslink ist abgelaufen. Bitte buchen Sie den Termin erneut.")
        ) from None
    except signing.BadSignature:
        raise bad from None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or not isinstance(data.get("n"), str):
        raise bad
    return data["i"], data["n"]
