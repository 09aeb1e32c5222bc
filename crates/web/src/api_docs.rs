//! `/api/docs`: the API description read as a page — every operation by area with its
//! parameters, body and answers, and every schema with its fields — drawn on the server from
//! the same OpenAPI document as `/api/v1/openapi.json`, so it needs no script and no CDN.

use crate::api::ApiDoc;
use crate::auth::lang_of;
use crate::kit::page::{render, Chrome};
use crate::AppState;
use askama::Template;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::Value;
use utoipa::OpenApi;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/docs", get(page))
}

struct Param {
    name: String,
    place: String,
    required: bool,
    ty: String,
}

struct Answer {
    status: String,
    description: String,
    ty: String,
}

struct Operation {
    method: String,
    path: String,
    summary: String,
    anchor: String,
    params: Vec<Param>,
    body: String,
    answers: Vec<Answer>,
}

struct Field {
    name: String,
    ty: String,
    required: bool,
    description: String,
}

struct Schema {
    name: String,
    fields: Vec<Field>,
    /// An enumeration's values, or a schema that is not an object, in one line.
    other: String,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct Page {
    p: Chrome,
    title: &'static str,
    intro: String,
    areas: Vec<(String, Vec<Operation>)>,
    schemas: Vec<Schema>,
}

/// A schema in a word: a link target's name, `[T]` for a list, the type otherwise.
fn type_of(s: &Value) -> String {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_owned();
    }
    if let Some(all) = s.get("oneOf").or_else(|| s.get("allOf")).or_else(|| s.get("anyOf")).and_then(Value::as_array) {
        return all.iter().map(type_of).filter(|t| t != "null").collect::<Vec<_>>().join(" | ");
    }
    let ty = match s.get("type") {
        Some(Value::Array(ts)) => {
            ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect::<Vec<_>>().join(" | ")
        }
        Some(Value::String(t)) => t.clone(),
        _ => String::new(),
    };
    match ty.as_str() {
        "array" => format!("[{}]", s.get("items").map(type_of).unwrap_or_default()),
        "" => "any".into(),
        _ => match s.get("format").and_then(Value::as_str) {
            Some(f) => format!("{ty} ({f})"),
            None => ty,
        },
    }
}

fn content_type(c: Option<&Value>) -> String {
    let Some(c) = c.and_then(Value::as_object) else { return String::new() };
    c.iter()
        .map(|(mime, v)| match v.get("schema") {
            Some(s) if mime == "application/json" => type_of(s),
            _ => mime.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe(doc: &Value) -> (Vec<(String, Vec<Operation>)>, Vec<Schema>) {
    let mut areas: Vec<(String, Vec<Operation>)> = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let tag = op["tags"].get(0).and_then(Value::as_str).unwrap_or("api").to_owned();
            let params = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| Param {
                    name: p["name"].as_str().unwrap_or_default().to_owned(),
                    place: p["in"].as_str().unwrap_or_default().to_owned(),
                    required: p["required"].as_bool().unwrap_or(false),
                    ty: type_of(&p["schema"]),
                })
                .collect();
            let answers = op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(status, r)| Answer {
                    status: status.clone(),
                    description: r["description"].as_str().unwrap_or_default().to_owned(),
                    ty: content_type(r.get("content")),
                })
                .collect();
            let summary = op["summary"].as_str().or(op["description"].as_str()).unwrap_or_default().to_owned();
            let o = Operation {
                anchor: format!("{}-{}", method, path.replace(['/', '{', '}'], "-")),
                method: method.to_uppercase(),
                path: path.clone(),
                summary,
                params,
                body: content_type(op["requestBody"].get("content")),
                answers,
            };
            match areas.iter_mut().find(|(t, _)| *t == tag) {
                Some((_, ops)) => ops.push(o),
                None => areas.push((tag, vec![o])),
            }
        }
    }
    areas.sort_by(|a, b| a.0.cmp(&b.0));
    let schemas = doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, s)| {
            let required: Vec<&str> =
                s["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            let fields = s["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(f, v)| Field {
                    name: f.clone(),
                    ty: type_of(v),
                    required: required.contains(&f.as_str()),
                    description: v["description"].as_str().unwrap_or_default().to_owned(),
                })
                .collect::<Vec<_>>();
            let other = match s["enum"].as_array() {
                Some(values) => values.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" | "),
                None if fields.is_empty() => type_of(s),
                None => String::new(),
            };
            Schema { name: name.clone(), fields, other }
        })
        .collect();
    (areas, schemas)
}

async fn page(headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let (areas, schemas) = describe(&doc);
    render(&Page {
        p: Chrome::anonymous(lang).at("/api/docs"),
        title: lang.t("apidocs.title"),
        intro: doc["info"]["description"].as_str().unwrap_or_default().to_owned(),
        areas,
        schemas,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_operation_and_schema_of_the_description_is_on_the_page() {
        let doc = serde_json::to_value(<super::ApiDoc as utoipa::OpenApi>::openapi()).unwrap();
        let (areas, schemas) = super::describe(&doc);
        let ops: usize = doc["paths"].as_object().unwrap().values().map(|i| i.as_object().unwrap().len()).sum();
        assert_eq!(areas.iter().map(|a| a.1.len()).sum::<usize>(), ops);
        assert_eq!(schemas.len(), doc["components"]["schemas"].as_object().unwrap().len());
        // A body is named by its schema, never left as "any".
        let hazards = areas.iter().flat_map(|a| &a.1).find(|o| o.path == "/api/v1/hazards/{id}").unwrap();
        assert!(
            hazards.answers.iter().any(|a| a.status == "200" && a.ty == "HazardDetail"),
            "{:?}",
            hazards.answers.iter().map(|a| &a.ty).collect::<Vec<_>>()
        );
    }
}
