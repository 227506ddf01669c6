#pragma once
// The small part of CSV (RFC 4180) the tools read and write: quoted cells with commas, quotes
// and line breaks.

#include <string>
#include <vector>

namespace cohort::tools {

/// The cells of one CSV line; a quoted cell may hold commas and doubled quotes.
std::vector<std::string> split_csv_line(const std::string& line);

/// `text` as one CSV cell: quoted (quotes doubled) when it holds a comma, quote or line break.
std::string csv_cell(const std::string& text);

/// A CSV file's header and rows, as text.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

/// Reads a CSV file without quoted line breaks (metrics.csv). Throws std::runtime_error when it
/// cannot be read.
CsvTable read_csv(const std::string& path);

}  // namespace cohort::tools
