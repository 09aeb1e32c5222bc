//! 执法文书 as a use case: a bureau issues a paper from its records — the record of a site
//! inspection, an order to rectify the hazards it found by their deadlines, the review after the
//! deadline, the 挂牌督办 notice — numbered in its sequence, stored as issued, and exported as a
//! Word document in the standard layout. A paper never changes; a correction is a new paper
//! that names the old one.

use crate::audit::entry;
use crate::orgs::uid_for;
use crate::{Actor, App, AppError, Result, ZH};
use anjian_domain::hazard::{Hazard, HazardState};
use anjian_domain::org::Org;
use anjian_domain::paper::{self, Paper, PaperContent, PaperItem, PaperKind};
use anjian_domain::period::local_date;
use anjian_domain::role::Permission;
use anjian_reports::docx::{self, Document, Section, Signature};
use anjian_store::papers::{self as store, NewPaper};
use anjian_store::{hazards, inspections, jurisdictions, orgs, points, sites, StoreError};
use chrono::{DateTime, Datelike, Utc};
use serde::Deserialize;
use std::collections::HashMap;

/// What a bureau asks for; the rest is filled from the records.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaperInput {
    pub kind: PaperKind,
    /// The inspection a site record (or an order) is made from.
    #[serde(default)]
    pub inspection_id: Option<i64>,
    /// The hazards an order lists (default: the inspection's open hazards).
    #[serde(default)]
    pub hazard_ids: Vec<i64>,
    /// The order a review reviews.
    #[serde(default)]
    pub order_id: Option<i64>,
    /// The paper this one corrects.
    #[serde(default)]
    pub corrects_id: Option<i64>,
    /// The bureau's requirements or conclusion (default: the standard wording).
    #[serde(default)]
    pub text: String,
}

/// The place a bureau's papers are numbered under when its plan gives no 代字: its name up to
/// its county, district or city (`某某县应急管理局` → `某某县`).
pub(crate) fn place_of(bureau: &str) -> &str {
    match bureau.char_indices().find(|(_, c)| matches!(c, '县' | '区' | '市')) {
        Some((i, c)) => &bureau[..i + c.len_utf8()],
        None => bureau,
    }
}

fn local_day(t: DateTime<Utc>) -> String {
    local_date(t).format("%Y-%m-%d").to_string()
}

fn local_minute(t: DateTime<Utc>) -> String {
    t.with_timezone(&anjian_domain::TZ).format("%Y-%m-%d %H:%M").to_string()
}

impl App {
    /// The bureau a caller issues documents in the name of: its own, or for a department (科室)
    /// the bureau above it.
    pub async fn issuing_bureau(&self, actor: &Actor) -> Result<Org> {
        let org = match &actor.org {
            Some(o) if actor.role.is_bureau() => o.clone(),
            _ => return Err(AppError::Forbidden),
        };
        if org.kind == anjian_domain::org::OrgKind::DEPARTMENT.as_str() {
            if let Some(parent) = org.parent_id {
                return Ok(orgs::get(&self.store.db, &anjian_domain::scope::Scope::All, parent).await?);
            }
        }
        Ok(org)
    }

    /// The bureau's 机关代字 from the plan (晋市工信), or its place's name.
    pub async fn doc_code(&self, bureau: &Org) -> String {
        let jurisdiction = bureau.code.as_deref().and_then(|c| c.strip_prefix("bureau-")).unwrap_or_default();
        let from_plan = self.current_plan().await.ok().and_then(|p| {
            p.jurisdictions.iter().find(|j| j.code.get_ref() == jurisdiction).and_then(|j| j.doc_code.clone())
        });
        from_plan.unwrap_or_else(|| place_of(&bureau.name).to_owned())
    }

