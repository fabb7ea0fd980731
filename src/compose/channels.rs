//! The e-mail and SMS a layout may define beside its letter (`[email]`, `[sms]`):
//! compiled with the letter's templates and rendered from the same record data.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use super::compiled::{Layout, COMPUTED_FIELDS};
use super::compiler::{join_inside, Compiler};
use super::layout_file::{EmailSpec, SmsSpec};
use super::template::{Templates, JOB_FIELDS};
use crate::mailprep::{plausible_email, single_sms, SmsError, SINGLE_SMS_SEPTETS};

const SUBJECT: &str = "email:subject";
const HTML: &str = "email:html";
const TEXT: &str = "email:text";
const SMS: &str = "sms:text";

/// A layout's compiled `[email]`: its templates live in the layout's `templates`.
#[derive(Clone, Debug)]
pub struct EmailTemplate {
    /// The sender, the same for every record.
    pub from: Option<String>,
    /// Whether there is a plain-text alternative.
    pub has_text: bool,
    /// Record fields the e-mail's templates use (a subset of `Layout::fields`).
    pub fields: BTreeSet<String>,
}

/// A layout's compiled `[sms]`: its template lives in the layout's `templates`.
#[derive(Clone, Debug)]
pub struct SmsTemplate {
    /// Record fields the SMS template uses (a subset of `Layout::fields`).
    pub fields: BTreeSet<String>,
}

/// One record's e-mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    /// The subject, on one line, not empty.
    pub subject: String,
    /// The HTML body, record values HTML-escaped.
    pub html: String,
    /// The plain-text alternative, values as they are.
    pub text: Option<String>,
    /// The sender.
    pub from: Option<String>,
}

/// One record's SMS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sms {
    /// The text, trimmed, in the GSM 7-bit alphabet.
    pub text: String,
    /// Septets it takes, at most 160.
    pub septets: usize,
}

/// Compiles `[email]`, reporting every problem to `c`; adds the fields it uses to `used`.
pub(super) fn compile_email(
    c: &mut Compiler,
    spec: &EmailSpec,
    base: &Path,
    templates: &mut Templates,
    used: &mut BTreeSet<String>,
) -> EmailTemplate {
    let mut fields = BTreeSet::new();
    let mut add = |c: &mut Compiler, name: &str, what: &str, source: &str, plain: bool| {
        let added = if plain {
            templates.add_plain(name, source)
        } else {
            templates.add(name, source)
        };
        match added {
            Ok(f) => fields.extend(f),
            Err(e) => {
                c.template_failures += 1;
                c.err(format!("{what}: {e}"));
            }
        }
    };
    add(c, SUBJECT, "[email] subject", &spec.subject, true);
    match (&spec.html, &spec.html_file) {
        (Some(html), None) => add(c, HTML, "[email] html", html, false),
        (None, Some(file)) => {
            let what = format!("[email] html_file `{file}`");
            match join_inside(base, file, "the path", "the layout's folder") {
                Ok(path) => match std::fs::read_to_string(&path) {
                    Ok(html) => add(c, HTML, &what, &html, false),
                    Err(e) => c.err(format!("{what}: cannot read {}: {e}", path.display())),
                },
                Err(e) => c.err(format!("[email] html_file: {e}")),
            }
        }
        (Some(_), Some(_)) => c.err("[email]: give the HTML body as `html` or `html_file`, not both".into()),
        (None, None) => c.err("[email]: the HTML body is missing: give `html` or `html_file`".into()),
    }
    if let Some(text) = &spec.text {
        add(c, TEXT, "[email] text", text, true);
    }
    if let Some(from) = &spec.from {
        if let Err(e) = check_sender(from) {
            c.err(format!("[email] from: {e}"));
        }
    }
    used.extend(fields.iter().cloned());
    EmailTemplate {
        from: spec.from.as_ref().map(|f| f.trim().to_owned()),
        has_text: spec.text.is_some(),
        fields: record_fields(fields),
    }
}

/// Compiles `[sms]`, reporting every problem to `c`; adds the fields it uses to `used`.
pub(super) fn compile_sms(
    c: &mut Compiler,
    spec: &SmsSpec,
    templates: &mut Templates,
    used: &mut BTreeSet<String>,
) -> SmsTemplate {
    let fields = match templates.add_plain(SMS, &spec.text) {
        Ok(f) => f,
        Err(e) => {
            c.template_failures += 1;
            c.err(format!("[sms] text: {e}"));
            BTreeSet::new()
        }
    };
    used.extend(fields.iter().cloned());
    SmsTemplate {
        fields: record_fields(fields),
    }
}

