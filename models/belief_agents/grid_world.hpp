#pragma once
// The shared generative model of a population: the grid's cell types, A as two values per state
// (its type's likelihood and everyone else's), B as at most two non-zeros per column and action,
// and per-state terms of the expected free energy precomputed once.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace cohort::models::belief {

/// Actions, in policy-enumeration order.
enum Action : std::uint8_t { kUp = 0, kDown = 1, kLeft = 2, kRight = 3, kStay = 4 };
inline constexpr std::size_t kActions = 5;

/// One column of B for one action: the target cell with probability `move`, staying otherwise.
struct Transition {
  std::uint32_t target;  ///< == source when the move is blocked (then move = 0)
  double move;           ///< probability of reaching target; 1 - move stays
};

/// How a grid world is made.
struct GridSpec {
  std::uint32_t width = 10, height = 10;
  std::uint32_t levels = 4;           ///< O, observation levels (cell types)
  double likelihood_noise = 0.1;      ///< eps of A
  double move_success = 0.9;          ///< probability a legal move reaches its target
  std::vector<std::uint8_t> types;    ///< width * height cell types, row-major (y * width + x)
  std::vector<std::uint8_t> blocked;  ///< types agents cannot enter (obstacles); may be empty
};

/// Parses an ASCII map: one line per row, one digit (cell type) per cell. Throws
/// std::invalid_argument naming the line and column of a bad character or ragged row.
std::vector<std::uint8_t> parse_map(const std::string& text, std::uint32_t& width,
                                    std::uint32_t& height, std::uint32_t levels);

/// The shared model. Immutable after construction; read by every thread.
class GridWorld {
 public:
  explicit GridWorld(GridSpec spec);

  std::size_t states() const { return types_.size(); }
  std::size_t levels() const { return levels_; }
  std::uint32_t width() const { return width_; }
  std::uint8_t type(std::size_t s) const { return types_[s]; }
  /// A[o, s].
  double likelihood(std::size_t o, std::size_t s) const { return o == types_[s] ? hit_ : miss_; }
  double hit() const { return hit_; }
  double miss() const { return miss_; }
  const Transition& transition(std::size_t s, std::size_t a) const {
    return transitions_[s * kActions + a];
  }
  /// sum_o A[o,s] ln(A[o,s] + exp(-16)): the same for every state (A's columns are permutations).
  double negative_ambiguity() const { return negative_ambiguity_; }
  /// sum_s A[o, s] over all states, per o (the mass of states off a sparse support).
  double column_sum(std::size_t o) const { return column_sums_[o]; }
  /// Dense A (O, S) and B (S, S, U) for the reference functions (tests, small grids only).
  std::vector<double> dense_a() const;
  std::vector<double> dense_b() const;
  /// Bytes of the shared matrices as stored (charged once to the population).
  std::size_t shared_bytes() const;

 private:
  std::uint32_t width_;
  std::size_t levels_;
  double hit_, miss_;
  double negative_ambiguity_ = 0;
  std::vector<std::uint8_t> types_;
  std::vector<Transition> transitions_;  // [s * kActions + a]
  std::vector<double> column_sums_;
};

}  // namespace cohort::models::belief
