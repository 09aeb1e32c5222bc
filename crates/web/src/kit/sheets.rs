//! Spreadsheets on the web: ledger exports in Chinese as bureaus file them, and import results
//! explained row by row in Chinese.

use crate::i18n::Lang;
use anjian_app::hazard_import::{ExportedHazard, RowError};
use anjian_reports::ledger_sheet::LedgerRow;
use anjian_reports::ledger_sheet::{SheetError, SheetRows};
use anjian_reports::sheet_head::SheetHead;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDateTime, Utc};
use std::collections::HashMap;
use tokio::sync::Semaphore;

/// How many uploaded workbooks are read at once. Reading is bounded per workbook (64 MiB unpacked,
/// 20,000 rows × 64 columns of filled cells) and runs off the async threads; the rest wait their
/// turn, so ten imports at once cost what two do and the pages stay served meanwhile.
static SHEET_READERS: Semaphore = Semaphore::const_new(2);

/// An uploaded workbook's rows, read under the limit above.
pub async fn read_upload(bytes: Vec<u8>) -> Result<SheetRows, SheetError> {
    // The semaphore is never closed, so acquiring cannot fail.
    let _turn = SHEET_READERS.acquire().await.map_err(|_| SheetError::NotXlsx)?;
    tokio::task::spawn_blocking(move || anjian_reports::ledger_sheet::read(&bytes))
        .await
        .unwrap_or(Err(SheetError::NotXlsx))
}

/// An instant as bureaus read it: local time (Asia/Shanghai), no zone.
pub fn local(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&anjian_domain::TZ).naive_local()
}

/// Rows for the sheet; labels in Chinese whatever the page language, as bureaus file them.
pub fn ledger_rows(
    items: Vec<ExportedHazard>,
    grade_names: &HashMap<String, String>,
    vocabulary: &anjian_domain::plan::Vocabulary,
) -> Vec<LedgerRow> {
    let zh = Lang::Zh;
    items
        .into_iter()
        .map(|e| {
            let h = e.hazard;
            LedgerRow {
                grade: grade_names.get(&h.grade).cloned().unwrap_or_else(|| h.grade.clone()),
                source: zh.t(crate::kit::page::key("source", &h.source)).to_owned(),
                state: zh.t(crate::kit::page::key("state", h.state.as_str())).to_owned(),
                discovered_at: local(h.discovered_at),
                deadline: h.deadline.map(local),
                closed_at: h.closed_at.map(local),
                funds_yuan: h.funds_fen.yuan_f64(),
                description: h.description,
                location: e.location,
                measures: h.measures,
                owner: h.owner,
                verified_by: e.verified_by,
                number: h.uid,
                org: e.org,
                county: e.county,
                industry: e.industry.map(|i| vocabulary.industry_name(&i, false)).unwrap_or_default(),
                papers: e.papers.join("、"),
            }
        })
        .collect()
}

/// The plan's hazard grades, code and name, in the plan's order (none before a plan is
/// imported).
pub async fn grades(state: &crate::AppState) -> Vec<(String, String)> {
    state.app.current_plan().await.map(|p| p.grade_names()).unwrap_or_default()
}

/// A signed list's items as sheet rows (its times were stored as RFC 3339).
pub fn signed_rows(
    items: Vec<anjian_domain::ledger::LedgerItem>,
    grade_names: &HashMap<String, String>,
) -> Vec<LedgerRow> {
    let zh = Lang::Zh;
    let time = |t: &str| t.parse::<DateTime<Utc>>().ok().map(local);
    items
        .into_iter()
        .map(|i| LedgerRow {
            grade: grade_names.get(&i.grade).cloned().unwrap_or_else(|| i.grade.clone()),
            source: zh.t(crate::kit::page::key("source", &i.source)).to_owned(),
            state: zh.t(crate::kit::page::key("state", &i.state)).to_owned(),
            discovered_at: time(&i.discovered_at).unwrap_or_default(),
            deadline: i.deadline.as_deref().and_then(time),
            closed_at: i.closed_at.as_deref().and_then(time),
            funds_yuan: i.funds_fen.yuan_f64(),
            description: i.description,
            location: i.location,
            measures: i.measures,
            owner: i.owner,
            verified_by: i.verified_by.unwrap_or_default(),
            number: i.hazard_uid,
            ..Default::default()
        })
        .collect()
}

/// The labels a sheet may use for its 来源 column (and the codes themselves).
pub fn source_labels() -> HashMap<String, String> {
    anjian_app::hazards::SOURCES
        .iter()
        .flat_map(|code| {
            let key = crate::kit::page::key("source", code);
            [(Lang::Zh.t(key).to_owned(), code.to_string()), (code.to_string(), code.to_string())]
        })
        .collect()
}

