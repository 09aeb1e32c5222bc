//! Hazards on pages: the scoped list with its filters, reporting one, and a hazard with only the
//! actions its state and the reader's role allow (the domain decides which).

use crate::auth::{csrf_refusal, Signed};
use crate::error::PageError;
use crate::kit::page::{field_messages, key, local_time, render, Chrome};
use crate::AppState;
use anjian_app::hazards::HazardInput;
use anjian_domain::hazard::{self, Action, Doer, HazardFacts};
use anjian_domain::hazard::{HazardFilter, PlanParts};
use anjian_domain::money::Fen;
use anjian_domain::role::Permission;
use anjian_reports::sheet_head::SheetHead;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hazards", get(list).post(report))
        .route("/hazards/export.xlsx", get(export))
        .route(
            "/hazards/import",
            get(import_form).post(import).layer(axum::extract::DefaultBodyLimit::max(crate::kit::api::IMPORT_LIMIT)),
        )
        .route("/hazards/{id}", get(detail))
        .route("/hazards/{id}/actions", post(act))
        .route("/hazards/{id}/deadline", post(deadline))
        .route(
            "/hazards/{id}/photos",
            post(add_photo).layer(axum::extract::DefaultBodyLimit::max(crate::kit::api::IMPORT_LIMIT)),
        )
        .route("/attachments/{id}", get(attachment))
        .route("/hazards/{id}/typical-case", post(mark_case))
}

const PAGE: u64 = 50;

pub struct Row {
    pub id: i64,
    pub description: String,
    pub org: String,
    pub grade: String,
    pub state_key: &'static str,
    pub overdue: bool,
    pub deadline: String,
}

#[derive(Template)]
#[template(path = "hazards.html")]
struct ListPage {
    p: Chrome,
    title: &'static str,
    rows: Vec<Row>,
    count_text: String,
    states: Vec<(&'static str, &'static str)>,
    grades: Vec<(String, String)>,
    f_state: String,
    f_grade: String,
    f_q: String,
    f_overdue: bool,
    f_open: bool,
    f_period: String,
    f_industry: String,
    jurisdictions: Vec<(i64, String, bool)>,
    industries: Vec<(String, String)>,
    next_href: Option<String>,
    export_href: String,
    can_report: bool,
    errors: Vec<String>,
    /// An enterprise reports on itself: its id goes as a hidden field …
    own_org: Option<i64>,
    /// … a bureau picks the organisation by name.
    org_picker: crate::kit::picker::OrgPicker,
    idempotency_key: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    state: Option<String>,
    grade: Option<String>,
    q: Option<String>,
    overdue: Option<String>,
    /// Not yet closed (未销号): what the cockpit's open figures count.
    open: Option<String>,
    org_id: Option<i64>,
    jurisdiction_id: Option<i64>,
    industry: Option<String>,
    /// `YYYY-MM`: discovered in that month.
    period: Option<String>,
    before: Option<i64>,
}

use crate::kit::sheets::grades;

impl ListQuery {
    async fn filter(&self, state: &AppState, now: DateTime<Utc>) -> anjian_app::Result<HazardFilter> {
        let jurisdiction_path = state.app.jurisdiction_filter(self.jurisdiction_id).await?;
        let month =
            self.period.as_deref().filter(|p| !p.is_empty()).and_then(|p| anjian_app::ledgers::parse_period(p).ok());
        Ok(HazardFilter {
            jurisdiction_path,
            industry: self.industry.clone().filter(|i| !i.is_empty()),
            org_id: self.org_id,
            state: crate::kit::api::code("state", self.state.as_deref())?,
            grade: self.grade.clone().filter(|x| !x.is_empty()),
            overdue_at: self.overdue.is_some().then_some(now),
            open_only: self.open.is_some(),
            since: month.map(|m| m.start),
            until: month.map(|m| m.end),
            q: self.q.clone().filter(|x| !x.trim().is_empty()).map(|x| x.trim().chars().take(50).collect()),
            ..Default::default()
        })
    }

