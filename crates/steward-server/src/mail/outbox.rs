//! The outbox: letters to e-mail addresses go through SMTP when it is
//! configured; everything else, and e-mail without SMTP, is written to a
//! folder, one file per letter, that a mail or SMS gateway (or a person)
//! picks up: the folder is the contract (README, "Letters").
//!
//! Each letter is written to a temporary name and renamed into place, so a
//! reader never sees half a letter; letters and folders are the owner's
//! only (0600, 0700), whatever the umask. A gateway removes what it has
//! delivered; what is left is removed after the outbox's retention, and
//! letters to a person are removed when the person is erased.

use std::path::{Path, PathBuf};
use std::time::Duration;

use steward_domain::rights::letters::Letter;

use crate::mail::smtp::{Smtp, SmtpSettingsError};

#[derive(Clone)]
pub struct Outbox {
    dir: PathBuf,
    smtp: Option<Smtp>,
    retention: Duration,
}

/// How long a letter waits in the folder for its gateway by default.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

/// Who a letter is for: a channel (`email`, `phone`, `recipient`) and an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressee {
    pub channel: String,
    pub address: String,
}

impl Outbox {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            smtp: None,
            retention: DEFAULT_RETENTION,
        }
    }

    /// Letters left in the folder longer than `retention` are removed.
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// Sends e-mail through the SMTP server at `url` (`smtps://` for TLS,
    /// `smtp://…?tls=required` for STARTTLS, plain `smtp://` only for a relay
    /// on the same host), from `from`.
    pub fn with_smtp(mut self, url: &str, from: &str) -> Result<Self, SmtpSettingsError> {
        self.smtp = Some(Smtp::new(url, from)?);
        Ok(self)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether e-mail goes through SMTP (else to the folder).
    pub fn sends_email(&self) -> bool {
        self.smtp.is_some()
    }

    /// Writes the letter to `DIR/CHANNEL/<time>-<id>.txt`, headers first:
    ///
    /// ```text
    /// To: anna@example.se
    /// Subject: ...
    ///
    /// body
    /// ```
    pub async fn send(&self, to: &Addressee, letter: &Letter) -> std::io::Result<()> {
        self.send_as(to, letter, &uuid::Uuid::now_v7().to_string())
            .await
    }

    /// As [`Outbox::send`], under a name the caller fixes: a job that runs
    /// again after a crash writes the same file, not a second letter.
    pub async fn send_as(
        &self,
        to: &Addressee,
        letter: &Letter,
        name: &str,
    ) -> std::io::Result<()> {
        if to.channel == "email"
            && let Some(smtp) = &self.smtp
        {
            return smtp.send(&to.address, letter).await;
        }
        self.write(to, letter, name).await
    }

    async fn write(&self, to: &Addressee, letter: &Letter, name: &str) -> std::io::Result<()> {
        let folder = self.dir.join(&to.channel);
        let mut builder = tokio::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        builder.mode(0o700);
        builder.create(&folder).await?;
        let path = folder.join(format!("{name}.txt"));
        let temporary = folder.join(format!(".{name}.tmp"));
        let text = format!(
            "To: {}\nSubject: {}\n\n{}\n",
            to.address, letter.subject, letter.body
        );
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        options.mode(0o600);
        let mut file = options.open(&temporary).await?;
        tokio::io::AsyncWriteExt::write_all(&mut file, text.as_bytes()).await?;
        file.sync_all().await?;
        drop(file);
        tokio::fs::rename(&temporary, &path).await
    }

    /// Removes the letters that have waited longer than the retention (by
    /// when they were written); returns how many.
    pub async fn remove_expired(&self, now: jiff::Timestamp) -> std::io::Result<usize> {
        let retention =
            jiff::SignedDuration::try_from(self.retention).unwrap_or(jiff::SignedDuration::MAX);
        let cutoff = now.checked_sub(retention).unwrap_or(jiff::Timestamp::MIN);
        self.remove_where(|_, written| written < cutoff).await
    }

    /// Removes the letters addressed to any of `to` (a person erased: what
    /// was written to them goes too); returns how many.
    pub async fn remove_letters_to(&self, to: &[Addressee]) -> std::io::Result<usize> {
        self.remove_where(|text, _| {
            to.iter()
                .any(|a| text.lines().next() == Some(&format!("To: {}", a.address)))
        })
        .await
    }

    /// Removes every letter (and leftover temporary file) for which `doomed`
    /// holds, given its text and when it was written.
    async fn remove_where(
        &self,
        doomed: impl Fn(&str, jiff::Timestamp) -> bool,
    ) -> std::io::Result<usize> {
        let mut removed = 0;
        let mut channels = match tokio::fs::read_dir(&self.dir).await {
            Ok(channels) => channels,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        while let Some(channel) = channels.next_entry().await? {
            if !channel.file_type().await?.is_dir() {
                continue;
            }
            let mut letters = tokio::fs::read_dir(channel.path()).await?;
            while let Some(letter) = letters.next_entry().await? {
                let path = letter.path();
                let ours = path.extension().is_some_and(|e| e == "txt" || e == "tmp");
                if !ours {
                    continue;
                }
                let written = letter
                    .metadata()
                    .await?
                    .modified()
                    .ok()
                    .and_then(|t| jiff::Timestamp::try_from(t).ok())
                    .unwrap_or(jiff::Timestamp::MIN);
                // A gateway may have taken it meanwhile.
                let text = tokio::fs::read_to_string(&path).await.unwrap_or_default();
                if doomed(&text, written) {
                    match tokio::fs::remove_file(&path).await {
                        Ok(()) => removed += 1,
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[tokio::test]
    async fn a_letter_sent_again_under_its_name_is_still_one_letter() {
        let dir = std::env::temp_dir().join(format!("steward-outbox-{}", uuid::Uuid::new_v4()));
        let outbox = Outbox::new(&dir);
        let to = Addressee {
            channel: "recipient".into(),
            address: "partner".into(),
        };
        let letter = Letter {
            subject: "Erasure".into(),
            body: "Please erase.".into(),
        };
        outbox.send_as(&to, &letter, "req-1-partner").await.unwrap();
        outbox.send_as(&to, &letter, "req-1-partner").await.unwrap();
        outbox.send(&to, &letter).await.unwrap();
        let letters = std::fs::read_dir(dir.join("recipient")).unwrap().count();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            letters, 2,
            "the named letter once, the unnamed one beside it"
        );
    }
}
