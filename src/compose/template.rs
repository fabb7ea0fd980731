//! Templates: handlebars in strict mode. Letter and HTML e-mail templates give markup
//! with record values HTML-escaped; plain-text templates (e-mail subject and text, SMS)
//! print values as they are.

use std::collections::BTreeSet;

use handlebars::template::{Parameter, TemplateElement};
use handlebars::{Handlebars, Path, PathSeg, Template};

/// Names a template may use that come from the job, not from the record.
pub const JOB_FIELDS: &[&str] = &["date", "date_iso", "record_id"];

/// The templates of one layout, compiled once.
pub struct Templates {
    /// Templates whose output is markup: values are HTML-escaped.
    registry: Handlebars<'static>,
    /// Templates whose output is plain text: values print unchanged.
    plain: Handlebars<'static>,
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    /// An empty set of templates, strict and HTML-escaping.
    pub fn new() -> Templates {
        let mut plain = registry();
        plain.register_escape_fn(handlebars::no_escape);
        Templates {
            registry: registry(),
            plain,
        }
    }

    /// Compiles `source` under `name`, its output markup with values HTML-escaped, and
    /// returns the top-level fields it uses.
    pub fn add(&mut self, name: &str, source: &str) -> Result<BTreeSet<String>, String> {
        let (template, fields) = compile(source)?;
        self.registry.register_template(name, template);
        Ok(fields)
    }

    /// Compiles `source` under `name`, its output plain text with values unescaped
    /// (`Dupont & Fils` stays so), and returns the top-level fields it uses.
    pub fn add_plain(&mut self, name: &str, source: &str) -> Result<BTreeSet<String>, String> {
        let (template, fields) = compile(source)?;
        self.plain.register_template(name, template);
        Ok(fields)
    }

    /// Whether a template of this name compiled.
    pub fn has(&self, name: &str) -> bool {
        self.registry.has_template(name) || self.plain.has_template(name)
    }

    /// Renders a template against the record and job values, escaping values or not as
    /// it was added.
    pub fn render(&self, name: &str, data: &serde_json::Value) -> Result<String, String> {
        let registry = if self.plain.has_template(name) {
            &self.plain
        } else {
            &self.registry
        };
        registry.render(name, data).map_err(|e| match e.reason() {
            handlebars::RenderErrorReason::MissingVariable(Some(var)) => {
                format!(
                    "no value for `{var}`: neither the record nor the layout's [fields] give it (inside {{{{#each}}}}, a record field is written `../{var}`)"
                )
            }
            other => other.to_string(),
        })
    }
}

/// A registry with the settings and helpers every layout template gets.
fn registry() -> Handlebars<'static> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    registry.set_prevent_indent(true);
    registry
}

/// Parses a template and lists the fields it uses, refusing what layouts do not allow.
fn compile(source: &str) -> Result<(Template, BTreeSet<String>), String> {
    let template = Template::compile(source).map_err(|e| e.to_string())?;
    let mut fields = BTreeSet::new();
    walk(&template, true, &mut fields)?;
    Ok((template, fields))
}

/// Collects the fields used at the top level of a template; refuses raw `{{{…}}}` output.
fn walk(template: &Template, top: bool, out: &mut BTreeSet<String>) -> Result<(), String> {
    for element in &template.elements {
        match element {
            TemplateElement::HtmlExpression(h) => {
                if let Some(name) = param_field(&h.name, top) {
                    return Err(format!(
                        "`{{{{{{{name}}}}}}}` prints a value without escaping; use `{{{{{name}}}}}` so that values always print as text"
                    ));
                }
                return Err("triple-stash `{{{…}}}` is not allowed: values always print as text".into());
            }
            TemplateElement::Expression(h) | TemplateElement::HelperBlock(h) => {
                let is_helper = !h.params.is_empty() || h.block;
                if !is_helper {
                    if let Some(f) = param_field(&h.name, top) {
                        out.insert(f);
                    }
                }
                for p in h.params.iter().chain(h.hash.values()) {
                    param_fields(p, top, out);
                }
                // Inside #each and #with the context changes: plain names there are the item's.
                let name = match &h.name {
                    Parameter::Name(n) => n.as_str(),
                    _ => "",
                };
                let inner_top = top && !matches!(name, "each" | "with");
                if let Some(t) = &h.template {
                    walk(t, inner_top, out)?;
                }
                if let Some(t) = &h.inverse {
                    walk(t, top, out)?;
                }
            }
            TemplateElement::PartialExpression(_) | TemplateElement::PartialBlock(_) => {
                return Err("partials (`{{> name}}`) are not supported in layouts".into());
            }
            _ => {}
        }
    }
    Ok(())
}

