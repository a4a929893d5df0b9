"""SANDBOX eID: an OpenID Connect provider for fictional people and companies (demo and tests only).

Discovery, JWKS, authorize (a page where the tester picks a person or company and the trust level to assert),
token (single-use codes, PKCE S256, client authentication) and userinfo. Every view answers 404 when the
sandbox
is switched off.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from datetime import timedelta
from functools import wraps
from urllib.parse import unquote, urlencode

from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsweg.sandbox_eid import conf, tokens
from amtsweg.sandbox_eid.identities import ACR_TO_LEVEL, BY_KEY, IDENTITIES, LEVELS
from amtsweg.sandbox_eid.keys import public_jwks
from amtsweg.sandbox_eid.models import SandboxGrant

logger = logging.getLogger("amtsweg.sandbox_eid")

CODE_LIFETIME = timedelta(seconds=60)
ACCESS_TOKEN_LIFETIME = timedelta(minutes=5)
ID_TOKEN_LIFETIME = 300
SCOPES = ["openid", "profile", "email", "address", "organisation"]
LEVEL_LABELS = {"niedrig": "niedrig", "substanziell": "substanziell", "hoch": "hoch (wie Online-Ausweis)"}


def sandbox_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not conf.sandbox_enabled():
            raise Http404("sandbox disabled")
        return view(request, *args, **kwargs)

    return wrapper


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _endpoints(request) -> dict:
    issuer = conf.issuer_for(request)
    return {
        "issuer": issuer,
        "authorization_endpoint": issuer + "/authorize",
        "token_endpoint": issuer + "/token",
        "userinfo_endpoint": issuer + "/userinfo",
        "jwks_uri": issuer + "/jwks",
    }


@sandbox_only
@require_GET
def root(request):
    return render(request, "sandbox_eid/index.html", {"identities": IDENTITIES, **_endpoints(request)})


@sandbox_only
@require_GET
def discovery(request):
    return JsonResponse(
        {
            **_endpoints(request),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": SCOPES,
            "acr_values_supported": list(LEVELS.values()),
            "claims_supported": [
                "sub",
                "acr",
                "given_name",
                "family_name",
                "birthdate",
                "email",
                "email_verified",
                "address",
                "org_id",
                "org_name",
                "org_kind",
            ],
            "service_documentation": "SANDBOX – kein echter Ausweis",
        }
    )


@sandbox_only
@require_GET
def jwks(request):
    return JsonResponse(public_jwks())


def _error_page(request, message: str):
    return render(request, "sandbox_eid/error.html", {"message": message}, status=400)


def _redirect_error(redirect_uri: str, state: str, error: str, description: str = ""):
    params = {"error": error, "state": state}
    if description:
        params["error_description"] = description
    return HttpResponseRedirect(redirect_uri + "?" + urlencode(params))


@sandbox_only
@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request):
    params = request.GET if request.method == "GET" else request.POST
    client_id = params.get("client_id", "")
    redirect_uri = params.get("redirect_uri", "")
    state = params.get("state", "")[:500]
    if client_id != conf.CLIENT_ID:
        logger.warning("sandbox authorize: unknown client_id")
        return _error_page(
            request, _("Unbekannte Anwendung (client_id). Die Anmeldung wurde nicht gestartet.")
        )
    if not conf.redirect_uri_allowed(redirect_uri):
        logger.warning("sandbox authorize: redirect_uri not allowed")
        return _error_page(
            request, _("Die Rücksprungadresse ist nicht zugelassen. Die Anmeldung wurde nicht gestartet.")
        )
    if params.get("response_type") != "code":
        return _redirect_error(redirect_uri, state, "unsupported_response_type")
    scopes = params.get("scope", "").split()
    if "openid" not in scopes:
        return _redirect_error(redirect_uri, state, "invalid_scope", "openid fehlt")
    nonce = params.get("nonce", "")
    challenge = params.get("code_challenge", "")
    if params.get("code_challenge_method") != "S256" or not 43 <= len(challenge) <= 128:
        return _redirect_error(redirect_uri, state, "invalid_request", "PKCE S256 erforderlich")
    if not nonce or len(nonce) > 500:
        return _redirect_error(redirect_uri, state, "invalid_request", "nonce erforderlich")

    flow = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "scope": " ".join(s for s in scopes if s in SCOPES),
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "response_type": "code",
    }
    requested_levels = [ACR_TO_LEVEL[a] for a in params.get("acr_values", "").split() if a in ACR_TO_LEVEL]
    if request.method == "GET":
        return render(
            request,
            "sandbox_eid/authorize.html",
            {
                "flow": flow,
                "persons": [i for i in IDENTITIES if not i.is_organisation],
                "organisations": [i for i in IDENTITIES if i.is_organisation],
                "levels": [(key, LEVEL_LABELS[key]) for key in LEVELS],
                "selected_level": requested_levels[0] if requested_levels else "hoch",
                "requested_level": requested_levels[0] if requested_levels else None,
            },
        )
    if request.POST.get("action") == "cancel":
        return _redirect_error(redirect_uri, state, "access_denied", "abgebrochen")
    identity = BY_KEY.get(request.POST.get("identity", ""))
    level = request.POST.get("level", "")
    if identity is None or level not in LEVELS:
        return _error_page(request, _("Bitte wählen Sie eine Person oder Firma und ein Vertrauensniveau."))
    code = secrets.token_urlsafe(32)
    now = timezone.now()
    SandboxGrant.objects.create(
        code_hash=_hash(code),
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=flow["scope"],
        nonce=nonce,
        code_challenge=challenge,
        identity_key=identity.key,
        level=level,
        issuer=conf.issuer_for(request),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    return HttpResponseRedirect(redirect_uri + "?" + urlencode({"code": code, "state": state}))


def _token_error(error: str, status: int = 400):
    response = JsonResponse({"error": error}, status=status)
    response["Cache-Control"] = "no-store"
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="sandbox-eid"'
    return response


def _client_credentials(request) -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return "", ""
        client_id, _sep, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


@csrf_exempt
@sandbox_only
@require_POST
def token(request):
    client_id, secret = _client_credentials(request)
    if client_id != conf.CLIENT_ID or not hmac.compare_digest(secret.encode(), conf.client_secret().encode()):
        logger.warning("sandbox token: client authentication failed")
        return _token_error("invalid_client", 401)
    if request.POST.get("grant_type") != "authorization_code":
        return _token_error("unsupported_grant_type")
    code = request.POST.get("code", "")
    verifier = request.POST.get("code_verifier", "")
    now = timezone.now()
    with transaction.atomic():
        grant = SandboxGrant.objects.select_for_update().filter(code_hash=_hash(code)).first()
        if grant is None:
            return _token_error("invalid_grant")
        if grant.used_at is not None:
            # A code used twice: revoke what the first use produced (RFC 6749 4.1.2).
            grant.revoked = True
            grant.save(update_fields=["revoked"])
            logger.warning("sandbox token: authorization code replayed", extra={"grant": grant.pk})
            return _token_error("invalid_grant")
        grant.used_at = now
        grant.save(update_fields=["used_at"])
    if grant.expires_at < now or grant.client_id != client_id:
        return _token_error("invalid_grant")
    if request.POST.get("redirect_uri") != grant.redirect_uri:
        return _token_error("invalid_grant")
    if not 43 <= len(verifier) <= 128:
        return _token_error("invalid_grant")
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    if not hmac.compare_digest(challenge, grant.code_challenge):
        logger.warning("sandbox token: PKCE verifier does not match")
        return _token_error("invalid_grant")
    identity = BY_KEY[grant.identity_key]
    access_token = secrets.token_urlsafe(32)
    grant.access_token_hash = _hash(access_token)
    grant.access_expires_at = now + ACCESS_TOKEN_LIFETIME
    grant.save(update_fields=["access_token_hash", "access_expires_at"])
    issued = int(time.time())
    id_token = tokens.sign_id_token(
        {
            "iss": grant.issuer,
            "sub": identity.subject,
            "aud": grant.client_id,
            "exp": issued + ID_TOKEN_LIFETIME,
            "iat": issued,
            "auth_time": int(grant.created_at.timestamp()),
            "nonce": grant.nonce,
            "acr": LEVELS[grant.level],
            "amr": ["sandbox"],
        }
    )
    response = JsonResponse(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
            "id_token": id_token,
            "scope": grant.scope,
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@sandbox_only
@require_http_methods(["GET", "POST"])
def userinfo(request):
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return _token_error("invalid_token", 401)
    grant = SandboxGrant.objects.filter(access_token_hash=_hash(header[7:].strip())).first()
    if (
        grant is None
        or grant.revoked
        or grant.access_expires_at is None
        or grant.access_expires_at < timezone.now()
    ):
        return _token_error("invalid_token", 401)
    identity = BY_KEY[grant.identity_key]
    scopes = grant.scope.split()
    info = {"sub": identity.subject}
    if "profile" in scopes:
        info.update(
            given_name=identity.given_name, family_name=identity.family_name, birthdate=identity.birthdate
        )
    if "email" in scopes:
        info.update(email=identity.email, email_verified=True)
    if "address" in scopes:
        info["address"] = {
            "street_address": identity.street_address,
            "postal_code": identity.postal_code,
            "locality": identity.locality,
            "country": "DE",
        }
    if "organisation" in scopes and identity.is_organisation:
        info.update(
            org_id=identity.organisation_id,
            org_name=identity.organisation_name,
            org_kind=identity.organisation_kind,
        )
    return JsonResponse(info)
