//! What changes when a revised plan replaces the current one, shown before it is applied.

use super::Plan;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    /// The section of the plan: `jurisdictions`, `rules`, `tasks` …
    pub section: &'static str,
    /// The key of the entry inside its section (a code, a rule id, a task number).
    pub key: String,
}

fn keyed<T: Serialize>(items: &[T], key: impl Fn(&T) -> String) -> BTreeMap<String, Value> {
    items.iter().map(|i| (key(i), serde_json::to_value(i).unwrap_or(Value::Null))).collect()
}

fn compare(section: &'static str, old: BTreeMap<String, Value>, new: BTreeMap<String, Value>, out: &mut Vec<Change>) {
    for (k, v) in &old {
        match new.get(k) {
            None => out.push(Change { kind: ChangeKind::Removed, section, key: k.clone() }),
            Some(w) if w != v => out.push(Change { kind: ChangeKind::Changed, section, key: k.clone() }),
            Some(_) => {}
        }
    }
    for k in new.keys().filter(|k| !old.contains_key(*k)) {
        out.push(Change { kind: ChangeKind::Added, section, key: k.clone() });
    }
}

/// Every entry added, removed or changed between two plans, section by section.
pub fn diff(old: &Plan, new: &Plan) -> Vec<Change> {
    let mut out = Vec::new();
    let one = |p: &Plan| {
        let mut m = BTreeMap::new();
        m.insert("plan".to_owned(), serde_json::to_value(&p.plan).unwrap_or(Value::Null));
        m.insert("explosives".to_owned(), serde_json::to_value(&p.explosives).unwrap_or(Value::Null));
        m.insert("safety_test".to_owned(), serde_json::to_value(&p.safety_test).unwrap_or(Value::Null));
        m.insert("tips".to_owned(), serde_json::to_value(&p.tips).unwrap_or(Value::Null));
        m
    };
    compare("header", one(old), one(new), &mut out);
    macro_rules! section {
        ($field:ident, $key:expr) => {
            compare(stringify!($field), keyed(&old.$field, $key), keyed(&new.$field, $key), &mut out)
        };
    }
    section!(jurisdictions, |x| x.code.get_ref().clone());
    section!(departments, |x| x.code.get_ref().clone());
    section!(battles, |x| x.code.get_ref().clone());
    section!(phases, |x| x.code.get_ref().clone());
    section!(leaders, |x| x.code.get_ref().clone());
    section!(hazard_grades, |x| x.code.get_ref().clone());
    section!(supervision_levels, |x| x.code.get_ref().clone());
    section!(checklists, |x| x.id.get_ref().clone());
    section!(rules, |x| x.id.get_ref().clone());
    section!(tasks, |x| format!("{:02}", x.no.get_ref()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../../../plans/jincheng-2022.toml");

    #[test]
    fn the_same_plan_has_no_changes_and_edits_are_named() {
        let a = Plan::parse(SHIPPED).unwrap();
        // Spans move when lines are added above; only content counts.
        let shifted = format!("# a comment\n{SHIPPED}");
        assert!(diff(&a, &Plan::parse(&shifted).unwrap()).is_empty());

        let edited = SHIPPED
            .replacen("due = 2022-11-30\ndue_text = \"11 月底前\"", "due = 2022-11-15\ndue_text = \"11 月中旬前\"", 1)
            .replacen("[[departments]]\ncode = \"jiaotong\"\nname = \"交通化工科\"\n", "", 1)
            .replace("departments = [\"jingji\", \"jiaotong\"]", "departments = [\"jingji\"]")
            .replace("departments = [\"jiaotong\"]", "departments = [\"jingji\"]")
            .replace("departments = [\"jingji\", \"chanye\", \"jiaotong\"]", "departments = [\"jingji\", \"chanye\"]")
            .replace("departments = [\"chanye\", \"jingji\", \"jiaotong\"]", "departments = [\"chanye\", \"jingji\"]");
        let b = Plan::parse(&edited).unwrap();
        let changes = diff(&a, &b);
        assert!(changes.contains(&Change {
            kind: ChangeKind::Removed,
            section: "departments",
            key: "jiaotong".into()
        }));
        assert!(changes.contains(&Change { kind: ChangeKind::Changed, section: "tasks", key: "05".into() }));
        assert!(!changes.iter().any(|c| c.section == "rules"));
    }
}
