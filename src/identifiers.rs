//! Check characters of the two national identifiers the regulations name
//! (PDS Art.12): the unified social credit code of an organisation
//! (统一社会信用代码, GB 32100-2015) and the citizen identity number of a
//! natural person (公民身份号码, GB 11643-1999).
//!
//! Both are 18 characters long and end in a check character. Ingest rejects
//! an identifier whose check character is wrong with an [`IdentifierError`]
//! whose message says what was found and what was expected, e.g.
//! `check character is 'Y', expected 'X' (GB 32100 MOD 31)`.
//!
//! Codes are upper case: a lower-case letter is rejected with its own
//! message rather than silently upper-cased, because the platform exports
//! identifiers verbatim and a lower-case code points at a broken export.
//!
//! The embedded organisation code (组织机构代码, GB 11714-1997) of a credit
//! code has its own check character; [`organization_code_check_char`]
//! computes it. [`check_credit_code`] does not enforce it, since GB 32100
//! only requires the MOD 31 check over the whole code.

#![warn(missing_docs)]

use std::fmt;

use chrono::NaiveDate;

/// The 31 characters a unified social credit code may use, in value order
/// (GB 32100-2015 table 2: no I, O, S, V, Z).
pub const CREDIT_CODE_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1–17 of a unified social credit code (GB 32100, 3^(i-1) mod 31).
const CREDIT_CODE_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Weights of positions 1–17 of a citizen identity number (ISO 7064 MOD 11-2, 2^(18-i) mod 11).
const CITIZEN_ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Check character of a citizen identity number, indexed by the weighted sum mod 11.
const CITIZEN_ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Weights of positions 1–8 of an organisation code (GB 11714-1997).
const ORG_CODE_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Which identifier an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// 统一社会信用代码 (GB 32100-2015).
    CreditCode,
    /// 公民身份号码 (GB 11643-1999).
    CitizenId,
    /// 组织机构代码 (GB 11714-1997), the 9-character body of a credit code.
    OrganizationCode,
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdKind::CreditCode => "unified social credit code (GB 32100)",
            IdKind::CitizenId => "citizen identity number (GB 11643)",
            IdKind::OrganizationCode => "organisation code (GB 11714)",
        })
    }
}

/// The check-character algorithm that rejected an identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckScheme {
    /// GB 32100-2015: weighted sum mod 31 over the 31-character set.
    Gb32100Mod31,
    /// GB 11643-1999: ISO 7064 MOD 11-2.
    Gb11643Mod11_2,
    /// GB 11714-1997: weighted sum mod 11, 10 written as X.
    Gb11714Mod11,
}

impl fmt::Display for CheckScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CheckScheme::Gb32100Mod31 => "GB 32100 MOD 31",
            CheckScheme::Gb11643Mod11_2 => "GB 11643 ISO 7064 MOD 11-2",
            CheckScheme::Gb11714Mod11 => "GB 11714 MOD 11",
        })
    }
}

/// Why a character was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharProblem {
    /// A lower-case letter: codes are written in upper case.
    LowerCase,
    /// Not a digit where only digits are allowed.
    NotADigit,
    /// Not a digit or upper-case `X` (the last character of a citizen identity number).
    NotADigitOrX,
    /// Not one of [`CREDIT_CODE_CHARSET`] (the letters I, O, S, V, Z are never used).
    NotInCreditCodeCharset,
    /// Not a digit or upper-case letter A–Z (an organisation code).
    NotAlphanumeric,
}

impl fmt::Display for CharProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CharProblem::LowerCase => "lower case; codes are written in upper case",
            CharProblem::NotADigit => "not a digit",
            CharProblem::NotADigitOrX => "not a digit or upper-case 'X'",
            CharProblem::NotInCreditCodeCharset => {
                "not allowed; the code uses only 0-9 and A-Y without I, O, S, V, Z"
            }
            CharProblem::NotAlphanumeric => "not a digit or upper-case letter",
        })
    }
}

