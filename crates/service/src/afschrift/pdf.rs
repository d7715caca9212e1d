//! The afschrift as PDF/A-3a: archival (every font embedded, XMP
//! metadata), tagged (headings, paragraphs and their reading order for
//! screen readers; page numbers are artifacts), with the dossier's
//! documents attached as files. Made with `krilla`; this module only lays
//! text out: A4 pages, one font (DejaVu Sans, vendored, with every Dutch
//! character), lines broken between words by the font's own widths.
//!
//! PDF/A-3 rather than PDF/A-2 (ADR 0022): PDF/A-2 allows attachments only
//! when they are PDF/A themselves; PDF/A-3 is PDF/A-2 plus attachments of
//! any type, so a scan or a letter goes along unchanged.
use super::content::{Block, Copy};
use crate::error::{Result, ServiceError};
use krilla::configure::{Configuration, Validator};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::Point;
use krilla::metadata::{DateTime as PdfDate, Metadata};
use krilla::page::PageSettings;
use krilla::tagging::{ArtifactType, ContentTag, Node, SpanTag, Tag, TagGroup, TagTree};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};
use std::num::NonZeroU16;

static REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.0;
const FOOTER_Y: f32 = PAGE_H - 30.0;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Title,
    Heading,
    Subheading,
    Body,
    Small,
}

impl Style {
    fn size(self) -> f32 {
        match self {
            Style::Title => 18.0,
            Style::Heading => 14.0,
            Style::Subheading => 11.0,
            Style::Body => 10.5,
            Style::Small => 9.0,
        }
    }
    fn bold(self) -> bool {
        matches!(self, Style::Title | Style::Heading | Style::Subheading)
    }
    fn leading(self) -> f32 {
        self.size() * 1.45
    }
}

/// One line on a page, and the structure element it belongs to.
struct Line {
    page: usize,
    y: f32,
    text: String,
    style: Style,
    group: usize,
}

/// A structure element: a heading (level 1–3) or a paragraph, inside a
/// section (`None`: the title, at the top).
struct Group {
    level: Option<u16>,
    section: Option<usize>,
    title: String,
}

struct Metrics {
    regular: ttf_parser::Face<'static>,
    bold: ttf_parser::Face<'static>,
}

impl Metrics {
    fn new() -> Result<Self> {
        let parse = |b: &'static [u8]| {
            ttf_parser::Face::parse(b, 0).map_err(|e| ServiceError::Internal(format!("font: {e}")))
        };
        Ok(Self {
            regular: parse(REGULAR)?,
            bold: parse(BOLD)?,
        })
    }

    fn face(&self, style: Style) -> &ttf_parser::Face<'static> {
        if style.bold() {
            &self.bold
        } else {
            &self.regular
        }
    }

    /// A character the font has and PDF/A allows, else `?` (PDF/A forbids
    /// the .notdef glyph and private-use characters); invisible format
    /// characters (byte-order mark, zero-width and direction marks) go.
    fn printable(&self, c: char) -> Option<char> {
        let cp = u32::from(c);
        let private = (0xE000..=0xF8FF).contains(&cp) || cp >= 0xF0000;
        let invisible = matches!(cp, 0xFEFF | 0xFFFE | 0xFFFF | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x2069 | 0xAD);
        if c == '\n' {
            Some('\n')
        } else if invisible {
            None
        } else if c.is_control() {
            Some(' ')
        } else if !private
            && self.regular.glyph_index(c).is_some()
            && self.bold.glyph_index(c).is_some()
        {
            Some(c)
        } else {
            Some('?')
        }
    }

    fn width(&self, text: &str, style: Style) -> f32 {
        let face = self.face(style);
        let upem = f32::from(face.units_per_em());
        let units: f32 = text
            .chars()
            .map(|c| {
                face.glyph_index(c)
                    .and_then(|g| face.glyph_hor_advance(g))
                    .map(f32::from)
                    .unwrap_or(upem / 2.0)
            })
            .sum();
        units * style.size() / upem
    }

    /// Breaks one paragraph into lines that fit `max` points, between
    /// words; a word longer than a line is broken between characters.
    fn wrap(&self, text: &str, style: Style, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if self.width(&candidate, style) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if self.width(word, style) <= max {
                line = word.to_owned();
            } else {
                for c in word.chars() {
                    let mut next = line.clone();
                    next.push(c);
                    if self.width(&next, style) > max && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    } else {
                        line = next;
                    }
                }
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }
}

/// Lays the copy out: lines with their page and structure element.
struct Layout {
    metrics: Metrics,
    lines: Vec<Line>,
    groups: Vec<Group>,
    page: usize,
    y: f32,
}

impl Layout {
    fn clean(&self, text: &str) -> String {
        text.replace("\r\n", "\n")
            .chars()
            .filter_map(|c| self.metrics.printable(c))
            .collect()
    }