/// The fields read from the record, leaving out those pli provides.
fn record_fields(fields: BTreeSet<String>) -> BTreeSet<String> {
    fields
        .into_iter()
        .filter(|f| !JOB_FIELDS.contains(&f.as_str()) && !COMPUTED_FIELDS.contains(&f.as_str()))
        .collect()
}

/// Checks a sender written `address` or `Name <address>`.
fn check_sender(from: &str) -> Result<(), String> {
    if from.contains("{{") {
        return Err("the sender is the same for every record: it cannot use `{{…}}`".into());
    }
    if from.chars().any(char::is_control) {
        return Err("the sender must be on one line".into());
    }
    let from = from.trim();
    let address = match from.strip_suffix('>').and_then(|f| f.rsplit_once('<')) {
        Some((name, address)) if !name.contains(['<', '>']) => address,
        _ => from,
    };
    if !plausible_email(address) {
        return Err(format!(
            "`{from}` is not an e-mail address: write `contact@example.fr` or `Name <contact@example.fr>`"
        ));
    }
    Ok(())
}

/// The subject on one line: each run of white space holding a line break becomes one space.
fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    for ch in s.trim().chars() {
        if ch.is_whitespace() {
            run.push(ch);
            continue;
        }
        if run.contains(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']) {
            out.push(' ');
        } else {
            out.push_str(&run);
        }
        run.clear();
        out.push(ch);
    }
    out
}

/// Why an SMS text cannot go, with the word holding a character outside the alphabet.
/// When tried with placeholder values (`placeholders`), positions and lengths are those
/// of no real record, so the message says so or leaves them out.
fn sms_problem(e: SmsError, text: &str, placeholders: bool) -> String {
    match e {
        SmsError::NotGsm7 { character, index } => {
            let chars: Vec<char> = text.chars().collect();
            let start = chars[..index]
                .iter()
                .rposition(|c| c.is_whitespace())
                .map_or(0, |i| i + 1);
            let end = chars[index..]
                .iter()
                .position(|c| c.is_whitespace())
                .map_or(chars.len(), |i| index + i);
            let word: String = chars[start..end].iter().collect();
            if placeholders {
                format!(
                    "character {} U+{:04X} is not in the GSM 7-bit alphabet, in `{word}`: write it without this character",
                    character.escape_debug(),
                    character as u32
                )
            } else {
                format!("{e}, in `{word}`: write it without this character")
            }
        }
        SmsError::TooLong { septets } if placeholders => format!(
            "the text takes {septets} septets with the [fields] defaults and `x` for the other fields; \
             one SMS holds {SINGLE_SMS_SEPTETS}: shorten the text"
        ),
        SmsError::TooLong { .. } => format!("{e}: shorten the text"),
    }
}

impl Layout {
    /// The layout's compiled `[email]`, if it has one.
    pub fn email(&self) -> Option<&EmailTemplate> {
        self.email.as_ref()
    }

    /// The layout's compiled `[sms]`, if it has one.
    pub fn sms(&self) -> Option<&SmsTemplate> {
        self.sms.as_ref()
    }

    /// Renders the e-mail for one record's template data (as for the letter); an error
    /// names the part (`[email] subject: …`) and what is wrong.
    pub fn render_email(&self, data: &Value) -> Result<Email, String> {
        let email = self.email.as_ref().ok_or("the layout has no [email] table")?;
        let subject = self.subject(data)?;
        let html = self.part(HTML, "[email] html", data)?;
        let text = match email.has_text {
            true => Some(self.part(TEXT, "[email] text", data)?),
            false => None,
        };
        Ok(Email {
            subject,
            html,
            text,
            from: email.from.clone(),
        })
    }

    /// Renders the SMS for one record's template data, trimmed; an error names the first
    /// character outside the GSM 7-bit alphabet and its position, or the length when
    /// over one message (160 septets).
    pub fn render_sms(&self, data: &Value) -> Result<Sms, String> {
        self.sms_with(data, false)
    }

    fn sms_with(&self, data: &Value, placeholders: bool) -> Result<Sms, String> {
        if self.sms.is_none() {
            return Err("the layout has no [sms] table".into());
        }
        let text = self.part(SMS, "[sms] text", data)?.trim().to_owned();
        if text.is_empty() {
            return Err("[sms] text: the text is empty once filled in".into());
        }
        match single_sms(&text) {
            Ok(septets) => Ok(Sms { text, septets }),
            Err(e) => Err(format!("[sms] text: {}", sms_problem(e, &text, placeholders))),
        }
    }

    fn part(&self, name: &str, what: &str, data: &Value) -> Result<String, String> {
        self.templates
            .render(name, data)
            .map_err(|e| format!("{what}: {e}"))
    }