/// Why an identifier was rejected.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum IdentifierError {
    /// The identifier (or the prefix given to a check-character function) has the wrong length.
    #[error("{kind} must be {expected} characters long, found {found}")]
    WrongLength {
        /// Which identifier.
        kind: IdKind,
        /// The required number of characters.
        expected: usize,
        /// The number of characters found.
        found: usize,
    },
    /// A character not allowed at its position.
    #[error("{kind}: character {position} {found:?} is {problem}")]
    InvalidChar {
        /// Which identifier.
        kind: IdKind,
        /// 1-based position of the character.
        position: usize,
        /// The offending character.
        found: char,
        /// What is wrong with it.
        problem: CharProblem,
    },
    /// The check character does not match the rest of the identifier.
    #[error("check character is {found:?}, expected {expected:?} ({scheme})")]
    WrongCheckChar {
        /// The check character computed from the first characters.
        expected: char,
        /// The check character written.
        found: char,
        /// The algorithm that computed `expected`.
        scheme: CheckScheme,
    },
    /// Positions 7–14 of a citizen identity number are not a real date.
    #[error(
        "citizen identity number (GB 11643): birth date {date:?} (positions 7-14, YYYYMMDD) is not a real date"
    )]
    InvalidBirthDate {
        /// The eight characters found.
        date: String,
    },
}

fn credit_char_value(c: char) -> Option<u32> {
    CREDIT_CODE_CHARSET.find(c).map(|i| i as u32)
}

fn credit_char_problem(c: char) -> CharProblem {
    if c.is_ascii_lowercase() {
        CharProblem::LowerCase
    } else {
        CharProblem::NotInCreditCodeCharset
    }
}

/// Collect the characters of `s`, requiring exactly `expected` of them.
fn chars_of(s: &str, kind: IdKind, expected: usize) -> Result<Vec<char>, IdentifierError> {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() != expected {
        return Err(IdentifierError::WrongLength {
            kind,
            expected,
            found: chars.len(),
        });
    }
    Ok(chars)
}

fn credit_check_of(chars: &[char]) -> Result<char, IdentifierError> {
    let mut sum = 0u32;
    for (i, (&c, w)) in chars.iter().zip(CREDIT_CODE_WEIGHTS).enumerate() {
        let v = credit_char_value(c).ok_or(IdentifierError::InvalidChar {
            kind: IdKind::CreditCode,
            position: i + 1,
            found: c,
            problem: credit_char_problem(c),
        })?;
        sum += v * w;
    }
    let check = (31 - sum % 31) % 31;
    Ok(CREDIT_CODE_CHARSET.as_bytes()[check as usize] as char)
}

/// Compute the check character (position 18) of a unified social credit code
/// from its first 17 characters (GB 32100-2015, MOD 31).
pub fn credit_code_check_char(first17: &str) -> Result<char, IdentifierError> {
    let chars = chars_of(first17, IdKind::CreditCode, 17)?;
    credit_check_of(&chars)
}

/// Validate an 18-character unified social credit code (GB 32100-2015):
/// every character from [`CREDIT_CODE_CHARSET`], upper case, and the MOD 31
/// check character in position 18.
pub fn check_credit_code(code: &str) -> Result<(), IdentifierError> {
    let chars = chars_of(code, IdKind::CreditCode, 18)?;
    let found = chars[17];
    if credit_char_value(found).is_none() {
        return Err(IdentifierError::InvalidChar {
            kind: IdKind::CreditCode,
            position: 18,
            found,
            problem: credit_char_problem(found),
        });
    }
    let expected = credit_check_of(&chars[..17])?;
    if expected != found {
        return Err(IdentifierError::WrongCheckChar {
            expected,
            found,
            scheme: CheckScheme::Gb32100Mod31,
        });
    }
    Ok(())
}

