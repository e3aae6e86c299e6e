//! Documents handed to people (the plan's synthesis, the immersion
//! convention sheet): one small model, rendered to self-contained HTML or
//! to Markdown that reads well as plain text.
//!
//! Every string that goes in is text, never markup: the renderers escape
//! it (`<`, `>`, `&`, quotes in HTML; Markdown's special characters), so a
//! file whose employer is `<script>O'Brien & fils</script>` shows exactly
//! that. The HTML is valid HTML5 with `lang="fr"`, inline CSS laid out for
//! A4 printing, and no external resource (no script, font or image).

/// One block of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A section heading (level 2).
    Heading(String),
    /// A sub-heading (level 3).
    SubHeading(String),
    /// A paragraph; line breaks inside are kept.
    Paragraph(String),
    /// A list of `label : value` lines (a definition list).
    Fields(Vec<(String, String)>),
    /// A bulleted list.
    Bullets(Vec<String>),
    /// A table: header cells, then rows; `numeric` columns align right.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        numeric: Vec<usize>,
    },
    /// A boxed warning or note (e.g. the missing fields of a convention).
    Note(String),
}

/// A document: a title, an optional subtitle, blocks, a footer line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    pub subtitle: String,
    pub blocks: Vec<Block>,
    pub footer: String,
}

impl Document {
    pub fn new(title: &str) -> Document {
        Document {
            title: title.to_string(),
            ..Document::default()
        }
    }
    pub fn push(&mut self, b: Block) -> &mut Document {
        self.blocks.push(b);
        self
    }
    pub fn heading(&mut self, s: &str) -> &mut Document {
        self.push(Block::Heading(s.to_string()))
    }
    pub fn paragraph(&mut self, s: &str) -> &mut Document {
        self.push(Block::Paragraph(s.to_string()))
    }
    pub fn fields(&mut self, f: Vec<(&str, String)>) -> &mut Document {
        self.push(Block::Fields(
            f.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        ))
    }
}

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
}

impl Format {
    /// `html` / `md` (also `markdown`), as typed after `--format`.
    pub fn parse(s: &str) -> Result<Format, String> {
        match s.trim().to_lowercase().as_str() {
            "html" | "htm" => Ok(Format::Html),
            "md" | "markdown" => Ok(Format::Markdown),
            other => Err(format!("format inconnu « {other} » (html ou md)")),
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Markdown => "md",
        }
    }
}

/// Escapes text for HTML content and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for Markdown so that it renders as typed (and stays
/// readable as plain text: only characters Markdown would interpret are
/// backslashed).
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            // A hard line break.
            out.push_str("  \n");
        }
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        out.push_str(&line[..lead]);
        // A line that would start a heading, list or quote.
        if trimmed.starts_with(['#', '>', '-', '+', '=']) {
            out.push('\\');
        } else if let Some(pos) = trimmed.find(". ") {
            if pos > 0 && trimmed[..pos].chars().all(|c| c.is_ascii_digit()) {
                out.push_str(&trimmed[..pos]);
                out.push('\\');
                out.push_str(&trimmed[pos..]);
                continue;
            }
        }
        for c in trimmed.chars() {
            match c {
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                    out.push('\\');
                    out.push(c);
                }
                '&' => out.push_str("&amp;"),
                c if c.is_control() && c != '\t' => {}
                c => out.push(c),
            }
        }
    }
    out
}

