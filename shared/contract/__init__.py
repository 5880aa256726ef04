"""The contract: what the services share about the domain, and nothing else. Pure.

- ``events``: the events, frozen models with past-tense names (and ``values``, the
  value types they are made of);
- ``envelope``: the CloudEvents envelope that carries them on Kafka;
- ``catalogue``: every topic, its key, size, retention, producers and consumers;
- ``geo``: distances and the ~1 km public cells;
- ``errors`` and ``identity``: how a command fails, and who is acting.

Import the module you need (``from shared.contract.events import PostCreated``).
"""
