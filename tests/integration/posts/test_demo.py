"""`entraide demo` loads members and posts through the API, once."""

import asyncio

from ops.demo import MEMBERS, POSTS, load_demo
from services.posts.entrypoints.app import create_app
from shared.runtime.auth import KeyRing
from tests.integration.http_server import http_server
from tests.integration.net import free_port


async def test_the_demo_loads_once_through_the_api(make_posts):
    posts = await make_posts()
    port = free_port()
    async with http_server(create_app(posts.settings, posts.wiring), port):
        url = f"http://127.0.0.1:{port}"
        signer = KeyRing(posts.settings.signing_keys_dir).signer()
        first = await asyncio.to_thread(load_demo, url, signer)
        again = await asyncio.to_thread(load_demo, url, signer)
    assert first == {"members": len(MEMBERS), "posts": len(POSTS), "already_loaded": False}
    assert again["already_loaded"] is True
    feed = (await posts.client.get("/posts", params={"limit": 100})).json()["items"]
    assert len(feed) == len(POSTS)
    assert {p["language"] for p in feed} == {"fr", "en"}
    assert sum(p["urgency"] == "urgent" for p in feed) == 2
