#pragma once
// Genomes in and out of the run: checkpoint payloads and the final population CSV.

#include <filesystem>
#include <span>

#include "cohort/engine/agent_id.hpp"
#include "cohort/engine/checkpoint_io.hpp"
#include "genome_matrix.hpp"

namespace cohort::models::gene_network {

/// Appends the matrix's shape and levels (row by row, padding excluded).
template <class T>
void save_genome(const GenomeMatrix<T>& genome, engine::CheckpointWriter& out);

/// Reads what save_genome wrote into a matrix of the same shape. Throws engine::CheckpointError
/// naming the mismatch (genes, individuals or precision) or the truncation.
template <class T>
void load_genome(GenomeMatrix<T>& genome, engine::CheckpointReader& in);

/// Writes `path` atomically: a header `individual,fitness,g0,...`, then one row per individual
/// (its id index, the fitness it was evaluated at in the last generation, its levels), values
/// round-trip exact.
template <class T>
void write_population_csv(const std::filesystem::path& path, const GenomeMatrix<T>& genome,
                          std::span<const T> fitness, std::span<const engine::Uid> ids);

}  // namespace cohort::models::gene_network
