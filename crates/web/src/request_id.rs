//! A request id for every request: in the response header, in the logs, and in the message a
//! user sees on an internal error, so support can find the log line.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use rand::Rng;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled, or "-" outside one.
pub fn current() -> String {
    REQUEST_ID.try_with(|s| s.clone()).unwrap_or_else(|_| "-".to_owned())
}

pub async fn layer(req: Request, next: Next) -> Response {
    let id = format!("{:016x}", rand::thread_rng().gen::<u64>());
    let mut resp = REQUEST_ID.scope(id.clone(), next.run(req)).await;
    if let Ok(v) = id.parse() {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}
