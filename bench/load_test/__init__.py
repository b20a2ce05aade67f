"""A bounded load test of the web tier on one machine, loopback only (a script, not part of `make test`).

    .venv/bin/python -m bench.load_test --help     # the options and what the test checks (cli.py)

Files, one purpose each:

- `cli.py`: the options, and the test itself: start the stack, queue the runs, run the load, report.
- `stack.py`: the processes (daphne, Celery workers, Redis, PostgreSQL, moto S3) and their database.
- `clients.py`: the load: steady REST API traffic and the websocket viewers.
- `report.py`: the figures and the `nothing_lost` verdict; `console.py`: the report as text.
"""
