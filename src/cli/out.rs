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

/// Asks a question on stderr and reads one line of answer from stdin
/// (trimmed). The caller checks first that stdin is a terminal.
pub fn ask(question: &str) -> Result<String, Failure> {
    use std::io::BufRead;
    let mut e = std::io::stderr();
    let _ = e.write_all(question.as_bytes());
    let _ = e.flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| {
            Failure::runtime(format!(
                "lecture de la réponse : {}",
                crate::store::IoCause::of(&e).what()
            ))
        })?;
    Ok(answer.trim().to_string())
}

/// True when a French answer means yes (« oui », « o »).
pub fn is_yes(answer: &str) -> bool {
    matches!(
        crate::catalog::fold::normalized(answer).as_str(),
        "oui" | "o"
    )
}

/// Writes text to stderr without a line break (a prompt).
pub fn warn_inline(text: &str) {
    let mut e = std::io::stderr().lock();
    let _ = e.write_all(text.as_bytes());
    let _ = e.flush();
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

/// Longest reason shown for one line (a reason may quote a value of the
/// file, which can be huge).
pub const REASON_MAX: usize = 300;

/// `text` cut to `max` characters, « … » marking the cut.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// `  ligne 12 : raison` for each line (escaped, at most [`REASON_MAX`]
/// characters), at most `limit` of them, then « … et N autres » when some
/// were left out.
pub fn line_list(lines: &[(usize, String)], limit: usize) -> String {
    let mut s = String::new();
    for (line, why) in lines.iter().take(limit) {
        s.push_str(&format!(
            "  ligne {line} : {}\n",
            clip(&escape(why), REASON_MAX)
        ));
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

/// Writes a full report to `path` (mode 0600: it may name persons). A
/// failure is said on stderr and returned as `false`: the work the report
/// describes is done, and the caller ends with exit 1 at least.
pub fn write_report(path: &std::path::Path, text: &str) -> bool {
    match crate::store::files::write_atomic(path, text.as_bytes()) {
        Ok(()) => true,
        Err(e) => {
            let why = e.io_cause().unwrap_or(crate::store::IoCause::Other).what();
            warn(&format!(
                "passerelle : le rapport {} n'a pas pu être écrit ({why}).",
                escape(&path.display().to_string())
            ));
            false
        }
    }
}

/// Exit 1 without another message (what went wrong was already said).
pub fn already_said() -> Failure {
    Failure::runtime(String::new())
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

    #[test]
    fn long_reasons_are_clipped_at_the_limit() {
        assert_eq!(clip("éèà", 3), "éèà");
        assert_eq!(clip("éèàù", 3), "éèà…");
        let long = format!("contrat inconnu : « {} »", "x".repeat(100_000));
        let shown = line_list(&[(2, long)], 20);
        assert_eq!(shown.chars().count(), "  ligne 2 : ".len() + REASON_MAX + 2);
        let exact = "y".repeat(REASON_MAX);
        assert_eq!(
            line_list(&[(3, exact.clone())], 20),
            format!("  ligne 3 : {exact}\n")
        );
    }
}
