"""XGewerbeanzeige 2.2: data classes (`model`), code lists and transmission rules as data (`codes`, `data/`),
the lxml message builder with per-recipient field filters (`builder`), and who receives what (`routing`).

Plain Python without Django, so the structure can be tested against the published examples in isolation.
"""