/// "第 3 行「等级」：无效的隐患等级。"
pub fn row_message(lang: Lang, e: &RowError) -> String {
    let msg = lang.code_message(&e.code);
    lang.fill("sheet.row_error", &[("row", &e.row), ("column", &e.column), ("msg", &msg)])
}

/// Exports go to the bureau in Chinese: a text of the catalogue, by key.
pub fn zh(key: &str) -> &'static str {
    Lang::Zh.t(key)
}

/// Column headers by key, in Chinese.
pub fn zh_all(keys: &[&str]) -> Vec<&'static str> {
    keys.iter().map(|k| zh(k)).collect()
}

/// A file download. The file name is given both plainly and as UTF-8 (RFC 6266).
pub fn download(bytes: Vec<u8>, file_name: &str, content_type: &str) -> Response {
    let ascii: String =
        file_name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect();
    let encoded = crate::kit::page::urlencode(file_name);
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")),
        ],
        bytes,
    )
        .into_response()
}

/// An .xlsx download.
pub fn xlsx_response(bytes: Vec<u8>, file_name: &str) -> Response {
    download(bytes, file_name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
}

/// A .docx download.
pub fn docx_response(bytes: Vec<u8>, file_name: &str) -> Response {
    download(bytes, file_name, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
}

/// How an import went, for a page: the summary line, its style, the row errors, the status.
pub fn import_summary(
    lang: Lang,
    out: &anjian_app::hazard_import::ImportOutcome,
) -> (String, &'static str, Vec<String>, axum::http::StatusCode) {
    let summary = lang
        .t("hazards.import_result")
        .replace("{rows}", &out.rows.to_string())
        .replace("{new}", &out.new.to_string())
        .replace("{existing}", &out.existing.to_string());
    let (verdict, class) = match (out.errors.is_empty(), out.applied) {
        (_, true) => (lang.t("hazards.import_applied"), "ok"),
        (true, false) => (lang.t("hazards.import_preview_ok"), "ok"),
        (false, _) => (lang.t("hazards.import_not_applied"), "alert"),
    };
    let errors: Vec<String> = out.errors.iter().map(|e| row_message(lang, e)).collect();
    let status =
        if errors.is_empty() { axum::http::StatusCode::OK } else { axum::http::StatusCode::UNPROCESSABLE_ENTITY };
    (format!("{summary}{verdict}"), class, errors, status)
}

/// The title rows of a sheet exported by `actor`: filed by its organisation (a department's, its
/// bureau), over its area, for `period` when the list covers one, dated now.
pub async fn head(state: &crate::AppState, actor: &anjian_app::Actor, period: Option<String>) -> SheetHead {
    let issuer = match actor.role.is_bureau() {
        true => state.app.issuing_bureau(actor).await.ok(),
        false => actor.org.clone(),
    };
    let scope = match &issuer {
        Some(o) if actor.role.is_bureau() => {
            state.app.jurisdiction(o.jurisdiction_id).await.ok().flatten().map(|j| j.name).unwrap_or_default()
        }
        Some(o) => o.name.clone(),
        None => String::new(),
    };
    SheetHead {
        title: String::new(),
        issuer: issuer.map(|o| o.name).unwrap_or_default(),
        scope,
        period: period.unwrap_or_default(),
        date: local(state.app.clock.now()).format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// Any list as an .xlsx (see `anjian_reports::table`), its failure as an internal error.
pub fn table_xlsx(
    head: &SheetHead,
    sheet: &str,
    headers: &[&str],
    widths: &[f64],
    rows: &[Vec<anjian_reports::ledger_sheet::Cell>],
) -> Result<Vec<u8>, anjian_app::AppError> {
    anjian_reports::table::write(head, sheet, headers, widths, rows)
        .map_err(|e| anjian_app::AppError::Internal(format!("writing a sheet: {e}")))
}

/// A list as an .xlsx download, or the error page.
pub fn table_response(
    lang: Lang,
    head: &SheetHead,
    file_name: &str,
    sheet: &str,
    headers: &[&str],
    widths: &[f64],
    rows: &[Vec<anjian_reports::ledger_sheet::Cell>],
) -> Response {
    match table_xlsx(head, sheet, headers, widths, rows) {
        Ok(bytes) => xlsx_response(bytes, file_name),
        Err(e) => crate::error::PageError::new(e, lang).into_response(),
    }
}
