//! Unit tests of the engine and the templates on hand-made inputs; the
//! integration tests (`tests/it/documents.rs`) render from the demo store.

use chrono::NaiveDate;
use serde_json::json;

use super::engine::{check_coverage, to_value};
use super::*;

/// A name that must print literally, never run.
pub const HOSTILE: &str = "#panic(\"x\") *粗* $x$ ]";

fn engine() -> std::sync::Arc<Engine> {
    Engine::shared().expect("the engine builds from assets/fonts")
}

// Reads the rendered PDFs back in-process (text, pages, fonts): shared with
// the integration tests.
#[path = "../../tests/it/pdf_inspect.rs"]
mod pdf_inspect;
use pdf_inspect::squeeze;

/// The text of a PDF, pages separated by form feeds.
fn pdf_text(pdf: &[u8]) -> String {
    pdf_inspect::text(pdf)
}

fn doc(title: &str, addressee: &str) -> serde_json::Value {
    let mut d = Doc::new(
        "云州市政务服务和大数据管理局",
        NaiveDate::from_ymd_opt(2026, 1, 6).unwrap(),
        vec![title.into()],
        addressee.into(),
    );
    d.attachments = vec![format!("{addressee}2025年度政务数据共享问题清单")];
    d.cc = vec!["云州市人民政府办公室".into()];
    serde_json::to_value(d).unwrap()
}

fn cited(cite: &str, quote: &str) -> serde_json::Value {
    json!({"cite": cite, "quote": quote})
}

/// Notice inputs for a department called `name`.
pub fn notice_inputs(name: &str, rows: usize) -> serde_json::Value {
    let t = "《晋城市政务数据资源共享管理实施细则》";
    let row = |i: usize| {
        json!([
            i.to_string(),
            "审批超时",
            format!("REQ-2025-{i:06}"),
            "共享申请答复",
            "2025年3月4日",
            "2025年3月10日",
            "4"
        ])
    };
    json!({
        "doc": doc("关于限期整改2025年度政务数据共享问题的通知", name),
        "year": 2025,
        "as_of": "2025年12月31日",
        "power": cited(&format!("{t}第四十一条"), "对发现的问题进行通报，并督促相关部门及时整改"),
        "rectification": {"cite": format!("{t}第四十三条"), "quote": "责令其限期改正", "deadline": "2026年1月20日"},
        "overdue": "逾期拒不整改的，属于《晋城市政务数据资源共享管理实施细则》第四十三条第（八）项“对监督检查机关责令整改的问题，拒不整改”所列情形，我局将依规处理。",
        "total": rows,
        "categories": [{
            "label": "（一）",
            "name": "共享申请未按时审核答复",
            "count": rows,
            "examples": ["共享申请REQ-2025-000001应于2025年3月4日前答复，于2025年3月10日办结，逾期4个工作日"],
            "more": rows.saturating_sub(1),
            "violated": [cited(&format!("{t}第三十条第（二）项"), "已在共享交换平台共享的，提供部门应在5个工作日内予以答复")],
            "measures": [],
            "basis": format!("根据{t}第四十一条“对发现的问题进行通报，并督促相关部门及时整改”的规定，我局督促你单位予以整改。"),
            "conditional": [],
        }],
        "attachment_title": format!("{name}2025年度政务数据共享问题清单"),
        "rows": (1..=rows).map(row).collect::<Vec<_>>(),
    })
}

#[test]
fn fonts_are_the_four_styles_and_the_bold_song() {
    let e = engine();
    let families = e.fonts().families();
    for f in ["FandolFang R", "FandolHei", "FandolKai", "FandolSong"] {
        assert!(
            families.iter().any(|x| x == f),
            "{f} missing from {families:?}"
        );
    }
    for c in "整改通知书〔〕—０１２abcABC（）：；、“”《》".chars() {
        assert!(e.fonts().covers(c), "{c} not covered");
    }
}

