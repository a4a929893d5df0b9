"""The citizen's postbox (/postfach/). Thin views: every query goes through `.for_citizen(user)`, so another
person's message or document is a 404, never data; every opening of a delivered document is recorded."""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsweg.accounts.tenancy import citizen_required
from amtsweg.accounts.trust import current_trust_level
from amtsweg.postbox import dates, services
from amtsweg.postbox.models import Mailbox, Message, NoticePreference

logger = logging.getLogger("amtsweg.postbox.views")
PAGE_SIZE = 25


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Ihre Antwort"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NoticePreference
        fields = ["email_for_messages", "email_for_organisations"]


class AccessForm(forms.Form):
    electronic_access = forms.BooleanField(
        label=gettext_lazy("Bescheide und Schreiben elektronisch in dieses Postfach erhalten"), required=False
    )


def _messages(user):
    return Message.objects.for_citizen(user).select_related(
        "authority", "mailbox__organisation", "mailbox__user", "delivery"
    )


def _list(request, queryset, *, archive: bool):
    page = Paginator(queryset.prefetch_related("documents"), PAGE_SIZE).get_page(request.GET.get("seite"))
    unread = _messages(request.user).inbox().unread().count()
    return render(request, "postbox/inbox.html", {"page": page, "archive": archive, "unread": unread})


@never_cache
@citizen_required
@require_GET
def inbox(request):
    return _list(request, _messages(request.user).inbox(), archive=False)


@never_cache
@citizen_required
@require_GET
def archive(request):
    return _list(request, _messages(request.user).archived(), archive=True)


def _trust_key(request) -> str:
    level = current_trust_level(request)
    return level.key if level is not None else ""


@never_cache
@citizen_required
@require_http_methods(["GET", "POST"])
def message_detail(request, pk):
    message = get_object_or_404(_messages(request.user), pk=pk)
    if message.direction == Message.Direction.INCOMING and message.read_at is None:
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now())
    form = ReplyForm()
    if request.method == "POST":
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.reply(message, user=request.user, text=form.cleaned_data["text"])
            except services.DeliveryError as exc:
                form.add_error("text", str(exc))
                if not message.replies_allowed:  # the form is not shown then: say it at the top of the page
                    flash.error(request, str(exc))
            else:
                flash.success(request, _("Ihre Antwort wurde an %s gesendet.") % message.authority.name)
                return redirect("postbox:message", pk=message.pk)
    delivery = message.delivery
    return render(
        request,
        "postbox/message.html",
        {
            "message": message,
            "documents": message.documents.all(),
            "delivery": delivery,
            "rule_label": dates.RULE_LABELS.get(delivery.notification_rule or delivery.rule)
            if delivery
            else "",
            "replies": message.replies.order_by("created_at"),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@never_cache
@citizen_required
@require_GET
def document(request, pk, document_pk):
    message = get_object_or_404(_messages(request.user), pk=pk)
    attachment = message.documents.filter(pk=document_pk).first()
    if attachment is None:
        raise Http404
    if message.delivery is not None and message.delivery.document_id == attachment.pk:
        try:
            services.record_retrieval(
                message.delivery,
                user=request.user,
                session_key=request.session.session_key,
                trust_level=_trust_key(request),
            )
        except services.DeliveryAccessDenied:
            raise Http404 from None
    if message.read_at is None and message.direction == Message.Direction.INCOMING:
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now())
    filename = f"{slugify(attachment.title)[:60] or 'dokument'}-{attachment.verification_code}.pdf"
    response = FileResponse(
        attachment.file.open("rb"),
        content_type="application/pdf",
        as_attachment=request.GET.get("download") == "1",
        filename=filename,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@citizen_required
@require_POST
def toggle_archive(request, pk):
    message = get_object_or_404(_messages(request.user), pk=pk)
    archived = message.archived_at is None
    Message.objects.filter(pk=message.pk).update(archived_at=timezone.now() if archived else None)
    flash.success(
        request,
        _("Die Nachricht wurde archiviert.") if archived else _("Die Nachricht ist wieder im Posteingang."),
    )
    return redirect("postbox:archive" if not archived else "postbox:inbox")


@never_cache
@citizen_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    preference, _created = NoticePreference.objects.get_or_create(user=request.user)
    mailbox = services.mailbox_for(user=request.user)
    form = PreferenceForm(instance=preference, prefix="notice")
    access_form = AccessForm(
        initial={"electronic_access": mailbox.electronic_access if mailbox else False}, prefix="access"
    )
    if request.method == "POST":
        form = PreferenceForm(request.POST, instance=preference, prefix="notice")
        access_form = AccessForm(request.POST, prefix="access")
        if form.is_valid() and access_form.is_valid():
            with transaction.atomic():
                form.save()
                wanted = access_form.cleaned_data["electronic_access"]
                if mailbox is not None and mailbox.electronic_access != wanted:
                    Mailbox.objects.filter(pk=mailbox.pk).update(
                        electronic_access=wanted, access_changed_at=timezone.now()
                    )
            flash.success(request, _("Ihre Einstellungen wurden gespeichert."))
            return redirect("postbox:preferences")
    return render(
        request, "postbox/preferences.html", {"form": form, "access_form": access_form, "mailbox": mailbox}
    )
