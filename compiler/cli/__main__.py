"""`python -m compiler.cli`: the same command line as `policyc`, without the fast check path."""

from compiler.cli.app import main

main()
