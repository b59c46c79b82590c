//! Where letters go. Letters to e-mail addresses go through SMTP when it is
//! configured (`STEWARD_SMTP_URL`); everything else, and e-mail without SMTP,
//! is written to a folder, one file per letter, that a mail or SMS gateway
//! (or a person) picks up: the folder is the contract (README, "Letters").
//! Steward has no SMS gateway of its own.
//!
//! Each letter is written to a temporary name and renamed into place, so a
//! reader never sees half a letter.

use std::path::{Path, PathBuf};

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use steward_domain::rights::letters::Letter;

#[derive(Clone)]
pub struct Outbox {
    dir: PathBuf,
    smtp: Option<Smtp>,
}

#[derive(Clone)]
struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// Who a letter is for: a channel (`email`, `phone`, `recipient`) and an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressee {
    pub channel: String,
    pub address: String,
}

/// The SMTP settings cannot work.
#[derive(Debug, thiserror::Error)]
pub enum SmtpSettingsError {
    #[error(
        "STEWARD_SMTP_URL: {0} (e.g. smtps://user:password@mail.example.com or smtp://mail.example.com:587?tls=required)"
    )]
    Url(String),
    #[error("the sender address `{0}` is not an e-mail address")]
    From(String),
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
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| SmtpSettingsError::Url(e.to_string()))?
            .timeout(Some(std::time::Duration::from_secs(10)))
            .build();
        let from = from
            .parse()
            .map_err(|_| SmtpSettingsError::From(from.to_owned()))?;
        self.smtp = Some(Smtp { transport, from });
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

impl Smtp {
    async fn send(&self, address: &str, letter: &Letter) -> std::io::Result<()> {
        let failed = |what: String| std::io::Error::other(what);
        let to: Mailbox = address
            .parse()
            .map_err(|_| failed(format!("`{address}` is not an e-mail address")))?;
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&letter.subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(letter.body.clone())
            .map_err(|e| failed(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|e| failed(format!("SMTP: {e}")))
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
