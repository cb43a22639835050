//! Tests of the shipped profiles, citations and validation.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::*;
use crate::vocab::{CategoryCode, ShareType};

/// The shipped profiles' ids, by the names the tests use.
#[allow(non_upper_case_globals)]
mod shipped {
    pub const Xinxian: &str = "xinxian";
    pub const Pingdingshan: &str = "pingdingshan";
    pub const Yingkou: &str = "yingkou";
    pub const Kaifeng: &str = "kaifeng";
    pub const Jincheng: &str = "jincheng";
    pub const ALL: [&str; 5] = super::Profiles::SHIPPED;
}

type ProfileId = &'static str;

fn builtin(id: &str) -> &'static Profile {
    Profiles::builtin().by_id(id).expect("a shipped profile")
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

// ------------------------------------------------------------ shipped profiles

#[test]
fn shipped_profiles_load_and_validate() {
    let profiles = Profiles::parse_builtin().expect("shipped profiles validate");
    assert_eq!(profiles.len(), 5);
    for id in shipped::ALL {
        let p = profiles.by_id(id).unwrap();
        assert_eq!(p.id, id);
        assert!(p.source.ends_with(&format!("{id}.toml")));
    }
    assert!(profiles.by_id("nowhere").is_none());
    // builtin() is parsed once and agrees with a fresh parse.
    assert!(std::ptr::eq(Profiles::builtin(), Profiles::builtin()));
    assert_eq!(
        Profiles::builtin().by_id(shipped::Jincheng),
        profiles.by_id(shipped::Jincheng)
    );
}

#[test]
fn identities() {
    // (id, code, title, document number, issued, level)
    let cases = [
        (
            shipped::Xinxian,
            "XX",
            "新县政务数据资源共享开放管理办法",
            None,
            "2021-12-28",
            Level::County,
        ),
        (
            shipped::Pingdingshan,
            "PDS",
            "平顶山市政务数据管理办法（试行）",
            Some("平数政办〔2021〕7号"),
            "2021-11-30",
            Level::City,
        ),
        (
            shipped::Yingkou,
            "YK",
            "营口市政务数据资源共享开放管理办法",
            None,
            "2022-06-10",
            Level::City,
        ),
        (
            shipped::Kaifeng,
            "KF",
            "开封市政务信息资源共享管理暂行办法",
            Some("汴政办〔2019〕44号"),
            "2019-04-24",
            Level::City,
        ),
        (
            shipped::Jincheng,
            "JC",
            "晋城市政务数据资源共享管理实施细则",
            Some("晋市政办〔2024〕1号"),
            "2024-01-22",
            Level::City,
        ),
    ];
    for (id, code, title, number, issued, level) in cases {
        let p = builtin(id);
        assert_eq!(p.code, code, "{id}");
        assert_eq!(p.title, title, "{id}");
        assert_eq!(p.document_number.as_deref(), number, "{id}");
        assert_eq!(p.issued_on, date(issued), "{id}");
        assert_eq!(p.level, level, "{id}");
    }
    assert_eq!(builtin(shipped::Xinxian).parent.as_deref(), Some("信阳市"));

    let jc = builtin(shipped::Jincheng);
    assert_eq!(jc.validity.from, Some(date("2024-02-22")));
    assert_eq!(jc.validity.until, Some(date("2027-02-21")));
    assert_eq!(jc.validity.citation.as_ref().unwrap().article, 46);
    assert!(!jc.in_force_on(date("2024-02-21")));
    assert!(jc.in_force_on(date("2024-02-22")));
    assert!(jc.in_force_on(date("2027-02-21")));
    assert!(!jc.in_force_on(date("2027-02-22")));
    let kf = builtin(shipped::Kaifeng);
    assert_eq!(kf.validity.from, Some(date("2019-04-26")));
    assert!(kf.in_force_on(date("2030-01-01")));
}

/// One expected deadline: profile, key, kind, working days, extension,
/// other number (calendar days / months / years by kind), clock, basis,
/// article, item.
struct Want {
    id: ProfileId,
    key: DeadlineKey,
    kind: DeadlineKind,
    wd: Option<u32>,
    ext: Option<u32>,
    other: Option<u32>,
    from: Option<ClockStart>,
    basis: Basis,
    article: u32,
    item: Option<u32>,
}

#[allow(clippy::too_many_arguments)]
fn want(
    id: ProfileId,
    key: DeadlineKey,
    kind: DeadlineKind,
    wd: Option<u32>,
    ext: Option<u32>,
    other: Option<u32>,
    from: Option<ClockStart>,
    basis: Basis,
    article: u32,
    item: Option<u32>,
) -> Want {
    Want {
        id,
        key,
        kind,
        wd,
        ext,
        other,
        from,
        basis,
        article,
        item,
    }
}

