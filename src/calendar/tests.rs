//! Tests of the working-day calendar. Expected dates were worked out by hand
//! from the State Council notices (see the comments next to each case).

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Datelike, NaiveDate, TimeZone, Utc, Weekday};

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn cal() -> &'static Calendar {
    Calendar::builtin()
}

fn working(date: NaiveDate) -> bool {
    cal().is_working_day(date).unwrap()
}

/// Writes `content` to a fresh file in the temp dir and returns its path.
fn temp_file(tag: &str, content: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let path = std::env::temp_dir().join(format!(
        "dukao-calendar-test-{}-{n}-{tag}.toml",
        std::process::id()
    ));
    std::fs::write(&path, content).unwrap();
    path
}

// ----- the shipped data -------------------------------------------------------

#[test]
fn builtin_parses_and_covers_2019_to_2026() {
    // Guards the panic in Calendar::builtin(): the shipped file must load.
    let c = Calendar::from_toml_str(BUILTIN_TOML, "cn.toml").expect("shipped calendar is valid");
    assert_eq!(c.years(), 2019..=2026);
    assert_eq!(cal().years(), 2019..=2026);
    assert!(cal().covers(2019) && cal().covers(2026));
    assert!(!cal().covers(2018) && !cal().covers(2027));
}

#[test]
fn notices_and_doc_numbers() {
    let expected = [
        (2019, "国办发明电〔2018〕15号"),
        (2020, "国办发明电〔2019〕16号"),
        (2021, "国办发明电〔2020〕27号"),
        (2022, "国办发明电〔2021〕11号"),
        (2023, "国办发明电〔2022〕16号"),
        (2024, "国办发明电〔2023〕7号"),
        (2025, "国办发明电〔2024〕12号"),
        (2026, "国办发明电〔2025〕7号"),
    ];
    for (year, doc) in expected {
        let (title, number) = cal().notice(year).unwrap();
        assert_eq!(
            title,
            format!("国务院办公厅关于{year}年部分节假日安排的通知")
        );
        assert_eq!(number, doc, "{year}");
    }
    assert_eq!(cal().notice(2018), None);
    assert_eq!(cal().notice(2027), None);
    assert_eq!(
        cal().amendments(2019),
        vec![(
            "国务院办公厅关于调整2019年劳动节假期安排的通知",
            "国办发明电〔2019〕3号"
        )]
    );
    assert_eq!(
        cal().amendments(2020),
        vec![(
            "国务院办公厅关于延长2020年春节假期的通知",
            "国办发明电〔2020〕1号"
        )]
    );
    assert!(cal().amendments(2025).is_empty());
}

#[test]
fn calendar_is_clone_debug_send_sync() {
    fn assert_traits<T: Clone + std::fmt::Debug + Send + Sync + 'static>() {}
    fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
    assert_traits::<Calendar>();
    assert_traits::<Provisional<NaiveDate>>();
    assert_error::<CalendarError>();
}

/// A Spring Festival or National Day break as the notice gives it.
struct Break {
    name: &'static str,
    first: NaiveDate,
    last: NaiveDate,
    makeup: &'static [(i32, u32, u32)],
    /// Whether the day before `first` / after `last` is a working day.
    before_working: bool,
    after_working: bool,
}

fn check_break(b: &Break) {
    let c = cal();
    // Every day of the break is off and carries the name.
    for day in b.first.iter_days().take_while(|x| *x <= b.last) {
        assert!(!working(day), "{}: {day} should be off", b.name);
        let name = c
            .holiday_name(day)
            .unwrap_or_else(|| panic!("{day} has no holiday name"));
        assert!(
            name.contains(b.name),
            "{day}: {name} should contain {}",
            b.name
        );
    }
    let before = b.first.pred_opt().unwrap();
    let after = b.last.succ_opt().unwrap();
    assert_eq!(
        working(before),
        b.before_working,
        "{}: day before {before}",
        b.name
    );
    assert_eq!(
        working(after),
        b.after_working,
        "{}: day after {after}",
        b.name
    );
    assert_eq!(c.holiday_name(before), None, "{before}");
    assert_eq!(c.holiday_name(after), None, "{after}");
    for &(y, m, dd) in b.makeup {
        let day = d(y, m, dd);
        assert!(
            matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
            "{day} is a weekend day"
        );
        assert!(
            working(day),
            "{}: make-up day {day} is a working day",
            b.name
        );
        assert_eq!(c.holiday_name(day), None);
    }
}

