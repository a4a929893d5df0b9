"""Small, strict HTTP client for the OpenID Connect back channel (standard library only).

Only http(s) URLs, a timeout, a size limit, JSON responses only; every failure becomes `ProviderHTTPError`.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlencode, urlsplit

MAX_BYTES = 512 * 1024


class ProviderHTTPError(Exception):
    pass


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _opener(*, use_env_proxy: bool, follow_redirects: bool):
    handlers = [] if use_env_proxy else [urllib.request.ProxyHandler({})]
    if not follow_redirects:
        handlers.append(_NoRedirect())
    return urllib.request.build_opener(*handlers)


def check_url(url: str, *, allow_http: bool) -> None:
    parts = urlsplit(url or "")
    allowed = {"https", "http"} if allow_http else {"https"}
    if parts.scheme not in allowed or not parts.hostname:
        raise ProviderHTTPError(f"URL not allowed: {url!r}")


def request_json(
    url: str,
    *,
    form: dict | None = None,
    headers: dict | None = None,
    allow_http: bool = False,
    use_env_proxy: bool = True,
    timeout: float = 10.0,
    accept_error_status: bool = False,
) -> tuple[int, dict]:
    """GET (or POST `form` urlencoded) and parse a JSON object. Returns (status, body)."""
    check_url(url, allow_http=allow_http)
    data = urlencode(form).encode() if form is not None else None
    method = "POST" if form is not None else "GET"
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (scheme checked above)
    request.add_header("Accept", "application/json")
    if form is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    opener = _opener(use_env_proxy=use_env_proxy, follow_redirects=form is None)
    try:
        with opener.open(request, timeout=timeout) as response:
            status = response.status
            body = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        if not accept_error_status:
            raise ProviderHTTPError(f"HTTP {error.code} from {url}") from None
        status = error.code
        body = error.read(MAX_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        raise ProviderHTTPError(f"{url}: {error}") from None
    if len(body) > MAX_BYTES:
        raise ProviderHTTPError(f"response from {url} larger than {MAX_BYTES} bytes")
    try:
        parsed = json.loads(body)
    except ValueError:
        raise ProviderHTTPError(f"no JSON from {url}") from None
    if not isinstance(parsed, dict):
        raise ProviderHTTPError(f"JSON from {url} is not an object")
    return status, parsed
