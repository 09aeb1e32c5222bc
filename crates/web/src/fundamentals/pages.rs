//! Fundamentals on pages: an enterprise's profile (fees, staff, training, insurance, what is
//! missing or expired, forms to record each with evidence), the bureaus' overview, and the
//! supervision page with the graded, classified table and the powers list (each to Excel).

use crate::auth::{csrf_refusal, Signed};
use crate::error::PageError;
use crate::kit::page::{field_messages, key, render, Chrome};
use crate::AppState;
use anjian_app::fundamentals::{FundamentalInput, Profile};
use anjian_domain::fundamentals::Assessment;
use anjian_reports::ledger_sheet::Cell;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/orgs/{id}/fundamentals",
            get(profile).post(record).layer(axum::extract::DefaultBodyLimit::max(crate::kit::api::IMPORT_LIMIT)),
        )
        .route("/fundamentals", get(overview))
        .route("/fundamentals/export.xlsx", get(overview_xlsx))
        .route("/supervision", get(supervision))
        .route("/supervision/graded.xlsx", get(graded_xlsx))
        .route("/supervision/powers", post(add_power))
        .route("/supervision/powers.xlsx", get(powers_xlsx))
}

fn yuan(fen: &Option<anjian_domain::money::Fen>) -> String {
    fen.map(|f| f.to_string()).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "fundamentals.html")]
struct ProfilePage {
    p: Chrome,
    title: &'static str,
    f: Profile,
    can_record: bool,
    errors: Vec<String>,
}

