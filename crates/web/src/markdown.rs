//! The safe markdown subset of client plans: headings (`#`, `##`, `###`),
//! bullet (`-`, `*`) and numbered (`1.`) lists, paragraphs, `**bold**` and
//! links `[text](https://…)` (http, https and mailto only). Everything else
//! is text: every character is escaped, raw HTML never passes.

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

fn safe_url(url: &str) -> bool {
    let l = url.to_ascii_lowercase();
    (l.starts_with("https://") || l.starts_with("http://") || l.starts_with("mailto:"))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Inline markup of one line: bold and links.
fn inline(s: &str, out: &mut String) {
    let mut rest = s;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("**") {
            if let Some(end) = after.find("**") {
                if end > 0 {
                    out.push_str("<strong>");
                    inline(&after[..end], out);
                    out.push_str("</strong>");
                    rest = &after[end + 2..];
                    continue;
                }
            }
        }
        if let Some(after) = rest.strip_prefix('[') {
            if let Some(close) = after.find("](") {
                let text = &after[..close];
                let tail = &after[close + 2..];
                if let Some(end) = tail.find(')') {
                    let url = &tail[..end];
                    if !text.is_empty() && safe_url(url) {
                        out.push_str("<a class=\"utrecht-link\" href=\"");
                        escape(url, out);
                        out.push_str("\" rel=\"noopener noreferrer\">");
                        escape(text, out);
                        out.push_str("</a>");
                        rest = &tail[end + 1..];
                        continue;
                    }
                }
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        escape(&c.to_string(), out);
        rest = &rest[c.len_utf8()..];
    }
}

#[derive(PartialEq, Clone, Copy)]
enum Block {
    None,
    Para,
    Ul,
    Ol,
}

fn close(block: Block, out: &mut String) {
    match block {
        Block::Para => out.push_str("</p>\n"),
        Block::Ul => out.push_str("</ul>\n"),
        Block::Ol => out.push_str("</ol>\n"),
        Block::None => {}
    }
}

/// Numbered list item: "12. text" → "text".
fn numbered(line: &str) -> Option<&str> {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    line[digits..].strip_prefix(". ")
}

/// Renders `src` as HTML. Headings start at `<h4>` (a plan section page
/// already has `<h1>` to `<h3>` above the text).
pub fn render(src: &str) -> String {
    let mut out = String::new();
    let mut block = Block::None;
    for raw in src.lines() {
        let line = raw.trim();
        if line.is_empty() {
            close(block, &mut out);
            block = Block::None;
            continue;
        }
        let heading = [("### ", "h6"), ("## ", "h5"), ("# ", "h4")]
            .iter()
            .find_map(|(p, tag)| line.strip_prefix(p).map(|t| (t, *tag)));
        if let Some((text, tag)) = heading {
            close(block, &mut out);
            block = Block::None;
            out.push_str(&format!("<{tag} class=\"utrecht-heading-{}\">", &tag[1..]));
            inline(text, &mut out);
            out.push_str(&format!("</{tag}>\n"));
            continue;
        }
        let bullet = line.strip_prefix("- ").or_else(|| line.strip_prefix("* "));
        let (kind, text) = match (bullet, numbered(line)) {
            (Some(t), _) => (Block::Ul, t),
            (None, Some(t)) => (Block::Ol, t),
            (None, None) => (Block::Para, line),
        };
        if kind != block {
            close(block, &mut out);
            out.push_str(match kind {
                Block::Ul => "<ul class=\"utrecht-unordered-list\">\n",
                Block::Ol => "<ol class=\"utrecht-ordered-list\">\n",
                _ => "<p class=\"utrecht-paragraph\">",
            });
            block = kind;
        } else if kind == Block::Para {
            out.push_str("<br>");
        }
        if kind == Block::Para {
            inline(text, &mut out);
        } else {
            out.push_str("<li>");
            inline(text, &mut out);
            out.push_str("</li>\n");
        }
    }
    close(block, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn the_subset_renders() {
        assert_eq!(
            render("# Doel\nJe doet **zelf** de was.\n\n- maandag\n- dinsdag\n1. eerst\n2. dan"),
            "<h4 class=\"utrecht-heading-4\">Doel</h4>\n<p class=\"utrecht-paragraph\">Je doet <strong>zelf</strong> de was.</p>\n\
             <ul class=\"utrecht-unordered-list\">\n<li>maandag</li>\n<li>dinsdag</li>\n</ul>\n\
             <ol class=\"utrecht-ordered-list\">\n<li>eerst</li>\n<li>dan</li>\n</ol>\n"
        );
        assert_eq!(
            render("Zie [de site](https://example.nl/a?b=1&c=2)."),
            "<p class=\"utrecht-paragraph\">Zie <a class=\"utrecht-link\" href=\"https://example.nl/a?b=1&amp;c=2\" rel=\"noopener noreferrer\">de site</a>.</p>\n"
        );
    }

    #[test]
    fn html_and_unsafe_links_stay_text() {
        let html = render("<script>alert(1)</script> <img src=x onerror=alert(1)>");
        assert!(!html.contains("<script") && !html.contains("<img"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        let js = render("[klik](javascript:alert(1)) [x](https://a.nl\" onmouseover=\"x)");
        assert!(
            !html.contains("href") && !js.contains("href=\"javascript"),
            "{js}"
        );
        assert!(!js.contains("onmouseover=\""), "{js}");
        assert_eq!(
            render("**niet dicht"),
            "<p class=\"utrecht-paragraph\">**niet dicht</p>\n"
        );
        assert_eq!(render(""), "");
    }
}

/// Issue 16 item 6: under any input the subset emits only its own tags;
/// everything else arrives escaped.
#[cfg(test)]
mod properties {
    use super::render;
    use proptest::prelude::*;

    const TAGS: &[&str] = &[
        "<p class=\"utrecht-paragraph\">",
        "</p>",
        "<ul class=\"utrecht-unordered-list\">",
        "</ul>",
        "<ol class=\"utrecht-ordered-list\">",
        "</ol>",
        "<li>",
        "</li>",
        "<strong>",
        "</strong>",
        "<br>",
        "</a>",
        "<h4 class=\"utrecht-heading-4\">",
        "</h4>",
        "<h5 class=\"utrecht-heading-5\">",
        "</h5>",
        "<h6 class=\"utrecht-heading-6\">",
        "</h6>",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn only_its_own_tags(src in prop_oneof![
            ".{0,300}",
            "([-*#0-9. \\[\\]()<>\"'&:/a-z]|\\*\\*|\\n|https?://){0,120}",
        ]) {
            let html = render(&src);
            let mut rest = html.as_str();
            while let Some(i) = rest.find('<') {
                rest = &rest[i..];
                if let Some(tag) = TAGS.iter().find(|t| rest.starts_with(*t)) {
                    rest = &rest[tag.len()..];
                } else if rest.starts_with("<a class=\"utrecht-link\" href=\"") {
                    // A link: its address is escaped and safe (no quote,
                    // no `javascript:`), then the fixed rel.
                    let after = &rest["<a class=\"utrecht-link\" href=\"".len()..];
                    let end = after.find('"').unwrap_or(after.len());
                    let url = &after[..end];
                    prop_assert!(url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/'), "{url}");
                    prop_assert!(!url.contains('<') && !url.contains('>'));
                    prop_assert!(after[end..].starts_with("\" rel=\"noopener noreferrer\">"));
                    rest = &after[end..];
                } else {
                    prop_assert!(false, "a tag the subset does not make: {}", &rest[..rest.len().min(40)]);
                }
            }
        }
    }
}
