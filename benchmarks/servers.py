"""Start gunicorn servers on free localhost ports, wait for them, read their workers' memory."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY_SECONDS = 60


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """A gunicorn master and where it answers."""

    name: str
    process: subprocess.Popen
    url: str

    def worker_pids(self) -> list[int]:
        """The master's children: its workers."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # the command may hold spaces and parentheses: the fields follow the last ")"
            if int(stat.rpartition(")")[2].split()[1]) == self.process.pid:
                found.append(int(entry.name))
        return sorted(found)

    def worker_rss_mb(self) -> list[float]:
        """Resident memory (VmRSS) of each worker, in MB."""
        sizes = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def stop(self) -> None:
        """Stop gracefully, then for good."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(name: str, app: str, env: dict[str, str], workers: int = 3, health="/healthz") -> Server:
    """gunicorn -c deploy/gunicorn.conf.py -w WORKERS APP on a free port, with these environment
    variables, once it answers: the app and the floor run under the settings a deployment uses."""
    port = free_port()
    log = open(Path(env.get("BENCH_LOG_DIR", "/tmp")) / f"gunicorn-{name}-{port}.log", "w")  # noqa: SIM115
    bind = f"127.0.0.1:{port}"
    config = str(ROOT / "deploy" / "gunicorn.conf.py")
    command = [sys.executable, "-m", "gunicorn", "-c", config, "-w", str(workers), "-b", bind, app]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)} | env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(name, process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + READY_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{name} stopped at start; see {log.name}")
        try:
            with urllib.request.urlopen(server.url + health, timeout=5) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"{name} did not answer in {READY_SECONDS} s; see {log.name}")
        time.sleep(0.2)
    # every worker loads the app on its first request; wake all of them before timing
    for _ in range(workers * 4):
        urllib.request.urlopen(server.url + health, timeout=5).close()
    return server