async fn profile_page(state: &AppState, s: &Signed, id: i64, errors: Vec<String>) -> Response {
    match state.app.fundamentals_profile(s.actor(), id).await {
        Ok(f) => {
            let can_record =
                s.actor().role.can(anjian_domain::role::Permission::ManagePoints) && !s.actor().role.is_bureau();
            render(&ProfilePage { p: Chrome::signed(s, "/orgs"), title: s.lang.t("fund.title"), f, can_record, errors })
        }
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

async fn profile(State(state): State<AppState>, s: Signed, Path(id): Path<i64>) -> Response {
    profile_page(&state, &s, id, Vec::new()).await
}

async fn record(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<i64>,
    form: axum::extract::Multipart,
) -> Response {
    let Some(fields) = crate::kit::page::multipart_fields(form).await else {
        return (
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            profile_page(&state, &s, id, vec![s.lang.code_message("too_large").into()]).await,
        )
            .into_response();
    };
    let text = |n: &str| crate::kit::page::text_field(&fields, n);
    if let Some(r) = csrf_refusal(&s.ctx, &text("_csrf"), s.lang) {
        return r;
    }
    let num = |n: &str| text(n).parse::<f64>().ok();
    let int = |n: &str| text(n).parse::<i32>().ok();
    let opt = |n: &str| Some(text(n)).filter(|v| !v.is_empty());
    let input = FundamentalInput {
        kind: text("kind"),
        year: int("year"),
        extracted_yuan: num("extracted_yuan"),
        used_yuan: num("used_yuan"),
        required: int("required"),
        actual: int("actual"),
        person: text("person"),
        hours: num("hours"),
        reference: text("reference"),
        starts_on: opt("starts_on"),
        ends_on: opt("ends_on"),
        note: text("note"),
    };
    let photos = fields.get("photo").filter(|b| !b.is_empty()).cloned().into_iter().collect();
    match state.app.record_fundamental(s.actor(), id, input, photos).await {
        Ok(_) => Redirect::to(&format!("/orgs/{id}/fundamentals")).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, profile_page(&state, &s, id, field_messages(s.lang, &e)).await).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "fundamentals_overview.html")]
struct OverviewPage {
    p: Chrome,
    title: &'static str,
    rows: Vec<(anjian_domain::org::Org, Assessment)>,
}

async fn overview(State(state): State<AppState>, s: Signed) -> Response {
    match state.app.fundamentals_overview(s.actor()).await {
        Ok(rows) => render(&OverviewPage { p: Chrome::signed(&s, "/orgs"), title: s.lang.t("fund.overview"), rows }),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

/// The bureaus' overview as .xlsx: what each enterprise lacks.
async fn overview_xlsx(State(state): State<AppState>, s: Signed) -> Response {
    let rows = match state.app.fundamentals_overview(s.actor()).await {
        Ok(r) => r,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let zh = crate::i18n::Lang::Zh;
    let yes_no = |gap: bool, key: &str| Cell::Text(zh.t(if gap { key } else { "fund.ok" }).to_owned());
    let data: Vec<Vec<Cell>> = rows
        .iter()
        .map(|(o, a)| {
            vec![
                Cell::Text(o.name.clone()),
                yes_no(a.fees_missing, "fund.missing"),
                yes_no(a.staff_short, "fund.short"),
                yes_no(a.no_training_this_year, "fund.none_this_year"),
                Cell::Text(zh.t(key("ins", a.insurance.as_str())).to_owned()),
                Cell::Number(a.gaps() as f64),
            ]
        })
        .collect();
    crate::sheets::table_response(
        s.lang,
        &crate::sheets::head(&state, s.actor(), None).await,
        crate::sheets::zh("sheet.fundamentals.file"),
        crate::sheets::zh("fund.title"),
        &crate::sheets::zh_all(&[
            "hazards.org",
            "fund.fees",
            "fundkind.staff",
            "evsource.training",
            "fundkind.insurance",
            "sheet.fundamentals.gaps",
        ]),
        &[36.0, 14.0, 14.0, 16.0, 14.0, 8.0],
        &data,
    )
}

#[derive(Template)]
#[template(path = "supervision.html")]
struct SupervisionPage {
    p: Chrome,
    title: &'static str,
    /// (kind, industry) → counts per level, as a table.
    table: Vec<(String, usize, usize)>,
    powers: Vec<anjian_domain::fundamentals::Power>,
    is_bureau: bool,
    errors: Vec<String>,
}

async fn supervision_page(state: &AppState, s: &Signed, errors: Vec<String>) -> Response {
    let words = crate::kit::words::Words::of(state, s.lang).await;
    let orgs = match state.app.graded_table(s.actor()).await {
        Ok(o) => o,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let mut table: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for o in &orgs {
        let class = words.org_kind(&o.kind);
        let e = table.entry(class).or_default();
        if o.supervision_level == "key" {
            e.1 += 1;
        } else {
            e.0 += 1;
        }
    }
    let powers = match crate::kit::page::unless_forbidden(state.app.powers(s.actor()).await) {
        Ok(p) => p,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    render(&SupervisionPage {
        p: Chrome::signed(s, "/orgs"),
        title: s.lang.t("sup.title"),
        table: table.into_iter().map(|(k, (g, kk))| (k, g, kk)).collect(),
        powers,
        is_bureau: s.actor().role.is_bureau(),
        errors,
    })
}

async fn supervision(State(state): State<AppState>, s: Signed) -> Response {
    supervision_page(&state, &s, Vec::new()).await
}

/// The graded, classified table as .xlsx: every supervised organisation with kind, industry,
/// county and level.
pub fn graded_sheet(
    head: &anjian_reports::sheet_head::SheetHead,
    orgs: &[anjian_domain::org::Org],
    counties: &std::collections::HashMap<i64, String>,
    vocabulary: &anjian_domain::plan::Vocabulary,
) -> Result<Vec<u8>, anjian_app::AppError> {
    let zh = crate::i18n::Lang::Zh;
    let rows: Vec<Vec<Cell>> = orgs
        .iter()
        .map(|o| {
            vec![
                Cell::Text(o.name.clone()),
                Cell::Text(counties.get(&o.jurisdiction_id).cloned().unwrap_or_default()),
                Cell::Text(vocabulary.org_kind_name(&o.kind, false)),
                Cell::Text(o.industry.as_deref().map(|i| vocabulary.industry_name(i, false)).unwrap_or_default()),
                Cell::Text(zh.t(key("level", &o.supervision_level)).to_owned()),
            ]
        })
        .collect();
    crate::sheets::table_xlsx(
        head,
        crate::sheets::zh("sheet.graded.sheet"),
        &crate::sheets::zh_all(&["hazards.org", "sheet.county", "sheet.kind", "hazards.industry", "orgs.level"]),
        &[36.0, 12.0, 14.0, 16.0, 10.0],
        &rows,
    )
}

async fn graded_xlsx(State(state): State<AppState>, s: Signed) -> Response {
    let counties = state
        .app
        .visible_jurisdictions(s.actor())
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|j| (j.id, j.name))
        .collect();
    let head = crate::sheets::head(&state, s.actor(), None).await;
    let words = crate::kit::words::Words::of(&state, s.lang).await;
    match state.app.graded_table(s.actor()).await.and_then(|o| graded_sheet(&head, &o, &counties, words.vocabulary())) {
        Ok(bytes) => crate::sheets::xlsx_response(bytes, crate::sheets::zh("sheet.graded.file")),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

pub fn powers_sheet(
    head: &anjian_reports::sheet_head::SheetHead,
    powers: &[anjian_domain::fundamentals::Power],
) -> Result<Vec<u8>, anjian_app::AppError> {
    let rows: Vec<Vec<Cell>> = powers
        .iter()
        .map(|p| {
            vec![
                Cell::Text(p.category.clone()),
                Cell::Text(p.name.clone()),
                Cell::Text(p.basis.clone()),
                Cell::Text(p.responsible.clone()),
            ]
        })
        .collect();
    crate::sheets::table_xlsx(
        head,
        crate::sheets::zh("sup.powers"),
        &crate::sheets::zh_all(&["sup.category", "sup.item", "sup.basis", "sup.responsible"]),
        &[14.0, 36.0, 50.0, 18.0],
        &rows,
    )
}

async fn powers_xlsx(State(state): State<AppState>, s: Signed) -> Response {
    let head = crate::sheets::head(&state, s.actor(), None).await;
    match state.app.powers(s.actor()).await.and_then(|p| powers_sheet(&head, &p)) {
        Ok(bytes) => crate::sheets::xlsx_response(bytes, crate::sheets::zh("sheet.powers.file")),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

#[derive(Deserialize)]
struct PowerForm {
    _csrf: String,
    category: String,
    name: String,
    basis: String,
    responsible: String,
}

async fn add_power(State(state): State<AppState>, s: Signed, Form(f): Form<PowerForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    match state.app.add_power(s.actor(), &f.category, &f.name, &f.basis, &f.responsible).await {
        Ok(_) => Redirect::to("/supervision").into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, supervision_page(&state, &s, field_messages(s.lang, &e)).await).into_response()
        }
    }
}
