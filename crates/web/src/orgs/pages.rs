//! The organisation tree and lists, scoped to what the caller may see.

use crate::auth::Signed;
use crate::error::PageError;
use crate::kit::page::{key, local_time, render, Chrome};
use crate::AppState;
use anjian_domain::org::OrgFilter;
use anjian_domain::org::OrgKind;
use anjian_domain::role::Permission;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new().route("/orgs", get(list)).route("/orgs/export.xlsx", get(export)).route("/orgs/{id}", get(detail))
}

const PAGE: u64 = 50;

pub struct JurisdictionItem {
    pub id: i64,
    pub name: String,
    pub depth: usize,
    pub selected: bool,
}

pub struct OrgRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub jurisdiction: String,
    pub level_key: &'static str,
}

#[derive(Template)]
#[template(path = "orgs.html")]
struct ListPage {
    p: Chrome,
    title: &'static str,
    jurisdictions: Vec<JurisdictionItem>,
    selected_jurisdiction: Option<i64>,
    kinds: Vec<(String, String)>,
    selected_kind: String,
    q: String,
    rows: Vec<OrgRow>,
    count_text: String,
    next_href: Option<String>,
    has_prev: bool,
    first_href: String,
    /// The filters, for the export link.
    export_query: String,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    kind: Option<String>,
    jurisdiction_id: Option<i64>,
    q: Option<String>,
    after: Option<i64>,
}

impl ListQuery {
    fn filter(&self) -> OrgFilter {
        OrgFilter {
            kind: self.kind.clone().filter(|k| !k.is_empty()),
            jurisdiction_id: self.jurisdiction_id,
            q: self.q.clone().filter(|s| !s.trim().is_empty()).map(|s| s.trim().chars().take(50).collect()),
            under: None,
        }
    }
}

