"""The layout's promises that no import rule can check: importing any module of the
services or of ``shared`` starts nothing and writes nothing, and the services' image
copies no operator's tool."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from shared.runtime.settings import PROJECT_ROOT

IMPORT_EVERYTHING = textwrap.dedent(
    """
    import importlib, json, os, pkgutil
    imported = []
    for root in ("shared", "services"):
        package = importlib.import_module(root)
        for module in pkgutil.walk_packages(package.__path__, root + "."):
            importlib.import_module(module.name)
            imported.append(module.name)
    links = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            links.append(os.readlink(f"/proc/self/fd/{fd}"))
        except FileNotFoundError:
            pass  # the listing's own descriptor, closed already
    sockets = [link for link in links if link.startswith("socket:")]
    print(json.dumps({"modules": len(imported), "threads": len(os.listdir("/proc/self/task")),
                      "sockets": len(sockets)}))
    """
)


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if "__pycache__" not in p.parts}


def test_importing_every_service_module_starts_and_writes_nothing(tmp_path):
    before = files_under(PROJECT_ROOT / "services") | files_under(PROJECT_ROOT / "shared")
    env = {**os.environ, "ENTRAIDE_DATA_DIR": str(tmp_path / "data")}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["modules"] > 80
    assert seen["threads"] == 1 and seen["sockets"] == 0
    assert list(tmp_path.iterdir()) == []  # no data folder, nothing in the working directory
    after = files_under(PROJECT_ROOT / "services") | files_under(PROJECT_ROOT / "shared")
    assert after == before


def test_the_services_image_copies_the_services_and_shared_only():
    dockerfile = (PROJECT_ROOT / "deploy" / "docker" / "service.Dockerfile").read_text()
    copied = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("COPY ")]
    assert "services" in copied and "shared" in copied
    assert not any(source.startswith("ops") for source in copied)
