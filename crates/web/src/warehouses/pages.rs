//! Explosives warehouses' pages: the list with live alarms, a warehouse with its sensors'
//! 24-hour and 30-day charts (SVG drawn here), alarms to acknowledge and resolve, the day's
//! patrol hour by hour, checkpoints with a printable QR sheet, loadings and facilities; the
//! check-in page a guard's phone opens from a QR code; the live alarm list.

use crate::auth::{csrf_refusal, Signed};
use crate::error::PageError;
use crate::kit::page::{field_messages, local_time, render, Chrome};
use crate::AppState;
use anjian_app::warehouses::{LoadingInput, LoadingItem, PatrolHour, WarehouseView};
use anjian_domain::warehouse::{Alarm, AlarmFilter, Loading};
use anjian_reports::chart::{lines, Line};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{Duration, Timelike};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    let upload = axum::extract::DefaultBodyLimit::max(crate::kit::api::IMPORT_LIMIT);
    Router::new()
        .route("/warehouses", get(list).post(add_warehouse))
        .route("/warehouses/export.xlsx", get(list_xlsx))
        .route("/warehouses/{id}", get(detail))
        .route("/warehouses/{id}/qr", get(qr_sheet))
        .route("/warehouses/{id}/sensors", post(add_sensor))
        .route("/warehouses/{id}/checkpoints", post(add_checkpoint))
        .route("/warehouses/{id}/loadings", post(add_loading))
        .route("/warehouses/{id}/facilities", post(add_facility))
        .route("/facilities/{id}/upkeep", post(upkeep))
        .route("/alarms", get(alarms))
        .route("/alarms/export.xlsx", get(alarms_xlsx))
        .route("/alarms/{id}/{action}", post(alarm_action))
        .route("/patrol/{code}", get(checkin_form).post(checkin).layer(upload))
}

#[derive(Template)]
#[template(path = "warehouses.html")]
struct ListPage {
    p: Chrome,
    title: &'static str,
    rows: Vec<(anjian_domain::org::Site, usize)>,
    errors: Vec<String>,
    /// Whose warehouse a new one is: an explosives enterprise, picked by name.
    org_picker: crate::kit::picker::OrgPicker,
}

/// The warehouses the caller may see, each with its number of live alarms: the page and its sheet.
async fn warehouse_rows(state: &AppState, s: &Signed) -> anjian_app::Result<Vec<(anjian_domain::org::Site, usize)>> {
    let sites = state.app.warehouses(s.actor()).await?;
    let live = state.app.alarms(s.actor(), &AlarmFilter { live: true, ..Default::default() }).await?;
    let mut per_site: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    for a in &live {
        *per_site.entry(a.site_id).or_default() += 1;
    }
    Ok(sites
        .into_iter()
        .map(|site| {
            let n = per_site.get(&site.id).copied().unwrap_or(0);
            (site, n)
        })
        .collect())
}

