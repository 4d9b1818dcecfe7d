//! The rule every text field shares: no NUL, and no control character but tab and newline.

use crate::error::{Error, Result};

/// `text` with Windows line ends (`\r\n`, what browsers send from a text area) made `\n`.
pub fn normalise_newlines(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\r') {
        text.replace("\r\n", "\n").into()
    } else {
        text.into()
    }
}

/// Refuses a NUL or a control character other than tab and newline, naming `field`.
pub fn refuse_control_characters(field: &str, text: &str) -> Result<()> {
    refuse_nul(field, text)?;
    if text
        .chars()
        .any(|c| c.is_control() && c != '\t' && c != '\n')
    {
        return Err(Error::invalid(format!(
            "{field}: must not contain control characters"
        )));
    }
    Ok(())
}

/// Refuses a NUL, naming `field` (passwords may hold any other character).
pub fn refuse_nul(field: &str, text: &str) -> Result<()> {
    if text.contains('\0') {
        return Err(Error::invalid(format!(
            "{field}: must not contain NUL characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_and_newline_pass_and_other_controls_do_not() {
        assert!(refuse_control_characters("title", "a\tb\nc").is_ok());
        assert_eq!(
            refuse_control_characters("title", "a\0b")
                .unwrap_err()
                .detail,
            "title: must not contain NUL characters"
        );
        for c in ['\r', '\u{1b}', '\u{7f}', '\u{85}', '\u{8}'] {
            let err = refuse_control_characters("title", &format!("a{c}b")).unwrap_err();
            assert_eq!(err.detail, "title: must not contain control characters");
        }
    }

    #[test]
    fn windows_line_ends_become_newlines() {
        assert_eq!(normalise_newlines("a\r\nb\r\n"), "a\nb\n");
        assert_eq!(normalise_newlines("a\rb"), "a\rb");
    }

    #[test]
    fn only_nul_is_refused_in_passwords() {
        assert!(refuse_nul("password", "\u{1b}\t\r\n").is_ok());
        assert!(refuse_nul("password", "abc\0").is_err());
    }
}
