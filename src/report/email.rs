//! The report as an email: a subject, a plain-text part, an HTML part and the images the
//! HTML shows inline (referenced as `cid:<content_id>`). Built by the renderer, sent by the
//! delivery code; neither needs to know how the other works.

/// One connection's report, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    /// The plain-text alternative (the text report).
    pub text: String,
    /// The HTML body; images are referenced as `<img src="cid:{content_id}">`.
    pub html: String,
    pub images: Vec<InlineImage>,
}

/// A PNG shown inside the HTML part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineImage {
    /// The Content-ID without angle brackets, e.g. `trend-acme-au@cxsync`.
    pub content_id: String,
    /// The file name offered to clients that show it as an attachment.
    pub filename: String,
    /// PNG bytes.
    pub png: Vec<u8>,
}
