"""Record and replay on the one I/O journal (zigttp_host.journal): `zigttp replay`, `zigttp test`, `zigttp mock`.

    target.py    loads a handler into the sandbox for replay and tests (fresh instance per request)
    replay.py    runs trace groups against a handler and sorts them into buckets
    report.py    the text and JSON reports of a replay
    testfile.py  the declarative test format (upstream-spec §7.3): parsing
    tests.py     running test cases and their PASS/FAIL report
    mock.py      a starting test file from a trace
"""