fn param_fields(p: &Parameter, top: bool, out: &mut BTreeSet<String>) {
    match p {
        Parameter::Subexpression(sub) => {
            for q in sub.params().into_iter().flatten() {
                param_fields(q, top, out);
            }
        }
        other => {
            if let Some(f) = param_field(other, top) {
                out.insert(f);
            }
        }
    }
}

fn param_field(p: &Parameter, top: bool) -> Option<String> {
    match p {
        Parameter::Name(n) if top && !n.starts_with('@') && n != "this" => {
            Some(n.split('.').next().unwrap_or(n).to_owned())
        }
        Parameter::Path(Path::Relative((segs, raw))) => {
            if raw.starts_with("@root") || raw.starts_with("../") {
                return segs.iter().find_map(|s| match s {
                    PathSeg::Named(n) if n != "@root" && n != ".." => Some(n.clone()),
                    _ => None,
                });
            }
            if !top || raw.starts_with('@') || raw == "this" || raw.starts_with("this.") {
                return None;
            }
            match segs.first() {
                Some(PathSeg::Named(n)) => Some(n.clone()),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_collected_but_not_item_fields() {
        let mut t = Templates::new();
        let f = t
            .add(
                "x",
                "{{#if (eq civility \"Mme\")}}Madame {{last_name}}{{else}}Monsieur{{/if}} \
                 {{#each address_lines}}{{this}}<br>{{/each}} {{vehicle}} {{date}}",
            )
            .unwrap();
        let f: Vec<_> = f.into_iter().collect();
        assert_eq!(f, ["address_lines", "civility", "date", "last_name", "vehicle"]);
    }

    #[test]
    fn values_are_escaped_and_never_evaluated() {
        let mut t = Templates::new();
        t.add("x", "Bonjour {{name}}").unwrap();
        let out = t.render("x", &json!({"name": "<b>{{evil}}</b> & Cie"})).unwrap();
        assert_eq!(out, "Bonjour &lt;b&gt;{{evil}}&lt;/b&gt; &amp; Cie");
        let blocks = crate::compose::markup::parse(&out).unwrap();
        assert_eq!(
            blocks[0].inlines,
            vec![crate::compose::markup::Inline::Text {
                text: "Bonjour <b>{{evil}}</b> & Cie".into(),
                bold: false,
                italic: false
            }]
        );
    }

    #[test]
    fn plain_templates_print_values_unescaped_with_the_same_helpers() {
        let mut t = Templates::new();
        let source = "{{#if (eq civility \"Mme\")}}Madame{{else}}Monsieur{{/if}} {{company}}";
        t.add("html", source).unwrap();
        let fields = t.add_plain("text", source).unwrap();
        assert_eq!(fields.into_iter().collect::<Vec<_>>(), ["civility", "company"]);
        let data = json!({"civility": "Mme", "company": "Dupont & Fils <SA>"});
        assert_eq!(
            t.render("html", &data).unwrap(),
            "Madame Dupont &amp; Fils &lt;SA&gt;"
        );
        assert_eq!(t.render("text", &data).unwrap(), "Madame Dupont & Fils <SA>");
        assert!(t.has("text") && t.has("html") && !t.has("other"));
        let err = t.render("text", &json!({"civility": "M."})).unwrap_err();
        assert!(err.contains("company"), "{err}");
        assert!(t.add_plain("bad", "{{{company}}}").is_err());
    }

    #[test]
    fn strict_mode_names_the_missing_field() {
        let mut t = Templates::new();
        t.add("x", "Bonjour {{first_name}}").unwrap();
        let err = t.render("x", &json!({})).unwrap_err();
        assert!(err.contains("first_name"), "{err}");
    }

    #[test]
    fn raw_output_is_refused() {
        let mut t = Templates::new();
        let err = t.add("x", "{{{name}}}").unwrap_err();
        assert!(err.contains("values always print as text"), "{err}");
        assert!(t.add("y", "{{#if x}}").is_err());
    }
}
