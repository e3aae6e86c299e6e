//! What the command line writes, without ever panicking on its
//! environment.
//!
//! `println!` panics when stdout is a closed pipe (`… | head -1`); these
//! functions turn that into [`Failure::pipe_closed`], which ends the
//! command quietly like `cat` does. Warnings go to stderr and a failure to
//! write them is ignored. Text that comes from a file (a CSV line, a
//! label) is passed through [`escape`] before it reaches a terminal.

use super::Failure;
use std::io::Write;

fn write_to(mut w: impl Write, text: &str) -> Result<(), Failure> {
    match w.write_all(text.as_bytes()).and_then(|_| w.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Failure::pipe_closed()),
        Err(e) => Err(Failure::runtime(format!(
            "écriture de la sortie impossible : {}",
            crate::store::IoCause::of(&e).what()
        ))),
    }
}

/// Writes `text` to stdout as is.
pub fn print(text: &str) -> Result<(), Failure> {
    write_to(std::io::stdout().lock(), text)
}

/// Writes `text` and a newline to stdout.
pub fn println(text: &str) -> Result<(), Failure> {
    let mut s = String::with_capacity(text.len() + 1);
    s.push_str(text);
    s.push('\n');
    print(&s)
}

/// Writes a line to stderr; a closed stderr is ignored.
pub fn warn(text: &str) {
    let mut e = std::io::stderr().lock();
    let _ = e.write_all(text.as_bytes());
    let _ = e.write_all(b"\n");
}

/// Makes text from a file safe to show on a terminal: control characters
/// (ESC, BEL, CR…), bidirectional overrides and other invisible format
/// characters become visible `\u{…}` escapes; tabs become spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' => out.push(' '),
            c if crate::domain::rules::is_forbidden_char(c) => {
                out.push_str(&format!("\\u{{{:04x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// How many rejected lines a terminal report shows (the rest is counted;
/// `--rapport FICHIER` writes them all).
pub const SHOWN_LINES: usize = 20;

/// `  ligne 12 : raison` for each line (escaped), at most `limit` of them,
/// then « … et N autres » when some were left out.
pub fn line_list(lines: &[(usize, String)], limit: usize) -> String {
    let mut s = String::new();
    for (line, why) in lines.iter().take(limit) {
        s.push_str(&format!("  ligne {line} : {}\n", escape(why)));
    }
    if lines.len() > limit {
        let more = lines.len() - limit;
        s.push_str(&format!(
            "  … et {more} autre{s} (la liste complète : --rapport FICHIER)\n",
            s = if more > 1 { "s" } else { "" }
        ));
    }
    s
}

/// Writes a full report to `path` (mode 0600: it may name persons).
pub fn write_report(path: &std::path::Path, text: &str) -> Result<(), Failure> {
    crate::store::files::write_atomic(path, text.as_bytes())
        .map_err(|e| Failure::runtime(format!("rapport non écrit : {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_makes_control_and_bidi_characters_visible() {
        assert_eq!(escape("a\x1b[31mb"), "a\\u{001b}[31mb");
        assert_eq!(escape("bip\x07"), "bip\\u{0007}");
        assert_eq!(escape("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(escape("Léa\tDupont"), "Léa Dupont");
        assert_eq!(escape("Éducatrice"), "Éducatrice");
    }
}
