"""A failed set-up step ends with what failed and how to fix it, never a traceback."""

import pytest

from ops import cli
from ops.infra import install
from ops.infra.errors import InfraError


def test_missing_system_tools_end_infra_up_with_a_clear_message(monkeypatch, capsys):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(
        install,
        "SYSTEM_TOOLS",
        {"java": "default-jre-headless", "/nonexistent/postgres": "postgresql"},
    )
    assert cli.main(["infra", "up"]) == 2
    err = capsys.readouterr().err
    assert "missing system packages: default-jre-headless, postgresql" in err
    assert "how to fix:" in err and "apt-get install -y default-jre-headless postgresql" in err
    assert "Traceback" not in err


def test_an_unreachable_maven_central_is_reported_with_the_fix(monkeypatch, tmp_path):
    fake_mvn = tmp_path / "bin" / "mvn"
    fake_mvn.parent.mkdir()
    fake_mvn.write_text(
        "#!/bin/sh\necho '[ERROR] Could not transfer artifact org.apache.kafka:kafka_2.13:pom:3.9.2"
        " from/to central: Network is unreachable'\nexit 1\n"
    )
    fake_mvn.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake_mvn.parent}:/usr/bin:/bin")
    monkeypatch.setattr(install, "KAFKA_LIB_DIR", tmp_path / "lib")
    with pytest.raises(InfraError) as raised:
        install.ensure_kafka_jars()
    message = str(raised.value)
    assert "Maven could not fetch the Apache Kafka 3.9.2 broker jars" in message
    assert "Network is unreachable" in message
    assert "Maven Central is reachable" in raised.value.fix


def test_nothing_runs_when_everything_is_installed(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("no package manager should run")

    monkeypatch.setattr(install, "run", refuse)
    monkeypatch.setattr(install, "SYSTEM_TOOLS", {"sh": "dash"})
    install.ensure_system_packages()
