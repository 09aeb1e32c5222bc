//! Native Word charts: a chart part (DrawingML) that Word, WPS and LibreOffice draw with their
//! own fonts, so county names, axis titles and values are text in the reader's font rather than
//! pixels of ours. The chart's figures are also embedded as a small workbook, so "编辑数据" in
//! Word opens them.

use crate::cell::escape;
use rust_xlsxwriter::{Workbook, XlsxError};

/// One series of a bar chart: its name (the legend), colour (RRGGBB) and a value per category.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub color: String,
    pub values: Vec<f64>,
}

/// A clustered bar chart with a title, axis titles, category names and values on the bars.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Chart {
    pub title: String,
    pub category_axis: String,
    pub value_axis: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
}

/// More categories than this are drawn as horizontal bars, one per line, so long names stay
/// readable.
const UPRIGHT_MAX: usize = 12;

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A spreadsheet column letter for a zero-based index (series sit in B, C, …).
fn column(i: usize) -> String {
    let mut n = i + 1;
    let mut s = String::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.insert(0, (b'A' + r as u8) as char);
        n = (n - 1) / 26;
    }
    s
}

fn rich(text: &str, size: u32, bold: bool) -> String {
    let b = if bold { "1" } else { "0" };
    format!(
        r#"<c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size}" b="{b}"/></a:pPr><a:r><a:rPr lang="zh-CN" sz="{size}" b="{b}"/><a:t>{}</a:t></a:r></a:p></c:rich></c:tx><c:overlay val="0"/>"#,
        xml_escape(text)
    )
}

impl Chart {
    /// Horizontal bars (many categories) or upright columns.
    pub fn horizontal(&self) -> bool {
        self.categories.len() > UPRIGHT_MAX
    }

    /// The drawn size in EMU (360,000 per cm): 15 cm wide; tall enough for a line per category
    /// when horizontal.
    pub fn extent(&self) -> (u64, u64) {
        let height_cm = if self.horizontal() { (2.5 + 0.6 * self.categories.len() as f64).min(22.0) } else { 8.5 };
        (15 * 360_000, (height_cm * 360_000.0) as u64)
    }

