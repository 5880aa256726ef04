"""The ``entraide`` command line: local processes, topics, keys, the demo, the contract docs."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from pathlib import Path

from ops.infra import InfraError, LocalInfra, brokers_in_use, install_prerequisites
from ops.local import local_services, scrape
from shared.runtime.settings import get_settings


def _infra(args: argparse.Namespace) -> int:
    infra = LocalInfra(get_settings())
    if args.action == "install":
        install_prerequisites()
        print("infrastructure prerequisites installed")
        return 0
    if args.action == "up":
        asyncio.run(infra.up())
        for name, value in infra.endpoints.items():
            print(f"{name}={value}")
        return 0
    if args.action == "down":
        infra.down()
        print("infrastructure stopped")
        return 0
    statuses = asyncio.run(infra.status())
    print(f"{'server':<10} {'state':<9} {'health':<9} {'pid':<8} address")
    for s in statuses:
        state = "running" if s.running else "stopped"
        health = "ready" if s.healthy else "-"
        print(f"{s.name:<10} {state:<9} {health:<9} {s.pid or '-'!s:<8} {s.address}")
    return 0 if all(s.healthy for s in statuses) else 1


def _up(args: argparse.Namespace) -> int:
    from ops import supervisor
    from ops.local import parse_scale, scale_file

    settings = get_settings()
    scale = parse_scale(args.scale)
    asyncio.run(LocalInfra(settings).up())
    wanted = local_services(settings, scale)
    # Instances beyond the new scale (an earlier --scale) are stopped.
    for running in local_services(settings):
        if running.name not in {s.name for s in wanted}:
            running.stop()
    scale_file(settings).parent.mkdir(parents=True, exist_ok=True)
    scale_file(settings).write_text(json.dumps(scale))
    for service in wanted:
        service.launch()
    for service in wanted:
        service.start()
        print(f"{service.name:<16} ready at {service.url}{service.spec.front_path}")
    supervisor.start(settings)
    web = next(s for s in wanted if s.spec.name == "gateway")
    print(f"\nEntraide is up: open {web.url}/ (a supervisor restarts what crashes)")
    return 0


def _keys(args: argparse.Namespace) -> int:
    """A folder with a token signing key and the gateways' cursor secret, for a
    deployment's secret (deploy/k8s/README.md)."""
    import secrets

    from shared.runtime.auth import KeyRing

    folder = Path(args.folder)
    ring = KeyRing(folder)
    kid = ring.rotate() if args.rotate else None
    ring.ensure()
    cursor = folder / "gateway-cursor.secret"
    if not cursor.exists():
        cursor.write_text(secrets.token_hex(32))
        cursor.chmod(0o600)
    print(f"keys in {folder}" + (f" (new signing key {kid})" if kid else ""))
    return 0


