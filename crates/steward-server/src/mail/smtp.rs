//! Sending e-mail through an SMTP server (lettre, on rustls with ring: the
//! same TLS stack as every other client of Steward's).

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use steward_domain::rights::letters::Letter;

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

#[derive(Clone)]
pub(crate) struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Smtp {
    pub(crate) fn new(url: &str, from: &str) -> Result<Self, SmtpSettingsError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| SmtpSettingsError::Url(e.to_string()))?
            .timeout(Some(std::time::Duration::from_secs(10)))
            .build();
        let from = from
            .parse()
            .map_err(|_| SmtpSettingsError::From(from.to_owned()))?;
        Ok(Self { transport, from })
    }

    pub(crate) async fn send(&self, address: &str, letter: &Letter) -> std::io::Result<()> {
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