#[test]
fn shipped_deadlines_match_the_regulations() {
    use Basis::{BureauDefault as BD, Regulation as R};
    use ClockStart as C;
    use DeadlineKey as D;
    use DeadlineKind as K;
    use shipped::*;
    #[rustfmt::skip]
    let cases = [
        // catalog_update
        want(Xinxian, D::CatalogUpdate, K::WorkingDays, Some(10), None, None, Some(C::Event), R, 13, None),
        want(Pingdingshan, D::CatalogUpdate, K::WorkingDays, Some(10), None, None, Some(C::Event), R, 11, None),
        want(Yingkou, D::CatalogUpdate, K::WorkingDays, Some(10), None, None, Some(C::Event), R, 15, None),
        want(Kaifeng, D::CatalogUpdate, K::InTime, Some(10), None, None, Some(C::Event), BD, 10, None),
        want(Jincheng, D::CatalogUpdate, K::WorkingDays, Some(15), None, None, Some(C::Publication), R, 12, None),
        // catalog_full_maintenance
        want(Yingkou, D::CatalogFullMaintenance, K::Quarterly, None, None, None, Some(C::QuarterStart), R, 15, None),
        // review and unconditional requests
        want(Jincheng, D::Review, K::WorkingDays, Some(2), None, None, Some(C::Submission), R, 30, Some(1)),
        want(Jincheng, D::ReplyUnconditional, K::Direct, None, None, None, None, R, 30, Some(1)),
        want(Xinxian, D::ReplyUnconditional, K::Direct, None, None, None, None, R, 23, None),
        want(Pingdingshan, D::ReplyUnconditional, K::Direct, None, None, None, None, R, 18, None),
        want(Yingkou, D::ReplyUnconditional, K::Direct, None, None, None, None, R, 20, None),
        want(Kaifeng, D::ReplyUnconditional, K::Direct, None, None, None, None, R, 15, None),
        // conditional requests
        want(Xinxian, D::ReplyConditional, K::WorkingDays, Some(10), None, None, Some(C::Submission), R, 23, None),
        want(Pingdingshan, D::ReplyConditional, K::WorkingDays, Some(5), None, None, Some(C::Submission), R, 18, None),
        want(Yingkou, D::ReplyConditional, K::WorkingDays, Some(5), None, None, Some(C::Receipt), R, 20, None),
        want(Kaifeng, D::ReplyConditional, K::WorkingDays, Some(10), None, None, Some(C::Submission), R, 15, None),
        want(Jincheng, D::ReplyConditionalPublished, K::WorkingDays, Some(5), None, None, Some(C::Forwarding), R, 30, Some(2)),
        want(Jincheng, D::ReplyConditionalUnpublished, K::WorkingDays, Some(10), None, None, Some(C::Forwarding), R, 30, Some(2)),
        // correction
        want(Xinxian, D::Correction, K::WorkingDays, Some(5), Some(10), None, Some(C::Receipt), R, 18, None),
        want(Pingdingshan, D::Correction, K::NoLimit, Some(5), None, None, Some(C::Receipt), BD, 14, None),
        want(Yingkou, D::Correction, K::WorkingDays, Some(5), None, None, Some(C::Receipt), R, 23, None),
        want(Kaifeng, D::Correction, K::InTime, Some(5), None, None, Some(C::Receipt), BD, 17, None),
        want(Jincheng, D::Correction, K::WorkingDays, Some(5), None, None, Some(C::Receipt), R, 32, None),
        // open data, freshness, grants, withdrawal
        want(Yingkou, D::OpenApplication, K::OnTheSpot, Some(10), None, None, Some(C::Receipt), R, 29, None),
        want(Xinxian, D::FreshnessFloor, K::Quarterly, None, None, Some(10), Some(C::QuarterStart), R, 16, None),
        want(Jincheng, D::GrantMaxAge, K::Years, None, None, Some(3), Some(C::Grant), R, 31, None),
        want(Jincheng, D::GrantUnused, K::Months, None, None, Some(3), Some(C::Grant), R, 31, None),
        want(Jincheng, D::WithdrawalApproval, K::PriorApproval, None, None, None, None, R, 19, None),
        // refusals and classification
        want(Xinxian, D::RefusalReason, K::Requirement, None, None, None, None, R, 23, None),
        want(Pingdingshan, D::RefusalReason, K::Requirement, None, None, None, None, R, 18, None),
        want(Yingkou, D::RefusalReason, K::Requirement, None, None, None, None, R, 20, None),
        want(Kaifeng, D::RefusalReason, K::Requirement, None, None, None, None, R, 15, None),
        want(Jincheng, D::RefusalReason, K::Requirement, None, None, None, None, R, 30, Some(2)),
        want(Xinxian, D::ShareBasis, K::Requirement, None, None, None, None, R, 23, Some(1)),
        want(Pingdingshan, D::ShareBasis, K::Requirement, None, None, None, None, R, 17, None),
        want(Yingkou, D::ShareBasis, K::Requirement, None, None, None, None, R, 17, None),
        want(Kaifeng, D::ShareBasis, K::Requirement, None, None, None, None, R, 11, None),
        want(Jincheng, D::ShareBasis, K::Requirement, None, None, None, None, R, 23, None),
        // logs
        want(Pingdingshan, D::LogRetention, K::Months, None, None, Some(24), Some(C::Record), R, 14, None),
        // rectification: a bureau default under the empowering article
        want(Xinxian, D::Rectification, K::NoLimit, Some(10), None, None, Some(C::Notice), BD, 5, None),
        want(Pingdingshan, D::Rectification, K::SetByAuthority, Some(10), None, None, Some(C::Notice), BD, 27, None),
        want(Yingkou, D::Rectification, K::SetByAuthority, Some(10), None, None, Some(C::Notice), BD, 37, None),
        want(Kaifeng, D::Rectification, K::SetByAuthority, Some(10), None, None, Some(C::Notice), BD, 28, None),
        want(Jincheng, D::Rectification, K::SetByAuthority, Some(10), None, None, Some(C::Notice), BD, 43, None),
    ];
    for w in &cases {
        let p = builtin(w.id);
        let label = format!("{} {}", p.code, w.key);
        let r = p
            .deadline(w.key)
            .unwrap_or_else(|| panic!("{label}: not regulated"));
        assert_eq!(r.key, w.key, "{label}");
        assert_eq!(r.kind, w.kind, "{label}: kind");
        assert_eq!(r.working_days, w.wd, "{label}: working_days");
        assert_eq!(r.extension_working_days, w.ext, "{label}: extension");
        let other = r.calendar_days.or(r.months).or(r.years);
        assert_eq!(other, w.other, "{label}: calendar days / months / years");
        assert_eq!(r.from, w.from, "{label}: from");
        assert_eq!(r.basis, w.basis, "{label}: basis");
        assert_eq!(r.citation.article, w.article, "{label}: article");
        assert_eq!(r.citation.item, w.item, "{label}: item");
    }
}

