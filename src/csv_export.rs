//! The one way to write a CSV file people will open in a spreadsheet.
//!
//! Every CSV export goes through [`SpreadsheetCsv`], which neutralises
//! cells a spreadsheet would run as a formula ("CSV injection"): a cell
//! starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
//! leading `'` (OWASP's advice), so a name such as `=HYPERLINK(…)` typed
//! into an enrolment form shows as text instead of running. Files are
//! UTF-8 with a byte-order mark, so Excel reads Vietnamese correctly, and
//! lines end with CRLF.

use crate::error::{AppError, AppResult};

/// The byte-order mark the files start with.
pub const BOM: &str = "\u{feff}";

/// The characters that make a spreadsheet read a cell as a formula when
/// they come first.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `cell` as it is safe to write: prefixed with `'` when a spreadsheet
/// would read it as a formula, unchanged otherwise.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A CSV file being written in memory, every cell neutralised.
pub struct SpreadsheetCsv {
    writer: csv::Writer<Vec<u8>>,
}

impl Default for SpreadsheetCsv {
    fn default() -> Self {
        Self::new()
    }
}

impl SpreadsheetCsv {
    /// An empty file (just the byte-order mark).
    pub fn new() -> Self {
        let mut out = Vec::new();
        out.extend_from_slice(BOM.as_bytes());
        Self {
            writer: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(out),
        }
    }

    /// Writes one line; each cell is neutralised first.
    pub fn line<I, S>(&mut self, cells: I) -> AppResult<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| neutralise(c.as_ref()).into_owned())
            .collect();
        self.writer.write_record(&cells).map_err(AppError::internal)
    }

    /// The file's bytes.
    pub fn finish(self) -> AppResult<Vec<u8>> {
        self.writer
            .into_inner()
            .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised_and_the_rest_kept() {
        for cell in ["=1+1", "+84", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(cell), format!("'{cell}"));
        }
        for cell in ["Lò Thị Hoa", "0912345001", "", "a=b", "'quoted"] {
            assert_eq!(neutralise(cell), cell);
        }
    }

    #[test]
    fn a_file_has_a_bom_crlf_lines_and_quoted_cells() {
        let mut csv = SpreadsheetCsv::new();
        csv.line(["name", "note"]).expect("line");
        csv.line(["=cmd|' /C calc'!A0", "a, b"]).expect("line");
        let text = String::from_utf8(csv.finish().expect("bytes")).expect("utf-8");
        assert_eq!(
            text,
            "\u{feff}name,note\r\n'=cmd|' /C calc'!A0,\"a, b\"\r\n"
        );
    }
}