#[test]
fn a_hostile_name_prints_literally_on_a4_with_embedded_fonts() {
    let e = engine();
    let mut inputs = notice_inputs(HOSTILE, 3);
    inputs["doc"]["number"] = json!("云市数督〔2026〕7号");
    inputs["doc"]["draft"] = json!(false);
    let pdf = e.render(DocumentKind::Notice, &inputs).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdf_text(&pdf);
    let flat = squeeze(&text);
    assert!(flat.contains(&squeeze(HOSTILE)), "{text}");
    assert!(flat.contains("云市数督〔2026〕7号"), "{text}");
    assert!(flat.contains("2026年1月20日"));
    assert!(flat.contains("第三十条第（二）项"));
    assert!(
        pdf_inspect::all_a4(&pdf),
        "{:?}",
        pdf_inspect::page_sizes(&pdf)
    );
    let fonts = pdf_inspect::fonts(&pdf);
    assert!(fonts.iter().all(|f| f.1), "not embedded: {fonts:?}");
    assert!(fonts.iter().any(|f| f.0.contains("Fandol")), "{fonts:?}");
}

#[test]
fn a_draft_is_watermarked_and_unnumbered() {
    let e = engine();
    let mut inputs = notice_inputs("云州市民政局", 2);
    inputs["doc"]["number"] = json!("云市数督〔2026〕　号");
    let pdf = e.render(DocumentKind::Notice, &inputs).unwrap();
    let flat = squeeze(&pdf_text(&pdf));
    // The watermark's characters are rotated: the text layer has them apart.
    assert!(flat.contains('草') && flat.contains('稿'), "watermark");
    assert!(flat.contains("云市数督〔2026〕号"));
}

#[test]
fn a_character_no_font_has_is_named_with_its_field() {
    let e = engine();
    let mut inputs = notice_inputs("云州市民政局", 1);
    inputs["categories"][0]["examples"][0] = json!("检查人\u{13000}发现");
    match e.render(DocumentKind::Notice, &inputs) {
        Err(DocumentError::MissingGlyph {
            character, field, ..
        }) => {
            assert_eq!(character, '\u{13000}');
            assert_eq!(field, "categories[0].examples[0]");
        }
        other => panic!("expected a missing glyph, got {:?}", other.map(|p| p.len())),
    }
    // The rare 镕 of GONGWEN.md: in Noto when installed, else named.
    let ok = check_coverage(e.fonts(), &json!({"name": "朱镕"}));
    assert!(
        ok.is_ok()
            || matches!(
                ok,
                Err(DocumentError::MissingGlyph {
                    character: '镕',
                    ..
                })
            )
    );
}

#[test]
fn inputs_stay_strings() {
    let v = to_value(&json!({"a": "#panic(\"x\")", "n": 3, "f": 1.5, "l": [null, true]}));
    let typst::foundations::Value::Dict(d) = v else {
        panic!()
    };
    assert!(matches!(
        d.get("a").unwrap(),
        typst::foundations::Value::Str(_)
    ));
    assert!(matches!(
        d.get("n").unwrap(),
        typst::foundations::Value::Int(3)
    ));
}

