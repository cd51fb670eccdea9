"""Which addresses count as public, and what a request to an allowed host is refused for."""

import pytest

from proxyservice.services.sandbox.allowed_hosts import is_public, parse_allowed_hosts, refusal


class TestPublicAddresses:
    """A name may lead only to global addresses: never to the worker, its network, or a cloud's metadata."""

    @pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1",
                                         "169.254.169.254", "0.0.0.0", "100.64.0.1", "224.0.0.1", "::1", "::",
                                         "fe80::1%eth0", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"])
    def test_internal_addresses_are_not_public(self, address: str) -> None:
        assert not is_public(address)

    @pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:1.1.1.1"])
    def test_global_addresses_are_public(self, address: str) -> None:
        assert is_public(address)


class TestRefusal:
    """A request goes out to a listed host on a listed port, at an address it may have."""

    def test_a_listed_address_is_reached_on_its_ports_only(self) -> None:
        allowed = parse_allowed_hosts(["10.0.0.5", "127.0.0.1:9000"])
        assert refusal(allowed, "10.0.0.5", 80) is None and refusal(allowed, "10.0.0.5", 443) is None
        assert refusal(allowed, "127.0.0.1", 9000) is None
        assert refusal(allowed, "10.0.0.5", 9808) == "10.0.0.5:9808 is not allowed (RENDER_ALLOWED_HOSTS)"
        assert refusal(allowed, "127.0.0.1", 80) is not None and refusal(allowed, "10.0.0.6", 80) is not None

    def test_a_name_that_resolves_to_loopback_is_refused_with_its_reason(self) -> None:
        said = refusal(parse_allowed_hosts(["localhost"]), "localhost", 80)
        assert said is not None and "not a public address: list the address itself" in said
