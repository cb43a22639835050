//! `share_requests` and `grants`, for the demo year and the year before
//! it alike (the year before with a tenth fewer requests).
//!
//! Requests are submitted mostly on working days, more in the week before
//! the Spring Festival and National Day breaks and just after them, some
//! on make-up working days and a few at weekends. The requester's authority
//! reviews each within its profile's review limit (JC: `review`) or, where
//! none is set, at the platform's pace ([`REVIEW_PACE_WD`]), 6 % later; an
//! unconditional request is then decided at once, a conditional one is
//! forwarded to the provider, who answers within its profile's deadline
//! except for a late tail concentrated in two "slow" city departments per
//! city. Requests whose answer would fall after 31 December of the demo
//! year are still pending at the export, as are a few stuck ones (those of
//! the year before too).
//!
//! Every approved request gets one grant. Grants of the two years before
//! the years covered that are still in force when these begin (with the
//! requests that led to them, about as many as a year's requests) are
//! included, so that the year before starts with about as many grants in
//! force as the demo year, some expiring during it.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, TimeDelta};

use super::catalog::Catalog;
use super::clock::{at, office_secs, office_time_after, plus_secs};
use super::names::{NOT_SHARED_REASONS, REFUSAL_REASONS};
use super::org::Org;
#[cfg(doc)]
use super::org::REVIEW_PACE_WD;
use super::rng::{Cumulative, Rng};
use super::usage::{self, Pattern, Usage};
use super::writer::TableWriter;
use super::{Ctx, DemoError, Span};
use crate::vocab::{Decision, JurisdictionLevel, ShareType};

/// A grant of access to an entry.
#[derive(Debug, Clone)]
pub struct Grant {
    /// Interchange id, `GRT-<year>-<nnnnnn>`.
    pub id: String,
    /// Id of the approved request.
    pub request_id: String,
    /// Grantee department index.
    pub grantee: u32,
    /// Entry index.
    pub entry: u32,
    /// When granted.
    pub granted: NaiveDateTime,
    /// When it expires.
    pub expires: NaiveDateTime,
    /// When revoked.
    pub revoked: Option<NaiveDateTime>,
    /// How the grantee uses it.
    pub usage: Usage,
}

impl Grant {
    /// When the grant ends: revocation or expiry, whichever is first.
    pub fn end(&self) -> NaiveDateTime {
        match self.revoked {
            Some(r) if r < self.expires => r,
            _ => self.expires,
        }
    }
}

/// What inspections can cite about a provider's handling of requests.
#[derive(Debug, Clone, Default)]
pub struct ShareStats {
    /// Answers after the deadline.
    pub late_replies: u32,
    /// Largest delay past the deadline, in working days.
    pub max_late_wd: u32,
    /// Refusals with no reason.
    pub refused_without_reason: u32,
    /// Requests still unanswered at the end of the year although overdue.
    pub open_overdue: u32,
    /// Day of each late answer and its delay in working days.
    pub late_reply_days: Vec<(NaiveDate, u32)>,
    /// Day of each refusal without reason.
    pub no_reason_days: Vec<NaiveDate>,
}

impl ShareStats {
    /// Late answers in `year`.
    pub fn late_in(&self, year: i32) -> usize {
        self.late_reply_days
            .iter()
            .filter(|(d, _)| d.year() == year)
            .count()
    }

    /// Late answers and refusals without reason in the year of `day` before
    /// `day`, and the largest delay among those answers.
    pub fn before(&self, day: NaiveDate) -> (u32, u32, u32) {
        let in_year = |d: NaiveDate| d.year() == day.year() && d < day;
        let late: Vec<u32> = self
            .late_reply_days
            .iter()
            .filter(|(d, _)| in_year(*d))
            .map(|(_, n)| *n)
            .collect();
        let no_reason = self.no_reason_days.iter().filter(|d| in_year(**d)).count() as u32;
        (
            late.len() as u32,
            late.into_iter().max().unwrap_or(0),
            no_reason,
        )
    }
}

/// Result of request generation.
#[derive(Debug, Clone)]
pub struct Sharing {
    /// Grants in id order.
    pub grants: Vec<Grant>,
    /// Stats per provider department.
    pub stats: Vec<ShareStats>,
}

