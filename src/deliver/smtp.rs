//! The report by email: a MIME message built from an [`Email`] and sent over SMTP with lettre
//! (STARTTLS, TLS, or plain to this machine only), retried with backoff while the failure is
//! transient (a 4xx reply, a connection that drops or never opens).
//!
//! The message is `multipart/alternative`: the plain text, then `multipart/related` holding the
//! HTML and each image it shows (`Content-ID: <id>`, `Content-Disposition: inline`).
//!
//! No error leaves this module with the SMTP password in it: every message is passed through
//! [`redact`], which removes the password and the forms AUTH sends it in (base64).

use std::path::Path;
use std::str::FromStr as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, Message, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};

use super::DeliveryError;
use crate::config::{EmailSettings, SmtpSecurity};
use crate::report::Email;

/// Messages built by this process: part of each Message-ID, so two reports built in the same
/// millisecond (several connections are due at once) never share one.
static MESSAGES: AtomicU64 = AtomicU64::new(0);

/// The longest wait between two attempts, however many retries are configured.
const MAX_RETRY_DELAY: Duration = Duration::from_mins(10);

/// Builds the MIME message of `email` from `settings.from` to `to`, dated `now`.
pub fn message(
    settings: &EmailSettings,
    to: &[String],
    email: &Email,
    now: DateTime<Utc>,
) -> Result<Message, DeliveryError> {
    let compose = |what: String| DeliveryError::Compose(what);
    let mailbox = |address: &str| {
        Mailbox::from_str(address).map_err(|err| compose(format!("`{address}`: {err}")))
    };
    let from = mailbox(&settings.from)?;
    let domain = from.email.domain().to_string();
    let mut builder = Message::builder()
        .from(from)
        .subject(email.subject.clone())
        .date(SystemTime::from(now))
        .message_id(Some(format!(
            "<cxsync.{}.{}.{}@{domain}>",
            now.timestamp_millis(),
            std::process::id(),
            MESSAGES.fetch_add(1, Ordering::Relaxed)
        )));
    for address in to {
        builder = builder.to(mailbox(address)?);
    }
    let mut related = MultiPart::related().singlepart(SinglePart::html(email.html.clone()));
    for image in &email.images {
        let part =
            Attachment::new_inline_with_name(image.content_id.clone(), image.filename.clone())
                .body(image.png.clone(), ContentType::parse("image/png").expect("a MIME type"));
        related = related.singlepart(part);
    }
    let body = MultiPart::alternative()
        .singlepart(SinglePart::plain(email.text.clone()))
        .multipart(related);
    builder.multipart(body).map_err(|err| compose(err.to_string()))
}

/// Sends `email` to `to`, retrying transient failures `settings.retries` times with a delay
/// that starts at `settings.retry_delay` and doubles.
pub async fn send(
    settings: &EmailSettings,
    to: &[String],
    email: &Email,
    now: DateTime<Utc>,
) -> Result<(), DeliveryError> {
    let message = message(settings, to, email, now)?;
    let transport = transport(settings)?;
    let (envelope, bytes) = (message.envelope().clone(), message.formatted());
    let server = format!("{}:{}", settings.host, settings.port);
    let mut delay = settings.retry_delay;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let Err(err) = transport.send_raw(&envelope, &bytes).await else { return Ok(()) };
        let transient = is_transient(&err);
        let reason = redact(&error_text(&err), settings);
        if !transient {
            return Err(DeliveryError::Refused { server, reason });
        }
        if attempt > settings.retries {
            return Err(DeliveryError::Unreachable { server, attempts: attempt, reason });
        }
        tracing::warn!(
            server,
            attempt,
            retry_in_ms = delay.as_millis(),
            "the report email was not accepted: {reason}; trying again"
        );
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(MAX_RETRY_DELAY);
    }
}

/// The transport for `settings`: encryption, port, credentials, timeout.
fn transport(
    settings: &EmailSettings,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, DeliveryError> {
    let tls = |host: &str| tls_parameters(host, settings.ca_file.as_deref());
    let tls = match settings.security {
        SmtpSecurity::Starttls => Tls::Required(tls(&settings.host)?),
        SmtpSecurity::Tls => Tls::Wrapper(tls(&settings.host)?),
        SmtpSecurity::Plain => Tls::None,
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
        .port(settings.port)
        .tls(tls)
        .timeout(Some(settings.timeout));
    if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.expose().into()));
    }
    Ok(builder.build())
}