async fn list_page(state: &AppState, s: &Signed, errors: Vec<String>) -> Response {
    match warehouse_rows(state, s).await {
        Ok(rows) => {
            let own = crate::kit::picker::own_org(s.actor());
            let kind = Some("explosives_enterprise");
            let org_picker =
                crate::kit::picker::org_picker(state, s.actor(), "org_id", "tip.org", kind, own, true).await;
            render(&ListPage {
                p: Chrome::signed(s, "/warehouses"),
                title: s.lang.t("wh.title"),
                rows,
                errors,
                org_picker,
            })
        }
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

/// The list as an .xlsx: warehouse, its enterprise, live alarms.
async fn list_xlsx(State(state): State<AppState>, s: Signed) -> Response {
    use anjian_reports::ledger_sheet::Cell;
    let rows = match warehouse_rows(&state, &s).await {
        Ok(r) => r,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let names = crate::kit::page::org_names(&state, s.actor(), rows.iter().map(|(site, _)| site.org_id)).await;
    let rows: Vec<Vec<Cell>> = rows
        .into_iter()
        .map(|(site, live)| {
            let org = names.get(&site.org_id).cloned().unwrap_or_default();
            vec![Cell::Text(site.name), Cell::Text(org), Cell::Number(live as f64)]
        })
        .collect();
    crate::sheets::table_response(
        s.lang,
        &crate::sheets::head(&state, s.actor(), None).await,
        crate::sheets::zh("sheet.warehouses.file"),
        crate::sheets::zh("sheet.warehouses.warehouse"),
        &crate::sheets::zh_all(&["sheet.warehouses.warehouse", "users.org", "sheet.warehouses.open_alarms"]),
        &[24.0, 30.0, 12.0],
        &rows,
    )
}

async fn list(State(state): State<AppState>, s: Signed) -> Response {
    list_page(&state, &s, Vec::new()).await
}

#[derive(Deserialize)]
struct NewWarehouse {
    _csrf: String,
    org_id: String,
    name: String,
}

async fn add_warehouse(State(state): State<AppState>, s: Signed, Form(f): Form<NewWarehouse>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    let added = match state.app.pick_org(s.actor(), &f.org_id, "org_id").await {
        Ok(org) => state.app.add_warehouse(s.actor(), org, &f.name).await,
        Err(e) => Err(e),
    };
    match added {
        Ok(site) => Redirect::to(&format!("/warehouses/{}", site.id)).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, list_page(&state, &s, field_messages(s.lang, &e)).await).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "warehouse.html")]
struct DetailPage {
    p: Chrome,
    title: String,
    v: WarehouseView,
    charts: Vec<String>,
    patrol: Vec<PatrolHour>,
    loadings: Vec<Loading>,
    loading_items: Vec<(usize, String)>,
    errors: Vec<String>,
    key: String,
}

/// The 24-hour chart of a warehouse's sensors of one kind, and the 30-day chart of their hourly
/// averages with the min–max of each hour.
async fn charts(state: &AppState, s: &Signed, v: &WarehouseView) -> anjian_app::Result<Vec<String>> {
    let now = state.app.clock.now();
    let colors = ["#c62828", "#1565c0", "#2e7d32", "#6a1b9a"];
    let mut out = Vec::new();
    for (kind, label) in [("temperature", s.lang.t("wh.temperature")), ("humidity", s.lang.t("wh.humidity"))] {
        let sensors: Vec<_> = v.sensors.iter().filter(|x| x.kind == kind).collect();
        if sensors.is_empty() {
            continue;
        }
        let band = sensors.first().map(|x| (x.low, x.high));
        let mut day = Vec::new();
        let mut month = Vec::new();
        let (day_start, month_start) = (now - Duration::hours(24), now - Duration::days(30));
        for (i, x) in sensors.iter().enumerate() {
            let color = colors[i % colors.len()];
            let raw = state.app.sensor_readings(s.actor(), x, 24).await?;
            day.push(Line {
                name: x.code.clone(),
                color,
                points: raw.iter().map(|r| ((r.at - day_start).num_seconds() as f64, r.value)).collect(),
            });
            let hours = state.app.sensor_hours(s.actor(), x, 30).await?;
            month.push(Line {
                name: format!("{} {}", x.code, s.lang.t("wh.hourly_avg")),
                color,
                points: hours
                    .iter()
                    .map(|h| ((h.hour - month_start).num_seconds() as f64, h.sum / h.n.max(1) as f64))
                    .collect(),
            });
            month.push(Line {
                name: format!("{} max", x.code),
                color: "#ef9a9a",
                points: hours.iter().map(|h| ((h.hour - month_start).num_seconds() as f64, h.max)).collect(),
            });
        }
        let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&anjian_domain::TZ);
        let day_ticks: Vec<(f64, String)> = (0..=4)
            .map(|i| {
                let t = day_start + Duration::hours(6 * i);
                ((t - day_start).num_seconds() as f64, format!("{:02}:00", local(t).hour()))
            })
            .collect();
        let month_ticks: Vec<(f64, String)> = (0..=5)
            .map(|i| {
                let t = month_start + Duration::days(6 * i);
                ((t - month_start).num_seconds() as f64, local(t).format("%m-%d").to_string())
            })
            .collect();
        out.push(lines(&format!("{label} · {}", s.lang.t("wh.last_24h")), 86_400.0, &day_ticks, band, &day));
        out.push(lines(&format!("{label} · {}", s.lang.t("wh.last_30d")), 30.0 * 86_400.0, &month_ticks, band, &month));
    }
    Ok(out)
}

async fn detail_page(state: &AppState, s: &Signed, id: i64, errors: Vec<String>) -> Response {
    let v = match state.app.warehouse_view(s.actor(), id).await {
        Ok(v) => v,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let today = anjian_domain::period::local_date(state.app.clock.now());
    let (charts, patrol, loadings, loading_items) = match (
        charts(state, s, &v).await,
        state.app.patrol_day(s.actor(), id, today).await,
        state.app.loadings(s.actor(), id).await,
        state.app.loading_items().await,
    ) {
        (Ok(c), Ok(p), Ok(l), Ok(i)) => (c, p, l, i),
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => {
            return PageError::new(e, s.lang).into_response()
        }
    };
    render(&DetailPage {
        p: Chrome::signed(s, "/warehouses"),
        title: v.site.name.clone(),
        v,
        charts,
        patrol,
        loadings,
        loading_items: loading_items.into_iter().enumerate().collect(),
        errors,
        key: uuid::Uuid::new_v4().to_string(),
    })
}

async fn detail(State(state): State<AppState>, s: Signed, Path(id): Path<i64>) -> Response {
    detail_page(&state, &s, id, Vec::new()).await
}

/// After a form on the warehouse page: back to it, or it with the errors.
async fn back(state: &AppState, s: &Signed, id: i64, r: anjian_app::Result<()>) -> Response {
    match r {
        Ok(()) => Redirect::to(&format!("/warehouses/{id}")).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, detail_page(state, s, id, field_messages(s.lang, &e)).await).into_response()
        }
    }
}

