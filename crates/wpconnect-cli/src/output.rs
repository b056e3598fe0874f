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

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::OnceLock;

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
        labelled(Style::Error, "error:", &message);
        labelled(Style::Hint, "hint:", &hint);
    }
    ExitCode::from(crate::exit_code(e.category()))
}

/// Where a text goes: colour is decided for each stream on its own (`wpconnect doctor | less`
/// keeps colour off stdout while the errors on the terminal may have it).
#[derive(Clone, Copy)]
pub enum Stream {
    Out,
    Err,
}

/// What a coloured word means.
#[derive(Clone, Copy)]
pub enum Style {
    /// "error:", a failed check.
    Error,
    /// A warning.
    Warning,
    /// A passed check.
    Good,
    /// "hint:".
    Hint,
    /// A skipped check.
    Quiet,
}

/// Whether to colour `stream`: only a terminal, never with `NO_COLOR` set (to anything but the
/// empty string, as no-color.org says) nor for `TERM=dumb`.
pub fn colour(stream: Stream) -> bool {
    static OUT: OnceLock<bool> = OnceLock::new();
    static ERR: OnceLock<bool> = OnceLock::new();
    let wanted = || {
        std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
    };
    match stream {
        Stream::Out => *OUT.get_or_init(|| wanted() && std::io::stdout().is_terminal()),
        Stream::Err => *ERR.get_or_init(|| wanted() && std::io::stderr().is_terminal()),
    }
}

/// `text` (this program's own words, never a site's: those go through [`clean`]) in the style's
/// colour where [`colour`] allows it.
pub fn paint(stream: Stream, style: Style, text: &str) -> String {
    if !colour(stream) {
        return text.to_string();
    }
    let code = match style {
        Style::Error => "1;31",
        Style::Warning => "1;33",
        Style::Good => "32",
        Style::Hint => "1;36",
        Style::Quiet => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// One line on stderr: this program's `label` (coloured where stderr allows), then `text` with
/// control characters removed.
pub fn labelled(style: Style, label: &str, text: &str) {
    eprintln!("{} {}", paint(Stream::Err, style, label), clean(text));
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
