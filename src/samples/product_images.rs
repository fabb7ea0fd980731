//! The sample catalogue's product pictures, drawn by code: the three vehicles as
//! JPEG (one of them CMYK, as print photos often are) and the accessories as PNG
//! icons on a transparent background.

use std::io;
use std::path::Path;

use super::assets::{coverage, rounded_box_dist, seg_dist};

const CAR_W: usize = 360;
const CAR_H: usize = 220;
const ICON: usize = 160;

/// A vehicle picture: file, body colour, SUV (taller), CMYK JPEG.
const VEHICLES: &[(&str, [f64; 3], bool, bool)] = &[
    ("aurore.jpg", [31.0, 78.0, 154.0], false, false),
    ("boreal.jpg", [196.0, 52.0, 44.0], false, false),
    ("cevenole.jpg", [62.0, 112.0, 72.0], true, true),
];

/// Accessory icons: file, colour, motif.
const ICONS: &[(&str, [f64; 3], Motif)] = &[
    ("cable.png", [18.0, 161.0, 155.0], Motif::Ring),
    ("borne.png", [18.0, 161.0, 155.0], Motif::Bar),
    ("adaptateur.png", [18.0, 161.0, 155.0], Motif::Cross),
    ("tapis.png", [90.0, 90.0, 96.0], Motif::Stripes),
    ("chargeur.png", [18.0, 161.0, 155.0], Motif::Chevron),
    ("attelage.png", [70.0, 70.0, 80.0], Motif::Ring),
    ("barres.png", [120.0, 120.0, 130.0], Motif::Stripes),
    ("coffre-toit.png", [40.0, 40.0, 48.0], Motif::Bar),
    ("marchepieds.png", [70.0, 70.0, 80.0], Motif::Stripes),
    ("protection.png", [242.0, 140.0, 40.0], Motif::Cross),
    ("porte-velos.png", [242.0, 140.0, 40.0], Motif::Ring),
    ("bavettes.png", [90.0, 90.0, 96.0], Motif::Chevron),
    ("chaines.png", [120.0, 160.0, 210.0], Motif::Ring),
    ("jantes.png", [150.0, 150.0, 160.0], Motif::Cross),
    ("securite.png", [220.0, 60.0, 50.0], Motif::Chevron),
    ("housse.png", [31.0, 78.0, 154.0], Motif::Bar),
    ("camera.png", [40.0, 40.0, 48.0], Motif::Ring),
    ("support.png", [90.0, 90.0, 96.0], Motif::Cross),
    ("entretien.png", [27.0, 42.0, 74.0], Motif::Chevron),
];

#[derive(Copy, Clone)]
enum Motif {
    Ring,
    Bar,
    Cross,
    Stripes,
    Chevron,
}

/// Writes every product picture into `dir`.
pub fn write_product_images(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for &(name, body, suv, cmyk) in VEHICLES {
        let rgb = render_vehicle(body, suv);
        write_jpeg(&dir.join(name), &rgb, cmyk)?;
    }
    for &(name, colour, motif) in ICONS {
        write_png(&dir.join(name), &render_icon(colour, motif))?;
    }
    Ok(())
}