#[derive(Deserialize)]
struct Fields {
    _csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    low: String,
    #[serde(default)]
    high: String,
    #[serde(default)]
    interval_days: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    site_id: i64,
}

async fn add_sensor(State(state): State<AppState>, s: Signed, Path(id): Path<i64>, Form(f): Form<Fields>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    let range = f.low.trim().parse().ok().zip(f.high.trim().parse().ok());
    let r = state.app.add_sensor(s.actor(), id, &f.kind, range).await.map(|_| ());
    back(&state, &s, id, r).await
}

async fn add_checkpoint(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    let r = state.app.add_checkpoint(s.actor(), id, &f.name).await.map(|_| ());
    back(&state, &s, id, r).await
}

async fn add_facility(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    let days = f.interval_days.trim().parse().unwrap_or(0);
    let r = state.app.add_facility(s.actor(), id, &f.kind, &f.name, days).await.map(|_| ());
    back(&state, &s, id, r).await
}

async fn upkeep(State(state): State<AppState>, s: Signed, Path(id): Path<i64>, Form(f): Form<Fields>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    let r = state.app.record_upkeep(s.actor(), id, &f.note).await.map(|_| ());
    back(&state, &s, f.site_id, r).await
}

async fn add_loading(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let text = |n: &str| f.iter().find(|(k, _)| k == n).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    if let Some(r) = csrf_refusal(&s.ctx, &text("_csrf"), s.lang) {
        return r;
    }
    // An item left unanswered is left out, so the use case names it; it is never taken as passed.
    let checklist = match state.app.loading_items().await {
        Ok(c) => c,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let items = checklist
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let ok = match text(&format!("item{i}")).as_str() {
                "ok" => true,
                "fail" => false,
                _ => return None,
            };
            Some(LoadingItem { item: item.clone(), ok, note: text(&format!("note{i}")) })
        })
        .collect();
    let input = LoadingInput { direction: text("direction"), vehicle: text("vehicle"), driver: text("driver"), items };
    let key = text("idempotency_key");
    let r =
        state.app.record_loading(s.actor(), id, input, Some(key.as_str()).filter(|k| !k.is_empty())).await.map(|_| ());
    back(&state, &s, id, r).await
}

#[derive(Template)]
#[template(path = "warehouse_qr.html")]
struct QrSheet {
    p: Chrome,
    title: String,
    /// The codes in pages of twelve (three across, four down on A4).
    pages: Vec<Vec<(String, String)>>,
    /// The address the codes encode when no public address is configured: a sheet printed from
    /// `localhost` would be useless on site, so the page says so.
    base: Option<String>,
}

