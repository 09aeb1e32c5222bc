//! Written reports as .docx (Word and WPS), laid out as official documents are: the title in
//! 方正小标宋, the 文号 under it, numbered sections in 黑体 with 仿宋 paragraphs, tables, native
//! charts (see [`crate::word_chart`]), photos with captions, the 落款 (issuer and date) at the
//! end and 第 X 页 共 Y 页 in the footer.

use crate::word_chart::Chart;
use docx_rs::{
    AlignmentType, Docx, Footer, NumPages, PageNum, Paragraph, Run, RunFonts, Table, TableCell, TableLayoutType,
    TableRow, WidthType,
};
use std::io::{Read, Write};

#[derive(Debug, Clone, Default)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
    /// A header row and body rows, shown after the paragraphs.
    pub table: Option<(Vec<String>, Vec<Vec<String>>)>,
    /// A chart shown before the table.
    pub chart: Option<Chart>,
    /// Photos (PNG or JPEG) with their captions, after the table.
    pub pictures: Vec<Picture>,
}

#[derive(Debug, Clone, Default)]
pub struct Picture {
    pub bytes: Vec<u8>,
    pub caption: String,
}

/// The 落款: who issues the document and on which day, set right under the body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signature {
    pub issuer: String,
    pub date: String,
}

#[derive(Debug, Clone, Default)]
pub struct Document {
    pub title: String,
    /// The 文号 (晋市工信责改〔2026〕第 3 号), centred under the title, when the document has one.
    pub number: Option<String>,
    /// A line under the title (whose report, which period); empty for none.
    pub subtitle: String,
    /// Marks the document 草稿 above its title: only when a draft is asked for.
    pub draft: bool,
    pub sections: Vec<Section>,
    pub signature: Option<Signature>,
}

/// A line the editor shows for the writer to fill in (【请填写……】): never printed.
pub fn is_placeholder(line: &str) -> bool {
    let l = line.trim();
    l.starts_with("【请") && l.ends_with('】')
}

/// Sections from a report's text: a line starting with a Chinese numeral and 、 (一、…十、) opens a
/// section; the lines after it are its paragraphs. Placeholders are dropped, and a section left
/// with nothing in it is left out, so the file never carries an empty heading.
pub fn sections_from_text(body: &str) -> Vec<Section> {
    const HEADS: [&str; 10] = ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、", "十、"];
    let mut sections = Vec::new();
    let mut current: Option<Section> = None;
    for line in body.lines() {
        if HEADS.iter().any(|p| line.starts_with(p)) {
            sections.extend(current.take());
            current = Some(Section { heading: line.to_owned(), ..Default::default() });
        } else if !line.trim().is_empty() && !is_placeholder(line) {
            current.get_or_insert_with(Section::default).paragraphs.push(line.to_owned());
        }
    }
    sections.extend(current);
    sections.retain(|s| !s.paragraphs.is_empty());
    renumber(&mut sections);
    sections
}

/// Numbers headings 一、二、… in order again, after sections were left out or added.
pub fn renumber(sections: &mut [Section]) {
    const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    // Only numbered headings take part; an appendix (附：…) keeps its own.
    let numbered = |h: &str| {
        h.split_once('、').is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| "一二三四五六七八九十".contains(c)))
    };
    for (i, s) in sections.iter_mut().filter(|s| numbered(&s.heading)).enumerate() {
        let rest = s.heading.split_once('、').map_or(s.heading.as_str(), |(_, r)| r).to_owned();
        s.heading = format!("{}、{rest}", NUMERALS.get(i).copied().unwrap_or("十"));
    }
}

fn run(text: &str, font: &str, half_points: usize, bold: bool) -> Run {
    let r = Run::new().add_text(text).size(half_points).fonts(RunFonts::new().east_asia(font).ascii("Times New Roman"));
    if bold {
        r.bold()
    } else {
        r
    }
}

/// The width of an A4 page's text in twentieths of a point (docx-rs's margins: 1701 each side).
const TEXT_WIDTH: usize = 11906 - 2 * 1701;

/// Column widths that follow what the columns hold: each the share of its longest text (a 序号
/// column stays narrow, a description wide), no column under two characters' room.
fn column_widths(head: &[String], rows: &[Vec<String>]) -> Vec<usize> {
    let longest: Vec<usize> = (0..head.len())
        .map(|c| {
            std::iter::once(&head[c])
                .chain(rows.iter().filter_map(|r| r.get(c)))
                .map(|t| t.chars().count())
                .max()
                .unwrap_or(2)
                .clamp(2, 30)
        })
        .collect();
    let total: usize = longest.iter().sum::<usize>().max(1);
    longest.iter().map(|l| TEXT_WIDTH * l / total).collect()
}

