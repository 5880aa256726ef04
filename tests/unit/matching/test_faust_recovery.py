"""The patch to faust's end of recovery (ADR 0011) installs only on the version it fixes."""

import faust
import pytest
from faust.tables.recovery import Recovery

from services.matching.entrypoints import faust_recovery


def test_the_patch_replaces_faust_s_method_on_the_pinned_version():
    faust_recovery.install()
    assert Recovery.on_recovery_completed is faust_recovery._on_recovery_completed


def test_the_patch_refuses_another_faust_version(monkeypatch):
    monkeypatch.setattr(faust, "__version__", "0.16.0")
    with pytest.raises(RuntimeError, match=r"faust_recovery\.py is still needed"):
        faust_recovery.install()
