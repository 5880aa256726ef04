"""The socket clients of bench/gateway and bench/e2e, seen from the benchmark: raw
readers in RAW_PROCESSES processes and one process of PROBES probes
(``bench/gateway/clients.py``), asked for their figures over a window."""

from __future__ import annotations

import json
import subprocess
import sys

from shared.runtime.settings import PROJECT_ROOT

RAW_PROCESSES = 2
PROBES = 100


class Clients:
    def __init__(self, url: str, count: int, areas: int = 0) -> None:
        """``areas``: spread the sockets' feed subscriptions over that many areas
        (bench/e2e); 0: every socket takes the whole feed."""
        per = (count - PROBES) // RAW_PROCESSES
        commands = [["raw", url, str(per), str(areas), str(PROBES + k * per)]
                    for k in range(RAW_PROCESSES)]  # fmt: skip
        commands.append(["probe", url, str(PROBES), str(areas)])
        self.procs = [
            subprocess.Popen(
                [sys.executable, "-m", "bench.gateway.clients", *command],
                cwd=PROJECT_ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for command in commands
        ]

    def connected(self) -> int:
        return sum(json.loads(p.stdout.readline())["connected"] for p in self.procs)

    def measure(self, seconds: float) -> tuple[list[float], int, int]:
        """The probes' latencies (first frame of each post), duplicate frames, open sockets."""
        for p in self.procs:
            p.stdin.write(f"measure {seconds}\n")
            p.stdin.flush()
        latencies, duplicates, alive = [], 0, 0
        for p in self.procs:
            report = json.loads(p.stdout.readline())
            latencies += report["latencies_ms"]
            duplicates += report["duplicates"]
            alive += report["alive"]
        return latencies, duplicates, alive

    def stop(self) -> None:
        for p in self.procs:
            p.kill()
            p.wait()
