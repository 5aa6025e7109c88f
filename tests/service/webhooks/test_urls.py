"""Only http(s) URLs on public addresses may be called, unless private ones are allowed."""

from __future__ import annotations

import pytest

from service.webhooks.urls import UnsafeURL, check_address, check_url


@pytest.mark.parametrize(("url", "why"), [
    ("ftp://example.com/hooks", "must start with http:// or https://"),
    ("javascript:alert(1)", "must start with http:// or https://"),
    ("http:///hooks", "has no host name"),
    ("http://example.com:99999/", "is not a valid URL"),
    ("http://127.0.0.1/", "127.0.0.1, a loopback address"),
    ("http://localhost:8000/", "a loopback address"),
    ("http://[::1]/", "a loopback address"),
    ("http://0.0.0.0/", "an unspecified address"),
    ("http://10.0.0.7/", "a private address"),
    ("http://172.16.5.4/", "a private address"),
    ("http://192.168.1.1/", "a private address"),
    ("http://100.64.0.1/", "a non-public address"),
    ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
    ("http://[fd00:ec2::254]/", "a cloud metadata address"),
    ("http://169.254.1.1/", "a link-local address"),
    ("http://[fe80::1]/", "a link-local address"),
    ("http://224.0.0.251/", "a multicast address"),
    ("http://[ff02::1]/", "a multicast address"),
    ("http://240.0.0.1/", "a private address"),
    ("http://[::ffff:10.0.0.1]/", "a private address"),
    ("http://[2002:a00:1::]/", "a private address"),  # 6to4 around 10.0.0.1
    ("http://name.invalid/", "does not resolve"),
])
def test_unsafe_urls_are_refused_saying_why(url, why):
    with pytest.raises(UnsafeURL, match=why):
        check_url(url, allow_private=False)


@pytest.mark.parametrize("url", ["https://93.184.215.14/hooks", "http://[2606:4700::1111]:8080/"])
def test_public_addresses_are_allowed(url):
    check_url(url, allow_private=False)


def test_the_setting_allows_private_addresses_but_not_other_schemes():
    check_url("http://127.0.0.1:8080/hooks", allow_private=True)
    check_url("http://10.0.0.7/", allow_private=True)
    with pytest.raises(UnsafeURL):
        check_url("file:///etc/passwd", allow_private=True)


def test_an_ipv6_zone_is_ignored_when_checking_an_address():
    with pytest.raises(UnsafeURL, match="link-local"):
        check_address("fe80::1%eth0")
