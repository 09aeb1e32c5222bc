//! Recording inspections on a phone: points to cover, a few items with pass/fail, and for a failed
//! item the hazard it files — a plain form, no script, retried safely by its idempotency key.

use crate::auth::{csrf_refusal, Signed};
use crate::error::PageError;
use crate::kit::page::end_of_local_day;
use crate::kit::page::{field_messages, key, local_time, render, Chrome};
use crate::AppState;
use anjian_app::hazards::HazardInput;
use anjian_app::inspections::{FindingInput, RecordInspection};
use anjian_domain::inspection::InspectionFilter;
use anjian_domain::inspection::PointKind;
use anjian_domain::role::Permission;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/inspections",
            get(list).post(record).layer(axum::extract::DefaultBodyLimit::max(crate::kit::api::IMPORT_LIMIT)),
        )
        .route("/inspections/export.xlsx", get(export))
        .route("/inspections/new", get(new_form))
        .route("/inspections/points", post(add_point))
}

/// Blank item rows on the form; empty ones are ignored.
const ROWS: usize = 5;
/// The most item rows a submitted form is read for (a checklist has at most 500 items).
const MAX_ROWS: usize = 500;

pub struct Row {
    pub id: i64,
    pub at: String,
    pub kind: String,
    pub org: String,
    pub inspector: String,
    pub summary: String,
    /// Entered after a window it counts in had closed (补录).
    pub late: bool,
}

#[derive(Template)]
#[template(path = "inspections.html")]
struct ListPage {
    p: Chrome,
    title: &'static str,
    rows: Vec<Row>,
    can_record: bool,
    saved: bool,
    /// A bureau may issue papers (现场检查记录, 责令限期整改指令书) from an inspection.
    may_issue: bool,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    saved: Option<String>,
    org_id: Option<i64>,
}

/// The inspections in scope (optionally of one organisation) as .xlsx, newest first.
async fn export(State(state): State<AppState>, s: Signed, Query(q): Query<ListQuery>) -> Response {
    use anjian_reports::ledger_sheet::Cell;
    let f = InspectionFilter { org_id: q.org_id, ..Default::default() };
    let mut rows = Vec::new();
    let mut before = None;
    // Pages of 200 (the use case's largest), up to 100,000 rows.
    while rows.len() < 100_000 {
        let page = match state.app.list_inspections(s.actor(), &f, before, 200).await {
            Ok(p) => p,
            Err(e) => return PageError::new(e, s.lang).into_response(),
        };
        before = page.last().map(|r| r.id);
        let done = page.len() < 200;
        rows.extend(page);
        if done {
            break;
        }
    }
    let names = crate::kit::page::org_names(&state, s.actor(), rows.iter().map(|r| r.org_id)).await;
    let words = crate::kit::words::Words::of(&state, crate::i18n::Lang::Zh).await;
    let data: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            vec![
                Cell::DateTime(r.at.with_timezone(&anjian_domain::TZ).naive_local()),
                Cell::Text(words.activity(&r.kind)),
                Cell::Text(names.get(&r.org_id).cloned().unwrap_or_default()),
                Cell::Text(r.inspector.clone()),
                Cell::Text(r.summary.clone()),
            ]
        })
        .collect();
    crate::sheets::table_response(
        s.lang,
        &crate::sheets::head(&state, s.actor(), None).await,
        crate::sheets::zh("sheet.inspections.file"),
        crate::sheets::zh("inspections.title"),
        &crate::sheets::zh_all(&[
            "audit.at",
            "orgs.kind",
            "hazards.org",
            "inspections.inspector",
            "sheet.inspections.summary",
        ]),
        &[18.0, 16.0, 30.0, 14.0, 40.0],
        &data,
    )
}

