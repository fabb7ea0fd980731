//! Images: loaded and decoded once per run, shared by every file that embeds them.
//!
//! JPEG files are passed through to the PDF unchanged (only their frame header is read);
//! PNG files are decoded to 8-bit grey or RGB pixels, with any alpha split out, and
//! compressed once, so each output file only copies the bytes.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Compression level for decoded image pixels (done once per image per run).
const PIXEL_LEVEL: u8 = 6;

/// Index of an image in the run's ImageStore.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImageId(pub u32);

/// The images of a run: each file loaded once, shared by every worker.
///
/// Ids must not depend on which worker loads a file first, since they name the
/// image in the PDF: [`ImageStore::register`] fixes them in path order before the
/// parallel work starts, and decoding stays lazy.
#[derive(Default)]
pub struct ImageStore {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Paths as given and canonical paths, to ids.
    by_path: HashMap<PathBuf, ImageId>,
    /// Each id's canonical path and, once decoded, its image.
    slots: Vec<Arc<Slot>>,
}

struct Slot {
    path: PathBuf,
    image: OnceLock<Result<Arc<Image>, String>>,
}

/// A loaded image, ready to embed.
#[derive(Debug)]
pub struct Image {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The encoded samples.
    pub data: ImageData,
}

/// The samples of an image, as they go into the PDF.
#[derive(Debug)]
pub enum ImageData {
    /// JPEG bytes passed through unchanged (DCTDecode); components 1, 3 or 4; `inverted` for Adobe CMYK JPEGs (APP14 marker) needing Decode [1 0 1 0 1 0 1 0].
    Jpeg {
        /// The file's bytes.
        bytes: Vec<u8>,
        /// 1 (grey), 3 (RGB) or 4 (CMYK).
        components: u8,
        /// Whether the CMYK samples are stored inverted (Adobe APP14).
        inverted: bool,
    },
    /// Decoded pixels, 8 bits per component, zlib-compressed once at load (FlateDecode), with optional separate compressed alpha (for an SMask).
    Flate {
        /// Grey (1 component) rather than RGB (3 components).
        gray: bool,
        /// The zlib-compressed samples, row by row, without predictor.
        pixels: Vec<u8>,
        /// The zlib-compressed alpha channel (1 byte per pixel), when not fully opaque.
        alpha: Option<Vec<u8>>,
    },
}

impl ImageStore {
    /// An empty store.
    pub fn new() -> ImageStore {
        ImageStore::default()
    }

    /// Loads (first time only; same canonical path => same id) a PNG or JPEG (detected by magic bytes, not extension).
    pub fn load(&self, path: &Path) -> Result<ImageId, String> {
        let slot = self.slot(path)?;
        let (id, slot) = slot;
        // Decode outside the store's lock, so workers loading other images are not blocked.
        let decoded = slot.image.get_or_init(|| {
            let bytes = std::fs::read(&slot.path).map_err(|e| format!("image {}: {e}", path.display()))?;
            decode(bytes)
                .map(Arc::new)
                .map_err(|e| format!("image {}: {e}", path.display()))
        });
        decoded.as_ref().map(|_| id).map_err(Clone::clone)
    }

    /// Gives ids, in path order, to every PNG or JPEG file below `dir`, without decoding them.
    pub fn register(&self, dir: &Path) -> std::io::Result<()> {
        let mut files = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d)? {
                let path = entry?.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| ["png", "jpg", "jpeg"].contains(&e.to_ascii_lowercase().as_str()))
                {
                    files.push(std::fs::canonicalize(&path)?);
                }
            }
        }
        files.sort();
        let mut inner = self.lock();
        for path in files {
            if !inner.by_path.contains_key(&path) {
                let id = ImageId(inner.slots.len() as u32);
                inner.slots.push(Arc::new(Slot {
                    path: path.clone(),
                    image: OnceLock::new(),
                }));
                inner.by_path.insert(path, id);
            }
        }
        Ok(())
    }

    /// The id and slot of a file, allocating one for a file not registered.
    fn slot(&self, path: &Path) -> Result<(ImageId, Arc<Slot>), String> {
        let mut inner = self.lock();
        if let Some(&id) = inner.by_path.get(path) {
            return Ok((id, inner.slots[id.0 as usize].clone()));
        }
        let canonical = std::fs::canonicalize(path).map_err(|e| format!("image {}: {e}", path.display()))?;
        let id = match inner.by_path.get(&canonical) {
            Some(&id) => id,
            None => {
                let id = ImageId(inner.slots.len() as u32);
                inner.slots.push(Arc::new(Slot {
                    path: canonical.clone(),
                    image: OnceLock::new(),
                }));
                inner.by_path.insert(canonical, id);
                id
            }
        };
        inner.by_path.insert(path.to_owned(), id);
        Ok((id, inner.slots[id.0 as usize].clone()))
    }

    /// A loaded image; panics on an id this store did not hand out.
    pub fn get(&self, id: ImageId) -> Arc<Image> {
        let slot = self.lock().slots[id.0 as usize].clone();
        match slot.image.get() {
            Some(Ok(image)) => image.clone(),
            _ => panic!("image {} was not loaded before use", slot.path.display()),
        }
    }

    /// Number of image files the store knows (registered or loaded).
    pub fn len(&self) -> usize {
        self.lock().slots.len()
    }

    /// Whether no image was loaded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic elsewhere cannot leave the map inconsistent: recover the data.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Decodes an image file's bytes, telling PNG from JPEG by their signature.
