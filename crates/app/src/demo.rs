//! A deterministic synthetic city for the demo, the tests and the benchmarks: parks, group
//! companies with subsidiaries, explosives enterprises with warehouses, a railway operator with
//! crossings in every county, and an account for every role. The same seed gives the same city;
//! passwords are always fresh.

use crate::audit::entry;
use crate::plans::{bureau_code, department_code};
use crate::users::CreateUser;
use crate::{App, AppError, Result};
use anjian_domain::org::{OrgKind, SiteKind};
use anjian_domain::role::Role;
use anjian_store::jurisdictions::{self, Jurisdiction};
use anjian_store::orgs::{self, NewOrg, Org, OrgFilter};
use anjian_store::sites;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The seed plan (Jincheng's 2022 campaign), built in so that a fresh installation, the demo city,
/// the tests and the benches start from the same text. Its one home.
pub const SEED_PLAN: &str = include_str!("../../../plans/jincheng-2022.toml");

/// A code of the seed plan's vocabulary, which the demo city is built in (its levels, its kinds
/// of organisation).
pub(crate) fn code<T: std::str::FromStr>(s: &str) -> T {
    s.parse().unwrap_or_else(|_| panic!("`{s}` is a well-formed code"))
}

#[derive(Debug, Clone, Copy)]
pub struct DemoSpec {
    pub enterprises: u32,
    pub seed: u64,
}

/// A demo account and its one-time password.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub role: Role,
    pub org: Option<String>,
    pub password: String,
}

#[derive(Debug, Clone, Default)]
pub struct DemoCity {
    pub orgs: u64,
    pub sites: u64,
    pub accounts: Vec<DemoAccount>,
    /// Inspections and analyses of the campaign so far.
    pub records: u64,
}

const WORDS: &[&str] = &[
    "泽润", "丹河", "太行", "凤城", "沁园", "王屋", "珏山", "晋韵", "兰花", "金鼎", "华阳", "恒达", "瑞丰", "宏图",
    "康宁", "东方", "北方", "天泽", "永安", "长河", "明珠", "新源", "鑫磊", "汇通", "中泰", "润和", "安泰", "嘉禾",
];
const TRADES: &[&str] = &[
    "煤化工",
    "机械制造",
    "铸造",
    "光机电",
    "新材料",
    "食品",
    "纺织",
    "建材",
    "冶金",
    "电子",
    "化肥",
    "陶瓷",
    "医药",
    "装备",
    "铝业",
];
const SUFFIXES: &[&str] = &["有限公司", "股份有限公司", "有限责任公司"];

fn pick<'a>(rng: &mut StdRng, xs: &[&'a str]) -> &'a str {
    xs[rng.gen_range(0..xs.len())]
}

fn company_name(rng: &mut StdRng, city: &str) -> String {
    format!("{city}{}{}{}", pick(rng, WORDS), pick(rng, TRADES), pick(rng, SUFFIXES))
}

struct Gen<'a> {
    rng: StdRng,
    seed: u64,
    n: u64,
    progress: &'a (dyn Fn(u64) + Sync),
    /// When the demo city's organisations, sites and accounts were registered: the campaign's
    /// start, so that it owes (and shows) the campaign's history, not just today's window.
    born: chrono::DateTime<chrono::Utc>,
}

impl Gen<'_> {
    fn uid(&mut self) -> String {
        // Deterministic ids, so that the same seed gives the same city byte for byte.
        let n = self.n;
        self.n += 1;
        format!("demo-{:08x}-{n:08}", self.seed as u32)
    }

    #[expect(clippy::too_many_arguments, reason = "one row, one column each")]
    async fn org(
        &mut self,
        db: &impl anjian_store::Db,
        name: String,
        kind: OrgKind,
        j: &Jurisdiction,
        parent: Option<&Org>,
        park: Option<i64>,
        industry: Option<&str>,
    ) -> Result<Org> {
        let uid = self.uid();
        let o = orgs::insert(
            db,
            NewOrg {
                code: Some(uid.clone()),
                parent: parent.cloned(),
                park_id: park,
                industry: industry.map(str::to_owned),
                ..NewOrg::new(uid, name, kind.as_str(), j.clone())
            },
            self.born,
        )
        .await?;
        (self.progress)(1);
        Ok(o)
    }
}

