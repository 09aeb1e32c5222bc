//! Searching text as text: what a user types is matched literally, `%` and `_` included (LIKE
//! would take them as wildcards, so a search for "100%" would find every row).

use sea_orm::sea_query::{LikeExpr, SimpleExpr};
use sea_orm::ColumnTrait;

/// The column contains `q`, literally.
pub fn contains<C: ColumnTrait>(col: C, q: &str) -> SimpleExpr {
    col.like(LikeExpr::new(pattern(q)).escape('\\'))
}

fn pattern(q: &str) -> String {
    let mut p = String::with_capacity(q.len() + 2);
    p.push('%');
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    #[test]
    fn wildcards_are_escaped() {
        assert_eq!(super::pattern("100%"), "%100\\%%");
        assert_eq!(super::pattern("a_b\\c"), "%a\\_b\\\\c%");
        assert_eq!(super::pattern("泽州"), "%泽州%");
    }
}
