//! Chinese numerals as used in article references (第三十一条, 第（二）项).

const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// Writes `n` (0–9999) in Chinese numerals as regulation texts do:
/// 十 for 10, 十二 for 12, 二十 for 20, 一百 for 100, 一百零一 for 101,
/// 一百一十 for 110. Numbers from 10 000 on are written in Arabic digits.
pub fn chinese_number(n: u32) -> String {
    if n == 0 {
        return DIGITS[0].to_string();
    }
    if n >= 10_000 {
        return n.to_string();
    }
    if (10..20).contains(&n) {
        // 十, 十一 … 十九: no leading 一.
        let mut s = String::from('十');
        if n > 10 {
            s.push(DIGITS[(n - 10) as usize]);
        }
        return s;
    }
    let mut s = String::new();
    let mut started = false;
    let mut pending_zero = false;
    for (unit, name) in [
        (1000, Some('千')),
        (100, Some('百')),
        (10, Some('十')),
        (1, None),
    ] {
        let d = (n / unit) % 10;
        if d == 0 {
            pending_zero |= started;
            continue;
        }
        if pending_zero {
            s.push(DIGITS[0]);
            pending_zero = false;
        }
        s.push(DIGITS[d as usize]);
        if let Some(c) = name {
            s.push(c);
        }
        started = true;
    }
    s
}

/// 第N条: `article_cn(31)` is `第三十一条`.
pub fn article_cn(article: u32) -> String {
    format!("第{}条", chinese_number(article))
}

/// 第（N）项: `item_cn(2)` is `第（二）项`.
pub fn item_cn(item: u32) -> String {
    format!("第（{}）项", chinese_number(item))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals_1_to_200() {
        let cases = [
            (1, "一"),
            (2, "二"),
            (9, "九"),
            (10, "十"),
            (11, "十一"),
            (12, "十二"),
            (19, "十九"),
            (20, "二十"),
            (21, "二十一"),
            (30, "三十"),
            (31, "三十一"),
            (46, "四十六"),
            (99, "九十九"),
            (100, "一百"),
            (101, "一百零一"),
            (105, "一百零五"),
            (110, "一百一十"),
            (111, "一百一十一"),
            (119, "一百一十九"),
            (120, "一百二十"),
            (199, "一百九十九"),
            (200, "二百"),
            (1001, "一千零一"),
            (1010, "一千零一十"),
            (1100, "一千一百"),
            (0, "零"),
        ];
        for (n, want) in cases {
            assert_eq!(chinese_number(n), want, "n = {n}");
        }
    }

    #[test]
    fn every_number_up_to_200_is_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for n in 1..=200 {
            let s = chinese_number(n);
            assert!(seen.insert(s.clone()), "{n} -> {s} repeats");
            assert!(!s.starts_with('零') && !s.ends_with('零'), "{n} -> {s}");
            assert!(!s.contains("零零"), "{n} -> {s}");
            assert!(!s.starts_with("一十"), "{n} -> {s}");
        }
    }

    #[test]
    fn article_and_item() {
        assert_eq!(article_cn(1), "第一条");
        assert_eq!(article_cn(10), "第十条");
        assert_eq!(article_cn(12), "第十二条");
        assert_eq!(article_cn(20), "第二十条");
        assert_eq!(article_cn(31), "第三十一条");
        assert_eq!(article_cn(100), "第一百条");
        assert_eq!(item_cn(2), "第（二）项");
        assert_eq!(item_cn(10), "第（十）项");
    }
}
