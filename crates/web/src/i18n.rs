//! The message catalogue: Chinese first, English second. Every user-facing string on a page
//! comes from here by key; a test checks that every key a template uses exists.

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn from_cookie(v: Option<&str>) -> Lang {
        match v {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn t(self, key: &str) -> &'static str {
        match CATALOGUE.get(key) {
            Some((zh, en)) => match self {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => {
                tracing::warn!(key, "missing message");
                "?"
            }
        }
    }
    /// A message for an error or field code, falling back to a generic one.
    pub fn code_message(self, code: &str) -> &'static str {
        let key = format!("err.{code}");
        if CATALOGUE.contains_key(key.as_str()) {
            self.t(&key)
        } else {
            self.t("err.invalid")
        }
    }
}

static CATALOGUE: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| MESSAGES.iter().map(|(k, zh, en)| (*k, (*zh, *en))).collect());

/// The catalogue's own `'static` copy of a key.
pub fn static_key(key: &str) -> Option<&'static str> {
    CATALOGUE.get_key_value(key).map(|(k, _)| *k)
}

pub fn has_key(key: &str) -> bool {
    CATALOGUE.contains_key(key)
}

const MESSAGES: &[(&str, &str, &str)] = &[
    ("app.name", "安监", "anjian"),
    ("app.tagline", "安全生产监管平台", "Work-safety supervision"),
    ("nav.campaign", "专项行动", "Campaign"),
    ("nav.orgs", "单位", "Organisations"),
    ("nav.users", "账号", "Accounts"),
    ("nav.audit", "审计日志", "Audit log"),
    ("nav.account", "我的账号", "My account"),
    ("nav.logout", "退出", "Sign out"),
    ("nav.lang_switch", "English", "中文"),
    ("nav.menu", "菜单", "Menu"),
    ("login.title", "登录", "Sign in"),
    ("login.username", "用户名", "User name"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    (
        "login.notice",
        "本系统仅限授权人员使用，所有操作均被记录。",
        "For authorised users only; every action is recorded.",
    ),
    ("mfa.title", "动态口令验证", "Second factor"),
    ("mfa.code", "6 位动态口令", "6-digit code"),
    ("mfa.submit", "验证", "Verify"),
    (
        "mfa.help",
        "请打开身份验证器应用，输入当前显示的 6 位数字。",
        "Open your authenticator app and enter the 6 digits it shows.",
    ),
    ("enrol.title", "绑定动态口令", "Set up a second factor"),
    (
        "enrol.help",
        "您的角色要求双因素登录。请在身份验证器应用（如国密令牌或 TOTP 应用）中添加以下密钥，然后输入显示的 6 位数字。",
        "Your role signs in with two factors. Add this key to an authenticator app, then enter the 6 digits it shows.",
    ),
    ("enrol.secret", "密钥", "Key"),
    ("enrol.uri", "配置链接", "Setup link"),
    ("password.title", "修改密码", "Change password"),
    (
        "password.forced",
        "首次登录、密码被重置或密码已过期，请设置新密码。",
        "Please choose a new password (first sign-in, reset, or expired).",
    ),
    ("password.current", "当前密码", "Current password"),
    ("password.new", "新密码", "New password"),
    ("password.repeat", "再次输入新密码", "Repeat new password"),
    (
        "password.rules",
        "至少 8 位，包含大写字母、小写字母、数字、符号中的至少三类，且不能是常见密码。",
        "At least 8 characters from three of: upper case, lower case, digits, symbols; not a common password.",
    ),
    ("password.submit", "保存", "Save"),
    (
        "password.changed",
        "密码已修改，其他设备上的会话已退出。",
        "Password changed; sessions on other devices were ended.",
    ),
    ("campaign.title", "专项行动", "Campaign"),
    ("campaign.document", "文号", "Document"),
    ("campaign.issuer", "印发单位", "Issued by"),
    ("campaign.period", "起止日期", "Runs"),
    ("campaign.issued", "印发日期", "Issued"),
    ("campaign.phases", "阶段安排", "Phases"),
    ("campaign.current_phase", "当前阶段", "Current phase"),
    ("campaign.ended", "已结束", "Ended"),
    ("campaign.not_started", "未开始", "Not started"),
    ("campaign.phase_past", "已完成", "Done"),
    ("campaign.phase_now", "进行中", "Now"),
    ("campaign.phase_future", "未开始", "Ahead"),
    ("campaign.tasks", "任务清单", "Tasks"),
    ("campaign.task_no", "序号", "No."),
    ("campaign.task_area", "重点任务", "Area"),
    ("campaign.task_content", "具体内容", "What"),
    ("campaign.task_departments", "责任单位", "Responsible"),
    ("campaign.task_due", "完成时限", "Due"),
    ("campaign.leaders", "领导干部责任清单", "Leaders' responsibilities"),
    ("campaign.leader", "责任人", "Leader"),
    ("campaign.leader_counties", "包联县（市、区）", "Liaison counties"),
    ("campaign.leader_industries", "包联行业", "Liaison industries"),
    ("campaign.leader_duties", "工作要求", "Duties"),
    ("campaign.rules", "频次要求", "Frequency rules"),
    ("campaign.rule", "要求", "Rule"),
    ("campaign.rule_source", "出处", "Source"),
    ("campaign.rule_count", "次数", "At least"),
    ("campaign.rule_when", "周期/时限", "Per / by"),
    ("campaign.rule_assumption", "说明", "Note"),
    ("campaign.version", "方案版本", "Plan version"),
    (
        "campaign.no_plan",
        "尚未导入工作方案。请使用 anjian plan import 导入。",
        "No plan imported yet. Use anjian plan import.",
    ),
    ("per.hour", "每小时", "per hour"),
    ("per.week", "每周", "per week"),
    ("per.half_month", "每半月", "per half-month"),
    ("per.month", "每月", "per month"),
    ("per.quarter", "每季度", "per quarter"),
    ("per.phase", "每阶段", "per phase"),
    ("per.campaign", "行动期间", "during the campaign"),
    ("per.event", "每次", "each time"),
    ("per.by", "前完成", "by"),
    ("industry.industrial_park", "工业园区", "Industrial parks"),
    ("industry.explosives", "民爆行业", "Civil explosives"),
    ("industry.railway_crossing", "无人看守铁路道口", "Unmanned railway crossings"),
    ("orgs.title", "单位", "Organisations"),
    ("orgs.tree", "辖区", "Jurisdictions"),
    ("orgs.all", "全部", "All"),
    ("orgs.name", "名称", "Name"),
    ("orgs.kind", "类型", "Kind"),
    ("orgs.jurisdiction", "辖区", "Jurisdiction"),
    ("orgs.level", "监管等级", "Supervision"),
    ("orgs.parent", "上级单位", "Parent"),
    ("orgs.park", "所在园区", "Park"),
    ("orgs.sites", "场所", "Sites"),
    ("orgs.count", "共 {} 个", "{} in all"),
    ("orgs.search", "名称包含", "Name contains"),
    ("orgs.filter", "筛选", "Filter"),
    ("orgs.next", "下一页", "Next page"),
    ("orgs.first", "第一页", "First page"),
    ("orgs.none", "没有符合条件的单位。", "No organisations match."),
    ("orgs.accounts", "账号", "Accounts"),
    ("orgs.created", "创建时间", "Created"),
    ("org_kind.regulator", "监管部门", "Bureau"),
    ("org_kind.department", "科室", "Department"),
    ("org_kind.enterprise", "生产经营单位", "Enterprise"),
    ("org_kind.explosives_enterprise", "民爆企业", "Explosives enterprise"),
    ("org_kind.group_company", "集团公司", "Group company"),
    ("org_kind.park", "工业园区", "Industrial park"),
    ("org_kind.railway_operator", "铁路部门", "Railway operator"),
    ("org_kind.expert_panel", "专家库", "Expert panel"),
    ("site_kind.warehouse", "民爆库房", "Explosives warehouse"),
    ("site_kind.railway_crossing", "无人看守铁路道口", "Unmanned crossing"),
    ("level.general", "一般监管", "General"),
    ("level.key", "重点监管", "Key supervision"),
    ("users.title", "账号", "Accounts"),
    ("users.username", "用户名", "User name"),
    ("users.display_name", "姓名", "Name"),
    ("users.role", "角色", "Role"),
    ("users.org", "所属单位", "Organisation"),
    ("users.org_id", "所属单位编号", "Organisation id"),
    ("users.status", "状态", "Status"),
    ("users.locked", "已锁定", "Locked"),
    ("users.active", "正常", "Active"),
    ("users.must_change", "待改密", "Must change password"),
    ("users.mfa", "双因素", "Two factors"),
    ("users.new", "新建账号", "New account"),
    ("users.create", "创建", "Create"),
    ("users.reset", "重置密码", "Reset password"),
    (
        "users.one_time",
        "一次性密码（仅显示一次，请当面或线下交给本人）",
        "One-time password (shown once; hand it over in person)",
    ),
    ("users.none", "没有符合条件的账号。", "No accounts match."),
    ("role.sys_admin", "系统管理员", "System admin"),
    ("role.security_admin", "安全管理员", "Security admin"),
    ("role.audit_admin", "审计管理员", "Audit admin"),
    ("role.city_leader", "市级领导", "City leader"),
    ("role.city_staff", "市级科室人员", "City department staff"),
    ("role.county_staff", "县级工信局人员", "County bureau staff"),
    ("role.park_staff", "园区管理机构", "Park authority"),
    ("role.group_safety", "集团公司安全管理人员", "Group safety staff"),
    ("role.principal", "企业主要负责人", "Principal"),
    ("role.deputy", "企业分管负责人", "Deputy"),
    ("role.safety_officer", "企业安全管理员", "Safety officer"),
    ("role.staff", "企业员工", "Staff"),
    ("role.railway_operator", "铁路部门人员", "Railway operator"),
    ("role.expert", "专家", "Expert"),
    ("role.patrol_guard", "巡更员", "Patrol guard"),
    ("audit.title", "审计日志", "Audit log"),
    ("audit.seq", "序号", "Seq"),
    ("audit.at", "时间", "Time"),
    ("audit.actor", "操作人", "Actor"),
    ("audit.action", "操作", "Action"),
    ("audit.object", "对象", "Object"),
    ("audit.result", "结果", "Result"),
    ("audit.detail", "详情", "Detail"),
    ("audit.since", "起始日期", "From"),
    ("audit.until", "截止日期", "Until"),
    ("audit.verify", "校验哈希链", "Verify the chain"),
    ("audit.verified", "哈希链完整：已校验 {} 条记录。", "The chain is whole: {} records verified."),
    ("audit.broken", "哈希链被破坏：", "The chain is broken: "),
    ("audit.none", "没有符合条件的记录。", "No records match."),
    ("account.title", "我的账号", "My account"),
    ("account.tokens", "API 访问令牌", "API access tokens"),
    ("account.token_name", "用途", "Purpose"),
    ("account.token_create", "创建令牌", "Create token"),
    ("account.token_new", "新令牌（仅显示一次）", "New token (shown once)"),
    ("account.token_revoke", "吊销", "Revoke"),
    ("account.token_revoked", "已吊销", "Revoked"),
    ("account.token_last_used", "最近使用", "Last used"),
    ("account.logout_all", "退出所有设备", "Sign out everywhere"),
    (
        "account.logout_all_help",
        "结束本账号在所有设备上的会话，包括当前会话。",
        "Ends every session of this account, this one included.",
    ),
    ("nav.hazards", "隐患", "Hazards"),
    ("nav.inspections", "检查", "Inspections"),
    ("nav.ledgers", "隐患台账", "Ledgers"),
    ("hazards.title", "隐患", "Hazards"),
    ("hazards.description", "隐患描述", "Description"),
    ("hazards.location", "部位", "Location"),
    ("hazards.grade", "等级", "Grade"),
    ("hazards.source", "来源", "Source"),
    ("hazards.discovered", "发现时间", "Found"),
    ("hazards.measures", "整改措施", "Measures"),
    ("hazards.funds", "资金（元）", "Funds (yuan)"),
    ("hazards.owner", "责任人", "Owner"),
    ("hazards.deadline", "完成时限", "Deadline"),
    ("hazards.state", "状态", "Status"),
    ("hazards.org", "单位", "Organisation"),
    ("hazards.org_id", "单位编号", "Organisation id"),
    ("hazards.overdue", "已逾期", "Overdue"),
    ("hazards.overdue_only", "只看逾期", "Overdue only"),
    ("hazards.open_only", "只看未销号", "Open only"),
    ("hazards.report", "上报隐患", "Report a hazard"),
    ("hazards.submit", "上报", "Report"),
    ("hazards.none", "没有符合条件的隐患。", "No hazards match."),
    ("hazards.history", "处理记录", "History"),
    ("hazards.plan", "重大隐患治理方案", "Governance plan"),
    ("hazards.plan.goals", "治理的目标和任务", "Goals and tasks"),
    ("hazards.plan.measures", "采取的方法和措施", "Methods and measures"),
    ("hazards.plan.funds_materials", "经费和物资的落实", "Funds and materials"),
    ("hazards.plan.responsible", "负责治理的机构和人员", "Responsible body and people"),
    ("hazards.plan.time_limit", "治理的时限和要求", "Time limit and requirements"),
    ("hazards.plan.safety_emergency", "安全措施和应急预案", "Safety measures and emergency plan"),
    ("hazards.reason", "退回原因", "Reason"),
    ("hazards.created", "隐患已上报。", "Hazard reported."),
    (
        "hazards.major_notice",
        "重大隐患：须先制定治理方案，由监管部门验收销号；县、市两级同时可见。",
        "Major hazard: a governance plan first; closed only by the regulator; visible to county and city at once.",
    ),
    ("state.draft", "草稿", "Draft"),
    ("state.reported", "已上报", "Reported"),
    ("state.rectifying", "整改中", "Rectifying"),
    ("state.awaiting_verification", "待验收", "Awaiting verification"),
    ("state.closed", "已销号", "Closed"),
    ("action.report", "上报", "Report"),
    ("action.fix_on_spot", "即查即改", "Fixed on the spot"),
    ("action.attach_plan", "提交治理方案", "Attach governance plan"),
    ("action.start_rectifying", "开始整改", "Start rectifying"),
    ("action.submit_rectification", "整改完成，申请验收", "Fixed: ask for verification"),
    ("action.verify", "验收销号", "Verify and close"),
    ("action.reject", "验收不通过，退回", "Reject"),
    ("grade.general", "一般隐患", "General"),
    ("grade.major", "重大隐患", "Major"),
    ("source.self_inspection", "企业自查", "Self-inspection"),
    ("source.site_check", "负责人现场排查", "Site check"),
    ("source.group_check", "集团检查", "Group check"),
    ("source.expert_health_check", "专家体检", "Expert health check"),
    ("source.cross_region_check", "异地交叉检查", "Cross-region check"),
    ("source.full_coverage_check", "全覆盖检查", "Full-coverage check"),
    ("source.spot_check", "抽查", "Spot check"),
    ("source.unannounced_check", "四不两直", "Unannounced check"),
    ("source.liaison_check", "包联督导检查", "Liaison check"),
    ("source.tip", "举报", "Tip"),
    ("source.alarm", "报警", "Alarm"),
    ("source.order", "监管指令", "Bureau order"),
    ("source.report", "随手报", "Report"),
    ("inspections.title", "检查记录", "Inspections"),
    ("inspections.kind", "检查类型", "Kind"),
    ("inspections.at", "检查时间", "When"),
    ("inspections.inspector", "检查人", "Inspector"),
    ("inspections.summary", "检查情况", "Summary"),
    ("inspections.new", "录入检查", "Record an inspection"),
    ("inspections.covered", "本次检查覆盖的单元/环节/岗位/部位", "Points covered"),
    ("inspections.findings", "检查项", "Items checked"),
    ("inspections.item", "检查内容", "Item"),
    ("inspections.passed", "合格", "Passed"),
    ("inspections.failed", "不合格", "Failed"),
    ("inspections.note", "说明", "Note"),
    (
        "inspections.failed_hint",
        "不合格项将按下列等级、措施和时限同时上报为隐患。",
        "Failed items are reported as hazards with this grade, measures and deadline.",
    ),
    ("inspections.save", "保存检查", "Save inspection"),
    ("inspections.none", "没有检查记录。", "No inspections."),
    ("inspections.coverage", "本月全面自查覆盖", "This month's self-inspection coverage"),
    ("inspections.left", "尚未检查", "Not yet covered"),
    ("inspections.saved", "检查已保存。", "Inspection saved."),
    ("inspections.points", "检查点", "Inspection points"),
    ("inspections.add_point", "添加检查点", "Add a point"),
    ("inspections.point_name", "名称", "Name"),
    ("inspection_kind.self_inspection", "全面自查", "Full self-inspection"),
    ("inspection_kind.site_check", "负责人现场排查", "Principal's site check"),
    ("inspection_kind.group_check", "集团对下属企业检查", "Group check of a subsidiary"),
    ("inspection_kind.expert_health_check", "专家“体检”", "Expert health check"),
    ("inspection_kind.cross_region_check", "异地交叉检查", "Cross-region check"),
    ("inspection_kind.full_coverage_check", "全覆盖检查", "Full-coverage check"),
    ("inspection_kind.spot_check", "抽查检查", "Spot check"),
    ("inspection_kind.unannounced_check", "“四不两直”检查", "Unannounced check"),
    ("inspection_kind.liaison_check", "包联督导检查", "Liaison leader's check"),
    ("point_kind.unit", "单元", "Unit"),
    ("point_kind.process", "环节", "Process step"),
    ("point_kind.post", "岗位", "Post"),
    ("point_kind.location", "部位", "Location"),
    ("ledgers.title", "隐患台账", "Hazard ledgers"),
    ("ledgers.no", "序号", "No."),
    ("ledgers.period", "月份", "Month"),
    ("ledgers.draft", "本月隐患清单（未签字）", "This month's list (unsigned)"),
    ("ledgers.signed", "已签字上报的版本", "Signed versions"),
    ("ledgers.version", "版本", "Version"),
    ("ledgers.signer", "签字人", "Signed by"),
    ("ledgers.signed_at", "签字时间", "Signed"),
    ("ledgers.items", "条数", "Items"),
    ("ledgers.intact", "签名有效", "Signature valid"),
    ("ledgers.broken", "内容已被改动，签名无效", "Content changed: signature invalid"),
    ("ledgers.sign", "主要负责人签字确认并上报", "Sign and report (principal)"),
    (
        "ledgers.sign_help",
        "签字即确认以上清单真实完整。请再次输入您的登录密码。",
        "Signing confirms the list above is true and complete. Enter your password again.",
    ),
    ("ledgers.received", "已接收", "Received"),
    ("ledgers.none", "尚无已签字的台账。", "No signed lists yet."),
    ("ledgers.signed_ok", "已签字，并上报县、市工信部门。", "Signed and reported to the county and city bureaus."),
    ("ledgers.hash", "内容摘要", "Content hash"),
    ("ledgers.view", "查看", "View"),
    ("err.hazard_out_of_order", "当前状态下不能执行此操作。", "Not possible in the hazard's current state."),
    (
        "err.hazard_plan_required",
        "重大隐患须先提交治理方案，才能开始整改。",
        "A major hazard needs its governance plan before rectifying.",
    ),
    ("err.hazard_not_for_grade", "此操作不适用于该等级的隐患。", "Not for hazards of this grade."),
    ("err.hazard_same_person", "整改人不能验收自己的整改。", "Whoever fixed it cannot verify it."),
    ("err.hazard_regulator_required", "重大隐患须由监管部门验收销号。", "Only the regulator verifies a major hazard."),
    ("err.hazard_reason_required", "退回须填写原因。", "Give a reason to reject."),
    ("err.invalid_grade", "无效的隐患等级。", "Unknown grade."),
    ("err.before_discovery", "完成时限不能早于发现时间。", "The deadline cannot be before discovery."),
    (
        "err.already_signed",
        "本月清单未发生变化，已签字，无需重复签字。",
        "This month's list is unchanged and already signed.",
    ),
    ("err.invalid_period", "月份格式应为 2022-08。", "Month as 2022-08."),
    ("err.in_future", "时间不能晚于现在。", "Cannot be in the future."),
    ("err.invalid_kind", "无效的类型。", "Unknown kind."),
    ("err.passed_item", "合格项不能上报隐患。", "A passed item files no hazard."),
    ("common.yes", "是", "yes"),
    ("common.no", "否", "no"),
    ("common.never", "从未", "never"),
    ("common.back", "返回", "Back"),
    ("common.save", "保存", "Save"),
    ("common.none", "无", "none"),
    ("err.title", "出错了", "Something went wrong"),
    ("err.not_found", "找不到该页面或记录，或您无权查看。", "Not found, or not yours to see."),
    ("err.forbidden", "您的角色无权执行此操作。", "Your role may not do this."),
    ("err.unauthenticated", "请先登录。", "Please sign in."),
    ("err.bad_credentials", "用户名或密码错误。", "Wrong user name or password."),
    (
        "err.locked",
        "连续登录失败次数过多，账号已锁定 30 分钟。",
        "Too many failed attempts: the account is locked for 30 minutes.",
    ),
    ("err.throttled", "尝试过于频繁，请稍后再试。", "Too many attempts; try again later."),
    ("err.bad_code", "动态口令错误或已被使用。", "Wrong or already used code."),
    ("err.invalid", "输入有误，请检查。", "Please check your input."),
    ("err.csrf", "表单已过期，请刷新页面后重试。", "The form has expired; reload the page and try again."),
    (
        "err.internal",
        "系统内部错误，请联系管理员并提供请求编号：",
        "Internal error; tell the administrator this request id: ",
    ),
    ("err.unavailable", "服务暂不可用，请稍后再试。", "Service unavailable; try again later."),
    ("err.no_plan", "尚未导入工作方案。", "No plan has been imported."),
    ("err.required", "必填。", "Required."),
    ("err.taken", "已被占用。", "Already taken."),
    (
        "err.invalid_username",
        "3–32 位字母、数字、点、下划线或连字符。",
        "3–32 letters, digits, dots, underscores or hyphens.",
    ),
    ("err.invalid_role", "无效的角色。", "Unknown role."),
    ("err.wrong_password", "当前密码错误。", "The current password is wrong."),
    ("err.password_unchanged", "新密码不能与当前密码相同。", "The new password must differ from the current one."),
    ("err.password_mismatch", "两次输入的新密码不一致。", "The two new passwords differ."),
    ("err.password_too_short", "密码至少 8 位。", "At least 8 characters."),
    ("err.password_too_long", "密码最多 128 位。", "At most 128 characters."),
    (
        "err.password_too_few_classes",
        "需包含大写字母、小写字母、数字、符号中的至少三类。",
        "Use three of: upper case, lower case, digits, symbols.",
    ),
    ("err.password_common", "这是常见密码，请换一个。", "That is a common password; choose another."),
    ("err.password_contains_username", "密码不能包含用户名。", "The password may not contain the user name."),
    ("err.not_found_field", "不存在或不在您的管辖范围内。", "Does not exist or is outside your scope."),
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_key_a_template_uses_is_in_the_catalogue() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for part in text.split("t(\"").skip(1) {
                let key = &part[..part.find('"').unwrap()];
                if !super::has_key(key) {
                    missing.push(key.to_owned());
                }
            }
        }
        assert!(missing.is_empty(), "missing keys: {missing:?}");
    }

    #[test]
    fn every_message_has_both_languages() {
        for (k, zh, en) in super::MESSAGES {
            assert!(!zh.is_empty() && !en.is_empty(), "{k}");
        }
    }
}
