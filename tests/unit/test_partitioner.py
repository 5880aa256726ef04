"""enqueue_raw_many places keys where the producer's own partitioner would."""

import random

from aiokafka.partitioner import DefaultPartitioner

from shared.runtime.kafka.producer import partition_for


def test_partition_for_is_the_default_partitioner():
    default = DefaultPartitioner()
    rng = random.Random(3)
    for count in (1, 3, 6, 12):
        partitions = list(range(count))
        for _ in range(300):
            key = rng.randbytes(rng.randrange(1, 40))
            assert partition_for(key, partitions) == default(key, partitions, partitions)
            assert partition_for(key, partitions) == partition_for(key, partitions)  # cached
