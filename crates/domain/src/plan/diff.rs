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
    /// For a changed entry: each field that changed, with its old and new value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
}

/// One field of an entry, before and after (`None`: absent on that side).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// The field's path inside the entry: `at_least`, `on.org_kinds`, `plan.ends`.
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl Change {
    fn new(kind: ChangeKind, section: &'static str, key: &str) -> Change {
        Change { kind, section, key: key.to_owned(), fields: Vec::new() }
    }
}

/// A JSON value's leaves by dotted path (an array is one leaf, written as its items).
fn leaves(prefix: &str, v: &Value, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                leaves(&if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") }, x, out);
            }
        }
        Value::Null => {}
        Value::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        other => {
            out.insert(prefix.to_owned(), other.to_string());
        }
    }
}

/// The fields that differ between two versions of an entry.
fn fields(old: &Value, new: &Value) -> Vec<FieldChange> {
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    leaves("", old, &mut a);
    leaves("", new, &mut b);
    let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|n| a.get(*n) != b.get(*n))
        .map(|n| FieldChange { field: n.clone(), old: a.get(n).cloned(), new: b.get(n).cloned() })
        .collect()
}

fn keyed<T: Serialize>(items: &[T], key: impl Fn(&T) -> String) -> BTreeMap<String, Value> {
    items.iter().map(|i| (key(i), serde_json::to_value(i).unwrap_or(Value::Null))).collect()
}

fn compare(section: &'static str, old: BTreeMap<String, Value>, new: BTreeMap<String, Value>, out: &mut Vec<Change>) {
    for (k, v) in &old {
        match new.get(k) {
            None => out.push(Change::new(ChangeKind::Removed, section, k)),
            Some(w) if w != v => {
                out.push(Change { fields: fields(v, w), ..Change::new(ChangeKind::Changed, section, k) })
            }
            Some(_) => {}
        }
    }
    for k in new.keys().filter(|k| !old.contains_key(*k)) {
        out.push(Change::new(ChangeKind::Added, section, k));
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
    section!(sections, |x| x.code.get_ref().clone());
    // The vocabulary's entries by kind and code (`site_kinds.warehouse`).
    let words = |p: &Plan| {
        let v = p.vocabulary();
        let mut m = BTreeMap::new();
        for l in &v.levels {
            m.insert(format!("levels.{}", l.code.get_ref()), serde_json::to_value(l).unwrap_or(Value::Null));
        }
        for k in &v.org_kinds {
            m.insert(format!("org_kinds.{}", k.code.get_ref()), serde_json::to_value(k).unwrap_or(Value::Null));
        }
        for k in &v.industries {
            m.insert(format!("industries.{}", k.code.get_ref()), serde_json::to_value(k).unwrap_or(Value::Null));
        }
        for k in &v.site_kinds {
            m.insert(format!("site_kinds.{}", k.code.get_ref()), serde_json::to_value(k).unwrap_or(Value::Null));
        }
        for k in &v.activity_kinds {
            m.insert(format!("activity_kinds.{}", k.code.get_ref()), serde_json::to_value(k).unwrap_or(Value::Null));
        }
        m
    };
    compare("vocabulary", words(old), words(new), &mut out);
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
        assert!(changes.contains(&Change::new(ChangeKind::Removed, "departments", "jiaotong")));
        let task = changes.iter().find(|c| (c.section, c.key.as_str()) == ("tasks", "05")).unwrap();
        assert_eq!(task.kind, ChangeKind::Changed);
        // Each field with its old and new value, not only the entry's key.
        let due = task.fields.iter().find(|f| f.field == "due").unwrap();
        assert_eq!((due.old.as_deref(), due.new.as_deref()), (Some("2022-11-30"), Some("2022-11-15")));
        let text = task.fields.iter().find(|f| f.field == "due_text").unwrap();
        assert_eq!(text.new.as_deref(), Some("11 月中旬前"));
        assert!(!changes.iter().any(|c| c.section == "rules"));
        // A rule's count and a vocabulary name, field by field.
        let stricter = SHIPPED.replacen("per = \"hour\"", "per = \"half_month\"", 1).replacen(
            "name = \"民爆库房\"",
            "name = \"民爆物品库房\"",
            1,
        );
        let changes = diff(&a, &Plan::parse(&stricter).unwrap());
        let per = changes.iter().flat_map(|c| &c.fields).find(|f| f.field == "per").unwrap();
        assert_eq!((per.old.as_deref(), per.new.as_deref()), (Some("hour"), Some("half_month")));
        let name = changes.iter().find(|c| c.section == "vocabulary").unwrap();
        assert_eq!(name.key, "site_kinds.warehouse");
        assert_eq!(name.fields[0].old.as_deref(), Some("民爆库房"));
    }
}
