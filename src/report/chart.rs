//! The 30-day trend as a PNG: one line per control account's variance, a zero line, a date
//! axis, a money axis and a legend. Pure: returns the PNG bytes, reads and writes no file.
//!
//! Text is drawn with a bundled font (a Latin subset of `DejaVu Sans`, `assets/fonts/`),
//! registered with plotters' `ab_glyph` renderer, so the chart renders the same on a bare
//! server without fontconfig or any installed font. The same input gives the same bytes.

use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::register_font;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;

use super::Trend;

/// The chart's size in pixels.
pub const WIDTH: u32 = 800;
pub const HEIGHT: u32 = 360;

/// The family every text of the chart is drawn in: the bundled font is registered under it.
const FAMILY: &str = "sans-serif";
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-subset.ttf");

/// One colour per account, in role order (repeated past the last).
const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
];

/// Why the chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The bundled font did not load (a broken build).
    #[error("the bundled chart font is not a valid TrueType font")]
    Font,
    /// plotters refused to draw.
    #[error("drawing the trend chart failed: {0}")]
    Draw(String),
    /// The PNG encoder failed.
    #[error("encoding the trend chart as PNG failed: {0}")]
    Encode(#[from] png::EncodingError),
}

fn font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok { Ok(()) } else { Err(ChartError::Font) }
}

fn draw_error(err: impl std::fmt::Display) -> ChartError {
    ChartError::Draw(err.to_string())
}

/// A money amount as a position on the chart. The only place cxsync turns money into a
/// floating-point number: for pixel placement, never for a figure anyone reads.
fn pixel_value(amount: Decimal) -> f64 {
    amount.to_f64().unwrap_or_default()
}

/// The money axis: every value and zero, with a margin; ±1 when everything is zero or absent.
fn value_range(trend: &Trend) -> (f64, f64) {
    let values = trend.series.iter().flat_map(|s| s.variance.iter().flatten().copied());
    let (low, high) = values
        .map(pixel_value)
        .fold((0.0_f64, 0.0_f64), |(low, high), v| (low.min(v), high.max(v)));
    let span = high - low;
    if span == 0.0 {
        return (low - 1.0, high + 1.0);
    }
    (low - span * 0.08, high + span * 0.08)
}