#[test]
fn refusal_and_share_basis_requirements_differ_by_regulation() {
    use Requirement::*;
    let req = |id| {
        builtin(id)
            .deadline(DeadlineKey::RefusalReason)
            .unwrap()
            .requires
            .clone()
    };
    assert_eq!(req(shipped::Xinxian), vec![Reasons, Basis]);
    assert_eq!(req(shipped::Pingdingshan), vec![Reasons]);
    assert_eq!(req(shipped::Yingkou), vec![LegalBasis]);
    assert_eq!(req(shipped::Kaifeng), vec![Reasons]);
    assert_eq!(req(shipped::Jincheng), vec![Reasons]);

    let types = |id| {
        builtin(id)
            .deadline(DeadlineKey::ShareBasis)
            .unwrap()
            .share_types
            .clone()
    };
    let both = vec![ShareType::Conditional, ShareType::NotShared];
    let none_only = vec![ShareType::NotShared];
    assert_eq!(types(shipped::Xinxian), both);
    assert_eq!(types(shipped::Pingdingshan), both);
    assert_eq!(types(shipped::Yingkou), none_only);
    assert_eq!(types(shipped::Kaifeng), none_only);
    assert_eq!(types(shipped::Jincheng), none_only);
}

#[test]
fn unregulated_deadlines_are_absent() {
    use DeadlineKey as D;
    for id in shipped::ALL {
        let p = builtin(id);
        let jc = id == shipped::Jincheng;
        assert_eq!(p.deadline(D::Review).is_some(), jc, "{id} review");
        assert_eq!(
            p.deadline(D::GrantMaxAge).is_some(),
            jc,
            "{id} grant_max_age"
        );
        assert_eq!(
            p.deadline(D::GrantUnused).is_some(),
            jc,
            "{id} grant_unused"
        );
        assert_eq!(p.deadline(D::WithdrawalApproval).is_some(), jc, "{id}");
        assert_eq!(p.deadline(D::ReplyConditional).is_none(), jc, "{id}");
        let yk = id == shipped::Yingkou;
        assert_eq!(p.deadline(D::OpenApplication).is_some(), yk, "{id}");
        assert_eq!(p.deadline(D::CatalogFullMaintenance).is_some(), yk, "{id}");
        assert_eq!(
            p.deadline(D::FreshnessFloor).is_some(),
            id == shipped::Xinxian,
            "{id}"
        );
        assert_eq!(
            p.deadline(D::LogRetention).is_some(),
            id == shipped::Pingdingshan,
            "{id}"
        );
    }
}

#[test]
fn shipped_profiles_cover_every_key_and_category() {
    use DeadlineKey as D;
    for p in Profiles::builtin().iter() {
        for key in DeadlineKey::ALL {
            let covered = p.deadlines.contains_key(&key) || p.not_regulated.contains_key(&key);
            let reply_variant = matches!(
                key,
                D::ReplyConditional | D::ReplyConditionalPublished | D::ReplyConditionalUnpublished
            );
            assert!(
                covered || (reply_variant && p.reply_conditional(true).is_some()),
                "{}: {key} neither regulated nor marked not_regulated",
                p.code
            );
        }
        for code in CategoryCode::ALL {
            assert!(
                p.categories.contains_key(&code),
                "{}: category {code}",
                p.code
            );
            assert!(p.category(code).is_some());
        }
        assert!("theft".parse::<CategoryCode>().is_err());
    }
}

#[test]
fn bureau_defaults_are_exactly_the_known_ones() {
    let mut found: Vec<String> = Profiles::builtin()
        .iter()
        .flat_map(|p| {
            p.deadlines
                .values()
                .filter(|r| r.is_bureau_default())
                .map(|r| format!("{} {}", p.code, r.key))
                .collect::<Vec<_>>()
        })
        .collect();
    found.sort();
    let mut expected = vec![
        "XX rectification",
        "PDS rectification",
        "YK rectification",
        "KF rectification",
        "JC rectification",
        "KF catalog_update",
        "KF correction",
        "PDS correction",
    ];
    expected.sort();
    assert_eq!(found, expected);
    // Notices must not print a bureau number as the law.
    for p in Profiles::builtin().iter() {
        for r in p.deadlines.values().filter(|r| r.is_bureau_default()) {
            // The bureau's number is not the regulation's: the quote does not state it.
            let n = r.working_days.expect("a bureau default has its number");
            assert!(
                !super::load::states_number(&r.citation.quote, n, "个工作日"),
                "{} {}",
                p.code,
                r.key
            );
            assert!(
                !r.wording.chars().any(|c| c.is_ascii_digit()),
                "{} {}",
                p.code,
                r.key
            );
        }
    }
}

#[test]
fn reply_conditional_picks_the_jc_variant() {
    let jc = builtin(shipped::Jincheng);
    assert_eq!(jc.reply_conditional(true).unwrap().working_days, Some(5));
    assert_eq!(jc.reply_conditional(false).unwrap().working_days, Some(10));
    let yk = builtin(shipped::Yingkou);
    assert_eq!(yk.reply_conditional(true).unwrap().working_days, Some(5));
    assert_eq!(yk.reply_conditional(false).unwrap().working_days, Some(5));
    let xx = builtin(shipped::Xinxian);
    let correction = xx.deadline(DeadlineKey::Correction).unwrap();
    assert_eq!(
        correction
            .working_days
            .zip(correction.extension_working_days),
        Some((5, 10)),
        "5 working days, extended by at most 10: 15 at the longest"
    );
}

