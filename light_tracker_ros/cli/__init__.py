# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The ``light-tracker`` command-line tool: one module per subcommand, registered in ``cli/main.py``."""
