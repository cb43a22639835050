//! Errors of loading and validating profile files.

/// A profile file that cannot be read or does not validate. Every message names
/// the file, the key (dotted path inside the file) and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The file or directory cannot be read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The file or directory.
        file: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Not TOML, or a value of the wrong shape or an unknown field.
    #[error("{file}: invalid profile: {message}")]
    Parse {
        /// The file.
        file: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A required key is absent or empty.
    #[error("{file}: `{key}` is missing")]
    Missing {
        /// The file.
        file: String,
        /// The key.
        key: String,
    },
    /// A rule without its citation.
    #[error("{file}: `{key}`: missing citation (every rule must cite its article)")]
    MissingCitation {
        /// The file.
        file: String,
        /// The rule's key.
        key: String,
    },
    /// An article number below 1.
    #[error("{file}: `{key}`: article number must be 1 or more, got {value}")]
    BadArticle {
        /// The file.
        file: String,
        /// The citation's key.
        key: String,
        /// The rejected number.
        value: i64,
    },
    /// An item number below 1.
    #[error("{file}: `{key}`: item number must be 1 or more, got {value}")]
    BadItem {
        /// The file.
        file: String,
        /// The citation's key.
        key: String,
        /// The rejected number.
        value: i64,
    },
    /// A deadline `kind` outside the vocabulary.
    #[error("{file}: `{key}`: unknown kind `{value}` (expected one of: {expected})")]
    UnknownKind {
        /// The file.
        file: String,
        /// The key.
        key: String,
        /// The rejected kind.
        value: String,
        /// The accepted kinds.
        expected: String,
    },
    /// Another name outside its vocabulary (basis, from, level, action …).
    #[error("{file}: `{key}`: unknown value `{value}` (expected one of: {expected})")]
    UnknownValue {
        /// The file.
        file: String,
        /// The key.
        key: String,
        /// The rejected value.
        value: String,
        /// The accepted values.
        expected: String,
    },
    /// A deadline key outside [`super::DeadlineKey`].
    #[error("{file}: `deadlines.{key}`: unknown deadline key (expected one of: {expected})")]
    UnknownDeadline {
        /// The file.
        file: String,
        /// The rejected key.
        key: String,
        /// The accepted keys.
        expected: String,
    },
    /// A category code outside [`super::CategoryCode`].
    #[error("{file}: `categories.{code}`: unknown category code (expected one of: {expected})")]
    UnknownCategory {
        /// The file.
        file: String,
        /// The rejected code.
        code: String,
        /// The accepted codes.
        expected: String,
    },
    /// A deadline the service needs is absent or marked not regulated.
    #[error(
        "{file}: `deadlines.{key}`: required deadline is missing (the service needs it; \
         where the text gives no number use kind `in_time` or `set_by_authority` with basis `bureau_default`)"
    )]
    MissingDeadline {
        /// The file.
        file: String,
        /// The missing key.
        key: String,
    },
    /// A number that is 0 or absurd.
    #[error("{file}: `{key}` = {value}: must be between {min} and {max} {unit}")]
    OutOfRange {
        /// The file.
        file: String,
        /// The key.
        key: String,
        /// The rejected number.
        value: i64,
        /// Smallest accepted.
        min: u32,
        /// Largest accepted.
        max: u32,
        /// What is counted.
        unit: &'static str,
    },
    /// A number taken from the text that the quote does not contain.
    #[error("{file}: `{key}`: `{value}` does not appear in the quoted text «{quote}»")]
    QuoteMismatch {
        /// The file.
        file: String,
        /// The key.
        key: String,
        /// The expected phrase, e.g. `5个工作日`.
        value: String,
        /// The citation's quote.
        quote: String,
    },
    /// Any other inconsistency.
    #[error("{file}: `{key}`: {reason}")]
    Invalid {
        /// The file.
        file: String,
        /// The key.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// Quotes that do not stand in the regulation's text where they are cited.
    #[error(
        "{file}: {} quote(s) do not stand in {text} where they are cited:\n  {}",
        problems.len(),
        problems.join("\n  ")
    )]
    QuotesNotInText {
        /// The profile file.
        file: String,
        /// The regulation's text file.
        text: String,
        /// One line per quote: key, citation, problem, quote.
        problems: Vec<String>,
    },
    /// Two files define the same profile id.
    #[error("{second}: profile id `{id}` is already defined by {first}")]
    DuplicateProfile {
        /// The id.
        id: String,
        /// The file read first.
        first: String,
        /// The file read second.
        second: String,
    },
}