/// Text standing in for chart `n` until the chart's drawing replaces its paragraph.
fn chart_marker(n: usize) -> String {
    format!("ANJIAN-CHART-{n}-MARK")
}

/// A photo as PNG no wider than 1,200 px (what docx-rs embeds), with its size; `None` for bytes
/// that are not an image.
fn picture_png(bytes: &[u8]) -> Option<(Vec<u8>, u32, u32)> {
    let img = image::load_from_memory(bytes).ok()?;
    let img = if img.width() > 1200 { img.resize(1200, 1200 * 4, image::imageops::FilterType::Triangle) } else { img };
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).ok()?;
    Some((out.into_inner(), img.width(), img.height()))
}

/// The footer: 第 X 页 共 Y 页, as fields Word and WPS fill in.
fn page_footer() -> Footer {
    let text = |t: &str| run(t, "宋体", 24, false);
    Footer::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(text("第 "))
            .add_page_num(PageNum::new())
            .add_run(text(" 页 共 "))
            .add_num_pages(NumPages::new())
            .add_run(text(" 页")),
    )
}

/// Why a document could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    #[error("building the document: {0}")]
    Build(String),
    #[error("writing a chart's workbook: {0}")]
    Chart(#[from] rust_xlsxwriter::XlsxError),
    #[error("repacking the document: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("repacking the document: {0}")]
    Io(#[from] std::io::Error),
}

/// The document as the bytes of a .docx file.
pub fn write(doc: &Document) -> Result<Vec<u8>, DocxError> {
    let mut d = Docx::new().footer(page_footer());
    if doc.draft {
        d = d.add_paragraph(Paragraph::new().align(AlignmentType::Right).add_run(run("草稿", "黑体", 32, true)));
    }
    // A paper's title is two lines: the bureau, then the paper's name.
    for line in doc.title.lines() {
        d = d.add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(
            line,
            "方正小标宋简体",
            40,
            true,
        )));
    }
    if let Some(number) = doc.number.as_deref().filter(|n| !n.is_empty()) {
        d = d.add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(number, "仿宋", 32, false)));
    }
    if !doc.subtitle.is_empty() {
        d = d.add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(
            &doc.subtitle,
            "楷体",
            28,
            false,
        )));
    }
    let mut charts = Vec::new();
    for s in &doc.sections {
        if !s.heading.is_empty() {
            d = d.add_paragraph(Paragraph::new().add_run(run(&s.heading, "黑体", 32, false)));
        }
        for p in &s.paragraphs {
            // Each line of a paragraph becomes its own paragraph, indented by two characters.
            for line in p.lines().filter(|l| !l.trim().is_empty() && !is_placeholder(l)) {
                d = d.add_paragraph(
                    Paragraph::new()
                        .indent(None, Some(docx_rs::SpecialIndentType::FirstLine(640)), None, None)
                        .add_run(run(line.trim(), "仿宋", 32, false)),
                );
            }
        }
        if let Some(chart) = &s.chart {
            charts.push(chart.clone());
            d = d.add_paragraph(Paragraph::new().add_run(Run::new().add_text(chart_marker(charts.len()))));
        }
        if let Some((head, rows)) = &s.table {
            let widths = column_widths(head, rows);
            let cell = |t: &str, bold, w: usize| {
                TableCell::new()
                    .width(w, WidthType::Dxa)
                    .add_paragraph(Paragraph::new().add_run(run(t, "仿宋", 24, bold)))
            };
            let row =
                |r: &[String], bold| TableRow::new(r.iter().zip(&widths).map(|(c, w)| cell(c, bold, *w)).collect());
            let mut table_rows = vec![row(head, true)];
            table_rows.extend(rows.iter().map(|r| row(r, false)));
            d = d.add_table(
                Table::new(table_rows)
                    .set_grid(widths.clone())
                    .width(TEXT_WIDTH, WidthType::Dxa)
                    .layout(TableLayoutType::Fixed),
            );
        }
        for p in &s.pictures {
            let Some((png, w, h)) = picture_png(&p.bytes) else { continue };
            // 9 cm wide at most (before and after fit a page), keeping the photo's proportions,
            // in EMU (360,000 per cm).
            let width = (9 * 360_000).min(w as u64 * 9525);
            let height = width * h as u64 / w.max(1) as u64;
            let pic = docx_rs::Pic::new_with_dimensions(png, w, h).size(width as u32, height as u32);
            d = d.add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(Run::new().add_image(pic)));
            if !p.caption.is_empty() {
                d = d.add_paragraph(
                    Paragraph::new().align(AlignmentType::Center).add_run(run(&p.caption, "楷体", 24, false)),
                );
            }
        }
    }
    if let Some(sig) = &doc.signature {
        // Two blank lines, then issuer and date right-aligned, as a 落款 is set.
        d = d.add_paragraph(Paragraph::new()).add_paragraph(Paragraph::new());
        for line in [&sig.issuer, &sig.date] {
            d = d.add_paragraph(Paragraph::new().align(AlignmentType::Right).add_run(run(line, "仿宋", 32, false)));
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut out).map_err(|e| DocxError::Build(e.to_string()))?;
    let bytes = out.into_inner();
    if charts.is_empty() {
        return Ok(bytes);
    }
    with_charts(&bytes, &charts)
}

