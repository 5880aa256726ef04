"""`entraide up --scale`: instance names, ports, and refused values."""

import pytest

from ops.infra.errors import InfraError
from ops.local import local_services, parse_scale
from shared.runtime.settings import Settings


def test_scaled_instances_get_their_own_names_and_ports(tmp_path):
    settings = Settings(data_dir=tmp_path)
    instances = local_services(settings, parse_scale(["matching=2", "gateway=3"]))
    names = {s.name: s.port for s in instances}
    assert names == {
        "posts": 18001, "matching": 18002, "matching-2": 18012, "notifications": 18003,
        "gateway": 18004, "gateway-2": 18014, "gateway-3": 18024,
    }  # fmt: skip
    # Each gateway's origin is allowed by default (CORS and the socket's Origin check).
    assert {f"http://127.0.0.1:{p}" for n, p in names.items() if n.startswith("gateway")} <= set(
        settings.web_origins
    )


@pytest.mark.parametrize("bad", ["matching", "matching=0", "matching=10", "kafka=2", "gateway=x"])
def test_bad_scales_are_refused_with_how_to_fix(bad):
    with pytest.raises(InfraError) as refused:
        parse_scale([bad])
    assert "NAME=N" in refused.value.fix