#[test]
fn spring_festival_every_year() {
    let breaks = [
        // 2019: 2月4日至10日; 2月2日（六）、3日（日）上班.
        Break {
            name: "春节",
            first: d(2019, 2, 4),
            last: d(2019, 2, 10),
            makeup: &[(2019, 2, 2), (2019, 2, 3)],
            before_working: true, // Sun 2月3日 is a make-up day
            after_working: true,  // Mon 2月11日
        },
        // 2020: 1月24日至30日, extended to 2月2日 (国办发明电〔2020〕1号);
        // 1月19日（日）上班 (2月1日 no longer).
        Break {
            name: "春节",
            first: d(2020, 1, 24),
            last: d(2020, 2, 2),
            makeup: &[(2020, 1, 19)],
            before_working: true, // Thu 1月23日
            after_working: true,  // Mon 2月3日
        },
        // 2021: 2月11日至17日; 2月7日（日）、2月20日（六）上班.
        Break {
            name: "春节",
            first: d(2021, 2, 11),
            last: d(2021, 2, 17),
            makeup: &[(2021, 2, 7), (2021, 2, 20)],
            before_working: true, // Wed 2月10日
            after_working: true,  // Thu 2月18日
        },
        // 2022: 1月31日至2月6日; 1月29日（六）、1月30日（日）上班.
        Break {
            name: "春节",
            first: d(2022, 1, 31),
            last: d(2022, 2, 6),
            makeup: &[(2022, 1, 29), (2022, 1, 30)],
            before_working: true, // Sun 1月30日, make-up
            after_working: true,  // Mon 2月7日
        },
        // 2023: 1月21日至27日; 1月28日（六）、1月29日（日）上班.
        Break {
            name: "春节",
            first: d(2023, 1, 21),
            last: d(2023, 1, 27),
            makeup: &[(2023, 1, 28), (2023, 1, 29)],
            before_working: true, // Fri 1月20日
            after_working: true,  // Sat 1月28日, make-up
        },
        // 2024: 2月10日至17日; 2月4日（日）、2月18日（日）上班. 除夕 2月9日 is
        // only "encouraged" leave: a working day.
        Break {
            name: "春节",
            first: d(2024, 2, 10),
            last: d(2024, 2, 17),
            makeup: &[(2024, 2, 4), (2024, 2, 18)],
            before_working: true, // Fri 2月9日 (除夕)
            after_working: true,  // Sun 2月18日, make-up
        },
        // 2025: 1月28日至2月4日; 1月26日（日）、2月8日（六）上班.
        Break {
            name: "春节",
            first: d(2025, 1, 28),
            last: d(2025, 2, 4),
            makeup: &[(2025, 1, 26), (2025, 2, 8)],
            before_working: true, // Mon 1月27日
            after_working: true,  // Wed 2月5日
        },
        // 2026: 2月15日至23日; 2月14日（六）、2月28日（六）上班.
        Break {
            name: "春节",
            first: d(2026, 2, 15),
            last: d(2026, 2, 23),
            makeup: &[(2026, 2, 14), (2026, 2, 28)],
            before_working: true, // Sat 2月14日, make-up
            after_working: true,  // Tue 2月24日
        },
    ];
    assert_eq!(breaks.len(), cal().years().count());
    for b in &breaks {
        check_break(b);
    }
    // The 2020 extension: Sat 2月1日 is off, not a make-up day.
    assert!(!working(d(2020, 2, 1)));
    assert!(!working(d(2020, 1, 31)));
}

#[test]
fn national_day_every_year() {
    let breaks = [
        // 2019: 10月1日至7日; 9月29日（日）、10月12日（六）上班.
        Break {
            name: "国庆节",
            first: d(2019, 10, 1),
            last: d(2019, 10, 7),
            makeup: &[(2019, 9, 29), (2019, 10, 12)],
            before_working: true, // Mon 9月30日
            after_working: true,  // Tue 10月8日
        },
        // 2020: 国庆节、中秋节 10月1日至8日; 9月27日（日）、10月10日（六）上班.
        Break {
            name: "国庆节",
            first: d(2020, 10, 1),
            last: d(2020, 10, 8),
            makeup: &[(2020, 9, 27), (2020, 10, 10)],
            before_working: true, // Wed 9月30日
            after_working: true,  // Fri 10月9日
        },
        // 2021: 10月1日至7日; 9月26日（日）、10月9日（六）上班.
        Break {
            name: "国庆节",
            first: d(2021, 10, 1),
            last: d(2021, 10, 7),
            makeup: &[(2021, 9, 26), (2021, 10, 9)],
            before_working: true, // Thu 9月30日
            after_working: true,  // Fri 10月8日
        },
        // 2022: 10月1日至7日; 10月8日（六）、10月9日（日）上班.
        Break {
            name: "国庆节",
            first: d(2022, 10, 1),
            last: d(2022, 10, 7),
            makeup: &[(2022, 10, 8), (2022, 10, 9)],
            before_working: true, // Fri 9月30日
            after_working: true,  // Sat 10月8日, make-up
        },
        // 2023: 中秋节、国庆节 9月29日至10月6日; 10月7日（六）、10月8日（日）上班.
        Break {
            name: "国庆节",
            first: d(2023, 9, 29),
            last: d(2023, 10, 6),
            makeup: &[(2023, 10, 7), (2023, 10, 8)],
            before_working: true, // Thu 9月28日
            after_working: true,  // Sat 10月7日, make-up
        },
        // 2024: 10月1日至7日; 9月29日（日）、10月12日（六）上班.
        Break {
            name: "国庆节",
            first: d(2024, 10, 1),
            last: d(2024, 10, 7),
            makeup: &[(2024, 9, 29), (2024, 10, 12)],
            before_working: true, // Mon 9月30日
            after_working: true,  // Tue 10月8日
        },
        // 2025: 国庆节、中秋节 10月1日至8日; 9月28日（日）、10月11日（六）上班.
        Break {
            name: "国庆节",
            first: d(2025, 10, 1),
            last: d(2025, 10, 8),
            makeup: &[(2025, 9, 28), (2025, 10, 11)],
            before_working: true, // Tue 9月30日
            after_working: true,  // Thu 10月9日
        },
        // 2026: 10月1日至7日; 9月20日（日）、10月10日（六）上班.
        Break {
            name: "国庆节",
            first: d(2026, 10, 1),
            last: d(2026, 10, 7),
            makeup: &[(2026, 9, 20), (2026, 10, 10)],
            before_working: true, // Wed 9月30日
            after_working: true,  // Thu 10月8日
        },
    ];
    assert_eq!(breaks.len(), cal().years().count());
    for b in &breaks {
        check_break(b);
    }
}

