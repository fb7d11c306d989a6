"""The outbound-request guard: one way for the app to fetch a URL that someone else chose.

Webhook deliveries use it now, evidence fetching will. Django-free: settings are arguments.

- `fetch(url, *, method, body, headers, follow_redirects, max_bytes, timeout, allow_private, ...)`
  returns a `Response` (status, final URL, headers, body) or raises `Refused`, `TooLarge`,
  `Timeout` or `FetchError`, each with a sentence saying why.
- `check_url(url, *, allow_private, resolve)` is the same check without the request: forms use it
  for their error message.
- `refusal(address, *, allow_private)` judges one IP address (`outbound.addresses`).
"""

from outbound.addresses import Refusal, embedded_ipv4, refusal
from outbound.client import (
    FetchError,
    Refused,
    Response,
    Target,
    Timeout,
    TooLarge,
    check_url,
    fetch,
    parse_url,
    system_resolver,
)

__all__ = [
    "FetchError",
    "Refusal",
    "Refused",
    "Response",
    "Target",
    "Timeout",
    "TooLarge",
    "check_url",
    "embedded_ipv4",
    "fetch",
    "parse_url",
    "refusal",
    "system_resolver",
]
