//! "My obligations", one obligation with the records behind it, the compliance matrix and the
//! overdue list (with its Excel export).

use crate::auth::Signed;
use crate::error::PageError;
use crate::kit::page::{key, local_time, render, Chrome, Row};
use crate::AppState;
use anjian_app::obligations::{Matrix, MyObligations, ObligationDetail, ObligationView};
use anjian_reports::ledger_sheet::Cell;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/obligations", get(mine))
        .route("/obligations/export.xlsx", get(mine_xlsx))
        .route("/obligations/{rule}/{subject}/{window}", get(detail))
        .route("/compliance", get(matrix))
        .route("/compliance/export.xlsx", get(matrix_xlsx))
        .route("/compliance/overdue", get(overdue))
        .route("/compliance/overdue.xlsx", get(overdue_xlsx))
}

#[derive(Template)]
#[template(path = "obligations.html")]
struct MinePage {
    p: Chrome,
    title: &'static str,
    /// Whose obligations these are, when not the caller's own.
    of_org: Option<String>,
    org_id: Option<i64>,
    current: Vec<Row>,
    overdue: Vec<Row>,
    overdue_total: usize,
}

#[derive(Deserialize, Default)]
struct MineQ {
    org_id: Option<i64>,
}

/// The caller's obligations, or (`?org_id=`) an organisation's and its people's.
async fn mine(State(state): State<AppState>, s: Signed, Query(q): Query<MineQ>) -> Response {
    let (result, of_org) = match q.org_id {
        Some(id) => {
            let name = state.app.get_org(s.actor(), id).await.map(|(o, _)| o.name).ok();
            (state.app.org_obligations(s.actor(), id).await, Some(name.unwrap_or_else(|| format!("#{id}"))))
        }
        None => (state.app.my_obligations(s.actor()).await, None),
    };
    let MyObligations { current, overdue, overdue_total } = match result {
        Ok(m) => m,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    render(&MinePage {
        p: Chrome::signed(&s, "/obligations"),
        title: s.lang.t("ob.mine"),
        of_org,
        org_id: q.org_id,
        current: current.iter().map(Row::new).collect(),
        overdue: overdue.iter().map(Row::new).collect(),
        overdue_total,
    })
}

/// The same obligations as the page (this period's, then those overdue), as an .xlsx.
async fn mine_xlsx(State(state): State<AppState>, s: Signed, Query(q): Query<MineQ>) -> Response {
    let result = match q.org_id {
        Some(id) => state.app.org_obligations(s.actor(), id).await,
        None => state.app.my_obligations(s.actor()).await,
    };
    let m = match result {
        Ok(m) => m,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let head = crate::sheets::head(&state, s.actor(), None).await;
    match obligations_sheet(&head, crate::sheets::zh("sheet.duties.sheet"), m.current.iter().chain(m.overdue.iter())) {
        Ok(bytes) => crate::sheets::xlsx_response(bytes, crate::sheets::zh("sheet.duties.file")),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

#[derive(Template)]
#[template(path = "obligation.html")]
struct DetailPage {
    p: Chrome,
    title: String,
    row: Row,
    source: String,
    evidence: Vec<(&'static str, i64, String, bool)>,
    missing: Vec<String>,
    /// What the rule requires that is still missing (a signature …), as requirement codes.
    missing_requirements: Vec<String>,
    /// The checklist a record must go through, and the items the records entered left out.
    checklist: Option<String>,
    missing_items: Vec<String>,
    /// Where the seed contradicts itself for this rule, and what the plan applies.
    explanation: String,
}

async fn detail(
    State(state): State<AppState>,
    s: Signed,
    Path((rule, subject, window)): Path<(String, String, usize)>,
) -> Response {
    let ObligationDetail { obligation, evidence, missing } =
        match state.app.obligation_detail(s.actor(), &rule, &subject, window).await {
            Ok(d) => d,
            Err(e) => return PageError::new(e, s.lang).into_response(),
        };
    let explanation = match state.app.current_plan().await {
        Ok(plan) => plan
            .rule(&obligation.rule_id)
            .map(|r| crate::kit::page::rule_explanation(s.lang, plan.vocabulary(), r))
            .unwrap_or_default(),
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    render(&DetailPage {
        p: Chrome::signed(&s, "/obligations"),
        explanation,
        title: obligation.title.clone(),
        source: obligation.source.clone(),
        missing_requirements: obligation.missing_requirements.clone(),
        checklist: obligation.checklist.clone(),
        missing_items: obligation.missing_items.clone(),
        row: Row::new(&obligation),
        evidence: evidence.into_iter().map(|e| (key("evsource", e.source.as_str()), e.id, e.link, e.late)).collect(),
        missing,
    })
}

#[derive(Deserialize, Default)]
struct PlaceQ {
    jurisdiction_id: Option<i64>,
    rule: Option<String>,
}

#[derive(Template)]
#[template(path = "compliance.html")]
struct MatrixPage {
    p: Chrome,
    title: &'static str,
    m: Matrix,
    jurisdiction_id: Option<i64>,
    at: String,
    /// Per column, where the seed contradicts itself for the rule (empty when it does not): the
    /// column is marked and the note printed under the matrix.
    notes: Vec<String>,
}

async fn matrix(State(state): State<AppState>, s: Signed, Query(q): Query<PlaceQ>) -> Response {
    let (m, plan) =
        match tokio::try_join!(state.app.compliance_matrix(s.actor(), q.jurisdiction_id), state.app.current_plan()) {
            Ok(x) => x,
            Err(e) => return PageError::new(e, s.lang).into_response(),
        };
    let notes = m
        .rules
        .iter()
        .map(|mr| {
            plan.rule(&mr.id)
                .map(|r| crate::kit::page::rule_explanation(s.lang, plan.vocabulary(), r))
                .unwrap_or_default()
        })
        .collect();
    render(&MatrixPage {
        p: Chrome::signed(&s, "/compliance"),
        title: s.lang.t("ob.matrix"),
        at: local_time(m.at),
        m,
        jurisdiction_id: q.jurisdiction_id,
        notes,
    })
}

/// The matrix as the page shows it (the city, or a county's organisations), as an .xlsx: a row
/// per place, a column per rule, each cell "met/total", with the overdue count when there is one.
async fn matrix_xlsx(State(state): State<AppState>, s: Signed, Query(q): Query<PlaceQ>) -> Response {
    use anjian_reports::ledger_sheet::Cell;
    let m = match state.app.compliance_matrix(s.actor(), q.jurisdiction_id).await {
        Ok(m) => m,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    // Each rule as four numbers a bureau can sum and sort: met, due, overdue, and the rate.
    let cells = |c: &anjian_domain::obligation::RuleSummary| {
        let total = c.total();
        [
            Cell::Number(f64::from(c.met)),
            Cell::Number(f64::from(total)),
            Cell::Number(f64::from(c.overdue)),
            if total == 0 { Cell::Empty } else { Cell::Percent(f64::from(c.met) / f64::from(total)) },
        ]
    };
    let mut rows: Vec<Vec<Cell>> = m
        .rows
        .iter()
        .map(|r| std::iter::once(Cell::Text(r.name.clone())).chain(r.cells.iter().flat_map(cells)).collect())
        .collect();
    rows.push(
        std::iter::once(Cell::Text(crate::sheets::zh("ob.total").into()))
            .chain(m.totals.iter().flat_map(cells))
            .collect(),
    );
    let zh = crate::i18n::Lang::Zh;
    let titles: Vec<String> = m
        .rules
        .iter()
        .flat_map(|r| {
            ["sheet.compliance.met", "sheet.compliance.due", "sheet.compliance.overdue", "sheet.compliance.rate"]
                .map(|k| zh.fill(k, &[("rule", &r.title)]))
        })
        .collect();
    let headers: Vec<&str> =
        std::iter::once(crate::sheets::zh("ob.place")).chain(titles.iter().map(String::as_str)).collect();
    let widths: Vec<f64> = std::iter::once(24.0).chain(titles.iter().map(|_| 12.0)).collect();
    crate::sheets::table_response(
        s.lang,
        &crate::sheets::head(&state, s.actor(), None).await,
        &crate::i18n::Lang::Zh
            .fill("sheet.compliance.file", &[("date", &anjian_domain::period::local_date(m.at).format("%Y-%m-%d"))]),
        crate::sheets::zh("sheet.compliance.sheet"),
        &headers,
        &widths,
        &rows,
    )
}

#[derive(Template)]
#[template(path = "overdue.html")]
struct OverduePage {
    p: Chrome,
    title: &'static str,
    rows: Vec<Row>,
    total: usize,
    export_href: String,
    rules: Vec<(String, String, bool)>,
    jurisdiction_id: Option<i64>,
}

fn query_string(q: &PlaceQ) -> String {
    let mut parts = Vec::new();
    if let Some(j) = q.jurisdiction_id {
        parts.push(format!("jurisdiction_id={j}"));
    }
    if let Some(r) = q.rule.as_deref().filter(|r| !r.is_empty()) {
        parts.push(format!("rule={}", crate::kit::page::urlencode(r)));
    }
    parts.join("&")
}

async fn overdue(State(state): State<AppState>, s: Signed, Query(q): Query<PlaceQ>) -> Response {
    let list = match state.app.overdue_obligations(s.actor(), q.jurisdiction_id, q.rule.as_deref()).await {
        Ok(l) => l,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let rules = match state.app.board_plan().await {
        Ok(p) => p
            .rules
            .iter()
            .map(|r| (r.id.get_ref().clone(), r.title.clone(), q.rule.as_deref() == Some(r.id.get_ref().as_str())))
            .collect(),
        Err(_) => Vec::new(),
    };
    // The count is of windows, as the matrix counts them; the rows group an hourly patrol's
    // misses per warehouse and day, as the sheet does.
    let total = list.len();
    render(&OverduePage {
        p: Chrome::signed(&s, "/compliance"),
        title: s.lang.t("ob.overdue_list"),
        rows: group_short_windows(&list).iter().take(500).map(Row::new).collect(),
        total,
        export_href: format!("/compliance/overdue.xlsx?{}", query_string(&q)),
        rules,
        jurisdiction_id: q.jurisdiction_id,
    })
}

/// The overdue list as .xlsx, with the page's filters; labels in Chinese as bureaus file them.
/// Windows shorter than a day (an hourly patrol's) are grouped per subject and day: one row
/// says a warehouse missed 9 rounds on the 7th, instead of nine rows.
pub fn overdue_sheet(
    head: &anjian_reports::sheet_head::SheetHead,
    list: &[ObligationView],
) -> Result<Vec<u8>, anjian_app::AppError> {
    obligations_sheet(head, crate::sheets::zh("sheet.overdue.sheet"), group_short_windows(list).iter())
}

/// The list with every run of sub-day windows of one rule and subject on one local day merged:
/// their needs and counts summed, the window named by its day and how many periods it covers.
pub fn group_short_windows(list: &[ObligationView]) -> Vec<ObligationView> {
    let day = |t| anjian_domain::period::local_date(t);
    let mut out: Vec<ObligationView> = Vec::new();
    let mut runs: std::collections::HashMap<(String, String, chrono::NaiveDate), (usize, u32)> =
        std::collections::HashMap::new();
    for o in list {
        if o.ends - o.starts >= chrono::Duration::days(1) {
            out.push(o.clone());
            continue;
        }
        let k = (o.rule_id.clone(), o.subject.clone(), day(o.starts));
        match runs.get_mut(&k) {
            Some((at, n)) => {
                *n += 1;
                let g = &mut out[*at];
                g.need += o.need;
                g.done += o.done;
                g.late += o.late;
                g.starts = g.starts.min(o.starts);
                g.ends = g.ends.max(o.ends);
                g.window = crate::i18n::Lang::Zh.fill("sheet.overdue.periods", &[("day", &k.2), ("n", n)]);
            }
            None => {
                runs.insert(k, (out.len(), 1));
                out.push(o.clone());
            }
        }
    }
    out
}

/// Obligations as a sheet: what, on what ground, whose, which period, by when, need, done, status.
fn obligations_sheet<'a>(
    head: &anjian_reports::sheet_head::SheetHead,
    name: &str,
    list: impl Iterator<Item = &'a ObligationView>,
) -> Result<Vec<u8>, anjian_app::AppError> {
    let zh = crate::i18n::Lang::Zh;
    let local = crate::sheets::local;
    let rows: Vec<Vec<Cell>> = list
        .map(|o| {
            vec![
                Cell::Text(o.title.clone()),
                Cell::Text(o.source.clone()),
                Cell::Text(o.subject_name.clone()),
                Cell::Text(o.window.clone()),
                Cell::DateTime(local(o.ends)),
                Cell::Number(f64::from(o.need)),
                Cell::Number(f64::from(o.done)),
                Cell::Text(zh.t(key("obstatus", o.status.as_str())).to_owned()),
            ]
        })
        .collect();
    crate::sheets::table_xlsx(
        head,
        name,
        &crate::sheets::zh_all(&[
            "ob.rule",
            "sup.basis",
            "ob.subject",
            "ob.window",
            "ob.ends",
            "sheet.duties.need",
            "sheet.duties.done",
            "ob.status",
        ]),
        &[28.0, 22.0, 30.0, 24.0, 18.0, 8.0, 8.0, 8.0],
        &rows,
    )
}

async fn overdue_xlsx(State(state): State<AppState>, s: Signed, Query(q): Query<PlaceQ>) -> Response {
    let list = match state.app.overdue_obligations(s.actor(), q.jurisdiction_id, q.rule.as_deref()).await {
        Ok(l) => l,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let head = crate::sheets::head(&state, s.actor(), None).await;
    match overdue_sheet(&head, &list) {
        Ok(bytes) => crate::sheets::xlsx_response(bytes, crate::sheets::zh("sheet.overdue.file")),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}
