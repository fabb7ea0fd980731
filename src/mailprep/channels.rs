//! Which channels a contact may be reached by: post unless they objected; e-mail and
//! SMS only with their consent and an address or a mobile number that can be used.

use super::normalise::phone_key;
use super::{is_yes, OPTOUT_FIELD};
use crate::record::Channels;

/// The field that carries consent to e-mail.
pub const EMAIL_CONSENT_FIELD: &str = "consent_email";

/// The field that carries consent to SMS.
pub const SMS_CONSENT_FIELD: &str = "consent_sms";

/// The field that holds the e-mail address.
pub const EMAIL_FIELD: &str = "email";

/// The field that holds the mobile number.
pub const MOBILE_FIELD: &str = "mobile";

/// The channels a record allows, from its fields (looked up by name; absent = empty): post
/// unless the contact objected, e-mail and SMS with consent and a usable address or number.
pub fn allowed_channels<'a>(get: impl Fn(&str) -> &'a str) -> Channels {
    let mut channels = Channels::NONE;
    if !is_yes(get(OPTOUT_FIELD)) {
        channels |= Channels::POST;
    }
    if is_yes(get(EMAIL_CONSENT_FIELD)) && plausible_email(get(EMAIL_FIELD)) {
        channels |= Channels::EMAIL;
    }
    if is_yes(get(SMS_CONSENT_FIELD)) && plausible_mobile(get(MOBILE_FIELD)) {
        channels |= Channels::SMS;
    }
    channels
}

/// Whether an e-mail address looks deliverable: one `@`, a local part of 1 to 64
/// characters without spaces, and a domain of dotted labels (letters, digits, hyphens)
/// ending in a top-level domain of two letters or more. No DNS is consulted.
pub fn plausible_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = (1..=64).contains(&local.len())
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_graphic() && !"@()<>[]:;,\\\"".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    local_ok && domain_ok
}

/// Whether a number is a French mobile: `06` or `07` and eight more digits, also
/// written `+33 6…`, `0033 7…`, with spaces, dots or dashes.
pub fn plausible_mobile(s: &str) -> bool {
    let written_ok = s.chars().all(|c| c.is_ascii_digit() || " .-+()".contains(c));
    let Some(key) = phone_key(s).filter(|_| written_ok) else {
        return false;
    };
    key.len() == 10 && (key.starts_with("06") || key.starts_with("07"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(pairs: &[(&str, &str)]) -> Channels {
        allowed_channels(|k| pairs.iter().find(|(n, _)| *n == k).map_or("", |(_, v)| *v))
    }

    #[test]
    fn post_unless_the_contact_objected() {
        assert_eq!(of(&[]), Channels::POST);
        assert_eq!(of(&[("postal_optout", "1")]), Channels::NONE);
        assert_eq!(of(&[("postal_optout", "non")]), Channels::POST);
    }

    #[test]
    fn email_and_sms_need_consent_and_a_usable_address() {
        let all = [
            ("email", "chloe.henry+2@exemple.com"),
            ("mobile", "07 91 50 57 49"),
            ("consent_email", "1"),
            ("consent_sms", "oui"),
        ];
        assert_eq!(of(&all), Channels::POST | Channels::EMAIL | Channels::SMS);
        assert_eq!(of(&[all[0], all[1]]), Channels::POST);
        assert_eq!(
            of(&[("email", "chloe.henry@"), all[1], all[2], all[3]]),
            Channels::POST | Channels::SMS
        );
        assert_eq!(
            of(&[all[0], ("mobile", "01 45 67 89 10"), all[2], all[3]]),
            Channels::POST | Channels::EMAIL
        );
    }

    #[test]
    fn plausible_emails() {
        for ok in [
            "a@b.fr",
            " jean.dupont+promo@mail.exemple.com ",
            "x_y@sub-domain.example.org",
        ] {
            assert!(plausible_email(ok), "{ok}");
        }
        for bad in [
            "", "jean", "@b.fr", "a@b", "a@b.c", "a b@c.fr", "a@@b.fr", "a@-b.fr", "a@b..fr", ".a@b.fr",
            "a@b.f2",
        ] {
            assert!(!plausible_email(bad), "{bad}");
        }
    }

    #[test]
    fn plausible_mobiles() {
        for ok in [
            "06 12 34 56 78",
            "07.81.43.95.05",
            "+33 6 12 34 56 78",
            "+33 (0)7 12 34 56 78",
            "0033612345678",
        ] {
            assert!(plausible_mobile(ok), "{ok}");
        }
        for bad in [
            "01 45 67 89 10",
            "06 12 34 56",
            "+44 7700 900123",
            "06 12 34 56 78 9",
            "tel 0612345678",
            "",
        ] {
            assert!(!plausible_mobile(bad), "{bad}");
        }
    }
}