    fn require_issuer(actor: &Actor) -> Result<()> {
        if actor.role.is_bureau() && actor.role.can(Permission::VerifyHazard) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Issues a paper. Two issued by one bureau at the same moment race for a number; the one
    /// that loses is issued again with the next.
    pub async fn issue_paper(&self, actor: &Actor, input: PaperInput, key: Option<&str>) -> Result<Paper> {
        Self::require_issuer(actor)?;
        let uid = uid_for(key)?;
        if let Some(existing) = store::by_uid(&self.store.db, &uid).await? {
            return if existing.issued_by == actor.id() && existing.kind == input.kind {
                Ok(existing)
            } else {
                Err(AppError::IdempotencyMismatch)
            };
        }
        let mut tries = 0;
        loop {
            match self.issue_paper_at(actor, &input, &uid, self.clock.now(), false).await {
                Err(AppError::Conflict("paper_number_taken")) if tries < 20 => tries += 1,
                r => return r,
            }
        }
    }

    /// Issues a paper at `now`. `replayed` is for records written after the fact (the demo's
    /// history): the hazards an order lists are taken as they were when it was served (open),
    /// not as they stand today.
    pub(crate) async fn issue_paper_at(
        &self,
        actor: &Actor,
        input: &PaperInput,
        uid: &str,
        now: DateTime<Utc>,
        replayed: bool,
    ) -> Result<Paper> {
        let db = &self.store.db;
        let scope = &actor.scope;
        if input.kind == PaperKind::SupervisionNotice {
            // Its number and words come with the 挂牌督办 step itself.
            return Err(AppError::invalid("kind", "paper_from_supervision"));
        }
        let bureau = self.issuing_bureau(actor).await?;
        let today = local_day(now);
        let corrected = match input.corrects_id {
            Some(id) => {
                Some(store::get(db, scope, id).await.map_err(|_| AppError::invalid("corrects_id", "not_found"))?)
            }
            None => None,
        };
        let grades: HashMap<String, String> =
            self.current_plan().await.map(|p| p.grade_names().into_iter().collect()).unwrap_or_default();
        let mut content = PaperContent { bureau: bureau.name.clone(), ..Default::default() };
        let mut inspection_id = None;
        let mut refers_to_id = None;
        let org_id;
        match input.kind {
            PaperKind::SiteRecord => {
                let id = input.inspection_id.ok_or_else(|| AppError::invalid("inspection_id", "required"))?;
                let i = inspections::get(db, scope, id)
                    .await
                    .map_err(|_| AppError::invalid("inspection_id", "not_found"))?;
                let findings = inspections::findings_of(db, i.id).await?;
                org_id = i.org_id;
                inspection_id = Some(i.id);
                content.at = local_minute(i.at);
                content.inspectors = vec![i.inspector.clone()];
                content.checked = findings
                    .iter()
                    .map(|f| {
                        let verdict = ZH.t(if f.passed { "paper.passed" } else { "paper.failed" });
                        let result =
                            if f.note.is_empty() { verdict.to_owned() } else { format!("{verdict}：{}", f.note) };
                        (f.item.clone(), result)
                    })
                    .collect();
                let ids: Vec<i64> = findings.iter().filter_map(|f| f.hazard_id).collect();
                let found = self.hazards_for_paper(db, actor, &ids).await?;
                content.items = self.paper_items(db, &found.iter().collect::<Vec<_>>(), &grades).await?;
                content.place = match i.site_id {
                    Some(s) => sites::get(db, scope, s).await.map(|s| s.name).unwrap_or_default(),
                    None => String::new(),
                };
                content.text = if input.text.trim().is_empty() {
                    if content.items.is_empty() {
                        ZH.t("paper.site_record_clean")
                    } else {
                        ZH.t("paper.site_record_found")
                    }
                    .to_owned()
                } else {
                    input.text.trim().to_owned()
                };
            }
            PaperKind::RectificationOrder => {
                let mut ids = input.hazard_ids.clone();
                if ids.is_empty() {
                    if let Some(id) = input.inspection_id {
                        let i = inspections::get(db, scope, id)
                            .await
                            .map_err(|_| AppError::invalid("inspection_id", "not_found"))?;
                        inspection_id = Some(i.id);
                        ids = inspections::findings_of(db, i.id).await?.iter().filter_map(|f| f.hazard_id).collect();
                    }
                }
                let hazards = self.hazards_for_paper(db, actor, &ids).await?;
                let open: Vec<&Hazard> = hazards.iter().filter(|h| replayed || h.state.is_open()).collect();
                let first = open
                    .first()
                    .copied()
                    .ok_or_else(|| AppError::invalid("hazard_ids", paper::Refusal::NothingToOrder.code()))?;
                org_id = first.org_id;
                if open.iter().any(|h| h.org_id != org_id) {
                    return Err(AppError::invalid("hazard_ids", "paper_one_enterprise"));
                }
                content.items = self.paper_items(db, &open, &grades).await?;
                paper::check_order(&content.items).map_err(|r| AppError::invalid("hazard_ids", r.code()))?;
                content.at = local_minute(now);
                content.inspectors = vec![actor.user.display_name.clone()];
                content.text = if input.text.trim().is_empty() {
                    ZH.t("paper.order_text").to_owned()
                } else {
                    input.text.trim().to_owned()
                };
            }
            PaperKind::ReviewOpinion => {
                let id = input.order_id.ok_or_else(|| AppError::invalid("order_id", "required"))?;
                let order = store::get(db, scope, id).await.map_err(|_| AppError::invalid("order_id", "not_found"))?;
                org_id = order.org_id;
                let ids: Vec<i64> = order.content.items.iter().map(|i| i.hazard_id).collect();
                let hazards = self.hazards_for_paper(db, actor, &ids).await?;
                let fixed: HashMap<i64, bool> = hazards
                    .iter()
                    .map(|h| (h.id, matches!(h.state, HazardState::AwaitingVerification | HazardState::Closed)))
                    .collect();
                let all_fixed = ids.iter().all(|i| fixed.get(i).copied().unwrap_or(false));
                paper::check_review(&order, org_id, &today, all_fixed)
                    .map_err(|r| AppError::invalid("order_id", r.code()))?;
                content.items = order
                    .content
                    .items
                    .iter()
                    .map(|i| PaperItem { fixed: Some(fixed.get(&i.hazard_id).copied().unwrap_or(false)), ..i.clone() })
                    .collect();
                content.refers_to = Some(order.number.clone());
                refers_to_id = Some(order.id);
                content.at = local_minute(now);
                content.inspectors = vec![actor.user.display_name.clone()];
                let done = content.items.iter().filter(|i| i.fixed == Some(true)).count();
                let left = content.items.len() - done;
                content.text = if !input.text.trim().is_empty() {
                    input.text.trim().to_owned()
                } else if left == 0 {
                    ZH.fill("paper.review_all_fixed", &[("n", &done)])
                } else {
                    ZH.fill("paper.review_some_left", &[("done", &done), ("left", &left)])
                };
            }
            PaperKind::SupervisionNotice => unreachable!("refused above"),
        }
        if let Some(old) = &corrected {
            paper::check_correction(old, input.kind, org_id).map_err(|r| AppError::invalid("corrects_id", r.code()))?;
            content.refers_to = Some(old.number.clone());
            refers_to_id = Some(old.id);
        }
        let org = orgs::get(db, scope, org_id).await?;
        content.enterprise = org.name.clone();
        content.address = org.address.clone().unwrap_or_default();
        content.county = jurisdictions::by_id(db, org.jurisdiction_id).await?.map(|j| j.name).unwrap_or_default();
        if content.place.is_empty() {
            content.place = org.name.clone();
        }
        let doc_code = self.doc_code(&bureau).await;
        let txn = self.store.begin_write().await?;
        let p = store::insert(
            &*txn,
            NewPaper {
                uid: uid.to_owned(),
                kind: input.kind,
                bureau_id: bureau.id,
                doc_code,
                year: now.with_timezone(&anjian_domain::TZ).year(),
                given: None,
                org_id: org.id,
                jurisdiction_path: org.jurisdiction_path.clone(),
                org_path: org.org_path.clone(),
                inspection_id,
                refers_to_id,
                corrects: corrected.is_some(),
                content,
                issued_by: actor.id(),
                issued_by_name: actor.user.display_name.clone(),
            },
            now,
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Conflict("paper_number_taken"),
            e => e.into(),
        })?;
        let mut e = entry(Some(actor), "paper.issue", "paper", p.id);
        e.after_digest = Some(p.content_hash.clone());
        e.detail = format!("kind={} number={} org={}", p.kind, p.number, p.org_id);
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(p)
    }

