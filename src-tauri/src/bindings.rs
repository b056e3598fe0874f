//! The page's TypeScript types are made from the Rust models (ts-rs), so the two sides of the
//! IPC cannot drift: `ui/src/bindings.ts` is this module's output, and its test fails when the
//! committed file differs from what the models say. To bring the file up to date after changing a
//! model: `WPCONNECT_WRITE_BINDINGS=1 cargo test -p wpconnect-desktop bindings`.

/// `ui/src/bindings.ts` as the models make it: every type that crosses, each exported.
pub fn typescript() -> String {
    use crate::error::IpcError;
    use crate::models::*;
    use ts_rs::{Config, TS};
    use wpconnect_core::doctor::{Check, Exchange, Report, Status, Summary};
    use wpconnect_core::present::Standing;
    use wpconnect_core::settings::LogLevel;
    use wpconnect_core::upload::{DraftPostCreated, Media, MediaSize};

    // serde_json writes every integer as a JSON number (none here comes near 2^53).
    let cfg = Config::new().with_large_int("number");
    let decls = [
        IpcError::decl(&cfg),
        AppInfo::decl(&cfg),
        Way::decl(&cfg),
        WayView::decl(&cfg),
        SiteInfoView::decl(&cfg),
        SiteView::decl(&cfg),
        SignInRequest::decl(&cfg),
        Progress::decl(&cfg),
        Standing::decl(&cfg),
        AccountView::decl(&cfg),
        SignedInView::decl(&cfg),
        ProfileView::decl(&cfg),
        SessionView::decl(&cfg),
        AccountDetails::decl(&cfg),
        SignedOutView::decl(&cfg),
        LogLevel::decl(&cfg),
        SettingsView::decl(&cfg),
        DoctorRequestView::decl(&cfg),
        DoctorProgress::decl(&cfg),
        Status::decl(&cfg),
        Exchange::decl(&cfg),
        Check::decl(&cfg),
        Summary::decl(&cfg),
        Report::decl(&cfg),
        ReportView::decl(&cfg),
        StagedView::decl(&cfg),
        UploadRequestView::decl(&cfg),
        UploadFileView::decl(&cfg),
        UploadNews::decl(&cfg),
        MediaSize::decl(&cfg),
        Media::decl(&cfg),
        DraftPostCreated::decl(&cfg),
        UploadResultView::decl(&cfg),
        UploadedView::decl(&cfg),
    ];
    let mut out = String::from(
        "// Made from the Rust models in src-tauri (ts-rs): do not edit by hand. The test\n\
         // `bindings::tests::the_page_s_types_are_the_models` fails when this file is out of date;\n\
         // `WPCONNECT_WRITE_BINDINGS=1 cargo test -p wpconnect-desktop bindings` writes it anew.\n",
    );
    for d in decls {
        out.push('\n');
        // A declaration may start with its doc comment; its `type` line is the one exported.
        for line in d.lines() {
            if line.starts_with("type ") {
                out.push_str("export ");
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[test]
    fn the_page_s_types_are_the_models() {
        let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
        let made = super::typescript();
        if std::env::var_os("WPCONNECT_WRITE_BINDINGS").is_some() {
            std::fs::write(&file, &made).expect("ui/src/bindings.ts is writable");
            return;
        }
        let committed = std::fs::read_to_string(&file).unwrap_or_default();
        if committed != made {
            let first = committed
                .lines()
                .zip(made.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(committed.lines().count().min(made.lines().count()));
            panic!(
                "ui/src/bindings.ts differs from the Rust models from line {}:\n  file:   {:?}\n  \
                 models: {:?}\nWrite it anew with `WPCONNECT_WRITE_BINDINGS=1 cargo test -p \
                 wpconnect-desktop bindings`, then fix the page where tsc complains.",
                first + 1,
                committed.lines().nth(first).unwrap_or("(end of file)"),
                made.lines().nth(first).unwrap_or("(end of file)"),
            );
        }
    }
}
