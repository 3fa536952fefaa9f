# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The frame taker: image messages taken on a thread of their own, never by the executor; the transport split."""
from __future__ import annotations

import threading
import time

from rclpy.context import Context
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from rclpy.qos import QoSProfile
from ros_fixtures import wait_until
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from light_tracker_ros.ros.cdr import image_from_cdr
from light_tracker_ros.ros.frame_taker import FrameTaker, TakenElsewhere
from light_tracker_ros.ros.tracker_node import Arrival, transport_stages


def _image(i: int) -> Image:
    return Image(header=Header(frame_id=f"f{i}"), height=2, width=3, encoding="mono8", step=3, data=bytes(range(6)))


def test_every_message_in_order_on_the_taker_thread_never_the_executor(context: Context) -> None:
    """30 reliable messages arrive once each, in order, with message info, on the taker's thread only."""
    node = Node("taker_test", context=context)
    got: list[tuple[str, str, dict]] = []
    sub = node.create_subscription(Image, "/taker_test", lambda raw, info: got.append(
        (threading.current_thread().name, image_from_cdr(raw).header.frame_id, info)), QoSProfile(depth=50),
        callback_group=TakenElsewhere(), raw=True)
    pub = node.create_publisher(Image, "/taker_test", QoSProfile(depth=50))
    executor = MultiThreadedExecutor(num_threads=2, context=context)
    executor.add_node(node)
    spinner = threading.Thread(target=executor.spin, daemon=True)
    spinner.start()
    errors: list[Exception] = []
    taker = FrameTaker(context, errors.append)
    try:
        assert wait_until(lambda: pub.get_subscription_count() > 0, 10.0)
        time.sleep(0.5)
        for i in range(10):
            pub.publish(_image(i))
        time.sleep(0.5)
        assert got == []  # nobody watches the subscription yet: the executor leaves it alone
        # nor does it wait on the subscription's QoS events (rmw_fastrtps: same listener, woken by every message)
        assert sub.event_handlers and not any(executor.can_execute(h) for h in sub.event_handlers)
        taker.watch(sub)
        for i in range(10, 30):
            pub.publish(_image(i))
        assert wait_until(lambda: len(got) >= 30, 10.0), f"{len(got)} of 30 messages taken"
        assert [frame_id for _, frame_id, _ in got] == [f"f{i}" for i in range(30)]
        assert {name for name, _, _ in got} == {"frame-taker"}
        assert all(info["received_timestamp"] >= info["source_timestamp"] > 0 for _, _, info in got)
        taker.watch(None)
        time.sleep(0.2)
        pub.publish(_image(30))
        time.sleep(0.5)
        assert len(got) == 30  # no longer watched: neither the taker nor the executor takes it
        assert errors == []
    finally:
        taker.stop()
        executor.shutdown()
        node.destroy_node()
    assert not any(t.name == "frame-taker" and t.is_alive() for t in threading.enumerate())


def test_transport_split_adds_up_and_skips_unknown_times() -> None:
    """Publisher + dds + wakeup make stamp -> callback; a zero stamp or a middleware without times drops some."""
    ms = 1_000_000
    arrival = Arrival(b"", False, 1, 0.0, entry_ns=110 * ms, source_ns=101 * ms, delivered_ns=103 * ms)
    split = transport_stages(100 * ms, arrival)
    assert split == {"publisher": 1.0, "dds": 2.0, "wakeup": 7.0}
    assert sum(split.values()) == 10.0  # stamp (100 ms) -> callback entry (110 ms)
    assert transport_stages(0, arrival) == {"dds": 2.0, "wakeup": 7.0}  # simulated time: no publisher stage
    assert transport_stages(100 * ms, arrival._replace(source_ns=0, delivered_ns=0)) == {}
