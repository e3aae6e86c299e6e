//! The one CSV reader of Passerelle (beneficiary and referential imports):
//! small and forgiving, for files exported by spreadsheets.
//!
//! - the separator (`;`, `,` or tab) is detected from the header line
//!   (the first non-empty line), counting separators outside quotes;
//! - fields may be quoted with `"`; a doubled `""` inside quotes is one `"`;
//!   a quoted field may span several lines;
//! - a UTF-8 byte order mark is skipped; `\r\n`, `\n` and lone `\r` end lines;
//! - blank lines (and lines made only of separators and spaces, as
//!   spreadsheets write for empty rows) are skipped;
//! - the text must be UTF-8: anything else is an error naming the line.
//!
//! Every record keeps the (1-based) line number it starts on, so reports can
//! point the advisor to the right line of the file.

use std::fmt;

/// One data record: its first line in the file and its fields (not trimmed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// A parsed file: the header, the records after it, and the separator found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub delimiter: char,
    /// Line of the header (1 unless blank lines come first).
    pub header_line: usize,
    pub header: Vec<String>,
    pub records: Vec<Record>,
}

/// Why a file could not be read as CSV. Messages are French, for the advisor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CsvError {
    /// Bytes that are not UTF-8, first seen on `line`.
    NotUtf8 { line: usize },
    /// A quote opened on `line` is never closed.
    UnclosedQuote { line: usize },
    /// Nothing but blank lines.
    Empty,
}

impl CsvError {
    /// The line the problem is on, when there is one.
    pub fn line(&self) -> Option<usize> {
        match self {
            CsvError::NotUtf8 { line } | CsvError::UnclosedQuote { line } => Some(*line),
            CsvError::Empty => None,
        }
    }
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CsvError::NotUtf8 { line } => write!(
                f,
                "ligne {line} : le fichier n'est pas encodé en UTF-8 \
                 (dans le tableur, enregistrez-le au format « CSV UTF-8 »)"
            ),
            CsvError::UnclosedQuote { line } => write!(
                f,
                "ligne {line} : guillemet ouvert mais jamais refermé \
                 (vérifiez les guillemets de cette ligne)"
            ),
            CsvError::Empty => write!(f, "le fichier est vide (aucune ligne d'en-tête)"),
        }
    }
}

impl std::error::Error for CsvError {}

/// Decodes the bytes as UTF-8 (skipping a BOM); the error names the line of
/// the first invalid byte.
pub fn decode(bytes: &[u8]) -> Result<&str, CsvError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let before = &bytes[..e.valid_up_to()];
        CsvError::NotUtf8 {
            line: line_breaks(before) + 1,
        }
    })
}

/// Number of line breaks (`\r\n`, `\n` or lone `\r`) in `b`.
fn line_breaks(b: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => n += 1,
            b'\r' => {
                n += 1;
                if b.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    n
}

/// Reads a whole CSV file: header plus records.
pub fn parse(bytes: &[u8]) -> Result<Table, CsvError> {
    let mut reader = Reader::new(decode(bytes)?)?;
    let mut records = Vec::new();
    while let Some(r) = reader.next_record()? {
        records.push(r);
    }
    Ok(Table {
        delimiter: reader.delimiter,
        header_line: reader.header_line,
        header: reader.header,
        records,
    })
}

/// A CSV text read one record at a time (the rules of [`parse`]), for large
/// files: only the current record is held.
pub struct Reader<'a> {
    pub delimiter: char,
    /// Line of the header (1 unless blank lines come first).
    pub header_line: usize,
    pub header: Vec<String>,
    rows: Records<'a>,
}

impl<'a> Reader<'a> {
    /// Reads the header of decoded text (see [`decode`]).
    pub fn new(text: &'a str) -> Result<Reader<'a>, CsvError> {
        let delimiter = detect_delimiter(text);
        let mut rows = Records::new(text, delimiter);
        let header = loop {
            match rows.next_record()? {
                Some(r) if is_blank(&r.fields) => continue,
                Some(r) => break r,
                None => return Err(CsvError::Empty),
            }
        };
        Ok(Reader {
            delimiter,
            header_line: header.line,
            header: header.fields,
            rows,
        })
    }

    /// The next non-blank record after the header.
    pub fn next_record(&mut self) -> Result<Option<Record>, CsvError> {
        while let Some(r) = self.rows.next_record()? {
            if !is_blank(&r.fields) {
                return Ok(Some(r));
            }
        }
        Ok(None)
    }
}

fn is_blank(fields: &[String]) -> bool {
    fields.iter().all(|f| f.trim().is_empty())
}

/// The separator of the first non-blank line: the most frequent of `;`, `,`
/// and tab outside quotes (`;` when there is a tie or none, the French
/// spreadsheet default).
pub fn detect_delimiter(text: &str) -> char {
    let first = text
        .split(['\n', '\r'])
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let mut counts = [0usize; 3]; // ; , \t
    let mut quoted = false;
    for c in first.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => counts[0] += 1,
            ',' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    if counts[1] > counts[0] && counts[1] >= counts[2] {
        ','
    } else if counts[2] > counts[0] && counts[2] > counts[1] {
        '\t'
    } else {
        ';'
    }
}

/// Streaming record reader over decoded text.
struct Records<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    delimiter: char,
    /// Current line number (1-based).
    line: usize,
    done: bool,
}

