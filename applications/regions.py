"""The applicant's province key, read from the administrative-division code inside its
identifier (GB/T 2260): characters 3–4 of a unified social credit code (its registering
authority's division, GB 32100), or characters 1–2 of a resident identity card number. A case
keeps the key it was opened with; the statistics count by it and label it (reporting.regions)."""

from applications.choices import IdType

# The 34 provincial-level divisions, by their two-digit code.
PROVINCE_CODES = (
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
)  # fmt: skip
# An identifier whose code names no province (a national authority's "10", a passport, nothing).
UNKNOWN = "unknown"


def province_key(credit_code, id_type, id_number):
    """The province code from the credit code or, for a resident identity card, its number;
    UNKNOWN when neither names a province."""
    from_code = (credit_code or "")[2:4]
    if from_code in PROVINCE_CODES:
        return from_code
    from_id = (id_number or "")[:2]
    if id_type == IdType.RESIDENT_ID and from_id in PROVINCE_CODES:
        return from_id
    return UNKNOWN


def province_key_sql(credit_code, id_type, id_number):
    """The same rule as an SQL expression over three column references (PostgreSQL and
    SQLite): for a set-based backfill."""
    codes = ", ".join(f"'{code}'" for code in PROVINCE_CODES)
    return (
        f"CASE WHEN substr({credit_code}, 3, 2) IN ({codes}) THEN substr({credit_code}, 3, 2) "
        f"WHEN {id_type} = '{IdType.RESIDENT_ID.value}' AND substr({id_number}, 1, 2) IN ({codes}) "
        f"THEN substr({id_number}, 1, 2) ELSE '{UNKNOWN}' END"
    )
