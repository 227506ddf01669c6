#include "cohort/engine/snapshot_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>

#include "cohort/engine/config_error.hpp"
#include "cohort/engine/world.hpp"
#include "gzip_members.hpp"

namespace cohort::engine {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPrefix = "snapshots_";

std::vector<ConfiguredName> names_of(const ConfigValue& list) {
  std::vector<ConfiguredName> out;
  for (const ConfigValue& item : list.items())
    out.push_back({item.as_string(), item.path(), item.location()});
  return out;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

std::string header_name(const ComponentColumn& col, const ColumnField& f) {
  return f.name.empty() ? col.name() : col.name() + "." + f.name;
}

[[noreturn]] void fail(const fs::path& path, const char* what) {
  throw fs::filesystem_error(std::string("cannot ") + what + " snapshot file", path,
                             std::error_code(errno, std::generic_category()));
}

// What to keep of an earlier run's file: the length of its header and its rows of steps <=
// `step` (rows are in step order), and the last step among them; {0, none} when its header is
// not `header` (then the file is started afresh).
struct KeptPrefix {
  std::uintmax_t bytes = 0;
  std::optional<std::uint64_t> last_step;
};
KeptPrefix kept_prefix_gzip(const fs::path& path, const std::string& header, std::uint64_t step) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::vector<GzipMember> members = read_gzip_members(bytes);
  if (members.empty() || members[0].text != header) return {};
  KeptPrefix kept{members[0].end, std::nullopt};
  for (std::size_t i = 1; i < members.size(); ++i) {  // one member per snapshot step
    std::uint64_t member_step = 0;
    const std::string& text = members[i].text;
    if (std::from_chars(text.data(), text.data() + text.size(), member_step).ec != std::errc() ||
        member_step > step)
      break;
    kept.bytes = members[i].end;
    kept.last_step = member_step;
  }
  return kept;
}

KeptPrefix kept_prefix(const fs::path& path, const std::string& header, std::uint64_t step,
                       bool gzip) {
  if (gzip) return kept_prefix_gzip(path, header, step);
  std::ifstream in(path, std::ios::binary);
  std::string line;
  if (!std::getline(in, line) || line + "\n" != header) return {};
  KeptPrefix kept{header.size(), std::nullopt};
  while (std::getline(in, line)) {
    std::uint64_t row_step = 0;
    const auto r = std::from_chars(line.data(), line.data() + line.size(), row_step);
    if (r.ec != std::errc() || row_step > step || in.eof()) break;  // a torn last line goes too
    kept.bytes += line.size() + 1;
    kept.last_step = row_step;
  }
  return kept;
}

}  // namespace

void remove_snapshot_files(const fs::path& dir, const std::set<fs::path>& keep) {
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(kPrefix, 0) == 0 && (name.ends_with(".csv") || name.ends_with(".csv.gz")) &&
        keep.count(e.path()) == 0)
      fs::remove(e.path(), ec);
  }
}

void remove_snapshot_files(const fs::path& dir) {
  remove_snapshot_files(dir, {});
}

SnapshotSettings snapshot_settings_from(const ConfigValue& snapshots) {
  SnapshotSettings s;
  s.every = static_cast<std::uint64_t>(snapshots.at("every").as_int());
  s.populations = names_of(snapshots.at("populations"));
  s.columns = names_of(snapshots.at("columns"));
  s.compress = snapshots.at("compress").as_bool();
  return s;
}

