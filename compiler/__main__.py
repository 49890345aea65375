"""Console entry point (`policyc`, `python -m compiler`): part of the command line layer.

It exists so that `policyc check` on unchanged sources can answer before click is imported;
everything else is handed to compiler.cli.
"""

from __future__ import annotations

import sys


def run() -> None:
    """The console script: `policyc check [SOURCE...] [--strict]` answers before click loads.

    Validating an unchanged source is a cache lookup, so click's import would dominate.
    Every other command line, --help included, goes through click.
    """
    args = sys.argv[1:]
    if args[:1] == ["check"] and all(a == "--strict" or not a.startswith("-") for a in args[1:]):
        from compiler.errors import CompilerError
        from compiler.sources import check_sources

        try:
            count = check_sources([a for a in args[1:] if a != "--strict"], "--strict" in args)
        except CompilerError as err:
            for d in err.diagnostics:
                print(d, file=sys.stderr)
            n = len(err.diagnostics)
            print(f"policyc: {n} error{'s' if n != 1 else ''}", file=sys.stderr)
            sys.exit(1)
        print(f"policyc: {count} source{'s' if count != 1 else ''} OK", file=sys.stderr)
        return
    from compiler.cli import main

    main()


if __name__ == "__main__":
    run()
