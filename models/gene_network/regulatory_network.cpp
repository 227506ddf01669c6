#include "regulatory_network.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "cohort/engine/random_stream.hpp"
#include "streams.hpp"

namespace cohort::models::gene_network {

RegulatoryNetwork::RegulatoryNetwork(std::uint32_t genes, std::vector<Edge> edges)
    : genes_(genes), offsets_(genes + 1, 0) {
  // Stable, so duplicates are summed in the order they were given.
  std::stable_sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) {
    return a.target != b.target ? a.target < b.target : a.source < b.source;
  });
  for (std::size_t i = 0; i < edges.size(); ++i) {
    const Edge& e = edges[i];
    if (i > 0 && edges[i - 1].target == e.target && edges[i - 1].source == e.source) {
      weights_.back() += e.weight;
      continue;
    }
    sources_.push_back(e.source);
    weights_.push_back(e.weight);
    ++offsets_[e.target + 1];
  }
  for (std::uint32_t t = 0; t < genes; ++t)
    offsets_[t + 1] += offsets_[t];
}

RegulatoryNetwork RegulatoryNetwork::random(std::uint32_t genes, double density, double weight_min,
                                            double weight_max, std::uint64_t seed) {
  engine::RandomStream rng = engine::RandomStream::for_population(seed, 0, 0, streams::kNetwork);
  std::vector<Edge> edges;
  for (std::uint32_t s = 0; s < genes; ++s)
    for (std::uint32_t t = 0; t < genes; ++t) {
      if (s == t) continue;  // no draw for the diagonal, as in the reference's loop
      if (rng.uniform() < density) edges.push_back({s, t, rng.uniform(weight_min, weight_max)});
    }
  return RegulatoryNetwork(genes, std::move(edges));
}

std::size_t RegulatoryNetwork::bytes() const {
  return offsets_.capacity() * sizeof(std::uint32_t) + sources_.capacity() * sizeof(std::uint32_t) +
         weights_.capacity() * sizeof(double);
}

std::vector<double> RegulatoryNetwork::product(const std::vector<double>& x) const {
  std::vector<double> tf(genes_, 0.0);
  for (std::uint32_t t = 0; t < genes_; ++t) {
    double sum = 0.0;  // scipy's csr_matvec: 0 + w0 x0 + w1 x1 + ...
    for (std::uint32_t k = offsets_[t]; k < offsets_[t + 1]; ++k)
      sum += weights_[k] * x[sources_[k]];
    tf[t] = sum;
  }
  return tf;
}

namespace {

// Splits a line into fields at commas and blanks.
std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> out;
  std::string current;
  for (char c : line) {
    if (c == ',' || c == ' ' || c == '\t' || c == '\r') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

bool parse_index(const std::string& text, std::uint32_t& out) {
  const char* end = text.data() + text.size();
  auto [stop, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && stop == end;
}

bool parse_weight(const std::string& text, double& out) {
  const char* begin = text.data() + (text.starts_with('+') ? 1 : 0);
  const char* end = text.data() + text.size();
  auto [stop, ec] = std::from_chars(begin, end, out);
  return begin != end && ec == std::errc{} && stop == end && std::isfinite(out);
}

}  // namespace

std::vector<Edge> read_edge_file(const std::filesystem::path& path,
                                 std::vector<EdgeFileProblem>& problems) {
  // A FIFO or a device (/dev/urandom) would block or never end: only a regular file is data.
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (ec) throw std::runtime_error(ec.message());
  if (!std::filesystem::is_regular_file(status)) throw std::runtime_error("not a regular file");
  std::ifstream in(path);
  if (!in) throw std::runtime_error(std::strerror(errno));
  std::vector<Edge> edges;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    const std::vector<std::string> f = fields_of(line);
    if (f.empty()) continue;
    Edge e;
    if (f.size() != 3) {
      problems.push_back(
          {number, "expected 'source target weight', got " + std::to_string(f.size()) + " fields"});
    } else if (!parse_index(f[0], e.source) || !parse_index(f[1], e.target)) {
      problems.push_back({number, "gene indices must be whole numbers >= 0, got '" + f[0] +
                                      "' and '" + f[1] + "'"});
    } else if (!parse_weight(f[2], e.weight)) {
      problems.push_back({number, "weight must be a finite number, got '" + f[2] + "'"});
    } else {
      edges.push_back(e);
    }
  }
  if (in.bad()) throw std::runtime_error(std::strerror(errno));
  return edges;
}

}  // namespace cohort::models::gene_network
