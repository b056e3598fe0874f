//! The one error that crosses into the page: `{kind, message, hint}` (`IpcError` in
//! `ui/src/bindings.ts`). Built from the core's error, so the page shows what the CLI shows.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, thiserror::Error, ts_rs::TS)]
#[error("{message}")]
pub struct IpcError {
    pub kind: String,
    pub message: String,
    pub hint: String,
}

impl From<wpconnect_core::Error> for IpcError {
    fn from(e: wpconnect_core::Error) -> Self {
        let kind = serde_json::to_value(e.kind())
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "internal".into());
        IpcError { kind, message: e.to_string(), hint: e.hint_for(wpconnect_core::Face::Desktop) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_cross_with_kind_message_and_hint() {
        let e = wpconnect_core::SiteAddress::parse("ftp://x.example").unwrap_err();
        let ipc = IpcError::from(e);
        assert_eq!(ipc.kind, "invalid_address");
        assert!(ipc.message.contains("not a web address scheme"));
        assert!(!ipc.hint.is_empty());
        let v = serde_json::to_value(&ipc).unwrap();
        assert_eq!(v.as_object().unwrap().len(), 3, "exactly {{kind, message, hint}}: {v}");
    }

    #[test]
    fn the_page_never_tells_a_person_to_type_a_flag_or_a_command() {
        let e = wpconnect_core::Error::InvalidInput {
            what: "The consumer key".into(),
            reason: "it is empty".into(),
        };
        let ipc = IpcError::from(e.clone());
        assert_eq!(ipc.hint, "Fill in what the form asks for, then try again.");
        assert!(e.hint().contains("wpconnect help"), "the command line keeps its own words");
    }
}
