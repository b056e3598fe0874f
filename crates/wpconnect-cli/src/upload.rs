//! `wpconnect upload`: photos (any media) into a site's library, with a progress bar on a
//! terminal, plain lines elsewhere, one result line per file, and `--json` for scripts.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

use serde::Serialize;
use wpconnect_core::error::size_words;
use wpconnect_core::upload::{
    DraftPost, DraftPostCreated, FileResult, Media, PostLayout, UploadEvent, UploadFile,
    UploadOptions, UploadReport,
};
use wpconnect_core::Error;

use crate::account::{cancel_on_ctrl_c, connect, pick, print_json};
use crate::output::fail;
use crate::NetArgs;

#[derive(clap::Args, Debug)]
pub struct UploadArgs {
    /// The account to upload with (see `wpconnect accounts`), then the files. The account may be
    /// left out when there is only one.
    #[arg(value_name = "[ACCOUNT] FILE", required = true, num_args = 1..)]
    args: Vec<String>,

    /// Title of each file (default: WordPress uses the file's name).
    #[arg(long)]
    title: Option<String>,

    /// Alternative text of each file, read aloud by screen readers.
    #[arg(long)]
    alt: Option<String>,

    /// Caption of each file.
    #[arg(long)]
    caption: Option<String>,

    /// Description of each file.
    #[arg(long)]
    description: Option<String>,

    /// Also make a draft post with this title holding the uploaded photos (a gallery).
    #[arg(long, value_name = "TITLE")]
    draft_post: Option<String>,

    /// With --draft-post: the first photo becomes the post's featured image instead of a gallery.
    #[arg(long, requires = "draft_post")]
    featured: bool,

    /// Send photos with their location (GPS) data; by default it is removed first.
    #[arg(long)]
    keep_location: bool,

    /// Uploads at once.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=8))]
    jobs: u16,

    #[arg(long)]
    json: bool,

    #[command(flatten)]
    net: NetArgs,
}

pub async fn run(args: UploadArgs) -> ExitCode {
    let connect = match connect(&args.net).await {
        Ok(c) => c,
        Err(e) => return fail(&e, args.json),
    };
    // The first word is the account when it names one; otherwise every word is a file.
    let known = connect.accounts().unwrap_or_default();
    let (account, files) = match args.args.split_first() {
        Some((first, rest)) if !rest.is_empty() && known.iter().any(|a| &a.id == first) => {
            (Some(first.clone()), rest.to_vec())
        }
        _ => (None, args.args.clone()),
    };
    let account = match pick(&connect, &account) {
        Ok(a) => a,
        Err(e) => return fail(&e, args.json),
    };
    let files: Vec<UploadFile> = files
        .iter()
        .map(|f| {
            let mut u = UploadFile::new(PathBuf::from(f));
            u.meta.title = args.title.clone();
            u.meta.alt_text = args.alt.clone();
            u.meta.caption = args.caption.clone();
            u.meta.description = args.description.clone();
            u
        })
        .collect();
    let opts = UploadOptions {
        jobs: args.jobs as usize,
        keep_location: args.keep_location,
        draft_post: args.draft_post.clone().map(|title| DraftPost {
            title,
            layout: if args.featured { PostLayout::FeaturedImage } else { PostLayout::Gallery },
        }),
    };
    let progress = Progress::new(files.len(), std::io::stderr().is_terminal());
    let cancel = cancel_on_ctrl_c();
    let report = connect.upload(&account.id, files, opts, &|e| progress.event(e), &cancel).await;
    progress.finish();
    let report = match report {
        Ok(r) => r,
        Err(e) => return fail(&e, args.json),
    };
    if args.json {
        print_json("wpconnect.upload/1", &UploadDoc::new(&account.id, &report));
    } else {
        print_lines(&report);
    }
    exit_code(&report)
}

/// 0 when every file was uploaded (and the draft post made, when asked for); else the code of
/// the first failure, as for the other commands (8 when cancelled).
fn exit_code(report: &UploadReport) -> ExitCode {
    if report.cancelled {
        return ExitCode::from(crate::exit_code(wpconnect_core::Category::Cancelled));
    }
    let first = report
        .files
        .iter()
        .find_map(|f| f.outcome.as_ref().err())
        .or_else(|| report.post.as_ref().and_then(|p| p.as_ref().err()));
    match first {
        Some(e) => ExitCode::from(crate::exit_code(e.category())),
        None => ExitCode::SUCCESS,
    }
}

fn print_lines(report: &UploadReport) {
    for f in &report.files {
        let name = if f.name.is_empty() { f.path.display().to_string() } else { f.name.clone() };
        match &f.outcome {
            Ok(m) => {
                outln!("uploaded  {name} ({})  {}", size_words(f.bytes), m.source_url);
                outln!("          edit: {}", m.edit_link);
                if !f.location_removed.is_empty() {
                    outln!("          location removed: {}", f.location_removed.join("; "));
                }
            }
            Err(e) => {
                outln!("failed    {name}: {e}");
                outln!("          hint: {}", e.hint());
            }
        }
    }
    match &report.post {
        Some(Ok(p)) => outln!("draft post \"{}\": {}", p.title, p.edit_link),
        Some(Err(e)) => outln!("draft post not made: {e}\n          hint: {}", e.hint()),
        None => {}
    }
    let (ok, failed) = (report.uploaded(), report.failed());
    let cancelled = if report.cancelled { " (cancelled)" } else { "" };
    outln!("{ok} uploaded, {failed} failed{cancelled}");
}

