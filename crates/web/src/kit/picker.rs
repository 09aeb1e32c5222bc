//! Pick, don't type numbers: a field that names an organisation takes its name (or its
//! 统一社会信用代码), offered from the organisations in the reader's scope. Without script the
//! browser's own suggestion list offers the first few hundred and the server resolves what was
//! typed (`App::pick_org`); with script (`/assets/picker.js`, served by the binary) the
//! suggestions follow what is typed, from the whole scope.

use crate::AppState;
use anjian_domain::org::OrgFilter;

/// How many suggestions a page carries without script.
const OFFERED: u64 = 300;

/// An organisation field, ready to render with `org_picker.html`.
pub struct OrgPicker {
    /// The form field's name.
    pub field: &'static str,
    pub label: &'static str,
    /// What the field holds now: the organisation's name.
    pub value: String,
    pub required: bool,
    /// (name, county or place) of the organisations offered.
    pub options: Vec<(String, String)>,
}

impl OrgPicker {
    /// A field nobody needs to fill (the reader's own organisation goes as a hidden field).
    pub fn unused(field: &'static str, label: &'static str) -> OrgPicker {
        OrgPicker { field, label, value: String::new(), required: false, options: Vec::new() }
    }
}

/// The reader's own organisation when it is not a bureau: forms fill it in and hide the field.
pub fn own_org(actor: &anjian_app::Actor) -> Option<i64> {
    actor.org.as_ref().filter(|o| o.kind != "regulator" && o.kind != "department").map(|o| o.id)
}

/// A picker over the organisations of `kind` (any, when `None`) in the reader's scope, holding
/// `current` (an organisation's id) if given.
pub async fn org_picker(
    state: &AppState,
    actor: &anjian_app::Actor,
    field: &'static str,
    label: &'static str,
    kind: Option<&str>,
    current: Option<i64>,
    required: bool,
) -> OrgPicker {
    let f = OrgFilter { kind: kind.map(str::to_owned), ..Default::default() };
    // A picker with no suggestions (a role that may not list organisations) still takes a
    // typed name, which the use case checks in scope.
    let orgs = state.app.list_orgs(actor, &f, None, OFFERED).await.unwrap_or_default();
    let value = match current {
        Some(id) => match orgs.iter().find(|o| o.id == id) {
            Some(o) => o.name.clone(),
            None => state.app.get_org(actor, id).await.map(|(o, _)| o.name).unwrap_or_else(|_| id.to_string()),
        },
        None => String::new(),
    };
    OrgPicker {
        field,
        label,
        value,
        required,
        options: orgs.into_iter().map(|o| (o.name, o.code.unwrap_or_default())).collect(),
    }
}

/// The script that follows what is typed with suggestions from the API.
pub const SCRIPT: &str = include_str!("../../assets/picker.js");
