# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""A camera for machines without one: publishes a bundled short real clip in a loop and the target's first box."""
from __future__ import annotations

import sys
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import cv2
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import CompressedImage, Image, RegionOfInterest
from std_msgs.msg import Header

from light_tracker_ros.core.config import spec, to_mapping
from light_tracker_ros.core.errors import TrackerError
from light_tracker_ros.core.types import Box
from light_tracker_ros.ros.bag_source import load_bag_clip
from light_tracker_ros.ros.clip import Clip, load_clip
from light_tracker_ros.ros.conversions import CHANNELS, bgr_to_compressed, bgr_to_image, box_to_roi
from light_tracker_ros.ros.parameters import declare_config
from light_tracker_ros.ros.spin import spin_until_shutdown


@dataclass(frozen=True)
class CameraConfig:
    """Parameters of the sample camera (all read-only; declared like the tracker's, from this metadata)."""

    clip: str = spec("", "video file to play; empty = the bundled vtest clip (boxes from <clip>.json)")
    bag: str = spec("", "rosbag2 (folder, .db3 or .mcap) to play instead of the clip (boxes from groundtruth.txt "
                    "in it)")
    bag_topic: str = spec("/camera/image_raw", "image topic of the bag (Image or CompressedImage)")
    rate: float = spec(10.0, "frames per second; 0 = the clip's own rate", min=0.0, max=1000.0)
    width: int = spec(0, "output width in pixels; 0 = the clip's", min=0, max=4096)
    height: int = spec(0, "output height in pixels; 0 = the clip's", min=0, max=4096)
    encoding: str = spec("bgr8", "image encoding", choices=tuple(CHANNELS))
    frame_id: str = spec("camera", "frame_id of the published images")
    image_topic: str = spec("image", "sensor_msgs/Image topic; jpeg sensor_msgs/CompressedImage on "
                            "<topic>/compressed while subscribed")
    init_topic: str = spec("tracker/init_roi", "sensor_msgs/RegionOfInterest topic of the tracker's initial box")
    publish_init: bool = spec(True, "publish the first frame's box at the start of every loop")
    loop: bool = spec(True, "start again after the last frame")
    qos_reliability: str = spec("reliable", "reliability of the image publisher (a stand-in for a camera "
                                "driver's setting)", choices=("reliable", "best_effort"))
    wait_for_subscriber: float = spec(5.0, "seconds to wait for an image subscriber before publishing anyway",
                                      min=0.0, max=600.0)


class SampleCamera(Node):
    """Publishes the clip's frames (stamped now) and, before frame 0 of each loop, the target's box."""

    def __init__(self, node_name: str = "sample_camera", **kwargs: Any) -> None:
        super().__init__(node_name, **kwargs)
        p = to_mapping(declare_config(self, CameraConfig))
        self.clip: Clip = load_bag_clip(p["bag"], p["bag_topic"]) if p["bag"] else load_clip(p["clip"] or None)
        self._size = (p["width"] or self.clip.size[0], p["height"] or self.clip.size[1])
        self._scale = (self._size[0] / self.clip.size[0], self._size[1] / self.clip.size[1])
        self._p = p
        reliability = ReliabilityPolicy.BEST_EFFORT if p["qos_reliability"] == "best_effort" else \
            ReliabilityPolicy.RELIABLE
        self._image_pub = self.create_publisher(Image, p["image_topic"], QoSProfile(depth=5, reliability=reliability))
        self._jpeg_pub = self.create_publisher(CompressedImage, p["image_topic"].rstrip("/") + "/compressed",
                                               QoSProfile(depth=5, reliability=reliability))
        self._init_pub = self.create_publisher(RegionOfInterest, p["init_topic"], QoSProfile(depth=10))
        self._index = 0
        self._waited = 0.0
        self._settle = 3
        self.published = 0
        self._stamps: OrderedDict[int, int] = OrderedDict()
        period = 1.0 / (p["rate"] or self.clip.fps)
        self._period = period
        self.create_timer(period, self._tick)
        self.get_logger().info(f"playing {self.clip.name}: {len(self.clip.frames)} frames at {1 / period:.1f} Hz, "
                               f"{self._size[0]}x{self._size[1]} {p['encoding']} on {self._image_pub.topic_name}")

    def box(self, index: int) -> Box | None:
        """Return the target box of clip frame ``index`` in output pixels, or None when unknown."""
        if index >= len(self.clip.boxes):
            return None
        b = self.clip.boxes[index]
        return Box(b.x * self._scale[0], b.y * self._scale[1], b.w * self._scale[0], b.h * self._scale[1])

    def frame_index(self, stamp_ns: int) -> int | None:
        """Return the clip frame published with header stamp ``stamp_ns`` (recent frames only)."""
        return self._stamps.get(stamp_ns)

    def _ready(self) -> bool:
        """Wait (up to wait_for_subscriber) for image and init subscribers, then a few ticks for discovery."""
        wanted = self._image_pub.get_subscription_count() + self._jpeg_pub.get_subscription_count() > 0
        if self._p["publish_init"]:
            wanted = wanted and self._init_pub.get_subscription_count() > 0
        if not wanted and self._waited < self._p["wait_for_subscriber"]:
            self._waited += self._period
            return False
        if self._settle > 0:
            self._settle -= 1
            return False
        return True

    def _tick(self) -> None:
        if self._index == 0 and self.published == 0 and not self._ready():
            return
        if self._index >= len(self.clip.frames):
            if not self._p["loop"]:
                return
            self._index = 0
        frame = self.clip.frames[self._index]
        if self._size != self.clip.size:
            frame = cv2.resize(frame, self._size, interpolation=cv2.INTER_LINEAR)
        now = self.get_clock().now()
        header = Header(stamp=now.to_msg(), frame_id=self._p["frame_id"])
        box = self.box(0)
        if self._index == 0 and self._p["publish_init"] and box is not None:
            self._init_pub.publish(box_to_roi(box, *self._size))
        self._image_pub.publish(bgr_to_image(frame, header, self._p["encoding"]))
        if self._jpeg_pub.get_subscription_count() > 0:
            self._jpeg_pub.publish(bgr_to_compressed(frame, header))
        self._stamps[now.nanoseconds] = self._index
        while len(self._stamps) > 1000:
            self._stamps.popitem(last=False)
        self._index += 1
        self.published += 1


def main(args: list[str] | None = None) -> int:
    """Run the sample camera until SIGINT."""
    rclpy.init(args=args)
    try:
        node = SampleCamera()
    except (ValueError, RuntimeError, TrackerError) as exc:
        print(f"sample_camera: {exc}", file=sys.stderr)
        rclpy.try_shutdown()
        return 2
    return spin_until_shutdown(node, SingleThreadedExecutor())


if __name__ == "__main__":
    sys.exit(main())
