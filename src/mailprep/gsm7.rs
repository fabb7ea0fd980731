//! Whether an SMS text can be sent in the GSM 7-bit default alphabet (3GPP TS 23.038),
//! and how many septets it takes: one message holds 160.
//!
//! Characters outside the alphabet would force the whole message into UCS-2 (70
//! characters a message), so they are reported rather than sent. French text meets
//! this often: `é è ù à ì ò Ç` are in the alphabet, but `â ê î ô û ë ï ç œ` are not.

use std::fmt;

/// Septets one message holds.
pub const SINGLE_SMS_SEPTETS: usize = 160;

/// The default alphabet, one septet each (the escape code itself excluded).
const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
    ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The extension table, reached through the escape code: two septets each.
const EXTENSION: &str = "\u{0C}^{}\\[~]|€";

/// Why a text cannot go as one GSM-7 message.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SmsError {
    /// A character outside the alphabet: the first one, and its position in characters
    /// counting from 0.
    NotGsm7 {
        /// The character.
        character: char,
        /// Its position.
        index: usize,
    },
    /// The text takes more septets than one message holds.
    TooLong {
        /// Septets the text takes.
        septets: usize,
    },
}

impl fmt::Display for SmsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SmsError::NotGsm7 { character, index } => write!(
                f,
                "character {} U+{:04X} at position {index} is not in the GSM 7-bit alphabet",
                character.escape_debug(),
                *character as u32
            ),
            SmsError::TooLong { septets } => {
                write!(
                    f,
                    "the text takes {septets} septets; one SMS holds {SINGLE_SMS_SEPTETS}"
                )
            }
        }
    }
}

/// Septets the text takes in the GSM 7-bit alphabet (extension characters count two),
/// or the first character it cannot hold.
pub fn gsm7_septets(text: &str) -> Result<usize, SmsError> {
    let mut septets = 0;
    for (index, character) in text.chars().enumerate() {
        septets += if BASIC.contains(character) {
            1
        } else if EXTENSION.contains(character) {
            2
        } else {
            return Err(SmsError::NotGsm7 { character, index });
        };
    }
    Ok(septets)
}

/// Septets the text takes, if it goes as a single GSM-7 message.
pub fn single_sms(text: &str) -> Result<usize, SmsError> {
    let septets = gsm7_septets(text)?;
    if septets > SINGLE_SMS_SEPTETS {
        return Err(SmsError::TooLong { septets });
    }
    Ok(septets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alphabets_have_their_sizes() {
        assert_eq!(BASIC.chars().count(), 127);
        assert_eq!(EXTENSION.chars().count(), 10);
    }

    #[test]
    fn plain_french_counts_one_septet_a_character() {
        assert_eq!(
            gsm7_septets("Votre véhicule est prêt"),
            Err(SmsError::NotGsm7 {
                character: 'ê',
                index: 21
            })
        );
        assert_eq!(gsm7_septets("Votre véhicule vous attend à l'atelier."), Ok(39));
        assert_eq!(gsm7_septets(""), Ok(0));
    }

    #[test]
    fn extension_characters_count_two() {
        assert_eq!(gsm7_septets("Remise 10 €"), Ok(12));
        assert_eq!(gsm7_septets("[a]{b}~^|\\"), Ok(18));
    }

    #[test]
    fn one_message_holds_160_septets() {
        let full = "a".repeat(160);
        assert_eq!(single_sms(&full), Ok(160));
        assert_eq!(
            single_sms(&format!("{full}b")),
            Err(SmsError::TooLong { septets: 161 })
        );
        let euros = "€".repeat(80);
        assert_eq!(single_sms(&euros), Ok(160));
        assert_eq!(
            single_sms(&format!("{euros}a")),
            Err(SmsError::TooLong { septets: 161 })
        );
    }

    #[test]
    fn the_first_foreign_character_is_named() {
        let err = single_sms("Merci ! Bientôt chez vous 🚗").unwrap_err();
        assert_eq!(
            err,
            SmsError::NotGsm7 {
                character: 'ô',
                index: 13
            }
        );
        assert!(err.to_string().contains("U+00F4"), "{err}");
        assert!(matches!(
            gsm7_septets("ça"),
            Err(SmsError::NotGsm7 {
                character: 'ç',
                index: 0
            })
        ));
    }
}