    /// The list's filters as a query string, for the next page and the export.
    fn query_string(&self) -> String {
        let enc = crate::kit::page::urlencode;
        format!(
            "state={}&grade={}&q={}&industry={}&period={}{}{}{}",
            enc(self.state.as_deref().unwrap_or("")),
            enc(self.grade.as_deref().unwrap_or("")),
            enc(self.q.as_deref().unwrap_or("")),
            enc(self.industry.as_deref().unwrap_or("")),
            enc(self.period.as_deref().unwrap_or("")),
            self.jurisdiction_id.map(|j| format!("&jurisdiction_id={j}")).unwrap_or_default(),
            if self.overdue.is_some() { "&overdue=true" } else { "" },
            if self.open.is_some() { "&open=true" } else { "" },
        )
    }
}

async fn list_page(state: &AppState, s: &Signed, q: ListQuery, errors: Vec<String>) -> Response {
    let words = crate::kit::words::Words::of(state, s.lang).await;
    let now = state.app.clock.now();
    let f = match q.filter(state, now).await {
        Ok(f) => f,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let (rows, count) = match tokio::try_join!(
        state.app.list_hazards(s.actor(), &f, q.before, PAGE),
        state.app.count_hazards(s.actor(), &f)
    ) {
        Ok(x) => x,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let grades = grades(state).await;
    let grade_name: HashMap<&String, &String> = grades.iter().map(|(c, n)| (c, n)).collect();
    let names = crate::kit::page::org_names(state, s.actor(), rows.iter().map(|h| h.org_id)).await;
    let next_href = (rows.len() as u64 == PAGE)
        .then(|| format!("/hazards?{}&before={}", q.query_string(), rows.last().map_or(0, |h| h.id)));
    let export_href = format!("/hazards/export.xlsx?{}", q.query_string());
    let view = rows
        .into_iter()
        .map(|h| {
            let st = h.state;
            Row {
                id: h.id,
                org: names.get(&h.org_id).cloned().unwrap_or_default(),
                grade: grade_name.get(&h.grade).map_or_else(|| h.grade.clone(), |n| (*n).clone()),
                state_key: key("state", st.as_str()),
                overdue: hazard::is_overdue(st, h.deadline, now),
                deadline: h.deadline.map(local_time).unwrap_or_default(),
                description: h.description,
            }
        })
        .collect();
    let actor = s.actor();
    let page = ListPage {
        p: Chrome::signed(s, "/hazards"),
        title: s.lang.t("hazards.title"),
        rows: view,
        count_text: s.lang.t("orgs.count").replace("{}", &count.to_string()),
        states: ["reported", "rectifying", "awaiting_verification", "closed"]
            .iter()
            .map(|c| (*c, key("state", c)))
            .collect(),
        grades,
        f_state: q.state.unwrap_or_default(),
        f_grade: q.grade.unwrap_or_default(),
        f_q: q.q.unwrap_or_default(),
        f_overdue: q.overdue.is_some(),
        f_open: q.open.is_some(),
        f_period: q.period.clone().unwrap_or_default(),
        f_industry: q.industry.clone().unwrap_or_default(),
        jurisdictions: state
            .app
            .visible_jurisdictions(actor)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|j| (j.id, j.name, q.jurisdiction_id == Some(j.id)))
            .collect(),
        industries: words
            .vocabulary()
            .industries
            .iter()
            .map(|i| (i.code.get_ref().to_string(), words.industry(i.code.get_ref().as_str())))
            .collect(),
        next_href,
        export_href,
        can_report: actor.role.can(Permission::ReportHazard),
        errors,
        own_org: crate::kit::picker::own_org(actor),
        org_picker: match crate::kit::picker::own_org(actor) {
            Some(_) => crate::kit::picker::OrgPicker::unused("org_id", "hazards.org"),
            None => crate::kit::picker::org_picker(state, actor, "org_id", "hazards.org", None, None, true).await,
        },
        idempotency_key: uuid::Uuid::new_v4().to_string(),
    };
    render(&page)
}

async fn list(State(state): State<AppState>, s: Signed, Query(q): Query<ListQuery>) -> Response {
    list_page(&state, &s, q, Vec::new()).await
}

#[derive(Deserialize)]
struct ReportForm {
    _csrf: String,
    idempotency_key: String,
    org_id: String,
    grade: String,
    description: String,
    #[serde(default)]
    measures: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    funds: String,
}

async fn report(State(state): State<AppState>, s: Signed, Form(f): Form<ReportForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    let invalid = |field: &str, code: &str| field_messages(s.lang, &anjian_app::AppError::invalid(field, code));
    let org_id = match state.app.pick_org(s.actor(), &f.org_id, "org_id").await {
        Ok(id) => id,
        Err(e) => {
            let msgs = field_messages(s.lang, &e);
            return (StatusCode::UNPROCESSABLE_ENTITY, list_page(&state, &s, ListQuery::default(), msgs).await)
                .into_response();
        }
    };
    let Some(funds) = Fen::parse_yuan(&f.funds) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            list_page(&state, &s, ListQuery::default(), invalid("funds", "invalid")).await,
        )
            .into_response();
    };
    let input = HazardInput {
        description: f.description,
        point_id: None,
        grade: f.grade,
        category: None,
        measures: f.measures,
        funds_fen: funds.fen(),
        owner: f.owner,
        deadline: crate::kit::page::end_of_local_day(&f.deadline),
    };
    match state.app.report_hazard(s.actor(), org_id, "report", input, Some(&f.idempotency_key)).await {
        Ok(c) => Redirect::to(&format!("/hazards/{}", c.value.id)).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, list_page(&state, &s, ListQuery::default(), field_messages(s.lang, &e)).await).into_response()
        }
    }
}