    fn subject(&self, data: &Value) -> Result<String, String> {
        let subject = one_line(&self.part(SUBJECT, "[email] subject", data)?);
        if subject.is_empty() {
            return Err("[email] subject: the subject is empty once filled in".into());
        }
        Ok(subject)
    }

    /// Renders the e-mail and SMS templates with placeholder values, so that what fails
    /// for every record (an unknown helper, an SMS already too long or holding a
    /// character outside GSM-7, an empty subject) is a layout error.
    pub(super) fn dry_run_channels(&self, data: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        if self.email.is_some() {
            if self.templates.has(SUBJECT) {
                problems.extend(self.subject(data).err());
            }
            for (name, what) in [(HTML, "[email] html"), (TEXT, "[email] text")] {
                if self.templates.has(name) {
                    problems.extend(self.part(name, what, data).err());
                }
            }
        }
        if self.sms.is_some() && self.templates.has(SMS) {
            problems.extend(self.sms_with(data, true).err());
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::layout_file::LayoutFile;
    use crate::compose::{JobValues, LayoutErrors};
    use serde_json::json;
    use std::path::PathBuf;

    fn job() -> JobValues {
        JobValues {
            date_iso: "2026-12-01".into(),
            date: "1er décembre 2026".into(),
        }
    }

    /// Compiles a layout made of a minimal page and `tables`, in a folder of its own
    /// holding `files` (name, content).
    fn compile(tables: &str, files: &[(&str, &str)]) -> Result<Layout, LayoutErrors> {
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in files {
            std::fs::write(dir.path().join(name), content).unwrap();
        }
        let fonts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fonts");
        let source = format!(
            "[layout]\nname = \"t\"\nfonts = {:?}\n[page]\nsize = \"A4\"\n[styles]\n{tables}",
            fonts.display().to_string()
        );
        let path = dir.path().join("t.toml");
        std::fs::write(&path, source).unwrap();
        Layout::compile(&path, &job())
    }

    fn errors(tables: &str, files: &[(&str, &str)]) -> Vec<String> {
        match compile(tables, files) {
            Ok(_) => panic!("the layout compiled"),
            Err(e) => e.0,
        }
    }

    #[test]
    fn the_tables_parse_and_unknown_keys_are_refused() {
        let base = "[layout]\nname = \"t\"\n[page]\nsize = \"A4\"\n[styles]\n";
        let file: LayoutFile = toml::from_str(&format!(
            "{base}[email]\nsubject = \"S {{{{a}}}}\"\nhtml_file = \"e.html\"\nfrom = \"x@y.fr\"\n[sms]\ntext = \"T\"\n"
        ))
        .unwrap();
        let email = file.email.unwrap();
        assert_eq!(email.subject, "S {{a}}");
        assert_eq!(email.html_file.as_deref(), Some("e.html"));
        assert!(email.html.is_none() && email.text.is_none());
        assert_eq!(file.sms.unwrap().text, "T");
        let err = toml::from_str::<LayoutFile>(&format!("{base}[sms]\ntext = \"T\"\nsender = \"X\"\n"))
            .unwrap_err();
        assert!(err.to_string().contains("unknown field `sender`"), "{err}");
        let file: LayoutFile = toml::from_str(base).unwrap();
        assert!(file.email.is_none() && file.sms.is_none());
    }

    #[test]
    fn fields_used_only_by_the_email_or_sms_are_bound_with_their_defaults() {
        let layout = compile(
            "[fields.dealer]\ndefault = \"Garage\"\n\
             [email]\nsubject = \"{{vehicle}}\"\nhtml = \"<p>{{#each address_lines}}{{this}}{{/each}} {{record_id}}</p>\"\n\
             [sms]\ntext = \"{{first_name}} : {{dealer}}, le {{date}}\"\n",
            &[],
        )
        .unwrap();
        let fields: Vec<_> = layout
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_deref()))
            .collect();
        assert_eq!(
            fields,
            [
                ("dealer", Some("Garage")),
                ("first_name", None),
                ("vehicle", None)
            ]
        );
        assert!(layout.templates_use("address_lines"));
        let sms: Vec<_> = layout.sms().unwrap().fields.iter().cloned().collect();
        assert_eq!(sms, ["dealer", "first_name"]);
        let email: Vec<_> = layout.email().unwrap().fields.iter().cloned().collect();
        assert_eq!(email, ["vehicle"]);
        // A [fields] default for a field only the SMS uses is not "never used".
        assert!(compile("[fields.x]\ndefault = \"\"\n[sms]\ntext = \"a{{x}}\"\n", &[]).is_ok());
    }

