//! Importing hazards from a spreadsheet in the ledger's columns: every row checked first, errors
//! listed by row and column, nothing stored unless the whole sheet is valid, and a sheet imported
//! twice creates nothing the second time (each row's id is derived from its content).

use crate::hazards::HazardInput;
use crate::{Actor, App, AppError, Result};
use anjian_domain::money::Fen;
use anjian_domain::role::Permission;
use anjian_reports::ledger_sheet::{Cell, SheetRows};
use anjian_store::{hazards, orgs, points};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The row number Excel shows.
    pub row: usize,
    /// The column header.
    pub column: String,
    /// A stable code (the UI says it in Chinese).
    pub code: String,
}

/// A hazard as an export shows it.
#[derive(Debug, Clone)]
pub struct ExportedHazard {
    pub hazard: hazards::Hazard,
    pub location: String,
    pub verified_by: String,
    /// Whose hazard: the enterprise's name, its county and industry (a code).
    pub org: String,
    pub county: String,
    pub industry: Option<String>,
    /// The numbers of the papers served about it (执法文书).
    pub papers: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportOutcome {
    pub rows: usize,
    /// Rows that will be (or were) created.
    pub new: usize,
    /// Rows imported before: skipped.
    pub existing: usize,
    pub errors: Vec<RowError>,
    pub applied: bool,
}

struct Parsed {
    row: usize,
    /// The row carried a hazard's number (编号).
    numbered: bool,
    uid: String,
    source: String,
    discovered_at: DateTime<Utc>,
    input: HazardInput,
}

fn local_to_utc(t: NaiveDateTime) -> DateTime<Utc> {
    anjian_domain::TZ
        .from_local_datetime(&t)
        .earliest()
        .map_or_else(|| Utc.from_utc_datetime(&t), |d| d.with_timezone(&Utc))
}

fn when(c: &Cell, end_of_day: bool) -> Option<DateTime<Utc>> {
    let naive = match c {
        Cell::DateTime(d) => Some(*d),
        Cell::Text(s) => NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M")
            .ok()
            .or_else(|| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0))),
        _ => None,
    }?;
    let naive = if end_of_day && naive.time() == chrono::NaiveTime::MIN {
        naive.date().and_hms_opt(23, 59, 59)?
    } else {
        naive
    };
    Some(local_to_utc(naive))
}

impl App {
    /// Checks a sheet of hazards for an organisation and, when `apply` and the sheet is valid,
    /// stores it in one transaction. `sources` maps the labels a sheet may use to source codes.
    pub async fn import_hazards(
        &self,
        actor: &Actor,
        org_id: i64,
        sheet: SheetRows,
        sources: &HashMap<String, String>,
        apply: bool,
    ) -> Result<ImportOutcome> {
        actor.require(Permission::ReportHazard)?;
        let org = orgs::get(&self.store.db, &actor.scope, org_id)
            .await
            .map_err(|_| AppError::invalid("org_id", "not_found"))?;
        let plan = self.current_plan().await?;
        let grades: HashMap<String, String> = plan
            .hazard_grades
            .iter()
            .flat_map(|g| {
                [(g.name.clone(), g.code.get_ref().clone()), (g.code.get_ref().clone(), g.code.get_ref().clone())]
            })
            .collect();
        let point_ids: HashMap<String, i64> =
            points::of_org(&self.store.db, org.id).await?.into_iter().map(|p| (p.name, p.id)).collect();
        let now = self.clock.now();
        let mut out = ImportOutcome { rows: sheet.len(), ..Default::default() };
        let mut parsed = Vec::new();
        let mut seen = HashSet::new();
        for (row, cells) in sheet {
            let get = |k: &str| cells.iter().find(|(h, _)| h == k).map(|(_, c)| c.clone()).unwrap_or(Cell::Empty);
            let mut err = |column: &str, code: &str| {
                out.errors.push(RowError { row, column: column.to_owned(), code: code.to_owned() })
            };
            let description = get("隐患描述").text();
            if description.is_empty() {
                err("隐患描述", "required");
            }
            let grade = grades.get(&get("等级").text()).cloned();
            if grade.is_none() {
                err("等级", "invalid_grade");
            }
            let discovered = when(&get("发现时间"), false);
            match discovered {
                None => err("发现时间", "invalid_date"),
                Some(d) if d > now => err("发现时间", "in_future"),
                _ => {}
            }
            let deadline = match get("完成时限") {
                Cell::Empty => None,
                c => match when(&c, true) {
                    None => {
                        err("完成时限", "invalid_date");
                        None
                    }
                    Some(d) if discovered.is_some_and(|x| d < x) => {
                        err("完成时限", "before_discovery");
                        None
                    }
                    d => d,
                },
            };
            let location = get("部位").text();
            let point_id = if location.is_empty() {
                None
            } else {
                let p = point_ids.get(&location).copied();
                if p.is_none() {
                    err("部位", "not_found");
                }
                p
            };
            let source = match get("来源").text() {
                s if s.is_empty() => "report".to_owned(),
                s => sources.get(&s).cloned().unwrap_or_else(|| {
                    err("来源", "invalid_source");
                    String::new()
                }),
            };
            let funds = match get("资金") {
                Cell::Empty => Some(Fen::ZERO),
                Cell::Number(n) => Fen::from_yuan_f64(n),
                _ => None,
            };
            let funds_fen = funds.map_or_else(
                || {
                    err("资金", "invalid_amount");
                    0
                },
                Fen::fen,
            );
            let (Some(grade), Some(discovered_at)) = (grade, discovered) else { continue };
            // A row with a number (编号) is a hazard already stored — a sheet exported and brought
            // back; without one, the row's content names it.
            let number = get("编号").text();
            let uid = if number.is_empty() {
                let key = format!("{}|{description}|{}|{location}|{grade}", org.id, discovered_at.timestamp());
                format!("import-{}", &hex::encode(Sha256::digest(key.as_bytes()))[..32])
            } else {
                number.clone()
            };
            if !seen.insert(uid.clone()) {
                err("隐患描述", "duplicate_row");
                continue;
            }
            parsed.push(Parsed {
                row,
                numbered: !number.is_empty(),
                uid,
                source,
                discovered_at,
                input: HazardInput {
                    description,
                    point_id,
                    grade,
                    category: None,
                    measures: get("整改措施").text(),
                    funds_fen,
                    owner: get("责任人").text(),
                    deadline,
                },
            });
        }
        let mut fresh = Vec::new();
        for p in parsed {
            match hazards::by_uid(&self.store.db, &p.uid).await? {
                Some(h) if h.org_id == org.id => out.existing += 1,
                // A number that is not one of this organisation's hazards is a mistake, not new.
                _ if p.numbered => out.errors.push(RowError {
                    row: p.row,
                    column: "编号".into(),
                    code: "unknown_hazard_number".into(),
                }),
                Some(_) => {
                    out.errors
                        .push(RowError { row: p.row, column: "隐患描述".into(), code: "duplicate_row".into() })
                }
                None => fresh.push(p),
            }
        }
        out.new = fresh.len();
        out.errors.sort_by_key(|e| e.row);
        if !apply || !out.errors.is_empty() {
            return Ok(out);
        }
        let txn = self.store.begin_write().await?;
        for p in &fresh {
            self.insert_hazard(
                &*txn,
                actor,
                &org,
                &p.input,
                None,
                &p.source,
                p.discovered_at,
                Some(p.uid.clone()),
                None,
            )
            .await
            .inspect_err(|_| tracing::warn!(row = p.row, "import row failed"))?;
        }
        let mut e = crate::audit::entry(Some(actor), "hazard.import", "org", org.id);
        e.detail = format!("rows={} new={} existing={}", out.rows, out.new, out.existing);
        self.record(&*txn, e).await?;
        txn.commit().await?;
        out.applied = true;
        Ok(out)
    }

