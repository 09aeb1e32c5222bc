//! Charts as SVG, drawn on the server so that a page shows them with no script, prints them, and
//! a report can embed them: grouped vertical bars with a legend, each bar optionally a link to
//! the records behind it. Text is escaped; fonts are the system's CJK fonts (no web fonts).

use std::fmt::Write;

/// One series of a bar chart.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    /// A CSS colour.
    pub color: &'static str,
    pub values: Vec<u64>,
    /// Where each bar leads (same length as `values`, or empty).
    pub links: Vec<String>,
}

const FONT: &str = "Noto Sans CJK SC, WenQuanYi Zen Hei, Microsoft YaHei, sans-serif";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An axis for counts up to `top`: a round step (1, 2 or 5 times a power of ten) and the top
/// it reaches in four or five steps — ticks read 0, 50, 100, 150, 200, never 0, 76, 152.
pub fn nice_axis(top: f64) -> (f64, f64) {
    let top = if top.is_finite() && top > 0.0 { top } else { 1.0 };
    let raw = top / 4.0;
    let pow = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * pow).find(|s| *s >= raw).unwrap_or(10.0 * pow).max(1.0);
    ((top / step).ceil() * step, step)
}

/// The title on the first row and the legend on its own row beneath, so that neither ever sits
/// on the other however long the title.
fn head(out: &mut String, title: &str, left: f64, names: &[(&str, &str)]) {
    let _ =
        write!(out, r##"<text x="{left}" y="18" font-size="15" font-weight="bold" fill="#222">{}</text>"##, esc(title));
    let mut x = left;
    for (name, color) in names {
        let _ = write!(
            out,
            r##"<rect x="{x}" y="28" width="10" height="10" fill="{color}"/><text x="{}" y="37" fill="#333">{}</text>"##,
            x + 13.0,
            esc(name)
        );
        x += 26.0 + name.chars().count() as f64 * 15.0;
    }
}

fn open_svg(out: &mut String, w: f64, h: f64, title: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{t}" font-family="{FONT}" font-size="14">"#,
        t = esc(title)
    );
}

/// A time series for [`lines`]: points as (seconds since the chart's start, value).
#[derive(Debug, Clone)]
pub struct Line {
    pub name: String,
    pub color: &'static str,
    pub points: Vec<(f64, f64)>,
}

/// Lines over time with the allowed band shaded (a warehouse's temperature and humidity): the
/// x axis runs over `span_secs` with `ticks` labelled (position in seconds, label). Drawn 560
/// wide so that its text stays readable on a phone; the first and last tick labels stay inside.
pub fn lines(
    title: &str,
    span_secs: f64,
    ticks: &[(f64, String)],
    band: Option<(f64, f64)>,
    series: &[Line],
) -> String {
    let (w, h) = (560.0_f64, 260.0_f64);
    let (left, right, top, bottom) = (40.0, 10.0, 50.0, 26.0);
    let values = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if let Some((bl, bh)) = band {
        lo = lo.min(bl);
        hi = hi.max(bh);
    }
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    // Round steps over the range, with a little room above and below.
    let (_, step) = nice_axis((hi - lo).max(1.0));
    let lo = ((lo - step * 0.5) / step).floor() * step;
    let hi = ((hi + step * 0.5) / step).ceil() * step;
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let x = |t: f64| left + plot_w * (t / span_secs.max(1.0)).clamp(0.0, 1.0);
    let y = |v: f64| top + plot_h - plot_h * (v - lo) / (hi - lo);
    let mut out = String::new();
    open_svg(&mut out, w, h, title);
    let names: Vec<(&str, &str)> = series.iter().map(|s| (s.name.as_str(), s.color)).collect();
    head(&mut out, title, left, &names);
    if let Some((bl, bh)) = band {
        let _ = write!(
            out,
            r##"<rect x="{left}" y="{:.1}" width="{plot_w}" height="{:.1}" fill="#e8f5e9"><title>{bl} – {bh}</title></rect>"##,
            y(bh),
            (y(bl) - y(bh)).max(0.0)
        );
    }
    let mut v = lo;
    while v <= hi + step * 0.01 {
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#e3e6ea"/><text x="{}" y="{:.1}" text-anchor="end" fill="#666">{v}</text>"##,
            w - right,
            left - 4.0,
            y(v) + 4.0,
            yy = y(v)
        );
        v += step;
    }
    for (i, (t, label)) in ticks.iter().enumerate() {
        let anchor = match i {
            0 if x(*t) - left < 30.0 => "start",
            _ if i + 1 == ticks.len() && w - right - x(*t) < 30.0 => "end",
            _ => "middle",
        };
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{}" text-anchor="{anchor}" fill="#666">{}</text>"##,
            x(*t),
            h - 8.0,
            esc(label)
        );
    }
    for s in series.iter().filter(|s| !s.points.is_empty()) {
        let path: Vec<String> = s.points.iter().map(|(t, v)| format!("{:.1},{:.1}", x(*t), y(*v))).collect();
        let _ = write!(
            out,
            r##"<polyline fill="none" stroke="{}" stroke-width="1.5" points="{}"/>"##,
            s.color,
            path.join(" ")
        );
    }
    out.push_str("</svg>");
    out
}

