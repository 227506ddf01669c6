#pragma once
// The sparse regulatory network W (W[target][source] = weight): built from an edge list, read
// from a file, or generated at random, and stored by target for the product tf = W x.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace cohort::models::gene_network {

/// One regulatory edge: `source` regulates `target` with `weight`.
struct Edge {
  std::uint32_t source = 0;
  std::uint32_t target = 0;
  double weight = 0.0;
};

/// W in compressed rows by target, sources ascending within a row, duplicate edges summed:
/// scipy's canonical CSR form, so tf[t] = sum over the row in this order, as the reference sums.
class RegulatoryNetwork {
 public:
  RegulatoryNetwork() = default;
  /// `edges` must name genes below `genes` and contain no self-loop (checked by the caller).
  RegulatoryNetwork(std::uint32_t genes, std::vector<Edge> edges);

  /// Each ordered pair (s, t), s != t, visited source-major, is present with probability
  /// `density` and then gets a weight uniform in [weight_min, weight_max): the reference
  /// benchmark's generator, on the engine's Philox stream keyed by `seed`.
  static RegulatoryNetwork random(std::uint32_t genes, double density, double weight_min,
                                  double weight_max, std::uint64_t seed);

  std::uint32_t genes() const { return genes_; }
  std::size_t edge_count() const { return sources_.size(); }
  /// Row t spans [offsets()[t], offsets()[t + 1]) of sources() and weights().
  const std::vector<std::uint32_t>& offsets() const { return offsets_; }
  const std::vector<std::uint32_t>& sources() const { return sources_; }
  const std::vector<double>& weights() const { return weights_; }
  /// Bytes of the stored rows (charged to the population's shared account).
  std::size_t bytes() const;

  /// tf = W x for one individual (a reference for tests; the model uses the blocked kernel).
  std::vector<double> product(const std::vector<double>& x) const;

 private:
  std::uint32_t genes_ = 0;
  std::vector<std::uint32_t> offsets_{0};
  std::vector<std::uint32_t> sources_;
  std::vector<double> weights_;
};

/// A problem found while reading an edge file: its line (1-based) and what is wrong.
struct EdgeFileProblem {
  int line = 0;
  std::string message;
};

/// Reads "source target weight" lines (separated by commas and/or blanks; '#' starts a comment;
/// blank lines are skipped). Syntax problems are appended to `problems`; range checks against the
/// gene count are the caller's. Throws std::runtime_error if the file cannot be read.
std::vector<Edge> read_edge_file(const std::filesystem::path& path,
                                 std::vector<EdgeFileProblem>& problems);

}  // namespace cohort::models::gene_network