    /// Every hazard matching a filter, for an export (at most `max`), newest first, with the name
    /// of its location and of whoever verified it.
    pub async fn export_hazards(
        &self,
        actor: &Actor,
        f: &hazards::HazardFilter,
        max: usize,
    ) -> Result<Vec<ExportedHazard>> {
        actor.require(Permission::ViewHazards)?;
        let mut out = Vec::new();
        let mut before = None;
        while out.len() < max {
            let page = hazards::list(&self.store.db, &actor.scope, f, before, 1000).await?;
            let Some(last) = page.last() else { break };
            before = Some(last.id);
            let n = page.len();
            out.extend(page);
            if n < 1000 {
                break;
            }
        }
        out.truncate(max);
        let mut point_names: HashMap<i64, String> = HashMap::new();
        let mut people: HashMap<i64, String> = HashMap::new();
        let mut whose: HashMap<i64, (String, String, Option<String>)> = HashMap::new();
        let mut counties: HashMap<i64, String> = HashMap::new();
        let ids: Vec<i64> = out.iter().map(|h| h.id).collect();
        let mut papers = anjian_store::papers::numbers_by_hazard(&self.store.db, &ids).await?;
        let mut rows = Vec::with_capacity(out.len());
        for h in out {
            if let std::collections::hash_map::Entry::Vacant(slot) = whose.entry(h.org_id) {
                let org = anjian_store::orgs::get(&self.store.db, &actor.scope, h.org_id).await?;
                if let std::collections::hash_map::Entry::Vacant(c) = counties.entry(org.jurisdiction_id) {
                    let name = anjian_store::jurisdictions::by_id(&self.store.db, org.jurisdiction_id)
                        .await?
                        .map(|j| j.name)
                        .unwrap_or_default();
                    c.insert(name);
                }
                let county = counties.get(&org.jurisdiction_id).cloned().unwrap_or_default();
                slot.insert((org.name, county, org.industry));
            }
            let (org, county, industry) = whose.get(&h.org_id).cloned().unwrap_or_default();
            if let Some(p) = h.point_id {
                if !point_names.contains_key(&p) {
                    for pt in points::of_org(&self.store.db, h.org_id).await? {
                        point_names.insert(pt.id, pt.name);
                    }
                }
            }
            if let Some(u) = h.closed_by {
                if let std::collections::hash_map::Entry::Vacant(v) = people.entry(u) {
                    v.insert(
                        anjian_store::users::by_id_for_auth(&self.store.db, u)
                            .await?
                            .map(|x| x.display_name)
                            .unwrap_or_default(),
                    );
                }
            }
            rows.push(ExportedHazard {
                org,
                county,
                industry,
                papers: papers.remove(&h.id).unwrap_or_default(),
                location: h.point_id.and_then(|p| point_names.get(&p).cloned()).unwrap_or_default(),
                verified_by: h.closed_by.and_then(|u| people.get(&u).cloned()).unwrap_or_default(),
                hazard: h,
            });
        }
        let mut e = crate::audit::entry(Some(actor), "hazard.export", "hazard", "-");
        e.detail = format!("rows={}", rows.len());
        self.record_alone(e).await?;
        Ok(rows)
    }
}