    #[test]
    fn html_escapes_values_but_subject_text_and_sms_print_them_as_they_are() {
        let layout = compile(
            "[email]\nsubject = \"Pour\\n  {{company}}\"\nhtml = \"<p>{{company}}</p>\"\ntext = \"{{company}}\"\n\
             from = \"Autos du Rhône <contact@autos-du-rhone.example>\"\n\
             [sms]\ntext = \"\"\"\n{{company}} : essai\n\"\"\"\n",
            &[],
        )
        .unwrap();
        let data = json!({"company": "Dupont & Fils <SA>"});
        let email = layout.render_email(&data).unwrap();
        assert_eq!(
            email,
            Email {
                subject: "Pour Dupont & Fils <SA>".into(),
                html: "<p>Dupont &amp; Fils &lt;SA&gt;</p>".into(),
                text: Some("Dupont & Fils <SA>".into()),
                from: Some("Autos du Rhône <contact@autos-du-rhone.example>".into()),
            }
        );
        let sms = layout.render_sms(&data).unwrap();
        assert_eq!(sms.text, "Dupont & Fils <SA> : essai");
        assert_eq!(sms.septets, 26);
    }

    #[test]
    fn an_sms_outside_gsm7_or_over_160_septets_is_an_error_naming_the_problem() {
        let layout = compile("[sms]\ntext = \"Bonjour {{first_name}}, à demain\"\n", &[]).unwrap();
        let err = layout.render_sms(&json!({"first_name": "Benoît"})).unwrap_err();
        assert_eq!(
            err,
            "[sms] text: character î U+00EE at position 12 is not in the GSM 7-bit alphabet, \
             in `Benoît,`: write it without this character"
        );
        let long = "a".repeat(143);
        let err = layout.render_sms(&json!({"first_name": long})).unwrap_err();
        assert_eq!(
            err,
            "[sms] text: the text takes 161 septets; one SMS holds 160: shorten the text"
        );
        let ok = layout
            .render_sms(&json!({"first_name": "a".repeat(142)}))
            .unwrap();
        assert_eq!(ok.septets, 160);
        let err = layout.render_sms(&json!({"first_name": "🚗"})).unwrap_err();
        assert!(err.contains("U+1F697"), "{err}");
        let err = layout.render_sms(&json!({})).unwrap_err();
        assert!(err.starts_with("[sms] text: no value for `first_name`"), "{err}");
        let err = compile("[sms]\ntext = \"{{x}}\"\n", &[])
            .unwrap()
            .render_sms(&json!({"x": " "}))
            .unwrap_err();
        assert_eq!(err, "[sms] text: the text is empty once filled in");
    }

