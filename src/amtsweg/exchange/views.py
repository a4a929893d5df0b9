"""Thin views: the SANDBOX receiving endpoint and inbox (demo stand-ins for the recipients), and the public
keys
of the senders. The inbox shows (fictional) personal data, so only staff and platform operators see it."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from amtsweg.accounts.services import staff_required
from amtsweg.exchange import crypto, sandbox
from amtsweg.exchange.models import Recipient, SandboxMessage

MAX_BODY = sandbox.MAX_BODY


@csrf_exempt  # a machine endpoint: authenticated by the signature inside the envelope, not by a session
@require_POST
def sandbox_receive(request, key):
    if not sandbox.enabled():
        raise Http404
    length = int(request.headers.get("Content-Length") or 0)
    if length > MAX_BODY:
        return JsonResponse({"fehler": _("Die Nachricht ist zu groß.")}, status=413)
    answer = sandbox.receive(key, request.body, request.headers.get("Idempotency-Key"))
    return JsonResponse(answer.body, status=answer.status)


def _sandbox_or_404():
    if not sandbox.enabled():
        raise Http404


@require_GET
@staff_required
def sandbox_inbox(request):
    _sandbox_or_404()
    recipients = Recipient.objects.filter(endpoint="sandbox").order_by("kind", "name")
    counts = {}
    for recipient_id in SandboxMessage.objects.values_list("recipient_id", flat=True):
        counts[recipient_id] = counts.get(recipient_id, 0) + 1
    rows = [{"recipient": r, "count": counts.get(r.pk, 0)} for r in recipients]
    return render(request, "exchange/sandbox_inbox.html", {"rows": rows})


@require_GET
@staff_required
def sandbox_recipient(request, key):
    _sandbox_or_404()
    recipient = get_object_or_404(Recipient, key=key, endpoint="sandbox")
    received = list(recipient.sandbox_messages.order_by("-received_at")[:200])
    return render(request, "exchange/sandbox_recipient.html", {"recipient": recipient, "received": received})


@require_GET
@staff_required
def sandbox_message(request, key, message_id):
    _sandbox_or_404()
    recipient = get_object_or_404(Recipient, key=key, endpoint="sandbox")
    message = get_object_or_404(SandboxMessage, recipient=recipient, pk=message_id)
    return render(
        request,
        "exchange/sandbox_message.html",
        {
            "recipient": recipient,
            "message": message,
            "paths": sandbox.element_paths(message.content),
            "xml": sandbox.pretty(message.content),
        },
    )


@require_GET
def public_keys(request):
    """JWKS of the senders' signing keys: receivers verify our envelopes with these."""
    response = JsonResponse({"keys": crypto.public_sender_keys()})
    response["Cache-Control"] = "public, max-age=300"
    return response