    async fn hazards_for_paper(&self, db: &impl anjian_store::Db, actor: &Actor, ids: &[i64]) -> Result<Vec<Hazard>> {
        let mut out = Vec::new();
        for id in ids {
            out.push(
                hazards::get(db, &actor.scope, *id).await.map_err(|_| AppError::invalid("hazard_ids", "not_found"))?,
            );
        }
        Ok(out)
    }

    /// The hazards as a paper lists them, with the names of their grades and locations.
    async fn paper_items(
        &self,
        db: &impl anjian_store::Db,
        hazards: &[&Hazard],
        grades: &HashMap<String, String>,
    ) -> Result<Vec<PaperItem>> {
        let mut point_names: HashMap<i64, String> = HashMap::new();
        for org in hazards.iter().map(|h| h.org_id).collect::<std::collections::BTreeSet<_>>() {
            point_names.extend(points::of_org(db, org).await?.into_iter().map(|p| (p.id, p.name)));
        }
        Ok(hazards
            .iter()
            .map(|h| PaperItem {
                hazard_id: h.id,
                location: h.point_id.and_then(|p| point_names.get(&p).cloned()).unwrap_or_default(),
                grade: grades.get(&h.grade).cloned().unwrap_or_else(|| h.grade.clone()),
                deadline: h.deadline.map(local_day),
                fixed: None,
                hazard_uid: h.uid.clone(),
                description: h.description.clone(),
            })
            .collect())
    }

