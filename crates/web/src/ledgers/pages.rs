//! The monthly hazard list: the principal sees it drafted from the records and signs it; bureaus
//! see what they have received, each with whether its signature still holds.

use crate::auth::{csrf_refusal, Signed};
use crate::error::PageError;
use crate::kit::page::{field_messages, key, local_time, render, Chrome};
use crate::AppState;
use anjian_domain::role::{Permission, Role};
use anjian_reports::sheet_head::SheetHead;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ledgers", get(page))
        .route("/ledgers/export.xlsx", get(export))
        .route("/ledgers/sign", post(sign))
        .route("/ledgers/{id}", get(signed_page))
        .route("/ledgers/{id}/export.xlsx", get(signed_export))
}

pub struct SignedRow {
    pub id: i64,
    pub org: String,
    pub period: String,
    pub version: i32,
    pub items: i32,
    pub signer: String,
    pub signed_at: String,
    pub intact: bool,
}

type DraftRow = (String, String, String, String, String, String, &'static str);

#[derive(Template)]
#[template(path = "ledgers.html")]
struct Page {
    p: Chrome,
    title: &'static str,
    period: String,
    org_id: Option<i64>,
    draft: Option<Vec<DraftRow>>,
    can_sign: bool,
    signed: Vec<SignedRow>,
    signed_ok: bool,
    errors: Vec<String>,
    /// A group company's subsidiaries, one ledger each (一企一台账).
    subsidiaries: Vec<(i64, String, bool)>,
}

#[derive(Deserialize, Default)]
struct Q {
    period: Option<String>,
    org_id: Option<i64>,
    signed: Option<String>,
}

async fn render_page(state: &AppState, s: &Signed, q: Q, errors: Vec<String>) -> Response {
    let actor = s.actor();
    let now = state.app.clock.now();
    let period = q
        .period
        .filter(|p| anjian_app::ledgers::parse_period(p).is_ok())
        .unwrap_or_else(|| anjian_domain::period::local_date(now).format("%Y-%m").to_string());
    // An enterprise's own list; a bureau picks one by org_id, or sees what it received.
    let own = actor.org.as_ref().filter(|o| o.kind != "regulator" && o.kind != "department").map(|o| o.id);
    let org_id = q.org_id.or(own);
    let grades: std::collections::HashMap<String, String> =
        crate::kit::sheets::grades(state).await.into_iter().collect();
    let draft = match org_id {
        Some(id) => match state.app.draft_ledger(actor, id, &period).await {
            Ok(items) => Some(
                items
                    .into_iter()
                    .map(|i| {
                        let deadline = i
                            .deadline
                            .as_deref()
                            .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
                            .map(|d| local_time(d.with_timezone(&chrono::Utc)))
                            .unwrap_or_default();
                        (
                            i.description,
                            i.location,
                            grades.get(&i.grade).cloned().unwrap_or(i.grade),
                            i.measures,
                            i.owner,
                            deadline,
                            key("state", i.state.as_str()),
                        )
                    })
                    .collect(),
            ),
            Err(e) => return PageError::new(e, s.lang).into_response(),
        },
        None => None,
    };
    let signed = match signed_rows(state, s, &period, org_id).await {
        Ok(r) => r,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let subsidiaries = match actor.org.as_ref().filter(|o| o.kind == "group_company") {
        Some(group) => {
            let f = anjian_domain::org::OrgFilter { under: Some(group.id), ..Default::default() };
            state
                .app
                .list_orgs(actor, &f, None, 500)
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|o| (o.id, o.name, Some(o.id) == org_id))
                .collect()
        }
        None => Vec::new(),
    };
    render(&Page {
        p: Chrome::signed(s, "/ledgers"),
        subsidiaries,
        title: s.lang.t("ledgers.title"),
        can_sign: actor.role == Role::Principal
            && actor.role.can(Permission::SignLedger)
            && own.is_some()
            && org_id == own,
        period,
        org_id: q.org_id,
        draft,
        signed,
        signed_ok: q.signed.is_some(),
        errors,
    })
}

/// The signed ledgers of a period (of one organisation, or all the caller received), each
/// checked against its signature.
async fn signed_rows(
    state: &AppState,
    s: &Signed,
    period: &str,
    org_id: Option<i64>,
) -> anjian_app::Result<Vec<SignedRow>> {
    let rows = state.app.list_ledgers(s.actor(), Some(period), org_id).await?;
    let names = crate::kit::page::org_names(state, s.actor(), rows.iter().map(|l| l.org_id)).await;
    Ok(rows
        .into_iter()
        .map(|l| {
            let org = names.get(&l.org_id).cloned().unwrap_or_default();
            let c = state.app.check_ledger(l);
            SignedRow {
                id: c.ledger.id,
                org,
                period: c.ledger.period,
                version: c.ledger.version,
                items: c.ledger.item_count,
                signer: c.ledger.signer,
                signed_at: local_time(c.ledger.signed_at),
                intact: c.intact,
            }
        })
        .collect())
}

async fn page(State(state): State<AppState>, s: Signed, Query(q): Query<Q>) -> Response {
    render_page(&state, &s, q, Vec::new()).await
}

/// The signed list as the page shows it (same period and organisation), as an .xlsx.
async fn export(State(state): State<AppState>, s: Signed, Query(q): Query<Q>) -> Response {
    use anjian_reports::ledger_sheet::Cell;
    let Some(period) = q.period.filter(|p| anjian_app::ledgers::parse_period(p).is_ok()) else {
        return PageError::new(anjian_app::AppError::invalid("period", "invalid"), s.lang).into_response();
    };
    let rows = match signed_rows(&state, &s, &period, q.org_id).await {
        Ok(r) => r,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let rows: Vec<Vec<Cell>> = rows
        .into_iter()
        .map(|r| {
            vec![
                Cell::Text(r.org),
                Cell::Text(r.period),
                Cell::Number(f64::from(r.version)),
                Cell::Number(f64::from(r.items)),
                Cell::Text(r.signer),
                Cell::Text(r.signed_at),
                Cell::Text(
                    crate::sheets::zh(if r.intact { "sheet.ledgers.intact" } else { "sheet.ledgers.altered" }).into(),
                ),
            ]
        })
        .collect();
    crate::sheets::table_response(
        s.lang,
        &crate::sheets::head(&state, s.actor(), Some(anjian_app::bureau_reports::month_title(&period))).await,
        &crate::i18n::Lang::Zh.fill("sheet.ledgers.file", &[("period", &period)]),
        crate::sheets::zh("sheet.ledgers.sheet"),
        &crate::sheets::zh_all(&[
            "hazards.org",
            "sheet.ledgers.period",
            "ledgers.version",
            "sheet.ledgers.items",
            "sheet.ledgers.signer",
            "sheet.ledgers.signed_at",
            "sheet.ledgers.check",
        ]),
        &[30.0, 10.0, 8.0, 10.0, 12.0, 18.0, 22.0],
        &rows,
    )
}

#[derive(Deserialize)]
struct SignForm {
    _csrf: String,
    period: String,
    password: String,
}

async fn sign(State(state): State<AppState>, s: Signed, Form(f): Form<SignForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    let Some(org_id) = s.actor().org.as_ref().map(|o| o.id) else {
        return PageError::new(anjian_app::AppError::Forbidden, s.lang).into_response();
    };
    match state.app.sign_ledger(s.actor(), org_id, &f.period, &f.password).await {
        Ok(_) => Redirect::to(&format!("/ledgers?period={}&signed=1", f.period)).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            let q = Q { period: Some(f.period), org_id: None, signed: None };
            let code = if status == StatusCode::FORBIDDEN { StatusCode::FORBIDDEN } else { status };
            (code, render_page(&state, &s, q, field_messages(s.lang, &e)).await).into_response()
        }
    }
}

/// One item of a signed list as shown: what was signed, in the reader's language.
pub struct SignedItem {
    pub description: String,
    pub location: String,
    pub grade: String,
    pub measures: String,
    pub owner: String,
    pub deadline: String,
    pub state_key: &'static str,
    pub verified_by: String,
    pub closed_at: String,
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct SignedPage {
    p: Chrome,
    title: String,
    org: String,
    l: anjian_domain::ledger::Ledger,
    signed_at: String,
    intact: bool,
    items: Vec<SignedItem>,
}

/// An instant stored in a signed item (RFC 3339) as a local time; kept as written if unreadable.
fn item_time(t: &str) -> String {
    t.parse::<chrono::DateTime<chrono::Utc>>().map(local_time).unwrap_or_else(|_| t.to_owned())
}

/// A signed monthly list as it was signed: its items, the signer, the time, and whether the
/// signature still holds.
async fn signed_page(State(state): State<AppState>, s: Signed, Path(id): Path<i64>) -> Response {
    let c = match state.app.get_ledger(s.actor(), id).await {
        Ok(c) => c,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let grades = crate::kit::sheets::grades(&state).await.into_iter().collect::<std::collections::HashMap<_, _>>();
    let names = crate::kit::page::org_names(&state, s.actor(), std::iter::once(c.ledger.org_id)).await;
    let items = c
        .items
        .into_iter()
        .map(|i| SignedItem {
            grade: grades.get(&i.grade).cloned().unwrap_or_else(|| i.grade.clone()),
            state_key: key("state", &i.state),
            deadline: i.deadline.as_deref().map(item_time).unwrap_or_default(),
            closed_at: i.closed_at.as_deref().map(item_time).unwrap_or_default(),
            verified_by: i.verified_by.unwrap_or_default(),
            description: i.description,
            location: i.location,
            measures: i.measures,
            owner: i.owner,
        })
        .collect();
    render(&SignedPage {
        p: Chrome::signed(&s, "/ledgers"),
        title: format!("{} {} v{}", s.lang.t("ledgers.title"), c.ledger.period, c.ledger.version),
        org: names.get(&c.ledger.org_id).cloned().unwrap_or_default(),
        signed_at: local_time(c.ledger.signed_at),
        intact: c.intact,
        l: c.ledger,
        items,
    })
}

/// The signed version's items in Excel, under the ledger's columns.
async fn signed_export(State(state): State<AppState>, s: Signed, Path(id): Path<i64>) -> Response {
    let c = match state.app.get_ledger(s.actor(), id).await {
        Ok(c) => c,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let grades = crate::kit::sheets::grades(&state).await.into_iter().collect::<std::collections::HashMap<_, _>>();
    let rows = crate::kit::sheets::signed_rows(c.items, &grades);
    let name = crate::i18n::Lang::Zh
        .fill("sheet.signed_ledger.file", &[("period", &c.ledger.period), ("version", &c.ledger.version)]);
    // A signed list is the enterprise's: filed under its name for its period.
    let org_name = state.app.get_org(s.actor(), c.ledger.org_id).await.map(|(o, _)| o.name).unwrap_or_default();
    let head = SheetHead {
        title: crate::sheets::zh("sheet.ledger.title").into(),
        issuer: org_name.clone(),
        scope: org_name.clone(),
        period: anjian_app::bureau_reports::month_title(&c.ledger.period),
        ..crate::sheets::head(&state, s.actor(), None).await
    };
    let rows: Vec<_> =
        rows.into_iter().map(|r| anjian_reports::ledger_sheet::LedgerRow { org: org_name.clone(), ..r }).collect();
    match anjian_reports::ledger_sheet::write(&head, &rows) {
        Ok(bytes) => crate::sheets::xlsx_response(bytes, &name),
        Err(e) => {
            PageError::new(anjian_app::AppError::Internal(format!("writing a sheet: {e}")), s.lang).into_response()
        }
    }
}