#[test]
fn category_mapping() {
    use CategoryCode as Cat;
    use shipped::*;
    // (profile, category, sanction (article, item) pairs)
    let cases: &[(ProfileId, Cat, &[(u32, u32)])] = &[
        (Pingdingshan, Cat::CatalogNotMaintained, &[(27, 1)]),
        (
            Pingdingshan,
            Cat::DataStaleOrSubstandard,
            &[(27, 1), (27, 4)],
        ),
        (Pingdingshan, Cat::CorrectionLate, &[(27, 3)]),
        (Pingdingshan, Cat::DuplicateCollection, &[(27, 2)]),
        (Pingdingshan, Cat::SecurityFailure, &[(27, 5)]),
        (Pingdingshan, Cat::Misuse, &[]),
        (Pingdingshan, Cat::Other, &[(27, 6)]),
        (Yingkou, Cat::CatalogNotMaintained, &[(37, 1)]),
        (Yingkou, Cat::DataNotProvided, &[(37, 2)]),
        (Yingkou, Cat::DataStaleOrSubstandard, &[(37, 3)]),
        (Yingkou, Cat::Misuse, &[(37, 4)]),
        (Yingkou, Cat::SecurityFailure, &[(37, 5)]),
        (Yingkou, Cat::Dereliction, &[(37, 6)]),
        (Yingkou, Cat::Other, &[(37, 7)]),
        (Yingkou, Cat::CorrectionLate, &[]),
        (Kaifeng, Cat::CatalogNotMaintained, &[(28, 1)]),
        (Kaifeng, Cat::DataNotProvided, &[(28, 2)]),
        (Kaifeng, Cat::DataStaleOrSubstandard, &[(28, 3)]),
        (Kaifeng, Cat::Misuse, &[(28, 4)]),
        (Kaifeng, Cat::SecurityFailure, &[]),
        (Kaifeng, Cat::Other, &[(28, 5)]),
        (Jincheng, Cat::CatalogNotMaintained, &[(43, 1), (43, 5)]),
        (Jincheng, Cat::DataNotProvided, &[(43, 2), (43, 5)]),
        (Jincheng, Cat::DataStaleOrSubstandard, &[(43, 5)]),
        (Jincheng, Cat::DuplicateCollection, &[(43, 3)]),
        (Jincheng, Cat::UntrueData, &[(43, 4)]),
        (Jincheng, Cat::SecurityFailure, &[(43, 6)]),
        (Jincheng, Cat::Misuse, &[(43, 7)]),
        (Jincheng, Cat::RectificationRefused, &[(43, 8)]),
        (Jincheng, Cat::Other, &[(43, 9)]),
        (Jincheng, Cat::ApprovalOverdue, &[]),
        (Xinxian, Cat::CatalogNotMaintained, &[]),
        (Xinxian, Cat::Other, &[]),
    ];
    for (id, code, items) in cases {
        let p = builtin(*id);
        let got: Vec<(u32, u32)> = p.categories[code]
            .sanction
            .iter()
            .map(|c| (c.article, c.item.expect("sanction items carry an item")))
            .collect();
        assert_eq!(&got, items, "{} {code}", p.code);
    }
    // Duties named in RULES.md "also" column.
    let duty = |id, code: Cat| -> Vec<u32> {
        builtin(id).categories[&code]
            .duties
            .iter()
            .map(|c| c.article)
            .collect()
    };
    assert!(duty(Xinxian, Cat::CatalogNotMaintained).contains(&13));
    assert!(duty(Kaifeng, Cat::DuplicateCollection).contains(&16));
    assert!(duty(Jincheng, Cat::UntrueData).contains(&11));
    assert!(duty(Xinxian, Cat::Misuse).contains(&24));
    assert!(duty(Yingkou, Cat::CorrectionLate).contains(&23));
    assert!(duty(Jincheng, Cat::CorrectionLate).contains(&32));
}

#[test]
fn escalation_ladders() {
    use EscalationAction as A;
    let step = |id| &builtin(id).escalation;

    let pds = step(shipped::Pingdingshan);
    assert_eq!(pds.first_step.action, A::NotifyRectification);
    assert_eq!(pds.first_step.wording, "通知整改");
    assert_eq!(pds.first_step.citation.article, 27);
    let overdue = pds.overdue.as_ref().unwrap();
    assert_eq!(overdue.action, A::ReportUpward);
    assert!(overdue.wording.contains("纳入督查督办"));
    assert_eq!(pds.serious.as_ref().unwrap().action, A::Discipline);

    let yk = step(shipped::Yingkou);
    assert_eq!(yk.first_step.action, A::OrderCorrection);
    assert_eq!(yk.first_step.wording, "责令限期改正");
    assert_eq!(yk.first_step.citation.article, 37);
    assert_eq!(yk.overdue.as_ref().unwrap().action, A::CirculatedCriticism);
    assert_eq!(yk.overdue.as_ref().unwrap().wording, "给予通报批评");

    let kf = step(shipped::Kaifeng);
    assert_eq!(kf.first_step.action, A::NotifyRectification);
    assert_eq!(kf.first_step.citation.article, 28);
    assert!(kf.overdue.as_ref().unwrap().wording.contains("上报市政府"));
    assert!(kf.serious.is_none());

    let jc = step(shipped::Jincheng);
    assert_eq!(jc.first_step.action, A::WrittenCircularAndOrder);
    assert_eq!(jc.first_step.wording, "书面通报，并责令其限期改正");
    let overdue = jc.overdue.as_ref().unwrap();
    assert_eq!(overdue.action, A::NewFinding);
    assert_eq!(overdue.category, Some(CategoryCode::RectificationRefused));
    assert_eq!(
        (overdue.citation.article, overdue.citation.item),
        (43, Some(8))
    );
    assert_eq!(jc.serious.as_ref().unwrap().action, A::ReferForHandling);

    let xx = step(shipped::Xinxian);
    assert_eq!(xx.first_step.basis, Basis::BureauDefault);
    assert_eq!(xx.first_step.citation.article, 5);
    assert!(xx.overdue.is_none() && xx.serious.is_none());
    for p in Profiles::builtin().iter() {
        if p.code != "XX" {
            assert_eq!(
                p.escalation.first_step.basis,
                Basis::Regulation,
                "{}",
                p.code
            );
        }
    }
}

#[test]
fn evaluation_and_reporting() {
    let pds = &builtin(shipped::Pingdingshan).evaluation;
    assert_eq!(pds.frequency, EvaluationFrequency::Annual);
    assert_eq!(pds.duties[0].article, 20);

    let kf = &builtin(shipped::Kaifeng).evaluation;
    assert_eq!(kf.frequency, EvaluationFrequency::Annual);
    assert_eq!(kf.duties[0].article, 19);
    assert_eq!(kf.reporting[0].due_month, Some(1));
    assert_eq!(kf.reporting[0].citation.article, 20);
    assert_eq!(kf.reporting[1].to, "市政府");
    assert_eq!(kf.consequences[0].article, 24);

    let yk = &builtin(shipped::Yingkou).evaluation;
    assert_eq!(yk.duties[0].article, 36);
    assert_eq!(yk.consequences[0].article, 36);

    let jc = &builtin(shipped::Jincheng).evaluation;
    assert_eq!(jc.frequency, EvaluationFrequency::Periodic);
    let items: Vec<_> = jc
        .inspection_items
        .iter()
        .map(|c| (c.article, c.item))
        .collect();
    assert_eq!(items, (1..=5).map(|i| (41, Some(i))).collect::<Vec<_>>());
    assert_eq!(jc.consequences[0].article, 42);
    assert_eq!(jc.reporting[0].citation.article, 41);

    assert_eq!(
        builtin(shipped::Xinxian).evaluation.frequency,
        EvaluationFrequency::Unspecified
    );
}

