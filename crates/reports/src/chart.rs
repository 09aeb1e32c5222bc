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

/// A time series for [`lines`]: points as (seconds since the chart's start, value).
#[derive(Debug, Clone)]
pub struct Line {
    pub name: String,
    pub color: &'static str,
    pub points: Vec<(f64, f64)>,
}

/// Lines over time with the allowed band shaded (a warehouse's temperature and humidity): the
/// x axis runs over `span_secs` with `ticks` labelled (position in seconds, label).
pub fn lines(
    title: &str,
    span_secs: f64,
    ticks: &[(f64, String)],
    band: Option<(f64, f64)>,
    series: &[Line],
) -> String {
    let (w, h) = (720.0_f64, 260.0_f64);
    let (left, right, top, bottom) = (44.0, 10.0, 34.0, 28.0);
    let values = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if let Some((bl, bh)) = band {
        lo = lo.min(bl);
        hi = hi.max(bh);
    }
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.1).max(1.0);
    let (lo, hi) = (lo - pad, hi + pad);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let x = |t: f64| left + plot_w * (t / span_secs.max(1.0)).clamp(0.0, 1.0);
    let y = |v: f64| top + plot_h - plot_h * (v - lo) / (hi - lo);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{t}" font-family="{FONT}" font-size="12">"#,
        t = esc(title)
    );
    let _ =
        write!(out, r##"<text x="{left}" y="18" font-size="14" font-weight="bold" fill="#222">{}</text>"##, esc(title));
    if let Some((bl, bh)) = band {
        let _ = write!(
            out,
            r##"<rect x="{left}" y="{:.1}" width="{plot_w}" height="{:.1}" fill="#e8f5e9"><title>{bl} – {bh}</title></rect>"##,
            y(bh),
            (y(bl) - y(bh)).max(0.0)
        );
    }
    for i in 0..=4 {
        let v = lo + (hi - lo) * f64::from(i) / 4.0;
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#e3e6ea"/><text x="{}" y="{:.1}" text-anchor="end" fill="#666">{v:.0}</text>"##,
            w - right,
            left - 4.0,
            y(v) + 4.0,
            yy = y(v)
        );
    }
    for (t, label) in ticks {
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{}" text-anchor="middle" fill="#666">{}</text>"##,
            x(*t),
            h - 8.0,
            esc(label)
        );
    }
    let mut lx = w - right;
    for s in series.iter().rev() {
        lx -= 18.0 + s.name.chars().count() as f64 * 13.0;
        let _ = write!(
            out,
            r##"<rect x="{lx}" y="8" width="10" height="10" fill="{}"/><text x="{}" y="17" fill="#333">{}</text>"##,
            s.color,
            lx + 13.0,
            esc(&s.name)
        );
        if s.points.is_empty() {
            continue;
        }
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

/// Grouped vertical bars: one group per label, one bar per series, values on top.
pub fn bars(title: &str, labels: &[String], series: &[Series]) -> String {
    let (w, h) = (720.0_f64, 300.0_f64);
    let (left, right, top, bottom) = (40.0, 10.0, 40.0, 56.0);
    // Counts: the axis runs to a multiple of four so that its four steps are whole numbers.
    let top_value = series.iter().flat_map(|s| s.values.iter()).copied().max().unwrap_or(0).max(1);
    let max = top_value.div_ceil(4).max(1) as f64 * 4.0;
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let group_w = plot_w / labels.len().max(1) as f64;
    let bar_w = (group_w * 0.8 / series.len().max(1) as f64).min(40.0);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{t}" font-family="{FONT}" font-size="12">"#,
        t = esc(title)
    );
    let _ =
        write!(out, r##"<text x="{left}" y="18" font-size="15" font-weight="bold" fill="#222">{}</text>"##, esc(title));
    // Legend.
    let mut x = w - right;
    for s in series.iter().rev() {
        let width = 18.0 + s.name.chars().count() as f64 * 13.0;
        x -= width;
        let _ = write!(
            out,
            r##"<rect x="{x}" y="8" width="10" height="10" fill="{}"/><text x="{}" y="17" fill="#333">{}</text>"##,
            s.color,
            x + 13.0,
            esc(&s.name)
        );
    }
    // Axis and grid: four lines.
    for i in 0..=4 {
        let v = max * f64::from(i) / 4.0;
        let y = top + plot_h - plot_h * f64::from(i) / 4.0;
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#e3e6ea"/><text x="{}" y="{:.1}" text-anchor="end" fill="#666">{}</text>"##,
            w - right,
            left - 4.0,
            y + 4.0,
            v.round()
        );
    }
    for (g, label) in labels.iter().enumerate() {
        let gx = left + group_w * g as f64 + (group_w - bar_w * series.len() as f64) / 2.0;
        for (k, s) in series.iter().enumerate() {
            let v = s.values.get(g).copied().unwrap_or(0);
            let bh = plot_h * v as f64 / max;
            let (bx, by) = (gx + bar_w * k as f64, top + plot_h - bh);
            let bar = format!(
                r##"<rect x="{bx:.1}" y="{by:.1}" width="{:.1}" height="{bh:.1}" fill="{}"><title>{} {}：{v}</title></rect><text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11" fill="#333">{v}</text>"##,
                bar_w - 2.0,
                s.color,
                esc(label),
                esc(&s.name),
                bx + bar_w / 2.0 - 1.0,
                by - 3.0
            );
            match s.links.get(g).filter(|l| !l.is_empty()) {
                Some(href) => {
                    let _ = write!(out, r#"<a href="{}">{bar}</a>"#, esc(href));
                }
                None => out.push_str(&bar),
            }
        }
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#333">{}</text>"##,
            left + group_w * g as f64 + group_w / 2.0,
            h - bottom + 16.0,
            esc(label)
        );
    }
    out.push_str("</svg>");
    out
}

