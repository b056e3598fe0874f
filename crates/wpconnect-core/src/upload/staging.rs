//! Files handed over as bytes (the desktop app's page has the photos a person picked or dropped,
//! not their paths) are kept in a private folder until they are uploaded: owner-only, under a
//! name of their own, each in a folder of a random id (so two photos of one name never meet).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::store::accounts::{create_private_dir, write_new_private};

/// The staging folder.
#[derive(Debug, Clone)]
pub struct Staging {
    dir: PathBuf,
}

impl Staging {
    /// Staging in `dir` (created owner-only when needed). What a previous run left is removed.
    pub fn new(dir: PathBuf) -> Staging {
        let _ = std::fs::remove_dir_all(&dir);
        Staging { dir }
    }

    /// Keep `bytes` as a file named `name` (its last path component only); its id.
    pub fn stage(&self, name: &str, bytes: &[u8]) -> Result<String> {
        let name = Path::new(name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty() && n != "." && n != "..")
            .ok_or_else(|| Error::InvalidInput {
                what: format!("The file name \"{name}\""),
                reason: "it is not a file's name".into(),
            })?;
        let id = crate::crypto::random_state()[..16].to_string();
        let folder = self.dir.join(&id);
        let path = folder.join(&name);
        let failed = |e: std::io::Error| Error::FileUnreadable {
            path: path.display().to_string(),
            detail: format!("it could not be kept for the upload ({e})"),
        };
        create_private_dir(&folder).map_err(failed)?;
        write_new_private(&path, bytes).map_err(failed)?;
        Ok(id)
    }

    /// The file staged under `id`.
    pub fn path(&self, id: &str) -> Result<PathBuf> {
        let unknown = || Error::InvalidInput {
            what: "The photo".into(),
            reason: "it is no longer waiting to be uploaded; add it again".into(),
        };
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(unknown());
        }
        let folder = self.dir.join(id);
        let entry = std::fs::read_dir(&folder).ok().and_then(|mut d| d.next()).and_then(|e| e.ok());
        entry.map(|e| e.path()).ok_or_else(unknown)
    }

    /// Forget a staged file (uploaded, or removed from the list).
    pub fn remove(&self, id: &str) {
        if let Ok(p) = self.path(id) {
            if let Some(folder) = p.parent() {
                let _ = std::fs::remove_dir_all(folder);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staged_files_are_private_named_as_given_and_found_by_id_only() {
        let dir = tempfile::tempdir().unwrap();
        let s = Staging::new(dir.path().join("staging"));
        let id = s.stage("../../Été à Paris.jpg", b"jpeg").unwrap();
        let p = s.path(&id).unwrap();
        assert_eq!(p.file_name().unwrap(), "Été à Paris.jpg", "the last component only");
        assert!(p.starts_with(dir.path().join("staging")));
        assert_eq!(std::fs::read(&p).unwrap(), b"jpeg");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
            let folder = std::fs::metadata(p.parent().unwrap()).unwrap();
            assert_eq!(folder.permissions().mode() & 0o777, 0o700);
        }
        assert!(s.path("../x").is_err() && s.path("").is_err());
        let twin = s.stage("Été à Paris.jpg", b"other").unwrap();
        assert_ne!(s.path(&twin).unwrap(), p, "two photos of one name never meet");
        s.remove(&id);
        assert!(s.path(&id).is_err());
        assert!(s.stage("..", b"x").is_err());
    }
}
