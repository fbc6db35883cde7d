"""Comparison levels and blocking rules of the linkage model, as Splink settings dicts (so the
saved model is plain JSON), built for whichever column roles the data has.

Given names say more than family names (a third of Vietnamese are Nguyễn): the family name gets
a term-frequency adjustment and a coarser fuzzy level; EM then learns the weights. Blocking
keeps recall high while every rule stays an equi-join (DuckDB hash joins, no cartesian pass):
any one of ID number, old number, ID serial, phone, given name + birth year, family + given
name + province, or family name + full birth date is enough to bring a pair in.

The SQL is DuckDB's, so that a saved model reads the same everywhere it was ever saved;
``translate`` rewrites a settings dict for another backend's dialect (Spark).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

import sqlglot
from splink.blocking_rule_library import CustomRule
from sqlglot import exp

if TYPE_CHECKING:
    from dancu.linkage.engine import LinkageColumns

Level = dict[str, Any]


def _null(col: str) -> Level:
    return {"sql_condition": f'"{col}_l" IS NULL OR "{col}_r" IS NULL', "is_null_level": True,
            "label_for_charts": "null"}  # fmt: skip


def _exact(col: str, *, tf: bool = False) -> Level:
    level: Level = {"sql_condition": f'"{col}_l" = "{col}_r"', "label_for_charts": "exact"}
    if tf:
        level |= {"tf_adjustment_column": col, "tf_adjustment_weight": 1.0}
    return level


def _jaro_winkler(col: str, threshold: float) -> Level:
    return {"sql_condition": f'jaro_winkler_similarity("{col}_l", "{col}_r") >= {threshold}',
            "label_for_charts": f"jaro-winkler >= {threshold}"}  # fmt: skip


def _edits(col: str, function: str) -> Level:
    return {"sql_condition": f'{function}("{col}_l", "{col}_r") <= 1',
            "label_for_charts": f"{function} <= 1"}  # fmt: skip


_ELSE: Level = {"sql_condition": "ELSE", "label_for_charts": "else"}


def _comparison(name: str, levels: list[Level]) -> dict[str, Any]:
    return {"output_column_name": name, "comparison_levels": [*levels, _ELSE],
            "comparison_description": name}  # fmt: skip


def _name(col: str, thresholds: tuple[float, ...], *, tf: bool) -> list[Level]:
    return [_null(col), _exact(col, tf=tf), *(_jaro_winkler(col, t) for t in thresholds)]


def _birth_levels(y: str, m: str, d: str) -> list[Level]:
    """Exact; day and month swapped; partly known dates that agree as far as they go; one part
    wrong; a year out."""

    def eq(c: str) -> str:
        return f'"{c}_l" = "{c}_r"'

    def unknown(c: str) -> str:
        return f'("{c}_l" IS NULL OR "{c}_r" IS NULL)'

    conditions = [
        (f"{eq(y)} AND {eq(m)} AND {eq(d)}", "exact"),
        (f'{eq(y)} AND "{m}_l" = "{d}_r" AND "{d}_l" = "{m}_r"', "day and month swapped"),
        (f"{eq(y)} AND {eq(m)} AND {unknown(d)}", "year and month, day unknown"),
        (f"{eq(y)} AND {unknown(m)}", "year only known"),
        (f"{eq(y)} AND ({eq(m)} OR {eq(d)})", "year and one of month/day"),
        (f'abs("{y}_l" - "{y}_r") <= 1 AND {eq(m)} AND {eq(d)}', "a year out"),
        (f"{eq(y)}", "same year"),
    ]
    return [_null(y)] + [{"sql_condition": c, "label_for_charts": label} for c, label in conditions]


def _place_levels(commune: str | None, province: str | None) -> list[Level]:
    cols = [c for c in (commune, province) if c is not None]
    if not cols:
        return []
    all_null = " AND ".join(f'("{c}_l" IS NULL OR "{c}_r" IS NULL)' for c in cols)
    null: Level = {"sql_condition": all_null, "is_null_level": True, "label_for_charts": "null"}
    return [null, *(_exact(c) for c in cols)]


def comparisons(c: LinkageColumns) -> list[dict[str, Any]]:
    """One comparison per column role present in ``c``."""
    candidates: list[tuple[str | None, str, list[Level]]] = [
        (c.given_name, "given_name", _name(c.given_name or "", (0.92, 0.8), tf=False)),
        (c.family_name, "family_name", _name(c.family_name or "", (0.88,), tf=True)),
        (c.middle_name, "middle_name", _name(c.middle_name or "", (0.85,), tf=False)),
        (c.sex, "sex", [_null(c.sex or ""), _exact(c.sex or "")]),
        (c.id_number, "id_number",
         [_null(c.id_number or ""), _exact(c.id_number or ""),
          _edits(c.id_number or "", "damerau_levenshtein")]),
        (c.old_id_number, "old_id_number",
         [_null(c.old_id_number or ""), _exact(c.old_id_number or "")]),
        (c.phone, "phone", [_null(c.phone or ""), _exact(c.phone or "")]),
    ]  # fmt: skip
    result = [_comparison(name, levels) for col, name, levels in candidates if col is not None]
    if c.birth_year and c.birth_month and c.birth_day:
        result.append(_comparison("birth_date", _birth_levels(c.birth_year, c.birth_month,
                                                              c.birth_day)))  # fmt: skip
    place = _place_levels(c.commune, c.province)
    if place:
        result.append(_comparison("place", place))
    return result


def _rule(*cols: str | None) -> str | None:
    if any(col is None for col in cols):
        return None
    return " AND ".join(f'l."{col}" = r."{col}"' for col in cols)


def _birth_cols(c: LinkageColumns) -> tuple[str | None, ...]:
    return (c.birth_year, c.birth_month, c.birth_day)


def blocking_rules(c: LinkageColumns) -> list[str]:
    """Equi-join rules; a pair is compared when any one of them holds."""
    serial = None
    if c.id_number is not None:  # the last six digits: catches one wrong digit in the first six
        serial = f'substr(l."{c.id_number}", 7) = substr(r."{c.id_number}", 7)'
    rules = [
        _rule(c.id_number),
        _rule(c.old_id_number),
        serial,
        _rule(c.phone),
        _rule(c.given_name, c.birth_year),
        _rule(c.family_name, c.given_name, c.province or c.commune),
        _rule(c.family_name, *_birth_cols(c)),
        _rule(c.given_name, *_birth_cols(c)),
    ]
    return list(dict.fromkeys(r for r in rules if r is not None))


def training_rules(c: LinkageColumns) -> list[CustomRule]:
    """EM blocking rules: each leaves the others' columns free to be estimated, and together
    they estimate m for every comparison. In DuckDB's SQL, which Splink translates for the
    linker's backend (plain equi-joins need no function renaming)."""
    rules = [
        _rule(c.family_name, *_birth_cols(c)),
        _rule(c.family_name, c.given_name, c.province or c.commune),
        _rule(c.given_name, c.birth_year),
    ]
    return [CustomRule(r, sql_dialect="duckdb") for r in rules if r is not None]