#[test]
fn other_holidays_spot_checks() {
    // 2019 May Day as amended: 5月1日至4日 off, Sun 4月28日 and Sun 5月5日 worked.
    for day in 1..=4 {
        assert!(!working(d(2019, 5, day)));
    }
    assert!(working(d(2019, 4, 28)));
    assert!(working(d(2019, 5, 5)));
    // 2019 清明节 "4月5日放假，与周末连休".
    assert_eq!(cal().holiday_name(d(2019, 4, 6)), Some("清明节"));
    // 2023 清明节: one day only, a Wednesday.
    assert!(!working(d(2023, 4, 5)));
    assert!(working(d(2023, 4, 4)) && working(d(2023, 4, 6)));
    // 2025 劳动节 5月1日至5日, Sun 4月27日 worked; no Saturday make-up.
    assert!(!working(d(2025, 5, 5)));
    assert!(working(d(2025, 4, 27)));
    assert!(!working(d(2025, 5, 10)));
    // 2026 元旦 1月1日至3日, Sun 1月4日 worked.
    assert!(!working(d(2026, 1, 2)));
    assert!(working(d(2026, 1, 4)));
    // Ordinary days.
    assert!(working(d(2025, 3, 3))); // Monday
    assert!(!working(d(2025, 3, 1))); // Saturday
    assert!(!working(d(2025, 3, 2))); // Sunday
    assert_eq!(cal().holiday_name(d(2025, 3, 1)), None);
}

#[test]
fn every_make_up_day_is_a_working_weekend_day_and_no_weekday_holiday_is_working() {
    for (year, e) in &cal().entries {
        for &m in &e.makeup_workdays {
            assert!(working(m), "{year}: {m}");
        }
        for h in &e.holidays {
            for day in h.days() {
                assert!(!working(day), "{year}: {day} in {}", h.name);
            }
        }
    }
}

// ----- deadlines ----------------------------------------------------------------

#[test]
fn deadlines_across_spring_festival() {
    let c = cal();
    // 2025: event Mon 1月27日, 5 wd. Off 1月28日–2月4日. 2/5=1, 2/6=2, 2/7=3,
    // Sat 2/8 (make-up)=4, Mon 2/10=5.
    assert_eq!(
        c.add_working_days(d(2025, 1, 27), 5).unwrap(),
        d(2025, 2, 10)
    );
    // 2025: event Fri 1月24日, 10 wd. Sun 1/26 (make-up)=1, Mon 1/27=2, then
    // 2/5=3, 2/6=4, 2/7=5, 2/8=6, 2/10=7, 2/11=8, 2/12=9, 2/13=10.
    assert_eq!(
        c.add_working_days(d(2025, 1, 24), 10).unwrap(),
        d(2025, 2, 13)
    );
    // 2026: event Fri 2月13日, 10 wd. Sat 2/14 (make-up)=1, off 2/15–2/23,
    // 2/24=2, 2/25=3, 2/26=4, 2/27=5, Sat 2/28 (make-up)=6, 3/2=7, 3/3=8,
    // 3/4=9, 3/5=10.
    assert_eq!(
        c.add_working_days(d(2026, 2, 13), 10).unwrap(),
        d(2026, 3, 5)
    );
    // 2020, extended: event Thu 1月23日, 5 wd. Off 1/24–2/2 (Sat 2/1 no longer
    // worked): 2/3=1, 2/4=2, 2/5=3, 2/6=4, 2/7=5. (Under the original notice it
    // would have been 2/5.)
    assert_eq!(
        c.add_working_days(d(2020, 1, 23), 5).unwrap(),
        d(2020, 2, 7)
    );
    // 2024: 除夕 Fri 2月9日 is a working day: event Thu 2/8, 1 wd → 2/9;
    // 2 wd → Sun 2/18 (make-up).
    assert_eq!(c.add_working_days(d(2024, 2, 8), 1).unwrap(), d(2024, 2, 9));
    assert_eq!(
        c.add_working_days(d(2024, 2, 8), 2).unwrap(),
        d(2024, 2, 18)
    );
    assert_eq!(
        c.working_days_between(d(2024, 2, 8), d(2024, 2, 18))
            .unwrap(),
        2
    );
}

#[test]
fn deadlines_across_national_day() {
    let c = cal();
    // 2026: event Tue 9月29日, 5 wd. 9/30=1, off 10/1–10/7, 10/8=2, 10/9=3,
    // Sat 10/10 (make-up)=4, Mon 10/12=5.
    assert_eq!(
        c.add_working_days(d(2026, 9, 29), 5).unwrap(),
        d(2026, 10, 12)
    );
    // 2023: event Thu 9月28日, 10 wd. Off 9/29–10/6; Sat 10/7=1, Sun 10/8=2,
    // 10/9=3 … 10/13=7, 10/16=8, 10/17=9, 10/18=10.
    assert_eq!(
        c.add_working_days(d(2023, 9, 28), 10).unwrap(),
        d(2023, 10, 18)
    );
    // 2025: event Fri 9月26日, 1 wd: Sat 9/27 off, Sun 9/28 make-up → 9/28.
    assert_eq!(
        c.add_working_days(d(2025, 9, 26), 1).unwrap(),
        d(2025, 9, 28)
    );
    // 2025: event Tue 9/30, 15 wd: off 10/1–10/8; 10/9=1, 10/10=2,
    // Sat 10/11=3, 10/13=4 … 10/17=8, 10/20=9 … 10/24=13, 10/27=14, 10/28=15.
    assert_eq!(
        c.add_working_days(d(2025, 9, 30), 15).unwrap(),
        d(2025, 10, 28)
    );
}

