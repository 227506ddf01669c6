#pragma once
// Aligned plain-text tables for terminal output. Hand-written because no Debian package offers
// one; it is a few dozen lines and has no state beyond the cells.

#include <cstddef>
#include <string>
#include <vector>

namespace cohort::memory {

/// A table of strings rendered with aligned columns: text columns left-aligned, columns marked
/// numeric right-aligned, a rule under the header.
class TextTable {
 public:
  /// `numeric[i]` right-aligns column i.
  TextTable(std::vector<std::string> header, std::vector<bool> numeric);
  void add_row(std::vector<std::string> cells);
  std::string render(const std::string& indent = "") const;

 private:
  std::vector<std::string> header_;
  std::vector<bool> numeric_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace cohort::memory
