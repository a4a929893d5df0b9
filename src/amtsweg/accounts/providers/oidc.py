"""Generic OpenID Connect client: authorization code flow with PKCE (S256), signed ID tokens checked against
the
provider's JWKS, single-use state and nonce kept server-side in the session.

Configuration (one entry per provider in the JSON of AMTSWEG_OIDC_PROVIDERS, e.g. for BundID or a Keycloak):

    {"bundid": {
        "label": "BundID",
        "issuer": "https://id.bund.de/oidc",            # must equal the discovery document's issuer
        "discovery_url": "...",                          # optional, default
        ISSUER/.well-known/openid-configuration
        "client_id": "amtsweg", "client_secret_env": "AMTSWEG_OIDC_BUNDID_SECRET",
        "scopes": "openid profile email",
        "token_auth": "client_secret_basic",             # or client_secret_post / none
        "algorithms": ["RS256", "PS256", "ES256"],
        "use_userinfo": true,
        "claims": {"given_name": "given_name", "locality": "address.locality", "organisation_id": "org.id"},
        "trust": {"claim": "acr", "values": {"urn:example:loa:3": "hoch"}, "default": null},
        "max_trust_level": "hoch",
        "request_acr": {"hoch": "http://eidas.europa.eu/LoA/high"}
    }}
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from datetime import date
from urllib.parse import quote, urlencode

from django.core.cache import cache
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from amtsweg.accounts.providers.base import Identity, IdentityProvider, LoginError
from amtsweg.accounts.providers.http import ProviderHTTPError, check_url, request_json
from amtsweg.accounts.providers.registry import register
from amtsweg.accounts.trust import TrustLevel

logger = logging.getLogger("amtsweg.accounts.security")

FLOW_SESSION_KEY = "amtsweg.oidc_flows"
FLOW_TTL_SECONDS = 600
MAX_OPEN_FLOWS = 5
CLOCK_LEEWAY = 60
DEFAULT_MAX_TOKEN_AGE = 600
DISCOVERY_CACHE_SECONDS = 3600
JWKS_CACHE_SECONDS = 3600
JWKS_REFETCH_INTERVAL = 30
DEFAULT_ALGORITHMS = ("RS256", "PS256", "ES256")
# HMAC algorithms would let anyone who knows the client secret mint tokens; "none" is no signature at all.
FORBIDDEN_ALGORITHMS = {"none", "HS256", "HS384", "HS512"}

EIDAS_LOW = "http://eidas.europa.eu/LoA/low"
EIDAS_SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"
EIDAS_HIGH = "http://eidas.europa.eu/LoA/high"
DEFAULT_TRUST_VALUES = {
    EIDAS_LOW: "niedrig",
    EIDAS_SUBSTANTIAL: "substanziell",
    EIDAS_HIGH: "hoch",
    "low": "niedrig",
    "substantial": "substanziell",
    "high": "hoch",
    "niedrig": "niedrig",
    "substanziell": "substanziell",
    "hoch": "hoch",
    "STORK-QAA-Level-1": "niedrig",
    "STORK-QAA-Level-2": "niedrig",
    "STORK-QAA-Level-3": "substanziell",
    "STORK-QAA-Level-4": "hoch",
}
DEFAULT_REQUEST_ACR = {"niedrig": EIDAS_LOW, "substanziell": EIDAS_SUBSTANTIAL, "hoch": EIDAS_HIGH}
DEFAULT_CLAIMS = {
    "given_name": "given_name",
    "family_name": "family_name",
    "email": "email",
    "email_verified": "email_verified",
    "birthdate": "birthdate",
    "street_address": "address.street_address",
    "postal_code": "address.postal_code",
    "locality": "address.locality",
    "organisation_id": "",
    "organisation_name": "",
    "organisation_kind": "",
}
FIELD_LIMITS = {
    "given_name": 150,
    "family_name": 150,
    "email": 254,
    "street_address": 200,
    "postal_code": 10,
    "locality": 200,
    "organisation_id": 255,
    "organisation_name": 300,
    "organisation_kind": 30,
}

MSG_EXPIRED = _(
    "Die Anmeldung ist abgelaufen oder wurde bereits abgeschlossen. Bitte melden Sie sich erneut an."
)
MSG_INVALID = _(
    "Die Anmeldung wurde abgelehnt, weil die Antwort des Anmeldedienstes nicht geprüft werden konnte. "
    "Bitte versuchen Sie es erneut."
)
MSG_UNAVAILABLE = _("Der Anmeldedienst ist gerade nicht erreichbar. Bitte versuchen Sie es später erneut.")
MSG_CANCELLED = _("Die Anmeldung wurde abgebrochen.")
MSG_NO_LEVEL = _(
    "Der Anmeldedienst hat kein bekanntes Vertrauensniveau übermittelt. Die Anmeldung wurde abgelehnt."
)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pkce_challenge(verifier: str) -> str:
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def _claim(claims: dict, path: str):
    value = claims
    for part in (path or "").split("."):
        if not part or not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _clean_text(value, limit: int) -> str:
    if value is None or isinstance(value, (dict, list, bool)):
        return ""
    text = "".join(ch for ch in str(value) if ch.isprintable()).strip()
    return text[:limit]


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@register("oidc")
class OIDCProvider(IdentityProvider):
    standalone = False
    description = _("Anmeldung über einen externen Anmeldedienst (OpenID Connect).")

    def __init__(self, key, config=None):
        super().__init__(key, config)
        self.label = self.label or self.config.get("label") or key
        max_level = self.config.get("max_trust_level", "hoch")
        self.max_trust_level = TrustLevel.parse(max_level)
        self.algorithms = [
            alg
            for alg in self.config.get("algorithms", DEFAULT_ALGORITHMS)
            if alg not in FORBIDDEN_ALGORITHMS
        ]

    # --- configuration
    # --------------------------------------------------------------------------------------------
    def issuer(self, request) -> str:
        return str(self.config["issuer"]).rstrip("/")

    def discovery_url(self, issuer: str) -> str:
        return self.config.get("discovery_url") or issuer + "/.well-known/openid-configuration"

    @property
    def client_id(self) -> str:
        return str(self.config["client_id"])

    @property
    def client_secret(self) -> str:
        if self.config.get("client_secret_env"):
            return os.environ.get(self.config["client_secret_env"], "")
        return str(self.config.get("client_secret", ""))

    @property
    def allow_http(self) -> bool:
        return bool(self.config.get("allow_http", False))

    @property
    def use_env_proxy(self) -> bool:
        return bool(self.config.get("use_env_proxy", True))

    def _http(self, url, **kwargs):
        return request_json(
            url,
            allow_http=self.allow_http,
            use_env_proxy=self.use_env_proxy,
            timeout=float(self.config.get("timeout", 10)),
            **kwargs,
        )

    # --- discovery and keys
    # ---------------------------------------------------------------------------------------
    def discovery(self, issuer: str) -> dict:
        url = self.discovery_url(issuer)
        cache_key = "amtsweg:oidc:discovery:" + hashlib.sha256(url.encode()).hexdigest()
        document = cache.get(cache_key)
        if document is None:
            try:
                _status, document = self._http(url)
            except ProviderHTTPError as error:
                raise LoginError(MSG_UNAVAILABLE, f"discovery failed: {error}") from None
            if document.get("issuer") != issuer:
                raise LoginError(MSG_INVALID, f"discovery issuer {document.get('issuer')!r} != {issuer!r}")
            for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                try:
                    check_url(document.get(name, ""), allow_http=self.allow_http)
                except ProviderHTTPError:
                    raise LoginError(MSG_INVALID, f"discovery: {name} missing or not allowed") from None
            cache.set(cache_key, document, DISCOVERY_CACHE_SECONDS)
        return document

    def _jwks(self, jwks_uri: str, *, refresh: bool = False) -> KeySet:
        cache_key = "amtsweg:oidc:jwks:" + hashlib.sha256(jwks_uri.encode()).hexdigest()
        data = None if refresh else cache.get(cache_key)
        if data is None:
            try:
                _status, data = self._http(jwks_uri)
                keyset = KeySet.import_key_set(data)
            except ProviderHTTPError as error:
                raise LoginError(MSG_UNAVAILABLE, f"JWKS fetch failed: {error}") from None
            except (JoseError, ValueError, TypeError, KeyError) as error:
                raise LoginError(MSG_INVALID, f"JWKS unreadable: {error}") from None
            cache.set(cache_key, data, JWKS_CACHE_SECONDS)
            return keyset
        return KeySet.import_key_set(data)

    def _signing_key(self, jwks_uri: str, kid):
        """The key for `kid`; refetches the JWKS once (rate-limited) when the kid is unknown (key
        rotation)."""

        def find(keyset):
            candidates = [k for k in keyset if k.get("use") in (None, "sig")]
            if kid is None:
                return candidates[0] if len(candidates) == 1 else None
            return next((k for k in candidates if k.kid == kid), None)

        key = find(self._jwks(jwks_uri))
        if key is None:
            refetch_key = "amtsweg:oidc:jwks-refetch:" + hashlib.sha256(jwks_uri.encode()).hexdigest()
            if cache.add(refetch_key, 1, JWKS_REFETCH_INTERVAL):
                key = find(self._jwks(jwks_uri, refresh=True))
        if key is None:
            raise LoginError(MSG_INVALID, f"no signing key for kid {kid!r}")
        return key

    # --- the flow
    # -------------------------------------------------------------------------------------------------
    def redirect_uri(self, request) -> str:
        return self.config.get("redirect_uri") or request.build_absolute_uri(
            reverse("accounts:oidc_callback", args=[self.key])
        )

    def start(self, request, *, next_url: str, min_level: TrustLevel | None):
        issuer = self.issuer(request)
        document = self.discovery(issuer)
        state = secrets.token_urlsafe(32)
        nonce = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)
        redirect_uri = self.redirect_uri(request)
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": self.config.get("scopes", "openid"),
            "state": state,
            "nonce": nonce,
            "code_challenge": pkce_challenge(verifier),
            "code_challenge_method": "S256",
        }
        if min_level is not None:
            acr = self.config.get("request_acr", DEFAULT_REQUEST_ACR).get(TrustLevel(min_level).key)
            if acr:
                params["acr_values"] = acr
        store_flow(
            request,
            state,
            {
                "provider": self.key,
                "issuer": issuer,
                "nonce": nonce,
                "verifier": verifier,
                "redirect_uri": redirect_uri,
                "next": next_url,
                "min_level": int(min_level) if min_level is not None else None,
                # Who started the flow: only that user gets the new identity linked (step-up).
                "user_id": request.user.pk if request.user.is_authenticated else None,
            },
        )
        endpoint = document["authorization_endpoint"]
        separator = "&" if "?" in endpoint else "?"
        return HttpResponseRedirect(endpoint + separator + urlencode(params))

    def complete(self, request):
        state = request.GET.get("state", "")
        if not state or len(state) > 200:
            raise LoginError(MSG_EXPIRED, "callback without state")
        flow = pop_flow(request, state)
        if flow is None:
            raise LoginError(MSG_EXPIRED, "unknown, expired or replayed state")
        if flow.get("provider") != self.key:
            raise LoginError(MSG_EXPIRED, f"state belongs to provider {flow.get('provider')!r}")
        if request.GET.get("error"):
            raise LoginError(MSG_CANCELLED, f"provider returned error {request.GET.get('error')[:100]!r}")
        code = request.GET.get("code", "")
        if not code or len(code) > 2000:
            raise LoginError(MSG_INVALID, "callback without code")
        document = self.discovery(flow["issuer"])
        tokens = self.exchange_code(document, code=code, flow=flow)
        claims = self.verify_id_token(
            tokens.get("id_token"), issuer=flow["issuer"], nonce=flow["nonce"], jwks_uri=document["jwks_uri"]
        )
        if (
            self.config.get("use_userinfo", True)
            and document.get("userinfo_endpoint")
            and tokens.get("access_token")
        ):
            claims = {
                **self.fetch_userinfo(document["userinfo_endpoint"], tokens["access_token"], claims),
                **claims,
            }
        return self.map_claims(claims), flow

    def exchange_code(self, document: dict, *, code: str, flow: dict) -> dict:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": flow["redirect_uri"],
            "code_verifier": flow["verifier"],
        }
        headers = {}
        method = self.config.get("token_auth", "client_secret_basic")
        if method == "client_secret_basic":
            credentials = f"{quote(self.client_id, safe='')}:{quote(self.client_secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
        elif method == "client_secret_post":
            form.update(client_id=self.client_id, client_secret=self.client_secret)
        else:
            form["client_id"] = self.client_id
        try:
            status, body = self._http(
                document["token_endpoint"], form=form, headers=headers, accept_error_status=True
            )
        except ProviderHTTPError as error:
            raise LoginError(MSG_UNAVAILABLE, f"token endpoint: {error}") from None
        if status != 200:
            raise LoginError(MSG_INVALID, f"token endpoint answered {status}: {str(body.get('error'))[:100]}")
        if not isinstance(body.get("id_token"), str):
            raise LoginError(MSG_INVALID, "token response without id_token")
        return body

    def verify_id_token(self, id_token, *, issuer: str, nonce: str, jwks_uri: str) -> dict:
        if not isinstance(id_token, str) or id_token.count(".") != 2 or len(id_token) > 16384:
            raise LoginError(MSG_INVALID, "ID token is not a compact JWS")
        try:
            header = json.loads(_b64url_decode(id_token.split(".", 1)[0]))
        except (ValueError, TypeError):
            raise LoginError(MSG_INVALID, "ID token header unreadable") from None
        if not isinstance(header, dict):
            raise LoginError(MSG_INVALID, "ID token header is not an object")
        alg = header.get("alg")
        if alg not in self.algorithms:
            raise LoginError(MSG_INVALID, f"ID token algorithm {alg!r} not allowed")
        if "crit" in header:
            raise LoginError(MSG_INVALID, "ID token with critical header parameters")
        key = self._signing_key(jwks_uri, header.get("kid"))
        try:
            token = jwt.decode(id_token, key, algorithms=[alg])
        except (JoseError, ValueError, TypeError) as error:
            raise LoginError(MSG_INVALID, f"ID token signature invalid: {type(error).__name__}") from None
        claims = token.claims
        now = time.time()
        if claims.get("iss") != issuer:
            raise LoginError(MSG_INVALID, f"ID token issuer {claims.get('iss')!r} != {issuer!r}")
        audience = claims.get("aud")
        audiences = (
            [audience] if isinstance(audience, str) else audience if isinstance(audience, list) else []
        )
        if self.client_id not in audiences:
            raise LoginError(MSG_INVALID, f"ID token audience {audience!r} does not contain our client id")
        if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != self.client_id:
            raise LoginError(MSG_INVALID, "ID token azp is not our client id")
        exp, iat = claims.get("exp"), claims.get("iat")
        if not _is_number(exp) or now > exp + CLOCK_LEEWAY:
            raise LoginError(MSG_INVALID, "ID token expired")
        max_age = int(self.config.get("max_token_age", DEFAULT_MAX_TOKEN_AGE))
        if not _is_number(iat) or iat > now + CLOCK_LEEWAY or now - iat > max_age:
            raise LoginError(MSG_INVALID, "ID token iat missing, in the future or too old")
        if "nbf" in claims and (not _is_number(claims["nbf"]) or claims["nbf"] > now + CLOCK_LEEWAY):
            raise LoginError(MSG_INVALID, "ID token not yet valid")
        token_nonce = claims.get("nonce")
        if not isinstance(token_nonce, str) or not hmac.compare_digest(token_nonce.encode(), nonce.encode()):
            raise LoginError(MSG_INVALID, "ID token nonce does not match the one sent (replay?)")
        subject = claims.get("sub")
        if not isinstance(subject, str) or not 0 < len(subject) <= 255:
            raise LoginError(MSG_INVALID, "ID token without a usable sub")
        return claims

    def fetch_userinfo(self, endpoint: str, access_token: str, id_claims: dict) -> dict:
        try:
            _status, info = self._http(endpoint, headers={"Authorization": f"Bearer {access_token}"})
        except ProviderHTTPError as error:
            raise LoginError(MSG_UNAVAILABLE, f"userinfo: {error}") from None
        if info.get("sub") != id_claims.get("sub"):
            raise LoginError(MSG_INVALID, "userinfo sub differs from ID token sub")
        return info

    def map_claims(self, claims: dict) -> Identity:
        mapping = {**DEFAULT_CLAIMS, **self.config.get("claims", {})}
        trust = self.config.get("trust", {})
        trust_values = {**DEFAULT_TRUST_VALUES, **trust.get("values", {})}
        raw_level = _claim(claims, trust.get("claim", "acr"))
        level_name = trust_values.get(raw_level) if isinstance(raw_level, str) else None
        level_name = level_name or trust.get("default")
        if not level_name:
            raise LoginError(MSG_NO_LEVEL, f"unknown trust claim value {str(raw_level)[:100]!r}")
        level = min(TrustLevel.parse(level_name), self.max_trust_level)
        values = {
            name: _clean_text(_claim(claims, mapping.get(name, "")), limit)
            for name, limit in FIELD_LIMITS.items()
        }
        birthdate = None
        raw_birthdate = _claim(claims, mapping.get("birthdate", ""))
        if isinstance(raw_birthdate, str):
            try:
                birthdate = date.fromisoformat(raw_birthdate[:10])
            except ValueError:
                birthdate = None
        return Identity(
            provider=self.key,
            subject=claims["sub"],
            trust_level=level,
            email_verified=_claim(claims, mapping.get("email_verified", "")) is True,
            birthdate=birthdate,
            raw_claims=claims,
            **values,
        )


# --- login flows in the session: single use, expiring, a handful at most
# ----------------------------------------------
def store_flow(request, state: str, data: dict) -> None:
    flows = _live_flows(request)
    while len(flows) >= MAX_OPEN_FLOWS:
        oldest = min(flows, key=lambda key: flows[key]["created"])
        flows.pop(oldest)
    flows[state] = {**data, "created": time.time()}
    request.session[FLOW_SESSION_KEY] = flows


def pop_flow(request, state: str) -> dict | None:
    flows = _live_flows(request)
    flow = flows.pop(state, None)
    request.session[FLOW_SESSION_KEY] = flows
    # Save at once: the state is spent even if the rest of the request fails.
    request.session.save()
    return flow


def _live_flows(request) -> dict:
    flows = request.session.get(FLOW_SESSION_KEY)
    if not isinstance(flows, dict):
        return {}
    now = time.time()
    return {
        key: value
        for key, value in flows.items()
        if isinstance(value, dict) and now - value.get("created", 0) < FLOW_TTL_SECONDS
    }