/// Compute the check character (position 9) of an organisation code
/// (组织机构代码, GB 11714-1997) from its first 8 characters (digits or
/// upper-case letters). This is the check of the 9-character body, positions
/// 9–17, of a unified social credit code.
pub fn organization_code_check_char(first8: &str) -> Result<char, IdentifierError> {
    let chars = chars_of(first8, IdKind::OrganizationCode, 8)?;
    let mut sum = 0u32;
    for (i, (&c, w)) in chars.iter().zip(ORG_CODE_WEIGHTS).enumerate() {
        let v = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            _ => {
                return Err(IdentifierError::InvalidChar {
                    kind: IdKind::OrganizationCode,
                    position: i + 1,
                    found: c,
                    problem: if c.is_ascii_lowercase() {
                        CharProblem::LowerCase
                    } else {
                        CharProblem::NotAlphanumeric
                    },
                });
            }
        };
        sum += v * w;
    }
    Ok(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10).expect("0..=9"),
    })
}

fn citizen_check_of(chars: &[char]) -> Result<char, IdentifierError> {
    let mut sum = 0u32;
    for (i, (&c, w)) in chars.iter().zip(CITIZEN_ID_WEIGHTS).enumerate() {
        let v = c.to_digit(10).ok_or(IdentifierError::InvalidChar {
            kind: IdKind::CitizenId,
            position: i + 1,
            found: c,
            problem: if c.is_ascii_lowercase() {
                CharProblem::LowerCase
            } else {
                CharProblem::NotADigit
            },
        })?;
        sum += v * w;
    }
    Ok(CITIZEN_ID_CHECK[(sum % 11) as usize])
}

/// Compute the check character (position 18, `0`–`9` or `X`) of a citizen
/// identity number from its first 17 digits (GB 11643-1999, ISO 7064 MOD 11-2).
pub fn citizen_id_check_char(first17: &str) -> Result<char, IdentifierError> {
    let chars = chars_of(first17, IdKind::CitizenId, 17)?;
    citizen_check_of(&chars)
}

/// Validate an 18-character citizen identity number (GB 11643-1999):
/// 17 digits, positions 7–14 a real date (YYYYMMDD), and the ISO 7064
/// MOD 11-2 check character (`0`–`9` or upper-case `X`) in position 18.
pub fn check_citizen_id(id: &str) -> Result<(), IdentifierError> {
    let chars = chars_of(id, IdKind::CitizenId, 18)?;
    let found = chars[17];
    if !(found.is_ascii_digit() || found == 'X') {
        return Err(IdentifierError::InvalidChar {
            kind: IdKind::CitizenId,
            position: 18,
            found,
            problem: if found == 'x' {
                CharProblem::LowerCase
            } else {
                CharProblem::NotADigitOrX
            },
        });
    }
    let expected = citizen_check_of(&chars[..17])?;
    // All of positions 1-17 are ASCII digits here, so byte slicing is safe.
    let date = &id[6..14];
    let parsed = NaiveDate::parse_from_str(date, "%Y%m%d")
        .ok()
        .filter(|d| d.format("%Y%m%d").to_string() == date);
    if parsed.is_none() {
        return Err(IdentifierError::InvalidBirthDate {
            date: date.to_string(),
        });
    }
    if expected != found {
        return Err(IdentifierError::WrongCheckChar {
            expected,
            found,
            scheme: CheckScheme::Gb11643Mod11_2,
        });
    }
    Ok(())
}

