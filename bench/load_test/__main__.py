"""`python -m bench.load_test` from the repository root, or `python bench/load_test` from anywhere."""

import sys
from pathlib import Path

if not __package__:  # run as a path: put the repository root on sys.path, as `-m` from the root does
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.load_test.cli import main  # noqa: E402

sys.exit(main())