pub struct PlanView {
    pub goals: String,
    pub measures: String,
    pub funds_materials: String,
    pub responsible: String,
    pub time_limit: String,
    pub safety_emergency: String,
    pub suspends_work: bool,
}

#[derive(Template)]
#[template(path = "hazard.html")]
struct DetailPage {
    p: Chrome,
    title: String,
    h: anjian_domain::hazard::Hazard,
    errors: Vec<String>,
    major: bool,
    overdue: bool,
    state_key: &'static str,
    source_key: &'static str,
    org: String,
    grade: String,
    location: String,
    discovered: String,
    funds: String,
    deadline: String,
    /// The deadline form: `Some(false)` to set the first one, `Some(true)` for a bureau to move
    /// it (a reason is required).
    deadline_form: Option<bool>,
    actions: Vec<(&'static str, &'static str)>,
    plan_parts: Vec<(&'static str, &'static str)>,
    plan: Option<PlanView>,
    events: Vec<(String, String, &'static str, String)>,
    photos: Vec<(i64, &'static str)>,
    can_add_photo: bool,
    can_mark_case: bool,
    typical_case: Option<(String, String)>,
    /// 挂牌督办: the notice, its steps and the forms this reader may use.
    sup: super::supervision::Part,
    /// The papers served about it, and whether this reader may order it rectified.
    lines: Vec<crate::papers::Line>,
    may_order: bool,
}

const PLAN_PARTS: [(&str, &str); 6] = [
    ("goals", "hazards.plan.goals"),
    ("measures", "hazards.plan.measures"),
    ("funds_materials", "hazards.plan.funds_materials"),
    ("responsible", "hazards.plan.responsible"),
    ("time_limit", "hazards.plan.time_limit"),
    ("safety_emergency", "hazards.plan.safety_emergency"),
];

pub(super) async fn detail_page(state: &AppState, s: &Signed, id: i64, errors: Vec<String>) -> Response {
    let v = match state.app.get_hazard(s.actor(), id).await {
        Ok(v) => v,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let actor = s.actor();
    let h = v.hazard;
    let facts = HazardFacts {
        state: h.state,
        major: v.major,
        has_governance_plan: h.has_plan,
        fixed_by: h.fixed_by,
        has_after_photo: v.photos.iter().any(|p| p.role == "after"),
        has_deadline: h.deadline.is_some(),
    };
    let doer = Doer { user_id: actor.id(), regulator: actor.role.is_bureau() };
    // Offer only what the lifecycle would accept from this person now.
    let candidates = [
        (Action::AttachPlan, Permission::RectifyHazard),
        (Action::FixOnSpot, Permission::RectifyHazard),
        (Action::StartRectifying, Permission::RectifyHazard),
        (Action::SubmitRectification, Permission::RectifyHazard),
        (Action::Verify, Permission::VerifyHazard),
        (Action::Reject { reason: "-".into() }, Permission::VerifyHazard),
    ];
    let actions = candidates
        .iter()
        .filter(|(a, perm)| actor.role.can(*perm) && hazard::apply(&facts, a, doer).is_ok())
        .filter(|(a, _)| !(matches!(a, Action::AttachPlan) && h.has_plan))
        .map(|(a, _)| (a.name(), key("action", a.name())))
        .collect();
    let grades = grades(state).await;
    let grade = grades.iter().find(|(c, _)| *c == h.grade).map_or_else(|| h.grade.clone(), |(_, n)| n.clone());
    let org = state.app.get_org(actor, h.org_id).await.map(|(o, _)| o.name).unwrap_or_default();
    let location = match h.point_id {
        Some(pid) => state
            .app
            .points_of(actor, h.org_id)
            .await
            .ok()
            .and_then(|ps| ps.into_iter().find(|p| p.id == pid))
            .map(|p| p.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let sup = match super::supervision::part(state, s, &h, v.overdue, v.major).await {
        Ok(p) => p,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let papers = state.app.papers_of_hazard(actor, h.id).await.unwrap_or_default();
    let ids: Vec<i64> = v.events.iter().map(|e| e.actor_id).collect();
    let names = state.app.people_names(&ids).await.unwrap_or_default();
    let page = DetailPage {
        sup,
        lines: crate::papers::lines(&papers),
        may_order: actor.role.is_bureau()
            && actor.role.can(Permission::VerifyHazard)
            && !h.is_closed()
            && h.deadline.is_some(),
        p: Chrome::signed(s, "/hazards"),
        title: h.description.clone(),
        errors,
        major: v.major,
        overdue: v.overdue,
        state_key: key("state", h.state.as_str()),
        source_key: key("source", &h.source),
        org,
        grade,
        location,
        discovered: local_time(h.discovered_at),
        funds: h.funds_fen.to_string(),
        deadline: h.deadline.map(local_time).unwrap_or_default(),
        deadline_form: match (h.is_closed(), h.deadline) {
            (true, _) => None,
            (false, None) => actor.role.can(Permission::RectifyHazard).then_some(false),
            (false, Some(_)) => actor.role.is_bureau().then_some(true),
        },
        actions,
        plan_parts: PLAN_PARTS.to_vec(),
        plan: v.plan.map(|p| PlanView {
            goals: p.goals,
            measures: p.measures,
            funds_materials: p.funds_materials,
            responsible: p.responsible,
            time_limit: p.time_limit,
            safety_emergency: p.safety_emergency,
            suspends_work: p.suspends_work,
        }),
        events: v
            .events
            .into_iter()
            .map(|e| {
                let who = names.get(&e.actor_id).cloned().unwrap_or(e.actor);
                (local_time(e.at), who, key("action", &e.action), e.reason)
            })
            .collect(),
        photos: v.photos.iter().map(|p| (p.id, key("photo", &p.role))).collect(),
        can_add_photo: actor.role.can(Permission::ReportHazard) && !h.is_closed(),
        can_mark_case: actor.role.is_bureau() && v.major && h.is_closed() && v.typical_case.is_none(),
        typical_case: v.typical_case.map(|c| (c.title, c.narrative)),
        h,
    };
    render(&page)
}

#[derive(Deserialize)]
struct DeadlineForm {
    _csrf: String,
    deadline: String,
    #[serde(default)]
    reason: String,
}

async fn deadline(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<i64>,
    Form(f): Form<DeadlineForm>,
) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    let r = match crate::kit::page::end_of_local_day(&f.deadline) {
        Some(d) => state.app.set_hazard_deadline(s.actor(), id, d, &f.reason).await.map(|_| ()),
        None => Err(anjian_app::AppError::invalid("deadline", "invalid_date")),
    };
    match r {
        Ok(()) => Redirect::to(&format!("/hazards/{id}")).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, detail_page(&state, &s, id, field_messages(s.lang, &e)).await).into_response()
        }
    }
}

async fn detail(State(state): State<AppState>, s: Signed, Path(id): Path<i64>) -> Response {
    detail_page(&state, &s, id, Vec::new()).await
}

#[derive(Deserialize)]
struct ActionForm {
    _csrf: String,
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(flatten)]
    plan: HashMap<String, String>,
}

async fn act(State(state): State<AppState>, s: Signed, Path(id): Path<i64>, Form(f): Form<ActionForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    let action = match crate::hazards::api::parse_action(&f.action, f.reason.clone()) {
        Ok(a) => a,
        Err(e) => {
            return (StatusCode::UNPROCESSABLE_ENTITY, detail_page(&state, &s, id, field_messages(s.lang, &e)).await)
                .into_response()
        }
    };
    let part = |k: &str| f.plan.get(k).cloned().unwrap_or_default();
    let plan = matches!(action, Action::AttachPlan).then(|| PlanParts {
        goals: part("goals"),
        measures: part("measures"),
        funds_materials: part("funds_materials"),
        responsible: part("responsible"),
        time_limit: part("time_limit"),
        safety_emergency: part("safety_emergency"),
        suspends_work: f.plan.contains_key("suspends_work"),
    });
    match state.app.act_on_hazard(s.actor(), id, action, plan).await {
        Ok(_) => Redirect::to(&format!("/hazards/{id}")).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, detail_page(&state, &s, id, field_messages(s.lang, &e)).await).into_response()
        }
    }
}