/// A personal or organisational identifier as errors and summaries show it:
/// the first two and last two characters, the rest starred
/// (`11**************21`), so that a clerk can find the row without the
/// number being repeated in logs, answers and the import history.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= 4 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    chars[..2]
        .iter()
        .copied()
        .chain(std::iter::repeat_n('*', n - 4))
        .chain(chars[n - 2..].iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_valid_credit_codes() {
        for code in [
            "91350100M000100Y43", // the commonly cited example
            "91110108551385082Q", // a registered company in Beijing
        ] {
            assert_eq!(check_credit_code(code), Ok(()), "{code}");
            assert_eq!(
                credit_code_check_char(&code[..17]),
                Ok(code.chars().last().unwrap())
            );
        }
    }

    #[test]
    fn credit_code_errors() {
        let e = check_credit_code("91350100M000100Y4X").unwrap_err();
        assert_eq!(
            e,
            IdentifierError::WrongCheckChar {
                expected: '3',
                found: 'X',
                scheme: CheckScheme::Gb32100Mod31
            }
        );
        assert_eq!(
            e.to_string(),
            "check character is 'X', expected '3' (GB 32100 MOD 31)"
        );
        assert!(matches!(
            check_credit_code("91350100M000100Y4"),
            Err(IdentifierError::WrongLength {
                expected: 18,
                found: 17,
                ..
            })
        ));
        let e = check_credit_code("91350100m000100Y43").unwrap_err();
        assert_eq!(
            e,
            IdentifierError::InvalidChar {
                kind: IdKind::CreditCode,
                position: 9,
                found: 'm',
                problem: CharProblem::LowerCase
            }
        );
        assert!(e.to_string().contains("upper case"), "{e}");
        let e = check_credit_code("91350100I000100Y43").unwrap_err();
        assert!(matches!(
            e,
            IdentifierError::InvalidChar {
                position: 9,
                found: 'I',
                problem: CharProblem::NotInCreditCodeCharset,
                ..
            }
        ));
        // A bad check character position is reported as a character error.
        assert!(matches!(
            check_credit_code("91350100M000100Y4Z"),
            Err(IdentifierError::InvalidChar { position: 18, .. })
        ));
        // Non-ASCII characters count as one character each.
        assert!(matches!(
            check_credit_code("９1350100M000100Y43"),
            Err(IdentifierError::InvalidChar { position: 1, .. })
        ));
    }

    #[test]
    fn organization_code_check() {
        assert_eq!(organization_code_check_char("M000100Y"), Ok('4'));
        assert_eq!(organization_code_check_char("55138508"), Ok('2'));
        assert!(organization_code_check_char("m000100Y").is_err());
    }

    #[test]
    fn known_valid_citizen_ids() {
        assert_eq!(check_citizen_id("11010519491231002X"), Ok(()));
        assert_eq!(citizen_id_check_char("11010519491231002"), Ok('X'));
        assert_eq!(check_citizen_id("110101199003074477"), Ok(()));
    }

    #[test]
    fn citizen_id_errors() {
        let e = check_citizen_id("110105194912310021").unwrap_err();
        assert_eq!(
            e,
            IdentifierError::WrongCheckChar {
                expected: 'X',
                found: '1',
                scheme: CheckScheme::Gb11643Mod11_2
            }
        );
        assert_eq!(
            e.to_string(),
            "check character is '1', expected 'X' (GB 11643 ISO 7064 MOD 11-2)"
        );
        let e = check_citizen_id("11010519491231002x").unwrap_err();
        assert!(matches!(
            e,
            IdentifierError::InvalidChar {
                position: 18,
                found: 'x',
                problem: CharProblem::LowerCase,
                ..
            }
        ));
        assert!(e.to_string().contains("upper case"), "{e}");
        assert!(matches!(
            check_citizen_id("1101051949123100"),
            Err(IdentifierError::WrongLength {
                kind: IdKind::CitizenId,
                expected: 18,
                found: 16
            })
        ));
        assert!(matches!(
            check_citizen_id("1101A519491231002X"),
            Err(IdentifierError::InvalidChar {
                position: 5,
                problem: CharProblem::NotADigit,
                ..
            })
        ));
        // 1949-02-30 does not exist; the check character is right for it.
        let first17 = "11010519490230002";
        let id = format!("{first17}{}", citizen_id_check_char(first17).unwrap());
        let e = check_citizen_id(&id).unwrap_err();
        assert_eq!(
            e,
            IdentifierError::InvalidBirthDate {
                date: "19490230".into()
            }
        );
        assert!(e.to_string().contains("19490230"));
        assert!(citizen_id_check_char("1101051949123100").is_err());
    }

    #[test]
    fn identifiers_are_masked_in_errors() {
        assert_eq!(mask("11010519491231002X"), "11**************2X");
        assert_eq!(mask("91350100M000100Y43"), "91**************43");
        assert_eq!(mask("abc"), "***");
        assert_eq!(mask("abcde"), "ab*de");
    }
}
