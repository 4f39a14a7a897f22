"""A TCP proxy that a test can switch off and on: Redis or PostgreSQL going away for real."""

import contextlib
import selectors
import socket
import threading
from enum import Enum


class Mode(Enum):
    ON = "on"  # forward every byte both ways
    REFUSE = "refuse"  # nothing listens: a connect fails at once (a stopped server)
    BLACKHOLE = "blackhole"  # connects are accepted and never answered (a hung server)


class TcpProxy:
    """Listens on a free port of 127.0.0.1 and forwards to ``target``.

    Switching away from ``ON`` cuts every forwarded connection, as a server restart would;
    ``REFUSE`` closes the listening socket too, so the next connect is refused.
    """

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.mode = Mode.ON
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.port = 0  # a free one, kept when the proxy listens again
        self._listen()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def switch(self, mode: Mode) -> None:
        with self._lock:
            self.mode = mode
            for sock in self._open:
                _close(sock)
            self._open.clear()
            if mode == Mode.REFUSE and self._listener is not None:
                _close(self._listener)
                self._listener = None
        if mode != Mode.REFUSE and self._listener is None:
            self._listen()

    def close(self) -> None:
        self.switch(Mode.REFUSE)

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed
            with self._lock:
                self._open.add(client)
                mode = self.mode
            if mode == Mode.ON:
                threading.Thread(target=self._forward, args=(client,), daemon=True).start()

    def _forward(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            _close(client)
            return
        with self._lock:
            if client not in self._open:  # switched off meanwhile
                _close(upstream)
                return
            self._open.add(upstream)
        peers = {client: upstream, upstream: client}
        with selectors.DefaultSelector() as selector:
            for sock in peers:
                selector.register(sock, selectors.EVENT_READ)
            while True:
                try:
                    ready = selector.select()
                except (OSError, ValueError):  # a socket closed by ``switch``
                    ready = []
                if not ready:
                    _close(client)
                    _close(upstream)
                    return
                for key, _ in ready:
                    try:
                        data = key.fileobj.recv(65536)
                        if data:
                            peers[key.fileobj].sendall(data)
                    except OSError:
                        data = b""
                    if not data:
                        _close(client)
                        _close(upstream)
                        return


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
