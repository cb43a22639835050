//! Reading rendered PDFs back in tests, in-process (no poppler needed):
//! the text of each page, the page sizes, and whether every font is
//! embedded. Shared by the library's unit tests (through `#[path]`) and the
//! integration tests.

#![allow(dead_code)]

/// The text of each page, in reading order as the extractor finds it.
pub fn page_texts(pdf: &[u8]) -> Vec<String> {
    pdf_extract::extract_text_from_mem_by_pages(pdf).expect("the PDF's text can be read")
}

/// The whole text, pages separated by form feeds.
pub fn text(pdf: &[u8]) -> String {
    page_texts(pdf).join("\u{c}")
}

/// The text without any whitespace.
pub fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The size of each page in points (width, height), from its MediaBox.
pub fn page_sizes(pdf: &[u8]) -> Vec<(f32, f32)> {
    let doc = lopdf::Document::load_mem(pdf).expect("the PDF parses");
    doc.get_pages()
        .values()
        .map(|&id| {
            let page = doc.get_dictionary(id).expect("a page dictionary");
            let media = page
                .get(b"MediaBox")
                .and_then(|m| m.as_array())
                .expect("a MediaBox on every page");
            let n: Vec<f32> = media
                .iter()
                .map(|v| {
                    v.as_float()
                        .or_else(|_| v.as_i64().map(|i| i as f32))
                        .unwrap()
                })
                .collect();
            (n[2] - n[0], n[3] - n[1])
        })
        .collect()
}

/// Each font descriptor's font name and whether it embeds the font file.
pub fn fonts(pdf: &[u8]) -> Vec<(String, bool)> {
    let doc = lopdf::Document::load_mem(pdf).expect("the PDF parses");
    let fonts: Vec<(String, bool)> = doc
        .objects
        .values()
        .filter_map(|object| object.as_dict().ok())
        .filter(|dict| {
            dict.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor".as_slice())
        })
        .map(|dict| {
            let name = dict
                .get(b"FontName")
                .and_then(|n| n.as_name())
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .unwrap_or_default();
            let embedded = [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"]
                .iter()
                .any(|k| dict.has(k));
            (name, embedded)
        })
        .collect();
    assert!(!fonts.is_empty(), "no font descriptors in the PDF");
    fonts
}

/// Whether every page is A4 (595.276 × 841.89 pt, within a hundredth).
pub fn all_a4(pdf: &[u8]) -> bool {
    page_sizes(pdf)
        .iter()
        .all(|&(w, h)| (w - 595.276).abs() < 0.01 && (h - 841.89).abs() < 0.01)
}

/// Where the 版记 stands, after checking GB/T 9704's rules for it: on the
/// last page only, which is even (the back cover, §7.4); a blank page
/// before it leaves both unnumbered, otherwise both last pages carry their
/// numbers (§7.5). `context` prefixes the failure messages.
pub fn banji_placement(pdf: &[u8], context: &str) -> &'static str {
    let pages: Vec<String> = page_texts(pdf)
        .iter()
        .map(|p| squeeze(p).replace("草稿", ""))
        .collect();
    let n = pages.len();
    assert_eq!(
        n % 2,
        0,
        "{context}: the 版记 must stand on an even page: {n} pages"
    );
    let holding: Vec<usize> = (1..=n).filter(|&p| pages[p - 1].contains("印发")).collect();
    assert_eq!(
        holding,
        [n],
        "{context}: the 版记 on pages {holding:?} of {n}"
    );
    let numbered = |p: usize| pages[p - 1].contains(&format!("—{p}—"));
    if pages[n - 2].is_empty() {
        assert!(
            !numbered(n - 1) && !numbered(n),
            "{context}: the blank page and the 版记 page carry no number"
        );
        "after a blank page"
    } else {
        assert!(
            numbered(n - 1) && numbered(n),
            "{context}: pages {} and {n} are numbered",
            n - 1
        );
        if pages[n - 1].starts_with("抄送") {
            "on a page of its own"
        } else {
            "below the content"
        }
    }
}
