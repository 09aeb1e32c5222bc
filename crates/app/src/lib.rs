//! The use cases of anjian, each in one place: the web pages, the JSON API and the command line
//! call the same functions. A use case checks permission, validates, writes, audits.

pub mod actor;
pub mod audit;
pub mod audit_checkpoint;
pub mod auth;
pub mod bureau_reports;
pub mod checklists;
pub mod cockpit;
pub mod crossings;
pub mod crypto;
pub mod demo;
mod demo_campaign;
mod demo_history;
mod demo_tests;
mod demo_warehouses;
mod error;
pub mod fundamentals;
pub mod hazard_import;
pub mod hazard_supervision;
pub mod hazards;
pub mod home;
pub mod inspections;
mod intake;
pub mod ledgers;
pub mod liaison;
pub mod obligations;
pub mod orgs;
pub mod papers;
pub mod plans;
pub mod reminders;
pub mod safety_test;
pub mod settings;
pub mod tasks;
pub mod throttle;
pub mod tips;
pub mod users;
pub mod warehouses;

pub use actor::Actor;
pub use error::{AppError, FieldError};
pub use settings::Settings;

/// What anjian writes for the bureau — notices, reports, the records it files itself — is in
/// Chinese, with the catalogue's words.
pub(crate) const ZH: anjian_i18n::Lang = anjian_i18n::Lang::Zh;

use anjian_domain::clock::Clock;
use anjian_domain::plan::Plan;
use anjian_store::Store;
use std::sync::{Arc, RwLock};

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// The plan in force, parsed, with the id of the stored version it came from.
type PlanCache = Arc<RwLock<Option<(i64, Arc<Plan>)>>>;

/// Everything a use case needs, shared by every request.
#[derive(Clone)]
pub struct App {
    /// Private: the web and the command line reach the data only through use cases.
    store: Store,
    pub clock: Arc<dyn Clock>,
    pub crypto: Arc<dyn crypto::Crypto>,
    pub settings: Arc<Settings>,
    pub throttle: Arc<throttle::Throttle>,
    /// Throttling and proof-of-work bookkeeping of the public tip channel (memory only).
    pub tip_guard: Arc<tips::Guard>,
    plan_cache: PlanCache,
    boards: Arc<obligations::BoardCache>,
    intake: Arc<intake::Intake>,
    /// A hash made with this installation's own password parameters, checked against when a
    /// sign-in names nobody, so that an unknown name costs what a known one does.
    dummy_hash: Arc<str>,
}

impl App {
    pub fn new(store: Store, clock: Arc<dyn Clock>, settings: Settings) -> App {
        let crypto = Arc::new(crypto::SoftwareCrypto::new(
            settings.argon2.clone(),
            settings.signing_key.clone(),
            &settings.sealing_key,
        ));
        let dummy_hash = crypto::Crypto::hash_password(&*crypto, &crypto::Crypto::random_token(&*crypto)).into();
        App {
            store,
            clock,
            crypto,
            dummy_hash,
            throttle: Arc::new(throttle::Throttle::new(settings.ip_max_failures, settings.ip_window)),
            tip_guard: Arc::new(tips::Guard::new(settings.sealing_key.clone())),
            settings: Arc::new(settings),
            plan_cache: Arc::new(RwLock::new(None)),
            boards: Arc::default(),
            intake: Arc::default(),
        }
    }

    /// The database answers (the readiness probe).
    pub async fn ping(&self) -> Result<()> {
        Ok(self.store.ping().await?)
    }

    /// An online, consistent copy of a SQLite database into `to` (`anjian backup`).
    pub async fn backup_sqlite(&self, to: &std::path::Path) -> Result<()> {
        Ok(self.store.backup_sqlite(to).await?)
    }
}