async fn list(State(state): State<AppState>, s: Signed, Query(q): Query<ListQuery>) -> Response {
    let f = InspectionFilter { org_id: q.org_id, ..Default::default() };
    let rows = match state.app.list_inspections(s.actor(), &f, None, 100).await {
        Ok(r) => r,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let names = crate::kit::page::org_names(&state, s.actor(), rows.iter().map(|r| r.org_id)).await;
    let role = s.actor().role;
    let words = crate::kit::words::Words::of(&state, s.lang).await;
    let can_record = words.vocabulary().inspection_kinds().any(|k| k.recorded_by.contains(&role));
    let late = match state.app.inspections_entered_late(&rows).await {
        Ok(l) => l,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    render(&ListPage {
        p: Chrome::signed(&s, "/inspections"),
        title: s.lang.t("inspections.title"),
        rows: rows
            .into_iter()
            .zip(late)
            .map(|(r, late)| Row {
                id: r.id,
                late,
                at: local_time(r.at),
                kind: words.activity(&r.kind),
                org: names.get(&r.org_id).cloned().unwrap_or_default(),
                inspector: r.inspector,
                summary: r.summary,
            })
            .collect(),
        can_record,
        saved: q.saved.is_some(),
        may_issue: role.is_bureau() && role.can(anjian_domain::role::Permission::VerifyHazard),
    })
}

#[derive(Template)]
#[template(path = "inspection_new.html")]
struct NewPage {
    p: Chrome,
    title: &'static str,
    errors: Vec<String>,
    org_id: String,
    kinds: Vec<(String, String)>,
    /// The kind selected first.
    kind: String,
    /// Whose inspection: a bureau picks the organisation by name; an enterprise's is its own.
    org_picker: crate::kit::picker::OrgPicker,
    own_org: Option<i64>,
    points: Vec<(i64, &'static str, String)>,
    coverage: Option<(usize, usize, String)>,
    rows: Vec<(usize, String)>,
    grades: Vec<(String, String)>,
    checklists: Vec<(i64, String, bool)>,
    checklist_version_id: String,
    idempotency_key: String,
    can_add_points: bool,
    point_kinds: Vec<(&'static str, &'static str)>,
    /// The point whose QR code was scanned to open the form.
    scanned: Option<i64>,
    /// The organisation's sites (crossings, warehouses) an inspection can be of.
    sites: Vec<(i64, String)>,
    /// For an expert panel: the bureaus a check can be commissioned by (the first is the
    /// panel's own area's, the default).
    bureaus: Vec<(i64, String)>,
}

#[derive(Deserialize, Default)]
struct NewQuery {
    /// The organisation by name, 统一社会信用代码 or number (the picker's text).
    org_id: Option<String>,
    point: Option<i64>,
    checklist_id: Option<i64>,
    /// The kind offered first: a duty's "record" button names the inspection it needs.
    kind: Option<String>,
}

async fn form_page(state: &AppState, s: &Signed, org_id: Option<i64>, errors: Vec<String>) -> Response {
    form_page_at(state, s, NewQuery { org_id: org_id.map(|i| i.to_string()), ..Default::default() }, errors).await
}

async fn form_page_at(state: &AppState, s: &Signed, q: NewQuery, mut errors: Vec<String>) -> Response {
    let NewQuery { org_id, point: scanned, checklist_id, kind } = q;
    let actor = s.actor();
    let words = crate::kit::words::Words::of(state, s.lang).await;
    let picked = match org_id.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => match state.app.pick_org(actor, text, "org_id").await {
            Ok(id) => Some(id),
            Err(e) => {
                errors.extend(field_messages(s.lang, &e));
                None
            }
        },
        None => None,
    };
    let org_id = picked.or_else(|| crate::kit::picker::own_org(actor));
    let org_picker = match crate::kit::picker::own_org(actor) {
        Some(_) => crate::kit::picker::OrgPicker::unused("org_id", "hazards.org"),
        None => crate::kit::picker::org_picker(state, actor, "org_id", "hazards.org", None, org_id, false).await,
    };
    let (points, coverage) = match org_id {
        Some(id) => {
            let pts = state.app.points_of(actor, id).await.unwrap_or_default();
            let cov = state.app.self_inspection_coverage(actor, id, state.app.clock.now()).await.ok().map(|c| {
                (c.covered.len(), c.total, c.left.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join("、"))
            });
            (pts.into_iter().map(|p| (p.id, key("point_kind", &p.kind), p.name)).collect(), cov)
        }
        None => (Vec::new(), None),
    };
    let sites = match org_id {
        Some(id) => state
            .app
            .inspectable_sites(actor, id)
            .await
            .map(|sites| sites.into_iter().map(|s| (s.id, s.name)).collect())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let grades = crate::kit::sheets::grades(state).await;
    let mut checklists = match crate::kit::page::unless_forbidden(state.app.list_checklists(actor).await) {
        Ok(c) => c,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    // The lists that fit come first: the organisation's own, then the bureaus'; a plan's template
    // only where the organisation keeps its sites (an electronics firm has no magazine to follow
    // the 四防 list on).
    let org_kind = match org_id {
        Some(id) => state.app.get_org(actor, id).await.map(|(o, _)| o.kind).ok(),
        None => None,
    };
    if let Ok(plan) = state.app.current_plan().await {
        checklists.retain(|(c, _)| anjian_app::checklists::offered_for(&plan, &c.name, org_kind.as_deref()));
    }
    checklists.sort_by_key(|(c, _)| (Some(c.org_id) != org_id, c.name.clone()));
    let expert = actor.org.as_ref().is_some_and(|o| o.kind == anjian_domain::org::OrgKind::EXPERT_PANEL.as_str());
    let bureaus = if expert {
        let f = anjian_domain::org::OrgFilter {
            kind: Some(anjian_domain::org::OrgKind::REGULATOR.as_str().into()),
            ..Default::default()
        };
        match state.app.list_orgs(actor, &f, None, 500).await {
            Ok(list) => list.into_iter().map(|o| (o.id, o.name)).collect(),
            Err(e) => return PageError::new(e, s.lang).into_response(),
        }
    } else {
        Vec::new()
    };
    // A chosen checklist fills the rows with its items and is kept with the inspection.
    let (rows, checklist_version_id) = match checklist_id {
        Some(id) => match state.app.checklist_version(actor, id, None).await {
            Ok((_, v, items)) => (items.into_iter().map(|i| i.item).enumerate().collect(), v.id.to_string()),
            Err(_) => ((0..ROWS).map(|i| (i, String::new())).collect(), String::new()),
        },
        None => ((0..ROWS).map(|i| (i, String::new())).collect(), String::new()),
    };
    render(&NewPage {
        p: Chrome::signed(s, "/inspections"),
        title: s.lang.t("inspections.new"),
        errors,
        org_id: org_id.map(|i| i.to_string()).unwrap_or_default(),
        kinds: words
            .vocabulary()
            .inspection_kinds()
            .filter(|k| k.recorded_by.contains(&actor.role))
            .map(|k| (k.code.get_ref().to_string(), words.activity(k.code.get_ref().as_str())))
            .collect(),
        kind: kind.unwrap_or_default(),
        org_picker,
        own_org: crate::kit::picker::own_org(actor),
        points,
        coverage,
        rows,
        checklists: checklists.iter().map(|(c, _)| (c.id, c.name.clone(), Some(c.id) == checklist_id)).collect(),
        checklist_version_id,
        grades,
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        can_add_points: actor.role.can(Permission::ManagePoints) && org_id.is_some(),
        point_kinds: PointKind::ALL.iter().map(|k| (k.as_str(), key("point_kind", k.as_str()))).collect(),
        scanned,
        sites,
        bureaus,
    })
}

async fn new_form(State(state): State<AppState>, s: Signed, Query(q): Query<NewQuery>) -> Response {
    form_page_at(&state, &s, q, Vec::new()).await
}

/// What the form says: its key, the inspection, and for each finding the form row it came from
/// (a row's photo goes with its finding).
type Parsed = (String, RecordInspection, Vec<usize>);

/// Reads the form's repeated and numbered fields. A row answered 不适用 is not a finding: it is
/// named in the summary, so the record says it was looked at and did not apply.
fn parse(fields: &[(String, String)]) -> Result<Parsed, (String, &'static str)> {
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let org_id = get("org_id").parse().map_err(|_| ("org_id".to_owned(), "not_found"))?;
    let mut findings = Vec::new();
    let (mut rows_of, mut not_applicable) = (Vec::new(), Vec::new());
    // As many rows as the form has: five blank ones, or one per item of the chosen checklist.
    let rows = (0..MAX_ROWS).take_while(|i| fields.iter().any(|(n, _)| *n == format!("item{i}"))).count();
    for i in 0..rows {
        let item = get(&format!("item{i}"));
        if item.is_empty() {
            continue;
        }
        let passed = match get(&format!("result{i}")).as_str() {
            "pass" => true,
            "fail" => false,
            "na" => {
                not_applicable.push(item);
                continue;
            }
            // An item left unanswered is not a pass.
            _ => return Err((format!("findings[{i}].result"), "required")),
        };
        let point_id = get(&format!("point{i}")).parse().ok();
        let hazard = (!passed).then(|| HazardInput {
            description: format!("{item}：{}", get(&format!("note{i}"))).trim_end_matches('：').to_owned(),
            point_id,
            grade: get(&format!("grade{i}")),
            category: None,
            measures: get(&format!("measures{i}")),
            funds_fen: 0,
            owner: get(&format!("owner{i}")),
            deadline: end_of_local_day(&get(&format!("deadline{i}"))),
        });
        findings.push(FindingInput { point_id, item, passed, note: get(&format!("note{i}")), hazard });
        rows_of.push(i);
    }
    let mut summary = get("summary");
    if !not_applicable.is_empty() {
        let na = format!("{}：{}", crate::i18n::Lang::Zh.t("inspections.na"), not_applicable.join("、"));
        summary = if summary.is_empty() { na } else { format!("{summary}\n{na}") };
    }
    let covered = fields.iter().filter(|(n, _)| n == "covered").filter_map(|(_, v)| v.parse().ok()).collect();
    Ok((
        get("idempotency_key"),
        RecordInspection {
            org_id,
            kind: get("kind"),
            at: None,
            summary,
            covered_point_ids: covered,
            findings,
            checklist_version_id: get("checklist_version_id").parse().ok(),
            site_id: get("site_id").parse().ok(),
            for_bureau_id: get("for_bureau_id").parse().ok(),
        },
        rows_of,
    ))
}

/// The form comes as multipart — its fields, and a camera photo for any failed item
/// (`photo{i}`) — or, with no photos, as a plain form.
async fn record(State(state): State<AppState>, s: Signed, req: axum::extract::Request) -> Response {
    use axum::extract::FromRequest;
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/"));
    let parts = if multipart {
        match axum::extract::Multipart::from_request(req, &state).await {
            Ok(form) => crate::kit::page::multipart_list(form).await,
            Err(_) => None,
        }
    } else {
        Form::<Vec<(String, String)>>::from_request(req, &state)
            .await
            .ok()
            .map(|Form(f)| f.into_iter().map(|(n, v)| (n, v.into_bytes())).collect())
    };
    let Some(parts) = parts else {
        let msgs = vec![s.lang.code_message("too_large").to_owned()];
        return (StatusCode::PAYLOAD_TOO_LARGE, form_page(&state, &s, None, msgs).await).into_response();
    };
    let (files, texts): (Vec<_>, Vec<_>) = parts.into_iter().partition(|(n, _)| n.starts_with("photo"));
    let fields: Vec<(String, String)> =
        texts.into_iter().map(|(n, v)| (n, String::from_utf8_lossy(&v).into_owned())).collect();
    let csrf = fields.iter().find(|(n, _)| n == "_csrf").map(|(_, v)| v.as_str()).unwrap_or("");
    if let Some(r) = csrf_refusal(&s.ctx, csrf, s.lang) {
        return r;
    }
    let (key, input, rows_of) = match parse(&fields) {
        Ok(x) => x,
        Err((field, code)) => {
            let msgs = field_messages(s.lang, &anjian_app::AppError::invalid(&field, code));
            let org = fields.iter().find(|(n, _)| n == "org_id").and_then(|(_, v)| v.parse().ok());
            return (StatusCode::UNPROCESSABLE_ENTITY, form_page(&state, &s, org, msgs).await).into_response();
        }
    };
    // A row's photo goes with the finding that row became; an empty file input sends nothing.
    let photos: Vec<(usize, Vec<u8>)> = files
        .into_iter()
        .filter(|(_, bytes)| !bytes.is_empty())
        .filter_map(|(n, bytes)| {
            let row: usize = n.strip_prefix("photo")?.parse().ok()?;
            Some((rows_of.iter().position(|r| *r == row)?, bytes))
        })
        .collect();
    let org_id = input.org_id;
    match state.app.record_inspection_with_photos(s.actor(), input, Some(&key), photos).await {
        Ok(_) => Redirect::to("/inspections?saved=1").into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, form_page(&state, &s, Some(org_id), field_messages(s.lang, &e)).await).into_response()
        }
    }
}

#[derive(Deserialize)]
struct PointForm {
    _csrf: String,
    org_id: i64,
    kind: String,
    name: String,
}

async fn add_point(State(state): State<AppState>, s: Signed, Form(f): Form<PointForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    match state.app.add_point(s.actor(), f.org_id, &f.kind, &f.name).await {
        Ok(_) => Redirect::to(&format!("/inspections/new?org_id={}", f.org_id)).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, form_page(&state, &s, Some(f.org_id), field_messages(s.lang, &e)).await).into_response()
        }
    }
}