/// Weight of each day of a year for submissions.
fn day_weights(ctx: &Ctx, span: &Span) -> (Vec<NaiveDate>, Cumulative) {
    const MONTH: [f64; 12] = [
        1.0, 0.85, 1.1, 1.0, 1.0, 1.05, 0.95, 0.9, 1.05, 0.95, 1.1, 1.2,
    ];
    let mut days = Vec::new();
    let mut d = span.first;
    while d <= span.last {
        days.push(d);
        d = d.succ_opt().expect("valid date");
    }
    let mut w: Vec<f64> = days
        .iter()
        .map(|&d| {
            let base = if ctx.wd.is_working(d) {
                if d.weekday().number_from_monday() >= 6 {
                    1.3
                } else {
                    1.0
                }
            } else {
                0.04
            };
            base * MONTH[d.month0() as usize]
        })
        .collect();
    // Long breaks (7+ consecutive days off): a rush before, a backlog after.
    let lo = span.first - TimeDelta::days(15);
    let hi = span.last + TimeDelta::days(15);
    let mut run_start: Option<NaiveDate> = None;
    let mut d = lo;
    while d <= hi {
        if !ctx.wd.is_working(d) {
            run_start.get_or_insert(d);
        } else if let Some(s) = run_start.take() {
            if (d - s).num_days() >= 7 {
                let mut before = s;
                for f in [3.0, 2.8, 2.4, 2.0, 1.6] {
                    before = before.pred_opt().expect("valid date");
                    while !ctx.wd.is_working(before) {
                        before = before.pred_opt().expect("valid date");
                    }
                    if let Some(i) = days.iter().position(|&x| x == before) {
                        w[i] *= f;
                    }
                }
                let mut after = d;
                for f in [1.9, 1.6, 1.3] {
                    if let Some(i) = days.iter().position(|&x| x == after) {
                        w[i] *= f;
                    }
                    after = ctx.wd.on_or_after(after.succ_opt().expect("valid date"));
                }
            }
        }
        d = d.succ_opt().expect("valid date");
    }
    (days, Cumulative::new(w))
}

/// Requests of the years before the two covered that are on record because
/// their grant is still in force on 1 January of the year before the demo
/// year, relative to the demo year's requests: `(years back, share)`. Going
/// back, each year has a tenth fewer requests, 87 % of them approved; about
/// 96 % of a year's grants are still in force on the next 1 January (all but
/// most six-month ones) and about half on the one after (the terms of two
/// years and more): about two thirds and one third of the demo year's.
const CARRIED: [(i32, f64); 2] = [(2, 0.32), (1, 0.64)];

/// Grant lifetimes in months with their weights; over 36 months breaches JC Art.31.
const TERMS: [(u32, f64); 6] = [
    (6, 8.0),
    (12, 38.0),
    (24, 20.0),
    (36, 29.0),
    (60, 3.5),
    (120, 0.5),
];

struct Gen<'a> {
    ctx: &'a Ctx,
    org: &'a Org,
    catalog: &'a Catalog,
    rng: Rng,
    /// Per city: (entry indices, sampler by popularity).
    entry_samplers: BTreeMap<usize, (Vec<u32>, Cumulative)>,
    /// Per city: (department indices, sampler by activity).
    requester_samplers: BTreeMap<usize, (Vec<usize>, Cumulative)>,
    /// Departments of each jurisdiction.
    jur_depts: Vec<Vec<usize>>,
    grants: Vec<Grant>,
    grant_seq: BTreeMap<i32, u32>,
    stats: Vec<ShareStats>,
    width: usize,
}

/// One request, as written.
struct Request {
    id: String,
    requester: usize,
    entry: u32,
    submitted: NaiveDateTime,
    reviewed: Option<NaiveDateTime>,
    forwarded: Option<NaiveDateTime>,
    already_published: bool,
    replied: Option<NaiveDateTime>,
    decision: Decision,
    refusal_reason: Option<&'static str>,
}

