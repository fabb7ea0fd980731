//! Text folding shared by address lines, matching keys and suppression keys.
//!
//! Every comparison in mail preparation happens on folded text: capitals, no accents,
//! every character that is neither a letter nor a digit turned into a space, runs of
//! spaces collapsed. The same folding writes the last lines of an address block.

/// Capitals without accents or punctuation, as the last lines of an address are written.
///
/// `« Saint-Étienne »` becomes `SAINT ETIENNE`; ligatures are spelt out (`Œ` → `OE`).
pub fn postal_caps(s: &str) -> String {
    // One pass: each character folded, anything else a space, runs of spaces made one
    // (this runs several times for every record's address).
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    let mut push = |out: &mut String, folded: &str| {
        if folded == " " {
            space = !out.is_empty();
            return;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push_str(folded);
    };
    let mut buf = [0u8; 4];
    for c in s.chars() {
        if c.is_ascii() {
            let f = if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                ' '
            };
            push(&mut out, f.encode_utf8(&mut buf));
            continue;
        }
        for c in c.to_uppercase() {
            let folded = match c {
                'À' | 'Â' | 'Ä' | 'Á' | 'Ã' | 'Å' => "A",
                'Ç' => "C",
                'É' | 'È' | 'Ê' | 'Ë' => "E",
                'Î' | 'Ï' | 'Í' | 'Ì' => "I",
                'Ô' | 'Ö' | 'Ó' | 'Ò' | 'Õ' | 'Ø' => "O",
                'Ù' | 'Û' | 'Ü' | 'Ú' => "U",
                'Ÿ' | 'Ý' => "Y",
                'Ñ' => "N",
                'Œ' => "OE",
                'Æ' => "AE",
                c if c.is_alphanumeric() => c.encode_utf8(&mut buf),
                _ => " ",
            };
            push(&mut out, folded);
        }
    }
    out
}

/// Runs of white space made single spaces, ends trimmed.
pub fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Punctuation replaced by spaces, case and accents kept (NF Z10-011 wants none from
/// line 4 down). Dotted acronyms are closed up first: `B.P. 12` → `BP 12`, `Z.A.C.` → `ZAC`.
pub fn no_punctuation(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if let Some(end) = acronym_end(&chars, i) {
            out.extend(chars[i..end].iter().filter(|c| c.is_alphanumeric()));
            i = end;
            continue;
        }
        let c = chars[i];
        out.push(if c.is_alphanumeric() { c } else { ' ' });
        i += 1;
    }
    collapse(&out)
}

/// If a dotted acronym (two or more single letters each followed by a dot, such as
/// `B.P.`) starts at `i` on a word boundary, the index just past its last dot.
fn acronym_end(chars: &[char], i: usize) -> Option<usize> {
    if i > 0 && chars[i - 1].is_alphanumeric() {
        return None;
    }
    let mut j = i;
    let mut letters = 0;
    while j + 1 < chars.len() && chars[j].is_alphabetic() && chars[j + 1] == '.' {
        letters += 1;
        j += 2;
    }
    let boundary = chars.get(j).is_none_or(|c| !c.is_alphanumeric());
    (letters >= 2 && boundary).then_some(j)
}

/// An e-mail address as a matching key: trimmed and lower-cased.
pub fn email_key(s: &str) -> String {
    s.trim().to_lowercase()
}

/// A telephone number as a matching key: digits only, the French international prefix
/// (`+33`, `0033`, with or without the `(0)` some people write) turned into the
/// national `0`. `None` when no digit is left.
pub fn phone_key(s: &str) -> Option<String> {
    let s = s.replace("(0)", "");
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let plus = s.trim_start().starts_with('+');
    let national = if plus && digits.starts_with("33") {
        Some(&digits[2..])
    } else if !plus && digits.starts_with("0033") {
        Some(&digits[4..])
    } else {
        None
    };
    let key = match national {
        Some(rest) if !rest.starts_with('0') => format!("0{rest}"),
        Some(rest) => rest.to_owned(),
        None => digits,
    };
    (!key.is_empty()).then_some(key)
}

/// A reference file's text: UTF-8 (its byte-order mark dropped) when it is valid
/// UTF-8, else Windows-1252, the Latin-1 that French public data files come in.
pub fn utf8_or_latin1(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_fold_accents_and_punctuation() {
        assert_eq!(postal_caps("  Saint-Étienne "), "SAINT ETIENNE");
        assert_eq!(postal_caps("L'Haÿ-les-Roses"), "L HAY LES ROSES");
        assert_eq!(postal_caps("Cœur d'Œuvre"), "COEUR D OEUVRE");
        assert_eq!(postal_caps(""), "");
    }

    #[test]
    fn punctuation_goes_but_case_stays() {
        assert_eq!(
            no_punctuation("3 bis, avenue du Général-Leclerc"),
            "3 bis avenue du Général Leclerc"
        );
        assert_eq!(no_punctuation("B.P. 123"), "BP 123");
        assert_eq!(no_punctuation("Z.A.C. des Lilas"), "ZAC des Lilas");
        assert_eq!(no_punctuation("av. Foch"), "av Foch");
        assert_eq!(no_punctuation("St.Jean"), "St Jean");
        assert_eq!(no_punctuation("J.-B. Clément"), "J B Clément");
    }

    #[test]
    fn phone_keys_are_national_digits() {
        let cases = [
            ("06 12 34 56 78", Some("0612345678")),
            ("+33 6 12 34 56 78", Some("0612345678")),
            ("+33 (0)6 12 34 56 78", Some("0612345678")),
            ("0033612345678", Some("0612345678")),
            ("+44 20 7946 0000", Some("442079460000")),
            (" - ", None),
        ];
        for (written, key) in cases {
            assert_eq!(phone_key(written).as_deref(), key, "{written}");
        }
    }

    #[test]
    fn email_keys_are_trimmed_lower_case() {
        assert_eq!(email_key("  Jean.Dupont@Exemple.FR "), "jean.dupont@exemple.fr");
    }
}
