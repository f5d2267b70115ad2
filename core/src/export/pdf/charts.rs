//! Vector figures: metric-history line charts and the lineage diagram.

use super::layout::{Rgbf, Weight, Writer, BLACK, BLUE, GREY, LEFT, RIGHT};

fn nice(x: f64) -> String {
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A line chart of (step, value) points with axes, ticks and labels.
pub fn line_chart(w: &mut Writer, title: &str, points: &[(f64, f64)]) {
    let height = 130.0;
    w.ensure(height + 30.0);
    w.y -= 14.0;
    w.text_at(LEFT, w.y, title, Weight::Bold, 9.5, BLACK);
    let (x0, x1) = (LEFT + 46.0, RIGHT - 10.0);
    let (y1, y0) = (w.y - 8.0, w.y - height);
    if points.is_empty() {
        return;
    }
    let (mut minx, mut maxx) = (f64::MAX, f64::MIN);
    let (mut miny, mut maxy) = (f64::MAX, f64::MIN);
    for (x, y) in points {
        minx = minx.min(*x);
        maxx = maxx.max(*x);
        miny = miny.min(*y);
        maxy = maxy.max(*y);
    }
    if (maxx - minx).abs() < f64::EPSILON {
        maxx = minx + 1.0;
    }
    if (maxy - miny).abs() < 1e-12 {
        maxy += 0.5;
        miny -= 0.5;
    }
    let pad = (maxy - miny) * 0.08;
    let (miny, maxy) = (miny - pad, maxy + pad);
    let sx = |x: f64| x0 + ((x - minx) / (maxx - minx)) as f32 * (x1 - x0);
    let sy = |y: f64| y0 + ((y - miny) / (maxy - miny)) as f32 * (y1 - y0);
    // Grid and ticks.
    for i in 0..=4 {
        let v = miny + (maxy - miny) * i as f64 / 4.0;
        let y = sy(v);
        w.rule(x0, x1, y, Rgbf(0.88, 0.88, 0.88), 0.4);
        let label = nice(v);
        let lw = w.width(&label, Weight::Regular, 7.0);
        w.text_at(x0 - 4.0 - lw, y - 2.5, &label, Weight::Regular, 7.0, GREY);
    }
    let span = maxx - minx;
    let ticks = if span.fract() == 0.0 {
        [5usize, 4, 3, 2]
            .into_iter()
            .find(|t| (span as usize).is_multiple_of(*t))
            .unwrap_or(1)
    } else {
        4
    };
    for i in 0..=ticks {
        let v = minx + (maxx - minx) * i as f64 / ticks as f64;
        let x = sx(v);
        w.line(&[(x, y0), (x, y0 - 3.0)], BLACK, 0.5);
        let label = nice(v.round());
        let lw = w.width(&label, Weight::Regular, 7.0);
        w.text_at(x - lw / 2.0, y0 - 12.0, &label, Weight::Regular, 7.0, GREY);
    }
    w.line(&[(x0, y1), (x0, y0), (x1, y0)], BLACK, 0.7);
    let step_w = w.width("step", Weight::Regular, 7.0);
    w.text_at(x1 - step_w, y0 - 22.0, "step", Weight::Regular, 7.0, GREY);
    let pts: Vec<(f32, f32)> = points.iter().map(|(x, y)| (sx(*x), sy(*y))).collect();
    w.line(&pts, BLUE, 1.4);
    for (x, y) in &pts {
        w.rect(x - 1.8, y - 1.8, 3.6, 3.6, Some(BLUE), None);
    }
    w.y = y0 - 30.0;
}

/// Boxes and arrows: datasets → run → version → approvals.
pub fn lineage_diagram(
    w: &mut Writer,
    datasets: &[String],
    run: &str,
    version: &str,
    approvals: &[String],
) {
    let rows = datasets.len().max(approvals.len()).max(1);
    let box_h = 30.0;
    let gap = 10.0;
    let height = rows as f32 * (box_h + gap) + 20.0;
    w.ensure(height);
    let top = w.y - 10.0;
    let col_w = 112.0;
    let xs = [LEFT, LEFT + 133.0, LEFT + 266.0, LEFT + 383.0];
    let mid = top - (rows as f32 * (box_h + gap) - gap) / 2.0;
    let draw_box = |w: &mut Writer, x: f32, yc: f32, label: &str, fill: Rgbf| {
        w.rect(x, yc - box_h / 2.0, col_w, box_h, Some(fill), Some(GREY));
        let lines = w.wrap(label, Weight::Regular, 7.0, col_w - 8.0);
        for (i, l) in lines.iter().take(3).enumerate() {
            w.text_at(
                x + 4.0,
                yc + 6.0 - i as f32 * 8.5,
                l,
                Weight::Regular,
                7.0,
                BLACK,
            );
        }
    };
    let arrow = |w: &mut Writer, from: (f32, f32), to: (f32, f32)| {
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
    };
    let yc = |i: usize, n: usize| {
        top - box_h / 2.0 - i as f32 * (box_h + gap) - (rows - n) as f32 * (box_h + gap) / 2.0
    };
    let ds: Vec<String> = if datasets.is_empty() {
        vec!["no dataset recorded".into()]
    } else {
        datasets.to_vec()
    };
    for (i, d) in ds.iter().enumerate() {
        let y = yc(i, ds.len());
        draw_box(w, xs[0], y, d, Rgbf(0.93, 0.96, 1.0));
        arrow(w, (xs[0] + col_w, y), (xs[1], mid));
    }
    draw_box(w, xs[1], mid, run, Rgbf(0.96, 0.96, 0.96));
    arrow(w, (xs[1] + col_w, mid), (xs[2] - 10.0, mid));
    draw_box(w, xs[2] - 10.0, mid, version, Rgbf(1.0, 0.97, 0.9));
    let ap: Vec<String> = if approvals.is_empty() {
        vec!["no approval yet".into()]
    } else {
        approvals.to_vec()
    };
    for (i, a) in ap.iter().enumerate() {
        let y = yc(i, ap.len());
        arrow(w, (xs[2] - 10.0 + col_w, mid), (xs[3] + 10.0, y));
        draw_box(w, xs[3] + 10.0, y, a, Rgbf(0.93, 1.0, 0.94));
    }
    w.y = top - rows as f32 * (box_h + gap) - 10.0;
}

/// Horizontal bars with labels and values.
pub fn bar_chart(w: &mut Writer, title: &str, items: &[(String, f64)]) {
    let bar_h = 11.0;
    let height = items.len() as f32 * (bar_h + 4.0) + 24.0;
    w.ensure(height);
    w.y -= 14.0;
    w.text_at(LEFT, w.y, title, Weight::Bold, 9.5, BLACK);
    w.y -= 6.0;
    let max = items
        .iter()
        .map(|(_, v)| *v)
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let label_w = 150.0;
    let bar_max = RIGHT - LEFT - label_w - 50.0;
    for (label, v) in items {
        w.y -= bar_h + 4.0;
        w.text_at(LEFT, w.y + 2.0, label, Weight::Regular, 8.0, BLACK);
        let len = (*v / max) as f32 * bar_max;
        w.rect(LEFT + label_w, w.y, len.max(0.5), bar_h, Some(BLUE), None);
        w.text_at(
            LEFT + label_w + len + 4.0,
            w.y + 2.0,
            &nice(*v),
            Weight::Regular,
            8.0,
            GREY,
        );
    }
    w.y -= 8.0;
}