// ------------------------------------------------------------ citations

#[test]
fn cite_strings() {
    let jc = builtin(shipped::Jincheng);
    let review = &jc.deadline(DeadlineKey::Review).unwrap().citation;
    assert_eq!(
        jc.cite(review),
        "《晋城市政务数据资源共享管理实施细则》第三十条第（一）项"
    );
    assert_eq!(jc.cite_short(review), "JC Art.30(1)");
    let unpublished = &jc
        .deadline(DeadlineKey::ReplyConditionalUnpublished)
        .unwrap()
        .citation;
    assert_eq!(
        jc.cite(unpublished),
        "《晋城市政务数据资源共享管理实施细则》第三十条第（二）项"
    );
    assert_eq!(unpublished.short(&jc.code), "JC Art.30(2)");

    let xx = builtin(shipped::Xinxian);
    let c = &xx.deadline(DeadlineKey::Correction).unwrap().citation;
    assert_eq!(xx.cite(c), "《新县政务数据资源共享开放管理办法》第十八条");

    let pds = builtin(shipped::Pingdingshan);
    let c = &pds.categories[&CategoryCode::CorrectionLate].sanction[0];
    assert_eq!(
        pds.cite(c),
        "《平顶山市政务数据管理办法（试行）》第二十七条第（三）项"
    );

    let yk = builtin(shipped::Yingkou);
    let c = &yk.deadline(DeadlineKey::OpenApplication).unwrap().citation;
    assert_eq!(
        yk.cite(c),
        "《营口市政务数据资源共享开放管理办法》第二十九条"
    );

    let kf = builtin(shipped::Kaifeng);
    let c = &kf.deadline(DeadlineKey::CatalogUpdate).unwrap().citation;
    assert_eq!(kf.cite(c), "《开封市政务信息资源共享管理暂行办法》第十条");
    assert_eq!(kf.title_marked(), "《开封市政务信息资源共享管理暂行办法》");

    let c = Citation {
        article: 101,
        item: Some(11),
        quote: String::new(),
        condition: None,
        applies_to: Vec::new(),
    };
    assert_eq!(
        jc.cite(&c),
        "《晋城市政务数据资源共享管理实施细则》第一百零一条第（十一）项"
    );
}

#[test]
fn notice_basis_fallback() {
    use crate::vocab::Rule;
    let rule = |r| [Conduct::Rule(r)];
    let items = |list: &[&Citation]| -> Vec<(u32, Option<u32>)> {
        list.iter().map(|c| (c.article, c.item)).collect()
    };
    // Own item.
    let jc = builtin(shipped::Jincheng);
    let b = jc.notice_basis(CategoryCode::Misuse, &[Conduct::Inspection], &[], true);
    assert_eq!(b.source, SanctionSource::Category);
    assert_eq!(items(&b.basis), [(43, Some(7))]);
    assert_eq!(b.violated[0].article, 39);

    // An item limited to the conduct it describes: 43(5) (规定时限) for a
    // late catalog update, not for a missing share basis.
    let b = jc.notice_basis(
        CategoryCode::CatalogNotMaintained,
        &rule(Rule::CatalogUpdate),
        &[DeadlineKey::CatalogUpdate],
        true,
    );
    assert_eq!(items(&b.basis), [(43, Some(1)), (43, Some(5))]);
    let b = jc.notice_basis(
        CategoryCode::CatalogNotMaintained,
        &rule(Rule::ShareBasis),
        &[DeadlineKey::ShareBasis],
        true,
    );
    assert_eq!(items(&b.basis), [(43, Some(1))]);

    // No item of its own, and JC's catch-all 43(9) needs 造成不良后果: the
    // power of supervision — the city bureau's Art.41, a county bureau's Art.5.
    let b = jc.notice_basis(
        CategoryCode::CorrectionLate,
        &rule(Rule::Correction),
        &[DeadlineKey::Correction],
        true,
    );
    assert_eq!(b.source, SanctionSource::Supervision);
    assert_eq!(items(&b.basis), [(41, None)]);
    assert_eq!(
        b.violated.len(),
        1,
        "the deadline and the duty are the same article"
    );
    assert_eq!(b.violated[0].article, 32);
    let b = jc.notice_basis(
        CategoryCode::CorrectionLate,
        &rule(Rule::Correction),
        &[DeadlineKey::Correction],
        false,
    );
    assert_eq!(items(&b.basis), [(5, None)]);

    // Conduct named only under a condition: never presumed, never the basis.
    let b = jc.notice_basis(CategoryCode::UntrueData, &[Conduct::Inspection], &[], true);
    assert_eq!(b.source, SanctionSource::Supervision);
    assert_eq!(items(&b.conditional), [(43, Some(4))]);
    assert_eq!(b.conditional[0].condition.as_deref(), Some("故意"));

    // PDS: a late reply breaks Art.18 and no item names it: the catch-all
    // 27(6) covers it.
    let pds = builtin(shipped::Pingdingshan);
    let b = pds.notice_basis(
        CategoryCode::ApprovalOverdue,
        &rule(Rule::Reply),
        &[DeadlineKey::ReplyConditional],
        true,
    );
    assert_eq!(b.source, SanctionSource::Other);
    assert_eq!(items(&b.basis), [(27, Some(6))]);
    assert_eq!(b.violated[0].article, 18);
    // A correction late against the bureau's measure is not 拒不 (27(3)),
    // nor 其他 (the conduct is named by 27(3) under its condition).
    let b = pds.notice_basis(
        CategoryCode::CorrectionLate,
        &rule(Rule::Correction),
        &[DeadlineKey::Correction],
        true,
    );
    assert_eq!(b.source, SanctionSource::Supervision);
    assert_eq!(items(&b.basis), [(6, None)]);
    assert_eq!(items(&b.conditional), [(27, Some(3))]);
    assert_eq!(b.conditional[0].condition.as_deref(), Some("拒不"));
    // A rectification not done in time: the regulation's own step.
    let b = pds.notice_basis(
        CategoryCode::RectificationRefused,
        &[Conduct::Inspection],
        &[],
        true,
    );
    assert_eq!(b.source, SanctionSource::Overdue);
    assert_eq!(items(&b.basis), [(27, None)]);

    // No sanction article at all (XX): the supervisory article.
    let xx = builtin(shipped::Xinxian);
    let b = xx.notice_basis(
        CategoryCode::CatalogNotMaintained,
        &rule(Rule::CatalogUpdate),
        &[DeadlineKey::CatalogUpdate],
        false,
    );
    assert_eq!(b.source, SanctionSource::Supervision);
    assert_eq!(b.basis[0].article, 5);
    assert_eq!(b.violated[0].article, 13);
    assert!(b.violated.iter().any(|c| c.article == 12));

    // A deadline the profile does not regulate adds nothing.
    let b = xx.notice_basis(
        CategoryCode::ApprovalOverdue,
        &rule(Rule::Review),
        &[DeadlineKey::Review],
        false,
    );
    assert_eq!(b.violated[0].article, 23);
}