/// The same bars as a PNG picture for documents (Word and WPS show PNG everywhere): bars, grid
/// and legend keys in the series' colours, no text — the document puts the numbers in a table
/// beside it. 720 × 300 pixels.
pub fn bars_png(groups: usize, series: &[(&str, [u8; 3], Vec<u64>)]) -> Vec<u8> {
    use image::{Rgb, RgbImage};
    let (w, h) = (720u32, 300u32);
    let (left, right, top, bottom) = (20u32, 10u32, 30u32, 20u32);
    let mut img = RgbImage::from_pixel(w, h, Rgb([255, 255, 255]));
    let mut fill = |x0: u32, y0: u32, x1: u32, y1: u32, c: [u8; 3]| {
        for x in x0.min(w)..x1.min(w) {
            for y in y0.min(h)..y1.min(h) {
                img.put_pixel(x, y, Rgb(c));
            }
        }
    };
    let top_value = series.iter().flat_map(|s| s.2.iter()).copied().max().unwrap_or(0).max(1);
    let max = top_value.div_ceil(4).max(1) * 4;
    let plot_h = h - top - bottom;
    for i in 0..=4 {
        let y = top + plot_h - plot_h * i / 4;
        fill(left, y, w - right, y + 1, [227, 230, 234]);
    }
    for (k, (_, color, _)) in series.iter().enumerate() {
        let x = w - right - 20 * (series.len() as u32 - k as u32);
        fill(x, 8, x + 12, 20, *color);
    }
    let group_w = (w - left - right) / groups.max(1) as u32;
    let bar_w = (group_w * 8 / 10 / series.len().max(1) as u32).clamp(2, 40);
    for g in 0..groups as u32 {
        let gx = left + group_w * g + (group_w - bar_w * series.len() as u32) / 2;
        for (k, (_, color, values)) in series.iter().enumerate() {
            let v = values.get(g as usize).copied().unwrap_or(0);
            let bh = (u64::from(plot_h) * v / max) as u32;
            let bx = gx + bar_w * k as u32;
            fill(bx, top + plot_h - bh, bx + bar_w - 2, top + plot_h, *color);
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).expect("PNG encodes in memory");
    out.into_inner()
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
        // The axis runs to 40 (a multiple of four): the largest bar fills the plot (300 - 40 - 56).
        assert!(svg.contains(r#"height="204.0""#), "{svg}");
        assert!(svg.contains(">10</text>") && svg.contains(">30</text>"), "whole-number steps");
    }

    #[test]
    fn the_png_has_the_tallest_bar_reaching_the_top_of_the_plot() {
        let png = bars_png(2, &[("发现", [198, 40, 40], vec![2, 8]), ("销号", [46, 125, 50], vec![1, 4])]);
        let img = image::load_from_memory(&png).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), (720, 300));
        // The second group's red bar (8 of an axis to 8) starts at the plot's top, y = 30.
        let column: Vec<u32> = (0..720).filter(|x| img.get_pixel(*x, 31).0 == [198, 40, 40]).collect();
        assert!(!column.is_empty() && column[0] > 360, "{column:?}");
        assert_eq!(img.get_pixel(column[0], 29).0, [255, 255, 255]);
    }
}
