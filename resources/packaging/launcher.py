"""The standalone bundle's entry point: the same `annotator` command as a pip install."""

from annotator.cli import main

raise SystemExit(main())