/// The progress display: a bar redrawn on a terminal, one line per file elsewhere (stderr).
struct Progress {
    files: usize,
    terminal: bool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    names: Vec<String>,
    done: usize,
    drawn: bool,
    last_percent: Option<u64>,
}

impl Progress {
    fn new(files: usize, terminal: bool) -> Self {
        Progress { files, terminal, state: Mutex::new(State::default()) }
    }

    fn event(&self, e: UploadEvent) {
        let mut st = self.state.lock().expect("not poisoned");
        match e {
            UploadEvent::Prepared { index, name, bytes, removed } => {
                if st.names.len() <= index {
                    st.names.resize(index + 1, String::new());
                }
                st.names[index] = name.clone();
                if !self.terminal {
                    let loc = if removed.is_empty() {
                        String::new()
                    } else {
                        ", location removed".into()
                    };
                    errln!("sending {name} ({}{loc})", size_words(bytes));
                }
            }
            UploadEvent::Progress { index, batch_sent, batch_bytes, .. } if self.terminal => {
                let percent = (batch_sent * 100).checked_div(batch_bytes).unwrap_or(100);
                if st.last_percent == Some(percent) {
                    return;
                }
                st.last_percent = Some(percent);
                let name = st.names.get(index).cloned().unwrap_or_default();
                let filled = (percent / 4) as usize;
                let line = format!(
                    "[{}{}] {percent:>3}%  {} of {}  {}/{} done  {name:.30}",
                    "#".repeat(filled),
                    "-".repeat(25 - filled),
                    size_words(batch_sent),
                    size_words(batch_bytes),
                    st.done,
                    self.files
                );
                // The bar redraws its own line (CR, ESC [ K built here); the text is cleaned.
                eprint!("\r{}\x1b[K", crate::output::clean(&line));
                st.drawn = true;
            }
            UploadEvent::Progress { .. } => {}
            UploadEvent::Retrying { index, because } => {
                let name = st.names.get(index).cloned().unwrap_or_default();
                self.clear(&mut st);
                errln!("sending {name} again: {because}");
            }
            UploadEvent::Finished { .. } => st.done += 1,
        }
    }

    fn clear(&self, st: &mut State) {
        if self.terminal && st.drawn {
            // Only the bar's own line: ESC [ K is built here, never taken from a site.
            eprint!("\r\x1b[K");
            st.drawn = false;
        }
    }

    fn finish(&self) {
        let mut st = self.state.lock().expect("not poisoned");
        self.clear(&mut st);
    }
}

/// The JSON document `wpconnect.upload/1`.
#[derive(Serialize)]
struct UploadDoc<'a> {
    account: &'a str,
    files: Vec<FileDoc<'a>>,
    post: Option<PostOutcome<'a>>,
    cancelled: bool,
    summary: Summary,
}

#[derive(Serialize)]
struct Summary {
    uploaded: usize,
    failed: usize,
}

#[derive(Serialize)]
struct FileDoc<'a> {
    path: String,
    name: &'a str,
    content_type: &'a str,
    bytes: u64,
    location_removed: &'a [String],
    #[serde(flatten)]
    outcome: Outcome<'a, Media>,
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
enum Outcome<'a, T: Serialize> {
    Uploaded { media: &'a T },
    Failed { error: ErrorDoc },
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
enum PostOutcome<'a> {
    Created { post: &'a DraftPostCreated },
    Failed { error: ErrorDoc },
}

#[derive(Serialize)]
struct ErrorDoc {
    kind: wpconnect_core::ErrorKind,
    message: String,
    hint: String,
}

impl ErrorDoc {
    fn of(e: &Error) -> Self {
        ErrorDoc { kind: e.kind(), message: e.to_string(), hint: e.hint() }
    }
}

impl<'a> UploadDoc<'a> {
    fn new(account: &'a str, r: &'a UploadReport) -> Self {
        let outcome = |o: &'a Result<Media, Error>| match o {
            Ok(m) => Outcome::Uploaded { media: m },
            Err(e) => Outcome::Failed { error: ErrorDoc::of(e) },
        };
        UploadDoc {
            account,
            files: r
                .files
                .iter()
                .map(|f: &'a FileResult| FileDoc {
                    path: f.path.display().to_string(),
                    name: &f.name,
                    content_type: &f.content_type,
                    bytes: f.bytes,
                    location_removed: &f.location_removed,
                    outcome: outcome(&f.outcome),
                })
                .collect(),
            post: r.post.as_ref().map(|p| match p {
                Ok(post) => PostOutcome::Created { post },
                Err(e) => PostOutcome::Failed { error: ErrorDoc::of(e) },
            }),
            cancelled: r.cancelled,
            summary: Summary { uploaded: r.uploaded(), failed: r.failed() },
        }
    }
}