impl App {
    /// Generates the city once; on a database that already has enterprises it does nothing.
    pub async fn generate_demo(&self, spec: DemoSpec, progress: &(dyn Fn(u64) + Sync)) -> Result<Option<DemoCity>> {
        let plan = self.current_plan().await?;
        let any = orgs::count(
            &self.store.db,
            &anjian_domain::scope::Scope::All,
            &OrgFilter { kind: Some("enterprise".into()), ..Default::default() },
        )
        .await?;
        if any > 0 {
            return Ok(None);
        }
        let all = jurisdictions::all(&self.store.db).await?;
        let city = all.iter().find(|j| j.level == "city").cloned().ok_or(AppError::NoPlan)?;
        let counties: Vec<Jurisdiction> = all.iter().filter(|j| j.level == "county").cloned().collect();
        if counties.is_empty() {
            return Err(AppError::NoPlan);
        }
        let city_name = city.name.trim_end_matches('市').to_owned();
        let born = plan.span().start().min(self.clock.now());
        let equipment = plan.equipment_for(SiteKind::RAILWAY_CROSSING);
        let mut g = Gen { rng: StdRng::seed_from_u64(spec.seed), seed: spec.seed, n: 0, progress, born };
        let mut out = DemoCity::default();
        let now = born;

        // Parks and the railway operator first; enterprises then fill the counties in batches.
        let txn = self.store.begin_write().await?;
        let mut parks: Vec<Vec<Org>> = Vec::new();
        for c in &counties {
            let n = g.rng.gen_range(1..=2);
            let mut ps = Vec::new();
            for i in 0..n {
                let name =
                    format!("{}{}工业园区", c.name.trim_end_matches(['县', '市', '区']), ["", "东部", "西部"][i]);
                ps.push(g.org(&*txn, name, OrgKind::PARK, c, None, None, Some("industrial_park")).await?);
            }
            parks.push(ps);
        }
        let railway = g
            .org(
                &*txn,
                format!("中国铁路太原局集团有限公司{city_name}车务段"),
                crate::demo::code("railway_operator"),
                &city,
                None,
                None,
                Some("railway_crossing"),
            )
            .await?;
        for c in &counties {
            for k in 1..=g.rng.gen_range(1..=3) {
                let uid = g.uid();
                let name = format!(
                    "{}道口 K{}+{:03}",
                    c.name,
                    g.rng.gen_range(10..200),
                    g.rng.gen_range(0..1000) / 10 * 10 + k
                );
                let line = ["太焦线", "侯月线", "晋阳线"][g.rng.gen_range(0..3)];
                let particulars = anjian_store::crossings::Particulars {
                    line: Some(line.to_owned()),
                    km_post: Some(format!("K{}+{:03}", g.rng.gen_range(10..200), g.rng.gen_range(0..1000))),
                    latitude: Some(35.2 + g.rng.gen_range(0.0..0.9)),
                    longitude: Some(112.4 + g.rng.gen_range(0.0..0.9)),
                    guard_posts: Some(g.rng.gen_range(1..=2)),
                    status: Some("in_service".into()),
                };
                let site = anjian_store::crossings::insert_crossing(&*txn, &uid, &name, &railway, c, &particulars, now)
                    .await?;
                for (item, days) in &equipment {
                    anjian_store::crossings::insert_equipment(&*txn, site.id, item, item, *days as i32, now).await?;
                }
                out.sites += 1;
            }
        }
        let experts = g
            .org(&*txn, format!("{city_name}市安全生产专家库"), OrgKind::EXPERT_PANEL, &city, None, None, None)
            .await?;
        txn.commit().await?;

        let total = spec.enterprises.max(counties.len() as u32) as u64;
        let mut made = 0u64;
        let (mut first_enterprise, mut first_group, mut first_explosives) = (None, None, None);
        while made < total {
            let txn = self.store.begin_write().await?;
            let batch_end = (made + 250).min(total);
            while made < batch_end {
                let c = &counties[(made as usize) % counties.len()];
                let ci = (made as usize) % counties.len();
                let roll = g.rng.gen_range(0..100);
                let park = (g.rng.gen_range(0..100) < 40).then(|| parks[ci][g.rng.gen_range(0..parks[ci].len())].id);
                if roll < 3 || first_explosives.is_none() {
                    let name = format!("{city_name}{}民爆器材{}", pick(&mut g.rng, WORDS), pick(&mut g.rng, SUFFIXES));
                    let o = g
                        .org(&*txn, name, crate::demo::code("explosives_enterprise"), c, None, None, Some("explosives"))
                        .await?;
                    for w in 1..=g.rng.gen_range(1..=2) {
                        let uid = g.uid();
                        sites::insert(&*txn, &uid, SiteKind::WAREHOUSE.as_str(), &format!("{}号库房", w), &o, c, now)
                            .await?;
                        out.sites += 1;
                    }
                    first_explosives.get_or_insert(o);
                    made += 1;
                } else if (roll < 6 || first_group.is_none()) && batch_end - made > 3 {
                    let name = format!("{city_name}{}集团{}", pick(&mut g.rng, WORDS), pick(&mut g.rng, SUFFIXES));
                    let group = g.org(&*txn, name, crate::demo::code("group_company"), c, None, park, None).await?;
                    made += 1;
                    for _ in 0..g.rng.gen_range(2..=4) {
                        let name = company_name(&mut g.rng, &city_name);
                        let sc = &counties[g.rng.gen_range(0..counties.len())];
                        g.org(&*txn, name, crate::demo::code("enterprise"), sc, Some(&group), None, None).await?;
                        made += 1;
                    }
                    first_group.get_or_insert(group);
                } else {
                    let name = company_name(&mut g.rng, &city_name);
                    let o = g.org(&*txn, name, crate::demo::code("enterprise"), c, None, park, None).await?;
                    first_enterprise.get_or_insert(o);
                    made += 1;
                }
            }
            txn.commit().await?;
        }
        out.orgs = g.n;

        let by_code = |code: String| async move { orgs::by_code(&self.store.db, &code).await };
        let city_bureau = by_code(bureau_code(
            &plan
                .jurisdictions
                .iter()
                .find(|j| j.level == crate::demo::code("city"))
                .map(|j| j.code.get_ref().clone())
                .unwrap_or_default(),
        ))
        .await?;
        let dept = match plan.departments.first() {
            Some(d) => by_code(department_code(d.code.get_ref())).await?,
            None => None,
        };
        let mut wanted: Vec<(String, Role, Option<Org>, Option<String>)> = vec![
            ("security".into(), Role::SecurityAdmin, None, None),
            ("auditor".into(), Role::AuditAdmin, None, None),
        ];
        for l in &plan.leaders {
            wanted.push((
                format!("leader.{}", l.code.get_ref()),
                Role::CityLeader,
                city_bureau.clone(),
                Some(l.code.get_ref().clone()),
            ));
        }
        wanted.push(("city.staff".into(), Role::CityStaff, dept.or(city_bureau.clone()), None));
        for j in plan.jurisdictions.iter().filter(|j| j.level == crate::demo::code("county")) {
            wanted.push((
                format!("county.{}", j.code.get_ref()),
                Role::CountyStaff,
                by_code(bureau_code(j.code.get_ref())).await?,
                None,
            ));
        }
        wanted.push(("park.1".into(), Role::ParkStaff, parks.first().and_then(|p| p.first().cloned()), None));
        wanted.push(("group.1".into(), Role::GroupSafety, first_group, None));
        for (name, role) in [
            ("principal.1", Role::Principal),
            ("deputy.1", Role::Deputy),
            ("officer.1", Role::SafetyOfficer),
            ("staff.1", Role::Staff),
        ] {
            wanted.push((name.into(), role, first_enterprise.clone(), None));
        }
        wanted.push(("explosives.1".into(), Role::Principal, first_explosives.clone(), None));
        wanted.push(("guard.1".into(), Role::PatrolGuard, first_explosives, None));
        wanted.push(("railway.1".into(), Role::RailwayOperator, Some(railway), None));
        wanted.push(("expert.1".into(), Role::Expert, Some(experts), None));
        // The first leader of 附件1 heads the city bureau; each county account heads its bureau.
        let head = plan.leaders.first().map(|l| l.code.get_ref().clone());
        // People have names: the demo's accounts show one, never their login. A generator of its
        // own, so that naming them leaves the rest of the seeded city as it was.
        let mut names = StdRng::seed_from_u64(spec.seed ^ 0x6e61_6d65);
        for (username, role, org, leader) in wanted {
            let heads = (leader.is_some() && leader == head) || username.starts_with("county.");
            let position = heads.then(|| "bureau_head".to_owned());
            let display = match (&leader, plan.leaders.iter().find(|l| Some(l.code.get_ref()) == leader.as_ref())) {
                (Some(_), Some(l)) => format!("{}（{}）", l.name, l.title),
                _ => crate::demo_history::person_name(&mut names),
            };
            let (_, password) = self
                .create_user_registered(
                    born,
                    CreateUser {
                        username: username.clone(),
                        display_name: display,
                        role: role.as_str().into(),
                        org_id: org.as_ref().map(|o| o.id),
                        leader_code: leader,
                        position,
                    },
                )
                .await?;
            out.accounts.push(DemoAccount { username, role, org: org.map(|o| o.name), password });
        }

        out.records = self.generate_demo_history(&mut g.rng).await?;
        let mut e = entry(None, "demo.generate", "city", &city.code);
        e.detail = format!(
            "seed={} orgs={} sites={} accounts={} records={}",
            spec.seed,
            out.orgs,
            out.sites,
            out.accounts.len(),
            out.records
        );
        self.record_alone(e).await?;
        self.world_changed();
        Ok(Some(out))
    }
}