impl<'a> Records<'a> {
    fn new(text: &'a str, delimiter: char) -> Records<'a> {
        Records {
            chars: text.chars().peekable(),
            delimiter,
            line: 1,
            done: false,
        }
    }

    /// Consumes a line break whose first char `c` was just read; true if it was one.
    fn eat_break(&mut self, c: char) -> bool {
        match c {
            '\n' => true,
            '\r' => {
                if self.chars.peek() == Some(&'\n') {
                    self.chars.next();
                }
                true
            }
            _ => false,
        }
    }

    fn next_record(&mut self) -> Result<Option<Record>, CsvError> {
        if self.done {
            return Ok(None);
        }
        let start = self.line;
        let mut fields = Vec::new();
        let mut field = String::new();
        // Whether the current field started with a quote and is still inside it.
        let mut in_quotes = false;
        let mut quote_line = start;
        // True until something other than spaces was read for this field.
        let mut at_field_start = true;
        loop {
            let Some(c) = self.chars.next() else {
                if in_quotes {
                    return Err(CsvError::UnclosedQuote { line: quote_line });
                }
                self.done = true;
                if fields.is_empty() && field.is_empty() && at_field_start {
                    return Ok(None);
                }
                fields.push(field);
                return Ok(Some(Record {
                    line: start,
                    fields,
                }));
            };
            if in_quotes {
                if c == '"' {
                    if self.chars.peek() == Some(&'"') {
                        self.chars.next();
                        field.push('"');
                    } else {
                        in_quotes = false;
                    }
                } else if self.eat_break(c) {
                    self.line += 1;
                    field.push('\n');
                } else {
                    field.push(c);
                }
                continue;
            }
            if c == self.delimiter {
                fields.push(std::mem::take(&mut field));
                at_field_start = true;
            } else if self.eat_break(c) {
                self.line += 1;
                fields.push(field);
                return Ok(Some(Record {
                    line: start,
                    fields,
                }));
            } else if c == '"' && at_field_start && field.trim().is_empty() {
                // Opening quote (spaces before it are dropped).
                field.clear();
                in_quotes = true;
                quote_line = self.line;
                at_field_start = false;
            } else {
                // Text after a closing quote, or a stray quote inside an
                // unquoted field: kept as is.
                field.push(c);
                if !c.is_whitespace() {
                    at_field_start = false;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(t: &Table) -> Vec<(usize, Vec<&str>)> {
        t.records
            .iter()
            .map(|r| (r.line, r.fields.iter().map(String::as_str).collect()))
            .collect()
    }

    #[test]
    fn semicolons_quotes_and_line_numbers() {
        let t = parse("nom;prenom\r\n\r\n\"Le \"\"Goff\"\"\";Anne\r\n;;\r\nMartin;\"Léa\nMarie\"\r\nDurand;Luc".as_bytes())
            .unwrap();
        assert_eq!(t.delimiter, ';');
        assert_eq!(t.header, vec!["nom", "prenom"]);
        assert_eq!(
            rows(&t),
            vec![
                (3, vec!["Le \"Goff\"", "Anne"]),
                (5, vec!["Martin", "Léa\nMarie"]),
                (7, vec!["Durand", "Luc"]),
            ]
        );
    }

    #[test]
    fn commas_bom_and_trailing_newline() {
        let t = parse(b"\xEF\xBB\xBFnom,prenom,email\n\"Dupont, dit Jo\",Jo,\n").unwrap();
        assert_eq!(t.delimiter, ',');
        assert_eq!(t.header[0], "nom");
        assert_eq!(rows(&t), vec![(2, vec!["Dupont, dit Jo", "Jo", ""])]);
    }

    #[test]
    fn delimiter_detection_ignores_quoted_text() {
        assert_eq!(detect_delimiter("\"a,b,c\";d\n"), ';');
        assert_eq!(detect_delimiter("a,b;c,d\n"), ',');
        assert_eq!(detect_delimiter("a\tb\tc\n"), '\t');
        assert_eq!(detect_delimiter("\n\nnom\n"), ';');
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            parse(b"nom;prenom\nA;B\nC;\xE9ric\n"),
            Err(CsvError::NotUtf8 { line: 3 })
        );
        assert_eq!(
            parse(b"nom;prenom\r\nA;B\r\nC;\"D\r\nE;F\r\n"),
            Err(CsvError::UnclosedQuote { line: 3 })
        );
        assert_eq!(parse(b"\n \r\n"), Err(CsvError::Empty));
        assert!(CsvError::NotUtf8 { line: 3 }
            .to_string()
            .contains("ligne 3"));
    }

    #[test]
    fn lone_cr_line_ends() {
        let t = parse(b"nom;prenom\rA;B\rC;D").unwrap();
        assert_eq!(rows(&t), vec![(2, vec!["A", "B"]), (3, vec!["C", "D"])]);
    }

    #[test]
    fn the_reader_gives_records_one_at_a_time() {
        let text = "\nnom;prenom\nA;B\n;\nC;\"D\nE\"\nF;\"G\n";
        let mut r = Reader::new(text).unwrap();
        assert_eq!(r.header_line, 2);
        assert_eq!(r.header, ["nom", "prenom"]);
        let first = r.next_record().unwrap().unwrap();
        assert_eq!(
            (first.line, first.fields),
            (3, vec!["A".into(), "B".into()])
        );
        // The blank row is skipped; a quoted field spans two lines.
        let second = r.next_record().unwrap().unwrap();
        assert_eq!(
            (second.line, second.fields),
            (5, vec!["C".into(), "D\nE".into()])
        );
        assert_eq!(r.next_record(), Err(CsvError::UnclosedQuote { line: 7 }));
        assert!(matches!(Reader::new("\n ;\n"), Err(CsvError::Empty)));
    }
}
