"""Print the shell code that completes scripts/hub's commands and options (bash or zsh).

Enable it for the current shell with one of the lines below (put it in ~/.bashrc or
~/.zshrc to keep it). It completes both `scripts/hub` and `hub` (a symlink on PATH).

example:
  eval "$(scripts/hub completion bash)"
  eval "$(scripts/hub completion zsh)"
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=("bash", "zsh"), help="the shell to complete in")


def run(args) -> int:
    import argcomplete

    print(argcomplete.shellcode(["scripts/hub", "hub"], shell=args.shell), end="")
    return 0
