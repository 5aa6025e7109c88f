"""Which webhook URLs may be called: http(s) on public addresses only.

A URL is checked when it is registered and again before every delivery, and the
address that a delivery actually connects to is checked too (see
``service.webhooks.transport``), so that a host name that resolves to a public
address at registration and to a private one later (DNS rebinding) gets nothing.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

CLOUD_METADATA = frozenset({
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, ...
    ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
})


class UnsafeURL(ValueError):
    """A webhook URL that must not be called; the message says why."""


def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse ``url`` unless it is http(s) and every address its host resolves to is public.

    Args:
        allow_private: accept any address (``WEBHOOK_ALLOW_PRIVATE_URLS``); the
            scheme and host are still checked.

    Raises:
        UnsafeURL: saying what is wrong with the URL.
    """
    if "\\" in url or any(char.isspace() or ord(char) < 0x20 for char in url):
        raise UnsafeURL("must not contain backslashes, spaces or control characters")
    try:
        split = urlsplit(url)
    except ValueError as error:
        raise UnsafeURL(f"is not a valid URL ({error})") from None
    if split.scheme.lower() not in {"http", "https"}:
        raise UnsafeURL("must start with http:// or https://")
    if not split.netloc:
        raise UnsafeURL("has no host name")
    try:
        # The parser of the HTTP client that delivers (requests, urllib3), on the URL as
        # requests prepares it: the host checked is the host connected to.
        prepared = requests.Request("POST", url).prepare().url or ""
        parts = parse_url(prepared)
    except (ValueError, LocationParseError, requests.RequestException) as error:
        raise UnsafeURL(f"is not a valid URL ({error})") from None
    if parts.scheme not in {"http", "https"}:
        raise UnsafeURL("must start with http:// or https://")
    if parts.auth is not None or "@" in split.netloc:
        raise UnsafeURL("must not carry a user name or password")
    host = (parts.host or "").strip("[]")
    if not host:
        raise UnsafeURL("has no host name")
    if allow_private:
        return
    for address in resolve(host, parts.port or (443 if parts.scheme == "https" else 80)):
        check_address(address)


def resolve(host: str, port: int) -> list[str]:
    """Every address that ``host`` resolves to.

    Raises:
        UnsafeURL: when it resolves to none.
    """
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeURL(f"host {host!r} does not resolve ({error})") from None
    # str(): typeshed allows an int host for families other than AF_INET and AF_INET6.
    return sorted({str(info[4][0]) for info in found})


def check_address(address: str) -> None:
    """Refuse an address that is not public.

    Raises:
        UnsafeURL: naming the address and what kind it is.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    if kind := _forbidden_kind(ip):
        raise UnsafeURL(f"leads to {ip}, {kind} address; only public addresses are allowed")


def _forbidden_kind(ip: IPAddress) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and (kind := _forbidden_kind(embedded)):
            return kind
    if ip in CLOUD_METADATA:
        return "a cloud metadata"
    for kind, test in (("a loopback", ip.is_loopback), ("an unspecified", ip.is_unspecified),
                       ("a link-local", ip.is_link_local), ("a multicast", ip.is_multicast),
                       ("a private", ip.is_private), ("a reserved", ip.is_reserved),
                       ("a site-local", isinstance(ip, ipaddress.IPv6Address)
                        and ip.is_site_local)):
        if test:
            return kind
    return None if ip.is_global else "a non-public"