SnapshotWriter::SnapshotWriter(SnapshotSettings settings, const World& world, fs::path dir)
    : settings_(std::move(settings)) {
  std::vector<std::string> population_names;
  for (std::size_t p = 0; p < world.population_count(); ++p)
    population_names.push_back(world.population(p).name());
  std::vector<std::uint16_t> chosen;
  for (const ConfiguredName& n : settings_.populations) {
    const auto at = std::find(population_names.begin(), population_names.end(), n.name);
    if (at == population_names.end())
      throw ConfigError(n.location, n.key_path,
                        "a population of the model (" + joined(population_names) + ")",
                        "'" + n.name + "'", nearest(n.name, population_names));
    chosen.push_back(static_cast<std::uint16_t>(at - population_names.begin()));
  }
  if (settings_.populations.empty())
    for (std::size_t p = 0; p < population_names.size(); ++p)
      chosen.push_back(static_cast<std::uint16_t>(p));

  // Every named column must exist, with numbers, in at least one chosen population.
  std::set<std::string> wanted;
  for (const ConfiguredName& n : settings_.columns) {
    std::vector<std::string> writable;
    bool found = false;
    for (const std::uint16_t p : chosen)
      for (const ComponentColumn& col : world.population(p).columns())
        if (!col.fields().empty()) {
          writable.push_back(col.name());
          found = found || col.name() == n.name;
        }
    if (!found)
      throw ConfigError(n.location, n.key_path,
                        "a column that holds numbers (" + joined(writable) + ")",
                        "'" + n.name + "'", nearest(n.name, writable));
    wanted.insert(n.name);
  }

  const std::uint64_t step = world.step();
  std::set<fs::path> ours;
  for (const std::uint16_t p : chosen) {
    const Population& pop = world.population(p);
    const std::string file_name =
        std::string(kPrefix) + pop.name() + (settings_.compress ? ".csv.gz" : ".csv");
    Output out{p, {}, dir / file_name, {nullptr, &std::fclose}, std::nullopt};
    std::string header = "step,uid";
    for (std::uint32_t c = 0; c < pop.columns().size(); ++c) {
      const ComponentColumn& col = pop.columns()[c];
      if (!wanted.empty() && wanted.count(col.name()) == 0) continue;
      for (const ColumnField& f : col.fields()) {
        out.fields.emplace_back(c, f);
        header += "," + header_name(col, f);
      }
    }
    header += "\n";
    KeptPrefix keep;
    if (step > 0 && fs::exists(out.path))
      keep = kept_prefix(out.path, header, step, settings_.compress);
    if (keep.bytes > 0) {
      fs::resize_file(out.path, keep.bytes);
      out.last_step = keep.last_step;
      out.file.reset(std::fopen(out.path.c_str(), "ab"));
    } else {
      out.file.reset(std::fopen(out.path.c_str(), "wb"));
      if (out.file == nullptr) fail(out.path, "open");
      append(out, header);
    }
    if (out.file == nullptr) fail(out.path, "open");
    ours.insert(out.path);
    outputs_.push_back(std::move(out));
  }
  // Files of populations this run does not snapshot would look like its own: remove them.
  remove_snapshot_files(dir, ours);
}

void SnapshotWriter::write(const World& world) {
  const std::uint64_t step = world.step();
  char digits[24];
  const std::string step_text(digits, std::to_chars(digits, digits + sizeof digits, step).ptr);
  for (Output& out : outputs_) {
    if (out.last_step == step) continue;  // kept from the run this one resumes
    out.last_step = step;
    const Population& pop = world.population(out.population);
    buffer_.clear();
    for (Row r = 0; r < pop.size(); ++r) {
      buffer_ += step_text;
      buffer_ += ',';
      char uid[24];
      buffer_.append(uid, static_cast<std::size_t>(
                              std::to_chars(uid, uid + sizeof uid, pop.uid_at(r)).ptr - uid));
      for (const auto& [c, f] : out.fields) {
        buffer_ += ',';
        const ComponentColumn& col = pop.columns()[c];
        append_field(buffer_, f, col.bytes() + std::size_t{r} * col.value_bytes());
      }
      buffer_ += '\n';
    }
    if (!buffer_.empty()) append(out, buffer_);  // no agents, no rows (and no empty member)
  }
}

void SnapshotWriter::append(Output& out, std::string_view text) {
  const std::string member = settings_.compress ? gzip_member(text) : std::string();
  const std::string_view bytes = settings_.compress ? std::string_view(member) : text;
  if (std::fwrite(bytes.data(), 1, bytes.size(), out.file.get()) != bytes.size() ||
      std::fflush(out.file.get()) != 0)
    fail(out.path, "write");
}

}  // namespace cohort::engine
