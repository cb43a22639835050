//! The annual report's charts, drawn with plotters as SVG and embedded in
//! the PDF through the template's inputs (typst renders SVG text with the
//! loaded fonts, so Chinese labels need nothing else).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::DocumentError;
use crate::evaluation::year::YearEvaluation;

/// Chart size in SVG pixels; shown 156 mm wide (the version block).
const SIZE: (u32, u32) = (900, 460);
const FONT: &str = "FandolHei";
const BLUE: RGBColor = RGBColor(0x2f, 0x55, 0x97);
const RED_LINE: RGBColor = RGBColor(0xc0, 0x1c, 0x1c);
const GREY: RGBColor = RGBColor(0x99, 0x99, 0x99);

// Bars of zero are left out of every chart: an SVG rect of zero height is
// invalid (usvg drops it with a warning).

fn fail(e: impl std::fmt::Display) -> DocumentError {
    DocumentError::Typst(format!("chart: {e}"))
}

fn draw(
    paint: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), DocumentError>,
) -> Result<String, DocumentError> {
    draw_sized(SIZE, paint)
}

fn draw_sized(
    size: (u32, u32),
    paint: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), DocumentError>,
) -> Result<String, DocumentError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(fail)?;
        paint(&root)?;
        root.present().map_err(fail)?;
    }
    Ok(svg)
}

fn style(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

/// Requests per month (bars) and the approval on-time rate (line, right
/// axis, percent; months without judged items are left out).
pub fn monthly(requests: &[u64; 12], on_time: &[Option<f64>; 12]) -> Result<String, DocumentError> {
    draw(|root| {
        let max = requests.iter().copied().max().unwrap_or(0).max(1);
        let top = nice_ceiling(max as f64 * 1.15) as u64;
        // The two axes are named horizontally above them: a rotated CJK
        // label on the right axis reads bottom-up in plotters' SVG.
        axis_name(root, "申请量（件）", HPos::Left)?;
        axis_name(root, "审批按时率（%）", HPos::Right)?;
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .margin_top(44)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .right_y_label_area_size(70)
            .build_cartesian_2d((1u32..12u32).into_segmented(), 0u64..top)
            .map_err(fail)?
            .set_secondary_coord(0.5f64..12.5f64, 0f64..100f64);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GREY.mix(0.3))
            .x_labels(12)
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(m) => format!("{m}月"),
                _ => String::new(),
            })
            .label_style(style(20))
            .draw()
            .map_err(fail)?;
        chart
            .configure_secondary_axes()
            .label_style(style(20))
            .draw()
            .map_err(fail)?;
        let bars = Histogram::vertical(&chart)
            .style(BLUE.mix(0.85).filled())
            .margin(10)
            .data(
                (1u32..=12)
                    .map(|m| (m, requests[m as usize - 1]))
                    .filter(|b| b.1 > 0),
            );
        chart.draw_series(bars).map_err(fail)?;
        let points: Vec<(f64, f64)> = on_time
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.map(|r| (i as f64 + 1.0, r * 100.0)))
            .collect();
        chart
            .draw_secondary_series(LineSeries::new(points.clone(), RED_LINE.stroke_width(3)))
            .map_err(fail)?;
        chart
            .draw_secondary_series(points.iter().map(|&p| Circle::new(p, 5, RED_LINE.filled())))
            .map_err(fail)?;
        Ok(())
    })
}

/// The lines of a trend chart are told apart by colour *and* by the shape
/// of their markers, so that they read in grey print and for the
/// colour-blind (Okabe–Ito colours, distinct for all common colour
/// vision deficiencies).
const LINE_COLOURS: [RGBColor; 6] = [
    RGBColor(0x00, 0x72, 0xb2),
    RGBColor(0xd5, 0x5e, 0x00),
    RGBColor(0x00, 0x9e, 0x73),
    RGBColor(0xcc, 0x79, 0xa7),
    RGBColor(0xe6, 0x9f, 0x00),
    RGBColor(0x56, 0xb4, 0xe9),
];

/// A marker's shape, by line: circle, triangle, square, cross, then again.
#[derive(Debug, Clone, Copy)]
enum Marker {
    Circle,
    Triangle,
    Square,
    Cross,
}

impl Marker {
    fn of_line(i: usize) -> Marker {
        [
            Marker::Circle,
            Marker::Triangle,
            Marker::Square,
            Marker::Cross,
        ][i % 4]
    }

