//! What every registry table (teachers, students, worlds, bodies) must
//! satisfy, checked by each table's completeness test.

/// Checks a table's `(name, summary)` pairs: every name non-empty, made of
/// lowercase ASCII letters, digits, `-` or `_`, and unique; every summary
/// non-empty (bodies have none: pass `"-"`). The error names the entry.
pub fn check_table<'a>(
    kind: &str,
    entries: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<usize, String> {
    let mut seen = std::collections::BTreeSet::new();
    for (name, summary) in entries {
        let ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !ok {
            return Err(format!(
                "{kind} `{name}`: a name is lowercase letters, digits, - and _"
            ));
        }
        if !seen.insert(name) {
            return Err(format!("{kind} `{name}` is listed twice"));
        }
        if summary.trim().is_empty() {
            return Err(format!("{kind} `{name}` has no summary"));
        }
    }
    Ok(seen.len())
}

#[cfg(test)]
mod tests {
    use super::check_table;

    #[test]
    fn incomplete_tables_are_refused() {
        assert_eq!(check_table("teacher", [("a", "x"), ("b-c", "y")]), Ok(2));
        assert!(
            check_table("teacher", [("a", "x"), ("a", "y")])
                .unwrap_err()
                .contains("twice")
        );
        assert!(
            check_table("teacher", [("a", " ")])
                .unwrap_err()
                .contains("no summary")
        );
        assert!(
            check_table("teacher", [("Alp", "x")])
                .unwrap_err()
                .contains("`Alp`")
        );
        assert!(check_table("teacher", [("", "x")]).is_err());
    }
}
