//! Vector figures: line charts of metric histories, bar charts, and the lineage diagram.
//! Axes carry titles and "nice" ticks (steps of 1, 2 or 5 times a power of ten); a chart of
//! more than one series has a legend; a threshold is drawn as a dashed red line.

use super::layout::{Rgbf, Weight, Writer, BLACK, BLUE, GREY, LEFT, RED};

/// Colours of successive series.
const SERIES: [Rgbf; 4] = [
    BLUE,
    Rgbf(0.85, 0.45, 0.1),
    Rgbf(0.2, 0.6, 0.3),
    Rgbf(0.5, 0.3, 0.7),
];

/// A "nice" number near `x`: 1, 2 or 5 times a power of ten (rounded, or the next above).
fn nice_num(x: f64, round: bool) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 1.0;
    }
    let exp = x.log10().floor();
    let f = x / 10f64.powf(exp);
    let nf = if round {
        if f < 1.5 {
            1.0
        } else if f < 3.0 {
            2.0
        } else if f < 7.0 {
            5.0
        } else {
            10.0
        }
    } else if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nf * 10f64.powf(exp)
}

/// Ticks covering `[min, max]`: (first, last, step), about `target` of them, on a 1–2–5 step.
/// Values too large or too close for their magnitude (1e308, 1e20 and 1e20 + 1) get a range
/// that still has a finite, representable step.
pub fn nice_ticks(min: f64, max: f64, target: usize) -> (f64, f64, f64) {
    let (min, max) = if min.is_finite() && max.is_finite() {
        (min.max(-1e300), max.min(1e300))
    } else {
        (0.0, 1.0)
    };
    // A span below the values' own precision is widened to one a step can resolve.
    let floor = (min.abs().max(max.abs()) * 1e-9).max(1e-12);
    let (min, max) = if (max - min).abs() < floor {
        (min - floor.max(0.5), max + floor.max(0.5))
    } else {
        (min, max)
    };
    let range = nice_num(max - min, false);
    let step = nice_num(range / (target.max(2) - 1) as f64, true);
    (
        (min / step).floor() * step,
        (max / step).ceil() * step,
        step,
    )
}

/// The tick values from `lo` to `hi` by `step`, at most 51 (a loop over a count: adding a step
/// too small for the value's magnitude would never reach the end).
fn ticks(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let n = ((hi - lo) / step).round();
    let n = if n.is_finite() {
        n.clamp(0.0, 50.0) as usize
    } else {
        0
    };
    (0..=n).map(|k| lo + k as f64 * step).collect()
}

/// A tick label with as many decimals as the step needs (0.05 → "0.85", 20 → "140").
pub fn tick_label(v: f64, step: f64) -> String {
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    let s = format!("{v:.decimals$}");
    if s == "-0" || s.starts_with("-0.") && s.trim_start_matches("-0.").chars().all(|c| c == '0') {
        s.trim_start_matches('-').to_string()
    } else {
        s
    }
}

/// A value as written in a label (up to 4 decimals, trailing zeros dropped).
fn value_label(x: f64) -> String {
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// One line of a line chart.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// (x, y) points.
    pub points: Vec<(f64, f64)>,
}

/// What a line chart shows besides its series.
#[derive(Debug, Clone, Default)]
pub struct Axes {
    /// Title of the horizontal axis, with its unit.
    pub x_title: String,
    /// Title of the vertical axis, with its unit.
    pub y_title: String,
    /// A threshold to draw across, with its label.
    pub threshold: Option<(f64, String)>,
}