    /// The marker at `at` (pixels, relative to the point it marks).
    fn element<DB: DrawingBackend>(
        self,
        at: (i32, i32),
        colour: RGBColor,
    ) -> DynElement<'static, DB, (i32, i32)> {
        let size = 6;
        match self {
            Marker::Circle => Circle::new(at, size, colour.filled()).into_dyn(),
            Marker::Triangle => TriangleMarker::new(at, size + 1, colour.filled()).into_dyn(),
            Marker::Square => Rectangle::new(
                [(at.0 - size, at.1 - size), (at.0 + size, at.1 + size)],
                colour.filled(),
            )
            .into_dyn(),
            Marker::Cross => Cross::new(at, size, colour.stroke_width(3)).into_dyn(),
        }
    }
}

/// The width of a trend chart's legend, right of its plot.
const LEGEND_WIDTH: u32 = 170;

/// One line of a trend chart: its name and its rate (0–1) per month,
/// January first; none in a month where nothing was judged.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendLine {
    /// What it measures (a legend entry).
    pub name: String,
    /// Which colour and marker it is drawn in (the same measure keeps its
    /// look from chart to chart, whichever lines a chart has).
    pub look: usize,
    /// The rate per month.
    pub rates: [Option<f64>; 12],
}

/// Rates per month, one line per measure (a check's on-time rate), with a
/// legend. A month without judged items is a gap in its line, not a zero.
pub fn monthly_rates(lines: &[TrendLine]) -> Result<String, DocumentError> {
    draw(|root| {
        if lines.iter().all(|l| l.rates.iter().all(Option::is_none)) {
            return empty(root, "本期暂无已判定事项");
        }
        axis_name(root, "达标率（%）", HPos::Left)?;
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .margin_top(44)
            .margin_right(LEGEND_WIDTH)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(0.5f64..12.5f64, 0f64..105f64)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GREY.mix(0.3))
            .x_labels(12)
            .x_label_formatter(&|v| {
                let m = v.round();
                if (v - m).abs() < 1e-6 && (1.0..=12.0).contains(&m) {
                    format!("{m}月")
                } else {
                    String::new()
                }
            })
            .y_labels(6)
            .y_label_formatter(&|v| {
                if *v <= 100.0 {
                    format!("{v:.0}")
                } else {
                    String::new()
                }
            })
            .label_style(style(20))
            .draw()
            .map_err(fail)?;
        for (i, line) in lines.iter().enumerate() {
            let colour = LINE_COLOURS[line.look % LINE_COLOURS.len()];
            let marker = Marker::of_line(line.look);
            let points: Vec<(f64, f64)> = line
                .rates
                .iter()
                .enumerate()
                .filter_map(|(m, r)| r.map(|r| (m as f64 + 1.0, r * 100.0)))
                .collect();
            // Consecutive months joined; a month without a rate breaks it.
            for run in points.chunk_by(|a, b| (b.0 - a.0 - 1.0).abs() < 1e-6) {
                chart
                    .draw_series(LineSeries::new(run.to_vec(), colour.stroke_width(3)))
                    .map_err(fail)?;
            }
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|&p| EmptyElement::at(p) + marker.element((0, 0), colour)),
                )
                .map_err(fail)?;
            // The legend, right of the plot where it hides no point.
            let x = SIZE.0 as i32 - LEGEND_WIDTH as i32 + 24;
            let y = 64 + 32 * i as i32;
            root.draw(&(EmptyElement::at((x, y)) + marker.element((0, 0), colour)))
                .map_err(fail)?;
            root.draw(&Text::new(
                line.name.clone(),
                (x + 18, y),
                style(18).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(fail)?;
        }
        Ok(())
    })
}

/// The lowest percentage a sparkline shows: 10 points below its lowest
/// rate, rounded down to a ten (0 at least), so that a rate moving
/// between 88 % and 96 % is seen to move; the top is always 100 %, drawn
/// as a grey line.
fn sparkline_floor(points: &[(f64, f64)]) -> f64 {
    let lowest = points.iter().map(|p| p.1).fold(100.0, f64::min);
    (((lowest - 10.0) / 10.0).floor() * 10.0).max(0.0)
}

/// A sparkline for a table cell: a rate (0–1) per month, without axes (the
/// cell's label gives the figures); a month without judged items is a
/// gap, a month alone between gaps a dot, and the last month a dot.
pub fn sparkline(rates: &[Option<f64>; 12]) -> Result<String, DocumentError> {
    const SPARK: (u32, u32) = (120, 28);
    let points: Vec<(f64, f64)> = rates
        .iter()
        .enumerate()
        .filter_map(|(m, r)| r.map(|r| (m as f64 + 1.0, r * 100.0)))
        .collect();
    draw_sized(SPARK, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(4)
            .build_cartesian_2d(0.5f64..12.5f64, sparkline_floor(&points)..100f64)
            .map_err(fail)?;
        chart
            .draw_series(LineSeries::new(
                [(0.5, 100.0), (12.5, 100.0)],
                GREY.mix(0.4).stroke_width(1),
            ))
            .map_err(fail)?;
        for run in points.chunk_by(|a, b| (b.0 - a.0 - 1.0).abs() < 1e-6) {
            chart
                .draw_series(LineSeries::new(run.to_vec(), BLUE.stroke_width(2)))
                .map_err(fail)?;
            if let [alone] = run {
                chart
                    .draw_series(std::iter::once(Circle::new(*alone, 2, BLUE.filled())))
                    .map_err(fail)?;
            }
        }
        if let Some(&last) = points.last() {
            chart
                .draw_series(std::iter::once(Circle::new(last, 3, BLUE.filled())))
                .map_err(fail)?;
        }
        Ok(())
    })
}

