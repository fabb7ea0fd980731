//! The e-mail and SMS a job sends alongside its letters: `emails.jsonl` and `sms.jsonl`
//! in the output folder, one JSON object per message, written by the single writer in
//! plan order (so the files are deterministic) and renamed into place when complete.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::compose::{Email, Sms};

/// A JSON Lines file written under a temporary name.
struct Lines {
    out: BufWriter<File>,
    tmp: PathBuf,
    path: PathBuf,
}

impl Lines {
    fn create(path: PathBuf) -> io::Result<Lines> {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(".tmp");
        let tmp = path.with_file_name(name);
        Ok(Lines {
            out: BufWriter::new(File::create(&tmp)?),
            tmp,
            path,
        })
    }

    fn write(&mut self, value: &impl Serialize) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        self.out.write_all(b"\n")
    }

    fn finish(self) -> io::Result<()> {
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&self.tmp, &self.path)
    }
}

/// One line of `emails.jsonl`.
#[derive(Serialize)]
struct EmailLine<'a> {
    record_id: &'a str,
    to: &'a str,
    from: Option<&'a str>,
    subject: &'a str,
    html: &'a str,
    text: Option<&'a str>,
}

/// One line of `sms.jsonl`.
#[derive(Serialize)]
struct SmsLine<'a> {
    record_id: &'a str,
    to: &'a str,
    text: &'a str,
    septets: usize,
}

/// The message files of a job: each present when the layout has that channel.
pub struct Exports {
    emails: Option<Lines>,
    sms: Option<Lines>,
}

/// The names of the message files.
pub const EMAILS_FILE: &str = "emails.jsonl";
/// See [`EMAILS_FILE`].
pub const SMS_FILE: &str = "sms.jsonl";

impl Exports {
    /// Starts the files the job needs in `dir`.
    pub fn create(dir: &Path, email: bool, sms: bool) -> io::Result<Exports> {
        Ok(Exports {
            emails: email.then(|| Lines::create(dir.join(EMAILS_FILE))).transpose()?,
            sms: sms.then(|| Lines::create(dir.join(SMS_FILE))).transpose()?,
        })
    }

    /// Adds an e-mail to `to` for record `id`.
    pub fn email(&mut self, id: &str, to: &str, email: &Email) -> io::Result<()> {
        let Some(lines) = &mut self.emails else {
            return Ok(());
        };
        lines.write(&EmailLine {
            record_id: id,
            to,
            from: email.from.as_deref(),
            subject: &email.subject,
            html: &email.html,
            text: email.text.as_deref(),
        })
    }

    /// Adds an SMS to `to` for record `id`.
    pub fn sms(&mut self, id: &str, to: &str, sms: &Sms) -> io::Result<()> {
        let Some(lines) = &mut self.sms else {
            return Ok(());
        };
        lines.write(&SmsLine {
            record_id: id,
            to,
            text: &sms.text,
            septets: sms.septets,
        })
    }

    /// Renames the complete files into place.
    pub fn finish(self) -> io::Result<()> {
        for lines in [self.emails, self.sms].into_iter().flatten() {
            lines.finish()?;
        }
        Ok(())
    }

    /// Removes the unfinished files (the job stopped).
    pub fn abandon(self) {
        for lines in [self.emails, self.sms].into_iter().flatten() {
            drop(lines.out);
            let _ = std::fs::remove_file(&lines.tmp);
        }
    }
}