    #[test]
    fn an_sms_that_fails_whatever_the_record_is_a_layout_error() {
        let long = "x".repeat(161);
        let e = errors(&format!("[sms]\ntext = \"{long}\"\n"), &[]);
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].ends_with(
                "t.toml: [sms] text: the text takes 161 septets with the [fields] defaults and `x` for the \
                 other fields; one SMS holds 160: shorten the text"
            ),
            "{e:?}"
        );
        let e = errors("[sms]\ntext = \"{{dealer}} : l’essai\"\n", &[]);
        assert!(
            e[0].ends_with(
                "[sms] text: character ’ U+2019 is not in the GSM 7-bit alphabet, in `l’essai`: \
                 write it without this character"
            ),
            "{e:?}"
        );
    }

    #[test]
    fn bad_templates_and_keys_are_all_reported_with_where_they_are() {
        let e = errors(
            "[email]\nsubject = \"{{#if a}}\"\nhtml = \"{{upper dealer}}\"\ntext = \"{{{dealer}}}\"\n\
             from = \"{{dealer}} <x@y.fr>\"\n[sms]\ntext = \"{{> partial}}\"\n",
            &[],
        );
        let shown: Vec<String> = e
            .iter()
            .map(|m| m.split_once(".toml: ").unwrap().1.to_owned())
            .collect();
        assert_eq!(shown.len(), 5, "{shown:#?}");
        assert!(shown[0].starts_with("[email] subject: "), "{shown:#?}");
        assert!(
            shown[1].starts_with("[email] text: `{{{dealer}}}` prints a value"),
            "{shown:#?}"
        );
        assert!(shown[2].starts_with("[email] from: the sender is the same for every record"));
        assert!(shown[3].starts_with("[sms] text: partials"), "{shown:#?}");
        assert_eq!(shown[4], "[email] html: Helper not found upper");
        let e = errors(
            "[email]\nsubject = \"{{#if a}}{{a}}{{/if}}\"\nhtml = \"x\"\n[fields.a]\ndefault = \"\"\n",
            &[],
        );
        assert!(
            e[0].ends_with("[email] subject: the subject is empty once filled in"),
            "{e:?}"
        );
        let e = errors("[email]\nsubject = \"s\"\nfrom = \"Autos <contact>\"\n", &[]);
        assert!(
            e[0].ends_with("[email]: the HTML body is missing: give `html` or `html_file`"),
            "{e:?}"
        );
        assert!(
            e[1].contains("[email] from: `Autos <contact>` is not an e-mail address"),
            "{e:?}"
        );
        let e = errors(
            "[email]\nsubject = \"s\"\nhtml = \"h\"\nhtml_file = \"e.html\"\n",
            &[],
        );
        assert!(
            e[0].ends_with("give the HTML body as `html` or `html_file`, not both"),
            "{e:?}"
        );
    }

    #[test]
    fn the_html_can_come_from_a_file_inside_the_layouts_folder() {
        let layout = compile(
            "[email]\nsubject = \"s\"\nhtml_file = \"e.html\"\n",
            &[("e.html", "<p>{{dealer}}</p>\n")],
        )
        .unwrap();
        assert!(layout.fields.contains_key("dealer"));
        let email = layout.render_email(&json!({"dealer": "A & B"})).unwrap();
        assert_eq!(email.html, "<p>A &amp; B</p>\n");
        assert_eq!((email.text, email.from), (None, None));
        let e = errors("[email]\nsubject = \"s\"\nhtml_file = \"../e.html\"\n", &[]);
        assert!(
            e[0].ends_with(
                "[email] html_file: `../e.html` leaves the layout's folder: only paths inside it are allowed"
            ),
            "{e:?}"
        );
        let e = errors("[email]\nsubject = \"s\"\nhtml_file = \"none.html\"\n", &[]);
        assert!(
            e[0].contains("[email] html_file `none.html`: cannot read "),
            "{e:?}"
        );
        let e = errors(
            "[email]\nsubject = \"s\"\nhtml_file = \"e.html\"\n",
            &[("e.html", "{{#each}}")],
        );
        assert!(e[0].contains("[email] html_file `e.html`: "), "{e:?}");
    }

    #[test]
    fn without_the_tables_there_is_nothing_to_render() {
        let layout = compile("", &[]).unwrap();
        assert!(layout.email().is_none() && layout.sms().is_none());
        assert_eq!(
            layout.render_sms(&json!({})).unwrap_err(),
            "the layout has no [sms] table"
        );
        assert!(layout.render_email(&json!({})).is_err());
    }

    #[test]
    fn subjects_are_one_line() {
        assert_eq!(one_line("  a \n\t b  c\r\nd\u{a0}e \n"), "a b  c d\u{a0}e");
        assert_eq!(one_line(" \n "), "");
    }

    #[test]
    fn the_sample_layouts_email_and_sms_render_for_every_sample_record() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let layout = Layout::compile(&root.join("layouts/letter.toml"), &job()).unwrap();
        assert!(layout.email().unwrap().has_text);
        let mut reader = csv::Reader::from_path(root.join("samples/contacts.csv")).unwrap();
        let header = reader.headers().unwrap().clone();
        let mut longest = 0;
        let mut records = 0;
        for record in reader.records() {
            let record = record.unwrap();
            let mut data = layout.job_json();
            data.insert("record_id".into(), record[0].into());
            for (name, default) in &layout.fields {
                let value = header
                    .iter()
                    .position(|h| h == name)
                    .map(|i| record[i].trim())
                    .filter(|v| !v.is_empty());
                let value = value.or(default.as_deref()).unwrap_or_else(|| panic!("{name}"));
                data.insert(name.clone(), value.into());
            }
            let data = Value::Object(data);
            let email = layout
                .render_email(&data)
                .unwrap_or_else(|e| panic!("{}: {e}", &record[0]));
            assert!(!email.subject.contains('\n') && email.subject.contains(&record[18]));
            assert!(email.html.contains(&format!("<strong>{}</strong>", &record[18])));
            let text = email.text.unwrap();
            assert!(
                text.contains(&record[19]) && text.contains("part.\n\nRéservez"),
                "{text}"
            );
            let sms = layout
                .render_sms(&data)
                .unwrap_or_else(|e| panic!("{}: {e}", &record[0]));
            assert!(sms.text.starts_with("AUTOS DU RHONE : ") && sms.text.ends_with("STOP au 36xxx"));
            longest = longest.max(sms.septets);
            records += 1;
        }
        assert_eq!(records, 1000);
        assert!(longest <= 160, "{longest}");
    }
}