#[test]
fn deadline_across_2019_may_day() {
    // Event Tue 4月30日, 3 wd: off 5/1–5/4, Sun 5/5 (make-up)=1, 5/6=2, 5/7=3.
    assert_eq!(
        cal().add_working_days(d(2019, 4, 30), 3).unwrap(),
        d(2019, 5, 7)
    );
    // Event Fri 4月26日, 1 wd: Sat 4/27 off, Sun 4/28 (make-up) → 4/28.
    assert_eq!(
        cal().add_working_days(d(2019, 4, 26), 1).unwrap(),
        d(2019, 4, 28)
    );
}

#[test]
fn event_on_a_holiday_or_weekend() {
    let c = cal();
    // Event on Fri 2025-10-03 (holiday): day 1 is the first working day
    // after it, Thu 10/9.
    assert_eq!(
        c.add_working_days(d(2025, 10, 3), 1).unwrap(),
        d(2025, 10, 9)
    );
    assert_eq!(
        c.add_working_days(d(2025, 10, 3), 2).unwrap(),
        d(2025, 10, 10)
    );
    // Events on Fri, Sat and Sun all have day 1 on Monday 2025-03-03.
    for day in [d(2025, 2, 28), d(2025, 3, 1), d(2025, 3, 2)] {
        assert_eq!(c.add_working_days(day, 1).unwrap(), d(2025, 3, 3), "{day}");
    }
}

#[test]
fn zero_days_means_on_the_spot() {
    let c = cal();
    // A working day: the same day.
    assert_eq!(c.add_working_days(d(2025, 3, 3), 0).unwrap(), d(2025, 3, 3));
    // A make-up Saturday is a working day.
    assert_eq!(
        c.add_working_days(d(2025, 10, 11), 0).unwrap(),
        d(2025, 10, 11)
    );
    // A holiday: the next working day.
    assert_eq!(
        c.add_working_days(d(2025, 10, 3), 0).unwrap(),
        d(2025, 10, 9)
    );
    // A weekend: Monday.
    assert_eq!(c.add_working_days(d(2025, 3, 1), 0).unwrap(), d(2025, 3, 3));
}

#[test]
fn year_boundaries() {
    let c = cal();
    // Event Mon 2024-12-30, 3 wd: 12/31=1, 1/1 off, 1/2=2, 1/3=3.
    assert_eq!(
        c.add_working_days(d(2024, 12, 30), 3).unwrap(),
        d(2025, 1, 3)
    );
    // Event Tue 2025-12-30, 5 wd: 12/31=1, off 1/1–1/3, Sun 1/4 (make-up)=2,
    // 1/5=3, 1/6=4, 1/7=5.
    assert_eq!(
        c.add_working_days(d(2025, 12, 30), 5).unwrap(),
        d(2026, 1, 7)
    );
    // Event Wed 2025-12-31, 1 wd → Sun 2026-01-04 (make-up).
    assert_eq!(
        c.add_working_days(d(2025, 12, 31), 1).unwrap(),
        d(2026, 1, 4)
    );
    // The 2023 notice's 元旦 starts Sat 2022-12-31: applied to 2022.
    assert_eq!(c.holiday_name(d(2022, 12, 31)), Some("元旦"));
    assert!(!working(d(2022, 12, 31)));
    // Event Fri 2022-12-30, 1 wd: off 12/31–1/2 → Tue 2023-01-03.
    assert_eq!(
        c.add_working_days(d(2022, 12, 30), 1).unwrap(),
        d(2023, 1, 3)
    );
    // The 2024 notice's 元旦 "与周末连休": Sat/Sun 2023-12-30/31.
    assert_eq!(c.holiday_name(d(2023, 12, 30)), Some("元旦"));
    assert_eq!(c.holiday_name(d(2024, 1, 1)), Some("元旦"));
    assert_eq!(
        c.working_days_between(d(2024, 12, 30), d(2025, 1, 3))
            .unwrap(),
        3
    );
}