#[test]
fn profiles_serialize_to_json() {
    let jc = builtin(shipped::Jincheng);
    let v = serde_json::to_value(jc).unwrap();
    assert_eq!(v["id"], "jincheng");
    assert_eq!(v["issued_on"], "2024-01-22");
    assert_eq!(v["deadlines"]["review"]["working_days"], 2);
    assert_eq!(v["deadlines"]["review"]["citation"]["item"], 1);
    assert_eq!(v["deadlines"]["rectification"]["basis"], "bureau_default");
    assert_eq!(v["categories"]["misuse"]["sanction"][0]["item"], 7);
    assert_eq!(
        v["escalation"]["overdue"]["category"],
        "rectification_refused"
    );
    assert!(v["not_regulated"]["open_application"].is_object());
}

// ------------------------------------------------------------ quotes vs texts

/// Every quote of every shipped profile stands in the article (and item) it
/// cites: loading checks it against the regulation's text, which lives in
/// the repository beside the profile (`rules/profiles/*.txt`, compiled in),
/// so a missing text fails the build and a wrong quote fails this test.
#[test]
fn quotes_occur_in_the_cited_articles() {
    let profiles = Profiles::parse_builtin().unwrap_or_else(|e| panic!("{e}"));
    let checked: usize = profiles.iter().map(|p| p.citations().len()).sum();
    assert!(checked > 150, "only {checked} citations checked");
    for p in profiles.iter() {
        assert!(p.text_file.ends_with(".txt"), "{}", p.id);
    }
}

#[test]
fn a_quote_not_in_its_article_is_rejected_naming_it() {
    let text = JC.replace(
        "数据最长授权期为三年，期满后应重新申请。",
        "数据最长授权期为五年，期满后应重新申请。",
    );
    let text = text.replace("years = 3", "years = 5");
    let err = parse_profile(&text, "bad.toml", |_| Ok(JC_TEXT.to_string())).unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, RulesError::QuotesNotInText { .. }),
        "{message}"
    );
    assert!(
        message.contains("deadlines.grant_max_age (JC Art.31)"),
        "{message}"
    );
    assert!(message.contains("数据最长授权期为五年"), "{message}");
    // A quote cited under the wrong article is rejected too.
    let moved = JC.replace(
        "citation = { article = 32, quote = \"提供部门应在收到反馈之日起５个工作日内予以校核更正。\" }",
        "citation = { article = 33, quote = \"提供部门应在收到反馈之日起５个工作日内予以校核更正。\" }",
    );
    assert_ne!(moved, JC, "the edit applies");
    let err = parse_profile(&moved, "bad.toml", |_| Ok(JC_TEXT.to_string())).unwrap_err();
    assert!(
        err.to_string().contains("deadlines.correction (JC Art.33)"),
        "{err}"
    );
    // A profile without its text does not load.
    let err = parse_profile(JC, "bad.toml", |name| {
        Err(RulesError::Io {
            file: name.to_string(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        })
    })
    .unwrap_err();
    assert!(err.to_string().contains("jincheng-2024.txt"), "{err}");
}

// ------------------------------------------------------------ malformed files

const JC: &str = include_str!("../../rules/profiles/jincheng.toml");
const JC_TEXT: &str = include_str!("../../rules/profiles/jincheng-2024.txt");
const KF: &str = include_str!("../../rules/profiles/kaifeng.toml");
const XX: &str = include_str!("../../rules/profiles/xinxian.toml");

/// Parses `base`, applies `edit`, and validates the result as `bad.toml`.
fn edited(base: &str, edit: impl FnOnce(&mut toml::Table)) -> Result<Profile, RulesError> {
    let mut table: toml::Table = toml::from_str(base).unwrap();
    edit(&mut table);
    let text = toml::to_string(&table).unwrap();
    parse_profile(&text, "bad.toml", shipped_text)
}