    /// The 挂牌督办 notice as a paper, under the notice's own number; called in the transaction
    /// that records the notice.
    pub(crate) async fn supervision_paper(
        &self,
        db: &impl anjian_store::Db,
        actor: &Actor,
        n: NoticeOf<'_>,
    ) -> Result<Paper> {
        let NoticeOf { bureau, hazard: h, notice, grades, major } = n;
        // Read through the notice's own transaction: with every pooled connection held by
        // notices being issued at once, a read from the pool would wait for itself.
        let store_db = db;
        let org = orgs::get(store_db, &anjian_domain::scope::Scope::All, h.org_id).await?;
        let mut items = self.paper_items(db, &[h], grades).await?;
        for i in &mut items {
            i.deadline = notice.until.map(local_day).or(i.deadline.take());
        }
        let content = PaperContent {
            bureau: bureau.name.clone(),
            enterprise: org.name.clone(),
            address: org.address.clone().unwrap_or_default(),
            county: jurisdictions::by_id(store_db, org.jurisdiction_id).await?.map(|j| j.name).unwrap_or_default(),
            at: local_minute(notice.at),
            place: org.name.clone(),
            inspectors: vec![actor.user.display_name.clone()],
            checked: Vec::new(),
            items,
            text: notice.text.clone(),
            refers_to: None,
            major,
        };
        let year = notice.at.with_timezone(&anjian_domain::TZ).year();
        let seq = notice
            .number
            .as_deref()
            .and_then(|n| n.rsplit_once('第'))
            .and_then(|(_, s)| s.trim_end_matches('号').parse().ok())
            .unwrap_or(0);
        Ok(store::insert(
            db,
            NewPaper {
                uid: uuid::Uuid::new_v4().to_string(),
                kind: PaperKind::SupervisionNotice,
                bureau_id: bureau.id,
                doc_code: String::new(),
                year,
                given: Some((notice.number.clone().unwrap_or_default(), seq)),
                org_id: org.id,
                jurisdiction_path: org.jurisdiction_path.clone(),
                org_path: org.org_path.clone(),
                inspection_id: None,
                refers_to_id: None,
                corrects: false,
                content,
                issued_by: actor.id(),
                issued_by_name: actor.user.display_name.clone(),
            },
            notice.at,
        )
        .await?)
    }

