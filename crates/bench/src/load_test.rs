//! The load test's preparation (`anjian-bench load-prepare`, run by `scripts/load-test.sh`): accounts,
//! a token and an explosives warehouse in a running installation, each request of the mixed
//! workload tried once, and the lot written as a Lua table for `scripts/load.lua` (wrk).

use anjian_app::App;
use anjian_domain::scope::Scope;
use anjian_store::orgs::{self, OrgFilter};
use anjian_store::Store;
use anyhow::{ensure, Context};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// Sensors of the load test's warehouse; each telemetry batch carries one reading of each.
const SENSORS: usize = 20;

#[derive(clap::Args)]
pub struct LoadPrepareArgs {
    /// The running server the load will go to.
    #[arg(long, default_value = "http://127.0.0.1:18080")]
    pub url: String,
    /// Where to write the Lua table for `scripts/load.lua`.
    #[arg(long)]
    pub out: std::path::PathBuf,
}

pub async fn prepare(app: &App, store: &Store, args: &LoadPrepareArgs) -> anyhow::Result<()> {
    let bureau = orgs::by_code(&store.db, "bureau-zezhou").await?.context("no Zezhou bureau: run with --demo first")?;
    let account = |username: &str, role: &str, org_id: i64| anjian_app::users::CreateUser {
        username: username.into(),
        display_name: username.into(),
        role: role.into(),
        org_id: Some(org_id),
        leader_code: None,
        position: None,
    };
    let (_, token) = app.create_token_account(account("load.county", "county_staff", bureau.id)).await?;
    let filter = OrgFilter {
        kind: Some("enterprise".into()),
        jurisdiction_id: Some(bureau.jurisdiction_id),
        ..Default::default()
    };
    let enterprises: Vec<i64> =
        orgs::list(&store.db, &Scope::All, &filter, None, 500).await?.into_iter().map(|o| o.id).collect();
    ensure!(!enterprises.is_empty(), "no enterprises in Zezhou: run with --demo first");
    let (_, password) = app.create_user(None, account("load.principal", "principal", enterprises[0])).await?;

    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, path: &str, body: Value| {
        let r = http.request(method, format!("{}{path}", args.url)).bearer_auth(&token).json(&body).send();
        async move {
            let r = r.await?;
            let status = r.status();
            let v: Value = r.json().await.unwrap_or(Value::Null);
            ensure!(status.is_success(), "{status}: {v}");
            anyhow::Ok(v)
        }
    };
    use reqwest::Method;
    let org = call(
        Method::POST,
        "/api/v1/orgs",
        json!({"name": "压测民爆公司", "kind": "explosives_enterprise", "jurisdiction_id": bureau.jurisdiction_id}),
    )
    .await?;
    let site = call(Method::POST, &format!("/api/v1/orgs/{}/warehouses", org["id"]), json!({"name": "压测库"})).await?;
    let mut sensors = Vec::new();
    for i in 0..SENSORS {
        let kind = if i % 2 == 0 { "temperature" } else { "humidity" };
        let s =
            call(Method::POST, &format!("/api/v1/warehouses/{}/sensors", site["id"]), json!({"kind": kind})).await?;
        sensors.push(s["code"].as_str().context("sensor code")?.to_owned());
    }
    let gateway =
        call(Method::POST, &format!("/api/v1/orgs/{}/gateways", org["id"]), json!({"name": "压测网关"})).await?;
    let gateway = gateway["token"].as_str().context("gateway token")?.to_owned();

    let lua = config_lua(&args.url, &token, &password, &gateway, &enterprises, &sensors);
    std::fs::write(&args.out, lua).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "load test prepared: {} enterprises, {SENSORS} sensors; configuration in {}",
        enterprises.len(),
        args.out.display()
    );
    Ok(())
}

fn lua_list<T: std::fmt::Display>(items: &[T], quote: bool) -> String {
    let q = if quote { "\"" } else { "" };
    items.iter().map(|i| format!("{q}{i}{q}")).collect::<Vec<_>>().join(", ")
}

fn config_lua(
    url: &str,
    token: &str,
    password: &str,
    gateway: &str,
    enterprises: &[i64],
    sensors: &[String],
) -> String {
    let mut s = String::from("-- Written by `anjian-bench load-prepare`; read by scripts/load.lua.\nreturn {\n");
    // None of these values holds a quote or a backslash: tokens and codes are base32/hex, the
    // password is from the generator's alphabet.
    let _ = writeln!(s, "  url = \"{url}\",");
    let _ = writeln!(s, "  token = \"{token}\",");
    let _ = writeln!(s, "  username = \"load.principal\",");
    let _ = writeln!(s, "  password = \"{password}\",");
    let _ = writeln!(s, "  gateway = \"{gateway}\",");
    let _ = writeln!(s, "  enterprises = {{ {} }},", lua_list(enterprises, false));
    let _ = writeln!(s, "  sensors = {{ {} }},", lua_list(sensors, true));
    s.push_str("}\n");
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_configuration_is_a_lua_table() {
        let s = super::config_lua("http://h:1", "tok", "pw", "gw", &[3, 4], &["S-1".into()]);
        assert!(s.contains("enterprises = { 3, 4 },") && s.contains("sensors = { \"S-1\" },"), "{s}");
        assert!(s.trim_end().ends_with('}'));
    }
}