/// A car in profile on a road, under a pale sky, as RGB8.
fn render_vehicle(body: [f64; 3], suv: bool) -> Vec<u8> {
    let lift = if suv { 14.0 } else { 0.0 };
    let mut img = vec![0_u8; CAR_W * CAR_H * 3];
    for y in 0..CAR_H {
        for x in 0..CAR_W {
            let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
            let t = py / CAR_H as f64;
            let mut rgb = if py < 170.0 {
                [214.0 + 30.0 * t, 228.0 + 20.0 * t, 242.0]
            } else {
                [120.0, 124.0, 130.0]
            };
            let mut paint = |c: [f64; 3], a: f64| {
                for k in 0..3 {
                    rgb[k] = c[k] * a + rgb[k] * (1.0 - a);
                }
            };
            // Lower body, cabin, windows, wheels with hubs.
            let lower =
                rounded_box_dist_xy(px, py, 180.0, 132.0 - lift / 2.0, 140.0, 26.0 + lift / 2.0, 14.0);
            let cabin = rounded_box_dist_xy(px, py, 170.0, 96.0 - lift, 82.0, 24.0, 18.0);
            paint(body, coverage(lower.min(cabin)));
            let window = rounded_box_dist_xy(px, py, 170.0, 98.0 - lift, 70.0, 14.0, 8.0);
            paint([200.0, 222.0, 240.0], coverage(window));
            paint(
                body,
                coverage(seg_dist(px, py, 170.0, 84.0 - lift, 170.0, 112.0 - lift) - 3.0),
            );
            for wx in [92.0, 268.0] {
                let d = ((px - wx).powi(2) + (py - 160.0).powi(2)).sqrt();
                paint([30.0, 30.0, 34.0], coverage(d - 24.0));
                paint([190.0, 190.0, 196.0], coverage(d - 10.0));
            }
            paint(
                [255.0, 236.0, 160.0],
                coverage(rounded_box(px, py, 316.0, 124.0 - lift / 2.0, 5.0, 2.0)),
            );
            let o = (y * CAR_W + x) * 3;
            for k in 0..3 {
                img[o + k] = rgb[k].round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    img
}

/// Signed distance to a rounded box with half sizes `hx`, `hy` and corner radius `r`.
fn rounded_box_dist_xy(px: f64, py: f64, cx: f64, cy: f64, hx: f64, hy: f64, r: f64) -> f64 {
    let qx = (px - cx).abs() - (hx - r);
    let qy = (py - cy).abs() - (hy - r);
    let (ox, oy) = (qx.max(0.0), qy.max(0.0));
    (ox * ox + oy * oy).sqrt() + qx.max(qy).min(0.0) - r
}

fn rounded_box(px: f64, py: f64, cx: f64, cy: f64, h: f64, r: f64) -> f64 {
    rounded_box_dist(px, py, cx, cy, h, r)
}

/// A badge with a white motif, on a transparent background, as RGBA8.
fn render_icon(colour: [f64; 3], motif: Motif) -> Vec<u8> {
    let c = ICON as f64 / 2.0;
    let mut img = vec![0_u8; ICON * ICON * 4];
    for y in 0..ICON {
        for x in 0..ICON {
            let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
            let badge = coverage(rounded_box_dist(px, py, c, c, 70.0, 22.0));
            let d = match motif {
                Motif::Ring => (((px - c).powi(2) + (py - c).powi(2)).sqrt() - 34.0).abs() - 9.0,
                Motif::Bar => rounded_box_dist_xy(px, py, c, c, 44.0, 14.0, 6.0),
                Motif::Cross => {
                    seg_dist(px, py, c - 36.0, c, c + 36.0, c).min(seg_dist(px, py, c, c - 36.0, c, c + 36.0))
                        - 9.0
                }
                Motif::Stripes => (0..3)
                    .map(|i| {
                        seg_dist(
                            px,
                            py,
                            c - 40.0,
                            c - 26.0 + 26.0 * f64::from(i),
                            c + 40.0,
                            c - 26.0 + 26.0 * f64::from(i),
                        ) - 6.0
                    })
                    .fold(f64::INFINITY, f64::min),
                Motif::Chevron => {
                    seg_dist(px, py, c - 30.0, c - 34.0, c + 10.0, c).min(seg_dist(
                        px,
                        py,
                        c + 10.0,
                        c,
                        c - 30.0,
                        c + 34.0,
                    )) - 10.0
                }
            };
            let mark = coverage(d) * badge;
            let o = (y * ICON + x) * 4;
            for k in 0..3 {
                img[o + k] = (colour[k] + (255.0 - colour[k]) * mark).round().clamp(0.0, 255.0) as u8;
            }
            img[o + 3] = (badge * 255.0).round() as u8;
        }
    }
    img
}

fn write_png(path: &Path, rgba: &[u8]) -> io::Result<()> {
    let file = io::BufWriter::new(std::fs::File::create(path)?);
    let mut enc = png::Encoder::new(file, ICON as u32, ICON as u32);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::High);
    let mut writer = enc.write_header()?;
    writer.write_image_data(rgba)?;
    writer.finish()?;
    Ok(())
}

/// A baseline JPEG; `cmyk` converts the picture to CMYK (a simple grey-component
/// replacement), as a print photo would be delivered.
fn write_jpeg(path: &Path, rgb: &[u8], cmyk: bool) -> io::Result<()> {
    let file = io::BufWriter::new(std::fs::File::create(path)?);
    let enc = jpeg_encoder::Encoder::new(file, 80);
    let (w, h) = (CAR_W as u16, CAR_H as u16);
    if !cmyk {
        return enc
            .encode(rgb, w, h, jpeg_encoder::ColorType::Rgb)
            .map_err(io::Error::other);
    }
    let mut out = Vec::with_capacity(rgb.len() / 3 * 4);
    for px in rgb.chunks_exact(3) {
        let [c, m, y] = [0, 1, 2].map(|k| 255 - px[k]);
        let k = c.min(m).min(y);
        out.extend_from_slice(&[c - k, m - k, y - k, k]);
    }
    enc.encode(&out, w, h, jpeg_encoder::ColorType::Cmyk)
        .map_err(io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_images_are_small_and_the_same_every_time() {
        let dir = tempfile::tempdir().unwrap();
        write_product_images(dir.path()).unwrap();
        let first: Vec<Vec<u8>> = VEHICLES
            .iter()
            .map(|v| v.0)
            .chain(ICONS.iter().map(|i| i.0))
            .map(|n| std::fs::read(dir.path().join(n)).unwrap())
            .collect();
        assert!(first.iter().all(|b| b.len() < 40_000));
        write_product_images(dir.path()).unwrap();
        for (i, n) in VEHICLES
            .iter()
            .map(|v| v.0)
            .chain(ICONS.iter().map(|i| i.0))
            .enumerate()
        {
            assert_eq!(std::fs::read(dir.path().join(n)).unwrap(), first[i], "{n}");
        }
    }
}