/// A line chart with titled axes, nice ticks, a legend (more than one series) and an
/// optional threshold line.
pub fn line_chart(w: &mut Writer, title: &str, series: &[Series], axes: &Axes) {
    let height = 150.0;
    w.ensure(height + 40.0);
    w.y -= 14.0;
    w.text_at(LEFT, w.y, title, Weight::Bold, 9.5, BLACK);
    let (x0, x1) = (LEFT + 58.0, w.right() - 10.0);
    let (y1, y0) = (w.y - 12.0, w.y - height);
    // Points a chart cannot place (NaN, infinities) are left out, never drawn off the page.
    let series: Vec<Series> = series
        .iter()
        .map(|s| Series {
            label: s.label.clone(),
            points: s
                .points
                .iter()
                .copied()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect(),
        })
        .collect();
    let series = &series[..];
    let all: Vec<(f64, f64)> = series.iter().flat_map(|s| s.points.clone()).collect();
    if all.is_empty() {
        w.y = y0;
        return;
    }
    let (mut minx, mut maxx) = (f64::MAX, f64::MIN);
    let (mut miny, mut maxy) = (f64::MAX, f64::MIN);
    for (x, y) in &all {
        minx = minx.min(*x);
        maxx = maxx.max(*x);
        miny = miny.min(*y);
        maxy = maxy.max(*y);
    }
    if let Some((t, _)) = &axes.threshold {
        miny = miny.min(*t);
        maxy = maxy.max(*t);
    }
    let (ylo, yhi, ystep) = nice_ticks(miny, maxy, 5);
    let (xlo, xhi, xstep) = {
        let (lo, hi, step) = nice_ticks(minx, maxx, 6);
        // Steps are whole numbers: never a tick between two.
        let step = step.max(1.0);
        ((lo / step).floor() * step, (hi / step).ceil() * step, step)
    };
    let sx = |x: f64| x0 + ((x - xlo) / (xhi - xlo)) as f32 * (x1 - x0);
    let sy = |y: f64| y0 + ((y - ylo) / (yhi - ylo)) as f32 * (y1 - y0);
    for v in ticks(ylo, yhi, ystep) {
        let y = sy(v);
        w.rule(x0, x1, y, Rgbf(0.88, 0.88, 0.88), 0.4);
        let label = tick_label(v, ystep);
        let lw = w.width(&label, Weight::Regular, 7.0);
        w.text_at(x0 - 4.0 - lw, y - 2.5, &label, Weight::Regular, 7.0, GREY);
    }
    for v in ticks(xlo, xhi, xstep) {
        let x = sx(v);
        w.line(&[(x, y0), (x, y0 - 3.0)], BLACK, 0.5);
        let label = tick_label(v, xstep);
        let lw = w.width(&label, Weight::Regular, 7.0);
        w.text_at(x - lw / 2.0, y0 - 12.0, &label, Weight::Regular, 7.0, GREY);
    }
    w.line(&[(x0, y1), (x0, y0), (x1, y0)], BLACK, 0.7);
    // Axis titles: the horizontal one centred below, the vertical one above its axis.
    let tw = w.width(&axes.x_title, Weight::Regular, 7.5);
    w.text_at(
        (x0 + x1 - tw) / 2.0,
        y0 - 23.0,
        &axes.x_title,
        Weight::Regular,
        7.5,
        BLACK,
    );
    w.text_at(LEFT, y1 + 3.0, &axes.y_title, Weight::Regular, 7.5, BLACK);
    if let Some((t, label)) = &axes.threshold {
        let y = sy(*t);
        let mut x = x0;
        while x < x1 {
            w.line(&[(x, y), ((x + 5.0).min(x1), y)], RED, 0.9);
            x += 8.0;
        }
        let lw = w.width(label, Weight::Regular, 7.0);
        w.text_at(x1 - lw, y + 3.0, label, Weight::Regular, 7.0, RED);
    }
    for (i, s) in series.iter().enumerate() {
        let c = SERIES[i % SERIES.len()];
        let pts: Vec<(f32, f32)> = s.points.iter().map(|(x, y)| (sx(*x), sy(*y))).collect();
        if pts.len() > 1 {
            w.line(&pts, c, 1.4);
        }
        for (x, y) in &pts {
            w.rect(x - 1.8, y - 1.8, 3.6, 3.6, Some(c), None);
        }
    }
    let mut bottom = y0 - 30.0;
    if series.len() > 1 {
        let mut x = x0;
        for (i, s) in series.iter().enumerate() {
            let c = SERIES[i % SERIES.len()];
            w.rect(x, bottom - 1.0, 8.0, 5.0, Some(c), None);
            w.text_at(
                x + 11.0,
                bottom - 1.0,
                &s.label,
                Weight::Regular,
                7.5,
                BLACK,
            );
            x += 24.0 + w.width(&s.label, Weight::Regular, 7.5);
        }
        bottom -= 12.0;
    }
    w.y = bottom;
}