/// Replaces each chart's marker paragraph with the chart's drawing and adds its parts: the chart
/// XML, its embedded workbook, their relationships and content types.
fn with_charts(docx: &[u8], charts: &[Chart]) -> Result<Vec<u8>, DocxError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx))?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut f = archive.by_index(i)?;
        let name = f.name()?.into_owned();
        let mut text = Vec::new();
        f.read_to_end(&mut text)?;
        let text = match name.as_str() {
            "word/document.xml" => place_charts(&String::from_utf8_lossy(&text), charts).into_bytes(),
            "word/_rels/document.xml.rels" => {
                let rels: String = (1..=charts.len())
                    .map(|n| format!(
                        r#"<Relationship Id="rIdAnjianChart{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart" Target="charts/chart{n}.xml"/>"#
                    ))
                    .collect();
                String::from_utf8_lossy(&text)
                    .replace("</Relationships>", &format!("{rels}</Relationships>"))
                    .into_bytes()
            }
            "[Content_Types].xml" => {
                let mut types: String = (1..=charts.len())
                    .map(|n| format!(
                        r#"<Override PartName="/word/charts/chart{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.drawingml.chart+xml"/>"#
                    ))
                    .collect();
                types.push_str(r#"<Default Extension="xlsx" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"/>"#);
                String::from_utf8_lossy(&text).replace("</Types>", &format!("{types}</Types>")).into_bytes()
            }
            _ => text,
        };
        out.start_file(name, opts)?;
        out.write_all(&text)?;
    }
    for (i, chart) in charts.iter().enumerate() {
        let n = i + 1;
        out.start_file(format!("word/charts/chart{n}.xml"), opts)?;
        out.write_all(chart.part_xml("rId1").as_bytes())?;
        out.start_file(format!("word/charts/_rels/chart{n}.xml.rels"), opts)?;
        out.write_all(format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/package" Target="../embeddings/chart{n}-data.xlsx"/></Relationships>"#
        ).as_bytes())?;
        out.start_file(format!("word/embeddings/chart{n}-data.xlsx"), opts)?;
        out.write_all(&chart.data_xlsx()?)?;
    }
    Ok(out.finish()?.into_inner())
}

