//! Written reports as .docx (Word and WPS): a title, a line of particulars, numbered sections of
//! paragraphs and, where given, a table. Chinese text is set in 仿宋 with 黑体 headings, as
//! official documents are.

use docx_rs::{AlignmentType, Docx, Paragraph, Run, RunFonts, Table, TableCell, TableRow};

#[derive(Debug, Clone, Default)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
    /// A header row and body rows, shown after the paragraphs.
    pub table: Option<(Vec<String>, Vec<Vec<String>>)>,
    /// A chart (PNG, 720 × 300) shown before the table.
    pub chart: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Default)]
pub struct Document {
    pub title: String,
    /// Under the title: who, which month, when drafted.
    pub subtitle: String,
    pub sections: Vec<Section>,
}

/// Sections from a report's text: a line starting with a Chinese numeral and 、 (一、…十、) opens a
/// section; the lines after it are its paragraphs.
pub fn sections_from_text(body: &str) -> Vec<Section> {
    const HEADS: [&str; 10] = ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、", "十、"];
    let mut sections = Vec::new();
    let mut current: Option<Section> = None;
    for line in body.lines() {
        if HEADS.iter().any(|p| line.starts_with(p)) {
            sections.extend(current.take());
            current = Some(Section { heading: line.to_owned(), ..Default::default() });
        } else if !line.trim().is_empty() {
            current.get_or_insert_with(Section::default).paragraphs.push(line.to_owned());
        }
    }
    sections.extend(current);
    sections
}

fn run(text: &str, font: &str, half_points: usize, bold: bool) -> Run {
    let r = Run::new().add_text(text).size(half_points).fonts(RunFonts::new().east_asia(font).ascii("Times New Roman"));
    if bold {
        r.bold()
    } else {
        r
    }
}

/// The document as the bytes of a .docx file.
pub fn write(doc: &Document) -> Result<Vec<u8>, docx_rs::DocxError> {
    let mut d = Docx::new().add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(
        &doc.title,
        "方正小标宋简体",
        40,
        true,
    )));
    if !doc.subtitle.is_empty() {
        d = d.add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(
            &doc.subtitle,
            "楷体",
            28,
            false,
        )));
    }
    for s in &doc.sections {
        d = d.add_paragraph(Paragraph::new().add_run(run(&s.heading, "黑体", 32, false)));
        for p in &s.paragraphs {
            // Each line of a paragraph becomes its own paragraph, indented by two characters.
            for line in p.lines().filter(|l| !l.trim().is_empty()) {
                d = d.add_paragraph(
                    Paragraph::new()
                        .indent(None, Some(docx_rs::SpecialIndentType::FirstLine(640)), None, None)
                        .add_run(run(line.trim(), "仿宋", 32, false)),
                );
            }
        }
        if let Some(png) = &s.chart {
            // 15 cm wide, in EMU (360,000 per cm), keeping the picture's proportions.
            let pic =
                docx_rs::Pic::new_with_dimensions(png.clone(), 720, 300).size(15 * 360_000, 15 * 360_000 * 300 / 720);
            d = d.add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(Run::new().add_image(pic)));
        }
        if let Some((head, rows)) = &s.table {
            let cell =
                |t: &str, bold| TableCell::new().add_paragraph(Paragraph::new().add_run(run(t, "仿宋", 24, bold)));
            let mut table_rows = vec![TableRow::new(head.iter().map(|h| cell(h, true)).collect())];
            table_rows.extend(rows.iter().map(|r| TableRow::new(r.iter().map(|c| cell(c, false)).collect())));
            d = d.add_table(Table::new(table_rows));
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut out)?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn the_document_is_a_zip_with_the_text_in_word_xml() {
        let doc = Document {
            title: "2022年8月包联工作报告".into(),
            subtitle: "靳海峰（党委专职副书记）".into(),
            sections: vec![Section {
                heading: "一、督导检查".into(),
                paragraphs: vec!["本月开展督导检查 3 次。\n发现隐患 <2> 项 & 已整改。".into()],
                table: Some((vec!["日期".into(), "对象".into()], vec![vec!["08-02".into(), "城区".into()]])),
                chart: Some(crate::chart::bars_png(1, &[("a", [0, 0, 0], vec![1])])),
            }],
        };
        let bytes = write(&doc).unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        z.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
        assert!(xml.contains("2022年8月包联工作报告"));
        assert!(xml.contains("发现隐患 &lt;2&gt; 项 &amp; 已整改。"), "text is escaped");
        assert!(xml.contains("城区"));
        assert!(z.by_name("[Content_Types].xml").is_ok());
        assert!(
            (0..z.len()).any(|i| z.by_index(i).unwrap().name().unwrap().starts_with("word/media/")),
            "the chart is embedded"
        );
    }
}