#[test]
fn numbers_dates_and_codes() {
    assert_eq!(
        chinese_date(NaiveDate::from_ymd_opt(2025, 1, 6).unwrap()),
        "2025年1月6日"
    );
    assert_eq!(paren_label(12), "（十二）");
    let j = |name: &str, level: &str| crate::org::Jurisdiction {
        id: "J".into(),
        name: name.into(),
        level: level.parse().unwrap(),
        parent_id: None,
        own_profile: None,
        profile: "jincheng".into(),
        authority_id: None,
    };
    assert_eq!(issuer_code(&j("云州市", "city")), "云市数");
    assert_eq!(issuer_code(&j("新川县", "county")), "新川数");
    assert_eq!(
        government_office(&j("新川县", "county")),
        "新川县人民政府办公室"
    );
    let p = Prepared {
        kind: DocumentKind::Notice,
        issuer_id: "A".into(),
        issuer_name: "局".into(),
        number_prefix: "云市数督".into(),
        addressee: String::new(),
        title: String::new(),
        subject_id: String::new(),
        data_year: 2025,
        issued_on: NaiveDate::from_ymd_opt(2026, 1, 6).unwrap(),
        deadline: None,
        covers: vec![],
        data: json!({"doc": {}}),
    };
    assert_eq!(p.number(Some(7)), "云市数督〔2026〕7号");
    assert_eq!(p.inputs(None)["doc"]["draft"], json!(true));
    let c = crate::rules::Citation {
        article: 43,
        item: Some(8),
        quote: "对监督检查机关责令整改的问题，拒不整改的；".into(),
        condition: None,
        applies_to: Vec::new(),
    };
    let profile = crate::rules::Profiles::builtin().by_id("jincheng").unwrap();
    let cited = Cited::of(profile, &c);
    assert_eq!(cited.quote, "对监督检查机关责令整改的问题，拒不整改的");
    assert_eq!(
        cited.cite,
        "《晋城市政务数据资源共享管理实施细则》第四十三条第（八）项"
    );
}

/// The lines of the first page, without spaces.
fn first_page_lines(pdf: &[u8]) -> Vec<String> {
    pdf_inspect::page_texts(pdf)[0]
        .lines()
        .map(squeeze)
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn a_long_title_breaks_between_its_phrases() {
    let e = engine();
    let mut inputs = notice_inputs("云州市生态环境局", 1);
    inputs["doc"]["draft"] = json!(false);
    inputs["doc"]["title_parts"] = json!(["关于限期整改", "2025年度", "政务数据共享问题的通知"]);
    let lines = first_page_lines(&e.render(DocumentKind::Notice, &inputs).unwrap());
    let at = lines
        .iter()
        .position(|l| l == "关于限期整改2025年度")
        .unwrap_or_else(|| panic!("no title line of whole phrases: {lines:?}"));
    assert_eq!(lines[at + 1], "政务数据共享问题的通知");

    // The fewest lines: the first phrase leaves no room for the second, the
    // last two share a line; one line when all fit.
    inputs["doc"]["title_parts"] = json!([
        "关于云州市政务服务和大数据管理局",
        "云州市生态环境局",
        "云州市市场监督管理局"
    ]);
    let lines = first_page_lines(&e.render(DocumentKind::Notice, &inputs).unwrap());
    let at = lines
        .iter()
        .position(|l| l == "关于云州市政务服务和大数据管理局")
        .unwrap_or_else(|| panic!("{lines:?}"));
    assert_eq!(lines[at + 1], "云州市生态环境局云州市市场监督管理局");
    inputs["doc"]["title_parts"] = json!(["关于", "限期整改的通知"]);
    let lines = first_page_lines(&e.render(DocumentKind::Notice, &inputs).unwrap());
    assert!(lines.iter().any(|l| l == "关于限期整改的通知"), "{lines:?}");
}

/// However long the attachment, the 版记 stands alone at the foot of the
/// last page, which is even; the three ways of getting there all occur
/// (room on the last even page; the page after an odd one; after a blank
/// page, both unnumbered).
#[test]
fn the_banji_always_ends_on_an_even_page() {
    let e = engine();
    let mut seen = std::collections::BTreeSet::new();
    for rows in (2..=62).step_by(4) {
        let mut inputs = notice_inputs("云州市生态环境局", rows);
        inputs["doc"]["draft"] = json!(false);
        let pdf = e.render(DocumentKind::Notice, &inputs).unwrap();
        let case = pdf_inspect::banji_placement(&pdf, &format!("{rows} rows"));
        seen.insert(case);
    }
    assert_eq!(seen.len(), 3, "only {seen:?}");
}
