"""The name of each catalogue topic in one deployment.

A deployment may give its topics a namespace, a suffix after the catalogue's name
(``posts.v1.staging``), so that several deployments share one Kafka cluster: a staging
copy beside production, a demo, each test or benchmark run on the local broker. The
catalogue keeps the plain names; the services ask this object, built once in their
bootstrap, and nothing else in their code knows about namespaces.
"""

from __future__ import annotations

from shared.contract.catalogue import Topic


class TopicNames:
    def __init__(self, namespace: str = "") -> None:
        self.namespace = namespace

    def __call__(self, topic: Topic | str) -> str:
        """The deployment's name for a catalogue topic (or a catalogue topic's name)."""
        name = topic.name if isinstance(topic, Topic) else topic
        return name + self.namespace