#[test]
fn the_2019_notice_days_in_2018() {
    let c = cal();
    // 2018 is not covered, but the 2019 notice speaks of 2018-12-29..31.
    assert_eq!(c.holiday_name(d(2018, 12, 31)), Some("元旦"));
    assert_eq!(c.holiday_name(d(2018, 12, 30)), Some("元旦"));
    assert_eq!(c.holiday_name(d(2018, 12, 29)), None);
    assert!(matches!(
        c.is_working_day(d(2018, 12, 31)),
        Err(CalendarError::MissingYear { year: 2018, .. })
    ));
    // Mon 2018-12-31 is off per the notice (not weekends-only), still flagged.
    let p = c.is_working_day_provisional(d(2018, 12, 31));
    assert_eq!(
        (p.value, p.provisional, p.missing_years.clone()),
        (false, true, vec![2018])
    );
    // Sat 2018-12-29 was worked.
    assert!(c.is_working_day_provisional(d(2018, 12, 29)).value);
    // An event on 2018-12-31 needs only 2019: day 1 is Wed 2019-01-02.
    assert_eq!(
        c.add_working_days(d(2018, 12, 31), 1).unwrap(),
        d(2019, 1, 2)
    );
    // An event on 2018-12-30 needs 2018-12-31.
    assert!(matches!(
        c.add_working_days(d(2018, 12, 30), 1),
        Err(CalendarError::MissingYear { year: 2018, .. })
    ));
    // Fri 2018-12-28, 2 wd: Sat 12/29 (worked)=1, off 12/30–1/1, Wed 1/2=2.
    let p = c.add_working_days_provisional(d(2018, 12, 28), 2);
    assert_eq!(p.value, d(2019, 1, 2));
    assert!(p.provisional);
    assert_eq!(p.missing_years, vec![2018]);
}

// ----- instants and time zone ---------------------------------------------------

#[test]
fn event_instants_use_the_shanghai_date() {
    let c = cal();
    // 23:59 local on Mon 2025-03-03 is 15:59 UTC the same day.
    let local = TIMEZONE.with_ymd_and_hms(2025, 3, 3, 23, 59, 0).unwrap();
    let utc_1559 = Utc.with_ymd_and_hms(2025, 3, 3, 15, 59, 0).unwrap();
    assert_eq!(local.with_timezone(&Utc), utc_1559);
    assert_eq!(
        c.due_date(local.with_timezone(&Utc), 1).unwrap(),
        d(2025, 3, 4)
    );
    assert_eq!(c.due_date(utc_1559, 1).unwrap(), d(2025, 3, 4));
    // 16:00 UTC is 00:00 on Tue 03-04 in Shanghai: day 1 is Wed 03-05.
    let utc_1600 = Utc.with_ymd_and_hms(2025, 3, 3, 16, 0, 0).unwrap();
    assert_eq!(c.due_date(utc_1600, 1).unwrap(), d(2025, 3, 5));
    // 23:59 local on Mon 2025-01-27, just before Spring Festival: 5 wd → 02-10.
    let eve = Utc.with_ymd_and_hms(2025, 1, 27, 15, 59, 0).unwrap();
    assert_eq!(c.due_date(eve, 5).unwrap(), d(2025, 2, 10));
    // New Year's Eve 2025, 16:00 UTC = 2026-01-01 00:00 local (a holiday):
    // day 1 is Sun 01-04 (make-up) either way; 0 wd differs.
    let nye_1559 = Utc.with_ymd_and_hms(2025, 12, 31, 15, 59, 0).unwrap();
    let nye_1600 = Utc.with_ymd_and_hms(2025, 12, 31, 16, 0, 0).unwrap();
    assert_eq!(c.due_date(nye_1559, 1).unwrap(), d(2026, 1, 4));
    assert_eq!(c.due_date(nye_1600, 1).unwrap(), d(2026, 1, 4));
    assert_eq!(c.due_date(nye_1559, 0).unwrap(), d(2025, 12, 31));
    assert_eq!(c.due_date(nye_1600, 0).unwrap(), d(2026, 1, 4));
}

#[test]
fn end_of_day_is_next_midnight_in_shanghai() {
    let end = Calendar::end_of_day(d(2025, 2, 10));
    assert_eq!(end, Utc.with_ymd_and_hms(2025, 2, 10, 16, 0, 0).unwrap());
    assert_eq!(
        end.with_timezone(&TIMEZONE).naive_local(),
        d(2025, 2, 11).and_hms_opt(0, 0, 0).unwrap()
    );
    assert_eq!(
        Calendar::end_of_day(d(2025, 12, 31)),
        Utc.with_ymd_and_hms(2025, 12, 31, 16, 0, 0).unwrap()
    );
    // A response at 23:59:59 local on the due date is in time; 00:00 is late.
    let event = Utc.with_ymd_and_hms(2025, 1, 27, 2, 0, 0).unwrap();
    let deadline = Calendar::end_of_day(cal().due_date(event, 5).unwrap());
    assert!(Utc.with_ymd_and_hms(2025, 2, 10, 15, 59, 59).unwrap() < deadline);
    assert!(Utc.with_ymd_and_hms(2025, 2, 10, 16, 0, 0).unwrap() >= deadline);
}

// ----- consistency over the whole range -----------------------------------------

/// Reference implementation: walk day by day.
fn naive_add(date: NaiveDate, n: u32) -> NaiveDate {
    let mut day = date;
    if n == 0 {
        while !working(day) {
            day = day.succ_opt().unwrap();
        }
        return day;
    }
    let mut left = n;
    loop {
        day = day.succ_opt().unwrap();
        if working(day) {
            left -= 1;
            if left == 0 {
                return day;
            }
        }
    }
}

#[test]
fn fast_arithmetic_matches_a_day_by_day_walk() {
    let c = cal();
    let mut day = d(2019, 1, 1);
    let last = d(2026, 11, 30);
    while day <= last {
        for n in [0u32, 1, 2, 5, 10, 15, 20] {
            let due = c.add_working_days(day, n).unwrap();
            assert_eq!(due, naive_add(day, n), "{day} + {n}");
            assert!(working(due));
            if n > 0 {
                assert_eq!(
                    c.working_days_between(day, due).unwrap(),
                    i64::from(n),
                    "{day} + {n}"
                );
                // The day before the due date is still short of n.
                assert_eq!(
                    c.working_days_between(day, due.pred_opt().unwrap())
                        .unwrap(),
                    i64::from(n) - 1
                );
            }
        }
        day = day.succ_opt().unwrap();
    }
}

