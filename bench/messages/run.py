"""bench/messages: a private message from its HTTP 201 to its frame on the other member's
socket, beside a public reply on the same post from its 201 to its thread frame on the
same socket, in the same run; and the CPU per message of every process.

    .venv/bin/python -m bench.messages.run --pairs 20 --rounds 30

The whole system as processes (posts, notifications, a gateway) on the servers of
`entraide infra up`. ``--pairs`` conversations, each between a post's author and a
member who contacted them; each author keeps a socket subscribed to `conversations` and
to the post's thread. Each round, every contacting member sends a message and a reply
(alternating which goes first). The reply is the floor: the live path every public
write takes (posts, outbox, Kafka, gateway), which a message shares; what a message adds
is its conversation row and its read of the pair's block, the restricted topic, and the
notification (once per conversation until read) the notifications service decides on.
"""

from __future__ import annotations

import asyncio
import os
import time

import aiohttp
import orjson
import websockets

from bench.harness import cli
from bench.harness.cpu import CpuMeter
from bench.harness.session import RESULTS_DIR, BenchRun
from bench.harness.stats import histogram_of, ratio, summary_ms
from shared.contract.catalogue import TOPICS
from shared.contract.identity import Role
from shared.runtime.auth import KeyRing
from tests.e2e.conftest import System
from tests.integration.net import free_port, with_token

PASSWORD = "bench password 1"
ROUND_S = 0.5  # between rounds
WAIT_S = 30.0  # for the last frames
PARIS = {"lat": 48.8566, "lon": 2.3522}


async def run(args) -> dict:
    async with BenchRun("messages") as bench:
        await bench.topics(*TOPICS)
        home = RESULTS_DIR / f"messages-{bench.tag}"
        KeyRing(home / "keys").ensure()
        signer = KeyRing(home / "keys").signer()
        schema = await bench.schema()
        bench.schemas.append(f"{schema}_notifications")
        env = {**os.environ, **bench.service_env(
            postgres_schema=schema, keys_dir=str(home / "keys"), data_dir=str(home / "data"),
            consumer_group=f"bench-notifications-{bench.tag}", posts_per_hour="100000",
            replies_per_hour="100000", messages_per_hour="100000")}  # fmt: skip
        system = System(env, home)
        listeners: list = []
        try:
            for name in ("posts", "notifications", "gateway"):
                await asyncio.to_thread(system.start, name, free_port())
            async with aiohttp.ClientSession() as http:
                api = Api(http, system.url("posts"))
                gateway = system.url("gateway").replace("http:", "ws:") + "/ws"
                arrivals: dict[str, float] = {}
                pairs = []
                for n in range(args.pairs):
                    author = await api.member(signer, f"a{n}@{bench.tag}.example.org")
                    other = await api.member(signer, f"b{n}@{bench.tag}.example.org")
                    post_id = await api.offer(author, n)
                    conversation_id = await api.contact(other, post_id)
                    socket = await websockets.connect(gateway, **with_token(author))
                    for channel in ("conversations", f"post:{post_id}"):
                        frame = {"type": "subscribe", "channel": channel}
                        await socket.send(orjson.dumps(frame).decode())
                    listeners.append(asyncio.create_task(listen(socket, arrivals)))
                    pairs.append((other, post_id, conversation_id))
                await asyncio.sleep(2)  # every subscription in place
                watched = {p.name: p.popen.pid for p in system.processes}
                cpu = CpuMeter(watched).start()
                acked: dict[str, tuple[str, float]] = {}
                for r in range(args.rounds):
                    sends = []
                    for other, post_id, conversation_id in pairs:
                        kinds = ("message", "reply") if r % 2 == 0 else ("reply", "message")
                        for kind in kinds:
                            sends.append(api.write(kind, other, post_id, conversation_id, r))
                    for kind, written_id, at in await asyncio.gather(*sends):
                        acked[written_id] = (kind, at)
                    await asyncio.sleep(ROUND_S)
                deadline = time.monotonic() + WAIT_S
                # A poll, not an event: the listeners only fill a dict.
                while time.monotonic() < deadline and not set(acked) <= set(arrivals):  # noqa: ASYNC110
                    await asyncio.sleep(0.2)
                messages = args.pairs * args.rounds
                cpu_per_message = cpu.per(messages)
        finally:
            for task in listeners:
                task.cancel()
            system.stop()
        latencies: dict[str, list[float]] = {"message": [], "reply": []}
        for written_id, (kind, at) in acked.items():
            if written_id in arrivals:
                latencies[kind].append((arrivals[written_id] - at) * 1000)
        message, reply = (summary_ms(histogram_of(latencies[k])) for k in ("message", "reply"))
        return bench.save({
            "pairs": args.pairs, "rounds": args.rounds, "expected_per_kind": messages,
            "messages_on_sockets": len(latencies["message"]),
            "replies_on_sockets": len(latencies["reply"]),
            "message_201_to_frame": message, "reply_201_to_thread_frame": reply,
            "p50_ratio": ratio(message["p50_ms"], reply["p50_ms"]),
            "p99_ratio": ratio(message["p99_ms"], reply["p99_ms"]),
            "cpu_ms_per_message_and_reply": cpu_per_message,
        })  # fmt: skip


class Api:
    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self.http, self.url = http, url

    async def _post(self, path: str, body: dict | None, token: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.http.post(f"{self.url}{path}", json=body, headers=headers) as answer:
            answer.raise_for_status()
            return await answer.json()

    async def member(self, signer, email: str) -> str:
        """A member with an hour's token (signed as the demo loader does)."""
        name = email.split("@")[0]
        account = {"email": email, "password": PASSWORD, "display_name": name}
        member_id = (await self._post("/auth/register", account))["id"]
        return signer.issue(member_id, Role.MEMBER, ttl_s=3600, name=name)

    async def offer(self, token: str, n: int) -> str:
        body = {"kind": "offer", "category": "goods", "title": f"Bench sofa {n}", "body": "",
                "language": "fr", "location": PARIS}  # fmt: skip
        return (await self._post("/posts", body, token))["id"]

    async def contact(self, token: str, post_id: str) -> str:
        return (await self._post(f"/posts/{post_id}/conversations", None, token))["id"]

    async def write(
        self, kind: str, token: str, post_id: str, conversation_id: str, r: int
    ) -> tuple[str, str, float]:
        """Send one message or one reply; its id and when its 201 arrived."""
        path = (f"/conversations/{conversation_id}/messages" if kind == "message"
                else f"/posts/{post_id}/replies")  # fmt: skip
        headers = {"Authorization": f"Bearer {token}"}
        async with self.http.post(f"{self.url}{path}", json={"body": f"Bench {kind} {r}"},
                                  headers=headers) as answer:  # fmt: skip
            at = time.perf_counter()
            answer.raise_for_status()
            return kind, (await answer.json())["id"], at


async def listen(socket, arrivals: dict[str, float]) -> None:
    """When each message and each reply reached this socket (the first time only)."""
    async for text in socket:
        frame = orjson.loads(text)
        if frame.get("type") != "event":
            continue
        data = frame["event"]["data"]
        written_id = data.get("message_id") or data.get("reply_id")
        if written_id and written_id not in arrivals:
            arrivals[written_id] = time.perf_counter()


def options(parser) -> None:
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=30)


if __name__ == "__main__":
    cli.main(__doc__, options, run)
