//! The campaign page: the plan in force, its phases on a timeline, the tasks by battle, the
//! leaders and their liaison duties, and the frequency rules.

use crate::auth::Signed;
use crate::i18n::Lang;
use crate::kit::page::{key, render, Chrome};
use crate::AppState;
use anjian_app::AppError;
use anjian_domain::plan::{Per, Plan};
use anjian_domain::role::Permission;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/campaign", get(page))
}

pub struct PhaseView {
    pub name: String,
    pub starts: String,
    pub ends: String,
    pub state: &'static str,
    pub state_key: &'static str,
}

pub struct TaskView {
    pub no: u32,
    pub area: String,
    pub content: String,
    pub departments: String,
    pub due: String,
}

pub struct BattleView {
    pub name: String,
    pub tasks: Vec<TaskView>,
}

pub struct LeaderView {
    pub name: String,
    pub title: String,
    pub counties: String,
    pub industries: String,
    pub duties: Vec<String>,
}

pub struct RuleView {
    pub title: String,
    pub source: String,
    pub at_least: u32,
    pub when: String,
    pub note: String,
}

pub struct CampaignView {
    pub title: String,
    pub document_no: String,
    pub issuer: String,
    pub issued: String,
    pub starts: String,
    pub ends: String,
    pub status: String,
    pub version: i32,
    pub phases: Vec<PhaseView>,
    pub battles: Vec<BattleView>,
    pub leaders: Vec<LeaderView>,
    pub rules: Vec<RuleView>,
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct Page {
    p: Chrome,
    title: String,
    campaign: Option<CampaignView>,
}

/// Builds the page's view of a plan as of a local date.
pub fn view(plan: &Plan, version: i32, today: chrono::NaiveDate, lang: Lang) -> CampaignView {
    let dept_names = |codes: &[toml::Spanned<String>]| {
        codes
            .iter()
            .map(|c| plan.department(c.get_ref()).map_or_else(|| c.get_ref().clone(), |d| d.name.clone()))
            .collect::<Vec<_>>()
            .join("、")
    };
    let span = plan.span();
    let status = if today < span.starts {
        lang.t("campaign.not_started").to_owned()
    } else if today > span.ends {
        lang.t("campaign.ended").to_owned()
    } else {
        plan.phase_on(today).map_or_else(String::new, |p| p.name.clone())
    };
    let phases = plan
        .phases
        .iter()
        .map(|ph| {
            let s = ph.span();
            let (state, state_key) = if today > s.ends {
                ("past", "campaign.phase_past")
            } else if today < s.starts {
                ("future", "campaign.phase_future")
            } else {
                ("now", "campaign.phase_now")
            };
            PhaseView {
                name: ph.name.clone(),
                starts: s.starts.format("%m-%d").to_string(),
                ends: s.ends.format("%m-%d").to_string(),
                state,
                state_key,
            }
        })
        .collect();
    let battles = plan
        .battles
        .iter()
        .map(|b| BattleView {
            name: b.name.clone(),
            tasks: plan
                .tasks
                .iter()
                .filter(|t| t.battle.get_ref() == b.code.get_ref())
                .map(|t| TaskView {
                    no: *t.no.get_ref(),
                    area: t.area.clone(),
                    content: t.content.clone(),
                    departments: match (&t.responsible, t.departments.is_empty()) {
                        (Some(r), true) => r.clone(),
                        (Some(r), false) if r.contains("共同") => {
                            format!("{}（{r}）", dept_names(&t.departments))
                        }
                        _ => dept_names(&t.departments),
                    },
                    due: match &t.due {
                        Some(d) => format!("{}（{}）", t.due_text, d.get_ref().0),
                        None => t.due_text.clone(),
                    },
                })
                .collect(),
        })
        .collect();
    let leaders = plan
        .leaders
        .iter()
        .map(|l| LeaderView {
            name: l.name.clone(),
            title: l.title.clone(),
            counties: l
                .counties
                .iter()
                .map(|c| plan.jurisdiction(c.get_ref()).map_or_else(|| c.get_ref().clone(), |j| j.name.clone()))
                .collect::<Vec<_>>()
                .join("、"),
            industries: l
                .industries
                .iter()
                .map(|i| plan.vocabulary().industry_name(i.as_str(), lang == Lang::En))
                .collect::<Vec<_>>()
                .join("、"),
            duties: l.duties.clone(),
        })
        .collect();
    let rules = plan
        .rules
        .iter()
        .map(|r| RuleView {
            title: r.title.clone(),
            source: r.source.clone(),
            at_least: *r.at_least.get_ref(),
            when: match (&r.per, &r.by) {
                (_, Some(by)) => format!("{} {}", by.get_ref().0, lang.t("per.by")),
                (Some(per), None) => lang.t(key("per", per_code(*per))).to_owned(),
                (None, None) => String::new(),
            },
            note: crate::kit::page::rule_explanation(lang, plan.vocabulary(), r),
        })
        .collect();
    CampaignView {
        title: plan.plan.title.clone(),
        document_no: plan.plan.document_no.clone().unwrap_or_default(),
        issuer: plan.plan.issuer.clone(),
        issued: plan.plan.issued.0.to_string(),
        starts: span.starts.to_string(),
        ends: span.ends.to_string(),
        status,
        version,
        phases,
        battles,
        leaders,
        rules,
    }
}

fn per_code(p: Per) -> &'static str {
    match p {
        Per::Hour => "hour",
        Per::Week => "week",
        Per::HalfMonth => "half_month",
        Per::Month => "month",
        Per::Quarter => "quarter",
        Per::Year => "year",
        Per::Phase => "phase",
        Per::Campaign => "campaign",
        Per::Event => "event",
    }
}

async fn page(State(state): State<AppState>, s: Signed) -> Response {
    if let Err(e) = s.actor().require(Permission::ViewCampaign) {
        return crate::error::PageError::new(e, s.lang).into_response();
    }
    let campaign = match state.app.current_campaign().await {
        Ok((plan, version)) => {
            let today = anjian_domain::period::local_date(state.app.clock.now());
            Some(view(&plan, version, today, s.lang))
        }
        Err(AppError::NoPlan) => None,
        Err(e) => return crate::error::PageError::new(e, s.lang).into_response(),
    };
    let title = campaign.as_ref().map_or_else(|| s.lang.t("campaign.title").to_owned(), |c| c.title.clone());
    render(&Page { p: Chrome::signed(&s, "/campaign"), title, campaign })
}
