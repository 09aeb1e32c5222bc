//! 挂牌督办 on the hazard page and the API: the notice and its steps, the forms each person may
//! use, and the list of supervised hazards with their age for the tier that issued them and
//! the tiers above.

use crate::auth::{csrf_refusal, ApiActor, Signed};
use crate::error::{ApiError, PageError};
use crate::kit::page::{end_of_local_day, field_messages, key, local_time, render, Chrome};
use crate::AppState;
use anjian_app::hazard_supervision::{StepInput, SupervisedHazard};
use anjian_app::AppError;
use anjian_domain::role::Permission;
use anjian_domain::supervision::{Step, Supervision, SupervisionStep};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new().route("/hazards/supervised", get(list)).route("/hazards/{id}/supervision", post(step))
}

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/hazards/supervised", get(api_list))
        .route("/hazards/{id}/supervision", get(api_get).post(api_step))
}

/// The supervision part of a hazard's page.
pub struct Part {
    pub notice: Option<Notice>,
    pub pending: Option<(String, String, String)>,
    pub reminders: u32,
    pub interviews: u32,
    pub steps: Vec<(String, &'static str, String, String)>,
    /// A bureau may put it under supervision now (overdue or major, not yet under a notice).
    pub may_supervise: bool,
    /// A bureau may remind, interview and answer.
    pub bureau: bool,
    /// The enterprise may ask for more time.
    pub may_request: bool,
}

pub struct Notice {
    pub number: String,
    pub until: String,
    pub text: String,
    pub age_days: i64,
}

impl Part {
    pub fn is_empty(&self) -> bool {
        self.notice.is_none() && self.steps.is_empty() && !self.may_supervise && !self.bureau && !self.may_request
    }
}

/// What the hazard page shows of its supervision, for this reader.
pub async fn part(
    state: &AppState,
    s: &Signed,
    h: &anjian_domain::hazard::Hazard,
    overdue: bool,
    major: bool,
) -> anjian_app::Result<Part> {
    let actor = s.actor();
    let (sup, steps): (Supervision, Vec<SupervisionStep>) = state.app.hazard_supervision(actor, h.id).await?;
    let now = state.app.clock.now();
    let open = !h.is_closed();
    let bureau = open && actor.role.is_bureau() && actor.role.can(Permission::VerifyHazard);
    Ok(Part {
        notice: sup.notice.as_ref().map(|n| Notice {
            number: n.number.clone().unwrap_or_default(),
            until: n.until.map(local_time).unwrap_or_default(),
            text: n.text.clone(),
            age_days: sup.age_days(now).unwrap_or(0),
        }),
        pending: sup
            .pending_extension
            .as_ref()
            .map(|p| (p.by_name.clone(), p.until.map(local_time).unwrap_or_default(), p.text.clone())),
        reminders: sup.reminders,
        interviews: sup.interviews,
        steps: steps
            .iter()
            .map(|st| {
                let what = match st.step {
                    Step::Interview => {
                        format!("{}（{}）{}", st.held_at.map(local_time).unwrap_or_default(), st.people, st.text)
                    }
                    _ => st.text.clone(),
                };
                (local_time(st.at), key("supervision.step", st.step.as_str()), st.by_name.clone(), what)
            })
            .collect(),
        may_supervise: bureau && sup.notice.is_none() && (overdue || major),
        may_request: open
            && !actor.role.is_bureau()
            && actor.role.can(Permission::RectifyHazard)
            && sup.pending_extension.is_none(),
        bureau: bureau && (sup.notice.is_some() || sup.pending_extension.is_some() || overdue || major),
    })
}

#[derive(Deserialize)]
struct StepForm {
    _csrf: String,
    step: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    people: String,
    #[serde(default)]
    held_at: String,
}

async fn step(State(state): State<AppState>, s: Signed, Path(id): Path<i64>, Form(f): Form<StepForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    let input = || -> anjian_app::Result<StepInput> {
        let step = f.step.parse::<Step>().map_err(|_| AppError::invalid("step", "invalid_kind"))?;
        let date = |field: &str, v: &str| match v.trim() {
            "" => Ok(None),
            v => end_of_local_day(v).map(Some).ok_or_else(|| AppError::invalid(field, "invalid_date")),
        };
        Ok(StepInput {
            step,
            until: date("until", &f.until)?,
            text: f.text.clone(),
            people: f.people.clone(),
            // An interview is dated by its day; the form asks no hour.
            held_at: date("held_at", &f.held_at)?.map(|d| d - chrono::Duration::hours(12)),
        })
    };
    let r = match input() {
        Ok(i) => state.app.supervision_step(s.actor(), id, i).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => Redirect::to(&format!("/hazards/{id}#supervision")).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, super::pages::detail_page(&state, &s, id, field_messages(s.lang, &e)).await).into_response()
        }
    }
}

