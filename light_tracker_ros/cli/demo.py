# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
``light-tracker demo``: the sample camera and the tracker node in one process (no camera, no launch needed).

Prints once a second the camera and tracker rates, the latency (image stamp to box) and the box, then a
summary with the IoU against the clip's ground truth. DDS traffic stays on this machine
(ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST unless already set).
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from light_tracker_ros.cli import common
from light_tracker_ros.core.config import TrackerConfig
from light_tracker_ros.core.errors import ConfigError

DEFAULT_DOMAIN = 42


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Options of ``light-tracker demo``."""
    parser = common.subparser(subparsers, "demo", __doc__)
    parser.add_argument("--model", default=TrackerConfig().model, help="model name in models/ or a .onnx path")
    common.add_backend_option(parser)
    common.add_threads_option(parser, "inference threads")
    common.add_models_dir_option(parser)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds to run (Ctrl-C stops earlier)")
    parser.add_argument("--rate", type=float, default=10.0, help="camera frames per second")
    parser.add_argument("--size", default="", help="camera image size WxH, e.g. 640x480 (default: the clip's)")
    parser.add_argument("--domain-id", type=int, default=None,
                        help=f"ROS domain id (default: $ROS_DOMAIN_ID, else {DEFAULT_DOMAIN})")
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the demo; 0 when boxes came back, 1 when the model could not start or no box came back."""
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    domain = args.domain_id if args.domain_id is not None else int(os.environ.get("ROS_DOMAIN_ID", DEFAULT_DOMAIN))
    width, height = (int(v) for v in args.size.lower().split("x")) if args.size else (0, 0)
    if len(args.models_dirs) > 1:
        raise ConfigError(f"the demo takes one --models-dir, got {len(args.models_dirs)}")
    if args.backend == "torch":
        common.set_torch_threads(args.threads)
    from light_tracker_ros.ros.runner import run_demo  # rclpy is imported only once the arguments are fine
    try:
        summary = run_demo(args.model, args.backend, args.duration, args.rate, args.threads,
                           args.models_dirs[0] if args.models_dirs else "", domain, width, height)
    except RuntimeError as exc:
        print(f"{common.PROG} demo: cannot start: {exc}", file=sys.stderr)
        return 1
    return 0 if summary["boxes"] > 0 else 1


def main(argv: list[str] | None = None) -> int:
    """Run ``light-tracker demo`` alone (``scripts/demo.sh``)."""
    return common.standalone(add_parser, run, argv)


if __name__ == "__main__":
    sys.exit(main())
