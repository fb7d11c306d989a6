"""Which IP addresses an outbound request may connect to.

`refusal(address, allow_private=...)` returns why an address is refused, or None. The rules, in
the order they are applied:

1. IPv6 addresses that carry an IPv4 address are judged by the IPv4 address they carry (and the
   IPv6 form too, where it has rules of its own): IPv4-mapped `::ffff:a.b.c.d`, IPv4-translated
   `::ffff:0:a.b.c.d`, IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4
   `2002:AABB:CCDD::/48` and Teredo `2001:0:SSSS:SSSS:…:CCCC:CCCC` (server and client, the client
   stored XOR'ed). A NAT64 gateway, a 6to4 relay or a Teredo relay forwards to that IPv4 address,
   so `[64:ff9b::7f00:1]` is 127.0.0.1 and refused as loopback.
2. IPv4: the special-purpose ranges of the IANA registry (RFC 6890 and successors) are refused.
3. IPv6: only global unicast (2000::/3) may be reached, minus its special-purpose blocks.
4. Cloud metadata services are refused by address, even where they sit in public space.

Two kinds of refusal. *Local* ranges (loopback, RFC 1918 and unique-local, link-local, shared
address space) are lifted by `allow_private=True`: the test suite's receivers and a deployment
whose partners sit on its own network need that. Everything else (cloud metadata, unspecified,
multicast, broadcast, reserved, documentation, benchmarking, discard, local-use NAT64, ...) is
refused whatever the caller allows: no legitimate receiver lives there. When in doubt (an address
that does not parse, a form we do not know), refuse.

Django-free, like everything in `outbound`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

LOCAL = "local"  # lifted by allow_private
NEVER = "never"


@dataclass(frozen=True)
class Range:
    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    what: str
    kind: str


def _ranges(rows: list[tuple[str, str, str]]) -> list[Range]:
    return [Range(ipaddress.ip_network(net), what, kind) for net, what, kind in rows]


# Cloud metadata and platform services: instance credentials live behind them. Checked first, so
# that the reason names them, and never lifted.
METADATA = _ranges([
    ("169.254.169.254/32", "a cloud metadata service", NEVER),  # AWS, GCP, Azure, OpenStack, ...
    ("169.254.170.2/32", "a cloud metadata service", NEVER),  # AWS ECS task metadata
    ("169.254.169.123/32", "a cloud time service", NEVER),  # AWS
    ("100.100.100.200/32", "a cloud metadata service", NEVER),  # Alibaba Cloud
    ("168.63.129.16/32", "a cloud platform service", NEVER),  # Azure WireServer (public space)
    ("fd00:ec2::254/128", "a cloud metadata service", NEVER),  # AWS, IPv6
    ("fd00:ec2::123/128", "a cloud time service", NEVER),
])  # fmt: skip

IPV4 = _ranges([
    ("0.0.0.0/8", "the unspecified / 'this network' range", NEVER),
    ("10.0.0.0/8", "a private address", LOCAL),
    ("100.64.0.0/10", "shared address space (carrier-grade NAT)", LOCAL),
    ("127.0.0.0/8", "a loopback address", LOCAL),
    ("169.254.0.0/16", "a link-local address", LOCAL),
    ("172.16.0.0/12", "a private address", LOCAL),
    ("192.0.0.0/24", "the IETF protocol assignments range", NEVER),
    ("192.0.2.0/24", "a documentation address", NEVER),
    ("192.31.196.0/24", "the AS112 range", NEVER),
    ("192.52.193.0/24", "the AMT range", NEVER),
    ("192.88.99.0/24", "the deprecated 6to4 relay range", NEVER),
    ("192.168.0.0/16", "a private address", LOCAL),
    ("192.175.48.0/24", "the AS112 range", NEVER),
    ("198.18.0.0/15", "a benchmarking address", NEVER),
    ("198.51.100.0/24", "a documentation address", NEVER),
    ("203.0.113.0/24", "a documentation address", NEVER),
    ("224.0.0.0/4", "a multicast address", NEVER),
    ("240.0.0.0/4", "a reserved address", NEVER),  # and 255.255.255.255, the broadcast address
])  # fmt: skip

GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")

IPV6 = _ranges([
    ("::/128", "the unspecified address", NEVER),
    ("::1/128", "a loopback address", LOCAL),
    ("64:ff9b:1::/48", "a local-use NAT64 address", NEVER),
    ("100::/64", "a discard-only address", NEVER),
    ("fc00::/7", "a unique-local (private) address", LOCAL),
    ("fe80::/10", "a link-local address", LOCAL),
    ("fec0::/10", "a site-local address", LOCAL),
    ("ff00::/8", "a multicast address", NEVER),
    # Inside 2000::/3:
    ("2001:db8::/32", "a documentation address", NEVER),
    ("3fff::/20", "a documentation address", NEVER),
    ("2001:2::/48", "a benchmarking address", NEVER),
    ("5f00::/16", "an SRv6 segment identifier", NEVER),
])  # fmt: skip
# The IETF protocol assignments block, but for Teredo (2001::/32, judged by what it embeds).
IETF_V6 = ipaddress.IPv6Network("2001::/23")
TEREDO = ipaddress.IPv6Network("2001::/32")

MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")
COMPATIBLE = ipaddress.IPv6Network("::/96")
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")


@dataclass(frozen=True)
class Refusal:
    """Why an address is refused; `kind` LOCAL means allow_private would have lifted it."""

    address: str
    what: str
    kind: str

    def __str__(self) -> str:
        return f"{self.address} is {self.what}"


def parse_address(text: str) -> IPAddress | None:
    """An IP address written in its one canonical form (dotted quad, or IPv6 without a zone), or
    None. `127.1`, `2130706433`, `0x7f.0.0.1` and `fe80::1%eth0` are not addresses here: the
    caller treats them as host names, and a resolver that reads them as numbers is still judged
    by the address it returns."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        return None
    return address


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    """The IPv4 addresses an IPv6 address carries, with the name of the form carrying them."""
    v4 = ipaddress.IPv4Address
    low32 = int(address) & 0xFFFFFFFF
    if address in MAPPED:
        return [("IPv4-mapped", v4(low32))]
    if address in TRANSLATED:
        return [("IPv4-translated", v4(low32))]
    if address in NAT64:
        return [("NAT64", v4(low32))]
    if address in COMPATIBLE and int(address) > 1:  # :: and ::1 are themselves
        return [("IPv4-compatible", v4(low32))]
    if address in SIX_TO_FOUR:
        return [("6to4", v4((int(address) >> 80) & 0xFFFFFFFF))]
    if address in TEREDO:
        server = v4((int(address) >> 64) & 0xFFFFFFFF)
        client = v4(low32 ^ 0xFFFFFFFF)
        return [("Teredo client", client), ("Teredo server", server)]
    return []


