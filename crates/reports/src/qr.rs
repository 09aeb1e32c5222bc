//! QR codes to print and stick on inspection points: scanning one on site opens the inspection
//! form for that point. SVG, so it prints sharp and needs no image library.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An SVG QR code of `text`, `size` pixels square at least.
pub fn svg(text: &str, size: u32) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    Some(code.render::<svg::Color<'_>>().min_dimensions(size, size).quiet_zone(true).build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_code_is_an_svg_document() {
        let s = super::svg("https://anjian.example/inspections/new?org_id=7&point=3", 160).unwrap();
        assert!(s.starts_with("<?xml") && s.contains("<svg") && s.contains("<path"));
    }
}
