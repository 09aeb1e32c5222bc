//! What every page shares: the frame (navigation, language, CSRF token), rendering, error pages,
//! form fields and small formatting helpers. It knows no feature.

use crate::auth::Signed;
use crate::i18n::Lang;
use crate::AppState;
use anjian_domain::role::Permission;
use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};

pub struct NavItem {
    pub href: &'static str,
    pub key: &'static str,
    pub active: bool,
}

/// A heading of the navigation and the areas under it; a group of one is a plain link.
pub struct NavGroup {
    pub key: &'static str,
    pub items: Vec<NavItem>,
}

impl NavGroup {
    pub fn active(&self) -> bool {
        self.items.iter().any(|i| i.active)
    }
}

pub struct UserBadge {
    pub display_name: String,
    pub role_key: &'static str,
}

/// What every page's frame needs.
pub struct Chrome {
    pub lang: Lang,
    pub user: Option<UserBadge>,
    pub csrf: String,
    pub nav: Vec<NavGroup>,
    pub other_lang: &'static str,
    pub unread: u64,
    /// The page's own address, for the language switch to come back to.
    pub here: String,
}

impl Chrome {
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    pub fn anonymous(lang: Lang) -> Chrome {
        Chrome {
            lang,
            user: None,
            csrf: String::new(),
            nav: Vec::new(),
            other_lang: other(lang),
            unread: 0,
            here: String::new(),
        }
    }

    /// The page's address (for the language switch to return to).
    pub fn at(mut self, here: &str) -> Chrome {
        self.here = here.to_owned();
        self
    }

    /// The language switch's link: back to this page in the other language.
    pub fn lang_link(&self) -> String {
        match crate::auth::local_path(&self.here) {
            Some(p) => format!(
                "/lang/{}?back={}",
                self.other_lang,
                percent_encoding::utf8_percent_encode(p, percent_encoding::NON_ALPHANUMERIC)
            ),
            None => format!("/lang/{}", self.other_lang),
        }
    }

    /// The frame for a signed-in page; only the areas the role may use appear.
    pub fn signed(s: &Signed, current: &str) -> Chrome {
        Chrome { unread: s.unread, here: s.path.clone(), ..Self::for_session(&s.ctx, s.lang, current, true) }
    }

    pub fn for_session(ctx: &anjian_app::auth::SessionCtx, lang: Lang, current: &str, with_nav: bool) -> Chrome {
        let role = ctx.actor.role;
        let bureau = role.is_bureau() || role.scope_basis() == anjian_domain::role::ScopeBasis::Everything;
        let crossings = bureau || role == anjian_domain::role::Role::RailwayOperator;
        let testing = bureau || role == anjian_domain::role::Role::Principal;
        let warehouses = bureau || ctx.actor.org.as_ref().is_some_and(|o| o.kind == "explosives_enterprise");
        let enterprise = !bureau && role != anjian_domain::role::Role::SysAdmin;
        // Grouped by what the role does, so that a desktop shows one row and a phone one menu.
        let areas: [(&'static str, &'static str, &'static str, Permission, bool); 20] = [
            ("", "/today", "nav.home", Permission::ViewCampaign, enterprise),
            ("", "/cockpit", "nav.cockpit", Permission::ViewCampaign, bureau),
            ("", "/obligations", "nav.obligations", Permission::ViewCampaign, enterprise),
            ("nav.group.hazards", "/hazards", "nav.hazards", Permission::ViewHazards, true),
            ("nav.group.hazards", "/inspections", "nav.inspections", Permission::ViewHazards, true),
            ("nav.group.hazards", "/ledgers", "nav.ledgers", Permission::ViewHazards, true),
            ("nav.group.hazards", "/hazards/supervised", "nav.supervised", Permission::ViewHazards, bureau),
            ("nav.group.hazards", "/papers", "nav.papers", Permission::ViewHazards, true),
            ("nav.group.special", "/crossings", "nav.crossings", Permission::ViewHazards, crossings),
            ("nav.group.special", "/warehouses", "nav.warehouses", Permission::ViewHazards, warehouses),
            ("nav.group.special", "/tests", "nav.tests", Permission::ViewCampaign, testing),
            ("nav.group.oversight", "/campaign/board", "nav.board", Permission::ViewCampaign, bureau),
            ("nav.group.oversight", "/compliance", "nav.compliance", Permission::ViewCampaign, bureau),
            ("nav.group.oversight", "/obligations", "nav.obligations", Permission::ViewCampaign, bureau),
            ("nav.group.oversight", "/supervision", "nav.supervision", Permission::ViewOrgs, bureau),
            ("nav.group.oversight", "/campaign", "nav.campaign", Permission::ViewCampaign, true),
            ("", "/tips", "nav.tips", Permission::ViewTips, true),
            ("nav.group.admin", "/orgs", "nav.orgs", Permission::ViewOrgs, true),
            ("nav.group.admin", "/users", "nav.users", Permission::ViewUsers, true),
            ("nav.group.admin", "/audit", "nav.audit", Permission::ViewAudit, true),
        ];
        let mut nav: Vec<NavGroup> = Vec::new();
        if with_nav {
            for (group, href, key, p, shown) in areas {
                if !(role.can(p) && shown) {
                    continue;
                }
                let item = NavItem { href, key, active: href == current };
                match nav.iter_mut().find(|g| !group.is_empty() && g.key == group) {
                    Some(g) => g.items.push(item),
                    None => nav.push(NavGroup { key: if group.is_empty() { key } else { group }, items: vec![item] }),
                }
            }
        }
        Chrome {
            lang,
            user: Some(UserBadge {
                display_name: ctx.actor.user.display_name.clone(),
                role_key: role_key(ctx.actor.user.role.as_str()),
            }),
            csrf: ctx.session.csrf_token.clone(),
            nav,
            other_lang: other(lang),
            unread: 0,
            here: String::new(),
        }
    }
}

fn other(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "en",
        Lang::En => "zh",
    }
}

