//! The outbox: letters to e-mail addresses go through SMTP when it is
//! configured; everything else, and e-mail without SMTP, is written to a
//! folder, one file per letter, that a mail or SMS gateway (or a person)
//! picks up: the folder is the contract (README, "Letters").
//!
//! Each letter is written to a temporary name and renamed into place, so a
//! reader never sees half a letter.

use std::path::{Path, PathBuf};

use steward_domain::rights::letters::Letter;

use crate::mail::smtp::{Smtp, SmtpSettingsError};

#[derive(Clone)]
pub struct Outbox {
    dir: PathBuf,
    smtp: Option<Smtp>,
}

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
        }
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
        tokio::fs::create_dir_all(&folder).await?;
        let path = folder.join(format!("{name}.txt"));
        let temporary = folder.join(format!(".{name}.tmp"));
        let text = format!(
            "To: {}\nSubject: {}\n\n{}\n",
            to.address, letter.subject, letter.body
        );
        tokio::fs::write(&temporary, text).await?;
        tokio::fs::rename(&temporary, &path).await
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