    fn group(&mut self, level: Option<u16>, section: Option<usize>, title: &str) -> usize {
        // A heading's title goes into the structure as a PDF string: short.
        let title = self.clean(title).chars().take(200).collect();
        self.groups.push(Group {
            level,
            section,
            title,
        });
        self.groups.len() - 1
    }

    /// Adds a text (paragraphs split at new lines) to a group.
    fn text(&mut self, text: &str, style: Style, group: usize, indent: f32) {
        let max = PAGE_W - 2.0 * MARGIN - indent;
        let cleaned = self.clean(text);
        for para in cleaned.split('\n') {
            let wrapped = self.metrics.wrap(para.trim_end(), style, max);
            if wrapped.is_empty() {
                self.y += style.leading() / 2.0;
                continue;
            }
            for l in wrapped {
                if self.y + style.leading() > PAGE_H - MARGIN {
                    self.page += 1;
                    self.y = MARGIN;
                }
                self.y += style.leading();
                self.lines.push(Line {
                    page: self.page,
                    y: self.y,
                    // Word boundaries at line ends are spaces (tagged PDF).
                    text: format!("{l} "),
                    style,
                    group,
                });
            }
        }
    }

    fn gap(&mut self, points: f32) {
        self.y += points;
    }

    /// A heading never ends a page: it moves to the next one with room
    /// for a few lines after it.
    fn keep_with_next(&mut self, style: Style) {
        if self.y + style.leading() + 3.0 * Style::Body.leading() > PAGE_H - MARGIN {
            self.page += 1;
            self.y = MARGIN;
        }
    }
}

/// Renders the copy as PDF/A-3a bytes.
pub(crate) fn render(copy: &Copy) -> Result<Vec<u8>> {
    let mut l = Layout {
        metrics: Metrics::new()?,
        lines: Vec::new(),
        groups: Vec::new(),
        page: 0,
        y: MARGIN,
    };
    let title_group = l.group(Some(1), None, &copy.title);
    l.text(&copy.title, Style::Title, title_group, 0.0);
    for intro in &copy.intro {
        l.gap(4.0);
        let g = l.group(None, None, "");
        l.text(intro, Style::Body, g, 0.0);
    }
    for (si, section) in copy.sections.iter().enumerate() {
        l.gap(14.0);
        l.keep_with_next(Style::Heading);
        let h = l.group(Some(2), Some(si), &section.heading);
        l.text(&section.heading, Style::Heading, h, 0.0);
        for block in &section.blocks {
            match block {
                Block::Subheading(t) => {
                    l.gap(8.0);
                    l.keep_with_next(Style::Subheading);
                    let g = l.group(Some(3), Some(si), t);
                    l.text(t, Style::Subheading, g, 0.0);
                }
                Block::Para(t) => {
                    l.gap(2.0);
                    let g = l.group(None, Some(si), "");
                    l.text(t, Style::Body, g, 0.0);
                }
                Block::Fact(label, value) => {
                    let g = l.group(None, Some(si), "");
                    l.text(&format!("{label}: {value}"), Style::Body, g, 0.0);
                }
                Block::Note(t) => {
                    let g = l.group(None, Some(si), "");
                    l.text(t, Style::Small, g, 12.0);
                }
            }
        }
    }
    draw(copy, l)
}

