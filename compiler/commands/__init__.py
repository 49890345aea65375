"""Subcommands that live outside compiler/cli.py; cli.py registers each with main.add_command."""
