//! The sample campaign's images, drawn by code so that they are the same bytes everywhere.

use std::io;
use std::path::Path;

/// Sine computed with plain arithmetic only, so images are bit-identical on every platform.
pub(super) fn det_sin(x: f64) -> f64 {
    use std::f64::consts::{FRAC_PI_2, PI, TAU};
    let mut r = x - (x / TAU).round() * TAU;
    if r > FRAC_PI_2 {
        r = PI - r;
    } else if r < -FRAC_PI_2 {
        r = -PI - r;
    }
    let r2 = r * r;
    // Taylor series to x^13: error < 1e-9 on [-pi/2, pi/2].
    let mut term = r;
    let mut sum = r;
    for k in 1..=6 {
        let k = f64::from(k);
        term *= -r2 / ((2.0 * k) * (2.0 * k + 1.0));
        sum += term;
    }
    sum
}

fn det_cos(x: f64) -> f64 {
    det_sin(x + std::f64::consts::FRAC_PI_2)
}

/// Distance from `p` to segment `a`–`b`.
pub(super) fn seg_dist(px: f64, py: f64, ax: f64, ay: f64, bx: f64, by: f64) -> f64 {
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (qx, qy) = (ax + t * dx - px, ay + t * dy - py);
    (qx * qx + qy * qy).sqrt()
}

/// Signed distance to a rounded box centred on (`cx`, `cy`) with half size `h` and corner radius `r`.
pub(super) fn rounded_box_dist(px: f64, py: f64, cx: f64, cy: f64, h: f64, r: f64) -> f64 {
    let qx = (px - cx).abs() - (h - r);
    let qy = (py - cy).abs() - (h - r);
    let ox = qx.max(0.0);
    let oy = qy.max(0.0);
    (ox * ox + oy * oy).sqrt() + qx.max(qy).min(0.0) - r
}

/// Anti-aliased coverage of a shape from its signed distance (pixel units).
pub(super) fn coverage(d: f64) -> f64 {
    (0.5 - d).clamp(0.0, 1.0)
}

const LOGO_W: usize = 600;
const LOGO_H: usize = 200;

/// Renders the brand mark as non-premultiplied RGBA8.
fn render_logo() -> Vec<u8> {
    let navy: [f64; 3] = [27.0, 42.0, 74.0];
    let teal = [18.0, 161.0, 155.0];
    let blue = [31.0, 78.0, 154.0];
    let orange = [242.0, 140.0, 40.0];
    let white = [255.0, 255.0, 255.0];

    let chevron = |px: f64, py: f64, ox: f64| {
        let d1 = seg_dist(px, py, 62.0 + ox, 58.0, 100.0 + ox, 100.0);
        let d2 = seg_dist(px, py, 100.0 + ox, 100.0, 62.0 + ox, 142.0);
        d1.min(d2) - 10.0
    };

    let mut img = vec![0_u8; LOGO_W * LOGO_H * 4];
    for y in 0..LOGO_H {
        for x in 0..LOGO_W {
            let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
            // Premultiplied accumulation, painted back to front.
            let mut acc = [0.0_f64; 4];
            let mut paint = |rgb: [f64; 3], a: f64| {
                if a > 0.0 {
                    for c in 0..3 {
                        acc[c] = rgb[c] * a + acc[c] * (1.0 - a);
                    }
                    acc[3] = a + acc[3] * (1.0 - a);
                }
            };

            // Badge: rounded square with a diagonal blue-to-teal gradient.
            let badge = coverage(rounded_box_dist(px, py, 100.0, 100.0, 82.0, 34.0));
            if badge > 0.0 {
                let t = ((px - 18.0 + py - 18.0) / 328.0).clamp(0.0, 1.0);
                let mut rgb = [0.0; 3];
                for c in 0..3 {
                    rgb[c] = blue[c] + (teal[c] - blue[c]) * t;
                }
                paint(rgb, badge);
            }
            // Two white chevrons, the second one slightly translucent.
            paint(white, coverage(chevron(px, py, 0.0)));
            paint(white, 0.7 * coverage(chevron(px, py, 38.0)));
            // Bars standing in for the brand name and tagline.
            paint(navy, coverage(seg_dist(px, py, 228.0, 68.0, 566.0, 68.0) - 18.0));
            paint(
                teal,
                coverage(seg_dist(px, py, 228.0, 116.0, 474.0, 116.0) - 11.0),
            );
            paint(
                orange,
                coverage(seg_dist(px, py, 228.0, 150.0, 392.0, 150.0) - 7.0),
            );

            let o = (y * LOGO_W + x) * 4;
            let a = acc[3];
            if a > 0.0 {
                for c in 0..3 {
                    img[o + c] = (acc[c] / a).round().clamp(0.0, 255.0) as u8;
                }
                img[o + 3] = (a * 255.0).round() as u8;
            }
        }
    }
    img
}