    pub async fn paper(&self, actor: &Actor, id: i64) -> Result<Paper> {
        actor.require(Permission::ViewHazards).map_err(|_| AppError::NotFound)?;
        Ok(store::get(&self.store.db, &actor.scope, id).await?)
    }

    /// Papers in the caller's scope, newest first; one enterprise's when given.
    pub async fn papers(&self, actor: &Actor, org_id: Option<i64>) -> Result<Vec<Paper>> {
        actor.require(Permission::ViewHazards).map_err(|_| AppError::NotFound)?;
        Ok(store::list(&self.store.db, &actor.scope, org_id, 500).await?)
    }

    /// The papers served about a hazard.
    pub async fn papers_of_hazard(&self, actor: &Actor, hazard_id: i64) -> Result<Vec<Paper>> {
        actor.require(Permission::ViewHazards).map_err(|_| AppError::NotFound)?;
        Ok(store::of_hazard(&self.store.db, &actor.scope, hazard_id).await?)
    }

    /// The paper as a Word document in the standard layout, and its file name.
    pub async fn paper_docx(&self, actor: &Actor, id: i64) -> Result<(String, Vec<u8>)> {
        let p = self.paper(actor, id).await?;
        let bytes =
            docx::write(&paper_document(&p)).map_err(|e| AppError::Internal(format!("writing a document: {e}")))?;
        let name = ZH.fill("paper.file", &[("title", &ZH.t(kind_key(p.kind))), ("number", &p.number)]);
        Ok((name, bytes))
    }
}

/// What a 挂牌督办 notice's paper is made from: the bureau, the hazard, the notice step, the
/// plan's grade names, and whether the hazard is major.
pub(crate) struct NoticeOf<'a> {
    pub bureau: &'a Org,
    pub hazard: &'a Hazard,
    pub notice: &'a anjian_domain::supervision::SupervisionStep,
    pub grades: &'a HashMap<String, String>,
    pub major: bool,
}

/// The catalogue key of a kind's title (责令限期整改指令书).
pub fn kind_key(kind: PaperKind) -> &'static str {
    match kind {
        PaperKind::SiteRecord => "paper.kind.site_record",
        PaperKind::RectificationOrder => "paper.kind.rectification_order",
        PaperKind::ReviewOpinion => "paper.kind.review_opinion",
        PaperKind::SupervisionNotice => "paper.kind.supervision_notice",
    }
}

