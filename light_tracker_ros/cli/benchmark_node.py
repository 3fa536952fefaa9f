# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
``light-tracker benchmark-node``: the tracker node as its own process, fed 640x480 frames over DDS from here.

Phase 1 feeds a rate the node keeps up with and reports the node's overhead (end-to-end latency minus
inference, per frame), split into transport (image stamp -> the node's image callback: the feeder's own
conversion and serialization, DDS delivery, executor wake-up) and in-node overhead (callback -> box published,
minus inference); phase 2 feeds twice the rate the node can process and reports end-to-end latency under that
overload. Both as median and p95, with the node's resident memory and whether it imported torch. Each phase
starts a fresh node. ``--profile large`` gives both processes the Fast DDS profile
config/fastdds_large_frames.xml (frames in shared memory), ``default`` leaves Fast DDS as it is. Not a test:
it prints numbers, it asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import PolygonStamped
from rclpy.context import Context
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rclpy.subscription import RCLError
from sensor_msgs.msg import Image, RegionOfInterest
from std_msgs.msg import Header

from light_tracker_ros.cli import common
from light_tracker_ros.core.model_card import default_models_dir
from light_tracker_ros.core.types import Box
from light_tracker_ros.ros.clip import load_clip
from light_tracker_ros.ros.conversions import bgr_to_image, box_to_roi
from light_tracker_ros.ros.diagnostics import status_values
from light_tracker_ros.ros.stats import Window

NODE_NAME = "bench_tracker"
PROFILE_VARIABLE = "FASTDDS_DEFAULT_PROFILES_FILE"
#: rows of the latency table: (diagnostics stage, label); None starts a group
ROWS = ((None, "on the way to the node"),
        ("publisher", "  feeder: stamp -> DDS write"),
        ("dds", "  DDS: write -> node's reader"),
        ("wakeup", "  wake-up + take: reader -> cb"),
        ("transport", "transport (stamp -> callback)"),
        (None, "in the node"),
        ("handoff", "  callback -> worker thread"),
        ("convert", "  convert message"),
        ("preprocess", "  preprocess"),
        ("inference", "  inference"),
        ("postprocess", "  postprocess"),
        ("publish", "  publish outputs"),
        ("in_node", "receive -> publish"),
        ("in_node_overhead", "in-node overhead (r->p - inf.)"),
        ("end_to_end", "end to end (stamp -> publish)"),
        ("node_overhead", "node overhead (e2e - inference)"))


@dataclass
class PhaseResult:
    """What one phase measured."""

    offered_hz: float
    published: int = 0
    boxes_latency: Window = field(default_factory=lambda: Window(100000))
    publish_call: Window = field(default_factory=lambda: Window(100000))
    publish_failed: int = 0
    diagnostics: dict[str, str] = field(default_factory=dict)
    rss_mb: float = float("nan")
    peak_rss_mb: float = float("nan")
    seconds: float = 0.0


class Feeder(Node):
    """Publishes pre-built frames and the first box; listens to the node's ~/box and /diagnostics."""

    def __init__(self, context: Context, frames: list[Image], first_box: RegionOfInterest) -> None:
        super().__init__("bench_feeder", context=context)
        qos = QoSProfile(depth=5, reliability=ReliabilityPolicy.RELIABLE)
        self.image_pub = self.create_publisher(Image, "/image", qos)
        self.roi_pub = self.create_publisher(RegionOfInterest, f"/{NODE_NAME}/init_roi", 10)
        self.frames, self.first_box = frames, first_box
        self.result: PhaseResult | None = None
        self.create_subscription(PolygonStamped, f"/{NODE_NAME}/box", self._on_box, 100)
        self.create_subscription(DiagnosticArray, "/diagnostics", self._on_diag, 10)

    def _on_box(self, msg: PolygonStamped) -> None:
        if self.result is not None:
            stamp = msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec
            self.result.boxes_latency.add((self.get_clock().now().nanoseconds - stamp) * 1e-6)

    def _on_diag(self, msg: DiagnosticArray) -> None:
        for status in msg.status:
            if status.name == f"/{NODE_NAME}: tracking" and self.result is not None:
                self.result.diagnostics = status_values(status)

    def run(self, rate: float, seconds: float, pid: int) -> PhaseResult:
        """Publish at ``rate`` Hz for ``seconds`` (the first box first); return the measurements."""
        self.result = result = PhaseResult(rate)
        self.roi_pub.publish(self.first_box)
        time.sleep(0.2)
        start = next_time = time.monotonic()
        index = 0
        while time.monotonic() - start < seconds:
            msg = self.frames[index % len(self.frames)]
            if index % len(self.frames) == 0:
                self.roi_pub.publish(self.first_box)
            stamp = self.get_clock().now()
            msg.header = Header(stamp=stamp.to_msg(), frame_id="camera")
            try:
                self.image_pub.publish(msg)
                result.publish_call.add((self.get_clock().now().nanoseconds - stamp.nanoseconds) * 1e-6)
            except RCLError:  # Fast DDS refused it (reliable writer blocked too long): not sent, not lost
                result.publish_failed += 1
            index += 1
            next_time += 1.0 / rate
            delay = next_time - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            elif delay < -0.5:
                next_time = time.monotonic()  # the feeder itself cannot keep up: do not burst to catch up
        result.seconds = time.monotonic() - start
        result.published = index - result.publish_failed
        time.sleep(1.5)  # let the last diagnostics (1 Hz) arrive
        result.rss_mb, result.peak_rss_mb = memory_mb(pid)
        self.result = None  # the next node's messages must not land here
        return result


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident and peak resident memory of a process, in MiB (from /proc)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024.0
    return values.get("VmRSS", float("nan")), values.get("VmHWM", float("nan"))