async fn export(State(state): State<AppState>, s: Signed, Query(q): Query<ListQuery>) -> Response {
    let f = match q.filter(&state, state.app.clock.now()).await {
        Ok(f) => f,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let rows = match state.app.export_hazards(s.actor(), &f, 100_000).await {
        Ok(r) => r,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let grades: HashMap<String, String> = grades(&state).await.into_iter().collect();
    let head = SheetHead {
        title: crate::sheets::zh("sheet.ledger.title").into(),
        ..crate::sheets::head(&state, s.actor(), None).await
    };
    let words = crate::kit::words::Words::of(&state, s.lang).await;
    match anjian_reports::ledger_sheet::write(&head, &crate::sheets::ledger_rows(rows, &grades, words.vocabulary())) {
        Ok(bytes) => crate::sheets::xlsx_response(bytes, crate::sheets::zh("sheet.ledger.file")),
        Err(e) => PageError::new(anjian_app::AppError::Internal(e.to_string()), s.lang).into_response(),
    }
}

#[derive(Template)]
#[template(path = "hazard_import.html")]
struct ImportPage {
    p: Chrome,
    title: &'static str,
    org_id: String,
    result: Option<String>,
    result_class: &'static str,
    errors: Vec<String>,
}

fn import_page(s: &Signed, org_id: String, result: Option<(String, &'static str)>, errors: Vec<String>) -> Response {
    let (result, result_class) = match result {
        Some((r, c)) => (Some(r), c),
        None => (None, ""),
    };
    render(&ImportPage {
        p: Chrome::signed(s, "/hazards"),
        title: s.lang.t("hazards.import"),
        org_id,
        result,
        result_class,
        errors,
    })
}

async fn import_form(s: Signed) -> Response {
    let own =
        s.actor().org.as_ref().filter(|o| o.kind != "regulator" && o.kind != "department").map(|o| o.id.to_string());
    import_page(&s, own.unwrap_or_default(), None, Vec::new())
}

async fn import(State(state): State<AppState>, s: Signed, form: axum::extract::Multipart) -> Response {
    let Some(fields) = crate::kit::page::multipart_fields(form).await else {
        let msg = s.lang.code_message("too_large").to_owned();
        return (StatusCode::PAYLOAD_TOO_LARGE, import_page(&s, String::new(), None, vec![msg])).into_response();
    };
    if let Some(r) = csrf_refusal(&s.ctx, &crate::kit::page::text_field(&fields, "_csrf"), s.lang) {
        return r;
    }
    let org_id = crate::kit::page::text_field(&fields, "org_id");
    let apply = fields.contains_key("apply");
    let file = fields.get("file").cloned().unwrap_or_default();
    let picked = state.app.pick_org(s.actor(), &org_id, "org_id").await;
    let Ok(id) = picked else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            import_page(&s, org_id, None, field_messages(s.lang, &picked.expect_err("not picked"))),
        )
            .into_response();
    };
    let sheet = match crate::sheets::read_upload(file).await {
        Ok(x) => x,
        Err(e) => {
            let msg = s.lang.code_message(crate::kit::api::sheet_code(&e)).to_owned();
            return (StatusCode::UNPROCESSABLE_ENTITY, import_page(&s, org_id, None, vec![msg])).into_response();
        }
    };
    match state.app.import_hazards(s.actor(), id, sheet, &crate::sheets::source_labels(), apply).await {
        Ok(out) => {
            let (text, class, errors, status) = crate::sheets::import_summary(s.lang, &out);
            (status, import_page(&s, org_id, Some((text, class)), errors)).into_response()
        }
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, import_page(&s, org_id, None, field_messages(s.lang, &e))).into_response()
        }
    }
}

