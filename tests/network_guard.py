"""No test may reach the network: every connection to a non-loopback address is refused and remembered.

Loopback stays open (notebook kernels and local servers talk over 127.0.0.1). A refused attempt raises
``NetworkAccessBlocked`` in the code that tried, and ``conftest.py`` fails the whole run afterwards even if
that code swallowed the error.
"""

import ipaddress
import socket

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}

blocked_attempts = []


class NetworkAccessBlocked(RuntimeError):
    """Raised when code under test tries to reach a non-loopback address."""


def _is_local(host):
    if isinstance(host, bytes):
        host = host.decode()
    if host is None or str(host).lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name other than localhost would need DNS: that is the network too


def _refuse(what):
    blocked_attempts.append(what)
    raise NetworkAccessBlocked(f"tests must not use the network: blocked {what}")


def _guard_address(sock, address):
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
        _refuse(f"connection to {address!r}")


def install():
    """Patch the socket module for the rest of the process."""
    original_connect, original_connect_ex = socket.socket.connect, socket.socket.connect_ex
    original_getaddrinfo = socket.getaddrinfo

    def connect(self, address):
        _guard_address(self, address)
        return original_connect(self, address)

    def connect_ex(self, address):
        _guard_address(self, address)
        return original_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _is_local(host):
            _refuse(f"name lookup of {host!r}")
        return original_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.getaddrinfo = getaddrinfo
