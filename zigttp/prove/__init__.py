"""`zigttp prove`: proven evolution of a handler (issue 14; docs/prove.md).

    rules.py              every diff rule (id, level, direction, area, kind) and RULESET_VERSION
    findings.py           a finding: rule, location, field path, old and new value; their fixed order
    view.py               what the diff reads from a contract (the one place a contract version shows)
    schemas.py            how one JSON schema differs from another, change by change
    diff.py               the contract diff: two contracts in, ordered findings out (pure)
    diff_routes.py        routes, parameters, request bodies
    diff_responses.py     responses by status and content type
    diff_capabilities.py  env, egress, cache, sql and their dynamic flags
    diff_properties.py    proven properties and the proof level
    diff_durable.py       durable step sequences
    comparability.py      what could not be compared; routes and schemas turning dynamic
    verdict.py            classification and upgrade verdict from the findings
    inputs.py             OLD and NEW: handler source, bundle folder or contract file
    evidence.py           replay of recorded traces against NEW, twice
    run.py                one proof: diff, evidence, verdict
    statement.py          the certificate's statement (proof.json's content)
    certificate.py        canonical bytes (RFC 8785) and the Ed25519 signature
    report.py             proof-report.txt and upgrade-manifest.json
"""
