"""Which addresses an outbound request may reach (outbound/addresses.py): every IPv6 form that
carries an IPv4 address is judged by that address, the special-purpose ranges are refused, and
`allow_private` lifts only the local ones."""

from __future__ import annotations

import ipaddress

import pytest

from outbound import embedded_ipv4, refusal
from outbound.addresses import LOCAL, NEVER

# Teredo stores the client's address XOR'ed: 127.0.0.1 is 0x80fffffe.
TEREDO_LOOPBACK = "2001:0:4136:e378:8000:63bf:80ff:fffe"
TEREDO_PUBLIC = "2001:0:4136:e378:8000:63bf:f7f7:f7f7"  # client 8.8.8.8


@pytest.mark.parametrize(
    ("address", "form", "carried"),
    [
        ("::ffff:127.0.0.1", "IPv4-mapped", "127.0.0.1"),
        ("::ffff:0:7f00:1", "IPv4-translated", "127.0.0.1"),
        ("::127.0.0.1", "IPv4-compatible", "127.0.0.1"),
        ("64:ff9b::7f00:1", "NAT64", "127.0.0.1"),
        ("64:ff9b::a9fe:a9fe", "NAT64", "169.254.169.254"),
        ("2002:7f00:1::1", "6to4", "127.0.0.1"),
        ("2002:c0a8:101::", "6to4", "192.168.1.1"),
        (TEREDO_LOOPBACK, "Teredo client", "127.0.0.1"),
    ],
)
def test_each_ipv6_form_is_judged_by_the_ipv4_address_it_carries(address, form, carried):
    assert (form, ipaddress.IPv4Address(carried)) in embedded_ipv4(ipaddress.IPv6Address(address))
    found = refusal(address)
    assert found is not None
    assert carried in found.what and form in found.what


def test_the_exact_addresses_of_the_issue_are_refused_as_loopback():
    for address in ("64:ff9b::7f00:1", "::127.0.0.1"):
        found = refusal(address)
        assert found is not None and found.kind == LOCAL
        assert "loopback" in found.what
        # Python's own test lets both through: why outbound does not rely on it.
        assert ipaddress.ip_address(address).is_global


def test_a_teredo_address_is_refused_when_its_server_is_local_too():
    server_loopback = "2001:0:7f00:1:8000:63bf:f7f7:f7f7"  # server 127.0.0.1, client 8.8.8.8
    found = refusal(server_loopback)
    assert found is not None and "Teredo server" in found.what


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::808:808",  # NAT64 of 8.8.8.8
        "::ffff:8.8.8.8",
        "2002:808:808::1",  # 6to4 of 8.8.8.8
        TEREDO_PUBLIC,
        "8.8.8.8",
        "93.184.215.14",
        "2606:4700:4700::1111",
        "2a00:1450:4001:81b::200e",
    ],
)
def test_public_addresses_and_forms_carrying_one_are_allowed(address):
    assert refusal(address) is None


LOCAL_ADDRESSES = [
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.0.10", "private"),
    ("100.64.0.1", "shared address space"),
    ("100.127.255.254", "shared address space"),
    ("169.254.1.1", "link-local"),
    ("::1", "loopback"),
    ("fd12:3456::1", "unique-local"),
    ("fe80::1", "link-local"),
    ("::ffff:10.0.0.1", "private"),
]
NEVER_ADDRESSES = [
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "unspecified"),
    ("::", "unspecified"),
    ("169.254.169.254", "cloud metadata"),
    ("169.254.170.2", "cloud metadata"),
    ("100.100.100.200", "cloud metadata"),
    ("168.63.129.16", "cloud platform"),
    ("fd00:ec2::254", "cloud metadata"),
    ("::ffff:169.254.169.254", "cloud metadata"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("192.0.2.1", "documentation"),
    ("198.51.100.7", "documentation"),
    ("203.0.113.9", "documentation"),
    ("2001:db8::1", "documentation"),
    ("3fff::1", "documentation"),
    ("198.18.0.1", "benchmarking"),
    ("198.19.255.255", "benchmarking"),
    ("2001:2::1", "benchmarking"),
    ("192.0.0.8", "IETF protocol assignments"),
    ("100::1", "discard-only"),
    ("64:ff9b:1::808:808", "local-use NAT64"),
    ("::2:3:4:5:6", "outside the global unicast range"),
    ("4000::1", "outside the global unicast range"),
    ("2001:10::1", "IETF protocol assignments"),
]


@pytest.mark.parametrize(("address", "what"), LOCAL_ADDRESSES)
def test_local_addresses_are_refused_unless_private_targets_are_allowed(address, what):
    found = refusal(address)
    assert found is not None and what in found.what and found.kind == LOCAL
    assert refusal(address, allow_private=True) is None


@pytest.mark.parametrize(("address", "what"), NEVER_ADDRESSES)
def test_other_special_addresses_are_refused_even_when_private_targets_are_allowed(address, what):
    for allow_private in (False, True):
        found = refusal(address, allow_private=allow_private)
        assert found is not None and what in found.what and found.kind == NEVER


@pytest.mark.parametrize("text", ["127.1", "2130706433", "0x7f.0.0.1", "fe80::1%eth0", "", "x"])
def test_anything_but_an_address_in_canonical_form_is_refused(text):
    found = refusal(text, allow_private=True)
    assert found is not None and found.what == "not an IP address"


def test_outbound_imports_no_django():
    """Django-free, so evidence fetching and scripts can use it alone (a fresh interpreter)."""
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, outbound; assert not [m for m in sys.modules if m.startswith('django')]"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])