/// A paper laid out as its standard form: the bureau and the paper's name, its number, the
/// addressee, the particulars, the hazards, the requirements, the bureau's 落款 and the
/// enterprise's receipt.
pub fn paper_document(p: &Paper) -> Document {
    let c = &p.content;
    let mut sections = Vec::new();
    let particulars = [
        (ZH.t("paper.enterprise"), c.enterprise.clone()),
        (ZH.t("paper.address"), c.address.clone()),
        (ZH.t("paper.county"), c.county.clone()),
        (ZH.t("paper.place"), c.place.clone()),
        (ZH.t("paper.at"), c.at.clone()),
        (ZH.t("paper.inspectors"), c.inspectors.join("、")),
    ];
    let opening = match p.kind {
        PaperKind::SiteRecord => None,
        PaperKind::RectificationOrder => Some(ZH.fill("paper.order_opening", &[("org", &c.enterprise), ("at", &c.at)])),
        PaperKind::ReviewOpinion => Some(ZH.fill(
            "paper.review_opening",
            &[("org", &c.enterprise), ("order", &c.refers_to.clone().unwrap_or_default())],
        )),
        PaperKind::SupervisionNotice => Some(ZH.fill(
            if c.major { "paper.notice_opening" } else { "paper.notice_opening_overdue" },
            &[("org", &c.enterprise)],
        )),
    };
    sections.push(Section {
        paragraphs: opening.into_iter().collect(),
        table: (p.kind == PaperKind::SiteRecord).then(|| {
            (
                vec![ZH.t("paper.item").into(), ZH.t("paper.value").into()],
                particulars.iter().map(|(k, v)| vec![k.to_string(), v.clone()]).collect(),
            )
        }),
        ..Default::default()
    });
    if !c.checked.is_empty() {
        sections.push(Section {
            heading: ZH.t("paper.checked_heading").into(),
            table: Some((
                vec![ZH.t("paper.no").into(), ZH.t("paper.check_item").into(), ZH.t("paper.result").into()],
                c.checked
                    .iter()
                    .enumerate()
                    .map(|(i, (k, v))| vec![(i + 1).to_string(), k.clone(), v.clone()])
                    .collect(),
            )),
            ..Default::default()
        });
    }
    if !c.items.is_empty() {
        let review = p.kind == PaperKind::ReviewOpinion;
        let mut head: Vec<String> =
            ["paper.no", "paper.hazard_words", "paper.location", "paper.grade", "paper.deadline"]
                .iter()
                .map(|k| ZH.t(k).to_owned())
                .collect();
        if review {
            head.push(ZH.t("paper.review_result").into());
        }
        sections.push(Section {
            heading: ZH.t("paper.hazards_heading").into(),
            table: Some((
                head,
                c.items
                    .iter()
                    .enumerate()
                    .map(|(n, i)| {
                        let mut row = vec![
                            (n + 1).to_string(),
                            i.description.clone(),
                            i.location.clone(),
                            i.grade.clone(),
                            i.deadline.clone().unwrap_or_default(),
                        ];
                        if review {
                            row.push(
                                ZH.t(if i.fixed == Some(true) { "paper.fixed" } else { "paper.not_fixed" }).into(),
                            );
                        }
                        row
                    })
                    .collect(),
            )),
            ..Default::default()
        });
    }
    let mut closing = vec![c.text.clone()];
    if p.corrects {
        closing.push(ZH.fill("paper.corrects", &[("number", &c.refers_to.clone().unwrap_or_default())]));
    }
    closing.push(ZH.t(if p.kind == PaperKind::SiteRecord { "paper.signed_by_both" } else { "paper.receipt" }).into());
    sections.push(Section {
        heading: ZH
            .t(if p.kind == PaperKind::SiteRecord { "paper.conclusion_heading" } else { "paper.requirements_heading" })
            .into(),
        paragraphs: closing,
        ..Default::default()
    });
    let mut sections: Vec<Section> =
        sections.into_iter().filter(|s| !s.paragraphs.is_empty() || s.table.is_some()).collect();
    docx::renumber(&mut sections);
    // A notice of a hazard under supervision for being overdue is not one of a major hazard.
    let name = match p.kind {
        PaperKind::SupervisionNotice if !c.major => ZH.t("paper.kind.supervision_notice_overdue"),
        k => ZH.t(kind_key(k)),
    };
    Document {
        title: format!("{}\n{name}", c.bureau),
        number: Some(p.number.clone()),
        subtitle: String::new(),
        draft: false,
        sections,
        signature: Some(Signature {
            issuer: format!("{}（印章）", c.bureau),
            date: crate::bureau_reports::date_title(local_date(p.issued_at)),
        }),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn without_a_code_papers_are_numbered_under_the_bureaus_place() {
        assert_eq!(super::place_of("泽州县工业和信息化局"), "泽州县");
        assert_eq!(super::place_of("晋城市工业和信息化局（国资委）"), "晋城市");
        assert_eq!(super::place_of("城区工业和信息化局"), "城区");
        assert_eq!(super::place_of("工信局"), "工信局");
    }
}