const SIG_W: usize = 400;
const SIG_H: usize = 120;

/// Renders a dark-blue handwritten-looking signature on white as RGB8.
fn render_signature() -> Vec<u8> {
    use std::f64::consts::TAU;
    // For each pixel, the best (half width - distance) over all stroke segments.
    let mut field = vec![f64::NEG_INFINITY; SIG_W * SIG_H];
    let mut stroke = |pts: &[(f64, f64, f64)]| {
        for w in pts.windows(2) {
            let (ax, ay, aw) = w[0];
            let (bx, by, bw) = w[1];
            let hw = 0.5 * (aw + bw);
            let margin = hw + 1.5;
            let x0 = (ax.min(bx) - margin).floor().max(0.0) as usize;
            let x1 = ((ax.max(bx) + margin).ceil() as usize).min(SIG_W - 1);
            let y0 = (ay.min(by) - margin).floor().max(0.0) as usize;
            let y1 = ((ay.max(by) + margin).ceil() as usize).min(SIG_H - 1);
            for y in y0..=y1 {
                for x in x0..=x1 {
                    let d = seg_dist(x as f64 + 0.5, y as f64 + 0.5, ax, ay, bx, by);
                    let v = &mut field[y * SIG_W + x];
                    *v = v.max(hw - d);
                }
            }
        }
    };

    // Main cursive stroke: a trochoid (loops) modulated by slow sines.
    let n = 2400;
    let main: Vec<(f64, f64, f64)> = (0..=n)
        .map(|i| {
            let t = f64::from(i) / f64::from(n);
            let phase = TAU * 6.5 * t;
            // Taller first loop, like a capital initial.
            let cap = (1.0 - t / 0.18).max(0.0);
            let env = 0.6 + 0.35 * det_sin(TAU * 1.3 * t + 0.4) + 0.7 * cap * cap;
            let x = 34.0 + 300.0 * t - 15.0 * det_sin(phase);
            let y = 58.0
                - 24.0 * env * det_cos(phase + 0.3)
                - 7.0 * det_sin(TAU * 0.9 * t)
                - 4.0 * det_sin(TAU * 3.1 * t + 1.0);
            let w = 1.35 + 0.75 * (0.5 + 0.5 * det_sin(TAU * 3.7 * t + 0.8));
            (x, y, w)
        })
        .collect();
    stroke(&main);

    // Underline flourish, thinning towards its end.
    let m = 800;
    let flourish: Vec<(f64, f64, f64)> = (0..=m)
        .map(|i| {
            let s = f64::from(i) / f64::from(m);
            let x = 48.0 + 322.0 * s;
            let y = 97.0 - 9.0 * det_sin(std::f64::consts::PI * s) + 3.0 * det_sin(TAU * 1.5 * s);
            let w = 1.7 * (1.0 - 0.75 * s) + 0.25;
            (x, y, w)
        })
        .collect();
    stroke(&flourish);

    let ink = [22.0_f64, 38.0, 112.0];
    let mut img = vec![255_u8; SIG_W * SIG_H * 3];
    for (px, &v) in img.chunks_exact_mut(3).zip(field.iter()) {
        let a = (v + 0.5).clamp(0.0, 1.0);
        if a > 0.0 {
            for c in 0..3 {
                px[c] = (255.0 + (ink[c] - 255.0) * a).round() as u8;
            }
        }
    }
    img
}

/// Writes the sample campaign's images into `dir`: `logo.png` (RGB with alpha), `signature.jpg` (RGB baseline JPEG) and the catalogue's product images in `products/`.
pub fn write_assets(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    write_logo(&dir.join("logo.png"))?;
    write_signature(&dir.join("signature.jpg"))?;
    super::product_images::write_product_images(&dir.join("products"))
}

fn write_logo(path: &Path) -> io::Result<()> {
    let rgba = render_logo();
    let file = io::BufWriter::new(std::fs::File::create(path)?);
    let mut enc = png::Encoder::new(file, LOGO_W as u32, LOGO_H as u32);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::High);
    let mut writer = enc.write_header()?;
    writer.write_image_data(&rgba)?;
    writer.finish()?;
    Ok(())
}

fn write_signature(path: &Path) -> io::Result<()> {
    let rgb = render_signature();
    let file = io::BufWriter::new(std::fs::File::create(path)?);
    let enc = jpeg_encoder::Encoder::new(file, 85);
    enc.encode(&rgb, SIG_W as u16, SIG_H as u16, jpeg_encoder::ColorType::Rgb)
        .map_err(io::Error::other)
}