# What each dialect calls the string functions the levels use. Spark has none built in: these
# are the names Splink's Scala UDF jar registers (splink/internals/spark/jar_location.py).
_FUNCTIONS: Final = {
    "duckdb": {"jaro_winkler": "jaro_winkler_similarity", "edits": "damerau_levenshtein"},
    "spark": {"jaro_winkler": "jaro_winkler", "edits": "damerau_levenshtein"},
}


def _translate_sql(sql: str, source: str, target: str) -> str:
    if sql.strip().upper() == "ELSE":
        return sql
    roles = {name: role for role, name in _FUNCTIONS[source].items()}

    def rename(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Func):
            return node
        role = roles.get(node.sql(source).split("(", 1)[0].lower())
        if role is None:
            return node
        if isinstance(node, exp.Anonymous):
            args = list(node.expressions)
        else:
            args = [a for v in node.args.values() for a in (v if isinstance(v, list) else [v])]
        return exp.Anonymous(this=_FUNCTIONS[target][role], expressions=args)

    tree = sqlglot.parse_one(sql, read=source).transform(rename)
    return tree.sql(dialect=target)


def translate(settings: dict[str, Any], dialect: str) -> dict[str, Any]:
    """A copy of Splink ``settings`` with every SQL condition and blocking rule rewritten
    from the dialect they were written in (their ``sql_dialect``, else DuckDB) to
    ``dialect``: quoting, and the names of the string similarity functions."""
    source = settings.get("sql_dialect") or "duckdb"
    copy: dict[str, Any] = json.loads(json.dumps(settings))
    if source == dialect:
        return copy
    for comparison in copy.get("comparisons", []):
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = _translate_sql(level["sql_condition"], source, dialect)
    rules = copy.get("blocking_rules_to_generate_predictions", [])
    for i, rule in enumerate(rules):
        if isinstance(rule, str):
            rules[i] = _translate_sql(rule, source, dialect)
        else:
            rule["blocking_rule"] = _translate_sql(rule["blocking_rule"], source, dialect)
            rule["sql_dialect"] = dialect
    copy["sql_dialect"] = dialect
    return copy