    /// The chart part (`word/charts/chartN.xml`); `data_rid` names the embedded workbook.
    pub fn part_xml(&self, data_rid: &str) -> String {
        let n = self.categories.len();
        let last = n + 1;
        let cats: String = self
            .categories
            .iter()
            .enumerate()
            .map(|(i, c)| format!(r#"<c:pt idx="{i}"><c:v>{}</c:v></c:pt>"#, xml_escape(c)))
            .collect();
        let series: String = self
            .series
            .iter()
            .enumerate()
            .map(|(s, ser)| {
                let col = column(s + 1);
                let vals: String = ser
                    .values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| format!(r#"<c:pt idx="{i}"><c:v>{v}</c:v></c:pt>"#))
                    .collect();
                format!(
                    concat!(
                        r#"<c:ser><c:idx val="{s}"/><c:order val="{s}"/>"#,
                        r#"<c:tx><c:strRef><c:f>Sheet1!${col}$1</c:f><c:strCache><c:ptCount val="1"/><c:pt idx="0"><c:v>{name}</c:v></c:pt></c:strCache></c:strRef></c:tx>"#,
                        r#"<c:spPr><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></c:spPr><c:invertIfNegative val="0"/>"#,
                        r#"<c:dLbls><c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr><c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/><c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbls>"#,
                        r#"<c:cat><c:strRef><c:f>Sheet1!$A$2:$A${last}</c:f><c:strCache><c:ptCount val="{n}"/>{cats}</c:strCache></c:strRef></c:cat>"#,
                        r#"<c:val><c:numRef><c:f>Sheet1!${col}$2:${col}${last}</c:f><c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="{n}"/>{vals}</c:numCache></c:numRef></c:val>"#,
                        r#"</c:ser>"#
                    ),
                    s = s,
                    col = col,
                    name = xml_escape(&ser.name),
                    color = xml_escape(&ser.color),
                    last = last,
                    n = n,
                    cats = cats,
                    vals = vals,
                )
            })
            .collect();
        let (dir, cat_pos, val_pos, cat_order) =
            if self.horizontal() { ("bar", "l", "b", "maxMin") } else { ("col", "b", "l", "minMax") };
        format!(
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
                r#"<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
                r#"<c:lang val="zh-CN"/><c:roundedCorners val="0"/>"#,
                r#"<c:chart><c:title>{title}</c:title><c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>"#,
                r#"<c:barChart><c:barDir val="{dir}"/><c:grouping val="clustered"/><c:varyColors val="0"/>{series}<c:gapWidth val="60"/><c:axId val="50010"/><c:axId val="50020"/></c:barChart>"#,
                r#"<c:catAx><c:axId val="50010"/><c:scaling><c:orientation val="{cat_order}"/></c:scaling><c:delete val="0"/><c:axPos val="{cat_pos}"/><c:title>{cat_title}</c:title><c:numFmt formatCode="General" sourceLinked="0"/><c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="50020"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>"#,
                r#"<c:valAx><c:axId val="50020"/><c:scaling><c:orientation val="minMax"/><c:min val="0"/></c:scaling><c:delete val="0"/><c:axPos val="{val_pos}"/><c:majorGridlines/><c:title>{val_title}</c:title><c:numFmt formatCode="0" sourceLinked="0"/><c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="50010"/><c:crosses val="{crosses}"/><c:crossBetween val="between"/></c:valAx>"#,
                r#"</c:plotArea><c:legend><c:legendPos val="t"/><c:overlay val="0"/></c:legend><c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>"#,
                r#"<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="1000"><a:latin typeface="Times New Roman"/><a:ea typeface="宋体"/></a:defRPr></a:pPr><a:endParaRPr lang="zh-CN"/></a:p></c:txPr>"#,
                r#"<c:externalData r:id="{rid}"><c:autoUpdate val="0"/></c:externalData>"#,
                r#"</c:chartSpace>"#
            ),
            title = rich(&self.title, 1400, true),
            dir = dir,
            series = series,
            cat_order = cat_order,
            cat_pos = cat_pos,
            val_pos = val_pos,
            // Horizontal bars read top-down: the value axis then sits at the bottom, which
            // for a reversed category axis is its "max" end.
            crosses = if self.horizontal() { "max" } else { "autoZero" },
            cat_title = rich(&self.category_axis, 1000, false),
            val_title = rich(&self.value_axis, 1000, false),
            rid = data_rid,
        )
    }

    /// The chart's figures as the workbook Word opens for "编辑数据": categories in A, a series
    /// per column from B, names in row 1.
    pub fn data_xlsx(&self) -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("Sheet1")?;
        ws.write_string(0, 0, escape(&self.category_axis))?;
        for (s, ser) in self.series.iter().enumerate() {
            ws.write_string(0, s as u16 + 1, escape(&ser.name))?;
            for (i, v) in ser.values.iter().enumerate() {
                ws.write_number(i as u32 + 1, s as u16 + 1, *v)?;
            }
        }
        for (i, c) in self.categories.iter().enumerate() {
            ws.write_string(i as u32 + 1, 0, escape(c))?;
        }
        wb.save_to_buffer()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(n: usize) -> Chart {
        Chart {
            title: "各县区隐患 <发现> 与销号".into(),
            category_axis: "县（市、区）".into(),
            value_axis: "隐患数（项）".into(),
            categories: (0..n).map(|i| format!("县{i}")).collect(),
            series: vec![
                Series { name: "发现".into(), color: "C62828".into(), values: (0..n).map(|i| i as f64).collect() },
                Series { name: "销号".into(), color: "2E7D32".into(), values: vec![1.0; n] },
            ],
        }
    }

    #[test]
    fn the_part_names_categories_series_axes_and_values() {
        let xml = chart(3).part_xml("rId1");
        for text in ["县0", "县2", "发现", "销号", "县（市、区）", "隐患数（项）", "&lt;发现&gt;", r#"<c:v>2</c:v>"#]
        {
            assert!(xml.contains(text), "{text} missing");
        }
        assert!(xml.contains(r#"<c:barDir val="col"/>"#));
        assert!(xml.contains(r#"<c:showVal val="1"/>"#), "values are written on the bars");
        assert!(xml.contains("Sheet1!$C$2:$C$4"), "the second series reads column C");
    }

    #[test]
    fn many_categories_lie_down_and_grow_taller() {
        let (few, many) = (chart(8), chart(30));
        assert!(many.part_xml("rId1").contains(r#"<c:barDir val="bar"/>"#));
        assert!(many.extent().1 > few.extent().1);
    }

    #[test]
    fn the_workbook_holds_the_figures() {
        use calamine::{Data, Reader, Xlsx};
        let bytes = chart(2).data_xlsx().unwrap();
        let mut x: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let r = x.worksheet_range("Sheet1").unwrap();
        assert_eq!(r.get((2, 0)), Some(&Data::String("县1".into())));
        assert_eq!(r.get((2, 1)), Some(&Data::Float(1.0)));
        assert_eq!(r.get((0, 2)), Some(&Data::String("销号".into())));
    }

    #[test]
    fn columns_are_lettered_like_a_spreadsheet() {
        assert_eq!(column(0), "A");
        assert_eq!(column(1), "B");
        assert_eq!(column(26), "AA");
    }
}
