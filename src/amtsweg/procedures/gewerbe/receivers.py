"""Record in the case's audit trail when a recipient got (or finally did not get) its message."""

from __future__ import annotations

from django.dispatch import receiver

from amtsweg.exchange.signals import message_delivered, message_failed


def _gewerbe_case(reference: str):
    from amtsweg.cases.services import case_for_reference
    from amtsweg.procedures.gewerbe.procedure import KIND_BY_KEY

    case = case_for_reference(reference)
    return case if case is not None and case.procedure_key in KIND_BY_KEY else None


@receiver(message_delivered, dispatch_uid="gewerbe.message_delivered")
def on_delivered(sender, message=None, reference="", **kwargs):
    from amtsweg.cases import audit

    case = _gewerbe_case(reference)
    if case is not None:
        audit.append(
            "gewerbe_zugestellt",
            case=case,
            detail={
                "empfaenger": message.recipient.key,
                "nachricht": message.message_type,
                "id": str(message.pk),
            },
        )


@receiver(message_failed, dispatch_uid="gewerbe.message_failed")
def on_failed(sender, message=None, reference="", **kwargs):
    from amtsweg.cases import audit

    case = _gewerbe_case(reference)
    if case is not None:
        audit.append(
            "gewerbe_zustellung_gescheitert",
            case=case,
            detail={
                "empfaenger": message.recipient.key,
                "nachricht": message.message_type,
                "id": str(message.pk),
            },
        )
