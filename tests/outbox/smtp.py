"""A tiny SMTP server on 127.0.0.1 for tests: enough of RFC 5321 for smtplib."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage


@dataclass
class Received:
    mail_from: str
    rcpt_to: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        return self.message.get_content()


class SmtpTestServer:
    """Accepts mail on 127.0.0.1 (a free port) and keeps it in `received`.

    Addresses in `refuse` get `550` at RCPT, as a real server refuses an unknown mailbox.
    """

    def __init__(self, refuse: set[str] | None = None):
        self.received: list[Received] = []
        self.refuse = refuse or set()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.1)
        self.host, self.port = self._sock.getsockname()[:2]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> SmtpTestServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        with conn, conn.makefile("rb") as lines:
            def reply(text: str) -> None:
                conn.sendall(text.encode() + b"\r\n")

            reply("220 localhost test SMTP")
            mail_from, rcpt_to = "", []
            for raw in lines:
                command = raw.decode("ascii", "replace").rstrip("\r\n")
                verb = command[:4].upper()
                if verb == "EHLO":
                    reply("250-localhost\r\n250 8BITMIME")
                elif verb == "HELO":
                    reply("250 localhost")
                elif verb == "MAIL":
                    mail_from, rcpt_to = _address(command), []
                    reply("250 OK")
                elif verb == "RCPT":
                    address = _address(command)
                    if address in self.refuse:
                        reply("550 no such mailbox")
                    else:
                        rcpt_to.append(address)
                        reply("250 OK")
                elif verb == "DATA":
                    reply("354 end with <CRLF>.<CRLF>")
                    data = bytearray()
                    for line in lines:
                        if line == b".\r\n":
                            break
                        data += line[1:] if line.startswith(b".") else line
                    message = email.message_from_bytes(bytes(data), policy=email.policy.default)
                    self.received.append(Received(mail_from, rcpt_to, message))
                    reply("250 OK queued")
                elif verb == "RSET":
                    mail_from, rcpt_to = "", []
                    reply("250 OK")
                elif verb == "NOOP":
                    reply("250 OK")
                elif verb == "QUIT":
                    reply("221 bye")
                    return
                else:
                    reply("502 command not implemented")


def _address(command: str) -> str:
    return command.partition(":")[2].strip().split(" ")[0].strip("<>")


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (the mail server is down)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
