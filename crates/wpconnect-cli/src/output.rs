//! How the CLI shows results and errors: a short table for people, one JSON document for scripts.

use std::process::ExitCode;

use serde::Serialize;
use wpconnect_core::Error;

/// The JSON error document: `{"error": {"kind", "message", "hint"}}` (the desktop app's IPC
/// error has the same three fields).
#[derive(Serialize)]
struct ErrorDoc<'a> {
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    kind: wpconnect_core::ErrorKind,
    message: &'a str,
    hint: &'a str,
}

/// Print `e` (to stdout as JSON, or to stderr for people) and return its exit code.
pub fn fail(e: &Error, json: bool) -> ExitCode {
    let message = e.to_string();
    let hint = e.hint();
    if json {
        let doc = ErrorDoc { error: ErrorBody { kind: e.kind(), message: &message, hint: &hint } };
        println!("{}", serde_json::to_string_pretty(&doc).expect("plain data serializes"));
    } else {
        eprintln!("error: {message}");
        eprintln!("hint: {hint}");
    }
    ExitCode::from(crate::exit_code(e.category()))
}

/// A two-column table: labels padded to the widest.
pub fn table(rows: &[(&str, String)]) -> String {
    let width = rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for (k, v) in rows {
        let mut lines = v.lines();
        out.push_str(&format!("{k:<width$}  {}\n", lines.next().unwrap_or("")));
        for l in lines {
            out.push_str(&format!("{:<width$}  {l}\n", ""));
        }
    }
    out
}