fn pdf_date(t: chrono::DateTime<chrono::Utc>) -> PdfDate {
    use chrono::{Datelike, Timelike};
    PdfDate::new(u16::try_from(t.year()).unwrap_or(2000))
        .month(t.month() as u8)
        .day(t.day() as u8)
        .hour(t.hour() as u8)
        .minute(t.minute() as u8)
        .second(t.second() as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

fn draw(copy: &Copy, l: Layout) -> Result<Vec<u8>> {
    let font = |b: &'static [u8]| {
        Font::new(b.into(), 0).ok_or_else(|| ServiceError::Internal("font".into()))
    };
    let (regular, bold) = (font(REGULAR)?, font(BOLD)?);
    let settings = SerializeSettings {
        configuration: Configuration::new_with_validator(Validator::A3_A),
        enable_tagging: true,
        ..Default::default()
    };
    let mut doc = Document::new_with(settings);
    doc.set_metadata(
        Metadata::new()
            .title(copy.title.clone())
            .language(copy.lang.to_owned())
            .creator("Inzage".to_owned())
            .producer("Inzage (krilla)".to_owned())
            .creation_date(pdf_date(copy.made_at)),
    );
    let pages = l.lines.iter().map(|x| x.page).max().unwrap_or(0) + 1;
    let mut ids: Vec<Vec<krilla::tagging::Identifier>> = vec![Vec::new(); l.groups.len()];
    for p in 0..pages {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
            .ok_or_else(|| ServiceError::Internal("page size".into()))?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        for line in l.lines.iter().filter(|x| x.page == p) {
            let id = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
            surface.draw_text(
                Point::from_xy(MARGIN, line.y),
                if line.style.bold() {
                    bold.clone()
                } else {
                    regular.clone()
                },
                line.style.size(),
                &line.text,
                false,
                TextDirection::Auto,
            );
            surface.end_tagged();
            if let Some(v) = ids.get_mut(line.group) {
                v.push(id);
            }
        }
        surface.start_tagged(ContentTag::Artifact(ArtifactType::Footer));
        surface.draw_text(
            Point::from_xy(MARGIN, FOOTER_Y),
            regular.clone(),
            Style::Small.size(),
            &format!("{} · {} / {pages}", copy.footer, p + 1),
            false,
            TextDirection::Auto,
        );
        surface.end_tagged();
        surface.finish();
        page.finish();
    }
    // The structure: the title, then a section per part with its heading
    // and paragraphs, in reading order.
    let mut tree = TagTree::new();
    let mut sections: Vec<TagGroup> = copy
        .sections
        .iter()
        .map(|_| TagGroup::new(Tag::Section))
        .collect();
    for (g, idents) in l.groups.iter().zip(ids) {
        if idents.is_empty() {
            continue;
        }
        let mut group = match g.level {
            Some(n) => TagGroup::new(Tag::Hn(
                NonZeroU16::new(n).unwrap_or(NonZeroU16::MIN),
                Some(g.title.clone()),
            )),
            None => TagGroup::new(Tag::P),
        };
        for id in idents {
            group.push(id);
        }
        match g.section.and_then(|s| sections.get_mut(s)) {
            Some(sect) => sect.push(group),
            None => tree.push(group),
        }
    }
    for sect in sections {
        tree.push(Node::from(sect));
    }
    doc.set_tag_tree(tree);
    for a in &copy.attachments {
        let file = EmbeddedFile {
            path: a.name.clone(),
            mime_type: MimeType::new(&a.mime),
            description: Some(a.description.clone()),
            association_kind: AssociationKind::Source,
            data: a.bytes.clone().into(),
            modification_date: Some(pdf_date(copy.made_at)),
            compress: None,
            location: None,
        };
        if doc.embed_file(file).is_none() {
            return Err(ServiceError::Internal("attachment refused".into()));
        }
    }
    doc.finish().map_err(|e| {
        // Only the kind of error: krilla's carries the offending text.
        let kind = match &e {
            krilla::error::KrillaError::Validation(v) => format!(
                "pdf/a: {}",
                v.iter()
                    .map(|x| format!("{x:?}")
                        .split(['(', ' ', '{'])
                        .next()
                        .unwrap_or("")
                        .to_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => "pdf: could not be written".to_owned(),
        };
        ServiceError::Invalid(inzage_core::types::FieldError::new("afschrift", kind))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_between_words_and_fit_the_page() {
        let m = Metrics::new().expect("fonts");
        let text = "Vandaag zijn we samen naar de markt gegaan en hebben we groente gekocht voor het eten van morgen, en daarna koffie gedronken.";
        let max = PAGE_W - 2.0 * MARGIN;
        let lines = m.wrap(text, Style::Body, max);
        assert!(lines.len() >= 2, "{lines:?}");
        assert_eq!(lines.join(" "), text, "no word lost or split");
        assert!(lines.iter().all(|l| m.width(l, Style::Body) <= max));
        let long = "a".repeat(400);
        let broken = m.wrap(&long, Style::Body, max);
        assert!(broken.len() > 1 && broken.concat() == long);
        assert_eq!(m.printable('ë'), Some('ë'));
        assert_eq!(m.printable('漢'), Some('?'), "no .notdef glyphs");
        assert_eq!(m.printable('\u{EF00}'), Some('?'), "no private use");
        assert_eq!(m.printable('\u{FEFF}'), None, "no byte-order mark");
        assert_eq!(m.printable('\n'), Some('\n'), "paragraphs stay");
    }

    #[test]
    fn awkward_text_still_makes_a_pdf_a() {
        let copy = Copy {
            title: "Afschrift \u{FEFF}\u{EF00} test".into(),
            lang: "nl",
            made_at: chrono::Utc::now(),
            footer: "voet".into(),
            intro: vec!["Eerste regel\nTweede regel \u{200B}\u{202E}omgekeerd".into()],
            sections: vec![super::super::content::Section {
                heading: "x".repeat(40_000),
                blocks: vec![
                    Block::Para("漢字 \u{1F600} \u{E000} tekst\r\nnieuwe regel".into()),
                    Block::Subheading(String::new()),
                    Block::Note("\u{7}".into()),
                ],
            }],
            attachments: vec![],
        };
        let pdf = render(&copy).expect("a PDF/A in spite of the text");
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