/// The runs of consecutive days that have a figure, as `(day index, value)` points.
fn runs(values: &[Option<Decimal>]) -> Vec<Vec<(i32, f64)>> {
    let mut runs: Vec<Vec<(i32, f64)>> = Vec::new();
    let mut current: Vec<(i32, f64)> = Vec::new();
    for (i, value) in (0..).zip(values) {
        match value {
            Some(v) => current.push((i, pixel_value(*v))),
            None if !current.is_empty() => runs.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// The corner of the plot with the fewest figures in it, for the legend.
fn legend_corner(trend: &Trend, last: i32, (low, high): (f64, f64)) -> SeriesLabelPosition {
    let middle = f64::midpoint(low, high);
    let points: Vec<(i32, f64)> =
        trend.series.iter().flat_map(|s| runs(&s.variance)).flatten().collect();
    let count = |left: bool, upper: bool| {
        points.iter().filter(|(x, y)| (*x * 2 <= last) == left && (*y >= middle) == upper).count()
    };
    [
        (SeriesLabelPosition::UpperLeft, count(true, true)),
        (SeriesLabelPosition::UpperRight, count(false, true)),
        (SeriesLabelPosition::LowerLeft, count(true, false)),
        (SeriesLabelPosition::LowerRight, count(false, false)),
    ]
    .into_iter()
    .min_by_key(|(_, n)| *n)
    .map_or(SeriesLabelPosition::UpperLeft, |(corner, _)| corner)
}

/// Money on the axis: whole units once the range is wide, cents when it is narrow.
fn axis_money(value: f64, span: f64) -> String {
    if span >= 20.0 { format!("{value:.0}") } else { format!("{value:.2}") }
}

/// Draws `trend` (titled `title`) as a [`WIDTH`]×[`HEIGHT`] PNG. A trend without any figure
/// still gives a chart: the axes, the zero line and a legend.
pub fn png(trend: &Trend, title: &str) -> Result<Vec<u8>, ChartError> {
    font()?;
    let mut pixels = vec![0_u8; (WIDTH * HEIGHT * 3) as usize];
    draw(trend, title, &mut pixels)?;
    encode(&pixels)
}

fn draw(trend: &Trend, title: &str, pixels: &mut [u8]) -> Result<(), ChartError> {
    let root = BitMapBackend::with_buffer(pixels, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE).map_err(draw_error)?;
    let last = i32::try_from(trend.days.len().max(2) - 1).unwrap_or(1);
    let (low, high) = value_range(trend);
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (FAMILY, 16))
        .margin(12)
        .margin_right(24)
        .x_label_area_size(40)
        .y_label_area_size(84)
        .build_cartesian_2d(0..last, low..high)
        .map_err(draw_error)?;
    let day_label = |i: &i32| {
        usize::try_from(*i)
            .ok()
            .and_then(|i| trend.days.get(i))
            .map(|day| day.format("%d %b").to_string())
            .unwrap_or_default()
    };
    let money_label = |v: &f64| axis_money(*v, high - low);
    chart
        .configure_mesh()
        .x_labels(8)
        .y_labels(7)
        .x_label_formatter(&day_label)
        .y_label_formatter(&money_label)
        .x_desc("Day (the connection's calendar)")
        .y_desc("Variance: Cin7 minus Xero")
        .axis_desc_style((FAMILY, 11))
        .label_style((FAMILY, 11))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(draw_error)?;
    chart
        .draw_series(LineSeries::new([(0, 0.0), (last, 0.0)], BLACK.stroke_width(1)))
        .map_err(draw_error)?;
    for (series, colour) in trend.series.iter().zip(PALETTE.iter().cycle()) {
        let colour = *colour;
        for run in runs(&series.variance) {
            chart.draw_series(LineSeries::new(run, colour.stroke_width(2))).map_err(draw_error)?;
        }
        // A lone day between gaps (a trial balance) has no line: it gets a dot. The legend
        // entry hangs on these dots, drawn even when there are none.
        let dots = runs(&series.variance).into_iter().filter(|run| run.len() == 1).flatten();
        chart
            .draw_series(dots.map(|point| Circle::new(point, 3, colour.filled())))
            .map_err(draw_error)?
            .label(format!("{} {}", series.role, series.code))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(legend_corner(trend, last, (low, high)))
        .label_font((FAMILY, 11))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .draw()
        .map_err(draw_error)?;
    root.present().map_err(draw_error)
}

fn encode(pixels: &[u8]) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(pixels)?;
    writer.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{TrendSeries, trend_days};
    use chrono::NaiveDate;

    fn trend(values: &[Vec<Option<&str>>]) -> Trend {
        let series = values
            .iter()
            .zip(["inventory", "cogs", "grni"])
            .map(|(values, role)| TrendSeries {
                role,
                code: "630".into(),
                variance: values.iter().map(|v| v.map(|v| v.parse().unwrap())).collect(),
            })
            .collect();
        Trend { days: trend_days(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()), series }
    }

    fn varied() -> Trend {
        let rising: Vec<Option<&str>> =
            ["0", "10.5", "-20", "1234.56"].iter().copied().map(Some).cycle().take(30).collect();
        let mut gappy = vec![None; 30];
        gappy[3] = Some("-500.00");
        gappy[20] = Some("250.00");
        gappy[21] = Some("260.00");
        trend(&[rising, gappy])
    }

    /// The width and height in a PNG's IHDR chunk.
    fn dimensions(png: &[u8]) -> (u32, u32) {
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "the PNG signature");
        assert_eq!(&png[12..16], b"IHDR");
        let word = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
        (word(16), word(20))
    }

    #[test]
    fn the_chart_is_a_png_of_the_stated_size() {
        let png = png(&varied(), "acme-au: variance, cin7 − xero").unwrap();
        assert_eq!(dimensions(&png), (WIDTH, HEIGHT));
    }

    #[test]
    fn the_same_trend_gives_the_same_bytes() {
        let title = "acme-au";
        assert_eq!(png(&varied(), title).unwrap(), png(&varied(), title).unwrap());
        assert_ne!(png(&varied(), title).unwrap(), png(&trend(&[vec![None; 30]]), title).unwrap());
    }

    #[test]
    fn an_empty_or_all_gaps_trend_still_draws() {
        let empty = Trend { days: vec![], series: vec![] };
        assert_eq!(dimensions(&png(&empty, "nothing").unwrap()), (WIDTH, HEIGHT));
        let gaps = trend(&[vec![None; 30], vec![]]);
        assert_eq!(dimensions(&png(&gaps, "gaps").unwrap()), (WIDTH, HEIGHT));
    }

    #[test]
    fn gaps_split_a_line_into_runs() {
        let d = |s: &str| Some(s.parse::<Decimal>().unwrap());
        let runs = runs(&[d("1"), d("2"), None, None, d("3"), None]);
        assert_eq!(runs, [vec![(0, 1.0), (1, 2.0)], vec![(4, 3.0)]]);
    }
}