fn decode(bytes: Vec<u8>) -> Result<Image, String> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        jpeg(bytes)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png_image(&bytes)
    } else {
        Err("not a PNG or JPEG file".into())
    }
}

/// Reads a JPEG's frame header (size, components) and Adobe marker, keeping the bytes.
fn jpeg(bytes: Vec<u8>) -> Result<Image, String> {
    let corrupt = |what: &str| format!("corrupt JPEG: {what}");
    let mut pos = 2;
    let mut adobe = false;
    let mut frame: Option<(u32, u32, u8)> = None;
    loop {
        // Skip to the next marker (fill bytes 0xFF may repeat).
        if pos >= bytes.len() || bytes[pos] != 0xFF {
            return Err(corrupt("marker expected before the image data"));
        }
        while pos < bytes.len() && bytes[pos] == 0xFF {
            pos += 1;
        }
        let Some(&marker) = bytes.get(pos) else {
            return Err(corrupt("truncated file"));
        };
        pos += 1;
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            continue; // stand-alone markers
        }
        if marker == 0xD9 {
            return Err(corrupt("no image data"));
        }
        let len = match bytes.get(pos..pos + 2) {
            Some(b) => u16::from_be_bytes([b[0], b[1]]) as usize,
            None => return Err(corrupt("truncated file")),
        };
        let Some(segment) = bytes.get(pos + 2..pos + len).filter(|_| len >= 2) else {
            return Err(corrupt("truncated segment"));
        };
        match marker {
            0xC0..=0xC2 => {
                if segment.len() < 6 {
                    return Err(corrupt("short frame header"));
                }
                if segment[0] != 8 {
                    return Err(format!(
                        "unsupported JPEG: {} bits per sample (only 8 can be embedded)",
                        segment[0]
                    ));
                }
                let height = u16::from_be_bytes([segment[1], segment[2]]) as u32;
                let width = u16::from_be_bytes([segment[3], segment[4]]) as u32;
                let components = segment[5];
                if height == 0 || width == 0 {
                    return Err("unsupported JPEG: size not given in its frame header".into());
                }
                if !matches!(components, 1 | 3 | 4) {
                    return Err(format!("unsupported JPEG: {components} colour components"));
                }
                frame = Some((width, height, components));
            }
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                return Err(
                    "unsupported JPEG: only baseline and progressive JPEGs can be embedded (re-save it)"
                        .into(),
                );
            }
            0xEE if segment.starts_with(b"Adobe") => adobe = true,
            0xDA => break,
            _ => {}
        }
        pos += len;
    }
    let (width, height, components) = frame.ok_or_else(|| corrupt("no frame header"))?;
    Ok(Image {
        width,
        height,
        data: ImageData::Jpeg {
            bytes,
            components,
            inverted: adobe && components == 4,
        },
    })
}

