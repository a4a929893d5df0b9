"""The public verification page (/pruefen/): upload a PDF or enter its verification code.

Nothing a visitor sends can cause a server error: sizes are checked before the body is read, the content is
sniffed (not the file name or content type), and `validate_document` turns every broken file into a German
reason. The page shows no personal data: only the authority, the kind and date of the document and the seal.
"""

from __future__ import annotations

import logging

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from amtsweg.documents import codes, conf
from amtsweg.documents.services import document_by_code, validate_document
from amtsweg.documents.validation import ValidationResult

logger = logging.getLogger("amtsweg.documents.views")
_BODY_OVERHEAD = 64 * 1024  # multipart headers and the form fields besides the file


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Prüfcode"),
        max_length=40,
        help_text=gettext_lazy("Steht unten auf jeder Seite des Dokuments, z. B. ABCD-EFGH-JKMN."),
    )

    def clean_code(self):
        code = codes.normalize_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _("Ein Prüfcode hat 12 Zeichen (Buchstaben und Ziffern), z. B. ABCD-EFGH-JKMN.")
            )
        return code


class UploadForm(forms.Form):
    datei = forms.FileField(
        label=gettext_lazy("PDF-Datei"),
        help_text=gettext_lazy("Das Dokument, wie Sie es erhalten haben (höchstens %(mb)s MB)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["datei"].help_text = self.fields["datei"].help_text % {
            "mb": conf.verify_max_bytes() // (1024 * 1024)
        }
        self.fields["datei"].error_messages["required"] = _("Bitte wählen Sie eine PDF-Datei aus.")
        self.fields["datei"].error_messages["empty"] = _("Die Datei ist leer.")

    def clean_datei(self):
        upload = self.cleaned_data["datei"]
        if upload.size > conf.verify_max_bytes():
            raise forms.ValidationError(_("Die Datei ist zu groß für die Prüfung."))
        return upload


def _too_big(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > conf.verify_max_bytes() + _BODY_OVERHEAD


def _check_upload(upload) -> ValidationResult:
    data = upload.read(conf.verify_max_bytes() + 1)
    if len(data) > conf.verify_max_bytes():
        return ValidationResult(False, reason=_("Die Datei ist zu groß für die Prüfung."))
    try:
        return validate_document(data)
    except Exception:  # validate_document handles bad input itself; this is the last line of defence
        logger.exception("verification failed unexpectedly")
        return ValidationResult(False, reason=_("Die Datei konnte nicht geprüft werden."))


def _render(request, template, context, status=200):
    context.setdefault("max_mb", conf.verify_max_bytes() // (1024 * 1024))
    return render(request, template, context, status=status)


@csrf_exempt  # the size is checked before the body is read; CSRF is checked right after, in _verify
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    if request.method == "POST" and _too_big(request):
        return _render(
            request,
            "documents/verify.html",
            {
                "code_form": CodeForm(),
                "upload_form": UploadForm(),
                "error": _("Die Datei ist zu groß für die Prüfung."),
            },
            status=413,
        )
    return _verify(request)


@csrf_protect
def _verify(request):
    code_form, upload_form, result = CodeForm(), UploadForm(), None
    if request.method == "POST":
        if "code" in request.POST:
            code_form = CodeForm(request.POST)
            if code_form.is_valid():
                document = document_by_code(code_form.cleaned_data["code"])
                if document is not None:
                    return redirect("documents:verify_code", code=document.formatted_code)
                code_form.add_error("code", _("Zu diesem Prüfcode ist kein Dokument verzeichnet."))
        else:
            upload_form = UploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                result = _check_upload(upload_form.cleaned_data["datei"])
    status = 400 if (code_form.errors or upload_form.errors) else 200
    return _render(
        request,
        "documents/verify.html",
        {"code_form": code_form, "upload_form": upload_form, "result": result},
        status=status,
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def verify_code(request, code: str):
    document = document_by_code(code)
    if document is None:
        raise Http404
    if request.method == "POST" and _too_big(request):
        return _render(
            request,
            "documents/verify_code.html",
            {
                "document": document,
                "upload_form": UploadForm(),
                "error": _("Die Datei ist zu groß für die Prüfung."),
            },
            status=413,
        )
    return _verify_code(request, document)


@csrf_protect
def _verify_code(request, document):
    upload_form, result = UploadForm(), None
    if request.method == "POST":
        upload_form = UploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            result = _check_upload(upload_form.cleaned_data["datei"])
            if result.document is not None and result.document.pk != document.pk:
                result.genuine = False
                result.reason = _("Die Datei gehört zu einem anderen Dokument als dem zu diesem Prüfcode.")
            elif result.document is None and result.intact:
                result.genuine = False
                result.reason = _("Die Datei ist nicht das Dokument zu diesem Prüfcode.")
    return _render(
        request,
        "documents/verify_code.html",
        {"document": document, "upload_form": upload_form, "result": result},
        status=400 if upload_form.errors else 200,
    )
