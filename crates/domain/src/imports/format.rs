//! The file formats an import understands, told apart by the file's extension.

use serde::Serialize;

crate::named_enum! {
    pub enum FileFormat { Qfx = "qfx", Ofx = "ofx", Csv = "csv" }
}

impl FileFormat {
    /// By extension, case-insensitive (`Chase1234_Activity.CSV` is CSV); `None` for any
    /// other (415).
    pub fn from_file_name(file_name: &str) -> Option<Self> {
        let (_, extension) = file_name.rsplit_once('.')?;
        Self::parse(&extension.to_ascii_lowercase())
    }

    pub fn is_ofx(self) -> bool {
        matches!(self, Self::Qfx | Self::Ofx)
    }
}

crate::named_enum! {
    /// The CSV layouts recognised by their header row.
    pub enum CsvLayout {
        ChaseChecking = "chase_checking", ChaseCard = "chase_card", Generic = "generic",
    }
}

/// One entry of `GET /imports/formats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FormatInfo {
    pub format: FileFormat,
    pub name: &'static str,
    pub extensions: &'static [&'static str],
    pub provider_slugs: &'static [&'static str],
}

pub const FORMATS: [FormatInfo; 3] = [
    FormatInfo {
        format: FileFormat::Qfx,
        name: "Quicken Financial Exchange (OFX 1.x SGML or 2.x XML)",
        extensions: &[".qfx"],
        provider_slugs: &["chase_file"],
    },
    FormatInfo {
        format: FileFormat::Ofx,
        name: "Open Financial Exchange (1.x SGML or 2.x XML)",
        extensions: &[".ofx"],
        provider_slugs: &["chase_file"],
    },
    FormatInfo {
        format: FileFormat::Csv,
        name: "Comma-separated values (Chase checking, Chase credit card, generic)",
        extensions: &[".csv"],
        provider_slugs: &["chase_file"],
    },
];

/// A CSV layout as `GET /imports/formats` describes it: its name and header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CsvLayoutInfo {
    pub layout: CsvLayout,
    pub headers: &'static [&'static str],
    pub description: &'static str,
}

pub const CSV_LAYOUTS: [CsvLayoutInfo; 3] = [
    CsvLayoutInfo {
        layout: CsvLayout::ChaseChecking,
        headers: &["Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #"],
        description: "Chase checking or savings export (newest first; the balance is the newest row's)",
    },
    CsvLayoutInfo {
        layout: CsvLayout::ChaseCard,
        headers: &[
            "Card,Transaction Date,Post Date,Description,Category,Type,Amount,Memo",
            "Transaction Date,Post Date,Description,Category,Type,Amount,Memo",
        ],
        description: "Chase credit card export (charges negative; no balance column)",
    },
    CsvLayoutInfo {
        layout: CsvLayout::Generic,
        headers: &["date,description,amount", "date,description,debit,credit"],
        description: "Any bank: ISO (YYYY-MM-DD) or US (MM/DD/YYYY) dates; a signed amount, \
                      or unsigned debit and credit columns; set charges_positive for card \
                      exports that show charges as positive amounts (Amex, Discover)",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_is_the_extension_in_any_case() {
        assert_eq!(FileFormat::from_file_name("a.QFX"), Some(FileFormat::Qfx));
        assert_eq!(FileFormat::from_file_name("x.y.Ofx"), Some(FileFormat::Ofx));
        assert_eq!(
            FileFormat::from_file_name("Chase1234_Activity_20211019.CSV"),
            Some(FileFormat::Csv)
        );
        for name in ["statement.pdf", "qfx", "noext", "a.qfx.txt", ""] {
            assert_eq!(FileFormat::from_file_name(name), None, "{name}");
        }
    }
}
