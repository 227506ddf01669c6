#include "gnuplot.hpp"

#include "child_process.hpp"
#include "cohort/engine/atomic_file.hpp"

namespace cohort::cli {

std::string find_gnuplot() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"}) {
    const std::filesystem::path p = std::filesystem::path(dir) / "gnuplot";
    if (std::filesystem::exists(p)) return p.string();
  }
  return {};
}

std::string run_gnuplot(const std::filesystem::path& dir, const std::string& script_name,
                        const std::string& script) {
  const std::string gnuplot = find_gnuplot();
  if (gnuplot.empty()) return "gnuplot is not installed (apt-get install gnuplot-nox)";
  engine::write_file_atomically(dir / script_name, script);
  const ChildResult r =
      ChildProcess(gnuplot, {script_name},
                   {.out = dir / "gnuplot.log", .err = {}, .append = false, .cwd = dir})
          .wait();
  if (r.exit_code != 0) return "gnuplot failed (see " + (dir / "gnuplot.log").string() + ")";
  return {};
}

}  // namespace cohort::cli