/// Horizontal bars with labels and values; `unit` titles the value axis ("models").
/// A threshold is drawn as a dashed red line across the bars.
pub fn bar_chart(
    w: &mut Writer,
    title: &str,
    unit: &str,
    items: &[(String, f64)],
    threshold: Option<(f64, String)>,
) {
    let bar_h = 11.0;
    let label_w = items
        .iter()
        .map(|(l, _)| w.width(l, Weight::Regular, 8.0))
        .fold(60.0_f32, f32::max)
        .min(w.text_width() * 0.4)
        + 8.0;
    // Labels are shown whole, wrapped: a row is as tall as its label.
    let labels: Vec<Vec<String>> = items
        .iter()
        .map(|(l, _)| w.wrap(l, Weight::Regular, 8.0, label_w - 8.0))
        .collect();
    let row_h = |n: usize| (n.max(1) as f32 * 9.5).max(bar_h) + 4.0;
    let height: f32 = labels.iter().map(|l| row_h(l.len())).sum::<f32>() + 40.0;
    w.ensure(height);
    w.y -= 14.0;
    w.text_at(LEFT, w.y, title, Weight::Bold, 9.5, BLACK);
    w.y -= 6.0;
    let max = items
        .iter()
        .map(|(_, v)| *v)
        .filter(|v| v.is_finite())
        .chain(threshold.as_ref().map(|(t, _)| *t))
        .fold(0.0_f64, f64::max);
    let (_, hi, step) = nice_ticks(0.0, max.max(1e-9), 5);
    let x0 = LEFT + label_w;
    let bar_max = w.right() - x0 - 40.0;
    let top = w.y;
    for ((_, v), lines) in items.iter().zip(&labels) {
        let h = row_h(lines.len());
        w.y -= h;
        for (i, l) in lines.iter().enumerate() {
            w.text_at(
                LEFT,
                w.y + h - 4.0 - 8.0 - i as f32 * 9.5 + 1.0,
                l,
                Weight::Regular,
                8.0,
                BLACK,
            );
        }
        let len = if v.is_finite() {
            ((*v / hi) as f32 * bar_max).clamp(0.0, bar_max)
        } else {
            0.0
        };
        let bar_y = w.y + h - 4.0 - bar_h;
        w.rect(x0, bar_y, len.max(0.5), bar_h, Some(BLUE), None);
        w.text_at(
            x0 + len + 4.0,
            bar_y + 2.0,
            &value_label(*v),
            Weight::Regular,
            8.0,
            GREY,
        );
    }
    let base = w.y - 3.0;
    w.line(&[(x0, top), (x0, base)], BLACK, 0.6);
    w.line(&[(x0, base), (x0 + bar_max, base)], BLACK, 0.6);
    for v in ticks(0.0, hi, step) {
        let x = x0 + (v / hi) as f32 * bar_max;
        w.line(&[(x, base), (x, base - 3.0)], BLACK, 0.5);
        let label = tick_label(v, step);
        let lw = w.width(&label, Weight::Regular, 7.0);
        w.text_at(
            x - lw / 2.0,
            base - 11.0,
            &label,
            Weight::Regular,
            7.0,
            GREY,
        );
    }
    if let Some((t, label)) = &threshold {
        let x = x0 + (*t / hi) as f32 * bar_max;
        let mut y = base;
        while y < top {
            w.line(&[(x, y), (x, (y + 4.0).min(top))], RED, 0.9);
            y += 7.0;
        }
        w.text_at(x + 3.0, top - 8.0, label, Weight::Regular, 7.0, RED);
    }
    let uw = w.width(unit, Weight::Regular, 7.5);
    w.text_at(
        x0 + (bar_max - uw) / 2.0,
        base - 21.0,
        unit,
        Weight::Regular,
        7.5,
        BLACK,
    );
    w.y = base - 30.0;
}

/// A box of the lineage diagram.
#[derive(Debug, Clone)]
pub struct Node {
    /// Its text, wrapped in full inside the box.
    pub label: String,
    /// Fill colour.
    pub fill: Rgbf,
}

/// Dataset fill.
pub const DATASET: Rgbf = Rgbf(0.93, 0.96, 1.0);
/// Run fill.
pub const RUN: Rgbf = Rgbf(0.96, 0.96, 0.96);
/// Version fill.
pub const VERSION: Rgbf = Rgbf(1.0, 0.97, 0.9);
/// Approval fill.
pub const APPROVAL: Rgbf = Rgbf(0.93, 1.0, 0.94);

/// An arrow from (column, row) to (column, row).
pub type Edge = ((usize, usize), (usize, usize));

/// Most boxes drawn in one column; the rest are counted in a last box.
const MAX_PER_COLUMN: usize = 10;

