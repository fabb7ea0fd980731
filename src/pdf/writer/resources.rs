//! A file's resources: the glyphs each font must keep, and the images and forms written
//! the first time a page uses them (each once per file).

use std::io;

use pdf_writer::writers::ImageXObject;
use pdf_writer::{Filter, Name, Rect, Ref};

use super::{grown, round, Objects, PdfWriter, PROFILE_LEVEL, RESOURCES};
use crate::compose::image::{ImageData, ImageId};
use crate::compose::page::FormId;
use crate::pdf::content::{GlyphSet, Usage};
use crate::pdf::deflate::zlib;
use crate::pdf::icc::{self, OutputSpace};

impl PdfWriter {
    /// Notes the glyphs a page or form uses, and writes its images and forms the first time.
    pub(super) fn use_resources(&mut self, usage: &Usage) -> io::Result<()> {
        for (font, glyphs) in &usage.fonts {
            let index = font.0 as usize;
            if index >= self.fonts.len() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("font {index} is not among the run's faces"),
                ));
            }
            self.fonts[index]
                .get_or_insert_with(GlyphSet::new)
                .union_with(glyphs);
        }
        for &image in &usage.images {
            self.use_image(image)?;
        }
        for &form in &usage.forms {
            self.use_form(form)?;
        }
        Ok(())
    }

    fn use_image(&mut self, id: ImageId) -> io::Result<()> {
        let index = id.0 as usize;
        if self.images.get(index).is_some_and(Option::is_some) {
            return Ok(());
        }
        if index >= self.images.len() {
            self.images.resize(index + 1, None);
        }
        let image = self.shared.images.get(id);
        let image_ref = self.refs.bump();
        self.images[index] = Some(image_ref);
        let (width, height) = (image.width as i32, image.height as i32);
        let mut objects;
        match &image.data {
            ImageData::Jpeg {
                bytes,
                components,
                inverted,
            } => {
                objects = Objects::new(bytes.len() + 300);
                let profile = self.image_profile(*components, &mut objects);
                let mut x = objects.at(image_ref).image_xobject(image_ref, bytes);
                x.width(width).height(height).bits_per_component(8);
                x.filter(Filter::DctDecode);
                let device = Name(match components {
                    1 => b"DeviceGray",
                    3 => b"DeviceRGB",
                    _ => b"DeviceCMYK",
                });
                color_space(&mut x, profile, device);
                if *inverted {
                    x.decode([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
                }
            }
            ImageData::Flate { gray, pixels, alpha } => {
                objects = Objects::new(pixels.len() + alpha.as_ref().map_or(0, Vec::len) + 600);
                let mask = alpha.as_ref().map(|alpha| {
                    let mask = self.refs.bump();
                    objects
                        .at(mask)
                        .image_xobject(mask, alpha)
                        .width(width)
                        .height(height)
                        .bits_per_component(8)
                        .color_space_name(Name(b"DeviceGray"))
                        .filter(Filter::FlateDecode);
                    mask
                });
                let profile = self.image_profile(if *gray { 1 } else { 3 }, &mut objects);
                let mut x = objects.at(image_ref).image_xobject(image_ref, pixels);
                x.width(width).height(height).bits_per_component(8);
                x.filter(Filter::FlateDecode);
                let device = Name(if *gray { b"DeviceGray" } else { b"DeviceRGB" });
                color_space(&mut x, profile, device);
                if let Some(mask) = mask {
                    x.s_mask(mask);
                }
            }
        }
        self.emit(objects)
    }

    /// The ICC profile stream an image of `components` colour components is drawn in, when
    /// its device space is not allowed (PDF/X-4: no DeviceRGB; under a Gray intent no
    /// DeviceCMYK either); written into `objects` the first time.
    fn image_profile(&mut self, components: u8, objects: &mut Objects) -> Option<Ref> {
        let pdfx = self.shared.pdfx.as_ref()?;
        let (slot, profile, n) = match (components, pdfx.intent.space) {
            (3, _) => (&mut self.srgb, icc::srgb(), 3),
            (4, OutputSpace::Gray) => (&mut self.generic_cmyk, icc::generic_cmyk(), 4),
            _ => return None,
        };
        if let Some(r) = *slot {
            return Some(r);
        }
        let r = self.refs.bump();
        *slot = Some(r);
        let packed = zlib(profile, PROFILE_LEVEL);
        objects
            .at(r)
            .icc_profile(r, &packed)
            .n(n)
            .filter(Filter::FlateDecode);
        Some(r)
    }

    fn use_form(&mut self, id: FormId) -> io::Result<()> {
        let index = id.0 as usize;
        let shared = self.shared.clone();
        let Some(form) = shared.forms.get(index) else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("form {index} is not among the layout's forms"),
            ));
        };
        if self.forms[index].is_some() {
            return Ok(());
        }
        let form_ref = self.refs.bump();
        // Marked before its own resources, so a form drawing itself cannot recurse forever.
        self.forms[index] = Some(form_ref);
        self.use_resources(&form.usage)?;
        let mut objects = Objects::new(form.content.len() + 300);
        objects
            .at(form_ref)
            .form_xobject(form_ref, &form.content)
            .bbox(grown(
                Rect::new(0.0, 0.0, round(form.width.to_pt()), round(form.height.to_pt())),
                form.bleed.margin.to_pt(),
            ))
            .filter(Filter::FlateDecode)
            .pair(Name(b"Resources"), RESOURCES);
        self.emit(objects)
    }
}

/// Sets an image's colour space: the ICC profile when given, else the device space.
fn color_space(x: &mut ImageXObject, profile: Option<Ref>, device: Name) {
    match profile {
        Some(profile) => x.color_space().icc_based(profile),
        None => {
            x.color_space_name(device);
        }
    }
}