impl Gen<'_> {
    fn pick_entry(&mut self, city: usize, sub: NaiveDateTime, must_share: bool) -> u32 {
        let (ids, sampler) = &self.entry_samplers[&city];
        let mut fallback = ids[0];
        for _ in 0..60 {
            let e = ids[sampler.sample(&mut self.rng)];
            let entry = &self.catalog.entries[e as usize];
            if entry.live_at(sub) && !(must_share && entry.share == ShareType::NotShared) {
                return e;
            }
            fallback = e;
        }
        // Practically unreachable: the most popular entries are old.
        fallback
    }

    fn pick_requester(&mut self, city: usize, provider: usize) -> usize {
        let pj = self.org.departments[provider].jur;
        if self.org.jurisdictions[pj].level != JurisdictionLevel::City && self.rng.chance(0.5) {
            let local: Vec<usize> = self.jur_depts[pj]
                .iter()
                .copied()
                .filter(|&d| d != provider)
                .collect();
            if !local.is_empty() {
                return *self.rng.pick(&local);
            }
        }
        let (ids, sampler) = &self.requester_samplers[&city];
        loop {
            let d = ids[sampler.sample(&mut self.rng)];
            if d != provider {
                return d;
            }
        }
    }

    /// Generate one request submitted at `sub`; `force_approved` for the
    /// earlier years' requests that are on record because of their grant.
    fn request(
        &mut self,
        id: String,
        city: usize,
        sub: NaiveDateTime,
        force_approved: bool,
    ) -> Request {
        let (ctx, org, catalog) = (self.ctx, self.org, self.catalog);
        let e = self.pick_entry(city, sub, force_approved);
        let entry = &catalog.entries[e as usize];
        let provider = entry.dept;
        let requester = self.pick_requester(city, provider);
        let rules = *org.rules_of(provider);
        let review_pace = org.rules_of(requester).review_pace_wd();
        let traits = org.departments[provider].traits;
        let rng = &mut self.rng;
        let cutoff = ctx.year_end;
        let sub_day = sub.date();

        let mut req = Request {
            id,
            requester,
            entry: e,
            submitted: sub,
            reviewed: None,
            forwarded: None,
            already_published: true,
            replied: None,
            decision: Decision::Pending,
            refusal_reason: None,
        };

        // The requester's authority's compliance review (JC Art.30(1)).
        let mut k = if !force_approved && rng.chance(0.06) {
            review_pace + 1 + rng.below(4) as u32
        } else {
            let w: Vec<f64> = (0..=review_pace)
                .map(|k| match k {
                    0 => 30.0,
                    k => 45.0 * 0.55f64.powi(k as i32 - 1),
                })
                .collect();
            rng.weighted(&w) as u32
        };
        if k == 0
            && (!ctx.wd.is_working(sub_day) || sub.time() > at(sub_day, 16 * 3600 + 1800).time())
        {
            k = 1;
        }
        let reviewed = office_time_after(rng, ctx.wd.add(sub_day, k), sub);
        if reviewed > cutoff {
            return req;
        }
        req.reviewed = Some(reviewed);

        match entry.share {
            ShareType::NotShared => {
                req.replied = Some(reviewed);
                req.decision = Decision::Refused;
                if rng.chance(0.1) {
                    let s = &mut self.stats[provider];
                    s.refused_without_reason += 1;
                    s.no_reason_days.push(reviewed.date());
                } else {
                    req.refusal_reason = Some(*rng.pick(NOT_SHARED_REASONS));
                }
            }
            ShareType::Unconditional => {
                req.already_published = rng.chance(0.97);
                req.replied = Some(reviewed);
                if force_approved || rng.chance(0.96) {
                    req.decision = Decision::Approved;
                } else {
                    req.decision = Decision::Refused;
                    if !rng.chance(0.03) {
                        req.refusal_reason = Some(*rng.pick(&REFUSAL_REASONS[..3]));
                    }
                }
            }
            ShareType::Conditional => {
                let forwarded = plus_secs(rng, reviewed, 60, 1800);
                req.forwarded = Some(forwarded);
                req.already_published = rng.chance(0.75);
                let limit = if req.already_published {
                    rules.reply_published_wd
                } else {
                    rules.reply_unpublished_wd
                };
                let base = if rules.reply_from_forwarding {
                    forwarded.date()
                } else {
                    sub_day
                };
                let k_min = ctx.wd.between(base, forwarded.date());
                let slow = traits.slow_replier;
                let stuck = !force_approved && rng.chance(if slow { 0.06 } else { 0.012 });
                let late = !force_approved && rng.chance(if slow { 0.35 } else { 0.035 });
                let k = if late {
                    limit.max(k_min) + 1 + rng.below(6) as u32 + rng.poisson(3.0)
                } else if limit > k_min {
                    let span = limit - k_min;
                    k_min + ((rng.f64().powf(1.6) * f64::from(span + 1)) as u32).min(span)
                } else {
                    k_min
                };
                let due = ctx.wd.add(base, limit);
                let replied = office_time_after(rng, ctx.wd.add(base, k), forwarded);
                if stuck || replied > cutoff {
                    if due < ctx.year_last {
                        self.stats[provider].open_overdue += 1;
                    }
                    return req;
                }
                req.replied = Some(replied);
                let over = ctx.wd.between(base, replied.date()).saturating_sub(limit);
                if over > 0 {
                    let s = &mut self.stats[provider];
                    s.late_replies += 1;
                    s.max_late_wd = s.max_late_wd.max(over);
                    s.late_reply_days.push((replied.date(), over));
                }
                if force_approved || rng.chance(0.84) {
                    req.decision = Decision::Approved;
                } else {
                    req.decision = Decision::Refused;
                    if rng.chance(if traits.careless_refusals { 0.3 } else { 0.04 }) {
                        let s = &mut self.stats[provider];
                        s.refused_without_reason += 1;
                        s.no_reason_days.push(replied.date());
                    } else {
                        req.refusal_reason = Some(*rng.pick(REFUSAL_REASONS));
                    }
                }
            }
        }
        if req.decision == Decision::Approved {
            self.grant(&req);
        }
        req
    }

    fn grant(&mut self, req: &Request) {
        let ctx = self.ctx;
        let rng = &mut self.rng;
        let replied = req.replied.expect("approved requests are answered");
        let granted = plus_secs(rng, replied, 0, 600).min(ctx.year_end.max(replied));
        // Carried over from before the years covered: in force at their start.
        let carried = granted < at(ctx.start, 0);
        // A carried-over grant is on record because it is still in force
        // when the years covered begin: its term is one that lasts that long.
        let weights = TERMS.map(|(months, w)| {
            let until = granted
                .checked_add_months(Months::new(months))
                .expect("date in range");
            if carried && until.date() <= ctx.start {
                0.0
            } else {
                w
            }
        });
        let months = TERMS[rng.weighted(&weights)].0;
        let mut expires = granted
            .checked_add_months(Months::new(months))
            .expect("date in range");
        if months == 36 && rng.chance(0.03) {
            // Three years and a few days: a subtle JC Art.31 breach.
            expires += TimeDelta::days(rng.range(1, 30));
        }
        let mut usage = usage::assign(rng, granted, ctx.params.access_rows_per_day);
        let from = granted.max(at(ctx.start, 0)) + TimeDelta::days(7);
        let mut revoked = None;
        if rng.chance(if carried { 0.05 } else { 0.02 }) && from < ctx.year_end {
            let span = (ctx.year_end - from).num_seconds();
            revoked = Some(from + TimeDelta::seconds(rng.range(0, span)));
        }
        // Grants unused for over three months may be revoked (JC Art.31).
        if let (Pattern::Burst, Some(b)) = (usage.pattern, usage.burst_until) {
            if rng.chance(0.3) {
                let day = ctx.wd.on_or_after(b + TimeDelta::days(rng.range(95, 150)));
                if day <= ctx.year_last {
                    let t = at(day, office_secs(rng));
                    if revoked.is_none_or(|r| t < r) {
                        revoked = Some(t);
                    }
                }
            }
        }
        let end = match revoked {
            Some(r) if r < expires => r,
            _ => expires,
        };
        if usage.pattern != Pattern::Never
            && end.date() >= ctx.start
            && end < ctx.year_end
            && rng.chance(0.15)
        {
            let until = end.date() + TimeDelta::days(rng.range(10, 60));
            usage.overrun_until = Some(until.min(ctx.year_last).max(end.date()));
        }
        let y = granted.year();
        let seq = self.grant_seq.entry(y).or_insert(0);
        *seq += 1;
        self.grants.push(Grant {
            id: format!("GRT-{y}-{:0w$}", seq, w = self.width),
            request_id: req.id.clone(),
            grantee: req.requester as u32,
            entry: req.entry,
            granted,
            expires,
            revoked,
            usage,
        });
    }
}

