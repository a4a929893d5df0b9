"""A small HTTP/1.1 load generator for the benchmarks: N client threads, keep-alive, fixed duration.

Each client keeps one connection open and sends GET requests back to back (no pipelining), cycling
through its list of paths. Responses are read with a minimal parser (Content-Length or chunked), so the
client costs little CPU next to the server on the same machine. Bounded: every run stops after
`seconds`, and each request has a socket timeout. Only loopback addresses are allowed as targets.

    from _loadgen import measure
    result = measure("127.0.0.1", 8000, ["/healthz"], clients=8, seconds=5)
    result.requests_per_second, result.p50_ms, result.p99_ms, result.errors
"""

from __future__ import annotations

import ipaddress
import socket
import statistics
import threading
import time
from dataclasses import dataclass, field

TIMEOUT = 10.0


class ResponseError(Exception):
    pass


class Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.sock: socket.socket | None = None
        self.buffer = b""

    def _connect(self):
        self.sock = socket.create_connection((self.host, self.port), timeout=TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _read_more(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ResponseError("connection closed by server")
        self.buffer += chunk

    def _read_until(self, marker: bytes) -> bytes:
        while (index := self.buffer.find(marker)) < 0:
            self._read_more()
        data, self.buffer = self.buffer[:index], self.buffer[index + len(marker) :]
        return data

    def _read_exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._read_more()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        if self.sock is None:
            self._connect()
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        request = f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nAccept: */*\r\n{extra}\r\n".encode("latin-1")
        self.sock.sendall(request)
        head = self._read_until(b"\r\n\r\n").decode("latin-1")
        lines = head.split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if status in (204, 304) or 100 <= status < 200:
            body = b""
        elif "content-length" in fields:
            body = self._read_exactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self._read_until(b"\r\n").split(b";")[0], 16)
                if size == 0:
                    self._read_until(b"\r\n")
                    break
                parts.append(self._read_exactly(size))
                self._read_exactly(2)
            body = b"".join(parts)
        else:  # read to close
            try:
                while True:
                    self._read_more()
            except ResponseError:
                pass
            body, self.buffer = self.buffer, b""
            self.close()
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, body


@dataclass
class Result:
    name: str
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, fraction: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def p99_ms(self) -> float:
        return self.percentile_ms(0.99)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "requests": self.requests,
            "requests_per_second": round(self.requests_per_second, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "errors": self.errors,
            "statuses": self.statuses,
        }


def _check_target(host: str) -> None:
    address = ipaddress.ip_address(socket.gethostbyname(host))
    if not address.is_loopback:
        raise ValueError(f"Lastgenerator: nur Loopback-Adressen sind erlaubt, nicht {host} ({address}).")


def measure(
    host: str,
    port: int,
    paths: list[str],
    *,
    name: str = "",
    clients: int = 8,
    seconds: float = 5.0,
    warmup: float = 1.0,
    ok_statuses: tuple[int, ...] = (200,),
    headers: dict[str, str] | None = None,
) -> Result:
    """Run `clients` threads for `warmup` + `seconds`; only the measured part is counted."""
    _check_target(host)
    if not paths:
        raise ValueError("keine Pfade")
    result = Result(name=name or paths[0], seconds=seconds)
    lock = threading.Lock()
    start_at = time.perf_counter() + warmup
    stop_at = start_at + seconds

    def client(offset: int):
        connection = Connection(host, port)
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        errors = 0
        index = offset
        try:
            while True:
                path = paths[index % len(paths)]
                index += clients
                began = time.perf_counter()
                if began >= stop_at:
                    break
                try:
                    status, _ = connection.get(path, headers)
                except (OSError, ResponseError, ValueError):
                    connection.close()
                    if began >= start_at:
                        errors += 1
                    continue
                ended = time.perf_counter()
                if began < start_at:
                    continue
                statuses[status] = statuses.get(status, 0) + 1
                if status in ok_statuses:
                    latencies.append(ended - began)
                else:
                    errors += 1
        finally:
            connection.close()
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors
            for status, count in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + count

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=warmup + seconds + TIMEOUT + 5)
    return result