/// A printable sheet: each checkpoint's QR code (the check-in page's address) with its name.
async fn qr_sheet(State(state): State<AppState>, s: Signed, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let v = match state.app.warehouse_view(s.actor(), id).await {
        Ok(v) => v,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let (base, configured) = state.public_base(&headers);
    let codes: Vec<(String, String)> = v
        .checkpoints
        .iter()
        .map(|c| {
            let qr = anjian_reports::qr::svg(&format!("{base}/patrol/{}", c.code), 200).unwrap_or_default();
            let qr = qr.find("<svg").map_or(qr.clone(), |i| qr[i..].to_owned());
            (format!("{} · {}", v.site.name, c.name), qr)
        })
        .collect();
    render(&QrSheet {
        p: Chrome::signed(&s, "/warehouses"),
        title: format!("{} · {}", v.site.name, s.lang.t("wh.qr_sheet")),
        pages: codes.chunks(12).map(<[_]>::to_vec).collect(),
        base: (!configured).then_some(base),
    })
}

#[derive(Template)]
#[template(path = "alarms.html")]
struct AlarmsPage {
    p: Chrome,
    title: &'static str,
    alarms: Vec<(Alarm, String)>,
}

/// The live alarms the caller may see, each with its warehouse's name: the page and its sheet.
async fn live_alarms(state: &AppState, s: &Signed) -> anjian_app::Result<Vec<(Alarm, String)>> {
    let list = state.app.alarms(s.actor(), &AlarmFilter { live: true, ..Default::default() }).await?;
    let sites = state.app.warehouses(s.actor()).await?;
    Ok(list
        .into_iter()
        .map(|a| {
            let name = sites.iter().find(|x| x.id == a.site_id).map(|x| x.name.clone()).unwrap_or_default();
            (a, name)
        })
        .collect())
}

async fn alarms(State(state): State<AppState>, s: Signed) -> Response {
    match live_alarms(&state, &s).await {
        Ok(alarms) => {
            render(&AlarmsPage { p: Chrome::signed(&s, "/warehouses"), title: s.lang.t("wh.alarms"), alarms })
        }
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

/// The same list as an .xlsx, labels in Chinese as bureaus file them.
async fn alarms_xlsx(State(state): State<AppState>, s: Signed) -> Response {
    use anjian_reports::ledger_sheet::Cell;
    let alarms = match live_alarms(&state, &s).await {
        Ok(a) => a,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let zh = crate::i18n::Lang::Zh;
    let local = |t| Cell::DateTime(crate::sheets::local(t));
    let rows: Vec<Vec<Cell>> = alarms
        .into_iter()
        .map(|(a, site)| {
            vec![
                Cell::Text(site),
                Cell::Text(zh.t(crate::kit::page::key("alarm", &a.kind)).to_owned()),
                a.value.map_or(Cell::Empty, Cell::Number),
                local(a.opened_at),
                Cell::Text(zh.t(crate::kit::page::key("alarm_state", a.state.as_str())).to_owned()),
                a.escalated_at.map_or(Cell::Empty, local),
                Cell::Text(a.note),
            ]
        })
        .collect();
    crate::sheets::table_response(
        s.lang,
        &crate::sheets::head(&state, s.actor(), None).await,
        crate::sheets::zh("sheet.alarms.file"),
        crate::sheets::zh("sheet.warehouses.open_alarms"),
        &crate::sheets::zh_all(&[
            "sheet.warehouses.warehouse",
            "wh.kind",
            "sheet.alarms.value",
            "sheet.alarms.opened_at",
            "ob.status",
            "sheet.alarms.escalated_at",
            "sheet.alarms.note",
        ]),
        &[24.0, 14.0, 10.0, 18.0, 10.0, 18.0, 40.0],
        &rows,
    )
}

async fn alarm_action(
    State(state): State<AppState>,
    s: Signed,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<Fields>,
) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    let r = match action.as_str() {
        "acknowledge" => state.app.acknowledge_alarm(s.actor(), id).await,
        "resolve" => state.app.resolve_alarm(s.actor(), id, &f.note).await,
        "hazard" => match state.app.alarm_to_hazard(s.actor(), id).await {
            Ok(h) => return Redirect::to(&format!("/hazards/{h}")).into_response(),
            Err(e) => Err(e),
        },
        _ => return crate::kit::page::error_page(s.lang, StatusCode::NOT_FOUND, s.lang.t("err.not_found")),
    };
    back(&state, &s, f.site_id, r).await
}

#[derive(Template)]
#[template(path = "checkin.html")]
struct CheckinPage {
    p: Chrome,
    title: String,
    code: String,
    done: Option<(String, bool)>,
    errors: Vec<String>,
}

async fn checkin_form(State(state): State<AppState>, s: Signed, Path(code): Path<String>) -> Response {
    match state.app.checkpoint_for(s.actor(), &code).await {
        Ok((cp, site)) => render(&CheckinPage {
            p: Chrome::signed(&s, "/warehouses"),
            title: format!("{} · {}", site.name, cp.name),
            code,
            done: None,
            errors: Vec::new(),
        }),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

async fn checkin(
    State(state): State<AppState>,
    s: Signed,
    Path(code): Path<String>,
    form: axum::extract::Multipart,
) -> Response {
    let Some(fields) = crate::kit::page::multipart_list(form).await else {
        return crate::kit::page::error_page(s.lang, StatusCode::PAYLOAD_TOO_LARGE, s.lang.code_message("too_large"));
    };
    if let Some(r) = csrf_refusal(&s.ctx, &crate::kit::page::list_text(&fields, "_csrf"), s.lang) {
        return r;
    }
    let photo = fields.iter().find(|(k, v)| k == "photo" && !v.is_empty()).map(|(_, v)| v.clone());
    let (title, result) = match state.app.checkpoint_for(s.actor(), &code).await {
        Ok((cp, site)) => (
            format!("{} · {}", site.name, cp.name),
            state.app.check_in(s.actor(), &code, &crate::kit::page::list_text(&fields, "note"), photo).await,
        ),
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let (status, done, errors) = match result {
        Ok((c, complete)) => (StatusCode::OK, Some((local_time(c.at), complete)), Vec::new()),
        Err(e) => (crate::error::status_and_code(&e).0, None, field_messages(s.lang, &e)),
    };
    (status, render(&CheckinPage { p: Chrome::signed(&s, "/warehouses"), title, code, done, errors })).into_response()
}
