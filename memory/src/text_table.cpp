#include "cohort/memory/text_table.hpp"

#include <algorithm>
#include <stdexcept>

namespace cohort::memory {

TextTable::TextTable(std::vector<std::string> header, std::vector<bool> numeric)
    : header_(std::move(header)), numeric_(std::move(numeric)) {
  numeric_.resize(header_.size(), false);
}

void TextTable::add_row(std::vector<std::string> cells) {
  if (cells.size() != header_.size())
    throw std::invalid_argument("text table row has " + std::to_string(cells.size()) +
                                " cells, header has " + std::to_string(header_.size()));
  rows_.push_back(std::move(cells));
}

std::string TextTable::render(const std::string& indent) const {
  std::vector<std::size_t> width(header_.size());
  for (std::size_t c = 0; c < header_.size(); ++c) {
    width[c] = header_[c].size();
    for (const auto& row : rows_)
      width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    out += indent;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string pad(width[c] - cells[c].size(), ' ');
      if (c > 0) out += "  ";
      out += numeric_[c] ? pad + cells[c] : cells[c] + (c + 1 < cells.size() ? pad : "");
    }
    out += '\n';
  };
  line(header_);
  std::size_t total = 0;
  for (std::size_t w : width)
    total += w;
  out += indent + std::string(total + 2 * (width.size() - 1), '-') + '\n';
  for (const auto& row : rows_)
    line(row);
  return out;
}

}  // namespace cohort::memory
