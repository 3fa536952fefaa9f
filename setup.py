# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""ament_python setup for light_tracker_ros (works with colcon and with plain pip)."""
from glob import glob
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.install_scripts import install_scripts

PACKAGE = "light_tracker_ros"
# the ROS executables (``ros2 run``); every other console script is a command-line tool for PATH
ROS_EXECUTABLES = ("tracker_node", "sample_camera")


class InstallScripts(install_scripts):
    """
    ``setup.py install`` (colcon): ROS executables into ``lib/<package>`` (setup.cfg), other scripts into ``bin``.

    setup.cfg sends every script to ``$base/lib/light_tracker_ros``, where ``ros2 run`` looks; the
    ``light-tracker`` tool goes to ``$base/bin`` instead, so it is on PATH and not listed by
    ``ros2 pkg executables``. pip installs (wheels) put all console scripts into the environment's ``bin``.
    """

    def write_script(self, script_name, contents, mode="t", *ignored):
        folder = Path(self.install_dir)
        if script_name in ROS_EXECUTABLES or folder.name != PACKAGE:
            return super().write_script(script_name, contents, mode, *ignored)
        self.install_dir = str(folder.parents[1] / "bin")
        try:
            return super().write_script(script_name, contents, mode, *ignored)
        finally:
            self.install_dir = str(folder)


setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test", "test.*"]),
    package_data={"light_tracker_ros.ros": ["data/*.avi", "data/*.json"]},
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
        (f"share/{PACKAGE}/launch", glob("launch/*.py")),
        (f"share/{PACKAGE}/config", glob("config/*.yaml") + glob("config/*.xml")),
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
            "light-tracker = light_tracker_ros.cli.main:main",
        ],
    },
    cmdclass={"install_scripts": InstallScripts},
)