/// Decodes a PNG to 8-bit grey or RGB samples plus an optional alpha channel.
fn png_image(bytes: &[u8]) -> Result<Image, String> {
    let corrupt = |e: png::DecodingError| format!("corrupt PNG: {e}");
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(corrupt)?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| "unsupported PNG: too large".to_string())?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(corrupt)?;
    buf.truncate(info.buffer_size());
    if info.bit_depth != png::BitDepth::Eight {
        return Err(format!("unsupported PNG: {:?} bits per sample", info.bit_depth));
    }
    let (channels, gray) = match info.color_type {
        png::ColorType::Grayscale => (1, true),
        png::ColorType::GrayscaleAlpha => (2, true),
        png::ColorType::Rgb => (3, false),
        png::ColorType::Rgba => (4, false),
        png::ColorType::Indexed => return Err("unsupported PNG: palette not expanded".into()),
    };
    let compress = |data: &[u8]| miniz_oxide::deflate::compress_to_vec_zlib(data, PIXEL_LEVEL);
    let (pixels, alpha) = if channels == 2 || channels == 4 {
        let colors = channels - 1;
        let pixel_count = buf.len() / channels;
        let mut color = Vec::with_capacity(pixel_count * colors);
        let mut alpha = Vec::with_capacity(pixel_count);
        for px in buf.chunks_exact(channels) {
            color.extend_from_slice(&px[..colors]);
            alpha.push(px[colors]);
        }
        let opaque = alpha.iter().all(|&a| a == 255);
        (compress(&color), (!opaque).then(|| compress(&alpha)))
    } else {
        (compress(&buf), None)
    };
    Ok(Image {
        width: info.width,
        height: info.height,
        data: ImageData::Flate { gray, pixels, alpha },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use miniz_oxide::inflate::decompress_to_vec_zlib;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("pli-image-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn write_png(path: &Path, width: u32, height: u32, color: png::ColorType, data: &[u8]) {
        let file = std::fs::File::create(path).unwrap();
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width, height);
        encoder.set_color(color);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.write_header().unwrap().write_image_data(data).unwrap();
    }

    #[test]
    fn png_alpha_is_split_and_dropped_when_opaque() {
        let dir = temp_dir("png");
        let store = ImageStore::new();
        let rgba: Vec<u8> = (0..4u8).flat_map(|i| [i, 10 * i, 20 * i, 100 + i]).collect();
        write_png(&dir.join("a.png"), 2, 2, png::ColorType::Rgba, &rgba);
        let opaque: Vec<u8> = (0..4u8).flat_map(|i| [i, 255]).collect();
        write_png(&dir.join("b.img"), 2, 2, png::ColorType::GrayscaleAlpha, &opaque);

        let a = store.load(&dir.join("a.png")).unwrap();
        let image = store.get(a);
        assert_eq!((image.width, image.height), (2, 2));
        let ImageData::Flate { gray, pixels, alpha } = &image.data else {
            panic!("PNG decoded")
        };
        assert!(!gray);
        assert_eq!(
            decompress_to_vec_zlib(pixels).unwrap(),
            [0, 0, 0, 1, 10, 20, 2, 20, 40, 3, 30, 60]
        );
        assert_eq!(
            decompress_to_vec_zlib(alpha.as_ref().unwrap()).unwrap(),
            [100, 101, 102, 103]
        );

        let b = store.load(&dir.join("b.img")).unwrap();
        let ImageData::Flate { gray, alpha, .. } = &store.get(b).data else {
            panic!("PNG decoded")
        };
        assert!(*gray && alpha.is_none());
        // Same file through another path: same id.
        assert_eq!(store.load(&dir.join(".").join("a.png")).unwrap(), a);
        assert_ne!(a, b);
        assert_eq!(store.len(), 2);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn jpeg_header_is_read_and_bytes_kept() {
        let dir = temp_dir("jpeg");
        let path = dir.join("photo.png"); // wrong extension on purpose
        let pixels: Vec<u8> = (0..16 * 8 * 3).map(|i| (i % 251) as u8).collect();
        jpeg_encoder::Encoder::new_file(&path, 80)
            .unwrap()
            .encode(&pixels, 16, 8, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        let store = ImageStore::new();
        let image = store.get(store.load(&path).unwrap());
        assert_eq!((image.width, image.height), (16, 8));
        let ImageData::Jpeg {
            bytes,
            components,
            inverted,
        } = &image.data
        else {
            panic!("JPEG kept")
        };
        assert_eq!(*bytes, std::fs::read(&path).unwrap());
        assert_eq!((*components, *inverted), (3, false));

        let cmyk = dir.join("cmyk.jpg");
        let samples = vec![40u8; 8 * 8 * 4];
        jpeg_encoder::Encoder::new_file(&cmyk, 80)
            .unwrap()
            .encode(&samples, 8, 8, jpeg_encoder::ColorType::Cmyk)
            .unwrap();
        let image = store.get(store.load(&cmyk).unwrap());
        // jpeg-encoder writes the Adobe marker for CMYK.
        assert!(matches!(
            image.data,
            ImageData::Jpeg {
                components: 4,
                inverted: true,
                ..
            }
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn errors_name_the_file_and_the_problem() {
        let dir = temp_dir("errors");
        let store = ImageStore::new();
        let missing = store.load(&dir.join("missing.png")).unwrap_err();
        assert!(missing.contains("missing.png"), "{missing}");
        std::fs::write(dir.join("text.png"), "hello").unwrap();
        let text = store.load(&dir.join("text.png")).unwrap_err();
        assert!(
            text.contains("text.png") && text.contains("not a PNG or JPEG"),
            "{text}"
        );
        std::fs::write(dir.join("cut.png"), b"\x89PNG\r\n\x1a\n\0\0").unwrap();
        let cut = store.load(&dir.join("cut.png")).unwrap_err();
        assert!(cut.contains("corrupt PNG"), "{cut}");
        std::fs::write(dir.join("cut.jpg"), [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 1]).unwrap();
        let cut = store.load(&dir.join("cut.jpg")).unwrap_err();
        assert!(cut.contains("corrupt JPEG"), "{cut}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn registered_ids_follow_path_order_whatever_the_load_order() {
        let dir = temp_dir("register");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        for name in ["b.png", "a.png", "sub/c.png"] {
            write_png(&dir.join(name), 1, 1, png::ColorType::Grayscale, &[0]);
        }
        let store = ImageStore::new();
        store.register(&dir).unwrap();
        // Loaded in reverse order, still numbered by path.
        assert_eq!(store.load(&dir.join("sub/c.png")).unwrap(), ImageId(2));
        assert_eq!(store.load(&dir.join("b.png")).unwrap(), ImageId(1));
        assert_eq!(store.load(&dir.join("a.png")).unwrap(), ImageId(0));
        assert_eq!(store.get(ImageId(1)).width, 1);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn store_is_shared_between_threads() {
        fn check<T: Send + Sync>() {}
        check::<ImageStore>();
    }
}