/// Columns of boxes joined by arrows: `edges` go from (column, row) to (column, row). Every
/// label is shown whole, wrapped inside its box (boxes grow to fit).
pub fn lineage_diagram(w: &mut Writer, columns: &[Vec<Node>], edges: &[Edge]) {
    let size = 7.0;
    let line_h = 8.5;
    let gap_x = 26.0;
    let gap_y = 8.0;
    let n = columns.len().max(1) as f32;
    let col_w = (w.text_width() - gap_x * (n - 1.0)) / n;
    let columns: Vec<Vec<Node>> = columns
        .iter()
        .map(|c| {
            if c.len() <= MAX_PER_COLUMN {
                c.clone()
            } else {
                let mut v = c[..MAX_PER_COLUMN - 1].to_vec();
                v.push(Node {
                    label: format!(
                        "… and {} more (see the table below)",
                        c.len() - MAX_PER_COLUMN + 1
                    ),
                    fill: RUN,
                });
                v
            }
        })
        .collect();
    let wrapped: Vec<Vec<Vec<String>>> = columns
        .iter()
        .map(|c| {
            c.iter()
                .map(|node| w.wrap(&node.label, Weight::Regular, size, col_w - 8.0))
                .collect()
        })
        .collect();
    let heights: Vec<Vec<f32>> = wrapped
        .iter()
        .map(|c| c.iter().map(|l| l.len() as f32 * line_h + 8.0).collect())
        .collect();
    let col_h: Vec<f32> = heights
        .iter()
        .map(|c| c.iter().sum::<f32>() + gap_y * (c.len().max(1) - 1) as f32)
        .collect();
    let total_h = col_h.iter().copied().fold(30.0, f32::max);
    w.ensure(total_h + 20.0);
    let top = w.y - 10.0;
    // Each box's (x, y bottom, height).
    let mut boxes: Vec<Vec<(f32, f32, f32)>> = Vec::new();
    for (ci, c) in heights.iter().enumerate() {
        let x = LEFT + ci as f32 * (col_w + gap_x);
        let mut y = top - (total_h - col_h[ci]) / 2.0;
        let mut col = Vec::new();
        for h in c {
            col.push((x, y - h, *h));
            y -= h + gap_y;
        }
        boxes.push(col);
    }
    for ((fc, fr), (tc, tr)) in edges {
        let (Some(from), Some(to)) = (
            boxes.get(*fc).and_then(|c| c.get(*fr)),
            boxes.get(*tc).and_then(|c| c.get(*tr)),
        ) else {
            continue;
        };
        let a = (from.0 + col_w, from.1 + from.2 / 2.0);
        let b = (to.0, to.1 + to.2 / 2.0);
        arrow(w, a, b);
    }
    for (ci, c) in columns.iter().enumerate() {
        for (ri, node) in c.iter().enumerate() {
            let (x, y, h) = boxes[ci][ri];
            w.rect(x, y, col_w, h, Some(node.fill), Some(GREY));
            for (i, l) in wrapped[ci][ri].iter().enumerate() {
                w.text_at(
                    x + 4.0,
                    y + h - 4.0 - (i as f32 + 1.0) * line_h + 2.0,
                    l,
                    Weight::Regular,
                    size,
                    BLACK,
                );
            }
        }
    }
    w.y = top - total_h - 12.0;
}

fn arrow(w: &mut Writer, from: (f32, f32), to: (f32, f32)) {
    w.line(&[from, to], GREY, 0.8);
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let back = (to.0 - 6.0 * ux, to.1 - 6.0 * uy);
    w.line(
        &[
            (back.0 - 3.0 * uy, back.1 + 3.0 * ux),
            to,
            (back.0 + 3.0 * uy, back.1 - 3.0 * ux),
        ],
        GREY,
        0.8,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_one_two_five_steps_covering_the_data() {
        for (min, max) in [
            (0.6479, 0.7889),
            (0.0, 17.0),
            (3.0, 3.0),
            (-2.5, 140.0),
            (0.9970674486803519, 0.9970810884539317),
        ] {
            let (lo, hi, step) = nice_ticks(min, max, 5);
            assert!(lo <= min && hi >= max, "{min}..{max}: {lo}..{hi}");
            let mantissa = step / 10f64.powf(step.log10().floor());
            assert!(
                [1.0, 2.0, 5.0, 10.0]
                    .iter()
                    .any(|m| (m - mantissa).abs() < 1e-9),
                "{step}"
            );
            let n = ((hi - lo) / step).round() as usize;
            assert!((2..=12).contains(&n), "{n} ticks for {min}..{max}");
        }
        // Hostile magnitudes end, with few ticks and a finite step.
        for (min, max) in [
            (1.5e308, 1.5e308),
            (1e20, 1e20 + 16384.0),
            (f64::MIN, f64::MAX),
            (f64::NAN, 1.0),
        ] {
            let (lo, hi, step) = nice_ticks(min, max, 5);
            assert!(step.is_finite() && step > 0.0, "{min}..{max}: {step}");
            assert!(ticks(lo, hi, step).len() <= 51);
        }
        let (lo, _, step) = nice_ticks(0.6479, 0.7889, 5);
        assert_eq!(tick_label(lo, step), "0.60");
        assert_eq!(tick_label(lo + step, step), "0.65");
        assert_eq!(tick_label(0.0, 20.0), "0");
    }
}
