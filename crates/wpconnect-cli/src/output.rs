//! How the CLI shows results and errors: a short table for people, one JSON document for scripts.
//!
//! Everything it prints goes through [`clean`]: site names, taglines and server error text come
//! from the site, and a site could send terminal control sequences (moving the cursor, rewriting
//! the title, hiding text). The macros here are the CLI's only way to print.

/// `println!`, with control characters removed.
macro_rules! outln {
    ($($t:tt)*) => { println!("{}", $crate::output::clean(&format!($($t)*))) };
}
/// `print!`, with control characters removed.
macro_rules! out {
    ($($t:tt)*) => { print!("{}", $crate::output::clean(&format!($($t)*))) };
}
/// `eprintln!`, with control characters removed.
macro_rules! errln {
    ($($t:tt)*) => { eprintln!("{}", $crate::output::clean(&format!($($t)*))) };
}
/// `eprint!`, with control characters removed.
macro_rules! err {
    ($($t:tt)*) => { eprint!("{}", $crate::output::clean(&format!($($t)*))) };
}

/// The text with every control character removed but line breaks and tabs: no escape sequence
/// (ESC, CSI, OSC, BEL, backspace, carriage return) from a site reaches the terminal.
pub fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect(),
    )
}

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
        errln!("error: {message}");
        errln!("hint: {hint}");
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

#[cfg(test)]
mod tests {
    #[test]
    fn escape_sequences_from_a_site_never_reach_the_terminal() {
        let name = "Shop\x1b]0;pwned\x07\x1b[2J\x1b[1A\rFake\u{9b}31m\x08 site";
        assert_eq!(super::clean(name), "Shop]0;pwned[2J[1AFake31m site");
        assert_eq!(super::clean("two\nlines\tand a tab"), "two\nlines\tand a tab");
    }
}