/// Horizontal bars: a rate (0–1) per named unit, highest first.
pub fn overdue_by_department(rows: &[(String, f64)]) -> Result<String, DocumentError> {
    draw(|root| {
        if rows.is_empty() {
            return empty(root, "无超期审批事项");
        }
        let n = rows.len() as i32;
        let max = rows.iter().map(|r| r.1 * 100.0).fold(0.0, f64::max);
        let top = nice_ceiling(max * 1.15).max(5.0);
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(330)
            .build_cartesian_2d(0f64..top, (0i32..n).into_segmented())
            .map_err(fail)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GREY.mix(0.3))
            .y_labels(rows.len())
            .y_label_formatter(&|v| match v {
                // Highest rate at the top.
                SegmentValue::CenterOf(i) => rows
                    .get((n - 1 - i) as usize)
                    .map(|r| r.0.clone())
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .x_desc("超期率（%）")
            .label_style(style(18))
            .axis_desc_style(style(20))
            .draw()
            .map_err(fail)?;
        chart
            .draw_series(
                Histogram::horizontal(&chart)
                    .style(RED_LINE.mix(0.8).filled())
                    .margin(6)
                    .data(
                        rows.iter()
                            .enumerate()
                            .map(|(i, r)| (n - 1 - i as i32, r.1 * 100.0)),
                    ),
            )
            .map_err(fail)?;
        Ok(())
    })
}

/// The score distribution of an evaluation's departments (those with a
/// published score): the annual report's chart, and 总览's.
pub fn department_scores(e: &YearEvaluation) -> Result<String, DocumentError> {
    score_distribution(
        &e.departments
            .iter()
            .filter_map(|d| d.published)
            .collect::<Vec<_>>(),
    )
}

/// The counties' published scores in rank order: the annual report's
/// chart, and 总览's.
pub fn county_scores(e: &YearEvaluation) -> Result<String, DocumentError> {
    county_comparison(
        &e.counties
            .iter()
            .filter_map(|c| c.published.map(|p| (c.score.name.clone(), p)))
            .collect::<Vec<_>>(),
    )
}

/// Vertical bars: how many departments scored in each ten-point band.
pub fn score_distribution(scores: &[f64]) -> Result<String, DocumentError> {
    draw(|root| {
        let mut bins = [0u32; 10];
        for s in scores {
            let b = ((s / 10.0).floor() as i64).clamp(0, 9) as usize;
            bins[b] += 1;
        }
        let top = (bins.iter().copied().max().unwrap_or(0) as f64 * 1.2)
            .ceil()
            .max(1.0) as u32;
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d((0u32..9u32).into_segmented(), 0u32..top)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GREY.mix(0.3))
            .x_labels(10)
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(b) if *b == 9 => "90–100".to_string(),
                SegmentValue::CenterOf(b) => format!("{}–{}", b * 10, b * 10 + 10),
                _ => String::new(),
            })
            .x_desc("得分区间")
            .y_desc("部门数（个）")
            .label_style(style(20))
            .axis_desc_style(style(20))
            .draw()
            .map_err(fail)?;
        chart
            .draw_series(
                Histogram::vertical(&chart)
                    .style(BLUE.mix(0.85).filled())
                    .margin(8)
                    .data(
                        (0u32..10)
                            .map(|b| (b, bins[b as usize]))
                            .filter(|b| b.1 > 0),
                    ),
            )
            .map_err(fail)?;
        Ok(())
    })
}

