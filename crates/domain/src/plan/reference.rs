//! The plan format's reference: every field a plan may hold, its type and what the program does
//! with it. `anjian plan reference` prints it as `docs/plan-format.md`; tests keep it equal to
//! that file and complete against what the parser reads.

/// One field of the plan format. `path` uses `[]` for an array of tables (`rules[].who.kind`).
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub path: &'static str,
    pub ty: &'static str,
    pub effect: &'static str,
}

const fn f(path: &'static str, ty: &'static str, effect: &'static str) -> Field {
    Field { path, ty, effect }
}

/// Every field, in the order a plan is written.
pub const FIELDS: &[Field] = &[
    f("plan.id", "string", "The plan's identity: a later import with the same id is a new version of it."),
    f("plan.title", "string", "The document's title, on the campaign page."),
    f("plan.short_title", "string, optional", "What the task board and the bureau's reports call the campaign; the title without."),
    f("plan.document_no", "string, optional", "The document's number (文号), shown with the title."),
    f("plan.issuer", "string", "The issuing bureau; the name of the issuer jurisdiction's bureau."),
    f("plan.issued", "date", "The issue date; lint warns of deadlines before it."),
    f("plan.timezone", "string", "Must be Asia/Shanghai: every period is cut there."),
    f("plan.starts", "date", "First day of the campaign: no window starts before it."),
    f("plan.ends", "date", "Last day of the campaign: no window ends after it."),
    f("plan.jurisdiction", "code, optional", "The issuer's jurisdiction (its bureau holds the departments, its leaders answer there); required when the plan has several roots."),
    f("plan.late_entry_grace_hours", "integer, default 24", "How long after a window closes an entry still counts as made in time; later ones are 补录."),
    f("vocabulary.levels[].code", "code", "A jurisdiction level; levels nest in the order declared (the first is the top)."),
    f("vocabulary.levels[].name", "string", "Its name on pages and sheets."),
    f("vocabulary.levels[].name_en", "string, optional", "Its English name."),
    f("vocabulary.levels[].bureau", "string, optional", "What a regulator at this level is called after its place's name (县 + 应急管理局)."),
    f("vocabulary.org_kinds[].code", "code", "A kind of supervised organisation; `regulator`, `department`, `expert_panel` and `park` are built in."),
    f("vocabulary.org_kinds[].name", "string", "Its name on pages and sheets."),
    f("vocabulary.org_kinds[].name_en", "string, optional", "Its English name."),
    f("vocabulary.industries[].code", "code", "An industry (行业): an organisation's `industry`, a leader's liaison industry, a cockpit figure."),
    f("vocabulary.industries[].name", "string", "Its name on pages, sheets and reports."),
    f("vocabulary.industries[].name_en", "string, optional", "Its English name."),
    f("vocabulary.industries[].org_kinds", "array of codes", "Organisations of these kinds belong to it whatever their own `industry`."),
    f("vocabulary.industries[].site_kinds", "array of codes", "Sites of these kinds belong to it (a liaison leader of the industry covers them)."),
    f("vocabulary.site_kinds[].code", "code", "A kind of site."),
    f("vocabulary.site_kinds[].name", "string", "Its name on pages."),
    f("vocabulary.site_kinds[].name_en", "string, optional", "Its English name."),
    f("vocabulary.site_kinds[].record", "warehouse | railway_crossing | site", "What the program keeps for it: a magazine with sensors and patrols, a crossing with equipment and guards, or a place."),
    f("vocabulary.activity_kinds[].code", "code", "A kind of recorded activity that rules count."),
    f("vocabulary.activity_kinds[].name", "string", "Its name on forms, lists and sheets."),
    f("vocabulary.activity_kinds[].name_en", "string, optional", "Its English name."),
    f("vocabulary.activity_kinds[].record", "inspection | builtin", "An inspection kind the inspection form offers, or the program's own record of that code (patrol_round, loading …)."),
    f("vocabulary.activity_kinds[].recorded_by", "array of roles", "For an inspection kind: the roles that may record it (others are refused)."),
    f("vocabulary.activity_kinds[].external", "bool, default false", "For an inspection kind: made on someone else's site (a bureau's, a group's, an expert's check)."),
    f("vocabulary.activity_kinds[].covers_points", "bool, default false", "For an inspection kind: it goes through the organisation's registered inspection points."),
    f("sections[].code", "string", "A section of the document (二（一）, 附件1, 任务清单); when the plan lists them, lint checks that every `source` cites one or a part of one."),
    f("sections[].title", "string", "Its heading."),
    f("jurisdictions[].code", "code", "A jurisdiction; its bureau is the organisation `bureau-{code}`."),
    f("jurisdictions[].name", "string", "Its name."),
    f("jurisdictions[].level", "code", "One of the vocabulary's levels; a child sits one level below its parent."),
    f("jurisdictions[].parent", "code, optional", "The jurisdiction it lies in; none for a root."),
    f("jurisdictions[].doc_code", "string, optional", "The bureau's 机关代字, under which its papers are numbered."),
    f("jurisdictions[].bureau", "string, optional", "The bureau's name, where the level's rule would not give it."),
    f("departments[].code", "code", "A department (科室) of the issuing bureau, made as an organisation `dept-{code}`."),
    f("departments[].name", "string", "Its name."),
    f("battles[].code", "code", "A battle (战役) tasks belong to."),
    f("battles[].name", "string", "Its name on the board."),
    f("battles[].aliases", "array of strings", "Other names the document uses for it."),
    f("phases[].code", "code", "A phase; rules may be limited to phases."),
    f("phases[].name", "string", "Its name on the board and in reports."),
    f("phases[].starts", "date", "First day."),
    f("phases[].ends", "date", "Last day; phases must not overlap (lint)."),
    f("leaders[].code", "code", "A leader of the liaison list; accounts are linked to it."),
    f("leaders[].name", "string", "The leader's name."),
    f("leaders[].title", "string", "Their office."),
    f("leaders[].counties", "array of codes", "Liaison areas, directly under the issuer's jurisdiction."),
    f("leaders[].industries", "array of codes", "Liaison industries."),
    f("leaders[].duties", "array of strings", "Duties, shown on the liaison page."),
    f("hazard_grades[].code", "code", "A hazard grade offered on forms and counted in the cockpit."),
    f("hazard_grades[].name", "string", "Its name."),
    f("hazard_grades[].needs_governance_plan", "bool, default false", "A hazard of this grade cannot be reported fixed without its governance plan."),
    f("supervision_levels[].code", "code", "A supervision level (一般, 重点监管); rules and modifiers name it."),
    f("supervision_levels[].name", "string", "Its name."),
    f("explosives.patrol_interval_minutes", "integer", "How often a warehouse's checkpoints are walked."),
    f("explosives.temperature_c", "{ min, max }", "The allowed temperature; outside it long enough, an alarm opens."),
    f("explosives.humidity_pct", "{ min, max }", "The allowed humidity."),
    f("explosives.alarm_after_seconds", "integer, default 120", "How long a value must stay out of range before an alarm opens."),
    f("explosives.hysteresis_c", "number, default 1.0", "How far back inside the range a temperature must come to end an excursion."),
    f("explosives.hysteresis_pct", "number, default 3.0", "The same for humidity."),
    f("explosives.offline_after_minutes", "integer, default 15", "A sensor silent this long is offline."),
    f("explosives.escalate_after_minutes", "integer, default 30", "An alarm nobody acknowledged this long goes to the county bureau."),
    f("explosives.raw_retention_days", "integer, default 90", "Raw readings are kept this long; hourly figures forever."),
    f("explosives.assumption", "string, optional", "Why a figure was chosen; lint lists it."),
    f("safety_test.pass_mark", "integer 1–100", "The score that passes."),
    f("safety_test.time_limit_minutes", "integer, default 60", "How long a sitting may take; the server enforces it."),
    f("safety_test.paper[].kind", "single | multiple | true_false", "A part of the paper: questions of this kind …"),
    f("safety_test.paper[].count", "integer", "… this many …"),
    f("safety_test.paper[].topic", "string, optional", "… from this topic."),
    f("safety_test.on_first_fail", "retest | raise_level", "A first failure leads to a retest (whose failure raises the level), or raises the enterprise's level at once."),
    f("safety_test.on_retest_fail_level", "code", "The supervision level an enterprise is raised to when its principal fails the retest."),
    f("safety_test.publish_scores", "bool", "Whether the enterprise's notice (张榜公告) shows its principals' scores; without, it shows passed or not."),
    f("safety_test.assumption", "string, optional", "Why a figure was chosen; lint lists it."),
    f("tips.assign_within_days", "integer", "Days to assign a tip before it is overdue."),
    f("tips.verify_within_days", "integer", "Days to conclude it."),
    f("tips.reward_within_days", "integer", "Days to pay a reward."),
    f("tips.categories", "array of strings", "The categories a reporter chooses from."),
    f("tips.partly_true_percent", "integer 0–100", "A partly true tip earns this share of a true one's reward."),
    f("tips.rewards[].finding", "string", "A kind of verified finding …"),
    f("tips.rewards[].percent_of_penalty", "integer", "… earns this percentage of the penalty …"),
    f("tips.rewards[].min_yuan", "integer", "… at least this …"),
    f("tips.rewards[].max_yuan", "integer", "… and at most this."),
    f("tips.source", "string, optional", "Where the rules come from."),
    f("tips.assumption", "string, optional", "Why a figure was chosen; lint lists it."),
    f("checklists[].id", "code", "A checklist rules and records name."),
    f("checklists[].name", "string", "Its name."),
    f("checklists[].items", "array of strings", "The items a record must go through."),
    f("checklists[].requirements", "array of strings", "What each item asks (检查要求), one per item in order; shown on the form."),
    f("checklists[].template_for", "array of site-kind codes", "The issuing bureau keeps it as an inspection template (made at import), offered only for organisations that keep sites of these kinds."),
    f("checklists[].equipment_for", "array of site-kind codes", "Each new site of these kinds (a crossing imported or registered) gets one piece of equipment per item."),
    f("checklists[].check_every_days", "array of integers ≥ 1", "With `equipment_for`: the days between checks of each item's equipment, one per item; past it the equipment shows overdue."),
    f("checklists[].source", "string", "The section it comes from; the template's 依据."),
    f("checklists[].alternatives[].source", "string", "Another reading in the document …"),
    f("checklists[].alternatives[].items", "array of strings", "… with other items (lint: keep the stricter list)."),
    f("checklists[].alternatives[].at_least", "integer, optional", "Refused by lint: a checklist has no count."),
    f("checklists[].alternatives[].org_kinds", "array of codes, optional", "Refused by lint: a checklist names no organisations."),
    f("checklists[].alternatives[].reports_to", "string, optional", "Refused by lint: a checklist goes to no one."),
    f("rules[].id", "code", "The rule's identity in links, sheets and revisions."),
    f("rules[].title", "string", "Its name wherever an obligation is shown."),
    f("rules[].source", "string", "The section it comes from."),
    f("rules[].task", "integer, optional", "The task of the task list it serves: its windows decide whether the task can be done."),
    f("rules[].who.kind", "org | person | regulator | leader", "Who owes it."),
    f("rules[].who.org_kinds", "array of codes", "org / person: the organisations (or whose people) it falls on."),
    f("rules[].who.role", "principal | deputy | bureau_head | liaison_leader", "person: the position held."),
    f("rules[].who.level", "code, optional", "person / regulator: only bureaus at this level."),
    f("rules[].who.leaders", "array of codes", "leader: the leaders it falls on."),
    f("rules[].activity", "code", "The activity kind that counts; it must be declared, so that a record produces it."),
    f("rules[].on.kind", "self | inspection_points | subsidiaries | orgs | sites | guards | liaison_counties | liaison_industries", "What the activity is done on."),
    f("rules[].on.each", "bool, default false", "Coverage: every target needs `at_least`, not the targets together."),
    f("rules[].on.org_kinds", "array of codes", "orgs: the kinds of organisation inside the subject's jurisdiction."),
    f("rules[].on.site_kinds", "array of codes", "sites: the kinds of site."),
    f("rules[].on.supervision_level", "code, optional", "Only targets at this supervision level (from the day they were raised to it)."),
    f("rules[].at_least", "integer ≥ 1", "How many in each window."),
    f("rules[].per", "hour | week | half_month | month | quarter | year | phase | campaign | event", "The window: a calendar period in Asia/Shanghai (weeks from Monday, half-months 1–15 and 16–end), each phase, the whole campaign, or each triggering event."),
    f("rules[].by", "date", "Instead of `per`: a deadline, from the campaign's start."),
    f("rules[].phases", "array of codes", "Only windows inside these phases."),
    f("rules[].requires", "array of principal_signature | report_by_tier | ledger_per_subsidiary", "What the window's records must also show: the principal's signed hazard list, reported upward, one per subsidiary."),
    f("rules[].checklist", "code, optional", "A record counts only if it went through every item of this checklist (loadings, equipment checks)."),
    f("rules[].trigger", "code, optional", "per = \"event\": the activity each of which opens a window (a loading opens its vehicle check)."),
    f("rules[].alternatives[].source", "string", "Another reading of the rule in the document …"),
    f("rules[].alternatives[].at_least", "integer, optional", "… with another count (lint: the plan keeps the stricter) …"),
    f("rules[].alternatives[].org_kinds", "array of codes, optional", "… or other organisations (lint: the plan keeps the broader) …"),
    f("rules[].alternatives[].items", "array of strings, optional", "… or other items; shown with the rule …"),
    f("rules[].alternatives[].reports_to", "string, optional", "… or another addressee (lint reports the contradiction)."),
    f("rules[].modifiers[].supervision_level", "code", "For subjects (or coverage targets) at this level …"),
    f("rules[].modifiers[].at_least", "integer", "… this many instead (never fewer than the rule)."),
    f("rules[].modifiers[].source", "string", "Where the document says so."),
    f("rules[].assumption", "string, optional", "Why a number the document does not give was chosen; lint lists it and pages show it."),
    f("rules[].reports_to", "string, optional", "For a report: to whom it goes; shown with the rule on the campaign page."),
    f("tasks[].no", "integer", "The task's number in the task list (1..N without gaps)."),
    f("tasks[].battle", "code", "The battle it belongs to."),
    f("tasks[].area", "string", "Its area (领域)."),
    f("tasks[].content", "string", "What it asks."),
    f("tasks[].departments", "array of codes", "The departments responsible."),
    f("tasks[].responsible", "string, optional", "Who else is responsible, as written."),
    f("tasks[].continuous", "bool, default false", "A task for the whole campaign: it owes a progress report every month."),
    f("tasks[].due", "date, optional", "Its deadline (one of `due` or `continuous`)."),
    f("tasks[].due_text", "string", "The deadline as the document words it."),
];