/// The document's XML with each marker's paragraph replaced by its chart, inline and centred.
fn place_charts(xml: &str, charts: &[Chart]) -> String {
    let mut xml = xml.to_owned();
    for (i, chart) in charts.iter().enumerate() {
        let n = i + 1;
        let Some(at) = xml.find(&chart_marker(n)) else { continue };
        // The paragraph's own tag: `<w:p>` or `<w:p w14:paraId=…>` (not `<w:pPr>`).
        let start = xml[..at].rfind("<w:p ").into_iter().chain(xml[..at].rfind("<w:p>")).max();
        let (Some(start), Some(len)) = (start, xml[at..].find("</w:p>")) else { continue };
        let end = at + len + "</w:p>".len();
        let (cx, cy) = chart.extent();
        let drawing = format!(
            concat!(
                r#"<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:drawing>"#,
                r#"<wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>"#,
                r#"<wp:docPr id="{id}" name="图表 {n}"/><wp:cNvGraphicFramePr/>"#,
                r#"<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">"#,
                r#"<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" r:id="rIdAnjianChart{n}"/>"#,
                r#"</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"#
            ),
            cx = cx,
            cy = cy,
            id = 5000 + n,
            n = n,
        );
        xml.replace_range(start..end, &drawing);
    }
    xml
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::word_chart::Series;
    use std::io::Read;

    fn part(bytes: &[u8], name: &str) -> String {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        z.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
        xml
    }

    fn photo() -> Vec<u8> {
        let img = image::RgbImage::from_pixel(40, 30, image::Rgb([200, 30, 30]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
        out.into_inner()
    }

    fn document() -> Document {
        Document {
            title: "2022年8月包联工作报告".into(),
            number: Some("晋市工信〔2022〕第 8 号".into()),
            subtitle: "靳海峰（党委专职副书记）".into(),
            draft: false,
            sections: vec![Section {
                heading: "一、督导检查".into(),
                paragraphs: vec!["本月开展督导检查 3 次。\n发现隐患 <2> 项 & 已整改。\n【请填写下一步工作安排】".into()],
                table: Some((vec!["日期".into(), "对象".into()], vec![vec!["08-02".into(), "城区".into()]])),
                chart: Some(Chart {
                    title: "各县区隐患".into(),
                    category_axis: "县区".into(),
                    value_axis: "项".into(),
                    categories: vec!["城区".into(), "泽州县".into()],
                    series: vec![Series { name: "发现".into(), color: "C62828".into(), values: vec![2.0, 8.0] }],
                }),
                pictures: vec![Picture { bytes: photo(), caption: "整改前".into() }],
            }],
            signature: Some(Signature {
                issuer: "晋城市工业和信息化局".into(), date: "2022年8月31日".into()
            }),
        }
    }

    #[test]
    fn the_document_carries_number_chart_photo_signature_and_page_numbers() {
        let bytes = write(&document()).unwrap();
        let xml = part(&bytes, "word/document.xml");
        assert!(xml.contains("2022年8月包联工作报告"));
        assert!(xml.contains("晋市工信〔2022〕第 8 号"), "the 文号");
        assert!(xml.contains("发现隐患 &lt;2&gt; 项 &amp; 已整改。"), "text is escaped");
        assert!(!xml.contains("请填写"), "placeholders are not printed");
        assert!(!xml.contains("草稿"), "a final document is not marked as a draft");
        assert!(xml.contains("城区"));
        assert!(xml.contains("晋城市工业和信息化局") && xml.contains("2022年8月31日"), "the 落款");
        assert!(xml.contains(r#"r:id="rIdAnjianChart1""#) && !xml.contains("ANJIAN-CHART"), "the chart is placed");
        let chart = part(&bytes, "word/charts/chart1.xml");
        assert!(chart.contains("<c:v>泽州县</c:v>") && chart.contains("<c:v>8</c:v>"), "categories and values");
        assert!(part(&bytes, "word/_rels/document.xml.rels").contains("charts/chart1.xml"));
        assert!(part(&bytes, "[Content_Types].xml").contains("drawingml.chart+xml"));
        let footer = part(&bytes, "word/footer1.xml");
        assert!(footer.contains(">PAGE<") && footer.contains(">NUMPAGES<"), "第 X 页 共 Y 页: {footer}");
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        assert!(z.by_name("word/embeddings/chart1-data.xlsx").is_ok(), "the chart's data can be edited");
        assert!(
            (0..z.len()).any(|i| z.by_index(i).unwrap().name().unwrap().starts_with("word/media/")),
            "the photo is embedded"
        );
    }

    #[test]
    fn a_draft_says_so_and_a_bad_photo_is_left_out() {
        let mut doc = document();
        doc.draft = true;
        doc.sections[0].chart = None;
        doc.sections[0].pictures = vec![Picture { bytes: b"not an image".to_vec(), caption: "x".into() }];
        let bytes = write(&doc).unwrap();
        assert!(part(&bytes, "word/document.xml").contains("草稿"));
    }

    #[test]
    fn a_description_column_is_wider_than_a_number_column() {
        let w = column_widths(
            &["序号".into(), "事故隐患".into()],
            &[vec!["1".into(), "二号车间行车钢丝绳断丝超标仍在使用".into()]],
        );
        assert!(w[1] > 4 * w[0], "{w:?}");
        assert!(w.iter().sum::<usize>() <= TEXT_WIDTH);
    }

    #[test]
    fn empty_sections_are_left_out_and_the_rest_renumbered() {
        let s = sections_from_text(
            "一、概况\n本月平稳。\n二、下一步工作安排\n【请填写下一步工作安排】\n三、典型案例\n案例一",
        );
        let heads: Vec<_> = s.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(heads, ["一、概况", "二、典型案例"]);
    }
}