/// Vertical bars: each county's score, in the given (rank) order.
pub fn county_comparison(rows: &[(String, f64)]) -> Result<String, DocumentError> {
    draw(|root| {
        if rows.is_empty() {
            return empty(root, "无参评县（市、区）");
        }
        let n = rows.len() as u32;
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d((0u32..n - 1).into_segmented(), 0f64..100f64)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GREY.mix(0.3))
            .x_labels(rows.len())
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => rows
                    .get(*i as usize)
                    .map(|r| r.0.clone())
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .y_desc("得分")
            .label_style(style(20))
            .axis_desc_style(style(20))
            .draw()
            .map_err(fail)?;
        chart
            .draw_series(
                Histogram::vertical(&chart)
                    .style(BLUE.mix(0.85).filled())
                    .margin(14)
                    .data(
                        rows.iter()
                            .enumerate()
                            .map(|(i, r)| (i as u32, r.1))
                            .filter(|b| b.1 > 0.0),
                    ),
            )
            .map_err(fail)?;
        chart
            .draw_series(rows.iter().enumerate().map(|(i, r)| {
                Text::new(
                    format!("{:.1}", r.1),
                    (SegmentValue::CenterOf(i as u32), (r.1 + 6.0).min(99.0)),
                    style(18).pos(Pos::new(HPos::Center, VPos::Center)),
                )
            }))
            .map_err(fail)?;
        Ok(())
    })
}

/// An axis's name, set horizontally in the top margin above the left or
/// the right axis.
fn axis_name(
    root: &DrawingArea<SVGBackend, Shift>,
    name: &str,
    side: HPos,
) -> Result<(), DocumentError> {
    let x = match side {
        HPos::Right => SIZE.0 as i32 - 16,
        _ => 16,
    };
    root.draw(&Text::new(
        name.to_string(),
        (x, 12),
        style(20).pos(Pos::new(side, VPos::Top)),
    ))
    .map_err(fail)
}

fn empty(root: &DrawingArea<SVGBackend, Shift>, message: &str) -> Result<(), DocumentError> {
    root.draw(&Text::new(
        message.to_string(),
        (SIZE.0 as i32 / 2, SIZE.1 as i32 / 2),
        style(24).pos(Pos::new(HPos::Center, VPos::Center)),
    ))
    .map_err(fail)
}

/// The smallest of 1, 2, 5 × 10ⁿ at or above `x`.
fn nice_ceiling(x: f64) -> f64 {
    if x <= 1.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|v| *v >= x)
        .unwrap_or(10.0 * magnitude)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_svg_with_their_labels() {
        let mut req = [0u64; 12];
        req[2] = 30;
        let mut rate = [None; 12];
        rate[2] = Some(0.9);
        let svg = monthly(&req, &rate).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("3月") && svg.contains("审批按时率"));
        let svg = overdue_by_department(&[("民政局".into(), 0.2), ("<&>".into(), 0.1)]).unwrap();
        assert!(
            svg.contains("民政局") && svg.contains("&lt;&amp;&gt;"),
            "labels are escaped"
        );
        assert!(
            score_distribution(&[55.0, 91.5, 100.0])
                .unwrap()
                .contains("90–100")
        );
        assert!(
            county_comparison(&[("新川县".into(), 88.26)])
                .unwrap()
                .contains("88.3")
        );
        assert!(
            overdue_by_department(&[])
                .unwrap()
                .contains("无超期审批事项")
        );
    }

    #[test]
    fn trend_lines_break_at_months_without_a_rate() {
        let mut rates = [None; 12];
        rates[0] = Some(0.5);
        rates[1] = Some(0.75);
        rates[3] = Some(1.0);
        let lines = [
            TrendLine {
                name: "共享申请审批".into(),
                look: 0,
                rates,
            },
            TrendLine {
                name: "<目录>".into(),
                look: 1,
                rates: [Some(0.9); 12],
            },
        ];
        let svg = monthly_rates(&lines).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("12月") && svg.contains("达标率"));
        assert!(svg.contains("共享申请审批") && svg.contains("&lt;目录&gt;"));
        // The first line: two runs (Jan–Feb, Apr), so two polylines in its
        // colour; the second: one.
        let runs = |colour: &str| {
            svg.lines()
                .filter(|l| l.contains("<polyline") && l.contains(colour))
                .count()
        };
        assert_eq!(runs("#0072B2"), 2, "{svg}");
        assert_eq!(runs("#D55E00"), 1);
        assert!(monthly_rates(&[]).unwrap().contains("本期暂无已判定事项"));

        assert_eq!(sparkline_floor(&[(1.0, 88.0), (2.0, 96.0)]), 70.0);
        assert_eq!(sparkline_floor(&[(1.0, 5.0)]), 0.0);
        assert_eq!(sparkline_floor(&[]), 90.0);
        let spark = sparkline(&rates).unwrap();
        assert!(spark.starts_with("<svg") && spark.contains("width=\"120\""));
        assert!(!spark.contains("<text"), "no text in a sparkline");
    }

    #[test]
    fn nice_ceilings() {
        assert_eq!(nice_ceiling(0.3), 1.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(11.0), 20.0);
        assert_eq!(nice_ceiling(230.0), 250.0);
    }
}