/// The list with the page's filters as .xlsx (every row, not one page).
async fn export(State(state): State<AppState>, s: Signed, Query(q): Query<ListQuery>) -> Response {
    let actor = s.actor();
    let names: HashMap<i64, String> = match state.app.visible_jurisdictions(actor).await {
        Ok(j) => j.into_iter().map(|j| (j.id, j.name)).collect(),
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let rows = match state.app.list_orgs(actor, &q.filter(), None, 100_000).await {
        Ok(r) => r,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let zh = crate::i18n::Lang::Zh;
    let words = crate::kit::words::Words::of(&state, zh).await;
    use anjian_reports::ledger_sheet::Cell;
    let data: Vec<Vec<Cell>> = rows
        .iter()
        .map(|o| {
            vec![
                Cell::Number(o.id as f64),
                Cell::Text(o.name.clone()),
                Cell::Text(words.org_kind(&o.kind)),
                Cell::Text(names.get(&o.jurisdiction_id).cloned().unwrap_or_default()),
                Cell::Text(zh.t(key("level", &o.supervision_level)).to_owned()),
                Cell::Text(o.address.clone().unwrap_or_default()),
            ]
        })
        .collect();
    crate::sheets::table_response(
        s.lang,
        &crate::sheets::head(&state, s.actor(), None).await,
        crate::sheets::zh("sheet.orgs.file"),
        crate::sheets::zh("orgs.title"),
        &crate::sheets::zh_all(&[
            "sheet.orgs.id",
            "orgs.name",
            "sheet.kind",
            "orgs.jurisdiction",
            "orgs.level",
            "sheet.orgs.address",
        ]),
        &[8.0, 36.0, 14.0, 12.0, 10.0, 30.0],
        &data,
    )
}

async fn list(State(state): State<AppState>, s: Signed, Query(q): Query<ListQuery>) -> Response {
    let lang = s.lang;
    let words = crate::kit::words::Words::of(&state, lang).await;
    let actor = s.actor();
    let juris = match state.app.visible_jurisdictions(actor).await {
        Ok(j) => j,
        Err(e) => return PageError::new(e, lang).into_response(),
    };
    let names: HashMap<i64, String> = juris.iter().map(|j| (j.id, j.name.clone())).collect();
    let filter = q.filter();
    let (rows, count) = match tokio::try_join!(
        state.app.list_orgs(actor, &filter, q.after, PAGE),
        state.app.count_orgs(actor, &filter)
    ) {
        Ok(x) => x,
        Err(e) => return PageError::new(e, lang).into_response(),
    };
    let mut base = String::from("/orgs?");
    if let Some(k) = &filter.kind {
        base.push_str(&format!("kind={k}&"));
    }
    if let Some(j) = filter.jurisdiction_id {
        base.push_str(&format!("jurisdiction_id={j}&"));
    }
    if let Some(text) = &filter.q {
        base.push_str(&format!("q={}&", crate::kit::page::urlencode(text)));
    }
    let next_href = (rows.len() as u64 == PAGE).then(|| format!("{base}after={}", rows.last().map_or(0, |r| r.id)));
    let view_rows = rows
        .into_iter()
        .map(|o| OrgRow {
            id: o.id,
            kind: words.org_kind(&o.kind),
            level_key: key("level", &o.supervision_level),
            jurisdiction: names.get(&o.jurisdiction_id).cloned().unwrap_or_default(),
            name: o.name,
        })
        .collect();
    let min_depth = juris.iter().map(|j| j.path.matches('/').count()).min().unwrap_or(0);
    let page = ListPage {
        p: Chrome::signed(&s, "/orgs"),
        title: lang.t("orgs.title"),
        jurisdictions: juris
            .iter()
            .map(|j| JurisdictionItem {
                id: j.id,
                name: j.name.clone(),
                depth: j.path.matches('/').count() - min_depth,
                selected: q.jurisdiction_id == Some(j.id),
            })
            .collect(),
        selected_jurisdiction: q.jurisdiction_id,
        kinds: OrgKind::BUILTIN
            .iter()
            .copied()
            .chain(words.vocabulary().org_kinds.iter().map(|k| *k.code.get_ref()))
            .fold(Vec::new(), |mut v, k| {
                if !v.contains(&k) {
                    v.push(k);
                }
                v
            })
            .into_iter()
            .map(|k| (k.to_string(), words.org_kind(k.as_str())))
            .collect(),
        selected_kind: q.kind.unwrap_or_default(),
        q: q.q.unwrap_or_default(),
        rows: view_rows,
        count_text: lang.t("orgs.count").replace("{}", &count.to_string()),
        next_href,
        has_prev: q.after.is_some(),
        export_query: base.trim_start_matches("/orgs?").trim_end_matches('&').to_owned(),
        first_href: base.trim_end_matches(['&', '?']).to_owned(),
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "org.html")]
struct DetailPage {
    p: Chrome,
    title: String,
    org: anjian_domain::org::Org,
    kind: String,
    level_key: &'static str,
    jurisdiction: String,
    parent: Option<(i64, String)>,
    park: Option<(i64, String)>,
    created: String,
    sites: Vec<(String, String)>,
    children: Vec<(i64, String)>,
    can_see_users: bool,
    /// The papers served on it (执法文书).
    lines: Vec<crate::papers::Line>,
}

async fn detail(State(state): State<AppState>, s: Signed, Path(id): Path<i64>) -> Response {
    let lang = s.lang;
    let words = crate::kit::words::Words::of(&state, lang).await;
    let actor = s.actor();
    let (org, sites) = match state.app.get_org(actor, id).await {
        Ok(x) => x,
        Err(e) => return PageError::new(e, lang).into_response(),
    };
    // Parent and park are shown only if they too are in scope.
    let name_of = |id: Option<i64>| {
        let app = state.app.clone();
        let actor = actor.clone();
        async move {
            match id {
                Some(i) => app.get_org(&actor, i).await.ok().map(|(o, _)| (o.id, o.name)),
                None => None,
            }
        }
    };
    let parent = name_of(org.parent_id).await;
    let park = name_of(org.park_id).await;
    let children = state
        .app
        .list_orgs(actor, &OrgFilter { under: Some(org.id), ..Default::default() }, None, 200)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let jurisdiction = match state.app.jurisdiction(org.jurisdiction_id).await {
        Ok(j) => j.map(|j| j.name).unwrap_or_default(),
        Err(e) => return PageError::new(e, lang).into_response(),
    };
    let lines = crate::papers::lines(&state.app.papers(actor, Some(org.id)).await.unwrap_or_default());
    let page = DetailPage {
        lines,
        p: Chrome::signed(&s, "/orgs"),
        title: org.name.clone(),
        kind: words.org_kind(&org.kind),
        level_key: key("level", &org.supervision_level),
        jurisdiction,
        parent,
        park,
        created: local_time(org.created_at),
        sites: sites.into_iter().map(|x| (words.site_kind(&x.kind), x.name)).collect(),
        children,
        can_see_users: actor.role.can(Permission::ViewUsers),
        org,
    };
    render(&page)
}
