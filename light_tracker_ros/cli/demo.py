# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Tracking demo without a camera and without launch: the sample camera and the tracker node in one process.

Prints once a second the camera and tracker rates, the latency (image stamp to box) and the box, then a
summary with the IoU against the clip's ground truth. DDS traffic stays on this machine
(ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST unless already set).
"""
from __future__ import annotations

import argparse
import os
import sys

from light_tracker_ros.core.config import TrackerConfig

DEFAULT_DOMAIN = 42


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``demo [--model NAME|PATH] [--duration S] ...``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=TrackerConfig().model, help="model name in models/ or a .onnx path")
    parser.add_argument("--backend", default="onnxruntime", choices=("onnxruntime", "torch"))
    parser.add_argument("--threads", type=int, default=1, help="inference threads")
    parser.add_argument("--models-dir", default="", help="folder of model names (default: installed models/)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds to run (Ctrl-C stops earlier)")
    parser.add_argument("--rate", type=float, default=10.0, help="camera frames per second")
    parser.add_argument("--size", default="", help="camera image size WxH, e.g. 640x480 (default: the clip's)")
    parser.add_argument("--domain-id", type=int, default=None,
                        help=f"ROS domain id (default: $ROS_DOMAIN_ID, else {DEFAULT_DOMAIN})")
    args = parser.parse_args(argv)
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    domain = args.domain_id if args.domain_id is not None else int(os.environ.get("ROS_DOMAIN_ID", DEFAULT_DOMAIN))
    width, height = (int(v) for v in args.size.lower().split("x")) if args.size else (0, 0)
    from light_tracker_ros.ros.runner import run_demo  # rclpy is imported only once the arguments are fine
    try:
        summary = run_demo(args.model, args.backend, args.duration, args.rate, args.threads, args.models_dir,
                           domain, width, height)
    except RuntimeError as exc:
        print(f"demo: cannot start: {exc}", file=sys.stderr)
        return 1
    return 0 if summary["boxes"] > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