#[test]
fn working_days_between_edges() {
    let c = cal();
    assert_eq!(
        c.working_days_between(d(2025, 3, 3), d(2025, 3, 3))
            .unwrap(),
        0
    );
    assert_eq!(
        c.working_days_between(d(2025, 3, 10), d(2025, 3, 3))
            .unwrap(),
        0
    );
    // Mon → next Mon: Tue..Fri + Mon = 5.
    assert_eq!(
        c.working_days_between(d(2025, 3, 3), d(2025, 3, 10))
            .unwrap(),
        5
    );
    // Across Spring Festival 2025 (matches add_working_days above).
    assert_eq!(
        c.working_days_between(d(2025, 1, 27), d(2025, 2, 10))
            .unwrap(),
        5
    );
    assert!(matches!(
        c.working_days_between(d(2026, 12, 1), d(2027, 1, 10)),
        Err(CalendarError::MissingYear { year: 2027, .. })
    ));
    assert!(matches!(
        c.working_days_between(d(2018, 6, 1), d(2019, 3, 1)),
        Err(CalendarError::MissingYear { year: 2018, .. })
    ));
}

#[test]
fn many_calls_are_cheap() {
    // Metrics call this hundreds of thousands of times; keep it O(1).
    let c = cal();
    let base = d(2019, 1, 1);
    let mut acc = 0i64;
    for i in 0..300_000u32 {
        let day = base + chrono::Days::new(u64::from(i % 2800));
        let due = c.add_working_days(day, i % 20).unwrap();
        acc += (due - day).num_days();
    }
    assert!(acc > 0);
}

// ----- missing years and provisional results ------------------------------------

