//! A minimal, valid PDF writer for demo documents: one or more A4 pages of
//! Helvetica text. Enough for real files that a browser opens inline.

/// Encodes text for a PDF string in WinAnsi (Latin-1 subset), escaping
/// `(`, `)` and `\`; characters outside Latin-1 become `?`.
fn pdf_string(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 2);
    out.push(b'(');
    for c in s.chars() {
        let b = if (c as u32) < 256 {
            c as u32 as u8
        } else {
            b'?'
        };
        if matches!(b, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b')');
    out
}

/// A PDF with `title` in large type and `lines` below, 45 lines a page.
pub fn simple_pdf(title: &str, lines: &[String]) -> Vec<u8> {
    let pages: Vec<&[String]> = if lines.is_empty() {
        vec![&[]]
    } else {
        lines.chunks(45).collect()
    };
    let n_pages = pages.len();
    // Object numbers: 1 catalog, 2 pages, 3 font, then per page: page, content.
    let mut objects: Vec<Vec<u8>> = Vec::new();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = (0..n_pages).map(|i| format!("{} 0 R", 4 + i * 2)).collect();
    objects.push(
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            n_pages
        )
        .into_bytes(),
    );
    objects.push(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    );
    for (i, page_lines) in pages.iter().enumerate() {
        let content_obj = 5 + i * 2;
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {content_obj} 0 R >>"
            )
            .into_bytes(),
        );
        let mut stream = Vec::new();
        stream.extend_from_slice(b"BT /F1 18 Tf 56 780 Td ");
        stream.extend(pdf_string(if i == 0 { title } else { "" }));
        stream.extend_from_slice(b" Tj /F1 11 Tf 0 -30 Td 14 TL ");
        for l in page_lines.iter() {
            stream.extend(pdf_string(l));
            stream.extend_from_slice(b" ' ");
        }
        stream.extend_from_slice(b"ET");
        let mut obj = format!("<< /Length {} >>\nstream\n", stream.len()).into_bytes();
        obj.extend(stream);
        obj.extend_from_slice(b"\nendstream");
        objects.push(obj);
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).into_bytes());
        out.extend(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").into_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .into_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xref_offsets_point_at_objects() {
        let pdf = simple_pdf(
            "Brief (test) ë",
            &["Regel één".into(), "Regel \\ twee".into()],
        );
        assert!(pdf.starts_with(b"%PDF-1.4"));
        let text = String::from_utf8_lossy(&pdf);
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|s| s.lines().next())
            .and_then(|s| s.parse().ok())
            .expect("startxref");
        assert_eq!(&pdf[start..start + 4], b"xref");
        // Every "n" entry points at "<k> 0 obj".
        let xref = String::from_utf8_lossy(&pdf[start..]).into_owned();
        for (k, line) in xref
            .lines()
            .skip(3)
            .take_while(|l| l.ends_with(" n "))
            .enumerate()
        {
            let off: usize = line[..10].parse().expect("offset");
            assert!(pdf[off..].starts_with(format!("{} 0 obj", k + 1).as_bytes()));
        }
        assert!(text.contains("\\(test\\)"));
    }
}
