"""Data with an end: erasure records, retention, offboarding and a person's rights.

Every path goes through ``records`` (the erasure record, its audit row, the
tombstone and the erased audit details), which the database's triggers accept and
nothing else (migration 0011).
"""