#[test]
fn missing_year_error_and_message() {
    let c = cal();
    let err = c.is_working_day(d(2018, 6, 1)).unwrap_err();
    match &err {
        CalendarError::MissingYear { year, covered } => {
            assert_eq!(*year, 2018);
            assert_eq!(covered, "2019–2026");
        }
        other => panic!("unexpected {other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("no official working-day calendar data for 2018"),
        "{msg}"
    );
    assert!(msg.contains("2019–2026"), "{msg}");
    assert!(
        msg.contains("国务院办公厅关于2018年部分节假日安排的通知"),
        "{msg}"
    );
    assert!(msg.contains("override"), "{msg}");
    assert!(msg.contains("with_overrides"), "{msg}");
    // A page says it in Chinese, with the same remedy.
    let words = err.chinese();
    assert!(
        words.starts_with("缺少2018年的官方工作日历（已载入2019–2026年）"),
        "{words}"
    );
    assert!(words.contains("calendar_overrides"), "{words}");

    let err = c.add_working_days(d(2035, 1, 10), 5).unwrap_err();
    assert!(matches!(err, CalendarError::MissingYear { year: 2035, .. }));
    assert!(err.to_string().contains("2035"));
    // A deadline running past the last covered year.
    assert!(matches!(
        c.add_working_days(d(2026, 12, 28), 10),
        Err(CalendarError::MissingYear { year: 2027, .. })
    ));
    // But one ending on the last day is fine: Mon 12/28 + 3 = Thu 12/31.
    assert_eq!(
        c.add_working_days(d(2026, 12, 28), 3).unwrap(),
        d(2026, 12, 31)
    );
    assert!(matches!(
        c.due_date(Utc.with_ymd_and_hms(2035, 3, 5, 1, 0, 0).unwrap(), 1),
        Err(CalendarError::MissingYear { year: 2035, .. })
    ));
    assert_eq!(c.holiday_name(d(2035, 1, 1)), None);
}

#[test]
fn provisional_variants_flag_missing_years() {
    let c = cal();
    // Covered: exact.
    let p = c.add_working_days_provisional(d(2025, 1, 27), 5);
    assert_eq!(
        p,
        Provisional {
            value: d(2025, 2, 10),
            provisional: false,
            missing_years: vec![]
        }
    );
    let p = c.is_working_day_provisional(d(2025, 10, 3));
    assert_eq!(
        p,
        Provisional {
            value: false,
            provisional: false,
            missing_years: vec![]
        }
    );

    // Mon 2026-12-28 + 10: 12/29=1, 12/30=2, 12/31=3, then weekends-only for
    // 2027: Fri 1/1=4 (!), 1/4=5 … 1/8=9, Mon 1/11=10.
    assert_eq!(d(2027, 1, 1).weekday(), Weekday::Fri);
    let p = c.add_working_days_provisional(d(2026, 12, 28), 10);
    assert_eq!(p.value, d(2027, 1, 11));
    assert!(p.provisional);
    assert_eq!(p.missing_years, vec![2027]);

    // Entirely in a missing year.
    assert_eq!(d(2035, 3, 5).weekday(), Weekday::Mon);
    let p = c.is_working_day_provisional(d(2035, 3, 5));
    assert_eq!(
        p,
        Provisional {
            value: true,
            provisional: true,
            missing_years: vec![2035]
        }
    );
    let p = c.is_working_day_provisional(d(2035, 3, 3));
    assert_eq!(
        p,
        Provisional {
            value: false,
            provisional: true,
            missing_years: vec![2035]
        }
    );
    // Sat 2035-03-03 + 0 → Mon 03-05; + 1 → Mon 03-05.
    let p = c.add_working_days_provisional(d(2035, 3, 3), 0);
    assert_eq!((p.value, p.provisional), (d(2035, 3, 5), true));
    let p = c.add_working_days_provisional(d(2035, 3, 3), 1);
    assert_eq!(
        (p.value, p.provisional, p.missing_years),
        (d(2035, 3, 5), true, vec![2035])
    );
    // From the end of 2018 into 2019: only 2018 is missing.
    let p = c.add_working_days_provisional(d(2018, 12, 20), 10);
    assert!(p.provisional);
    assert_eq!(p.missing_years, vec![2018]);
    // 12/21=1, 12/24=2 … 12/28=6, Sat 12/29 (worked)=7, off 12/30–1/1,
    // 1/2=8, 1/3=9, 1/4=10.
    assert_eq!(p.value, d(2019, 1, 4));
}

// ----- override files -----------------------------------------------------------

/// A made-up 2027 entry for tests (NOT the real 2027 arrangement).
const TEST_2027: &str = r#"
[[year]]
year = 2027
notice = "TEST 国务院办公厅关于2027年部分节假日安排的通知"
doc_number = "TEST〔2026〕99号"
dated = "2026-11-01"
holidays = [
  { name = "元旦", from = "2027-01-01", to = "2027-01-03" },
  { name = "春节", from = 2027-02-06, to = 2027-02-12 },
]
makeup_workdays = ["2027-02-13"]
"#;

#[test]
fn override_adds_a_new_year() {
    let path = temp_file("add", TEST_2027);
    let c = cal().with_overrides(&path).unwrap();
    assert_eq!(c.years(), 2019..=2027);
    assert!(c.covers(2027));
    assert_eq!(
        c.notice(2027),
        Some((
            "TEST 国务院办公厅关于2027年部分节假日安排的通知",
            "TEST〔2026〕99号"
        ))
    );
    assert!(!c.is_working_day(d(2027, 1, 1)).unwrap());
    assert!(c.is_working_day(d(2027, 2, 13)).unwrap()); // a Saturday make-up
    assert_eq!(c.holiday_name(d(2027, 2, 8)), Some("春节"));
    // Mon 2026-12-28 + 10: 12/29, 12/30, 12/31 = 3, off 1/1–1/3,
    // 1/4=4 … 1/8=8, 1/11=9, 1/12=10.
    assert_eq!(
        c.add_working_days(d(2026, 12, 28), 10).unwrap(),
        d(2027, 1, 12)
    );
    assert!(
        !c.add_working_days_provisional(d(2026, 12, 28), 10)
            .provisional
    );
    // The built-in calendar is unchanged.
    assert_eq!(cal().years(), 2019..=2026);
    // The rest of the data survives the merge.
    assert_eq!(
        c.add_working_days(d(2025, 1, 27), 5).unwrap(),
        d(2025, 2, 10)
    );
    let _ = std::fs::remove_file(path);
}

#[test]
fn override_replaces_a_year() {
    let src = r#"
[[year]]
year = 2025
notice = "TEST replacement for 2025"
doc_number = "TEST〔2024〕1号"
dated = "2024-12-01"
holidays = [ { name = "元旦", from = "2025-01-01", to = "2025-01-01" } ]
makeup_workdays = []
"#;
    let path = temp_file("replace", src);
    let c = cal().with_overrides(&path).unwrap();
    assert_eq!(c.years(), 2019..=2026);
    assert_eq!(
        c.notice(2025),
        Some(("TEST replacement for 2025", "TEST〔2024〕1号"))
    );
    // The replaced year has no Spring Festival any more: Mon 2025-02-03 works,
    // Sun 2025-01-26 (formerly a make-up day) is off.
    assert!(c.is_working_day(d(2025, 2, 3)).unwrap());
    assert!(!c.is_working_day(d(2025, 1, 26)).unwrap());
    assert_eq!(c.holiday_name(d(2025, 2, 3)), None);
    // Other years untouched.
    assert!(!c.is_working_day(d(2026, 2, 16)).unwrap());
    assert!(cal().is_working_day(d(2025, 1, 26)).unwrap());
    let _ = std::fs::remove_file(path);
}

/// Loads `src` as an override and returns the error message.
fn override_error(tag: &str, src: &str) -> (String, CalendarError) {
    let path = temp_file(tag, src);
    let err = cal().with_overrides(&path).expect_err("should be rejected");
    let _ = std::fs::remove_file(&path);
    (path.display().to_string(), err)
}

#[test]
fn override_rejects_from_after_to() {
    let src = TEST_2027.replace(
        r#"from = "2027-01-01", to = "2027-01-03""#,
        r#"from = "2027-01-03", to = "2027-01-01""#,
    );
    let (path, err) = override_error("from-after-to", &src);
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            CalendarError::Invalid {
                year: Some(2027),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(msg.contains(&path), "{msg}");
    assert!(msg.contains("year 2027"), "{msg}");
    assert!(msg.contains("holidays[0].from"), "{msg}");
    assert!(msg.contains("after"), "{msg}");
}

#[test]
fn override_rejects_a_date_outside_its_year() {
    let src = TEST_2027.replace(r#"["2027-02-13"]"#, r#"["2026-02-14"]"#);
    let (path, err) = override_error("outside-year", &src);
    let msg = err.to_string();
    assert!(msg.contains(&path) && msg.contains("year 2027"), "{msg}");
    assert!(msg.contains("makeup_workdays[0]"), "{msg}");
    assert!(msg.contains("not in 2027"), "{msg}");

    let src = TEST_2027.replace(r#"from = "2027-01-01""#, r#"from = "2026-12-31""#);
    let (_, err) = override_error("outside-year-2", &src);
    assert!(err.to_string().contains("holidays[0].from"), "{err}");
}

#[test]
fn override_rejects_a_make_up_day_inside_a_holiday_or_on_a_weekday() {
    // Sat 2027-02-06 is inside 春节.
    let src = TEST_2027.replace(r#"["2027-02-13"]"#, r#"["2027-02-06"]"#);
    let (_, err) = override_error("makeup-in-holiday", &src);
    let msg = err.to_string();
    assert!(
        msg.contains("makeup_workdays[0]") && msg.contains("春节"),
        "{msg}"
    );
    // Mon 2027-02-15 is a weekday.
    let src = TEST_2027.replace(r#"["2027-02-13"]"#, r#"["2027-02-15"]"#);
    let (_, err) = override_error("makeup-weekday", &src);
    assert!(err.to_string().contains("Saturdays or Sundays"), "{err}");
}

#[test]
fn override_rejects_duplicate_years_bad_dates_unknown_keys_and_gaps() {
    let (path, err) = override_error("dup", &format!("{TEST_2027}\n{TEST_2027}"));
    let msg = err.to_string();
    assert!(
        msg.contains(&path) && msg.contains("year 2027") && msg.contains("more than once"),
        "{msg}"
    );

    let src = TEST_2027.replace(r#"["2027-02-13"]"#, r#"["2027-02-30"]"#);
    let (_, err) = override_error("bad-date", &src);
    let msg = err.to_string();
    assert!(
        msg.contains("makeup_workdays[0]") && msg.contains("2027-02-30"),
        "{msg}"
    );

    let src = TEST_2027.replace("makeup_workdays", "makeup_workday");
    let (_, err) = override_error("unknown-key", &src);
    let msg = err.to_string();
    assert!(
        msg.contains("makeup_workday") && msg.contains("unknown key"),
        "{msg}"
    );

    let src = TEST_2027.replace("doc_number = \"TEST〔2026〕99号\"\n", "");
    let (_, err) = override_error("missing-field", &src);
    let msg = err.to_string();
    assert!(msg.contains("year 2027: doc_number: missing"), "{msg}");

    // 2028 without 2027: the covered years would not be contiguous.
    let src = TEST_2027
        .replace("2027", "2028")
        .replace("2026-11-01", "2027-11-01");
    let (_, err) = override_error("gap", &src);
    let msg = err.to_string();
    assert!(msg.contains("contiguous") && msg.contains("2027"), "{msg}");

    // Overlapping holidays.
    let src = TEST_2027.replace(r#"to = "2027-01-03""#, r#"to = "2027-02-07""#);
    let (_, err) = override_error("overlap", &src);
    assert!(err.to_string().contains("overlaps"), "{err}");
}

#[test]
fn override_rejects_broken_toml_and_missing_files() {
    let (path, err) = override_error("syntax", "[[year]\nyear = 2027");
    assert!(matches!(err, CalendarError::Parse { .. }), "{err:?}");
    assert!(err.to_string().contains(&path), "{err}");

    let missing = std::env::temp_dir().join("dukao-calendar-test-does-not-exist.toml");
    let err = cal().with_overrides(&missing).unwrap_err();
    assert!(matches!(err, CalendarError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("does-not-exist"), "{err}");

    let err = Calendar::from_toml_str("# nothing\n", "empty.toml").unwrap_err();
    assert!(
        err.to_string().contains("empty.toml") && err.to_string().contains("no [[year]]"),
        "{err}"
    );
}

#[test]
fn spill_over_conflicting_with_the_previous_year_is_rejected() {
    // The 2023 entry says Sat 2022-12-31 is a day off; a 2022 entry that works
    // that Saturday contradicts it.
    let src = r#"
[[year]]
year = 2022
notice = "A"
doc_number = "A1"
dated = "2021-10-25"
holidays = [ { name = "元旦", from = "2022-01-01", to = "2022-01-03" } ]
makeup_workdays = ["2022-12-31"]

[[year]]
year = 2023
notice = "B"
doc_number = "B1"
dated = "2022-12-08"
holidays = [ { name = "元旦", from = "2023-01-01", to = "2023-01-02" } ]
makeup_workdays = []
prior_year_holidays = [ { name = "元旦", from = "2022-12-31", to = "2022-12-31" } ]
"#;
    let err = Calendar::from_toml_str(src, "conflict.toml").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("conflict.toml: year 2023: prior_year_holidays[0]"),
        "{msg}"
    );

    // prior_year_* must be in the previous year.
    let src = TEST_2027.replace(
        "makeup_workdays = [\"2027-02-13\"]",
        "makeup_workdays = [\"2027-02-13\"]\nprior_year_makeup_workdays = [\"2027-01-02\"]",
    );
    let (_, err) = override_error("prior-wrong-year", &src);
    let msg = err.to_string();
    assert!(
        msg.contains("prior_year_makeup_workdays[0]") && msg.contains("not in 2026"),
        "{msg}"
    );
}