def profile_file() -> Path:
    """config/fastdds_large_frames.xml of the installed package (of this checkout when it is not installed)."""
    return default_models_dir().parent / "config" / "fastdds_large_frames.xml"


def set_profile(profile: str) -> str:
    """Set (``large``) or clear (``default``) the Fast DDS profile of this process and its children; describe it."""
    if profile == "large":
        os.environ[PROFILE_VARIABLE] = str(profile_file())
        return f"Fast DDS profile {profile_file().name} (32 MB shared-memory segment) in both processes"
    os.environ.pop(PROFILE_VARIABLE, None)
    return "Fast DDS defaults (512 KB shared-memory segment: 640x480 bgr8 goes over UDP in fragments)"


def start_node(model: str, backend: str, threads: int) -> subprocess.Popen:
    """Start the tracker node process with its default settings (it matches the feeder's reliable publisher)."""
    args = ["-r", f"__node:={NODE_NAME}", "-p", f"model:={model}", "-p", "allow_model_paths:=true", "-p",
            f"backend:={backend}", "-p", f"num_threads:={threads}", "-p", "publish_debug_image:=false"]
    return subprocess.Popen([sys.executable, "-m", "light_tracker_ros.ros.tracker_node", "--ros-args", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def run_phase(context: Context, feeder: Feeder, args: argparse.Namespace, rate: float) -> PhaseResult:
    """One fresh node process fed at ``rate`` Hz."""
    proc = start_node(args.model, args.backend, args.threads)
    try:
        deadline = time.monotonic() + 30.0
        while feeder.image_pub.get_subscription_count() == 0 or feeder.roi_pub.get_subscription_count() == 0:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the node did not start: {proc.stderr.read() if proc.poll() is not None else ''}")
            time.sleep(0.05)
        time.sleep(1.0)
        result = feeder.run(rate, args.seconds, proc.pid)
        if not result.diagnostics:
            raise SystemExit("no diagnostics from the node")
        return result
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _ms(d: dict[str, str], stage: str) -> str:
    return f"{d.get(f'latency_{stage}_p50_ms', 'n/a'):>7} / {d.get(f'latency_{stage}_p95_ms', 'n/a'):>7}"


def report(nominal: PhaseResult, overload: PhaseResult, capacity: float, size: tuple[int, int]) -> None:
    """Print both phases."""
    for title, r in (("nominal", nominal), ("2x overload", overload)):
        d = r.diagnostics
        lat = r.boxes_latency.summary()
        print(f"\n== {title}: offered {r.offered_hz:.1f} Hz, fed {r.published / r.seconds:.1f} Hz of "
              f"{size[0]}x{size[1]} "
              f"bgr8 for {r.seconds:.0f} s; node processed {d['frames_processed']} of {d['frames_received']} "
              f"received (dropped {d['frames_dropped']}, missed in transport {d['frames_missed']})")
        print("   latency (ms)                   p50 /     p95")
        for stage, label in ROWS:
            print(f"   {label}" if stage is None else f"   {label:<31}{_ms(d, stage)}")
        call = r.publish_call.summary()
        print(f"   {'(feeder: stamp -> publish() returned':<31}{call['p50']:>7.2f} / {call['p95']:>7.2f})")
        boxes, processed = len(r.boxes_latency), int(d["frames_processed"])
        if boxes >= processed / 2:
            print(f"   {'stamp -> box received here':<31}{lat['p50']:>7.2f} / {lat['p95']:>7.2f}  ({boxes} boxes)")
        else:  # boxes are published only for frames where the target is found
            print(f"   stamp -> box received here: n/a (the model found the target in {boxes} of {processed} frames)")
        print(f"   node resident memory {r.rss_mb:.0f} MiB (peak {r.peak_rss_mb:.0f} MiB); torch imported: "
              f"{d['torch_imported']}; model {d['model']} ({d['model_family']}), backend {d['backend']}")
    print(f"\nnode capacity measured in phase 1: {capacity:.1f} frames/s; overload offered "
          f"{overload.offered_hz:.1f} Hz, achieved {overload.published / overload.seconds / capacity:.2f}x")
    n, o = nominal.diagnostics, overload.diagnostics
    print("\nsummary")
    for title, r in (("nominal", nominal), ("2x overload", overload)):
        lost = r.published - int(r.diagnostics["frames_received"])
        refused = f"; publish() refused {r.publish_failed} more" if r.publish_failed else ""
        print(f"   frames lost in transport ({title}): {lost} of {r.published} published (0 expected){refused}")
    print(f"   node overhead (e2e - inference), nominal: median {n['latency_node_overhead_p50_ms']} ms, "
          f"p95 {n['latency_node_overhead_p95_ms']} ms")
    print(f"     = transport (stamp -> node's callback): median {n.get('latency_transport_p50_ms', 'n/a')} ms, "
          f"p95 {n.get('latency_transport_p95_ms', 'n/a')} ms (of which the feeder's stamp -> DDS write: median "
          f"{n.get('latency_publisher_p50_ms', 'n/a')} ms)")
    print(f"     + in-node overhead (callback -> box published, minus inference): median "
          f"{n.get('latency_in_node_overhead_p50_ms', 'n/a')} ms, "
          f"p95 {n.get('latency_in_node_overhead_p95_ms', 'n/a')} ms")
    print(f"   end-to-end p95 under 2x overload: {o['latency_end_to_end_p95_ms']} ms (inference p95 "
          f"{o['latency_inference_p95_ms']} ms); frames dropped by the newest-frame policy {o['frames_dropped']}")
    print(f"   node resident memory: {nominal.rss_mb:.0f} MiB nominal, {overload.rss_mb:.0f} MiB under overload")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Options of ``light-tracker benchmark-node``."""
    parser = common.subparser(subparsers, "benchmark-node", __doc__)
    parser.add_argument("--model", default="cnn_parent", help="model name in models/ or a .onnx path")
    common.add_backend_option(parser)
    common.add_threads_option(parser, "inference threads of the node")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each phase")
    parser.add_argument("--rate", type=float, default=10.0, help="phase-1 rate in Hz (kept below capacity)")
    parser.add_argument("--size", default="640x480")
    parser.add_argument("--domain-id", type=int, default=int(os.environ.get("ROS_DOMAIN_ID", 57)))
    parser.add_argument("--profile", choices=("large", "default"), default="large",
                        help="Fast DDS profile of both processes: large = config/fastdds_large_frames.xml (frames in "
                             "shared memory, as launch's large_frames:=true), default = Fast DDS as installed")
    return parser


def run(args: argparse.Namespace) -> int:
    """Run both phases against fresh node processes and print the report."""
    os.environ["ROS_DOMAIN_ID"] = str(args.domain_id)
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    transport = set_profile(args.profile)
    width, height = (int(v) for v in args.size.lower().split("x"))
    clip = load_clip()
    frames = [bgr_to_image(cv2.resize(f, (width, height), interpolation=cv2.INTER_LINEAR), Header())
              for f in clip.frames]
    b = clip.boxes[0]
    sx, sy = width / clip.size[0], height / clip.size[1]
    first = box_to_roi(Box(b.x * sx, b.y * sy, b.w * sx, b.h * sy), width, height)
    context = Context()
    rclpy.init(context=context, domain_id=args.domain_id)
    feeder = Feeder(context, frames, first)
    executor = MultiThreadedExecutor(num_threads=2, context=context)
    executor.add_node(feeder)
    spinner = threading.Thread(target=executor.spin, daemon=True)
    spinner.start()
    try:
        print(f"{common.PROG} benchmark-node: model {args.model} ({args.backend} x{args.threads}), {width}x{height}, "
              f"{args.seconds:.0f} s per phase, ROS_DOMAIN_ID {args.domain_id}; {transport}")
        nominal = run_phase(context, feeder, args, args.rate)
        per_frame_ms = float(nominal.diagnostics["latency_in_node_p50_ms"])
        capacity = 1000.0 / max(per_frame_ms, 1e-3)
        if capacity < args.rate:
            print(f"warning: phase 1 rate {args.rate} Hz is above the node's capacity {capacity:.1f} Hz")
        overload = run_phase(context, feeder, args, 2.0 * capacity)
        report(nominal, overload, capacity, (width, height))
    finally:
        executor.shutdown()
        feeder.destroy_node()
        rclpy.try_shutdown(context=context)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``light-tracker benchmark-node`` alone."""
    return common.standalone(add_parser, run, argv)


if __name__ == "__main__":
    sys.exit(main())
