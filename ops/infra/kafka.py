"""Apache Kafka in KRaft mode, started with ``java -cp`` from Maven jars: one node, or a
cluster of three on loopback (each broker also a controller, with its own ports and
data), as operators run it."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from pathlib import Path

from ops.infra.errors import InfraError
from ops.infra.install import kafka_classpath
from ops.infra.processes import kill_pid, log_tail, read_pid, run, start_detached, stop_pid
from shared.runtime.kafka.admin import wait_for_kafka

KAFKA_READY_TIMEOUT_S = 90.0
UUID_BYTES = 16


def cluster_id_from(raw: bytes) -> str | None:
    """Kafka's text form of a 16-byte id, or None when it would start with "-".

    One id in 64 starts with "-", which the storage tool's argument parser reads as an
    option ("--cluster-id: expected one argument"); Kafka's own Uuid.randomUuid draws
    again in that case, and so do we.
    """
    text = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return None if text.startswith("-") else text


def new_cluster_id() -> str:
    while (cluster_id := cluster_id_from(uuid.uuid4().bytes)) is None:
        pass
    return cluster_id


SERVER_PROPERTIES = """\
process.roles=broker,controller
node.id={node_id}
controller.quorum.voters={voters}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs={log_dir}
num.partitions=3
# Topics come from the catalogue (entraide infra up) or from tests; a typo must fail.
auto.create.topics.enable=false
offsets.topic.replication.factor={replicas}
offsets.topic.num.partitions=12
transaction.state.log.replication.factor={replicas}
transaction.state.log.min.isr={min_insync}
default.replication.factor={replicas}
# With three brokers an acknowledged write (acks=all) is on two of them at least, so
# the loss of any one loses nothing.
min.insync.replicas={min_insync}
# A local cluster: no point waiting for more members before the first rebalance.
group.initial.rebalance.delay.ms=0
log.flush.interval.messages=9223372036854775807
"""

LOG4J_PROPERTIES = """\
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.request.logger=WARN
"""


@dataclass
class KafkaBroker:
    home: Path
    port: int
    controller_port: int
    heap_mb: int = 768
    node_id: int = 1
    # node id -> controller port, for every node of the cluster (None: this one alone).
    voters: dict[int, int] | None = None
    cluster_id_file: Path | None = None

    @property
    def name(self) -> str:
        return "kafka" if self.node_id == 1 else f"kafka-{self.node_id}"

    @property
    def replicas(self) -> int:
        return min(3, len(self.voters or {self.node_id: 0}))

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.home / "kafka.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "kafka.log"

    def pid(self) -> int | None:
        return read_pid(self.pid_file)

    def _java(self, main: str, *args: str) -> list[str]:
        return [
            "java",
            f"-Xms{min(256, self.heap_mb)}m",
            f"-Xmx{self.heap_mb}m",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j.configuration=file:{self.home / 'log4j.properties'}",
            "-cp",
            kafka_classpath(),
            main,
            *args,
        ]

    def _configure(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        config = self.home / "server.properties"
        voters = self.voters or {self.node_id: self.controller_port}
        config.write_text(
            SERVER_PROPERTIES.format(
                node_id=self.node_id,
                voters=",".join(f"{n}@127.0.0.1:{port}" for n, port in sorted(voters.items())),
                port=self.port,
                controller_port=self.controller_port,
                log_dir=self.home / "logs",
                replicas=self.replicas,
                min_insync=2 if self.replicas >= 3 else 1,
            )
        )
        (self.home / "log4j.properties").write_text(LOG4J_PROPERTIES)
        return config

    def _format_storage(self, config: Path) -> None:
        if (self.home / "logs" / "meta.properties").exists():
            return
        run(
            self._java(
                "kafka.tools.StorageTool",
                "format",
                f"--cluster-id={self._cluster_id()}",
                f"--config={config}",
            ),
            "formatting the Kafka storage failed",
            f"remove {self.home} and run again",
            timeout_s=120,
        )

    def _cluster_id(self) -> str:
        """One id for every node of a cluster, kept beside them."""
        if self.cluster_id_file is None:
            return new_cluster_id()
        if not self.cluster_id_file.exists():
            self.cluster_id_file.parent.mkdir(parents=True, exist_ok=True)
            self.cluster_id_file.write_text(new_cluster_id())
        return self.cluster_id_file.read_text().strip()

    def launch(self) -> None:
        """Start the broker if it is not running; do not wait (a cluster's nodes must
        all be starting before any can elect a controller)."""
        if self.pid() is None:
            config = self._configure()
            self._format_storage(config)
            start_detached(
                self._java("kafka.Kafka", str(config)), self.log_file, self.pid_file, self.home
            )

    async def start(self) -> None:
        self.launch()
        await self.wait_ready()

    async def wait_ready(self, timeout_s: float = KAFKA_READY_TIMEOUT_S) -> None:
        try:
            await wait_for_kafka(self.bootstrap, timeout_s)
        except TimeoutError as exc:
            alive = "running" if self.pid() else "exited"
            raise InfraError(
                f"Kafka ({alive}) did not become ready on {self.bootstrap}: {exc}\n"
                f"last lines of {self.log_file}:\n{log_tail(self.log_file)}",
                f"read {self.log_file}; if the port is taken, stop what holds it",
            ) from exc

    def stop(self) -> None:
        pid = self.pid()
        if pid is not None:
            stop_pid(pid, grace_s=30)
        self.pid_file.unlink(missing_ok=True)

    def kill(self) -> None:
        """kill -9: for tests of what survives a crash."""
        pid = self.pid()
        if pid is not None:
            kill_pid(pid)
        self.pid_file.unlink(missing_ok=True)

    async def healthy(self) -> bool:
        try:
            await wait_for_kafka(self.bootstrap, timeout_s=3)
            return True
        except TimeoutError:
            return False
