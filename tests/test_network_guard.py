import socket

import network_guard
import pytest


@pytest.fixture
def forget_attempts():
    """These tests provoke refusals on purpose; they must not fail the run."""
    before = len(network_guard.blocked_attempts)
    yield
    del network_guard.blocked_attempts[before:]


def test_connection_to_a_public_address_is_refused_and_remembered(forget_attempts):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(
        network_guard.NetworkAccessBlocked, match="192.0.2.1"
    ):
        sock.connect(("192.0.2.1", 80))
    assert network_guard.blocked_attempts[-1] == "connection to ('192.0.2.1', 80)"


def test_name_lookup_of_a_remote_host_is_refused(forget_attempts):
    with pytest.raises(network_guard.NetworkAccessBlocked, match="example.org"):
        socket.getaddrinfo("example.org", 443)


def test_loopback_stays_open():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5) as client:
            assert client.getpeername() == server.getsockname()