/// More categories than this (or names too long for their group) and the bars lie down, one row
/// per category with its name in full.
const UPRIGHT_AT_MOST: usize = 12;

/// Grouped bars, values beside them, each bar optionally a link: upright for a few categories
/// (months, counties), lying down with room for the names for many (firms).
pub fn bars(title: &str, labels: &[String], series: &[Series]) -> String {
    let top_value = series.iter().flat_map(|s| s.values.iter()).copied().max().unwrap_or(0).max(1);
    let (max, step) = nice_axis(top_value as f64);
    let mut out = String::new();
    let names: Vec<(&str, &str)> = series.iter().map(|s| (s.name.as_str(), s.color)).collect();
    let bar = |out: &mut String, g: usize, s: &Series, rect: String| match s.links.get(g).filter(|l| !l.is_empty()) {
        Some(href) => {
            let _ = write!(out, r#"<a href="{}">{rect}</a>"#, esc(href));
        }
        None => out.push_str(&rect),
    };
    // Upright only while every name fits under its own group; otherwise they would run into each
    // other (and into the axis), so the bars lie down with the names in full beside them.
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    let fits = longest * 15.0 <= (640.0 - 50.0) / labels.len().max(1) as f64 - 4.0;
    if labels.len() > UPRIGHT_AT_MOST || !fits {
        // Lying down: the longest name sets the left margin; a row per category.
        // A character of CJK text is as wide as the font is high (14), with a little to spare.
        let (w, left, right, top) = (640.0_f64, (longest * 15.0 + 14.0).clamp(60.0, 320.0), 40.0, 50.0);
        // A series a line of its own: the bar 10 high, its value beside it in 11-point text,
        // whose box (with the CJK fonts' ascent and descent) is about 14 high — lines 16 apart
        // keep one series' value off the next one's.
        let row_h = 10.0 + 16.0 * series.len() as f64;
        let h = top + row_h * labels.len() as f64 + 24.0;
        let plot_w = w - left - right;
        open_svg(&mut out, w, h, title);
        head(&mut out, title, 10.0, &names);
        let mut v = 0.0;
        while v <= max + 0.01 {
            let gx = left + plot_w * v / max;
            let _ = write!(
                out,
                r##"<line x1="{gx:.1}" x2="{gx:.1}" y1="{top}" y2="{:.1}" stroke="#e3e6ea"/><text x="{gx:.1}" y="{:.1}" text-anchor="middle" fill="#666">{v}</text>"##,
                h - 20.0,
                h - 6.0
            );
            v += step;
        }
        for (g, label) in labels.iter().enumerate() {
            let gy = top + row_h * g as f64;
            let _ = write!(
                out,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="#333">{}</text>"##,
                left - 6.0,
                gy + row_h / 2.0 + 4.0,
                esc(label)
            );
            for (k, s) in series.iter().enumerate() {
                let v = s.values.get(g).copied().unwrap_or(0);
                let bw = plot_w * v as f64 / max;
                let by = gy + 5.0 + 16.0 * k as f64;
                let rect = format!(
                    r##"<rect x="{left}" y="{by:.1}" width="{bw:.1}" height="10" fill="{}"><title>{} {}：{v}</title></rect><text x="{:.1}" y="{:.1}" font-size="11" fill="#333">{v}</text>"##,
                    s.color,
                    esc(label),
                    esc(&s.name),
                    left + bw + 3.0,
                    by + 9.0
                );
                bar(&mut out, g, s, rect);
            }
        }
        out.push_str("</svg>");
        return out;
    }
    let (w, h) = (640.0_f64, 300.0_f64);
    let (left, right, top, bottom) = (40.0, 10.0, 56.0, 40.0);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let group_w = plot_w / labels.len().max(1) as f64;
    let bar_w = (group_w * 0.8 / series.len().max(1) as f64).min(40.0);
    open_svg(&mut out, w, h, title);
    head(&mut out, title, left, &names);
    let mut v = 0.0;
    while v <= max + 0.01 {
        let y = top + plot_h - plot_h * v / max;
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#e3e6ea"/><text x="{}" y="{:.1}" text-anchor="end" fill="#666">{v}</text>"##,
            w - right,
            left - 4.0,
            y + 4.0
        );
        v += step;
    }
    for (g, label) in labels.iter().enumerate() {
        let gx = left + group_w * g as f64 + (group_w - bar_w * series.len() as f64) / 2.0;
        for (k, s) in series.iter().enumerate() {
            let v = s.values.get(g).copied().unwrap_or(0);
            let bh = plot_h * v as f64 / max;
            let (bx, by) = (gx + bar_w * k as f64, top + plot_h - bh);
            let rect = format!(
                r##"<rect x="{bx:.1}" y="{by:.1}" width="{:.1}" height="{bh:.1}" fill="{}"><title>{} {}：{v}</title></rect><text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11" fill="#333">{v}</text>"##,
                bar_w - 2.0,
                s.color,
                esc(label),
                esc(&s.name),
                bx + bar_w / 2.0 - 1.0,
                by - 3.0
            );
            bar(&mut out, g, s, rect);
        }
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#333">{}</text>"##,
            left + group_w * g as f64 + group_w / 2.0,
            h - bottom + 18.0,
            esc(label)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_escape_text_and_link() {
        let svg = bars(
            "隐患 <按月>",
            &["7月".into(), "8月".into()],
            &[
                Series {
                    name: "发现".into(),
                    color: "#c62828",
                    values: vec![10, 40],
                    links: vec!["/hazards?month=2022-07".into(), String::new()],
                },
                Series { name: "销号".into(), color: "#2e7d32", values: vec![5, 20], links: vec![] },
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("隐患 &lt;按月&gt;") && !svg.contains("<按月>"));
        assert!(svg.contains(r#"<a href="/hazards?month=2022-07">"#));
        assert_eq!(svg.matches("<rect x=").count(), 4 + 2, "four bars and two legend keys");
        // The axis runs to 40 in steps of 10: the largest bar fills the plot (300 - 56 - 40).
        assert!(svg.contains(r#"height="204.0""#), "{svg}");
        assert!(svg.contains(">10</text>") && svg.contains(">30</text>"), "whole-number steps");
    }

    #[test]
    fn axes_step_by_round_numbers() {
        assert_eq!(nice_axis(152.0), (200.0, 50.0));
        assert_eq!(nice_axis(4.0), (4.0, 1.0));
        assert_eq!(nice_axis(9.0), (10.0, 5.0));
        assert_eq!(nice_axis(0.0), (1.0, 1.0));
        for top in [1.0, 3.0, 7.0, 13.0, 76.0, 999.0, 12_345.0] {
            let (max, step) = nice_axis(top);
            let lead = step / 10f64.powf(step.log10().floor());
            assert!([1.0, 2.0, 5.0].iter().any(|m| (lead - m).abs() < 1e-9), "{top}: step {step}");
            assert!(max >= top && max / step <= 5.0, "{top}: {max}/{step}");
        }
    }

    #[test]
    fn many_categories_lie_down_with_their_names_in_full() {
        let names: Vec<String> = (0..45).map(|i| format!("晋城市某某机械制造有限公司{i}")).collect();
        let s = Series { name: "未销号".into(), color: "#1f4f8f", values: (0..45).collect(), links: vec![] };
        let svg = bars("各企业未销号隐患", &names, &[s]);
        assert!(svg.contains("晋城市某某机械制造有限公司44"));
        assert!(svg.contains(r#"text-anchor="end""#), "names right-aligned beside their bars");
        // One row per firm: 45 bars (and the legend key).
        assert_eq!(svg.matches(r##"height="10" fill="#1f4f8f""##).count(), 45 + 1, "and the legend key");
    }
}
