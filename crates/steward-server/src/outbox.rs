//! Where letters go: a folder, one file per letter, that a mail or SMS
//! gateway (or a person) picks up. Steward has no SMS gateway of its own, and
//! this machine no mail server; the folder is the contract (README, "Letters").
//!
//! Each letter is written to a temporary name and renamed into place, so a
//! reader never sees half a letter.

use std::path::{Path, PathBuf};

use steward_domain::messages::Letter;

#[derive(Debug, Clone)]
pub struct Outbox {
    dir: PathBuf,
}

/// Who a letter is for: a channel (`email`, `phone`, `recipient`) and an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressee {
    pub channel: String,
    pub address: String,
}

impl Outbox {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes the letter to `DIR/CHANNEL/<time>-<id>.txt`, headers first:
    ///
    /// ```text
    /// To: anna@example.se
    /// Subject: ...
    ///
    /// body
    /// ```
    pub async fn send(&self, to: &Addressee, letter: &Letter) -> std::io::Result<PathBuf> {
        let folder = self.dir.join(&to.channel);
        tokio::fs::create_dir_all(&folder).await?;
        let name = uuid::Uuid::now_v7().to_string();
        let path = folder.join(format!("{name}.txt"));
        let temporary = folder.join(format!(".{name}.tmp"));
        let text = format!(
            "To: {}\nSubject: {}\n\n{}\n",
            to.address, letter.subject, letter.body
        );
        tokio::fs::write(&temporary, text).await?;
        tokio::fs::rename(&temporary, &path).await?;
        Ok(path)
    }
}