/// The shipped regulation texts, by file name.
fn shipped_text(name: &str) -> Result<String, RulesError> {
    let text = match name {
        "jincheng-2024.txt" => JC_TEXT,
        "kaifeng-2019.txt" => include_str!("../../rules/profiles/kaifeng-2019.txt"),
        "xinxian-2021.txt" => include_str!("../../rules/profiles/xinxian-2021.txt"),
        "pingdingshan-2021.txt" => include_str!("../../rules/profiles/pingdingshan-2021.txt"),
        "yingkou-2022.txt" => include_str!("../../rules/profiles/yingkou-2022.txt"),
        other => {
            return Err(RulesError::Io {
                file: other.to_string(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        }
    };
    Ok(text.to_string())
}

fn table<'a>(t: &'a mut toml::Table, path: &[&str]) -> &'a mut toml::Table {
    path.iter().fold(t, |t, k| {
        t.get_mut(*k)
            .and_then(|v| v.as_table_mut())
            .unwrap_or_else(|| panic!("no table {k}"))
    })
}

/// Asserts the edit is rejected with a message naming the file and all `needles`.
fn rejected(base: &str, edit: impl FnOnce(&mut toml::Table), needles: &[&str]) -> RulesError {
    let err = edited(base, edit).expect_err("malformed profile accepted");
    let msg = err.to_string();
    assert!(msg.starts_with("bad.toml: "), "no file name in: {msg}");
    for n in needles {
        assert!(msg.contains(n), "`{n}` missing in: {msg}");
    }
    err
}

#[test]
fn the_edit_helper_round_trips_a_valid_file() {
    let p = edited(JC, |_| {}).unwrap();
    assert_eq!(&p.deadlines, &builtin(shipped::Jincheng).deadlines);
}

#[test]
fn rejects_missing_citation() {
    let err = rejected(
        JC,
        |t| {
            table(t, &["deadlines", "review"]).remove("citation");
        },
        &["deadlines.review", "missing citation"],
    );
    assert!(matches!(err, RulesError::MissingCitation { .. }));
    rejected(
        JC,
        |t| {
            table(t, &["escalation", "first_step"]).remove("citation");
        },
        &["escalation.first_step", "missing citation"],
    );
    rejected(
        JC,
        |t| {
            table(t, &["deadlines", "review", "citation"]).remove("quote");
        },
        &["deadlines.review.citation.quote", "missing"],
    );
}

#[test]
fn rejects_unknown_category() {
    let err = rejected(
        JC,
        |t| {
            table(t, &["categories"])
                .insert("theft".into(), toml::Value::Table(toml::Table::new()));
        },
        &["categories.theft", "unknown category code", "misuse"],
    );
    assert!(matches!(err, RulesError::UnknownCategory { .. }));
    rejected(
        JC,
        |t| {
            table(t, &["escalation", "overdue"]).insert("category".into(), "refusal".into());
        },
        &["unknown category code", "refusal"],
    );
    rejected(
        JC,
        |t| {
            table(t, &["categories"]).remove("other");
        },
        &["categories.other", "missing"],
    );
}

#[test]
fn rejects_zero_and_absurd_numbers() {
    let err = rejected(
        JC,
        |t| {
            table(t, &["deadlines", "review"]).insert("working_days".into(), 0.into());
        },
        &["deadlines.review.working_days", "= 0", "between 1 and 60"],
    );
    assert!(matches!(err, RulesError::OutOfRange { value: 0, .. }));
    rejected(
        JC,
        |t| {
            table(t, &["deadlines", "rectification"]).insert("working_days".into(), 400.into());
        },
        &["deadlines.rectification.working_days", "= 400"],
    );
    rejected(
        JC,
        |t| {
            table(t, &["deadlines", "grant_unused"]).insert("months".into(), (-3).into());
        },
        &["deadlines.grant_unused.months", "= -3"],
    );
}

#[test]
fn rejects_unknown_kind_and_values() {
    let err = rejected(
        JC,
        |t| {
            table(t, &["deadlines", "correction"]).insert("kind".into(), "weeks".into());
        },
        &[
            "deadlines.correction.kind",
            "unknown kind `weeks`",
            "working_days",
        ],
    );
    assert!(matches!(err, RulesError::UnknownKind { .. }));
    rejected(
        JC,
        |t| {
            table(t, &["deadlines", "correction"]).insert("from".into(), "dawn".into());
        },
        &[
            "deadlines.correction.from",
            "unknown value `dawn`",
            "forwarding",
        ],
    );
    rejected(
        JC,
        |t| {
            table(t, &["deadlines"])
                .insert("reply_fast".into(), toml::Value::Table(toml::Table::new()));
        },
        &["deadlines.reply_fast", "unknown deadline key"],
    );
    rejected(
        JC,
        |t| {
            t.insert("level".into(), "province".into());
        },
        &["level", "unknown value `province`"],
    );
    rejected(
        JC,
        |t| {
            table(t, &["escalation", "first_step"]).insert("action".into(), "fine".into());
        },
        &["escalation.first_step.action", "unknown value `fine`"],
    );
}

#[test]
fn rejects_bad_article_and_item_numbers() {
    let err = rejected(
        JC,
        |t| {
            let misuse = table(t, &["categories", "misuse"]);
            let first = misuse["sanction"].as_array_mut().unwrap()[0]
                .as_table_mut()
                .unwrap();
            first.insert("article".into(), 0.into());
        },
        &[
            "categories.misuse.sanction[0].article",
            "article number must be 1 or more, got 0",
        ],
    );
    assert!(matches!(err, RulesError::BadArticle { value: 0, .. }));
    rejected(
        JC,
        |t| {
            table(t, &["deadlines", "review", "citation"]).insert("item".into(), 0.into());
        },
        &[
            "deadlines.review.citation.item",
            "item number must be 1 or more",
        ],
    );
    rejected(
        JC,
        |t| {
            table(t, &["deadlines", "review", "citation"]).remove("article");
        },
        &["deadlines.review.citation.article", "missing"],
    );
}

#[test]
fn rejects_missing_required_deadline() {
    let err = rejected(
        JC,
        |t| {
            table(t, &["deadlines"]).remove("rectification");
        },
        &["deadlines.rectification", "required deadline is missing"],
    );
    assert!(matches!(err, RulesError::MissingDeadline { .. }));
    // Marking a required deadline not regulated does not help.
    rejected(
        KF,
        |t| {
            let mut nr = toml::Table::new();
            nr.insert("kind".into(), "not_regulated".into());
            table(t, &["deadlines"]).insert("correction".into(), nr.into());
        },
        &["deadlines.correction", "required deadline is missing"],
    );
    rejected(
        KF,
        |t| {
            table(t, &["deadlines"]).remove("reply_conditional");
        },
        &[
            "deadlines.reply_conditional",
            "required deadline is missing",
        ],
    );
    rejected(
        JC,
        |t| {
            table(t, &["deadlines"]).remove("reply_conditional_unpublished");
        },
        &[
            "deadlines.reply_conditional_unpublished",
            "required together",
        ],
    );
}

#[test]
fn rejects_numbers_the_quote_does_not_state() {
    let err = rejected(
        JC,
        |t| {
            table(t, &["deadlines", "review"]).insert("working_days".into(), 3.into());
        },
        &[
            "deadlines.review.working_days",
            "`3个工作日` does not appear",
        ],
    );
    assert!(matches!(err, RulesError::QuoteMismatch { .. }));
    // 5 is not stated by "15个工作日".
    rejected(
        JC,
        |t| {
            table(t, &["deadlines", "catalog_update"]).insert("working_days".into(), 5.into());
        },
        &[
            "deadlines.catalog_update.working_days",
            "`5个工作日` does not appear",
        ],
    );
    rejected(
        JC,
        |t| {
            table(t, &["deadlines", "grant_max_age"]).insert("years".into(), 5.into());
        },
        &["deadlines.grant_max_age.years", "`5年`"],
    );
}

#[test]
fn rejects_unmarked_or_printed_bureau_numbers() {
    rejected(
        KF,
        |t| {
            table(t, &["deadlines", "catalog_update"]).remove("basis");
        },
        &["deadlines.catalog_update.basis", "bureau_default"],
    );
    rejected(
        KF,
        |t| {
            table(t, &["deadlines", "catalog_update"])
                .insert("wording".into(), "10个工作日内".into());
        },
        &[
            "deadlines.catalog_update.wording",
            "not the bureau's number",
        ],
    );
    rejected(
        JC,
        |t| {
            table(t, &["deadlines", "review"]).insert("basis".into(), "bureau_default".into());
        },
        &["deadlines.review.basis", "in_time"],
    );
    rejected(
        JC,
        |t| {
            table(t, &["deadlines", "review"]).insert("months".into(), 2.into());
        },
        &[
            "deadlines.review.months",
            "not allowed for kind `working_days`",
        ],
    );
}

#[test]
fn rejects_unknown_fields_and_bad_syntax() {
    rejected(
        JC,
        |t| {
            table(t, &["deadlines", "review"]).insert("days".into(), 2.into());
        },
        &["unknown field `days`"],
    );
    let err = parse_profile("id = \"x\"\ncode = [", "bad.toml", shipped_text).unwrap_err();
    assert!(matches!(err, RulesError::Parse { .. }));
    assert!(err.to_string().starts_with("bad.toml: "));
    rejected(
        JC,
        |t| {
            t.insert(
                "title".into(),
                "《晋城市政务数据资源共享管理实施细则》".into(),
            );
        },
        &["title", "without 《》"],
    );
    rejected(
        JC,
        |t| {
            t.insert("issued_on".into(), "2024-13-01".into());
        },
        &["issued_on", "expected a date"],
    );
}

// ------------------------------------------------------------ load_dir

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("dukao-rules-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, file: &str, text: &str) {
        std::fs::write(self.0.join(file), text).unwrap();
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn load_dir_replaces_and_adds_profiles() {
    let dir = TempDir::new("ok");
    // A bureau sets its own default for JC's 限期改正: 5 working days (a
    // regulation's number cannot be edited: its quote must stand in the text).
    let (head, tail) = JC.split_once("[deadlines.rectification]").unwrap();
    let jc = format!(
        "{head}[deadlines.rectification]{}",
        tail.replacen("working_days = 10\n", "working_days = 5\n", 1)
    );
    dir.write("jincheng.toml", &jc);
    dir.write("jincheng-2024.txt", JC_TEXT);
    dir.write(
        "xinxian-2021.txt",
        &shipped_text("xinxian-2021.txt").unwrap(),
    );
    // And adds a county of its own.
    let county = XX
        .replacen("id = \"xinxian\"", "id = \"testcounty\"", 1)
        .replacen("code = \"XX\"", "code = \"TC\"", 1);
    dir.write("testcounty.toml", &county);
    dir.write("README.txt", "not a profile");

    let profiles = Profiles::load_dir(dir.path()).expect("directory loads");
    assert_eq!(profiles.len(), 6);
    let jc = profiles.by_id(shipped::Jincheng).unwrap();
    assert_eq!(
        jc.deadline(DeadlineKey::Rectification)
            .unwrap()
            .working_days,
        Some(5)
    );
    assert!(jc.source.ends_with("jincheng.toml") && jc.source != "rules/profiles/jincheng.toml");
    let tc = profiles.by_id("testcounty").unwrap();
    assert_eq!(tc.code, "TC");
    assert!(!Profiles::SHIPPED.contains(&tc.id.as_str()));
    // Untouched shipped profiles stay.
    assert_eq!(
        profiles.by_id(shipped::Yingkou),
        Profiles::builtin().by_id(shipped::Yingkou)
    );
    // The builtin set is not changed by loading a directory.
    assert_eq!(
        builtin(shipped::Jincheng)
            .deadline(DeadlineKey::Rectification)
            .unwrap()
            .working_days,
        Some(10)
    );
}

#[test]
fn load_dir_errors_name_the_file() {
    let dir = TempDir::new("bad");
    dir.write(
        "jincheng.toml",
        &JC.replacen("working_days = 2\n", "working_days = 0\n", 1),
    );
    let err = Profiles::load_dir(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("jincheng.toml") && err.contains("deadlines.review.working_days"),
        "{err}"
    );

    let dir = TempDir::new("mismatch");
    dir.write("other.toml", JC);
    dir.write("jincheng-2024.txt", JC_TEXT);
    let err = Profiles::load_dir(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("other.toml") && err.contains("does not match the file name"),
        "{err}"
    );

    let missing = std::env::temp_dir().join("dukao-rules-no-such-dir");
    let err = Profiles::load_dir(&missing).unwrap_err();
    assert!(matches!(err, RulesError::Io { .. }));
    assert!(err.to_string().contains("dukao-rules-no-such-dir"));
}