def _topics(args: argparse.Namespace) -> int:
    from shared.runtime.kafka.topics import create_catalogue_topics

    settings = get_settings()
    count = asyncio.run(create_catalogue_topics(settings))
    print(f"{count} topics present on {settings.kafka_bootstrap}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from ops.demo import DEMO_PASSWORD, MEMBERS, load_demo
    from ops.local import SERVICES
    from shared.runtime.auth import KeyRing

    posts = next(spec for spec in SERVICES if spec.name == "posts")
    signer = KeyRing(get_settings().data_dir / "keys").signer()
    done = load_demo(f"http://127.0.0.1:{posts.port}", signer)
    if done["already_loaded"]:
        print("the demo is already loaded")
    else:
        print(f"demo loaded: {done['members']} members, {done['posts']} posts")
    print(f"log in as {MEMBERS[0].email} (or any demo member) with {DEMO_PASSWORD!r}")
    gateway = next(spec for spec in SERVICES if spec.name == "gateway")
    print(f"\nopen http://127.0.0.1:{gateway.port}/")
    return 0


def _down(args: argparse.Namespace) -> int:
    from ops import supervisor

    settings = get_settings()
    supervisor.stop(settings)  # first, or it would restart what is being stopped
    for service in local_services(settings):
        service.stop()
    LocalInfra(settings).down()
    print("everything stopped")
    return 0


def _status(args: argparse.Namespace) -> int:
    from ops import supervisor
    from shared.runtime.kafka.lag import group_lags

    settings = get_settings()
    code = _infra(argparse.Namespace(action="status"))
    restarts = supervisor.restarts(settings)
    print(f"\n{'service':<16} {'state':<9} {'health':<7} {'pid':<8} {'restarts':<9} address")
    for service in local_services(settings):
        state = "running" if service.pid() else "stopped"
        health = "ready" if service.ready() else "-"
        print(f"{service.name:<16} {state:<9} {health:<7} {service.pid() or '-'!s:<8} "
              f"{restarts.get(service.name, 0):<9} {service.url}")  # fmt: skip
        code = code or (0 if health == "ready" else 1)
    try:
        lags = asyncio.run(group_lags(settings.kafka_bootstrap, CONSUMER_GROUPS))
    except Exception as exc:  # the broker is down: said above already
        lags = {group: f"unknown ({type(exc).__name__})" for group in CONSUMER_GROUPS}
    print(f"\n{'consumer group':<24} lag (messages)")
    for group, lag in lags.items():
        print(f"{group:<24} {lag}")
    print()
    for label, service, metric in WATCHED:
        values = [v for s in local_services(settings) if s.spec.name == service
                  for v in [scrape(s.url, metric)] if v is not None]  # fmt: skip
        print(f"{label:<36} {max(values) if values else 'unknown'}")
    return code


# What an operator looks at first (docs/operations.md): the worst instance's figure.
WATCHED = (
    ("outbox rows not yet published", "posts", "entraide_outbox_backlog_rows"),
    ("oldest unpublished row (s)", "posts", "entraide_outbox_oldest_pending_age_seconds"),
    ("failed relay passes", "posts", "entraide_outbox_failed_passes_total"),
    ("open sockets (one gateway)", "gateway", "entraide_gateway_connections"),
)


CONSUMER_GROUPS = ("entraide-matching", "entraide-notifications")


def _supervise(args: argparse.Namespace) -> int:
    from ops.supervisor import supervise

    supervise(get_settings())
    return 0


def _schema(args: argparse.Namespace) -> int:
    from ops.contract_docs import check_docs, write_docs
    from ops.openapi_docs import stale_openapi, write_openapi

    if args.check:
        stale = check_docs() + stale_openapi()
        for path in stale:
            print(f"stale: {path} (run `entraide schema`)", file=sys.stderr)
        return 1 if stale else 0
    for path in write_docs() + write_openapi():
        print(f"wrote {path}")
    return 0


def _grant(args: argparse.Namespace) -> int:
    from ops.roles import grant
    from services.posts.settings import PostsSettings
    from shared.contract.identity import Role

    try:
        member_id = asyncio.run(grant(PostsSettings(), args.email, Role(args.role), args.reason))
    except LookupError as exc:
        print(f"entraide: {exc}", file=sys.stderr)
        return 1
    print(
        f"{args.email} ({member_id}) is now {args.role}: it shows at their next log-in "
        "or session renewal (within 15 minutes)"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="entraide", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    infra = commands.add_parser("infra", help="local Kafka, PostgreSQL and Redis")
    infra.add_argument("action", choices=["install", "up", "down", "status"])
    infra.add_argument("--kafka-brokers", type=int, choices=[1, 3], help=BROKERS_HELP)
    infra.set_defaults(run=_infra)

    up = commands.add_parser("up", help="start the infrastructure and the services")
    up.add_argument(
        "--scale", action="append", default=[], metavar="NAME=N",
        help="run N instances of a service: matching, notifications, gateway or posts",
    )  # fmt: skip
    up.add_argument("--kafka-brokers", type=int, choices=[1, 3], help=BROKERS_HELP)
    up.set_defaults(run=_up)
    supervise = commands.add_parser("supervise", help=argparse.SUPPRESS)
    supervise.set_defaults(run=_supervise)
    keys = commands.add_parser("keys", help="make (or rotate) signing keys in a folder")
    keys.add_argument("folder")
    keys.add_argument("--rotate", action="store_true", help="add a new signing key")
    keys.set_defaults(run=_keys)
    topics = commands.add_parser("topics", help="create the catalogue's topics (idempotent)")
    topics.set_defaults(run=_topics)
    demo = commands.add_parser("demo", help="load demo members and posts (idempotent)")
    demo.set_defaults(run=_demo)
    down = commands.add_parser("down", help="stop the services and the infrastructure")
    down.set_defaults(run=_down)
    status = commands.add_parser("status", help="each server and service, and its health")
    status.set_defaults(run=_status)

    grant = commands.add_parser("grant", help="give a member a role (the first moderator)")
    grant.add_argument("email")
    grant.add_argument("role", choices=["member", "moderator", "partner"])
    grant.add_argument("--reason", default="granted by the operator")
    grant.set_defaults(run=_grant)

    schema = commands.add_parser("schema", help="write the AsyncAPI document and JSON Schemas")
    schema.add_argument("--check", action="store_true", help="fail if docs/ is stale")
    schema.set_defaults(run=_schema)
    return parser


BROKERS_HELP = (
    "Kafka brokers: 1, or a cluster of 3 on loopback (kept until `entraide down` and "
    "the removal of .data/kafka*)"
)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    args = build_parser().parse_args(argv)
    # Every command, and every process it starts (the services, the supervisor), sees
    # the same number of brokers: the one asked for, else the one running.
    brokers = getattr(args, "kafka_brokers", None) or brokers_in_use(get_settings())
    if brokers:
        os.environ["ENTRAIDE_KAFKA_BROKERS"] = str(brokers)
        get_settings.cache_clear()
    try:
        return args.run(args)
    except InfraError as exc:
        print(f"entraide: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