/// The reference as Markdown, as `docs/plan-format.md` holds it.
pub fn markdown() -> String {
    let mut out = String::from(
        "# The plan format\n\n\
         Every field a plan file may hold, its type and what anjian does with it. Generated by\n\
         `anjian plan reference` from the program's own table; a test keeps this file equal to it\n\
         and the table complete against what the parser reads. A field not listed here is refused\n\
         by `anjian plan lint`. `[]` marks an array of tables (`[[rules]]`); a *code* is lower-case\n\
         letters, digits and `_`.\n\n\
         | field | type | effect |\n|---|---|---|\n",
    );
    for x in FIELDS {
        out.push_str(&format!("| `{}` | {} | {} |\n", x.path, x.ty.replace('|', "\\|"), x.effect.replace('|', "\\|")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The key paths of a TOML value, `[]` for arrays of tables.
    fn paths(prefix: &str, v: &toml::Value, out: &mut BTreeSet<String>) {
        match v {
            toml::Value::Table(t) => {
                for (k, v) in t {
                    let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    match v {
                        toml::Value::Table(_) => paths(&p, v, out),
                        toml::Value::Array(a) if a.iter().any(|x| x.is_table()) && !is_leaf_table(&p) => {
                            for x in a {
                                paths(&format!("{p}[]"), x, out);
                            }
                        }
                        _ => {
                            out.insert(p);
                        }
                    }
                }
            }
            _ => {
                out.insert(prefix.to_owned());
            }
        }
    }

    /// Fields whose value is itself a small table (`{ min, max }`), listed as one field.
    fn is_leaf_table(p: &str) -> bool {
        FIELDS.iter().any(|f| f.path == p)
    }

    /// Every field the parser reads from the shipped plan and from the plan written back (which
    /// holds every field the structures have, defaults included) is in the table.
    #[test]
    fn the_reference_lists_every_field_the_parser_reads() {
        let text = include_str!("../../../../plans/jincheng-2022.toml");
        let plan = crate::plan::Plan::parse(text).unwrap();
        let mut seen = BTreeSet::new();
        paths("", &toml::from_str::<toml::Value>(text).unwrap(), &mut seen);
        let written = toml::Value::try_from(&plan).unwrap();
        paths("", &written, &mut seen);
        let listed: BTreeSet<&str> = FIELDS.iter().map(|f| f.path).collect();
        // A `{ min, max }` field's parts, and an empty array of tables, are covered by their
        // field and their table's fields.
        let covered = |p: &str| {
            listed.contains(p)
                || listed.iter().any(|l| p.starts_with(&format!("{l}.")) || l.starts_with(&format!("{p}[].")))
        };
        let missing: Vec<_> = seen.iter().filter(|p| !covered(p)).collect();
        assert!(missing.is_empty(), "fields the reference does not list: {missing:?}");
        assert_eq!(listed.len(), FIELDS.len(), "each field once");
    }
}
