//! The plan's words on pages and sheets: the names of its jurisdiction levels, kinds of
//! organisation and site, industries and activities, in the reader's language.

use crate::AppState;
use anjian_domain::plan::{Plan, Vocabulary};
use anjian_i18n::Lang;
use std::sync::Arc;

/// The vocabulary of the plan in force (format 1's before any plan is imported).
pub struct Words {
    plan: Option<Arc<Plan>>,
    english: bool,
}

impl Words {
    pub async fn of(state: &AppState, lang: Lang) -> Words {
        Words { plan: state.app.current_plan().await.ok(), english: lang == Lang::En }
    }

    pub fn vocabulary(&self) -> &Vocabulary {
        match self.plan.as_deref() {
            Some(p) => p.vocabulary(),
            None => Vocabulary::format1(),
        }
    }

    pub fn org_kind(&self, code: &str) -> String {
        self.vocabulary().org_kind_name(code, self.english)
    }
    pub fn industry(&self, code: &str) -> String {
        self.vocabulary().industry_name(code, self.english)
    }
    pub fn site_kind(&self, code: &str) -> String {
        self.vocabulary().site_kind_name(code, self.english)
    }
    pub fn activity(&self, code: &str) -> String {
        self.vocabulary().activity_name(code, self.english)
    }
    pub fn level(&self, code: &str) -> String {
        self.vocabulary().level_name(code, self.english)
    }
}
