"""`python -m dancu` runs the command line."""

from dancu.cli import main

main()
