#pragma once
// Population-scale analysis for `cohort bench`: per-scale summaries of repeated measurements
// and power-law fits of time and memory against the realised number of agents.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cohort/engine/least_squares.hpp"

namespace cohort::tools {

using engine::PowerLawFit;

/// One measured run: the scale value asked for and what it really produced.
struct ScaleRun {
  std::string scale;         ///< the value given to the scaled key
  std::uint64_t agents = 0;  ///< agents at the start of the run (the realised population)
  double seconds_per_step = 0;
  double peak_rss = 0;             ///< bytes
  double accounted_per_agent = 0;  ///< peak accounted bytes / agents
};

/// Median, extremes and coefficient of variation (stddev / mean) of repeated values.
struct Spread {
  double median = 0;
  double min = 0;
  double max = 0;
  double cv = 0;
};

/// Spread of `values` (must not be empty; throws std::invalid_argument).
Spread spread_of(std::vector<double> values);

/// The repetitions of one scale value.
struct ScaleSummary {
  std::string scale;
  std::uint64_t agents = 0;  ///< median realised population
  std::size_t runs = 0;
  Spread seconds_per_step;
  Spread peak_rss;
  Spread accounted_per_agent;
};

/// Groups runs by scale value, in first-seen order.
std::vector<ScaleSummary> summarise_scales(const std::vector<ScaleRun>& runs);

/// The fitted laws, or why there are none.
struct ScalingFit {
  std::optional<PowerLawFit> time;       ///< seconds per step ∝ agents^a
  std::optional<PowerLawFit> memory;     ///< peak RSS above the process baseline ∝ agents^b
  std::optional<PowerLawFit> accounted;  ///< peak accounted bytes ∝ agents^c
  double rss_baseline = 0;  ///< the baseline subtracted (0 when a run was not above it)
  std::string refusal;      ///< non-empty when no fit was made, saying why
};

/// Fits the laws over every run (each repetition is a point, so the interval reflects noise).
/// Memory is fitted above `baseline_rss` (the process with no agents): a fixed base inside total
/// RSS would bend the fitted exponent below the agents' real growth. Refuses, saying why, when
/// fewer than 3 distinct realised populations were measured (e.g. the scaled key did not change
/// the population) or a time or RSS is not positive. When some run's RSS is not above the
/// baseline (agents too small to measure over RSS noise) total RSS is fitted instead.
ScalingFit fit_scaling(const std::vector<ScaleRun>& runs, double baseline_rss = 0);

}  // namespace cohort::tools
