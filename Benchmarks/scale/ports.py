"""Ports for the scale benchmark and its limit (direct_launch.py): free ones to hand out, and a
wait until each accepts a connection."""
import socket, time


def free_ports(n):
    """N ports the kernel chose as free on 127.0.0.1 (released again before they are returned)."""
    holders = [socket.socket() for _ in range(n)]
    for s in holders:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in holders]
    for s in holders:
        s.close()
    return ports


def wait_ports(ports, timeout=300):
    """Returns once every port accepts a connection; fails after `timeout` seconds."""
    pending, deadline = set(ports), time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for p in list(pending):
            try:
                socket.create_connection(("127.0.0.1", p), timeout=1).close()
                pending.discard(p)
            except OSError:
                pass
        if pending:
            time.sleep(0.01)
    assert not pending, "%d ports never accepted" % len(pending)