/// TLS checked against the public web PKI roots, and the certificates of `ca_file` if given.
fn tls_parameters(host: &str, ca_file: Option<&Path>) -> Result<TlsParameters, DeliveryError> {
    let mut builder = TlsParameters::builder(host.to_string());
    if let Some(path) = ca_file {
        let unusable = |err: &dyn std::fmt::Display| {
            DeliveryError::Compose(format!("report.email.ca_file {}: {err}", path.display()))
        };
        let pem = std::fs::read(path).map_err(|err| unusable(&err))?;
        let certificate = Certificate::from_pem(&pem).map_err(|err| unusable(&err))?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build().map_err(|err| DeliveryError::Compose(format!("TLS for {host}: {err}")))
}

/// A 4xx reply, or no reply at all (connection refused, dropped, timed out): worth another
/// try. A 5xx reply, a TLS failure (an unknown or wrong certificate: trying again changes
/// nothing) or a malformed exchange is not.
fn is_transient(err: &lettre::transport::smtp::Error) -> bool {
    !(err.is_permanent()
        || err.is_tls()
        || err.is_response()
        || err.is_client()
        || caused_by_tls(err))
}

/// Whether a rustls error is among the causes (lettre reports a failed handshake as a
/// connection error, the rustls error inside an `io::Error`).
fn caused_by_tls(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(err);
    while let Some(error) = cause {
        let in_io = error.downcast_ref::<std::io::Error>().and_then(std::io::Error::get_ref);
        let tls_in_io =
            in_io.is_some_and(<dyn std::error::Error + Send + Sync>::is::<rustls::Error>);
        if error.is::<rustls::Error>() || tls_in_io {
            return true;
        }
        cause = error.source();
    }
    false
}

/// lettre's message with its sources ("permanent error (550): …: …").
fn error_text(err: &lettre::transport::smtp::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        let more = inner.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = inner.source();
    }
    text
}

/// `text` without the SMTP password, in clear or as AUTH PLAIN / LOGIN send it (base64).
pub fn redact(text: &str, settings: &EmailSettings) -> String {
    let Some(password) = settings.password.as_ref().map(crate::config::Secret::expose) else {
        return text.to_string();
    };
    if password.is_empty() {
        return text.to_string();
    }
    let user = settings.username.as_deref().unwrap_or_default();
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let mut forms =
        vec![b64(&format!("\0{user}\0{password}")), b64(password), password.to_string()];
    forms.retain(|form| !form.is_empty());
    forms.iter().fold(text.to_string(), |out, form| out.replace(form.as_str(), "<redacted>"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Secret, SecretSource};
    use crate::report::InlineImage;

    fn settings() -> EmailSettings {
        EmailSettings {
            host: "127.0.0.1".into(),
            port: 25,
            security: SmtpSecurity::Plain,
            ca_file: None,
            username: Some("bob".into()),
            password: Some(Secret::new("hunter2".into(), SecretSource::Inline)),
            from: "cxsync <reports@acme.example>".into(),
            to: vec![],
            retries: 0,
            retry_delay: Duration::from_millis(1),
            timeout: Duration::from_secs(1),
        }
    }

    #[test]
    fn the_password_is_removed_in_clear_and_in_its_auth_encodings() {
        let plain = base64::engine::general_purpose::STANDARD.encode("\0bob\0hunter2");
        let login = base64::engine::general_purpose::STANDARD.encode("hunter2");
        let text = format!("550 no: hunter2 {plain} {login}");
        let clean = redact(&text, &settings());
        assert_eq!(clean, "550 no: <redacted> <redacted> <redacted>");
    }

    #[test]
    fn the_message_is_text_or_html_with_inline_images() {
        let email = Email {
            subject: "Variance".into(),
            text: "plain".into(),
            html: "<img src=\"cid:trend@cxsync\">".into(),
            images: vec![InlineImage {
                content_id: "trend@cxsync".into(),
                filename: "trend.png".into(),
                png: vec![0x89, b'P', b'N', b'G'],
            }],
        };
        let to = ["a@x.example".to_string(), "b@y.example".to_string()];
        let now = DateTime::parse_from_rfc3339("2026-11-25T07:00:00Z").unwrap().to_utc();
        let message = message(&settings(), &to, &email, now).unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(raw.contains("multipart/related"), "{raw}");
        assert!(raw.contains("Content-ID: <trend@cxsync>"), "{raw}");
        assert!(raw.contains("Content-Disposition: inline"), "{raw}");
        assert_eq!(message.envelope().to().len(), 2);
        assert!(raw.contains("Date: Wed, 25 Nov 2026 07:00:00 +0000"), "{raw}");
    }
}
