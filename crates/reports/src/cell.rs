//! Cell text that is safe to open: a value starting with `=`, `+`, `-`, `@` (or a tab or carriage
//! return) would be run as a formula by Excel and WPS, so it is written with a leading apostrophe.

/// Escapes text for a cell (OWASP "CSV injection", SECURITY.md).
pub fn escape(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formulas_are_defused_and_text_is_kept() {
        assert_eq!(super::escape("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(super::escape("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(super::escape("-1+1"), "'-1+1");
        assert_eq!(super::escape("灭火器过期"), "灭火器过期");
        assert_eq!(super::escape(""), "");
    }
}
