# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""ament_python setup for light_tracker_ros (works with colcon and with plain pip)."""
from glob import glob

from setuptools import find_packages, setup

PACKAGE = "light_tracker_ros"

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test", "test.*"]),
    package_data={"light_tracker_ros.ros": ["data/*.avi", "data/*.json"]},
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
        (f"share/{PACKAGE}/launch", glob("launch/*.py")),
        (f"share/{PACKAGE}/config", glob("config/*.yaml")),
        (f"share/{PACKAGE}/config/train", glob("config/train/*.yaml")),
        (f"share/{PACKAGE}/config/prune", glob("config/prune/*.yaml")),
        (f"share/{PACKAGE}/models", glob("models/*.onnx") + glob("models/*.json")),
    ] + [(f"share/{PACKAGE}/{folder.rstrip('/')}", glob(f"{folder}*.*"))
         for folder in sorted(glob("config/validation/*/"))]
    + [(f"share/{PACKAGE}/config/validation", glob("config/validation/*.json"))],
    install_requires=["setuptools", "numpy", "pyyaml"],
    zip_safe=True,
    maintainer="light_tracker_ros maintainers",
    maintainer_email="maintainers@light-tracker-ros.invalid",
    description="Light single-object trackers made by pruning, with a ROS 2 node.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "tracker_node = light_tracker_ros.ros.tracker_node:main",
            "sample_camera = light_tracker_ros.ros.sample_camera:main",
            "demo = light_tracker_ros.cli.demo:main",
            "benchmark_node = light_tracker_ros.cli.benchmark_node:main",
            "fetch_data = light_tracker_ros.cli.fetch_data:main",
            "build_pairs = light_tracker_ros.cli.build_pairs:main",
            "build_validation = light_tracker_ros.cli.build_validation:main",
            "build_heldout = light_tracker_ros.cli.build_heldout:main",
            "train_tracker = light_tracker_ros.cli.train:main",
            "export_tracker = light_tracker_ros.cli.export:main",
            "select_checkpoint = light_tracker_ros.cli.select_checkpoint:main",
            "half_weights = light_tracker_ros.cli.half_weights:main",
            "evaluate_tracker = light_tracker_ros.cli.evaluate:main",
            "prune_tracker = light_tracker_ros.cli.prune:main",
            "list_models = light_tracker_ros.cli.list_models:main",
            "benchmark_pruned = light_tracker_ros.cli.benchmark_pruned:main",
            "compression_study = light_tracker_ros.cli.study:main",
        ],
    },
)