def _match(address: IPAddress, ranges: list[Range]) -> Range | None:
    for candidate in ranges:
        if address.version == candidate.network.version and address in candidate.network:
            return candidate
    return None


def _refusal_v4(address: ipaddress.IPv4Address) -> Refusal | None:
    found = _match(address, METADATA) or _match(address, IPV4)
    return Refusal(str(address), found.what, found.kind) if found else None


def _refusal_v6(address: ipaddress.IPv6Address) -> Refusal | None:
    found = _match(address, METADATA) or _match(address, IPV6)
    if found:
        return Refusal(str(address), found.what, found.kind)
    carried = embedded_ipv4(address)
    for form, v4 in carried:
        inner = _refusal_v4(v4)
        if inner is not None:
            return Refusal(str(address), f"{inner.what} ({v4}, {form})", inner.kind)
    if carried:
        return None  # judged by the public IPv4 address it carries
    if address not in GLOBAL_UNICAST_V6:
        return Refusal(str(address), "outside the global unicast range", NEVER)
    if address in IETF_V6:
        return Refusal(str(address), "in the IETF protocol assignments range", NEVER)
    return None


def refusal(address: IPAddress | str, *, allow_private: bool = False) -> Refusal | None:
    """Why `address` must not be connected to, or None when it may be."""
    if isinstance(address, str):
        parsed = parse_address(address)
        if parsed is None:
            return Refusal(address, "not an IP address", NEVER)
        address = parsed
    if isinstance(address, ipaddress.IPv4Address):
        found = _refusal_v4(address)
    else:
        found = _refusal_v6(address)
    if found is not None and found.kind == LOCAL and allow_private:
        return None
    return found
