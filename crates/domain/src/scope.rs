//! A data scope: the subtree of jurisdictions or organisations a caller may see. The store turns
//! it into one SQL condition; every read of supervised data on a request path takes one.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// Everything (admins, and the city bureau whose jurisdiction is the root).
    All,
    /// Organisations whose jurisdiction path starts with this path (`/1/3/`).
    Jurisdiction { path: String },
    /// Organisations whose org path starts with this path: an org and its subsidiaries.
    Org { path: String },
    /// A park authority and the organisations inside its park.
    Park { park_id: i64 },
    /// Nothing at all (an account without an organisation).
    Nothing,
}

impl Scope {
    /// Whether an organisation with these paths falls inside the scope. The store filters in SQL;
    /// this is the same rule, for checks on a single object already loaded.
    pub fn admits(&self, org_id: i64, jurisdiction_path: &str, org_path: &str, park_id: Option<i64>) -> bool {
        match self {
            Scope::All => true,
            Scope::Jurisdiction { path } => jurisdiction_path.starts_with(path.as_str()),
            Scope::Org { path } => org_path.starts_with(path.as_str()),
            Scope::Park { park_id: p } => org_id == *p || park_id == Some(*p),
            Scope::Nothing => false,
        }
    }

    /// Whether a jurisdiction (by its path) is inside the scope, for creating orgs in it.
    pub fn admits_jurisdiction(&self, jurisdiction_path: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Jurisdiction { path } => jurisdiction_path.starts_with(path.as_str()),
            _ => false,
        }
    }
}

/// Builds a materialised path from the ids from the root down: `/1/3/`.
pub fn path_of(ids: &[i64]) -> String {
    let mut s = String::from("/");
    for id in ids {
        s.push_str(&id.to_string());
        s.push('/');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_prefix_does_not_match_a_sibling_with_a_longer_id() {
        // `/1/3/` must not admit `/1/31/`: the trailing slash is what keeps them apart.
        let s = Scope::Jurisdiction { path: path_of(&[1, 3]) };
        assert!(s.admits(9, "/1/3/", "/9/", None));
        assert!(!s.admits(9, "/1/31/", "/9/", None));
        assert!(Scope::Org { path: "/5/".into() }.admits(6, "/1/", "/5/6/", None));
        assert!(Scope::Park { park_id: 4 }.admits(7, "/1/", "/7/", Some(4)));
        assert!(!Scope::Nothing.admits(1, "/", "/", None));
    }
}
