//! The message catalogue: Chinese first, English second. The texts are data, one TOML file per
//! language (`messages/zh-CN.toml`, `messages/en.toml`), built into the binary; every text a
//! person reads — on a page, in a notification, in a report or an export — comes from here by
//! key (reports stay Chinese for the bureau: they take `Lang::Zh`). Tests fail on a key defined twice, a key one language lacks,
//! a key a template or the code uses that is missing, and a key nobody uses.

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
    /// A message with its `{name}` placeholders filled in (a notification's title, a report's
    /// sentence). A placeholder the caller does not give stays visible rather than vanishing.
    pub fn fill(self, key: &str, args: &[(&str, &(dyn std::fmt::Display + Sync))]) -> String {
        let mut text = self.t(key).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), &value.to_string());
        }
        text
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

/// The catalogue files, built in: a server on an intranet needs no file beside the binary.
const ZH_CN: &str = include_str!("../messages/zh-CN.toml");
const EN: &str = include_str!("../messages/en.toml");

static CATALOGUE: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| match load(ZH_CN, EN) {
        Ok(c) => c,
        // The files are compiled in and checked by the tests below; a broken one never ships.
        Err(e) => panic!("message catalogue: {e}"),
    });

/// One language's file: `"key" = "text"` lines.
fn parse(name: &str, text: &str) -> Result<HashMap<String, String>, String> {
    let table: toml::Table = text.parse().map_err(|e| format!("{name}: {e}"))?;
    table
        .into_iter()
        .map(|(k, v)| match v {
            toml::Value::String(s) => Ok((k, s)),
            other => Err(format!("{name}: `{k}` is not text: {other}")),
        })
        .collect()
}

/// Both languages, key by key. A key one of them lacks is an error, not a "?" on a page.
fn load(zh: &str, en: &str) -> Result<HashMap<&'static str, (&'static str, &'static str)>, String> {
    let zh = parse("zh-CN.toml", zh)?;
    let mut en = parse("en.toml", en)?;
    let mut out = HashMap::with_capacity(zh.len());
    for (k, z) in zh {
        let e = en.remove(&k).ok_or_else(|| format!("`{k}` has no English text"))?;
        // Leaked once, at the first message: the catalogue lives as long as the process.
        out.insert(&*Box::leak(k.into_boxed_str()), (&*Box::leak(z.into_boxed_str()), &*Box::leak(e.into_boxed_str())));
    }
    match en.into_keys().next() {
        Some(k) => Err(format!("`{k}` has no Chinese text")),
        None => Ok(out),
    }
}

/// The catalogue's own `'static` copy of a key.
pub fn static_key(key: &str) -> Option<&'static str> {
    CATALOGUE.get_key_value(key).map(|(k, _)| *k)
}

pub fn has_key(key: &str) -> bool {
    CATALOGUE.contains_key(key)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

    fn files(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, ext, out);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }

    /// Every template and every Rust file of the workspace's crates, but the catalogue's own.
    fn sources() -> Vec<(std::path::PathBuf, String)> {
        let mut paths = Vec::new();
        files(Path::new(ROOT), "rs", &mut paths);
        files(&Path::new(ROOT).join("web/templates"), "html", &mut paths);
        paths
            .into_iter()
            .filter(|p| !p.ends_with("i18n/src/lib.rs"))
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                (p, text)
            })
            .collect()
    }

    /// The `"…"` literals right after `marker` in `text`.
    fn after<'a>(text: &'a str, marker: &str) -> Vec<&'a str> {
        text.split(marker).skip(1).filter_map(|part| part.split('"').next()).collect()
    }

    #[test]
    fn placeholders_are_filled_by_name() {
        let due = super::Lang::Zh.fill("notify.due_soon", &[("rule", &"主要负责人每周检查")]);
        assert_eq!(due, "即将到期：主要负责人每周检查");
        let en = super::Lang::En.fill("notify.digest_body", &[("n", &3)]);
        assert!(en.contains('3') && !en.contains("{n}"), "{en}");
    }

    #[test]
    fn no_key_is_defined_twice() {
        for (name, text) in [("zh-CN.toml", super::ZH_CN), ("en.toml", super::EN)] {
            let mut seen = BTreeSet::new();
            for line in text.lines().filter(|l| l.starts_with('"')) {
                let key = line.split('"').nth(1).unwrap();
                assert!(seen.insert(key), "{name}: `{key}` is defined twice; one of its texts would be lost");
            }
        }
    }

    #[test]
    fn both_languages_have_every_key_and_no_text_is_empty() {
        let c = super::load(super::ZH_CN, super::EN).unwrap();
        for (k, (zh, en)) in &c {
            assert!(!zh.is_empty() && !en.is_empty(), "{k} has an empty text");
        }
        let broken = super::EN.replacen("\"app.name\"", "\"app.nameless\"", 1);
        assert!(super::load(super::ZH_CN, &broken).is_err(), "a key missing in one language is refused");
    }

    #[test]
    fn every_key_a_template_or_the_code_uses_is_in_the_catalogue() {
        let mut missing = BTreeSet::new();
        for (path, text) in sources() {
            // `p.t("…")` in templates, `lang.t("…")` in handlers, `Lang::Zh.fill("…", …)` in
            // notifications and reports, `zh("…")` and every key of `zh_all(&["…", …])` in exports.
            let lists = text.split("zh_all(&[").skip(1).filter_map(|part| part.split("])").next());
            let listed = lists.flat_map(|list| list.split('"').skip(1).step_by(2));
            let used = after(&text, ".t(\"").into_iter().chain(after(&text, ".fill(\"")).chain(after(&text, "zh(\""));
            for key in used.chain(listed) {
                let shaped = key.split('.').count() > 1
                    && key.split('.').all(|p| {
                        !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                    });
                if shaped && !super::has_key(key) {
                    missing.insert(format!("{key} ({})", path.display()));
                }
            }
        }
        assert!(missing.is_empty(), "keys used but not in the catalogue: {missing:?}");
    }

    #[test]
    fn every_key_is_used_somewhere() {
        let sources: Vec<String> = sources().into_iter().map(|(_, t)| t).collect();
        let all = sources.join("\n");
        // Keys built at run time: `key("tip.state", code)`, `format!("err.{code}")`.
        let mut prefixes: BTreeSet<&str> = after(&all, "key(\"").into_iter().collect();
        prefixes.extend(after(&all, "format!(\"").into_iter().filter_map(|f| f.split_once(".{").map(|(p, _)| p)));
        let literals: BTreeSet<&str> = all.split('"').collect();
        let c = super::load(super::ZH_CN, super::EN).unwrap();
        let unused: BTreeSet<&str> = c
            .keys()
            .copied()
            .filter(|k| !literals.contains(k))
            .filter(|k| match k.strip_prefix("err.") {
                // An error message is used when its code is produced somewhere.
                Some(code) => !literals.contains(code),
                None => !prefixes.iter().any(|p| k.strip_prefix(p).is_some_and(|rest| rest.starts_with('.'))),
            })
            .collect();
        assert!(unused.is_empty(), "keys nobody uses (delete them, or use them): {unused:?}");
    }
}
