#include "genome_io.hpp"

#include <charconv>
#include <cstdint>
#include <string>

#include "cohort/engine/atomic_file.hpp"

namespace cohort::models::gene_network {

namespace {

// Shortest text that reads back to the same value.
template <class T>
void append_value(std::string& out, T v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ec == std::errc{} ? end : buf);
}

}  // namespace

template <class T>
void save_genome(const GenomeMatrix<T>& genome, engine::CheckpointWriter& out) {
  out.put<std::uint32_t>(genome.genes());
  out.put<std::uint64_t>(genome.individuals());
  out.put<std::uint32_t>(sizeof(T));
  for (std::uint32_t g = 0; g < genome.genes(); ++g)
    out.put_bytes(genome.row(g), genome.individuals() * sizeof(T));
}

template <class T>
void load_genome(GenomeMatrix<T>& genome, engine::CheckpointReader& in) {
  const auto genes = in.get<std::uint32_t>("genome gene count");
  const auto individuals = in.get<std::uint64_t>("genome individual count");
  const auto value_bytes = in.get<std::uint32_t>("genome value size");
  if (genes != genome.genes() || individuals != genome.individuals() || value_bytes != sizeof(T))
    throw engine::CheckpointError(
        "checkpoint holds genomes of " + std::to_string(genes) + " genes x " +
        std::to_string(individuals) + " individuals (" + std::to_string(value_bytes) +
        "-byte levels); the config makes " + std::to_string(genome.genes()) + " x " +
        std::to_string(genome.individuals()) + " (" + std::to_string(sizeof(T)) + "-byte)");
  for (std::uint32_t g = 0; g < genes; ++g)
    in.get_bytes(genome.row(g), individuals * sizeof(T), "genome levels");
}

template <class T>
void write_population_csv(const std::filesystem::path& path, const GenomeMatrix<T>& genome,
                          std::span<const T> fitness, std::span<const engine::Uid> ids) {
  std::string out = "individual,fitness";
  for (std::uint32_t g = 0; g < genome.genes(); ++g)
    out += ",g" + std::to_string(g);
  out += '\n';
  for (std::size_t i = 0; i < genome.individuals(); ++i) {
    out += std::to_string(ids[i]);
    out += ',';
    append_value(out, fitness[i]);
    for (std::uint32_t g = 0; g < genome.genes(); ++g) {
      out += ',';
      append_value(out, genome.at(g, i));
    }
    out += '\n';
  }
  engine::write_file_atomically(path, out);
}

template void save_genome(const GenomeMatrix<float>&, engine::CheckpointWriter&);
template void save_genome(const GenomeMatrix<double>&, engine::CheckpointWriter&);
template void load_genome(GenomeMatrix<float>&, engine::CheckpointReader&);
template void load_genome(GenomeMatrix<double>&, engine::CheckpointReader&);
template void write_population_csv(const std::filesystem::path&, const GenomeMatrix<float>&,
                                   std::span<const float>, std::span<const engine::Uid>);
template void write_population_csv(const std::filesystem::path&, const GenomeMatrix<double>&,
                                   std::span<const double>, std::span<const engine::Uid>);

}  // namespace cohort::models::gene_network