/// A catalogue key built from a code (`role` + `sys_admin`); unknown codes show "无".
pub fn key(prefix: &str, code: &str) -> &'static str {
    crate::i18n::static_key(&format!("{prefix}.{code}")).unwrap_or("common.none")
}

pub fn role_key(code: &str) -> &'static str {
    key("role", code)
}

/// Names of the organisations behind a page's rows, in one query, only those in scope.
pub async fn org_names(
    state: &AppState,
    actor: &anjian_app::Actor,
    ids: impl Iterator<Item = i64>,
) -> std::collections::HashMap<i64, String> {
    match state.app.org_names(actor, ids).await {
        Ok(names) => names,
        Err(e) => {
            // A list without its organisations' names is still the list; the failure is logged.
            tracing::warn!(error = %e, "organisation names");
            Default::default()
        }
    }
}

/// The fields of a multipart form, by name (a repeated name keeps the last). `None` when the
/// body is malformed or over the route's size limit.
pub async fn multipart_fields(
    mut form: axum::extract::Multipart,
) -> Option<std::collections::HashMap<String, Vec<u8>>> {
    let mut fields = std::collections::HashMap::new();
    while let Some(field) = form.next_field().await.ok()? {
        let name = field.name().unwrap_or("").to_owned();
        let bytes = field.bytes().await.ok()?;
        fields.insert(name, bytes.to_vec());
    }
    Some(fields)
}

/// Every field of a multipart form in order, repeated names kept (photos, checkboxes). `None`
/// when the body is malformed or over the route's size limit.
pub async fn multipart_list(mut form: axum::extract::Multipart) -> Option<Vec<(String, Vec<u8>)>> {
    let mut fields = Vec::new();
    while let Some(field) = form.next_field().await.ok()? {
        let name = field.name().unwrap_or("").to_owned();
        let bytes = field.bytes().await.ok()?;
        fields.push((name, bytes.to_vec()));
    }
    Some(fields)
}

/// The first field of that name in a multipart list, as trimmed text.
pub fn list_text(fields: &[(String, Vec<u8>)], name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| String::from_utf8_lossy(v).trim().to_owned())
        .unwrap_or_default()
}

/// The client's address for throttling: the peer, or the `X-Real-IP` a reverse proxy on the same
/// machine sets (a header from anywhere else is ignored, so it cannot be forged from outside).
pub fn client_ip(peer: std::net::SocketAddr, headers: &HeaderMap) -> std::net::IpAddr {
    if peer.ip().is_loopback() {
        if let Some(ip) = headers.get("x-real-ip").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok()) {
            return ip;
        }
    }
    peer.ip()
}

/// A cross-site form post is refused before anything else: a browser says so in Sec-Fetch-Site.
/// (Forms without a session — signing in, the public tip form — have no CSRF token to check.)
/// Whether a form was posted from another site. A browser that sends `Sec-Fetch-Site` says so
/// itself; one that does not (older browsers) is judged by the `Origin` it sends, which must name
/// the host asked. An opaque origin (`null`) decides nothing: browsers send it for a same-site
/// post from a page with `Referrer-Policy: no-referrer`, as anjian's pages are.
pub fn cross_site(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return site == "cross-site";
    }
    match text("origin") {
        None | Some("null") => false,
        Some(origin) => {
            let authority = origin.split_once("://").map(|(_, a)| a).unwrap_or("");
            Some(authority) != text("host")
        }
    }
}

/// A text field of a multipart form.
pub fn text_field(fields: &std::collections::HashMap<String, Vec<u8>>, name: &str) -> String {
    fields.get(name).map(|b| String::from_utf8_lossy(b).trim().to_owned()).unwrap_or_default()
}

/// A time as people here read it: Asia/Shanghai, to the minute.
/// Takes the time or a reference to it, so that templates can call it on a field.
pub fn local_time(t: impl std::borrow::Borrow<DateTime<Utc>>) -> String {
    t.borrow().with_timezone(&anjian_domain::TZ).format("%Y-%m-%d %H:%M").to_string()
}

pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, request_id = %crate::request_id::current(), "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    p: Chrome,
    title: &'a str,
    status: u16,
    message: &'a str,
}

pub fn error_page(lang: Lang, status: StatusCode, message: &str) -> Response {
    let page = ErrorPage { p: Chrome::anonymous(lang), title: lang.t("err.title"), status: status.as_u16(), message };
    (status, render(&page)).into_response()
}

/// Translates field errors of a failed use case into messages for a form.
pub fn field_messages(lang: Lang, e: &anjian_app::AppError) -> Vec<String> {
    match e {
        anjian_app::AppError::Invalid(fields) => fields
            .iter()
            .map(|f| format!("{}：{}", field_label(lang, &f.field), crate::kit::error::field_message(lang, f)))
            .collect(),
        other => {
            let (_, code) = crate::error::status_and_code(other);
            vec![lang.code_message(code).to_owned()]
        }
    }
}

/// A field as the person knows it (描述, not `description`): the catalogue's `field.*` name of
/// its last part (`findings[0].hazard.description` → 描述), or the name as given.
pub fn field_label(lang: Lang, field: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or(field);
    let bare = last.split('[').next().unwrap_or(last);
    let key = format!("field.{bare}");
    if crate::i18n::has_key(&key) {
        lang.t(&key).to_owned()
    } else {
        field.to_owned()
    }
}

/// A part of a page the reader may not be allowed to see (a list for bureaus only) shows as
/// nothing; any other failure — the database away, a record it cannot read — is the page's
/// error, never an empty list that reads as "none".
pub fn unless_forbidden<T: Default>(r: anjian_app::Result<T>) -> anjian_app::Result<T> {
    match r {
        Err(anjian_app::AppError::Forbidden | anjian_app::AppError::NotFound) => Ok(T::default()),
        r => r,
    }
}

/// Why a rule asks what it asks, where the seed contradicts itself or is silent: each other
/// reading (the task list asks 1 a week where the body asks 2) and the plan's choice, then the
/// plan's assumption. Empty for a rule the seed states once and plainly.
pub fn rule_explanation(
    lang: Lang,
    vocabulary: &anjian_domain::plan::Vocabulary,
    rule: &anjian_domain::plan::Rule,
) -> String {
    let body = rule.source.split('；').next().unwrap_or(&rule.source);
    let n = *rule.at_least.get_ref();
    let mut parts: Vec<String> = Vec::new();
    for alt in &rule.alternatives {
        if let Some(m) = alt.at_least {
            parts.push(lang.fill(
                "rule.alt_count",
                &[("body", &body), ("n", &n), ("alt", &alt.source), ("m", &m), ("applied", &n.max(m))],
            ));
        }
        if let Some(kinds) = &alt.org_kinds {
            let names: Vec<String> =
                kinds.iter().map(|k| vocabulary.org_kind_name(k.as_str(), lang == Lang::En)).collect();
            parts.push(
                lang.fill("rule.alt_kinds", &[("body", &body), ("alt", &alt.source), ("kinds", &names.join("、"))]),
            );
        }
        if let (Some(other), Some(kept)) = (&alt.reports_to, &rule.reports_to) {
            parts.push(lang.fill(
                "rule.alt_reports_to",
                &[("body", &body), ("kept", kept), ("alt", &alt.source), ("other", other)],
            ));
        }
    }
    if let (Some(to), true) = (&rule.reports_to, rule.alternatives.iter().all(|a| a.reports_to.is_none())) {
        parts.push(lang.fill("rule.reports_to", &[("to", to)]));
    }
    if let Some(a) = &rule.assumption {
        parts.push(lang.fill("rule.assumption", &[("text", a)]));
    }
    parts.join(" ")
}

/// Percent-encodes a query value (the search box can hold anything).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A date picked on a page means the end of that day in Shanghai.
pub fn end_of_local_day(s: &str) -> Option<DateTime<Utc>> {
    let d = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?;
    Some(anjian_domain::period::local_midnight(d.succ_opt()?) - chrono::Duration::seconds(1))
}

/// A row of an obligation table, ready to show.
pub struct Row {
    pub title: String,
    pub subject: String,
    pub window: String,
    pub ends: String,
    pub progress: String,
    pub status: &'static str,
    pub status_key: &'static str,
    pub link: String,
    /// How much of the progress was entered after the window closed (补录).
    pub late: u32,
}

impl Row {
    pub fn new(o: &anjian_app::obligations::ObligationView) -> Row {
        let progress = if o.targets > 0 {
            format!("{}/{} ({}/{})", o.targets_met, o.targets, o.done, o.need)
        } else {
            format!("{}/{}", o.done, o.need)
        };
        Row {
            title: o.title.clone(),
            subject: o.subject_name.clone(),
            window: o.window.clone(),
            // The last minute of the window: a month ends on its last day, not at the next's 00:00.
            ends: local_time(o.ends - chrono::Duration::minutes(1)),
            progress,
            status: o.status.as_str(),
            status_key: key("obstatus", o.status.as_str()),
            link: o.link(),
            late: o.late,
        }
    }
}