fn write_row(w: &mut TableWriter, g: &Gen, r: &Request) -> Result<(), DemoError> {
    let entry = &g.catalog.entries[r.entry as usize];
    w.str(&r.id);
    w.str(&g.org.departments[r.requester].id);
    w.str(&g.org.departments[entry.dept].id);
    w.str(&entry.id);
    w.str(entry.share.as_str());
    w.time(r.submitted);
    w.opt_time(r.reviewed);
    w.opt_time(r.forwarded);
    w.bool(r.already_published);
    w.opt_time(r.replied);
    w.str(r.decision.as_str());
    w.opt_str(r.refusal_reason);
    w.end_row()
}

/// Generate and write the requests; return the grants and per-provider stats.
pub fn write(
    ctx: &Ctx,
    org: &Org,
    catalog: &Catalog,
    w: &mut TableWriter,
) -> Result<Sharing, DemoError> {
    let cities = org.cities();
    let start_t = at(ctx.start, 0);
    let mut entry_samplers = BTreeMap::new();
    let mut requester_samplers = BTreeMap::new();
    for &c in &cities {
        let depts = org.city_departments(c);
        let ids: Vec<u32> = depts
            .iter()
            .flat_map(|&d| catalog.by_dept[d].iter().copied())
            .collect();
        let weights = ids.iter().map(|&e| {
            let entry = &catalog.entries[e as usize];
            if entry.withdrawn.is_some_and(|t| t < start_t) {
                0.0
            } else {
                entry.popularity
            }
        });
        entry_samplers.insert(c, (ids.clone(), Cumulative::new(weights)));
        let dw = depts.iter().map(|&d| {
            let dept = &org.departments[d];
            dept.weight * if dept.is_authority { 0.3 } else { 1.0 }
        });
        requester_samplers.insert(c, (depts.clone(), Cumulative::new(dw)));
    }
    let mut jur_depts = vec![Vec::new(); org.jurisdictions.len()];
    for (d, dept) in org.departments.iter().enumerate() {
        jur_depts[dept.jur].push(d);
    }
    // Requests of the demo year.
    let total = ctx.params.requests_per_city * cities.len();
    let width = if total >= 1_000_000 { 7 } else { 6 };
    let mut g = Gen {
        ctx,
        org,
        catalog,
        rng: Rng::stream(ctx.seed, "share_requests", 0),
        entry_samplers,
        requester_samplers,
        jur_depts,
        grants: Vec::new(),
        grant_seq: BTreeMap::new(),
        stats: vec![ShareStats::default(); org.departments.len()],
        width,
    };

    // Requests of the two years before the years covered, on record through
    // their grants still in force when the years covered begin: as many as
    // a steady platform holds then, so that both years start alike.
    let first = ctx.spans[0].year;
    for (back, share) in CARRIED {
        let y = first - back;
        if y < ctx.history_start.year() {
            continue;
        }
        let n = (total as f64 * share).round() as usize;
        let first = NaiveDate::from_ymd_opt(y, 1, 1).expect("date");
        let last = NaiveDate::from_ymd_opt(y, 12, 31).expect("date");
        let mut subs: Vec<(NaiveDateTime, usize)> = (0..n)
            .map(|_| {
                let day = ctx.wd.random_in(&mut g.rng, first, last).unwrap_or(first);
                let city = *g.rng.pick(&cities);
                (at(day, office_secs(&mut g.rng)), city)
            })
            .collect();
        subs.sort();
        for (i, (sub, city)) in subs.into_iter().enumerate() {
            let id = format!("REQ-{y}-{:0width$}", i + 1);
            let r = g.request(id, city, sub, true);
            write_row(w, &g, &r)?;
        }
    }

    // The two years covered, alike.
    for span in &ctx.spans {
        let (days, sampler) = day_weights(ctx, span);
        let mut subs: Vec<(NaiveDateTime, usize)> = (0..ctx.count_in(span, total))
            .map(|_| {
                let day = days[sampler.sample(&mut g.rng)];
                let city = *g.rng.pick(&cities);
                (at(day, office_secs(&mut g.rng)), city)
            })
            .collect();
        subs.sort();
        let y = span.year;
        for (i, (sub, city)) in subs.into_iter().enumerate() {
            let id = format!("REQ-{y}-{:0width$}", i + 1);
            let r = g.request(id, city, sub, false);
            write_row(w, &g, &r)?;
        }
    }

    let mut grants = g.grants;
    grants.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Sharing {
        grants,
        stats: g.stats,
    })
}

/// Write the grants.
pub fn write_grants(
    org: &Org,
    catalog: &Catalog,
    grants: &[Grant],
    w: &mut TableWriter,
) -> Result<(), DemoError> {
    for gr in grants {
        w.str(&gr.id);
        w.str(&gr.request_id);
        w.str(&org.departments[gr.grantee as usize].id);
        w.str(&catalog.entries[gr.entry as usize].id);
        w.time(gr.granted);
        w.time(gr.expires);
        w.opt_time(gr.revoked);
        w.end_row()?;
    }
    Ok(())
}
