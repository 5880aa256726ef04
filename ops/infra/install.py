"""Install what the local infrastructure needs: Debian packages and the Kafka jars.

Idempotent and quiet: when everything is there it runs no package manager at all.
"""

from __future__ import annotations

import glob
import logging
import os
import re
import shutil

from ops.infra.errors import InfraError
from ops.infra.processes import is_root, run
from shared.runtime.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

KAFKA_POM = PROJECT_ROOT / "deploy" / "kafka" / "pom.xml"
KAFKA_LIB_DIR = PROJECT_ROOT / "deploy" / "kafka" / "target" / "lib"

# command on PATH (or glob) -> Debian package that provides it
SYSTEM_TOOLS: dict[str, str] = {
    "java": "default-jre-headless",
    "mvn": "maven",
    "redis-server": "redis-server",
    "/usr/lib/postgresql/*/bin/postgres": "postgresql",
    # The browser tests' browser, driven by Playwright (its own download fails here).
    "chromium": "chromium",
}


def _present(tool: str) -> bool:
    return bool(glob.glob(tool)) if tool.startswith("/") else shutil.which(tool) is not None


def missing_packages() -> list[str]:
    return sorted({package for tool, package in SYSTEM_TOOLS.items() if not _present(tool)})


def ensure_system_packages() -> None:
    missing = missing_packages()
    if not missing:
        return
    command = "apt-get install -y " + " ".join(missing)
    if not is_root() or shutil.which("apt-get") is None:
        raise InfraError(
            f"missing system packages: {', '.join(missing)}",
            f"install them as root (Debian/Ubuntu: sudo {command}), then run again",
        )
    log.info("installing %s with apt-get", ", ".join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    fix = "check that the Debian mirrors are reachable (apt-get update), then run again"
    run(["apt-get", "update", "-qq"], "apt-get update failed", fix, env=env)
    run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        f"apt-get could not install {', '.join(missing)}",
        fix,
        env=env,
    )
    still_missing = missing_packages()
    if still_missing:
        raise InfraError(f"still missing after apt-get: {still_missing}", command)


def kafka_version() -> str:
    match = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", KAFKA_POM.read_text())
    if match is None:
        raise InfraError(f"no <kafka.version> in {KAFKA_POM}", "restore deploy/kafka/pom.xml")
    return match.group(1).strip()


def kafka_classpath() -> str:
    return str(KAFKA_LIB_DIR / "*")


def ensure_kafka_jars() -> None:
    version = kafka_version()
    if (KAFKA_LIB_DIR / f"kafka_2.13-{version}.jar").exists():
        return
    log.info("fetching Apache Kafka %s jars from Maven Central", version)
    if KAFKA_LIB_DIR.exists():
        # A different pinned version: start from a clean classpath, never a mix.
        shutil.rmtree(KAFKA_LIB_DIR)
    run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(KAFKA_POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={KAFKA_LIB_DIR}",
            "-DincludeScope=runtime",
        ],
        f"Maven could not fetch the Apache Kafka {version} broker jars",
        "check that Maven Central is reachable from this machine (a proxy goes in "
        "~/.m2/settings.xml), then run `entraide infra up` again",
        timeout_s=900,
    )


def install() -> None:
    ensure_system_packages()
    ensure_kafka_jars()