struct Line {
    id: i64,
    description: String,
    org: String,
    number: String,
    issued: String,
    age_days: i64,
    until: String,
    overdue: bool,
    state_key: &'static str,
}

#[derive(Template)]
#[template(path = "supervised.html")]
struct ListPage {
    p: Chrome,
    title: &'static str,
    lines: Vec<Line>,
}

async fn list(State(state): State<AppState>, s: Signed) -> Response {
    let list = match state.app.supervised_hazards(s.actor()).await {
        Ok(l) => l,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let names = crate::kit::page::org_names(&state, s.actor(), list.iter().map(|x| x.hazard.org_id)).await;
    render(&ListPage {
        p: Chrome::signed(&s, "/hazards/supervised"),
        title: s.lang.t("supervision.list"),
        lines: list
            .into_iter()
            .map(|x| Line {
                id: x.hazard.id,
                org: names.get(&x.hazard.org_id).cloned().unwrap_or_default(),
                number: x.notice.number.clone().unwrap_or_default(),
                issued: local_time(x.notice.at),
                age_days: x.age_days,
                until: x.notice.until.map(local_time).unwrap_or_default(),
                overdue: x.overdue,
                state_key: key("state", x.hazard.state.as_str()),
                description: x.hazard.description,
            })
            .collect(),
    })
}

/// A hazard's supervision: where it stands and every step.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SupervisionBody {
    pub supervision: Supervision,
    pub steps: Vec<SupervisionStep>,
}

/// A supervised hazard with its notice and the notice's age.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SupervisedBody {
    pub hazard: anjian_domain::hazard::Hazard,
    pub notice: SupervisionStep,
    pub age_days: i64,
    pub overdue: bool,
}

impl From<SupervisedHazard> for SupervisedBody {
    fn from(x: SupervisedHazard) -> Self {
        SupervisedBody { hazard: x.hazard, notice: x.notice, age_days: x.age_days, overdue: x.overdue }
    }
}

#[utoipa::path(get, path = "/api/v1/hazards/{id}/supervision", params(("id" = i64, Path)),
    responses((status = 200, body = SupervisionBody), (status = 404, body = crate::ErrorBody)))]
pub async fn api_get(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> Result<Json<SupervisionBody>, ApiError> {
    let (supervision, steps) = state.app.hazard_supervision(&a, id).await?;
    Ok(Json(SupervisionBody { supervision, steps }))
}

/// 挂牌督办, 催办, 约谈 (bureau), 申请延期 (enterprise), 同意/不同意延期 (bureau).
#[utoipa::path(post, path = "/api/v1/hazards/{id}/supervision", params(("id" = i64, Path)),
    request_body = StepInput,
    responses((status = 201, body = SupervisionStep), (status = 403, body = crate::ErrorBody), (status = 404, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
pub async fn api_step(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    Json(input): Json<StepInput>,
) -> Result<(StatusCode, Json<SupervisionStep>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.app.supervision_step(&a, id, input).await?)))
}

/// Every hazard under a notice in the caller's area, oldest notice first.
#[utoipa::path(get, path = "/api/v1/hazards/supervised",
    responses((status = 200, body = Vec<SupervisedBody>)))]
pub async fn api_list(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<SupervisedBody>>, ApiError> {
    Ok(Json(state.app.supervised_hazards(&a).await?.into_iter().map(Into::into).collect()))
}