const CSS: &str = "\
@page { size: A4; margin: 18mm 16mm; }
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 10.5pt; color: #1a1a1a; \
line-height: 1.45; max-width: 180mm; margin: 0 auto; }
h1 { font-size: 17pt; margin: 0 0 2mm; color: #123a6b; }
.sous-titre { color: #555; margin: 0 0 6mm; }
h2 { font-size: 12.5pt; color: #123a6b; border-bottom: 1px solid #c5d3e6; \
padding-bottom: 1mm; margin: 7mm 0 3mm; break-after: avoid; }
h3 { font-size: 11pt; margin: 4mm 0 2mm; break-after: avoid; }
p { margin: 0 0 3mm; white-space: pre-wrap; }
dl { display: grid; grid-template-columns: 52mm 1fr; gap: 1mm 4mm; margin: 0 0 3mm; }
dt { color: #555; }
dd { margin: 0; white-space: pre-wrap; }
table { border-collapse: collapse; width: 100%; margin: 0 0 4mm; break-inside: auto; }
th, td { border: 1px solid #c5d3e6; padding: 1.2mm 2mm; text-align: left; vertical-align: top; }
th { background: #eef3fa; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr { break-inside: avoid; }
.note { border: 1px solid #e0b44c; background: #fff7e3; padding: 2mm 3mm; margin: 0 0 4mm; \
white-space: pre-wrap; }
footer { margin-top: 8mm; color: #555; font-size: 9pt; border-top: 1px solid #ddd; \
padding-top: 2mm; }
@media print { body { max-width: none; } }
";

/// Renders the document.
pub fn render(doc: &Document, format: Format) -> String {
    match format {
        Format::Html => render_html(doc),
        Format::Markdown => render_md(doc),
    }
}

fn render_html(doc: &Document) -> String {
    let e = html_escape;
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    s.push_str(&format!("<title>{}</title>\n", e(&doc.title)));
    s.push_str(&format!("<style>\n{CSS}</style>\n</head>\n<body>\n"));
    s.push_str(&format!("<h1>{}</h1>\n", e(&doc.title)));
    if !doc.subtitle.is_empty() {
        s.push_str(&format!(
            "<p class=\"sous-titre\">{}</p>\n",
            e(&doc.subtitle)
        ));
    }
    for b in &doc.blocks {
        match b {
            Block::Heading(t) => s.push_str(&format!("<h2>{}</h2>\n", e(t))),
            Block::SubHeading(t) => s.push_str(&format!("<h3>{}</h3>\n", e(t))),
            Block::Paragraph(t) => s.push_str(&format!("<p>{}</p>\n", e(t))),
            Block::Note(t) => s.push_str(&format!("<div class=\"note\">{}</div>\n", e(t))),
            Block::Fields(f) => {
                s.push_str("<dl>\n");
                for (k, v) in f {
                    s.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", e(k), e(v)));
                }
                s.push_str("</dl>\n");
            }
            Block::Bullets(items) => {
                s.push_str("<ul>\n");
                for i in items {
                    s.push_str(&format!("<li>{}</li>\n", e(i)));
                }
                s.push_str("</ul>\n");
            }
            Block::Table {
                header,
                rows,
                numeric,
            } => {
                let class = |i: usize| {
                    if numeric.contains(&i) {
                        " class=\"num\""
                    } else {
                        ""
                    }
                };
                s.push_str("<table>\n<thead><tr>");
                for (i, h) in header.iter().enumerate() {
                    s.push_str(&format!("<th{}>{}</th>", class(i), e(h)));
                }
                s.push_str("</tr></thead>\n<tbody>\n");
                for r in rows {
                    s.push_str("<tr>");
                    for (i, c) in r.iter().enumerate() {
                        s.push_str(&format!("<td{}>{}</td>", class(i), e(c)));
                    }
                    s.push_str("</tr>\n");
                }
                s.push_str("</tbody>\n</table>\n");
            }
        }
    }
    if !doc.footer.is_empty() {
        s.push_str(&format!("<footer>{}</footer>\n", e(&doc.footer)));
    }
    s.push_str("</body>\n</html>\n");
    s
}

fn render_md(doc: &Document) -> String {
    let e = md_escape;
    let mut s = format!("# {}\n\n", e(&doc.title));
    if !doc.subtitle.is_empty() {
        s.push_str(&format!("{}\n\n", e(&doc.subtitle)));
    }
    for b in &doc.blocks {
        match b {
            Block::Heading(t) => s.push_str(&format!("## {}\n\n", e(t))),
            Block::SubHeading(t) => s.push_str(&format!("### {}\n\n", e(t))),
            Block::Paragraph(t) => s.push_str(&format!("{}\n\n", e(t))),
            Block::Note(t) => {
                for line in e(t).split('\n') {
                    s.push_str(&format!("> {line}\n"));
                }
                s.push('\n');
            }
            Block::Fields(f) => {
                for (k, v) in f {
                    s.push_str(&format!("- **{}** : {}\n", e(k), e(v)));
                }
                s.push('\n');
            }
            Block::Bullets(items) => {
                for i in items {
                    s.push_str(&format!("- {}\n", e(i)));
                }
                s.push('\n');
            }
            Block::Table {
                header,
                rows,
                numeric,
            } => {
                let cell = |c: &str| e(c).replace("  \n", " ");
                s.push_str(&format!(
                    "| {} |\n",
                    header
                        .iter()
                        .map(|h| cell(h))
                        .collect::<Vec<_>>()
                        .join(" | ")
                ));
                s.push_str(&format!(
                    "|{}|\n",
                    (0..header.len())
                        .map(|i| if numeric.contains(&i) { "---:" } else { "---" })
                        .collect::<Vec<_>>()
                        .join("|")
                ));
                for r in rows {
                    s.push_str(&format!(
                        "| {} |\n",
                        r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
                    ));
                }
                s.push('\n');
            }
        }
    }
    if !doc.footer.is_empty() {
        s.push_str(&format!("---\n\n{}\n", e(&doc.footer)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Document {
        let mut d = Document::new("Synthèse <du> parcours");
        d.subtitle = "Léa DUPONT".into();
        d.heading("Situation")
            .fields(vec![(
                "Employeur",
                "<script>O'Brien & fils</script>".into(),
            )])
            .paragraph("ligne 1\n# pas un titre\n1. pas une liste");
        d.push(Block::Table {
            header: vec!["Étape".into(), "Montant".into()],
            rows: vec![vec!["Bilan | CPF".into(), "1 200,00 €".into()]],
            numeric: vec![1],
        });
        d.push(Block::Note("Champ manquant : *SIRET*".into()));
        d.footer = "Fait le 28/11/2026".into();
        d
    }

    #[test]
    fn html_is_self_contained_and_escapes_everything() {
        let h = render(&sample(), Format::Html);
        assert!(h.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"));
        assert!(h.contains("&lt;script&gt;O&#39;Brien &amp; fils&lt;/script&gt;"));
        assert!(!h.contains("<script>"));
        assert!(h.contains("<title>Synthèse &lt;du&gt; parcours</title>"));
        assert!(h.contains("@page { size: A4"));
        for external in ["http://", "https://", "src=", "<link", "@import"] {
            assert!(!h.contains(external), "{external}");
        }
        assert!(h.contains("<td class=\"num\">1 200,00 €</td>"));
        // Every opened element is closed.
        for tag in [
            "html", "head", "body", "table", "dl", "footer", "style", "title",
        ] {
            assert_eq!(
                h.matches(&format!("<{tag}")).count(),
                h.matches(&format!("</{tag}>")).count(),
                "{tag}"
            );
        }
    }

    #[test]
    fn markdown_reads_as_text_and_escapes_markup() {
        let m = render(&sample(), Format::Markdown);
        assert!(m.starts_with("# Synthèse \\<du\\> parcours\n"));
        assert!(m.contains("\\<script\\>O'Brien &amp; fils\\</script\\>"));
        assert!(m.contains("\\# pas un titre"));
        assert!(m.contains("1\\. pas une liste"));
        assert!(m.contains("| Bilan \\| CPF | 1 200,00 € |"));
        assert!(m.contains("|---|---:|"));
        assert!(m.contains("> Champ manquant : \\*SIRET\\*"));
        assert_eq!(Format::parse("MD"), Ok(Format::Markdown));
        assert!(Format::parse("pdf").is_err());
    }
}
