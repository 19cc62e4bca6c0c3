"""Real mail servers for the tests: an aiosmtpd sink that keeps what it receives, and Dovecot."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """An SMTP server that keeps every message it is given (the customer's mailbox)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


DOVECOT_CONF = """
base_dir = {root}/run
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
passdb {{
  driver = static
  args = password=secret
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


class Dovecot:
    """A throwaway Dovecot IMAP server on a loopback port; mail is dropped straight into its Maildir."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        uid, gid = (65534, 65534) if os.getuid() == 0 else (os.getuid(), os.getgid())
        (root / "run").mkdir(parents=True)
        (root / "mail").mkdir()
        if os.getuid() == 0:
            shutil.chown(root / "mail", uid, gid)
        (root / "dovecot.conf").write_text(DOVECOT_CONF.format(root=root, port=self.port, uid=uid, gid=gid))

    @staticmethod
    def available() -> bool:
        return shutil.which("dovecot") is not None or Path("/usr/sbin/dovecot").exists()

    def start(self) -> None:
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        subprocess.run([binary, "-c", str(self.root / "dovecot.conf")], check=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("Dovecot did not start: " + (self.root / "dovecot.log").read_text())

    def stop(self) -> None:
        pid_file = self.root / "run" / "master.pid"
        if pid_file.exists():
            os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)

    def deliver(self, user: str, raw: bytes, n: int) -> None:
        """Put a message in the user's INBOX as a local delivery agent would."""
        box = self.root / "mail" / user
        for sub in ("new", "cur", "tmp"):
            (box / sub).mkdir(parents=True, exist_ok=True)
        target = box / "new" / f"{time.time_ns()}.{n}.spona"
        target.write_bytes(raw)
        if os.getuid() == 0:
            for path in (self.root / "mail" / user, box / "new", box / "cur", box / "tmp", target):
                shutil.chown(path, 65534, 65534)