async fn add_photo(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<i64>,
    form: axum::extract::Multipart,
) -> Response {
    let Some(fields) = crate::kit::page::multipart_fields(form).await else {
        let msg = vec![s.lang.code_message("too_large").to_owned()];
        return (StatusCode::PAYLOAD_TOO_LARGE, detail_page(&state, &s, id, msg).await).into_response();
    };
    if let Some(r) = csrf_refusal(&s.ctx, &crate::kit::page::text_field(&fields, "_csrf"), s.lang) {
        return r;
    }
    let role = crate::kit::page::text_field(&fields, "role");
    let file = fields.get("photo").cloned().unwrap_or_default();
    match state.app.attach_photo(s.actor(), id, &role, file).await {
        Ok(_) => Redirect::to(&format!("/hazards/{id}")).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, detail_page(&state, &s, id, field_messages(s.lang, &e)).await).into_response()
        }
    }
}

async fn attachment(State(state): State<AppState>, s: Signed, Path(id): Path<i64>) -> Response {
    match state.app.attachment(s.actor(), id).await {
        Ok((a, bytes)) => crate::hazards::api::attachment_response(&a, bytes),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

#[derive(Deserialize)]
struct CaseForm {
    _csrf: String,
    title: String,
    narrative: String,
}

async fn mark_case(State(state): State<AppState>, s: Signed, Path(id): Path<i64>, Form(f): Form<CaseForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    match state.app.mark_typical_case(s.actor(), id, &f.title, &f.narrative).await {
        Ok(_) => Redirect::to(&format!("/hazards/{id}")).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, detail_page(&state, &s, id, field_messages(s.lang, &e)).await).into_response()
        }
    }
}
